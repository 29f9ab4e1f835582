//! `provernet devnet`.

use std::{io::IsTerminal, path::PathBuf, time::Duration};

use clap::Args;
use eyre::Result;

use super::{GlobalArgs, shutdown_signal};
use crate::{
    devnet::{DevnetConfig, Progress, run as run_devnet},
    ops::deploy::VerifierKind,
    output::Report,
};

/// Arguments of `devnet`.
#[derive(Debug, Args)]
pub struct DevnetArgs {
    /// Number of prover agents.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
    pub provers: u16,
    /// How many of them are flaky (go offline and miss windows).
    #[arg(long, default_value_t = 1)]
    pub faulty: u16,
    /// Stop after this many seconds [default: run until Ctrl-C].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub duration: Option<u64>,
    /// Seconds per block.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub block_time: u64,
    /// anvil port [default: 8545 if free, else any free port].
    #[arg(long)]
    pub port: Option<u16>,
    /// Post a batch every this many blocks.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..))]
    pub post_every: u64,
    /// Fee per batch in tokens.
    #[arg(long, default_value = "10")]
    pub fee: String,
    /// Print each event, and every 5 s one line for the network and one per prover, instead of
    /// the full-screen view (the default when stdout is not a terminal; on stderr with --json).
    #[arg(long)]
    pub plain: bool,
    /// Verifier: `groth16` (real proofs over random batch data) or `insecure-dev` (hash proofs).
    #[arg(long, value_enum, default_value_t = VerifierKind::Groth16)]
    pub verifier: VerifierKind,
    /// Prove through a job queue with this many workers: starts its own `nats-server` (installed
    /// by `make queue-server`, found through PROVERNET_NATS_SERVER) [default: 0, each agent
    /// proves in-process].
    #[arg(long, default_value_t = 0)]
    pub workers: usize,
}

fn progress(g: &GlobalArgs, a: &DevnetArgs) -> Progress {
    Progress::choose(std::io::stdout().is_terminal(), a.plain, g.json)
}

/// Where devnet logs go while the full-screen view owns the terminal.
pub(super) fn log_file(g: &GlobalArgs, a: &DevnetArgs) -> Option<PathBuf> {
    if !matches!(progress(g, a), Progress::Live { .. }) {
        return None;
    }
    let dir = g.data_dir().join("devnet");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("devnet.log"))
}

pub(super) async fn run(g: &GlobalArgs, a: DevnetArgs) -> Result<Report> {
    crate::amount::parse_amount(&a.fee, 18)?;
    let cfg = DevnetConfig {
        provers: usize::from(a.provers),
        faulty: usize::from(a.faulty),
        duration: a.duration.map(Duration::from_secs),
        block_time: a.block_time,
        port: a.port,
        post_every: a.post_every,
        progress: progress(g, &a),
        log_file: log_file(g, &a),
        fee: a.fee,
        data_dir: g.data_dir(),
        verifier: a.verifier,
        proving: g.proving(),
        workers: a.workers,
    };
    let (summary, text) = run_devnet(cfg, shutdown_signal()).await?;
    Ok(Report::new(text, serde_json::to_value(&summary)?))
}
