//! The typed operations behind every command. Each checks what it can before touching the chain
//! (so a doomed transaction is explained, not sent), then goes through [`Net::send`], which
//! simulates again before sending.

use std::sync::Arc;

use alloy::{
    primitives::{Address, B256, Bytes, U256},
    rpc::types::TransactionReceipt,
};
use eyre::{Result, WrapErr, bail, eyre};
use provernet_bindings::ProverNetwork;
use serde_json::json;

use crate::{
    chain::{Net, Phase, refused},
    output::Report,
    proof::{BatchStore, ProofBackend, ProofInput, batch_commitment, prove_blocking},
    revert::status_name,
    secrets::{SecretStore, commitment},
};

/// `Account.commitEpoch` of a prover that never committed.
pub const NO_COMMIT: u32 = u32::MAX;

/// BatchStatus values.
pub mod status {
    /// No such batch.
    pub const NONE: u8 = 0;
    /// The drawn prover holds the exclusive window.
    pub const ASSIGNED: u8 = 1;
    /// Nobody was eligible; the race is open from the start.
    pub const OPEN: u8 = 2;
    /// The assigned prover was slashed; the race is open.
    pub const RACING: u8 = 3;
    /// Proven (terminal).
    pub const PROVEN: u8 = 4;
    /// Failed (terminal).
    pub const FAILED: u8 = 5;
}

fn tx_json(r: &TransactionReceipt) -> serde_json::Value {
    json!({ "tx": format!("{:#x}", r.transaction_hash), "block": r.block_number })
}

/// A prover's on-chain state, as `prover status` shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProverStatus {
    /// The prover.
    pub address: Address,
    /// Registered at all.
    pub registered: bool,
    /// Active stake (units).
    pub stake: U256,
    /// Unbonding stake (units).
    pub unbonding: U256,
    /// First block at which the unbonding stake can be withdrawn.
    pub unbonding_ready_at: u64,
    /// Reputation decayed to now (0..10000).
    pub reputation: U256,
    /// Selection weight it would get if it revealed now.
    pub weight: U256,
    /// Stake at or above the minimum.
    pub eligible: bool,
    /// Batches assigned and not yet resolved.
    pub open_assignments: u64,
    /// Rewards and refunds waiting for `claim` (units).
    pub claimable: U256,
    /// Epoch of the last commitment, if any.
    pub commit_epoch: Option<u64>,
    /// Whether that commitment is still unrevealed.
    pub commitment_open: bool,
    /// Current minimum stake (units).
    pub min_stake: U256,
    /// Wallet balance of the staking token (units).
    pub balance: U256,
}

/// Reads `who`'s state.
pub async fn prover_status(net: &Net, who: Address) -> Result<ProverStatus> {
    let a = net.network.accountOf(who).call().await.wrap_err("while reading the account")?;
    let params = net.network.params().call().await?;
    let min_stake = U256::from(params.minStake);
    let stake = U256::from(a.stake);
    Ok(ProverStatus {
        address: who,
        registered: a.registered,
        stake,
        unbonding: U256::from(a.unbonding),
        unbonding_ready_at: a.unbondingReadyAt.to::<u64>(),
        reputation: net.network.reputationOf(who).call().await?,
        weight: net.network.weightOf(who).call().await?,
        eligible: a.registered && stake >= min_stake,
        open_assignments: a.openAssignments.to::<u64>(),
        claimable: U256::from(a.claimable),
        commit_epoch: (a.registered && a.commitEpoch != NO_COMMIT)
            .then_some(u64::from(a.commitEpoch)),
        commitment_open: !a.commitHash.is_zero(),
        min_stake,
        balance: net.token.balanceOf(who).call().await?,
    })
}

