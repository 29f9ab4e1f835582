// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Where a withdrawal tranche stands. A tranche gathers the withdrawal requests made while the
///         previous tranche was unbonding; the pool unstakes each tranche in one network call.
enum TrancheState {
    /// Collecting requests; its assets are still active stake in the network.
    Open,
    /// Sent to `requestUnstake`; its assets are the pool's unbonding stake in the network.
    Unbonding,
    /// Withdrawn from the network (or wiped out by slashes); its requests can be claimed.
    Finalized
}

/// @notice One withdrawal tranche. `units` are claims on `assets`, split pro rata among its requests;
///         slashes lower `assets` (never `units`) until the tranche is finalized.
struct Tranche {
    uint128 assets;
    uint128 units;
    uint40 readyAt;
    TrancheState state;
}

/// @notice One owner's pending withdrawal in one tranche: `units` of tranche `tranche`, paid to `owner`.
///         Stored as its units alone, under the id `requestIdOf(tranche, owner)` (one slot); the view
///         `requestOf` decodes the rest from the id.
struct WithdrawalRequest {
    address owner;
    uint64 tranche;
    uint128 units;
}

/// @title IProverPool
/// @notice Errors and events of a liquid proving pool (docs/pools.md): an ERC-4626 vault that is the
///         prover account in the ProverNetwork, shares its rewards and slashes with its delegators and
///         lets them exit through a withdrawal queue that keeps absorbing slashes until it is paid.
interface IProverPool {
    // ------------------------------------------------------------------ errors

    /// @notice Only the pool's operator may do this.
    /// @param caller The caller.
    /// @param operator The pool's operator.
    error NotOperator(address caller, address operator);
    /// @notice Only the factory that created the pool may initialise it, once.
    /// @param caller The caller.
    error NotFactory(address caller);
    /// @notice The pool was already initialised.
    error AlreadyInitialized();
    /// @notice The pool's token balance is below the self-stake the factory said it sent.
    /// @param balance The pool's balance.
    /// @param selfStake The self-stake to register with.
    error SelfStakeNotReceived(uint256 balance, uint256 selfStake);
    /// @notice A commission above the pool's bound was asked for.
    /// @param bps The commission asked for, in basis points.
    /// @param max The largest commission a pool may charge, in basis points.
    error CommissionTooHigh(uint256 bps, uint256 max);
    /// @notice The operator's stake in its own pool is (or would become) below the minimum: delegators
    ///         may not deposit until the operator tops it up, and the operator may not withdraw below it
    ///         (except all of it, which closes the pool).
    /// @param selfStake The value of the operator's shares (after the action, for a withdrawal).
    /// @param minimum The pool's `minSelfStake`.
    error SelfStakeBelowMinimum(uint256 selfStake, uint256 minimum);
    /// @notice The operator withdrew all of its stake, so the pool takes no more deposits.
    error PoolClosed();
    /// @notice Zero shares were given where a positive number is required.
    error ZeroShares();
    /// @notice The shares are worth nothing (or too little to be a claim on the withdrawal tranche).
    /// @param shares The shares offered.
    error ZeroAssets(uint256 shares);
    /// @notice More shares were offered than the caller holds.
    /// @param shares The shares offered.
    /// @param held The caller's shares.
    error InsufficientShares(uint256 shares, uint256 held);
    /// @notice No withdrawal request has this id (never made, or already claimed).
    /// @param requestId The id.
    error UnknownRequest(uint256 requestId);
    /// @notice The request's tranche has not been withdrawn from the network yet.
    /// @param requestId The id.
    /// @param readyAt The first block at which its tranche may be withdrawn (0: not yet unstaking,
    ///        because the tranche before it is still unbonding).
    /// @param current The current block.
    error WithdrawalNotReady(uint256 requestId, uint256 readyAt, uint256 current);
    /// @notice ERC-4626 `withdraw` and `redeem` are disabled: staked assets leave through
    ///         `requestWithdraw` and `claim`, after the network's unbonding delay.
    error UseWithdrawalQueue();
    /// @notice The operator's shares cannot be transferred: they absorb slashes first.
    /// @param operator The operator.
    error OperatorSharesLocked(address operator);
    /// @notice There is no commission to pay out.
    error NoCommission();
    /// @notice The pool is paused (a deposit, or a second `pause`). Same signature as OpenZeppelin's
    ///         `Pausable.EnforcedPause`.
    error EnforcedPause();
    /// @notice `unpause` while the pool is not paused. Same signature as `Pausable.ExpectedPause`.
    error ExpectedPause();

