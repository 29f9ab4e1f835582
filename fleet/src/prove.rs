//! Proving a queued job with `provernet-zk`: the worker's default [`ProverFn`].

use crate::{
    job::ProofJob,
    worker::{ProveError, ProverFn},
};
use provernet_zk::KeySet;
use std::sync::Arc;

/// Proves `job` with `keys` (Groth16, BN254). The returned bytes verify against the keys'
/// verifying key for `job.inputs`: `KeySet::prove` checks the data against the commitments
/// first and verifies the fresh proof natively.
///
/// Every `provernet-zk` failure is deterministic (wrong data, unsupported batch count, missing
/// key, damaged key file), so none is retryable: another worker with the same keys would fail
/// the same way.
pub fn prove_job(keys: &KeySet, job: &ProofJob) -> Result<Vec<u8>, ProveError> {
    keys.prove(&job.request()).map_err(|e| ProveError {
        message: format!("cannot prove job {}: {e}", job.id()),
        retryable: false,
    })
}

/// [`prove_job`] as a worker's prover function.
pub fn zk_prover(keys: Arc<KeySet>) -> ProverFn {
    Arc::new(move |job| prove_job(&keys, job))
}
