//! The long-running prover agent: follows the chain block by block, commits and reveals every
//! epoch, proves its assignments inside their windows, races for batches others missed, and claims
//! its rewards.
//!
//! The chain is the source of truth: every decision is re-derived from on-chain state each block,
//! and every transaction is simulated first, so a restarted agent picks up exactly where the chain
//! is (revealing with the persisted secret) and never sends a transaction the chain would reject
//! (no double submission). Errors from the endpoint are logged and retried with backoff, which is
//! how the agent rides through an RPC restart.

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use alloy::primitives::{Address, U256};
use eyre::Result;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::{
    chain::was_not_sent,
    net::{Net, Phase},
    ops::{self, NO_COMMIT, ProveRoute, status},
    proof::{ProofBackend, prove_blocking},
    secrets::SecretStore,
};

/// How long a shutdown waits for the step in progress.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Pattern of a deliberately unreliable prover (devnet): online for `online` blocks, then offline
/// for `offline` blocks, shifted by `offset`.
#[derive(Debug, Clone, Copy)]
pub struct Flaky {
    /// Blocks online per cycle.
    pub online: u64,
    /// Blocks offline per cycle.
    pub offline: u64,
    /// Phase shift of the cycle.
    pub offset: u64,
}

impl Flaky {
    /// Whether the prover is offline at `block`.
    pub fn offline_at(&self, block: u64) -> bool {
        let cycle = self.online + self.offline;
        cycle > 0 && (block + self.offset) % cycle >= self.online
    }
}

/// Agent settings.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// Name in logs.
    pub name: String,
    /// How often to look for a new block.
    pub poll: Duration,
    /// Unreliable behaviour, for simulations.
    pub flaky: Option<Flaky>,
    /// Claim rewards at most once per this many blocks.
    pub claim_every: u64,
    /// Whether to join emergency races.
    pub race: bool,
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            name: "agent".into(),
            poll: Duration::from_millis(300),
            flaky: None,
            claim_every: 20,
            race: true,
        }
    }
}

/// What an agent did.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentStats {
    /// Commitments sent.
    pub commits: u64,
    /// Reveals sent.
    pub reveals: u64,
    /// Batches proven in their window.
    pub proven: u64,
    /// Races won.
    pub races_won: u64,
    /// Proof transactions that lost (the batch was already taken).
    pub races_lost: u64,
    /// Claims.
    pub claims: u64,
    /// Failed ticks (RPC or transaction errors).
    pub errors: u64,
    /// Proofs made (one may cover several batches).
    pub proofs: u64,
    /// Proving rounds (one `prove_many` call each, its proofs made in parallel).
    pub proving_rounds: u64,
    /// Wall time spent proving, in milliseconds (summed over rounds).
    pub proving_ms: u64,
    /// Longest proving round, in milliseconds.
    pub max_proving_ms: u64,
}

/// A prover agent bound to one signer.
pub struct Agent {
    net: Net,
    secrets: SecretStore,
    backend: Arc<dyn ProofBackend>,
    cfg: AgentConfig,
    me: Address,
    resolved_prover: bool,
    tracked: BTreeSet<u64>,
    slot_ends: HashMap<u64, u64>,
    next_id: u64,
    submitted: HashSet<u64>,
    last_block: Option<u64>,
    last_claim: u64,
    offline: bool,
    warned_unregistered: bool,
    scanned_history: bool,
    stats: AgentStats,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent").field("name", &self.cfg.name).field("prover", &self.me).finish()
    }
}

impl Agent {
    /// An agent for the signer of `net`.
    pub fn new(
        net: Net,
        secrets: SecretStore,
        backend: Arc<dyn ProofBackend>,
        cfg: AgentConfig,
    ) -> Result<Self> {
        let me = net.chain.signer()?;
        Ok(Self {
            net,
            secrets,
            backend,
            cfg,
            me,
            resolved_prover: false,
            tracked: BTreeSet::new(),
            slot_ends: HashMap::new(),
            next_id: 1,
            submitted: HashSet::new(),
            last_block: None,
            last_claim: 0,
            offline: false,
            warned_unregistered: false,
            scanned_history: false,
            stats: AgentStats::default(),
        })
    }

