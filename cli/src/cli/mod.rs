//! The `provernet` command line: argument parsing and dispatch. One module per command group;
//! each is a thin shell over the library API, so adding a group (e.g. `fuzz`, `sim`) is one enum
//! variant and one module.

mod abi;
mod batch;
mod deploy;
mod devnet;
mod epoch;
mod global;
mod keys;
mod pool;
mod prover;
mod token;
mod worker;

use std::{io::IsTerminal, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use eyre::Result;
use tokio::sync::watch;

pub use global::{GlobalArgs, Secret, TxArgs, parse_address, parse_batch_id};

use crate::{
    exit::{self, Code, DryRun},
    output::{Printed, Report, emit},
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
    /// Liquid proving pools: create, deposit, request-withdraw, claim, status, list.
    #[command(subcommand)]
    Pool(pool::PoolCmd),
    /// Post, inspect, prove and time out batches.
    #[command(subcommand)]
    Batch(batch::BatchCmd),
    /// A worker of a fleet: takes jobs from the queue, proves the proof jobs the agents fill
    /// (`prover run --queue URL`) and runs the cells of `sim sweep --queue URL`.
    Worker(worker::WorkerArgs),
    /// Run a live local network: anvil, N provers (K flaky) and a batch source.
    Devnet(devnet::DevnetArgs),
    /// Groth16 proving keys: the (INSECURE) development key ceremony.
    #[command(subcommand)]
    Keys(keys::KeysCmd),
    /// The contracts' ABIs, for offline error decoding with cast and forge.
    #[command(subcommand)]
    Abi(abi::AbiCmd),
    /// Agent-based simulation of the mechanism (scenarios, sweeps, benchmarks).
    #[command(subcommand)]
    Sim(provernet_sim::cli::SimCommand),
    /// Stateful fuzzing of the real contract bytecode in revm with adversarial provers.
    Fuzz(provernet_harness::FuzzArgs),
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

/// Whether log lines may carry colour: on a terminal, without `NO_COLOR`, and never with `--json`.
fn colour(json: bool) -> bool {
    !json
        && std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn init_logging(default: &str, file: Option<PathBuf>, json: bool) {
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
            let _ = builder.with_ansi(colour(json)).with_writer(std::io::stderr).try_init();
        }
    }
}

/// Parses the command line: malformed command lines exit [`Code::Usage`], a malformed value (an
/// address, a batch id) [`Code::Input`]; `--help` and `--version` print and exit 0.
fn parse() -> Result<Cli, ExitCode> {
    use clap::error::ErrorKind;
    let parsed = global::command()
        .try_get_matches()
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    match parsed {
        Ok(cli) => Ok(cli),
        Err(e) => {
            let code = match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Code::Ok,
                ErrorKind::ValueValidation | ErrorKind::InvalidValue => Code::Input,
                _ => Code::Usage,
            };
            // DisplayHelpOnMissingArgumentOrSubcommand is a usage error that prints the help.
            let code = if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                Code::Usage
            } else {
                code
            };
            let _ = e.print();
            // With --json, failures are one JSON document on stdout, parse errors included.
            if code != Code::Ok && std::env::args().any(|a| a == "--json") {
                let doc = serde_json::json!({
                    "error": e.kind().as_str().unwrap_or("invalid command line"),
                    "causes": [e.render().to_string().trim()],
                    "kind": code,
                    "exitCode": code.status(),
                });
                let _ = emit(&doc.to_string());
            }
            Err(code.into())
        }
    }
}

