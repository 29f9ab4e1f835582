//! The provernet side of a proving fleet (`provernet-fleet`): the prover function a queue worker
//! runs for a deployment's proof system, and the in-process fleet `devnet --workers N` starts (its
//! own `nats-server`, N workers, agents proving over the queue).

use std::{path::Path, sync::Arc, time::Duration};

use eyre::{Result, eyre};
use provernet_fleet::{
    NatsServer, ProverFn, Queue, Worker, WorkerConfig, server_binary_from_env, zk_prover,
};
use provernet_zk::KeySet;
use tokio::{sync::watch, task::JoinHandle};

use crate::proof::{InsecureDevProof, ProofInput};

/// The prover function of a worker for the proof system `kind` (`groth16` needs `keys`).
pub fn worker_prover(kind: &str, keys: Option<Arc<KeySet>>) -> Result<ProverFn> {
    match (kind, keys) {
        ("groth16", Some(keys)) => Ok(zk_prover(keys)),
        ("groth16", None) => Err(eyre!("a Groth16 worker needs the proving keys (--keys)")),
        ("insecure-dev", _) => Ok(Arc::new(|job| {
            Ok(InsecureDevProof::prove_one(&ProofInput::from_public(&job.inputs)).to_vec())
        })),
        (other, _) => Err(eyre!(
            "workers cannot prove for the verifier kind {other:?} (known: groth16, insecure-dev)"
        )),
    }
}

/// A queue server and workers running beside a devnet; the server stops when this is dropped.
pub struct LocalFleet {
    server: NatsServer,
    workers: Vec<JoinHandle<provernet_fleet::WorkerStats>>,
}

impl std::fmt::Debug for LocalFleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalFleet")
            .field("url", &self.server.url())
            .field("workers", &self.workers.len())
            .finish()
    }
}

impl LocalFleet {
    /// Starts `nats-server` (the binary `make queue-server` installs, named by
    /// `PROVERNET_NATS_SERVER`) with its store under `dir`, and `workers` workers proving with
    /// `prover`, stopping on `stop`.
    pub async fn start(
        dir: &Path,
        workers: usize,
        prover: ProverFn,
        stop: &watch::Receiver<bool>,
    ) -> Result<Self> {
        let binary = server_binary_from_env().map_err(|e| eyre!("{e}"))?;
        std::fs::create_dir_all(dir)?;
        let server = NatsServer::start(&binary, dir).map_err(|e| eyre!("{e}"))?;
        let mut handles = Vec::new();
        for i in 0..workers {
            let queue = Queue::connect(&server.url()).await.map_err(|e| eyre!("{e}"))?;
            let mut cfg = WorkerConfig::named(format!("w{}", i + 1));
            cfg.poll = Duration::from_secs(1);
            handles.push(tokio::spawn(Worker::new(queue, prover.clone(), cfg).run(stop.clone())));
        }
        Ok(Self { server, workers: handles })
    }

    /// The queue's URL.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Waits (bounded) for the workers to stop, then stops the server.
    pub async fn stop(self, grace: Duration) {
        for w in self.workers {
            let _ = tokio::time::timeout(grace, w).await;
        }
    }
}
