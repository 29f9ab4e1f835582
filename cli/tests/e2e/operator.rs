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
