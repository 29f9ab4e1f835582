//! Liquid proving pools (contracts/pools, docs/pools.md) in the model: the network calls a pool
//! makes for itself, and a ledger of each pool's shares, withdrawal requests and donations.
//!
//! A pool is a prover account of the network, so its account follows the network's own rules
//! (`staking`): every `stake`, `requestUnstake`, `withdraw` and `claim` it makes inside a pool call
//! is checked and applied here like a prover's own call. The pool's books are the contract's; the
//! transition rules below check how a pool call changed them against the books read just before
//! the call (`Observed::pool`):
//! - a loss absorbed equals the slashes executed since the last call, and lowers the share price
//!   (never raises it) and every pending withdrawal by the same fraction as the shares (within the
//!   rounding bound of [`fraction_bound`]);
//! - a reward collected is exactly the network's credit, split by the commission in force, and
//!   never lowers the share price;
//! - no withdrawal request escapes a slash earned before it: a delegator's request is priced on the
//!   books of the last sync, so a slash executed since is absorbed later, and a claim pays no more
//!   than the request's value at request, lowered by every later absorbed loss at the
//!   shareholders' fraction; the operator's request (its shares take a loss first) and the
//!   finalizing of a tranche both happen only on books that absorbed every executed slash;
//! - a delegator can always exit: a request for held shares worth something, and the claim of a
//!   finalized request, never revert.

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::{Address, U256, U512};
use provernet_bindings::ProverPool::ProverPoolEvents as E;

use crate::action::Kind;
use crate::chain::ProverNetworkEvents as N;
use crate::model::assignment::covers_open;
use crate::model::state::MAccount;
use crate::model::transition::Transition;
use crate::pool_view::{PoolView, Price};
use crate::violation::{Violation, violation};

/// Denominator of a pool's commission.
const BPS: u128 = 10_000;

/// One pool in the model's ledger.
#[derive(Clone, Debug, Default)]
pub struct MPool {
    /// The pool's actor index (its address is the prover account).
    pub actor: u16,
    /// Its operator's actor index.
    pub operator: u16,
    /// Shares by holder (actor index), from the pool's mint and burn events.
    pub shares: BTreeMap<u16, U256>,
    /// Tokens sent to the pool outside a deposit: they stay in the vault, outside the books.
    pub donated: u128,
    /// Live withdrawal requests by id (one per owner and tranche: later requests add to it).
    pub requests: BTreeMap<U256, MRequest>,
    /// Requests ever made per tranche (the last claimant of a tranche takes its rounding remainder).
    pub tranche_requests: BTreeMap<u64, u64>,
    /// Finalized tranches (their requests can be claimed).
    pub finalized: BTreeSet<u64>,
    /// The pool account's `slashed` total when the pool last synced: more since is an unabsorbed
    /// loss, which a delegator can see coming.
    pub absorbed_slashed: u128,
}

/// A withdrawal request in the ledger.
#[derive(Clone, Copy, Debug, Default)]
pub struct MRequest {
    /// The delegator it pays.
    pub owner: u16,
    /// Its tranche.
    pub tranche: u64,
    /// The most it may pay: its value at request, lowered at every later absorbed loss by the
    /// shareholders' fraction.
    pub entitled: u128,
    /// Rounding the pool may add on top of `entitled` (see `fraction_bound`).
    pub slack: u128,
}

impl MPool {
    /// Shares of `holder`.
    pub fn shares_of(&self, holder: u16) -> U256 {
        self.shares.get(&holder).copied().unwrap_or_default()
    }

    /// Live requests of `owner` whose tranche is finalized.
    pub fn claimable_of(&self, owner: u16) -> impl Iterator<Item = U256> + '_ {
        self.requests
            .iter()
            .filter(move |(_, r)| r.owner == owner && self.finalized.contains(&r.tranche))
            .map(|(id, _)| *id)
    }
}

/// The rounding the pool's loss split may leave between the pending withdrawals' loss and the
/// shareholders' fraction of it, in asset units, for `pending` assets pending, `active` assets
/// of the shareholders after the operator's part and `share_value` assets per share (rounded up,
/// at least 1): the split rounds each tranche's part down (two units), the shareholders' part
/// takes the remainder (up to two units over `active`), the vault's virtual asset and share offset
/// move its price by less than one unit over `active`, and the operator's loss is burned in whole
/// shares rounded down, which leaves up to one share's value over `active` on the others. (Found
/// by the 1M-action run: after long reward streaks one share of the careful pool was worth about
/// 2.8e6 asset units, so that last term, 8e5 units on 1.9e21 pending, exceeded a bound without it.)
pub fn fraction_bound(pending: u128, active: u128, share_value: u128) -> u128 {
    let per_active = share_value.saturating_add(4);
    2 + pending.saturating_mul(per_active).div_ceil(active + 1)
}

