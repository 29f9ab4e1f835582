//! Proving fleets for provernet: proof jobs spread over many machines through a NATS JetStream
//! work queue, and the Prometheus metrics an operator watches.
//!
//! The agent turns each assignment (or run of assignments, split by `provernet_zk::plan_proofs`)
//! into a [`ProofJob`] and [`Queue::enqueue`]s it; any number of [`Worker`]s take jobs, prove them
//! ([`prove_job`]) and store a [`JobResult`] under the job's id; the agent reads results
//! ([`Queue::results`] / [`Queue::wait_result`]), checks and submits the proof, then
//! [`Queue::forget`]s it. See docs/proving.md, "Proving over a job queue".
//!
//! The same queue carries [`TaskJob`]s, jobs of other kinds that a worker runs with the handler
//! it registered for the kind ([`Worker::with_task`]): `provernet sim sweep --queue URL` spreads
//! the cells of a simulation sweep over the fleet's workers this way.
//!
//! ```no_run
//! # async fn demo(keys: std::sync::Arc<provernet_zk::KeySet>) -> Result<(), provernet_fleet::FleetError> {
//! use provernet_fleet::{Queue, Worker, WorkerConfig, zk_prover};
//! let queue = Queue::connect("nats://127.0.0.1:4222").await?;
//! let (_stop, shutdown) = tokio::sync::watch::channel(false);
//! let stats = Worker::new(queue, zk_prover(keys), WorkerConfig::named("w1")).run(shutdown).await;
//! # let _ = stats; Ok(()) }
//! ```

mod error;
mod job;
pub mod metrics;
mod prove;
mod queue;
mod server;
mod task;
mod worker;

pub use error::FleetError;
pub use job::{Deadline, JobId, JobResult, Outcome, ProofJob, QueueDepth};
pub use prove::{prove_job, zk_prover};
pub use queue::{EnqueueStatus, Queue, QueueConfig};
pub use server::{NatsServer, SERVER_ENV, server_binary_from_env};
pub use task::{Job, TaskFn, TaskJob};
pub use worker::{ChainHead, ProveError, ProverFn, Worker, WorkerConfig, WorkerStats};
