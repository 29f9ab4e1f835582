//! Withheld data: the assigned prover challenges a batch whose data it cannot get
//! (`challengeData`, inside its exclusive window); the source publishes the data on chain
//! (`answerChallenge`, inside `challengeWindow`), which restarts the prover's window on an
//! assignment of the batch's own; or nobody does and anyone voids the batch (`voidUnanswered`):
//! the fee, less the keeper's share, compensates the prover and nobody is slashed. Mirrors
//! contracts/extension/DataChallenges.sol.

use alloy::primitives::{B256, U256};

use crate::batch_data::commitment_of;
use crate::chain::ProverNetworkEvents;
use crate::model::provability::UNPROVABLE;
use crate::model::slashing::pay_keeper;
use crate::model::state::MAssignment;
use crate::model::transition::Transition;
use crate::params::BPS;
use crate::status;
use crate::violation::{Violation, violation};

/// Key of the assignment an answered batch moves to (`NetworkBase.ANSWERED_KEY_BASE + id`): above
/// every slot draw's key, so it never collides with one.
pub const ANSWERED_KEY_BASE: u64 = 1 << 39;

/// `challengeData(batch)`: exactly the assigned prover (or its operator), for an Assigned batch,
/// inside its exclusive window. The batch waits in Challenged until `now + challengeWindow`.
pub(crate) fn challenge_data(t: &mut Transition<'_>, batch: u64) -> Result<(), Violation> {
    let (ok, now, me) = (t.ok, t.now, t.me);
    t.effects.touched.push(batch);
    let b = t.m.batch(batch).cloned().unwrap_or_default();
    let allowed = b.status == status::ASSIGNED && b.prover == me && now <= b.proving_deadline;
    if ok != allowed {
        return Err(violation(
            if ok {
                "only the assigned prover challenges a batch's data, inside its exclusive window"
            } else {
                "an assigned prover can always challenge its batch's data inside its window"
            },
            format!(
                "{me} challengeData({batch}) ok={ok}: status {}, prover {}, deadline {}, network clock {now}: {:?}",
                b.status,
                b.prover,
                b.proving_deadline,
                t.revert()
            ),
        ));
    }
    if !ok {
        if t.revert().is_some_and(|r| r.name == "ProvingWindowClosed") {
            t.path("late data challenge rejected");
        }
        return Ok(());
    }
    let respond_by = now + u64::from(t.p.challenge_window);
    let emitted = t.events.iter().find_map(|e| match e {
        ProverNetworkEvents::DataChallenged(x) if x.batchId == U256::from(batch) => {
            Some((x.prover, x.respondBy.saturating_to::<u64>()))
        }
        _ => None,
    });
    check_deadline(t, batch, emitted.map(|(_, b)| b), respond_by, "DataChallenged's respondBy")?;
    if emitted.is_none_or(|(prover, _)| prover != me) {
        return Err(violation(
            "challengeData emits DataChallenged naming the prover",
            format!("batch {batch}: {emitted:?}"),
        ));
    }
    let rec = &mut t.m.batches[batch as usize - 1];
    rec.status = status::CHALLENGED;
    rec.respond_by = respond_by;
    t.m.withheld.insert(batch);
    t.path("assigned -> challenged (data withheld)");
    Ok(())
}

/// `answerChallenge(batch, data)`: anyone, for a Challenged batch, inside its answer window, with
/// data whose Poseidon commitment is the batch's. The batch moves to assignment
/// `ANSWERED_KEY_BASE + batch`: same prover and frozen terms, proving deadline `now +
/// provingWindow`, race deadline `+ raceWindow`, not slashed.
pub(crate) fn answer_challenge(
    t: &mut Transition<'_>,
    batch: u64,
    data: u64,
) -> Result<(), Violation> {
    let (ok, now) = (t.ok, t.now);
    t.effects.touched.push(batch);
    let b = t.m.batch(batch).cloned().unwrap_or_default();
    let challenged = b.status == status::CHALLENGED;
    let computed = commitment_of(data);
    let allowed = challenged && now <= b.respond_by && computed == b.commitment;
    if ok != allowed {
        return Err(violation(
            if ok {
                "an answer is accepted only with the committed data, inside the answer window"
            } else {
                "the committed data can always be published inside the answer window"
            },
            format!(
                "answerChallenge({batch}, data {data}) ok={ok}: status {}, respond by {}, network clock {now}, data matches {}: {:?}",
                b.status,
                b.respond_by,
                computed == b.commitment,
                t.revert()
            ),
        ));
    }
    if !ok {
        return note_refused_answer(
            t,
            batch,
            computed,
            b.commitment,
            challenged && now <= b.respond_by,
        );
    }
    let published = t.events.iter().find_map(|e| match e {
        ProverNetworkEvents::BatchDataPublished(x) if x.batchId == U256::from(batch) => {
            Some(x.provingDeadline.saturating_to::<u64>())
        }
        _ => None,
    });
    let proving_deadline = now + u64::from(t.p.proving_window);
    check_deadline(t, batch, published, proving_deadline, "BatchDataPublished's provingDeadline")?;
    let key = ANSWERED_KEY_BASE + batch;
    let old = t.m.assignments.get(&b.assignment).copied().unwrap_or_default();
    let asg = MAssignment {
        prover: old.prover,
        proving_deadline,
        race_deadline: proving_deadline + u64::from(t.p.race_window),
        config: old.config,
        slashed: false,
        unlisted: false,
    };
    t.m.assignments.insert(key, asg);
    t.effects.assignments.push(key);
    let rec = &mut t.m.batches[batch as usize - 1];
    rec.status = status::ASSIGNED;
    rec.assignment = key;
    rec.proving_deadline = asg.proving_deadline;
    rec.race_deadline = asg.race_deadline;
    rec.respond_by = 0;
    // The data is public now: the prover can prove it and answers for a miss again.
    t.m.withheld.remove(&batch);
    t.path("challenged -> answered (window restarted)");
    Ok(())
}

