//! Proof jobs that can no longer meet their deadline are cancelled, wherever they are: proving on a
//! thread of this process, waiting in the job queue, or being proven by a worker.
//!
//! Each new block, a job whose proof could not land in time any more (a transaction sent now lands
//! in `block + 1` at the earliest, after the job's last block) is given up: its batches are
//! released, it is logged as a warning with its batch ids and the deadline that closed, counted in
//! `provernet_jobs_cancelled_total`, and the engine is told ([`super::Engine::cancel`]: the queue
//! stores a cancellation as the job's result, so a worker that takes it later skips it). A proof
//! that still comes back afterwards is discarded, never submitted.
//!
//! Such a job is dropped rather than turned into a race attempt: the contract lets any prover but
//! the assigned one race for a missed batch, and a race job's own deadline is the end of the race.

use provernet_fleet::{JobId, metrics::Counter};
use tracing::{info, warn};

use super::Agent;
use crate::ops;

/// The id of the proof over `job`'s inputs, the same whichever engine makes it (a queue job
/// carries it as its id).
pub(super) fn job_id(job: &ops::Prepared) -> JobId {
    JobId::of(&job.input.public_inputs())
}

impl Agent {
    /// Cancels every job whose proof can no longer land by its deadline at `block`.
    pub(super) fn cancel_overdue(&mut self, block: u64) {
        let next = block + 1;
        let late: Vec<JobId> = self
            .proving
            .iter()
            .filter(|(_, p)| next > p.deadline)
            .map(|(id, _)| id.clone())
            .collect();
        for id in late {
            let Some(job) = self.proving.remove(&id) else { continue };
            self.release(&job);
            self.stats.cancelled += 1;
            self.stats.dropped += 1;
            Counter::JobsCancelled.increment(1);
            let last = job.first + job.count - 1;
            let reason = format!(
                "the window of batches {}..={last} closed at block {} before their proof came back \
                 (head {block}: a proof sent now lands in block {next})",
                job.first, job.deadline
            );
            warn!(agent = %self.cfg.name, first = job.first, last, deadline = job.deadline,
                  head = block, route = ?job.route, engine = %self.engine.describe(),
                  "proof job cancelled: its window closed before the proof came back; a proof \
                   made later is discarded, not submitted");
            self.engine.cancel(&self.cfg.name, id, reason);
        }
    }

    /// Whether `job` is one the agent still waits for (and no longer does: its proof came back).
    pub(super) fn came_back(&mut self, job: &ops::Prepared) -> bool {
        self.proving.remove(&job_id(job)).is_some()
    }

    /// A proof (or a failure) for a job cancelled meanwhile: dropped without a transaction.
    pub(super) fn discard_late(
        &mut self,
        job: &ops::Prepared,
        proved: bool,
        queued: Option<JobId>,
    ) {
        info!(agent = %self.cfg.name, first = job.first, count = job.count, deadline = job.deadline,
              proved, "discarding the late result of a cancelled proof job; nothing submitted");
        self.engine.finished(queued);
    }
}
