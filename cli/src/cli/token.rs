//! `provernet token`.

use alloy::primitives::Address;
use clap::Subcommand;
use eyre::Result;

use super::{GlobalArgs, parse_address};
use crate::{ops, output::Report};

/// Token commands.
#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Mint test tokens (the dev token of a dev deployment only).
    Mint {
        /// Recipient.
        #[arg(long, value_parser = parse_address)]
        to: Address,
        /// Amount in tokens (e.g. 1000 or 0.5).
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
    },
}

pub(super) async fn run(g: &GlobalArgs, c: TokenCmd) -> Result<Report> {
    match c {
        TokenCmd::Mint { to, amount } => {
            // Check the amount's shape before touching the network; decimals come from the deployment.
            crate::amount::check_shape(&amount)?;
            let net = g.net().await?;
            let amt = net.units.parse(&amount)?;
            ops::mint(&net, to, amt).await
        }
    }
}
