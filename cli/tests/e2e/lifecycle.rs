//! The whole life of a network through the CLI: deploy, register, commit-reveal, prove, slash,
//! race, claim, unstake and withdraw.

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_lifecycle() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(3).await;
    env.select_all(&provers).await;

    // Batch 1: its assigned prover proves inside the window and is paid.
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(1), "--fee", "10"]);
    assert_eq!(post["batchId"], 1);
    let a = key_of(&provers, post["prover"].as_str().unwrap());
    let proof = env.ok(Some(a), &["batch", "prove", "1"]);
    assert_eq!(proof["route"], "assigned");
    assert_eq!(proof["payout"], "10");
    assert_eq!(env.ok(None, &["batch", "status", "1"])["status"], "Proven");
    assert_eq!(env.ok(Some(a), &["prover", "status"])["claimable"], "10");

    // Batch 2: its prover stays silent; after the window `timeout` slashes it and a third prover
    // wins the race (fee plus bounty).
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(2), "--fee", "20"]);
    let silent = key_of(&provers, post["prover"].as_str().unwrap());
    let rescuer = provers.iter().find(|k| k.addr != silent.addr).unwrap();
    let err = env.fails(Some(rescuer), &["batch", "prove", "2"]);
    assert!(err.contains("race opens after that"), "{err}");
    env.mine_to(post["provingDeadline"].as_u64().unwrap()).await;
    let t = env.ok(Some(rescuer), &["batch", "timeout", "2"]);
    assert_eq!(t["slashed"]["prover"].as_str().unwrap().parse::<Address>().unwrap(), silent.addr);
    assert_eq!(t["slashed"]["amount"], "20", "2% (the dev slashBps) of 1000 staked");
    let silent_status = env.ok(Some(silent), &["prover", "status"]);
    assert_eq!(silent_status["stake"], "980");
    let err = env.fails(Some(silent), &["batch", "prove", "2"]);
    assert!(err.contains("slashed"), "{err}");
    let won = env.ok(Some(rescuer), &["batch", "prove", "2"]);
    assert_eq!(won["route"], "race");
    assert_eq!(won["payout"], "26", "fee 20 + bounty 30% of the 20 slashed");
    assert_eq!(env.proven_events(2).await.len(), 1);

    // Rewards are claimed into the wallet.
    let before = env.ok(Some(rescuer), &["prover", "status"]);
    let claimed = env.ok(Some(rescuer), &["prover", "claim"]);
    let after = env.ok(Some(rescuer), &["prover", "status"]);
    assert_eq!(after["claimable"], "0");
    let gained: f64 = after["balance"].as_str().unwrap().parse::<f64>().unwrap()
        - before["balance"].as_str().unwrap().parse::<f64>().unwrap();
    assert_eq!(gained, claimed["amount"].as_str().unwrap().parse::<f64>().unwrap());
    assert!(env.fails(Some(rescuer), &["prover", "claim"]).contains("nothing to claim"));

    // Unstake, then withdraw only after the delay.
    let u = env.ok(Some(rescuer), &["prover", "unstake", "--amount", "400"]);
    let ready = u["readyAt"].as_u64().unwrap();
    let err = env.fails(Some(rescuer), &["prover", "withdraw"]);
    assert!(
        err.contains("UnbondingNotFinished") && err.contains(&format!("block {ready}")),
        "{err}"
    );
    env.mine_to(ready - 1).await;
    let w = env.ok(Some(rescuer), &["prover", "withdraw"]);
    assert_eq!(w["amount"], "400");
    let s = env.ok(Some(rescuer), &["prover", "status"]);
    assert_eq!(s["unbonding"], "0");
}
