// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccountState} from "../types/AccountState.sol";
import {SlashTerms} from "../types/Batch.sol";

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

    /// @notice Splits a missed-window slash into the burned share, the race winner's bounty, the keeper's
    ///         fee and the treasury's remainder.
    /// @dev Burning part of every slash removes the incentive for a colluding rescuer or treasury to
    ///      provoke misses; the bounty makes rescuing a batch worth more than its fee alone, so someone is
    ///      always motivated to keep the rollup live; the keeper's fee pays whoever calls the permissionless
    ///      function that moved the batch along. The treasury takes the remainder, so the shares add up to
    ///      `amount` whatever the rounding (ParamsLib keeps burn + bounty + keeper <= BPS and the treasury's
    ///      share at most MAX_TREASURY_BPS).
    /// @param amount The slashed amount.
    /// @param t The terms frozen on the assignment.
    /// @return burned The amount for the burn sink (rounded down).
    /// @return bounty The amount for the race winner (rounded down).
    /// @return keeper The amount for the caller (rounded down).
    /// @return toTreasury `amount - burned - bounty - keeper`.
    function split(uint256 amount, SlashTerms memory t)
        internal
        pure
        returns (uint256 burned, uint256 bounty, uint256 keeper, uint256 toTreasury)
    {
        burned = (amount * t.burnBps) / BPS;
        bounty = (amount * t.bountyBps) / BPS;
        keeper = (amount * t.keeperBps) / BPS;
        toTreasury = amount - burned - bounty - keeper;
    }

    /// @notice Splits a penalty that has no batch to rescue (a withheld reveal) into the burned share, the
    ///         keeper's fee and the treasury's remainder.
    /// @dev The bounty's share is burned, not given to the treasury: there is nobody to pay it to, and the
    ///      treasury's share must stay as bounded as it is for a missed window.
    /// @param amount The slashed amount.
    /// @param t The terms in force.
    /// @param paysKeeper Whether a third party's call applied it (a prover's own commit does not earn).
    /// @return burned The amount for the burn sink (rounded down).
    /// @return keeper The amount for the caller (rounded down; zero if `paysKeeper` is false).
    /// @return toTreasury `amount - burned - keeper`.
    function splitWithoutBounty(uint256 amount, SlashTerms memory t, bool paysKeeper)
        internal
        pure
        returns (uint256 burned, uint256 keeper, uint256 toTreasury)
    {
        burned = (amount * (uint256(t.burnBps) + t.bountyBps)) / BPS;
        keeper = paysKeeper ? (amount * t.keeperBps) / BPS : 0;
        toTreasury = amount - burned - keeper;
    }

    /// @notice What rescuing an `Open` batch pays on top of its fee: the bounty a minimum-stake prover's
    ///         missed window would have paid under the same terms (rounded down like `split`).
    /// @dev An Open batch was posted while nobody was listed, so there is no slash to pay a bounty from; the
    ///      treasury (fed by the treasury's share of slashes) pays it instead, so that a rescuer earns at
    ///      least as much for a batch nobody was assigned as for the cheapest missed one.
    /// @param minStake The minimum stake (`Params.minStake`).
    /// @param slashBps The slash share frozen on the batch's assignment (`SlashTerms.slashBps`).
    /// @param bountyBps The bounty share frozen on the batch's assignment (`SlashTerms.bountyBps`).
    /// @return The reward before the treasury's balance bounds it.
    function openReward(uint256 minStake, uint256 slashBps, uint256 bountyBps)
        internal
        pure
        returns (uint256)
    {
        return (((minStake * slashBps) / BPS) * bountyBps) / BPS;
    }

    /// @notice The keeper's fee out of `amount` (a failed batch's refund, a flushed burn).
    function keeperFee(uint256 amount, uint256 keeperBps) internal pure returns (uint256) {
        return (amount * keeperBps) / BPS;
    }
}
