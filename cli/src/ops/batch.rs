//! Batches: post, status and the permissionless timeout.

use alloy::{
    primitives::{Address, B256, U256},
    rpc::types::TransactionReceipt,
};
use eyre::{Result, WrapErr, eyre};
use provernet_bindings::{BatchStatus, ProverNetwork};
use serde_json::json;

use super::tx_json;
use crate::{
    bail_input, bail_state,
    net::Net,
    output::Report,
    proof::{BatchStore, batch_commitment},
};

/// The stored codes of batch statuses (the `u8` that `batchOf` returns), for `match` patterns.
pub use provernet_bindings::status::code as status;

/// Parses a 32-byte hex commitment.
pub fn parse_commitment(text: &str) -> Result<B256> {
    let t = text.trim();
    let hex = t.strip_prefix("0x").unwrap_or(t);
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        bail_input!("--commitment {t:?} is not 32 bytes of hex (0x followed by 64 hex digits)");
    }
    let c: B256 = t.parse().map_err(|_| eyre!("--commitment {t:?} is not valid hex"))?;
    if c.is_zero() {
        bail_input!("--commitment must not be zero");
    }
    Ok(c)
}

/// A posted batch as the receipt's event tells it.
#[derive(Debug, Clone)]
pub struct Posted {
    /// Batch id.
    pub id: u64,
    /// Assigned prover (zero: open race).
    pub prover: Address,
    /// Last block of the exclusive window.
    pub proving_deadline: u64,
    /// Last block of the race.
    pub race_deadline: u64,
    /// Receipt.
    pub receipt: TransactionReceipt,
}

/// Posts a batch (batch sources only), approving the fee as needed.
pub async fn post_batch(net: &Net, commitment: B256, fee: U256) -> Result<Posted> {
    let me = net.chain.signer()?;
    if !net.network.isBatchSource(me).call().await? {
        bail_state!(
            "{me} is not an authorised batch source; the owner ({}) must call setBatchSource({me}, true)",
            net.dep.owner
        );
    }
    if net.dep.verifier_kind == "groth16" {
        crate::proof::check_provable_commitment(commitment)?;
    }
    net.ensure_allowance(me, fee, "posting a batch").await?;
    let r = net.send("postBatch", net.network.postBatch(commitment, fee)).await?;
    let ev = r
        .decoded_log::<ProverNetwork::BatchPosted>()
        .ok_or_else(|| eyre!("the receipt has no BatchPosted event"))?;
    Ok(Posted {
        id: ev.batchId.to(),
        prover: ev.prover,
        proving_deadline: ev.provingDeadline.to(),
        race_deadline: ev.raceDeadline.to(),
        receipt: r,
    })
}

/// Refuses batch data no prover should be asked to prove: empty data (a 0-byte batch commits to
/// the hash of nothing and carries no transactions).
pub fn check_batch_data(data: &[u8]) -> Result<()> {
    if data.is_empty() {
        bail_input!(
            "the batch data is empty (0 bytes): a batch must carry the rollup's data; nothing was sent"
        );
    }
    Ok(())
}

/// The batches assigned to `prover` that are still live (Assigned: it holds or held their window),
/// from the `BatchPosted` events naming it (the account only keeps their count).
pub async fn open_assignments_of(
    net: &Net,
    prover: Address,
) -> Result<Vec<(u64, ProverNetwork::Batch)>> {
    use alloy::{providers::Provider, rpc::types::Filter, sol_types::SolEvent};
    let filter = Filter::new()
        .address(net.dep.network)
        .event_signature(ProverNetwork::BatchPosted::SIGNATURE_HASH)
        .topic3(prover.into_word())
        .from_block(net.dep.deploy_block);
    let logs =
        net.chain.provider.get_logs(&filter).await.wrap_err("while reading BatchPosted events")?;
    let mut open = Vec::new();
    for log in logs {
        let Ok(ev) = log.log_decode::<ProverNetwork::BatchPosted>() else { continue };
        let id: u64 = ev.inner.data.batchId.to();
        let b = batch(net, id).await?;
        if b.status == status::ASSIGNED && b.prover == prover {
            open.push((id, b));
        }
    }
    Ok(open)
}

/// Posts batch data: stores it in `store` under its Poseidon commitment (before sending, so a
/// prover drawn in the same block finds it), then posts the commitment.
pub async fn post_batch_data(
    net: &Net,
    store: &BatchStore,
    data: &[u8],
    fee: U256,
) -> Result<(Posted, B256, std::path::PathBuf)> {
    check_batch_data(data)?;
    let commitment = batch_commitment(data)?;
    if commitment.is_zero() {
        bail_input!(
            "the batch data commits to zero, which the network does not accept; change the data"
        );
    }
    let path = store.put(net.chain.chain_id, net.dep.network, commitment, data)?;
    let posted = post_batch(net, commitment, fee).await?;
    Ok((posted, commitment, path))
}

