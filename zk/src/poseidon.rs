//! The batch commitment: a Poseidon sponge over the batch data packed into BN254 scalars.
//!
//! Why Poseidon: it costs about 240 R1CS constraints per permutation, where SHA-256 or keccak would
//! cost tens of thousands per block, so the proof of "I know data hashing to the commitment" stays
//! small. The same sponge runs natively (here) and in the circuit (`circuit.rs`); a test checks that
//! both give the same value.

use crate::error::ZkError;
use alloy_primitives::B256;
use ark_bn254::Fr;
use ark_crypto_primitives::sponge::{
    CryptographicSponge, FieldBasedCryptographicSponge,
    poseidon::{PoseidonConfig, PoseidonSponge, find_poseidon_ark_and_mds},
};
use ark_ff::{BigInteger, PrimeField};
use std::sync::OnceLock;

/// Sponge rate (field elements absorbed per permutation); the state is rate + 1 = 3 elements.
pub const POSEIDON_RATE: usize = 2;
/// S-box exponent: the smallest alpha with gcd(alpha, r - 1) = 1 for BN254.
pub const POSEIDON_ALPHA: u64 = 5;
/// Full rounds, the Poseidon paper's choice for a 254-bit field, width 3, 128-bit security.
pub const POSEIDON_FULL_ROUNDS: usize = 8;
/// Partial rounds, same source as the full rounds.
pub const POSEIDON_PARTIAL_ROUNDS: usize = 57;

/// Bytes packed into one field element: 31 bytes always stay below r (a 254-bit prime).
pub const CHUNK_BYTES: usize = 31;
/// Data chunks per batch slot of the circuit.
pub const BATCH_DATA_CHUNKS: usize = 30;
/// The largest batch payload one circuit slot commits to.
pub const MAX_BATCH_BYTES: usize = CHUNK_BYTES * BATCH_DATA_CHUNKS;
/// Field elements the circuit takes as witness per batch: the byte length, then the chunks.
pub const BATCH_WITNESS_ELEMENTS: usize = 1 + BATCH_DATA_CHUNKS;

/// Domain separation: absorbed first so a provernet batch commitment never equals a Poseidon
/// hash of the same elements used for something else.
pub(crate) const BATCH_DOMAIN_TAG: &[u8] = b"provernet.batch.v1";

/// The Poseidon parameters of every commitment, generated once per process.
///
/// The round constants and the MDS matrix come from the Grain LFSR procedure of the Poseidon paper
/// (as implemented by `ark-crypto-primitives`), seeded by the field size, width and round counts,
/// so anyone can regenerate them; nothing is hand-picked.
pub fn poseidon_config() -> &'static PoseidonConfig<Fr> {
    static CONFIG: OnceLock<PoseidonConfig<Fr>> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let (ark, mds) = find_poseidon_ark_and_mds::<Fr>(
            u64::from(Fr::MODULUS_BIT_SIZE),
            POSEIDON_RATE,
            POSEIDON_FULL_ROUNDS as u64,
            POSEIDON_PARTIAL_ROUNDS as u64,
            0,
        );
        PoseidonConfig::new(
            POSEIDON_FULL_ROUNDS,
            POSEIDON_PARTIAL_ROUNDS,
            POSEIDON_ALPHA,
            mds,
            ark,
            POSEIDON_RATE,
            1,
        )
    })
}

/// The domain tag as a field element (18 bytes, so no reduction happens).
pub(crate) fn domain_tag() -> Fr {
    Fr::from_be_bytes_mod_order(BATCH_DOMAIN_TAG)
}

/// Packs batch data into the circuit's witness layout: `[len, chunk_0, .., chunk_29]`, each chunk
/// 31 big-endian bytes, zero-padded. The length element makes the packing injective (trailing
/// zero bytes change the commitment).
pub fn encode_batch(data: &[u8]) -> Result<[Fr; BATCH_WITNESS_ELEMENTS], ZkError> {
    if data.len() > MAX_BATCH_BYTES {
        return Err(ZkError::BatchTooLarge { index: 0, len: data.len(), max: MAX_BATCH_BYTES });
    }
    let mut out = [Fr::from(0u64); BATCH_WITNESS_ELEMENTS];
    out[0] = Fr::from(data.len() as u64);
    for (slot, chunk) in out[1..].iter_mut().zip(data.chunks(CHUNK_BYTES)) {
        let mut padded = [0u8; CHUNK_BYTES];
        padded[..chunk.len()].copy_from_slice(chunk);
        *slot = Fr::from_be_bytes_mod_order(&padded);
    }
    Ok(out)
}

/// The Poseidon commitment of already-packed batch elements.
pub fn commit_elements(elements: &[Fr; BATCH_WITNESS_ELEMENTS]) -> Fr {
    let mut sponge = PoseidonSponge::new(poseidon_config());
    sponge.absorb(&domain_tag());
    sponge.absorb(&elements.as_slice());
    sponge.squeeze_native_field_elements(1)[0]
}

/// The commitment a batch source posts on chain for `data`: the value a proof later opens.
pub fn batch_commitment(data: &[u8]) -> Result<B256, ZkError> {
    Ok(fr_to_b256(&commit_elements(&encode_batch(data)?)))
}

/// A scalar as the 32-byte big-endian word Solidity sees.
pub fn fr_to_b256(x: &Fr) -> B256 {
    B256::from_slice(&x.into_bigint().to_bytes_be())
}

/// A 32-byte word as a scalar, refusing values >= r instead of reducing them: a reduced value
/// would be a different commitment from the one posted.
pub fn b256_to_fr(word: &B256, index: usize) -> Result<Fr, ZkError> {
    let x = Fr::from_be_bytes_mod_order(word.as_slice());
    if fr_to_b256(&x) != *word {
        return Err(ZkError::CommitmentNotInField { index, commitment: *word });
    }
    Ok(x)
}
