//! `--json` (issue 14, defect 6): every command prints exactly one JSON document on stdout (the
//! agent: one at exit), amounts as decimal strings of whole tokens, counts and blocks as numbers,
//! logs on stderr without colour.

use crate::common::*;

/// Amount fields of the reports: decimal strings of whole tokens.
const AMOUNTS: [&str; 12] = [
    "feeBalance",
    "assignmentBond",
    "stake",
    "unbonding",
    "claimable",
    "balance",
    "minStake",
    "amount",
    "fee",
    "payout",
    "bounty",
    "totalStaked",
];
/// Count and block fields: JSON numbers.
const NUMBERS: [&str; 13] = [
    "maxOpenAssignments",
    "slotBlocks",
    "firstBlock",
    "block",
    "epoch",
    "batchId",
    "provingDeadline",
    "raceDeadline",
    "readyAt",
    "activeListSize",
    "revealedThisEpoch",
    "reputation",
    "openAssignments",
];

fn check_shape(what: &str, doc: &Value) {
    let Some(obj) = doc.as_object() else { panic!("{what}: not an object: {doc}") };
    for (k, v) in obj {
        if AMOUNTS.contains(&k.as_str()) && !v.is_null() {
            let s = v.as_str().unwrap_or_else(|| panic!("{what}: {k} is not a string: {doc}"));
            assert!(
                s.chars().all(|c| c.is_ascii_digit() || c == '.') && !s.starts_with("0x"),
                "{what}: {k} = {s} is not a decimal token amount"
            );
        }
        if NUMBERS.contains(&k.as_str()) && !v.is_null() {
            assert!(v.is_u64(), "{what}: {k} is not a number: {doc}");
        }
        if v.is_object() {
            check_shape(&format!("{what}.{k}"), v);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_prints_one_json_document() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let mut docs = Vec::new();
    let mut run = |key: Option<&Key>, args: &[&str]| {
        let doc = env.ok(key, args);
        check_shape(&format!("{args:?}"), &doc);
        docs.push(doc.clone());
        doc
    };
    run(Some(p), &["prover", "status"]);
    run(Some(p), &["prover", "stake", "--amount", "1.5"]);
    run(None, &["epoch", "status"]);
    env.next_epoch_start().await;
    run(Some(p), &["epoch", "commit"]);
    let reveal_from = env.epoch()["phaseEndsAt"].as_u64().unwrap();
    env.mine_to(reveal_from - 1).await;
    run(Some(p), &["epoch", "reveal"]);
    env.next_epoch_start().await;
    run(Some(&owner), &["batch", "post", "--commitment", &commitment(1), "--fee", "10"]);
    run(None, &["batch", "status", "1"]);
    run(Some(p), &["batch", "prove", "1"]);
    run(Some(&owner), &["batch", "post", "--commitment", &commitment(2), "--fee", "10"]);
    let race_end = env.ok(None, &["batch", "status", "2"])["raceDeadline"].as_u64().unwrap();
    env.mine_to(race_end).await;
    run(Some(&owner), &["batch", "timeout", "2"]);
    run(Some(p), &["prover", "claim"]);
    run(Some(p), &["prover", "unstake", "--amount", "1.5"]);
    run(Some(p), &["prover", "stake", "--amount", "1", "--dry-run"]);
    run(Some(&owner), &["batch", "deposit-fees", "5"]);
    run(Some(&owner), &["batch", "withdraw-fees", "5"]);
    run(Some(p), &["prover", "set-operator", &format!("{:#x}", new_key().addr)]);
    run(Some(p), &["prover", "set-operator", "--clear"]);
    let abis = env.dir.path().join("abis");
    run(None, &["abi", "export", abis.to_str().unwrap()]);
    let operator = format!("{:#x}", owner.addr);
    // The owner is no prover, so it can be a pool's operator (a registered prover cannot).
    run(Some(&owner), &["pool", "create", "--self-stake", "100", "--commission", "10"]);
    run(Some(&owner), &["pool", "deposit", &operator, "--amount", "10"]);
    let request = run(Some(&owner), &["pool", "request-withdraw", &operator, "--amount", "5"]);
    run(Some(&owner), &["pool", "status", &operator]);
    run(None, &["pool", "list"]);
    env.mine_to(request["readyAt"].as_u64().unwrap()).await;
    let claimed = run(Some(&owner), &["pool", "claim", &operator]);
    assert_eq!(claimed["total"], "5");
    // Newcomers start at reputation 0 and rise toward repInitial (5000).
    assert!(docs[0]["reputation"].as_u64().unwrap() < 5000, "{}", docs[0]);
    assert_eq!(docs[1]["amount"], "1.5");

    // Failures are one JSON document too, with the exit code and its kind.
    let (status, stdout, _) = env.outcome(Some(p), &["prover", "claim"]);
    assert_eq!(status, Some(code::STATE));
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["kind"], "state");
    assert!(doc["error"].as_str().unwrap().contains("nothing to claim"));
}

/// `prover run --json`: logs on stderr without colour codes, and stdout is one JSON document (the
/// run's totals) written at exit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_json_is_one_document_and_logs_have_no_colour() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let child = env
        .command(Some(p), &["prover", "run", "--poll-ms", "100"])
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    // SAFETY: signals our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains('\x1b'), "colour codes in --json logs: {stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    assert!(doc.is_object(), "{doc}");
}
