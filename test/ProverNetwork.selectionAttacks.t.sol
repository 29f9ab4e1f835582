// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {IProverNetwork} from "../contracts/interfaces/IProverNetwork.sol";
import {BatchStatus} from "../contracts/types/Batch.sol";
import {Reputation} from "../contracts/libraries/Reputation.sol";

/// @notice The selection attacks of the security review (issue 10), each performed against the real
///         contract. Every test is named for the attack it tries; docs/security.md cites them.
contract ProverNetworkSelectionAttacksTest is NetworkTestBase {
    address[] internal provers;

    function setUp() public override {
        super.setUp();
        provers = _three();
    }

    /// @dev Commits and reveals `provers` in a fresh epoch and returns it, leaving the chain in the next
    ///      epoch's commit phase with the seed not fixed yet.
    function _revealedEpoch() internal returns (uint256 epoch) {
        epoch = _selectionRound(provers);
    }

    function _mixOf(address[] memory who, uint256 epoch) internal pure returns (uint96 mix) {
        for (uint256 i; i < who.length; ++i) {
            mix ^= uint96(uint256(_secret(who[i], epoch)));
        }
    }

    // ------------------------------------------------------------ 1. builder grinding

    /// The old seed sealed the reveals with blockhash(lastRevealBlock), which the builder of that block
    /// grinds through transaction order, extraData or coinbase. Now nothing a builder or caller writes
    /// into a block enters the seed: 270 block variants (coinbase, timestamp, parent hashes) give one
    /// seed. The proposer can only withhold its block (a different prevrandao: one other outcome).
    function test_Attack1_BuilderGrindingBlockContentsGivesOneSeed() public {
        uint256 epoch = _revealedEpoch();
        vm.prevrandao(bytes32(uint256(0xbeac04)));
        uint256 snap = vm.snapshotState();
        net.finalizeSeed(epoch);
        uint256 honest = net.seedOf(epoch);
        for (uint256 v = 1; v <= 270; ++v) {
            vm.revertToState(snap);
            vm.coinbase(address(uint160(v)));
            vm.warp(block.timestamp + v);
            vm.setBlockhash(block.number - 1, keccak256(abi.encode("variant", v)));
            vm.prank(address(uint160(0xB0000 + v)));
            net.finalizeSeed(epoch);
            assertEq(net.seedOf(epoch), honest, "a block variant moved the seed");
        }
        // What the proposer controls: publishing its block or not (the next block has another mix).
        vm.revertToState(snap);
        vm.prevrandao(bytes32(uint256(0xbeac05)));
        net.finalizeSeed(epoch);
        assertTrue(net.seedOf(epoch) != honest, "prevrandao is the seed's only block input");
        assertEq(
            net.seedOf(epoch),
            uint256(keccak256(abi.encode(_mixOf(provers, epoch), uint256(0xbeac05), epoch, address(net))))
        );
    }

    // ------------------------------------------------------------ 2. re-rolling a live seed

    /// The old seeds sat in two parity slots: finalizeSeed(L-2) overwrote the live seed of L, and the
    /// next use recomputed it from a block the caller chose. Now each epoch has its own seed, written
    /// once; no call, however late, recomputes it.
    function test_Attack2_FixedSeedCannotBeRerolled() public {
        uint256 epoch = _revealedEpoch();
        _commit(alice, epoch + 1); // the first act of the epoch fixes the previous seed
        uint256 fixedSeed = net.seedOf(epoch);
        assertTrue(fixedSeed != 0);
        address slot0 = net.slotDraw(epoch + 1, 0, 0);

        // The re-roller: every seed call, two epochs back and forth, then 300 blocks of silence.
        net.finalizeSeed(epoch - 1);
        net.finalizeSeed(epoch);
        vm.prevrandao(bytes32(uint256(7)));
        _commit(bob, epoch + 1);
        net.finalizeSeed(epoch);
        vm.roll(block.number + 300);
        net.finalizeSeed(epoch);
        net.finalizeSeed(epoch + 1);
        net.finalizeSeed(epoch - 1);
        assertEq(net.seedOf(epoch), fixedSeed, "a fixed seed never changes");
        assertEq(net.slotDraw(epoch + 1, 0, 0), slot0);
    }

    /// The old fallback let whoever posted first after 256 silent blocks pick the seed. If nobody acts
    /// during the next commit phase, the seed is keccak(mix, 0, epoch, network): every block and every
    /// caller gets the same value.
    function test_Attack2_LateFirstPosterCannotPickTheSeed() public {
        uint256 epoch = _revealedEpoch();
        vm.roll(net.epochStart(epoch + 1) + COMMIT_BLOCKS); // the commit phase passed in silence
        uint256 snap = vm.snapshotState();
        uint256 expected =
            uint256(keccak256(abi.encode(_mixOf(provers, epoch), uint256(0), epoch, address(net))));
        for (uint256 wait; wait < 5; ++wait) {
            vm.revertToState(snap);
            vm.roll(block.number + wait);
            vm.prevrandao(bytes32(wait + 1));
            _post(keccak256("valuable"), 1e18);
            assertEq(net.seedOf(epoch), expected, "the late poster's block choice moved the seed");
        }
    }

    // ------------------------------------------------------------ 3. steering by dummy batches

    /// The old draw hashed the batch id, so a source posted 1-wei dummies until the next id mapped to
    /// its favourite prover. Now a batch goes to its slot's prover whatever its id: dummies first or not,
    /// the valuable batch lands with the same prover.
    function test_Attack3_DummyBatchesDoNotMoveAValuableBatch() public {
        _revealedEpoch();
        vm.roll(block.number + 1);
        uint256 snap = vm.snapshotState();
        address honest = _batch(_post(keccak256("valuable"), 50e18)).prover;
        for (uint256 dummies = 1; dummies <= 8; ++dummies) {
            vm.revertToState(snap);
            for (uint256 d; d < dummies; ++d) {
                _post(keccak256(abi.encode("dummy", d)), 1);
            }
            assertEq(_batch(_post(keccak256("valuable"), 50e18)).prover, honest, "dummies moved the batch");
        }
    }

    /// What a source can still do with dummies: fill the slot prover's capacity so the next batch goes to
    /// the slot's next draw. It costs a real assignment per unit of capacity, each paying at least
    /// minFee to the prover it fills, and the next draw is as random as the first.
    function test_Attack3_FillingCapacityToSkipAProverCostsItsWholeCapacity() public {
        _revealedEpoch();
        vm.roll(block.number + 1);
        uint256 first = _post(keccak256("d0"), 1);
        address filled = _batch(first).prover;
        uint256 capacity = 1 + (1000e18 - MIN_STAKE) / BOND; // 91 batches for a 1,000-token prover
        for (uint256 d = 1; d < capacity; ++d) {
            assertEq(_batch(_post(keccak256(abi.encode("d", d)), 1)).prover, filled);
        }
        assertEq(_acct(filled).openAssignments, capacity);
        assertFalse(net.canTake(filled));
        uint256 id = _post(keccak256("valuable"), 50e18);
        (uint256 key,) = net.assignmentOf(id);
        assertTrue(key % 8 != 0, "only a full prover is skipped, by the slot's next draw");
        assertTrue(_batch(id).prover != filled);
    }

    // ------------------------------------------------------------ 4. free decline

    /// The old eligibility check at posting used active stake: unstaking one wei below minStake just
    /// before the post sent the batch to the race at no cost. Now the listed weight is backed by bonded
    /// stake (active + unbonding) until the list expires, so the drawn prover keeps the batch, and
    /// missing it is slashed like any miss.
    function test_Attack4_UnstakingBelowMinimumBeforeThePostDoesNotDecline() public {
        uint256 epoch = _revealedEpoch();
        net.finalizeSeed(epoch);
        address drawn = net.slotDraw(epoch + 1, 0, 0);
        vm.prank(drawn);
        net.requestUnstake(1000e18 - MIN_STAKE + 1); // active: one wei below the minimum
        assertEq(_acct(drawn).stake, MIN_STAKE - 1);
        uint256 id = _post(keccak256("b"), 7e18);
        assertEq(_batch(id).prover, drawn, "the drawn prover still holds the batch");
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Assigned));
        _fund(drawn, 1);
        vm.prank(drawn);
        net.stake(1); // topping up afterwards changes nothing either
        vm.roll(_batch(id).provingDeadline + 1);
        net.slashMissed(id);
        assertLt(uint256(_acct(drawn).stake) + _acct(drawn).unbonding, 1000e18 + 1, "the miss is slashed");
        assertLt(net.reputationOf(drawn), 5000);
    }

    // ------------------------------------------------------------ 5. secret withheld from the mix

    /// The old weight-0 path returned before mixing, so the last revealer could drop 1 wei below minStake
    /// and keep its secret out of the seed for free. Now every reveal mixes: the seed below is only
    /// reproduced with bob's secret in it, though bob is not listed.
    function test_Attack5_ZeroWeightRevealStillMixesTheSecret() public {
        uint256 epoch = _nextEpoch();
        for (uint256 i; i < 3; ++i) {
            _commit(provers[i], epoch);
        }
        vm.prank(bob);
        net.requestUnstake(1000e18 - MIN_STAKE + 1);
        _toReveal(epoch);
        for (uint256 i; i < 3; ++i) {
            _reveal(provers[i], epoch);
        }
        (uint256 count,) = net.rollOf(epoch);
        assertEq(count, 2, "bob is not listed");
        vm.roll(net.epochStart(epoch + 1) + COMMIT_BLOCKS); // fallback seed: keccak(mix, 0, ...)
        net.finalizeSeed(epoch);
        assertEq(
            net.seedOf(epoch),
            uint256(keccak256(abi.encode(_mixOf(provers, epoch), uint256(0), epoch, address(net)))),
            "bob's secret is in the mix"
        );
    }

    // ------------------------------------------------------------ 6. whitewashing by re-registering

    /// A newcomer used to start at 5,000 while a slashed prover sat far below. Newcomers now start at 0
    /// and both scores rise toward the same anchor at the same rate, so the fresh identity never
    /// outweighs the old one with the same stake, at any later block.
    function test_Attack6_ReRegisteringNeverOutweighsTheOldRecord() public {
        uint256 epoch = _revealedEpoch();
        net.finalizeSeed(epoch);
        uint256 id = _post(keccak256("b"), 1e18);
        address cheat = _batch(id).prover;
        vm.roll(_batch(id).provingDeadline + 1);
        net.slashMissed(id);
        uint256 left = _acct(cheat).stake;
        vm.prank(cheat);
        net.requestUnstake(left);
        vm.roll(_acct(cheat).unbondingReadyAt);
        vm.prank(cheat);
        net.withdraw();
        // Same stake under a fresh address, and the old identity topped up to match.
        address fresh = makeAddr("fresh identity");
        _register(fresh, 1000e18);
        _fund(cheat, 1000e18);
        vm.prank(cheat);
        net.stake(1000e18);
        for (uint256 t; t < 20; ++t) {
            assertLe(net.weightOf(fresh), net.weightOf(cheat), "the fresh identity outweighs its record");
            vm.roll(block.number + 500);
        }
        assertEq(Reputation.NEWCOMER, 0);
    }

    // ------------------------------------------------------------ 7. overload

    /// Independent per-batch draws used to hand a small prover many batches at once and then slash it
    /// for bad luck. A prover now takes a batch only while its bonded stake covers it; the slot's next
    /// draw takes the rest, and with nobody able to, the batch is open, not overloaded.
    function test_Attack7_SmallProverIsNeverAssignedBeyondItsCapacity() public {
        address small = makeAddr("small");
        _register(small, MIN_STAKE + 2 * BOND); // capacity 3
        address[] memory one = new address[](1);
        one[0] = small;
        _selectionRound(one);
        uint256 first = _post(keccak256("0"), 1e18);
        _post(keccak256("1"), 1e18);
        _post(keccak256("2"), 1e18);
        assertEq(_acct(small).openAssignments, 3);
        assertFalse(net.canTake(small));
        uint256 overflow = _post(keccak256("3"), 1e18);
        assertEq(_batch(overflow).prover, address(0), "the only listed prover is full: open, not overloaded");
        assertEq(uint8(_batch(overflow).status), uint8(BatchStatus.Open));
        assertEq(_acct(small).openAssignments, 3);
        // Proving frees the capacity again within the same slot? The slot stays open once it overflowed.
        bytes memory proof = _proof(small, first, 3);
        vm.prank(small);
        net.submitProof(first, 3, proof);
        assertTrue(net.canTake(small));
    }

    // ------------------------------------------------------------ 8. batching

    /// Per-batch draws rarely gave one prover consecutive ids. A slot's batches now all go to the slot's
    /// prover with consecutive ids, and one proof covers up to MAX_BATCHES_PER_PROOF of them.
    function test_Attack8_ASlotsBatchesAreProvenByOneProof() public {
        _revealedEpoch();
        uint256 first = _post(keccak256(abi.encode(uint256(0))), 1e18);
        address p = _batch(first).prover;
        for (uint256 i = 1; i < 16; ++i) {
            assertEq(_batch(_post(keccak256(abi.encode(i)), 1e18)).prover, p);
        }
        bytes memory proof = _proof(p, first, 16);
        vm.prank(p);
        net.submitProof(first, 16, proof);
        assertEq(_acct(p).claimable, 16e18);
        assertEq(uint8(_batch(first + 15).status), uint8(BatchStatus.Proven));
    }

    // ------------------------------------------------------------ 9. splitting around the cap

    /// The docs used to list the whale cap as a protection. It is not one against splitting: below the
    /// cap weight is linear, so splitting is neutral, and above it splitting regains what the cap
    /// removed. This pins what the mechanism does; docs/mechanism.md no longer claims more. What a
    /// split costs is time: each fresh identity starts at reputation 0.
    function test_Attack9_SplittingAroundTheCapRegainsWeight() public {
        address whale = makeAddr("whale");
        _register(whale, 40_000e18); // 4x the cap
        uint256 split;
        for (uint256 i; i < 4; ++i) {
            address s = address(uint160(0xA000 + i));
            _register(s, 10_000e18);
            split += net.weightOf(s);
        }
        assertApproxEqAbs(split, 4 * net.weightOf(whale), 4, "four identities at the cap weigh 4x the whale");
        // Fresh identities against an established one with the same stake: the established one weighs more.
        address established = makeAddr("established");
        _register(established, 10_000e18);
        _matureReputations();
        address newcomer = makeAddr("newcomer");
        _register(newcomer, 10_000e18);
        assertGt(net.weightOf(established), 2 * net.weightOf(newcomer));
    }
}
