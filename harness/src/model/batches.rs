//! Batches: posting (to the slot's prover, see `assignment`, or open to the race when nobody can
//! take it), proving inside the exclusive window, racing after it, and failing once the race is
//! over. Mirrors `postBatch`, `submitProof`, `raceSubmit` and `markFailed` in
//! contracts/ProverNetwork.sol; the slash on the way is in `slashing`, the fee balance in `fees`.

/// Most batches one proof may cover (`ProverNetwork.MAX_BATCHES_PER_PROOF`).
pub const MAX_BATCHES_PER_PROOF: u64 = 16;

use alloy::primitives::{Address, B256, U256};

use provernet_bindings::Strategy;

use crate::actors::{self, Role};
use crate::chain::ProverNetworkEvents;
use crate::model::reputation;
use crate::model::slashing;
use crate::model::state::MBatch;
use crate::model::transition::Transition;
use crate::model::{assignment, fees, provability};
use crate::params::BPS;
use crate::status;
use crate::violation::{Violation, violation};

/// Ends batch `id` (Proven or Failed): a failed batch's bounty was burned.
fn finish(t: &mut Transition<'_>, id: u64, status_: u8, winner: Option<Address>) {
    let b = &mut t.m.batches[id as usize - 1];
    b.status = status_;
    b.winner = winner;
    if status_ == status::FAILED {
        b.bounty = 0;
    }
    t.m.live.remove(&id);
}

/// `postBatch(commitment, fee)`: only an authorised source, while not paused, with a commitment
/// in the verifier's domain and a fee of at least `minFee` that its prepaid balance covers; the
/// batch joins the slot's assignment (`assignment::assign`). A valid post is never refused.
pub(crate) fn post_batch(
    t: &mut Transition<'_>,
    commitment: B256,
    fee: u128,
) -> Result<(), Violation> {
    let me = t.me;
    let p = t.p;
    let source = t.m.sources.contains_key(&t.i);
    let c = U256::from_be_bytes(commitment.0);
    let valid = !t.m.paused()
        && source
        && !c.is_zero()
        && c < t.m.commitment_bound
        && fee >= p.min_fee
        && fee <= t.pre.fee_balance;
    if t.ok != valid {
        return Err(violation(
            if t.ok {
                "only an authorised source posts, while not paused, a commitment in the domain with at least minFee it prepaid"
            } else {
                "a valid batch can always be posted"
            },
            format!(
                "{me} postBatch(fee {fee}, balance {}, min {}) ok={} paused {}: {:?}",
                t.pre.fee_balance,
                p.min_fee,
                t.ok,
                t.m.paused(),
                t.revert()
            ),
        ));
    }
    if !t.ok {
        if t.revert().is_some_and(|r| r.name == "FeeBelowMinimum") {
            t.path("dummy batch below minFee rejected");
        }
        return Ok(());
    }
    fees::debit(t, fee);
    let id = t.m.batches.len() as u64 + 1;
    let (key, prover) = assignment::assign(t)?;
    assignment::set_cursor(t, key, prover);
    let posted = t.events.iter().find_map(|e| match e {
        ProverNetworkEvents::BatchPosted(b) => {
            Some((b.batchId, b.prover, b.fee.saturating_to::<u128>()))
        }
        _ => None,
    });
    let Some((eid, eprover, efee)) = posted else {
        return Err(violation("postBatch emits BatchPosted", format!("batch {id}")));
    };
    if eid != U256::from(id) || efee != fee {
        return Err(violation(
            "batch ids are sequential and fees escrowed as posted",
            format!("{eid} fee {efee}, model {id} fee {fee}"),
        ));
    }
    if eprover != prover {
        return Err(violation(
            "a batch's prover is the draw of its slot (a later draw only when the earlier prover was full)",
            format!("batch {id} (key {key}) went to {eprover}, the slot's draws give {prover}"),
        ));
    }
    let asg = t.m.assignments.get(&key).copied().unwrap_or_default();
    let source_index = t.m.sources.get(&t.i).copied().unwrap_or_default();
    let b = MBatch {
        fee,
        prover,
        poster: me,
        source: source_index,
        assignment: key,
        proving_deadline: asg.proving_deadline,
        race_deadline: asg.race_deadline,
        commitment,
        status: if prover == Address::ZERO { status::OPEN } else { status::ASSIGNED },
        ..MBatch::default()
    };
    t.path(if prover == Address::ZERO {
        "batch open (nobody could take it)"
    } else {
        "batch assigned"
    });
    if let Some(k) = t.actor_of(prover)
        && t.m.accounts[k as usize].stake < p.min_stake
    {
        t.path("under-staked prover assigned anyway (bonded stake counts)");
    }
    if fee == p.min_fee {
        t.path("min-fee dummy batch posted");
    }
    t.m.batches.push(b);
    t.m.live.insert(id);
    t.effects.posted = Some(id);
    t.effects.touched.push(id);
    Ok(())
}

