//! The batch-proof circuit: "I know data for each of the first `n` of the circuit's `k` batch slots
//! whose Poseidon commitment equals the posted commitment, and the other slots are padding", with
//! the network, chain, prover, first batch id and `n` as public inputs (see [`crate::inputs`] for
//! the layout and the padding rule).

use crate::{
    inputs::COUNT_SHIFT,
    poseidon::{BATCH_WITNESS_ELEMENTS, domain_tag, poseidon_config},
};
use ark_bn254::Fr;
use ark_crypto_primitives::sponge::{
    constraints::CryptographicSpongeVar, poseidon::constraints::PoseidonSpongeVar,
};
use ark_ff::{BigInteger, Field, PrimeField};
use ark_r1cs_std::{
    alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::FieldVar, fields::fp::FpVar,
};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

/// One instance of the circuit with `batches.len()` slots (a circuit size), proving `count` of them.
///
/// The slot count fixes the circuit shape, so each circuit size has its own keys. For key
/// generation the values are ignored (zeros are fine); only the shape matters.
#[derive(Clone, Debug)]
pub struct BatchCircuit {
    /// The public inputs, encoded as in [`crate::PublicInputs::to_field_elements`]:
    /// `[network|chain, prover|firstBatchId|count, c_0, .., c_{k-1}]`, padded with zeros.
    pub public_inputs: Vec<Fr>,
    /// Per slot, the packed data (see [`crate::poseidon::encode_batch`]); padding slots hold any
    /// values (they are not constrained).
    pub batches: Vec<[Fr; BATCH_WITNESS_ELEMENTS]>,
    /// How many leading slots are real batches: the witness of the slot flags. A value that does
    /// not match the count packed in `public_inputs[1]` makes the constraints unsatisfiable.
    pub count: usize,
}

impl BatchCircuit {
    /// A circuit of the right shape for `size` slots, with zero values, for key generation.
    pub fn blank(size: usize) -> Self {
        Self {
            public_inputs: vec![Fr::from(0u64); 2 + size],
            batches: vec![[Fr::from(0u64); BATCH_WITNESS_ELEMENTS]; size],
            count: size,
        }
    }
}

impl ConstraintSynthesizer<Fr> for BatchCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let size = self.batches.len();
        if size == 0 || self.public_inputs.len() != 2 + size {
            return Err(SynthesisError::Unsatisfiable);
        }
        // Public inputs are allocated first and in the documented order: the verifying key's IC
        // points follow allocation order, and the Solidity verifier relies on it.
        let inputs = self
            .public_inputs
            .iter()
            .map(|x| FpVar::new_input(cs.clone(), || Ok(*x)))
            .collect::<Result<Vec<_>, _>>()?;

        // Input 0 and the low part of input 1 take no part in the hash. Groth16 as arkworks
        // reduces it already binds every public input (each gets its own QAP row), but squaring
        // them makes the binding explicit in the constraints and independent of that detail.
        let _ = inputs[0].square()?;

        let active = slot_flags(&cs, size, self.count)?;
        enforce_count(&cs, &inputs[1], &active, self.public_inputs[1])?;

        let tag = FpVar::constant(domain_tag());
        let zero = FpVar::zero();
        for ((batch, commitment), is_real) in self.batches.iter().zip(&inputs[2..]).zip(&active) {
            let data = batch
                .iter()
                .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)))
                .collect::<Result<Vec<_>, _>>()?;
            let mut sponge = PoseidonSpongeVar::new(cs.clone(), poseidon_config());
            sponge.absorb(&tag)?;
            sponge.absorb(&data)?;
            let digest = sponge.squeeze_field_elements(1)?;
            // A real slot opens its commitment; a padding slot's commitment must be zero, so the
            // public inputs of a padded proof are fully determined by the real commitments.
            digest[0].conditional_enforce_equal(commitment, is_real)?;
            commitment.conditional_enforce_equal(&zero, &!is_real)?;
        }
        Ok(())
    }
}

/// One boolean per slot, true for the first `count` slots: slot 0 is always real (a proof covers
/// at least one batch) and a slot can only be real if the one before it is, so the flags are
/// `count` ones followed by zeros and their sum is the count.
fn slot_flags(
    cs: &ConstraintSystemRef<Fr>,
    size: usize,
    count: usize,
) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    let mut flags = vec![Boolean::TRUE];
    for i in 1..size {
        let flag = Boolean::new_witness(cs.clone(), || Ok(i < count))?;
        flag.conditional_enforce_equal(&Boolean::FALSE, &!&flags[i - 1])?;
        flags.push(flag);
    }
    Ok(flags)
}

/// Enforces `input = low + (sum of flags) * 2^COUNT_SHIFT` with `low < 2^COUNT_SHIFT`: the count
/// packed in the input is the number of real slots. The range check on `low` is what makes the
/// split unique (without it any count would fit by wrapping around the field).
fn enforce_count(
    cs: &ConstraintSystemRef<Fr>,
    input: &FpVar<Fr>,
    flags: &[Boolean<Fr>],
    value: Fr,
) -> Result<(), SynthesisError> {
    let bits = value.into_bigint().to_bits_le();
    let low_bits = (0..COUNT_SHIFT)
        .map(|i| Boolean::new_witness(cs.clone(), || Ok(bits[i])))
        .collect::<Result<Vec<_>, _>>()?;
    let low = Boolean::le_bits_to_fp(&low_bits)?;
    let count = flags.iter().fold(FpVar::zero(), |sum, flag| sum + FpVar::from(flag.clone()));
    let shift = FpVar::constant(Fr::from(2u64).pow([COUNT_SHIFT as u64]));
    (low + count * shift).enforce_equal(input)
}
