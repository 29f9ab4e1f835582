//! Epochs: status and the commit-reveal that enters a prover into the next epoch's list.

use alloy::{primitives::U256, rpc::types::TransactionReceipt};
use eyre::Result;
use provernet_bindings::ProverNetwork;
use serde_json::json;

use super::{
    prover::{prover_status, require_registered},
    tx_json,
};
use crate::{
    bail_state,
    net::{Net, Phase},
    output::Report,
    secrets::SecretStore,
};

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
    let phase_start = match phase {
        Phase::Commit => g.epoch_start(epoch),
        Phase::Reveal => g.reveal_start(epoch),
    };
    // Blocks still to come in this phase: a transaction sent now lands in block + 1 at the
    // earliest, so the block already mined does not count.
    let left = phase_end - block - 1;
    let mut h = format!(
        "block {block}: epoch {epoch}, {phase:?} phase (blocks {phase_start} through {}); {left} more block(s) in it\n",
        phase_end - 1
    );
    if left == 0 {
        let next = g.phase_of(block + 1);
        h += &format!(
            "  a transaction sent now lands in block {} at the earliest: the {next:?} phase of epoch {}\n",
            block + 1,
            g.epoch_of(block + 1)
        );
    } else if net.chain.chain_id == crate::deployment::DEV_CHAIN_ID {
        // On anvil without a block time nothing moves between commands; say how to move on.
        let next = g.phase_of(phase_end);
        h += &format!(
            "  on anvil, `cast rpc anvil_mine {left}` makes the next transaction land in block {phase_end}, \
             the {next:?} phase of epoch {}\n",
            g.epoch_of(phase_end)
        );
    }
    h += &format!(
        "  epochs are {} commit + {} reveal blocks from block {}\n",
        g.commit_blocks, g.reveal_blocks, g.genesis
    );
    h += &format!(
        "  batches posted now draw from {list_count} prover(s) revealed in epoch {}\n",
        epoch.saturating_sub(1)
    );
    h += &format!("  {revealed} prover(s) revealed so far in epoch {epoch}\n");
    let (slot_text, slot_json) = slot_schedule(net, block).await?;
    h += &slot_text;
    let mut mine = serde_json::Value::Null;
    if net.chain.signer.is_some() {
        let me = net.acting_prover().await?;
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
        json!({ "block": block, "epoch": epoch, "phase": phase, "phaseStart": phase_start,
                "phaseLastBlock": phase_end - 1, "phaseEndsAt": phase_end, "blocksLeft": left,
                "commitBlocks": g.commit_blocks, "revealBlocks": g.reveal_blocks, "genesisBlock": g.genesis,
                "activeListSize": list_count.to::<u64>(), "activeListWeight": list_weight.to_string(),
                "revealedThisEpoch": revealed.to::<u64>(), "signer": mine,
                "slotBlocks": g.slot_blocks, "slot": slot_json["slot"], "seedFixed": slot_json["seedFixed"],
                "schedule": slot_json["schedule"] }),
    ))
}

/// The most slots `epoch status` lists (an epoch of more is summarised around the current slot).
const SCHEDULE_ROWS: u64 = 24;

