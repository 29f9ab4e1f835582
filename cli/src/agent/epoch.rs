//! The epoch duty: commit in the commit phase, reveal in the reveal phase, every epoch the prover
//! is eligible. It runs in the duty loop itself and never waits for a proof.

use provernet_fleet::metrics::Counter;
use tracing::{info, warn};

use super::Agent;
use crate::{net::Phase, ops};

impl Agent {
    /// Commits or reveals for the epoch of the next block, when due. Failures are logged (the
    /// next block tries again while the phase lasts).
    pub(super) async fn epoch_duties(
        &mut self,
        block: u64,
        commit_epoch: u32,
        open: bool,
        eligible: bool,
    ) {
        let geo = self.net.geo;
        let next = block + 1;
        let epoch = geo.epoch_of(next);
        let committed_here = commit_epoch != ops::NO_COMMIT && u64::from(commit_epoch) == epoch;
        match geo.phase_of(next) {
            Phase::Commit if !committed_here && eligible => {
                match ops::commit(&self.net, &self.secrets).await {
                    Ok((e, r)) => {
                        self.stats.commits += 1;
                        Counter::Commits.increment(1);
                        info!(agent = %self.cfg.name, epoch = e, block, "committed");
                        // A commit after a withheld reveal applies that penalty in the same
                        // transaction: say so now rather than at the next log scan.
                        let reporter = super::penalties::Reporter {
                            agent: &self.cfg.name,
                            me: self.me,
                            units: &self.net.units,
                            stats: &mut self.stats,
                        };
                        self.penalties.report_receipt(&r, reporter);
                    }
                    Err(e) => {
                        warn!(agent = %self.cfg.name, epoch, error = format!("{e:#}"), "commit failed")
                    }
                }
            }
            Phase::Reveal if committed_here && open => {
                match ops::reveal(&self.net, &self.secrets).await {
                    Ok((e, weight, _)) => {
                        self.stats.reveals += 1;
                        Counter::Reveals.increment(1);
                        info!(agent = %self.cfg.name, epoch = e, %weight, block, "revealed");
                    }
                    Err(e) => {
                        warn!(agent = %self.cfg.name, epoch, error = format!("{e:#}"), "reveal failed")
                    }
                }
            }
            _ => {}
        }
    }
}
