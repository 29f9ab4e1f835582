// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccountState} from "../types/AccountState.sol";

/// @title Slashing
/// @notice How much a slash takes, from which stake, and where it goes (docs/mechanism.md, section 6).
/// @dev Two offences are slashed: a missed proving window (`slashBps`, part of it paid as a bounty to
///      whoever rescues the batch in the race) and a commitment left unrevealed (`nonRevealSlashBps`,
///      no bounty: there is no batch to rescue). Both take the same share of the same base and burn the
///      same share; only the bounty differs. All rounding is down, so a slash never exceeds its share
///      and the treasury receives the rounding remainder: burned + bounty + treasury == amount exactly.
library Slashing {
    /// @notice Denominator of every basis-point share.
    uint256 internal constant BPS = 10_000;

    /// @notice The amount a `bps` slash takes: `bps` of the bonded (active + unbonding) stake, counted
    ///         up to `maxWeightStake`, rounded down.
    /// @dev Unbonding stake counts because a prover's obligations outlast its unstake request (the
    ///      unbonding delay is longer than any assignment), so requesting an exit must not shrink the
    ///      penalty. The cap mirrors the selection weight (`Weight.ofStake`): stake above it buys no extra
    ///      selection odds, so it does not pay extra per miss either (uncapped, the simulation charged a
    ///      whale up to 100x more than a prover at the cap for the same odds).
    /// @param active The active stake.
    /// @param unbonding The stake waiting out its unbonding delay.
    /// @param maxWeightStake The whale cap (`Params.maxWeightStake`).
    /// @param bps The slash share in basis points (at most BPS).
    /// @return The slashed amount, never more than `active + unbonding`.
    function amountOf(uint256 active, uint256 unbonding, uint256 maxWeightStake, uint256 bps)
        internal
        pure
        returns (uint256)
    {
        uint256 base = active + unbonding;
        if (base > maxWeightStake) base = maxWeightStake;
        return (base * bps) / BPS;
    }

    /// @notice Slashes `a` by `bps` (see `amountOf`), taking active stake first and the rest from the
    ///         unbonding stake.
    /// @dev Active stake goes first so that the prover's pending exit is touched only when its active
    ///      stake cannot cover the slash: a prover that keeps enough stake bonded never sees its
    ///      unbonding amount change under it. The subtraction from `unbonding` cannot underflow because
    ///      `amountOf` never exceeds `active + unbonding` (bps <= BPS, enforced by ParamsLib).
    /// @param a The slashed account (its `stake` and `unbonding` are rewritten).
    /// @param maxWeightStake The whale cap (`Params.maxWeightStake`).
    /// @param bps The slash share in basis points.
    /// @return amount The slashed amount.
    function take(AccountState storage a, uint256 maxWeightStake, uint256 bps)
        internal
        returns (uint256 amount)
    {
        uint256 active = a.stake;
        uint256 unbonding = a.unbonding;
        amount = amountOf(active, unbonding, maxWeightStake, bps);
        if (amount <= active) {
            a.stake = uint96(active - amount);
        } else {
            a.stake = 0;
            a.unbonding = uint96(unbonding - (amount - active));
        }
    }

    /// @notice Splits a missed-window slash into the burned share, the race winner's bounty and the
    ///         treasury's remainder.
    /// @dev Burning part of every slash removes the incentive for a colluding rescuer or treasury to
    ///      provoke misses; the bounty makes rescuing a batch worth more than its fee alone, so someone is
    ///      always motivated to keep the rollup live. The treasury takes the remainder, so the three
    ///      shares add up to `amount` whatever the rounding (ParamsLib keeps burnBps + bountyBps <= BPS).
    /// @param amount The slashed amount.
    /// @param burnBps The burned share in basis points.
    /// @param bountyBps The bounty share in basis points.
    /// @return burned The amount for the burn sink (rounded down).
    /// @return bounty The amount for the race winner (rounded down).
    /// @return toTreasury `amount - burned - bounty`.
    function split(uint256 amount, uint256 burnBps, uint256 bountyBps)
        internal
        pure
        returns (uint256 burned, uint256 bounty, uint256 toTreasury)
    {
        burned = (amount * burnBps) / BPS;
        bounty = (amount * bountyBps) / BPS;
        toTreasury = amount - burned - bounty;
    }

    /// @notice Splits a non-reveal slash into the burned share and the treasury's remainder.
    /// @dev Same burn share as a missed window (the same collusion argument holds), but no bounty: a
    ///      withheld reveal leaves no batch for anyone to rescue.
    /// @param amount The slashed amount.
    /// @param burnBps The burned share in basis points.
    /// @return burned The amount for the burn sink (rounded down).
    /// @return toTreasury `amount - burned`.
    function splitWithoutBounty(uint256 amount, uint256 burnBps)
        internal
        pure
        returns (uint256 burned, uint256 toTreasury)
    {
        burned = (amount * burnBps) / BPS;
        toTreasury = amount - burned;
    }
}
