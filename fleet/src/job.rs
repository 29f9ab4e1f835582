//! What travels through the queue: a proof job (everything a worker needs, nothing it must fetch)
//! and its result.
//!
//! Jobs carry the batch data inline rather than a path: a worker on another machine shares no disk
//! with the agent, and a job is at most 8 batches x 930 bytes, far below NATS' 1 MiB message limit.

use alloy_primitives::{B256, Bytes, keccak256};
use provernet_zk::{ProofRequest, PublicInputs};
use serde::{Deserialize, Serialize};
use std::{fmt, time::SystemTime};

/// A job's identity: derived from what it proves, so the same assignment always gets the same id.
///
/// That is what makes re-enqueueing harmless: JetStream drops a second message with the same
/// `Nats-Msg-Id` (within the stream's duplicate window), and the results bucket is keyed by it.
/// Shape: `<first batch id>-<batch count>-<keccak256 of the public inputs, hex>`; only characters
/// valid in both a NATS message id and a key-value key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct JobId(String);

impl JobId {
    /// The id of a proof over `inputs`: binds chain, network, prover, first batch and every
    /// commitment, i.e. exactly what the proof is bound to.
    pub fn of(inputs: &PublicInputs) -> Self {
        let mut material = Vec::with_capacity(56 + 32 * inputs.commitments.len());
        material.extend_from_slice(&inputs.chain_id.to_be_bytes());
        material.extend_from_slice(inputs.network.as_slice());
        material.extend_from_slice(inputs.prover.as_slice());
        material.extend_from_slice(&inputs.first_batch_id.to_be_bytes());
        for c in &inputs.commitments {
            material.extend_from_slice(c.as_slice());
        }
        let hash: B256 = keccak256(&material);
        Self(format!("{}-{}-{hash:x}", inputs.first_batch_id, inputs.commitments.len()))
    }

    /// An id made elsewhere in the crate (task ids, [`crate::TaskJob::id`]).
    pub(crate) fn from_raw(id: String) -> Self {
        Self(id)
    }

    /// The id as a string (the message id and the results key).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// When a proof stops being worth making.
///
/// `block` is the last block in which the proof transaction may land (the assignment's proof
/// deadline, or the race deadline for a race). A worker that knows the chain head (through the
/// [`crate::worker::ChainHead`] it was given) drops the job once `head >= block`: a transaction
/// sent then lands in `head + 1` at the earliest, too late. `unix_ms` is an optional wall-clock
/// cut-off the agent may add (its estimate of when `block` is reached, minus the time it needs to
/// submit), for workers that have no chain access: they drop the job once the clock passes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deadline {
    /// Last block in which the proof may land.
    pub block: u64,
    /// Optional wall-clock cut-off (milliseconds since the Unix epoch).
    pub unix_ms: Option<u64>,
}

impl Deadline {
    /// Why the job is too late, or `None` while a proof can still land in time.
    pub fn passed(&self, head: Option<u64>, now_unix_ms: u64) -> Option<String> {
        if let Some(head) = head.filter(|&h| h >= self.block) {
            return Some(format!(
                "chain head {head} >= deadline block {}: a proof sent now lands too late",
                self.block
            ));
        }
        match self.unix_ms {
            Some(cutoff) if now_unix_ms >= cutoff => Some(format!(
                "wall clock {now_unix_ms} ms >= the job's cut-off {cutoff} ms (deadline block {})",
                self.block
            )),
            _ => None,
        }
    }
}

/// One proof to make: what `provernet-zk` needs, plus the deadline and bookkeeping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProofJob {
    /// Chain, network, prover, first batch id and the posted commitments (in batch-id order).
    pub inputs: PublicInputs,
    /// The data of each covered batch, same order as `inputs.commitments`.
    pub batches: Vec<Bytes>,
    /// When the proof stops being useful.
    pub deadline: Deadline,
    /// Set by [`crate::Queue::enqueue`] (microseconds since the Unix epoch); the worker measures
    /// the queue wait from it. Not part of the job id.
    #[serde(default)]
    pub enqueued_unix_us: u64,
}

