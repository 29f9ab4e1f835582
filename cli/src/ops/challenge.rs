//! The data-availability challenge (contracts/extension/DataChallenges.sol): the assigned prover
//! challenges a batch whose data it cannot get, anyone holding the data answers by publishing it on
//! chain, and a challenge nobody answered is voided (the fee compensates the prover).
//!
//! Every refusal the contract would make is checked first and worded as the contract's custom
//! error ([`would_revert`]), so nothing doomed is sent.

use alloy::{
    primitives::{Address, Bytes, U256},
    providers::Provider,
    rpc::types::Filter,
    sol_types::SolEvent,
};
use eyre::{Result, WrapErr, eyre};
use provernet_bindings::{BatchStatus, ProverNetwork};
use serde_json::json;

use super::{
    batch::{batch, status},
    tx_json,
};
use crate::{
    chain::would_revert,
    exit::Code,
    net::Net,
    output::Report,
    proof::{BatchStore, batch_commitment},
};

/// The block by which a challenged batch's data must be published (`challengeOf`; None: the batch
/// is not challenged).
pub async fn respond_by(net: &Net, id: u64) -> Result<Option<u64>> {
    let by: u64 = net
        .network
        .challengeOf(U256::from(id))
        .call()
        .await
        .wrap_err_with(|| format!("while reading the challenge of batch {id}"))?
        .saturating_to();
    Ok((by != 0).then_some(by))
}

/// `batch challenge ID`: the assigned prover (or its operator) says it cannot get the data.
pub async fn challenge(net: &Net, id: u64) -> Result<Report> {
    let me = net.acting_prover().await?;
    let b = batch(net, id).await?;
    let what = "challengeData";
    if b.status != status::ASSIGNED {
        return Err(wrong_status(net, what, id, b.status));
    }
    if b.prover != me {
        let e = ProverNetwork::NotAssignedProver {
            batchId: U256::from(id),
            assigned: b.prover,
            caller: me,
        };
        return Err(would_revert(what, &net.units, &e, Code::State, ""));
    }
    let next = net.chain.block_number().await? + 1;
    if next > b.provingDeadline.to::<u64>() {
        let e = ProverNetwork::ProvingWindowClosed {
            batchId: U256::from(id),
            deadline: U256::from(b.provingDeadline),
        };
        return Err(would_revert(what, &net.units, &e, Code::State, ""));
    }
    let r = net.send(what, net.network.challengeData(U256::from(id))).await?;
    let ev = r
        .decoded_log::<ProverNetwork::DataChallenged>()
        .ok_or_else(|| eyre!("the receipt has no DataChallenged event"))?;
    let by: u64 = ev.respondBy.saturating_to();
    Ok(Report::new(
        format!(
            "challenged batch {id}: its data must be published on chain by block {by} (`provernet batch \
             answer {id} --data FILE`), else `provernet batch void {id}` voids it and the fee goes to \
             {me} (tx {:#x})",
            r.transaction_hash
        ),
        json!({ "batchId": id, "prover": me, "respondBy": by, "receipt": tx_json(&r) }),
    ))
}

/// `batch answer ID --data FILE`: publishes a challenged batch's data. The data is checked against
/// the batch's commitment locally first: data that does not match is refused, nothing is sent.
pub async fn answer(net: &Net, store: &BatchStore, id: u64, data: &[u8]) -> Result<Report> {
    net.chain.signer()?;
    let b = batch(net, id).await?;
    let what = "answerChallenge";
    let computed = batch_commitment(data).map_err(|e| crate::exit::input(format!("{e:#}")))?;
    if computed != b.commitment {
        let e = ProverNetwork::DataMismatch {
            batchId: U256::from(id),
            computed,
            commitment: b.commitment,
        };
        return Err(would_revert(what, &net.units, &e, Code::Input, ""));
    }
    if b.status != status::CHALLENGED {
        return Err(wrong_status(net, what, id, b.status));
    }
    let next = net.chain.block_number().await? + 1;
    if let Some(by) = respond_by(net, id).await?
        && next > by
    {
        let e = ProverNetwork::ChallengeWindowClosed {
            batchId: U256::from(id),
            respondBy: U256::from(by),
        };
        return Err(would_revert(what, &net.units, &e, Code::State, ""));
    }
    let call = net.network.answerChallenge(U256::from(id), Bytes::copy_from_slice(data));
    let r = net.send(what, call).await?;
    let ev = r
        .decoded_log::<ProverNetwork::BatchDataPublished>()
        .ok_or_else(|| eyre!("the receipt has no BatchDataPublished event"))?;
    // Kept locally too: this machine's provers then find it without reading the chain.
    let stored = store.put(net.chain.chain_id, net.dep.network, b.commitment, data)?;
    let deadline: u64 = ev.provingDeadline.saturating_to();
    Ok(Report::new(
        format!(
            "published the data of batch {id} ({} bytes) on chain: its prover {} may prove it through \
             block {deadline} (tx {:#x})",
            data.len(),
            b.prover,
            r.transaction_hash
        ),
        json!({ "batchId": id, "prover": b.prover, "bytes": data.len(), "provingDeadline": deadline,
                "batchData": stored, "receipt": tx_json(&r) }),
    ))
}

