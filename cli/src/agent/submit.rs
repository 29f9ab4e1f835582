//! Submitting proofs: each on its own task (so a receipt never holds up the duty loop), never
//! after its window, never twice, and again only when a reorg removed the landed transaction
//! while the window is still open.

use alloy::primitives::{Bytes, TxHash};
use alloy::providers::Provider;
use eyre::Result;
use provernet_bindings::ProverNetwork;
use provernet_fleet::{JobId, metrics::Counter};
use tracing::{info, warn};

use super::{Agent, proving::Event};
use crate::{
    chain::was_not_sent,
    ops::{self, ProveRoute, status},
};

/// How a submission ended.
#[derive(Debug)]
pub(super) enum Outcome {
    /// Mined and successful.
    Landed { tx: TxHash, block: u64 },
    /// Refused before sending (the simulation said no, or the window would close first).
    NotSent(String),
    /// Sent (or possibly sent) and failed: never sent again for these batches.
    Failed(String),
}

impl Agent {
    /// A proof came back: submit it on its own task, unless its window closes before it can land.
    pub(super) fn on_proof(
        &mut self,
        job: ops::Prepared,
        proof: Result<Bytes>,
        job_id: Option<JobId>,
    ) {
        let proof = match proof {
            Ok(p) => p,
            Err(e) => {
                self.stats.errors += 1;
                self.release(&job);
                self.engine.finished(job_id);
                warn!(agent = %self.cfg.name, first = job.first, count = job.count,
                      error = format!("{e:#}"), "could not make the proof");
                return;
            }
        };
        self.stats.proofs += 1;
        let (net, events) = (self.net.clone(), self.events_tx.clone());
        let name = self.cfg.name.clone();
        self.submissions.spawn(async move {
            let outcome = submit(&net, &job, proof, &name).await;
            let _ = events.send(Event::Submitted { job, job_id, outcome });
        });
    }

    /// A submission task ended.
    ///
    /// A queued job's result stays in the queue until its transaction was sent, so an agent
    /// killed meanwhile finds it again; it is deleted once the chain holds the answer.
    pub(super) fn on_submitted(
        &mut self,
        job: &ops::Prepared,
        job_id: Option<JobId>,
        outcome: Outcome,
    ) {
        self.release(job);
        if !matches!(outcome, Outcome::NotSent(_)) {
            self.engine.finished(job_id);
        }
        let (first, count) = (job.first, job.count);
        match outcome {
            Outcome::Landed { tx, block } => {
                for id in first..first + count {
                    self.submitted.insert(id, Some(tx));
                }
                match job.route {
                    ProveRoute::Assigned => {
                        self.stats.proven += count;
                        Counter::AssignmentsProven.increment(count);
                        info!(agent = %self.cfg.name, first, count, block, %tx, "proved assigned batch(es)");
                    }
                    ProveRoute::Race => {
                        self.stats.races_won += 1;
                        Counter::RacesWon.increment(1);
                        info!(agent = %self.cfg.name, batch = first, block, %tx, "won the emergency race");
                    }
                }
            }
            Outcome::NotSent(reason) => {
                // Nothing went out, so nothing to remember; the next block re-derives the
                // situation from the chain (usually: someone else was faster, or it is too late).
                self.stats.dropped += 1;
                info!(agent = %self.cfg.name, first, %reason, "proof not sent");
            }
            Outcome::Failed(error) => {
                for id in first..first + count {
                    self.submitted.insert(id, None);
                }
                self.stats.races_lost += 1;
                warn!(agent = %self.cfg.name, first, %error,
                      "proof transaction failed (in a race: another prover landed first); not retrying");
            }
        }
    }

    /// Whether the agent may (still) submit for batch `id`: never after a submission that was
    /// sent, unless that submission landed and a reorg has since removed it while the batch is
    /// still open to this prover (its status is back to assigned or racing).
    pub(super) async fn may_submit(
        &mut self,
        id: u64,
        b: &ProverNetwork::Batch,
        next: u64,
    ) -> bool {
        let Some(sent) = self.submitted.get(&id).copied() else { return true };
        let Some(tx) = sent else { return false };
        let reopened = matches!(b.status, status::ASSIGNED | status::RACING | status::OPEN)
            && ops::prove_route(id, b, self.me, next).is_ok();
        if !reopened {
            return false;
        }
        match self.net.chain.provider.get_transaction_receipt(tx).await {
            Ok(None) => {
                warn!(agent = %self.cfg.name, batch = id, %tx,
                      "the proof transaction was reorged out and the window is still open; proving again");
                self.submitted.remove(&id);
                true
            }
            _ => false,
        }
    }
}

/// Sends the proof of `job` unless it would land after the job's deadline.
async fn submit(net: &crate::net::Net, job: &ops::Prepared, proof: Bytes, agent: &str) -> Outcome {
    match net.chain.block_number().await {
        Ok(head) if head + 1 > job.deadline => {
            return Outcome::NotSent(format!(
                "too late: it would land in block {} at the earliest, after its last block {}",
                head + 1,
                job.deadline
            ));
        }
        _ => {}
    }
    if job.route == ProveRoute::Race {
        Counter::RacesEntered.increment(1);
    }
    match ops::submit_proof(net, job, proof).await {
        Ok(r) => {
            Outcome::Landed { tx: r.transaction_hash, block: r.block_number.unwrap_or_default() }
        }
        Err(e) if was_not_sent(&e) => Outcome::NotSent(format!("{e:#}")),
        Err(e) => {
            tracing::debug!(agent, error = format!("{e:#}"), "submission failed");
            Outcome::Failed(format!("{e:#}"))
        }
    }
}
