// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PoolTestBase} from "./PoolTestBase.sol";
import {IProverPool, TrancheState, WithdrawalRequest} from "../../contracts/pools/IProverPool.sol";

/// @notice How a withdrawal request is priced and recorded (docs/pools.md, "Withdrawal queue"): a
///         delegator's request uses the books of the last sync and does not sync (that is what keeps it
///         under 100k gas), yet bears every slash executed before it exactly as if it had synced; the
///         operator's request syncs first; a request never finalizes a tranche; one record per owner
///         and tranche, under an id that names both.
contract ProverPoolRequestsTest is PoolTestBase {
    /// @dev Attack: a keeper executed a slash and no one synced yet; a delegator requests at the old,
    ///      higher price. The next sync spreads the loss pro rata over the shares and the tranches, so
    ///      she is paid what she would have been paid had she synced first, and the others lose no more.
    function test_Attack_RequestBeforeTheSyncOfAnExecutedSlashStillBearsIt() public {
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
        _deposit(dan, 1000e18);
        _deposit(eve, 1000e18);
        _selectPool();
        _slash(_miss());
        uint256 snap = vm.snapshotState();

        // Eve requests on the stale books: priced at 1000, the slash not in the price yet.
        uint256 stale = _request(eve, pool.balanceOf(eve));
        (uint256 atRequest,) = pool.requestValue(stale);
        assertEq(atRequest, 1000e18, "priced on the last sync's books");
        pool.sync();
        _books();
        _rollToReady(stale);
        uint256 paidStale = _claim(eve, stale);
        uint256 danStale = _value(dan);

        // The same exit after a sync.
        vm.revertToState(snap);
        pool.sync();
        uint256 synced = _request(eve, pool.balanceOf(eve));
        _rollToReady(synced);
        uint256 paidSynced = _claim(eve, synced);
        uint256 danSynced = _value(dan);

        // 10% of 2100 = 210: the operator's 100, then 110 over 2000: everyone else loses 5.5%.
        assertApproxEqRel(paidStale, 945e18, 1e6);
        assertApproxEqAbs(paidStale, paidSynced, 2, "the stale request pays what a synced one pays");
        assertApproxEqAbs(danStale, danSynced, 2, "and the others lose no more");
    }

    /// @dev Attack: the operator, whose shares take a loss first, requests on stale books to move its
    ///      stake into a tranche that shares the loss pro rata. Its request syncs first: the loss is
    ///      absorbed by its shares in the same call, and the larger exit it tried no longer exists.
    function test_Attack_OperatorRequestSyncsBeforeItsExit() public {
        pool = _createPool(op, 500e18, 1000);
        _deposit(dan, 1000e18);
        _selectPool();
        _slash(_miss());
        // 10% of 1500 = 150, all the operator's: 350 left, of which it may take 250 (the minimum is 100).
        uint256 shares400 = 400e18 * 1e6;
        vm.expectRevert(
            abi.encodeWithSelector(IProverPool.InsufficientShares.selector, shares400, 350e18 * 1e6)
        );
        vm.prank(op);
        pool.requestWithdraw(shares400);

        vm.expectEmit(address(pool));
        emit IProverPool.LossAbsorbed(150e18, 150e18, 150e18 * 1e6, 0, 0);
        uint256 id = _request(op, 250e18 * 1e6);
        (uint256 value,) = pool.requestValue(id);
        assertEq(value, 250e18);
        assertEq(pool.operatorStake(), 100e18);
        assertEq(_value(dan), 1000e18, "the delegator bears none of it");
        _books();
    }

    /// @dev A matured tranche is withdrawn only by a sync, never by a request: finalized before an
    ///      executed slash is absorbed, it would escape its share of the slash.
    function test_RequestLeavesAMaturedTrancheToTheNextSync() public {
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
        _deposit(dan, 1000e18);
        _deposit(eve, 1000e18);
        uint256 danId = _request(dan, pool.balanceOf(dan) / 2);
        assertEq(pool.unbondingTranche(), 1);
        _selectPool();
        uint256 missed = _miss();
        _rollToReady(danId);
        _slash(missed);
        (uint256 danBefore,) = pool.requestValue(danId);

        uint256 eveId = _request(eve, pool.balanceOf(eve) / 10);
        assertEq(uint8(pool.trancheOf(1).state), uint8(TrancheState.Unbonding), "not finalized by a request");
        assertEq(pool.unbondingTranche(), 1);
        assertEq(pool.requestOf(eveId).tranche, 2);
        // Eve's claim syncs (finalizing tranche 1 and unstaking hers), then refuses with the block hers
        // will be ready at; the revert undoes the sync.
        uint256 eveReady = block.number + net.params().unbondingDelay;
        vm.expectRevert(
            abi.encodeWithSelector(IProverPool.WithdrawalNotReady.selector, eveId, eveReady, block.number)
        );
        pool.claim(eveId);
        assertEq(uint8(pool.trancheOf(1).state), uint8(TrancheState.Unbonding));

        // The sync absorbs the loss first (10% of 2100: the operator's 100, then 5.5% for everyone,
        // the unbonding tranche included), then finalizes tranche 1 and unstakes tranche 2.
        pool.sync();
        (uint256 danAfter, bool ready) = pool.requestValue(danId);
        assertTrue(ready);
        assertApproxEqRel(danAfter * 1e18 / danBefore, 0.945e18, 1e6);
        assertEq(uint8(pool.trancheOf(2).state), uint8(TrancheState.Unbonding));
        assertEq(_claim(dan, danId), danAfter);
        _books();
    }

    /// @dev A delegator's request does not collect the rewards waiting in the network: they go to the
    ///      holders at the next sync (the CLI syncs first when any are waiting).
    function test_DelegatorRequestIsPricedOnTheLastSyncsBooks() public {
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
        _deposit(dan, 1000e18);
        _deposit(eve, 1000e18);
        _selectPool();
        _earn();
        uint256 id = _request(eve, pool.balanceOf(eve));
        (uint256 value,) = pool.requestValue(id);
        assertEq(value, 1000e18);
        pool.sync();
        // 10 earned: 1 commission, 9 over the operator's 100 and dan's 1000.
        assertApproxEqAbs(_value(dan), 1000e18 + uint256(9e18) * 1000 / 1100, 1);
        (value,) = pool.requestValue(id);
        assertEq(value, 1000e18, "rewards never raise a pending request");
    }

    /// @dev Requests of one owner while one tranche is open share one record and one id; another owner,
    ///      or the next tranche, gets another.
    function test_RequestsOfOneOwnerInOneTrancheShareOneRecord() public {
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
        _deposit(dan, 1000e18);
        _deposit(eve, 500e18);
        uint256 first = _request(dan, 100e18 * 1e6);
        assertEq(first, pool.requestIdOf(1, dan));
        assertEq(pool.unbondingTranche(), 1, "tranche 1 unstaked at once");

        uint256 id = pool.requestIdOf(2, dan);
        assertEq(id, (uint256(2) << 160) | uint160(dan));
        vm.expectEmit(address(pool));
        emit IProverPool.WithdrawalRequested(id, dan, 200e18 * 1e6, 200e18, 2, 200e18);
        assertEq(_request(dan, 200e18 * 1e6), id);
        vm.expectEmit(address(pool));
        emit IProverPool.WithdrawalRequested(id, dan, 300e18 * 1e6, 300e18, 2, 300e18);
        assertEq(_request(dan, 300e18 * 1e6), id);
        uint256 eveId = _request(eve, 50e18 * 1e6);
        assertEq(eveId, pool.requestIdOf(2, eve));

        WithdrawalRequest memory r = pool.requestOf(id);
        assertEq(r.owner, dan);
        assertEq(r.tranche, 2);
        assertEq(r.units, 500e18);
        assertEq(pool.trancheOf(2).units, 550e18);

        _rollToReady(first);
        assertEq(_claim(dan, first), 100e18);
        _rollToReady(id);
        assertEq(_claim(dan, id), 500e18, "one claim pays both requests");
        assertEq(_claim(eve, eveId), 50e18);
        assertEq(pool.requestOf(id).owner, address(0));
        _books();
    }

    /// @dev The id's two fields at their widest, and ids no request has.
    function test_RequestIdsAtTheirEdges() public {
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
        assertEq(pool.requestIdOf(type(uint64).max, address(type(uint160).max)), type(uint224).max);
        assertEq(pool.requestIdOf(0, address(0)), 0);
        assertEq(pool.requestIdOf(1, address(1)), (uint256(1) << 160) + 1);
        WithdrawalRequest memory none = pool.requestOf(type(uint224).max);
        assertEq(none.owner, address(0));
        assertEq(none.tranche, 0);
        assertEq(none.units, 0);
        (uint256 value, bool ready) = pool.requestValue(pool.requestIdOf(1, dan));
        assertEq(value, 0);
        assertFalse(ready);
        uint256 unknown = pool.requestIdOf(1, dan);
        vm.expectRevert(abi.encodeWithSelector(IProverPool.UnknownRequest.selector, unknown));
        pool.claim(unknown);
        // A real request's id with a different owner is no request.
        _deposit(dan, 100e18);
        _request(dan, 10e18 * 1e6);
        uint256 eveId = pool.requestIdOf(1, eve);
        vm.expectRevert(abi.encodeWithSelector(IProverPool.UnknownRequest.selector, eveId));
        pool.claim(eveId);
    }
}