/// A deadline an event reports (a block number) must be the model's network-clock `deadline`
/// shifted by the blocks spent paused: the clock stops while paused, so a pause never eats into a
/// window.
fn check_deadline(
    t: &Transition<'_>,
    batch: u64,
    emitted: Option<u64>,
    deadline: u64,
    what: &str,
) -> Result<(), Violation> {
    let want = t.m.clock.to_block(deadline, t.block);
    if emitted != Some(want) {
        return Err(violation(
            "deadlines run on the network clock, which stops while paused",
            format!("batch {batch}: {what} is {emitted:?}, the model's is block {want}"),
        ));
    }
    Ok(())
}

/// A refused answer inside the window was refused for its data: `DataMismatch` with the
/// commitment the chain computed and the batch's.
fn note_refused_answer(
    t: &mut Transition<'_>,
    batch: u64,
    computed: B256,
    commitment: B256,
    in_window: bool,
) -> Result<(), Violation> {
    let Some(r) = t.revert() else { return Ok(()) };
    if !in_window {
        if r.name == "ChallengeWindowClosed" {
            t.path("late answer rejected");
        }
        return Ok(());
    }
    let expected =
        format!("DataMismatch(batchId: {batch}, computed: {computed}, commitment: {commitment})");
    if r.detail != expected {
        return Err(violation(
            "an answer with the wrong data reverts with DataMismatch(batch, computed, commitment)",
            format!("got {}, expected {expected}", r.detail),
        ));
    }
    t.path("answer with wrong data rejected");
    Ok(())
}

/// `voidUnanswered(batch)`: anyone, for a Challenged batch whose answer window is over. The batch
/// ends Voided; its fee less the keeper's share (under the assignment's frozen terms) compensates
/// the prover, whose capacity is released; nobody is slashed.
pub(crate) fn void_unanswered(t: &mut Transition<'_>, batch: u64) -> Result<(), Violation> {
    let (ok, now) = (t.ok, t.now);
    t.effects.touched.push(batch);
    let b = t.m.batch(batch).cloned().unwrap_or_default();
    let allowed = b.status == status::CHALLENGED && now > b.respond_by;
    if ok != allowed {
        return Err(violation(
            if ok {
                "only an unanswered challenge whose answer window is over voids its batch"
            } else {
                "an unanswered challenge can always be voided once its answer window is over"
            },
            format!(
                "voidUnanswered({batch}) ok={ok}: status {}, respond by {}, network clock {now}: {:?}",
                b.status,
                b.respond_by,
                t.revert()
            ),
        ));
    }
    if !ok {
        if t.revert().is_some_and(|r| r.name == "ChallengeWindowOpen") {
            t.path("early void rejected");
        }
        return Ok(());
    }
    let Some(pi) = t.actor_of(b.prover) else {
        return Err(violation(
            "assigned prover is a known actor",
            format!("batch {batch} assigned to {}", b.prover),
        ));
    };
    check_not_slashed(t, batch, pi)?;
    let keeper = b.fee * u128::from(t.m.terms_of(b.assignment).keeper_bps) / BPS;
    let compensation = b.fee - keeper;
    let emitted = t.events.iter().find_map(|e| match e {
        ProverNetworkEvents::BatchVoided(x) if x.batchId == U256::from(batch) => {
            Some((x.prover, x.compensation.saturating_to::<u128>()))
        }
        _ => None,
    });
    if emitted != Some((b.prover, compensation)) {
        return Err(violation(
            "a voided batch's fee, less the keeper's share, compensates its prover",
            format!("batch {batch}: emitted {emitted:?}, model ({}, {compensation})", b.prover),
        ));
    }
    let a = t.acct(pi);
    a.open = a
        .open
        .checked_sub(1)
        .ok_or_else(|| violation("open assignments never underflow", format!("void {batch}")))?;
    a.claimable += compensation;
    a.compensated += compensation;
    let rec = &mut t.m.batches[batch as usize - 1];
    rec.status = status::VOIDED;
    rec.respond_by = 0;
    t.m.live.remove(&batch);
    pay_keeper(t, t.sender, keeper)?;
    t.path("challenged -> voided (prover compensated)");
    Ok(())
}

/// Voiding batch `batch` must not touch its prover's bond: no `ProverSlashed` event, and the
/// prover's stake and unbonding on chain are what the model held before.
fn check_not_slashed(t: &Transition<'_>, batch: u64, pi: u16) -> Result<(), Violation> {
    let held = &t.m.accounts[pi as usize];
    let chain = t.seen.chain.account(&t.seen.actors[pi as usize].keys);
    let slashed_event = t.events.iter().any(|e| matches!(e, ProverNetworkEvents::ProverSlashed(_)));
    if slashed_event || chain.stake + chain.unbonding < held.stake + held.unbonding {
        return Err(violation(
            UNPROVABLE,
            format!(
                "{} slashed when its withheld batch {batch} was voided (bond {} -> {})",
                t.seen.actors[pi as usize].addr,
                held.stake + held.unbonding,
                chain.stake + chain.unbonding
            ),
        ));
    }
    Ok(())
}
