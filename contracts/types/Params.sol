// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Governable parameters of the ProverNetwork. All durations are in blocks.
/// @dev Packed into three storage slots: slot 0 holds what every batch reads (minStake, maxWeightStake,
///      provingWindow, raceWindow); slot 1 holds the durations, shares and reputation steps; slot 2 the
///      posting and dispute economics (assignmentBond, minFee, challengeWindow, keeperBps). Every field is bounds-checked by
///      `ParamsLib.validate` before it is stored.
struct Params {
    /// Minimum active stake (token units) to be eligible for selection.
    uint96 minStake;
    /// Stake above this amount adds no selection weight and is not counted by a slash.
    uint96 maxWeightStake;
    /// Exclusive proving window of the assigned prover, counted from the last block of the batch's slot.
    uint32 provingWindow;
    /// Length of the emergency open race that follows the proving window.
    uint32 raceWindow;
    /// Delay between `requestUnstake` and `withdraw`.
    uint32 unbondingDelay;
    /// Blocks for the distance between a reputation score and `repInitial` to halve.
    uint32 repHalfLife;
    /// Share of bonded stake slashed for a missed assignment, in basis points.
    uint16 slashBps;
    /// Share of bonded stake slashed for committing and not revealing, in basis points.
    uint16 nonRevealSlashBps;
    /// Share of every slash sent to the burn sink, in basis points.
    uint16 burnBps;
    /// Share of a missed-assignment slash paid as a bounty to the race winner, in basis points.
    uint16 bountyBps;
    /// The value reputation scores decay toward (newcomers start at zero and rise toward it).
    uint16 repInitial;
    /// Reputation gained per batch proven on time.
    uint16 repGain;
    /// Reputation lost per missed assignment.
    uint16 repMissPenalty;
    /// Reputation lost per commitment that was never revealed.
    uint16 repNoRevealPenalty;
    /// Bonded stake a prover needs per open assignment beyond the first (capacity rule).
    uint96 assignmentBond;
    /// Smallest fee a batch may carry.
    uint96 minFee;
    /// Blocks a batch source has to publish a challenged batch's data on chain (`answerChallenge`).
    uint32 challengeWindow;
    /// Share of each slash, penalty, failed fee and burn paid to the keeper whose call moved it along,
    /// in basis points.
    uint16 keeperBps;
}
