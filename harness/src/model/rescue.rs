//! Issue 11's third new invariant, "self-rescue never pays": a prover that lets its own
//! assignment miss and races it from a second identity wins the fee it would have earned anyway
//! plus the bounty, and the bounty must be worth less than the stake the miss cost (it is a share
//! of that slash, and a miss capped at one slash per epoch window carries none). Checked on the
//! chain's own figures when a slash sets a bounty, and per rescue for the self-rescuer's pair.

use crate::actors::Role;
use crate::chain::ProverNetworkEvents;
use crate::model::transition::Transition;
use crate::violation::{Violation, violation};

/// The invariant's name, as reported.
pub const RESCUE: &str =
    "self-rescue never pays: a rescue's bounty is less than the stake its missed prover lost";

/// A slash of batch `id`'s prover just ran on chain: the bounty it set on the batch must be below
/// the stake it took (zero when it took none). `markFailed` burns the bounty in the same call, so
/// there the bounty is what the chain burned beyond what the model expects (`burned_beyond`).
pub(crate) fn check_bounty(t: &Transition<'_>, id: u64) -> Result<(), Violation> {
    let bounty = t.seen.chain.batch(id).bounty;
    check_bounty_of(t, id, bounty)
}

/// `markFailed(id)` closed a batch whose model bounty is `model_bounty` (burned, as the
/// unrescued bounty is): what the chain burned beyond the model's figures was a bounty too.
pub(crate) fn check_burned_bounty(
    t: &Transition<'_>,
    id: u64,
    model_bounty: u128,
) -> Result<(), Violation> {
    let (_, chain_burn) = t.seen.chain.treasury_and_burn();
    let beyond = chain_burn.saturating_sub(t.m.burn);
    check_bounty_of(t, id, model_bounty + beyond)
}

fn check_bounty_of(t: &Transition<'_>, id: u64, bounty: u128) -> Result<(), Violation> {
    let taken = t
        .events
        .iter()
        .find_map(|e| match e {
            ProverNetworkEvents::ProverSlashed(s) => Some(s.amount.saturating_to::<u128>()),
            _ => None,
        })
        // No slash in this call: the one that set the bounty earlier.
        .unwrap_or_else(|| t.m.batch(id).map_or(0, |b| b.slash_taken));
    if bounty > 0 && bounty >= taken {
        return Err(violation(
            RESCUE,
            format!("batch {id} carries a bounty of {bounty} for a miss that took {taken}"),
        ));
    }
    Ok(())
}

/// The self-rescuer's twin won batch `id` (fee `fee`, paid `payout` on chain): what it won beyond
/// the fee must be less than what the miss cost the first identity.
pub(crate) fn check_rescue(
    t: &mut Transition<'_>,
    id: u64,
    fee: u128,
    payout: u128,
) -> Result<(), Violation> {
    let Some(b) = t.m.batch(id) else { return Ok(()) };
    let (prover, lost) = (b.prover, b.slash_taken);
    let first = t.actor_of(prover).map(|k| t.seen.actors[k as usize].role);
    if t.role != Role::RescueTwin || first != Some(Role::SelfRescuer) {
        return Ok(());
    }
    let won = payout.saturating_sub(fee);
    if won > 0 && won >= lost {
        return Err(violation(
            RESCUE,
            format!("the twin won {won} beyond the fee rescuing batch {id}; the miss cost {lost}"),
        ));
    }
    t.m.rescues.won += won;
    t.m.rescues.lost += lost;
    t.m.rescues.count += 1;
    t.path("self-rescue by a second identity (did not pay)");
    Ok(())
}
