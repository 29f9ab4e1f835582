// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Params} from "../types/Params.sol";
import {BatchStatus} from "../types/Batch.sol";

/// @title IProverNetwork
/// @notice Staking, commit-reveal selection, proving windows, slashing and the emergency open race of
///         the provernet prover network. All durations and deadlines are block numbers.
interface IProverNetwork {
    // ------------------------------------------------------------------ errors

    /// @notice An amount of zero was given where a positive amount is required.
    error ZeroAmount();
    /// @notice A zero address was given where a real one is required.
    error ZeroAddress();
    /// @notice An amount does not fit the 96-bit accounting fields.
    /// @param amount The rejected amount.
    error AmountTooLarge(uint256 amount);
    /// @notice `register` was called by an address that is already registered.
    /// @param prover The caller.
    error AlreadyRegistered(address prover);
    /// @notice The caller must be a registered prover.
    /// @param account The caller.
    error NotRegistered(address account);
    /// @notice The stake that would result is below the minimum.
    /// @param stake The stake the action would leave or create.
    /// @param minimum The current `minStake`.
    error StakeBelowMinimum(uint256 stake, uint256 minimum);
    /// @notice `requestUnstake` asked for more than the active stake.
    /// @param requested The amount asked for.
    /// @param available The active stake.
    error InsufficientStake(uint256 requested, uint256 available);
    /// @notice `withdraw` found nothing unbonding.
    error NothingToWithdraw();
    /// @notice `withdraw` was called before the unbonding delay passed.
    /// @param readyAt The first block at which withdrawal is possible.
    /// @param current The current block.
    error UnbondingNotFinished(uint256 readyAt, uint256 current);
    /// @notice `withdraw` would leave the prover's open assignments uncovered: its active stake must stay
    ///         at least minStake + open x assignmentBond while it holds any (proven, slashed or failed
    ///         batches release them).
    /// @param open The number of open assignments.
    error OpenAssignments(uint256 open);
    /// @notice The prover has a commitment that is neither revealed nor penalised yet.
    /// @param epoch The epoch of that commitment.
    error UnresolvedCommitment(uint256 epoch);
    /// @notice The action belongs to a different phase of the epoch.
    /// @param epoch The current epoch.
    /// @param phaseStart First block of the phase the action needs.
    /// @param phaseEnd First block after the phase the action needs.
    /// @param current The current block.
    error WrongPhase(uint256 epoch, uint256 phaseStart, uint256 phaseEnd, uint256 current);
    /// @notice The prover already committed in this epoch.
    /// @param epoch The current epoch.
    error AlreadyCommitted(uint256 epoch);
    /// @notice `reveal` found no open commitment for this epoch.
    /// @param epoch The current epoch.
    error NoCommitment(uint256 epoch);
    /// @notice The revealed secret does not hash to the commitment.
    /// @param epoch The current epoch.
    error RevealMismatch(uint256 epoch);
    /// @notice A non-reveal penalty was requested while the reveal phase is still running, or there is
    ///         no unrevealed commitment.
    /// @param prover The prover.
    /// @param epoch The epoch of its last commitment.
    error NoOverdueCommitment(address prover, uint256 epoch);
    /// @notice The caller is not an authorised batch source.
    /// @param caller The caller.
    error NotBatchSource(address caller);
    /// @notice No batch has this id.
    /// @param batchId The id.
    error UnknownBatch(uint256 batchId);
    /// @notice The batch is not in the state the action needs.
    /// @param batchId The batch.
    /// @param status Its current status.
    error WrongBatchStatus(uint256 batchId, BatchStatus status);
    /// @notice Only the assigned prover may prove during the exclusive window.
    /// @param batchId The batch.
    /// @param assigned The assigned prover.
    /// @param caller The caller.
    error NotAssignedProver(uint256 batchId, address assigned, address caller);
    /// @notice The exclusive proving window has closed.
    /// @param batchId The batch.
    /// @param deadline Last block of the window.
    error ProvingWindowClosed(uint256 batchId, uint256 deadline);
    /// @notice The exclusive proving window is still open.
    /// @param batchId The batch.
    /// @param deadline Last block of the window.
    error ProvingWindowOpen(uint256 batchId, uint256 deadline);
    /// @notice The emergency race has ended.
    /// @param batchId The batch.
    /// @param raceDeadline Last block of the race.
    error RaceClosed(uint256 batchId, uint256 raceDeadline);
    /// @notice The emergency race has not ended yet.
    /// @param batchId The batch.
    /// @param raceDeadline Last block of the race.
    error RaceNotOver(uint256 batchId, uint256 raceDeadline);
    /// @notice The prover slashed for a batch may not win that batch's race.
    /// @param batchId The batch.
    error SlashedProverCannotRace(uint256 batchId);
    /// @notice The caller's active stake is below the minimum, so it may not race.
    /// @param prover The caller.
    /// @param stake Its active stake.
    /// @param minimum The current `minStake`.
    error NotEligible(address prover, uint256 stake, uint256 minimum);
    /// @notice The verifier rejected the proof.
    /// @param firstBatchId The first batch the proof claims to cover.
    /// @param count The number of batches.
    error InvalidProof(uint256 firstBatchId, uint256 count);
    /// @notice A proof may cover at most MAX_BATCHES_PER_PROOF batches.
    /// @param count The number requested.
    /// @param max The maximum.
    error TooManyBatches(uint256 count, uint256 max);
    /// @notice There is nothing to claim.
    error NothingToClaim();
    /// @notice A commitment (or its 28 stored bytes) was zero.
    error EmptyCommitment();
    /// @notice An epoch's seed can be fixed only after its reveal phase has ended.
    /// @param epoch The epoch.
    /// @param readyAt The first block at which the seed can be fixed.
    error SeedNotReady(uint256 epoch, uint256 readyAt);
    /// @notice The batch's fee is below the minimum fee.
    /// @param fee The fee offered.
    /// @param minimum The current `minFee`.
    error FeeBelowMinimum(uint256 fee, uint256 minimum);
    /// @notice The source's prepaid fee balance is smaller than the amount needed.
    /// @param needed The fee or withdrawal asked for.
    /// @param balance The source's fee balance.
    error InsufficientFeeBalance(uint256 needed, uint256 balance);
    /// @notice The commitment is outside what the verifier can prove (e.g. not a BN254 field element), so
    ///         nobody could ever prove the batch.
    /// @param commitment The commitment.
    /// @param bound Commitments must be below this value.
    error CommitmentOutOfDomain(bytes32 commitment, uint256 bound);
    /// @notice A replacement verifier accepts a different commitment domain than the network was deployed
    ///         with; batches posted under the old domain could become unprovable.
    /// @param expected The network's commitment bound.
    /// @param actual The new verifier's bound.
    error VerifierDomainMismatch(uint256 expected, uint256 actual);
    /// @notice The address cannot be made an operator: it is zero, the prover itself, a registered prover,
    ///         or already the operator of another prover.
    /// @param operator The rejected address.
    error OperatorUnavailable(address operator);
    /// @notice The address is the operator of a prover, so it cannot register as a prover itself.
    /// @param operator The caller.
    error OperatorCannotRegister(address operator);
    /// @notice The treasury holds less than requested.
    /// @param requested The amount requested.
    /// @param available The treasury balance.
    error InsufficientTreasury(uint256 requested, uint256 available);

