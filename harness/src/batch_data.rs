//! Batch data for the withholding source: a batch's bytes are derived from a 64-bit seed, so an
//! action that publishes them (`answerChallenge`) stays a small, replayable record, and its
//! commitment is the Poseidon commitment the chain recomputes (`provernet_zk::batch_commitment`,
//! the same function `BatchCommitment.sol` is tested against).

use alloy::primitives::{B256, keccak256};

/// Shortest and longest data the source posts (bytes; the chain accepts up to
/// `provernet_zk::MAX_BATCH_BYTES`).
const LEN: (usize, usize) = (1, 256);

/// The data of seed `seed`: a deterministic byte string of 1 to 256 bytes.
pub fn data_of(seed: u64) -> Vec<u8> {
    let len = LEN.0 + (seed % (LEN.1 - LEN.0 + 1) as u64) as usize;
    let mut out = Vec::with_capacity(len + 32);
    let mut block = keccak256(seed.to_be_bytes());
    while out.len() < len {
        out.extend_from_slice(block.as_slice());
        block = keccak256(block);
    }
    out.truncate(len);
    out
}

/// The commitment of seed `seed`'s data, as the chain computes it.
pub fn commitment_of(seed: u64) -> B256 {
    // Every length `data_of` yields is within MAX_BATCH_BYTES, so the commitment always exists.
    provernet_zk::batch_commitment(&data_of(seed)).unwrap_or_else(|e| {
        unreachable!("data of {} bytes has a commitment: {e}", data_of(seed).len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_deterministic_and_within_the_commitment_bound() {
        assert_eq!(data_of(7), data_of(7));
        assert_ne!(data_of(7), data_of(8));
        for seed in 0..600 {
            let n = data_of(seed).len();
            assert!((LEN.0..=LEN.1).contains(&n) && n <= provernet_zk::MAX_BATCH_BYTES, "{n}");
        }
        assert_ne!(commitment_of(1), commitment_of(2));
        assert!(!commitment_of(1).is_zero());
    }
}
