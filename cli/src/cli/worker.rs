//! `provernet worker`: a worker of a fleet. It takes jobs from the NATS JetStream queue: proof jobs
//! the agents (`prover run --queue URL`) fill, which it proves, and the cells of simulation sweeps
//! (`sim sweep --queue URL`), which it runs; it stores each result there.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use alloy::providers::{Provider, ProviderBuilder};
use clap::Args;
use eyre::{Result, eyre};
use provernet_fleet::{
    ChainHead, ProveError, Queue, QueueConfig, Worker, WorkerConfig,
    metrics::{self, MetricsExporter},
};
use tracing::{info, warn};

use super::{GlobalArgs, shutdown_signal};
use crate::{
    fleet::worker_prover,
    ops::deploy::VerifierKind,
    sweep_cells::{SIM_CELL, sim_cell_task},
};

/// Arguments of `worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The job queue: a NATS server with JetStream (`nats-server -js`).
    #[arg(long, value_name = "URL")]
    pub queue: String,
    /// Name recorded in results and logs [default: worker-<pid>].
    #[arg(long)]
    pub name: Option<String>,
    /// The proof system of the network the jobs come from (Groth16 needs the keys: --keys).
    #[arg(long, value_enum, default_value_t = VerifierKind::Groth16)]
    pub proof: VerifierKind,
    /// Follow the chain head at --rpc-url and drop jobs whose deadline has passed instead of
    /// proving them for nothing.
    #[arg(long)]
    pub follow_chain: bool,
    /// Serve Prometheus metrics on this address (e.g. 127.0.0.1:9465, scraped at /metrics).
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Test only: sleep this many milliseconds before every proof and every sweep cell.
    #[arg(long, hide = true, default_value_t = 0)]
    pub prove_delay_ms: u64,
    /// Test only: the queue's redelivery timeout (server-side; every agent and worker of a fleet
    /// must agree).
    #[arg(long, hide = true, value_name = "SECS")]
    pub queue_ack_wait_secs: Option<u64>,
}

/// Starts the metrics endpoint when an address was given (kept alive by the returned handle).
pub(super) fn serve_metrics(addr: Option<SocketAddr>) -> Result<Option<MetricsExporter>> {
    let Some(addr) = addr else { return Ok(None) };
    let exporter = metrics::serve(addr).map_err(|e| crate::exit::input(e.to_string()))?;
    info!(addr = %exporter.addr(), "serving Prometheus metrics at http://{}/metrics", exporter.addr());
    Ok(Some(exporter))
}

/// Connects to the queue at `url`, with a test-only redelivery timeout.
pub(super) async fn connect_queue(url: &str, ack_wait_secs: Option<u64>) -> Result<Queue> {
    let mut cfg = QueueConfig::default();
    if let Some(secs) = ack_wait_secs {
        cfg.ack_wait = Duration::from_secs(secs.max(1));
    }
    Queue::connect_with(url, cfg)
        .await
        .map_err(|e| crate::exit::err(crate::exit::Code::Connection, e.to_string()))
}

pub(super) async fn run(g: &GlobalArgs, a: WorkerArgs) -> Result<()> {
    let _metrics = serve_metrics(a.metrics_addr)?;
    let keys = match a.proof {
        VerifierKind::Groth16 => Some(g.proving().load_keys().await?),
        VerifierKind::InsecureDev => None,
    };
    let mut prover = worker_prover(a.proof.as_str(), keys)?;
    let mut cells = sim_cell_task();
    if a.prove_delay_ms > 0 {
        let delay = Duration::from_millis(a.prove_delay_ms);
        let inner = prover;
        prover = Arc::new(move |job| -> Result<Vec<u8>, ProveError> {
            std::thread::sleep(delay);
            inner(job)
        });
        let inner = cells;
        cells = Arc::new(move |job| -> Result<String, ProveError> {
            std::thread::sleep(delay);
            inner(job)
        });
    }
    let queue = connect_queue(&a.queue, a.queue_ack_wait_secs).await?;
    let name = a.name.unwrap_or_else(|| format!("worker-{}", std::process::id()));
    let mut cfg = WorkerConfig::named(name);
    cfg.poll = Duration::from_secs(1);
    if a.follow_chain {
        cfg.chain_head = Some(follow_head(&g.rpc_url)?);
    }
    info!(worker = %cfg.name, queue = %a.queue, proof = a.proof.as_str(), "worker started");
    Worker::new(queue, prover, cfg).with_task(SIM_CELL, cells).run(shutdown_signal()).await;
    Ok(())
}

/// Keeps the chain head current from `rpc_url` (polled every 500 ms) for the deadline check;
/// while the endpoint fails the head is unknown and only wall-clock cut-offs expire jobs.
fn follow_head(rpc_url: &str) -> Result<ChainHead> {
    let url =
        rpc_url.parse().map_err(|e| eyre!("--rpc-url {rpc_url:?} is not a valid URL: {e}"))?;
    let provider = ProviderBuilder::new().connect_http(url);
    let head = Arc::new(AtomicU64::new(u64::MAX));
    let writer = head.clone();
    tokio::spawn(async move {
        let mut failing = false;
        loop {
            match provider.get_block_number().await {
                Ok(b) => {
                    writer.store(b, Ordering::Relaxed);
                    failing = false;
                }
                Err(e) => {
                    writer.store(u64::MAX, Ordering::Relaxed);
                    if !failing {
                        warn!(error = %e, "cannot read the chain head; expiring jobs by wall clock only");
                    }
                    failing = true;
                }
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    Ok(Arc::new(move || Some(head.load(Ordering::Relaxed)).filter(|&b| b != u64::MAX)))
}
