// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Capacity
/// @notice How many batches a prover may hold at once (docs/mechanism.md, "Capacity").
/// @dev The rule is Brevis ProverNet's overcommit rule applied to bonded stake: a prover holding `open`
///      unproven batches can take one more while `stake + unbonding >= minStake + open * bond`. Bonded,
///      not active, stake counts, so requesting an unstake cannot make a listed prover decline a draw:
///      only a slash (or proving its open batches) changes what it can take. A prover that cannot take a
///      batch is skipped by the slot's draw, not assigned and then slashed for overload.
library Capacity {
    /// @notice Whether a prover with `bonded` stake and `open` batches may take one more.
    /// @param bonded Active plus unbonding stake.
    /// @param open Its open (unproven, unslashed) assignments.
    /// @param minStake `Params.minStake`.
    /// @param bond `Params.assignmentBond`.
    /// @return True if one more batch is covered.
    function canTake(uint256 bonded, uint256 open, uint256 minStake, uint256 bond)
        internal
        pure
        returns (bool)
    {
        return bonded >= minStake + open * bond;
    }

    /// @notice Whether `active` stake alone still covers `open` batches, so matured unbonding stake may
    ///         leave while they are pending.
    /// @param active Active stake after the withdrawal (unbonding leaves entirely).
    /// @param open Open assignments.
    /// @param minStake `Params.minStake`.
    /// @param bond `Params.assignmentBond`.
    /// @return True if the withdrawal leaves every open assignment covered.
    function coversOpen(uint256 active, uint256 open, uint256 minStake, uint256 bond)
        internal
        pure
        returns (bool)
    {
        return open == 0 || active >= minStake + open * bond;
    }
}
