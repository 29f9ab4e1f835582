//! The batch duty: which batches need a proof from this prover (its assignments, runs of
//! consecutive ones sharing a proof, and emergency races), handed to the proving engine without
//! waiting for the proofs.

use std::collections::{BTreeSet, HashMap};

use alloy::primitives::U256;
use eyre::Result;
use provernet_fleet::metrics::Counter;
use tracing::info;

use super::Agent;
use crate::{
    net::Net,
    ops::{self, ProveRoute, status},
};

/// The contract's MAX_BATCHES_PER_PROOF: the longest run considered at once (plan_proofs then
/// cuts it into proofs of at most 16 batches).
const MAX_BATCHES_PER_PROOF: u64 = 16;

/// The batches the agent follows: every batch from the first still live at start-up onwards,
/// until it is settled or its race is over.
#[derive(Debug)]
pub(super) struct BatchTracker {
    tracked: BTreeSet<u64>,
    next_id: u64,
    scanned_history: bool,
    /// Batches already counted as won assignments (the metric counts each once).
    assigned_seen: BTreeSet<u64>,
    /// The last block of the slot each followed batch was posted in (read once per batch).
    slot_ends: HashMap<u64, u64>,
}

impl Default for BatchTracker {
    fn default() -> Self {
        Self {
            tracked: BTreeSet::new(),
            next_id: 1,
            scanned_history: false,
            assigned_seen: BTreeSet::new(),
            slot_ends: HashMap::new(),
        }
    }
}

impl BatchTracker {
    /// Adds the batches posted since the last look (after a (re)start: from the first live one).
    async fn follow(&mut self, net: &Net, block: u64) -> Result<()> {
        let next_id: u64 = net.network.nextBatchId().call().await?.saturating_to();
        if !self.scanned_history {
            self.next_id = first_live_batch(net, next_id, block).await?;
            self.scanned_history = true;
        }
        self.tracked.extend(self.next_id..next_id);
        self.next_id = next_id.max(self.next_id);
        Ok(())
    }

    fn forget(&mut self, id: u64) {
        self.tracked.remove(&id);
        self.assigned_seen.remove(&id);
        self.slot_ends.remove(&id);
    }

    /// The last block of the slot batch `id` was posted in.
    async fn slot_end(&mut self, net: &Net, id: u64) -> Result<u64> {
        if let Some(&end) = self.slot_ends.get(&id) {
            return Ok(end);
        }
        let key = net.network.assignmentOf(U256::from(id)).call().await?.key;
        let end = net.geo.slot_of_key(key.saturating_to()).0.last_block;
        self.slot_ends.insert(id, end);
        Ok(end)
    }
}

impl Agent {
    /// Finds the batches to prove at `block` and hands them to the proving engine.
    pub(super) async fn batch_duties(&mut self, block: u64, eligible: bool) -> Result<()> {
        self.batches.follow(&self.net, block).await?;
        self.follow_challenges().await;
        let next = block + 1;
        let mut mine: Vec<u64> = Vec::new();
        let mut races: Vec<u64> = Vec::new();
        for id in self.batches.tracked.clone() {
            let b = self.net.network.batchOf(U256::from(id)).call().await?;
            let rd: u64 = b.raceDeadline.to();
            // A challenged batch waits past its race deadline: an answer gives it a new window.
            if matches!(b.status, status::FAILED | status::NONE | status::VOIDED)
                || (next > rd && b.status != status::CHALLENGED)
            {
                self.batches.forget(id);
                self.submitted.remove(&id);
                continue;
            }
            // A proven batch stays followed until its race deadline: a reorg that removes the
            // proof within that time reopens it (see `may_submit`).
            if b.status == status::PROVEN {
                continue;
            }
            if b.status == status::ASSIGNED
                && b.prover == self.me
                && self.batches.assigned_seen.insert(id)
            {
                Counter::AssignmentsWon.increment(1);
            }
            if self.busy.contains(&id) || !self.may_submit(id, &b, next).await {
                continue;
            }
            match ops::prove_route(id, &b, self.me, next) {
                // A slot's batches are proven together once the slot is over (all of them are
                // posted by then): one proof for the run instead of one per batch.
                Ok(ProveRoute::Assigned)
                    if block >= self.batches.slot_end(&self.net, id).await?
                        && self.data_ready(id, &b, next).await =>
                {
                    mine.push(id)
                }
                Ok(ProveRoute::Race) if self.cfg.race && eligible => races.push(id),
                _ => {}
            }
        }
        // One slot's run is one job: a run never crosses a slot boundary, so the jobs for the same
        // batches are the same whenever they are planned (a restarted agent finds its queued jobs
        // and their results under the same ids instead of proving again).
        let mut jobs = Vec::new();
        for slot_run in split_by(&mine, |id| self.batches.slot_ends.get(&id).copied()) {
            jobs.extend(plan_jobs(&slot_run, &[]));
        }
        jobs.extend(plan_jobs(&[], &races));
        if jobs.is_empty() {
            return Ok(());
        }
        // Every job is checked against the chain (and its deadline read) before it is handed out.
        let mut prepared = Vec::new();
        for (first, count) in jobs {
            match ops::prepare_proof(&self.net, first, count).await {
                Ok(p) => prepared.push(p),
                Err(e) => {
                    info!(agent = %self.cfg.name, first, reason = format!("{e:#}"), "not proving")
                }
            }
        }
        for p in &prepared {
            self.busy.extend(p.first..p.first + p.count);
            self.proving.insert(super::deadlines::job_id(p), p.clone());
        }
        if !prepared.is_empty() {
            let batches: u64 = prepared.iter().map(|p| p.count).sum();
            info!(agent = %self.cfg.name, jobs = prepared.len(), batches, block,
                  "handed proof jobs to the {}", self.engine.describe());
            self.engine.dispatch(&self.cfg.name, prepared, &self.events_tx).await;
        }
        Ok(())
    }
}

