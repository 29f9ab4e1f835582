//! `provernet pool`: a delegator deposits into a prover's pool, the prover earns and is slashed, the
//! delegator sees both in its share value and exits after the delay; bad input sends nothing.
//!
//! Until the network's hot operator key lands, the pool's own network calls (commit, reveal,
//! proof) are sent as the pool through anvil's impersonation, as its operator key will.

use alloy::primitives::{B256, Bytes};
use provernet_bindings::formulas::{dev_proof, seed_commitment};

use crate::common::*;

/// A funded key holding `tokens` test tokens.
pub(crate) async fn holder(env: &Env, owner: &Key, tokens: &str) -> Key {
    let k = new_key();
    env.fund(&k).await;
    env.ok(Some(owner), &["token", "mint", "--to", &format!("{:#x}", k.addr), "--amount", tokens]);
    k
}

fn amount(v: &Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}

/// The pool commits and reveals alone in one epoch, then the chain moves into the epoch its list
/// serves, so every batch posted there is the pool's.
pub(crate) async fn select_pool(env: &Env, pool: Address) {
    let net = env.network();
    env.provider.anvil_impersonate_account(pool).await.unwrap();
    env.provider.anvil_set_balance(pool, U256::from(10u64).pow(U256::from(20))).await.unwrap();
    let epoch = env.next_epoch_start().await;
    let secret = B256::repeat_byte(7);
    let c = seed_commitment(secret, pool, epoch);
    net.commit(c).from(pool).send().await.unwrap().get_receipt().await.unwrap();
    let reveal_from = env.epoch()["phaseEndsAt"].as_u64().unwrap();
    env.mine_to(reveal_from - 1).await;
    net.reveal(secret).from(pool).send().await.unwrap().get_receipt().await.unwrap();
    env.next_epoch_start().await;
}

fn post(env: &Env, owner: &Key, n: u8) -> Value {
    env.ok(Some(owner), &["batch", "post", "--commitment", &commitment(n), "--fee", "10"])
}

