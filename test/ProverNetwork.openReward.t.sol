// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Test.sol";
import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {BatchStatus} from "../contracts/types/Batch.sol";

/// @notice Issue 11, "Open batches carry a reward too": a batch posted while nobody is listed has no slash
///         to pay a bounty from, so its rescuer is paid the bounty a minimum-stake prover's miss would have
///         paid (minStake 100 x slash 10% x bounty 30% = 3 tokens here) out of the treasury, as far as the
///         treasury lasts.
contract ProverNetworkOpenRewardTest is NetworkTestBase {
    uint256 internal constant REWARD = 3e18;
    uint256 internal constant FEE = 1e18;

    /// @dev Alice and Bob commit in one epoch and never reveal: the next epoch's list is empty (its batches
    ///      are Open) and the two penalties put 2 x 2 tokens in the treasury (1% of 1,000, 20% of it).
    function _emptyListAndTreasury() internal {
        _register(alice, 1000e18);
        _register(bob, 1000e18);
        uint256 epoch = _nextEpoch();
        _commit(alice, epoch);
        _commit(bob, epoch);
        _nextEpoch();
        vm.startPrank(keeper);
        net.penalizeNonReveal(alice);
        net.penalizeNonReveal(bob);
        vm.stopPrank();
        assertEq(net.treasuryBalance(), 4e18);
    }

    uint256 internal posted;

    function _openBatch() internal returns (uint256 id) {
        id = _post(keccak256(abi.encode("open", ++posted)), FEE);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Open));
    }

    function _race(address who, uint256 id) internal {
        bytes memory proof = _proof(who, id, 1);
        vm.prank(who);
        net.raceSubmit(id, proof);
    }

    function test_OpenBatchRescuePaysTheMinimumStakeBountyFromTheTreasury() public {
        _emptyListAndTreasury();
        uint256 id = _openBatch();
        uint256 before = _acct(alice).claimable;
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.OpenBatchRewarded(id, alice, REWARD);
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.BatchProven(id, alice, FEE + REWARD, true);
        _race(alice, id);
        assertEq(_acct(alice).claimable - before, FEE + REWARD);
        assertEq(net.treasuryBalance(), 1e18, "the reward left the treasury");
    }

    function test_OpenRewardStopsAtWhatTheTreasuryHolds() public {
        _emptyListAndTreasury();
        _race(alice, _openBatch()); // treasury 4 -> 1
        uint256 id = _openBatch();
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.OpenBatchRewarded(id, bob, 1e18);
        _race(bob, id);
        assertEq(net.treasuryBalance(), 0, "the treasury pays out its last token and no more");

        // An empty treasury: the fee is all the rescuer gets, and no reward is announced.
        id = _openBatch();
        uint256 before = _acct(alice).claimable;
        vm.recordLogs();
        _race(alice, id);
        assertEq(_acct(alice).claimable - before, FEE);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(
                logs[i].topics[0] != IProverNetworkEvents.OpenBatchRewarded.selector, "no reward event"
            );
        }
    }

    function test_OpenRewardEqualToTheTreasuryEmptiesIt() public {
        _emptyListAndTreasury();
        // Spend one token of the treasury so that it holds exactly one reward (3 tokens).
        vm.prank(owner);
        gov.withdrawTreasury(owner, 1e18);
        uint256 id = _openBatch();
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.OpenBatchRewarded(id, alice, REWARD);
        _race(alice, id);
        assertEq(net.treasuryBalance(), 0);
    }

    /// @dev The attack the restriction stops: a source fills the slot prover's capacity so that the rest of
    ///      the slot is Open, then rescues those batches with its own staked identity to farm the treasury.
    function test_SlotOpenBecauseDrawsRanOutPaysTheFeeOnly() public {
        _emptyListAndTreasury();
        address solo = makeAddr("solo");
        _register(solo, MIN_STAKE); // capacity 1: the slot's later draws find it full
        address[] memory one = new address[](1);
        one[0] = solo;
        _selectionRound(one);
        assertEq(_batch(_post(keccak256("fills"), FEE)).prover, solo);
        uint256 id = _openBatch();
        uint256 before = _acct(alice).claimable;
        _race(alice, id);
        assertEq(_acct(alice).claimable - before, FEE, "fee only");
        assertEq(net.treasuryBalance(), 4e18, "the treasury is untouched");
    }

    function test_RescuingAMissedBatchDoesNotDrawOnTheTreasury() public {
        _register(alice, 1000e18);
        _register(bob, 1000e18);
        _matureReputations();
        address[] memory ps = new address[](1);
        ps[0] = alice;
        _selectionRound(ps);
        uint256 id = _post(keccak256("missed"), FEE);
        assertEq(_batch(id).prover, alice);
        vm.roll(_batch(id).provingDeadline + 1);
        vm.prank(keeper);
        net.slashMissed(id);
        uint256 treasury = net.treasuryBalance();
        assertGt(treasury, 0, "the slash fed the treasury");
        uint256 bounty = 100e18 * 3000 / 10_000; // 10% of 1,000 staked, 30% of it
        uint256 before = _acct(bob).claimable;
        _race(bob, id);
        assertEq(_acct(bob).claimable - before, FEE + bounty, "fee and bounty, no Open reward");
        assertEq(net.treasuryBalance(), treasury);
    }
}