/// `prover status [ADDR]`.
pub async fn prover_status_report(net: &Net, who: Address) -> Result<Report> {
    let s = prover_status(net, who).await?;
    let block = net.chain.block_number().await?;
    let u = &net.units;
    let mut h = format!("prover {who}\n");
    if !s.registered {
        h += "  not registered (run `provernet prover register --stake AMT`)\n";
    }
    h += &format!("  stake        {} (minimum {})\n", u.fmt(s.stake), u.fmt(s.min_stake));
    if s.unbonding.is_zero() {
        h += "  unbonding    none\n";
    } else if block >= s.unbonding_ready_at {
        h += &format!("  unbonding    {} (withdrawable now)\n", u.fmt(s.unbonding));
    } else {
        h += &format!(
            "  unbonding    {} (frees at block {}, in {} blocks)\n",
            u.fmt(s.unbonding),
            s.unbonding_ready_at,
            s.unbonding_ready_at - block
        );
    }
    h += &format!("  reputation   {} / 10000\n", s.reputation);
    h += &format!(
        "  eligible     {} (weight {})\n",
        if s.eligible { "yes" } else { "no" },
        s.weight
    );
    h += &format!("  assignments  {} open\n", s.open_assignments);
    h += &format!("  claimable    {}\n", u.fmt(s.claimable));
    h += &format!("  wallet       {}\n", u.fmt(s.balance));
    if let Some(e) = s.commit_epoch {
        h += &format!(
            "  commitment   epoch {e} ({})\n",
            if s.commitment_open { "not revealed yet" } else { "revealed" }
        );
    }
    let f = |v: U256| crate::amount::fmt_amount(v, u.decimals);
    let json = json!({
        "address": who, "registered": s.registered, "stake": f(s.stake), "unbonding": f(s.unbonding),
        "unbondingReadyAt": s.unbonding_ready_at, "withdrawableNow": !s.unbonding.is_zero() && block >= s.unbonding_ready_at,
        "reputation": s.reputation.to_string(), "weight": s.weight.to_string(), "eligible": s.eligible,
        "openAssignments": s.open_assignments, "claimable": f(s.claimable), "balance": f(s.balance),
        "minStake": f(s.min_stake), "commitEpoch": s.commit_epoch, "commitmentOpen": s.commitment_open,
        "symbol": u.symbol, "block": block,
    });
    Ok(Report::new(h, json))
}

/// `prover register --stake AMT`.
pub async fn register(net: &Net, amount: U256) -> Result<Report> {
    let me = net.chain.signer()?;
    let s = prover_status(net, me).await?;
    if s.registered {
        bail!("{me} is already registered; use `provernet prover stake --amount AMT` to add stake");
    }
    if amount < s.min_stake {
        bail!(
            "stake {} is below the minimum {}",
            net.units.fmt(amount),
            net.units.fmt(s.min_stake)
        );
    }
    net.ensure_allowance(me, amount, "registering").await?;
    let r = net.send("register", net.network.register(amount)).await?;
    Ok(Report::new(
        format!(
            "registered {me} with {} staked (tx {:#x})",
            net.units.fmt(amount),
            r.transaction_hash
        ),
        json!({ "prover": me, "stake": crate::amount::fmt_amount(amount, net.units.decimals), "receipt": tx_json(&r) }),
    ))
}

async fn require_registered(net: &Net, me: Address) -> Result<ProverStatus> {
    let s = prover_status(net, me).await?;
    if !s.registered {
        bail!("{me} is not a registered prover; run `provernet prover register --stake AMT` first");
    }
    Ok(s)
}

/// `prover stake --amount AMT`.
pub async fn stake(net: &Net, amount: U256) -> Result<Report> {
    let me = net.chain.signer()?;
    require_registered(net, me).await?;
    net.ensure_allowance(me, amount, "staking").await?;
    let r = net.send("stake", net.network.stake(amount)).await?;
    Ok(Report::new(
        format!("added {} of stake (tx {:#x})", net.units.fmt(amount), r.transaction_hash),
        json!({ "prover": me, "amount": crate::amount::fmt_amount(amount, net.units.decimals), "receipt": tx_json(&r) }),
    ))
}

/// `prover unstake --amount AMT`.
pub async fn unstake(net: &Net, amount: U256) -> Result<Report> {
    let me = net.chain.signer()?;
    let s = require_registered(net, me).await?;
    if amount > s.stake {
        bail!(
            "cannot unstake {}: only {} is actively staked",
            net.units.fmt(amount),
            net.units.fmt(s.stake)
        );
    }
    let r = net.send("requestUnstake", net.network.requestUnstake(amount)).await?;
    let ev = r
        .decoded_log::<ProverNetwork::UnstakeRequested>()
        .ok_or_else(|| eyre!("the receipt has no UnstakeRequested event"))?;
    let ready: u64 = ev.readyAt.to();
    Ok(Report::new(
        format!(
            "{} is unbonding ({} in total); withdraw from block {ready} (tx {:#x})",
            net.units.fmt(amount),
            net.units.fmt(ev.totalUnbonding),
            r.transaction_hash
        ),
        json!({ "prover": me, "amount": crate::amount::fmt_amount(amount, net.units.decimals), "readyAt": ready, "receipt": tx_json(&r) }),
    ))
}