async fn prove_as_pool(env: &Env, pool: Address, id: u64) {
    let net = env.network();
    let c = net.batchOf(U256::from(id)).call().await.unwrap().commitment;
    let proof = dev_proof(31337, *net.address(), pool, id, &[c]);
    net.submitProof(U256::from(id), U256::from(1), Bytes::from(proof.to_vec()))
        .from(pool)
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegator_sees_reward_and_slash_and_exits_after_the_delay() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    let op = holder(&env, &owner, "500").await;
    let created =
        env.ok(Some(&op), &["pool", "create", "--self-stake", "100", "--commission", "10"]);
    assert_eq!(created["commissionBps"], 1000);
    let pool_addr: Address = created["pool"].as_str().unwrap().parse().unwrap();
    let pool = format!("{pool_addr:#x}");

    let d = holder(&env, &owner, "1000").await;
    // The operator's address names its pool as well as the pool's own.
    let dep =
        env.ok(Some(&d), &["pool", "deposit", &format!("{:#x}", op.addr), "--amount", "1000"]);
    assert_eq!(dep["pool"].as_str().unwrap().parse::<Address>().unwrap(), pool_addr);
    let s = env.ok(Some(&d), &["pool", "status", &pool]);
    assert_eq!(s["you"]["value"], "1000");
    assert_eq!(s["assets"], "1100");
    assert_eq!(s["sharePrice"], "1");

    // The pool earns one fee, then misses a batch and is slashed by a keeper.
    select_pool(&env, pool_addr).await;
    let earned = post(&env, &owner, 1);
    assert_eq!(earned["prover"].as_str().unwrap().parse::<Address>().unwrap(), pool_addr);
    prove_as_pool(&env, pool_addr, earned["batchId"].as_u64().unwrap()).await;
    let missed = post(&env, &owner, 2);
    env.mine_to(missed["provingDeadline"].as_u64().unwrap() + 1).await;
    let id = missed["batchId"].as_u64().unwrap().to_string();
    env.ok(Some(&owner), &["batch", "timeout", &id]);

    let s = env.ok(Some(&d), &["pool", "status", &pool]);
    assert_eq!(s["uncollectedRewards"], "10");
    assert_eq!(s["unsyncedLoss"], "22", "2% (the dev slashBps) of the 1100 bonded");
    assert_eq!(s["recentSlashes"], 1);
    let human = env.human(Some(&d), &["pool", "status", &pool]);
    assert!(human.contains("unsynced     rewards 10 PNT, loss 22 PNT"), "{human}");

    // The books are behind, so the CLI syncs before requesting: +9 to the shareholders (10%
    // commission), of which the delegator's 1000/1100 is 8.18; then the 22 loss, which the
    // operator's shares (worth about 100.82) cover first: the delegator bears none of it and keeps
    // at least its 1000 and its 8.18 of the reward, and never more than the whole reward.
    let req = env.ok(Some(&d), &["pool", "request-withdraw", &pool, "--all"]);
    assert!(req["syncReceipt"]["tx"].is_string(), "a sync was sent first: {req}");
    let owed = amount(&req["amount"]);
    let kept = 1000.0 + 9.0 * 1000.0 / 1100.0;
    assert!(owed >= kept - 1e-9 && owed < 1010.0, "{owed}");
    let ready = req["readyAt"].as_u64().unwrap();

    // Before the delay: refused with the block it opens, nothing sent.
    refused_with(
        &env,
        &d,
        &["pool", "claim", &pool],
        code::STATE,
        &format!("claimable from block {ready}"),
    )
    .await;
    env.mine_to(ready - 2).await;
    refused_with(&env, &d, &["pool", "claim", &pool], code::STATE, "ready at block").await;
    env.mine_to(ready - 1).await;
    let claimed = env.ok(Some(&d), &["pool", "claim", &pool]);
    assert_eq!(claimed["total"], req["amount"]);
    let list = env.ok(None, &["pool", "list"]);
    assert_eq!(list["pools"][0]["pool"].as_str().unwrap().parse::<Address>().unwrap(), pool_addr);
    assert_eq!(list["pools"][0]["commissionBps"], 1000);
    assert_eq!(list["pools"][0]["recentSlashes"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_pool_input_sends_nothing() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    let op = holder(&env, &owner, "500").await;
    refused_with(
        &env,
        &op,
        &["pool", "create", "--self-stake", "100", "--commission", "50.5"],
        code::INPUT,
        "above the largest a pool accepts, 50%",
    )
    .await;
    refused_with(
        &env,
        &op,
        &["pool", "create", "--self-stake", "99", "--commission", "5"],
        code::INPUT,
        "below the minimum 100 PNT",
    )
    .await;
    rejected(&env, &op, &["pool", "create", "--self-stake", "0", "--commission", "5"], "zero")
        .await;
    let created =
        env.ok(Some(&op), &["pool", "create", "--self-stake", "100", "--commission", "5"]);
    let pool = created["pool"].as_str().unwrap().to_string();
    refused_with(
        &env,
        &op,
        &["pool", "create", "--self-stake", "100", "--commission", "5"],
        code::STATE,
        "already operates the pool",
    )
    .await;

    let d = holder(&env, &owner, "10").await;
    rejected(&env, &d, &["pool", "deposit", &pool, "--amount", "-1"], "negative").await;
    refused_with(
        &env,
        &d,
        &["pool", "deposit", &format!("{:#x}", d.addr), "--amount", "1"],
        code::INPUT,
        "neither a pool of this deployment",
    )
    .await;
    refused_with(
        &env,
        &d,
        &["pool", "deposit", &pool, "--amount", "11"],
        code::STATE,
        "holds only 10 PNT",
    )
    .await;
    refused_with(
        &env,
        &d,
        &["pool", "request-withdraw", &pool, "--all"],
        code::STATE,
        "holds no shares",
    )
    .await;
    refused_with(&env, &d, &["pool", "claim", &pool], code::STATE, "no pending withdrawal").await;
    refused_with(
        &env,
        &d,
        &["pool", "claim", &pool, "--request", "9"],
        code::STATE,
        "no pending request 0x9",
    )
    .await;
    // The operator may not go below its minimum self-stake: the contract's refusal, decoded.
    env.ok(Some(&d), &["pool", "deposit", &pool, "--amount", "10"]);
    let err = refused_with(
        &env,
        &op,
        &["pool", "request-withdraw", &pool, "--amount", "1"],
        code::REVERT,
        "SelfStakeBelowMinimum(selfStake: ",
    )
    .await;
    assert!(err.contains("minimum 100 PNT"), "{err}");
}
