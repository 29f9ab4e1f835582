//! Proof generation behind one small interface, so a real SNARK backend can be plugged in beside
//! the development one without touching the agent or the commands.

use alloy::{
    primitives::{Address, B256, Bytes, U256, keccak256},
    sol_types::SolValue,
};
use eyre::Result;

/// Public inputs every proof binds (see `IProofVerifier`).
#[derive(Debug, Clone)]
pub struct ProofInput {
    /// Chain id the network lives on.
    pub chain_id: u64,
    /// The ProverNetwork contract that will ask the verifier.
    pub network: Address,
    /// The submitting prover (the proof is worthless to anyone else).
    pub prover: Address,
    /// First batch covered.
    pub first_batch_id: u64,
    /// Commitments of the covered batches, in batch-id order.
    pub commitments: Vec<B256>,
}

/// Something that turns public inputs into proof bytes the deployed verifier accepts.
pub trait ProofBackend: Send + Sync {
    /// Short name shown in logs and output.
    fn name(&self) -> &'static str;
    /// True when the proofs carry no security (development only).
    fn insecure(&self) -> bool;
    /// Produces the proof.
    fn prove(&self, input: &ProofInput) -> Result<Bytes>;
}

/// The InsecureDevVerifier's "proof": a domain-separated hash of the public inputs. Anyone can
/// compute it, which is exactly why it is for development only.
#[derive(Debug, Default, Clone, Copy)]
pub struct InsecureDevProof;

impl InsecureDevProof {
    /// `keccak256("provernet.insecure-dev-proof.v1")`, the verifier's DOMAIN constant.
    pub fn domain() -> B256 {
        keccak256("provernet.insecure-dev-proof.v1")
    }
}

impl ProofBackend for InsecureDevProof {
    fn name(&self) -> &'static str {
        "insecure-dev"
    }

    fn insecure(&self) -> bool {
        true
    }

    fn prove(&self, input: &ProofInput) -> Result<Bytes> {
        // Mirrors InsecureDevVerifier.expectedProof: abi.encode(DOMAIN, chainid, network, prover,
        // firstBatchId, bytes32[] commitments).
        let encoded = (
            Self::domain(),
            U256::from(input.chain_id),
            input.network,
            input.prover,
            U256::from(input.first_batch_id),
            input.commitments.clone(),
        )
            .abi_encode_params();
        Ok(Bytes::copy_from_slice(keccak256(encoded).as_slice()))
    }
}

/// The proof backend a deployment's verifier expects.
pub fn backend_for(verifier_kind: &str) -> Result<Box<dyn ProofBackend>> {
    match verifier_kind {
        "insecure-dev" => Ok(Box::new(InsecureDevProof)),
        other => eyre::bail!(
            "the deployment uses verifier kind {other:?}, which this provernet build cannot prove for \
             (known: insecure-dev)"
        ),
    }
}
