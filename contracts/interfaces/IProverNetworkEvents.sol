// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Params} from "../types/Params.sol";
import {BatchStatus} from "../types/Batch.sol";

/// @title IProverNetworkEvents
/// @notice The errors and events of the provernet prover network, shared by the network and its
///         extension (`NetworkExtension`, reached through the network's fallback), so that both emit
///         and revert with the same declarations.
interface IProverNetworkEvents {
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

    /// @notice Governance needs a timelock owner once provers have registered, with a delay (seconds) that
    ///         outlasts a prover's exit; transfer ownership to such a TimelockController.
    /// @param owner The owner (or proposed owner) that failed the check.
    /// @param delay Its reported delay in seconds (zero if it is not a timelock).
    /// @param required The smallest delay the network accepts.
    error OwnerNotTimelock(address owner, uint256 delay, uint256 required);
    /// @notice One proof covers batches drawn under one verifier; these were drawn before and after a
    ///         verifier change. Submit the runs separately.
    /// @param firstBatchId The first batch of the proof.
    /// @param batchId The first batch under a different verifier.
    error MixedVerifiers(uint256 firstBatchId, uint256 batchId);
    /// @notice The network's initial parameters were already set (only its constructor initialises).
    error AlreadyInitialized();
    /// @notice Renouncing ownership is disabled: it would strand the treasury.
    error RenounceDisabled();
    /// @notice Only the owner or the pauser may pause or unpause.
    /// @param caller The caller.
    error NotPauser(address caller);
    /// @notice The network is paused: batches cannot be posted.
    error EnforcedPause();
    /// @notice The network is not paused.
    error ExpectedPause();
    /// @notice The data of a challenged batch was not published in time: it can only be voided now.
    /// @param batchId The batch.
    /// @param respondBy The last block (network clock) an answer was accepted.
    error ChallengeWindowClosed(uint256 batchId, uint256 respondBy);
    /// @notice The source may still publish the challenged batch's data.
    /// @param batchId The batch.
    /// @param respondBy The last block (network clock) an answer is accepted.
    error ChallengeWindowOpen(uint256 batchId, uint256 respondBy);
    /// @notice The published data does not hash to the batch's commitment.
    /// @param batchId The batch.
    /// @param computed The commitment of the published data.
    /// @param commitment The batch's commitment.
    error DataMismatch(uint256 batchId, bytes32 computed, bytes32 commitment);

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
    /// @notice The rescuer of an `Open` batch (posted while nobody was listed) was paid a reward from the
    ///         treasury on top of the fee (`Slashing.openReward`, bounded by the treasury's balance).
    /// @param batchId The batch.
    /// @param racer The rescuer.
    /// @param reward The amount taken from the treasury (also counted in `BatchProven`'s payout).
    event OpenBatchRewarded(uint256 indexed batchId, address indexed racer, uint256 reward);
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
    /// @notice A keeper was paid for a permissionless call that moved a batch or a penalty along.
    /// @param keeper The caller credited.
    /// @param amount The amount credited to its claimable balance.
    event KeeperPaid(address indexed keeper, uint256 amount);
    /// @notice A missed assignment cost reputation but no stake: the prover was already slashed once for
    ///         a miss whose deadline fell in the same epoch (the per-epoch cap).
    /// @param prover The prover.
    /// @param batchId The batch whose miss was capped.
    /// @param epoch The epoch of its deadline.
    event SlashCapped(address indexed prover, uint256 indexed batchId, uint256 epoch);
    /// @notice New slash terms are in force for assignments drawn from now on.
    /// @param id Their id (stored on each assignment).
    /// @param verifier The verifier proofs must pass.
    /// @param slashBps The missed-assignment slash share.
    /// @param burnBps The burned share of a slash.
    /// @param bountyBps The race winner's share.
    /// @param keeperBps The keeper's share.
    event SlashTermsSet(
        uint256 indexed id,
        address verifier,
        uint256 slashBps,
        uint256 burnBps,
        uint256 bountyBps,
        uint256 keeperBps
    );
    /// @notice The network was paused: posting stops and the network clock stands still.
    /// @param by The caller.
    event NetworkPaused(address indexed by);
    /// @notice The network runs again; every live deadline moved later by the pause's length.
    /// @param by The caller.
    /// @param pausedFor Blocks the pause lasted.
    event NetworkUnpaused(address indexed by, uint256 pausedFor);
    /// @notice The pauser changed.
    /// @param pauser The new pauser (zero: only the owner).
    event PauserSet(address indexed pauser);
    /// @notice The assigned prover says it cannot get a batch's data; the source must publish it.
    /// @param batchId The batch.
    /// @param prover The prover.
    /// @param respondBy The last block (network clock) the data is accepted.
    event DataChallenged(uint256 indexed batchId, address indexed prover, uint256 respondBy);
    /// @notice A challenged batch's data, checked against its commitment; the prover's window restarts.
    /// @param batchId The batch.
    /// @param data The batch data.
    /// @param provingDeadline The prover's new deadline (block number).
    event BatchDataPublished(uint256 indexed batchId, bytes data, uint256 provingDeadline);
    /// @notice A challenge went unanswered: the batch is void, nobody is slashed, the source's fee goes to
    ///         the prover that could not get the data.
    /// @param batchId The batch.
    /// @param prover The prover compensated.
    /// @param compensation The fee credited to it (after the keeper's share).
    event BatchVoided(uint256 indexed batchId, address indexed prover, uint256 compensation);
}