/// Parses the command line, runs the command and maps errors to their exit code
/// ([`crate::exit`]).
pub fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    // The simulator is synchronous (it parallelises with its own threads) and has its own exit
    // codes and output: run it outside the async runtime.
    if let Command::Sim(cmd) = cli.command {
        let over_queue = |url: &str| -> Result<Box<dyn provernet_sim::cell::CellRunner>> {
            Ok(Box::new(crate::sweep_cells::QueueCells::new(url)))
        };
        return match provernet_sim::cli::run_with(cmd, Some(&over_queue)) {
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
    let outcome = rt.block_on(run(cli));
    let code = match outcome {
        Ok(Some(report)) => match report.print(json) {
            Printed::Done => Code::Ok,
            Printed::ClosedPipe => Code::ClosedPipe,
        },
        Ok(None) => Code::Ok,
        Err(e) => report_error(&e, json),
    };
    // Do not wait for tasks still blocked (e.g. on a receipt) after an interrupt.
    rt.shutdown_background();
    code.into()
}

/// Prints an error (and, with `--json`, its JSON form on stdout) and returns its exit code. A
/// dry run ends in a [`DryRun`], which is the command's report, not an error.
fn report_error(e: &eyre::Report, json: bool) -> Code {
    if let Some(d) = e.chain().find_map(|c| c.downcast_ref::<DryRun>()) {
        let report = Report::new(
            format!(
                "{d}\n  to        {}\n  calldata  {}",
                d.to.map_or("(contract creation)".to_string(), |a| a.to_string()),
                d.calldata
            ),
            serde_json::json!({ "dryRun": true, "sent": false, "action": d.what, "to": d.to,
                                "calldata": d.calldata, "gasEstimate": d.gas, "simulation": "ok" }),
        );
        return match report.print(json) {
            Printed::Done => Code::Ok,
            Printed::ClosedPipe => Code::ClosedPipe,
        };
    }
    let code = exit::code_of(e);
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        msg += &format!("\n  caused by: {cause}");
    }
    if json {
        let doc = serde_json::json!({
            "error": e.to_string(),
            "causes": e.chain().skip(1).map(|c| c.to_string()).collect::<Vec<_>>(),
            "kind": code,
            "exitCode": code.status(),
        });
        let _ = emit(&doc.to_string());
    }
    eprintln!("error: {msg}");
    code
}

/// Runs one parsed command. One-shot commands stop on Ctrl-C or SIGTERM with
/// [`Code::Interrupted`] (any transaction already sent had its hash printed); the agent and the
/// devnet handle those signals themselves and stop cleanly.
pub async fn run(cli: Cli) -> Result<Option<Report>> {
    let g = cli.global;
    match cli.command {
        Command::Prover(prover::ProverCmd::Run(args)) => {
            init_logging("info", None, g.json);
            prover::run_agent(&g, args).await.map(|()| None)
        }
        Command::Worker(args) => {
            init_logging("info", None, g.json);
            worker::run(&g, args).await.map(|()| None)
        }
        Command::Devnet(args) => {
            let log = devnet::log_file(&g, &args);
            init_logging("info", log, g.json);
            devnet::run(&g, args).await.map(Some)
        }
        other => {
            init_logging("warn", None, g.json);
            let mut stop = shutdown_signal();
            let work = async {
                match other {
                    Command::Deploy(a) => deploy::run(&g, a).await,
                    Command::Token(c) => token::run(&g, c).await,
                    Command::Prover(c) => prover::run(&g, c).await,
                    Command::Epoch(c) => epoch::run(&g, c).await,
                    Command::Pool(c) => pool::run(&g, c).await,
                    Command::Batch(c) => batch::run(&g, c).await,
                    Command::Keys(c) => keys::run(&g, c).await,
                    Command::Abi(c) => abi::run(&g, c),
                    Command::Devnet(_)
                    | Command::Worker(_)
                    | Command::Sim(_)
                    | Command::Fuzz(_) => {
                        unreachable!("handled above")
                    }
                }
            };
            tokio::select! {
                r = work => r.map(Some),
                _ = stop.wait_for(|s| *s) => Err(exit::err(
                    Code::Interrupted,
                    "interrupted. A transaction whose hash was printed above may still be mined: check it \
                     with `cast receipt HASH`; rerunning refuses to send a duplicate while it is pending",
                )),
            }
        }
    }
}
