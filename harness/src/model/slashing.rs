//! Slashing: a missed proving window (`slashMissed`, or the race winner and `markFailed` slashing
//! on the way) and a withheld reveal (`penalizeNonReveal`, or the prover's next commit). Mirrors
//! `_slashMissed`, `_slashStake` and `_penalizeNonReveal` in contracts/ProverNetwork.sol.

use provernet_bindings::Strategy;

use crate::actors::Role;
use crate::chain::ProverNetworkEvents;
use crate::model::reputation;
use crate::model::state::MAccount;
use crate::model::transition::Transition;
use crate::params::BPS;
use crate::status;
use crate::violation::{Violation, violation};

/// `bps` of the bonded stake counted up to `cap` (`maxWeightStake`: stake above it buys no
/// selection odds, so it does not pay per miss either), taken from active stake first.
pub fn slash_stake(a: &mut MAccount, bps: u64, cap: u128) -> u128 {
    let amount = (a.stake + a.unbonding).min(cap) * bps as u128 / BPS;
    if amount <= a.stake {
        a.stake -= amount;
    } else {
        a.unbonding -= amount - a.stake;
        a.stake = 0;
    }
    a.slashed += amount;
    amount
}

/// Penalises account `i`'s withheld reveal (mirror of `_penalizeNonReveal`): closes its
/// commitment, slashes `nonRevealSlashBps` of its bond (burn share burnt, the rest to the
/// treasury) and lowers its reputation. Returns the amount slashed.
pub(crate) fn penalize(t: &mut Transition<'_>, i: u16) -> u128 {
    let p = t.m.params;
    let a = t.acct(i);
    a.commit = None;
    let amount = slash_stake(a, p.non_reveal_slash_bps.into(), p.max_weight_stake);
    let burned = amount * p.burn_bps as u128 / BPS;
    t.m.burn += burned;
    t.m.treasury += amount - burned;
    reputation::lower(t, i, p.rep_no_reveal_penalty.into());
    amount
}

/// The `NonRevealPenalized` event must carry the amount the model slashed.
pub(crate) fn check_non_reveal_event(t: &Transition<'_>, amount: u128) -> Result<(), Violation> {
    let emitted = t.events.iter().find_map(|e| match e {
        ProverNetworkEvents::NonRevealPenalized(n) => Some(n.slashed.saturating_to::<u128>()),
        _ => None,
    });
    if emitted != Some(amount) {
        return Err(violation(
            "non-reveal penalty is nonRevealSlashBps of the bond",
            format!("{emitted:?} vs {amount}"),
        ));
    }
    Ok(())
}

/// `penalizeNonReveal(target)`: allowed exactly once the target's reveal phase is over.
pub(crate) fn penalize_non_reveal(t: &mut Transition<'_>, target: u16) -> Result<(), Violation> {
    let (ok, block) = (t.ok, t.block);
    let tpre = t.m.accounts.get(target as usize).cloned().unwrap_or_default();
    let overdue = tpre.commit.is_some_and(|(e, _)| block >= t.seen.chain.epochs.start(e + 1));
    if ok != overdue {
        return Err(violation(
            "a withheld reveal is penalised once its reveal phase is over, never before",
            format!(
                "penalizeNonReveal({target}) ok={ok}, commitment {:?}, block {block}",
                tpre.commit
            ),
        ));
    }
    if ok {
        let amount = penalize(t, target);
        check_non_reveal_event(t, amount)?;
        t.path("non-reveal penalised by a keeper");
    }
    Ok(())
}

