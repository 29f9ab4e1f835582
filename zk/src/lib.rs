//! Real batch proofs for provernet: a Groth16 (BN254) circuit, its development key ceremony, a
//! CPU-parallel prover, a Rust verifier and a generator for the matching Solidity verifier.
//!
//! The statement: "I know the data of `k` consecutive batches whose Poseidon commitments are
//! the posted commitments", with the network, chain, prover and first batch id as public inputs
//! so that a proof is worthless to any other prover. See docs/proving.md.
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
mod inputs;
mod keys;
pub mod poseidon;
pub mod proof;
pub mod solidity;

pub use circuit::BatchCircuit;
pub use error::ZkError;
pub use inputs::PublicInputs;
pub use keys::{
    KEYS_FORMAT, KeySet, MANIFEST_FILE, ProofRequest, VERIFIER_FILE, dev_ceremony_seed,
};
pub use poseidon::{MAX_BATCH_BYTES, batch_commitment};
pub use proof::PROOF_BYTES;

/// Batch counts that have a circuit (and keys, and a verifying key in the Solidity verifier).
///
/// Powers of two so that any run of batches splits into few proofs (see [`plan_proofs`]);
/// 8 keeps the largest circuit's setup and proof quick on a laptop.
pub const SUPPORTED_BATCH_COUNTS: &[usize] = &[1, 2, 4, 8];

/// Splits `count` consecutive batches starting at `first_batch_id` into proofs of supported
/// sizes, largest first: `(first batch id, batches in the proof)` per proof.
///
/// Greedy by the largest supported size is optimal here because the sizes are powers of two
/// including 1: it uses the fewest proofs, and the per-batch verification gas falls with size.
pub fn plan_proofs(first_batch_id: u64, count: usize) -> Vec<(u64, usize)> {
    let mut plan = Vec::new();
    let (mut next, mut left) = (first_batch_id, count);
    while left > 0 {
        let size = SUPPORTED_BATCH_COUNTS.iter().rev().copied().find(|&s| s <= left).unwrap_or(1);
        plan.push((next, size));
        next += size as u64;
        left -= size;
    }
    plan
}
