//! Shared helpers of the end-to-end tests (one test file per command): each test starts its own
//! anvil (free port, automine, killed on drop) and drives the real `provernet` binary. Blocks are
//! mined on demand (`anvil_mine`) so epochs and windows pass in milliseconds; waits poll the chain
//! with a deadline instead of sleeping fixed times.
//!
//! Every test binary compiles this module and uses a different subset of it.
#![allow(dead_code, unused_imports, unreachable_pub)]

pub use std::{
    path::PathBuf,
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

pub use alloy::{
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder, ext::AnvilApi},
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
pub use provernet_bindings::ProverNetwork;
pub use provernet_cli::anvil::{Anvil, DEV_KEY_0};
pub use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_provernet");

/// Test parameters: epochs long enough that a few transactions (one block each under automine)
/// fit in a phase.
pub const PARAMS: &str = r#"{
  "commitBlocks": 10, "revealBlocks": 10,
  "minStake": "100", "maxWeightStake": "10000",
  "provingWindow": 5, "raceWindow": 5, "unbondingDelay": 60
}"#;

pub struct Env {
    pub anvil: Anvil,
    pub dir: tempfile::TempDir,
    pub provider: DynProvider,
}

pub struct Key {
    pub hex: String,
    pub addr: Address,
}

pub fn new_key() -> Key {
    let k = PrivateKeySigner::random();
    Key { hex: format!("{:#x}", k.to_bytes()), addr: k.address() }
}

pub fn deployer() -> Key {
    let k: PrivateKeySigner = DEV_KEY_0.parse().unwrap();
    Key { hex: DEV_KEY_0.to_string(), addr: k.address() }
}

