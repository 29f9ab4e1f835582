// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IProverNetworkEvents} from "./interfaces/IProverNetworkEvents.sol";
import {Params} from "./types/Params.sol";
import {AccountState} from "./types/AccountState.sol";
import {
    Assignment,
    BatchRecord,
    BatchStatus,
    NetworkClock,
    PostCursor,
    SlashTerms,
    SourceAccount
} from "./types/Batch.sol";
import {EpochRoll} from "./types/EpochRoll.sol";
import {GovernanceDelay} from "./libraries/GovernanceDelay.sol";
import {Slots} from "./libraries/Slots.sol";

/// @notice What the network needs of its owner: OpenZeppelin's TimelockController answers it.
interface IMinDelay {
    /// @notice The shortest delay (seconds) between scheduling and executing an operation.
    function getMinDelay() external view returns (uint256);
}

/// @title NetworkBase
/// @notice The storage, the immutable geometry and the clock shared by `ProverNetwork` and its
///         `NetworkExtension`, which the network's fallback reaches by delegatecall. Both inherit this one
///         declaration, so both read and write the same slots; neither declares storage of its own.
/// @dev Split by concern to stay under EIP-170: the network keeps what provers and batch sources call on
///      every block (staking, selection, posting, proving, slashing); the extension holds governance, the
///      data-availability challenge and the treasury. Ownership is OpenZeppelin's two-step Ownable, and
///      once a prover has registered every owner call needs an owner that is a timelock whose delay
///      outlasts a prover's exit (`GovernanceDelay`): a change nobody can see coming cannot reach stake.
abstract contract NetworkBase is IProverNetworkEvents, Ownable2Step, ReentrancyGuardTransient {
    /// @notice Where burned slashes go.
    address public constant BURN_SINK = 0x000000000000000000000000000000000000dEaD;
    /// @dev Must equal SelectionList.CAPACITY (array lengths need a constant of this contract).
    uint256 internal constant LIST_CAPACITY = 4_294_967_296;
    /// @dev Assignment keys at or above this belong to a single batch whose data was published after a
    ///      challenge (key = base + batch id); slot keys stay far below it.
    uint256 internal constant ANSWERED_KEY_BASE = 1 << 39;

    /// @dev The staking and fee token.
    IERC20 internal immutable _token;
    /// @dev Block at which epoch 0 starts.
    uint256 internal immutable _genesisBlock;
    /// @dev Blocks of the commit phase at the start of each epoch.
    uint256 internal immutable _commitBlocks;
    /// @dev Blocks of the reveal phase that closes each epoch.
    uint256 internal immutable _revealBlocks;
    /// @dev commitBlocks + revealBlocks. Immutable: moving epoch boundaries mid-flight would move
    ///         phases under the feet of provers who already committed.
    uint256 internal immutable _epochLength;
    /// @dev Blocks per assignment slot. Immutable for the same reason as the epoch length.
    uint256 internal immutable _slotBlocks;
    /// @dev Slots per epoch (the last one may be shorter than slotBlocks).
    uint256 internal immutable _slotsPerEpoch;
    /// @dev Commitments must be below this value: the verifier's provable domain, read at deployment.
    ///         A replacement verifier must report the same bound.
    uint256 internal immutable _commitmentBound;

    Params internal _params;
    /// @dev The network clock, the current slash terms' id and the registration count (one slot).
    NetworkClock internal _clock;
    /// @dev Slashed funds owed to the treasury.
    uint128 internal _treasuryBalance;
    /// @dev Slashed funds waiting for `flushBurn`.
    uint128 internal _burnPending;
    /// @dev Next batch id and the assignment of the current slot (see `PostCursor`).
    PostCursor internal _cursor;
    /// @dev Number of batch sources ever authorised (their indices are 1..sourceCount).
    uint16 internal _sourceCount;

    mapping(address source => SourceAccount) internal _sources;
    /// @dev The batch source with index `index` (1-based), as stored on its batches.
    mapping(uint256 index => address source) internal _sourceAt;
    /// @dev The prover an operator address acts for (zero if it is nobody's operator).
    mapping(address operator => address prover) internal _proverOfOperator;
    /// @dev The operator a prover has named (zero if none).
    mapping(address prover => address operator) internal _operatorOf;
    mapping(address account => AccountState) internal _accounts;
    mapping(uint256 batchId => BatchRecord) internal _batches;
    mapping(uint256 assignmentKey => Assignment) internal _assignments;
    /// @dev The seed of each list epoch, written once and never rewritten (zero: not fixed yet).
    mapping(uint256 epoch => uint256 seed) internal _seeds;
    EpochRoll[2] internal _rolls;
    /// @dev Two selection lists (by epoch parity), each a fixed-size array so that entry i sits at a
    ///      fixed offset from the list's base slot.
    uint256[LIST_CAPACITY][2] internal _lists;
    /// @dev Every set of slash terms ever in force, by id (the current one is `_clock.config`).
    mapping(uint256 id => SlashTerms) internal _terms;
    /// @dev Network-clock block by which a challenged batch's data must be published.
    mapping(uint256 batchId => uint256 respondBy) internal _challenges;
    /// @dev The address that may pause and unpause at once (besides the owner).
    address internal _pauser;

    /// @param token_ Staking and fee token.
    /// @param owner_ Governance (two-step transferable; a timelock once provers have registered).
    /// @param genesis Block at which epoch 0 starts.
    /// @param commitBlocks_ Commit phase length in blocks.
    /// @param revealBlocks_ Reveal phase length in blocks.
    /// @param slotBlocks_ Slot length in blocks.
    /// @param bound The verifier's commitment bound.
    /// @dev Stores the values unchecked: `ProverNetwork`'s constructor checks them before this runs, and the
    ///      extension it deploys receives the same checked values.
    constructor(
        IERC20 token_,
        address owner_,
        uint256 genesis,
        uint256 commitBlocks_,
        uint256 revealBlocks_,
        uint256 slotBlocks_,
        uint256 bound
    ) Ownable(owner_) {
        _token = token_;
        _genesisBlock = genesis;
        _commitBlocks = commitBlocks_;
        _revealBlocks = revealBlocks_;
        _epochLength = commitBlocks_ + revealBlocks_;
        _slotBlocks = slotBlocks_;
        _slotsPerEpoch = Slots.perEpoch(commitBlocks_ + revealBlocks_, slotBlocks_);
        _commitmentBound = bound;
    }

    // ================================================================== ownership

    /// @notice Disabled: a network without an owner would strand the treasury and freeze its parameters.
    function renounceOwnership() public pure override {
        revert RenounceDisabled();
    }

    /// @notice Starts a two-step ownership transfer. Once provers have registered, the new owner must be a
    ///         timelock whose delay outlasts a prover's exit (`GovernanceDelay.requiredSeconds`).
    /// @param newOwner The proposed owner.
    function transferOwnership(address newOwner) public override onlyOwner {
        if (_clock.provers != 0) _requireTimelock(newOwner);
        super.transferOwnership(newOwner);
    }

    /// @dev The owner, and once a prover has registered only a timelock owner with a long enough delay.
    ///      Before the first registration nobody has stake to protect, so deployment scripts configure the
    ///      network directly.
    function _checkOwner() internal view override {
        super._checkOwner();
        if (_clock.provers != 0) _requireTimelock(owner());
    }

    /// @dev Reverts with `OwnerNotTimelock` unless `who` reports a timelock delay of at least the horizon.
    function _requireTimelock(address who) internal view {
        uint256 required = GovernanceDelay.requiredSeconds(_params, _epochLength);
        uint256 delay;
        if (who.code.length != 0) {
            try IMinDelay(who).getMinDelay() returns (uint256 d) {
                delay = d;
            } catch {}
        }
        if (delay < required) revert OwnerNotTimelock(who, delay, required);
    }

    // ================================================================== clock

    /// @dev The network clock: block.number less the blocks spent paused, frozen while paused. Deadlines
    ///      are stored on it, so a pause moves every live deadline later by its length.
    function _now() internal view returns (uint256) {
        NetworkClock memory c = _clock;
        return (c.pausedAt != 0 ? c.pausedAt : block.number) - c.pausedBlocks;
    }

    /// @dev A network-clock deadline as the block number it falls at if the network is not paused again.
    function _toBlock(uint256 deadline) internal view returns (uint256) {
        NetworkClock memory c = _clock;
        uint256 shift = c.pausedBlocks;
        if (c.pausedAt != 0) shift += block.number - c.pausedAt;
        return deadline + shift;
    }

    /// @dev Reverts with `UnknownBatch` for a batch never posted, else with `WrongBatchStatus`.
    function _revertStatus(uint256 batchId, BatchStatus status) internal pure {
        if (status == BatchStatus.None) revert UnknownBatch(batchId);
        revert WrongBatchStatus(batchId, status);
    }

    /// @dev The epoch at the current block.
    function _currentEpoch() internal view returns (uint256) {
        return (block.number - _genesisBlock) / _epochLength;
    }

    /// @dev First block of `epoch`.
    function _epochStart(uint256 epoch) internal view returns (uint256) {
        return _genesisBlock + epoch * _epochLength;
    }
}
