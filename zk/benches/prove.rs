//! Proving-time figures for docs/proving.md: key setup, one proof per batch count, and four
//! one-batch proofs sequentially versus in parallel (`KeySet::prove_many`).
//!
//! Run: `cargo bench -p provernet-zk --bench prove` (set `PROVERNET_BENCH_RUNS`, default 5).
//! Prints medians of wall-clock time and of process CPU time (user + system, all threads, from
//! /proc/self/stat). CPU time is the figure to compare across machines and loads: wall time on a
//! shared machine depends on what else runs, CPU time much less.

use alloy_primitives::Address;
use provernet_zk::{
    CIRCUIT_SIZES, KeySet, ProofRequest, PublicInputs, batch_commitment, dev_ceremony_seed,
};
use std::time::{Duration, Instant};

fn request(first_batch_id: u64, count: usize) -> ProofRequest {
    // Full-size batches: the circuit cost does not depend on the length, but the native hashing does.
    let batches: Vec<Vec<u8>> = (0..count as u64)
        .map(|i| {
            let mut data = vec![0u8; provernet_zk::MAX_BATCH_BYTES];
            data[..8].copy_from_slice(&(first_batch_id + i).to_be_bytes());
            data
        })
        .collect();
    let commitments = batches.iter().map(|d| batch_commitment(d).expect("fits")).collect();
    ProofRequest {
        inputs: PublicInputs {
            chain_id: 31337,
            network: Address::repeat_byte(0x11),
            prover: Address::repeat_byte(0x22),
            first_batch_id,
            commitments,
        },
        batches,
    }
}

/// User + system CPU time of this process so far, all threads (Linux clock ticks, 100 per second).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 overall.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    // rest[0] is field 3 (state), so utime (14) and stime (15) are rest[11] and rest[12].
    let ticks = field(11) + field(12);
    Duration::from_millis(ticks * 10)
}

/// Runs `f` `runs` times; medians of (wall, cpu).
fn measure(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut wall = Vec::with_capacity(runs);
    let mut cpu = Vec::with_capacity(runs);
    for _ in 0..runs {
        let (w0, c0) = (Instant::now(), cpu_time());
        f();
        wall.push(w0.elapsed());
        cpu.push(cpu_time().saturating_sub(c0));
    }
    wall.sort();
    cpu.sort();
    (wall[runs / 2], cpu[runs / 2])
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn row(step: &str, batches: usize, (wall, cpu): (Duration, Duration)) {
    let n = batches as u32;
    println!(
        "| {step} | {batches} | {} | {} | {} | {} |",
        ms(wall),
        ms(wall / n),
        ms(cpu),
        ms(cpu / n)
    );
}

fn main() {
    let runs: usize =
        std::env::var("PROVERNET_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5).max(1);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average at start (other work on the machine skews wall time): {}", load.trim());
    println!(
        "threads: {} (rayon), available cores: {}, runs per figure: {runs}",
        rayon::current_num_threads(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );

    println!(
        "\n| step | batches | wall (median) | wall per batch | CPU (median) | CPU per batch |\n\
         |---|---:|---:|---:|---:|---:|"
    );
    for &count in CIRCUIT_SIZES {
        let figure = measure(1, || {
            KeySet::dev_setup_counts(dev_ceremony_seed(), &[count]).expect("setup");
        });
        row("key setup (once)", count, figure);
    }
    let keys = KeySet::dev_setup(dev_ceremony_seed()).expect("setup");
    let dir = std::env::temp_dir().join(format!("provernet-zk-bench-keys-{}", std::process::id()));
    keys.save(&dir).expect("save keys");
    let size: u64 = std::fs::read_dir(&dir)
        .expect("key dir")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    let (load_wall, _) = measure(1, || drop(KeySet::load(&dir).expect("load keys")));
    std::fs::remove_dir_all(&dir).ok();

    // Warm-up: the first proof also starts rayon's pool and builds the Poseidon parameters.
    keys.prove(&request(1, 1)).expect("prove");
    for &count in CIRCUIT_SIZES {
        let req = request(1, count);
        row("one proof", count, measure(runs, || drop(keys.prove(&req).expect("prove"))));
    }

    let singles: Vec<ProofRequest> = (0..4).map(|i| request(1 + i, 1)).collect();
    let sequential = measure(runs, || {
        for r in &singles {
            keys.prove(r).expect("prove");
        }
    });
    row("4 one-batch proofs, one after another", 4, sequential);
    let parallel = measure(runs, || {
        for r in keys.prove_many(&singles) {
            r.expect("prove");
        }
    });
    row("4 one-batch proofs, prove_many (parallel)", 4, parallel);

    let req = request(1, 4);
    let proof = keys.prove(&req).expect("prove");
    let (wall, _) =
        measure(runs.max(20), || assert!(keys.verify(&req.inputs, &proof).expect("verify")));
    println!("\nverify in Rust (4 batches): {:.1} ms", wall.as_secs_f64() * 1e3);
    println!(
        "key directory for {CIRCUIT_SIZES:?}: {:.1} MB, KeySet::load: {}",
        size as f64 / 1e6,
        ms(load_wall)
    );
}
