//! Governance and the network's own funds: parameters moved only within their bounds
//! (`ParamsLib.validate`, contracts/libraries/ParamsLib.sol), pausing batch posting, withdrawing
//! from the treasury, and flushing the pending burn.

use crate::action::Kind;
use crate::actors::Role;
use crate::model::drain::DRAIN;
use crate::model::reputation::REP_MAX;
use crate::model::state::{MPending, MTerms};
use crate::model::transition::Transition;
use crate::params::{BPS, Params};
use crate::violation::{Violation, violation};

/// `ParamsLib.validate`, restated: the error's parameter name if a field is out of bounds, in the
/// contract's check order.
pub fn params_error(p: &Params, epoch_length: u64) -> Option<&'static str> {
    let min_unbonding = 2 * u64::from(p.proving_window)
        + u64::from(p.challenge_window)
        + u64::from(p.race_window)
        + 2 * epoch_length;
    let (bounty, keeper, burn) = (p.bounty_bps as u128, p.keeper_bps as u128, p.burn_bps as u128);
    let treasury = BPS.saturating_sub(burn + bounty + keeper);
    let checks: [(&'static str, u128, u128, u128); 19] = [
        ("minStake", p.min_stake, 1 << 24, p.max_weight_stake),
        ("maxWeightStake", p.max_weight_stake, p.min_stake, (1u128 << 96) - 1),
        ("provingWindow", p.proving_window.into(), 2, 1_000_000),
        ("raceWindow", p.race_window.into(), 2, 1_000_000),
        ("challengeWindow", p.challenge_window.into(), 2, 1_000_000),
        ("unbondingDelay", p.unbonding_delay.into(), min_unbonding.into(), 10_000_000),
        ("repHalfLife", p.rep_half_life.into(), 1, u32::MAX.into()),
        ("slashBps", p.slash_bps.into(), 100, 5000),
        ("nonRevealSlashBps", p.non_reveal_slash_bps.into(), 1, 500),
        ("bountyBps", bounty, 0, 9000),
        ("keeperBps", keeper, 0, MAX_KEEPER_BPS),
        ("burnBps", burn, 1000, BPS.saturating_sub(bounty + keeper)),
        // Over-allocated shares are caught by burnBps above; what is left goes to the treasury.
        ("treasuryBps", treasury, 0, MAX_TREASURY_BPS),
        ("repInitial", p.rep_initial.into(), 1, REP_MAX.into()),
        ("repGain", p.rep_gain.into(), 1, 1000),
        ("repMissPenalty", p.rep_miss_penalty.into(), 1, REP_MAX.into()),
        ("repNoRevealPenalty", p.rep_no_reveal_penalty.into(), 1, REP_MAX.into()),
        ("assignmentBond", p.assignment_bond, 1, p.max_weight_stake),
        ("minFee", p.min_fee, 1, (1u128 << 96) - 1),
    ];
    checks.iter().find(|(_, v, lo, hi)| v < lo || v > hi).map(|c| c.0)
}

/// The keeper's largest share (`ParamsLib.MAX_KEEPER_BPS`).
pub const MAX_KEEPER_BPS: u128 = 1000;
/// The treasury's largest share of a slash (`ParamsLib.MAX_TREASURY_BPS`).
pub const MAX_TREASURY_BPS: u128 = 2000;
/// Seconds per block the network assumes when it converts its exit horizon to the timelock's
/// seconds (`GovernanceDelay.SECONDS_PER_BLOCK`).
pub const SECONDS_PER_BLOCK: u64 = 12;

/// `GovernanceDelay.requiredSeconds`: the shortest timelock delay the owner needs once provers
/// registered: a prover's exit horizon, `unbondingDelay + 2 epochs` blocks, in seconds.
pub fn required_delay(p: &Params, epoch_length: u64) -> u64 {
    (u64::from(p.unbonding_delay) + 2 * epoch_length) * SECONDS_PER_BLOCK
}

