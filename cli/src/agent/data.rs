//! Batch data a prover can always get, or an excuse: before proving an assignment the agent makes
//! sure the batch's data is where its proving backend reads it (the batch-data directory, else an
//! answer published on chain, `BatchDataPublished`). When neither has it, the agent challenges the
//! batch inside its window (`challengeData`): the source then publishes the data (the agent proves
//! once it appears) or the batch is voided and its fee compensates this prover (logged from
//! `BatchVoided`). Backends that need no data (the insecure dev verifier) never challenge.

use std::collections::BTreeMap;

use alloy::primitives::U256;
use provernet_bindings::{BatchStatus, ProverNetwork};
use tracing::{info, warn};

use super::Agent;
use crate::ops::{challenge, status};

/// The batches this agent challenged, with the block their data is due by.
#[derive(Debug, Default)]
pub(super) struct Challenges {
    open: BTreeMap<u64, u64>,
}

impl Agent {
    /// Whether batch `id` (assigned to this prover, its window open at block `next`) has its data
    /// where the backend reads it; challenges the batch when nobody has it. Errors are logged: a
    /// batch without data is simply not proven this block.
    pub(super) async fn data_ready(
        &mut self,
        id: u64,
        b: &ProverNetwork::Batch,
        next: u64,
    ) -> bool {
        let Some(store) = self.engine.backend().batch_store() else { return true };
        match challenge::ensure_local_data(&self.net, store, id, b.commitment).await {
            Ok(true) => return true,
            Ok(false) => {}
            Err(e) => {
                warn!(agent = %self.cfg.name, batch = id, error = format!("{e:#}"), "cannot look for batch data");
                return false;
            }
        }
        if next > b.provingDeadline.to::<u64>() {
            return false;
        }
        warn!(agent = %self.cfg.name, batch = id, commitment = %b.commitment,
              "no data for the batch locally or on chain: challenging it (`challengeData`)");
        match challenge::challenge(&self.net, id).await {
            Ok(r) => {
                let by = r.json["respondBy"].as_u64().unwrap_or_default();
                self.challenges.open.insert(id, by);
                info!(agent = %self.cfg.name, batch = id, respond_by = by, "{}", r.human);
            }
            Err(e) => {
                warn!(agent = %self.cfg.name, batch = id, error = format!("{e:#}"), "challenge failed")
            }
        }
        false
    }

    /// Follows the batches this agent challenged: an answered one is proven through the usual
    /// duties (its data is on chain now); a voided one is logged with the compensation credited.
    pub(super) async fn follow_challenges(&mut self) {
        for (id, by) in self.challenges.open.clone() {
            let Ok(b) = self.net.network.batchOf(U256::from(id)).call().await else { continue };
            match b.status {
                status::CHALLENGED => continue,
                status::VOIDED => match challenge::voided_compensation(&self.net, id).await {
                    Ok(Some((prover, amount))) => {
                        info!(agent = %self.cfg.name, batch = id, %prover,
                        compensation = %self.net.units.fmt(amount),
                        "nobody published the batch's data by block {by}: voided, its fee credited as compensation")
                    }
                    Ok(None) => info!(agent = %self.cfg.name, batch = id, "batch voided"),
                    Err(e) => {
                        warn!(agent = %self.cfg.name, batch = id, error = format!("{e:#}"), "cannot read the voiding");
                        continue;
                    }
                },
                s => info!(agent = %self.cfg.name, batch = id, status = BatchStatus::name_of(s),
                           "the batch's data was published on chain; proving it"),
            }
            self.challenges.open.remove(&id);
        }
    }
}
