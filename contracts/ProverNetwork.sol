// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {NetworkBase} from "./NetworkBase.sol";
import {NetworkExtension} from "./extension/NetworkExtension.sol";
import {IProverNetwork} from "./interfaces/IProverNetwork.sol";
import {INetworkGovernance} from "./interfaces/INetworkGovernance.sol";
import {IProofVerifier} from "./interfaces/IProofVerifier.sol";
import {Params} from "./types/Params.sol";
import {AccountState} from "./types/AccountState.sol";
import {
    Assignment,
    Batch,
    BatchRecord,
    BatchStatus,
    NetworkClock,
    PostCursor,
    SlashTerms,
    SourceAccount
} from "./types/Batch.sol";
import {EpochRoll} from "./types/EpochRoll.sol";
import {Capacity} from "./libraries/Capacity.sol";
import {ParamsLib} from "./libraries/ParamsLib.sol";
import {Reputation} from "./libraries/Reputation.sol";
import {Seed} from "./libraries/Seed.sol";
import {SelectionList} from "./libraries/SelectionList.sol";
import {Slots} from "./libraries/Slots.sol";
import {Slashing} from "./libraries/Slashing.sol";
import {Weight} from "./libraries/Weight.sol";

/// @title ProverNetwork
/// @notice Permissionless prover staking, commit-reveal weighted selection of one prover per time slot,
///         exclusive proving windows, slashing and an emergency open race. See docs/mechanism.md for the
///         rules and their rationale.
/// @dev ACCOUNTING INVARIANT (every extension must preserve it):
///        token.balanceOf(this) ==  sum(stake + unbonding + claimable over all accounts)
///                                + sum(feeBalance over all batch sources)
///                                + sum(fee of batches in Assigned, Open, Racing or Challenged)
///                                + sum(bounty of batches in Racing)
///                                + treasuryBalance + burnPending
///      Every inflow is credited with the amount the token actually delivered (balance difference),
///      so fee-on-transfer tokens cannot open a gap. Outflows are pull payments (`claim`, `withdraw`,
///      `withdrawFees`, `withdrawTreasury`, `flushBurn`) that zero or lower the credit before the
///      transfer, behind a reentrancy guard. No function loops over provers or batches except
///      `submitProof`, bounded by MAX_BATCHES_PER_PROOF, and a slot's draws, bounded by Slots.DRAWS; a
///      draw is a binary search.
///      Governance, the data-availability challenge and the treasury live in `NetworkExtension`, which the
///      fallback reaches by delegatecall on the same storage (`NetworkBase`); the exported ABI joins both.
contract ProverNetwork is IProverNetwork, NetworkBase {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Most batches one proof may cover (the Groth16 verifier pads any count up to it).
    uint256 public constant MAX_BATCHES_PER_PROOF = 16;
    uint32 private constant NO_COMMIT = type(uint32).max;

    /// @notice The contract holding governance, the data-availability challenge and the treasury, reached
    ///         through the fallback by delegatecall (deployed by the constructor with the same geometry).
    address public immutable extension;

    /// @param token_ Staking and fee token.
    /// @param verifier_ Proof verifier; its `commitmentBound` becomes the network's.
    /// @param owner_ Governance (two-step transferable).
    /// @param commitBlocks_ Commit phase length in blocks.
    /// @param revealBlocks_ Reveal phase length in blocks.
    /// @param slotBlocks_ Slot length in blocks (1 to the epoch length).
    /// @param params_ Initial parameters, bounds-checked.
    constructor(
        IERC20 token_,
        IProofVerifier verifier_,
        address owner_,
        uint256 commitBlocks_,
        uint256 revealBlocks_,
        uint256 slotBlocks_,
        Params memory params_
    )
        NetworkBase(
            token_,
            owner_,
            block.number,
            commitBlocks_,
            revealBlocks_,
            _checkedGeometry(commitBlocks_, revealBlocks_, slotBlocks_),
            _boundOf(token_, verifier_)
        )
    {
        address ext = address(
            new NetworkExtension(
                token_, block.number, commitBlocks_, revealBlocks_, slotBlocks_, _commitmentBound
            )
        );
        extension = ext;
        // The initial parameters and terms are checked, stored and announced by the extension's code on this
        // contract's storage: that code is not repeated in this contract's initcode (EIP-3860).
        (bool ok, bytes memory reason) = ext.delegatecall(
            abi.encodeWithSelector(INetworkGovernance.initialize.selector, params_, address(verifier_))
        );
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
        // No slot's key: the first post always makes its slot's draw.
        _cursor = PostCursor(1, type(uint40).max, address(0));
    }

    /// @dev Checks the constructor's geometry and returns `slotBlocks_`. Checked here, before
    ///      `NetworkBase` stores them, and not in `NetworkBase`: the extension is built from values this
    ///      constructor already checked, and its initcode (part of this contract's, EIP-3860) need not repeat
    ///      the checks.
    function _checkedGeometry(uint256 commitBlocks_, uint256 revealBlocks_, uint256 slotBlocks_)
        private
        pure
        returns (uint256)
    {
        _checkWithin("commitBlocks", commitBlocks_, 100_000);
        _checkWithin("revealBlocks", revealBlocks_, 100_000);
        _checkWithin("slotBlocks", slotBlocks_, commitBlocks_ + revealBlocks_);
        return slotBlocks_;
    }

    /// @dev Reverts with `ParamOutOfBounds(name, value, 1, max)` unless 1 <= value <= max.
    function _checkWithin(string memory name, uint256 value, uint256 max) private pure {
        if (value == 0 || value > max) revert ParamsLib.ParamOutOfBounds(name, value, 1, max);
    }

    /// @notice Everything the network itself does not answer (governance, the data-availability challenge,
    ///         the treasury) runs in `extension` on this contract's storage.
    fallback() external {
        address ext = extension;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), ext, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @dev The verifier's commitment bound, refusing a zero token or verifier first.
    function _boundOf(IERC20 token_, IProofVerifier verifier_) private view returns (uint256) {
        if (address(token_) == address(0) || address(verifier_) == address(0)) revert ZeroAddress();
        return verifier_.commitmentBound();
    }

    // ================================================================== staking

    /// @inheritdoc IProverNetwork
    function register(uint256 amount) external nonReentrant {
        AccountState storage a = _accounts[msg.sender];
        if (a.registered) revert AlreadyRegistered(msg.sender);
        if (_proverOfOperator[msg.sender] != address(0)) revert OperatorCannotRegister(msg.sender);
        uint256 received = _pull(amount);
        uint256 minStake = _params.minStake;
        if (received < minStake) revert StakeBelowMinimum(received, minStake);
        a.stake = received.toUint96();
        a.registered = true;
        a.reputation = uint16(Reputation.NEWCOMER);
        a.repUpdatedAt = uint40(block.number);
        a.commitEpoch = NO_COMMIT;
        _clock.provers += 1;
        emit ProverRegistered(msg.sender, received, Reputation.NEWCOMER);
    }

    /// @inheritdoc IProverNetwork
    function stake(uint256 amount) external nonReentrant {
        AccountState storage a = _accounts[msg.sender];
        if (!a.registered) revert NotRegistered(msg.sender);
        uint256 received = _pull(amount);
        uint256 newStake = a.stake + received;
        if (newStake > type(uint96).max) revert AmountTooLarge(newStake);
        a.stake = uint96(newStake);
        emit StakeAdded(msg.sender, received, newStake);
    }

    /// @inheritdoc IProverNetwork
    function requestUnstake(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        AccountState storage a = _accounts[msg.sender];
        if (!a.registered) revert NotRegistered(msg.sender);
        uint256 active = a.stake;
        if (amount > active) revert InsufficientStake(amount, active);
        uint256 unbonding = a.unbonding + amount;
        uint256 readyAt = block.number + _params.unbondingDelay;
        a.stake = uint96(active - amount);
        a.unbonding = unbonding.toUint96();
        a.unbondingReadyAt = uint40(readyAt);
        emit UnstakeRequested(msg.sender, amount, unbonding, readyAt);
    }

    /// @inheritdoc IProverNetwork
    function withdraw() external nonReentrant {
        AccountState storage a = _accounts[msg.sender];
        uint256 amount = a.unbonding;
        if (amount == 0) revert NothingToWithdraw();
        if (block.number < a.unbondingReadyAt) revert UnbondingNotFinished(a.unbondingReadyAt, block.number);
        uint256 open = a.openAssignments;
        if (!Capacity.coversOpen(a.stake, open, _params.minStake, _params.assignmentBond)) {
            revert OpenAssignments(open);
        }
        if (a.commitHash != 0) revert UnresolvedCommitment(a.commitEpoch);
        a.unbonding = 0;
        _token.safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    /// @inheritdoc IProverNetwork
    function claim() external nonReentrant {
        AccountState storage a = _accounts[msg.sender];
        uint256 amount = a.claimable;
        if (amount == 0) revert NothingToClaim();
        a.claimable = 0;
        _token.safeTransfer(msg.sender, amount);
        emit Claimed(msg.sender, amount);
    }

    /// @inheritdoc IProverNetwork
    function setOperator(address operator) external {
        if (!_accounts[msg.sender].registered) revert NotRegistered(msg.sender);
        if (operator != address(0)) {
            if (
                operator == msg.sender || _accounts[operator].registered
                    || _proverOfOperator[operator] != address(0)
            ) revert OperatorUnavailable(operator);
            _proverOfOperator[operator] = msg.sender;
        }
        address previous = _operatorOf[msg.sender];
        if (previous != address(0)) delete _proverOfOperator[previous];
        _operatorOf[msg.sender] = operator;
        emit OperatorSet(msg.sender, operator);
    }

    // ================================================================== selection

    /// @inheritdoc IProverNetwork
    function commit(bytes32 commitment) external {
        if (bytes28(commitment) == 0) revert EmptyCommitment();
        uint256 epoch = currentEpoch();
        uint256 start = epochStart(epoch);
        if (block.number >= start + _commitBlocks) {
            revert WrongPhase(epoch, start, start + _commitBlocks, block.number);
        }
        // The first prover to act in an epoch fixes the previous epoch's seed, in the first block anybody
        // acts: nobody gets to wait for a prevrandao value it likes while the others are committing.
        if (epoch != 0 && _seeds[epoch - 1] == 0) _fixSeed(epoch - 1);
        address prover = _actor();
        AccountState storage a = _accounts[prover];
        uint256 minStake = _params.minStake;
        if (a.stake < minStake) {
            // Only now read `registered` (another slot): the common path never needs it.
            if (!a.registered) revert NotRegistered(prover);
            revert StakeBelowMinimum(a.stake, minStake);
        }
        if (a.commitHash != 0) {
            uint256 previous = a.commitEpoch;
            if (previous == epoch) revert AlreadyCommitted(epoch);
            // The previous commitment's reveal phase is over (it belongs to an earlier epoch):
            // apply the withheld-reveal penalty here so a restarted prover is never stuck.
            _penalizeNonReveal(prover, a, previous, false);
        }
        a.commitEpoch = uint32(epoch);
        a.commitHash = bytes28(commitment);
        emit Committed(prover, epoch, commitment);
    }

    /// @inheritdoc IProverNetwork
    function reveal(bytes32 secret) external {
        uint256 epoch = currentEpoch();
        uint256 revealStart = epochStart(epoch) + _commitBlocks;
        if (block.number < revealStart) {
            revert WrongPhase(epoch, revealStart, revealStart + _revealBlocks, block.number);
        }
        address prover = _actor();
        AccountState storage a = _accounts[prover];
        if (a.commitEpoch != epoch || a.commitHash == 0) revert NoCommitment(epoch);
        if (Seed.commitmentOf(secret, prover, epoch) != a.commitHash) {
            revert RevealMismatch(epoch);
        }
        a.commitHash = 0;

        // Every reveal mixes, listed or not: a prover cannot keep its secret out of the seed by making
        // itself weightless first.
        uint256 parity = epoch & 1;
        EpochRoll memory roll = _rolls[parity];
        if (roll.epoch != epoch) roll = EpochRoll(uint32(epoch), 0, 0, 0);
        uint96 mix = Seed.mixIn(roll.mix, secret);
        uint256 weight = a.stake < _params.minStake ? 0 : _weight(a);
        if (weight == 0) {
            _rolls[parity] = EpochRoll(uint32(epoch), roll.count, roll.totalWeight, mix);
            emit Revealed(prover, epoch, 0, type(uint256).max);
            return;
        }
        uint256 total = roll.totalWeight + weight;
        uint256 index = roll.count;
        _lists[parity][index] = SelectionList.pack(prover, total);
        _rolls[parity] = EpochRoll(uint32(epoch), uint32(index + 1), total.toUint96(), mix);
        emit Revealed(prover, epoch, weight, index);
    }

    /// @inheritdoc IProverNetwork
    function penalizeNonReveal(address prover) external {
        AccountState storage a = _accounts[prover];
        uint256 epoch = a.commitEpoch;
        if (a.commitHash == 0 || block.number < epochStart(epoch + 1)) {
            revert NoOverdueCommitment(prover, epoch);
        }
        _penalizeNonReveal(prover, a, epoch, true);
    }

    /// @inheritdoc IProverNetwork
    function finalizeSeed(uint256 epoch) external {
        uint256 readyAt = epochStart(epoch + 1);
        if (block.number < readyAt) revert SeedNotReady(epoch, readyAt);
        if (_seeds[epoch] == 0) _fixSeed(epoch);
    }

    // ================================================================== batches

    /// @inheritdoc IProverNetwork
    function depositFees(uint256 amount) external nonReentrant {
        SourceAccount storage src = _sources[msg.sender];
        if (src.index == 0) revert NotBatchSource(msg.sender);
        uint256 received = _pull(amount);
        uint256 balance = src.feeBalance + received;
        if (balance > type(uint96).max) revert AmountTooLarge(balance);
        src.feeBalance = uint96(balance);
        emit FeesDeposited(msg.sender, received, balance);
    }

    /// @inheritdoc IProverNetwork
    function withdrawFees(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        SourceAccount storage src = _sources[msg.sender];
        uint256 balance = src.feeBalance;
        if (amount > balance) revert InsufficientFeeBalance(amount, balance);
        src.feeBalance = uint96(balance - amount);
        _token.safeTransfer(msg.sender, amount);
        emit FeesWithdrawn(msg.sender, amount, balance - amount);
    }

    /// @inheritdoc IProverNetwork
    function postBatch(bytes32 commitment, uint256 fee) external returns (uint256 batchId) {
        NetworkClock memory clock = _clock;
        if (clock.pausedAt != 0) revert EnforcedPause();
        SourceAccount storage src = _sources[msg.sender];
        SourceAccount memory source = src;
        if (!source.allowed) revert NotBatchSource(msg.sender);
        if (commitment == 0) revert EmptyCommitment();
        if (uint256(commitment) >= _commitmentBound) {
            revert CommitmentOutOfDomain(commitment, _commitmentBound);
        }
        uint256 minFee = _params.minFee;
        if (fee < minFee) revert FeeBelowMinimum(fee, minFee);
        if (fee > source.feeBalance) revert InsufficientFeeBalance(fee, source.feeBalance);
        src.feeBalance = uint96(source.feeBalance - fee);

        PostCursor memory cursor = _cursor;
        batchId = cursor.nextBatchId;
        (uint256 key, address prover) = _assignmentFor(cursor, clock);
        _batches[batchId] = BatchRecord({
            commitment: commitment,
            fee: uint96(fee),
            bounty: 0,
            status: prover == address(0) ? BatchStatus.Open : BatchStatus.Assigned,
            source: source.index,
            assignment: uint40(key)
        });
        _cursor = PostCursor(uint56(batchId + 1), uint40(key), prover);
        Assignment storage asg = _assignments[key];
        emit BatchPosted(
            batchId,
            msg.sender,
            commitment,
            fee,
            prover,
            prover == address(0) ? block.number : asg.provingDeadline + clock.pausedBlocks,
            asg.raceDeadline + clock.pausedBlocks
        );
    }

    /// @inheritdoc IProverNetwork
    function submitProof(uint256 firstBatchId, uint256 count, bytes calldata proof) external {
        if (count == 0) revert ZeroAmount();
        if (count > MAX_BATCHES_PER_PROOF) revert TooManyBatches(count, MAX_BATCHES_PER_PROOF);
        address prover = _actor();
        bytes32[] memory commitments = new bytes32[](count);
        uint256 payout;
        uint256 checkedKey = type(uint256).max;
        address verifier;
        for (uint256 i; i < count; ++i) {
            uint256 id = firstBatchId + i;
            BatchRecord storage b = _batches[id];
            BatchStatus status = b.status;
            if (status != BatchStatus.Assigned) _revertStatus(id, status);
            uint256 key = b.assignment;
            if (key != checkedKey) {
                // A slot's batches share one assignment: check it once per run of equal keys. One proof, one
                // verifier: batches drawn under different terms are proven separately.
                address v = _checkAssignment(key, id, prover);
                if (verifier == address(0)) verifier = v;
                else if (v != verifier) revert MixedVerifiers(firstBatchId, id);
                checkedKey = key;
            }
            commitments[i] = b.commitment;
            payout += b.fee;
        }
        if (!IProofVerifier(verifier).verify(prover, firstBatchId, commitments, proof)) {
            revert InvalidProof(firstBatchId, count);
        }

        for (uint256 i; i < count; ++i) {
            uint256 id = firstBatchId + i;
            BatchRecord storage b = _batches[id];
            b.status = BatchStatus.Proven;
            emit BatchProven(id, prover, b.fee, false);
        }
        AccountState storage a = _accounts[prover];
        a.openAssignments -= uint24(count);
        a.claimable += payout.toUint96();
        _raiseReputation(prover, a, count);
    }

    /// @inheritdoc IProverNetwork
    function slashMissed(uint256 batchId) external {
        BatchRecord storage b = _batches[batchId];
        if (b.status != BatchStatus.Assigned) _revertStatus(batchId, b.status);
        Assignment storage asg = _assignments[b.assignment];
        uint256 deadline = asg.provingDeadline;
        if (_now() <= deadline) revert ProvingWindowOpen(batchId, _toBlock(deadline));
        _slashMissed(batchId, b, asg, msg.sender);
    }

    /// @inheritdoc IProverNetwork
    function raceSubmit(uint256 batchId, bytes calldata proof) external {
        BatchRecord storage b = _batches[batchId];
        BatchStatus status = b.status;
        Assignment storage asg = _assignments[b.assignment];
        uint256 now_ = _now();
        if (status == BatchStatus.Assigned) {
            if (now_ <= asg.provingDeadline) {
                revert ProvingWindowOpen(batchId, _toBlock(asg.provingDeadline));
            }
        } else if (status != BatchStatus.Open && status != BatchStatus.Racing) {
            _revertStatus(batchId, status);
        }
        if (now_ > asg.raceDeadline) revert RaceClosed(batchId, _toBlock(asg.raceDeadline));
        address racer = _actor();
        if (racer == asg.prover) revert SlashedProverCannotRace(batchId);
        AccountState storage a = _accounts[racer];
        uint256 minStake = _params.minStake;
        if (a.stake < minStake) revert NotEligible(racer, a.stake, minStake);
        bytes32[] memory commitments = new bytes32[](1);
        commitments[0] = b.commitment;
        IProofVerifier verifier = IProofVerifier(_terms[asg.config].verifier);
        if (!verifier.verify(racer, batchId, commitments, proof)) revert InvalidProof(batchId, 1);

        if (status == BatchStatus.Assigned) _slashMissed(batchId, b, asg, racer);
        uint256 payout = uint256(b.fee) + b.bounty;
        if (asg.unlisted) payout += _payOpenReward(batchId, racer, minStake, asg.config);
        b.status = BatchStatus.Proven;
        a.claimable += payout.toUint96();
        _raiseReputation(racer, a, 1);
        emit BatchProven(batchId, racer, payout, true);
    }

    /// @inheritdoc IProverNetwork
    function markFailed(uint256 batchId) external {
        BatchRecord storage b = _batches[batchId];
        BatchStatus status = b.status;
        if (status != BatchStatus.Assigned && status != BatchStatus.Open && status != BatchStatus.Racing) {
            _revertStatus(batchId, status);
        }
        Assignment storage asg = _assignments[b.assignment];
        if (_now() <= asg.raceDeadline) revert RaceNotOver(batchId, _toBlock(asg.raceDeadline));
        if (status == BatchStatus.Assigned) _slashMissed(batchId, b, asg, msg.sender);
        // Nobody rescued the batch: the bounty has no winner and is burned (the treasury's share of a slash
        // stays bounded, so it may not grow with the misses nobody rescued).
        uint256 bounty = b.bounty;
        if (bounty != 0) {
            _burnPending += uint128(bounty);
            b.bounty = 0;
        }
        // The keeper that closed the batch is paid out of the refund: the source is the one it serves.
        uint256 fee = b.fee;
        uint256 keeper = Slashing.keeperFee(fee, _terms[asg.config].keeperBps);
        uint256 refund = fee - keeper;
        b.status = BatchStatus.Failed;
        address poster = _sourceAt[b.source];
        SourceAccount storage src = _sources[poster];
        src.feeBalance = uint96(src.feeBalance + refund);
        _payKeeper(msg.sender, keeper);
        emit BatchFailed(batchId, poster, refund);
    }

    // ================================================================== views

    /// @notice The staking and fee token.
    function token() external view returns (IERC20) {
        return _token;
    }

    /// @notice Block at which epoch 0 starts.
    function genesisBlock() external view returns (uint256) {
        return _genesisBlock;
    }

    /// @notice Blocks of the commit phase at the start of each epoch.
    function commitBlocks() external view returns (uint256) {
        return _commitBlocks;
    }

    /// @notice Blocks of the reveal phase that closes each epoch.
    function revealBlocks() external view returns (uint256) {
        return _revealBlocks;
    }

    /// @notice commitBlocks + revealBlocks (immutable: moving epoch boundaries mid-flight would move
    ///         phases under the feet of provers who already committed).
    function epochLength() external view returns (uint256) {
        return _epochLength;
    }

    /// @notice Blocks per assignment slot (immutable for the same reason as the epoch length).
    function slotBlocks() external view returns (uint256) {
        return _slotBlocks;
    }

    /// @notice Commitments must be below this value: the verifier's provable domain, read at deployment.
    ///         A replacement verifier must report the same bound.
    function commitmentBound() external view returns (uint256) {
        return _commitmentBound;
    }

    /// @notice Slashed funds owed to the treasury.
    function treasuryBalance() external view returns (uint128) {
        return _treasuryBalance;
    }

    /// @notice Slashed funds waiting for `flushBurn`.
    function burnPending() external view returns (uint128) {
        return _burnPending;
    }

    /// @notice Number of batch sources ever authorised (their indices are 1..sourceCount).
    function sourceCount() external view returns (uint16) {
        return _sourceCount;
    }

    /// @notice The batch source with index `index` (1-based), as stored on its batches.
    function sourceAt(uint256 index) external view returns (address) {
        return _sourceAt[index];
    }

    /// @notice The prover an operator address acts for (zero if it is nobody's operator).
    function proverOfOperator(address operator) external view returns (address) {
        return _proverOfOperator[operator];
    }

    /// @notice The operator a prover has named (zero if none).
    function operatorOf(address prover) external view returns (address) {
        return _operatorOf[prover];
    }

    /// @notice The current parameters.
    function params() external view returns (Params memory) {
        return _params;
    }

    /// @notice Everything stored for `who` (reputation as last written; see `reputationOf`).
    function accountOf(address who) external view returns (AccountState memory) {
        return _accounts[who];
    }

    /// @notice The part of `who`'s account a pool keeps its books on, from two of the account's three
    ///         slots (`accountOf` also reads the commit slot): stake plus unbonding, and the claimable balance.
    function bondOf(address who) external view returns (uint256 bonded, uint256 claimable) {
        AccountState storage a = _accounts[who];
        return (uint256(a.stake) + a.unbonding, a.claimable);
    }

    /// @notice A batch joined with its assignment (prover, deadlines) and its poster.
    function batchOf(uint256 batchId) external view returns (Batch memory) {
        BatchRecord storage b = _batches[batchId];
        Assignment storage asg = _assignments[b.assignment];
        return Batch({
            commitment: b.commitment,
            prover: asg.prover,
            fee: b.fee,
            provingDeadline: uint40(_toBlock(asg.provingDeadline)),
            raceDeadline: uint40(_toBlock(asg.raceDeadline)),
            status: b.status,
            bounty: b.bounty,
            poster: _sourceAt[b.source]
        });
    }

    /// @notice The assignment key a batch belongs to, and the assignment itself (deadlines on the network
    ///         clock, as stored; `batchOf` gives them as block numbers).
    function assignmentOf(uint256 batchId) external view returns (uint256 key, Assignment memory assignment) {
        key = _batches[batchId].assignment;
        assignment = _assignments[key];
    }

    /// @notice Id the next posted batch gets (ids start at 1).
    function nextBatchId() external view returns (uint256) {
        return _cursor.nextBatchId;
    }

    /// @notice `source`'s prepaid fee balance, its index and whether it may post.
    function sourceOf(address source) external view returns (SourceAccount memory) {
        return _sources[source];
    }

    /// @notice A batch's status with deadlines applied: a batch whose race is over and that nobody
    ///         proved is reported as Failed even before `markFailed` records it.
    function effectiveStatus(uint256 batchId) external view returns (BatchStatus) {
        BatchRecord storage b = _batches[batchId];
        BatchStatus status = b.status;
        if (
            (status == BatchStatus.Assigned || status == BatchStatus.Open || status == BatchStatus.Racing)
                && _now() > _assignments[b.assignment].raceDeadline
        ) return BatchStatus.Failed;
        return status;
    }

    /// @notice `who`'s reputation decayed to the current block.
    function reputationOf(address who) public view returns (uint256) {
        AccountState storage a = _accounts[who];
        if (!a.registered) return 0;
        return Reputation.decayed(
            a.reputation, a.repUpdatedAt, block.number, _params.repInitial, _params.repHalfLife
        );
    }

    /// @notice The selection weight `who` would get if it revealed now.
    function weightOf(address who) external view returns (uint256) {
        AccountState storage a = _accounts[who];
        if (!a.registered || a.stake < _params.minStake) return 0;
        return _weight(a);
    }

    /// @notice Whether `who` could take one more batch now (capacity rule, `Capacity.canTake`).
    function canTake(address who) public view returns (bool) {
        AccountState storage a = _accounts[who];
        return Capacity.canTake(
            uint256(a.stake) + a.unbonding, a.openAssignments, _params.minStake, _params.assignmentBond
        );
    }

    /// @notice The epoch at the current block.
    function currentEpoch() public view returns (uint256) {
        return _currentEpoch();
    }

    /// @notice First block of `epoch`.
    function epochStart(uint256 epoch) public view returns (uint256) {
        return _epochStart(epoch);
    }

    /// @notice The slot of the current block: its epoch, its index in the epoch and its last block.
    function currentSlot() public view returns (uint256 epoch, uint256 index, uint256 lastBlock) {
        epoch = currentEpoch();
        uint256 start = epochStart(epoch);
        index = (block.number - start) / _slotBlocks;
        lastBlock = start + (index + 1) * _slotBlocks - 1;
        uint256 epochEnd = start + _epochLength - 1;
        if (lastBlock > epochEnd) lastBlock = epochEnd;
    }

    /// @notice Number of listed provers and their total weight in `epoch`'s selection list.
    function rollOf(uint256 epoch) external view returns (uint256 count, uint256 totalWeight) {
        EpochRoll memory roll = _rolls[epoch & 1];
        if (roll.epoch != epoch) return (0, 0);
        return (roll.count, roll.totalWeight);
    }

    /// @notice Entry `index` of `epoch`'s selection list.
    function listEntry(uint256 epoch, uint256 index)
        external
        view
        returns (address prover, uint256 cumulativeWeight)
    {
        EpochRoll memory roll = _rolls[epoch & 1];
        if (roll.epoch != epoch || index >= roll.count) return (address(0), 0);
        uint256 entry = _lists[epoch & 1][index];
        return (SelectionList.proverOf(entry), SelectionList.cumulativeOf(entry));
    }

    /// @notice The seed of list epoch `epoch`, or zero if it has not been fixed yet.
    function seedOf(uint256 epoch) external view returns (uint256) {
        return _seeds[epoch];
    }

    /// @notice The prover draw `draw` of slot `index` of `epoch` picks (before any capacity check), or
    ///         zero if the previous epoch's seed is not fixed yet or its list is empty. Lets a prover see
    ///         its slots as soon as the seed is fixed.
    function slotDraw(uint256 epoch, uint256 index, uint256 draw) external view returns (address prover) {
        if (epoch == 0) return address(0);
        uint256 seed = _seeds[epoch - 1];
        if (seed == 0) return address(0);
        return _pick(seed, epoch, index, draw);
    }

    // ================================================================== internals

    /// @dev The prover the caller acts for: the prover that named it operator, or the caller itself.
    function _actor() private view returns (address) {
        address prover = _proverOfOperator[msg.sender];
        return prover == address(0) ? msg.sender : prover;
    }

    /// @dev Checks that `prover` holds assignment `key` (of batch `id`) and its window is open; returns the
    ///      verifier frozen on it.
    function _checkAssignment(uint256 key, uint256 id, address prover) private view returns (address) {
        Assignment memory asg = _assignments[key];
        if (asg.prover != prover) revert NotAssignedProver(id, asg.prover, prover);
        if (_now() > asg.provingDeadline) revert ProvingWindowClosed(id, _toBlock(asg.provingDeadline));
        return _terms[asg.config].verifier;
    }

    /// @dev Pulls `amount` from the caller and returns what actually arrived.
    function _pull(uint256 amount) private returns (uint256 received) {
        if (amount == 0) revert ZeroAmount();
        if (amount > type(uint96).max) revert AmountTooLarge(amount);
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        received = _token.balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();
    }

    /// @dev The assignment the batch posted now joins, and its prover (zero: open). Reuses the cursor's
    ///      assignment while it is this slot's and its prover can take one more; otherwise makes the slot's
    ///      next draw (at most Slots.DRAWS per slot), skipping provers that cannot take a batch. Counts the
    ///      batch against the prover's capacity.
    function _assignmentFor(PostCursor memory cursor, NetworkClock memory clock)
        private
        returns (uint256 key, address prover)
    {
        (uint256 epoch, uint256 index, uint256 lastBlock) = currentSlot();
        uint256 firstKey = Slots.key(epoch, index, _slotsPerEpoch, 0);
        uint256 draw;
        if (cursor.assignment >= firstKey && cursor.assignment < firstKey + Slots.KEYS_PER_SLOT) {
            key = cursor.assignment;
            prover = cursor.prover;
            if (prover == address(0)) return (key, prover); // the slot is open for the rest of it
            AccountState storage a = _accounts[prover];
            if (_canTake(a)) {
                a.openAssignments += 1;
                return (key, prover);
            }
            draw = Slots.drawOf(key) + 1;
        }
        for (; draw < Slots.DRAWS; ++draw) {
            prover = _draw(epoch, index, draw);
            if (prover == address(0)) break; // no list: every draw would be empty
            AccountState storage a = _accounts[prover];
            if (_canTake(a)) {
                a.openAssignments += 1;
                key = firstKey + draw;
                _openAssignment(key, prover, lastBlock - clock.pausedBlocks, clock.config, epoch, index, draw);
                return (key, prover);
            }
        }
        key = firstKey + Slots.OPEN;
        _openAssignment(
            key, address(0), lastBlock - clock.pausedBlocks, clock.config, epoch, index, Slots.OPEN
        );
        // A draw that found no list at all broke out early; one that found only full provers ran out.
        if (draw < Slots.DRAWS) _assignments[key].unlisted = true;
        return (key, address(0));
    }

    /// @dev Writes a slot draw's assignment with its deadlines and terms, frozen now: the proving window
    ///      counts from the slot's last block (`slotEnd`, on the network clock), an open slot gets the same
    ///      race deadline an assigned one has, and `config` names the slash terms in force.
    function _openAssignment(
        uint256 key,
        address prover,
        uint256 slotEnd,
        uint256 config,
        uint256 epoch,
        uint256 index,
        uint256 draw
    ) private {
        uint256 provingDeadline = slotEnd + _params.provingWindow;
        uint256 raceDeadline = provingDeadline + _params.raceWindow;
        _assignments[key] = Assignment(
            prover, provingDeadline.toUint32(), raceDeadline.toUint32(), uint16(config), false, false
        );
        emit SlotAssigned(epoch, index, draw, prover);
    }

    /// @dev Draw `draw` of slot `index` of `epoch` from the previous epoch's list; zero if it is empty.
    function _draw(uint256 epoch, uint256 index, uint256 draw) private returns (address) {
        if (epoch == 0) return address(0);
        uint256 seed = _seeds[epoch - 1];
        if (seed == 0) seed = _fixSeed(epoch - 1);
        return _pick(seed, epoch, index, draw);
    }

    /// @dev The prover `seed` picks for draw `draw` of slot `index` of `epoch` from list epoch - 1 (rules in
    ///      `Seed.slotPoint` and `SelectionList.search`); zero if that list is empty.
    function _pick(uint256 seed, uint256 epoch, uint256 index, uint256 draw)
        private
        view
        returns (address prover)
    {
        uint256 parity = (epoch - 1) & 1;
        EpochRoll memory roll = _rolls[parity];
        if (roll.epoch != epoch - 1 || roll.count == 0) return address(0);
        uint256 point = Seed.slotPoint(seed, epoch, index, draw, roll.totalWeight);
        (, prover) = SelectionList.search(_lists[parity], roll.count, point);
    }

    /// @dev Fixes the seed of list epoch `epoch` (rules in `Seed`). Called only when it is still zero and
    ///      epoch + 1 has started; writes it once.
    function _fixSeed(uint256 epoch) private returns (uint256 seed) {
        EpochRoll memory roll = _rolls[epoch & 1];
        bool current = roll.epoch == epoch;
        uint256 randao = block.number < epochStart(epoch + 1) + _commitBlocks ? block.prevrandao : 0;
        seed = Seed.derive(current ? roll.mix : 0, randao, epoch, address(this));
        _seeds[epoch] = seed;
        emit SeedFinalized(epoch, seed, current ? roll.count : 0, current ? roll.totalWeight : 0);
    }

    /// @dev Whether `a` can take one more batch (rule in `Capacity`).
    function _canTake(AccountState storage a) private view returns (bool) {
        return Capacity.canTake(
            uint256(a.stake) + a.unbonding, a.openAssignments, _params.minStake, _params.assignmentBond
        );
    }

    /// @dev `a`'s selection weight now (rule in `Weight`): its active stake and its reputation decayed to
    ///      this block.
    function _weight(AccountState storage a) private view returns (uint256) {
        uint256 stake_ = a.stake;
        uint256 cap = _params.maxWeightStake;
        uint256 rep = Reputation.decayed(
            a.reputation, a.repUpdatedAt, block.number, _params.repInitial, _params.repHalfLife
        );
        return Weight.ofStake(stake_, cap, rep);
    }

    /// @dev Applies the withheld-reveal penalty (rules in `Slashing`): clears the commitment, slashes
    ///      `nonRevealSlashBps` with no bounty, and lowers the reputation. A third party that applied it
    ///      (`penalizeNonReveal`) earns the keeper's share; the prover's own commit does not.
    function _penalizeNonReveal(address prover, AccountState storage a, uint256 epoch, bool byKeeper)
        private
    {
        a.commitHash = 0;
        uint256 amount = Slashing.take(a, _params.maxWeightStake, _params.nonRevealSlashBps);
        (uint256 burned, uint256 keeper, uint256 toTreasury) =
            Slashing.splitWithoutBounty(amount, _terms[_clock.config], byKeeper);
        _accrue(burned, toTreasury);
        _payKeeper(msg.sender, keeper);
        _lowerReputation(prover, a, _params.repNoRevealPenalty);
        emit NonRevealPenalized(prover, epoch, amount);
    }

    /// @dev Opens the race of a batch whose assigned prover missed its window and releases the batch from
    ///      the prover's capacity. The first missed batch of an assignment is the offence: it lowers the
    ///      reputation and, unless the prover was already slashed for a miss whose deadline fell in the same
    ///      epoch, slashes it under the assignment's frozen terms (rules in `Slashing`) and carries the
    ///      bounty. Later batches of the same assignment only open their race: a missed slot is one
    ///      offence, however many batches it held, and a correlated outage costs one slash per epoch.
    function _slashMissed(uint256 batchId, BatchRecord storage b, Assignment storage asg, address keeper_)
        private
    {
        address prover = asg.prover;
        AccountState storage a = _accounts[prover];
        a.openAssignments -= 1;
        b.status = BatchStatus.Racing;
        if (asg.slashed) return;
        asg.slashed = true;
        _lowerReputation(prover, a, _params.repMissPenalty);
        // The cap counts the epoch the deadline falls in on the network clock, which does not depend on
        // when a keeper calls or on later pauses (a deadline is never before genesis on that clock).
        uint256 epoch = (uint256(asg.provingDeadline) - _genesisBlock) / _epochLength;
        if (a.slashedEpoch == epoch + 1) {
            emit SlashCapped(prover, batchId, epoch);
            return;
        }
        a.slashedEpoch = uint32(epoch + 1);
        SlashTerms memory terms = _terms[asg.config];
        uint256 amount = Slashing.take(a, _params.maxWeightStake, terms.slashBps);
        (uint256 burned, uint256 bounty, uint256 keeper, uint256 toTreasury) = Slashing.split(amount, terms);
        _accrue(burned, toTreasury);
        _payKeeper(keeper_, keeper);
        b.bounty = uint96(bounty);
        emit ProverSlashed(prover, batchId, amount, burned, bounty, toTreasury);
    }

    /// @dev Takes an Open batch's rescue reward (`Slashing.openReward`) from the treasury, as much of it as the
    ///      treasury holds. Only for batches posted while nobody was listed: no slash stands behind them, so
    ///      nothing else could pay it. Slots left open because every draw found a full prover pay the fee
    ///      only: a source can cause those by filling capacity, and could then farm the treasury with its
    ///      own rescues. The treasury can run dry, and then the fee is all the rescuer gets.
    function _payOpenReward(uint256 batchId, address racer, uint256 minStake, uint256 config)
        private
        returns (uint256 reward)
    {
        SlashTerms storage terms = _terms[config];
        reward = Slashing.openReward(minStake, terms.slashBps, terms.bountyBps);
        uint256 treasury = _treasuryBalance;
        if (reward > treasury) reward = treasury;
        if (reward == 0) return 0; // nothing moved: no event
        _treasuryBalance = uint128(treasury - reward);
        emit OpenBatchRewarded(batchId, racer, reward);
    }

    /// @dev Credits a slash's burned share and treasury share (the bounty stays on its batch).
    function _accrue(uint256 burned, uint256 toTreasury) private {
        _burnPending += uint128(burned);
        _treasuryBalance += uint128(toTreasury);
    }

    /// @dev Credits a keeper's fee to its claimable balance (any address may claim).
    function _payKeeper(address keeper, uint256 amount) private {
        if (amount == 0) return;
        _accounts[keeper].claimable += uint96(amount);
        emit KeeperPaid(keeper, amount);
    }

    /// @dev Decays `a`'s reputation to this block, then adds `repGain` per proven batch (capped).
    function _raiseReputation(address prover, AccountState storage a, uint256 batches) private {
        uint256 old = Reputation.decayed(
            a.reputation, a.repUpdatedAt, block.number, _params.repInitial, _params.repHalfLife
        );
        uint256 updated = Reputation.raise(old, uint256(_params.repGain) * batches);
        a.reputation = uint16(updated);
        a.repUpdatedAt = uint40(block.number);
        emit ReputationChanged(prover, old, updated);
    }

    /// @dev Decays `a`'s reputation to this block, then subtracts `loss` (floored at zero).
    function _lowerReputation(address prover, AccountState storage a, uint256 loss) private {
        uint256 old = Reputation.decayed(
            a.reputation, a.repUpdatedAt, block.number, _params.repInitial, _params.repHalfLife
        );
        uint256 updated = Reputation.lower(old, loss);
        a.reputation = uint16(updated);
        a.repUpdatedAt = uint40(block.number);
        emit ReputationChanged(prover, old, updated);
    }
}
