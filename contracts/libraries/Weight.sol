// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Reputation} from "./Reputation.sol";

/// @title Weight
/// @notice A prover's selection weight (docs/mechanism.md, section 4):
///
///             weight = (min(stake, maxWeightStake) >> SHIFT) * (REP_FLOOR + reputation) / (REP_MAX + REP_FLOOR)
///
/// @dev Linear in stake below the cap, so splitting a stake over many identities gains nothing (a
///      square-root weight would reward splitting); flat above the cap, so a whale's odds stop growing.
///      Reputation scales the capped stake between 1/11 (score 0) and 1 (score REP_MAX).
library Weight {
    /// @notice Stake is shifted right by this many bits before weighting: the sum of up to 2^24
    ///         provers' weights of at most 2^(96-24) each then fits the 96-bit cumulative weights of the
    ///         selection list. Hence `minStake >= 2^SHIFT` (ParamsLib.MIN_STAKE_FLOOR): a smaller stake
    ///         would weigh nothing.
    uint256 internal constant SHIFT = 24;
    /// @notice Reputation points added to every score, so a zero score still weighs 1/11 of a perfect
    ///         one instead of nothing: a low score lowers a prover's odds but is never a ban.
    uint256 internal constant REP_FLOOR = 1000;
    /// @notice Upper bound of reputation scores.
    uint256 internal constant REP_MAX = Reputation.MAX;

    /// @notice The selection weight of `stake` at reputation `reputation`.
    /// @dev Multiplies before dividing so the reputation factor keeps its precision; the product is at
    ///      most 2^72 * 11,000, far inside 256 bits.
    /// @param stake The prover's active stake.
    /// @param maxWeightStake The whale cap (`Params.maxWeightStake`): stake above it adds no weight.
    /// @param reputation The prover's reputation, already decayed to the current block (<= REP_MAX).
    /// @return The weight appended to the selection list on reveal.
    function ofStake(uint256 stake, uint256 maxWeightStake, uint256 reputation)
        internal
        pure
        returns (uint256)
    {
        if (stake > maxWeightStake) stake = maxWeightStake;
        return ((stake >> SHIFT) * (REP_FLOOR + reputation)) / (REP_MAX + REP_FLOOR);
    }
}
