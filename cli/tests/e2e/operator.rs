//! `prover set-operator`: a hot key that commits, reveals and proves for its prover, while stake
//! and payouts stay with the prover; bad operators are refused before anything is sent.

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_commits_reveals_and_proves_for_its_prover() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let op = new_key();
    env.fund(&op).await;
    let op_hex = format!("{:#x}", op.addr);
    let r = env.ok(Some(p), &["prover", "set-operator", &op_hex]);
    assert_eq!((r["operator"].as_str(), r["previous"].is_null()), (Some(&*op_hex), true));
    assert_eq!(env.ok(None, &["prover", "status", &format!("{:#x}", p.addr)])["operator"], op_hex);

    // The operator's key does the prover's duties.
    let epoch = env.next_epoch_start().await;
    assert_eq!(env.ok(Some(&op), &["epoch", "commit"])["epoch"], epoch);
    let reveal_from = env.epoch()["phaseEndsAt"].as_u64().unwrap();
    env.mine_to(reveal_from - 1).await;
    env.ok(Some(&op), &["epoch", "reveal"]);
    env.next_epoch_start().await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(1), "--fee", "10"]);
    assert_eq!(post["prover"], format!("{:#x}", p.addr), "the prover is listed, not its operator");
    let proved = env.ok(Some(&op), &["batch", "prove", "1"]);
    assert_eq!(
        (proved["route"].as_str(), proved["payout"].as_str()),
        (Some("assigned"), Some("10"))
    );
    // The payout is the prover's.
    assert_eq!(env.ok(Some(p), &["prover", "status"])["claimable"], "10");

    let c = env.ok(Some(p), &["prover", "set-operator", "--clear"]);
    assert_eq!((c["operator"].is_null(), c["previous"].as_str()), (true, Some(&*op_hex)));
    assert!(env.ok(Some(p), &["prover", "status"])["operator"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_operators_are_refused_before_sending() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(2).await;
    let (a, b) = (&provers[0], &provers[1]);
    let hex = |k: &Key| format!("{:#x}", k.addr);
    refused_with(
        &env,
        a,
        &["prover", "set-operator", &hex(a)],
        code::INPUT,
        &format!("setOperator would revert with OperatorUnavailable(operator: {}", hex(a)),
    )
    .await;
    refused_with(
        &env,
        a,
        &["prover", "set-operator", &hex(b)],
        code::STATE,
        "is a registered prover",
    )
    .await;
    let zero = format!("{:#x}", Address::ZERO);
    refused_with(&env, a, &["prover", "set-operator", &zero], code::INPUT, "set-operator --clear")
        .await;
    refused_with(
        &env,
        a,
        &["prover", "set-operator", "--clear"],
        code::STATE,
        "no operator to clear",
    )
    .await;
    let op = new_key();
    env.ok(Some(a), &["prover", "set-operator", &hex(&op)]);
    refused_with(
        &env,
        a,
        &["prover", "set-operator", &hex(&op)],
        code::STATE,
        "already the operator",
    )
    .await;
    refused_with(
        &env,
        b,
        &["prover", "set-operator", &hex(&op)],
        code::STATE,
        &format!("already operates for {}", a.addr),
    )
    .await;
    refused_with(
        &env,
        &owner,
        &["prover", "set-operator", &hex(&new_key())],
        code::STATE,
        "not a registered prover",
    )
    .await;
    let (status, _, _) = env.outcome(Some(a), &["prover", "set-operator"]);
    assert_eq!(status, Some(code::USAGE), "an address or --clear is required");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_runs_with_the_operator_key_for_its_prover() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let op = new_key();
    env.fund(&op).await;
    env.ok(Some(p), &["prover", "set-operator", &format!("{:#x}", op.addr)]);
    let prover_nonce = env.nonce(p.addr).await;
    let epoch = env.next_epoch_start().await;
    // The agent holds only the operator's key.
    let _agent = AgentProc::start(&env, &op, &["--no-race"]);
    let net = env.network();
    wait_for("the operator's commitment for the prover", Duration::from_secs(60), || async {
        let a = net.accountOf(p.addr).call().await.unwrap();
        u64::from(a.commitEpoch) == epoch && !a.commitHash.is_zero()
    })
    .await;
    let reveal_from = env.epoch()["phaseEndsAt"].as_u64().unwrap();
    env.mine_to(reveal_from - 1).await;
    wait_for("the reveal for the prover", Duration::from_secs(60), || async {
        net.rollOf(U256::from(epoch)).call().await.unwrap().count == U256::from(1)
    })
    .await;
    env.next_epoch_start().await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(1), "--fee", "10"]);
    assert_eq!(post["prover"], format!("{:#x}", p.addr), "drawn from the revealed list");
    env.mine_to(post["slot"]["lastBlock"].as_u64().unwrap() + 1).await;
    wait_for("the batch proven", Duration::from_secs(60), || async {
        !env.proven_events(1).await.is_empty()
    })
    .await;
    let proven = env.proven_events(1).await;
    assert_eq!(proven.len(), 1);
    assert_eq!(proven[0].prover, p.addr, "proven for the prover, not the operator");
    // The payout is the prover's, and the staking key sent nothing: every duty came from the
    // operator's key.
    assert_eq!(env.ok(Some(p), &["prover", "status"])["claimable"], "10");
    assert_eq!(env.nonce(p.addr).await, prover_nonce, "the staking key stayed cold");
    assert!(env.nonce(op.addr).await >= 3, "commit, reveal and proof from the operator");
}