/// Opens the race of batch `id`, whose assigned prover missed its window (mirror of
/// `_slashMissed`): releases the batch from the prover's capacity and, for the first missed batch
/// of its assignment only, slashes `slashBps` of the bond (split burn / bounty / treasury, the
/// bounty on this batch) and lowers the reputation. Returns (amount, burned, bounty, toTreasury),
/// or `None` when the assignment was already slashed: a missed slot is one offence.
pub(crate) fn slash_assigned(
    t: &mut Transition<'_>,
    id: u64,
) -> Result<Option<(u128, u128, u128, u128)>, Violation> {
    let p = t.m.params;
    let (prover, key) = t.m.batch(id).map(|b| (b.prover, b.assignment)).unwrap_or_default();
    let Some(pi) = t.actor_of(prover) else {
        return Err(violation(
            "assigned prover is a known actor",
            format!("batch {id} assigned to {prover}"),
        ));
    };
    let a = t.acct(pi);
    if a.open == 0 {
        return Err(violation(
            "open assignments never underflow",
            format!("slashing {prover} for batch {id}"),
        ));
    }
    a.open -= 1;
    t.m.batches[id as usize - 1].status = status::RACING;
    t.effects.assignments.push(key);
    let asg = t.m.assignments.entry(key).or_default();
    if asg.slashed {
        t.path("later missed batch of a slashed assignment: race only");
        return Ok(None);
    }
    asg.slashed = true;
    let a = t.acct(pi);
    let amount = slash_stake(a, p.slash_bps.into(), p.max_weight_stake);
    let burned = amount * p.burn_bps as u128 / BPS;
    let bounty = amount * p.bounty_bps as u128 / BPS;
    let to_treasury = amount - burned - bounty;
    t.m.burn += burned;
    t.m.treasury += to_treasury;
    t.m.batches[id as usize - 1].bounty = bounty;
    reputation::lower(t, pi, p.rep_miss_penalty.into());
    Ok(Some((amount, burned, bounty, to_treasury)))
}

/// Opens batch `id`'s race in the model (slashing its prover if its assignment was not slashed
/// yet) and checks the `ProverSlashed` event against it: emitted with the model's amounts for the
/// first missed batch of an assignment, absent for the later ones.
pub(crate) fn slash_and_check_event(t: &mut Transition<'_>, id: u64) -> Result<(), Violation> {
    let model = slash_assigned(t, id)?;
    let emitted = t.events.iter().find_map(|e| match e {
        ProverNetworkEvents::ProverSlashed(s) => Some((
            s.amount.saturating_to::<u128>(),
            s.burned.saturating_to::<u128>(),
            s.bounty.saturating_to::<u128>(),
            s.toTreasury.saturating_to::<u128>(),
        )),
        _ => None,
    });
    if emitted != model {
        return Err(violation(
            "one slash per missed assignment: slashBps of the bond, split burn / bounty / treasury",
            format!("batch {id}: emitted {emitted:?}, model {model:?}"),
        ));
    }
    Ok(())
}

/// `slashMissed(batch)`: allowed exactly for an assigned batch past its proving deadline.
pub(crate) fn slash_missed(t: &mut Transition<'_>, batch: u64) -> Result<(), Violation> {
    let (ok, block) = (t.ok, t.block);
    t.effects.touched.push(batch);
    let b = t.m.batch(batch).cloned().unwrap_or_default();
    let allowed = b.status == status::ASSIGNED && block > b.proving_deadline;
    if ok != allowed {
        return Err(violation(
            if ok {
                "a prover is never slashed inside its window"
            } else {
                "a missed window can always be slashed"
            },
            format!(
                "slashMissed({batch}) at block {block}, deadline {}, status {}: {:?}",
                b.proving_deadline,
                b.status,
                t.revert()
            ),
        ));
    }
    if ok {
        slash_and_check_event(t, batch)?;
        t.path("assigned -> slashed (keeper)");
        let prover = t.actor_of(b.prover).unwrap_or(0);
        if t.seen.actors[prover as usize].role == Role::Prover(Strategy::WithdrawBeforeSlash) {
            t.path("withdraw-before-slash prover slashed");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_takes_active_stake_first() {
        let mut a = MAccount { stake: 50, unbonding: 950, ..Default::default() };
        assert_eq!(slash_stake(&mut a, 1000, u128::MAX), 100);
        assert_eq!((a.stake, a.unbonding, a.slashed), (0, 900, 100));
        // The bond counts only up to the cap.
        let mut whale = MAccount { stake: 10_000, ..Default::default() };
        assert_eq!(slash_stake(&mut whale, 1000, 2_000), 200);
        assert_eq!(whale.stake, 9_800);
    }
}
