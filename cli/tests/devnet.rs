//! End-to-end test of `provernet devnet`: a short run on its own anvil (the devnet starts and stops
//! it), with the insecure dev verifier so no Groth16 keys are needed. Checks that `--json` prints
//! exactly one JSON document on stdout with per-prover figures and decimal-string amounts that
//! agree with the chain, and that the `--plain` lines (on stderr with `--json`) carry the same
//! per-prover figures.
//!
//! The small helpers here (decimal parsing, the command) are local to this file; they can move to
//! a shared `tests/common` module when one exists.

use std::process::Command;

use alloy::primitives::{Address, U256, utils::parse_units};
use provernet_cli::anvil::free_port;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_provernet");

/// How long the network runs: long enough for the first selection list and a few batches at one
/// block per second, short enough for the suite.
const DURATION_SECS: &str = "30";

/// A decimal token amount as the CLI prints it (`"1350"`, `"27.5"`), in units of 18 decimals.
fn amount(v: &Value) -> U256 {
    let s = v.as_str().unwrap_or_else(|| panic!("amount {v} is not a string"));
    assert!(
        !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.') && !s.ends_with('.'),
        "amount {s:?} is not a decimal string"
    );
    parse_units(s, 18).unwrap_or_else(|e| panic!("amount {s:?}: {e}")).into()
}

fn count(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("{v} is not a JSON integer"))
}

/// The value of `key=` in a `--plain` line.
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let pat = format!(" {key}=");
    let start = line.find(&pat).unwrap_or_else(|| panic!("no {key}= in {line:?}")) + pat.len();
    line[start..].split(' ').next().unwrap()
}

#[test]
fn devnet_json_is_one_document_with_per_prover_figures() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port().unwrap().to_string();
    let out = Command::new(BIN)
        .env_remove("PROVERNET_PRIVATE_KEY")
        .env_remove("NO_COLOR")
        .env("RUST_LOG", "info")
        .env("PROVERNET_DATA_DIR", dir.path())
        .env("PROVERNET_BATCH_DATA", dir.path().join("batches"))
        .args(["--json", "devnet", "--provers", "3", "--faulty", "1", "--plain"])
        .args(["--duration", DURATION_SECS, "--verifier", "insecure-dev", "--port", &port])
        .output()
        .expect("provernet runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "devnet failed: {stderr}\nstdout: {stdout}");

    // Exactly one document: `from_str` refuses anything before or after it.
    assert!(stdout.trim_start().starts_with('{'), "stdout does not start with JSON: {stdout}");
    let v: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}\n{stdout}"));
    assert_eq!(v["token"]["decimals"], 18, "{v:#}");

    let t = &v["totals"];
    let posted = count(&t["posted"]);
    assert!(posted >= 1, "no batch was posted in {DURATION_SECS} s: {v:#}");
    assert_eq!(
        posted,
        count(&t["provenOnTime"]) + count(&t["rescued"]) + count(&t["failed"]) + count(&t["open"])
    );
    assert_eq!(count(&t["open"]), v["openBatches"].as_array().unwrap().len() as u64);
    assert_eq!(t["proofBackend"], "insecure-dev");

    let provers = v["provers"].as_array().unwrap();
    assert_eq!(provers.len(), 3);
    let mut assigned = 0;
    let slashes = v["slashes"].as_array().unwrap();
    for (i, p) in provers.iter().enumerate() {
        let name = format!("p{}", i + 1);
        assert_eq!(p["name"], name.as_str());
        assert_eq!(p["flaky"], i == 2);
        let address: Address = p["address"].as_str().unwrap().parse().unwrap();
        assert_eq!(p["address"], format!("{address:#x}"), "JSON addresses are lowercase hex");
        // The chain's stake plus what the events say was slashed is what the prover staked.
        let staked: U256 = parse_units(&(1000 + 500 * i).to_string(), 18).unwrap().into();
        assert_eq!(amount(&p["stake"]) + amount(&p["slashed"]), staked, "{name}: {p:#}");
        for key in ["earned", "claimable"] {
            amount(&p[key]);
        }
        // Every slash is listed with its reason, and the per-prover counts agree with the list.
        let (missed, norev) = (count(&p["missedWindows"]), count(&p["nonReveals"]));
        assert_eq!(count(&p["slashes"]), missed + norev);
        let mine: Vec<&Value> = slashes.iter().filter(|s| s["name"] == name.as_str()).collect();
        let by = |r: &str| mine.iter().filter(|s| s["reason"] == r).count() as u64;
        assert_eq!((by("missedWindow"), by("nonReveal")), (missed, norev), "{name}: {v:#}");
        let listed = mine.iter().fold(U256::ZERO, |a, s| a + amount(&s["amount"]));
        assert_eq!(listed, amount(&p["slashed"]), "{name}");
        assigned += count(&p["assigned"]);
        assert!(count(&p["proven"]) + count(&p["missedWindows"]) <= count(&p["assigned"]));

        // The last --plain line of this prover (printed after the final refresh) carries the
        // same figures as the JSON.
        let line = stderr
            .lines()
            .rev()
            .find(|l| l.contains(&format!(" prover={name} ")))
            .unwrap_or_else(|| panic!("no --plain line for {name} on stderr:\n{stderr}"));
        assert_eq!(field(line, "stake"), p["stake"].as_str().unwrap(), "{line}");
        assert_eq!(field(line, "assigned"), p["assigned"].to_string(), "{line}");
        assert_eq!(field(line, "slots"), p["slots"].to_string(), "{line}");
        assert_eq!(field(line, "slashed"), p["slashed"].as_str().unwrap(), "{line}");
        assert_eq!(field(line, "address"), address.to_checksum(None), "checksummed: {line}");
    }
    assert_eq!(assigned + count(&t["unassigned"]), posted, "{v:#}");
    for s in slashes {
        assert!(matches!(s["reason"].as_str(), Some("missedWindow" | "nonReveal")), "{s}");
        amount(&s["amount"]);
    }
    // The source prepaid its fees: what is left of them (refunds of failed batches included).
    amount(&v["source"]["feeBalance"]);
    // Every assigned batch came from a slot draw, and the draws are in the history.
    let slots: u64 = provers.iter().map(|p| count(&p["slots"])).sum();
    assert!(slots >= 1 || assigned == 0, "{v:#}");
    assert!(slots <= assigned, "a slot is drawn by its first batch: {v:#}");
    let drawn =
        stderr.lines().filter(|l| l.starts_with('[') && l.contains("its batches go to")).count();
    assert_eq!(drawn as u64, slots, "one event line per slot draw:\n{stderr}");
    // Each event is printed once (the final figures do not repeat the history).
    let events: Vec<&str> = stderr.lines().filter(|l| l.starts_with('[')).collect();
    let distinct: std::collections::BTreeSet<&&str> = events.iter().collect();
    assert_eq!(distinct.len(), events.len(), "an event line was printed twice:\n{stderr}");
    assert!(events.len() as u64 >= posted, "every posted batch has an event line:\n{stderr}");
    // A network line with the totals came with the prover lines.
    let net_line =
        stderr.lines().rev().find(|l| l.contains(" provenOnTime=")).expect("a totals line");
    assert_eq!(field(net_line, "posted"), posted.to_string(), "{net_line}");
}

