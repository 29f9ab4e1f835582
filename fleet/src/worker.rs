//! A worker: takes one job at a time from the queue, skips it if it already has a result, drops a
//! proof job whose deadline has passed, proves it (or runs a task with the handler registered for
//! its kind) on a blocking thread while reporting progress, stores the result, then acks.
//!
//! Order matters for "nothing lost, nothing doubled": the result is stored *before* the ack. A
//! worker dying between the two leaves the job unacked, so it is redelivered and proven again,
//! and that second result is dropped by the results bucket's create-if-absent.

use crate::{
    error::{FleetError, queue_err},
    job::{JobResult, Outcome, ProofJob, unix_us},
    metrics,
    queue::Queue,
    task::{Job, TaskFn, TaskJob},
};
use async_nats::jetstream::{AckKind, Message};
use futures_util::StreamExt;
use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::watch;
use tracing::{info, warn};

/// Makes the proof bytes of a job. Blocking and CPU-bound: the worker runs it on a blocking thread.
pub type ProverFn = Arc<dyn Fn(&ProofJob) -> Result<Vec<u8>, ProveError> + Send + Sync>;

/// Returns the chain's latest block number, if known. Called once per job, on the async runtime,
/// so it must not block: typically it reads an atomic that a block-subscription task keeps
/// current. Keeps this crate free of RPC.
pub type ChainHead = Arc<dyn Fn() -> Option<u64> + Send + Sync>;

/// Why a proof could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProveError {
    /// What went wrong.
    pub message: String,
    /// Whether trying again later may succeed (e.g. batch data not yet available). Retryable
    /// failures are handed back to the queue until `max_deliver` runs out; the others are
    /// reported as [`Outcome::Failed`] at once.
    pub retryable: bool,
}

impl std::fmt::Display for ProveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// How a worker identifies itself and learns the chain head.
#[derive(Clone)]
pub struct WorkerConfig {
    /// Name recorded in results and logs.
    pub name: String,
    /// Source of the chain head for the deadline check; without it only the job's wall-clock
    /// cut-off (if any) can expire a job.
    pub chain_head: Option<ChainHead>,
    /// How long one pull request waits for a job before asking again.
    pub poll: Duration,
}

impl std::fmt::Debug for WorkerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerConfig")
            .field("name", &self.name)
            .field("chain_head", &self.chain_head.is_some())
            .field("poll", &self.poll)
            .finish()
    }
}

impl WorkerConfig {
    /// A worker named `name`, without chain access, polling every 5 s.
    pub fn named(name: impl Into<String>) -> Self {
        Self { name: name.into(), chain_head: None, poll: Duration::from_secs(5) }
    }
}

/// What a worker did before it stopped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkerStats {
    /// Proofs made and stored.
    pub proven: u64,
    /// Jobs dropped because their deadline had passed.
    pub expired: u64,
    /// Jobs reported failed.
    pub failed: u64,
    /// Retryable failures handed back to the queue.
    pub retried: u64,
    /// Results not stored because the job already had one.
    pub duplicate_results: u64,
    /// Tasks run ([`TaskJob`]s).
    pub tasks: u64,
    /// Jobs skipped because they already had a result when taken (cancelled by their agent).
    pub skipped: u64,
}

/// A proving worker bound to one queue.
pub struct Worker {
    queue: Queue,
    prover: ProverFn,
    tasks: BTreeMap<String, TaskFn>,
    cfg: WorkerConfig,
    stats: WorkerStats,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").field("cfg", &self.cfg).field("stats", &self.stats).finish()
    }
}

/// What handling one delivery led to.
enum Handled {
    Done,
    ShutDown,
}

impl Worker {
    /// A worker taking jobs from `queue` and proving them with `prover`.
    pub fn new(queue: Queue, prover: ProverFn, cfg: WorkerConfig) -> Self {
        Self { queue, prover, tasks: BTreeMap::new(), cfg, stats: WorkerStats::default() }
    }

    /// Also runs tasks of kind `task` with `run` (without it, such tasks are handed back for
    /// another worker).
    pub fn with_task(mut self, task: impl Into<String>, run: TaskFn) -> Self {
        self.tasks.insert(task.into(), run);
        self
    }

