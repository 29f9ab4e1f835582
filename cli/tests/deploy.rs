//! `provernet deploy`: params files, bounds, keys, the deployment file.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn example_params_files_deploy() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../deployments");
    for file in ["dev.params.json", "testnet.params.json"] {
        let env = Env::start().await;
        let path = root.join(file);
        let dep = env.ok(Some(&deployer()), &["deploy", "--params", path.to_str().unwrap()]);
        assert_eq!(dep["verifierKind"], "groth16", "{file}: the real verifier is the default");
        assert_eq!(
            dep["keysId"],
            format!("{}", provernet_zk::KeySet::load(&shared_keys()).unwrap().keys_id())
        );
        let want: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let s = env.epoch();
        assert_eq!(s["commitBlocks"], want["commitBlocks"], "{file}");
        assert_eq!(s["revealBlocks"], want["revealBlocks"], "{file}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_bounds_params_are_rejected_before_deploying() {
    let env = Env::start().await;
    let bad = env.dir.path().join("bad.json");
    std::fs::write(&bad, r#"{ "provingWindow": 6, "raceWindow": 6, "unbondingDelay": 10 }"#)
        .unwrap();
    let owner = deployer();
    rejected(
        &env,
        &owner,
        &["deploy", "--params", bad.to_str().unwrap()],
        "ParamOutOfBounds(name: \"unbondingDelay\"",
    )
    .await;
    std::fs::write(&bad, r#"{ "provingWindow": 6, "colour": "red" }"#).unwrap();
    rejected(
        &env,
        &owner,
        &["deploy", "--params", bad.to_str().unwrap()],
        "unknown field `colour`",
    )
    .await;
    assert!(!env.deployment().exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_refuses_keys_the_bundled_verifier_does_not_embed() {
    let env = Env::start().await;
    let dir = env.dir.path().join("other-keys");
    provernet_zk::KeySet::dev_setup_counts(alloy::primitives::B256::repeat_byte(7), &[1])
        .unwrap()
        .save(&dir)
        .unwrap();
    let owner = deployer();
    rejected(
        &env,
        &owner,
        &["--keys", dir.to_str().unwrap(), "deploy"],
        "bundled Groth16BatchVerifier embeds",
    )
    .await;
    assert!(!env.deployment().exists());
}

/// Issue 14, defect 2: `deploy` refuses to overwrite the deployment file (it says where the
/// provers' stake sits) before sending anything; `--force` deploys and keeps the old file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_refuses_to_overwrite_the_deployment_file() {
    let env = Env::start().await;
    let owner = deployer();
    let params = env.dir.path().join("params.json");
    let args = ["deploy", "--params", params.to_str().unwrap(), "--verifier", "insecure-dev"];
    let first = env.ok(Some(&owner), &args);
    let before = std::fs::read_to_string(env.deployment()).unwrap();
    refused_with(&env, &owner, &args, code::INPUT, "already exists").await;
    assert_eq!(std::fs::read_to_string(env.deployment()).unwrap(), before, "file untouched");

    let mut forced = args.to_vec();
    forced.push("--force");
    let second = env.ok(Some(&owner), &forced);
    assert_ne!(second["network"], first["network"]);
    let backup = PathBuf::from(second["previousFile"].as_str().expect("the backup is reported"));
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), before, "the old file is kept");
    let now: Value =
        serde_json::from_str(&std::fs::read_to_string(env.deployment()).unwrap()).unwrap();
    assert_eq!(now["network"], second["network"]);
}
