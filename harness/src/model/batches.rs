//! Batches: posting (assigned to the drawn prover, or open to the race when nobody is eligible),
//! proving inside the exclusive window, racing after it, and failing once the race is over.
//! Mirrors `postBatch`, `submitProof`, `raceSubmit` and `markFailed` in
//! contracts/ProverNetwork.sol; the slash on the way is in `slashing`.

use alloy::primitives::{Address, B256, U256, keccak256};
use alloy::sol_types::SolValue;

use crate::actors::{self, Role};
use crate::chain::ProverNetworkEvents;
use crate::model::reputation;
use crate::model::selection;
use crate::model::slashing;
use crate::model::state::MBatch;
use crate::model::transition::Transition;
use crate::status;
use crate::violation::{Violation, violation};

/// The development verifier's proof for these public inputs.
pub fn dev_proof(network: Address, prover: Address, first: u64, commitments: Vec<B256>) -> B256 {
    let domain = keccak256("provernet.insecure-dev-proof.v1");
    keccak256(
        (
            domain,
            U256::from(provernet_evm::CHAIN_ID),
            network,
            prover,
            U256::from(first),
            commitments,
        )
            .abi_encode_params(),
    )
}

/// Ends batch `id` (Proven or Failed): a failed batch's bounty went to the treasury.
fn finish(t: &mut Transition<'_>, id: u64, status_: u8, winner: Option<Address>) {
    let b = &mut t.m.batches[id as usize - 1];
    b.status = status_;
    b.winner = winner;
    if status_ == status::FAILED {
        b.bounty = 0;
    }
    t.m.live.remove(&id);
}

