//! Where proofs are made, away from the duty loop: on a blocking thread of this process
//! ([`Engine::Local`]) or by workers behind a NATS JetStream job queue ([`Engine::Queue`],
//! `prover run --queue URL`). Either way the result comes back to the agent as an [`Event`].

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use alloy::primitives::Bytes;
use eyre::{Result, eyre};
use futures_util::StreamExt;
use provernet_fleet::{
    Deadline, EnqueueStatus, JobId, JobResult, Outcome, ProofJob, Queue,
    metrics::{Counter, Histogram},
};
use tokio::sync::mpsc;
use tracing::{info, warn};

use super::submit;
use crate::{
    ops::Prepared,
    proof::{ProofBackend, prove_blocking},
};

/// What comes back to the duty loop.
pub(super) enum Event {
    /// A local proving round ended (for the proving figures).
    Round { proofs: usize, batches: u64, took: Duration },
    /// A proof (or why it could not be made), with its queue job when it came from a worker.
    Proved { job: Prepared, proof: Result<Bytes>, job_id: Option<JobId> },
    /// The job ended without a proof to submit.
    Dropped { job: Prepared, reason: String },
    /// A submission task finished.
    Submitted { job: Prepared, job_id: Option<JobId>, outcome: submit::Outcome },
}

pub(super) type EventTx = mpsc::UnboundedSender<Event>;
pub(super) type EventRx = mpsc::UnboundedReceiver<Event>;

/// How the agent gets its proofs made.
pub enum Engine {
    /// On a blocking thread of this process, after an optional injected delay (tests: a prover
    /// slower than an epoch).
    Local {
        /// The proof system.
        backend: Arc<dyn ProofBackend>,
        /// Extra time added to every proving round.
        delay: Duration,
    },
    /// By workers over a job queue.
    Queue(Box<QueueEngine>),
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Engine {
    /// Proves in this process.
    pub fn local(backend: Arc<dyn ProofBackend>) -> Self {
        Self::Local { backend, delay: Duration::ZERO }
    }

    pub(super) fn backend(&self) -> &Arc<dyn ProofBackend> {
        match self {
            Self::Local { backend, .. } => backend,
            Self::Queue(q) => &q.backend,
        }
    }

    /// The proof system's name.
    pub fn backend_name(&self) -> &'static str {
        self.backend().name()
    }

    /// Whether proofs carry no security.
    pub fn insecure(&self) -> bool {
        self.backend().insecure()
    }

    /// For the start-up log line.
    pub fn describe(&self) -> String {
        match self {
            Self::Local { backend, .. } => format!("{} (in this process)", backend.name()),
            Self::Queue(q) => format!("{} (over the job queue {})", q.backend.name(), q.url),
        }
    }

    /// Starts what runs beside the agent (the queue's results feed).
    pub(super) async fn start(&self, events: EventTx) {
        if let Self::Queue(q) = self {
            q.start(events);
        }
    }

    /// Hands `jobs` over; their proofs come back as events. Never waits for proving.
    pub(super) async fn dispatch(&self, agent: &str, jobs: Vec<Prepared>, events: &EventTx) {
        match self {
            Self::Local { backend, delay } => {
                tokio::spawn(prove_locally(backend.clone(), *delay, jobs, events.clone()));
            }
            Self::Queue(q) => q.enqueue(agent, jobs, events).await,
        }
    }

    /// Once per block: the queue gauges.
    pub(super) async fn observe(&self) {
        if let Self::Queue(q) = self {
            q.observe().await;
        }
    }

    /// The agent gave up on job `id` (its window closed, see `deadlines`). Proving in this
    /// process cannot be interrupted; its proof is discarded when it comes back. Over a queue the
    /// cancellation is stored as the job's result, so a worker taking the job later skips it, and
    /// a worker's late result is ignored.
    pub(super) fn cancel(&self, agent: &str, id: JobId, reason: String) {
        if let Self::Queue(q) = self {
            q.cancel(agent, id, reason);
        }
    }

