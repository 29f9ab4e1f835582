// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {INetworkDataChallenges} from "../contracts/interfaces/INetworkDataChallenges.sol";
import {BatchCommitment} from "../contracts/libraries/BatchCommitment.sol";
import {BatchStatus} from "../contracts/types/Batch.sol";

/// @notice Finding 2 of issue 11: a batch source that withholds a batch's data got the assigned prover
///         slashed. The prover now challenges; the source publishes the data on chain (checked against
///         the commitment) or the batch is voided with nobody slashed.
/// @dev Fixture: 20-block proving window, 10-block challenge window, 10-block race window.
contract ProverNetworkDataChallengeTest is NetworkTestBase {
    INetworkDataChallenges internal da;
    bytes internal data = "the batch's transactions";
    uint256 internal id;
    uint256 internal deadline;

    function setUp() public override {
        super.setUp();
        da = INetworkDataChallenges(address(net));
        _register(alice, 1000e18);
        _matureReputations();
        address[] memory ps = new address[](1);
        ps[0] = alice;
        _selectionRound(ps);
        id = _post(BatchCommitment.compute(data), 7e18);
        deadline = _batch(id).provingDeadline;
    }

    function _challenge() internal returns (uint256 respondBy) {
        vm.prank(alice);
        da.challengeData(id);
        respondBy = da.challengeOf(id);
    }

    function test_Attack2_WithheldDataVoidsTheBatchAndSlashesNobody() public {
        vm.roll(deadline); // the last block of the window
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.DataChallenged(id, alice, deadline + 10);
        uint256 respondBy = _challenge();
        assertEq(respondBy, deadline + 10);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Challenged));

        // Nothing can slash, race or fail a challenged batch.
        vm.roll(deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.WrongBatchStatus.selector, id, BatchStatus.Challenged)
        );
        net.slashMissed(id);
        vm.roll(respondBy);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.ChallengeWindowOpen.selector, id, respondBy)
        );
        da.voidUnanswered(id);

        vm.roll(respondBy + 1);
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.BatchVoided(id, alice, 7e18);
        vm.prank(keeper);
        da.voidUnanswered(id);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Voided));
        assertEq(_acct(alice).stake, 1000e18, "nobody slashed");
        assertEq(_acct(alice).claimable, 7e18, "the source's fee compensates the prover");
        assertEq(_acct(alice).openAssignments, 0);
        assertEq(_feeBalance(rollup), FEE_DEPOSIT - 7e18, "the source paid for a batch it withheld");
        assertEq(da.challengeOf(id), 0);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.WrongBatchStatus.selector, id, BatchStatus.Voided)
        );
        da.voidUnanswered(id);
    }

    function test_PublishedDataRestartsTheProversWindow() public {
        vm.roll(deadline - 3);
        uint256 respondBy = _challenge();
        vm.roll(respondBy); // the last block an answer is accepted
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.BatchDataPublished(id, data, respondBy + 20);
        vm.prank(rollup);
        da.answerChallenge(id, data);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Assigned));
        assertEq(_batch(id).provingDeadline, respondBy + 20);
        assertEq(_batch(id).raceDeadline, respondBy + 30);
        (uint256 key,) = net.assignmentOf(id);
        assertEq(key, (1 << 39) + id, "the batch has an assignment of its own now");

        vm.roll(respondBy + 20);
        _prove(alice, id);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Proven));
        assertEq(_acct(alice).claimable, 7e18);
    }

    function test_AnsweredBatchMissedAgainIsSlashedAsAnyOther() public {
        uint256 respondBy = _challenge();
        vm.prank(rollup);
        da.answerChallenge(id, data);
        vm.roll(respondBy + 21);
        net.slashMissed(id);
        assertEq(_acct(alice).stake, 900e18);
    }

    function test_RevertWhen_PublishedDataDoesNotMatch() public {
        _challenge();
        bytes memory wrong = "other transactions";
        bytes32 computed = BatchCommitment.compute(wrong);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProverNetworkEvents.DataMismatch.selector, id, computed, BatchCommitment.compute(data)
            )
        );
        da.answerChallenge(id, wrong);
    }

    function test_RevertWhen_AnswerComesAfterTheWindow() public {
        uint256 respondBy = _challenge();
        vm.roll(respondBy + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.ChallengeWindowClosed.selector, id, respondBy)
        );
        da.answerChallenge(id, data);
    }

    function test_RevertWhen_ChallengedByAnotherOrTooLate() public {
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.NotAssignedProver.selector, id, alice, bob)
        );
        vm.prank(bob);
        da.challengeData(id);
        vm.roll(deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.ProvingWindowClosed.selector, id, deadline)
        );
        vm.prank(alice);
        da.challengeData(id);
    }

    function test_OperatorChallengesForItsProver() public {
        address hot = makeAddr("hot");
        vm.prank(alice);
        net.setOperator(hot);
        vm.prank(hot);
        da.challengeData(id);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Challenged));
    }

    function test_RevertWhen_ChallengingTwice() public {
        _challenge();
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.WrongBatchStatus.selector, id, BatchStatus.Challenged)
        );
        vm.prank(alice);
        da.challengeData(id);
    }

    function test_PauseStopsTheChallengeClockToo() public {
        uint256 respondBy = _challenge();
        uint256 pausedAt = block.number;
        vm.prank(owner);
        gov.pause();
        vm.roll(respondBy + 30);
        vm.prank(owner);
        gov.unpause();
        uint256 pauseLength = respondBy + 30 - pausedAt;
        assertEq(da.challengeOf(id), respondBy + pauseLength, "the answer window moved by the pause");
        vm.prank(rollup);
        da.answerChallenge(id, data);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Assigned));
    }
}