/// `postBatch(commitment, fee)`: only the authorised source, while not paused; the fee (as
/// received) is escrowed and the batch assigned to the drawn prover.
pub(crate) fn post_batch(
    t: &mut Transition<'_>,
    commitment: B256,
    fee: u128,
) -> Result<(), Violation> {
    if !t.ok {
        return Ok(());
    }
    let me = t.me;
    if t.m.paused || t.role != Role::Rollup || fee == 0 || commitment.is_zero() {
        return Err(violation(
            "only an authorised source posts, while not paused",
            format!("{me} posted (paused: {})", t.m.paused),
        ));
    }
    let received = t.received(fee);
    let id = t.m.batches.len() as u64 + 1;
    let expected = selection::draw(t, t.epoch, id)?;
    let posted = t.events.iter().find_map(|e| match e {
        ProverNetworkEvents::BatchPosted(b) => {
            Some((b.batchId, b.prover, b.fee.saturating_to::<u128>()))
        }
        _ => None,
    });
    let Some((eid, prover, efee)) = posted else {
        return Err(violation("postBatch emits BatchPosted", format!("batch {id}")));
    };
    if eid != U256::from(id) || efee != received {
        return Err(violation(
            "batch ids are sequential and fees escrowed as received",
            format!("{eid} fee {efee}, model {id} fee {received}"),
        ));
    }
    let p = t.m.params;
    if prover != expected {
        let eligible = t.actor_of(prover).map(|k| {
            let a = &t.m.accounts[k as usize];
            (a.registered, a.stake)
        });
        return Err(violation(
            "an assigned prover is a registered, eligible prover drawn by weight from the previous epoch's list",
            format!(
                "batch {id} assigned to {prover} (registered, stake: {eligible:?}, min {}), the draw gives {expected}",
                p.min_stake
            ),
        ));
    }
    let mut b = MBatch { fee: received, prover, poster: me, commitment, ..MBatch::default() };
    if prover != Address::ZERO {
        b.status = status::ASSIGNED;
        b.proving_deadline = t.block + p.proving_window;
        let k = t.actor_of(prover).unwrap_or_default();
        t.acct(k).open += 1;
        t.path("batch assigned");
    } else {
        b.status = status::OPEN;
        b.proving_deadline = t.block;
        t.path("batch open (nobody eligible)");
    }
    b.race_deadline = b.proving_deadline + p.race_window;
    t.m.batches.push(b);
    t.m.live.insert(id);
    t.effects.posted = Some(id);
    t.m.fee_burnt += fee - received;
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
    let (i, me, block, p) = (t.i, t.me, t.block, t.p);
    t.effects.touched.extend(first..first.saturating_add(count).min(first + 64));
    if !t.ok {
        if t.role == Role::Slow && t.revert().is_some_and(|r| r.name == "ProvingWindowClosed") {
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
    let mut payout = 0;
    for id in first..first + count {
        let b = t.m.batch(id).cloned().unwrap_or_default();
        if b.status != status::ASSIGNED || b.prover != me || block > b.proving_deadline {
            return Err(violation(
                "only the assigned prover proves inside its exclusive window, at most once",
                format!(
                    "{me} proved batch {id} (status {}, assigned {}, deadline {}, block {block})",
                    b.status, b.prover, b.proving_deadline
                ),
            ));
        }
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
    reputation::raise(t, i, p.rep_gain * count);
    t.path(if count > 1 { "assigned -> proven (aggregated proof)" } else { "assigned -> proven" });
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
    let (i, me, block, p) = (t.i, t.me, t.block, t.p);
    t.effects.touched.push(batch);
    let b = t.m.batch(batch).cloned().unwrap_or_default();
    if !t.ok {
        if t.revert().is_some_and(|r| r.name == "SlashedProverCannotRace") {
            t.path("slashed prover barred from its race");
        }
        return Ok(());
    }
    let raceable = match b.status {
        status::ASSIGNED => block > b.proving_deadline,
        status::OPEN | status::RACING => true,
        _ => false,
    };
    if !raceable || block > b.race_deadline {
        return Err(violation(
            "a batch is finalised at most once, and raced only between its deadlines",
            format!(
                "{me} raced batch {batch} (status {}, deadlines {}/{}, block {block})",
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
    if b.status == status::ASSIGNED {
        slashing::slash_and_check_event(t, batch)?;
        t.path("assigned -> slashed by the race winner");
    }
    // Re-read: the slash above moved the batch to Racing with its bounty.
    let b = t.m.batch(batch).cloned().unwrap_or_default();
    let payout = b.fee + b.bounty;
    let emitted = t.events.iter().find_map(|e| match e {
        ProverNetworkEvents::BatchProven(x) => Some(x.payout.saturating_to::<u128>()),
        _ => None,
    });
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
    reputation::raise(t, i, p.rep_gain);
    t.path(if b.status == status::OPEN { "open -> raced" } else { "racing -> raced (rescued)" });
    Ok(())
}

/// `markFailed(batch)`: exactly for a live batch past its race deadline; the fee is refunded to
/// the poster and the bounty goes to the treasury (an assigned prover is slashed on the way).
pub(crate) fn mark_failed(t: &mut Transition<'_>, batch: u64) -> Result<(), Violation> {
    let (ok, block) = (t.ok, t.block);
    t.effects.touched.push(batch);
    let b = t.m.batch(batch).cloned().unwrap_or_default();
    let live = matches!(b.status, status::ASSIGNED | status::OPEN | status::RACING);
    let allowed = live && block > b.race_deadline;
    if ok != allowed {
        return Err(violation(
            if ok {
                "a batch is finalised at most once, and failed only after its race"
            } else {
                "every batch ends proven or failed once its deadlines pass"
            },
            format!(
                "markFailed({batch}) ok={ok} at block {block}, race deadline {}, status {}: {:?}",
                b.race_deadline,
                b.status,
                t.revert()
            ),
        ));
    }
    if !ok {
        return Ok(());
    }
    if b.status == status::ASSIGNED {
        slashing::slash_and_check_event(t, batch)?;
    }
    let b2 = t.m.batch(batch).cloned().unwrap_or_default();
    t.m.treasury += b2.bounty;
    let poster = t.actor_of(b2.poster).unwrap_or(actors::ROLLUP);
    let a = t.acct(poster);
    a.claimable += b2.fee;
    a.refunded += b2.fee;
    finish(t, batch, status::FAILED, None);
    t.path(match b.status {
        status::ASSIGNED => "assigned -> failed (nobody raced)",
        status::OPEN => "open -> failed",
        _ => "racing -> failed",
    });
    Ok(())
}