/// Splits sorted ids where the key (a batch's slot) changes.
fn split_by(ids: &[u64], key: impl Fn(u64) -> Option<u64>) -> Vec<Vec<u64>> {
    let mut groups: Vec<Vec<u64>> = Vec::new();
    for &id in ids {
        match groups.last_mut() {
            Some(g) if key(g[0]) == key(id) => g.push(id),
            _ => groups.push(vec![id]),
        }
    }
    groups
}

/// The proofs to make: consecutive assigned batches (a slot's, and neighbouring slots' of this
/// prover) share proofs (each run cut into proofs of at most 16 by `plan_proofs`); races are one
/// batch each.
fn plan_jobs(mine: &[u64], races: &[u64]) -> Vec<(u64, u64)> {
    let mut jobs: Vec<(u64, u64)> = Vec::new();
    for (first, count) in runs(mine, MAX_BATCHES_PER_PROOF) {
        jobs.extend(
            provernet_zk::plan_proofs(first, count as usize)
                .into_iter()
                .map(|(f, c)| (f, c as u64)),
        );
    }
    jobs.extend(races.iter().map(|&id| (id, 1)));
    jobs
}

/// Where to start following batches after a (re)start: walking back from the newest, past the
/// point where a run of batches all have races that already ended. Deadlines grow with ids
/// (windows only change by governance), so older batches need nothing from this agent; the
/// run length absorbs a governance change that shortened the windows.
async fn first_live_batch(net: &Net, next_id: u64, block: u64) -> Result<u64> {
    const SETTLED_RUN: u32 = 64;
    let mut first = next_id;
    let mut settled = 0;
    while first > 1 && settled < SETTLED_RUN {
        let b = net.network.batchOf(U256::from(first - 1)).call().await?;
        if b.raceDeadline.to::<u64>() < block {
            settled += 1;
        } else {
            settled = 0;
        }
        first -= 1;
    }
    Ok(first)
}

/// Splits sorted ids into runs of consecutive ids of at most `max` each: (first, count).
pub fn runs(ids: &[u64], max: u64) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for &id in ids {
        match out.last_mut() {
            Some((first, count)) if *first + *count == id && *count < max => *count += 1,
            _ => out.push((id, 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::Flaky;

    #[test]
    fn groups_consecutive_ids() {
        assert_eq!(runs(&[1, 2, 3, 5, 6, 9], 32), vec![(1, 3), (5, 2), (9, 1)]);
        assert_eq!(runs(&[1, 2, 3], 2), vec![(1, 2), (3, 1)]);
        assert!(runs(&[], 32).is_empty());
    }

    #[test]
    fn runs_split_at_slot_boundaries() {
        let slot = |id: u64| Some(if id <= 2 { 10 } else { 12 });
        assert_eq!(split_by(&[1, 2, 3], slot), vec![vec![1, 2], vec![3]]);
        assert!(split_by(&[], slot).is_empty());
    }

    #[test]
    fn jobs_split_runs_and_keep_races_single() {
        // A run of three is one (padded) proof; a run of 17 needs two (16 is the largest circuit).
        assert_eq!(plan_jobs(&[1, 2, 3], &[7]), vec![(1, 3), (7, 1)]);
        let long: Vec<u64> = (1..=17).collect();
        assert_eq!(plan_jobs(&long, &[]), vec![(1, 16), (17, 1)]);
        assert!(plan_jobs(&[], &[]).is_empty());
    }

    #[test]
    fn flaky_cycle() {
        let f = Flaky { online: 3, offline: 2, offset: 0 };
        let pattern: Vec<bool> = (0..10).map(|b| f.offline_at(b)).collect();
        assert_eq!(pattern, [false, false, false, true, true, false, false, false, true, true]);
    }
}
