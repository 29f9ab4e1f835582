//! `provernet prover`: staking commands, amounts, signers.

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_and_negative_amounts_are_rejected() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    rejected(&env, p, &["prover", "stake", "--amount", "0"], "zero").await;
    rejected(&env, p, &["prover", "stake", "--amount", "-5"], "negative").await;
    rejected(&env, p, &["prover", "unstake", "--amount", "abc"], "not a number").await;
    rejected(
        &env,
        &owner,
        &["batch", "post", "--commitment", &commitment(1), "--fee", "0.0"],
        "zero",
    )
    .await;
    // Below the minimum: decoded into a sentence, nothing sent.
    let k = new_key();
    env.fund(&k).await;
    env.ok(Some(&owner), &["token", "mint", "--to", &format!("{:#x}", k.addr), "--amount", "50"]);
    rejected(
        &env,
        &k,
        &["prover", "register", "--stake", "50"],
        "stake 50 PNT is below the minimum 100 PNT",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unregistered_prover_is_rejected() {
    let env = Env::start().await;
    env.deploy_with_provers(0).await;
    let k = new_key();
    env.fund(&k).await;
    rejected(&env, &k, &["prover", "stake", "--amount", "10"], "not a registered prover").await;
    rejected(&env, &k, &["epoch", "commit"], "not a registered prover").await;
    rejected(&env, &k, &["prover", "unstake", "--amount", "10"], "not a registered prover").await;
    // A transaction the CLI does not pre-check is still simulated and decoded: nothing to claim.
    rejected(&env, &k, &["prover", "claim"], "nothing to claim").await;
    rejected(
        &env,
        &k,
        &["batch", "post", "--commitment", &commitment(1), "--fee", "1"],
        "not an authorised batch source",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_signer_and_bad_key_are_rejected() {
    let env = Env::start().await;
    env.deploy_with_provers(0).await;
    let out = env.run(None, &["prover", "claim"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a signer"));
    let bad = Key { hex: "0x1234".into(), addr: Address::ZERO };
    let err = env.fails(Some(&bad), &["prover", "status"]);
    assert!(err.contains("is not a 32-byte hex"), "{err}");
    assert!(!err.contains("0x1234"), "the key must not be echoed: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keystore_signer_works() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    let dir = env.dir.path().join("keys");
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = rand_core();
    let (signer, name) =
        alloy::signers::local::PrivateKeySigner::new_keystore(&dir, &mut rng, "hunter2", None)
            .unwrap();
    env.ok(
        Some(&owner),
        &["token", "mint", "--to", &format!("{:#x}", signer.address()), "--amount", "1"],
    );
    let ks = dir.join(name);
    // `prover status` through the keystore, with `password` in the password file.
    let status_with = |password: &str| {
        let pw = env.dir.path().join("pw");
        std::fs::write(&pw, format!("{password}\n")).unwrap();
        let args = ["--keystore", ks.to_str().unwrap(), "--password-file", pw.to_str().unwrap()];
        env.command(None, &[&args[..], &["prover", "status"]].concat()).output().unwrap()
    };
    let out = status_with("hunter2");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["address"].as_str().unwrap().parse::<Address>().unwrap(), signer.address());
    assert_eq!(s["balance"], "1");
    let out = status_with("wrong");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot decrypt the keystore"));
}

/// Issue 14, defect 8: unstaking below `minStake` silently made the prover ineligible; now it is
/// refused with the consequence spelled out unless `--yes`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unstake_below_the_minimum_needs_yes() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let err = refused_with(
        &env,
        p,
        &["prover", "unstake", "--amount", "950"],
        code::INPUT,
        "leaves 50 PNT staked, below the minimum 100 PNT",
    )
    .await;
    assert!(err.contains("--yes") && err.contains("at most 900 PNT"), "{err}");
    env.ok(Some(p), &["prover", "unstake", "--amount", "900"]);
    let r = env.ok(Some(p), &["prover", "unstake", "--amount", "50", "--yes"]);
    assert_eq!(r["amount"], "50");
    assert_eq!(env.ok(Some(p), &["prover", "status"])["eligible"], false);
}

/// Issue 14, defect 8: with an assignment whose window has passed, `prover status` does not call
/// the stake "withdrawable now", and `withdraw` names the fix (`batch timeout N`) instead of
/// "prove them or wait"; after the timeout the withdrawal goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdraw_with_an_expired_assignment_points_to_batch_timeout() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    env.select_all(&provers).await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(5), "--fee", "10"]);
    assert_eq!(post["prover"].as_str().unwrap().parse::<Address>().unwrap(), p.addr);
    let u = env.ok(Some(p), &["prover", "unstake", "--amount", "1000", "--yes"]);
    let ready = u["readyAt"].as_u64().unwrap();
    assert!(ready > post["provingDeadline"].as_u64().unwrap());
    env.mine_to(ready).await;

    let s = env.ok(Some(p), &["prover", "status"]);
    assert_eq!(s["withdrawableNow"], false, "{s}");
    let h = env.human(Some(p), &["prover", "status"]);
    assert!(!h.contains("withdrawable now"), "{h}");
    assert!(h.contains("open assignment"), "{h}");

    let err = refused_with(&env, p, &["prover", "withdraw"], code::STATE, "batch timeout 1").await;
    assert!(err.contains("OpenAssignments") && !err.contains("wait for their windows"), "{err}");

    env.ok(Some(&owner), &["batch", "timeout", "1"]);
    let w = env.ok(Some(p), &["prover", "withdraw"]);
    assert_eq!(w["amount"], "980", "1000 unbonding minus the 2% slash for the missed window");
}

/// Issue 14, defect 8: a keystore file that is not JSON is reported as such, not as a wrong
/// password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keystore_that_is_not_json_is_not_a_wrong_password() {
    let env = Env::start().await;
    env.deploy_with_provers(0).await;
    let ks = env.dir.path().join("not-a-keystore");
    std::fs::write(&ks, "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n")
        .unwrap();
    let pw = env.dir.path().join("pw");
    std::fs::write(&pw, "x\n").unwrap();
    let out = env
        .command(
            None,
            &[
                "--keystore",
                ks.to_str().unwrap(),
                "--password-file",
                pw.to_str().unwrap(),
                "prover",
                "status",
            ],
        )
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code::INPUT), "{err}");
    assert!(err.contains("is not a JSON keystore"), "{err}");
    assert!(!err.contains("password"), "{err}");
    assert!(!err.contains("ac0974be"), "the file's content is not echoed: {err}");
}