    // ------------------------------------------------------------------ events

    /// @notice The pool registered in the network with the operator's self-stake.
    /// @param operator The operator.
    /// @param selfStake The stake registered.
    /// @param shares The shares minted to the operator.
    event PoolInitialized(address indexed operator, uint256 selfStake, uint256 shares);
    /// @notice A sync found the network's stake + unbonding below the pool's books and spread the loss.
    /// @param loss The total loss.
    /// @param operatorLoss The part absorbed by burning operator shares.
    /// @param operatorSharesBurned The operator shares burned.
    /// @param activeLoss The part taken from the remaining shareholders (lowers the share price).
    /// @param pendingLoss The part taken from pending withdrawals.
    event LossAbsorbed(
        uint256 loss,
        uint256 operatorLoss,
        uint256 operatorSharesBurned,
        uint256 activeLoss,
        uint256 pendingLoss
    );
    /// @notice A sync collected the network's rewards for the pool.
    /// @param amount The rewards collected.
    /// @param commission The part credited to the operator.
    /// @param toShareholders The part restaked for the shareholders (raises the share price).
    event RewardsCollected(uint256 amount, uint256 commission, uint256 toShareholders);
    /// @notice A delegator queued a withdrawal; its shares were burned.
    /// @param requestId The request (`requestIdOf(tranche, owner)`: the owner's earlier requests in the
    ///        same tranche have the same id, and this one adds to them).
    /// @param owner The delegator, paid at claim.
    /// @param shares The shares burned.
    /// @param assets Their value on the books of the last sync (an upper bound of what it pays).
    /// @param tranche The tranche it joined.
    /// @param units Its claim units in that tranche.
    event WithdrawalRequested(
        uint256 indexed requestId,
        address indexed owner,
        uint256 shares,
        uint256 assets,
        uint256 indexed tranche,
        uint256 units
    );
    /// @notice A tranche was sent to the network's `requestUnstake`.
    /// @param tranche The tranche.
    /// @param assets The amount unstaked.
    /// @param readyAt The first block at which the network lets it be withdrawn.
    event TrancheUnbonding(uint256 indexed tranche, uint256 assets, uint256 readyAt);
    /// @notice A tranche's assets arrived in the pool (or were wiped out) and its requests can be claimed.
    /// @param tranche The tranche.
    /// @param assets The amount its requests share.
    /// @param restaked What the network paid beyond the tranche's share, restaked for the shareholders.
    event TrancheFinalized(uint256 indexed tranche, uint256 assets, uint256 restaked);
    /// @notice A withdrawal was paid.
    /// @param requestId The request.
    /// @param owner The delegator paid.
    /// @param assets The amount paid.
    event WithdrawalClaimed(uint256 indexed requestId, address indexed owner, uint256 assets);
    /// @notice The operator announced a commission change.
    /// @param oldBps The commission in force.
    /// @param newBps The announced commission.
    /// @param effectiveAt The block from which it applies (this block for a decrease).
    event CommissionChangeScheduled(uint256 oldBps, uint256 newBps, uint256 effectiveAt);
    /// @notice A scheduled commission took effect.
    /// @param bps The commission now in force.
    event CommissionUpdated(uint256 bps);
    /// @notice The operator took its accumulated commission.
    /// @param operator The operator.
    /// @param amount The amount paid.
    event CommissionClaimed(address indexed operator, uint256 amount);
    /// @notice The operator withdrew all of its shares: the pool takes no more deposits.
    /// @param operator The operator.
    event PoolClosedByOperator(address indexed operator);
    /// @notice The operator stopped deposits. Same signature as `Pausable.Paused`.
    event Paused(address account);
    /// @notice The operator took deposits again. Same signature as `Pausable.Unpaused`.
    event Unpaused(address account);
}
