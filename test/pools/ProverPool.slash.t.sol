// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PoolTestBase} from "./PoolTestBase.sol";
import {IProverPool, TrancheState} from "../../contracts/pools/IProverPool.sol";

/// @notice Slashes: operator first, then the same fraction for every share and pending withdrawal;
///         no escape by requesting a withdrawal; exits when the operator, the pool or the network stop.
contract ProverPoolSlashTest is PoolTestBase {
    function test_OperatorAbsorbsTheSlashFirst() public {
        pool = _createPool(op, 500e18, 1000);
        _deposit(dan, 1000e18);
        uint256 danBefore = _value(dan);
        _selectPool();
        _slash(_miss());
        // 10% of 1500 = 150, less than the operator's 500.
        vm.expectEmit(address(pool));
        emit IProverPool.LossAbsorbed(150e18, 150e18, 150e18 * 1e6, 0, 0);
        pool.sync();
        assertEq(pool.operatorStake(), 350e18);
        assertEq(_value(dan), danBefore, "the delegator loses nothing");
        _books();
    }

    function test_SlashLowersEveryShareAndPendingWithdrawalByTheSameFraction() public {
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
        _deposit(dan, 1000e18);
        _deposit(eve, 2000e18);
        uint256 id = _request(eve, pool.balanceOf(eve) / 2);
        assertEq(uint8(pool.trancheOf(1).state), uint8(TrancheState.Unbonding));
        (uint256 pendingBefore,) = pool.requestValue(id);
        uint256 danBefore = _value(dan);
        uint256 eveBefore = _value(eve);

        _selectPool();
        _slash(_miss());
        pool.sync();
        // 10% of stake + unbonding (3100) = 310: the operator's 100 first, then 210 over 3000, i.e. 7%.
        (uint256 pendingAfter,) = pool.requestValue(id);
        assertApproxEqAbs(pool.operatorStake(), 0, 1);
        assertApproxEqRel(_value(dan) * 1e18 / danBefore, 0.93e18, 1e6);
        assertApproxEqRel(_value(eve) * 1e18 / eveBefore, 0.93e18, 1e6);
        assertApproxEqRel(pendingAfter * 1e18 / pendingBefore, 0.93e18, 1e6);
        _books();

        // The network took the slash from active stake only, so the unbonding tranche comes back with
        // more than it is owed: the excess is restaked for the shareholders.
        _rollToReady(id);
        uint256 paid = _claim(eve, id);
        assertEq(paid, pendingAfter);
        _books();
        assertEq(net.accountOf(address(pool)).unbonding, 0);
    }

    function test_RevertWhen_DepositWhileOperatorBelowMinimum() public {
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
        _deposit(dan, 1000e18);
        _selectPool();
        _slash(_miss());
        pool.sync();
        uint256 selfStake = pool.operatorStake();
        token.mint(eve, 1e18);
        vm.startPrank(eve);
        token.approve(address(pool), 1e18);
        vm.expectRevert(
            abi.encodeWithSelector(IProverPool.SelfStakeBelowMinimum.selector, selfStake, MIN_SELF_STAKE)
        );
        pool.deposit(1e18, eve);
        vm.stopPrank();
        assertEq(pool.maxDeposit(eve), 0);
        // The operator tops up and delegators are welcome again.
        _deposit(op, MIN_SELF_STAKE + 1e18);
        assertGe(pool.operatorStake(), MIN_SELF_STAKE);
        _deposit(eve, 1e18);
    }

    function test_WithdrawalRequestedAfterAMissCannotEscapeItsSlash() public {
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
        _deposit(dan, 1000e18);
        _deposit(eve, 1000e18);
        _selectPool();
        uint256 missed = _miss();
        // Eve sees the miss (slash earned, not executed) and runs for the exit.
        uint256 id = _request(eve, pool.balanceOf(eve));
        (uint256 atRequest,) = pool.requestValue(id);
        uint256 danBefore = _value(dan);
        // The unbonding delay outlasts the batch's race, so the slash is executed before she can leave.
        assertLt(net.batchOf(missed).raceDeadline, pool.trancheOf(1).readyAt);
        _slash(missed);
        _rollToReady(id);
        uint256 paid = _claim(eve, id);
        // 10% of 2100 = 210: the operator's 100, then 110 over 2000: both lose 5.5%.
        assertApproxEqRel(paid * 1e18 / atRequest, 0.945e18, 1e6);
        assertApproxEqRel(_value(dan) * 1e18 / danBefore, 0.945e18, 1e6);
        _books();
    }

    function test_DelegatorExitsWhenTheOperatorIsGone() public {
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
        _deposit(dan, 1000e18);
        // The operator commits for the pool and then disappears without revealing.
        uint256 epoch = _nextEpoch();
        _commit(address(pool), epoch);
        uint256 id = _request(dan, pool.balanceOf(dan));
        uint256 readyAt = pool.trancheOf(1).readyAt;
        vm.roll(readyAt);
        // The network refuses the withdrawal while the commitment is unresolved...
        vm.expectRevert(abi.encodeWithSelector(IProverPool.WithdrawalNotReady.selector, id, readyAt, readyAt));
        vm.prank(dan);
        pool.claim(id);
        // ...until anyone penalises it; the operator's shares absorb the penalty (1% of 1100).
        vm.prank(keeper);
        net.penalizeNonReveal(address(pool));
        assertEq(_claim(dan, id), 1000e18);
        assertEq(pool.operatorStake(), MIN_SELF_STAKE - 11e18);
        _books();
    }

    function test_DelegatorExitsWhileThePoolIsPaused() public {
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
        _deposit(dan, 1000e18);
        vm.prank(op);
        pool.pause();
        token.mint(eve, 1e18);
        vm.startPrank(eve);
        token.approve(address(pool), 1e18);
        vm.expectRevert(abi.encodeWithSignature("EnforcedPause()"));
        pool.deposit(1e18, eve);
        vm.stopPrank();
        uint256 id = _request(dan, pool.balanceOf(dan));
        _rollToReady(id);
        assertEq(_claim(dan, id), 1000e18);
    }

    /// @dev A loss that empties the open tranche finalizes it at once, so no later request buys units of
    ///      an empty tranche (a division by zero). The network cannot slash that much today (at most 50%
    ///      of a prover's capped stake per miss, one stake slash per epoch window), so the network's
    ///      report is mocked: everything the pool had in it is gone.
    function test_TrancheWipedOutBySlashesIsFinalizedAtOnce() public {
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
        _deposit(dan, 1000e18);
        _deposit(eve, 300e18);
        uint256 danId = _request(dan, pool.balanceOf(dan) / 2);
        uint256 eveId = _request(eve, pool.balanceOf(eve) / 3);
        assertEq(pool.unbondingTranche(), 1);
        assertEq(pool.openTranche(), 2);
        uint256 open = pool.trancheOf(2).assets;
        uint256 unbonding = pool.trancheOf(1).assets;
        uint256 active = pool.activeAssets();

        vm.mockCall(
            address(net), abi.encodeCall(net.bondOf, (address(pool))), abi.encode(uint256(0), uint256(0))
        );
        vm.expectEmit(address(pool));
        emit IProverPool.TrancheFinalized(2, 0, 0);
        pool.sync();
        assertEq(pool.trancheOf(2).assets, 0);
        assertEq(uint8(pool.trancheOf(2).state), uint8(TrancheState.Finalized));
        assertEq(pool.openTranche(), 3, "the next request opens a fresh tranche");
        assertEq(pool.trancheOf(1).assets, 0);
        assertEq(uint8(pool.trancheOf(1).state), uint8(TrancheState.Unbonding), "still waits for the network");
        assertEq(pool.activeAssets(), 0);
        assertEq(open + unbonding + active, 1300e18 + MIN_SELF_STAKE, "the book the mocked report erases");
        // Eve's request is claimable at once and pays nothing; dan's waits for its tranche.
        (uint256 value, bool ready) = pool.requestValue(eveId);
        assertEq(value, 0);
        assertTrue(ready);
        assertEq(_claim(eve, eveId), 0);
        assertEq(pool.requestOf(eveId).owner, address(0));
        (, ready) = pool.requestValue(danId);
        assertFalse(ready);
    }

    function test_DelegatorExitsWhileTheNetworkIsPaused() public {
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
        _deposit(dan, 1000e18);
        vm.prank(owner);
        gov.pause();
        uint256 id = _request(dan, pool.balanceOf(dan));
        _rollToReady(id);
        assertEq(_claim(dan, id), 1000e18);
    }

    function test_SharePriceNeverRisesFromASlash() public {
        pool = _createPool(op, 300e18, 1000);
        _deposit(dan, 777e18);
        _request(dan, pool.balanceOf(dan) / 3);
        uint256 supply = pool.totalSupply();
        uint256 assets = pool.activeAssets();
        _selectPool();
        _slash(_miss());
        pool.sync();
        // (assets' + 1) / (supply' + 1e6) <= (assets + 1) / (supply + 1e6)
        assertLe((pool.activeAssets() + 1) * (supply + 1e6), (assets + 1) * (pool.totalSupply() + 1e6));
        _books();
    }

    function test_PoolBelowMinimumStakeIsIneligibleNotInsolvent() public {
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
        _deposit(dan, 50e18);
        uint256 id = _request(dan, pool.balanceOf(dan));
        // 100 active + 50 unbonding; 10% of 150 = 15 comes from the active stake: 85 < minStake.
        _selectPool();
        _slash(_miss());
        pool.sync();
        assertEq(net.accountOf(address(pool)).stake, 85e18);
        assertEq(net.weightOf(address(pool)), 0, "not drawn");
        uint256 epoch = _nextEpoch();
        vm.expectRevert(abi.encodeWithSignature("StakeBelowMinimum(uint256,uint256)", 85e18, MIN_STAKE));
        _commit(address(pool), epoch);
        _books();
        // Everyone still gets what the books say: the delegator's request (the operator's shares took
        // the whole slash) and the operator's remaining stake.
        _rollToReady(id);
        assertEq(_claim(dan, id), 50e18);
        uint256 exit = _request(op, pool.balanceOf(op));
        _rollToReady(exit);
        assertEq(_claim(op, exit), 85e18);
        assertEq(pool.totalSupply(), 0);
        assertEq(net.accountOf(address(pool)).stake + net.accountOf(address(pool)).unbonding, 0);
    }
}
