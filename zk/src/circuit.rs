//! The batch-proof circuit: "I know data for each of `k` batches whose Poseidon commitment equals
//! the posted commitment", with the network, chain, prover and first batch id as public inputs.

use crate::poseidon::{BATCH_WITNESS_ELEMENTS, domain_tag, poseidon_config};
use ark_bn254::Fr;
use ark_crypto_primitives::sponge::{
    constraints::CryptographicSpongeVar, poseidon::constraints::PoseidonSpongeVar,
};
use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget, fields::FieldVar, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

/// One instance of the circuit for `batches.len()` batches.
///
/// The batch count fixes the circuit shape, so each supported count has its own keys. For key
/// generation the values are ignored (zeros are fine); only the shape matters.
#[derive(Clone, Debug)]
pub struct BatchCircuit {
    /// The public inputs, encoded as in [`crate::PublicInputs::to_field_elements`]:
    /// `[network|chain, prover|firstBatchId, c_0, .., c_{k-1}]`.
    pub public_inputs: Vec<Fr>,
    /// Per batch, the packed data (see [`crate::poseidon::encode_batch`]).
    pub batches: Vec<[Fr; BATCH_WITNESS_ELEMENTS]>,
}

impl BatchCircuit {
    /// A circuit of the right shape for `count` batches, with zero values, for key generation.
    pub fn blank(count: usize) -> Self {
        Self {
            public_inputs: vec![Fr::from(0u64); 2 + count],
            batches: vec![[Fr::from(0u64); BATCH_WITNESS_ELEMENTS]; count],
        }
    }
}

impl ConstraintSynthesizer<Fr> for BatchCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        if self.public_inputs.len() != 2 + self.batches.len() {
            return Err(SynthesisError::Unsatisfiable);
        }
        // Public inputs are allocated first and in the documented order: the verifying key's IC
        // points follow allocation order, and the Solidity verifier relies on it.
        let inputs = self
            .public_inputs
            .iter()
            .map(|x| FpVar::new_input(cs.clone(), || Ok(*x)))
            .collect::<Result<Vec<_>, _>>()?;

        // The binding inputs take no part in the hash. Groth16 as arkworks reduces it already
        // binds every public input (each gets its own QAP row), but squaring them makes the
        // binding explicit in the constraints and independent of that reduction detail.
        for binding in &inputs[..2] {
            let _ = binding.square()?;
        }

        let tag = FpVar::constant(domain_tag());
        for (batch, commitment) in self.batches.iter().zip(&inputs[2..]) {
            let data = batch
                .iter()
                .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)))
                .collect::<Result<Vec<_>, _>>()?;
            let mut sponge = PoseidonSpongeVar::new(cs.clone(), poseidon_config());
            sponge.absorb(&tag)?;
            sponge.absorb(&data)?;
            let digest = sponge.squeeze_field_elements(1)?;
            digest[0].enforce_equal(commitment)?;
        }
        Ok(())
    }
}
