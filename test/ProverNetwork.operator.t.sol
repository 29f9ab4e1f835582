// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {IProverNetwork} from "../contracts/interfaces/IProverNetwork.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {BatchStatus} from "../contracts/types/Batch.sol";

/// @notice The hot operator key: it acts for its prover in selection and proving, never with its stake.
contract ProverNetworkOperatorTest is NetworkTestBase {
    address internal hot = makeAddr("hot key");

    function _withOperator() internal {
        _register(alice, 1000e18);
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.OperatorSet(alice, hot);
        vm.prank(alice);
        net.setOperator(hot);
    }

    function test_OperatorCommitsRevealsAndProvesForItsProver() public {
        _withOperator();
        uint256 epoch = _nextEpoch();
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.Committed(alice, epoch, _commitment(alice, epoch));
        vm.prank(hot);
        net.commit(_commitment(alice, epoch));
        _toReveal(epoch);
        vm.prank(hot);
        net.reveal(_secret(alice, epoch));
        (address listed,) = net.listEntry(epoch, 0);
        assertEq(listed, alice, "the prover is listed, not the key");
        vm.roll(net.epochStart(epoch + 1));
        uint256 id = _post(keccak256("b"), 7e18);
        assertEq(_batch(id).prover, alice);
        // The proof binds the prover: one made out to the hot key is rejected.
        bytes memory wrong = _proof(hot, id, 1);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.InvalidProof.selector, id, 1));
        vm.prank(hot);
        net.submitProof(id, 1, wrong);
        bytes memory proof = _proof(alice, id, 1);
        vm.prank(hot);
        net.submitProof(id, 1, proof);
        assertEq(_acct(alice).claimable, 7e18, "paid to the prover");
        assertEq(_acct(hot).claimable, 0);
    }

    function test_OperatorCannotTouchStakeOrRewards() public {
        _withOperator();
        vm.startPrank(hot);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.NotRegistered.selector, hot));
        net.requestUnstake(1);
        vm.expectRevert(IProverNetworkEvents.NothingToWithdraw.selector);
        net.withdraw();
        vm.expectRevert(IProverNetworkEvents.NothingToClaim.selector);
        net.claim();
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.NotRegistered.selector, hot));
        net.setOperator(makeAddr("another"));
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.OperatorCannotRegister.selector, hot));
        net.register(1000e18);
        vm.stopPrank();
    }

    function test_RevertWhen_OperatorUnavailable() public {
        _withOperator();
        _register(bob, 1000e18);
        vm.startPrank(bob);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.OperatorUnavailable.selector, bob));
        net.setOperator(bob); // itself
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.OperatorUnavailable.selector, alice));
        net.setOperator(alice); // a registered prover
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.OperatorUnavailable.selector, hot));
        net.setOperator(hot); // alice's operator
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.NotRegistered.selector, carol));
        vm.prank(carol);
        net.setOperator(makeAddr("x"));
    }

    function test_ReplacingOrClearingTheOperatorReleasesTheOldKey() public {
        _withOperator();
        address next = makeAddr("next key");
        vm.prank(alice);
        net.setOperator(next);
        assertEq(net.proverOfOperator(hot), address(0));
        assertEq(net.proverOfOperator(next), alice);
        assertEq(net.operatorOf(alice), next);
        uint256 epoch = _nextEpoch();
        // The old key now acts for nobody: its commit is its own, and it is not registered.
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.NotRegistered.selector, hot));
        vm.prank(hot);
        net.commit(_commitment(alice, epoch));
        vm.prank(alice);
        net.setOperator(address(0));
        assertEq(net.proverOfOperator(next), address(0));
        assertEq(net.operatorOf(alice), address(0));
        _register(next, 1000e18); // a released key may become a prover
        assertTrue(_acct(next).registered);
    }

    function test_OperatorRacesForItsProver() public {
        _withOperator();
        vm.roll(block.number + 40); // no list: the batch is open
        uint256 id = _post(keccak256("b"), 7e18);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Open));
        bytes memory proof = _proof(alice, id, 1);
        vm.prank(hot);
        net.raceSubmit(id, proof);
        assertEq(_acct(alice).claimable, 7e18);
    }
}