impl Env {
    pub async fn start() -> Self {
        let anvil = Anvil::spawn(None, None).expect("anvil starts");
        let provider = ProviderBuilder::new().connect_http(anvil.url.parse().unwrap()).erased();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("params.json"), PARAMS).unwrap();
        Self { anvil, dir, provider }
    }

    pub fn deployment(&self) -> PathBuf {
        self.dir.path().join("deployment.json")
    }

    pub fn data_dir(&self, key: &Key) -> PathBuf {
        self.dir.path().join(format!("data-{:#x}", key.addr))
    }

    /// Runs `provernet --json <args>` as `key` and returns the output.
    pub fn run(&self, key: Option<&Key>, args: &[&str]) -> Output {
        let mut cmd = self.command(key, args);
        cmd.output().expect("provernet runs")
    }

    pub fn command(&self, key: Option<&Key>, args: &[&str]) -> Command {
        self.command_as(key, args, true)
    }

    /// `provernet [--json] --deployment .. --tx-timeout 30 [--data-dir ..] <args>` as `key`.
    pub fn command_as(&self, key: Option<&Key>, args: &[&str], json: bool) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.env_remove("PROVERNET_PRIVATE_KEY")
            .env_remove("ETH_KEYSTORE_ACCOUNT")
            .env("ETH_RPC_URL", &self.anvil.url)
            .env("RUST_LOG", "info");
        if json {
            cmd.arg("--json");
        }
        cmd.arg("--deployment").arg(self.deployment());
        if !args.contains(&"--tx-timeout") {
            cmd.arg("--tx-timeout").arg("30");
        }
        cmd
            // One batch-data directory for everyone, as a shared data-availability layer would be.
            .env("PROVERNET_BATCH_DATA", self.dir.path().join("batches"))
            .env("PROVERNET_KEYS", shared_keys());
        if let Some(k) = key {
            cmd.env("PROVERNET_PRIVATE_KEY", &k.hex).arg("--data-dir").arg(self.data_dir(k));
        }
        cmd.args(args);
        cmd
    }

    /// Runs without `--json`, expects success and returns the human report (stdout).
    pub fn human(&self, key: Option<&Key>, args: &[&str]) -> String {
        let out = self.command_as(key, args, false).output().expect("provernet runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "provernet {args:?} failed: {}\nstdout: {stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// Runs and expects success; returns the JSON report.
    pub fn ok(&self, key: Option<&Key>, args: &[&str]) -> Value {
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

    /// Runs and returns the exit status (None when killed by a signal), stdout and stderr.
    pub fn outcome(&self, key: Option<&Key>, args: &[&str]) -> (Option<i32>, String, String) {
        let out = self.run(key, args);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs and expects failure; returns stderr.
    pub fn fails(&self, key: Option<&Key>, args: &[&str]) -> String {
        let out = self.run(key, args);
        assert!(
            !out.status.success(),
            "provernet {args:?} should fail but printed {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    pub async fn block(&self) -> u64 {
        self.provider.get_block_number().await.unwrap()
    }

    /// Mines up to `block`. A live agent's transactions are mined as they arrive (automine), so
    /// one may land between reading the height and mining: the chain is then a block or more past
    /// `block`, never short of it.
    pub async fn mine_to(&self, block: u64) {
        let now = self.block().await;
        if block > now {
            self.provider.anvil_mine(Some(block - now), None).await.unwrap();
        }
        let reached = self.block().await;
        assert!(reached >= block.max(now), "mined to {reached}, short of {block}");
    }

    pub async fn fund(&self, key: &Key) {
        self.provider
            .anvil_set_balance(key.addr, U256::from(10u64).pow(U256::from(20)))
            .await
            .unwrap();
    }

    pub async fn nonce(&self, a: Address) -> u64 {
        self.provider.get_transaction_count(a).await.unwrap()
    }

    pub fn network(&self) -> ProverNetwork::ProverNetworkInstance<DynProvider> {
        let dep: Value =
            serde_json::from_str(&std::fs::read_to_string(self.deployment()).unwrap()).unwrap();
        ProverNetwork::new(dep["network"].as_str().unwrap().parse().unwrap(), self.provider.clone())
    }

    /// Deploys with the test params and the insecure dev verifier (fast hash proofs: most tests
    /// exercise the mechanism, not the proofs) and registers `n` funded provers with 1000 tokens
    /// each.
    pub async fn deploy_with_provers(&self, n: usize) -> (Key, Vec<Key>) {
        self.deploy_with(n, "insecure-dev").await
    }

    /// [`Self::deploy_with_provers`] with the given verifier.
    pub async fn deploy_with(&self, n: usize, verifier: &str) -> (Key, Vec<Key>) {
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
        // The owner posts the tests' batches: their fees are prepaid.
        let d = self.ok(Some(&owner), &["batch", "deposit-fees", "1000"]);
        assert_eq!(d["feeBalance"], "1000");
        (owner, provers)
    }

    pub fn epoch(&self) -> Value {
        self.ok(None, &["epoch", "status"])
    }

    /// Mines to the first block of the next epoch's commit phase.
    pub async fn next_epoch_start(&self) -> u64 {
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
    pub async fn select_all(&self, provers: &[Key]) -> u64 {
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
        assert_eq!(s["revealedThisEpoch"], provers.len());
        self.next_epoch_start().await;
        epoch
    }

    /// `who`'s prepaid fee balance, read from the chain (token units).
    pub async fn fee_balance(&self, who: Address) -> U256 {
        U256::from(self.network().sourceOf(who).call().await.unwrap().feeBalance)
    }

    /// Mines so that the next transaction lands in the first block of a slot (slots of
    /// `slot_blocks` blocks from the epoch start; epochs of 20 blocks).
    pub async fn next_slot_start(&self, slot_blocks: u64) -> u64 {
        let genesis = self.epoch()["genesisBlock"].as_u64().unwrap();
        let next = self.block().await + 1;
        let offset = (next - genesis) % 20;
        let mut first = next - offset % slot_blocks;
        if first < next {
            first += slot_blocks;
        }
        if (first - genesis) % 20 + slot_blocks > 20 {
            // The epoch's last slot is shorter: take the next epoch's first slot.
            first = genesis + ((first - genesis) / 20 + 1) * 20;
        }
        self.mine_to(first - 1).await;
        first
    }

    pub async fn proven_events(&self, batch: u64) -> Vec<ProverNetwork::BatchProven> {
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

/// The default dev ceremony's keys, made once with `provernet keys setup` and shared by every test
/// (through PROVERNET_KEYS) and every test binary: they live in the target's temp dir and are
/// reused while their id is still the one the bundled verifier embeds. A fresh set is made in a
/// scratch folder and renamed into place, so a half-written set is never reused.
pub fn shared_keys() -> PathBuf {
    static KEYS: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-keys");
        let want = provernet_cli::proof::default_keys_id();
        if provernet_zk::KeySet::load(&dir).is_ok_and(|k| k.keys_id() == want) {
            return dir;
        }
        let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("e2e-keys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        let out = Command::new(BIN)
            .args(["--json", "keys", "setup", "--out"])
            .arg(&scratch)
            .output()
            .expect("provernet runs");
        assert!(out.status.success(), "keys setup: {}", String::from_utf8_lossy(&out.stderr));
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["matchesBundledVerifier"], true);
        assert_eq!(r["keysId"], format!("{want}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::rename(&scratch, &dir).expect("keys move into place");
        dir
    })
    .clone()
}

pub fn key_of<'a>(provers: &'a [Key], addr: &str) -> &'a Key {
    let a: Address = addr.parse().unwrap();
    provers.iter().find(|k| k.addr == a).expect("assigned prover is one of ours")
}

pub fn commitment(n: u8) -> String {
    format!("0x{}", format!("{n:02x}").repeat(32))
}

pub async fn wait_for<F, Fut>(what: &str, limit: Duration, mut f: F)
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
pub struct AgentProc(pub Child, pub PathBuf);

impl AgentProc {
    pub fn start(env: &Env, key: &Key, extra: &[&str]) -> Self {
        let path = env.dir.path().join(format!("agent-{:#x}.log", key.addr));
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&path).unwrap();
        let mut args = vec!["prover", "run", "--poll-ms", "100", "--claim-every", "1000000"];
        args.extend_from_slice(extra);
        let mut cmd = env.command(Some(key), &args);
        cmd.stdout(Stdio::null()).stderr(log);
        Self(cmd.spawn().expect("agent starts"), path)
    }
    pub fn kill(&mut self) {
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

/// Asserts the command fails with `needle` in its message and that the signer sent nothing.
pub async fn rejected(env: &Env, key: &Key, args: &[&str], needle: &str) {
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

/// The documented exit statuses (docs/cli.md, `provernet_cli::exit::Code`).
pub mod code {
    pub const USAGE: i32 = 2;
    pub const INPUT: i32 = 3;
    pub const STATE: i32 = 4;
    pub const REVERT: i32 = 5;
    pub const CONNECTION: i32 = 6;
    pub const TIMEOUT: i32 = 7;
    pub const PENDING: i32 = 8;
    pub const INTERRUPTED: i32 = 130;
    pub const CLOSED_PIPE: i32 = 141;
}

/// [`rejected`] that also asserts the exit status, and that with `--json` stdout is one JSON
/// error document carrying that status. Returns stderr.
pub async fn refused_with(
    env: &Env,
    key: &Key,
    args: &[&str],
    status: i32,
    needle: &str,
) -> String {
    let nonce = env.nonce(key.addr).await;
    let block = env.block().await;
    let (code, stdout, stderr) = env.outcome(Some(key), args);
    assert_eq!(code, Some(status), "{args:?}: exit status; stderr: {stderr}");
    assert!(
        stderr.to_lowercase().contains(&needle.to_lowercase()),
        "{args:?}: expected {needle:?} in: {stderr}"
    );
    let doc: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{args:?}: stdout is not one JSON document ({e}): {stdout}"));
    assert_eq!(doc["exitCode"], status, "{doc}");
    assert_eq!(env.nonce(key.addr).await, nonce, "{args:?} sent a transaction");
    assert_eq!(env.block().await, block, "{args:?} mined a block");
    stderr
}

pub fn rand_core() -> impl alloy::signers::k256::elliptic_curve::rand_core::CryptoRng
+ alloy::signers::k256::elliptic_curve::rand_core::RngCore {
    alloy::signers::k256::elliptic_curve::rand_core::OsRng
}

/// Deploys with the Groth16 verifier, registers two provers and selects them.
pub async fn groth16_env() -> (Env, Key, Vec<Key>) {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with(2, "groth16").await;
    env.select_all(&provers).await;
    (env, owner, provers)
}

/// The log without terminal colour codes.
pub fn strip_ansi(text: &str) -> String {
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

/// A `nats-server -js` with its store in `store` (killed on drop): `$PROVERNET_NATS_SERVER`, else
/// the workspace's `.venv-nats` (`make queue-server`). A missing binary fails the test, never skips.
pub fn start_queue_server(store: &std::path::Path) -> provernet_fleet::NatsServer {
    let default = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv-nats/bin/nats-server");
    let env = provernet_fleet::SERVER_ENV;
    let bin = std::env::var_os(env).map(PathBuf::from).unwrap_or(default);
    assert!(
        bin.is_file(),
        "the queue server {} is missing: run `make queue-server` or set {env}; never skipped",
        bin.display()
    );
    std::fs::create_dir_all(store).unwrap();
    provernet_fleet::NatsServer::start(&bin, store).expect("nats-server starts")
}

/// A free local address for a metrics endpoint.
pub fn metrics_addr() -> String {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string()
}

/// `GET /metrics` (HTTP/1.0: unchunked, closed after the body); panics unless it answers 200.
pub fn scrape(addr: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("metrics endpoint answers");
    stream.write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    assert!(head.contains(" 200"), "{head}");
    body.to_owned()
}

/// The value of an unlabelled series in a scrape.
pub fn value_of(body: &str, series: &str) -> f64 {
    body.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("series {series} not in the scrape:\n{body}"))
        .trim()
        .parse()
        .unwrap()
}
