// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Governable parameters of the ProverNetwork. All durations are in blocks.
/// @dev Packed into two storage slots: slot 0 holds what every batch reads (minStake, maxWeightStake,
///      provingWindow, raceWindow); slot 1 holds the rest. Every field is bounds-checked by
///      `ParamsLib.validate` before it is stored.
struct Params {
    /// Minimum active stake (token units) to be eligible for selection.
    uint96 minStake;
    /// Stake above this amount adds no selection weight (whale cap).
    uint96 maxWeightStake;
    /// Exclusive proving window of the assigned prover, counted from the posting block.
    uint32 provingWindow;
    /// Length of the emergency open race that follows the proving window.
    uint32 raceWindow;
    /// Delay between `requestUnstake` and `withdraw`.
    uint32 unbondingDelay;
    /// Blocks for the distance between a reputation score and `repInitial` to halve.
    uint32 repHalfLife;
    /// Share of bonded stake slashed for a missed proving window, in basis points.
    uint16 slashBps;
    /// Share of bonded stake slashed for committing and not revealing, in basis points.
    uint16 nonRevealSlashBps;
    /// Share of every slash sent to the burn sink, in basis points.
    uint16 burnBps;
    /// Share of a missed-window slash paid as a bounty to the race winner, in basis points.
    uint16 bountyBps;
    /// Reputation of a newcomer and the value scores decay toward.
    uint16 repInitial;
    /// Reputation gained per batch proven on time.
    uint16 repGain;
    /// Reputation lost per missed proving window.
    uint16 repMissPenalty;
    /// Reputation lost per commitment that was never revealed.
    uint16 repNoRevealPenalty;
}
