// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {BatchStatus} from "../contracts/types/Batch.sol";

/// @notice Finding 4 of issue 11: a correlated outage drained honest provers at a flat share per miss.
///         A prover is now slashed at most once for the misses whose deadlines fall in one epoch; later
///         misses of that epoch cost reputation (which lowers its odds) but no stake.
/// @dev Fixture geometry: genesis 1000, 15-block epochs of three 5-block slots, 20-block proving window.
///      The slot-0 and slot-1 deadlines of epoch e fall in epoch e+1 (its 10th and last block); slot 2's
///      falls in epoch e+2 (its 4th block).
contract ProverNetworkSlashCapTest is NetworkTestBase {
    uint256 internal epoch;

    function setUp() public override {
        super.setUp();
        _register(alice, 1000e18);
        _matureReputations();
        address[] memory ps = new address[](1);
        ps[0] = alice;
        epoch = _selectionRound(ps) + 1; // alice holds every slot of this epoch
    }

    function _postInSlot(uint256 index) internal returns (uint256 id) {
        vm.roll(net.epochStart(epoch) + index * SLOT_BLOCKS);
        id = _post(keccak256(abi.encode("slot", index)), 7e18);
    }

    function test_Attack4_SecondMissInTheSameEpochCostsReputationNotStake() public {
        uint256 a = _postInSlot(0);
        uint256 b = _postInSlot(1);
        uint256 da = _batch(a).provingDeadline;
        uint256 db = _batch(b).provingDeadline;
        assertEq((da - 1000) / 15, epoch + 1);
        assertEq(db, net.epochStart(epoch + 2) - 1, "the last block of the same epoch");

        vm.roll(db + 1);
        net.slashMissed(a);
        assertEq(_acct(alice).stake, 900e18);
        assertEq(_acct(alice).slashedEpoch, epoch + 2);
        uint256 rep = net.reputationOf(alice);

        vm.expectEmit(address(net));
        emit IProverNetworkEvents.SlashCapped(alice, b, epoch + 1);
        net.slashMissed(b);
        assertEq(_acct(alice).stake, 900e18, "no second slash in the epoch");
        assertEq(_batch(b).bounty, 0, "a capped miss carries no bounty");
        assertEq(net.reputationOf(alice), rep - 1500, "but it costs reputation");
        assertEq(uint8(_batch(b).status), uint8(BatchStatus.Racing), "and its race opens");
        assertEq(_acct(alice).openAssignments, 0);
    }

    function test_MissWhoseDeadlineFallsInTheNextEpochIsSlashedAgain() public {
        uint256 b = _postInSlot(1);
        uint256 c = _postInSlot(2);
        uint256 dc = _batch(c).provingDeadline;
        assertEq((dc - 1000) / 15, epoch + 2, "slot 2's deadline is in the next epoch");
        vm.roll(dc + 1);
        net.slashMissed(b);
        assertEq(_acct(alice).stake, 900e18);
        net.slashMissed(c);
        assertEq(_acct(alice).stake, 810e18, "10% of what is left");
        assertEq(_acct(alice).slashedEpoch, epoch + 3);
    }

    /// However many assignments a prover misses while offline for a whole epoch, it loses one slash
    /// share of stake for that epoch; a flat share per miss lost one per slot (3 here).
    function test_OutageOfAWholeEpochCostsOneSlash() public {
        uint256 a = _postInSlot(0);
        uint256 b = _postInSlot(1);
        vm.roll(_batch(b).raceDeadline + 1);
        net.markFailed(a);
        net.markFailed(b);
        assertEq(_acct(alice).stake, 900e18);
    }
}

/// @notice "A prover that tops up becomes eligible again at once": capacity is read at each draw from the
///         bonded stake, so a top-up counts from the next draw on; a prover below the minimum is skipped
///         (its slot goes Open) rather than handed batches it cannot bond.
contract ProverNetworkTopUpTest is NetworkTestBase {
    function test_TopUpMakesAProverEligibleAgainAtOnce() public {
        _register(alice, 110e18);
        _matureReputations();
        address[] memory ps = new address[](1);
        ps[0] = alice;
        uint256 e = _selectionRound(ps) + 1; // alice holds the slots of epoch e
        _commit(alice, e); // and stays in the running for epoch e + 1
        uint256 a = _post(keccak256("missed"), 1e18);
        _toReveal(e);
        _reveal(alice, e);

        vm.roll(net.epochStart(e + 1));
        _commit(alice, e + 1);
        vm.roll(_batch(a).provingDeadline + 1); // the reveal phase of epoch e + 1
        net.slashMissed(a); // 10% of 110: 99 left, below the 100 minimum
        assertEq(_acct(alice).stake, 99e18);
        assertFalse(net.canTake(alice));
        uint256 open = _post(keccak256("nobody can take it"), 1e18);
        assertEq(uint8(_batch(open).status), uint8(BatchStatus.Open), "below the minimum: skipped");

        _fund(alice, 1e18);
        vm.prank(alice);
        net.stake(1e18);
        assertTrue(net.canTake(alice), "eligible again at once");
        _reveal(alice, e + 1);
        vm.roll(net.epochStart(e + 2));
        uint256 back = _post(keccak256("back"), 1e18);
        assertEq(_batch(back).prover, alice, "the next draw picks it");
    }
}
