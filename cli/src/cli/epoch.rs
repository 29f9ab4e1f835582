//! `provernet epoch`.

use clap::Subcommand;
use eyre::Result;

use super::GlobalArgs;
use crate::{ops, output::Report};

/// Epoch commands.
#[derive(Debug, Subcommand)]
pub enum EpochCmd {
    /// Current epoch, phase, blocks left and the signer's commitment state.
    Status,
    /// Commit to a fresh secret for this epoch (commit phase); the secret is stored (mode 0600).
    Commit,
    /// Reveal this epoch's stored secret (reveal phase).
    Reveal,
    /// Fix the seed that draws this epoch's slots, if nobody has yet (anyone may; no keeper fee).
    FinalizeSeed,
}

pub(super) async fn run(g: &GlobalArgs, c: EpochCmd) -> Result<Report> {
    let net = g.net().await?;
    match c {
        EpochCmd::Status => ops::epoch_status(&net).await,
        EpochCmd::Commit => ops::commit_report(&net, &g.secrets()).await,
        EpochCmd::Reveal => ops::reveal_report(&net, &g.secrets()).await,
        EpochCmd::FinalizeSeed => ops::seed::finalize_seed_report(&net).await,
    }
}