/// `batch void ID`: voids a challenged batch nobody answered in time (anyone may).
pub async fn void(net: &Net, id: u64) -> Result<Report> {
    net.chain.signer()?;
    let b = batch(net, id).await?;
    let what = "voidUnanswered";
    if b.status != status::CHALLENGED {
        return Err(wrong_status(net, what, id, b.status));
    }
    let next = net.chain.block_number().await? + 1;
    if let Some(by) = respond_by(net, id).await?
        && next <= by
    {
        let e = ProverNetwork::ChallengeWindowOpen {
            batchId: U256::from(id),
            respondBy: U256::from(by),
        };
        return Err(would_revert(what, &net.units, &e, Code::State, ""));
    }
    let r = net.send(what, net.network.voidUnanswered(U256::from(id))).await?;
    let ev = r
        .decoded_log::<ProverNetwork::BatchVoided>()
        .ok_or_else(|| eyre!("the receipt has no BatchVoided event"))?;
    let keeper = r.decoded_log::<ProverNetwork::KeeperPaid>().map(|k| k.amount).unwrap_or_default();
    let f = |v: U256| crate::amount::fmt_amount(v, net.units.decimals);
    Ok(Report::new(
        format!(
            "voided batch {id}: nobody published its data; {} credited to its prover {} and {} to you \
             as keeper; claim with `provernet prover claim` (tx {:#x})",
            net.units.fmt(ev.compensation),
            ev.prover,
            net.units.fmt(keeper),
            r.transaction_hash
        ),
        json!({ "batchId": id, "prover": ev.prover, "compensation": f(ev.compensation),
                "keeperFee": f(keeper), "receipt": tx_json(&r) }),
    ))
}

/// `WrongBatchStatus` for a batch whose status does not allow `what`.
fn wrong_status(net: &Net, what: &str, id: u64, code: u8) -> eyre::Report {
    let e = ProverNetwork::WrongBatchStatus { batchId: U256::from(id), status: code };
    let then = match code {
        status::CHALLENGED => format!("It waits for its data (`provernet batch status {id}`)."),
        _ if BatchStatus::try_from(code).is_ok_and(BatchStatus::is_terminal) => {
            "It is settled.".to_string()
        }
        _ => String::new(),
    };
    would_revert(what, &net.units, &e, Code::State, &then)
}

/// The data of batch `id` published on chain by an answer (`BatchDataPublished`), if any.
pub async fn published_data(net: &Net, id: u64) -> Result<Option<Vec<u8>>> {
    let last =
        last_batch_event::<ProverNetwork::BatchDataPublished>(net, id, "published data").await?;
    Ok(last.map(|e| e.data.to_vec()))
}

/// The prover and compensation `BatchVoided` credited for batch `id` (None: not voided).
pub async fn voided_compensation(net: &Net, id: u64) -> Result<Option<(Address, U256)>> {
    let last = last_batch_event::<ProverNetwork::BatchVoided>(net, id, "voiding").await?;
    Ok(last.map(|e| (e.prover, e.compensation)))
}

/// The latest `E` the network emitted for batch `id` since its deployment (events of a batch carry
/// its id as their first indexed field); `what` names it in the error.
async fn last_batch_event<E: SolEvent>(net: &Net, id: u64, what: &str) -> Result<Option<E>> {
    let filter = Filter::new()
        .address(net.dep.network)
        .event_signature(E::SIGNATURE_HASH)
        .topic1(U256::from(id))
        .from_block(net.dep.deploy_block);
    let logs = net
        .chain
        .provider
        .get_logs(&filter)
        .await
        .wrap_err_with(|| format!("while reading the {what} of batch {id}"))?;
    Ok(logs.iter().filter_map(|l| E::decode_log(&l.inner).ok()).map(|l| l.data).next_back())
}

/// Where a batch's data comes from for a proof: the local batch-data directory, else the chain (a
/// published answer, then written to the directory so the proving backend reads it as usual).
/// Returns false when neither has it.
pub async fn ensure_local_data(
    net: &Net,
    store: &BatchStore,
    id: u64,
    commitment: alloy::primitives::B256,
) -> Result<bool> {
    if store.get(net.chain.chain_id, net.dep.network, commitment).is_ok() {
        return Ok(true);
    }
    let Some(data) = published_data(net, id).await? else { return Ok(false) };
    // The contract checked the hash when it accepted the answer; checked again as the store would.
    if batch_commitment(&data)? != commitment {
        return Ok(false);
    }
    store.put(net.chain.chain_id, net.dep.network, commitment, &data)?;
    Ok(true)
}