    /// The proof of `job_id` was submitted (or is no longer wanted): its result may go.
    pub(super) fn finished(&self, job_id: Option<JobId>) {
        if let (Self::Queue(q), Some(id)) = (self, job_id) {
            let queue = q.queue.clone();
            tokio::spawn(async move {
                if let Err(e) = queue.forget(&id).await {
                    warn!(job = %id, error = %e, "could not delete the job's result");
                }
            });
        }
    }
}

/// One local proving round (all `jobs` in parallel) on a blocking thread.
async fn prove_locally(
    backend: Arc<dyn ProofBackend>,
    delay: Duration,
    jobs: Vec<Prepared>,
    events: EventTx,
) {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let inputs = jobs.iter().map(|p| p.input.clone()).collect();
    match prove_blocking(backend, inputs).await {
        Ok((proofs, took)) => {
            let made = proofs.iter().filter(|p| p.is_ok()).count();
            Counter::ProofsMade.increment(made as u64);
            Histogram::ProvingSeconds.record(took.as_secs_f64());
            let batches = jobs.iter().map(|p| p.count).sum();
            let _ = events.send(Event::Round { proofs: jobs.len(), batches, took });
            for (job, proof) in jobs.into_iter().zip(proofs) {
                let _ = events.send(Event::Proved { job, proof, job_id: None });
            }
        }
        Err(e) => {
            for job in jobs {
                let _ = events.send(Event::Dropped { job, reason: format!("{e:#}") });
            }
        }
    }
}

/// Proving by workers over a NATS JetStream queue (`provernet-fleet`).
pub struct QueueEngine {
    queue: Queue,
    url: String,
    backend: Arc<dyn ProofBackend>,
    waiting: Arc<Mutex<Waiting>>,
}

/// Jobs handed out and awaiting a result, and results that arrived before their job was (re-)
/// handed out (after an agent restart the feed replays stored results first).
#[derive(Default)]
struct Waiting {
    jobs: HashMap<JobId, Prepared>,
    early: HashMap<JobId, JobResult>,
    /// Jobs the agent gave up on: their results are ignored.
    cancelled: HashSet<JobId>,
}

impl QueueEngine {
    /// An engine over `queue` (at `url`, for logs); `backend` checks the workers' proofs and reads
    /// the batch data the jobs carry.
    pub fn new(queue: Queue, url: &str, backend: Arc<dyn ProofBackend>) -> Self {
        Self { queue, url: url.to_owned(), backend, waiting: Arc::default() }
    }

