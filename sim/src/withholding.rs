//! A batch source that withholds the data of a share of its batches, and the data challenge that
//! keeps it from getting honest provers slashed (docs/mechanism.md, "Withheld data").
//!
//! - The source (`source.withhold_share`) decides per batch, from a stream of its own, whether it
//!   ever publishes the data. It never answers a challenge.
//! - The assigned prover has no foresight: it fetches a batch's data at the first block it is online
//!   after the draw (a fetch is cheap, so it does not wait for a free machine), finds nothing and
//!   challenges (`challengeData`) if its window is still open. A prover down for its whole window
//!   never fetches and misses the batch like any batch of an outage.
//! - The keeper voids the challenge once its answer window has passed (`voidUnanswered`): nobody is
//!   slashed and the fee, less the keeper's share, goes to the prover. The keeper also tries
//!   `slashMissed` on every challenged batch once its original window has closed, as a keeper that
//!   does not look at the status would: the contract must refuse, and a slash that got through
//!   would fail the run's `checks.withheld_slashes`.
//! - Nobody can prove a withheld batch in a race: one that reaches the race fails.

use alloy::primitives::U256;
use alloy::sol_types::SolEvent;
use eyre::{Result, eyre};
use provernet_bindings::{BatchStatus, ProverNetwork as P, Strategy};

use crate::metrics::Summary;
use crate::policy::Assignment;
use crate::rng::Rng;
use crate::world::{Job, World, u256_tokens};

/// Base of the source's per-batch random streams (far from the agents' `1_000 + i`).
const STREAM: u64 = 1 << 40;

/// Whether the source withholds the data of batch `id` (a steering source's dummies carry no data
/// anyone needs, so they are never withheld). Books the withheld batch.
pub(crate) fn withholds(w: &mut World<'_>, id: u64, dummy: bool) -> bool {
    let share = w.s.source.withhold_share;
    if dummy || share <= 0.0 || !Rng::new(w.s.seed, STREAM + id).chance(share) {
        return false;
    }
    w.summary.withholding.withheld += 1;
    true
}

/// Withheld batch `id` was drawn to prover `i` at `block` (window ends at `pd`): an honest prover
/// fetches its data at the first block it is online and schedules its challenge; an adversary
/// keeps to its own strategy (it never proves a batch anyway, or its partner cannot).
pub(crate) fn prover_fetches(w: &mut World<'_>, i: usize, id: u64, block: u64, pd: u64) {
    if w.agents[i].policy.proves_assignment() != Assignment::Prove {
        return;
    }
    let fetch = w.down_until(i, block).unwrap_or(block);
    if fetch <= pd {
        w.schedule(fetch, Job::Challenge(i, id));
    } else {
        w.summary.withholding.unchallenged_down += 1;
    }
}

/// Job: prover `i` found no data for batch `id` and challenges it; the keeper's void is scheduled
/// for the block after the answer window the chain reports.
pub(crate) fn prover_challenges(w: &mut World<'_>, i: usize, id: u64) -> Result<()> {
    if w.batch(id).status != BatchStatus::Assigned {
        return Ok(());
    }
    let addr = w.agents[i].spec.addr;
    let call = P::challengeDataCall { batchId: U256::from(id) };
    let out = w.chain.exec(addr, w.chain.addrs.network, &call)?;
    w.record("challengeData", &out, Some(i), true);
    if out.revert.is_some() {
        return Ok(()); // booked as an unexpected revert
    }
    let network = w.chain.addrs.network;
    let challenged = out
        .logs
        .iter()
        .filter(|l| l.address == network)
        .find_map(|l| P::DataChallenged::decode_log(l).ok())
        .ok_or_else(|| eyre!("challengeData {id} emitted no DataChallenged event"))?;
    w.batch_mut(id).status = BatchStatus::Challenged;
    w.summary.withholding.challenged += 1;
    w.schedule(challenged.respondBy.to::<u64>() + 1, Job::Void(id));
    Ok(())
}

/// Job: the keeper voids challenged batch `id`, unanswered (the withholding source never answers).
pub(crate) fn keeper_voids(w: &mut World<'_>, id: u64) -> Result<()> {
    if w.batch(id).status != BatchStatus::Challenged {
        return Ok(());
    }
    let call = P::voidUnansweredCall { batchId: U256::from(id) };
    let out = w.chain.exec(w.keeper, w.chain.addrs.network, &call)?;
    w.record("voidUnanswered", &out, None, true);
    Ok(())
}

/// The keeper tries `slashMissed` on challenged (or already voided) batch `id` when its original
/// window has closed; the contract must refuse (a slash would be booked by the ledger and fail the
/// run's check).
pub(crate) fn keeper_tries_slashing(w: &mut World<'_>, id: u64) -> Result<()> {
    let call = P::slashMissedCall { batchId: U256::from(id) };
    let out = w.chain.exec(w.keeper, w.chain.addrs.network, &call)?;
    w.record("slashMissed", &out, None, false);
    if out.revert.is_some() {
        w.summary.withholding.slash_attempts_refused += 1;
    }
    Ok(())
}

impl World<'_> {
    /// A voided batch: nobody slashed, the prover compensated with the fee less the keeper's
    /// share, the batch's transactions back in the rollup's queue.
    pub(crate) fn on_voided(&mut self, e: &P::BatchVoided) {
        let id = e.batchId.to::<u64>();
        let compensation = u256_tokens(e.compensation);
        let now = self.chain.block();
        let b = self.batch_mut(id);
        b.status = BatchStatus::Voided;
        let fee = b.fee;
        b.resolved = now;
        if let Some(&i) = self.by_addr.get(&e.prover) {
            self.agents[i].open -= 1;
            self.agents[i].stats.revenue += compensation;
        }
        let wh = &mut self.summary.withholding;
        wh.voided += 1;
        wh.source_fees_lost += fee;
        wh.compensation += compensation;
        wh.keeper_fees += fee - compensation;
        self.reorgs_out(id);
    }

    /// Books a slash reported for batch `e.batchId`: against the withholding figures if the batch
    /// was withheld and its prover honest, and as a failed check if the prover had challenged it
    /// (`challenged`: the batch was Challenged or Voided when the slash came).
    pub(crate) fn books_withheld_slash(&mut self, e: &P::ProverSlashed, challenged: bool) {
        let id = e.batchId.to::<u64>();
        let honest = self
            .by_addr
            .get(&e.prover)
            .is_some_and(|&i| self.agents[i].spec.strategy == Strategy::Honest);
        if !self.batch(id).withheld || !honest {
            return;
        }
        if challenged {
            self.summary.checks.withheld_slashes += 1;
            self.summary.withholding.honest_slashed += u256_tokens(e.amount);
        } else {
            self.summary.withholding.honest_slashed_down += u256_tokens(e.amount);
        }
    }
}

/// Fills the liveness of the source's other batches (`sum.withholding.others_share_*`).
pub(crate) fn summarise(w: &World<'_>, sum: &mut Summary) {
    let (mut n, mut proven, mut rescued, mut failed) = (0u64, 0u64, 0u64, 0u64);
    for b in w.batches.iter().filter(|b| !b.withheld) {
        n += 1;
        match b.status {
            BatchStatus::Proven if b.rescued => rescued += 1,
            BatchStatus::Proven => proven += 1,
            BatchStatus::Failed => failed += 1,
            _ => {}
        }
    }
    let share = |k: u64| k as f64 / n.max(1) as f64;
    let wh = &mut sum.withholding;
    wh.others_share_proven = share(proven);
    wh.others_share_rescued = share(rescued);
    wh.others_share_failed = share(failed);
}
