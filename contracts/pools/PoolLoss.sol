// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title PoolLoss
/// @notice How a prover pool spreads a slash (docs/pools.md, "Losses"): the operator's shares first,
///         then the rest pro rata over the shareholders' assets and the two unfinalized withdrawal
///         tranches, so a pending withdrawal loses the same fraction as a share.
library PoolLoss {
    using Math for uint256;

    /// @notice Where a loss lands. operatorLoss + activeLoss + openLoss + unbondingLoss == loss.
    struct Split {
        /// Assets taken from the operator (by burning `operatorShares`).
        uint256 operatorLoss;
        /// Operator shares to burn.
        uint256 operatorShares;
        /// Assets taken from the remaining shareholders.
        uint256 activeLoss;
        /// Assets taken from the open tranche.
        uint256 openLoss;
        /// Assets taken from the unbonding tranche.
        uint256 unbondingLoss;
    }

    /// @notice Splits `loss` (at most active + open + unbonding).
    /// @dev The operator's shares are valued at the vault's price, (active + 1) / (supply + virtual), and
    ///      the shares burned for `operatorLoss` are rounded down: the remaining holders' share price can
    ///      then only fall (by at most a rounding unit), never rise, from a slash. The pro-rata split
    ///      rounds the tranches' parts down and lets the shareholders take the remainder (at most two
    ///      units); if the shareholders hold less than that, the tranches take it.
    /// @param loss The loss to spread.
    /// @param operatorShares The operator's shares.
    /// @param supplyPlusVirtual Total share supply plus the vault's virtual shares.
    /// @param active The shareholders' assets.
    /// @param open The open tranche's assets.
    /// @param unbonding The unbonding tranche's assets.
    /// @return s The split.
    function split(
        uint256 loss,
        uint256 operatorShares,
        uint256 supplyPlusVirtual,
        uint256 active,
        uint256 open,
        uint256 unbonding
    ) internal pure returns (Split memory s) {
        uint256 operatorValue = operatorShares.mulDiv(active + 1, supplyPlusVirtual);
        s.operatorLoss = Math.min(loss, operatorValue);
        if (s.operatorLoss != 0) {
            s.operatorShares = Math.min(operatorShares, s.operatorLoss.mulDiv(supplyPlusVirtual, active + 1));
        }
        uint256 rest = loss - s.operatorLoss;
        if (rest == 0) return s;
        active -= s.operatorLoss;
        uint256 base = active + open + unbonding;
        s.openLoss = rest.mulDiv(open, base);
        s.unbondingLoss = rest.mulDiv(unbonding, base);
        uint256 remainder = rest - s.openLoss - s.unbondingLoss;
        s.activeLoss = Math.min(remainder, active);
        remainder -= s.activeLoss;
        if (remainder != 0) {
            uint256 extra = Math.min(remainder, open - s.openLoss);
            s.openLoss += extra;
            s.unbondingLoss += remainder - extra;
        }
    }
}