/// Applies a pool call (or a donation to a pool) as the chain executed it.
pub(crate) fn apply(t: &mut Transition<'_>, kind: &Kind, pool: u16) -> Result<(), Violation> {
    let Some(k) = t.m.pools.iter().position(|p| p.actor == pool) else {
        // Not a pool: a call to an account without code does nothing.
        return Ok(());
    };
    let Some(before) = t.seen.pool.copied() else {
        return Ok(());
    };
    let pre = t.m.accounts[pool as usize].clone();
    let addr = t.seen.actors[pool as usize].addr;
    exits_never_blocked(t, k, kind, &before)?;
    if !t.ok {
        return Ok(());
    }
    if let Kind::PoolDonate { amount, .. } = kind {
        t.m.pools[k].donated += amount;
        t.path("pool: donation to the vault");
        return Ok(());
    }
    network_calls(t, pool, addr)?;
    let events: Vec<E> = t.seen.out.events(addr);
    let mut loss_seen = false;
    let mut price = before.price();
    let mut supply = before.supply;
    let mut operator_shares = before.operator_shares;
    let mut active = before.active;
    for e in &events {
        match e {
            E::Transfer(x) => transfer(t, k, x.from, x.to, x.value)?,
            E::LossAbsorbed(x) => {
                loss_seen = true;
                let l = Loss {
                    loss: x.loss.saturating_to(),
                    operator: x.operatorLoss.saturating_to(),
                    burned: x.operatorSharesBurned,
                    active: x.activeLoss.saturating_to(),
                    pending: x.pendingLoss.saturating_to(),
                };
                let after = absorb(t, k, &before, &pre, &l)?;
                (active, supply) = (after.0, after.1);
                operator_shares -= l.burned;
                price = Price::new(active, supply);
            }
            E::RewardsCollected(x) => {
                let r = (
                    x.amount.saturating_to(),
                    x.commission.saturating_to(),
                    x.toShareholders.saturating_to(),
                );
                reward(t, &before, &pre, supply - operator_shares, r)?;
                active += r.2;
                let raised = Price::new(active, supply);
                if price.above(&raised) {
                    return Err(violation(
                        "share price never rises from a slash and never falls from a reward",
                        format!(
                            "pool {addr}: reward {r:?} moved the price from {price:?} to {raised:?}"
                        ),
                    ));
                }
                price = raised;
            }
            E::WithdrawalRequested(x) => {
                let owner = t.actor_of(x.owner).unwrap_or(u16::MAX);
                let unabsorbed = pre.stake + pre.unbonding < before.booked() && !loss_seen;
                if unabsorbed && owner == t.m.pools[k].operator {
                    return Err(violation(
                        "no withdrawal request escapes a slash earned before it",
                        format!(
                            "pool {addr}: the operator's request {} priced on books of {} while the network held {} (its shares take a loss first)",
                            x.requestId,
                            before.booked(),
                            pre.stake + pre.unbonding
                        ),
                    ));
                }
                let tranche: u64 = x.tranche.saturating_to();
                let p = &mut t.m.pools[k];
                *p.tranche_requests.entry(tranche).or_default() += 1;
                let r = p.requests.entry(x.requestId).or_insert(MRequest {
                    owner,
                    tranche,
                    ..MRequest::default()
                });
                if (r.owner, r.tranche) != (owner, tranche) {
                    return Err(violation(
                        "the sum of delegators' claims never exceeds the vault's assets",
                        format!(
                            "pool {addr}: request {} of actor {owner} in tranche {tranche} joined a request of actor {} in tranche {}",
                            x.requestId, r.owner, r.tranche
                        ),
                    ));
                }
                r.entitled += x.assets.saturating_to::<u128>();
                t.path(if unabsorbed {
                    "pool: withdrawal requested before a slash was absorbed"
                } else {
                    "pool: withdrawal requested"
                });
            }
            E::TrancheFinalized(x) => {
                if pre.stake + pre.unbonding < before.booked() && !loss_seen {
                    return Err(violation(
                        "no withdrawal request escapes a slash earned before it",
                        format!(
                            "pool {addr}: tranche {} finalized on books of {} while the network held {} (a slash not yet absorbed)",
                            x.tranche,
                            before.booked(),
                            pre.stake + pre.unbonding
                        ),
                    ));
                }
                t.m.pools[k].finalized.insert(x.tranche.saturating_to());
                t.path(if x.assets.is_zero() {
                    "pool: tranche wiped out by slashes"
                } else {
                    "pool: tranche withdrawn from the network"
                });
            }
            E::WithdrawalClaimed(x) => claimed(t, k, x.requestId, x.assets.saturating_to())?,
            _ => {}
        }
    }
    t.m.pools[k].absorbed_slashed = t.m.accounts[pool as usize].slashed;
    Ok(())
}