/// `prover withdraw`.
pub async fn withdraw(net: &Net) -> Result<Report> {
    let me = net.chain.signer()?;
    let s = prover_status(net, me).await?;
    if s.unbonding.is_zero() {
        bail!("nothing is unbonding for {me}; run `provernet prover unstake --amount AMT` first");
    }
    let r = net.send("withdraw", net.network.withdraw()).await?;
    Ok(Report::new(
        format!("withdrew {} (tx {:#x})", net.units.fmt(s.unbonding), r.transaction_hash),
        json!({ "prover": me, "amount": crate::amount::fmt_amount(s.unbonding, net.units.decimals), "receipt": tx_json(&r) }),
    ))
}

/// `prover claim`.
pub async fn claim(net: &Net) -> Result<Report> {
    let me = net.chain.signer()?;
    let s = prover_status(net, me).await?;
    if s.claimable.is_zero() {
        bail!("{me} has nothing to claim");
    }
    let r = net.send("claim", net.network.claim()).await?;
    Ok(Report::new(
        format!("claimed {} (tx {:#x})", net.units.fmt(s.claimable), r.transaction_hash),
        json!({ "account": me, "amount": crate::amount::fmt_amount(s.claimable, net.units.decimals), "receipt": tx_json(&r) }),
    ))
}

