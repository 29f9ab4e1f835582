//! End-to-end tests: each starts its own anvil (free port, automine, killed on drop) and drives the
//! real `provernet` binary. Blocks are mined on demand (`anvil_mine`) so epochs and windows pass in
//! milliseconds; waits poll the chain with a deadline instead of sleeping fixed times.

use std::{
    path::PathBuf,
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder, ext::AnvilApi},
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use provernet_bindings::ProverNetwork;
use provernet_cli::anvil::{Anvil, DEV_KEY_0};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_provernet");

/// Test parameters: epochs long enough that a few transactions (one block each under automine)
/// fit in a phase.
const PARAMS: &str = r#"{
  "commitBlocks": 10, "revealBlocks": 10,
  "minStake": "100", "maxWeightStake": "10000",
  "provingWindow": 5, "raceWindow": 5, "unbondingDelay": 50
}"#;

struct Env {
    anvil: Anvil,
    dir: tempfile::TempDir,
    provider: DynProvider,
}

struct Key {
    hex: String,
    addr: Address,
}

fn new_key() -> Key {
    let k = PrivateKeySigner::random();
    Key { hex: format!("{:#x}", k.to_bytes()), addr: k.address() }
}

fn deployer() -> Key {
    let k: PrivateKeySigner = DEV_KEY_0.parse().unwrap();
    Key { hex: DEV_KEY_0.to_string(), addr: k.address() }
}