    // ------------------------------------------------------------------ events

    /// @notice A prover registered.
    /// @param prover The prover.
    /// @param stake The stake credited (what the token actually delivered).
    /// @param reputation Its starting reputation.
    event ProverRegistered(address indexed prover, uint256 stake, uint256 reputation);
    /// @notice A prover added stake.
    /// @param prover The prover.
    /// @param amount The amount credited.
    /// @param newStake Its active stake afterwards.
    event StakeAdded(address indexed prover, uint256 amount, uint256 newStake);
    /// @notice A prover moved stake into unbonding.
    /// @param prover The prover.
    /// @param amount The amount moved.
    /// @param totalUnbonding Its unbonding amount afterwards.
    /// @param readyAt The first block at which it can withdraw.
    event UnstakeRequested(address indexed prover, uint256 amount, uint256 totalUnbonding, uint256 readyAt);
    /// @notice A prover withdrew its unbonded stake.
    /// @param prover The prover.
    /// @param amount The amount paid out.
    event Withdrawn(address indexed prover, uint256 amount);
    /// @notice A prover committed to a secret for an epoch.
    /// @param prover The prover.
    /// @param epoch The epoch.
    /// @param commitment keccak256(abi.encode(secret, prover, epoch)).
    event Committed(address indexed prover, uint256 indexed epoch, bytes32 commitment);
    /// @notice A prover revealed and entered the selection list used during the next epoch.
    /// @param prover The prover.
    /// @param epoch The epoch.
    /// @param weight Its selection weight, frozen for the next epoch.
    /// @param index Its position in the epoch's selection list.
    event Revealed(address indexed prover, uint256 indexed epoch, uint256 weight, uint256 index);
    /// @notice A prover that committed and did not reveal was penalised.
    /// @param prover The prover.
    /// @param epoch The epoch of the withheld reveal.
    /// @param slashed The stake slashed.
    event NonRevealPenalized(address indexed prover, uint256 indexed epoch, uint256 slashed);
    /// @notice The random seed of an epoch's selection list was fixed.
    /// @param epoch The epoch whose reveals fed the seed (its list serves epoch + 1).
    /// @param seed The seed.
    /// @param eligible The number of eligible provers.
    /// @param totalWeight Their total weight.
    event SeedFinalized(uint256 indexed epoch, uint256 seed, uint256 eligible, uint256 totalWeight);
    /// @notice A batch was posted and, if anyone was eligible, assigned.
    /// @param batchId The batch.
    /// @param poster The batch source.
    /// @param commitment The batch commitment.
    /// @param fee The escrowed proving fee (what the token delivered).
    /// @param prover The assigned prover, or zero if the batch went straight to the open race.
    /// @param provingDeadline Last block of the exclusive window.
    /// @param raceDeadline Last block of the emergency race.
    event BatchPosted(
        uint256 indexed batchId,
        address indexed poster,
        bytes32 commitment,
        uint256 fee,
        address indexed prover,
        uint256 provingDeadline,
        uint256 raceDeadline
    );
    /// @notice A batch was proven.
    /// @param batchId The batch.
    /// @param prover The prover paid.
    /// @param payout Fee plus bounty credited to the prover.
    /// @param rescued True if it was won in the emergency race.
    event BatchProven(uint256 indexed batchId, address indexed prover, uint256 payout, bool rescued);
    /// @notice A prover was slashed for missing a proving window.
    /// @param prover The prover.
    /// @param batchId The batch it missed.
    /// @param amount The stake slashed.
    /// @param burned The part sent to the burn sink.
    /// @param bounty The part set aside for the race winner.
    /// @param toTreasury The part credited to the treasury.
    event ProverSlashed(
        address indexed prover,
        uint256 indexed batchId,
        uint256 amount,
        uint256 burned,
        uint256 bounty,
        uint256 toTreasury
    );
    /// @notice Nobody proved a batch before its race ended; its fee went back to the poster. Rollups
    ///         listen for this event to prune or re-org the batch.
    /// @param batchId The batch.
    /// @param poster The poster, whose claimable balance was credited.
    /// @param refund The refunded fee.
    event BatchFailed(uint256 indexed batchId, address indexed poster, uint256 refund);
    /// @notice A reputation score changed.
    /// @param prover The prover.
    /// @param oldReputation The score before (after decay).
    /// @param newReputation The score after.
    event ReputationChanged(address indexed prover, uint256 oldReputation, uint256 newReputation);
    /// @notice An account claimed its credited rewards or refunds.
    /// @param account The account.
    /// @param amount The amount paid.
    event Claimed(address indexed account, uint256 amount);
    /// @notice Governance replaced the parameters.
    /// @param params The new parameters.
    event ParamsUpdated(Params params);
    /// @notice Governance authorised or de-authorised a batch source.
    /// @param source The source.
    /// @param allowed Whether it may post batches.
    event BatchSourceSet(address indexed source, bool allowed);
    /// @notice Governance replaced the proof verifier.
    /// @param verifier The new verifier.
    event VerifierUpdated(address indexed verifier);
    /// @notice Governance paid out treasury funds.
    /// @param to The recipient.
    /// @param amount The amount.
    event TreasuryWithdrawn(address indexed to, uint256 amount);
    /// @notice A batch source prepaid fees.
    /// @param source The source.
    /// @param amount The amount credited (what the token delivered).
    /// @param balance Its fee balance afterwards.
    event FeesDeposited(address indexed source, uint256 amount, uint256 balance);
    /// @notice A batch source took unused prepaid fees back.
    /// @param source The source.
    /// @param amount The amount paid out.
    /// @param balance Its fee balance afterwards.
    event FeesWithdrawn(address indexed source, uint256 amount, uint256 balance);
    /// @notice A prover named (or, with zero, removed) the hot key that may act for it.
    /// @param prover The prover (staking address).
    /// @param operator The operator, or zero.
    event OperatorSet(address indexed prover, address indexed operator);
    /// @notice A slot's draw picked the prover its batches go to (emitted by the slot's first batch of
    ///         that draw).
    /// @param epoch The slot's epoch.
    /// @param index The slot's index in the epoch.
    /// @param draw The draw (0 first; later ones only when the earlier prover was full), or 7 if the
    ///        slot's remaining batches are open.
    /// @param prover The prover, or zero for open.
    event SlotAssigned(uint256 indexed epoch, uint256 indexed index, uint256 draw, address indexed prover);
    /// @notice Slashed funds earmarked for burning were sent to the burn sink.
    /// @param amount The amount.
    event Burned(uint256 amount);

