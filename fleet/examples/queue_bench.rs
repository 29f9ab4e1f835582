//! Benchmark of proving over the job queue: proofs per minute with 1 and 2 worker processes, the
//! scaling ratio, and the queue's overhead per job (enqueue to the worker starting to prove).
//!
//! Run (docs/proving.md quotes its output): `make bench-queue`, i.e.
//! `PROVERNET_NATS_SERVER=.venv-nats/bin/nats-server cargo run -p provernet-fleet --example queue_bench -- [JOBS]`
//!
//! Each worker is a separate OS process (this binary re-run as `queue_bench worker URL NAME`)
//! proving real 1-batch Groth16 proofs with the dev keys; every proof is verified here. The dev
//! profile is fine for the figures: provernet-zk and arkworks are built with opt-level 3 in it
//! (root Cargo.toml), and only the queue client runs unoptimised.

use provernet_fleet::{
    Deadline, JobResult, NatsServer, Outcome, ProofJob, Queue, Worker, WorkerConfig,
    server_binary_from_env, zk_prover,
};
use provernet_zk::{KeySet, PublicInputs, batch_commitment, dev_ceremony_seed};
use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn keys() -> KeySet {
    KeySet::dev_setup_counts(dev_ceremony_seed(), &[1]).expect("dev setup of the 1-batch circuit")
}

fn bench_job(id: u64) -> ProofJob {
    let data = format!("benchmark batch {id}").into_bytes();
    let inputs = PublicInputs {
        chain_id: 31337,
        network: alloy_primitives::Address::repeat_byte(0x11),
        prover: alloy_primitives::Address::repeat_byte(0x22),
        first_batch_id: id,
        commitments: vec![batch_commitment(&data).expect("commits")],
    };
    ProofJob::new(inputs, vec![data], Deadline { block: u64::MAX, unix_ms: None })
}

/// Worker process: prove until killed. Prints "ready" once keys and queue are set up.
async fn worker(url: &str, name: &str) -> BenchResult<()> {
    let keys = Arc::new(keys());
    let queue = Queue::connect(url).await?;
    println!("ready");
    let (_stop, shutdown) = tokio::sync::watch::channel(false);
    let cfg = WorkerConfig { poll: Duration::from_secs(1), ..WorkerConfig::named(name) };
    Worker::new(queue, zk_prover(keys), cfg).run(shutdown).await;
    Ok(())
}

struct Fleet(Vec<Child>);

impl Fleet {
    fn start(url: &str, n: usize) -> BenchResult<Self> {
        let exe = std::env::current_exe()?;
        let mut children = Vec::new();
        for i in 0..n {
            let mut child = Command::new(&exe)
                .args(["worker", url, &format!("w{i}")])
                .stdout(Stdio::piped())
                .spawn()?;
            let mut line = String::new();
            BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
            assert_eq!(line.trim(), "ready", "worker {i} did not start");
            children.push(child);
        }
        Ok(Self(children))
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn proof(r: &JobResult) -> &[u8] {
    match &r.outcome {
        Outcome::Proven { proof, .. } => proof,
        other => panic!("job {} not proven: {other:?}", r.id),
    }
}

/// Proofs per minute with `workers` processes over `jobs` jobs queued at once.
async fn throughput(keys: &KeySet, workers: usize, jobs: u64) -> BenchResult<f64> {
    let store = tempfile::tempdir()?;
    let server = NatsServer::start(&server_binary_from_env()?, store.path())?;
    let queue = Queue::connect(&server.url()).await?;
    let _fleet = Fleet::start(&server.url(), workers)?;
    let start = Instant::now();
    let mut ids = Vec::new();
    for id in 1..=jobs {
        ids.push((queue.enqueue(bench_job(id)).await?.0, id));
    }
    for (job_id, id) in &ids {
        let r = queue.wait_result(job_id, Duration::from_secs(600)).await?.expect("a result");
        assert!(keys.verify(&bench_job(*id).inputs, proof(&r))?, "proof {id} verifies");
    }
    Ok(jobs as f64 / start.elapsed().as_secs_f64() * 60.0)
}

/// Enqueue-to-proving times (ms) of `jobs` jobs sent one at a time to one idle worker.
async fn overhead(jobs: u64) -> BenchResult<Vec<f64>> {
    let store = tempfile::tempdir()?;
    let server = NatsServer::start(&server_binary_from_env()?, store.path())?;
    let queue = Queue::connect(&server.url()).await?;
    let _fleet = Fleet::start(&server.url(), 1)?;
    let mut waits = Vec::new();
    for id in 1..=jobs {
        let (job_id, _) = queue.enqueue(bench_job(id)).await?;
        let r = queue.wait_result(&job_id, Duration::from_secs(600)).await?.expect("a result");
        proof(&r);
        waits.push(r.queue_wait_us as f64 / 1000.0);
    }
    waits.sort_by(f64::total_cmp);
    Ok(waits)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("worker") {
        return worker(&args[2], &args[3]).await;
    }
    let jobs: u64 = args.get(1).map_or(Ok(40), |a| a.parse())?;
    let keys = keys();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("{} cores, load average at start: {}", num_cpus(), load.trim());
    let one = throughput(&keys, 1, jobs).await?;
    let two = throughput(&keys, 2, jobs).await?;
    let waits = overhead(jobs).await?;
    println!();
    println!("| workers (processes) | jobs (1-batch Groth16) | proofs per minute |");
    println!("|---:|---:|---:|");
    println!("| 1 | {jobs} | {one:.1} |");
    println!("| 2 | {jobs} | {two:.1} |");
    println!();
    println!("scaling ratio (2 workers / 1 worker): {:.2}", two / one);
    println!(
        "queue overhead, enqueue to start of proving ({} jobs one at a time, idle worker): \
         median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        waits.len(),
        percentile(&waits, 50.0),
        percentile(&waits, 99.0),
        waits[waits.len() - 1]
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average at end: {}", load.trim());
    Ok(())
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
