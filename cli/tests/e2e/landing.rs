//! Transactions that land (`prover run`): a transaction stuck behind a base-fee spike is replaced
//! with a higher fee, and a proof transaction removed by a reorg is sent again while its window is
//! open.

use alloy::rpc::types::anvil::ReorgOptions;

use crate::common::*;

fn log_of(agent: &AgentProc) -> String {
    strip_ansi(&std::fs::read_to_string(&agent.1).unwrap_or_default())
}

async fn pending_txs(env: &Env) -> u64 {
    let s: Value = env.provider.raw_request("txpool_status".into(), ()).await.unwrap();
    u64::from_str_radix(s["pending"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_stuck_behind_a_base_fee_spike_is_replaced_and_lands() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let epoch = env.next_epoch_start().await;
    let nonce = env.nonce(p.addr).await;
    env.provider.anvil_set_auto_mine(false).await.unwrap();
    let agent = AgentProc::start(&env, p, &[]);
    wait_for("the agent's commit in the pool", Duration::from_secs(60), || async {
        pending_txs(&env).await >= 1
    })
    .await;
    // The next block's base fee jumps to 1000 gwei: far above the commit's maximum fee.
    env.provider.anvil_set_next_block_base_fee_per_gas(1_000_000_000_000).await.unwrap();
    env.provider.anvil_mine(Some(1), None).await.unwrap();
    assert_eq!(env.nonce(p.addr).await, nonce, "the commit is stuck");
    let net = env.network();
    let mut landed = false;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        env.provider.anvil_mine(Some(1), None).await.unwrap();
        let a = net.accountOf(p.addr).call().await.unwrap();
        if u64::from(a.commitEpoch) == epoch && !a.commitHash.is_zero() {
            landed = true;
            break;
        }
    }
    let log = log_of(&agent);
    assert!(landed, "the commit never landed: {log}");
    assert!(log.contains("transaction stuck; replaced it with a higher fee"), "{log}");
    assert_eq!(env.nonce(p.addr).await, nonce + 1, "one commitment, no second transaction");
    env.provider.anvil_set_auto_mine(true).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proof_reorged_out_is_submitted_again_while_its_window_is_open() {
    let env = Env::start().await;
    std::fs::write(
        env.dir.path().join("params.json"),
        PARAMS
            .replace(r#""provingWindow": 5"#, r#""provingWindow": 30"#)
            .replace(r#""unbondingDelay": 60"#, r#""unbondingDelay": 110"#),
    )
    .unwrap();
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    env.select_all(&provers).await;
    env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(7), "--fee", "10"]);
    let agent = AgentProc::start(&env, p, &["--no-race"]);
    wait_for("the proof", Duration::from_secs(60), || async {
        log_of(&agent).contains("proved assigned batch(es)")
    })
    .await;
    let log = log_of(&agent);
    let line = log.lines().find(|l| l.contains("proved assigned batch(es)")).unwrap();
    let landed: u64 =
        line.split("block=").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    // Reorg away the proof's block and everything after it (empty blocks replace them).
    let head = env.block().await;
    env.provider
        .anvil_reorg(ReorgOptions { depth: head - landed + 1, tx_block_pairs: vec![] })
        .await
        .unwrap();
    assert!(env.proven_events(1).await.is_empty(), "the proof is gone with the reorg");
    // The chain moves on; the agent sees the batch assigned again inside its window.
    env.provider.anvil_mine(Some(1), None).await.unwrap();
    wait_for("the proof to land again", Duration::from_secs(60), || async {
        !env.proven_events(1).await.is_empty()
    })
    .await;
    let log = log_of(&agent);
    assert!(log.contains("reorged out and the window is still open"), "{log}");
    assert_eq!(env.proven_events(1).await.len(), 1);
}
