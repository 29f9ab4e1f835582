// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {IProverNetwork} from "../contracts/interfaces/IProverNetwork.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {BatchStatus} from "../contracts/types/Batch.sol";

contract ProverNetworkSelectionTest is NetworkTestBase {
    function test_CommitRevealListsProverWithWeight() public {
        _register(alice, 1000e18);
        uint256 epoch = _nextEpoch();
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.Committed(alice, epoch, _commitment(alice, epoch));
        _commit(alice, epoch);
        _toReveal(epoch);
        uint256 weight = net.weightOf(alice);
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.Revealed(alice, epoch, weight, 0);
        _reveal(alice, epoch);
        (uint256 count, uint256 total) = net.rollOf(epoch);
        assertEq(count, 1);
        assertEq(total, weight);
        (address listed, uint256 cumulative) = net.listEntry(epoch, 0);
        assertEq(listed, alice);
        assertEq(cumulative, weight);
        assertEq(_acct(alice).commitHash, bytes28(0), "reveal clears the commitment");
    }

    function test_RevertWhen_CommitInRevealPhase() public {
        _register(alice, 1000e18);
        uint256 epoch = _nextEpoch();
        _toReveal(epoch);
        uint256 start = net.epochStart(epoch);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProverNetworkEvents.WrongPhase.selector, epoch, start, start + COMMIT_BLOCKS, block.number
            )
        );
        _commit(alice, epoch);
    }

    function test_RevertWhen_RevealInCommitPhase() public {
        _register(alice, 1000e18);
        uint256 epoch = _nextEpoch();
        _commit(alice, epoch);
        uint256 revealStart = net.epochStart(epoch) + COMMIT_BLOCKS;
        vm.expectRevert(
            abi.encodeWithSelector(
                IProverNetworkEvents.WrongPhase.selector,
                epoch,
                revealStart,
                revealStart + REVEAL_BLOCKS,
                block.number
            )
        );
        _reveal(alice, epoch);
    }

    function test_RevertWhen_CommitTwice() public {
        _register(alice, 1000e18);
        uint256 epoch = _nextEpoch();
        _commit(alice, epoch);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.AlreadyCommitted.selector, epoch));
        _commit(alice, epoch);
    }

    function test_RevertWhen_RevealWrongSecret() public {
        _register(alice, 1000e18);
        uint256 epoch = _nextEpoch();
        _commit(alice, epoch);
        _toReveal(epoch);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.RevealMismatch.selector, epoch));
        vm.prank(alice);
        net.reveal(bytes32(uint256(1)));
    }

    function test_RevertWhen_RevealAnotherProversSecret() public {
        // A commitment binds the prover's address, so a watcher cannot replay someone's reveal.
        _register(alice, 1000e18);
        _register(bob, 1000e18);
        uint256 epoch = _nextEpoch();
        _commit(alice, epoch);
        vm.prank(bob);
        net.commit(_commitment(alice, epoch));
        _toReveal(epoch);
        _reveal(alice, epoch);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.RevealMismatch.selector, epoch));
        vm.prank(bob);
        net.reveal(_secret(alice, epoch));
    }

    function test_RevertWhen_RevealWithoutCommit() public {
        _register(alice, 1000e18);
        uint256 epoch = _nextEpoch();
        _toReveal(epoch);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.NoCommitment.selector, epoch));
        _reveal(alice, epoch);
    }

    function test_NonRevealerIsPenalizedByAnyone() public {
        _register(alice, 1000e18);
        _matureReputations();
        uint256 epoch = _nextEpoch();
        _commit(alice, epoch);
        _toReveal(epoch);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.NoOverdueCommitment.selector, alice, epoch)
        );
        vm.prank(keeper);
        net.penalizeNonReveal(alice);

        vm.roll(net.epochStart(epoch + 1));
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.NonRevealPenalized(alice, epoch, 10e18);
        vm.prank(keeper);
        net.penalizeNonReveal(alice);
        assertEq(_acct(alice).stake, 990e18, "1% slashed");
        assertEq(net.reputationOf(alice), 4700, "reputation lowered by 300");
        assertEq(net.burnPending(), 8e18, "the burn share and the bounty share (no batch to rescue)");
        assertEq(net.treasuryBalance(), 2e18);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.NoOverdueCommitment.selector, alice, epoch)
        );
        net.penalizeNonReveal(alice);
    }

    function test_NextCommitAppliesPendingNonRevealPenalty() public {
        _register(alice, 1000e18);
        uint256 epoch = _nextEpoch();
        _commit(alice, epoch);
        uint256 next = _nextEpoch();
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.NonRevealPenalized(alice, epoch, 10e18);
        _commit(alice, next);
        assertEq(_acct(alice).stake, 990e18);
        assertEq(_acct(alice).commitEpoch, next);
    }

    function test_NoRevealsMeansOpenRace() public {
        _register(alice, 1000e18);
        _nextEpoch();
        _nextEpoch();
        uint256 id = _post(keccak256("b"), 1e18);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Open));
        assertEq(_batch(id).prover, address(0));
        (,, uint256 lastBlock) = net.currentSlot();
        // An open batch gets as long as an assigned one: proving window plus race after its slot.
        assertEq(_batch(id).raceDeadline, lastBlock + 20 + 10);
        assertEq(_batch(id).provingDeadline, lastBlock + 20);
    }

    function test_BatchesInEpochZeroGoToRace() public {
        uint256 id = _post(keccak256("b"), 1e18);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Open));
    }

    function test_SeedIsFixedOnceAndAfterRevealPhase() public {
        address[] memory provers = _three();
        uint256 epoch = _nextEpoch();
        for (uint256 i; i < 3; ++i) {
            _commit(provers[i], epoch);
        }
        _toReveal(epoch);
        for (uint256 i; i < 3; ++i) {
            _reveal(provers[i], epoch);
        }
        vm.expectRevert(
            abi.encodeWithSelector(
                IProverNetworkEvents.SeedNotReady.selector, epoch, net.epochStart(epoch + 1)
            )
        );
        net.finalizeSeed(epoch);
        vm.roll(net.epochStart(epoch + 1) + 3);
        net.finalizeSeed(epoch);
        uint256 seed = net.seedOf(epoch);
        assertTrue(seed != 0);
        vm.roll(block.number + 1);
        net.finalizeSeed(epoch);
        assertEq(net.seedOf(epoch), seed, "seed never changes once fixed");
    }

    function test_AssignedProverIsListedAndCountsOpenAssignment() public {
        _selectionRound(_three());
        uint256 id = _post(keccak256("b"), 1e18);
        address p = _batch(id).prover;
        assertTrue(p == alice || p == bob || p == carol);
        assertEq(_acct(p).openAssignments, 1);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Assigned));
        (,, uint256 lastBlock) = net.currentSlot();
        assertEq(_batch(id).provingDeadline, lastBlock + 20, "the window counts from the slot's last block");
        assertEq(_batch(id).raceDeadline, lastBlock + 30);
    }

    function test_UnstakingAfterRevealDoesNotDodgeTheDraw() public {
        _register(alice, 1000e18);
        address[] memory one = new address[](1);
        one[0] = alice;
        _selectionRound(one);
        vm.prank(alice);
        net.requestUnstake(950e18);
        uint256 id = _post(keccak256("b"), 1e18);
        assertEq(_batch(id).prover, alice, "unbonding stake still backs the listed weight");
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Assigned));
    }

    function test_ListOnlyServesTheFollowingEpoch() public {
        _register(alice, 1000e18);
        address[] memory one = new address[](1);
        one[0] = alice;
        _selectionRound(one);
        assertEq(_batch(_post(keccak256("a"), 1e18)).prover, alice);
        // Two epochs later alice's reveal is stale: she must reveal again to stay eligible.
        _nextEpoch();
        _nextEpoch();
        assertEq(_batch(_post(keccak256("b"), 1e18)).prover, address(0));
    }

    function test_WhaleCapLimitsWeight() public {
        _register(alice, 10_000e18);
        _register(bob, 1_000_000e18);
        assertEq(net.weightOf(alice), net.weightOf(bob), "stake above maxWeightStake adds no weight");
        _register(carol, 5_000e18);
        assertApproxEqRel(net.weightOf(carol) * 2, net.weightOf(alice), 1e12);
    }

    function test_ReputationScalesWeight() public {
        _register(alice, 1000e18);
        _matureReputations();
        uint256 neutral = net.weightOf(alice);
        // 5000 -> 3500 after one miss: weight scales with (1000 + rep) / 11000.
        uint256 epoch = _nextEpoch();
        _commit(alice, epoch);
        vm.roll(net.epochStart(epoch + 1));
        net.penalizeNonReveal(alice);
        uint256 lowered = net.weightOf(alice);
        assertLt(lowered, neutral);
        assertApproxEqRel(lowered * 6000, neutral * 5700 * 990 / 1000, 1e15);
    }

    /// @dev Draw frequencies follow weights: 2000 draws over weights 1:2:5 land within 5 sigma.
    function test_DrawFrequenciesFollowWeights() public {
        _register(alice, 1000e18);
        _register(bob, 2000e18);
        _register(carol, 5000e18);
        address[] memory provers = new address[](3);
        provers[0] = alice;
        provers[1] = bob;
        provers[2] = carol;
        uint256 epoch = _selectionRound(provers);
        net.finalizeSeed(epoch);
        uint256[3] memory hits;
        for (uint256 i; i < 2000; ++i) {
            // 2000 slots' first draws (the view hashes any index)
            address p = net.slotDraw(epoch + 1, i, 0);
            for (uint256 j; j < 3; ++j) {
                if (p == provers[j]) hits[j]++;
            }
        }
        // expected 250 / 500 / 1250; sigma ~ sqrt(n p (1-p)) <= 23
        assertApproxEqAbs(hits[0], 250, 100);
        assertApproxEqAbs(hits[1], 500, 110);
        assertApproxEqAbs(hits[2], 1250, 110);
    }

    function testFuzz_DrawAlwaysReturnsAListedProver(uint256 index, uint8 draw, uint8 n) public {
        n = uint8(bound(n, 1, 20));
        address[] memory provers = new address[](n);
        for (uint256 i; i < n; ++i) {
            provers[i] = address(uint160(0x1000 + i));
            _register(provers[i], MIN_STAKE + i * 37e18);
        }
        uint256 epoch = _selectionRound(provers);
        net.finalizeSeed(epoch);
        address p = net.slotDraw(epoch + 1, index, draw);
        bool found;
        for (uint256 i; i < n; ++i) {
            if (p == provers[i]) found = true;
        }
        assertTrue(found);
    }
}
