//! The public inputs of a batch proof, their exact encoding and the padding rule, shared with the
//! Solidity verifier (`zk/src/solidity.rs` renders the same rule).
//!
//! A proof over `n` batches (1 <= n <= [`MAX_BATCH_COUNT`]) uses the circuit of size
//! `k = circuit_size(n)`, the smallest of [`CIRCUIT_SIZES`] that holds `n`, and has `k + 2`
//! public scalars:
//!
//! | index        | value                                           | bound                      |
//! |--------------|-------------------------------------------------|----------------------------|
//! | 0            | `network + chainId * 2^160`                     | chainId < 2^64             |
//! | 1            | `prover + firstBatchId * 2^160 + n * 2^224`     | firstBatchId < 2^64, n <= 16 |
//! | 2 + i, i < n | `commitments[i]`                                | < r (BN254 scalar)         |
//! | 2 + i, i >= n | `0` (padding)                                  |                            |
//!
//! The padding rule: the count `n` is a public input and the `k - n` padding commitments are zero.
//! The circuit checks the first `n` commitments against batch data and forces the others to zero,
//! so a proof binds exactly `n` commitments: the same proof cannot be presented for another count
//! (input 1 differs), and a real zero commitment in a padding position still needs its data.
//!
//! Why pack: each public input costs the verifier one ecMul and one ecAdd (about 6,150 gas), so
//! two 160-bit addresses, two 64-bit integers and the count share two scalars instead of taking
//! five. The packing is injective because every part has a fixed bit range below 2^229 < r. Zero
//! padding costs nothing on chain: the verifier skips zero scalars (`0 * IC_i` is the identity).

use crate::{error::ZkError, poseidon::b256_to_fr};
use alloy_primitives::{Address, B256, U256};
use ark_bn254::Fr;
use ark_ff::PrimeField;
use serde::{Deserialize, Serialize};

/// The circuit sizes (batch slots) that have keys and a verifying key in the Solidity verifier.
///
/// Powers of two, so padding wastes less than half of a circuit; 16 is the network's
/// `MAX_BATCHES_PER_PROOF`.
pub const CIRCUIT_SIZES: &[usize] = &[1, 2, 4, 8, 16];

/// The most batches one proof covers: the largest circuit size.
pub const MAX_BATCH_COUNT: usize = 16;

/// Bit position of the batch count inside public input 1 (above the prover's 160 bits and the
/// first batch id's 64 bits).
pub const COUNT_SHIFT: usize = 224;

/// The circuit a proof over `count` batches uses: the smallest size in [`CIRCUIT_SIZES`] that is
/// at least `count`.
pub fn circuit_size(count: usize) -> Result<usize, ZkError> {
    CIRCUIT_SIZES
        .iter()
        .copied()
        .find(|&size| size >= count && count >= 1)
        .ok_or(ZkError::UnsupportedBatchCount { count, max: MAX_BATCH_COUNT })
}

/// Everything a proof is bound to. A proof verifies for exactly one value of this struct.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicInputs {
    /// The chain the network lives on (`block.chainid`).
    pub chain_id: u64,
    /// The ProverNetwork contract that calls the verifier (`msg.sender` of `verify`).
    pub network: Address,
    /// The prover that submits the proof and is paid for it.
    pub prover: Address,
    /// The id of the first covered batch; the others follow consecutively.
    pub first_batch_id: u64,
    /// The posted commitments of the covered batches, in batch-id order.
    pub commitments: Vec<B256>,
}

impl PublicInputs {
    /// The scalars the circuit and the Solidity verifier see, in order, padded to the circuit
    /// size (see the module documentation).
    ///
    /// Fails when the count has no circuit or a commitment is >= r (such a commitment can never be
    /// proven).
    pub fn to_field_elements(&self) -> Result<Vec<Fr>, ZkError> {
        let count = self.commitments.len();
        let size = circuit_size(count)?;
        let mut out = Vec::with_capacity(2 + size);
        out.push(pack(self.network, self.chain_id, 0));
        out.push(pack(self.prover, self.first_batch_id, count as u8));
        for (i, c) in self.commitments.iter().enumerate() {
            out.push(b256_to_fr(c, i)?);
        }
        out.resize(2 + size, Fr::from(0u64));
        Ok(out)
    }

    /// The same scalars as 256-bit words (what `publicInputs(...)` returns on chain).
    pub fn to_words(&self) -> Result<Vec<U256>, ZkError> {
        Ok(self.to_field_elements()?.iter().map(|x| U256::from_limbs(x.into_bigint().0)).collect())
    }

    /// Builds the inputs from on-chain `uint256` values, checking the packing bounds the Solidity
    /// verifier checks (`ChainIdOutOfRange`, `BatchIdOutOfRange`).
    pub fn from_chain(
        chain_id: U256,
        network: Address,
        prover: Address,
        first_batch_id: U256,
        commitments: Vec<B256>,
    ) -> Result<Self, ZkError> {
        let bound = U256::from(1u8) << 64;
        let chain_id = u64::try_from(chain_id).map_err(|_| ZkError::ValueOutOfRange {
            what: "chain id",
            value: chain_id,
            bound,
        })?;
        let first_batch_id = u64::try_from(first_batch_id).map_err(|_| {
            ZkError::ValueOutOfRange { what: "first batch id", value: first_batch_id, bound }
        })?;
        Ok(Self { chain_id, network, prover, first_batch_id, commitments })
    }
}

/// `address + middle * 2^160 + top * 2^224` as a scalar: the 232-bit integer is below r, so no
/// reduction occurs.
fn pack(address: Address, middle: u64, top: u8) -> Fr {
    let mut word = [0u8; 32];
    word[3] = top;
    word[4..12].copy_from_slice(&middle.to_be_bytes());
    word[12..].copy_from_slice(address.as_slice());
    Fr::from_be_bytes_mod_order(&word)
}
