//! The long-running prover agent: follows the chain block by block, commits and reveals every
//! epoch, fixes the epoch's seed when nobody did, proves its assignments inside their windows,
//! races for batches others missed, and claims its rewards.
//!
//! Duties never wait for proving. The duty loop (this module) only decides: commit and reveal
//! ([`epoch`]), the seed ([`seed`]), claims and compounding ([`compound`]), penalties seen
//! ([`penalties`]) and which batches need a proof ([`batches`]). Proofs are made elsewhere
//! ([`proving`]: a blocking thread in this process, or workers behind a job queue) and come back as
//! events; each is submitted on its own task ([`submit`]). So a prover whose proofs take longer
//! than an epoch still commits and reveals every epoch, and a slow receipt never holds up a reveal.
//!
//! The chain is the source of truth: every decision is re-derived from on-chain state each block,
//! and every transaction is simulated first, so a restarted agent picks up exactly where the chain
//! is (revealing with the persisted secret) and never sends a transaction the chain would reject
//! (no double submission). Errors from the endpoint are logged and retried with backoff (and, given
//! several endpoints, the agent fails over to the next), which is how it rides through an RPC
//! restart.

mod batches;
mod compound;
mod data;
mod deadlines;
mod epoch;
mod failover;
mod penalties;
mod proving;
mod seed;
mod submit;

use std::{
    collections::{HashMap, HashSet},
    time::{Duration, Instant},
};

use alloy::primitives::{Address, TxHash, U256};
use eyre::Result;
use provernet_fleet::{
    JobId,
    metrics::{Counter, Gauge},
};
use tokio::{sync::watch, task::JoinSet};
use tracing::{info, warn};

use self::{
    batches::BatchTracker,
    penalties::PenaltyWatch,
    proving::{Event, EventRx, EventTx},
};
pub use self::{
    batches::runs,
    proving::{Engine, QueueEngine},
};
use crate::{net::Net, ops, secrets::SecretStore};

/// How long a shutdown waits for the step (and the submissions) in progress.
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
    /// Restake what is claimed (`prover run --compound`, see [`compound`]).
    pub compound: bool,
    /// Whether to join emergency races.
    pub race: bool,
    /// Endpoints to fail over to, in order, when the current one keeps failing (the first
    /// endpoint is the one `Net` was opened on).
    pub fallback_rpc_urls: Vec<String>,
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            name: "agent".into(),
            poll: Duration::from_millis(300),
            flaky: None,
            claim_every: 20,
            compound: false,
            race: true,
            fallback_rpc_urls: Vec::new(),
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
    /// Claims (for a pool: syncs that collected its rewards).
    pub claims: u64,
    /// Claims restaked (`--compound`): stake added, or a pool operator's commission deposited.
    pub compounds: u64,
    /// Tokens restaked by those (whole tokens, as a float).
    pub compounded_tokens: f64,
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
    /// Penalties the network applied to this prover (non-reveal slashes, missed-proof slashes and
    /// capped missed proofs, which cost reputation only).
    pub penalties: u64,
    /// Tokens lost to those penalties (whole tokens, as a float).
    pub penalized_tokens: f64,
    /// Proofs not submitted because their window closed (or their job expired) first.
    pub dropped: u64,
    /// Proof jobs given up because their window closed before the proof came back (counted in
    /// `dropped` too); a proof made later is discarded.
    pub cancelled: u64,
    /// Switches to another RPC endpoint.
    pub failovers: u64,
    /// Seeds this agent fixed with `finalizeSeed` (nobody had when an epoch began).
    pub seeds_fixed: u64,
}

/// A prover agent bound to one signer.
pub struct Agent {
    net: Net,
    secrets: SecretStore,
    engine: Engine,
    cfg: AgentConfig,
    me: Address,
    batches: BatchTracker,
    /// Batch ids whose proof is being made or submitted: not handed out again meanwhile.
    busy: HashSet<u64>,
    /// Jobs handed to the engine whose proof has not come back yet ([`deadlines`]).
    proving: HashMap<JobId, ops::Prepared>,
    /// Batch ids whose proof transaction was sent (or possibly sent), with the transaction when it
    /// landed: never sent again unless a reorg removed that transaction while the window is open.
    submitted: HashMap<u64, Option<TxHash>>,
    events_tx: EventTx,
    events_rx: EventRx,
    submissions: JoinSet<()>,
    penalties: PenaltyWatch,
    seed: seed::SeedDuty,
    /// Batches challenged for their data, until answered or voided.
    challenges: data::Challenges,
    last_block: Option<u64>,
    last_claim: u64,
    /// Who collects the prover's rewards (resolved on the first claim).
    payee: compound::Payee,
    offline: bool,
    warned_unregistered: bool,
    /// Whether `me` was resolved through the operator mapping (done once, on the first tick).
    resolved_prover: bool,
    rpc: failover::Endpoints,
    stats: AgentStats,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent").field("name", &self.cfg.name).field("prover", &self.me).finish()
    }
}

