//! Speed of the harness against raw revm and Foundry's invariant runner, in one run.
//!
//! `cargo bench -p provernet-harness --bench speed` (env: PROVERNET_BENCH_ACTIONS, default 200000;
//! PROVERNET_BENCH_FORGE_RUNS / _DEPTH, default 64 / 500; PROVERNET_BENCH_SKIP_FORGE=1 to skip forge).
//!
//! 1. harness: a seeded campaign with every invariant checked after every action;
//! 2. raw: the same transactions (same sender, block, calldata) executed on a fresh copy of the
//!    same chain by revm alone: no model, no checks, no generator;
//! 3. forge: `forge test` on the Foundry invariant suite (test/invariant, a handler per actor role),
//!    total handler calls over all invariant campaigns divided by the suite's wall time.

use std::process::Command;
use std::time::{Duration, Instant};

use alloy::primitives::{Address, Bytes};
use eyre::{Result, WrapErr, bail};
use provernet_harness::campaign::{self, Settings};
use provernet_harness::chain::{Genesis, Suite};
use provernet_harness::generator::Generator;
use provernet_harness::mutants::repo_root;
use provernet_harness::world::World;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() -> Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass test filters: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return Ok(());
    }
    let actions = env_u64("PROVERNET_BENCH_ACTIONS", 200_000);
    let settings = Settings {
        seed: 1,
        actions,
        provers: 12,
        suite: Suite::real(),
        genesis: Genesis::default(),
        shrink_budget: Duration::from_secs(0),
    };

    let rounds = env_u64("PROVERNET_BENCH_ROUNDS", 3);

    // Record the transactions of the same campaign (same seed, so the same actions).
    let genesis = World::new(&settings.suite, &settings.genesis, settings.provers)?;
    let mut w = genesis.clone();
    let mut generator = Generator::new(settings.seed);
    let mut txs: Vec<(u64, Address, Bytes)> = Vec::with_capacity(actions as usize);
    for _ in 0..actions {
        let action = generator.next(&w);
        let block = action.block.max(w.chain.block());
        w.chain.set_block(block);
        let from = w.actors[action.actor as usize].addr;
        txs.push((action.block, from, w.calldata(&action)));
        if let Err(v) = w.step(&action)? {
            bail!("recording run diverged: {v}");
        }
    }

    // Interleave the two measurements and keep the best of each: the machine is shared, and the
    // best round is the one least disturbed by other processes.
    let (mut harness_best, mut raw_best) = (Duration::MAX, Duration::MAX);
    let mut reverted = 0u64;
    for _ in 0..rounds {
        // 1. The harness, exactly as `provernet fuzz` runs it.
        let outcome = campaign::run(&settings, |_| {})?;
        if let Some(f) = &outcome.failure {
            bail!("the campaign found a violation; fix it before benchmarking: {}", f.violation);
        }
        harness_best = harness_best.min(outcome.elapsed);

        // 2. Raw revm on the same transactions.
        let mut chain = genesis.chain.clone();
        let network = chain.addrs.network;
        reverted = 0;
        let start = Instant::now();
        for (block, from, data) in &txs {
            if *block > chain.block() {
                chain.set_block(*block);
            }
            if !chain.exec_raw(*from, network, data.clone())?.success() {
                reverted += 1;
            }
        }
        raw_best = raw_best.min(start.elapsed());
    }
    let harness_rate = actions as f64 / harness_best.as_secs_f64();
    let raw_rate = txs.len() as f64 / raw_best.as_secs_f64();

    println!(
        "harness: {actions} actions in {:.2} s = {harness_rate:.0} actions/s (every invariant after every action; best of {rounds})",
        harness_best.as_secs_f64()
    );
    println!(
        "raw revm: {} transactions in {:.2} s = {raw_rate:.0} tx/s ({reverted} reverted, as in the campaign; best of {rounds})",
        txs.len(),
        raw_best.as_secs_f64()
    );
    println!("harness / raw = {:.0}%", 100.0 * harness_rate / raw_rate);

    // 3. Foundry's invariant runner on the handler suite.
    if std::env::var_os("PROVERNET_BENCH_SKIP_FORGE").is_none() {
        let (calls, secs) = forge_invariant(
            env_u64("PROVERNET_BENCH_FORGE_RUNS", 64),
            env_u64("PROVERNET_BENCH_FORGE_DEPTH", 500),
        )?;
        let forge_rate = calls as f64 / secs;
        println!("forge: {calls} invariant calls in {secs:.2} s = {forge_rate:.0} calls/s");
        println!("harness / forge = {:.1}x", harness_rate / forge_rate);
    }
    Ok(())
}

/// Runs the Foundry invariant suite; returns (total handler calls, suite wall time in seconds).
fn forge_invariant(runs: u64, depth: u64) -> Result<(u64, f64)> {
    let root = repo_root();
    let forge = root.join("node_modules/@foundry-rs/forge-linux-amd64/bin/forge");
    // Compile first so the timed part is the fuzzing alone.
    let built = Command::new(&forge)
        .arg("build")
        .current_dir(&root)
        .output()
        .wrap_err("while running forge build")?;
    if !built.status.success() {
        bail!("forge build failed: {}", String::from_utf8_lossy(&built.stderr));
    }
    let out = Command::new(&forge)
        .args(["test", "--match-path", "test/invariant/*", "--match-test", "invariant_", "--json"])
        .env("FOUNDRY_INVARIANT_RUNS", runs.to_string())
        .env("FOUNDRY_INVARIANT_DEPTH", depth.to_string())
        .current_dir(&root)
        .output()
        .wrap_err("while running forge test")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(text.trim()).wrap_err_with(|| {
        format!("forge test --json printed something else: {}", &text[..text.len().min(400)])
    })?;
    let mut calls = 0;
    let mut secs = 0.0;
    for suite in json.as_object().into_iter().flat_map(|o| o.values()) {
        secs += parse_duration(suite["duration"].as_str().unwrap_or_default());
        for t in suite["test_results"].as_object().into_iter().flat_map(|o| o.values()) {
            calls += t["kind"]["Invariant"]["calls"].as_u64().unwrap_or(0);
        }
    }
    if calls == 0 || secs == 0.0 {
        bail!("forge ran no invariant calls");
    }
    Ok((calls, secs))
}

/// Parses forge's "1s 822ms 9µs 436ns" durations.
fn parse_duration(s: &str) -> f64 {
    s.split_whitespace()
        .filter_map(|part| {
            let split = part.find(|c: char| !c.is_ascii_digit() && c != '.')?;
            let (n, unit) = part.split_at(split);
            let n: f64 = n.parse().ok()?;
            Some(match unit {
                "s" => n,
                "ms" => n / 1e3,
                "µs" | "us" => n / 1e6,
                "ns" => n / 1e9,
                "m" => n * 60.0,
                _ => 0.0,
            })
        })
        .sum()
}
