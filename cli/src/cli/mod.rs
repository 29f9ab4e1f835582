//! The `provernet` command line: argument parsing and dispatch. One module per command group;
//! each is a thin shell over the library API, so adding a group (e.g. `fuzz`, `sim`) is one enum
//! variant and one module.

mod batch;
mod deploy;
mod devnet;
mod epoch;
mod keys;
mod prover;
mod token;

use std::{path::PathBuf, process::ExitCode, str::FromStr, time::Duration};

use alloy::primitives::Address;
use clap::{Args, Parser, Subcommand};
use eyre::Result;
use tokio::sync::watch;

use crate::{
    chain::{Chain, Net, load_signer},
    output::Report,
    secrets::{SecretStore, default_data_dir},
};

/// The provernet command line.
#[derive(Debug, Parser)]
#[command(
    name = "provernet",
    version,
    about = "Operate a provernet prover network: deploy, stake, commit-reveal, post and prove batches, run a prover agent or a local devnet"
)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command, in the conventions of cast.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// JSON-RPC endpoint.
    #[arg(long, global = true, env = "ETH_RPC_URL", default_value = "http://127.0.0.1:8545")]
    pub rpc_url: String,
    /// Raw private key of the signer (hex). Prefer the env var or a keystore over the command line.
    #[arg(
        long,
        global = true,
        env = "PROVERNET_PRIVATE_KEY",
        hide_env_values = true,
        value_name = "HEX"
    )]
    pub private_key: Option<Secret>,
    /// Encrypted JSON keystore of the signer (as geth and cast write them).
    #[arg(long, global = true, value_name = "PATH", conflicts_with = "private_key")]
    pub keystore: Option<PathBuf>,
    /// File holding the keystore's password.
    #[arg(long, global = true, value_name = "FILE", requires = "keystore")]
    pub password_file: Option<PathBuf>,
    /// Deployment file [default: deployments/<chain-id>.json].
    #[arg(long, global = true, value_name = "FILE")]
    pub deployment: Option<PathBuf>,
    /// Where commit secrets and devnet files live [default: ~/.provernet].
    #[arg(long, global = true, env = "PROVERNET_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Groth16 proving keys (from `provernet keys setup`) [default: the default dev ceremony's,
    /// generated once into <data-dir>/keys/default].
    #[arg(long, global = true, env = "PROVERNET_KEYS", value_name = "DIR")]
    pub keys: Option<PathBuf>,
    /// Batch-data directory: `<DIR>/<chain-id>/<network>/<commitment>.bin`, written by
    /// `batch post --data`, read by provers [default: <data-dir>/batches].
    #[arg(long, global = true, env = "PROVERNET_BATCH_DATA", value_name = "DIR")]
    pub batch_data: Option<PathBuf>,
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    pub json: bool,
    /// Seconds to wait for a transaction receipt.
    #[arg(long, global = true, default_value_t = 60, value_name = "SECS")]
    pub tx_timeout: u64,
}

/// A secret string whose Debug output is redacted, so it never reaches logs.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Deploy the network (and a test token on a dev chain) and write the deployment file.
    Deploy(deploy::DeployArgs),
    /// The test staking token.
    #[command(subcommand)]
    Token(token::TokenCmd),
    /// Prover staking, status and the long-running agent.
    #[command(subcommand)]
    Prover(prover::ProverCmd),
    /// Epoch status and commit-reveal.
    #[command(subcommand)]
    Epoch(epoch::EpochCmd),
    /// Post, inspect, prove and time out batches.
    #[command(subcommand)]
    Batch(batch::BatchCmd),
    /// Run a live local network: anvil, N provers (K flaky) and a batch source.
    Devnet(devnet::DevnetArgs),
    /// Groth16 proving keys: the (INSECURE) development key ceremony.
    #[command(subcommand)]
    Keys(keys::KeysCmd),
    /// Agent-based simulation of the mechanism (scenarios, sweeps, benchmarks).
    #[command(subcommand)]
    Sim(provernet_sim::cli::SimCommand),
    /// Stateful fuzzing of the real contract bytecode in revm with adversarial provers.
    Fuzz(provernet_harness::FuzzArgs),
}

/// Parses an address with a message that says what is expected.
pub fn parse_address(s: &str) -> Result<Address, String> {
    let t = s.trim();
    let hex = t.strip_prefix("0x").unwrap_or(t);
    if hex.len() != 40 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("{t:?} is not an address: expected 0x followed by 40 hex digits"));
    }
    Address::from_str(t).map_err(|e| format!("{t:?} is not a valid address: {e}"))
}

