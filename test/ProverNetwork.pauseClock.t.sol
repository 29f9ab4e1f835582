// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {BatchStatus} from "../contracts/types/Batch.sol";

/// @notice Finding 5 of issue 11 ("pausing does not stop the deadlines of live batches"): a pause stops
///         the network clock, so a batch in flight is never slashed for blocks spent paused, and every
///         deadline moves later by exactly the pause's length.
contract ProverNetworkPauseClockTest is NetworkTestBase {
    uint256 internal id;
    uint256 internal deadline;

    function setUp() public override {
        super.setUp();
        _register(alice, 1000e18);
        _matureReputations();
        address[] memory ps = new address[](1);
        ps[0] = alice;
        _selectionRound(ps);
        id = _post(keccak256("live"), 7e18);
        deadline = _batch(id).provingDeadline;
    }

    function test_Attack5_PauseNeverLetsALiveDeadlinePass() public {
        vm.roll(deadline - 5);
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.NetworkPaused(owner);
        vm.prank(owner);
        gov.pause();
        vm.roll(deadline + 50);
        // 55 blocks of pause so far: the deadline, as a block number, has moved with them.
        assertEq(_batch(id).provingDeadline, deadline + 55);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.ProvingWindowOpen.selector, id, deadline + 55)
        );
        net.slashMissed(id);

        vm.expectEmit(address(net));
        emit IProverNetworkEvents.NetworkUnpaused(owner, 55);
        vm.prank(owner);
        gov.unpause();
        (uint256 pausedBlocks, uint256 pausedAt) = gov.pauseState();
        assertEq(pausedBlocks, 55);
        assertEq(pausedAt, 0);
        assertEq(_batch(id).provingDeadline, deadline + 55);
        assertEq(_batch(id).raceDeadline, deadline + 55 + 10);

        vm.roll(deadline + 55);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.ProvingWindowOpen.selector, id, deadline + 55)
        );
        net.slashMissed(id);
        vm.roll(deadline + 56);
        net.slashMissed(id);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Racing));
    }

    function test_ProverProvesWhilePausedAfterTheOldDeadline() public {
        vm.prank(owner);
        gov.pause();
        vm.roll(deadline + 100);
        _prove(alice, id);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Proven));
        assertEq(_acct(alice).claimable, 7e18);
    }

    function test_RaceAndFailureWaitForThePauseToo() public {
        uint256 race = _batch(id).raceDeadline;
        vm.roll(race - 1);
        vm.prank(owner);
        gov.pause();
        vm.roll(race + 20);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.RaceNotOver.selector, id, race + 21));
        net.markFailed(id);
        assertEq(uint8(net.effectiveStatus(id)), uint8(BatchStatus.Assigned));
    }

    function test_RevertWhen_PostingWhilePaused() public {
        vm.prank(owner);
        gov.pause();
        assertTrue(gov.paused());
        vm.expectRevert(IProverNetworkEvents.EnforcedPause.selector);
        _post(keccak256("paused"), 1e18);
    }

    function test_PauserPausesAtOnceAndOthersCannot() public {
        address guardian = makeAddr("guardian");
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.PauserSet(guardian);
        vm.prank(owner);
        gov.setPauser(guardian);
        assertEq(gov.pauser(), guardian);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.NotPauser.selector, alice));
        vm.prank(alice);
        gov.pause();
        vm.prank(guardian);
        gov.pause();
        vm.expectRevert(IProverNetworkEvents.EnforcedPause.selector);
        vm.prank(guardian);
        gov.pause();
        vm.prank(guardian);
        gov.unpause();
        vm.expectRevert(IProverNetworkEvents.ExpectedPause.selector);
        vm.prank(guardian);
        gov.unpause();
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.NotPauser.selector, alice));
        vm.prank(alice);
        gov.unpause();
    }

    function test_TwoPausesAddUp() public {
        vm.prank(owner);
        gov.pause();
        vm.roll(block.number + 7);
        vm.prank(owner);
        gov.unpause();
        vm.prank(owner);
        gov.pause();
        vm.roll(block.number + 3);
        vm.prank(owner);
        gov.unpause();
        (uint256 pausedBlocks,) = gov.pauseState();
        assertEq(pausedBlocks, 10);
        assertEq(_batch(id).provingDeadline, deadline + 10);
        // A slot drawn after the pauses gets its deadline from its own last block, as a block number.
        _nextSlot();
        (,, uint256 last) = net.currentSlot();
        uint256 later = _post(keccak256("later"), 1e18);
        assertEq(_batch(later).provingDeadline, last + 20);
    }
}