    /// Takes and handles jobs until `shutdown` turns true. A job being proven at shutdown is
    /// handed back to the queue (nak) so another worker takes it at once.
    ///
    /// Never gives up on its own: queue trouble (server down, restarting) is logged and retried
    /// every second while the client reconnects, and a job whose result could not be stored is
    /// left unacked, so the server redelivers it.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) -> WorkerStats {
        info!(worker = %self.cfg.name, "worker started");
        while !*shutdown.borrow() {
            // One job per pull: a worker never holds jobs it is not proving, so their ack_wait
            // does not run out while they wait behind the current one.
            let pull = self.queue.consumer().batch().max_messages(1).expires(self.cfg.poll);
            let mut batch = tokio::select! {
                b = pull.messages() => match b {
                    Ok(b) => b,
                    Err(e) => { self.pause(&queue_err("pulling a job", e)).await; continue; }
                },
                _ = shutdown.changed() => break,
            };
            let next = tokio::select! {
                m = batch.next() => m,
                _ = shutdown.changed() => break,
            };
            match next {
                None => {}
                Some(Err(e)) => self.pause(&queue_err("receiving a job", e)).await,
                Some(Ok(msg)) => {
                    if let Handled::ShutDown = self.handle(msg, &mut shutdown).await {
                        break;
                    }
                }
            }
        }
        info!(worker = %self.cfg.name, stats = ?self.stats, "worker stopped");
        self.stats
    }

    async fn pause(&self, e: &FleetError) {
        warn!(worker = %self.cfg.name, error = %e, "retrying in 1 s");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

    async fn handle(&mut self, msg: Message, shutdown: &mut watch::Receiver<bool>) -> Handled {
        let delivered = msg.info().map(|i| i.delivered.max(1) as u64).unwrap_or(1);
        let job: Job = match serde_json::from_slice(&msg.payload) {
            Ok(job) => job,
            Err(e) => {
                // No build of this version can ever process it: stop its redelivery.
                warn!(worker = %self.cfg.name, error = %e, "undecodable job terminated");
                self.stats.failed += 1;
                ack(&msg, AckKind::Term).await;
                return Handled::Done;
            }
        };
        if delivered > 1 {
            metrics::job_redelivered();
        }
        let (id, enqueued) = match &job {
            Job::Proof(j) => (j.id(), j.enqueued_unix_us),
            Job::Task(t) => (t.id(), t.enqueued_unix_us),
        };
        // A job that already has a result (its agent cancelled it, or a worker finished it and
        // its ack was lost) is not done again.
        match self.queue.result(&id).await {
            Ok(Some(r)) => {
                self.stats.skipped += 1;
                info!(worker = %self.cfg.name, job = %id, by = %r.worker,
                      "the job already has a result; skipped");
                ack(&msg, AckKind::Ack).await;
                return Handled::Done;
            }
            Ok(None) => {}
            Err(e) => {
                // Not acked: the job comes back after ack_wait.
                self.pause(&e).await;
                return Handled::Done;
            }
        }
        // Stamped once the job is really started, so the wait includes the result check above:
        // the whole cost of the queue between enqueue and the start of the work.
        let queue_wait_us = unix_us().saturating_sub(enqueued);
        metrics::job_wait(queue_wait_us as f64 / 1e6);
        let ran = match job {
            Job::Proof(job) => self.prove(&msg, job, delivered, shutdown).await,
            Job::Task(task) => {
                let Some(run) = self.tasks.get(&task.task).cloned() else {
                    return self.unknown_task(&msg, &task, delivered, queue_wait_us).await;
                };
                info!(worker = %self.cfg.name, job = %id, task = %task.task, delivered, "running a task");
                self.run_blocking(&msg, move || run(&task), shutdown).await.map(|r| {
                    r.map(|(output, took)| {
                        self.stats.tasks += 1;
                        Outcome::Done { output, run_ms: took.as_millis() as u64 }
                    })
                })
            }
        };
        let outcome = match ran {
            None => {
                ack(&msg, AckKind::Nak(None)).await;
                return Handled::ShutDown;
            }
            Some(Ok(outcome)) => outcome,
            Some(Err(e)) if e.retryable && (delivered as i64) < self.queue.config().max_deliver => {
                warn!(worker = %self.cfg.name, job = %id, error = %e, delivered,
                      "the job failed; handing it back for a retry");
                self.stats.retried += 1;
                ack(&msg, AckKind::Nak(Some(Duration::from_secs(delivered)))).await;
                return Handled::Done;
            }
            Some(Err(e)) => {
                warn!(worker = %self.cfg.name, job = %id, error = %e, "the job failed");
                metrics::job_failed();
                self.stats.failed += 1;
                Outcome::Failed { error: e.message }
            }
        };
        self.finish(
            &msg,
            JobResult { id, worker: self.cfg.name.clone(), delivered, queue_wait_us, outcome },
        )
        .await
    }

    /// Stores `result`, then acks (see the module doc for why in this order).
    async fn finish(&mut self, msg: &Message, result: JobResult) -> Handled {
        match self.queue.record_result(&result).await {
            Ok(true) => {}
            Ok(false) => {
                self.stats.duplicate_results += 1;
                info!(worker = %self.cfg.name, job = %result.id, "the job already had a result; dropped this one");
            }
            Err(e) => {
                // Not acked: the job comes back after ack_wait and is done again.
                self.pause(&e).await;
                return Handled::Done;
            }
        }
        ack(msg, AckKind::Ack).await;
        Handled::Done
    }

    /// A task this worker has no handler for: handed back so a worker that has one takes it; at
    /// the last delivery it fails with a result, so whoever waits for it learns why.
    async fn unknown_task(
        &mut self,
        msg: &Message,
        task: &TaskJob,
        delivered: u64,
        queue_wait_us: u64,
    ) -> Handled {
        let error = format!(
            "no worker that took it runs tasks of kind {:?} (this one runs: {:?})",
            task.task,
            self.tasks.keys().collect::<Vec<_>>()
        );
        if (delivered as i64) < self.queue.config().max_deliver {
            warn!(worker = %self.cfg.name, job = %task.id(), %error, "handing the task back");
            self.stats.retried += 1;
            ack(msg, AckKind::Nak(Some(Duration::from_secs(1)))).await;
            return Handled::Done;
        }
        self.stats.failed += 1;
        let outcome = Outcome::Failed { error };
        let result = JobResult {
            id: task.id(),
            worker: self.cfg.name.clone(),
            delivered,
            queue_wait_us,
            outcome,
        };
        self.finish(msg, result).await
    }

    /// Proves `job` unless its deadline has passed. `None` on shutdown.
    async fn prove(
        &mut self,
        msg: &Message,
        job: ProofJob,
        delivered: u64,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Option<Result<Outcome, ProveError>> {
        let head = self.cfg.chain_head.as_ref().and_then(|h| h());
        if let Some(reason) = job.deadline.passed(head, unix_us() / 1000) {
            metrics::job_expired();
            self.stats.expired += 1;
            info!(worker = %self.cfg.name, job = %job.id(), %reason, "dropping an expired job");
            return Some(Ok(Outcome::Expired { reason }));
        }
        info!(worker = %self.cfg.name, job = %job.id(), delivered, "proving");
        let prover = self.prover.clone();
        let ran = self.run_blocking(msg, move || prover(&job), shutdown).await?;
        Some(ran.map(|(proof, took)| {
            metrics::proof_made(took.as_secs_f64());
            self.stats.proven += 1;
            Outcome::Proven { proof: proof.into(), prove_ms: took.as_millis() as u64 }
        }))
    }

    /// Runs `work` on a blocking thread, sending a progress ack every third of `ack_wait` so the
    /// server does not redeliver a job that is still being worked on. `None` on shutdown.
    async fn run_blocking<T: Send + 'static>(
        &self,
        msg: &Message,
        work: impl FnOnce() -> Result<T, ProveError> + Send + 'static,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Option<Result<(T, Duration), ProveError>> {
        let mut running = tokio::task::spawn_blocking(move || {
            let start = Instant::now();
            work().map(|out| (out, start.elapsed()))
        });
        let beat = (self.queue.config().ack_wait / 3).max(Duration::from_millis(100));
        let mut heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + beat, beat);
        loop {
            tokio::select! {
                done = &mut running => {
                    return Some(done.unwrap_or_else(|e| Err(ProveError {
                        message: format!("the worker thread panicked: {e}"),
                        retryable: false,
                    })));
                }
                _ = heartbeat.tick() => ack(msg, AckKind::Progress).await,
                _ = shutdown.changed() => return None,
            }
        }
    }
}

/// Sends an ack of `kind`. A failed ack is only logged: the job is then redelivered after
/// `ack_wait`, and the results bucket absorbs the second result.
async fn ack(msg: &Message, kind: AckKind) {
    if let Err(e) = msg.ack_with(kind).await {
        warn!(error = %e, "could not acknowledge a job; it will be redelivered");
    }
}
