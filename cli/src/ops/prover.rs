//! Prover staking: status, register, stake, unstake, withdraw, claim.

use alloy::primitives::{Address, U256};
use eyre::{Result, WrapErr, eyre};
use provernet_bindings::ProverNetwork;
use serde_json::json;

use super::tx_json;
use crate::{bail_input, bail_state, net::Net, output::Report};

/// `Account.commitEpoch` of a prover that never committed.
pub const NO_COMMIT: u32 = u32::MAX;

/// A prover's on-chain state, as `prover status` shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProverStatus {
    /// The prover.
    pub address: Address,
    /// Registered at all.
    pub registered: bool,
    /// Active stake (units).
    pub stake: U256,
    /// Unbonding stake (units).
    pub unbonding: U256,
    /// First block at which the unbonding stake can be withdrawn.
    pub unbonding_ready_at: u64,
    /// Reputation decayed to now (0..10000).
    pub reputation: U256,
    /// Selection weight it would get if it revealed now.
    pub weight: U256,
    /// Stake at or above the minimum.
    pub eligible: bool,
    /// Batches assigned and not yet resolved.
    pub open_assignments: u64,
    /// Rewards and refunds waiting for `claim` (units).
    pub claimable: U256,
    /// Epoch of the last commitment, if any.
    pub commit_epoch: Option<u64>,
    /// Whether that commitment is still unrevealed.
    pub commitment_open: bool,
    /// Current minimum stake (units).
    pub min_stake: U256,
    /// Wallet balance of the staking token (units).
    pub balance: U256,
    /// Whether it could take one more batch now (`canTake`: the capacity rule).
    pub can_take: bool,
    /// Bonded stake per open assignment beyond the first (units).
    pub assignment_bond: U256,
    /// Its operator (hot key), if it named one.
    pub operator: Option<Address>,
}

/// How many open assignments a prover with `bonded` (active + unbonding) stake may hold: the
/// capacity rule (contracts/libraries/Capacity.sol) allows one more while
/// `bonded >= minStake + open x bond`. None: no limit (a zero bond).
pub fn max_open(bonded: U256, min_stake: U256, bond: U256) -> Option<U256> {
    if bonded < min_stake {
        return Some(U256::ZERO);
    }
    if bond.is_zero() {
        return None;
    }
    Some((bonded - min_stake) / bond + U256::from(1))
}

/// Reads `who`'s state.
pub async fn prover_status(net: &Net, who: Address) -> Result<ProverStatus> {
    let a = net.network.accountOf(who).call().await.wrap_err("while reading the account")?;
    let params = net.network.params().call().await?;
    let min_stake = U256::from(params.minStake);
    let stake = U256::from(a.stake);
    let operator = net.network.operatorOf(who).call().await?;
    Ok(ProverStatus {
        can_take: net.network.canTake(who).call().await?,
        assignment_bond: U256::from(params.assignmentBond),
        operator: (!operator.is_zero()).then_some(operator),
        address: who,
        registered: a.registered,
        stake,
        unbonding: U256::from(a.unbonding),
        unbonding_ready_at: a.unbondingReadyAt.to::<u64>(),
        reputation: net.network.reputationOf(who).call().await?,
        weight: net.network.weightOf(who).call().await?,
        eligible: a.registered && stake >= min_stake,
        open_assignments: a.openAssignments.to::<u64>(),
        claimable: U256::from(a.claimable),
        commit_epoch: (a.registered && a.commitEpoch != NO_COMMIT)
            .then_some(u64::from(a.commitEpoch)),
        commitment_open: !a.commitHash.is_zero(),
        min_stake,
        balance: net.token.balanceOf(who).call().await?,
    })
}

/// Whether the active stake alone covers the open assignments, so unbonded stake may leave
/// (`Capacity.coversOpen`: none open, or `stake >= minStake + open x bond`).
pub fn covers_open(s: &ProverStatus) -> bool {
    s.open_assignments == 0
        || s.stake >= s.min_stake + U256::from(s.open_assignments) * s.assignment_bond
}

/// Whether `withdraw` would pay out in the next block: unbonded, and (as the contract requires)
/// the open assignments covered by the active stake and no unrevealed commitment.
pub fn withdrawable_now(s: &ProverStatus, block: u64) -> bool {
    !s.unbonding.is_zero() && block >= s.unbonding_ready_at && covers_open(s) && !s.commitment_open
}

/// What stands between an unbonded stake and `withdraw`, in words.
fn withdraw_blocker(s: &ProverStatus) -> String {
    if !covers_open(s) {
        format!(
            "unbonded; withdrawable once its {} open assignment(s) are proven or timed out (the active \
             stake alone does not cover them)",
            s.open_assignments
        )
    } else if s.commitment_open {
        "unbonded; withdrawable once the open commitment is revealed or penalised".into()
    } else {
        "withdrawable now".into()
    }
}