impl Env {
    async fn start() -> Self {
        let anvil = Anvil::spawn(None, None).expect("anvil starts");
        let provider = ProviderBuilder::new().connect_http(anvil.url.parse().unwrap()).erased();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("params.json"), PARAMS).unwrap();
        Self { anvil, dir, provider }
    }

    fn deployment(&self) -> PathBuf {
        self.dir.path().join("deployment.json")
    }

    fn data_dir(&self, key: &Key) -> PathBuf {
        self.dir.path().join(format!("data-{:#x}", key.addr))
    }

    /// Runs `provernet --json <args>` as `key` and returns the output.
    fn run(&self, key: Option<&Key>, args: &[&str]) -> Output {
        let mut cmd = self.command(key, args);
        cmd.output().expect("provernet runs")
    }

    fn command(&self, key: Option<&Key>, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.env_remove("PROVERNET_PRIVATE_KEY")
            .env("ETH_RPC_URL", &self.anvil.url)
            .env("RUST_LOG", "info")
            .arg("--json")
            .arg("--deployment")
            .arg(self.deployment())
            .arg("--tx-timeout")
            .arg("30")
            // One batch-data directory for everyone, as a shared data-availability layer would be.
            .env("PROVERNET_BATCH_DATA", self.dir.path().join("batches"))
            .env("PROVERNET_KEYS", shared_keys());
        if let Some(k) = key {
            cmd.env("PROVERNET_PRIVATE_KEY", &k.hex).arg("--data-dir").arg(self.data_dir(k));
        }
        cmd.args(args);
        cmd
    }

    /// Runs and expects success; returns the JSON report.
    fn ok(&self, key: Option<&Key>, args: &[&str]) -> Value {
        let out = self.run(key, args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "provernet {args:?} failed: {}\nstdout: {stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("bad JSON from {args:?}: {e}: {stdout}"))
    }

    /// Runs and expects failure; returns stderr.
    fn fails(&self, key: Option<&Key>, args: &[&str]) -> String {
        let out = self.run(key, args);
        assert!(
            !out.status.success(),
            "provernet {args:?} should fail but printed {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    async fn block(&self) -> u64 {
        self.provider.get_block_number().await.unwrap()
    }

    async fn mine_to(&self, block: u64) {
        let now = self.block().await;
        if block > now {
            self.provider.anvil_mine(Some(block - now), None).await.unwrap();
        }
        assert_eq!(self.block().await, block.max(now));
    }

    async fn fund(&self, key: &Key) {
        self.provider
            .anvil_set_balance(key.addr, U256::from(10u64).pow(U256::from(20)))
            .await
            .unwrap();
    }

    async fn nonce(&self, a: Address) -> u64 {
        self.provider.get_transaction_count(a).await.unwrap()
    }

    fn network(&self) -> ProverNetwork::ProverNetworkInstance<DynProvider> {
        let dep: Value =
            serde_json::from_str(&std::fs::read_to_string(self.deployment()).unwrap()).unwrap();
        ProverNetwork::new(dep["network"].as_str().unwrap().parse().unwrap(), self.provider.clone())
    }

    /// Deploys with the test params and the insecure dev verifier (fast hash proofs: most tests
    /// exercise the mechanism, not the proofs) and registers `n` funded provers with 1000 tokens
    /// each.
    async fn deploy_with_provers(&self, n: usize) -> (Key, Vec<Key>) {
        self.deploy_with(n, "insecure-dev").await
    }

    /// [`Self::deploy_with_provers`] with the given verifier.
    async fn deploy_with(&self, n: usize, verifier: &str) -> (Key, Vec<Key>) {
        let owner = deployer();
        let params = self.dir.path().join("params.json");
        let dep = self.ok(
            Some(&owner),
            &["deploy", "--params", params.to_str().unwrap(), "--verifier", verifier],
        );
        assert_eq!(dep["devToken"], true);
        assert_eq!(dep["verifierKind"], verifier);
        let mut provers = Vec::new();
        for _ in 0..n {
            let k = new_key();
            self.fund(&k).await;
            let addr = format!("{:#x}", k.addr);
            self.ok(Some(&owner), &["token", "mint", "--to", &addr, "--amount", "5000"]);
            let r = self.ok(Some(&k), &["prover", "register", "--stake", "1000"]);
            assert_eq!(r["stake"], "1000");
            provers.push(k);
        }
        self.ok(
            Some(&owner),
            &["token", "mint", "--to", &format!("{:#x}", owner.addr), "--amount", "100000"],
        );
        (owner, provers)
    }

    fn epoch(&self) -> Value {
        self.ok(None, &["epoch", "status"])
    }

    /// Mines to the first block of the next epoch's commit phase.
    async fn next_epoch_start(&self) -> u64 {
        let s = self.epoch();
        let (genesis, len) = (s["genesisBlock"].as_u64().unwrap(), 20);
        let epoch = s["epoch"].as_u64().unwrap();
        let start = genesis + (epoch + 1) * len;
        // Land so that the next transaction is the first block of the epoch.
        self.mine_to(start - 1).await;
        epoch + 1
    }

    /// All provers commit, then reveal, in one epoch; then mines to the next epoch, where batches
    /// draw from that list.
    async fn select_all(&self, provers: &[Key]) -> u64 {
        let epoch = self.next_epoch_start().await;
        for p in provers {
            let r = self.ok(Some(p), &["epoch", "commit"]);
            assert_eq!(r["epoch"].as_u64(), Some(epoch));
        }
        let reveal_from = self.epoch()["phaseEndsAt"].as_u64().unwrap();
        self.mine_to(reveal_from - 1).await;
        for p in provers {
            let r = self.ok(Some(p), &["epoch", "reveal"]);
            assert_eq!(r["epoch"].as_u64(), Some(epoch));
        }
        let s = self.epoch();
        assert_eq!(s["revealedThisEpoch"], provers.len().to_string());
        self.next_epoch_start().await;
        epoch
    }

    async fn proven_events(&self, batch: u64) -> Vec<ProverNetwork::BatchProven> {
        let filter = Filter::new()
            .address(*self.network().address())
            .from_block(0u64)
            .to_block(self.block().await);
        let logs = self.provider.get_logs(&filter).await.unwrap();
        logs.iter()
            .filter(|l| l.topic0() == Some(&ProverNetwork::BatchProven::SIGNATURE_HASH))
            .map(|l| l.log_decode::<ProverNetwork::BatchProven>().unwrap().inner.data)
            .filter(|e| e.batchId == U256::from(batch))
            .collect()
    }
}

/// The default dev ceremony's keys, made once per test run with `provernet keys setup` (about 4 s)
/// and shared by every test through PROVERNET_KEYS.
fn shared_keys() -> PathBuf {
    static KEYS: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("e2e-keys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = Command::new(BIN)
            .args(["--json", "keys", "setup", "--out"])
            .arg(&dir)
            .output()
            .expect("provernet runs");
        assert!(out.status.success(), "keys setup: {}", String::from_utf8_lossy(&out.stderr));
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["matchesBundledVerifier"], true);
        assert_eq!(r["keysId"], format!("{}", provernet_zk::KeySet::load(&dir).unwrap().keys_id()));
        dir
    })
    .clone()
}