    /// Runs until `shutdown` turns true, then returns what it did.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) -> Result<AgentStats> {
        let name = self.cfg.name.clone();
        info!(agent = %name, prover = %self.me, network = %self.net.dep.network, proof = self.backend.name(),
              "prover agent started");
        if self.backend.insecure() {
            warn!(agent = %name, "proofs use the INSECURE dev verifier: development only");
        }
        let mut failures: u32 = 0;
        loop {
            if *shutdown.borrow() {
                break;
            }
            let result = {
                let mut tick = std::pin::pin!(self.tick());
                tokio::select! {
                    r = &mut tick => Some(r),
                    _ = shutdown.changed() => {
                        // Let a transaction in flight reach its receipt (bounded), so a restart
                        // finds a settled state rather than a half-finished step.
                        info!(agent = %name, "shutdown requested; finishing the current step");
                        if tokio::time::timeout(SHUTDOWN_GRACE, &mut tick).await.is_err() {
                            warn!(agent = %name, "step still running after {SHUTDOWN_GRACE:?}; stopping anyway");
                        }
                        None
                    }
                }
            };
            let Some(result) = result else { break };
            match result {
                Ok(()) => {
                    if failures > 0 {
                        info!(agent = %name, "RPC endpoint reachable again; resuming");
                    }
                    failures = 0;
                }
                Err(e) => {
                    failures += 1;
                    self.stats.errors += 1;
                    warn!(agent = %name, error = format!("{e:#}"), "tick failed; retrying");
                }
            }
            // Back off while the endpoint is failing (up to 5 s), poll briskly otherwise.
            let wait = if failures == 0 {
                self.cfg.poll
            } else {
                (self.cfg.poll * 2u32.saturating_pow(failures.min(5))).min(Duration::from_secs(5))
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => {}
            }
        }
        info!(agent = %name, stats = ?self.stats, "prover agent stopped");
        Ok(self.stats)
    }

    /// One step: everything the agent should do at the current block.
    pub async fn tick(&mut self) -> Result<()> {
        let block = self.net.chain.block_number().await?;
        if self.last_block == Some(block) {
            return Ok(());
        }
        if let Some(f) = self.cfg.flaky {
            let off = f.offline_at(block);
            if off != self.offline {
                self.offline = off;
                info!(agent = %self.cfg.name, block, "{}", if off { "going offline (flaky prover)" } else { "back online" });
            }
            if off {
                self.last_block = Some(block);
                return Ok(());
            }
        }
        if !self.resolved_prover {
            // Run with an operator key, the agent acts for the prover that named it.
            self.me = self.net.acting_prover().await?;
            self.resolved_prover = true;
        }
        let a = self.net.network.accountOf(self.me).call().await?;
        if !a.registered {
            if !self.warned_unregistered {
                warn!(agent = %self.cfg.name, prover = %self.me,
                      "not registered: run `provernet prover register --stake AMT`; waiting");
                self.warned_unregistered = true;
            }
            self.last_block = Some(block);
            return Ok(());
        }
        let params = self.net.network.params().call().await?;
        let eligible = U256::from(a.stake) >= U256::from(params.minStake);
        self.epoch_duties(block, a.commitEpoch, !a.commitHash.is_zero(), eligible).await;
        self.batch_duties(block, eligible).await?;
        if !a.claimable.is_zero() && block >= self.last_claim + self.cfg.claim_every {
            match ops::claim(&self.net).await {
                Ok(r) => {
                    self.stats.claims += 1;
                    info!(agent = %self.cfg.name, block, "{}", r.human);
                }
                Err(e) => warn!(agent = %self.cfg.name, error = format!("{e:#}"), "claim failed"),
            }
            self.last_claim = block;
        }
        self.last_block = Some(block);
        Ok(())
    }

    async fn epoch_duties(&mut self, block: u64, commit_epoch: u32, open: bool, eligible: bool) {
        let geo = self.net.geo;
        let next = block + 1;
        let epoch = geo.epoch_of(next);
        let committed_here = commit_epoch != NO_COMMIT && u64::from(commit_epoch) == epoch;
        match geo.phase_of(next) {
            Phase::Commit if !committed_here && eligible => {
                match ops::commit(&self.net, &self.secrets).await {
                    Ok((e, _)) => {
                        self.stats.commits += 1;
                        info!(agent = %self.cfg.name, epoch = e, block, "committed");
                    }
                    Err(e) => {
                        warn!(agent = %self.cfg.name, epoch, error = format!("{e:#}"), "commit failed")
                    }
                }
            }
            Phase::Reveal if committed_here && open => {
                match ops::reveal(&self.net, &self.secrets).await {
                    Ok((e, weight, _)) => {
                        self.stats.reveals += 1;
                        info!(agent = %self.cfg.name, epoch = e, %weight, block, "revealed");
                    }
                    Err(e) => {
                        warn!(agent = %self.cfg.name, epoch, error = format!("{e:#}"), "reveal failed")
                    }
                }
            }
            _ => {}
        }
    }

    async fn batch_duties(&mut self, block: u64, eligible: bool) -> Result<()> {
        let next_id: u64 = self.net.network.nextBatchId().call().await?.saturating_to();
        if !self.scanned_history {
            self.next_id = self.first_live_batch(next_id, block).await?;
            self.scanned_history = true;
        }
        self.tracked.extend(self.next_id..next_id);
        self.next_id = next_id.max(self.next_id);
        let next = block + 1;
        let mut mine: Vec<u64> = Vec::new();
        let mut races: Vec<u64> = Vec::new();
        for id in self.tracked.clone() {
            let b = self.net.network.batchOf(U256::from(id)).call().await?;
            let rd: u64 = b.raceDeadline.to();
            if matches!(b.status, status::PROVEN | status::FAILED | status::NONE) || next > rd {
                self.tracked.remove(&id);
                self.submitted.remove(&id);
                self.slot_ends.remove(&id);
                continue;
            }
            if self.submitted.contains(&id) {
                continue;
            }
            match ops::prove_route(id, &b, self.me, next) {
                // A slot's batches are proven together once the slot is over (all of them are
                // posted by then): one proof for the run instead of one per batch.
                Ok(ProveRoute::Assigned) if block >= self.slot_end(id).await? => mine.push(id),
                Ok(ProveRoute::Race) if self.cfg.race && eligible => races.push(id),
                _ => {}
            }
        }
        // Consecutive assigned batches (a slot's, and neighbouring slots' of this prover) share
        // proofs: each run is split by plan_proofs (up to 16 a proof); races are one batch each.
        // Every job is checked against the chain first, then all are proven in one parallel round
        // on a blocking thread.
        let mut jobs: Vec<(u64, u64)> = Vec::new();
        for (first, count) in runs(&mine, MAX_BATCHES_PER_PROOF) {
            jobs.extend(
                provernet_zk::plan_proofs(first, count as usize)
                    .into_iter()
                    .map(|(f, c)| (f, c as u64)),
            );
        }
        jobs.extend(races.iter().map(|&id| (id, 1)));
        if jobs.is_empty() {
            return Ok(());
        }
        let mut prepared = Vec::new();
        for (first, count) in jobs {
            match ops::prepare_proof(&self.net, first, count).await {
                Ok(p) => prepared.push(p),
                Err(e) => {
                    info!(agent = %self.cfg.name, first, reason = format!("{e:#}"), "not proving")
                }
            }
        }
        if prepared.is_empty() {
            return Ok(());
        }
        let inputs = prepared.iter().map(|p| p.input.clone()).collect();
        let (proofs, took) = prove_blocking(self.backend.clone(), inputs).await?;
        let ms = took.as_millis() as u64;
        self.stats.proving_rounds += 1;
        self.stats.proving_ms += ms;
        self.stats.max_proving_ms = self.stats.max_proving_ms.max(ms);
        let batches: u64 = prepared.iter().map(|p| p.count).sum();
        info!(agent = %self.cfg.name, proofs = prepared.len(), batches, proving_ms = ms,
              backend = self.backend.name(), "proved");
        for (p, proof) in prepared.iter().zip(proofs) {
            match proof {
                Ok(proof) => {
                    self.stats.proofs += 1;
                    self.submit(p, proof, block).await;
                }
                Err(e) => {
                    self.stats.errors += 1;
                    warn!(agent = %self.cfg.name, first = p.first, count = p.count,
                          error = format!("{e:#}"), "could not make the proof");
                }
            }
        }
        Ok(())
    }

    /// The last block of the slot batch `id` was posted in (read once per batch).
    async fn slot_end(&mut self, id: u64) -> Result<u64> {
        if let Some(&end) = self.slot_ends.get(&id) {
            return Ok(end);
        }
        let key = self.net.network.assignmentOf(U256::from(id)).call().await?.key;
        let end = self.net.geo.slot_of_key(key.saturating_to()).0.last_block;
        self.slot_ends.insert(id, end);
        Ok(end)
    }

    /// Where to start following batches after a (re)start: walking back from the newest, past the
    /// point where a run of batches all have races that already ended. Deadlines grow with ids
    /// (windows only change by governance), so older batches need nothing from this agent; the
    /// run length absorbs a governance change that shortened the windows.
    async fn first_live_batch(&self, next_id: u64, block: u64) -> Result<u64> {
        const SETTLED_RUN: u32 = 64;
        let mut first = next_id;
        let mut settled = 0;
        while first > 1 && settled < SETTLED_RUN {
            let b = self.net.network.batchOf(U256::from(first - 1)).call().await?;
            if b.raceDeadline.to::<u64>() < block {
                settled += 1;
            } else {
                settled = 0;
            }
            first -= 1;
        }
        Ok(first)
    }

    async fn submit(&mut self, p: &ops::Prepared, proof: alloy::primitives::Bytes, block: u64) {
        let (first, count) = (p.first, p.count);
        match ops::submit_proof(&self.net, p, proof).await {
            Ok(r) => {
                for id in first..first + count {
                    self.submitted.insert(id);
                }
                match p.route {
                    ProveRoute::Assigned => {
                        self.stats.proven += count;
                        info!(agent = %self.cfg.name, first, count, block, tx = %r.transaction_hash, "proved assigned batch(es)");
                    }
                    ProveRoute::Race => {
                        self.stats.races_won += 1;
                        info!(agent = %self.cfg.name, batch = first, block, tx = %r.transaction_hash, "won the emergency race");
                    }
                }
            }
            Err(e) if was_not_sent(&e) => {
                // The simulation said no (usually: someone else was faster). Nothing went out, so
                // nothing to remember; the next block re-derives the situation from the chain.
                info!(agent = %self.cfg.name, first, reason = format!("{e:#}"), "proof not sent");
            }
            Err(e) => {
                // Sent (or possibly sent) and failed: never send it again for these batches.
                for id in first..first + count {
                    self.submitted.insert(id);
                }
                self.stats.races_lost += 1;
                warn!(
                    agent = %self.cfg.name,
                    first,
                    error = format!("{e:#}"),
                    "proof transaction failed (in a race: another prover landed first); not retrying"
                );
            }
        }
    }
}

/// The contract's MAX_BATCHES_PER_PROOF: the longest run considered at once (plan_proofs then
/// splits it into the verifier's sizes).
const MAX_BATCHES_PER_PROOF: u64 = 16;

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

    #[test]
    fn groups_consecutive_ids() {
        assert_eq!(runs(&[1, 2, 3, 5, 6, 9], 32), vec![(1, 3), (5, 2), (9, 1)]);
        assert_eq!(runs(&[1, 2, 3], 2), vec![(1, 2), (3, 1)]);
        assert!(runs(&[], 32).is_empty());
    }

    #[test]
    fn flaky_cycle() {
        let f = Flaky { online: 3, offline: 2, offset: 0 };
        let pattern: Vec<bool> = (0..10).map(|b| f.offline_at(b)).collect();
        assert_eq!(pattern, [false, false, false, true, true, false, false, false, true, true]);
    }
}
