//! `provernet devnet`.

use std::{path::PathBuf, time::Duration};

use clap::Args;
use eyre::Result;

use super::{GlobalArgs, shutdown_signal};
use crate::{
    devnet::{DevnetConfig, run as run_devnet},
    ops::deploy::VerifierKind,
    output::Report,
};

/// Arguments of `devnet`.
#[derive(Debug, Args)]
pub struct DevnetArgs {
    /// Number of prover agents.
    #[arg(long, default_value_t = 5)]
    pub provers: usize,
    /// How many of them are flaky (go offline and miss windows).
    #[arg(long, default_value_t = 1)]
    pub faulty: usize,
    /// Stop after this many seconds [default: run until Ctrl-C].
    #[arg(long, value_name = "SECS")]
    pub duration: Option<u64>,
    /// Seconds per block.
    #[arg(long, default_value_t = 1)]
    pub block_time: u64,
    /// anvil port [default: 8545 if free, else any free port].
    #[arg(long)]
    pub port: Option<u16>,
    /// Post a batch every this many blocks.
    #[arg(long, default_value_t = 2)]
    pub post_every: u64,
    /// Fee per batch in tokens.
    #[arg(long, default_value = "10")]
    pub fee: String,
    /// Print a status line every few seconds instead of the full-screen view.
    #[arg(long)]
    pub plain: bool,
    /// Verifier: `groth16` (real proofs over random batch data) or `insecure-dev` (hash proofs).
    #[arg(long, value_enum, default_value_t = VerifierKind::Groth16)]
    pub verifier: VerifierKind,
}

/// Where devnet logs go while the full-screen view owns the terminal.
pub(super) fn log_file(g: &GlobalArgs, a: &DevnetArgs) -> Option<PathBuf> {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() && !a.plain && !g.json {
        let dir = g.data_dir().join("devnet");
        std::fs::create_dir_all(&dir).ok()?;
        Some(dir.join("devnet.log"))
    } else {
        None
    }
}

pub(super) async fn run(g: &GlobalArgs, a: DevnetArgs) -> Result<Report> {
    crate::amount::parse_amount(&a.fee, 18)?;
    let cfg = DevnetConfig {
        provers: a.provers,
        faulty: a.faulty,
        duration: a.duration.map(Duration::from_secs),
        block_time: a.block_time,
        port: a.port,
        post_every: a.post_every.max(1),
        fee: a.fee,
        data_dir: g.data_dir(),
        plain: a.plain || g.json,
        verifier: a.verifier,
        proving: g.proving(),
    };
    let (summary, text) = run_devnet(cfg, shutdown_signal()).await?;
    Ok(Report::new(text, serde_json::to_value(&summary)?))
}
