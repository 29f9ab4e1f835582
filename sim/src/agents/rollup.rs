//! The rollup (the batch source): its users' transactions arrive at the rate of the moment (daily
//! cycle, spikes, users deterred by a high fee: [`crate::demand`]), it packs them into batches and
//! posts each with its fee (the schedule times the backlog multiple, at least `minFee`), paid from
//! the fee balance it prepays with `depositFees`; the chain hands the batch to the current slot's
//! prover.

use alloy::primitives::{U256, keccak256};
use alloy::sol_types::{SolEvent, SolValue};
use eyre::{Result, bail, eyre};
use provernet_bindings::amount::tokens_f64;
use provernet_bindings::{BatchStatus, ProverNetwork as P};

use super::{prover, race};
use crate::world::{Batch, Job, TxRun, World, units};
use crate::{demand, withholding};

/// Block step: transactions arrive while the rollup is posting (from the first epoch with a
/// selection list until the last batch of the run; the drain after it sees no new load), Poisson at
/// the rate of the block. It posts a full batch whenever it has one and a partial batch once the
/// oldest transaction has waited `max_batch_wait` blocks, at most `max_batches_per_block` per block.
/// A batch is full at `batch_txs` transactions whatever their sizes (the sizes set its fee and
/// proving time).
pub(crate) fn posts_batches(w: &mut World<'_>, block: u64) -> Result<()> {
    let posting = block >= w.first_block;
    if !posting || w.posting_done(block) {
        return Ok(());
    }
    let l = &w.s.load;
    let multiple = demand::fee_multiplier(l, w.pending_count);
    let arrivals = w.rng.poisson(demand::rate(l, block - w.first_block, multiple));
    if arrivals > 0 {
        let bytes = demand::arrival_bytes(l, arrivals, &mut w.size_rng);
        w.pending_txs.push_back(TxRun { arrived: block, count: arrivals, bytes });
        w.summary.load.bytes_arrived += bytes;
        w.pending_count += arrivals;
        w.summary.load.txs_arrived += arrivals;
    }
    if super::steering::holds_back(w, block)? {
        return Ok(());
    }
    let l = &w.s.load;
    for _ in 0..l.max_batches_per_block {
        if w.posting_done(block) || w.pending_count == 0 {
            break;
        }
        let oldest = w.pending_txs.front().map_or(block, |c| c.arrived);
        if w.pending_count < l.batch_txs && block < oldest + l.max_batch_wait {
            break;
        }
        // The fee answers the backlog as the batch leaves it (this batch still counted).
        let multiple = demand::fee_multiplier(l, w.pending_count);
        let chunks = takes_oldest(w, l.batch_txs.min(w.pending_count));
        let bytes = chunks.iter().map(|c| c.bytes).sum();
        let fee = fee_units(w, bytes, multiple);
        w.fee_multiplier_sum += multiple;
        w.summary.load.fee_multiple_max = w.summary.load.fee_multiple_max.max(multiple);
        posts(w, block, chunks, bytes, fee)?;
    }
    Ok(())
}

/// Takes `take` transactions from the front of the queue, as runs of one arrival block.
fn takes_oldest(w: &mut World<'_>, mut take: u64) -> Vec<TxRun> {
    let mut chunks = Vec::new();
    while take > 0 {
        let front = w.pending_txs.front_mut().expect("pending_count counts these");
        let n = front.count.min(take);
        if n == front.count {
            chunks.push(w.pending_txs.pop_front().expect("the front is there"));
        } else {
            chunks.push(front.split_off(n));
        }
        take -= n;
        w.pending_count -= n;
        w.inflight_txs += n;
    }
    chunks
}

/// Books a batch the chain gave prover `i`: its open count, whether its bonded stake covered it (the
/// capacity rule, checked from the simulation's own books), and whether the prover was dodging the
/// slot (then the dodge failed).
fn takes_assignment(w: &mut World<'_>, i: usize, block: u64) {
    let p = &w.s.params;
    let a = &mut w.agents[i];
    let bonded = a.stake_units + a.unbonding_units;
    if bonded < p.min_stake + u128::from(a.open) * p.assignment_bond {
        w.summary.checks.capacity_violations += 1;
    }
    a.open += 1;
    a.stats.assignments += 1;
    dodges_worked(w, Some(i), block);
}

/// Books, for every prover dodging the slot of `block`, a batch of that slot that went to someone
/// else (`prover`; `None`: open): a dodge that worked.
fn dodges_worked(w: &mut World<'_>, prover: Option<usize>, block: u64) {
    let slot_last = w.chain.epochs.slot_at(block).last_block;
    for (j, a) in w.agents.iter_mut().enumerate() {
        if a.dipped.is_some_and(|(_, until)| until == slot_last) && prover != Some(j) {
            a.stats.dodged_batches += 1;
        }
    }
}

