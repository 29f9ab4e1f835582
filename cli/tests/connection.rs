//! Global options: the RPC endpoint and the deployment file.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_deployment_file_is_rejected() {
    let env = Env::start().await;
    let k = deployer();
    refused_with(
        &env,
        &k,
        &["prover", "status"],
        code::INPUT,
        "does not exist; run `provernet deploy` first",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_rpc_is_rejected() {
    let env = Env::start().await;
    let k = deployer();
    let port = provernet_cli::anvil::free_port().unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let out = env.command(Some(&k), &["--rpc-url", &url, "prover", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(code::CONNECTION));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach the RPC endpoint"), "{err}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["kind"], "connection");
    let out =
        env.command(Some(&k), &["--rpc-url", "not a url", "epoch", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(code::INPUT));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a valid URL"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_chain_for_deployment_is_rejected() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    let mut dep: Value =
        serde_json::from_str(&std::fs::read_to_string(env.deployment()).unwrap()).unwrap();
    dep["chainId"] = 1.into();
    std::fs::write(env.deployment(), dep.to_string()).unwrap();
    rejected(&env, &owner, &["prover", "status"], "is for chain 1 but").await;
    // A fresh chain with the right id but without the contracts (e.g. anvil restarted).
    dep["chainId"] = 31337.into();
    std::fs::write(env.deployment(), dep.to_string()).unwrap();
    let other = Anvil::spawn(None, None).unwrap();
    let out =
        env.command(Some(&owner), &["--rpc-url", &other.url, "prover", "status"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no contract at"));
}

/// Issue 14, defect 8: a deployment file whose network address holds another contract is named as
/// such, not reported as a raw "execution reverted, data: 0x".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_contract_at_the_network_address_is_named() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    let mut dep: Value =
        serde_json::from_str(&std::fs::read_to_string(env.deployment()).unwrap()).unwrap();
    dep["network"] = dep["token"].clone();
    std::fs::write(env.deployment(), dep.to_string()).unwrap();
    let err =
        refused_with(&env, &owner, &["epoch", "status"], code::INPUT, "is not a ProverNetwork")
            .await;
    assert!(err.to_lowercase().contains(&dep["token"].as_str().unwrap().to_lowercase()), "{err}");
    assert!(!err.contains("execution reverted"), "{err}");
}