/// Whether an owner call in this transition is allowed to pass `onlyOwner`: it comes from the
/// owner (the timelock), and once a prover registered the timelock's delay outlasts a prover's
/// exit (`NetworkBase._checkOwner`).
fn owner_ok(t: &Transition<'_>) -> bool {
    let required = required_delay(&t.p, t.seen.chain.epochs.length());
    t.via_timelock && (t.m.provers == 0 || t.m.gov.delay >= required)
}

/// `setParams(p)`: the owner only, every field within its bounds; new slash terms when a share
/// changed (assignments already drawn keep theirs).
pub(crate) fn set_params(t: &mut Transition<'_>, params: &Params) -> Result<(), Violation> {
    let ok = t.ok;
    let view = *params;
    let bad = params_error(&view, t.seen.chain.epochs.length());
    let owner = owner_ok(t);
    let allowed = owner && bad.is_none();
    if ok && !owner {
        return Err(violation(
            DRAIN,
            format!("setParams passed with timelock delay {}", t.m.gov.delay),
        ));
    }
    if ok != allowed {
        return Err(violation(
            "governance moves parameters only within their bounds, through a timelock that outlasts a prover's exit",
            format!(
                "setParams ok={ok}, owner check {owner} (delay {}), model says out of bounds: {bad:?}: {:?}",
                t.m.gov.delay,
                t.revert()
            ),
        ));
    }
    if ok {
        let current = t.m.current_terms();
        let next = MTerms { rejecting: current.rejecting, ..MTerms::of(&view, false) };
        if next != current {
            new_terms(t, next);
        }
        t.m.params = view;
        t.path("parameters changed mid-run");
    }
    Ok(())
}

/// Makes `terms` the current slash terms under the next id (`Governance._setTerms`).
fn new_terms(t: &mut Transition<'_>, terms: MTerms) {
    t.m.terms.push(terms);
    t.m.config = (t.m.terms.len() - 1) as u16;
}

/// `setVerifier(v)`: the owner only (the harness's verifiers share the network's commitment
/// bound); always new slash terms, so assignments already drawn keep their verifier.
pub(crate) fn set_verifier(t: &mut Transition<'_>, rejecting: bool) -> Result<(), Violation> {
    let allowed = owner_ok(t);
    if t.ok && !allowed {
        return Err(violation(
            DRAIN,
            format!("setVerifier passed with timelock delay {}", t.m.gov.delay),
        ));
    }
    if t.ok != allowed {
        return Err(violation(
            "only the timelocked owner replaces the verifier",
            format!("setVerifier ok={}, owner check {allowed}: {:?}", t.ok, t.revert()),
        ));
    }
    if t.ok {
        let terms = MTerms { rejecting, ..t.m.current_terms() };
        if t.m.current_terms().rejecting && !rejecting {
            t.m.honest_since = t.block;
        }
        new_terms(t, terms);
        t.path(if rejecting {
            "verifier switched to a rejecting one"
        } else {
            "verifier restored"
        });
    }
    Ok(())
}

/// `pause()` / `unpause()`: the owner or the pauser (the governance actor), when not paused /
/// paused. Unpausing moves every live deadline by the pause's length (the clock stood still).
pub(crate) fn pause(t: &mut Transition<'_>, kind: &Kind) -> Result<(), Violation> {
    let authorised = t.role == Role::Governance || t.via_timelock;
    let pausing = matches!(kind, Kind::Pause);
    let allowed = authorised && pausing != t.m.paused();
    if t.ok != allowed {
        return Err(violation(
            "only governance or its pauser pauses, and the clock stops while paused",
            format!("{} {kind:?} ok={} paused {}: {:?}", t.me, t.ok, t.m.paused(), t.revert()),
        ));
    }
    if t.ok {
        let c = &mut t.m.clock;
        match c.paused_at.take() {
            Some(at) => c.paused_blocks += t.block - at,
            None => c.paused_at = Some(t.block),
        }
        t.path(if pausing { "network paused (clock stopped)" } else { "network unpaused" });
    }
    Ok(())
}