/// Conventions: `--account NAME` reads Foundry's keystore folder (`~/.foundry/keystores`), with
/// the password from --password-file; without a terminal and without a password file it says
/// how to give one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_reads_the_foundry_keystore_folder() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    let home = env.dir.path().join("home");
    let dir = home.join(".foundry").join("keystores");
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = rand_core();
    let (signer, _) =
        PrivateKeySigner::new_keystore(&dir, &mut rng, "hunter2", Some("alice")).unwrap();
    let pw = env.dir.path().join("pw");
    std::fs::write(&pw, "hunter2\n").unwrap();
    env.ok(
        Some(&owner),
        &["token", "mint", "--to", &format!("{:#x}", signer.address()), "--amount", "3"],
    );
    let run = |args: &[&str]| {
        env.command(None, args).env("HOME", &home).stdin(Stdio::null()).output().unwrap()
    };
    let out =
        run(&["--account", "alice", "--password-file", pw.to_str().unwrap(), "prover", "status"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["address"].as_str().unwrap().parse::<Address>().unwrap(), signer.address());
    assert_eq!(s["balance"], "3");
    let out = run(&["--account", "alice", "prover", "status"]);
    assert_eq!(out.status.code(), Some(code::INPUT));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--password-file"));
    let out =
        run(&["--account", "bob", "--password-file", pw.to_str().unwrap(), "prover", "status"]);
    assert_eq!(out.status.code(), Some(code::INPUT));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no account \"bob\""));
}

/// Conventions: `--dry-run` simulates, prints the gas estimate and sends nothing; `--approve-max`
/// approves the maximum allowance; `--nonce` sets the transaction's nonce.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_approve_max_and_nonce() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let nonce = env.nonce(p.addr).await;
    let block = env.block().await;
    let d = env.ok(Some(p), &["prover", "stake", "--amount", "10", "--dry-run"]);
    assert_eq!(d["dryRun"], true);
    assert_eq!(d["sent"], false);
    assert!(d["gasEstimate"].as_u64().unwrap() > 21_000, "{d}");
    assert_eq!(env.nonce(p.addr).await, nonce);
    assert_eq!(env.block().await, block);
    // A doomed dry run is decoded like a real one.
    let zero = format!("{:#x}", Address::ZERO);
    refused_with(
        &env,
        &owner,
        &["token", "mint", "--to", &zero, "--amount", "1", "--dry-run"],
        code::REVERT,
        "ERC20InvalidReceiver",
    )
    .await;

    env.ok(Some(p), &["prover", "stake", "--amount", "10", "--approve-max"]);
    let dep: Value =
        serde_json::from_str(&std::fs::read_to_string(env.deployment()).unwrap()).unwrap();
    let token = provernet_bindings::DevStakingToken::new(
        dep["token"].as_str().unwrap().parse().unwrap(),
        env.provider.clone(),
    );
    let allowance = token.allowance(p.addr, *env.network().address()).call().await.unwrap();
    assert!(allowance > U256::from(2u64).pow(U256::from(255)), "max allowance minus the stake");

    let n = env.nonce(owner.addr).await;
    let r = env.ok(
        Some(&owner),
        &[
            "token",
            "mint",
            "--to",
            &format!("{:#x}", p.addr),
            "--amount",
            "1",
            "--nonce",
            &n.to_string(),
        ],
    );
    let tx = env
        .provider
        .get_transaction_by_hash(r["receipt"]["tx"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(alloy::consensus::Transaction::nonce(&tx), n);

    // --gas-price / --priority-gas-price set the EIP-1559 fee caps.
    let r = env.ok(
        Some(&owner),
        &[
            "token",
            "mint",
            "--to",
            &format!("{:#x}", p.addr),
            "--amount",
            "1",
            "--gas-price",
            "7000000000",
            "--priority-gas-price",
            "2000000000",
        ],
    );
    let tx = env
        .provider
        .get_transaction_by_hash(r["receipt"]["tx"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    use alloy::consensus::Transaction as _;
    assert_eq!(tx.max_fee_per_gas(), 7_000_000_000);
    assert_eq!(tx.max_priority_fee_per_gas(), Some(2_000_000_000));
}
