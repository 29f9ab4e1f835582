//! The test token: `token mint`.

use alloy::primitives::{Address, U256};
use eyre::Result;
use serde_json::json;

use super::tx_json;
use crate::{bail_state, net::Net, output::Report};

/// `token mint --to ADDR --amount AMT` (dev token only).
pub async fn mint(net: &Net, to: Address, amount: U256) -> Result<Report> {
    net.chain.signer()?;
    if !net.dep.dev_token {
        bail_state!(
            "the staking token {} is not the test token; `token mint` only works on dev deployments",
            net.dep.token
        );
    }
    let r = net.send("mint", net.token.mint(to, amount)).await?;
    Ok(Report::new(
        format!("minted {} to {to} (tx {:#x})", net.units.fmt(amount), r.transaction_hash),
        json!({ "to": to, "amount": crate::amount::fmt_amount(amount, net.units.decimals), "receipt": tx_json(&r) }),
    ))
}
