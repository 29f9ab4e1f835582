//! The job queue on NATS JetStream: a work-queue stream of proof jobs, one durable pull consumer
//! shared by every worker, and a key-value bucket of results keyed by job id.
//!
//! Why these pieces give the guarantees the agent needs:
//! - **A dying worker loses nothing.** The consumer acks explicitly; a job not acked within
//!   `ack_wait` is redelivered to another worker (at most `max_deliver` deliveries). Workers
//!   extend the deadline while proving with progress acks (see [`crate::worker`]).
//! - **Re-enqueueing is harmless.** Each job is published with `Nats-Msg-Id` = its [`JobId`], so
//!   the stream drops a duplicate within `duplicate_window`; [`Queue::enqueue`] also skips a job
//!   whose result is already stored, which covers re-enqueueing after the window.
//! - **A duplicate result is harmless.** Results are written with a create-if-absent, so the first
//!   result of a job stays and a second (a redelivered job finished twice) is ignored.
//! - **Restarts resume.** Stream, consumer and bucket are file-backed on the server: after an
//!   agent restart [`Queue::results`] replays every stored result, and pending jobs survive a
//!   server restart.

use crate::{
    error::{FleetError, queue_err},
    job::{JobId, JobResult, Outcome, ProofJob, QueueDepth, unix_us},
    metrics,
    task::{Job, TaskJob},
};
use async_nats::jetstream::{
    self, Context,
    consumer::{AckPolicy, PullConsumer, pull},
    kv::{self, CreateErrorKind, Operation},
    message::PublishMessage,
    stream::{self, RetentionPolicy, StorageType},
};
use futures_util::{Stream, StreamExt};
use std::time::Duration;

/// Names and timings of the queue's server-side objects. Every agent and worker of one fleet must
/// use the same names; `ack_wait`, `max_deliver` and the windows are applied by whoever connects
/// last (they are server-side settings, updated in place).
#[derive(Clone, Debug)]
pub struct QueueConfig {
    /// Work-queue stream holding the jobs.
    pub stream: String,
    /// Subject the jobs are published on.
    pub subject: String,
    /// Durable pull consumer shared by all workers.
    pub consumer: String,
    /// Key-value bucket of results.
    pub results_bucket: String,
    /// How long a delivered job may go without an ack or progress report before it is redelivered.
    pub ack_wait: Duration,
    /// Deliveries per job before the server gives up on it.
    pub max_deliver: i64,
    /// How long the stream remembers message ids to drop duplicates.
    pub duplicate_window: Duration,
    /// How long results are kept (the agent forgets them after submitting anyway).
    pub results_max_age: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            stream: "PROVERNET_JOBS".into(),
            subject: "provernet.jobs".into(),
            consumer: "provernet-workers".into(),
            results_bucket: "PROVERNET_RESULTS".into(),
            // A Groth16 proof of 8 batches takes seconds; workers report progress every third of
            // this, so 30 s only bounds how long a dead worker holds a job.
            ack_wait: Duration::from_secs(30),
            max_deliver: 5,
            // Longer than any proof window, so an agent restarting within it never re-queues.
            duplicate_window: Duration::from_secs(3600),
            results_max_age: Duration::from_secs(24 * 3600),
        }
    }
}

/// What [`Queue::enqueue`] did with a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnqueueStatus {
    /// Newly queued.
    Queued,
    /// The stream already held (or recently held) this job id: nothing new was queued.
    Duplicate,
    /// A result for this job is already stored: nothing was queued.
    Finished,
}

/// A connection to the job queue; cheap to clone (one client underneath).
#[derive(Clone, Debug)]
pub struct Queue {
    js: Context,
    cfg: QueueConfig,
    consumer: PullConsumer,
    results: kv::Store,
}

impl Queue {
    /// Connects to the NATS server at `url` with the default names and timings.
    pub async fn connect(url: &str) -> Result<Self, FleetError> {
        Self::connect_with(url, QueueConfig::default()).await
    }

