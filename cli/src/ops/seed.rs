//! Fixing the seed of an epoch's selection list (`finalizeSeed`, contracts/libraries/Seed.sol).
//!
//! The list built from epoch e's reveals serves epoch e + 1, drawn with a seed fixed once, by the
//! first `commit`, `postBatch` or `finalizeSeed(e)` of epoch e + 1. Fixed inside epoch e + 1's
//! commit phase, the seed mixes in that block's prevrandao; fixed later, it is the deterministic
//! hash of the reveals alone. `finalizeSeed` is permissionless and pays no keeper fee: whoever
//! calls it pays the gas, for a seed fixed early (and the epoch's slot schedule known early).

use alloy::{primitives::U256, rpc::types::TransactionReceipt};
use eyre::{Result, eyre};
use provernet_bindings::ProverNetwork;
use serde_json::json;

use super::tx_json;
use crate::{bail_state, net::Net, output::Report};

/// A seed this signer fixed.
#[derive(Debug, Clone)]
pub struct SeedFixed {
    /// The epoch whose reveals fed the seed (its list serves `epoch + 1`).
    pub epoch: u64,
    /// The seed.
    pub seed: U256,
    /// Provers on the list.
    pub eligible: U256,
    /// The receipt of `finalizeSeed`.
    pub receipt: TransactionReceipt,
}

/// The epoch whose list serves the epoch of the next block, when its seed is not fixed yet
/// (None: the next block is in epoch 0, which draws from no list, or the seed is fixed).
pub async fn unfixed_seed(net: &Net) -> Result<Option<u64>> {
    let next = net.chain.block_number().await? + 1;
    let Some(list) = net.geo.epoch_of(next).checked_sub(1) else { return Ok(None) };
    let seed = net.network.seedOf(U256::from(list)).call().await?;
    Ok(seed.is_zero().then_some(list))
}

/// Fixes the seed of the list serving the epoch of the next block (`finalizeSeed`). Refused, with
/// nothing sent, when that epoch is 0 or the seed is already fixed.
pub async fn finalize_seed(net: &Net) -> Result<SeedFixed> {
    net.chain.signer()?;
    let Some(list) = unfixed_seed(net).await? else {
        let next = net.chain.block_number().await? + 1;
        let epoch = net.geo.epoch_of(next);
        if epoch == 0 {
            bail_state!(
                "epoch 0 draws from no list, so there is no seed to fix; epoch 0's seed can be fixed \
                 from block {} (the start of epoch 1)",
                net.geo.epoch_start(1)
            );
        }
        let seed = net.network.seedOf(U256::from(epoch - 1)).call().await?;
        bail_state!(
            "the seed of epoch {}'s list (which serves epoch {epoch}) is already fixed ({seed:#x}); \
             nothing to do",
            epoch - 1
        );
    };
    let r = net.send("finalizeSeed", net.network.finalizeSeed(U256::from(list))).await?;
    let ev = r
        .decoded_log::<ProverNetwork::SeedFinalized>()
        .ok_or_else(|| eyre!("the receipt has no SeedFinalized event"))?;
    Ok(SeedFixed { epoch: list, seed: ev.seed, eligible: ev.eligible, receipt: r })
}

/// `epoch finalize-seed`.
pub async fn finalize_seed_report(net: &Net) -> Result<Report> {
    let f = finalize_seed(net).await?;
    let in_commit_phase =
        f.receipt.block_number.is_some_and(|b| b < net.geo.reveal_start(f.epoch + 1));
    let randao = if in_commit_phase {
        "it mixes in this block's prevrandao (fixed inside the commit phase)"
    } else {
        "fixed after the commit phase, it is the hash of the reveals alone"
    };
    Ok(Report::new(
        format!(
            "fixed the seed of epoch {}'s list ({} prover(s)); it draws epoch {}'s slots: {randao} \
             (tx {:#x}). `provernet epoch status` shows the schedule",
            f.epoch,
            f.eligible,
            f.epoch + 1,
            f.receipt.transaction_hash
        ),
        json!({ "epoch": f.epoch, "serves": f.epoch + 1, "seed": format!("{:#x}", f.seed),
                "eligible": f.eligible.to_string(), "withPrevrandao": in_commit_phase,
                "receipt": tx_json(&f.receipt) }),
    ))
}
