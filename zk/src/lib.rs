//! Real batch proofs for provernet: a Groth16 (BN254) circuit, its development key ceremony, a
//! CPU-parallel prover, a Rust verifier and a generator for the matching Solidity verifier.
//!
//! The statement: "I know the data of `n` consecutive batches whose Poseidon commitments are
//! the posted commitments", with the network, chain, prover, first batch id and `n` as public
//! inputs so that a proof is worthless to any other prover. Any `n` from 1 to 16 is proven by the
//! circuit of the next size in 1, 2, 4, 8, 16, padded as [`inputs`] defines. See docs/proving.md.
//!
//! Typical use (the CLI):
//! ```no_run
//! # fn main() -> Result<(), provernet_zk::ZkError> {
//! use provernet_zk::{KeySet, ProofRequest, PublicInputs, batch_commitment, plan_proofs};
//! let keys = KeySet::load(std::path::Path::new("keys"))?;
//! let data = vec![b"batch 7 payload".to_vec()];
//! let inputs = PublicInputs {
//!     chain_id: 31337,
//!     network: Default::default(),
//!     prover: Default::default(),
//!     first_batch_id: 7,
//!     commitments: vec![batch_commitment(&data[0])?],
//! };
//! let proof = keys.prove(&ProofRequest { inputs, batches: data })?;
//! # let _ = (proof, plan_proofs(1, 5));
//! # Ok(()) }
//! ```

mod circuit;
mod error;
pub mod inputs;
mod keys;
pub mod poseidon;
pub mod poseidon_solidity;
pub mod proof;
pub mod solidity;

pub use circuit::BatchCircuit;
pub use error::ZkError;
pub use inputs::{CIRCUIT_SIZES, COUNT_SHIFT, MAX_BATCH_COUNT, PublicInputs, circuit_size};
pub use keys::{
    KEYS_FORMAT, KeySet, MANIFEST_FILE, ProofRequest, VERIFIER_FILE, dev_ceremony_seed,
};
pub use poseidon::{MAX_BATCH_BYTES, batch_commitment};
pub use proof::PROOF_BYTES;

/// Splits `count` consecutive batches starting at `first_batch_id` into proofs:
/// `(first batch id, batches in the proof)` per proof.
///
/// Every count from 1 to [`MAX_BATCH_COUNT`] has a circuit (padded to the next size), so a run
/// needs only `ceil(count / 16)` proofs: one transaction and one verification per 16 batches.
pub fn plan_proofs(first_batch_id: u64, count: usize) -> Vec<(u64, usize)> {
    let mut plan = Vec::new();
    let (mut next, mut left) = (first_batch_id, count);
    while left > 0 {
        let size = left.min(MAX_BATCH_COUNT);
        plan.push((next, size));
        next += size as u64;
        left -= size;
    }
    plan
}
