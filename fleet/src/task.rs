//! Jobs that are not proofs: a named kind with an opaque text payload, run by the handler a worker
//! registered for that kind. The first kind is `sim-cell`, one cell of a simulation sweep
//! (`provernet sim sweep --queue URL`); the queue, redelivery and result semantics are exactly
//! those of proof jobs, so a fleet's workers serve both.
//!
//! The fleet crate knows nothing about what a payload means (it stays free of the simulator): the
//! program that enqueues a kind and the program that runs it agree on the payload's format.

use crate::job::JobId;
use crate::worker::ProveError;
use alloy_primitives::{B256, keccak256};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A job of kind `task`, carrying its input as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskJob {
    /// What kind of job this is: selects the worker's handler (e.g. `sim-cell`).
    pub task: String,
    /// The input, in whatever text format the kind defines.
    pub payload: String,
    /// Set by [`crate::Queue::enqueue_task`] (microseconds since the Unix epoch). Not part of the
    /// job id.
    #[serde(default)]
    pub enqueued_unix_us: u64,
}

impl TaskJob {
    /// A job of kind `task` over `payload`.
    pub fn new(task: impl Into<String>, payload: impl Into<String>) -> Self {
        Self { task: task.into(), payload: payload.into(), enqueued_unix_us: 0 }
    }

    /// The job's id: `<kind>-<keccak256 of the payload, hex>`. Derived from the input, like a
    /// proof job's, so the same work always has the same id: re-enqueueing it is harmless and a
    /// stored result is found again (a rerun of an interrupted sweep reuses the cells done).
    pub fn id(&self) -> JobId {
        let hash: B256 = keccak256(self.payload.as_bytes());
        let kind: String = self
            .task
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' })
            .collect();
        JobId::from_raw(format!("{kind}-{hash:x}"))
    }
}

/// Runs one task and returns its output text. Blocking and possibly long (a simulation run): the
/// worker runs it on a blocking thread with progress acks, as it does proofs.
pub type TaskFn = Arc<dyn Fn(&TaskJob) -> Result<String, ProveError> + Send + Sync>;

/// What travels on the job stream: a proof job or a task.
///
/// Untagged, tried in order: a task has the required `task` field and no other field beyond its
/// own (`deny_unknown_fields`), so a proof job (which has neither) is never taken for one, and proof
/// messages keep the shape they had before tasks existed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Job {
    /// Anything but a proof.
    Task(TaskJob),
    /// A proof job.
    Proof(crate::job::ProofJob),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{Deadline, ProofJob};
    use alloy_primitives::Address;
    use provernet_zk::PublicInputs;

    #[test]
    fn task_ids_follow_the_payload_and_are_valid_keys() {
        let a = TaskJob::new("sim-cell", "seed = 1");
        assert!(a.id().as_str().starts_with("sim-cell-"), "{}", a.id());
        assert_eq!(a.id(), TaskJob::new("sim-cell", "seed = 1").id());
        assert_ne!(a.id(), TaskJob::new("sim-cell", "seed = 2").id());
        let odd = TaskJob::new("a b.c", "x");
        assert!(odd.id().as_str().chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }

    #[test]
    fn the_envelope_tells_tasks_from_proofs() {
        let task = TaskJob::new("sim-cell", "seed = 1");
        let json = serde_json::to_string(&Job::Task(task.clone())).unwrap();
        assert_eq!(serde_json::from_str::<Job>(&json).unwrap(), Job::Task(task));
        let inputs = PublicInputs {
            chain_id: 1,
            network: Address::ZERO,
            prover: Address::ZERO,
            first_batch_id: 3,
            commitments: vec![],
        };
        let proof = ProofJob::new(inputs, vec![], Deadline { block: 9, unix_ms: None });
        // A proof job as published before tasks existed (the bare ProofJob) still decodes.
        let json = serde_json::to_string(&proof).unwrap();
        assert_eq!(serde_json::from_str::<Job>(&json).unwrap(), Job::Proof(proof));
    }
}
