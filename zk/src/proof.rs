//! Proof bytes: the exact 256-byte layout the Solidity verifier reads.
//!
//! `A.x | A.y | B.x.c1 | B.x.c0 | B.y.c1 | B.y.c0 | C.x | C.y`, each a 32-byte big-endian base-field
//! element. G2 coordinates put the imaginary part first because that is the order of the EIP-197
//! pairing precompile, so the verifier can copy B straight into the precompile input.
//! Points are uncompressed: decompressing on chain would need a modexp square root per point.

use crate::error::ZkError;
use ark_bn254::{Bn254, Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::Proof;

/// Length of an encoded proof.
pub const PROOF_BYTES: usize = 256;

/// Names of the eight words, for error messages (same indices as the Solidity errors).
const WORD_NAMES: [&str; 8] = ["A.x", "A.y", "B.x.c1", "B.x.c0", "B.y.c1", "B.y.c0", "C.x", "C.y"];

/// Encodes a proof into the verifier's layout.
pub fn encode_proof(proof: &Proof<Bn254>) -> Vec<u8> {
    let mut out = Vec::with_capacity(PROOF_BYTES);
    let (ax, ay) = g1_coords(&proof.a);
    let (bx, by) = g2_coords(&proof.b);
    let (cx, cy) = g1_coords(&proof.c);
    for fq in [ax, ay, bx.c1, bx.c0, by.c1, by.c0, cx, cy] {
        out.extend_from_slice(&fq_to_bytes(&fq));
    }
    out
}

/// Decodes and validates proof bytes: length, every coordinate < p, points on their curves and
/// in the prime-order subgroups. Mirrors the checks (and error kinds) of the Solidity verifier.
pub fn decode_proof(bytes: &[u8]) -> Result<Proof<Bn254>, ZkError> {
    if bytes.len() != PROOF_BYTES {
        return Err(ZkError::MalformedProof(format!(
            "{} bytes, expected {PROOF_BYTES} (A, B, C uncompressed)",
            bytes.len()
        )));
    }
    let mut words = [Fq::from(0u64); 8];
    for (i, (word, chunk)) in words.iter_mut().zip(bytes.chunks_exact(32)).enumerate() {
        let x = Fq::from_be_bytes_mod_order(chunk);
        if fq_to_bytes(&x) != chunk {
            return Err(ZkError::MalformedProof(format!(
                "coordinate {} (word {i}) is not below the base field modulus p",
                WORD_NAMES[i]
            )));
        }
        *word = x;
    }
    let a = G1Affine::new_unchecked(words[0], words[1]);
    let b = G2Affine::new_unchecked(Fq2::new(words[3], words[2]), Fq2::new(words[5], words[4]));
    let c = G1Affine::new_unchecked(words[6], words[7]);
    for (name, on_curve, in_group) in [
        ("A", a.is_on_curve(), a.is_in_correct_subgroup_assuming_on_curve()),
        ("B", b.is_on_curve(), b.is_in_correct_subgroup_assuming_on_curve()),
        ("C", c.is_on_curve(), c.is_in_correct_subgroup_assuming_on_curve()),
    ] {
        if !on_curve {
            return Err(ZkError::MalformedProof(format!("point {name} is not on the curve")));
        }
        if !in_group {
            return Err(ZkError::MalformedProof(format!(
                "point {name} is not in the prime-order subgroup"
            )));
        }
    }
    Ok(Proof { a, b, c })
}

/// A base-field element as 32 big-endian bytes.
pub(crate) fn fq_to_bytes(x: &Fq) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_be());
    out
}

/// Affine coordinates, with the point at infinity as (0, 0) like the precompiles encode it.
pub(crate) fn g1_coords(p: &G1Affine) -> (Fq, Fq) {
    p.xy().unwrap_or_default()
}

/// Affine coordinates of a G2 point, infinity as zeros.
pub(crate) fn g2_coords(p: &G2Affine) -> (Fq2, Fq2) {
    p.xy().unwrap_or_default()
}
