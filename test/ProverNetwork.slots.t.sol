// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {ProverNetwork} from "../contracts/ProverNetwork.sol";
import {IProverNetwork} from "../contracts/interfaces/IProverNetwork.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {ParamsLib} from "../contracts/libraries/ParamsLib.sol";
import {Params} from "../contracts/types/Params.sol";
import {Assignment, BatchStatus} from "../contracts/types/Batch.sol";

/// @notice Slots, draws, capacity and seeds at their boundaries.
contract ProverNetworkSlotsTest is NetworkTestBase {
    function _solo(uint256 stake) internal returns (address p) {
        p = makeAddr(string(abi.encode("solo", stake)));
        _register(p, stake);
        address[] memory one = new address[](1);
        one[0] = p;
        _selectionRound(one);
    }

    // ------------------------------------------------------------ slot geometry

    function test_CurrentSlotAtItsEdges() public {
        uint256 start = net.epochStart(net.currentEpoch() + 1);
        vm.roll(start);
        (uint256 epoch, uint256 index, uint256 last) = net.currentSlot();
        assertEq(index, 0);
        assertEq(last, start + SLOT_BLOCKS - 1);
        vm.roll(start + SLOT_BLOCKS - 1);
        (, index, last) = net.currentSlot();
        assertEq((index), 0, "the slot's last block is still the slot");
        vm.roll(start + SLOT_BLOCKS);
        (, index,) = net.currentSlot();
        assertEq(index, 1);
        vm.roll(start + COMMIT_BLOCKS + REVEAL_BLOCKS - 1);
        (uint256 sameEpoch, uint256 lastIndex, uint256 lastBlock) = net.currentSlot();
        assertEq(sameEpoch, epoch);
        assertEq(lastIndex, 2);
        assertEq(lastBlock, block.number);
        vm.roll(block.number + 1);
        (, index,) = net.currentSlot();
        assertEq(index, 0, "three slots: the next block opens the next epoch's first");
    }

    function test_TheEpochsLastSlotIsShorterWhenTheLengthIsNotAMultiple() public {
        ProverNetwork n =
            new ProverNetwork(IERC20(address(token)), verifier, owner, 10, 5, 4, defaultParams());
        vm.roll(n.epochStart(1) + 14);
        (, uint256 index, uint256 last) = n.currentSlot();
        assertEq(index, 3);
        assertEq(last, n.epochStart(1) + 14, "slots 4, 4, 4 and 3 blocks");
    }

    function test_RevertWhen_SlotLengthOutOfBounds() public {
        vm.expectRevert(abi.encodeWithSelector(ParamsLib.ParamOutOfBounds.selector, "slotBlocks", 0, 1, 15));
        new ProverNetwork(IERC20(address(token)), verifier, owner, 10, 5, 0, defaultParams());
        vm.expectRevert(abi.encodeWithSelector(ParamsLib.ParamOutOfBounds.selector, "slotBlocks", 16, 1, 15));
        new ProverNetwork(IERC20(address(token)), verifier, owner, 10, 5, 16, defaultParams());
        ProverNetwork whole =
            new ProverNetwork(IERC20(address(token)), verifier, owner, 10, 5, 15, defaultParams());
        vm.roll(whole.epochStart(1) + 14);
        (, uint256 index, uint256 last) = whole.currentSlot();
        assertEq(index, 0, "one slot: the epoch's last block is still slot 0");
        assertEq(last, whole.epochStart(1) + 14);
    }

    function test_BatchesOnEitherSideOfASlotBoundaryBelongToDifferentSlots() public {
        _selectionRound(_three());
        (,, uint256 last) = net.currentSlot();
        vm.roll(last);
        uint256 a = _post(keccak256("a"), 1e18);
        vm.roll(last + 1);
        uint256 b = _post(keccak256("b"), 1e18);
        (uint256 keyA,) = net.assignmentOf(a);
        (uint256 keyB,) = net.assignmentOf(b);
        assertEq(keyB / 8, keyA / 8 + 1, "consecutive slots");
        assertEq(_batch(a).provingDeadline, last + 20);
        assertEq(_batch(b).provingDeadline, last + SLOT_BLOCKS + 20);
    }

    function test_TheFirstPostOfTheNetworkMakesItsSlotsAssignment() public {
        // Epoch 0 has no list: the batch is open, and its deadlines are real (the cursor starts on no slot).
        uint256 id = _post(keccak256("b"), 1e18);
        (,, uint256 last) = net.currentSlot();
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Open));
        assertEq(_batch(id).raceDeadline, last + 30);
        (uint256 key, Assignment memory asg) = net.assignmentOf(id);
        assertEq(key % 8, 7, "the slot's open key");
        assertEq(asg.prover, address(0));
    }

    // ------------------------------------------------------------ capacity

    function test_CapacityAtItsExactBoundary() public {
        address p = _solo(MIN_STAKE + 2 * BOND - 1); // covers 2 batches, one wei short of 3
        _post(keccak256("0"), 1e18);
        assertTrue(net.canTake(p));
        _post(keccak256("1"), 1e18);
        assertFalse(net.canTake(p), "minStake + 2 x bond - 1 cannot take a third");
        assertEq(_batch(_post(keccak256("2"), 1e18)).prover, address(0));
        assertEq(_acct(p).openAssignments, 2);
    }

    function test_DrawsRunOutAfterFourThenTheSlotIsOpen() public {
        address p = _solo(MIN_STAKE); // capacity 1: every later draw finds it full
        uint256 first = _post(keccak256("0"), 1e18);
        assertEq(_batch(first).prover, p);
        (uint256 epoch, uint256 index,) = net.currentSlot();
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.SlotAssigned(epoch, index, 7, address(0));
        uint256 second = _post(keccak256("1"), 1e18);
        assertEq(uint8(_batch(second).status), uint8(BatchStatus.Open));
        // The rest of the slot stays open without drawing again, even once capacity frees up.
        _prove(p, first);
        assertEq(_batch(_post(keccak256("2"), 1e18)).prover, address(0));
        // The next slot draws afresh.
        _nextSlot();
        assertEq(_batch(_post(keccak256("3"), 1e18)).prover, p);
    }

    function test_WithdrawWhileHoldingAssignmentsAtTheCoverBoundary() public {
        address p = _solo(1000e18);
        _post(keccak256("0"), 1e18); // one open assignment
        vm.prank(p);
        net.requestUnstake(1000e18 - MIN_STAKE - BOND + 1); // active one wei below minStake + bond
        vm.roll(_acct(p).unbondingReadyAt);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.OpenAssignments.selector, 1));
        vm.prank(p);
        net.withdraw();
        _fund(p, 1);
        vm.prank(p);
        net.stake(1); // active now exactly minStake + 1 x bond
        vm.prank(p);
        net.withdraw();
        assertEq(token.balanceOf(p), 1000e18 - MIN_STAKE - BOND + 1);
        assertEq(_acct(p).openAssignments, 1, "the assignment stays covered by active stake");
    }

    function test_AMissedAssignmentIsSlashedOnceHoweverManyBatchesItHeld() public {
        address p = _solo(1000e18);
        uint256 a = _post(keccak256("a"), 1e18);
        uint256 b = _post(keccak256("b"), 1e18);
        uint256 c = _post(keccak256("c"), 1e18);
        vm.roll(_batch(c).provingDeadline + 1);
        net.slashMissed(a);
        assertEq(_acct(p).stake, 900e18);
        vm.recordLogs();
        net.slashMissed(b);
        net.slashMissed(c);
        assertEq(vm.getRecordedLogs().length, 0, "no second slash, no event");
        assertEq(_acct(p).stake, 900e18);
        assertEq(_acct(p).openAssignments, 0);
        assertEq(_batch(a).bounty, 30e18);
        assertEq(_batch(b).bounty, 0);
        assertEq(uint8(_batch(c).status), uint8(BatchStatus.Racing));
    }

    // ------------------------------------------------------------ seeds

    function test_TheEpochsFirstCommitFixesThePreviousSeed() public {
        address[] memory provers = _three();
        uint256 epoch = _selectionRound(provers);
        vm.roll(net.epochStart(epoch + 1));
        assertEq(net.seedOf(epoch), 0);
        assertEq(net.slotDraw(epoch + 1, 0, 0), address(0), "no schedule before the seed");
        vm.prevrandao(bytes32(uint256(42)));
        _commit(alice, epoch + 1);
        assertTrue(net.seedOf(epoch) != 0);
        assertTrue(net.slotDraw(epoch + 1, 0, 0) != address(0));
    }

    function test_PrevrandaoCountsOnlyInsideTheCommitPhase() public {
        address[] memory provers = _three();
        uint256 epoch = _selectionRound(provers);
        uint256 lastCommitBlock = net.epochStart(epoch + 1) + COMMIT_BLOCKS - 1;
        uint256 snap = vm.snapshotState();
        vm.roll(lastCommitBlock);
        vm.prevrandao(bytes32(uint256(42)));
        net.finalizeSeed(epoch);
        uint256 inside = net.seedOf(epoch);
        vm.revertToState(snap);
        vm.roll(lastCommitBlock + 1);
        vm.prevrandao(bytes32(uint256(42)));
        net.finalizeSeed(epoch);
        uint256 after_ = net.seedOf(epoch);
        assertTrue(inside != after_);
        uint96 mix;
        for (uint256 i; i < 3; ++i) {
            mix ^= uint96(uint256(_secret(provers[i], epoch)));
        }
        assertEq(inside, uint256(keccak256(abi.encode(mix, uint256(42), epoch, address(net)))));
        assertEq(after_, uint256(keccak256(abi.encode(mix, uint256(0), epoch, address(net)))));
    }

    function test_RevertWhen_SeedRequestedBeforeTheRevealPhaseEnds() public {
        uint256 epoch = _nextEpoch();
        vm.roll(net.epochStart(epoch + 1) - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProverNetworkEvents.SeedNotReady.selector, epoch, net.epochStart(epoch + 1)
            )
        );
        net.finalizeSeed(epoch);
        vm.roll(net.epochStart(epoch + 1));
        net.finalizeSeed(epoch);
        assertTrue(net.seedOf(epoch) != 0, "an epoch nobody revealed in still gets a seed");
    }

    // ------------------------------------------------------------ parameter bounds

    function test_RevertWhen_BondOrMinimumFeeOutOfBounds() public {
        Params memory p = defaultParams();
        p.assignmentBond = 0;
        vm.expectRevert(
            abi.encodeWithSelector(ParamsLib.ParamOutOfBounds.selector, "assignmentBond", 0, 1, 10_000e18)
        );
        vm.prank(owner);
        gov.setParams(p);
        p.assignmentBond = 10_000e18 + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                ParamsLib.ParamOutOfBounds.selector, "assignmentBond", 10_000e18 + 1, 1, 10_000e18
            )
        );
        vm.prank(owner);
        gov.setParams(p);
        p.assignmentBond = 10_000e18;
        p.minFee = 0;
        vm.expectRevert(
            abi.encodeWithSelector(ParamsLib.ParamOutOfBounds.selector, "minFee", 0, 1, type(uint96).max)
        );
        vm.prank(owner);
        gov.setParams(p);
        p.minFee = 1;
        vm.prank(owner);
        gov.setParams(p);
        assertEq(net.params().assignmentBond, 10_000e18);
    }
}
