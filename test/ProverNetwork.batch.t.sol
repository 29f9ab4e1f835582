// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {IProverNetwork} from "../contracts/interfaces/IProverNetwork.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {Batch, BatchStatus} from "../contracts/types/Batch.sol";

contract ProverNetworkBatchTest is NetworkTestBase {
    address[] internal provers;

    function setUp() public override {
        super.setUp();
        provers = _three();
        _selectionRound(provers);
    }

    function _other(address p) internal view returns (address) {
        return p == alice ? bob : alice;
    }

    function _all() internal view returns (address[] memory all) {
        all = new address[](5);
        all[0] = alice;
        all[1] = bob;
        all[2] = carol;
        all[3] = rollup;
        all[4] = keeper;
    }

    function test_PostBatchEscrowsFeeFromThePrepaidBalance() public {
        uint256 before = token.balanceOf(address(net));
        uint256 id = _post(keccak256("b"), 7e18);
        assertEq(id, 1);
        assertEq(net.nextBatchId(), 2);
        assertEq(token.balanceOf(address(net)), before, "no token moves per batch");
        assertEq(_feeBalance(rollup), FEE_DEPOSIT - 7e18);
        Batch memory b = _batch(id);
        assertEq(b.fee, 7e18);
        assertEq(b.poster, rollup);
        assertEq(b.commitment, keccak256("b"));
    }

    function test_RevertWhen_PostByNonSource() public {
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.NotBatchSource.selector, alice));
        vm.prank(alice);
        net.postBatch(keccak256("b"), 1e18);
    }

    function test_RevertWhen_PostEmptyOrFree() public {
        vm.expectRevert(IProverNetworkEvents.EmptyCommitment.selector);
        _post(bytes32(0), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.FeeBelowMinimum.selector, 0, 1));
        _post(keccak256("b"), 0);
    }

    function test_AssignedProverProvesAndClaims() public {
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        uint256 repBefore = net.reputationOf(p);
        vm.roll(block.number + 5);
        bytes memory proof = _proof(p, id, 1);
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.BatchProven(id, p, 7e18, false);
        vm.prank(p);
        net.submitProof(id, 1, proof);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Proven));
        assertEq(_acct(p).claimable, 7e18);
        assertEq(_acct(p).openAssignments, 0);
        assertGt(net.reputationOf(p), repBefore);

        vm.expectEmit(address(net));
        emit IProverNetworkEvents.Claimed(p, 7e18);
        vm.prank(p);
        net.claim();
        assertEq(token.balanceOf(p), 7e18);
        vm.expectRevert(IProverNetworkEvents.NothingToClaim.selector);
        vm.prank(p);
        net.claim();
    }

    function test_RevertWhen_ProofSubmittedTwice() public {
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        _prove(p, id);
        bytes memory proof = _proof(p, id, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.WrongBatchStatus.selector, id, BatchStatus.Proven)
        );
        vm.prank(p);
        net.submitProof(id, 1, proof);
    }

    function test_RevertWhen_ProofAfterWindow() public {
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        uint256 deadline = _batch(id).provingDeadline;
        vm.roll(deadline + 1);
        bytes memory proof = _proof(p, id, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.ProvingWindowClosed.selector, id, deadline)
        );
        vm.prank(p);
        net.submitProof(id, 1, proof);
    }

    function test_ProofOnLastBlockOfWindowCounts() public {
        uint256 id = _post(keccak256("b"), 7e18);
        vm.roll(_batch(id).provingDeadline);
        _prove(_batch(id).prover, id);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Proven));
    }

    function test_RevertWhen_UnknownBatch() public {
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.UnknownBatch.selector, 99));
        vm.prank(alice);
        net.submitProof(99, 1, "");
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.UnknownBatch.selector, 99));
        net.slashMissed(99);
    }

    function test_RevertWhen_InvalidProof() public {
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.InvalidProof.selector, id, 1));
        vm.prank(p);
        net.submitProof(id, 1, abi.encode(bytes32(uint256(1))));
    }

    function test_RevertWhen_TooManyOrZeroBatches() public {
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.TooManyBatches.selector, 17, 16));
        net.submitProof(1, 17, "");
        vm.expectRevert(IProverNetworkEvents.ZeroAmount.selector);
        net.submitProof(1, 0, "");
    }

    function test_OneProofCoversConsecutiveBatches() public {
        // Only alice is listed, so she holds every batch.
        address[] memory one = new address[](1);
        one[0] = alice;
        _selectionRound(one);
        uint256 first = _post(keccak256("b0"), 1e18);
        for (uint256 i = 1; i < 4; ++i) {
            _post(keccak256(abi.encode(i)), 1e18);
        }
        assertEq(_acct(alice).openAssignments, 4);
        uint256 repBefore = net.reputationOf(alice);
        bytes memory proof = _proof(alice, first, 4);
        vm.prank(alice);
        net.submitProof(first, 4, proof);
        for (uint256 i; i < 4; ++i) {
            assertEq(uint8(_batch(first + i).status), uint8(BatchStatus.Proven));
        }
        assertEq(_acct(alice).claimable, 4e18);
        assertEq(_acct(alice).openAssignments, 0);
        assertEq(net.reputationOf(alice), repBefore + 400);
    }

    function test_RevertWhen_BatchedProofCoversSomeoneElsesBatch() public {
        uint256 first = _post(keccak256("b0"), 1e18);
        uint256 id;
        address p = _batch(first).prover;
        // A slot's batches all go to its prover: move on slot by slot until one goes to someone else.
        for (uint256 i = 1; i < 64; ++i) {
            _nextSlot();
            id = _post(keccak256(abi.encode(i)), 1e18);
            if (_batch(id).prover != p) break;
        }
        address q = _batch(id).prover;
        assertTrue(q != p);
        uint256 from = id - 1;
        bytes memory proof = _proof(p, from, 2);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.NotAssignedProver.selector, id, q, p));
        vm.prank(p);
        net.submitProof(from, 2, proof);
    }

    function test_MissedWindowSlashesAndOpensRace() public {
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        uint256 deadline = _batch(id).provingDeadline;
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.ProvingWindowOpen.selector, id, deadline));
        vm.prank(keeper);
        net.slashMissed(id);

        vm.roll(deadline + 1);
        // 10% of 1000 staked: 50 burned, 30 bounty, 20 treasury
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.ProverSlashed(p, id, 100e18, 50e18, 30e18, 20e18);
        vm.prank(keeper);
        net.slashMissed(id);
        assertEq(_acct(p).stake, 900e18);
        assertEq(_acct(p).openAssignments, 0);
        assertEq(net.reputationOf(p), 3500);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Racing));
        assertEq(_batch(id).bounty, 30e18);

        address rescuer = _other(p);
        bytes memory proof = _proof(rescuer, id, 1);
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.BatchProven(id, rescuer, 37e18, true);
        vm.prank(rescuer);
        net.raceSubmit(id, proof);
        assertEq(_acct(rescuer).claimable, 37e18);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Proven));
    }

    function test_RaceSubmitSlashesInlineWhenNobodyCalledTimeout() public {
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        vm.roll(_batch(id).provingDeadline + 1);
        address rescuer = _other(p);
        bytes memory proof = _proof(rescuer, id, 1);
        vm.prank(rescuer);
        net.raceSubmit(id, proof);
        assertEq(_acct(p).stake, 900e18);
        assertEq(_acct(rescuer).claimable, 37e18);
    }

    function test_RevertWhen_RaceDuringExclusiveWindow() public {
        uint256 id = _post(keccak256("b"), 7e18);
        address rescuer = _other(_batch(id).prover);
        bytes memory proof = _proof(rescuer, id, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProverNetworkEvents.ProvingWindowOpen.selector, id, _batch(id).provingDeadline
            )
        );
        vm.prank(rescuer);
        net.raceSubmit(id, proof);
    }

    function test_RevertWhen_SlashedProverRacesOwnBatch() public {
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        vm.roll(_batch(id).provingDeadline + 1);
        net.slashMissed(id);
        bytes memory proof = _proof(p, id, 1);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.SlashedProverCannotRace.selector, id));
        vm.prank(p);
        net.raceSubmit(id, proof);
    }

    function test_RevertWhen_UnstakedAddressRaces() public {
        uint256 id = _post(keccak256("b"), 7e18);
        vm.roll(_batch(id).provingDeadline + 1);
        bytes memory proof = _proof(keeper, id, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.NotEligible.selector, keeper, 0, MIN_STAKE)
        );
        vm.prank(keeper);
        net.raceSubmit(id, proof);
    }

    function test_FirstValidRaceProofWins() public {
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        vm.roll(_batch(id).provingDeadline + 1);
        address[] memory racers = new address[](2);
        uint256 n;
        for (uint256 i; i < 3; ++i) {
            if (provers[i] != p) racers[n++] = provers[i];
        }
        bytes memory proof0 = _proof(racers[0], id, 1);
        bytes memory proof1 = _proof(racers[1], id, 1);
        vm.prank(racers[0]);
        net.raceSubmit(id, proof0);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.WrongBatchStatus.selector, id, BatchStatus.Proven)
        );
        vm.prank(racers[1]);
        net.raceSubmit(id, proof1);
        assertEq(_acct(racers[1]).claimable, 0);
    }

    function test_UnassignedBatchIsOpenToAnyStakedProver() public {
        vm.roll(block.number + 40); // the selection list has expired
        uint256 id = _post(keccak256("b"), 7e18);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Open));
        bytes memory proof = _proof(carol, id, 1);
        vm.prank(carol);
        net.raceSubmit(id, proof);
        assertEq(_acct(carol).claimable, 7e18);
    }

    function test_NobodyProvesBatchFailsAndFeeIsRefunded() public {
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        uint256 raceDeadline = _batch(id).raceDeadline;
        vm.roll(raceDeadline);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.RaceNotOver.selector, id, raceDeadline));
        net.markFailed(id);
        vm.roll(raceDeadline + 1);
        assertEq(uint8(net.effectiveStatus(id)), uint8(BatchStatus.Failed));
        bytes memory proof = _proof(_other(p), id, 1);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.RaceClosed.selector, id, raceDeadline));
        vm.prank(_other(p));
        net.raceSubmit(id, proof);

        vm.expectEmit(address(net));
        emit IProverNetworkEvents.BatchFailed(id, rollup, 7e18);
        vm.prank(keeper);
        net.markFailed(id);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Failed));
        assertEq(_acct(p).stake, 900e18, "the silent prover is slashed");
        assertEq(net.treasuryBalance(), 20e18, "the treasury keeps only its share");
        assertEq(net.burnPending(), 80e18, "the burned share plus the unclaimed bounty");
        assertEq(_feeBalance(rollup), FEE_DEPOSIT, "the fee is back in the prepaid balance");
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.WrongBatchStatus.selector, id, BatchStatus.Failed)
        );
        net.markFailed(id);
        uint256 before = token.balanceOf(rollup);
        vm.prank(rollup);
        net.withdrawFees(FEE_DEPOSIT);
        assertEq(token.balanceOf(rollup), before + FEE_DEPOSIT);
    }

    function test_SlashReachesUnbondingStake() public {
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        vm.prank(p);
        net.requestUnstake(1000e18);
        vm.roll(_batch(id).provingDeadline + 1);
        net.slashMissed(id);
        assertEq(_acct(p).stake, 0);
        assertEq(_acct(p).unbonding, 900e18);
    }

    function test_SlashIsCountedUpToTheWeightCap() public {
        // A whale with 100x the cap is slashed like a prover at the cap: 10% of 10,000.
        address whale = makeAddr("whale");
        _register(whale, 1_000_000e18);
        address[] memory one = new address[](1);
        one[0] = whale;
        _selectionRound(one);
        uint256 id = _post(keccak256("w"), 1e18);
        assertEq(_batch(id).prover, whale);
        vm.roll(_batch(id).provingDeadline + 1);
        net.slashMissed(id);
        assertEq(_acct(whale).stake, 1_000_000e18 - 1000e18);
    }

    function test_FullLifecycleConservesTokens() public {
        uint256 a = _post(keccak256("a"), 3e18);
        uint256 b = _post(keccak256("b"), 5e18);
        uint256 c = _post(keccak256("c"), 7e18);
        _prove(_batch(a).prover, a);
        vm.roll(_batch(c).provingDeadline + 1);
        address rescuer = _other(_batch(b).prover);
        bytes memory proof = _proof(rescuer, b, 1);
        vm.prank(rescuer);
        net.raceSubmit(b, proof);
        vm.roll(_batch(c).raceDeadline + 1);
        net.markFailed(c);
        assertEq(token.balanceOf(address(net)), _liabilities(_all(), c));
        uint256 pending = net.burnPending();
        assertGt(pending, 0);
        gov.flushBurn();
        assertEq(token.balanceOf(net.BURN_SINK()), pending);
        assertEq(token.balanceOf(address(net)), _liabilities(_all(), c));
    }
}
