//! The exit codes (issue 14, defect 5) and the transaction hash said at once (defect 7). Codes
//! with a natural home are tested there too: input (token: checksum), state (prover: withdraw),
//! revert (token: decoded error), connection (connection.rs), closed pipe (batch.rs).

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2_and_value_errors_3() {
    let env = Env::start().await;
    let k = deployer();
    let (status, stdout, _) = env.outcome(Some(&k), &["prover", "stake", "--amount-typo", "1"]);
    assert_eq!(status, Some(code::USAGE));
    let doc: Value = serde_json::from_str(&stdout).expect("one JSON document with --json");
    assert_eq!(doc["kind"], "usage");
    let (status, _, err) = env.outcome(Some(&k), &["batch", "status", "x"]);
    assert_eq!(status, Some(code::INPUT), "{err}");
    let (status, _, _) = env.outcome(Some(&k), &["--help"]);
    assert_eq!(status, Some(0));
}

/// The kinds a script needs to tell apart, on one deployment: input, state, revert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_state_and_revert_are_distinct() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    refused_with(&env, p, &["prover", "stake", "--amount", "-1"], code::INPUT, "negative").await;
    refused_with(&env, p, &["prover", "claim"], code::STATE, "nothing to claim").await;
    env.ok(Some(p), &["prover", "unstake", "--amount", "100"]);
    // The CLI does not pre-check the unbonding delay: the simulation reverts, decoded.
    refused_with(&env, p, &["prover", "withdraw"], code::REVERT, "UnbondingNotFinished").await;
}

/// Sent but not mined within --tx-timeout: exit 7, and the hash was said when it was sent. A
/// rerun of the same kind while it is pending refuses (exit 8) instead of sending a second one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_then_pending_rerun_is_refused() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    env.provider.anvil_set_auto_mine(false).await.unwrap();
    let to = format!("{:#x}", owner.addr);
    let args = ["token", "mint", "--to", &to, "--amount", "1", "--tx-timeout", "1"];
    let (status, _, err) = env.outcome(Some(&owner), &args);
    assert_eq!(status, Some(code::TIMEOUT), "{err}");
    let sent = err.lines().find(|l| l.starts_with("sent mint: 0x")).expect("hash said at once");
    let hash = sent.trim_start_matches("sent mint: ").split(';').next().unwrap().to_string();
    assert!(err.contains("no receipt for mint"), "{err}");

    let pending = || async {
        let s: Value = env.provider.raw_request("txpool_status".into(), ()).await.unwrap();
        u64::from_str_radix(s["pending"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
    };
    assert_eq!(pending().await, 1);
    let (status, stdout, err) = env.outcome(Some(&owner), &args);
    assert_eq!(status, Some(code::PENDING), "{err}");
    assert!(err.contains("still pending") && err.contains(&hash), "{err}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["kind"], "pending");
    assert_eq!(pending().await, 1, "no second transaction");

    // Once it is mined, the same command goes through.
    env.provider.anvil_mine(Some(1), None).await.unwrap();
    env.provider.anvil_set_auto_mine(true).await.unwrap();
    env.ok(Some(&owner), &["token", "mint", "--to", &to, "--amount", "1"]);
}

/// Ctrl-C while a transaction waits for its receipt: exit 130, and its hash was already printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupt_exits_130_after_saying_the_hash() {
    use std::io::{BufRead, BufReader};
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    env.provider.anvil_set_auto_mine(false).await.unwrap();
    let to = format!("{:#x}", owner.addr);
    let mut child = env
        .command(Some(&owner), &["token", "mint", "--to", &to, "--amount", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let sent = lines.next().expect("a line").unwrap();
    assert!(sent.starts_with("sent mint: 0x"), "{sent}");
    // SAFETY: signals our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert_eq!(status.code(), Some(code::INTERRUPTED), "{rest:?}");
    assert!(rest.iter().any(|l| l.contains("interrupted")), "{rest:?}");
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["exitCode"], code::INTERRUPTED);
}

/// `--help` groups the global and transaction options apart from a command's own, and lists only
/// those the command uses; the hidden ones are still accepted (a shared alias keeps working).
#[test]
fn help_lists_only_the_options_a_command_uses() {
    let help = |args: &[&str]| {
        let out = Command::new(BIN).args(args).arg("--help").output().unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let stake = help(&["prover", "stake"]);
    assert!(stake.contains("Global options:") && stake.contains("Transaction options:"), "{stake}");
    assert!(stake.contains("--rpc-url") && stake.contains("--dry-run"), "{stake}");
    let status = help(&["prover", "status"]);
    assert!(status.contains("--rpc-url") && !status.contains("--dry-run"), "{status}");
    for offline in [&["keys", "setup"][..], &["abi", "export"], &["fuzz"], &["sim", "run"]] {
        let h = help(offline);
        for flag in ["--rpc-url", "--private-key", "--account", "--nonce"] {
            assert!(!h.contains(flag), "{offline:?} lists {flag}: {h}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["--rpc-url", "http://127.0.0.1:1", "abi", "export"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