impl ProofJob {
    /// A job proving `batches` (one payload per commitment of `inputs`) by `deadline`.
    pub fn new(inputs: PublicInputs, batches: Vec<Vec<u8>>, deadline: Deadline) -> Self {
        Self {
            inputs,
            batches: batches.into_iter().map(Bytes::from).collect(),
            deadline,
            enqueued_unix_us: 0,
        }
    }

    /// The job's id (see [`JobId`]).
    pub fn id(&self) -> JobId {
        JobId::of(&self.inputs)
    }

    /// The `provernet-zk` request this job stands for.
    pub fn request(&self) -> ProofRequest {
        ProofRequest {
            inputs: self.inputs.clone(),
            batches: self.batches.iter().map(|b| b.to_vec()).collect(),
        }
    }
}

/// How a job ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Outcome {
    /// The proof (verifier layout, 256 bytes for Groth16).
    Proven {
        /// The proof bytes.
        proof: Bytes,
        /// Wall time of the proving call.
        prove_ms: u64,
    },
    /// Dropped unproven because its deadline had passed when a worker took it, or cancelled by the
    /// agent because its window closed before a proof came back ([`crate::Queue::cancel`]).
    Expired {
        /// Which deadline passed, with the numbers.
        reason: String,
    },
    /// A task ran ([`crate::TaskJob`]): its output, in the format its kind defines.
    Done {
        /// The output text.
        output: String,
        /// Wall time of the run.
        run_ms: u64,
    },
    /// Proving (or running a task) failed for a reason retrying cannot fix (or retries ran out).
    Failed {
        /// What went wrong.
        error: String,
    },
}

/// The result of a job, stored under its id in the results bucket (first writer wins).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobResult {
    /// The job.
    pub id: JobId,
    /// The worker that finished it.
    pub worker: String,
    /// Which delivery of the job this was (1 = first; more after a worker died or gave up).
    pub delivered: u64,
    /// Enqueue to the worker starting the work (after its check for an existing result), in
    /// microseconds: the queue's overhead plus any wait behind other jobs.
    pub queue_wait_us: u64,
    /// What happened.
    pub outcome: Outcome,
}

/// Microseconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_us() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

/// Queue occupancy, from the consumer's state on the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct QueueDepth {
    /// Jobs not yet delivered to any worker.
    pub queued: u64,
    /// Jobs delivered and not yet acked (being proven, or held by a dead worker until `ack_wait`).
    pub in_flight: u64,
    /// Jobs currently redelivered at least once.
    pub redelivered: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::Address;

    fn inputs(first: u64) -> PublicInputs {
        PublicInputs {
            chain_id: 31337,
            network: Address::repeat_byte(1),
            prover: Address::repeat_byte(2),
            first_batch_id: first,
            commitments: vec![B256::repeat_byte(3)],
        }
    }

    #[test]
    fn id_binds_every_public_input() {
        let base = JobId::of(&inputs(7));
        assert!(base.as_str().starts_with("7-1-"), "{base}");
        assert_eq!(base, JobId::of(&inputs(7)));
        let mut other = inputs(7);
        other.prover = Address::repeat_byte(9);
        assert_ne!(base, JobId::of(&other));
        let mut other = inputs(7);
        other.commitments[0] = B256::repeat_byte(4);
        assert_ne!(base, JobId::of(&other));
        assert_ne!(base, JobId::of(&inputs(8)));
        assert!(base.as_str().chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }

    #[test]
    fn deadline_boundaries() {
        let d = Deadline { block: 100, unix_ms: None };
        assert_eq!(d.passed(Some(99), u64::MAX), None, "head 99: lands in 100, in time");
        assert!(d.passed(Some(100), 0).unwrap().contains("chain head 100 >= deadline block 100"));
        assert_eq!(d.passed(None, u64::MAX), None, "no head and no cut-off: never expires");
        let d = Deadline { block: 100, unix_ms: Some(5_000) };
        assert_eq!(d.passed(None, 4_999), None);
        assert!(d.passed(None, 5_000).unwrap().contains("cut-off 5000 ms"));
    }
}