impl Agent {
    /// An agent for the signer of `net`, proving with `engine`.
    pub fn new(net: Net, secrets: SecretStore, engine: Engine, cfg: AgentConfig) -> Result<Self> {
        let me = net.chain.signer()?;
        let (events_tx, events_rx) = tokio::sync::mpsc::unbounded_channel();
        let rpc = failover::Endpoints::new(&net, &cfg.fallback_rpc_urls);
        Ok(Self {
            net,
            secrets,
            engine,
            cfg,
            me,
            batches: BatchTracker::default(),
            busy: HashSet::new(),
            proving: HashMap::new(),
            submitted: HashMap::new(),
            events_tx,
            events_rx,
            submissions: JoinSet::new(),
            penalties: PenaltyWatch::default(),
            seed: seed::SeedDuty::default(),
            challenges: data::Challenges::default(),
            last_block: None,
            last_claim: 0,
            payee: compound::Payee::default(),
            offline: false,
            warned_unregistered: false,
            resolved_prover: false,
            rpc,
            stats: AgentStats::default(),
        })
    }

    /// Runs until `shutdown` turns true, then returns what it did.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) -> Result<AgentStats> {
        let name = self.cfg.name.clone();
        info!(agent = %name, prover = %self.me, network = %self.net.dep.network,
              proof = self.engine.describe(), "prover agent started");
        if self.engine.insecure() {
            warn!(agent = %name, "proofs use the INSECURE dev verifier: development only");
        }
        self.engine.start(self.events_tx.clone()).await;
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
                    Counter::RpcErrors.increment(1);
                    warn!(agent = %name, error = format!("{e:#}"), "tick failed; retrying");
                    if failures >= failover::FAILOVER_AFTER {
                        self.fail_over().await;
                    }
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
        self.finish_submissions().await;
        info!(agent = %name, stats = ?self.stats, "prover agent stopped");
        Ok(self.stats)
    }

    /// One step: everything the agent should do at the current block. Proofs that came back since
    /// the last step are handed to submission tasks first, even when no block was mined.
    pub async fn tick(&mut self) -> Result<()> {
        self.handle_events();
        let block = self.net.chain.block_number().await?;
        if self.last_block == Some(block) {
            return Ok(());
        }
        self.cancel_overdue(block);
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
        let reporter = penalties::Reporter {
            agent: &self.cfg.name,
            me: self.me,
            units: &self.net.units,
            stats: &mut self.stats,
        };
        self.penalties.scan(&self.net, block, reporter).await?;
        let params = self.net.network.params().call().await?;
        let eligible = U256::from(a.stake) >= U256::from(params.minStake);
        self.record_account(U256::from(a.stake), U256::from(a.claimable)).await;
        self.epoch_duties(block, a.commitEpoch, !a.commitHash.is_zero(), eligible).await;
        // After the epoch duty: a commit it just made fixed the seed already.
        self.seed_duty(block).await;
        self.claim_duty(block, U256::from(a.claimable)).await;
        self.batch_duties(block, eligible).await?;
        self.engine.observe().await;
        self.last_block = Some(block);
        Ok(())
    }

    /// Sets the account gauges (stake, reputation, claimable) of the metrics endpoint.
    async fn record_account(&self, stake: U256, claimable: U256) {
        Gauge::Stake.set(self.tokens(stake));
        Gauge::Claimable.set(self.tokens(claimable));
        if let Ok(rep) = self.net.network.reputationOf(self.me).call().await {
            Gauge::Reputation.set(f64::from(rep));
        }
    }

    /// `amount` (on-chain units) in whole tokens, for logs and metrics.
    fn tokens(&self, amount: U256) -> f64 {
        f64::from(amount) / 10f64.powi(i32::from(self.net.units.decimals))
    }

    /// Applies what came back from the proving engine and the submission tasks.
    fn handle_events(&mut self) {
        while let Ok(event) = self.events_rx.try_recv() {
            match event {
                Event::Round { proofs, batches, took } => self.count_round(proofs, batches, took),
                Event::Proved { job, proof, job_id } => {
                    if self.came_back(&job) {
                        self.on_proof(job, proof, job_id);
                    } else {
                        self.discard_late(&job, proof.is_ok(), job_id);
                    }
                }
                // A cancelled job was counted and released when it was cancelled.
                Event::Dropped { job, reason } => {
                    if self.came_back(&job) {
                        self.stats.dropped += 1;
                        self.release(&job);
                        info!(agent = %self.cfg.name, first = job.first, count = job.count, %reason,
                              "proof job dropped");
                    }
                }
                Event::Submitted { job, job_id, outcome } => {
                    self.on_submitted(&job, job_id, outcome)
                }
            }
        }
    }

    fn count_round(&mut self, proofs: usize, batches: u64, took: Duration) {
        let ms = took.as_millis() as u64;
        self.stats.proving_rounds += 1;
        self.stats.proving_ms += ms;
        self.stats.max_proving_ms = self.stats.max_proving_ms.max(ms);
        info!(agent = %self.cfg.name, proofs, batches, proving_ms = ms,
              backend = self.engine.backend_name(), "proved");
    }

    fn release(&mut self, job: &ops::Prepared) {
        for id in job.first..job.first + job.count {
            self.busy.remove(&id);
        }
    }

    /// Waits (bounded) for submissions still awaiting receipts, then applies their outcomes.
    async fn finish_submissions(&mut self) {
        let started = Instant::now();
        while !self.submissions.is_empty() && started.elapsed() < SHUTDOWN_GRACE {
            let left = SHUTDOWN_GRACE.saturating_sub(started.elapsed());
            if tokio::time::timeout(left, self.submissions.join_next()).await.is_err() {
                warn!(agent = %self.cfg.name, "submissions still awaiting receipts; stopping anyway");
                break;
            }
        }
        self.handle_events();
    }
}