/// `prover status [ADDR]`.
pub async fn prover_status_report(net: &Net, who: Address) -> Result<Report> {
    let s = prover_status(net, who).await?;
    let block = net.chain.block_number().await?;
    let u = &net.units;
    let mut h = format!("prover {who}\n");
    if !s.registered {
        h += "  not registered (run `provernet prover register --stake AMT`)\n";
    }
    h += &format!("  stake        {} (minimum {})\n", u.fmt(s.stake), u.fmt(s.min_stake));
    if s.unbonding.is_zero() {
        h += "  unbonding    none\n";
    } else if block >= s.unbonding_ready_at {
        h += &format!("  unbonding    {} ({})\n", u.fmt(s.unbonding), withdraw_blocker(&s));
    } else {
        h += &format!(
            "  unbonding    {} (frees at block {}, in {} blocks)\n",
            u.fmt(s.unbonding),
            s.unbonding_ready_at,
            s.unbonding_ready_at - block
        );
    }
    h += &format!("  reputation   {} / 10000\n", s.reputation);
    h += &format!(
        "  eligible     {} (weight {})\n",
        if s.eligible { "yes" } else { "no" },
        s.weight
    );
    h += &format!("  assignments  {} open\n", s.open_assignments);
    h += &capacity_line(&s, u);
    if let Some(op) = s.operator {
        h += &format!("  operator     {op} (may commit, reveal and prove for it)\n");
    }
    h += &format!("  claimable    {}\n", u.fmt(s.claimable));
    h += &format!("  wallet       {}\n", u.fmt(s.balance));
    if let Some(e) = s.commit_epoch {
        h += &format!(
            "  commitment   epoch {e} ({})\n",
            if s.commitment_open { "not revealed yet" } else { "revealed" }
        );
    }
    let f = |v: U256| crate::amount::fmt_amount(v, u.decimals);
    let json = json!({
        "address": who, "registered": s.registered, "stake": f(s.stake), "unbonding": f(s.unbonding),
        "unbondingReadyAt": s.unbonding_ready_at, "withdrawableNow": withdrawable_now(&s, block),
        "reputation": s.reputation.to::<u64>(), "weight": s.weight.to_string(), "eligible": s.eligible,
        "openAssignments": s.open_assignments, "claimable": f(s.claimable), "balance": f(s.balance),
        "minStake": f(s.min_stake), "commitEpoch": s.commit_epoch, "commitmentOpen": s.commitment_open,
        "symbol": u.symbol, "block": block, "canTake": s.can_take,
        "maxOpenAssignments": max_open(s.stake + s.unbonding, s.min_stake, s.assignment_bond).map(|m| m.saturating_to::<u64>()),
        "assignmentBond": f(s.assignment_bond), "operator": s.operator,
    });
    Ok(Report::new(h, json))
}

/// The capacity line of `prover status`: open assignments against what the bonded stake covers.
fn capacity_line(s: &ProverStatus, u: &crate::amount::Units) -> String {
    let bonded = s.stake + s.unbonding;
    let most = match max_open(bonded, s.min_stake, s.assignment_bond) {
        Some(m) => format!("at most {m} open"),
        None => "no limit (zero bond)".into(),
    };
    format!(
        "  capacity     {}: {most} (bonded {} covers the minimum {} + {} per assignment after the first)\n",
        if s.can_take { "can take more batches" } else { "FULL, skipped by slot draws" },
        u.fmt(bonded),
        u.fmt(s.min_stake),
        u.fmt(s.assignment_bond)
    )
}

/// `prover register --stake AMT`.
pub async fn register(net: &Net, amount: U256) -> Result<Report> {
    let me = net.chain.signer()?;
    let s = prover_status(net, me).await?;
    if s.registered {
        bail_state!(
            "{me} is already registered; use `provernet prover stake --amount AMT` to add stake"
        );
    }
    if amount < s.min_stake {
        bail_input!(
            "stake {} is below the minimum {}",
            net.units.fmt(amount),
            net.units.fmt(s.min_stake)
        );
    }
    net.ensure_allowance(me, amount, "registering").await?;
    let r = net.send("register", net.network.register(amount)).await?;
    Ok(Report::new(
        format!(
            "registered {me} with {} staked (tx {:#x})",
            net.units.fmt(amount),
            r.transaction_hash
        ),
        json!({ "prover": me, "stake": crate::amount::fmt_amount(amount, net.units.decimals), "receipt": tx_json(&r) }),
    ))
}

pub(super) async fn require_registered(net: &Net, me: Address) -> Result<ProverStatus> {
    let s = prover_status(net, me).await?;
    if !s.registered {
        bail_state!(
            "{me} is not a registered prover; run `provernet prover register --stake AMT` first"
        );
    }
    Ok(s)
}

