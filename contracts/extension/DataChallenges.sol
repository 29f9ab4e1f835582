// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {NetworkBase} from "../NetworkBase.sol";
import {INetworkDataChallenges} from "../interfaces/INetworkDataChallenges.sol";
import {AccountState} from "../types/AccountState.sol";
import {Assignment, BatchRecord, BatchStatus} from "../types/Batch.sol";
import {BatchCommitment} from "../libraries/BatchCommitment.sol";
import {Slashing} from "../libraries/Slashing.sol";

/// @title DataChallenges
/// @notice Batch data a prover can always get, or an excuse (docs/mechanism.md, "Withheld data"). Batch
///         data lives off chain; a source that withholds it would otherwise get the assigned prover
///         slashed. The assigned prover challenges inside its window; the source (or anyone holding the
///         data) publishes it on chain within `challengeWindow`, where the contract recomputes the
///         Poseidon commitment (`BatchCommitment`) and, if it matches, restarts the prover's window; if
///         nobody does, the batch is void, nobody is slashed and the source's fee compensates the prover.
///         Part of `NetworkExtension` (delegatecalled by the network).
/// @dev A challenged batch is in status Challenged, which no proof, race, slash or failure accepts: its
///      fee stays escrowed and the prover's capacity stays counted until it is answered or voided. An
///      answered batch moves to an assignment of its own (key ANSWERED_KEY_BASE + id) with the same prover
///      and the same frozen terms, so the proving, racing and slashing code handles it unchanged.
abstract contract DataChallenges is NetworkBase, INetworkDataChallenges {
    using SafeCast for uint256;

    /// @inheritdoc INetworkDataChallenges
    function challengeData(uint256 batchId) external {
        BatchRecord storage b = _batches[batchId];
        if (b.status != BatchStatus.Assigned) _revertStatus(batchId, b.status);
        Assignment storage asg = _assignments[b.assignment];
        address prover = _proverOfOperator[msg.sender];
        if (prover == address(0)) prover = msg.sender;
        if (asg.prover != prover) revert NotAssignedProver(batchId, asg.prover, prover);
        uint256 now_ = _now();
        if (now_ > asg.provingDeadline) revert ProvingWindowClosed(batchId, _toBlock(asg.provingDeadline));
        uint256 respondBy = now_ + _params.challengeWindow;
        _challenges[batchId] = respondBy;
        b.status = BatchStatus.Challenged;
        emit DataChallenged(batchId, prover, _toBlock(respondBy));
    }

    /// @inheritdoc INetworkDataChallenges
    function answerChallenge(uint256 batchId, bytes calldata data) external {
        BatchRecord storage b = _batches[batchId];
        if (b.status != BatchStatus.Challenged) _revertStatus(batchId, b.status);
        uint256 now_ = _now();
        uint256 respondBy = _challenges[batchId];
        if (now_ > respondBy) revert ChallengeWindowClosed(batchId, _toBlock(respondBy));
        bytes32 computed = BatchCommitment.compute(data);
        if (computed != b.commitment) revert DataMismatch(batchId, computed, b.commitment);

        Assignment memory old = _assignments[b.assignment];
        uint256 key = ANSWERED_KEY_BASE + batchId;
        uint256 provingDeadline = now_ + _params.provingWindow;
        _assignments[key] = Assignment(
            old.prover,
            provingDeadline.toUint32(),
            (provingDeadline + _params.raceWindow).toUint32(),
            old.config,
            false,
            false
        );
        b.assignment = key.toUint40();
        b.status = BatchStatus.Assigned;
        delete _challenges[batchId];
        emit BatchDataPublished(batchId, data, _toBlock(provingDeadline));
    }

    /// @inheritdoc INetworkDataChallenges
    function voidUnanswered(uint256 batchId) external {
        BatchRecord storage b = _batches[batchId];
        if (b.status != BatchStatus.Challenged) _revertStatus(batchId, b.status);
        uint256 respondBy = _challenges[batchId];
        if (_now() <= respondBy) revert ChallengeWindowOpen(batchId, _toBlock(respondBy));
        Assignment storage asg = _assignments[b.assignment];
        address prover = asg.prover;
        uint256 fee = b.fee;
        uint256 keeper = Slashing.keeperFee(fee, _terms[asg.config].keeperBps);
        uint256 compensation = fee - keeper;
        b.status = BatchStatus.Voided;
        delete _challenges[batchId];
        AccountState storage a = _accounts[prover];
        a.openAssignments -= 1;
        a.claimable += uint96(compensation);
        if (keeper != 0) {
            _accounts[msg.sender].claimable += uint96(keeper);
            emit KeeperPaid(msg.sender, keeper);
        }
        emit BatchVoided(batchId, prover, compensation);
    }

    /// @inheritdoc INetworkDataChallenges
    function challengeOf(uint256 batchId) external view returns (uint256 respondBy) {
        uint256 deadline = _challenges[batchId];
        return deadline == 0 ? 0 : _toBlock(deadline);
    }
}