/// The slot of the next block (where a batch posted now lands) and, once the seed of the list
/// serving this epoch is fixed, the epoch's slot schedule: each slot's first draw (`slotDraw`,
/// before capacity checks: a full prover is skipped for the slot's next draw).
async fn slot_schedule(net: &Net, block: u64) -> Result<(String, serde_json::Value)> {
    let g = net.geo;
    let now = g.slot_at(block + 1);
    let epoch = now.epoch;
    let mut h = format!(
        "  slot {} of {} (blocks {} through {}, {} blocks a slot): a batch posted now joins it\n",
        now.index,
        g.slots_per_epoch(),
        now.first_block,
        now.last_block,
        g.slot_blocks
    );
    let seed = match epoch {
        0 => U256::ZERO,
        e => net.network.seedOf(U256::from(e - 1)).call().await?,
    };
    if seed.is_zero() {
        h += &format!(
            "  the slot schedule of epoch {epoch} is drawn once the seed of epoch {}'s list is fixed (by \
             this epoch's first commit or batch, or finalizeSeed)\n",
            epoch.saturating_sub(1)
        );
        let doc = json!({ "slot": now, "seedFixed": false, "schedule": serde_json::Value::Null });
        return Ok((h, doc));
    }
    let per = g.slots_per_epoch();
    let first = now.index.saturating_sub(SCHEDULE_ROWS / 2).min(per.saturating_sub(SCHEDULE_ROWS));
    let mut rows = Vec::new();
    h += &format!("  slot schedule of epoch {epoch} (first draw of each slot):\n");
    for index in first..per.min(first + SCHEDULE_ROWS) {
        let s = g.slot(epoch, index);
        let prover =
            net.network.slotDraw(U256::from(epoch), U256::from(index), U256::ZERO).call().await?;
        let who =
            if prover.is_zero() { "nobody (empty list: open)".into() } else { prover.to_string() };
        let mark = if index == now.index { "  <- now" } else { "" };
        h += &format!(
            "    slot {index:>3}  blocks {:>6} through {:>6}  {who}{mark}\n",
            s.first_block, s.last_block
        );
        rows.push(json!({ "index": index, "firstBlock": s.first_block, "lastBlock": s.last_block,
                          "prover": prover }));
    }
    Ok((h, json!({ "slot": now, "seedFixed": true, "schedule": rows })))
}

/// Commits for the epoch of the next block; the secret is stored before the transaction is sent.
pub async fn commit(net: &Net, secrets: &SecretStore) -> Result<(u64, TransactionReceipt)> {
    // An operator commits and reveals for its prover: the commitment binds the prover's address.
    let me = net.acting_prover().await?;
    let s = require_registered(net, me).await?;
    // The transaction lands in the next block at the earliest; judge the phase there.
    let next = net.chain.block_number().await? + 1;
    let epoch = net.geo.epoch_of(next);
    if net.geo.phase_of(next) != Phase::Commit {
        bail_state!(
            "epoch {epoch} is in its reveal phase (commits are accepted in blocks {} through {}); \
             commit in the next epoch's commit phase from block {}",
            net.geo.epoch_start(epoch),
            net.geo.reveal_start(epoch) - 1,
            net.geo.epoch_start(epoch + 1)
        );
    }
    if s.commit_epoch == Some(epoch) {
        bail_state!(
            "{me} already committed in epoch {epoch}; reveal from block {}",
            net.geo.reveal_start(epoch)
        );
    }
    if s.stake < s.min_stake {
        bail_state!(
            "stake {} is below the minimum {}",
            net.units.fmt(s.stake),
            net.units.fmt(s.min_stake)
        );
    }
    let secret = secrets.load_or_create(net.chain.chain_id, net.dep.network, me, epoch)?;
    let c = provernet_bindings::formulas::seed_commitment(secret, me, epoch);
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
    // An operator commits and reveals for its prover: the commitment binds the prover's address.
    let me = net.acting_prover().await?;
    let s = require_registered(net, me).await?;
    let next = net.chain.block_number().await? + 1;
    let epoch = net.geo.epoch_of(next);
    if let Some(e) = s.commit_epoch.filter(|e| *e < epoch && s.commitment_open) {
        // The commitment's reveal phase is over: it can never be revealed now.
        let params = net.network.params().call().await?;
        bail_state!(
            "the commitment of epoch {e} was not revealed in its reveal phase (blocks {} through {}) and \
             can no longer be revealed: the non-reveal penalty ({} bps of the stake, and reputation) \
             applies when it is resolved, by anyone's `penalizeNonReveal` or by your next commit. \
             Commit again in a commit phase (epoch {epoch}'s runs through block {}) to be listed again",
            net.geo.reveal_start(e),
            net.geo.epoch_start(e + 1) - 1,
            params.nonRevealSlashBps,
            net.geo.reveal_start(epoch) - 1
        );
    }
    if net.geo.phase_of(next) != Phase::Reveal {
        bail_state!(
            "epoch {epoch} is in its commit phase; reveal in blocks {} through {}",
            net.geo.reveal_start(epoch),
            net.geo.epoch_start(epoch + 1) - 1
        );
    }
    if s.commit_epoch != Some(epoch) || !s.commitment_open {
        bail_state!(
            "{me} has no unrevealed commitment for epoch {epoch}; commit in a commit phase first"
        );
    }
    let Some(secret) = secrets.load(net.chain.chain_id, net.dep.network, me, epoch)? else {
        bail_state!(
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
