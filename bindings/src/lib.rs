//! Alloy bindings of the provernet contracts.
//!
//! Generated at compile time by `sol!` from the ABI and bytecode in `bindings/artifacts/`, which
//! `make bindings` exports from forge's `out/`. `make test` runs `tools/export-artifacts.js --check`
//! so the committed artifacts can never drift from the Solidity sources.

#![allow(missing_docs)] // generated items carry the contracts' NatSpec, not Rust doc comments.

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    ProverNetwork,
    "artifacts/ProverNetwork.json"
);

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    InsecureDevVerifier,
    "artifacts/InsecureDevVerifier.json"
);

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    DevStakingToken,
    "artifacts/DevStakingToken.json"
);

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    Groth16BatchVerifier,
    "artifacts/Groth16BatchVerifier.json"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytecode_is_embedded() {
        assert!(ProverNetwork::BYTECODE.len() > 1000);
        assert!(InsecureDevVerifier::DEPLOYED_BYTECODE.len() > 100);
        assert!(DevStakingToken::BYTECODE.len() > 1000);
        assert!(Groth16BatchVerifier::BYTECODE.len() > 1000);
    }
}