    /// Follows the results bucket for as long as the agent runs (re-subscribing after errors).
    fn start(&self, events: EventTx) {
        let (queue, waiting, backend) =
            (self.queue.clone(), self.waiting.clone(), self.backend.clone());
        tokio::spawn(async move {
            loop {
                match queue.results().await {
                    Ok(feed) => {
                        let mut feed = std::pin::pin!(feed);
                        loop {
                            // Ends with the agent (its event receiver gone), so the client closes.
                            let r = tokio::select! {
                                r = feed.next() => r,
                                _ = events.closed() => return,
                            };
                            let Some(r) = r else { break };
                            match r {
                                Ok(result) => {
                                    let job = waiting.lock().expect("waiting").take(result);
                                    if let Some((job, result)) = job {
                                        deliver(&backend, job, result, &events).await;
                                    }
                                }
                                Err(e) => {
                                    warn!(error = %e, "job results feed failed; resubscribing");
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) => warn!(error = %e, "cannot follow the job results; retrying"),
                }
                if events.is_closed() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    async fn enqueue(&self, agent: &str, jobs: Vec<Prepared>, events: &EventTx) {
        for p in jobs {
            let data = match self.backend.job_data(&p.input) {
                Ok(d) => d,
                Err(e) => {
                    let _ = events.send(Event::Dropped { job: p, reason: format!("{e:#}") });
                    continue;
                }
            };
            let deadline = Deadline { block: p.deadline, unix_ms: None };
            let job = ProofJob::new(p.input.public_inputs(), data, deadline);
            let id = job.id();
            let (first, count) = (p.first, p.count);
            let early = self.waiting.lock().expect("waiting").hand_out(id.clone(), p);
            if let Some((p, result)) = early {
                info!(agent, job = %id, first, count, "result already stored (restart): not queued again");
                deliver(&self.backend, p, result, events).await;
                continue;
            }
            match self.queue.enqueue(job).await {
                Ok((id, status)) => {
                    info!(agent, job = %id, first, count, deadline = deadline.block, ?status, "proof job queued");
                    if status == EnqueueStatus::Finished {
                        // Proven before (its result was kept because the proof was not sent then).
                        self.deliver_stored(&id, events).await;
                    }
                }
                Err(e) => {
                    if let Some(p) = self.waiting.lock().expect("waiting").jobs.remove(&id) {
                        let _ = events.send(Event::Dropped { job: p, reason: e.to_string() });
                    }
                }
            }
        }
    }

    async fn deliver_stored(&self, id: &JobId, events: &EventTx) {
        match self.queue.result(id).await {
            Ok(Some(result)) => {
                let job = self.waiting.lock().expect("waiting").take(result);
                if let Some((job, result)) = job {
                    deliver(&self.backend, job, result, events).await;
                }
            }
            Ok(None) => {}
            Err(e) => warn!(job = %id, error = %e, "cannot read the stored result"),
        }
    }

    /// Sets the queue gauges. (Jobs past their deadline are cancelled by the agent itself, for
    /// either engine: see `deadlines`.)
    async fn observe(&self) {
        if let Err(e) = self.queue.depth().await {
            warn!(error = %e, "cannot read the queue depth");
        }
    }

    fn cancel(&self, agent: &str, id: JobId, reason: String) {
        self.waiting.lock().expect("waiting").cancel(&id);
        let (queue, agent) = (self.queue.clone(), agent.to_owned());
        tokio::spawn(async move {
            match queue.cancel(&id, &agent, reason).await {
                Ok(true) => {}
                // A worker's result came first; it is ignored, so it need not stay stored.
                Ok(false) => {
                    if let Err(e) = queue.forget(&id).await {
                        warn!(job = %id, error = %e, "could not delete the cancelled job's result");
                    }
                }
                Err(e) => warn!(job = %id, error = %e,
                    "could not store the cancellation: a worker may still prove the job (its proof will be discarded)"),
            }
        });
    }
}

impl Waiting {
    /// Stops waiting for `id`.
    fn cancel(&mut self, id: &JobId) {
        self.jobs.remove(id);
        self.early.remove(id);
        self.cancelled.insert(id.clone());
    }

    /// The job a result belongs to, removing both; keeps the result for later otherwise.
    fn take(&mut self, result: JobResult) -> Option<(Prepared, JobResult)> {
        // Results of cancelled jobs, and of other kinds of jobs sharing the queue (sweep cells),
        // are not the agent's to keep.
        if self.cancelled.contains(&result.id) || matches!(result.outcome, Outcome::Done { .. }) {
            return None;
        }
        match self.jobs.remove(&result.id) {
            Some(job) => Some((job, result)),
            None => {
                self.early.insert(result.id.clone(), result);
                None
            }
        }
    }

    /// Registers a job; returns it with its result when that is already here.
    fn hand_out(&mut self, id: JobId, job: Prepared) -> Option<(Prepared, JobResult)> {
        self.cancelled.remove(&id);
        match self.early.remove(&id) {
            Some(result) => Some((job, result)),
            None => {
                self.jobs.insert(id, job);
                None
            }
        }
    }
}

/// Turns a worker's result into an event, checking a proof before it is accepted: a worker with
/// the wrong keys (or a faulty one) must not make the agent send a transaction that reverts.
async fn deliver(
    backend: &Arc<dyn ProofBackend>,
    job: Prepared,
    result: JobResult,
    events: &EventTx,
) {
    let event = match result.outcome {
        Outcome::Proven { proof, prove_ms } => {
            let (b, input, bytes) = (backend.clone(), job.input.clone(), proof.clone());
            let valid = tokio::task::spawn_blocking(move || b.verify(&input, &bytes))
                .await
                .map_err(|e| eyre!("the proof check failed: {e}"))
                .and_then(|r| r);
            match valid {
                Ok(true) => {
                    let took = Duration::from_millis(prove_ms);
                    let _ = events.send(Event::Round { proofs: 1, batches: job.count, took });
                    Event::Proved { job, proof: Ok(proof), job_id: Some(result.id) }
                }
                Ok(false) => Event::Dropped {
                    job,
                    reason: format!(
                        "worker {} returned a proof that does not verify (wrong keys?); not submitted",
                        result.worker
                    ),
                },
                Err(e) => Event::Dropped { job, reason: format!("{e:#}") },
            }
        }
        Outcome::Expired { reason } => {
            Event::Dropped { job, reason: format!("worker {} dropped it: {reason}", result.worker) }
        }
        Outcome::Failed { error } => Event::Dropped {
            job,
            reason: format!("worker {} could not prove it: {error}", result.worker),
        },
        Outcome::Done { .. } => Event::Dropped {
            job,
            reason: format!("worker {} answered a proof job with a task's output", result.worker),
        },
    };
    let _ = events.send(event);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ops::ProveRoute, proof::ProofInput};
    use alloy::primitives::{Address, B256};

    fn job(first: u64) -> (JobId, Prepared) {
        let input = ProofInput {
            chain_id: 31337,
            network: Address::repeat_byte(1),
            prover: Address::repeat_byte(2),
            first_batch_id: first,
            commitments: vec![B256::repeat_byte(3)],
        };
        let id = JobId::of(&input.public_inputs());
        (id, Prepared { route: ProveRoute::Assigned, first, count: 1, input, deadline: 100 })
    }

    fn result(id: &JobId) -> JobResult {
        JobResult {
            id: id.clone(),
            worker: "w".into(),
            delivered: 1,
            queue_wait_us: 0,
            outcome: Outcome::Expired { reason: "test".into() },
        }
    }

    #[test]
    fn a_result_meets_its_job_whichever_comes_first() {
        let mut w = Waiting::default();
        // Job first, then its result (the normal order).
        let (id, p) = job(1);
        assert!(w.hand_out(id.clone(), p).is_none());
        let (p, r) = w.take(result(&id)).expect("the job was waiting");
        assert_eq!((p.first, r.id), (1, id.clone()));
        assert!(w.jobs.is_empty() && w.early.is_empty());
        // Result first (replayed after a restart), then the job handed out again.
        let (id, p) = job(2);
        assert!(w.take(result(&id)).is_none(), "kept for later");
        let (p, _) = w.hand_out(id.clone(), p).expect("the stored result is used");
        assert_eq!(p.first, 2);
        assert!(w.jobs.is_empty() && w.early.is_empty(), "nothing left waiting");
    }

    #[test]
    fn a_cancelled_job_ignores_its_late_result() {
        let mut w = Waiting::default();
        let (id, p) = job(1);
        assert!(w.hand_out(id.clone(), p).is_none());
        w.cancel(&id);
        assert!(w.jobs.is_empty());
        let mut late = result(&id);
        late.outcome = Outcome::Proven { proof: Bytes::from_static(b"late"), prove_ms: 1 };
        assert!(w.take(late).is_none(), "not delivered");
        assert!(w.early.is_empty(), "not kept for a later hand-out either");
        // A sweep cell's result on the same queue is not the agent's business.
        let (other, _) = job(2);
        let mut cell = result(&other);
        cell.outcome = Outcome::Done { output: "summary".into(), run_ms: 1 };
        assert!(w.take(cell).is_none() && w.early.is_empty());
    }
}