    // ------------------------------------------------------------------ staking

    /// @notice Registers the caller as a prover with an initial stake of at least `minStake`.
    /// @param amount Tokens to pull from the caller (approve first).
    function register(uint256 amount) external;
    /// @notice Adds stake.
    /// @param amount Tokens to pull from the caller (approve first).
    function stake(uint256 amount) external;
    /// @notice Moves `amount` of active stake into unbonding; restarts the unbonding delay.
    /// @param amount The amount.
    function requestUnstake(uint256 amount) external;
    /// @notice Pays out all unbonded stake once the delay has passed, no commitment is unresolved and the
    ///         remaining active stake covers the open assignments.
    function withdraw() external;
    /// @notice Pays out the caller's credited rewards and refunds.
    function claim() external;
    /// @notice Names `operator` as the hot key that may commit, reveal, submit proofs and race for the
    ///         caller (zero removes it). Staking, unstaking, withdrawing, claiming and this call stay with
    ///         the prover's own address.
    /// @param operator The operator address, or zero.
    function setOperator(address operator) external;

    // ------------------------------------------------------------------ selection

    /// @notice Commits to a secret for the current epoch (commit phase only).
    /// @param commitment keccak256(abi.encode(secret, msg.sender, epoch)).
    function commit(bytes32 commitment) external;
    /// @notice Reveals the committed secret (reveal phase only) and enters the next epoch's list.
    /// @param secret The secret.
    function reveal(bytes32 secret) external;
    /// @notice Penalises a prover whose last commitment went unrevealed. Permissionless.
    /// @param prover The prover.
    function penalizeNonReveal(address prover) external;
    /// @notice Fixes the seed of `epoch`'s selection list once its reveal phase has ended. Permissionless;
    ///         `postBatch` does it on demand.
    /// @param epoch The epoch.
    function finalizeSeed(uint256 epoch) external;

