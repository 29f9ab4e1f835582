//! `provernet prover run`: the long-running agent (races, restarts, RPC outages, proof runs).

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_racing_agents_lead_to_one_payment() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(3).await;
    env.select_all(&provers).await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(9), "--fee", "10"]);
    let silent = key_of(&provers, post["prover"].as_str().unwrap());
    let racers: Vec<&Key> = provers.iter().filter(|k| k.addr != silent.addr).collect();
    // Stop one block before the race's last block. That block is in the reveal phase, where the
    // agents (which have not committed this epoch) have no epoch duty, so their only transactions
    // are the race submissions. With automine off both sit in the mempool and land in one block.
    let race_end = post["raceDeadline"].as_u64().unwrap();
    env.mine_to(race_end - 1).await;
    let claim_before: Vec<Value> =
        racers.iter().map(|k| env.ok(Some(k), &["prover", "status"])).collect();
    let mut nonces_before = Vec::new();
    for k in &racers {
        nonces_before.push(env.nonce(k.addr).await);
    }
    env.provider.anvil_set_auto_mine(false).await.unwrap();
    let _a = AgentProc::start(&env, racers[0], &[]);
    let _b = AgentProc::start(&env, racers[1], &[]);
    let pending = || async {
        let s: Value = env.provider.raw_request("txpool_status".into(), ()).await.unwrap();
        u64::from_str_radix(s["pending"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
    };
    wait_for("a race submission", Duration::from_secs(60), || async { pending().await >= 1 }).await;
    // Give the second agent a bounded chance to submit too, so both compete for the same block.
    let start = Instant::now();
    while pending().await < 2 && start.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let contenders = pending().await;
    env.provider.anvil_mine(Some(1), None).await.unwrap();
    env.provider.anvil_set_auto_mine(true).await.unwrap();
    let net = env.network();
    wait_for("the batch to be proven", Duration::from_secs(60), || async {
        net.batchOf(U256::from(1)).call().await.unwrap().status == 4
    })
    .await;
    // Give the loser time to (wrongly) submit again, then check exactly one payment.
    env.provider.anvil_mine(Some(3), None).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let events = env.proven_events(1).await;
    assert_eq!(events.len(), 1, "exactly one BatchProven");
    assert!(events[0].rescued);
    let paid: Vec<bool> = racers
        .iter()
        .zip(&claim_before)
        .map(|(k, before)| {
            env.ok(Some(k), &["prover", "status"])["claimable"] != before["claimable"]
        })
        .collect();
    assert_eq!(paid.iter().filter(|p| **p).count(), 1, "exactly one racer credited: {paid:?}");
    // Each agent sent at most one transaction (its race submission), never a retry: the loser's
    // either reverted on chain in the shared block or was never sent because its simulation
    // already saw the winner's.
    for (k, before) in racers.iter().zip(&nonces_before) {
        let sent = env.nonce(k.addr).await - before;
        assert!(sent <= 1, "{} sent {sent} transactions", k.addr);
    }
    let total: u64 = {
        let mut t = 0;
        for (k, before) in racers.iter().zip(&nonces_before) {
            t += env.nonce(k.addr).await - before;
        }
        t
    };
    assert!(total >= contenders.min(2) && total >= 1, "{total} sent, {contenders} were pending");
    eprintln!("race contenders in one block: {contenders}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_resumes_after_kill_between_commit_and_reveal() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let epoch = env.next_epoch_start().await;
    let net = env.network();
    let mut agent = AgentProc::start(&env, p, &[]);
    wait_for("the agent to commit", Duration::from_secs(60), || async {
        let a = net.accountOf(p.addr).call().await.unwrap();
        u64::from(a.commitEpoch) == epoch && !a.commitHash.is_zero()
    })
    .await;
    agent.kill();
    let secret = env.data_dir(p).join("secrets");
    assert!(secret.exists(), "the secret was persisted before the commit");
    let reveal_from = env.epoch()["phaseEndsAt"].as_u64().unwrap();
    env.mine_to(reveal_from).await;
    let _agent = AgentProc::start(&env, p, &[]);
    wait_for("the restarted agent to reveal", Duration::from_secs(60), || async {
        let a = net.accountOf(p.addr).call().await.unwrap();
        a.commitHash.is_zero()
            && net.rollOf(U256::from(epoch)).call().await.unwrap().count == U256::from(1)
    })
    .await;
    let a = net.accountOf(p.addr).call().await.unwrap();
    assert_eq!(u64::from(a.commitEpoch), epoch, "no second commitment");
    assert_eq!(
        U256::from(a.stake),
        U256::from(1000u64) * U256::from(10u64).pow(U256::from(18)),
        "not penalised"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_rides_through_an_rpc_restart() {
    let mut env = Env::start().await;
    // Swap in an anvil that persists its state, so it can be restarted on the same port.
    let state = env.dir.path().join("anvil-state.json");
    let state_arg = state.to_str().unwrap().to_string();
    let port = env.anvil.port;
    env.anvil.kill();
    env.anvil = Anvil::spawn_with(Some(port), None, &["--state", &state_arg]).unwrap();
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let epoch = env.next_epoch_start().await;
    let net = env.network();
    let agent = AgentProc::start(&env, p, &[]);
    wait_for("the agent to commit", Duration::from_secs(60), || async {
        let a = net.accountOf(p.addr).call().await.unwrap();
        u64::from(a.commitEpoch) == epoch && !a.commitHash.is_zero()
    })
    .await;

    // The endpoint goes away; the agent notices and keeps retrying.
    env.anvil.terminate();
    let log = agent.1.clone();
    wait_for("the agent to notice the outage", Duration::from_secs(60), || async {
        // Either a tick fails or, if the outage hit while it awaited a receipt, that wait retries.
        std::fs::read_to_string(&log).unwrap_or_default().contains("; retrying")
    })
    .await;

    // It comes back (same port, same state); the agent carries on and reveals.
    let mut back = None;
    for _ in 0..50 {
        match Anvil::spawn_with(Some(port), None, &["--state", &state_arg]) {
            Ok(a) => {
                back = Some(a);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    env.anvil = back.expect("anvil restarts on the same port");
    let a = net.accountOf(p.addr).call().await.unwrap();
    assert!(!a.commitHash.is_zero(), "the restarted chain kept the commitment");
    let reveal_from = env.epoch()["phaseEndsAt"].as_u64().unwrap();
    env.mine_to(reveal_from).await;
    wait_for("the agent to reveal after the restart", Duration::from_secs(60), || async {
        net.accountOf(p.addr).call().await.map(|a| a.commitHash.is_zero()).unwrap_or(false)
    })
    .await;
    // The agent (not someone else) revealed: it says so once its receipt arrives.
    wait_for("the agent to log its reveal", Duration::from_secs(60), || async {
        std::fs::read_to_string(&log).unwrap_or_default().contains("revealed")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_proves_runs_of_batches_with_real_proofs() {
    let env = Env::start().await;
    // A longer window: the agent's own commit (a block under automine) must not close it before
    // it gets to the batches, or the run would be split by the deadline rather than by plan_proofs.
    std::fs::write(
        env.dir.path().join("params.json"),
        PARAMS
            .replace(r#""provingWindow": 5"#, r#""provingWindow": 30"#)
            .replace(r#""unbondingDelay": 60"#, r#""unbondingDelay": 110, "slotBlocks": 5"#),
    )
    .unwrap();
    let (owner, provers) = env.deploy_with(1, "groth16").await;
    env.select_all(&provers).await;
    // Three batches in one 5-block slot for the only prover. Once the slot is over the agent
    // proves them together: one proof for the run (the verifier takes any count up to 16).
    let first = env.next_slot_start(5).await;
    for i in 0..3u8 {
        let post = env.ok(
            Some(&owner),
            &["batch", "post", "--data-hex", &format!("0x{:02x}{:02x}", i, i + 1), "--fee", "10"],
        );
        assert_eq!(post["prover"].as_str().unwrap().parse::<Address>().unwrap(), provers[0].addr);
        assert_eq!(post["slot"]["firstBlock"], first);
    }
    env.mine_to(first + 4).await;
    let agent = AgentProc::start(&env, &provers[0], &[]);
    wait_for("the agent to prove batches 1..3", Duration::from_secs(60), || async {
        let mut all = true;
        for id in 1..=3 {
            all &= !env.proven_events(id).await.is_empty();
        }
        all
    })
    .await;
    // The chain can show the last proof before the agent has logged it: wait for the log line.
    let path = agent.1.clone();
    let logged = || strip_ansi(&std::fs::read_to_string(&path).unwrap());
    wait_for("the agent's log of the proof", Duration::from_secs(10), || async {
        logged().contains("first=1 count=3")
    })
    .await;
    let log = logged();
    assert!(log.contains("proofs=1 batches=3"), "{log}");
    assert!(log.contains("backend=\"groth16\""), "{log}");
    assert!(!log.contains("count=1") && !log.contains("count=2"), "one proof, not several: {log}");
}