/// Bad settings are refused before anything starts (no anvil, no deployment): clap's range checks
/// and the devnet's own, each naming the option.
#[test]
fn devnet_refuses_bad_settings() {
    let dir = tempfile::tempdir().unwrap();
    // Status 3 (`input`, docs/cli.md): a wrong value, whether clap or the devnet finds it.
    for (args, expect) in [
        (&["--provers", "0"][..], "--provers"),
        (&["--post-every", "0"][..], "--post-every"),
        (&["--block-time", "0"][..], "--block-time"),
        (&["--duration", "0"][..], "--duration"),
        (&["--provers", "2", "--faulty", "3"][..], "--faulty (3) cannot exceed --provers (2)"),
        (&["--fee=-1"][..], "negative"),
        (&["--fee", "ten"][..], "is not a number"),
    ] {
        let out = Command::new(BIN)
            .env("PROVERNET_DATA_DIR", dir.path())
            .arg("devnet")
            .args(args)
            .args(["--verifier", "insecure-dev"])
            .output()
            .expect("provernet runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
        assert!(!dir.path().join("devnet").join("deployment.json").exists(), "{args:?} deployed");
    }
}

/// `devnet --workers 2`: the devnet starts its own queue server (the binary `make queue-server`
/// installs, named by PROVERNET_NATS_SERVER) and two workers, and every proof of the run is made
/// by a worker, none in an agent.
#[test]
fn devnet_with_workers_proves_over_the_queue() {
    let server = std::env::var_os("PROVERNET_NATS_SERVER")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../.venv-nats/bin/nats-server")
        });
    assert!(
        server.is_file(),
        "run `make queue-server` first ({} missing); never skipped",
        server.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let port = free_port().unwrap().to_string();
    let out = Command::new(BIN)
        .env_remove("PROVERNET_PRIVATE_KEY")
        .env("PROVERNET_NATS_SERVER", &server)
        .env("RUST_LOG", "info")
        .env("PROVERNET_DATA_DIR", dir.path())
        .env("PROVERNET_BATCH_DATA", dir.path().join("batches"))
        .args(["--json", "devnet", "--provers", "2", "--faulty", "0", "--plain", "--workers", "2"])
        .args(["--duration", "20", "--verifier", "insecure-dev", "--port", &port])
        .output()
        .expect("provernet runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "devnet failed: {stderr}\nstdout: {stdout}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let on_time = count(&v["totals"]["provenOnTime"]);
    assert!(on_time >= 1, "nothing proven: {v:#}");
    assert!(stderr.contains("job queue and workers started"), "{stderr}");
    let by_workers =
        stderr.lines().filter(|l| l.contains(" proving ") && l.contains("worker=w")).count();
    let queued = stderr.matches("proof job queued").count();
    // One job may cover a slot's run of batches, so worker proofs need not match batches one to
    // one: at least one was made, and none in an agent (below).
    assert!(by_workers >= 1, "{by_workers} worker proofs, {on_time} proven: {stderr}");
    assert!(queued >= by_workers, "{queued} queued, {by_workers} proven by workers");
    assert!(!stderr.contains("(in this process)"), "an agent proved in-process: {stderr}");
}