/// `prover stake --amount AMT`.
pub async fn stake(net: &Net, amount: U256) -> Result<Report> {
    let me = net.chain.signer()?;
    require_registered(net, me).await?;
    net.ensure_allowance(me, amount, "staking").await?;
    let r = net.send("stake", net.network.stake(amount)).await?;
    Ok(Report::new(
        format!("added {} of stake (tx {:#x})", net.units.fmt(amount), r.transaction_hash),
        json!({ "prover": me, "amount": crate::amount::fmt_amount(amount, net.units.decimals), "receipt": tx_json(&r) }),
    ))
}

/// `prover unstake --amount AMT [--yes]`. Leaving less than the minimum stake makes the prover
/// ineligible (no selection, no races), so that needs `yes`.
pub async fn unstake(net: &Net, amount: U256, yes: bool) -> Result<Report> {
    let me = net.chain.signer()?;
    let s = require_registered(net, me).await?;
    if amount > s.stake {
        bail_state!(
            "cannot unstake {}: only {} is actively staked",
            net.units.fmt(amount),
            net.units.fmt(s.stake)
        );
    }
    let left = s.stake - amount;
    if left < s.min_stake && !yes {
        bail_input!(
            "unstaking {} leaves {} staked, below the minimum {}: {me} would no longer be drawn for \
             batches or allowed to race. Pass --yes to unstake anyway, or unstake at most {}",
            net.units.fmt(amount),
            net.units.fmt(left),
            net.units.fmt(s.min_stake),
            net.units.fmt(s.stake.saturating_sub(s.min_stake))
        );
    }
    let r = net.send("requestUnstake", net.network.requestUnstake(amount)).await?;
    let ev = r
        .decoded_log::<ProverNetwork::UnstakeRequested>()
        .ok_or_else(|| eyre!("the receipt has no UnstakeRequested event"))?;
    let ready: u64 = ev.readyAt.to();
    Ok(Report::new(
        format!(
            "{} is unbonding ({} in total); withdraw from block {ready} (tx {:#x})",
            net.units.fmt(amount),
            net.units.fmt(ev.totalUnbonding),
            r.transaction_hash
        ),
        json!({ "prover": me, "amount": crate::amount::fmt_amount(amount, net.units.decimals), "readyAt": ready, "receipt": tx_json(&r) }),
    ))
}

/// `prover withdraw`.
pub async fn withdraw(net: &Net) -> Result<Report> {
    let me = net.chain.signer()?;
    let s = prover_status(net, me).await?;
    if s.unbonding.is_zero() {
        bail_state!(
            "nothing is unbonding for {me}; run `provernet prover unstake --amount AMT` first"
        );
    }
    if !covers_open(&s) {
        bail_state!("{}", open_assignments_hint(net, me, s.open_assignments).await?);
    }
    let r = net.send("withdraw", net.network.withdraw()).await?;
    Ok(Report::new(
        format!("withdrew {} (tx {:#x})", net.units.fmt(s.unbonding), r.transaction_hash),
        json!({ "prover": me, "amount": crate::amount::fmt_amount(s.unbonding, net.units.decimals), "receipt": tx_json(&r) }),
    ))
}

/// Why `withdraw` waits for open assignments, and what to do about each one: prove it while its
/// window is open, or time it out (`batch timeout ID`) once the window has passed.
async fn open_assignments_hint(net: &Net, me: Address, open: u64) -> Result<String> {
    let block = net.chain.block_number().await?;
    let mut lines = Vec::new();
    for (id, b) in super::batch::open_assignments_of(net, me).await? {
        let pd: u64 = b.provingDeadline.to();
        lines.push(if block < pd {
            format!("batch {id}: prove it (`provernet batch prove {id}`, window until block {pd})")
        } else {
            format!(
                "batch {id}: its window closed at block {pd}; run `provernet batch timeout {id}`"
            )
        });
    }
    let mut msg = format!(
        "{me} has {open} open assignment(s), so withdraw would revert with OpenAssignments; nothing was sent"
    );
    for l in lines {
        msg += &format!("\n  {l}");
    }
    Ok(msg)
}

/// `prover claim`.
pub async fn claim(net: &Net) -> Result<Report> {
    let me = net.chain.signer()?;
    let s = prover_status(net, me).await?;
    if s.claimable.is_zero() {
        bail_state!("{me} has nothing to claim");
    }
    let r = net.send("claim", net.network.claim()).await?;
    Ok(Report::new(
        format!("claimed {} (tx {:#x})", net.units.fmt(s.claimable), r.transaction_hash),
        json!({ "account": me, "amount": crate::amount::fmt_amount(s.claimable, net.units.decimals), "receipt": tx_json(&r) }),
    ))
}
