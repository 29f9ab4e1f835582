// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {PoolLoss} from "../../contracts/pools/PoolLoss.sol";

/// @notice The loss split, fuzzed over amounts and share prices: exact, operator first, never more
///         than a part holds, the remaining holders' price never rises, pending parts pro rata.
contract PoolLossTest is Test {
    uint256 internal constant VIRTUAL = 1e6;

    function test_OperatorFirstThenProRata() public pure {
        // Operator holds 100 of 1100 active at price 1; 300 open, 600 unbonding; loss 310.
        PoolLoss.Split memory s = PoolLoss.split(310, 100e6, 1100e6 + VIRTUAL, 1100, 300, 600);
        assertEq(s.operatorLoss, 100);
        assertEq(s.operatorShares, 100e6);
        // 210 over 1000 + 300 + 600 = 1900.
        assertEq(s.openLoss, uint256(210 * 300) / 1900);
        assertEq(s.unbondingLoss, uint256(210 * 600) / 1900);
        assertEq(s.activeLoss, 210 - s.openLoss - s.unbondingLoss);
    }

    function testFuzz_SplitIsExactAndFair(
        uint96 active,
        uint96 open,
        uint96 unbonding,
        uint256 supply,
        uint256 opShares,
        uint256 loss
    ) public pure {
        supply = bound(supply, 1, uint256(type(uint96).max) * 1e6);
        opShares = bound(opShares, 0, supply);
        uint256 base = uint256(active) + open + unbonding;
        loss = bound(loss, 0, base);
        PoolLoss.Split memory s = PoolLoss.split(loss, opShares, supply + VIRTUAL, active, open, unbonding);

        assertEq(s.operatorLoss + s.activeLoss + s.openLoss + s.unbondingLoss, loss, "exact");
        assertLe(s.operatorShares, opShares, "burns only operator shares");
        assertLe(s.operatorLoss + s.activeLoss, active, "active part");
        assertLe(s.openLoss, open, "open part");
        assertLe(s.unbondingLoss, unbonding, "unbonding part");
        uint256 opValue = opShares * (uint256(active) + 1) / (supply + VIRTUAL);
        if (loss <= opValue) {
            assertEq(s.operatorLoss, loss, "operator first");
        } else {
            assertEq(s.operatorLoss, opValue, "operator takes all it has");
        }
        // The remaining holders' price (assets + 1) / (supply + virtual) never rises.
        uint256 activeAfter = uint256(active) - s.operatorLoss - s.activeLoss;
        assertLe(
            (activeAfter + 1) * (supply + VIRTUAL),
            (uint256(active) + 1) * (supply - s.operatorShares + VIRTUAL)
        );
        // Pending parts lose at least their pro-rata share (rounded down, at most one unit less).
        uint256 rest = loss - s.operatorLoss;
        uint256 restBase = base - s.operatorLoss;
        if (restBase != 0) {
            assertGe(s.openLoss + 1, rest * open / restBase, "open pro rata");
            assertGe(s.unbondingLoss + 1, rest * unbonding / restBase, "unbonding pro rata");
        }
    }
}
