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
    net::{Net, OPEN_DRAW, SlotPlace},
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
    /// The slot's prover (zero: nobody could take it, the race is open).
    pub prover: Address,
    /// The slot it was posted in: every batch of a slot goes to the slot's prover.
    pub slot: SlotPlace,
    /// Last block of the exclusive window (the slot's last block + the proving window).
    pub proving_deadline: u64,
    /// Last block of the race.
    pub race_deadline: u64,
    /// Receipt.
    pub receipt: TransactionReceipt,
}

/// Posts a batch (batch sources only), paying `fee` from the signer's prepaid fee balance; every
/// refusal `postBatch` would make is checked first ([`super::fees::check_post`]).
pub async fn post_batch(net: &Net, commitment: B256, fee: U256) -> Result<Posted> {
    let me = net.chain.signer()?;
    super::fees::check_post(net, me, commitment, fee).await?;
    let r = net.send("postBatch", net.network.postBatch(commitment, fee)).await?;
    let ev = r
        .decoded_log::<ProverNetwork::BatchPosted>()
        .ok_or_else(|| eyre!("the receipt has no BatchPosted event"))?;
    Ok(Posted {
        id: ev.batchId.to(),
        prover: ev.prover,
        slot: net.geo.slot_at(r.block_number.unwrap_or_default()),
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

/// A slot in words: `slot 2 of epoch 5 (blocks 90 through 91)`.
pub fn slot_words(s: &SlotPlace) -> String {
    format!(
        "slot {} of epoch {} (blocks {} through {})",
        s.index, s.epoch, s.first_block, s.last_block
    )
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
        "nobody could take it: the batch is open to a race".to_string()
    } else {
        format!(
            "assigned to the slot's prover {} (window until block {})",
            p.prover, p.proving_deadline
        )
    };
    let balance = super::fees::fee_account(net, net.chain.signer()?).await?.balance;
    Ok(Report::new(
        format!(
            "posted batch {} with fee {} in {}: {who}; race until block {}; fee balance left {} (tx {:#x})",
            p.id,
            net.units.fmt(fee),
            slot_words(&p.slot),
            p.race_deadline,
            net.units.fmt(balance),
            p.receipt.transaction_hash
        ),
        json!({ "batchId": p.id, "prover": p.prover, "slot": p.slot, "provingDeadline": p.proving_deadline,
                "raceDeadline": p.race_deadline, "commitment": commitment, "batchData": stored,
                "fee": crate::amount::fmt_amount(fee, net.units.decimals),
                "feeBalance": crate::amount::fmt_amount(balance, net.units.decimals), "receipt": tx_json(&p.receipt) }),
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
        bail_input!(
            "there is no batch {id} (the last batch is {})",
            next.saturating_sub(U256::from(1))
        );
    }
    Ok(b)
}

/// `batch status ID`.
pub async fn batch_status_report(net: &Net, id: u64) -> Result<Report> {
    let b = batch(net, id).await?;
    let eff = net.network.effectiveStatus(U256::from(id)).call().await?;
    let key: u64 = net.network.assignmentOf(U256::from(id)).call().await?.key.saturating_to();
    let (slot, draw) = net.geo.slot_of_key(key);
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
    h += &format!("  slot        {}", slot_words(&slot));
    h += &if draw == OPEN_DRAW {
        ": open (nobody was listed, or every drawn prover was full)\n".to_string()
    } else {
        format!(", draw {draw}\n  prover      {}\n", b.prover)
    };
    if draw != OPEN_DRAW {
        h += &format!(
            "  window      through block {} (the slot's last block + the proving window)\n",
            b.provingDeadline
        );
    }
    h += &format!("  race        through block {}\n  block now   {block}\n", b.raceDeadline);
    if !b.bounty.is_zero() {
        h += &format!("  bounty      {}\n", u.fmt(U256::from(b.bounty)));
    }
    let respond_by = super::challenge::respond_by(net, id).await?;
    if let Some(by) = respond_by {
        h += &format!(
            "  challenged  its data is due on chain by block {by} (`provernet batch answer {id} --data FILE`); \
             after that `provernet batch void {id}` voids it\n"
        );
    }
    let f = |v: U256| crate::amount::fmt_amount(v, u.decimals);
    Ok(Report::new(
        h,
        json!({ "batchId": id, "status": BatchStatus::name_of(eff), "recordedStatus": BatchStatus::name_of(b.status),
                "commitment": b.commitment, "prover": b.prover, "fee": f(U256::from(b.fee)),
                "slot": slot, "draw": (draw != OPEN_DRAW).then_some(draw), "assignmentKey": key,
                "bounty": f(U256::from(b.bounty)), "provingDeadline": b.provingDeadline.to::<u64>(),
                "raceDeadline": b.raceDeadline.to::<u64>(), "poster": b.poster, "block": block,
                "respondBy": respond_by }),
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
            "marked failed (the fee is refunded to the poster's prepaid fee balance: it pays later posts, or `provernet batch withdraw-fees AMOUNT` takes it back)",
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
    // The per-epoch cap: a second miss in an epoch costs reputation only.
    let capped = r.decoded_log::<ProverNetwork::SlashCapped>().map(|e| (e.prover, e.epoch));
    let mut h = format!("batch {id}: {what} (tx {:#x})", r.transaction_hash);
    if let Some((p, amt)) = slashed {
        h += &format!("\n  {p} slashed {}", net.units.fmt(amt));
    }
    if let Some((p, epoch)) = capped {
        h += &format!(
            "\n  {p} not slashed: already slashed for a miss whose deadline fell in epoch {epoch} (one \
             slash per epoch); its reputation was lowered"
        );
    }
    Ok(Report::new(
        h,
        json!({ "batchId": id, "action": what, "slashed": slashed.map(|(p, a)| json!({"prover": p, "amount": crate::amount::fmt_amount(a, net.units.decimals)})),
                "capped": capped.map(|(p, e)| json!({"prover": p, "epoch": e.saturating_to::<u64>()})), "receipt": tx_json(&r) }),
    ))
}
