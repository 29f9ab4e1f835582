//! The seed duty: once an epoch has started, the seed of the list serving it is fixed as early as
//! possible (see [`crate::ops::seed`] for why early matters; the contract pays no keeper fee).
//!
//! The agent's own commit fixes it when it commits first, and the epoch duty runs before this one,
//! so `finalizeSeed` is sent only when the seed is still unfixed after that: the prover is not
//! eligible to commit, its commit failed, or the agent started after the commit phase and nobody
//! acted in the epoch. The transaction runs on its own task, so its receipt never holds up the
//! other duties; its outcome is logged on a later block.

use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::Agent;
use crate::ops::seed::{self, SeedFixed};

/// What the seed duty knows.
#[derive(Debug, Default)]
pub(super) struct SeedDuty {
    /// The latest list epoch whose seed is known to be fixed (it never changes once fixed).
    fixed: Option<u64>,
    /// The `finalizeSeed` in flight, if any.
    sending: Option<JoinHandle<eyre::Result<SeedFixed>>>,
}

impl Agent {
    /// Fixes the seed of the list serving the next block's epoch when nobody did.
    pub(super) async fn seed_duty(&mut self, block: u64) {
        if let Some(task) = self.seed.sending.take_if(|t| t.is_finished()) {
            self.seed_sent(task.await);
        }
        if self.seed.sending.is_some() {
            return;
        }
        let epoch = self.net.geo.epoch_of(block + 1);
        let Some(list) = epoch.checked_sub(1) else { return };
        if self.seed.fixed >= Some(list) {
            return;
        }
        match seed::unfixed_seed(&self.net).await {
            Ok(None) => self.seed.fixed = Some(list),
            Ok(Some(_)) => {
                info!(agent = %self.cfg.name, list, epoch, block,
                      "nobody has fixed the seed of epoch {epoch}'s draws yet: sending finalizeSeed");
                let net = self.net.clone();
                self.seed.sending =
                    Some(tokio::spawn(async move { seed::finalize_seed(&net).await }));
            }
            Err(e) => {
                warn!(agent = %self.cfg.name, error = format!("{e:#}"), "cannot read the seed")
            }
        }
    }

    fn seed_sent(&mut self, outcome: Result<eyre::Result<SeedFixed>, tokio::task::JoinError>) {
        match outcome {
            Ok(Ok(f)) => {
                self.stats.seeds_fixed += 1;
                self.seed.fixed = Some(f.epoch);
                info!(agent = %self.cfg.name, list = f.epoch, eligible = %f.eligible,
                      tx = %f.receipt.transaction_hash, block = f.receipt.block_number,
                      "finalized the seed of epoch {}'s draws", f.epoch + 1);
            }
            // Someone else fixed it meanwhile, or the endpoint failed: the next block looks again.
            Ok(Err(e)) => {
                warn!(agent = %self.cfg.name, error = format!("{e:#}"), "finalizeSeed failed")
            }
            Err(e) => warn!(agent = %self.cfg.name, error = %e, "the finalizeSeed task ended"),
        }
    }
}
