//! `provernet batch`.

use clap::Subcommand;
use eyre::Result;

use super::{GlobalArgs, parse_batch_id};
use crate::{ops, output::Report, proof::backend_for};

/// Batch commands.
#[derive(Debug, Subcommand)]
pub enum BatchCmd {
    /// Post a batch (authorised batch sources only); approves the fee as needed.
    Post {
        /// The batch commitment (32 bytes hex).
        #[arg(long)]
        commitment: String,
        /// Proving fee in tokens.
        #[arg(long, allow_hyphen_values = true)]
        fee: String,
    },
    /// A batch's status, prover, fee and deadlines.
    Status {
        /// Batch id.
        #[arg(value_parser = parse_batch_id)]
        id: u64,
    },
    /// Make and submit the proof for a batch the signer holds or may race for.
    Prove {
        /// Batch id.
        #[arg(value_parser = parse_batch_id)]
        id: u64,
    },
    /// Permissionless timeout: slash a missed window, or mark a batch failed after its race.
    Timeout {
        /// Batch id.
        #[arg(value_parser = parse_batch_id)]
        id: u64,
    },
}

pub(super) async fn run(g: &GlobalArgs, c: BatchCmd) -> Result<Report> {
    match c {
        BatchCmd::Post { commitment, fee } => {
            let commitment = ops::parse_commitment(&commitment)?;
            crate::amount::check_shape(&fee)?;
            let net = g.net().await?;
            let fee = net.units.parse(&fee)?;
            ops::post_batch_report(&net, commitment, fee).await
        }
        BatchCmd::Status { id } => ops::batch_status_report(&g.net().await?, id).await,
        BatchCmd::Prove { id } => {
            let net = g.net().await?;
            let backend = backend_for(&net.dep.verifier_kind)?;
            ops::prove_report(&net, backend.as_ref(), id).await
        }
        BatchCmd::Timeout { id } => ops::timeout(&g.net().await?, id).await,
    }
}
