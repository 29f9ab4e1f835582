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

/// Credits a keeper fee to account `k`'s claimable balance (`_payKeeper`), checking the
/// `KeeperPaid` event.
pub(crate) fn pay_keeper(t: &mut Transition<'_>, k: u16, amount: u128) -> Result<(), Violation> {
    if amount == 0 {
        return Ok(());
    }
    let who = t.seen.actors[k as usize].addr;
    let paid = t.events.iter().any(|e| {
        matches!(e, ProverNetworkEvents::KeeperPaid(x)
            if x.keeper == who && x.amount.saturating_to::<u128>() == amount)
    });
    if !paid {
        return Err(violation(
            "keepers are paid keeperBps of what their call moved, to their claimable balance",
            format!("{who} should have been paid {amount}"),
        ));
    }
    let a = t.acct(k);
    a.claimable += amount;
    a.keeper_fees += amount;
    Ok(())
}

/// Penalises account `i`'s withheld reveal (mirror of `_penalizeNonReveal`): closes its
/// commitment, slashes `nonRevealSlashBps` of its bond and lowers its reputation. Under the
/// current terms, the burn and bounty shares are burnt (there is no batch to rescue), the keeper
/// share goes to the caller when a keeper applied it (`by_keeper`), the rest to the treasury.
/// Returns the amount slashed.
pub(crate) fn penalize(t: &mut Transition<'_>, i: u16, by_keeper: bool) -> Result<u128, Violation> {
    let p = t.m.params;
    let terms = t.m.current_terms();
    let a = t.acct(i);
    a.commit = None;
    let amount = slash_stake(a, p.non_reveal_slash_bps.into(), p.max_weight_stake);
    let burned = amount * (u128::from(terms.burn_bps) + u128::from(terms.bounty_bps)) / BPS;
    let keeper = if by_keeper { amount * u128::from(terms.keeper_bps) / BPS } else { 0 };
    t.m.burn += burned;
    t.m.treasury += amount - burned - keeper;
    pay_keeper(t, t.sender, keeper)?;
    reputation::lower(t, i, p.rep_no_reveal_penalty.into());
    Ok(amount)
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
        let amount = penalize(t, target, true)?;
        check_non_reveal_event(t, amount)?;
        t.path("non-reveal penalised by a keeper");
    }
    Ok(())
}

/// What one missed-window slash took and where it went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlashSplit {
    /// Taken from the bond.
    pub amount: u128,
    /// Burned share.
    pub burned: u128,
    /// Set aside on the batch for its race winner.
    pub bounty: u128,
    /// Paid to the caller whose call slashed.
    pub keeper: u128,
    /// The treasury's remainder.
    pub to_treasury: u128,
}

/// Opens the race of batch `id`, whose assigned prover missed its window (mirror of
/// `_slashMissed`): releases the batch from the prover's capacity; for the first missed batch of
/// its assignment only, lowers the reputation and, unless the prover was already slashed for a
/// miss whose deadline fell in the same epoch window, slashes `slashBps` of the bond under the
/// assignment's frozen terms (burn / bounty on this batch / keeper to `keeper` / treasury).
/// Returns the split, or `None` when nothing was slashed (a later batch of a slashed assignment,
/// or a capped miss).
pub(crate) fn slash_assigned(
    t: &mut Transition<'_>,
    id: u64,
    keeper: u16,
) -> Result<Option<SlashSplit>, Violation> {
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
    let (deadline, config) = (asg.proving_deadline, asg.config);
    crate::model::provability::check_slash(t, id)?;
    reputation::lower(t, pi, p.rep_miss_penalty.into());
    // The epoch the deadline falls in on the network clock (ProverNetwork._slashMissed).
    let window = t.seen.chain.epochs.at(deadline);
    if t.m.accounts[pi as usize].slashed_epoch == window + 1 {
        t.path("second miss in an epoch window: stake slash capped");
        return Ok(None);
    }
    crate::model::drain::check_slash(t, pi, config)?;
    let terms = t.m.terms.get(config as usize).copied().unwrap_or_default();
    let a = t.acct(pi);
    a.slashed_epoch = window + 1;
    let amount = slash_stake(a, terms.slash_bps.into(), p.max_weight_stake);
    let share = |bps: u16| amount * u128::from(bps) / BPS;
    let (burned, bounty, keeper_fee) =
        (share(terms.burn_bps), share(terms.bounty_bps), share(terms.keeper_bps));
    let to_treasury = amount - burned - bounty - keeper_fee;
    t.m.burn += burned;
    t.m.treasury += to_treasury;
    t.m.batches[id as usize - 1].bounty = bounty;
    t.m.batches[id as usize - 1].slash_taken = amount;
    pay_keeper(t, keeper, keeper_fee)?;
    Ok(Some(SlashSplit { amount, burned, bounty, keeper: keeper_fee, to_treasury }))
}

/// Opens batch `id`'s race in the model (slashing its prover if its assignment was not slashed
/// yet) and checks the `ProverSlashed` event against it: emitted with the model's amounts for the
/// first missed batch of an assignment, absent for the later ones.
pub(crate) fn slash_and_check_event(
    t: &mut Transition<'_>,
    id: u64,
    keeper: u16,
) -> Result<(), Violation> {
    let model =
        slash_assigned(t, id, keeper)?.map(|s| (s.amount, s.burned, s.bounty, s.to_treasury));
    crate::model::rescue::check_bounty(t, id)?;
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
            "one slash per missed assignment (and per epoch window): slashBps of the bond under the assignment's terms, split burn / bounty / keeper / treasury",
            format!("batch {id}: emitted {emitted:?}, model {model:?}"),
        ));
    }
    Ok(())
}

/// `slashMissed(batch)`: allowed exactly for an assigned batch past its proving deadline.
pub(crate) fn slash_missed(t: &mut Transition<'_>, batch: u64) -> Result<(), Violation> {
    let (ok, now) = (t.ok, t.now);
    t.effects.touched.push(batch);
    let b = t.m.batch(batch).cloned().unwrap_or_default();
    let allowed = b.status == status::ASSIGNED && now > b.proving_deadline;
    if ok != allowed {
        return Err(violation(
            if ok {
                "a prover is never slashed inside its window"
            } else {
                "a missed window can always be slashed"
            },
            format!(
                "slashMissed({batch}) at network clock {now}, deadline {}, status {}: {:?}",
                b.proving_deadline,
                b.status,
                t.revert()
            ),
        ));
    }
    if ok {
        slash_and_check_event(t, batch, t.sender)?;
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