    // ------------------------------------------------------------------ batches

    /// @notice Prepays proving fees for later batches (approve first). Batch sources only.
    /// @param amount Tokens to pull from the caller.
    function depositFees(uint256 amount) external;
    /// @notice Pays unused prepaid fees back to the caller.
    /// @param amount The amount.
    function withdrawFees(uint256 amount) external;
    /// @notice Posts a batch, escrows its fee from the caller's prepaid balance and hands it to the
    ///         current slot's prover. Batch sources only.
    /// @param commitment The batch commitment the proof must bind (below the verifier's bound).
    /// @param fee The proving fee (at least `minFee`), taken from the prepaid balance.
    /// @return batchId The new batch's id.
    function postBatch(bytes32 commitment, uint256 fee) external returns (uint256 batchId);
    /// @notice Submits one proof for `count` consecutive batches assigned to the caller, inside their
    ///         exclusive windows.
    /// @param firstBatchId The first batch.
    /// @param count The number of batches.
    /// @param proof The proof.
    function submitProof(uint256 firstBatchId, uint256 count, bytes calldata proof) external;
    /// @notice Opens the race of a batch whose window has passed; slashes its assigned prover if that
    ///         assignment was not slashed yet (one slash per missed assignment). Permissionless.
    /// @param batchId The batch.
    function slashMissed(uint256 batchId) external;
    /// @notice Wins the emergency race of a batch with a valid proof. Any eligible prover but the slashed
    ///         one. Slashes the assigned prover first if nobody did.
    /// @param batchId The batch.
    /// @param proof The proof, bound to the caller.
    function raceSubmit(uint256 batchId, bytes calldata proof) external;
    /// @notice Marks a batch nobody proved as failed once its race is over and refunds its fee to the
    ///         poster's prepaid balance. Permissionless.
    /// @param batchId The batch.
    function markFailed(uint256 batchId) external;
}