/// `token mint --to ADDR --amount AMT` (dev token only).
pub async fn mint(net: &Net, to: Address, amount: U256) -> Result<Report> {
    net.chain.signer()?;
    if !net.dep.dev_token {
        bail!(
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

// ------------------------------------------------------------------ epochs

/// `epoch status`.
pub async fn epoch_status(net: &Net) -> Result<Report> {
    let block = net.chain.block_number().await?;
    let g = net.geo;
    let epoch = g.epoch_of(block);
    let phase = g.phase_of(block);
    let phase_end = match phase {
        Phase::Commit => g.reveal_start(epoch),
        Phase::Reveal => g.epoch_start(epoch + 1),
    };
    let (list_count, list_weight) = if epoch == 0 {
        (U256::ZERO, U256::ZERO)
    } else {
        let r = net.network.rollOf(U256::from(epoch - 1)).call().await?;
        (r.count, r.totalWeight)
    };
    let (revealed, _) = {
        let r = net.network.rollOf(U256::from(epoch)).call().await?;
        (r.count, r.totalWeight)
    };
    let mut h = format!(
        "block {block}: epoch {epoch}, {phase:?} phase until block {phase_end} ({} blocks left)\n",
        phase_end - block
    );
    h += &format!(
        "  epochs are {} commit + {} reveal blocks from block {}\n",
        g.commit_blocks, g.reveal_blocks, g.genesis
    );
    h += &format!(
        "  batches posted now draw from {list_count} prover(s) revealed in epoch {}\n",
        epoch.saturating_sub(1)
    );
    h += &format!("  {revealed} prover(s) revealed so far in epoch {epoch}\n");
    let mut mine = serde_json::Value::Null;
    if let Some(me) = net.chain.signer {
        let s = prover_status(net, me).await?;
        let state = match s.commit_epoch {
            Some(e) if e == epoch && s.commitment_open => "committed, not revealed",
            Some(e) if e == epoch => "revealed",
            _ if s.registered => "not committed",
            _ => "not registered",
        };
        h += &format!("  you ({me}): {state}\n");
        mine = json!({ "address": me, "state": state });
    }
    Ok(Report::new(
        h,
        json!({ "block": block, "epoch": epoch, "phase": phase, "phaseEndsAt": phase_end,
                "commitBlocks": g.commit_blocks, "revealBlocks": g.reveal_blocks, "genesisBlock": g.genesis,
                "activeListSize": list_count.to_string(), "activeListWeight": list_weight.to_string(),
                "revealedThisEpoch": revealed.to_string(), "signer": mine }),
    ))
}

/// Commits for the epoch of the next block; the secret is stored before the transaction is sent.
pub async fn commit(net: &Net, secrets: &SecretStore) -> Result<(u64, TransactionReceipt)> {
    let me = net.chain.signer()?;
    let s = require_registered(net, me).await?;
    // The transaction lands in the next block at the earliest; judge the phase there.
    let next = net.chain.block_number().await? + 1;
    let epoch = net.geo.epoch_of(next);
    if net.geo.phase_of(next) != Phase::Commit {
        bail!(
            "epoch {epoch} is in its reveal phase (commits are accepted in blocks {}..{}); \
             commit in the next epoch's commit phase from block {}",
            net.geo.epoch_start(epoch),
            net.geo.reveal_start(epoch),
            net.geo.epoch_start(epoch + 1)
        );
    }
    if s.commit_epoch == Some(epoch) {
        bail!(
            "{me} already committed in epoch {epoch}; reveal from block {}",
            net.geo.reveal_start(epoch)
        );
    }
    if s.stake < s.min_stake {
        bail!(
            "stake {} is below the minimum {}",
            net.units.fmt(s.stake),
            net.units.fmt(s.min_stake)
        );
    }
    let secret = secrets.load_or_create(net.chain.chain_id, net.dep.network, me, epoch)?;
    let c = commitment(secret, me, epoch);
    let r = net.send("commit", net.network.commit(c)).await?;
    Ok((epoch, r))
}

/// `epoch commit`.
pub async fn commit_report(net: &Net, secrets: &SecretStore) -> Result<Report> {
    let (epoch, r) = commit(net, secrets).await?;
    Ok(Report::new(
        format!(
            "committed for epoch {epoch} (tx {:#x}); reveal from block {}",
            r.transaction_hash,
            net.geo.reveal_start(epoch)
        ),
        json!({ "epoch": epoch, "revealFrom": net.geo.reveal_start(epoch), "receipt": tx_json(&r) }),
    ))
}

/// Reveals the stored secret of the current epoch's commitment.
pub async fn reveal(net: &Net, secrets: &SecretStore) -> Result<(u64, U256, TransactionReceipt)> {
    let me = net.chain.signer()?;
    let s = require_registered(net, me).await?;
    let next = net.chain.block_number().await? + 1;
    let epoch = net.geo.epoch_of(next);
    if net.geo.phase_of(next) != Phase::Reveal {
        bail!(
            "epoch {epoch} is in its commit phase; reveal in blocks {}..{}",
            net.geo.reveal_start(epoch),
            net.geo.epoch_start(epoch + 1)
        );
    }
    if s.commit_epoch != Some(epoch) || !s.commitment_open {
        bail!(
            "{me} has no unrevealed commitment for epoch {epoch}; commit in a commit phase first"
        );
    }
    let Some(secret) = secrets.load(net.chain.chain_id, net.dep.network, me, epoch)? else {
        bail!(
            "no stored secret for epoch {epoch} at {}; this commitment cannot be revealed (it will be \
             penalised). Use the same --data-dir as the commit",
            secrets.path(net.chain.chain_id, net.dep.network, me, epoch).display()
        );
    };
    let r = net.send("reveal", net.network.reveal(secret)).await?;
    let weight = r.decoded_log::<ProverNetwork::Revealed>().map(|e| e.weight).unwrap_or_default();
    Ok((epoch, weight, r))
}

/// `epoch reveal`.
pub async fn reveal_report(net: &Net, secrets: &SecretStore) -> Result<Report> {
    let (epoch, weight, r) = reveal(net, secrets).await?;
    Ok(Report::new(
        format!(
            "revealed for epoch {epoch} with weight {weight}; you can be drawn for batches posted in epoch {} (tx {:#x})",
            epoch + 1,
            r.transaction_hash
        ),
        json!({ "epoch": epoch, "weight": weight.to_string(), "receipt": tx_json(&r) }),
    ))
}

// ------------------------------------------------------------------ batches

/// Parses a 32-byte hex commitment.
pub fn parse_commitment(text: &str) -> Result<B256> {
    let t = text.trim();
    let hex = t.strip_prefix("0x").unwrap_or(t);
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("--commitment {t:?} is not 32 bytes of hex (0x followed by 64 hex digits)");
    }
    let c: B256 = t.parse().map_err(|_| eyre!("--commitment {t:?} is not valid hex"))?;
    if c.is_zero() {
        bail!("--commitment must not be zero");
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
        bail!(
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

/// Posts batch data: stores it in `store` under its Poseidon commitment (before sending, so a
/// prover drawn in the same block finds it), then posts the commitment.
pub async fn post_batch_data(
    net: &Net,
    store: &BatchStore,
    data: &[u8],
    fee: U256,
) -> Result<(Posted, B256, std::path::PathBuf)> {
    let commitment = batch_commitment(data)?;
    if commitment.is_zero() {
        bail!("the batch data commits to zero, which the network does not accept; change the data");
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
        bail!("batch ids start at 1");
    }
    let b = net
        .network
        .batchOf(U256::from(id))
        .call()
        .await
        .wrap_err_with(|| format!("while reading batch {id}"))?;
    if b.status == status::NONE {
        let next = net.network.nextBatchId().call().await?;
        bail!("there is no batch {id} (the last batch is {})", next.saturating_sub(1));
    }
    Ok(b)
}

/// `batch status ID`.
pub async fn batch_status_report(net: &Net, id: u64) -> Result<Report> {
    let b = batch(net, id).await?;
    let eff = net.network.effectiveStatus(U256::from(id)).call().await?;
    let block = net.chain.block_number().await?;
    let u = &net.units;
    let mut h = format!("batch {id}: {}", status_name(eff));
    if eff != b.status {
        h += &format!(
            " (recorded {}; `provernet batch timeout {id}` records it)",
            status_name(b.status)
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
        json!({ "batchId": id, "status": status_name(eff), "recordedStatus": status_name(b.status),
                "commitment": b.commitment, "prover": b.prover, "fee": f(U256::from(b.fee)),
                "bounty": f(U256::from(b.bounty)), "provingDeadline": b.provingDeadline.to::<u64>(),
                "raceDeadline": b.raceDeadline.to::<u64>(), "poster": b.poster, "block": block }),
    ))
}

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
                bail!(
                    "the proving window of batch {id} closed at block {pd}; the assigned prover may not race for it"
                )
            }
        }
        status::ASSIGNED | status::OPEN | status::RACING => {
            if b.prover == me {
                bail!("you were slashed for batch {id} and may not win its race");
            }
            if b.status == status::ASSIGNED && next <= pd {
                bail!(
                    "batch {id} is assigned to {} until block {pd}; the race opens after that",
                    b.prover
                );
            }
            if next > rd {
                bail!(
                    "the race for batch {id} ended at block {rd}; `provernet batch timeout {id}` marks it failed"
                );
            }
            Ok(ProveRoute::Race)
        }
        s => bail!("batch {id} is {}: nothing to prove", status_name(s)),
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
    let me = net.chain.signer()?;
    let next = net.chain.block_number().await? + 1;
    let mut commitments = Vec::new();
    let mut route = None;
    for id in first..first + count {
        let b = batch(net, id).await.map_err(refused)?;
        let r = prove_route(id, &b, me, next).map_err(refused)?;
        if route.is_some_and(|x| x != r) || (r == ProveRoute::Race && count > 1) {
            bail!(
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

/// `batch timeout ID`: slashes a missed window, or marks a batch failed once its race is over.
pub async fn timeout(net: &Net, id: u64) -> Result<Report> {
    net.chain.signer()?;
    let b = batch(net, id).await?;
    let next = net.chain.block_number().await? + 1;
    let pd: u64 = b.provingDeadline.to();
    let rd: u64 = b.raceDeadline.to();
    let live = matches!(b.status, status::ASSIGNED | status::OPEN | status::RACING);
    if !live {
        bail!("batch {id} is {}: there is nothing to time out", status_name(b.status));
    }
    let (what, r) = if next > rd {
        (
            "marked failed (fee refunded to the poster)",
            net.send("markFailed", net.network.markFailed(U256::from(id))).await?,
        )
    } else if b.status == status::ASSIGNED && next > pd {
        (
            "slashed its assigned prover; the race is open",
            net.send("slashMissed", net.network.slashMissed(U256::from(id))).await?,
        )
    } else if b.status == status::ASSIGNED {
        bail!("the proving window of batch {id} is open until block {pd}; nothing to time out yet");
    } else {
        bail!("batch {id} is in its race until block {rd}; it can be marked failed after that");
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