/// A `LossAbsorbed` event's fields.
struct Loss {
    loss: u128,
    operator: u128,
    burned: U256,
    active: u128,
    pending: u128,
}

/// Checks an absorbed loss against the books before the call and the slashes the network executed,
/// and lowers every unfinalized request's entitlement by the shareholders' fraction. Returns the
/// shareholders' assets and the share supply after it.
fn absorb(
    t: &mut Transition<'_>,
    k: usize,
    before: &PoolView,
    pre: &MAccount,
    l: &Loss,
) -> Result<(u128, U256), Violation> {
    let addr = t.seen.actors[t.m.pools[k].actor as usize].addr;
    let actual = pre.stake + pre.unbonding;
    let expected = before.booked().saturating_sub(actual);
    if l.loss != expected
        || l.operator + l.active + l.pending != l.loss
        || l.burned > before.operator_shares
    {
        return Err(violation(
            "a slash lowers every delegator's and every pending withdrawal's value by the same fraction",
            format!(
                "pool {addr}: absorbed loss {} (operator {}, shareholders {}, pending {}) but the network slashed {expected} since the last sync",
                l.loss, l.operator, l.active, l.pending
            ),
        ));
    }
    let (active, supply) = (before.active - l.operator - l.active, before.supply - l.burned);
    let p0 = before.price();
    let p1 = Price::new(active, supply);
    if p1.above(&p0) {
        return Err(violation(
            "share price never rises from a slash and never falls from a reward",
            format!("pool {addr}: loss {} raised the price from {p0:?} to {p1:?}", l.loss),
        ));
    }
    // The shareholders keep p1/p0 of their value; the pending withdrawals must keep the same.
    let pending = before.pending();
    let a_op = before.active - l.operator;
    let kept = U512::from(pending - l.pending) * p0.num * p1.den;
    let fair = U512::from(pending) * p1.num * p0.den;
    let share_value = (p0.num.div_ceil(p0.den)).saturating_to::<u128>().max(1);
    let bound = fraction_bound(pending, a_op, share_value);
    let diff = if kept > fair { kept - fair } else { fair - kept };
    if diff > U512::from(bound) * p0.num * p1.den {
        return Err(violation(
            "a slash lowers every delegator's and every pending withdrawal's value by the same fraction",
            format!(
                "pool {addr}: shares kept {p1:?}/{p0:?} of their value, pending withdrawals kept {} of {pending} (bound {bound} units)",
                pending - l.pending
            ),
        ));
    }
    let p = &mut t.m.pools[k];
    for r in p.requests.values_mut() {
        if !p.finalized.contains(&r.tranche) {
            let v = r.entitled;
            r.entitled = (U512::from(v) * p1.num * p0.den / (p0.num * p1.den)).saturating_to();
            r.slack += fraction_bound(v, a_op, share_value);
        }
    }
    t.path(if l.pending > 0 {
        "pool: slash absorbed by shares and pending withdrawals"
    } else if l.active > 0 {
        "pool: slash absorbed by the shareholders"
    } else {
        "pool: slash absorbed by the operator's self-stake"
    });
    Ok((active, supply))
}

/// Checks a collected reward: exactly the network's credit, the commission in force (all of it
/// while no delegator holds shares: the windfall guard), the rest to the shareholders.
fn reward(
    t: &mut Transition<'_>,
    before: &PoolView,
    pre: &MAccount,
    delegator_shares: U256,
    (amount, commission, to_holders): (u128, u128, u128),
) -> Result<(), Violation> {
    let delegators = !delegator_shares.is_zero();
    let want = if delegators { amount * u128::from(before.commission_bps) / BPS } else { amount };
    if amount != pre.claimable || commission != want || commission + to_holders != amount {
        return Err(violation(
            "share price never rises from a slash and never falls from a reward",
            format!(
                "reward {amount} (credit {}), commission {commission} (want {want} at {} bps), to shareholders {to_holders}",
                pre.claimable, before.commission_bps
            ),
        ));
    }
    t.path(if delegators {
        "pool: reward shared"
    } else {
        "pool: reward to an empty vault kept by the operator"
    });
    Ok(())
}

/// A mint, burn or transfer of pool shares.
fn transfer(
    t: &mut Transition<'_>,
    k: usize,
    from: Address,
    to: Address,
    value: U256,
) -> Result<(), Violation> {
    let (from, to) = (t.actor_of(from), t.actor_of(to));
    let p = &mut t.m.pools[k];
    if let Some(f) = from {
        let held = p.shares.entry(f).or_default();
        *held = held.checked_sub(value).ok_or_else(|| {
            violation(
                "the sum of delegators' claims never exceeds the vault's assets",
                format!("actor {f} spent {value} shares it did not hold"),
            )
        })?;
    }
    if let Some(to) = to {
        *p.shares.entry(to).or_default() += value;
    }
    Ok(())
}