fn key_of<'a>(provers: &'a [Key], addr: &str) -> &'a Key {
    let a: Address = addr.parse().unwrap();
    provers.iter().find(|k| k.addr == a).expect("assigned prover is one of ours")
}

fn commitment(n: u8) -> String {
    format!("0x{}", format!("{n:02x}").repeat(32))
}

async fn wait_for<F, Fut>(what: &str, limit: Duration, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !f().await {
        assert!(start.elapsed() < limit, "timed out after {limit:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A `provernet prover run` child process, killed on drop (its log is printed if the test fails).
struct AgentProc(Child, PathBuf);

impl AgentProc {
    fn start(env: &Env, key: &Key, extra: &[&str]) -> Self {
        let path = env.dir.path().join(format!("agent-{:#x}.log", key.addr));
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&path).unwrap();
        let mut args = vec!["prover", "run", "--poll-ms", "100", "--claim-every", "1000000"];
        args.extend_from_slice(extra);
        let mut cmd = env.command(Some(key), &args);
        cmd.stdout(Stdio::null()).stderr(log);
        Self(cmd.spawn().expect("agent starts"), path)
    }
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for AgentProc {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() || std::env::var_os("PROVERNET_TEST_LOGS").is_some() {
            eprintln!(
                "--- {}\n{}",
                self.1.display(),
                std::fs::read_to_string(&self.1).unwrap_or_default()
            );
        }
    }
}

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
    assert_eq!(t["slashed"]["amount"], "100", "10% of 1000 staked");
    let silent_status = env.ok(Some(silent), &["prover", "status"]);
    assert_eq!(silent_status["stake"], "900");
    let err = env.fails(Some(silent), &["batch", "prove", "2"]);
    assert!(err.contains("slashed"), "{err}");
    let won = env.ok(Some(rescuer), &["batch", "prove", "2"]);
    assert_eq!(won["route"], "race");
    assert_eq!(won["payout"], "50", "fee 20 + bounty 30% of the 100 slashed");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_marks_failed_after_the_race() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(1).await;
    env.select_all(&provers).await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(3), "--fee", "10"]);
    let err = env.fails(Some(&owner), &["batch", "timeout", "1"]);
    assert!(err.contains("open until block"), "{err}");
    env.mine_to(post["raceDeadline"].as_u64().unwrap()).await;
    env.ok(Some(&owner), &["batch", "timeout", "1"]);
    assert_eq!(env.ok(None, &["batch", "status", "1"])["status"], "Failed");
}

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

// ------------------------------------------------------------------ bad input

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

