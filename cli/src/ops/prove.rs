//! Proving: which route (window or race) the signer may take for a batch, and the proof itself.

use std::sync::Arc;

use alloy::{
    primitives::{Address, Bytes, U256},
    rpc::types::TransactionReceipt,
};
use eyre::{Result, eyre};
use provernet_bindings::{BatchStatus, ProverNetwork};
use serde_json::json;

use super::{
    batch::{batch, status},
    tx_json,
};
use crate::{
    bail_state,
    chain::refused,
    net::Net,
    output::Report,
    proof::{ProofBackend, ProofInput, prove_blocking},
};

/// How `prove` would submit for a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProveRoute {
    /// `submitProof` inside the exclusive window.
    Assigned,
    /// `raceSubmit` in the emergency race.
    Race,
}

/// Decides whether `me` may prove batch `b` in block `next`, and how; explains why not.
pub fn prove_route(
    id: u64,
    b: &ProverNetwork::Batch,
    me: Address,
    next: u64,
) -> Result<ProveRoute> {
    let pd: u64 = b.provingDeadline.to();
    let rd: u64 = b.raceDeadline.to();
    match b.status {
        status::ASSIGNED if b.prover == me => {
            if next <= pd {
                Ok(ProveRoute::Assigned)
            } else {
                bail_state!(
                    "the proving window of batch {id} closed at block {pd}; the assigned prover may not race for it"
                )
            }
        }
        status::ASSIGNED | status::OPEN | status::RACING => {
            if b.prover == me {
                bail_state!("you were slashed for batch {id} and may not win its race");
            }
            if b.status == status::ASSIGNED && next <= pd {
                bail_state!(
                    "batch {id} is assigned to {} until block {pd}; the race opens after that",
                    b.prover
                );
            }
            if next > rd {
                bail_state!(
                    "the race for batch {id} ended at block {rd}; `provernet batch timeout {id}` marks it failed"
                );
            }
            Ok(ProveRoute::Race)
        }
        s => bail_state!("batch {id} is {}: nothing to prove", BatchStatus::name_of(s)),
    }
}

/// A proof job checked against the chain: what to prove and how it will be submitted.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Route (window or race).
    pub route: ProveRoute,
    /// First batch.
    pub first: u64,
    /// Batches covered.
    pub count: u64,
    /// Public inputs of the proof.
    pub input: ProofInput,
}

/// Checks that the signer may prove batches `first..first+count` (consecutive and all assigned to
/// it, or a single batch it may race for) and gathers the proof's public inputs. Refusals are
/// marked as not sent.
pub async fn prepare_proof(net: &Net, first: u64, count: u64) -> Result<Prepared> {
    // An operator proves for its prover: the proof and the payout are the prover's.
    let me = net.acting_prover().await?;
    let next = net.chain.block_number().await? + 1;
    let mut commitments = Vec::new();
    let mut route = None;
    for id in first..first + count {
        let b = batch(net, id).await.map_err(refused)?;
        let r = prove_route(id, &b, me, next).map_err(refused)?;
        if route.is_some_and(|x| x != r) || (r == ProveRoute::Race && count > 1) {
            bail_state!(
                "batches {first}..{} cannot share one proof (only consecutive assigned batches can)",
                first + count
            );
        }
        route = Some(r);
        commitments.push(b.commitment);
    }
    let route = route.ok_or_else(|| eyre!("nothing to prove"))?;
    let input = ProofInput {
        chain_id: net.chain.chain_id,
        network: net.dep.network,
        prover: me,
        first_batch_id: first,
        commitments,
    };
    Ok(Prepared { route, first, count, input })
}

/// Submits `proof` for a prepared job (`submitProof` in the window, `raceSubmit` in the race).
pub async fn submit_proof(net: &Net, p: &Prepared, proof: Bytes) -> Result<TransactionReceipt> {
    match p.route {
        ProveRoute::Assigned => {
            net.send(
                "submitProof",
                net.network.submitProof(U256::from(p.first), U256::from(p.count), proof),
            )
            .await
        }
        ProveRoute::Race => {
            net.send("raceSubmit", net.network.raceSubmit(U256::from(p.first), proof)).await
        }
    }
}

/// Proves batches `first..first+count` (consecutive, all assigned to the signer) with one
/// `submitProof`, or races for a single batch. Returns the receipt and the route taken.
pub async fn prove(
    net: &Net,
    backend: &Arc<dyn ProofBackend>,
    first: u64,
    count: u64,
) -> Result<(ProveRoute, TransactionReceipt)> {
    let p = prepare_proof(net, first, count).await?;
    let (mut proofs, _) = prove_blocking(backend.clone(), vec![p.input.clone()]).await?;
    let proof = proofs.pop().ok_or_else(|| eyre!("the prover returned no proof"))??;
    Ok((p.route, submit_proof(net, &p, proof).await?))
}

/// How `batch prove` gets its proof.
#[derive(Debug, Clone)]
pub enum ProofSource {
    /// Prove locally and submit.
    Local,
    /// Prove locally and only print the proof (e.g. to hand it to the submitting machine).
    LocalNoSend,
    /// Submit these bytes (a proof made elsewhere).
    Given(Bytes),
}

/// `batch prove ID`.
pub async fn prove_report(
    net: &Net,
    backend: &Arc<dyn ProofBackend>,
    id: u64,
    source: ProofSource,
) -> Result<Report> {
    let p = prepare_proof(net, id, 1).await?;
    let (proof, took) = match &source {
        ProofSource::Given(b) => (b.clone(), None),
        _ => {
            let (mut proofs, took) = prove_blocking(backend.clone(), vec![p.input.clone()]).await?;
            (proofs.pop().ok_or_else(|| eyre!("the prover returned no proof"))??, Some(took))
        }
    };
    let took_ms = took.map(|t| t.as_millis() as u64);
    let proof_hex = format!("{proof}");
    if let ProofSource::LocalNoSend = source {
        return Ok(Report::new(
            format!(
                "proof for batch {id} bound to {} ({} bytes, {} backend, {} ms); not sent:\n{proof_hex}",
                p.input.prover,
                proof.len(),
                backend.name(),
                took_ms.unwrap_or_default()
            ),
            json!({ "batchId": id, "route": p.route, "prover": p.input.prover, "proof": proof_hex,
                    "proofBackend": backend.name(), "provingMs": took_ms, "sent": false }),
        ));
    }
    let r = submit_proof(net, &p, proof).await?;
    let route = p.route;
    let payout =
        r.decoded_log::<ProverNetwork::BatchProven>().map(|e| e.payout).unwrap_or_default();
    let how = match route {
        ProveRoute::Assigned => "in its proving window",
        ProveRoute::Race => "by winning the emergency race",
    };
    let warn = if backend.insecure() && !matches!(source, ProofSource::Given(_)) {
        " [proof: insecure dev verifier, development only]"
    } else {
        ""
    };
    let timing = took_ms.map(|ms| format!(", proved in {ms} ms")).unwrap_or_default();
    let backend_name =
        if matches!(source, ProofSource::Given(_)) { "given" } else { backend.name() };
    Ok(Report::new(
        format!(
            "proved batch {id} {how}; {} credited, claim with `provernet prover claim` (tx {:#x}{timing}){warn}",
            net.units.fmt(payout),
            r.transaction_hash
        ),
        json!({ "batchId": id, "route": route, "payout": crate::amount::fmt_amount(payout, net.units.decimals),
                "proofBackend": backend_name, "proof": proof_hex, "provingMs": took_ms, "sent": true,
                "receipt": tx_json(&r) }),
    ))
}
