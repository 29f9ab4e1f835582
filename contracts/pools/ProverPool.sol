// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ProverNetwork} from "../ProverNetwork.sol";
import {IProverPool, Tranche, TrancheState, WithdrawalRequest} from "./IProverPool.sol";
import {PoolLoss} from "./PoolLoss.sol";

/// @title ProverPool
/// @notice A liquid proving pool: an ERC-4626 vault over the staking token that IS a prover account in
///         the ProverNetwork. Deposits are staked in the network at once; rewards (less the operator's
///         commission) are restaked and raise the share price; slashes are absorbed by the operator's
///         shares first, then pro rata by every shareholder and every pending withdrawal. Exits go
///         through a withdrawal queue (`requestWithdraw`, then `claim` after the network's unbonding
///         delay). Rules and rationale: docs/pools.md.
/// @dev BOOKS INVARIANT (after every `sync`):
///        network.bondOf(pool).bonded (stake + unbonding) == activeAssets + open tranche + unbonding tranche
///        token.balanceOf(pool) >= claimReserve + commissionOwed
///      Every state-changing entry point but a delegator's `requestWithdraw` runs `_sync` first, so new
///      shares are priced on books that include every executed slash and credited reward; a delegator's
///      request is priced on the last sync's books and the next sync charges it any slash since, pro
///      rata (see `requestWithdraw`). Work per call is constant: at most two tranches are unfinalized,
///      and nothing loops over delegators or requests.
contract ProverPool is IProverPool, ERC4626, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using Math for uint256;

    /// @notice Denominator of the commission.
    uint256 public constant BPS = 10_000;
    /// @notice Largest commission an operator may charge (50%).
    uint256 public constant MAX_COMMISSION_BPS = 5_000;
    /// @notice Extra decimals of the shares: 10^6 virtual shares make a first-depositor inflation
    ///         attack cost the attacker about a million times what it could take.
    uint8 public constant DECIMALS_OFFSET = 6;

    /// @notice The network this pool is a prover in.
    ProverNetwork public immutable network;
    /// @notice The prover operator: holds the self-stake, sets the commission, takes it.
    address public immutable operator;
    /// @notice The factory that created the pool (the only caller of `initialize`).
    address public immutable factory;
    /// @notice Least value the operator's shares must keep for delegators to deposit (token units).
    uint256 public immutable minSelfStake;

    /// @notice The shareholders' assets: active stake in the network that belongs to the shares.
    uint256 public activeAssets;
    /// @notice Tokens held by the pool for finalized tranches, owed to their requests.
    uint256 public claimReserve;
    /// @notice Tokens held by the pool, owed to the operator as commission.
    uint256 public commissionOwed;
    /// @notice Commission in force, in basis points of every collected reward.
    uint16 public commissionBps;
    /// @notice A scheduled commission increase (meaningful while `commissionEffectiveAt` is non-zero).
    uint16 public pendingCommissionBps;
    /// @notice Block from which `pendingCommissionBps` applies; zero when nothing is scheduled.
    uint40 public commissionEffectiveAt;
    /// @notice True once the operator has withdrawn all of its shares: no more deposits.
    bool public closed;
    bool private _initialized;
    /// @notice The tranche collecting new withdrawal requests.
    uint64 public openTranche = 1;
    /// @notice The tranche unbonding in the network, or zero if none.
    uint64 public unbondingTranche;
    /// @notice True while the operator has stopped deposits. Kept here rather than in OpenZeppelin's
    ///         `Pausable` (a slot of its own) so that a deposit reads it with the books it reads anyway.
    bool public paused;

    mapping(uint256 id => Tranche) internal _tranches;
    /// @dev Claim units of each pending request, by `requestIdOf(tranche, owner)`: one slot a request.
    mapping(uint256 requestId => uint256 units) internal _requestUnits;

    modifier onlyOperator() {
        if (msg.sender != operator) revert NotOperator(msg.sender, operator);
        _;
    }

    /// @param network_ The network.
    /// @param operator_ The operator.
    /// @param minSelfStake_ The least self-stake (token units) that keeps the pool open to delegators.
    /// @param commissionBps_ The initial commission, at most MAX_COMMISSION_BPS.
    constructor(ProverNetwork network_, address operator_, uint256 minSelfStake_, uint256 commissionBps_)
        ERC4626(network_.token())
        ERC20("provernet prover pool", "pPOOL")
    {
        if (commissionBps_ > MAX_COMMISSION_BPS) {
            revert CommissionTooHigh(commissionBps_, MAX_COMMISSION_BPS);
        }
        network = network_;
        operator = operator_;
        factory = msg.sender;
        minSelfStake = minSelfStake_;
        commissionBps = uint16(commissionBps_);
        emit CommissionUpdated(commissionBps_);
    }

    /// @notice Registers the pool in the network with the `selfStake` tokens the factory sent it, names
    ///         the operator as the pool's hot key there, and mints the operator's shares. Factory only,
    ///         once. Reverts with the network's `OperatorUnavailable` if the operator is itself a
    ///         registered prover or another prover's operator.
    /// @param selfStake The operator's self-stake, already transferred to the pool.
    function initialize(uint256 selfStake) external nonReentrant {
        if (msg.sender != factory) revert NotFactory(msg.sender);
        if (_initialized) revert AlreadyInitialized();
        _initialized = true;
        IERC20 token = IERC20(asset());
        uint256 balance = token.balanceOf(address(this));
        if (balance < selfStake) revert SelfStakeNotReceived(balance, selfStake);
        uint256 shares = previewDeposit(selfStake);
        activeAssets = selfStake;
        _mint(operator, shares);
        token.forceApprove(address(network), type(uint256).max);
        network.register(selfStake);
        // The operator's machine acts for the pool (commit, reveal, proofs, races) with its own key;
        // the pool's stake and rewards stay with the pool.
        network.setOperator(operator);
        emit PoolInitialized(operator, selfStake, shares);
        emit Deposit(factory, operator, selfStake, shares);
    }

    // ================================================================== ERC-4626

    /// @notice The shareholders' assets as of the last sync (call `sync` first for the current value;
    ///         every deposit and withdrawal request does).
    function totalAssets() public view override returns (uint256) {
        return activeAssets;
    }

    /// @notice Deposits `assets`, staked in the network at once, after a sync.
    /// @dev The refusals are checked once here (not again through `maxDeposit`); the network's own
    ///      96-bit bound on stake caps the amount.
    function deposit(uint256 assets, address receiver) public override nonReentrant returns (uint256 shares) {
        _sync();
        if (!_acceptsDeposit(receiver)) _revertDepositRefused();
        shares = _convertToShares(assets, Math.Rounding.Floor);
        _deposit(msg.sender, receiver, assets, shares);
    }

    /// @notice Mints `shares` for their price in assets, staked in the network at once, after a sync.
    function mint(uint256 shares, address receiver) public override nonReentrant returns (uint256 assets) {
        _sync();
        if (!_acceptsDeposit(receiver)) _revertDepositRefused();
        assets = _convertToAssets(shares, Math.Rounding.Ceil);
        _deposit(msg.sender, receiver, assets, shares);
    }

    /// @notice Disabled: use `requestWithdraw` and `claim`.
    function withdraw(uint256, address, address) public pure override returns (uint256) {
        revert UseWithdrawalQueue();
    }

    /// @notice Disabled: use `requestWithdraw` and `claim`.
    function redeem(uint256, address, address) public pure override returns (uint256) {
        revert UseWithdrawalQueue();
    }

    /// @notice Zero while deposits are refused (paused, closed, operator below its minimum self-stake).
    function maxDeposit(address receiver) public view override returns (uint256) {
        if (!_acceptsDeposit(receiver)) return 0;
        return type(uint96).max - Math.min(type(uint96).max, _bookedPrincipal());
    }

    /// @notice Zero while deposits are refused (paused, closed, operator below its minimum self-stake).
    function maxMint(address receiver) public view override returns (uint256) {
        return _convertToShares(maxDeposit(receiver), Math.Rounding.Floor);
    }

    /// @notice Zero: assets leave only through the withdrawal queue.
    function maxWithdraw(address) public pure override returns (uint256) {
        return 0;
    }

    /// @notice Zero: shares leave only through the withdrawal queue.
    function maxRedeem(address) public pure override returns (uint256) {
        return 0;
    }

    // ================================================================== withdrawal queue

    /// @notice Burns `shares` of the caller into a withdrawal request in the open tranche. The request
    ///         keeps absorbing slashes pro rata until its tranche is withdrawn from the network, so it
    ///         pays min(value now, value after later slashes). Claim it once its tranche is finalized.
    ///         A delegator's request is priced on the books of the last sync (call `sync` first to
    ///         include rewards the pool has not collected yet); a slash executed since then is still
    ///         charged to it in full, because the next sync spreads every loss pro rata over the
    ///         shareholders and the unfinalized tranches alike. The operator's request syncs first: its
    ///         shares absorb a loss before anyone else's, and its exit is checked on current books.
    ///         Requests of one owner in one tranche share one record and one id.
    /// @param shares The shares to redeem.
    /// @return requestId The request's id: `requestIdOf(tranche, msg.sender)`.
    function requestWithdraw(uint256 shares) external nonReentrant returns (uint256 requestId) {
        bool isOperator = msg.sender == operator;
        if (isOperator) _sync();
        if (shares == 0) revert ZeroShares();
        uint256 balance = balanceOf(msg.sender);
        if (shares > balance) revert InsufficientShares(shares, balance);
        uint256 assets = previewRedeem(shares);
        if (assets == 0) revert ZeroAssets(shares);
        if (isOperator) _checkOperatorExit(balance - shares, assets);

        uint64 trancheId = openTranche;
        Tranche storage t = _tranches[trancheId];
        // The first request of a tranche sets units 1:1; later ones buy units at the tranche's current
        // rate (rounded down, in the pool's favour). A tranche with units always has assets: a tranche
        // wiped out by a slash is finalized at once (`_absorbLoss`).
        uint256 units = t.units == 0 ? assets : assets.mulDiv(t.units, t.assets);
        if (units == 0) revert ZeroAssets(shares);

        _burn(msg.sender, shares);
        activeAssets -= assets;
        t.assets = (t.assets + assets).toUint128();
        t.units = (t.units + units).toUint128();
        requestId = requestIdOf(trancheId, msg.sender);
        _requestUnits[requestId] += units;
        emit WithdrawalRequested(requestId, msg.sender, shares, assets, trancheId, units);
        // Unstake the tranche at once if nothing is unbonding. A matured unbonding tranche is left to
        // the next sync: finalizing it here, before unabsorbed slashes are spread, would let it escape
        // its share of them.
        if (unbondingTranche == 0) _unstakeOpen();
    }

    /// @notice Pays a withdrawal request whose tranche is finalized, to the request's owner. Anyone may
    ///         call it (a keeper can pay delegators out).
    /// @param requestId The request.
    /// @return assets The amount paid.
    function claim(uint256 requestId) external nonReentrant returns (uint256 assets) {
        _sync();
        uint256 units = _requestUnits[requestId];
        if (units == 0) revert UnknownRequest(requestId);
        (uint64 trancheId, address owner) = _decodeRequestId(requestId);
        Tranche storage t = _tranches[trancheId];
        if (t.state != TrancheState.Finalized) revert WithdrawalNotReady(requestId, t.readyAt, block.number);
        // Units are redeemed at the tranche's rate; the last claimant takes the rounding remainder, so the
        // claims of a tranche add up to its assets exactly and never exceed them.
        assets = units.mulDiv(t.assets, t.units);
        t.assets -= uint128(assets);
        t.units -= uint128(units);
        claimReserve -= assets;
        delete _requestUnits[requestId];
        IERC20(asset()).safeTransfer(owner, assets);
        emit WithdrawalClaimed(requestId, owner, assets);
    }

    /// @notice Brings the books up to date with the network: absorbs executed slashes, collects
    ///         rewards, withdraws a matured tranche and unstakes the next one. Permissionless.
    function sync() external nonReentrant {
        _sync();
    }

    // ================================================================== operator

    /// @notice Schedules a new commission. A decrease applies at once; an increase only after
    ///         `commissionDelay()` blocks, longer than a delegator needs to exit.
    /// @param bps The new commission in basis points, at most MAX_COMMISSION_BPS.
    function setCommission(uint256 bps) external onlyOperator nonReentrant {
        if (bps > MAX_COMMISSION_BPS) revert CommissionTooHigh(bps, MAX_COMMISSION_BPS);
        _sync();
        uint256 current = commissionBps;
        if (bps <= current) {
            commissionBps = uint16(bps);
            commissionEffectiveAt = 0;
            emit CommissionChangeScheduled(current, bps, block.number);
            emit CommissionUpdated(bps);
            return;
        }
        uint256 effectiveAt = block.number + commissionDelay();
        pendingCommissionBps = uint16(bps);
        commissionEffectiveAt = effectiveAt.toUint40();
        emit CommissionChangeScheduled(current, bps, effectiveAt);
    }

    /// @notice Pays the accumulated commission to the operator.
    function claimCommission() external onlyOperator nonReentrant {
        _sync();
        uint256 amount = commissionOwed;
        if (amount == 0) revert NoCommission();
        commissionOwed = 0;
        IERC20(asset()).safeTransfer(operator, amount);
        emit CommissionClaimed(operator, amount);
    }

    /// @notice Stops deposits. Withdrawal requests, claims and syncs keep working.
    function pause() external onlyOperator {
        if (paused) revert EnforcedPause();
        paused = true;
        emit Paused(msg.sender);
    }

    /// @notice Takes deposits again.
    function unpause() external onlyOperator {
        if (!paused) revert ExpectedPause();
        paused = false;
        emit Unpaused(msg.sender);
    }

    // ================================================================== views

    /// @notice Blocks a commission increase waits: twice the network's unbonding delay plus one, so a
    ///         delegator who requests a withdrawal when the increase is announced is paid before it
    ///         applies even if its request waits behind a tranche that is still unbonding.
    function commissionDelay() public view returns (uint256) {
        return 2 * uint256(network.params().unbondingDelay) + 1;
    }

    /// @notice A withdrawal tranche.
    function trancheOf(uint256 id) external view returns (Tranche memory) {
        return _tranches[id];
    }

    /// @notice The id of `owner`'s withdrawal request in tranche `tranche`: the tranche in the bits above
    ///         160, the owner below. Every request an owner makes while a tranche is open joins this one.
    function requestIdOf(uint256 tranche, address owner) public pure returns (uint256) {
        return tranche << 160 | uint160(owner);
    }

    /// @notice A pending withdrawal request (all zero once claimed or never made).
    function requestOf(uint256 id) public view returns (WithdrawalRequest memory r) {
        uint256 units = _requestUnits[id];
        if (units == 0) return r;
        (uint64 trancheId, address owner) = _decodeRequestId(id);
        return WithdrawalRequest(owner, trancheId, uint128(units));
    }

    /// @notice What request `id` would pay on the books of the last sync, and whether it can be claimed.
    function requestValue(uint256 id) external view returns (uint256 assets, bool claimable) {
        WithdrawalRequest memory r = requestOf(id);
        if (r.owner == address(0)) return (0, false);
        Tranche memory t = _tranches[r.tranche];
        return (uint256(r.units).mulDiv(t.assets, t.units), t.state == TrancheState.Finalized);
    }

    /// @notice The value of the operator's shares on the books of the last sync.
    function operatorStake() public view returns (uint256) {
        return convertToAssets(balanceOf(operator));
    }

    /// @notice Shares held by anyone but the operator.
    function delegatorShares() public view returns (uint256) {
        return totalSupply() - balanceOf(operator);
    }

    // ================================================================== internals

    function _decimalsOffset() internal pure override returns (uint8) {
        return DECIMALS_OFFSET;
    }

    /// @dev Deposits: checks the pool takes them, pulls the tokens, mints, stakes them in the network.
    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        if (shares == 0) revert ZeroShares();
        activeAssets += assets;
        super._deposit(caller, receiver, assets, shares);
        network.stake(assets);
    }

    /// @dev The operator's shares absorb slashes first, so they may not move to another holder.
    function _update(address from, address to, uint256 value) internal override {
        if (from == operator && to != address(0)) revert OperatorSharesLocked(operator);
        super._update(from, to, value);
    }

    function _acceptsDeposit(address receiver) private view returns (bool) {
        if (paused || closed) return false;
        return receiver == operator || operatorStake() >= minSelfStake;
    }

    function _revertDepositRefused() private view {
        if (paused) revert EnforcedPause();
        if (closed) revert PoolClosed();
        revert SelfStakeBelowMinimum(operatorStake(), minSelfStake);
    }

    /// @dev The operator keeps at least `minSelfStake` or leaves entirely (which closes the pool).
    function _checkOperatorExit(uint256 remainingShares, uint256 leavingAssets) private {
        if (remainingShares == 0) {
            closed = true;
            emit PoolClosedByOperator(operator);
            return;
        }
        // The price after the request: its shares and assets leave together.
        uint256 supplyAfter = totalSupply() - (balanceOf(operator) - remainingShares);
        uint256 remaining =
            remainingShares.mulDiv(activeAssets - leavingAssets + 1, supplyAfter + 10 ** DECIMALS_OFFSET);
        if (remaining < minSelfStake) revert SelfStakeBelowMinimum(remaining, minSelfStake);
    }

    /// @dev Tranche 0 is never used (ids start at 1): with nothing unbonding its slot is not read (a cold
    ///      read on every deposit otherwise).
    function _bookedPrincipal() private view returns (uint256 booked) {
        booked = activeAssets + _tranches[openTranche].assets;
        uint64 unbonding = unbondingTranche;
        if (unbonding != 0) booked += _tranches[unbonding].assets;
    }

    /// @dev Applies a due commission change, absorbs any loss, collects rewards, advances the queue.
    function _sync() private {
        uint256 effectiveAt = commissionEffectiveAt;
        if (effectiveAt != 0 && block.number >= effectiveAt) {
            commissionBps = pendingCommissionBps;
            commissionEffectiveAt = 0;
            emit CommissionUpdated(pendingCommissionBps);
        }
        // `bondOf`, not `accountOf`: the pool has no use for the account's commit slot (a cold read).
        (uint256 actual, uint256 claimable) = network.bondOf(address(this));
        uint256 booked = _bookedPrincipal();
        // Only slashes lower stake + unbonding (the pool alone stakes, unstakes and withdraws for
        // itself, and books each of those), so a shortfall is exactly the slashes executed since.
        if (actual < booked) _absorbLoss(booked - actual);
        if (claimable != 0) _collectRewards();
        _advanceQueue();
    }

    /// @dev Spreads `loss`: operator shares first, then pro rata over the shareholders and both
    ///      unfinalized tranches (split in `PoolLoss`).
    function _absorbLoss(uint256 loss) private {
        uint256 supplyPlusVirtual = totalSupply() + 10 ** DECIMALS_OFFSET;
        uint256 opShares = balanceOf(operator);
        uint256 active = activeAssets;
        Tranche storage open = _tranches[openTranche];
        Tranche storage unbonding = _tranches[unbondingTranche];
        PoolLoss.Split memory s =
            PoolLoss.split(loss, opShares, supplyPlusVirtual, active, open.assets, unbonding.assets);
        if (s.operatorShares != 0) _burn(operator, s.operatorShares);
        activeAssets = active - s.operatorLoss - s.activeLoss;
        if (s.openLoss != 0) open.assets -= uint128(s.openLoss);
        if (s.unbondingLoss != 0) unbonding.assets -= uint128(s.unbondingLoss);
        emit LossAbsorbed(loss, s.operatorLoss, s.operatorShares, s.activeLoss, s.openLoss + s.unbondingLoss);
        if (open.assets == 0 && open.units != 0) {
            // Every request in the open tranche is worth nothing: finalize it so that a later request
            // never buys units of an empty tranche.
            uint64 id = openTranche;
            open.state = TrancheState.Finalized;
            openTranche = id + 1;
            emit TrancheFinalized(id, 0, 0);
        }
    }

    /// @dev Collects the network's rewards: commission to the operator, the rest restaked for the
    ///      shareholders. Windfall guard: with no delegator shares, nothing reaches the share price and
    ///      the whole reward is the operator's (it alone earned it and alone holds shares).
    function _collectRewards() private {
        IERC20 token = IERC20(asset());
        uint256 before = token.balanceOf(address(this));
        network.claim();
        uint256 amount = token.balanceOf(address(this)) - before;
        uint256 commission = delegatorShares() == 0 ? amount : amount * commissionBps / BPS;
        uint256 toShareholders = amount - commission;
        commissionOwed += commission;
        if (toShareholders != 0) {
            activeAssets += toShareholders;
            network.stake(toShareholders);
        }
        emit RewardsCollected(amount, commission, toShareholders);
    }

    /// @dev Withdraws the unbonding tranche once the network lets it go, then unstakes the open tranche if
    ///      nothing else is unbonding (the network keeps one unbonding amount per prover and restarts its
    ///      delay on every request, so tranches unbond one at a time). Never reverts on a network refusal:
    ///      a later sync retries.
    function _advanceQueue() private {
        uint64 id = unbondingTranche;
        if (id != 0) {
            Tranche storage u = _tranches[id];
            if (block.number < u.readyAt) return;
            IERC20 token = IERC20(asset());
            uint256 before = token.balanceOf(address(this));
            try network.withdraw() {}
            catch {
                return;
            }
            uint256 received = token.balanceOf(address(this)) - before;
            // The network took slashes from active stake before unbonding stake while the books charged
            // the tranche pro rata, so it pays at least the tranche's share; the excess is the
            // shareholders' and goes back into stake.
            uint256 owed = Math.min(u.assets, received);
            uint256 restaked = received - owed;
            u.assets = uint128(owed);
            u.state = TrancheState.Finalized;
            unbondingTranche = 0;
            claimReserve += owed;
            if (restaked != 0) network.stake(restaked);
            emit TrancheFinalized(id, owed, restaked);
        }
        _unstakeOpen();
    }

    /// @dev Sends the open tranche to the network's `requestUnstake`; call only with nothing unbonding.
    function _unstakeOpen() private {
        Tranche storage open = _tranches[openTranche];
        uint256 amount = open.assets;
        if (amount == 0) return;
        try network.requestUnstake(amount) {}
        catch {
            return;
        }
        uint256 readyAt = network.accountOf(address(this)).unbondingReadyAt;
        open.state = TrancheState.Unbonding;
        open.readyAt = uint40(readyAt);
        unbondingTranche = openTranche;
        openTranche += 1;
        emit TrancheUnbonding(unbondingTranche, amount, readyAt);
    }

    /// @dev The tranche and owner a request id names (`requestIdOf`).
    function _decodeRequestId(uint256 id) private pure returns (uint64 trancheId, address owner) {
        return (uint64(id >> 160), address(uint160(id)));
    }
}