/// Asserts the command fails with `needle` in its message and that the signer sent nothing.
async fn rejected(env: &Env, key: &Key, args: &[&str], needle: &str) {
    let nonce = env.nonce(key.addr).await;
    let block = env.block().await;
    let err = env.fails(Some(key), args);
    assert!(
        err.to_lowercase().contains(&needle.to_lowercase()),
        "{args:?}: expected {needle:?} in: {err}"
    );
    assert_eq!(env.nonce(key.addr).await, nonce, "{args:?} sent a transaction");
    assert_eq!(env.block().await, block, "{args:?} mined a block");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_address_is_rejected() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    rejected(
        &env,
        &owner,
        &["token", "mint", "--to", "0x1234", "--amount", "1"],
        "is not an address",
    )
    .await;
    rejected(&env, &owner, &["prover", "status", "not-an-address"], "is not an address").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_hex_is_rejected() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    rejected(
        &env,
        &owner,
        &["batch", "post", "--commitment", "0xzz", "--fee", "1"],
        "not 32 bytes of hex",
    )
    .await;
    rejected(
        &env,
        &owner,
        &["batch", "post", "--commitment", "0x00", "--fee", "1"],
        "not 32 bytes",
    )
    .await;
    let zero = format!("0x{}", "0".repeat(64));
    rejected(
        &env,
        &owner,
        &["batch", "post", "--commitment", &zero, "--fee", "1"],
        "must not be zero",
    )
    .await;
}

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
async fn wrong_phase_is_rejected() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    env.next_epoch_start().await;
    rejected(&env, p, &["epoch", "reveal"], "commit phase").await;
    env.ok(Some(p), &["epoch", "commit"]);
    rejected(&env, p, &["epoch", "commit"], "already committed").await;
    let reveal_from = env.epoch()["phaseEndsAt"].as_u64().unwrap();
    env.mine_to(reveal_from - 1).await;
    rejected(&env, p, &["epoch", "commit"], "reveal phase").await;
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
async fn unknown_batch_is_rejected() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    rejected(&env, &owner, &["batch", "prove", "7"], "there is no batch 7").await;
    rejected(&env, &owner, &["batch", "timeout", "7"], "there is no batch 7").await;
    rejected(&env, &owner, &["batch", "status", "0"], "batch ids start at 1").await;
    rejected(&env, &owner, &["batch", "status", "x"], "not a batch id").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_deployment_file_is_rejected() {
    let env = Env::start().await;
    let k = deployer();
    rejected(&env, &k, &["prover", "status"], "does not exist; run `provernet deploy` first").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_rpc_is_rejected() {
    let env = Env::start().await;
    let k = deployer();
    let port = provernet_cli::anvil::free_port().unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let out = env.command(Some(&k), &["--rpc-url", &url, "prover", "status"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach the RPC endpoint"), "{err}");
    let out =
        env.command(Some(&k), &["--rpc-url", "not a url", "epoch", "status"]).output().unwrap();
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
    std::fs::write(env.dir.path().join("pw"), "hunter2\n").unwrap();
    env.ok(
        Some(&owner),
        &["token", "mint", "--to", &format!("{:#x}", signer.address()), "--amount", "1"],
    );
    let ks = dir.join(name);
    let out = env
        .command(
            None,
            &[
                "--keystore",
                ks.to_str().unwrap(),
                "--password-file",
                env.dir.path().join("pw").to_str().unwrap(),
                "prover",
                "status",
            ],
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["address"].as_str().unwrap().parse::<Address>().unwrap(), signer.address());
    assert_eq!(s["balance"], "1");
    std::fs::write(env.dir.path().join("pw"), "wrong\n").unwrap();
    let out = env
        .command(
            None,
            &[
                "--keystore",
                ks.to_str().unwrap(),
                "--password-file",
                env.dir.path().join("pw").to_str().unwrap(),
                "prover",
                "status",
            ],
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot decrypt the keystore"));
}

fn rand_core() -> impl alloy::signers::k256::elliptic_curve::rand_core::CryptoRng
+ alloy::signers::k256::elliptic_curve::rand_core::RngCore {
    alloy::signers::k256::elliptic_curve::rand_core::OsRng
}

// ------------------------------------------------------------------ agents

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_racing_agents_lead_to_one_payment() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(3).await;
    env.select_all(&provers).await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(9), "--fee", "10"]);
    let silent = key_of(&provers, post["prover"].as_str().unwrap());
    let racers: Vec<&Key> = provers.iter().filter(|k| k.addr != silent.addr).collect();
    // Stop one block before the race's last block. That block is in the reveal phase, where the
    // agents (which have not committed this epoch) have no epoch duty, so their only transactions
    // are the race submissions. With automine off both sit in the mempool and land in one block.
    let race_end = post["raceDeadline"].as_u64().unwrap();
    env.mine_to(race_end - 1).await;
    let claim_before: Vec<Value> =
        racers.iter().map(|k| env.ok(Some(k), &["prover", "status"])).collect();
    let mut nonces_before = Vec::new();
    for k in &racers {
        nonces_before.push(env.nonce(k.addr).await);
    }
    env.provider.anvil_set_auto_mine(false).await.unwrap();
    let _a = AgentProc::start(&env, racers[0], &[]);
    let _b = AgentProc::start(&env, racers[1], &[]);
    let pending = || async {
        let s: Value = env.provider.raw_request("txpool_status".into(), ()).await.unwrap();
        u64::from_str_radix(s["pending"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
    };
    wait_for("a race submission", Duration::from_secs(60), || async { pending().await >= 1 }).await;
    // Give the second agent a bounded chance to submit too, so both compete for the same block.
    let start = Instant::now();
    while pending().await < 2 && start.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let contenders = pending().await;
    env.provider.anvil_mine(Some(1), None).await.unwrap();
    env.provider.anvil_set_auto_mine(true).await.unwrap();
    let net = env.network();
    wait_for("the batch to be proven", Duration::from_secs(60), || async {
        net.batchOf(U256::from(1)).call().await.unwrap().status == 4
    })
    .await;
    // Give the loser time to (wrongly) submit again, then check exactly one payment.
    env.provider.anvil_mine(Some(3), None).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let events = env.proven_events(1).await;
    assert_eq!(events.len(), 1, "exactly one BatchProven");
    assert!(events[0].rescued);
    let paid: Vec<bool> = racers
        .iter()
        .zip(&claim_before)
        .map(|(k, before)| {
            env.ok(Some(k), &["prover", "status"])["claimable"] != before["claimable"]
        })
        .collect();
    assert_eq!(paid.iter().filter(|p| **p).count(), 1, "exactly one racer credited: {paid:?}");
    // Each agent sent at most one transaction (its race submission), never a retry: the loser's
    // either reverted on chain in the shared block or was never sent because its simulation
    // already saw the winner's.
    for (k, before) in racers.iter().zip(&nonces_before) {
        let sent = env.nonce(k.addr).await - before;
        assert!(sent <= 1, "{} sent {sent} transactions", k.addr);
    }
    let total: u64 = {
        let mut t = 0;
        for (k, before) in racers.iter().zip(&nonces_before) {
            t += env.nonce(k.addr).await - before;
        }
        t
    };
    assert!(total >= contenders.min(2) && total >= 1, "{total} sent, {contenders} were pending");
    eprintln!("race contenders in one block: {contenders}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_resumes_after_kill_between_commit_and_reveal() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let epoch = env.next_epoch_start().await;
    let net = env.network();
    let mut agent = AgentProc::start(&env, p, &[]);
    wait_for("the agent to commit", Duration::from_secs(60), || async {
        let a = net.accountOf(p.addr).call().await.unwrap();
        u64::from(a.commitEpoch) == epoch && !a.commitHash.is_zero()
    })
    .await;
    agent.kill();
    let secret = env.data_dir(p).join("secrets");
    assert!(secret.exists(), "the secret was persisted before the commit");
    let reveal_from = env.epoch()["phaseEndsAt"].as_u64().unwrap();
    env.mine_to(reveal_from).await;
    let _agent = AgentProc::start(&env, p, &[]);
    wait_for("the restarted agent to reveal", Duration::from_secs(60), || async {
        let a = net.accountOf(p.addr).call().await.unwrap();
        a.commitHash.is_zero()
            && net.rollOf(U256::from(epoch)).call().await.unwrap().count == U256::from(1)
    })
    .await;
    let a = net.accountOf(p.addr).call().await.unwrap();
    assert_eq!(u64::from(a.commitEpoch), epoch, "no second commitment");
    assert_eq!(
        U256::from(a.stake),
        U256::from(1000u64) * U256::from(10u64).pow(U256::from(18)),
        "not penalised"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_rides_through_an_rpc_restart() {
    let mut env = Env::start().await;
    // Swap in an anvil that persists its state, so it can be restarted on the same port.
    let state = env.dir.path().join("anvil-state.json");
    let state_arg = state.to_str().unwrap().to_string();
    let port = env.anvil.port;
    env.anvil.kill();
    env.anvil = Anvil::spawn_with(Some(port), None, &["--state", &state_arg]).unwrap();
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let epoch = env.next_epoch_start().await;
    let net = env.network();
    let agent = AgentProc::start(&env, p, &[]);
    wait_for("the agent to commit", Duration::from_secs(60), || async {
        let a = net.accountOf(p.addr).call().await.unwrap();
        u64::from(a.commitEpoch) == epoch && !a.commitHash.is_zero()
    })
    .await;

    // The endpoint goes away; the agent notices and keeps retrying.
    env.anvil.terminate();
    let log = agent.1.clone();
    wait_for("the agent to notice the outage", Duration::from_secs(30), || async {
        // Either a tick fails or, if the outage hit while it awaited a receipt, that wait retries.
        std::fs::read_to_string(&log).unwrap_or_default().contains("; retrying")
    })
    .await;

    // It comes back (same port, same state); the agent carries on and reveals.
    let mut back = None;
    for _ in 0..50 {
        match Anvil::spawn_with(Some(port), None, &["--state", &state_arg]) {
            Ok(a) => {
                back = Some(a);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    env.anvil = back.expect("anvil restarts on the same port");
    let a = net.accountOf(p.addr).call().await.unwrap();
    assert!(!a.commitHash.is_zero(), "the restarted chain kept the commitment");
    let reveal_from = env.epoch()["phaseEndsAt"].as_u64().unwrap();
    env.mine_to(reveal_from).await;
    wait_for("the agent to reveal after the restart", Duration::from_secs(60), || async {
        net.accountOf(p.addr).call().await.map(|a| a.commitHash.is_zero()).unwrap_or(false)
    })
    .await;
    // The agent (not someone else) revealed: it says so once its receipt arrives.
    wait_for("the agent to log its reveal", Duration::from_secs(60), || async {
        std::fs::read_to_string(&log).unwrap_or_default().contains("revealed")
    })
    .await;
}

// ------------------------------------------------------------------ real Groth16 proofs

/// Deploys with the Groth16 verifier, registers two provers and selects them.
async fn groth16_env() -> (Env, Key, Vec<Key>) {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with(2, "groth16").await;
    env.select_all(&provers).await;
    (env, owner, provers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_proof_is_paid_and_bound_to_its_prover() {
    let (env, owner, provers) = groth16_env().await;

    // Batch 1 from a data file: the commitment is the data's Poseidon hash and the data is stored
    // where provers look for it.
    let data = b"rollup batch #1: a few transactions".to_vec();
    let file = env.dir.path().join("batch1.bin");
    std::fs::write(&file, &data).unwrap();
    let post =
        env.ok(Some(&owner), &["batch", "post", "--data", file.to_str().unwrap(), "--fee", "10"]);
    let c = provernet_zk::batch_commitment(&data).unwrap();
    assert_eq!(post["commitment"], format!("{c}"));
    assert_eq!(std::fs::read(post["batchData"].as_str().unwrap()).unwrap(), data);
    let a = key_of(&provers, post["prover"].as_str().unwrap());
    let proved = env.ok(Some(a), &["batch", "prove", "1"]);
    assert_eq!(proved["route"], "assigned");
    assert_eq!(proved["proofBackend"], "groth16");
    assert_eq!(proved["payout"], "10");
    assert_eq!(proved["proof"].as_str().unwrap().len(), 2 + 2 * provernet_zk::PROOF_BYTES);
    assert_eq!(env.ok(None, &["batch", "status", "1"])["status"], "Proven");

    // Batch 2: its prover makes a real proof but does not send it; the window passes, the other
    // prover slashes it and then tries the same proof bytes in the race: the proof is bound to
    // the prover it was made for, so the verifier says no and nothing changes.
    let post = env.ok(
        Some(&owner),
        &["batch", "post", "--data-hex", "0x0102030405060708090a", "--fee", "20"],
    );
    let x = key_of(&provers, post["prover"].as_str().unwrap());
    let y = provers.iter().find(|k| k.addr != x.addr).unwrap();
    let made = env.ok(Some(x), &["batch", "prove", "2", "--no-send"]);
    assert_eq!(made["sent"], false);
    let stolen = made["proof"].as_str().unwrap().to_string();
    env.mine_to(post["provingDeadline"].as_u64().unwrap()).await;
    env.ok(Some(y), &["batch", "timeout", "2"]);
    rejected(
        &env,
        y,
        &["batch", "prove", "2", "--proof", &stolen],
        "InvalidProof(firstBatchId: 2, count: 1)",
    )
    .await;
    // Malformed bytes: the verifier's own custom errors, decoded, and no state change.
    rejected(
        &env,
        y,
        &["batch", "prove", "2", "--proof", "0x1234"],
        "ProofLengthInvalid(length: 2, expected: 256)",
    )
    .await;
    let junk = format!("0x{}", "ff".repeat(256));
    rejected(&env, y, &["batch", "prove", "2", "--proof", &junk], "ProofCoordinateNotInField")
        .await;
    assert_eq!(env.ok(None, &["batch", "status", "2"])["status"], "Racing");
    // Its own real proof wins the race.
    let won = env.ok(Some(y), &["batch", "prove", "2"]);
    assert_eq!(won["route"], "race");
    assert_eq!(won["proofBackend"], "groth16");
    assert_eq!(env.proven_events(2).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unprovable_batches_are_refused_before_sending() {
    let (env, owner, provers) = groth16_env().await;
    // A commitment >= r could never be proven: refused, nothing sent.
    let r = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
    for c in [r.to_string(), format!("0x{}", "ff".repeat(32))] {
        rejected(
            &env,
            &owner,
            &["batch", "post", "--commitment", &c, "--fee", "10"],
            "BN254 scalar field modulus",
        )
        .await;
    }
    // Data over the circuit's limit.
    let big = format!("0x{}", "ab".repeat(provernet_zk::MAX_BATCH_BYTES + 1));
    rejected(
        &env,
        &owner,
        &["batch", "post", "--data-hex", &big, "--fee", "10"],
        "at most 930 bytes",
    )
    .await;
    // A bare commitment below r posts, but without its data no real proof can be made: the prover
    // is told where the data should be, and nothing is sent.
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(7), "--fee", "10"]);
    let a = key_of(&provers, post["prover"].as_str().unwrap());
    rejected(&env, a, &["batch", "prove", "1"], "no batch data for commitment").await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_proves_runs_of_batches_with_real_proofs() {
    let env = Env::start().await;
    // A longer window: the agent's own commit (a block under automine) must not close it before
    // it gets to the batches, or the run would be split by the deadline rather than by plan_proofs.
    std::fs::write(
        env.dir.path().join("params.json"),
        PARAMS
            .replace(r#""provingWindow": 5"#, r#""provingWindow": 30"#)
            .replace(r#""unbondingDelay": 50"#, r#""unbondingDelay": 100"#),
    )
    .unwrap();
    let (owner, provers) = env.deploy_with(1, "groth16").await;
    env.select_all(&provers).await;
    // Three consecutive batches for the only prover: the agent splits them 2 + 1 (plan_proofs)
    // and proves both in one parallel round.
    for i in 0..3u8 {
        let post = env.ok(
            Some(&owner),
            &["batch", "post", "--data-hex", &format!("0x{:02x}{:02x}", i, i + 1), "--fee", "10"],
        );
        assert_eq!(post["prover"].as_str().unwrap().parse::<Address>().unwrap(), provers[0].addr);
    }
    let agent = AgentProc::start(&env, &provers[0], &[]);
    wait_for("the agent to prove batches 1..3", Duration::from_secs(60), || async {
        let mut all = true;
        for id in 1..=3 {
            all &= !env.proven_events(id).await.is_empty();
        }
        all
    })
    .await;
    // The chain can show the last proof before the agent has logged it: wait for the log line.
    let path = agent.1.clone();
    let logged = || strip_ansi(&std::fs::read_to_string(&path).unwrap());
    wait_for("the agent's log of the second proof", Duration::from_secs(10), || async {
        logged().contains("first=3 count=1")
    })
    .await;
    let log = logged();
    assert!(log.contains("proofs=2 batches=3"), "{log}");
    assert!(log.contains("backend=\"groth16\""), "{log}");
    assert!(log.contains("first=1 count=2") && log.contains("first=3 count=1"), "{log}");
}

#[test]
fn sim_subcommand_runs_the_tiny_scenario() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(BIN)
        .current_dir(&root)
        .args(["sim", "run", "--scenario", "scenarios/tiny.toml", "--quiet", "--out"])
        .arg(out.path())
        .output()
        .expect("provernet runs");
    assert!(run.status.success(), "sim run failed: {}", String::from_utf8_lossy(&run.stderr));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap())
            .unwrap();
    assert!(summary.is_object(), "{summary}");
    assert!(String::from_utf8_lossy(&run.stdout).contains("tiny"));
}

/// `provernet fuzz` is the harness behind the CLI: a short campaign on the real bytecode finishes
/// clean, `--json` (the CLI's global flag) gives one machine-readable report, and bad arguments exit
/// non-zero with a message.
#[test]
fn fuzz_subcommand_runs_a_clean_campaign() {
    let dir = tempfile::tempdir().unwrap();
    let run = Command::new(BIN)
        .current_dir(dir.path())
        .args(["--json", "fuzz", "--seed", "7", "--actions", "3000"])
        .output()
        .expect("provernet runs");
    assert!(run.status.success(), "fuzz failed: {}", String::from_utf8_lossy(&run.stderr));
    let report: Value = serde_json::from_slice(&run.stdout).expect("one JSON report on stdout");
    assert!(report.is_object(), "{report}");
    let text = report.to_string();
    assert!(text.contains("violation"), "the report says whether an invariant broke: {text}");

    let bad = Command::new(BIN)
        .current_dir(dir.path())
        .args(["fuzz", "--provers", "2", "--actions", "10"])
        .output()
        .expect("provernet runs");
    assert!(!bad.status.success(), "too few provers must be refused");
    assert!(!String::from_utf8_lossy(&bad.stderr).is_empty());
}

/// The log without terminal colour codes.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
