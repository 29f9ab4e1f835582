//! `provernet sim sweep --queue URL`: the cells of a sweep spread over `provernet worker`
//! processes through the real queue server, one worker killed mid-cell, and the outputs
//! byte-identical to the same sweep run locally.

use std::{collections::BTreeMap, path::Path};

use provernet_fleet::{Queue, QueueConfig};

use crate::common::*;

/// The sweep: the tiny scenario at 30 batches, two prover counts, two seeds (four cells).
const GRID: &str = "seeds = [1, 2]\nset = { \"duration.batches\" = 30 }\n\
                    [[axis]]\nkey = \"provers.count\"\nvalues = [6, 12]\n";

fn scenario() -> String {
    format!("{}/../scenarios/tiny.toml", env!("CARGO_MANIFEST_DIR"))
}

fn sweep(grid: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["sim", "sweep", "--reproducible", "--scenario", &scenario()])
        .arg("--grid")
        .arg(grid)
        .arg("--out")
        .arg(out)
        .args(extra);
    cmd
}

/// A `provernet worker` process (killed on drop, its log printed if the test fails).
fn worker(dir: &Path, url: &str, name: &str, delay_ms: u64) -> AgentProc {
    let path = dir.join(format!("{name}.log"));
    let log = std::fs::File::create(&path).unwrap();
    let delay = delay_ms.to_string();
    let child = Command::new(BIN)
        .env("RUST_LOG", "info")
        .args(["worker", "--queue", url, "--name", name, "--proof", "insecure-dev"])
        .args(["--prove-delay-ms", &delay, "--queue-ack-wait-secs", "2"])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("worker starts");
    AgentProc(child, path)
}

fn log_of(p: &AgentProc) -> String {
    strip_ansi(&std::fs::read_to_string(&p.1).unwrap_or_default())
}

/// Every file under `dir` (relative path -> bytes).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_over_the_queue_writes_the_local_sweeps_files_despite_a_killed_worker() {
    let dir = tempfile::tempdir().unwrap();
    let grid = dir.path().join("grid.toml");
    std::fs::write(&grid, GRID).unwrap();
    let local = dir.path().join("local");
    let status = sweep(&grid, &local, &["--jobs", "2"]).status().unwrap();
    assert!(status.success(), "the local sweep runs");

    let server = start_queue_server(&dir.path().join("nats"));
    let url = server.url();
    let queued = dir.path().join("queued");
    let sweep_log = dir.path().join("sweep.log");
    let mut queued_sweep = AgentProc(
        sweep(&grid, &queued, &["--queue", &url])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&sweep_log).unwrap())
            .spawn()
            .unwrap(),
        sweep_log,
    );
    // Workers connect after the sweep has queued its cells, so their 2 s redelivery timeout is
    // the one in force (the last connection sets it).
    wait_for("the four cells queued", Duration::from_secs(60), || {
        let url = url.clone();
        async move {
            let cfg = QueueConfig { ack_wait: Duration::from_secs(2), ..QueueConfig::default() };
            match Queue::connect_with(&url, cfg).await {
                Ok(q) => q.depth().await.is_ok_and(|d| d.queued == 4),
                Err(_) => false,
            }
        }
    })
    .await;
    // The first worker takes a cell and would hold it for ten minutes: it is killed mid-cell.
    let mut slow = worker(dir.path(), &url, "slow", 600_000);
    wait_for("the slow worker to take a cell", Duration::from_secs(60), || async {
        log_of(&slow).contains("running a task")
    })
    .await;
    slow.kill();
    let (w1, w2) = (worker(dir.path(), &url, "w1", 0), worker(dir.path(), &url, "w2", 0));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = queued_sweep.0.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the sweep did not finish");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "the sweep over the queue succeeds: {}", log_of(&queued_sweep));

    let (l1, l2) = (log_of(&w1), log_of(&w2));
    assert_eq!(
        l1.matches("running a task").count() + l2.matches("running a task").count(),
        4,
        "three fresh cells and the killed worker's one:\n{l1}\n{l2}"
    );
    assert!(
        l1.contains("delivered=2") || l2.contains("delivered=2"),
        "the killed worker's cell was redelivered:\n{l1}\n{l2}"
    );
    let (want, got) = (files(&local), files(&queued));
    assert_eq!(want.keys().collect::<Vec<_>>(), got.keys().collect::<Vec<_>>());
    assert!(want.contains_key("table.csv") && want.contains_key("sweep.png"));
    assert!(want.contains_key("runs/003.json"), "one summary per cell");
    for (name, bytes) in &want {
        assert!(&got[name] == bytes, "{name} differs between the local and the queued sweep");
    }

    // The summaries stay in the queue: the same sweep again needs no worker at all.
    drop((w1, w2));
    let again = dir.path().join("again");
    let status = sweep(&grid, &again, &["--queue", &url]).stderr(Stdio::null()).status().unwrap();
    assert!(status.success(), "the rerun finds every cell done");
    assert!(files(&again) == want, "the rerun writes the same files");
}