/// `submitProof(first, count, proof)`: the assigned prover proves its consecutive batches inside
/// their exclusive windows, with a proof bound to itself; it is paid their fees.
pub(crate) fn submit_proof(
    t: &mut Transition<'_>,
    first: u64,
    count: u64,
    proof_for: Option<u16>,
) -> Result<(), Violation> {
    let (i, me, now, p) = (t.i, t.me, t.now, t.p);
    t.effects.touched.extend(first..first.saturating_add(count).min(first + 64));
    if !t.ok {
        provability::note_refused_proof(t, first, count, proof_for);
        if t.role == Role::Prover(Strategy::Slow)
            && t.revert().is_some_and(|r| r.name == "ProvingWindowClosed")
        {
            t.path("late proof rejected");
        }
        if proof_for.is_some_and(|v| v != i) && t.revert().is_some() {
            t.path("stolen proof rejected");
        }
        return Ok(());
    }
    if proof_for.is_some_and(|v| v != i) {
        return Err(violation(
            "a proof is bound to its prover: a copied proof never verifies",
            format!(
                "{me} was paid for batches {first}..+{count} with a proof made for actor {proof_for:?}"
            ),
        ));
    }
    if count == 0 || count > MAX_BATCHES_PER_PROOF {
        return Err(violation(
            "a proof covers 1 to MAX_BATCHES_PER_PROOF batches",
            format!("{me} proved {count} batches from {first}"),
        ));
    }
    if t.sender != t.i {
        t.path("operator proved for its prover");
    }
    let mut payout = 0;
    for id in first..first + count {
        let b = t.m.batch(id).cloned().unwrap_or_default();
        if b.status != status::ASSIGNED || b.prover != me || now > b.proving_deadline {
            return Err(violation(
                "only the assigned prover proves inside its exclusive window, at most once",
                format!(
                    "{me} proved batch {id} (status {}, assigned {}, deadline {}, network clock {now})",
                    b.status, b.prover, b.proving_deadline
                ),
            ));
        }
        provability::check_verified(t, id)?;
        payout += b.fee;
        finish(t, id, status::PROVEN, Some(me));
    }
    let a = t.acct(i);
    a.open = a
        .open
        .checked_sub(count)
        .ok_or_else(|| violation("open assignments never underflow", format!("{me}")))?;
    a.claimable += payout;
    a.earned += payout;
    reputation::raise(t, i, u64::from(p.rep_gain) * count);
    t.path(if count > 1 { "assigned -> proven (aggregated proof)" } else { "assigned -> proven" });
    if count == MAX_BATCHES_PER_PROOF {
        t.path("16-batch proof");
    }
    Ok(())
}

