//! Groth16 batch proofs for provernet: placeholder until issue 6 lands.
