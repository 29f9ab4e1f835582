//! The one error type of the crate: every variant says what was wrong and what to do about it.

use alloy_primitives::{B256, U256};
use std::fmt;

/// Why a zk operation failed.
#[derive(Debug)]
pub enum ZkError {
    /// A proof must cover between 1 and `max` batches.
    UnsupportedBatchCount {
        /// The requested number of batches.
        count: usize,
        /// The most batches one proof covers.
        max: usize,
    },
    /// A circuit size that is not one of [`crate::CIRCUIT_SIZES`] (asked of a key setup or found
    /// in a key directory).
    UnsupportedCircuitSize {
        /// The size asked for.
        size: usize,
    },
    /// The key set does not hold a key for this circuit size.
    MissingKey {
        /// The batch count asked for.
        count: usize,
        /// The circuit size that count needs.
        size: usize,
    },
    /// Batch data longer than one circuit slot.
    BatchTooLarge {
        /// Index of the batch inside the request.
        index: usize,
        /// Its length in bytes.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// The number of batch payloads differs from the number of commitments.
    BatchCountMismatch {
        /// Commitments in the public inputs.
        commitments: usize,
        /// Batch payloads supplied.
        batches: usize,
    },
    /// A commitment is not the Poseidon commitment of the supplied data.
    CommitmentMismatch {
        /// Index of the batch inside the request.
        index: usize,
        /// The commitment in the public inputs.
        expected: B256,
        /// The commitment of the supplied data.
        actual: B256,
    },
    /// A commitment is not a BN254 scalar field element (it is >= r).
    CommitmentNotInField {
        /// Index of the commitment.
        index: usize,
        /// The offending value.
        commitment: B256,
    },
    /// A public value does not fit the bits reserved for it in the packed public inputs.
    ValueOutOfRange {
        /// Which value.
        what: &'static str,
        /// The value.
        value: U256,
        /// Its exclusive upper bound.
        bound: U256,
    },
    /// The proof bytes are not a well-formed proof.
    MalformedProof(String),
    /// The arkworks constraint system or prover failed.
    Synthesis(String),
    /// Reading or writing key files failed.
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A key file is corrupt or from another version.
    KeyFormat(String),
}

impl fmt::Display for ZkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedBatchCount { count, max } => write!(
                f,
                "a proof cannot cover {count} batches: it covers 1 to {max}; split longer runs \
                 with provernet_zk::plan_proofs"
            ),
            Self::UnsupportedCircuitSize { size } => write!(
                f,
                "no circuit has {size} batch slots: the sizes are {:?}",
                crate::CIRCUIT_SIZES
            ),
            Self::MissingKey { count, size } => write!(
                f,
                "the key set has no key for the {size}-slot circuit that {count}-batch proofs \
                 use; rerun `provernet keys setup`"
            ),
            Self::BatchTooLarge { index, len, max } => write!(
                f,
                "batch data #{index} is {len} bytes but a batch slot holds at most {max} bytes"
            ),
            Self::BatchCountMismatch { commitments, batches } => write!(
                f,
                "{commitments} commitments but {batches} batch payloads: supply one payload per batch"
            ),
            Self::CommitmentMismatch { index, expected, actual } => write!(
                f,
                "batch data #{index} hashes to {actual}, not to the posted commitment {expected}: \
                 the data is not the batch that was posted"
            ),
            Self::CommitmentNotInField { index, commitment } => write!(
                f,
                "commitment #{index} ({commitment}) is not below the BN254 scalar field modulus, so \
                 no Poseidon output equals it and no proof can exist for it"
            ),
            Self::ValueOutOfRange { what, value, bound } => {
                write!(f, "{what} = {value} does not fit the public inputs (must be < {bound})")
            }
            Self::MalformedProof(why) => write!(f, "malformed proof: {why}"),
            Self::Synthesis(why) => write!(f, "Groth16 proving system error: {why}"),
            Self::Io { context, source } => write!(f, "{context}: {source}"),
            Self::KeyFormat(why) => {
                write!(f, "unreadable key file: {why}; rerun `provernet keys setup`")
            }
        }
    }
}

impl std::error::Error for ZkError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<ark_relations::gr1cs::SynthesisError> for ZkError {
    fn from(e: ark_relations::gr1cs::SynthesisError) -> Self {
        Self::Synthesis(e.to_string())
    }
}