/// The fee the rollup pays for a batch of `bytes`, in token units: its fee schedule times the
/// backlog's `multiple` ([`demand::fee_multiplier`]), raised to the contract's minimum.
fn fee_units(w: &World<'_>, bytes: u64, multiple: f64) -> u128 {
    let l = &w.s.load;
    units((l.fee_base + l.fee_per_kb * bytes as f64 / 1000.0) * multiple).max(w.s.params.min_fee)
}

/// Tops the rollup's prepaid fee balance up (`depositFees`) when it cannot cover `fee`: by
/// `fee_deposit_batches` full batches' fees (at least `fee`). Books what the chain credited.
fn prepays(w: &mut World<'_>, fee: u128) -> Result<()> {
    if w.fee_balance >= fee {
        return Ok(());
    }
    let full = fee_units(w, w.s.load.batch_txs * w.s.load.tx_bytes, 1.0);
    let amount = (full * u128::from(w.s.load.fee_deposit_batches)).max(fee);
    let call = P::depositFeesCall { amount: U256::from(amount) };
    let out = w.chain.exec(w.rollup, w.chain.addrs.network, &call)?;
    w.record("depositFees", &out, None, true);
    if let Some(r) = &out.revert {
        bail!("depositFees of {amount} units reverted: {r}");
    }
    Ok(())
}

/// Posts a steering source's dummy batch: no transactions, the minimum fee (at least 1 unit).
pub(crate) fn posts_dummy(w: &mut World<'_>, block: u64) -> Result<()> {
    w.summary.source.dummies += 1;
    posts(w, block, Vec::new(), 0, w.s.params.min_fee.max(1))
}

/// Posts one batch of `bytes` of transactions (`chunks`) for `fee` units and hands it to the prover
/// the chain drew, or to the race if nobody could take it.
fn posts(w: &mut World<'_>, block: u64, chunks: Vec<TxRun>, bytes: u64, fee: u128) -> Result<()> {
    let id = w.batches.len() as u64 + 1;
    let dummy = chunks.is_empty();
    prepays(w, fee)?;
    let commitment = keccak256((U256::from(w.s.seed), U256::from(id)).abi_encode_params());
    w.batches.push(Batch {
        posted: block,
        bytes,
        chunks,
        fee: tokens_f64(fee),
        prover: None,
        race_deadline: 0,
        status: BatchStatus::Assigned,
        rescued: false,
        resolved: 0,
        commitment,
        bounty: 0.0,
        cartel: None,
        racers: Vec::new(),
        withheld: false,
    });
    let call = P::postBatchCall { commitment, fee: U256::from(fee) };
    let out = w.chain.exec(w.rollup, w.chain.addrs.network, &call)?;
    w.record("postBatch", &out, None, true);
    if let Some(r) = &out.revert {
        bail!("postBatch {id} reverted: {r}");
    }
    w.fee_balance -= fee;
    if withholding::withholds(w, id, dummy) {
        w.batch_mut(id).withheld = true;
    }
    let network = w.chain.addrs.network;
    let posted = out
        .logs
        .iter()
        .filter(|l| l.address == network)
        .find_map(|l| P::BatchPosted::decode_log(l).ok())
        .ok_or_else(|| eyre!("postBatch {id} emitted no BatchPosted event"))?;
    let (pd, rd) = (posted.provingDeadline.to::<u64>(), posted.raceDeadline.to::<u64>());
    w.batch_mut(id).race_deadline = rd;
    w.schedule(rd + 1, Job::Fail(id));
    match w.by_addr.get(&posted.prover).copied() {
        None => {
            // Nobody eligible: straight to the open race (emergency mode).
            w.summary.emergency.open_at_post += 1;
            w.batch_mut(id).status = BatchStatus::Open;
            dodges_worked(w, None, block);
            race::opens(w, id, block, None)?;
        }
        Some(i) => {
            w.batch_mut(id).prover = Some(i);
            takes_assignment(w, i, block);
            if !dummy && i == w.s.source.favourite {
                w.summary.source.favourite_batches += 1;
            }
            w.schedule(pd + 1, Job::Slash(id));
            if w.batch(id).withheld {
                withholding::prover_fetches(w, i, id, block, pd);
            } else {
                prover::proves_assignment(w, i, id, block, pd, rd);
            }
        }
    }
    Ok(())
}
