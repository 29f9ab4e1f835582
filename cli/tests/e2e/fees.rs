//! Prepaid fees: `batch deposit-fees`, `batch withdraw-fees`, and every refusal of `batch post`
//! that the contract would make (unauthorised source, commitment outside the verifier's domain,
//! fee below `minFee`, fee balance short), each checked before anything is sent.

use crate::common::*;

fn units(tokens: u64) -> U256 {
    U256::from(tokens) * U256::from(10u64).pow(U256::from(18))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fees_are_prepaid_spent_by_posts_and_withdrawn() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    assert_eq!(env.fee_balance(owner.addr).await, units(1000));
    let d = env.ok(Some(&owner), &["batch", "deposit-fees", "50"]);
    assert_eq!((d["amount"].as_str(), d["feeBalance"].as_str()), (Some("50"), Some("1050")));
    // A post spends the fee from the balance: no token transfer, no approve.
    let nonce = env.nonce(owner.addr).await;
    let p = env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(1), "--fee", "10"]);
    assert_eq!(p["feeBalance"], "1040");
    assert_eq!(env.nonce(owner.addr).await, nonce + 1, "one transaction: postBatch");
    let w = env.ok(Some(&owner), &["batch", "withdraw-fees", "40"]);
    assert_eq!(w["feeBalance"], "1000");
    assert_eq!(env.fee_balance(owner.addr).await, units(1000));
    let h = env.human(Some(&owner), &["batch", "withdraw-fees", "1"]);
    assert!(
        h.contains("withdrew 1 PNT of prepaid fees") && h.contains("fee balance 999 PNT"),
        "{h}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_fee_commands_send_nothing() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(1).await;
    // More than the balance.
    let err = refused_with(
        &env,
        &owner,
        &["batch", "withdraw-fees", "1000.5"],
        code::STATE,
        "withdrawFees would revert with InsufficientFeeBalance(needed: 1000500000000000000000, balance: 1000000000000000000000)",
    )
    .await;
    assert!(err.contains("needed 1000.5 PNT, balance 1000 PNT"), "{err}");
    // A prover is not a batch source: it cannot prepay.
    refused_with(
        &env,
        &provers[0],
        &["batch", "deposit-fees", "5"],
        code::STATE,
        "NotBatchSource(caller: ",
    )
    .await;
    // Malformed amounts are refused before connecting.
    refused_with(&env, &owner, &["batch", "deposit-fees", "0"], code::INPUT, "zero").await;
    refused_with(&env, &owner, &["batch", "withdraw-fees", "-1"], code::INPUT, "negative").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_refusals_are_decoded_before_sending() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    // Below the minimum fee (0.001 in the development set).
    refused_with(
        &env,
        &owner,
        &["batch", "post", "--commitment", &commitment(1), "--fee", "0.0009"],
        code::INPUT,
        "postBatch would revert with FeeBelowMinimum(fee: 900000000000000, minimum: 1000000000000000)",
    )
    .await;
    // The insecure dev verifier's domain is every value below 2^256 - 1.
    let top = format!("0x{}", "ff".repeat(32));
    refused_with(
        &env,
        &owner,
        &["batch", "post", "--commitment", &top, "--fee", "1"],
        code::INPUT,
        &format!("CommitmentOutOfDomain(commitment: {top}, bound: {})", U256::MAX),
    )
    .await;
    // More than the prepaid balance: the message names the deposit that fixes it.
    let err = refused_with(
        &env,
        &owner,
        &["batch", "post", "--commitment", &commitment(1), "--fee", "1200"],
        code::STATE,
        "InsufficientFeeBalance(needed: 1200000000000000000000, balance: 1000000000000000000000)",
    )
    .await;
    assert!(err.contains("`provernet batch deposit-fees 200`"), "{err}");
    assert_eq!(env.network().nextBatchId().call().await.unwrap(), U256::from(1));
    // After the deposit the same post goes through.
    env.ok(Some(&owner), &["batch", "deposit-fees", "200"]);
    let p =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(1), "--fee", "1200"]);
    assert_eq!((p["batchId"].as_u64(), p["feeBalance"].as_str()), (Some(1), Some("0")));
}

/// A failed batch's fee goes back into the poster's fee balance (not its claimable balance), less
/// the keeper's share (5% at the dev parameters) paid to whoever called `batch timeout`, here the
/// poster itself, which also earns 5% of the slash its call applied; `batch timeout` says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_batch_refunds_into_the_fee_balance() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(1).await;
    env.select_all(&provers).await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(4), "--fee", "10"]);
    assert_eq!(env.fee_balance(owner.addr).await, units(990));
    env.mine_to(post["raceDeadline"].as_u64().unwrap()).await;
    let t = env.ok(Some(&owner), &["batch", "timeout", "1"]);
    let action = t["action"].as_str().unwrap();
    assert!(action.contains("refunded to the poster's prepaid fee balance"), "{action}");
    assert_eq!(env.fee_balance(owner.addr).await, units(1000) - units(1) / U256::from(2));
    // 5% of the 2% slash of the silent prover's 1,000 tokens, and 5% of the 10-token fee.
    assert_eq!(env.ok(Some(&owner), &["prover", "status"])["claimable"], "1.5");
}
