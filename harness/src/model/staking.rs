//! Staking: registering with at least `minStake`, topping up, unbonding with a delay, withdrawing
//! once nothing holds the stake back, and claiming credited rewards and refunds.

use crate::actors::Role;
use crate::chain::ProverNetworkEvents;
use crate::model::assignment::covers_open;
use crate::model::reputation::{self, NEWCOMER};
use crate::model::transition::Transition;
use crate::violation::{Violation, violation};
use provernet_bindings::Strategy;

/// `register(amount)`: a new address with at least `minStake` (as received) becomes a prover at
/// reputation [`NEWCOMER`] (zero).
pub(crate) fn register(t: &mut Transition<'_>, amount: u128) -> Result<(), Violation> {
    if !t.ok {
        return Ok(());
    }
    let (me, p, pre, block) = (t.me, t.p, t.pre.clone(), t.block);
    let got = t.received(amount);
    let operator = t.m.prover_of_operator.contains_key(&t.i);
    if pre.registered || got < p.min_stake || operator {
        return Err(violation(
            "registration needs a new address that is nobody's operator, and at least minStake",
            format!(
                "{me} registered with {got} (min {}, registered before: {}, operator: {operator})",
                p.min_stake, pre.registered
            ),
        ));
    }
    let a = t.acct(t.i);
    a.registered = true;
    a.stake = got;
    a.deposited += got;
    // Newcomers start at the lowest score (`Reputation.NEWCOMER`): re-registering never pays.
    a.rep = NEWCOMER;
    a.rep_at = block;
    // Every registration counts: from the first one on, owner calls need the timelock.
    t.m.provers += 1;
    if t.role == Role::FreshIdentity {
        whitewash(t)?;
    }
    t.m.fee_burnt += amount - got;
    t.path("prover registered");
    Ok(())
}

/// "A fresh identity never outweighs the record of the identity it replaces": the reputation the
/// chain gave the whitewasher's fresh identity is no higher than the old identity's decayed score,
/// so with the same stake its selection weight is no higher either.
fn whitewash(t: &mut Transition<'_>) -> Result<(), Violation> {
    let Some(old) =
        t.seen.actors.iter().position(|a| a.role == Role::Prover(Strategy::Whitewasher))
    else {
        return Ok(());
    };
    let old_rep = reputation::now(t, &t.m.accounts[old]);
    let fresh = t.seen.chain.account(&t.seen.actors[t.i as usize].keys).reputation;
    if fresh > old_rep {
        return Err(violation(
            "a fresh identity never outweighs the record of the identity it replaces",
            format!(
                "fresh identity starts at reputation {fresh}, the slashed one it replaces has {old_rep}"
            ),
        ));
    }
    t.path("whitewash: fresh identity starts no higher than the slashed one");
    Ok(())
}

/// `stake(amount)`: registered provers add to their active stake.
pub(crate) fn stake(t: &mut Transition<'_>, amount: u128) -> Result<(), Violation> {
    if !t.ok {
        return Ok(());
    }
    let got = t.received(amount);
    if !t.pre.registered {
        return Err(violation(
            "only registered provers stake",
            format!("{} staked unregistered", t.me),
        ));
    }
    let a = t.acct(t.i);
    a.stake += got;
    a.deposited += got;
    t.m.fee_burnt += amount - got;
    Ok(())
}

/// `requestUnstake(amount)`: moves at most the active stake to unbonding, withdrawable after
/// `unbondingDelay` blocks.
pub(crate) fn request_unstake(t: &mut Transition<'_>, amount: u128) -> Result<(), Violation> {
    if !t.ok {
        return Ok(());
    }
    let pre = &t.pre;
    if !pre.registered || amount == 0 || amount > pre.stake {
        return Err(violation(
            "unstake moves at most the active stake",
            format!("{} unstaked {amount} of {}", t.me, pre.stake),
        ));
    }
    let ready_at = t.block + u64::from(t.p.unbonding_delay);
    let a = t.acct(t.i);
    a.stake -= amount;
    a.unbonding += amount;
    a.ready_at = ready_at;
    if a.open > 0 {
        t.path("unstake requested while assigned");
    }
    crate::model::drain::note_unstake(t, t.i);
    Ok(())
}

/// `withdraw()`: pays the whole unbonding stake once it is ready, when the active stake alone still
/// covers the open assignments (or there are none) and no commitment is open; refused otherwise.
pub(crate) fn withdraw(t: &mut Transition<'_>) -> Result<(), Violation> {
    let (ok, me, block, pre) = (t.ok, t.me, t.block, t.pre.clone());
    let allowed = pre.unbonding > 0
        && block >= pre.ready_at
        && covers_open(&t.p, &pre)
        && pre.commit.is_none();
    if ok && !allowed {
        return Err(violation(
            "slashed or obligated stake can never be withdrawn",
            format!(
                "{me} withdrew with unbonding {} ready at {} (block {block}), {} open assignments, commitment open: {}",
                pre.unbonding,
                pre.ready_at,
                pre.open,
                pre.commit.is_some()
            ),
        ));
    }
    if !ok && allowed {
        return Err(violation(
            "unbonded stake can always be withdrawn",
            format!("{me} could not withdraw {}: {:?}", pre.unbonding, t.revert()),
        ));
    }
    if ok {
        let paid = t.events.iter().find_map(|e| match e {
            ProverNetworkEvents::Withdrawn(w) => Some(w.amount.saturating_to::<u128>()),
            _ => None,
        });
        if paid != Some(pre.unbonding) {
            return Err(violation(
                "withdraw pays exactly the post-slash unbonding stake",
                format!("{me} was paid {paid:?}, model says {}", pre.unbonding),
            ));
        }
        let a = t.acct(t.i);
        a.withdrawn += a.unbonding;
        a.unbonding = 0;
        t.path(if pre.slashed > 0 { "withdraw after a slash" } else { "withdraw" });
        if pre.open > 0 {
            t.path("withdraw with open assignments covered by active stake");
        }
    }
    Ok(())
}

/// `claim()`: pays exactly the credited rewards and refunds, and only when there are some.
pub(crate) fn claim(t: &mut Transition<'_>) -> Result<(), Violation> {
    let (ok, me, claimable) = (t.ok, t.me, t.pre.claimable);
    if ok != (claimable > 0) {
        return Err(violation(
            "credited rewards can always be claimed, and only those",
            format!("{me} claim ok={ok} with claimable {claimable}: {:?}", t.revert()),
        ));
    }
    if ok {
        let paid = t.events.iter().find_map(|e| match e {
            ProverNetworkEvents::Claimed(c) => Some(c.amount.saturating_to::<u128>()),
            _ => None,
        });
        if paid != Some(claimable) {
            return Err(violation(
                "claim pays exactly the credit",
                format!("{me}: {paid:?} vs {claimable}"),
            ));
        }
        let a = t.acct(t.i);
        a.claimed += a.claimable;
        a.claimable = 0;
    }
    Ok(())
}