/// A claim paid: never more than the request's entitlement (plus its rounding slack).
fn claimed(t: &mut Transition<'_>, k: usize, id: U256, paid: u128) -> Result<(), Violation> {
    let p = &mut t.m.pools[k];
    let Some(r) = p.requests.remove(&id) else {
        return Err(violation(
            "the sum of delegators' claims never exceeds the vault's assets",
            format!("request {id} paid {paid} but was never made or already claimed"),
        ));
    };
    let remainder = p.tranche_requests.get(&r.tranche).copied().unwrap_or(0);
    if paid > r.entitled + r.slack + u128::from(remainder) {
        return Err(violation(
            "no withdrawal request escapes a slash earned before it",
            format!(
                "request {id} paid {paid}, its value at request lowered by every later slash is {} (+{} rounding)",
                r.entitled,
                r.slack + u128::from(remainder)
            ),
        ));
    }
    t.path("pool: withdrawal claimed");
    Ok(())
}

/// Liveness of exits: a delegator's request for held shares worth something on the books of the
/// last sync, and the claim of a finalized request, never revert (also while the network is paused
/// and while a slash waits to be absorbed).
fn exits_never_blocked(
    t: &Transition<'_>,
    k: usize,
    kind: &Kind,
    before: &PoolView,
) -> Result<(), Violation> {
    if t.ok {
        return Ok(());
    }
    let p = &t.m.pools[k];
    let blocked = match kind {
        Kind::PoolClaim { request, .. } => {
            p.requests.get(request).is_some_and(|r| p.finalized.contains(&r.tranche))
        }
        Kind::PoolRequestWithdraw { shares, .. } => {
            let worth = before.price().value(*shares) > 0;
            worth && !shares.is_zero() && *shares <= p.shares_of(t.sender) && t.sender != p.operator
        }
        _ => false,
    };
    if blocked {
        return Err(violation(
            "a delegator can always exit (requests for held shares and claims of finalized requests never revert)",
            format!("{:?} reverted: {:?}", kind, t.revert()),
        ));
    }
    Ok(())
}

/// The network calls the pool made for itself inside the call, each checked against the network's
/// staking rules and applied to the pool's account.
fn network_calls(t: &mut Transition<'_>, pool: u16, addr: Address) -> Result<(), Violation> {
    let (p, block) = (t.p, t.block);
    let events = t.events.clone();
    for e in &events {
        let a = t.m.accounts[pool as usize].clone();
        match e {
            N::StakeAdded(x) if x.prover == addr => {
                let amount: u128 = x.amount.saturating_to();
                if !a.registered {
                    return Err(violation(
                        "only registered provers stake",
                        format!("pool {addr} staked unregistered"),
                    ));
                }
                let acct = t.acct(pool);
                acct.stake += amount;
                acct.deposited += amount;
            }
            N::UnstakeRequested(x) if x.prover == addr => {
                let amount: u128 = x.amount.saturating_to();
                if !a.registered || amount == 0 || amount > a.stake {
                    return Err(violation(
                        "unstake moves at most the active stake",
                        format!("pool {addr} unstaked {amount} of {}", a.stake),
                    ));
                }
                let acct = t.acct(pool);
                acct.stake -= amount;
                acct.unbonding += amount;
                acct.ready_at = block + u64::from(p.unbonding_delay);
                crate::model::drain::note_unstake(t, pool);
            }
            N::Withdrawn(x) if x.prover == addr => {
                let allowed = a.unbonding > 0
                    && block >= a.ready_at
                    && covers_open(&p, &a)
                    && a.commit.is_none();
                if !allowed || x.amount.saturating_to::<u128>() != a.unbonding {
                    return Err(violation(
                        "slashed or obligated stake can never be withdrawn",
                        format!("pool {addr} withdrew {} with {a:?}", x.amount),
                    ));
                }
                let acct = t.acct(pool);
                acct.withdrawn += acct.unbonding;
                acct.unbonding = 0;
            }
            N::Claimed(x) if x.account == addr => {
                if x.amount.saturating_to::<u128>() != a.claimable || a.claimable == 0 {
                    return Err(violation(
                        "claim pays exactly the credit",
                        format!("pool {addr}: {} vs {}", x.amount, a.claimable),
                    ));
                }
                let acct = t.acct(pool);
                acct.claimed += acct.claimable;
                acct.claimable = 0;
            }
            _ => {}
        }
    }
    Ok(())
}