/// `raceSubmit(batch, proof)`: after the exclusive window (or at once for an open batch) and
/// before the race deadline, any eligible prover but the slashed one wins fee + bounty; an
/// assigned batch's prover is slashed on the way.
pub(crate) fn race_submit(
    t: &mut Transition<'_>,
    batch: u64,
    proof_for: Option<u16>,
) -> Result<(), Violation> {
    let (i, me, now, p) = (t.i, t.me, t.now, t.p);
    t.effects.touched.push(batch);
    let b = t.m.batch(batch).cloned().unwrap_or_default();
    if !t.ok {
        if t.revert().is_some_and(|r| r.name == "SlashedProverCannotRace") {
            t.path("slashed prover barred from its race");
        }
        return Ok(());
    }
    let raceable = match b.status {
        status::ASSIGNED => now > b.proving_deadline,
        status::OPEN | status::RACING => true,
        _ => false,
    };
    if !raceable || now > b.race_deadline {
        return Err(violation(
            "a batch is finalised at most once, and raced only between its deadlines",
            format!(
                "{me} raced batch {batch} (status {}, deadlines {}/{}, network clock {now})",
                b.status, b.proving_deadline, b.race_deadline
            ),
        ));
    }
    if me == b.prover {
        return Err(violation(
            "a slashed prover never wins its own batch's race",
            format!("{me} won batch {batch}"),
        ));
    }
    if t.pre.stake < p.min_stake {
        return Err(violation(
            "race winners are eligible (stake >= minStake)",
            format!("{me} with stake {} (min {}) won batch {batch}", t.pre.stake, p.min_stake),
        ));
    }
    if proof_for.is_some_and(|v| v != i) {
        return Err(violation(
            "a proof is bound to its prover: a copied proof never verifies",
            format!("{me} won batch {batch} with a proof made for actor {proof_for:?}"),
        ));
    }
    provability::check_verified(t, batch)?;
    if b.status == status::ASSIGNED {
        slashing::slash_and_check_event(t, batch, i)?;
        t.path("assigned -> slashed by the race winner");
    }
    // Re-read: the slash above moved the batch to Racing with its bounty.
    let b = t.m.batch(batch).cloned().unwrap_or_default();
    let unlisted = t.m.assignments.get(&b.assignment).is_some_and(|a| a.unlisted);
    let open_reward = if unlisted { take_open_reward(t, &b) } else { 0 };
    let payout = b.fee + b.bounty + open_reward;
    let emitted = t.events.iter().find_map(|e| match e {
        ProverNetworkEvents::BatchProven(x) => Some(x.payout.saturating_to::<u128>()),
        _ => None,
    });
    if let Some(paid) = emitted {
        crate::model::rescue::check_rescue(t, batch, b.fee, paid)?;
    }
    if emitted != Some(payout) {
        return Err(violation(
            "race payout = fee + bounty",
            format!("batch {batch}: {emitted:?} vs {payout}"),
        ));
    }
    let a = t.acct(i);
    a.claimable += payout;
    a.earned += payout;
    finish(t, batch, status::PROVEN, Some(me));
    reputation::raise(t, i, u64::from(p.rep_gain));
    t.path(if b.status == status::OPEN { "open -> raced" } else { "racing -> raced (rescued)" });
    Ok(())
}

/// An Open batch's rescue reward (`Slashing.openReward`), for slots opened on an empty list only:
/// the bounty a minimum-stake prover's miss would pay under the batch's frozen terms, taken from
/// the treasury as far as it holds.
fn take_open_reward(t: &mut Transition<'_>, b: &MBatch) -> u128 {
    let terms = t.m.terms_of(b.assignment);
    let full =
        t.p.min_stake * u128::from(terms.slash_bps) / BPS * u128::from(terms.bounty_bps) / BPS;
    let reward = full.min(t.m.treasury);
    t.m.treasury -= reward;
    if reward > 0 {
        t.path("open batch rescued: reward from the treasury");
    }
    reward
}

/// `markFailed(batch)`: exactly for a live batch past its race deadline; the fee is refunded to
/// the poster less the caller's keeper share and the bounty is burned (an assigned prover is
/// slashed on the way).
pub(crate) fn mark_failed(t: &mut Transition<'_>, batch: u64) -> Result<(), Violation> {
    let (ok, now) = (t.ok, t.now);
    t.effects.touched.push(batch);
    let b = t.m.batch(batch).cloned().unwrap_or_default();
    let live = matches!(b.status, status::ASSIGNED | status::OPEN | status::RACING);
    let allowed = live && now > b.race_deadline;
    if ok != allowed {
        return Err(violation(
            if ok {
                "a batch is finalised at most once, and failed only after its race"
            } else {
                "every batch ends proven or failed once its deadlines pass"
            },
            format!(
                "markFailed({batch}) ok={ok} at network clock {now}, race deadline {}, status {}: {:?}",
                b.race_deadline,
                b.status,
                t.revert()
            ),
        ));
    }
    if !ok {
        return Ok(());
    }
    let keeper = t.sender;
    if b.status == status::ASSIGNED {
        slashing::slash_and_check_event(t, batch, keeper)?;
    }
    // Nobody rescued it: the bounty is burned; the keeper that closed it is paid out of the fee.
    let b2 = t.m.batch(batch).cloned().unwrap_or_default();
    t.m.burn += b2.bounty;
    crate::model::rescue::check_burned_bounty(t, batch, b2.bounty)?;
    let fee_share = b2.fee * u128::from(t.m.terms_of(b2.assignment).keeper_bps) / BPS;
    let poster = t.actor_of(b2.poster).unwrap_or(actors::ROLLUP);
    fees::refund(t, poster, b2.fee - fee_share);
    slashing::pay_keeper(t, keeper, fee_share)?;
    finish(t, batch, status::FAILED, None);
    t.path(match b.status {
        status::ASSIGNED => "assigned -> failed (nobody raced)",
        status::OPEN => "open -> failed",
        _ => "racing -> failed",
    });
    Ok(())
}