/// Parses a batch id.
pub fn parse_batch_id(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(0) => Err("batch ids start at 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{s:?} is not a batch id: expected a positive integer")),
    }
}

impl GlobalArgs {
    /// Connects with the configured signer (if any).
    pub async fn chain(&self) -> Result<Chain> {
        let signer = load_signer(
            self.private_key.as_ref().map(|s| s.0.as_str()),
            self.keystore.as_deref(),
            self.password_file.as_deref(),
        )?;
        Chain::connect(&self.rpc_url, signer, Duration::from_secs(self.tx_timeout)).await
    }

    /// Connects and opens the deployment.
    pub async fn net(&self) -> Result<Net> {
        let chain = self.chain().await?;
        Net::open(chain, self.deployment.as_deref()).await
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(default_data_dir)
    }

    /// Where keys and batch data are found.
    pub fn proving(&self) -> crate::proof::ProvingSetup {
        crate::proof::ProvingSetup {
            keys_dir: self.keys.clone(),
            data_dir: self.data_dir(),
            batch_data: self.batch_data.clone().unwrap_or_else(|| self.data_dir().join("batches")),
        }
    }

    /// The secret store under the data directory.
    pub fn secrets(&self) -> SecretStore {
        SecretStore::new(&self.data_dir())
    }
}

/// A watch channel that turns true on Ctrl-C or SIGTERM.
pub fn shutdown_signal() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        let _ = tx.send(true);
    });
    rx
}

fn init_logging(default: &str, file: Option<PathBuf>) {
    use tracing_subscriber::EnvFilter;
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // arkworks opens an INFO span per constraint gadget (targets "gr1cs" and "r1cs"): recorded,
    // they slow Groth16 setup and proving tenfold and take gigabytes. Always off.
    for quiet in ["gr1cs=off", "r1cs=off"] {
        filter = filter.add_directive(quiet.parse().expect("static directive"));
    }
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    match file.and_then(|p| std::fs::File::create(p).ok()) {
        Some(f) => {
            let _ = builder.with_ansi(false).with_writer(std::sync::Mutex::new(f)).try_init();
        }
        None => {
            let _ = builder.with_writer(std::io::stderr).try_init();
        }
    }
}

/// Parses the command line, runs the command and maps errors to a non-zero exit.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // The simulator is synchronous (it parallelises with its own threads) and has its own exit
    // codes and output: run it outside the async runtime.
    if let Command::Sim(cmd) = cli.command {
        return match provernet_sim::cli::run(cmd) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    // The fuzzer is synchronous too, in-process revm with its own report and exit code (1 on a
    // violation).
    if let Command::Fuzz(args) = &cli.command {
        let mut args = args.clone();
        args.json |= cli.global.json;
        return match provernet_harness::run(&args) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let json = cli.global.json;
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(Some(report)) => {
            report.print(json);
            ExitCode::SUCCESS
        }
        Ok(None) => ExitCode::SUCCESS,
        Err(e) => {
            let mut msg = e.to_string();
            for cause in e.chain().skip(1) {
                msg += &format!("\n  caused by: {cause}");
            }
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "error": e.to_string(), "causes": e.chain().skip(1).map(|c| c.to_string()).collect::<Vec<_>>() })
                );
            }
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one parsed command.
pub async fn run(cli: Cli) -> Result<Option<Report>> {
    let g = cli.global;
    match cli.command {
        Command::Prover(prover::ProverCmd::Run(args)) => {
            init_logging("info", None);
            prover::run_agent(&g, args).await.map(|()| None)
        }
        Command::Devnet(args) => {
            let log = devnet::log_file(&g, &args);
            init_logging("info", log);
            devnet::run(&g, args).await.map(Some)
        }
        other => {
            init_logging("warn", None);
            match other {
                Command::Deploy(a) => deploy::run(&g, a).await.map(Some),
                Command::Token(c) => token::run(&g, c).await.map(Some),
                Command::Prover(c) => prover::run(&g, c).await.map(Some),
                Command::Epoch(c) => epoch::run(&g, c).await.map(Some),
                Command::Batch(c) => batch::run(&g, c).await.map(Some),
                Command::Keys(c) => keys::run(&g, c).await.map(Some),
                Command::Devnet(_) | Command::Sim(_) | Command::Fuzz(_) => {
                    unreachable!("handled above")
                }
            }
        }
    }
}