    /// Connects and creates (or updates) the stream, consumer and results bucket.
    pub async fn connect_with(url: &str, cfg: QueueConfig) -> Result<Self, FleetError> {
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|e| FleetError::Connect { url: url.to_owned(), reason: e.to_string() })?;
        let js = jetstream::new(client);
        js.create_or_update_stream(stream::Config {
            name: cfg.stream.clone(),
            subjects: vec![cfg.subject.clone()],
            retention: RetentionPolicy::WorkQueue,
            storage: StorageType::File,
            duplicate_window: cfg.duplicate_window,
            ..Default::default()
        })
        .await
        .map_err(|e| queue_err(format!("creating the job stream {}", cfg.stream), e))?;
        let consumer = js
            .create_consumer_on_stream(
                pull::Config {
                    durable_name: Some(cfg.consumer.clone()),
                    ack_policy: AckPolicy::Explicit,
                    ack_wait: cfg.ack_wait,
                    max_deliver: cfg.max_deliver,
                    ..Default::default()
                },
                &cfg.stream,
            )
            .await
            .map_err(|e| queue_err(format!("creating the worker consumer {}", cfg.consumer), e))?;
        let results = js
            .create_or_update_key_value(kv::Config {
                bucket: cfg.results_bucket.clone(),
                history: 1,
                max_age: cfg.results_max_age,
                storage: StorageType::File,
                ..Default::default()
            })
            .await
            .map_err(|e| {
                queue_err(format!("creating the results bucket {}", cfg.results_bucket), e)
            })?;
        Ok(Self { js, cfg, consumer, results })
    }

    /// The names and timings in use.
    pub fn config(&self) -> &QueueConfig {
        &self.cfg
    }

    /// Queues `job` unless it is already queued or finished; stamps its enqueue time.
    pub async fn enqueue(&self, mut job: ProofJob) -> Result<(JobId, EnqueueStatus), FleetError> {
        let id = job.id();
        if self.result(&id).await?.is_some() {
            return Ok((id, EnqueueStatus::Finished));
        }
        job.enqueued_unix_us = unix_us();
        let status = self.publish(&id, &Job::Proof(job)).await?;
        Ok((id, status))
    }

    /// Queues the task `job` unless it is already queued or finished; stamps its enqueue time.
    /// Same semantics as [`Queue::enqueue`]: any worker with a handler for its kind takes it.
    pub async fn enqueue_task(
        &self,
        mut job: TaskJob,
    ) -> Result<(JobId, EnqueueStatus), FleetError> {
        let id = job.id();
        if self.result(&id).await?.is_some() {
            return Ok((id, EnqueueStatus::Finished));
        }
        job.enqueued_unix_us = unix_us();
        let status = self.publish(&id, &Job::Task(job)).await?;
        Ok((id, status))
    }

    async fn publish(&self, id: &JobId, job: &Job) -> Result<EnqueueStatus, FleetError> {
        let payload = serde_json::to_vec(job).expect("a job serializes");
        let ack = self
            .js
            .send_publish(
                self.cfg.subject.clone(),
                PublishMessage::build().payload(payload.into()).message_id(id.as_str()),
            )
            .await
            .map_err(|e| queue_err(format!("publishing job {id}"), e))?
            .await
            .map_err(|e| queue_err(format!("confirming job {id}"), e))?;
        Ok(if ack.duplicate {
            EnqueueStatus::Duplicate
        } else {
            metrics::job_enqueued();
            EnqueueStatus::Queued
        })
    }

    /// Gives up on job `id` (its proof can no longer land in time): stores an
    /// [`Outcome::Expired`] result for it unless it already has a result. A worker that takes the
    /// job afterwards finds the result and skips it instead of proving for nothing; a worker
    /// already proving it finishes, and its result is dropped as a duplicate. Returns whether the
    /// cancellation was stored (`false`: a result came first).
    pub async fn cancel(&self, id: &JobId, by: &str, reason: String) -> Result<bool, FleetError> {
        let result = JobResult {
            id: id.clone(),
            worker: by.to_owned(),
            delivered: 0,
            queue_wait_us: 0,
            outcome: Outcome::Expired { reason },
        };
        self.record_result(&result).await
    }

    /// Stores `result` unless the job already has one. Returns whether it was stored: `false`
    /// means a result came first (a redelivered job finished twice) and this one was dropped.
    pub async fn record_result(&self, result: &JobResult) -> Result<bool, FleetError> {
        let value = serde_json::to_vec(result).expect("a result serializes");
        match self.results.create(result.id.as_str(), value.into()).await {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == CreateErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(queue_err(format!("storing the result of job {}", result.id), e)),
        }
    }

    /// The stored result of `id`, if any.
    pub async fn result(&self, id: &JobId) -> Result<Option<JobResult>, FleetError> {
        let value = self
            .results
            .get(id.as_str())
            .await
            .map_err(|e| queue_err(format!("reading the result of job {id}"), e))?;
        value.map(|v| decode_result(id.as_str(), &v)).transpose()
    }

    /// Waits up to `timeout` for the result of `id` (returns at once if it is already stored).
    pub async fn wait_result(
        &self,
        id: &JobId,
        timeout: Duration,
    ) -> Result<Option<JobResult>, FleetError> {
        let mut watch = self
            .results
            .watch_with_history(id.as_str())
            .await
            .map_err(|e| queue_err(format!("watching the result of job {id}"), e))?;
        let wait = async {
            while let Some(entry) = watch.next().await {
                let entry =
                    entry.map_err(|e| queue_err(format!("watching the result of job {id}"), e))?;
                if entry.operation == Operation::Put {
                    return decode_result(&entry.key, &entry.value).map(Some);
                }
            }
            Ok(None)
        };
        tokio::time::timeout(timeout, wait).await.unwrap_or(Ok(None))
    }

    /// Every stored result, then each new one as it arrives: the agent's feed. After a restart
    /// it replays the results that arrived while the agent was down.
    pub async fn results(
        &self,
    ) -> Result<impl Stream<Item = Result<JobResult, FleetError>> + use<>, FleetError> {
        let watch = self
            .results
            .watch_with_history(">")
            .await
            .map_err(|e| queue_err("watching the results bucket", e))?;
        Ok(watch.filter_map(|entry| async move {
            match entry {
                Ok(e) if e.operation == Operation::Put => Some(decode_result(&e.key, &e.value)),
                Ok(_) => None,
                Err(e) => Some(Err(queue_err("watching the results bucket", e))),
            }
        }))
    }

    /// Deletes the result of `id` (after the agent submitted the proof, so the bucket stays small).
    pub async fn forget(&self, id: &JobId) -> Result<(), FleetError> {
        self.results
            .purge(id.as_str())
            .await
            .map_err(|e| queue_err(format!("deleting the result of job {id}"), e))
    }

    /// The consumer's occupancy now; also sets the queue gauges of [`crate::metrics`].
    pub async fn depth(&self) -> Result<QueueDepth, FleetError> {
        let info =
            self.consumer.get_info().await.map_err(|e| queue_err("reading the queue depth", e))?;
        let depth = QueueDepth {
            queued: info.num_pending,
            in_flight: info.num_ack_pending as u64,
            redelivered: info.num_redelivered as u64,
        };
        metrics::queue_depth(&depth);
        Ok(depth)
    }

    /// The shared worker consumer.
    pub(crate) fn consumer(&self) -> &PullConsumer {
        &self.consumer
    }
}

/// Decodes a stored result.
fn decode_result(key: &str, value: &[u8]) -> Result<JobResult, FleetError> {
    serde_json::from_slice(value).map_err(|e| FleetError::BadMessage {
        what: format!("the stored result {key}"),
        reason: e.to_string(),
    })
}
