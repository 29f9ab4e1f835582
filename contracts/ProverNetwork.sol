// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IProverNetwork} from "./interfaces/IProverNetwork.sol";
import {IProofVerifier} from "./interfaces/IProofVerifier.sol";
import {Params} from "./types/Params.sol";
import {AccountState} from "./types/AccountState.sol";
import {Batch, BatchStatus} from "./types/Batch.sol";
import {EpochRoll} from "./types/EpochRoll.sol";
import {ParamsLib} from "./libraries/ParamsLib.sol";
import {Reputation} from "./libraries/Reputation.sol";
import {Seed} from "./libraries/Seed.sol";
import {SelectionList} from "./libraries/SelectionList.sol";
import {Slashing} from "./libraries/Slashing.sol";
import {Weight} from "./libraries/Weight.sol";

/// @title ProverNetwork
/// @notice Permissionless prover staking, commit-reveal weighted selection, exclusive proving windows,
///         slashing and an emergency open race. See docs/mechanism.md for the rules and their rationale.
/// @dev ACCOUNTING INVARIANT (every extension must preserve it):
///        token.balanceOf(this) ==  sum(stake + unbonding + claimable over all accounts)
///                                + sum(fee of batches in Assigned, Open or Racing)
///                                + sum(bounty of batches in Racing)
///                                + treasuryBalance + burnPending
///      Every inflow is credited with the amount the token actually delivered (balance difference),
///      so fee-on-transfer tokens cannot open a gap. Outflows are pull payments (`claim`, `withdraw`,
///      `withdrawTreasury`, `flushBurn`) that zero the credit before the transfer, behind a
///      reentrancy guard. No function loops over provers or batches except `submitProof`, bounded by
///      MAX_BATCHES_PER_PROOF; the draw is a binary search.
contract ProverNetwork is IProverNetwork, Ownable2Step, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Most batches one proof may cover.
    uint256 public constant MAX_BATCHES_PER_PROOF = 32;
    /// @notice Selection weight is (capped stake >> WEIGHT_SHIFT) scaled by reputation; the shift keeps
    ///         the sum of up to 2^24 provers' weights inside 96 bits. Defined in `Weight`.
    uint256 public constant WEIGHT_SHIFT = Weight.SHIFT;
    /// @notice Reputation points added to every score in the weight, so a zero score still weighs 1/11
    ///         of a perfect one instead of nothing. Defined in `Weight`.
    uint256 public constant REP_FLOOR = Weight.REP_FLOOR;
    /// @notice Upper bound of reputation scores.
    uint256 public constant REP_MAX = Reputation.MAX;
    /// @notice Where burned slashes go.
    address public constant BURN_SINK = 0x000000000000000000000000000000000000dEaD;
    uint32 private constant NO_COMMIT = type(uint32).max;
    /// @dev Must equal SelectionList.CAPACITY (array lengths need a constant of this contract).
    uint256 private constant LIST_CAPACITY = 4_294_967_296;

    /// @notice The staking and fee token.
    IERC20 public immutable token;
    /// @notice Block at which epoch 0 starts.
    uint256 public immutable genesisBlock;
    /// @notice Blocks of the commit phase at the start of each epoch.
    uint256 public immutable commitBlocks;
    /// @notice Blocks of the reveal phase that closes each epoch.
    uint256 public immutable revealBlocks;
    /// @notice commitBlocks + revealBlocks. Immutable: moving epoch boundaries mid-flight would move
    ///         phases under the feet of provers who already committed.
    uint256 public immutable epochLength;

    Params internal _params;
    /// @notice The proof verifier.
    IProofVerifier public verifier;
    /// @notice Id the next posted batch gets (ids start at 1).
    uint64 public nextBatchId = 1;
    /// @notice Slashed funds owed to the treasury.
    uint128 public treasuryBalance;
    /// @notice Slashed funds waiting for `flushBurn`.
    uint128 public burnPending;

    /// @notice Whether an address may post batches.
    mapping(address source => bool allowed) public isBatchSource;
    mapping(address account => AccountState) internal _accounts;
    mapping(uint256 batchId => Batch) internal _batches;
    EpochRoll[2] internal _rolls;
    /// @dev epoch << 224 | seed, by epoch parity.
    uint256[2] internal _seeds;
    /// @dev Two selection lists (by epoch parity), each a fixed-size array so that entry i sits at a
    ///      fixed offset from the list's base slot.
    uint256[LIST_CAPACITY][2] internal _lists;

    /// @param token_ Staking and fee token.
    /// @param verifier_ Proof verifier.
    /// @param owner_ Governance (two-step transferable).
    /// @param commitBlocks_ Commit phase length in blocks.
    /// @param revealBlocks_ Reveal phase length in blocks.
    /// @param params_ Initial parameters, bounds-checked.
    constructor(
        IERC20 token_,
        IProofVerifier verifier_,
        address owner_,
        uint256 commitBlocks_,
        uint256 revealBlocks_,
        Params memory params_
    ) Ownable(owner_) {
        if (address(token_) == address(0) || address(verifier_) == address(0)) {
            revert ZeroAddress();
        }
        if (commitBlocks_ == 0 || commitBlocks_ > 100_000) {
            revert ParamsLib.ParamOutOfBounds("commitBlocks", commitBlocks_, 1, 100_000);
        }
        if (revealBlocks_ == 0 || revealBlocks_ > 100_000) {
            revert ParamsLib.ParamOutOfBounds("revealBlocks", revealBlocks_, 1, 100_000);
        }
        token = token_;
        verifier = verifier_;
        genesisBlock = block.number;
        commitBlocks = commitBlocks_;
        revealBlocks = revealBlocks_;
        epochLength = commitBlocks_ + revealBlocks_;
        ParamsLib.validate(params_, commitBlocks_ + revealBlocks_);
        _params = params_;
        emit ParamsUpdated(params_);
        emit VerifierUpdated(address(verifier_));
    }

    // ================================================================== staking

    /// @inheritdoc IProverNetwork
    function register(uint256 amount) external nonReentrant {
        AccountState storage a = _accounts[msg.sender];
        if (a.registered) revert AlreadyRegistered(msg.sender);
        uint256 received = _pull(amount);
        uint256 minStake = _params.minStake;
        if (received < minStake) revert StakeBelowMinimum(received, minStake);
        uint256 rep = _params.repInitial;
        a.stake = received.toUint96();
        a.registered = true;
        a.reputation = uint16(rep);
        a.repUpdatedAt = uint40(block.number);
        a.commitEpoch = NO_COMMIT;
        emit ProverRegistered(msg.sender, received, rep);
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
        if (a.openAssignments != 0) revert OpenAssignments(a.openAssignments);
        if (a.commitHash != 0) revert UnresolvedCommitment(a.commitEpoch);
        a.unbonding = 0;
        token.safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    /// @inheritdoc IProverNetwork
    function claim() external nonReentrant {
        AccountState storage a = _accounts[msg.sender];
        uint256 amount = a.claimable;
        if (amount == 0) revert NothingToClaim();
        a.claimable = 0;
        token.safeTransfer(msg.sender, amount);
        emit Claimed(msg.sender, amount);
    }

    // ================================================================== selection

    /// @inheritdoc IProverNetwork
    function commit(bytes32 commitment) external {
        if (bytes28(commitment) == 0) revert EmptyCommitment();
        uint256 epoch = currentEpoch();
        uint256 start = epochStart(epoch);
        if (block.number >= start + commitBlocks) {
            revert WrongPhase(epoch, start, start + commitBlocks, block.number);
        }
        AccountState storage a = _accounts[msg.sender];
        uint256 minStake = _params.minStake;
        if (a.stake < minStake) {
            // Only now read `registered` (another slot): the common path never needs it.
            if (!a.registered) revert NotRegistered(msg.sender);
            revert StakeBelowMinimum(a.stake, minStake);
        }
        if (a.commitHash != 0) {
            uint256 previous = a.commitEpoch;
            if (previous == epoch) revert AlreadyCommitted(epoch);
            // The previous commitment's reveal phase is over (it belongs to an earlier epoch):
            // apply the withheld-reveal penalty here so a restarted prover is never stuck.
            _penalizeNonReveal(msg.sender, a, previous);
        }
        a.commitEpoch = uint32(epoch);
        a.commitHash = bytes28(commitment);
        emit Committed(msg.sender, epoch, commitment);
    }

    /// @inheritdoc IProverNetwork
    function reveal(bytes32 secret) external {
        uint256 epoch = currentEpoch();
        uint256 revealStart = epochStart(epoch) + commitBlocks;
        if (block.number < revealStart) {
            revert WrongPhase(epoch, revealStart, revealStart + revealBlocks, block.number);
        }
        AccountState storage a = _accounts[msg.sender];
        if (a.commitEpoch != epoch || a.commitHash == 0) revert NoCommitment(epoch);
        if (Seed.commitmentOf(secret, msg.sender, epoch) != a.commitHash) {
            revert RevealMismatch(epoch);
        }
        a.commitHash = 0;

        uint256 weight = a.stake < _params.minStake ? 0 : _weight(a);
        if (weight == 0) {
            // Revealing still clears the commitment, but an under-staked prover is not listed.
            emit Revealed(msg.sender, epoch, 0, type(uint256).max);
            return;
        }
        uint256 parity = epoch & 1;
        EpochRoll memory roll = _rolls[parity];
        if (roll.epoch != epoch) roll = EpochRoll(uint32(epoch), 0, 0, 0);
        uint256 total = roll.totalWeight + weight;
        uint256 index = roll.count;
        _lists[parity][index] = SelectionList.pack(msg.sender, total);
        _rolls[parity] =
            EpochRoll(uint32(epoch), uint32(index + 1), total.toUint96(), Seed.mixIn(roll.mix, secret));
        emit Revealed(msg.sender, epoch, weight, index);
    }

    /// @inheritdoc IProverNetwork
    function penalizeNonReveal(address prover) external {
        AccountState storage a = _accounts[prover];
        uint256 epoch = a.commitEpoch;
        if (a.commitHash == 0 || block.number < epochStart(epoch + 1)) {
            revert NoOverdueCommitment(prover, epoch);
        }
        _penalizeNonReveal(prover, a, epoch);
    }

    /// @inheritdoc IProverNetwork
    function finalizeSeed(uint256 epoch) external {
        uint256 readyAt = epochStart(epoch + 1);
        if (block.number < readyAt) revert SeedNotReady(epoch, readyAt);
        _seedOf(epoch);
    }

    // ================================================================== batches

    /// @inheritdoc IProverNetwork
    function postBatch(bytes32 commitment, uint256 fee)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 batchId)
    {
        if (!isBatchSource[msg.sender]) revert NotBatchSource(msg.sender);
        if (commitment == 0) revert EmptyCommitment();
        uint96 received = _pull(fee).toUint96();
        batchId = nextBatchId++;
        address prover = _assign(batchId);
        Batch storage b = _batches[batchId];
        uint256 provingDeadline = block.number;
        if (prover != address(0)) {
            provingDeadline += _params.provingWindow;
            b.status = BatchStatus.Assigned;
        } else {
            b.status = BatchStatus.Open;
        }
        uint256 raceDeadline = provingDeadline + _params.raceWindow;
        b.commitment = commitment;
        b.prover = prover;
        b.fee = received;
        b.provingDeadline = uint40(provingDeadline);
        b.raceDeadline = uint40(raceDeadline);
        b.poster = msg.sender;
        emit BatchPosted(batchId, msg.sender, commitment, received, prover, provingDeadline, raceDeadline);
    }

    /// @inheritdoc IProverNetwork
    function submitProof(uint256 firstBatchId, uint256 count, bytes calldata proof) external {
        if (count == 0) revert ZeroAmount();
        if (count > MAX_BATCHES_PER_PROOF) revert TooManyBatches(count, MAX_BATCHES_PER_PROOF);
        bytes32[] memory commitments = new bytes32[](count);
        uint256 payout;
        for (uint256 i; i < count; ++i) {
            uint256 id = firstBatchId + i;
            Batch storage b = _batches[id];
            BatchStatus status = b.status;
            if (status != BatchStatus.Assigned) _revertStatus(id, status);
            if (b.prover != msg.sender) revert NotAssignedProver(id, b.prover, msg.sender);
            if (block.number > b.provingDeadline) revert ProvingWindowClosed(id, b.provingDeadline);
            commitments[i] = b.commitment;
            payout += b.fee;
        }
        if (!verifier.verify(msg.sender, firstBatchId, commitments, proof)) {
            revert InvalidProof(firstBatchId, count);
        }

        for (uint256 i; i < count; ++i) {
            uint256 id = firstBatchId + i;
            Batch storage b = _batches[id];
            b.status = BatchStatus.Proven;
            emit BatchProven(id, msg.sender, b.fee, false);
        }
        AccountState storage a = _accounts[msg.sender];
        a.openAssignments -= uint24(count);
        a.claimable += payout.toUint96();
        _raiseReputation(msg.sender, a, count);
    }

    /// @inheritdoc IProverNetwork
    function slashMissed(uint256 batchId) external {
        Batch storage b = _batches[batchId];
        if (b.status != BatchStatus.Assigned) _revertStatus(batchId, b.status);
        if (block.number <= b.provingDeadline) revert ProvingWindowOpen(batchId, b.provingDeadline);
        _slashMissed(batchId, b);
    }

    /// @inheritdoc IProverNetwork
    function raceSubmit(uint256 batchId, bytes calldata proof) external {
        Batch storage b = _batches[batchId];
        BatchStatus status = b.status;
        if (status == BatchStatus.Assigned) {
            if (block.number <= b.provingDeadline) revert ProvingWindowOpen(batchId, b.provingDeadline);
        } else if (status != BatchStatus.Open && status != BatchStatus.Racing) {
            _revertStatus(batchId, status);
        }
        if (block.number > b.raceDeadline) revert RaceClosed(batchId, b.raceDeadline);
        if (msg.sender == b.prover) revert SlashedProverCannotRace(batchId);
        AccountState storage a = _accounts[msg.sender];
        uint256 minStake = _params.minStake;
        if (a.stake < minStake) revert NotEligible(msg.sender, a.stake, minStake);
        bytes32[] memory commitments = new bytes32[](1);
        commitments[0] = b.commitment;
        if (!verifier.verify(msg.sender, batchId, commitments, proof)) revert InvalidProof(batchId, 1);

        if (status == BatchStatus.Assigned) _slashMissed(batchId, b);
        uint256 payout = uint256(b.fee) + b.bounty;
        b.status = BatchStatus.Proven;
        a.claimable += payout.toUint96();
        _raiseReputation(msg.sender, a, 1);
        emit BatchProven(batchId, msg.sender, payout, true);
    }

    /// @inheritdoc IProverNetwork
    function markFailed(uint256 batchId) external {
        Batch storage b = _batches[batchId];
        BatchStatus status = b.status;
        if (status != BatchStatus.Assigned && status != BatchStatus.Open && status != BatchStatus.Racing) {
            _revertStatus(batchId, status);
        }
        if (block.number <= b.raceDeadline) revert RaceNotOver(batchId, b.raceDeadline);
        if (status == BatchStatus.Assigned) _slashMissed(batchId, b);
        // Nobody rescued the batch: the bounty has no winner and goes to the treasury.
        uint256 bounty = b.bounty;
        if (bounty != 0) {
            treasuryBalance += uint128(bounty);
            b.bounty = 0;
        }
        uint256 refund = b.fee;
        b.status = BatchStatus.Failed;
        address poster = b.poster;
        _accounts[poster].claimable += uint96(refund);
        emit BatchFailed(batchId, poster, refund);
    }

    // ================================================================== governance

    /// @notice Replaces all parameters; each is bounds-checked. Applies to batches posted afterwards
    ///         (deadlines are fixed when a batch is posted).
    /// @param p The new parameters.
    function setParams(Params calldata p) external onlyOwner {
        ParamsLib.validate(p, epochLength);
        _params = p;
        emit ParamsUpdated(p);
    }

    /// @notice Authorises or de-authorises a batch source (the rollup's inbox or sequencer).
    /// @param source The address.
    /// @param allowed Whether it may post.
    function setBatchSource(address source, bool allowed) external onlyOwner {
        if (source == address(0)) revert ZeroAddress();
        isBatchSource[source] = allowed;
        emit BatchSourceSet(source, allowed);
    }

    /// @notice Replaces the proof verifier.
    /// @param newVerifier The verifier.
    function setVerifier(IProofVerifier newVerifier) external onlyOwner {
        if (address(newVerifier) == address(0)) revert ZeroAddress();
        verifier = newVerifier;
        emit VerifierUpdated(address(newVerifier));
    }

    /// @notice Stops new batches. Staking exits, proofs, races, claims and withdrawals keep working,
    ///         so a pause can never trap stake or rewards.
    function pause() external onlyOwner {
        _pause();
    }

    /// @notice Lets batches be posted again.
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @notice Pays treasury funds out.
    /// @param to The recipient.
    /// @param amount The amount.
    function withdrawTreasury(address to, uint256 amount) external onlyOwner nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 available = treasuryBalance;
        if (amount > available) revert InsufficientTreasury(amount, available);
        treasuryBalance = uint128(available - amount);
        token.safeTransfer(to, amount);
        emit TreasuryWithdrawn(to, amount);
    }

    /// @notice Sends the slashed funds earmarked for burning to BURN_SINK. Permissionless.
    function flushBurn() external nonReentrant {
        uint256 amount = burnPending;
        if (amount == 0) revert NothingToClaim();
        burnPending = 0;
        token.safeTransfer(BURN_SINK, amount);
        emit Burned(amount);
    }

    // ================================================================== views

    /// @notice The current parameters.
    function params() external view returns (Params memory) {
        return _params;
    }

    /// @notice Everything stored for `who` (reputation as last written; see `reputationOf`).
    function accountOf(address who) external view returns (AccountState memory) {
        return _accounts[who];
    }

    /// @notice A batch as stored.
    function batchOf(uint256 batchId) external view returns (Batch memory) {
        return _batches[batchId];
    }

    /// @notice A batch's status with deadlines applied: a batch whose race is over and that nobody
    ///         proved is reported as Failed even before `markFailed` records it.
    function effectiveStatus(uint256 batchId) external view returns (BatchStatus) {
        Batch storage b = _batches[batchId];
        BatchStatus status = b.status;
        if (
            (status == BatchStatus.Assigned || status == BatchStatus.Open || status == BatchStatus.Racing)
                && block.number > b.raceDeadline
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

    /// @notice The epoch at the current block.
    function currentEpoch() public view returns (uint256) {
        return (block.number - genesisBlock) / epochLength;
    }

    /// @notice First block of `epoch`.
    function epochStart(uint256 epoch) public view returns (uint256) {
        return genesisBlock + epoch * epochLength;
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

    /// @notice The stored seed of `epoch`, or zero if it has not been fixed yet.
    function seedOf(uint256 epoch) external view returns (uint256) {
        return Seed.unpack(_seeds[epoch & 1], epoch);
    }

    /// @notice The prover a weighted draw with `randomness` picks from `epoch`'s list. The draw used by
    ///         `postBatch` is this with randomness keccak256(seed, batchId). O(log N).
    function drawProver(uint256 epoch, uint256 randomness) external view returns (address prover) {
        EpochRoll memory roll = _rolls[epoch & 1];
        if (roll.epoch != epoch || roll.count == 0) return address(0);
        (, prover) = SelectionList.search(_lists[epoch & 1], roll.count, randomness % roll.totalWeight);
    }

    // ================================================================== internals

    /// @dev Pulls `amount` from the caller and returns what actually arrived.
    function _pull(uint256 amount) private returns (uint256 received) {
        if (amount == 0) revert ZeroAmount();
        if (amount > type(uint96).max) revert AmountTooLarge(amount);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        received = token.balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();
    }

    /// @dev Draws the prover of `batchId` from the previous epoch's list; zero if nobody is eligible.
    function _assign(uint256 batchId) private returns (address prover) {
        uint256 epoch = currentEpoch();
        if (epoch == 0) return address(0);
        uint256 listEpoch = epoch - 1;
        uint256 parity = listEpoch & 1;
        EpochRoll memory roll = _rolls[parity];
        if (roll.epoch != listEpoch || roll.count == 0) return address(0);
        uint256 seed = _seedOf(listEpoch);
        uint256 r = Seed.drawPoint(seed, batchId, roll.totalWeight);
        (, prover) = SelectionList.search(_lists[parity], roll.count, r);
        // The list froze at the reveal deadline; a prover that has since dropped below minStake
        // (slashed or unstaking) is skipped and the batch goes to the open race instead.
        AccountState storage a = _accounts[prover];
        if (a.stake < _params.minStake) return address(0);
        a.openAssignments += 1;
    }

    /// @dev The seed of `epoch`'s list, fixed on first use after its reveal phase (rules in `Seed`): the
    ///      reveals' mix sealed by the hash of the reveal phase's last block, which nobody knows while
    ///      revealing. Stored by parity so a later call of the same epoch reuses it.
    function _seedOf(uint256 epoch) private returns (uint256 seed) {
        uint256 parity = epoch & 1;
        seed = Seed.unpack(_seeds[parity], epoch);
        if (seed != 0) return seed;
        bytes32 entropy = Seed.entropy(epochStart(epoch + 1) - 1);
        EpochRoll memory roll = _rolls[parity];
        uint96 mix = roll.epoch == epoch ? roll.mix : 0;
        seed = Seed.derive(mix, entropy, epoch, address(this));
        _seeds[parity] = Seed.pack(epoch, seed);
        emit SeedFinalized(
            epoch, seed, roll.epoch == epoch ? roll.count : 0, roll.epoch == epoch ? roll.totalWeight : 0
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
    ///      `nonRevealSlashBps` with no bounty, and lowers the reputation.
    function _penalizeNonReveal(address prover, AccountState storage a, uint256 epoch) private {
        a.commitHash = 0;
        uint256 amount = Slashing.take(a, _params.maxWeightStake, _params.nonRevealSlashBps);
        (uint256 burned, uint256 toTreasury) = Slashing.splitWithoutBounty(amount, _params.burnBps);
        _accrue(burned, toTreasury);
        _lowerReputation(prover, a, _params.repNoRevealPenalty);
        emit NonRevealPenalized(prover, epoch, amount);
    }

    /// @dev Slashes the silent prover of `batchId` (rules in `Slashing`), releases its assignment, holds the
    ///      bounty on the batch for the race winner, and opens the race.
    function _slashMissed(uint256 batchId, Batch storage b) private {
        address prover = b.prover;
        AccountState storage a = _accounts[prover];
        uint256 amount = Slashing.take(a, _params.maxWeightStake, _params.slashBps);
        a.openAssignments -= 1;
        (uint256 burned, uint256 bounty, uint256 toTreasury) =
            Slashing.split(amount, _params.burnBps, _params.bountyBps);
        _accrue(burned, toTreasury);
        b.status = BatchStatus.Racing;
        b.bounty = uint96(bounty);
        _lowerReputation(prover, a, _params.repMissPenalty);
        emit ProverSlashed(prover, batchId, amount, burned, bounty, toTreasury);
    }

    /// @dev Credits a slash's burned share and treasury share (the bounty stays on its batch).
    function _accrue(uint256 burned, uint256 toTreasury) private {
        burnPending += uint128(burned);
        treasuryBalance += uint128(toTreasury);
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

    /// @dev Reverts with `UnknownBatch` for a batch never posted, else with `WrongBatchStatus`.
    function _revertStatus(uint256 batchId, BatchStatus status) private pure {
        if (status == BatchStatus.None) revert UnknownBatch(batchId);
        revert WrongBatchStatus(batchId, status);
    }
}