/// `batch post`.
pub async fn post_batch_report(
    net: &Net,
    commitment: B256,
    fee: U256,
    stored: Option<std::path::PathBuf>,
) -> Result<Report> {
    let p = post_batch(net, commitment, fee).await?;
    let who = if p.prover.is_zero() {
        "nobody was eligible: the batch is open to a race".to_string()
    } else {
        format!("assigned to {} (window until block {})", p.prover, p.proving_deadline)
    };
    Ok(Report::new(
        format!(
            "posted batch {} with fee {}: {who}; race until block {} (tx {:#x})",
            p.id,
            net.units.fmt(fee),
            p.race_deadline,
            p.receipt.transaction_hash
        ),
        json!({ "batchId": p.id, "prover": p.prover, "provingDeadline": p.proving_deadline, "raceDeadline": p.race_deadline,
                "commitment": commitment, "batchData": stored,
                "fee": crate::amount::fmt_amount(fee, net.units.decimals), "receipt": tx_json(&p.receipt) }),
    ))
}

/// A batch as stored, plus its effective status.
pub async fn batch(net: &Net, id: u64) -> Result<ProverNetwork::Batch> {
    if id == 0 {
        bail_input!("batch ids start at 1");
    }
    let b = net
        .network
        .batchOf(U256::from(id))
        .call()
        .await
        .wrap_err_with(|| format!("while reading batch {id}"))?;
    if b.status == status::NONE {
        let next = net.network.nextBatchId().call().await?;
        bail_input!("there is no batch {id} (the last batch is {})", next.saturating_sub(1));
    }
    Ok(b)
}

/// `batch status ID`.
pub async fn batch_status_report(net: &Net, id: u64) -> Result<Report> {
    let b = batch(net, id).await?;
    let eff = net.network.effectiveStatus(U256::from(id)).call().await?;
    let block = net.chain.block_number().await?;
    let u = &net.units;
    let mut h = format!("batch {id}: {}", BatchStatus::name_of(eff));
    if eff != b.status {
        h += &format!(
            " (recorded {}; `provernet batch timeout {id}` records it)",
            BatchStatus::name_of(b.status)
        );
    }
    h += &format!("\n  commitment  {}\n  fee         {}\n", b.commitment, u.fmt(U256::from(b.fee)));
    if !b.prover.is_zero() {
        h += &format!("  prover      {}\n", b.prover);
    }
    h += &format!(
        "  window      until block {}\n  race        until block {}\n  block now   {block}\n",
        b.provingDeadline, b.raceDeadline
    );
    if !b.bounty.is_zero() {
        h += &format!("  bounty      {}\n", u.fmt(U256::from(b.bounty)));
    }
    let f = |v: U256| crate::amount::fmt_amount(v, u.decimals);
    Ok(Report::new(
        h,
        json!({ "batchId": id, "status": BatchStatus::name_of(eff), "recordedStatus": BatchStatus::name_of(b.status),
                "commitment": b.commitment, "prover": b.prover, "fee": f(U256::from(b.fee)),
                "bounty": f(U256::from(b.bounty)), "provingDeadline": b.provingDeadline.to::<u64>(),
                "raceDeadline": b.raceDeadline.to::<u64>(), "poster": b.poster, "block": block }),
    ))
}

/// `batch timeout ID`: slashes a missed window, or marks a batch failed once its race is over.
pub async fn timeout(net: &Net, id: u64) -> Result<Report> {
    net.chain.signer()?;
    let b = batch(net, id).await?;
    let next = net.chain.block_number().await? + 1;
    let pd: u64 = b.provingDeadline.to();
    let rd: u64 = b.raceDeadline.to();
    let live = matches!(b.status, status::ASSIGNED | status::OPEN | status::RACING);
    if !live {
        bail_state!(
            "batch {id} is {}: there is nothing to time out",
            BatchStatus::name_of(b.status)
        );
    }
    let (what, r) = if next > rd {
        (
            "marked failed (the fee is credited to the poster's claimable balance: the poster gets it with `provernet prover claim`)",
            net.send("markFailed", net.network.markFailed(U256::from(id))).await?,
        )
    } else if b.status == status::ASSIGNED && next > pd {
        (
            "slashed its assigned prover; the race is open",
            net.send("slashMissed", net.network.slashMissed(U256::from(id))).await?,
        )
    } else if b.status == status::ASSIGNED {
        bail_state!(
            "the proving window of batch {id} is open until block {pd}; nothing to time out yet"
        );
    } else {
        bail_state!(
            "batch {id} is in its race until block {rd}; it can be marked failed after that"
        );
    };
    let slashed = r.decoded_log::<ProverNetwork::ProverSlashed>().map(|e| (e.prover, e.amount));
    let mut h = format!("batch {id}: {what} (tx {:#x})", r.transaction_hash);
    if let Some((p, amt)) = slashed {
        h += &format!("\n  {p} slashed {}", net.units.fmt(amt));
    }
    Ok(Report::new(
        h,
        json!({ "batchId": id, "action": what, "slashed": slashed.map(|(p, a)| json!({"prover": p, "amount": crate::amount::fmt_amount(a, net.units.decimals)})), "receipt": tx_json(&r) }),
    ))
}
