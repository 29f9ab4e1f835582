//! The public inputs of a batch proof and their exact encoding, shared with the Solidity verifier.
//!
//! Layout for a proof over `k` batches (`k + 2` scalars):
//!
//! | index   | value                                              | bound                  |
//! |---------|----------------------------------------------------|------------------------|
//! | 0       | `network + chainId * 2^160`                        | chainId < 2^64         |
//! | 1       | `prover + firstBatchId * 2^160`                    | firstBatchId < 2^64    |
//! | 2 + i   | `commitments[i]`                                   | < r (BN254 scalar)     |
//!
//! Why pack: each public input costs the verifier one ecMul and one ecAdd (about 6,150 gas), so
//! two 160-bit addresses and two 64-bit integers share two scalars instead of taking four. The
//! packing is injective because every part has a fixed bit range below 2^224 < r.

use crate::{error::ZkError, poseidon::b256_to_fr};
use alloy_primitives::{Address, B256, U256};
use ark_bn254::Fr;
use ark_ff::PrimeField;
use serde::{Deserialize, Serialize};

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
    /// The scalars the circuit and the Solidity verifier see, in order.
    ///
    /// Fails when a commitment is >= r: such a commitment can never be proven.
    pub fn to_field_elements(&self) -> Result<Vec<Fr>, ZkError> {
        let mut out = Vec::with_capacity(2 + self.commitments.len());
        out.push(pack(self.network, self.chain_id));
        out.push(pack(self.prover, self.first_batch_id));
        for (i, c) in self.commitments.iter().enumerate() {
            out.push(b256_to_fr(c, i)?);
        }
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

/// `address + high * 2^160` as a scalar: the 224-bit integer is below r, so no reduction occurs.
fn pack(address: Address, high: u64) -> Fr {
    let mut word = [0u8; 32];
    word[4..12].copy_from_slice(&high.to_be_bytes());
    word[12..].copy_from_slice(address.as_slice());
    Fr::from_be_bytes_mod_order(&word)
}
