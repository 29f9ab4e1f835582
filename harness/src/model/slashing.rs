//! Slashing: a missed proving window (`slashMissed`, or the race winner and `markFailed` slashing
//! on the way) and a withheld reveal (`penalizeNonReveal`, or the prover's next commit). Mirrors
//! `_slashMissed`, `_slashStake` and `_penalizeNonReveal` in contracts/ProverNetwork.sol.

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
    let amount = slash_stake(a, p.non_reveal_slash_bps, p.max_weight_stake);
    let burned = amount * p.burn_bps as u128 / BPS;
    t.m.burn += burned;
    t.m.treasury += amount - burned;
    reputation::lower(t, i, p.rep_no_reveal_penalty);
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

/// Slashes the assigned prover of batch `id` for its missed window (mirror of `_slashMissed`):
/// `slashBps` of its bond, split burn / bounty / treasury; the batch goes to the race with the
/// bounty. Returns (amount, burned, bounty, toTreasury).
pub(crate) fn slash_assigned(
    t: &mut Transition<'_>,
    id: u64,
) -> Result<(u128, u128, u128, u128), Violation> {
    let p = t.m.params;
    let prover = t.m.batch(id).map(|b| b.prover).unwrap_or_default();
    let Some(pi) = t.actor_of(prover) else {
        return Err(violation(
            "assigned prover is a known actor",
            format!("batch {id} assigned to {prover}"),
        ));
    };
    let a = t.acct(pi);
    let amount = slash_stake(a, p.slash_bps, p.max_weight_stake);
    if a.open == 0 {
        return Err(violation(
            "open assignments never underflow",
            format!("slashing {prover} for batch {id}"),
        ));
    }
    a.open -= 1;
    let burned = amount * p.burn_bps as u128 / BPS;
    let bounty = amount * p.bounty_bps as u128 / BPS;
    let to_treasury = amount - burned - bounty;
    t.m.burn += burned;
    t.m.treasury += to_treasury;
    let b = &mut t.m.batches[id as usize - 1];
    b.status = status::RACING;
    b.bounty = bounty;
    reputation::lower(t, pi, p.rep_miss_penalty);
    Ok((amount, burned, bounty, to_treasury))
}

/// Slashes batch `id`'s assigned prover in the model and checks the `ProverSlashed` event
/// against it.
pub(crate) fn slash_and_check_event(t: &mut Transition<'_>, id: u64) -> Result<(), Violation> {
    let (amount, burned, bounty, to_treasury) = slash_assigned(t, id)?;
    let emitted = t.events.iter().find_map(|e| match e {
        ProverNetworkEvents::ProverSlashed(s) => Some((
            s.amount.saturating_to::<u128>(),
            s.burned.saturating_to::<u128>(),
            s.bounty.saturating_to::<u128>(),
            s.toTreasury.saturating_to::<u128>(),
        )),
        _ => None,
    });
    if emitted != Some((amount, burned, bounty, to_treasury)) {
        return Err(violation(
            "a missed window slashes slashBps of the bond, split burn / bounty / treasury",
            format!(
                "batch {id}: emitted {emitted:?}, model {:?}",
                (amount, burned, bounty, to_treasury)
            ),
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
        if t.seen.actors[prover as usize].role == Role::WithdrawBeforeSlash {
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