/// `withdrawTreasury(to, amount)`: the owner only, at most the treasury.
pub(crate) fn withdraw_treasury(t: &mut Transition<'_>, amount: u128) -> Result<(), Violation> {
    let allowed = owner_ok(t) && amount > 0 && amount <= t.m.treasury;
    if t.ok != allowed {
        return Err(violation(
            "only governance withdraws, at most the treasury",
            format!("{} took {amount} ok={}: {:?}", t.me, t.ok, t.revert()),
        ));
    }
    if t.ok {
        t.m.treasury -= amount;
        t.acct(t.i).withdrawn += amount;
    }
    Ok(())
}

/// `flushBurn()`: anyone, whenever a burn is pending; the caller earns the current terms' keeper
/// share of it.
pub(crate) fn flush_burn(t: &mut Transition<'_>) -> Result<(), Violation> {
    if t.ok != (t.m.burn > 0) {
        return Err(violation(
            "pending burns can always be flushed",
            format!("ok={} burn={}", t.ok, t.m.burn),
        ));
    }
    if t.ok {
        let keeper = t.m.burn * u128::from(t.m.current_terms().keeper_bps) / BPS;
        crate::model::slashing::pay_keeper(t, t.i, keeper)?;
        t.m.burn = 0;
    }
    Ok(())
}

/// `TimelockController.updateDelay(seconds)`, run by the timelock on itself: always allowed once
/// its own delay passed (the network checks the delay only when the owner calls it).
fn update_delay(t: &mut Transition<'_>, seconds: u64) -> Result<(), Violation> {
    if !t.ok {
        return Err(violation(
            "the governance timelock updates its own delay once the update's delay passed",
            format!("updateDelay({seconds}) reverted: {:?}", t.revert()),
        ));
    }
    t.m.gov.delay = seconds;
    t.path("timelock delay changed");
    Ok(())
}

/// `updateDelay` sent straight to the network: it has no such function, so it must revert.
pub(crate) fn update_delay_direct(t: &Transition<'_>) -> Result<(), Violation> {
    if t.ok {
        return Err(violation(
            "the timelock's delay changes only through the timelock",
            format!("updateDelay sent to the network by {} succeeded", t.me),
        ));
    }
    Ok(())
}

/// `TimelockController.schedule(network, 0, call, 0, salt, delay)`: the governance actor (the
/// proposer) queues an owner call for at least the timelock's delay.
pub(crate) fn schedule(
    t: &mut Transition<'_>,
    salt: u64,
    delay: u64,
    call: &Kind,
) -> Result<(), Violation> {
    let proposer = matches!(t.role, Role::Governance | Role::HostileGovernance);
    let allowed = proposer
        && !t.m.gov.pending.contains_key(&salt)
        && salt >= t.m.gov.next_salt
        && delay >= t.m.gov.delay;
    if t.ok != allowed {
        return Err(violation(
            "the governance timelock queues its proposer's calls for at least its delay",
            format!("schedule(salt {salt}, delay {delay}) ok={}: {:?}", t.ok, t.revert()),
        ));
    }
    if t.ok {
        let ready = crate::timelock::ready_block(t.block, delay);
        let (scheduled_at, by) = (t.block, t.sender);
        let op = MPending { call: call.clone(), ready, scheduled_at, by, tried: false };
        t.m.gov.pending.insert(salt, op);
        t.m.gov.next_salt = salt + 1;
        t.path("owner call scheduled in the timelock");
    }
    Ok(())
}

