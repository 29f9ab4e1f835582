//! `provernet prover run --compound`: the agent claims what its prover earned and restakes it; run
//! with a pool operator's key, it syncs the pool (the delegators' share is restaked by the pool)
//! and deposits the operator's commission into the pool as self-stake.

use std::process::Stdio;

use provernet_bindings::ProverPool;

use crate::common::*;
use crate::pool::{holder, select_pool};

/// `prover run` with `key`, claiming every block and compounding.
fn compounding_agent(env: &Env, key: &Key) -> AgentProc {
    let path = env.dir.path().join(format!("agent-{:#x}.log", key.addr));
    let log = std::fs::OpenOptions::new().create(true).append(true).open(&path).unwrap();
    let args = ["prover", "run", "--poll-ms", "100", "--claim-every", "1", "--compound"];
    let mut cmd = env.command(Some(key), &args);
    cmd.stdout(Stdio::null()).stderr(log);
    AgentProc(cmd.spawn().expect("agent starts"), path)
}

fn tokens(v: &Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prover_agent_claims_and_restakes_its_rewards() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    env.select_all(&provers).await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(3), "--fee", "10"]);
    assert_eq!(post["prover"].as_str().unwrap().parse::<Address>().unwrap(), p.addr);
    let before = tokens(&env.ok(Some(p), &["prover", "status"])["stake"]);
    let _agent = compounding_agent(&env, p);
    // The agent proves a slot's batches once the slot is over.
    env.mine_to(post["slot"]["lastBlock"].as_u64().unwrap() + 1).await;
    let net = env.network();
    wait_for("the fee to be claimed and staked", Duration::from_secs(90), || async {
        let a = net.accountOf(p.addr).call().await.unwrap();
        a.claimable.is_zero() && tokens(&env.ok(Some(p), &["prover", "status"])["stake"]) > before
    })
    .await;
    let after = tokens(&env.ok(Some(p), &["prover", "status"])["stake"]);
    assert!((after - before - 10.0).abs() < 1e-9, "stake {before} -> {after}: the 10 fee restaked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_operators_agent_syncs_the_pool_and_compounds_its_commission() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    let op = holder(&env, &owner, "500").await;
    let created =
        env.ok(Some(&op), &["pool", "create", "--self-stake", "100", "--commission", "10"]);
    let pool_addr: Address = created["pool"].as_str().unwrap().parse().unwrap();
    let pool = format!("{pool_addr:#x}");
    let d = holder(&env, &owner, "1000").await;
    env.ok(Some(&d), &["pool", "deposit", &pool, "--amount", "1000"]);

    select_pool(&env, pool_addr).await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(4), "--fee", "10"]);
    assert_eq!(post["prover"].as_str().unwrap().parse::<Address>().unwrap(), pool_addr);
    // The operator's key runs the agent: it proves for the pool, then collects and compounds.
    let agent = compounding_agent(&env, &op);
    env.mine_to(post["slot"]["lastBlock"].as_u64().unwrap() + 1).await;
    let net = env.network();
    let p = ProverPool::new(pool_addr, env.provider.clone());
    wait_for("the commission to be deposited into the pool", Duration::from_secs(90), || async {
        let a = net.accountOf(pool_addr).call().await.unwrap();
        let owed = p.commissionOwed().call().await.unwrap();
        let s = env.ok(None, &["pool", "status", &pool]);
        a.claimable.is_zero() && owed.is_zero() && tokens(&s["assets"]) > 1109.0
    })
    .await;
    // The fee of 10: 1 (10%) is the operator's commission, deposited back as self-stake; 9 raise the
    // share price for every holder, the operator's 100 included.
    let s = env.ok(None, &["pool", "status", &pool]);
    assert_eq!(s["assets"], "1110");
    let op_stake = tokens(&s["operatorStake"]);
    let want = 100.0 + 9.0 * 100.0 / 1100.0 + 1.0;
    assert!((op_stake - want).abs() < 1e-6, "operator stake {op_stake}, want {want}");
    let you = env.ok(Some(&d), &["pool", "status", &pool]);
    let mine = tokens(&you["you"]["value"]);
    assert!((mine - (1000.0 + 9.0 * 1000.0 / 1100.0)).abs() < 1e-6, "delegator value {mine}");
    let log = strip_ansi(&std::fs::read_to_string(&agent.1).unwrap());
    assert!(log.contains("pool synced: rewards collected"), "{log}");
    assert!(log.contains("compounded commission"), "{log}");
}
