//! Governance and the network's own funds: parameters moved only within their bounds
//! (`ParamsLib.validate`, contracts/libraries/ParamsLib.sol), pausing batch posting, withdrawing
//! from the treasury, and flushing the pending burn.

use crate::action::Kind;
use crate::actors::Role;
use crate::model::reputation::REP_MAX;
use crate::model::transition::Transition;
use crate::params::{BPS, Params};
use crate::violation::{Violation, violation};

/// `ParamsLib.validate`, restated: the error's parameter name if a field is out of bounds.
pub fn params_error(p: &Params, epoch_length: u64) -> Option<&'static str> {
    let min_unbonding = u64::from(p.proving_window) + u64::from(p.race_window) + 2 * epoch_length;
    let checks: [(&'static str, u128, u128, u128); 16] = [
        ("minStake", p.min_stake, 1 << 24, p.max_weight_stake),
        ("maxWeightStake", p.max_weight_stake, p.min_stake, (1u128 << 96) - 1),
        ("provingWindow", p.proving_window.into(), 2, 1_000_000),
        ("raceWindow", p.race_window.into(), 2, 1_000_000),
        ("unbondingDelay", p.unbonding_delay.into(), min_unbonding.into(), 10_000_000),
        ("repHalfLife", p.rep_half_life.into(), 1, u32::MAX.into()),
        ("slashBps", p.slash_bps.into(), 100, 5000),
        ("nonRevealSlashBps", p.non_reveal_slash_bps.into(), 1, 500),
        ("burnBps", p.burn_bps.into(), 0, BPS - p.bounty_bps as u128),
        ("bountyBps", p.bounty_bps.into(), 0, 9000),
        ("repInitial", p.rep_initial.into(), 1, REP_MAX.into()),
        ("repGain", p.rep_gain.into(), 1, 1000),
        ("repMissPenalty", p.rep_miss_penalty.into(), 1, REP_MAX.into()),
        ("repNoRevealPenalty", p.rep_no_reveal_penalty.into(), 1, REP_MAX.into()),
        ("assignmentBond", p.assignment_bond, 1, p.max_weight_stake),
        ("minFee", p.min_fee, 1, (1u128 << 96) - 1),
    ];
    checks.iter().find(|(_, v, lo, hi)| v < lo || v > hi).map(|c| c.0)
}

/// `setParams(p)`: governance only, every field within its bounds.
pub(crate) fn set_params(t: &mut Transition<'_>, params: &Params) -> Result<(), Violation> {
    let ok = t.ok;
    let view = *params;
    let bad = params_error(&view, t.seen.chain.epochs.length());
    let allowed = t.role == Role::Governance && bad.is_none();
    if ok != allowed {
        return Err(violation(
            "governance moves parameters only within their bounds",
            format!("setParams ok={ok}, model says out of bounds: {bad:?}: {:?}", t.revert()),
        ));
    }
    if ok {
        t.m.params = view;
        t.path("parameters changed mid-run");
    }
    Ok(())
}

/// `pause()` / `unpause()`: governance only.
pub(crate) fn pause(t: &mut Transition<'_>, kind: &Kind) -> Result<(), Violation> {
    if t.ok && t.role != Role::Governance {
        return Err(violation("only governance pauses", format!("{}", t.me)));
    }
    if t.ok {
        t.m.paused = matches!(kind, Kind::Pause);
    }
    Ok(())
}

/// `withdrawTreasury(to, amount)`: governance only, at most the treasury.
pub(crate) fn withdraw_treasury(t: &mut Transition<'_>, amount: u128) -> Result<(), Violation> {
    if !t.ok {
        return Ok(());
    }
    if t.role != Role::Governance || amount == 0 || amount > t.m.treasury {
        return Err(violation(
            "only governance withdraws, at most the treasury",
            format!("{} took {amount}", t.me),
        ));
    }
    t.m.treasury -= amount;
    t.acct(t.i).withdrawn += amount;
    Ok(())
}

/// `flushBurn()`: anyone, whenever a burn is pending.
pub(crate) fn flush_burn(t: &mut Transition<'_>) -> Result<(), Violation> {
    if t.ok != (t.m.burn > 0) {
        return Err(violation(
            "pending burns can always be flushed",
            format!("ok={} burn={}", t.ok, t.m.burn),
        ));
    }
    t.m.burn = 0;
    Ok(())
}