/// `TimelockController.execute(...)`: once its delay has passed, a queued owner call runs with
/// the timelock as the network's caller, under the rule of the function it calls.
pub(crate) fn execute(t: &mut Transition<'_>, salt: u64, call: &Kind) -> Result<(), Violation> {
    let ready = t.m.gov.pending.get(&salt).filter(|p| p.call == *call).map(|p| p.ready);
    let executor = matches!(t.role, Role::Governance | Role::HostileGovernance);
    if !executor || ready.is_none_or(|r| t.block < r) {
        if t.ok {
            return Err(violation(
                "a timelocked owner call runs only after its delay",
                format!("execute(salt {salt}) at block {}, ready at {ready:?}", t.block),
            ));
        }
        return Ok(());
    }
    t.via_timelock = true;
    match call {
        Kind::SetParams { params } => set_params(t, params),
        Kind::SetVerifier { rejecting } => set_verifier(t, *rejecting),
        Kind::WithdrawTreasury { amount } => withdraw_treasury(t, *amount),
        Kind::Pause | Kind::Unpause => pause(t, call),
        Kind::UpdateDelay { seconds } => update_delay(t, *seconds),
        other => Err(violation(
            "the harness schedules owner calls only",
            format!("scheduled {}", other.name()),
        )),
    }?;
    if t.ok {
        t.m.gov.pending.remove(&salt);
        t.path("timelocked owner call executed");
    } else if let Some(p) = t.m.gov.pending.get_mut(&salt) {
        p.tried = true;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPOCH: u64 = 15;

    #[test]
    fn the_test_set_is_in_bounds_and_each_new_bound_is_pinned() {
        let p = Params::test();
        assert_eq!(params_error(&p, EPOCH), None);
        // challengeWindow 2..1_000_000.
        assert_eq!(params_error(&Params { challenge_window: 2, ..p }, EPOCH), None);
        assert_eq!(
            params_error(&Params { challenge_window: 1, ..p }, EPOCH),
            Some("challengeWindow")
        );
        // unbondingDelay >= 2 x provingWindow + challengeWindow + raceWindow + 2 epochs.
        let min = 2 * p.proving_window + p.challenge_window + p.race_window + 2 * EPOCH as u32;
        assert_eq!(params_error(&Params { unbonding_delay: min, ..p }, EPOCH), None);
        assert_eq!(
            params_error(&Params { unbonding_delay: min - 1, ..p }, EPOCH),
            Some("unbondingDelay")
        );
        // keeperBps 0..1000, checked before burnBps.
        let keeper = Params { keeper_bps: 1000, burn_bps: 6000, bounty_bps: 3000, ..p };
        assert_eq!(params_error(&keeper, EPOCH), None);
        assert_eq!(params_error(&Params { keeper_bps: 1001, ..keeper }, EPOCH), Some("keeperBps"));
        // burnBps at most BPS - bounty - keeper, and at least 1000 (MIN_BURN_BPS).
        assert_eq!(params_error(&Params { burn_bps: 6001, ..keeper }, EPOCH), Some("burnBps"));
        let low = Params { keeper_bps: 0, bounty_bps: 8000, burn_bps: 1000, ..p };
        assert_eq!(params_error(&low, EPOCH), None);
        assert_eq!(
            params_error(&Params { burn_bps: 999, bounty_bps: 8001, ..low }, EPOCH),
            Some("burnBps")
        );
    }

    #[test]
    fn the_treasury_keeps_at_most_a_fifth_of_a_slash() {
        let p = Params { burn_bps: 5000, bounty_bps: 3000, keeper_bps: 0, ..Params::test() };
        // 10000 - 5000 - 3000 = 2000: exactly the cap.
        assert_eq!(params_error(&p, EPOCH), None);
        assert_eq!(params_error(&Params { burn_bps: 4999, ..p }, EPOCH), Some("treasuryBps"));
        // The drain's shares: slash 5000, no bounty, the keeper's maximum, the least burn.
        let drain =
            Params { slash_bps: 5000, bounty_bps: 0, keeper_bps: 1000, burn_bps: 7000, ..p };
        assert_eq!(params_error(&drain, EPOCH), None);
        assert_eq!(params_error(&Params { burn_bps: 6999, ..drain }, EPOCH), Some("treasuryBps"));
    }

    #[test]
    fn the_owner_needs_a_delay_covering_unbonding_and_two_epochs() {
        let p = Params::test();
        assert_eq!(required_delay(&p, EPOCH), (u64::from(p.unbonding_delay) + 30) * 12);
    }
}
