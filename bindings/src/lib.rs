//! Alloy bindings of the provernet contracts, and the protocol's shared Rust types.
//!
//! Generated at compile time by `sol!` from the ABI and bytecode in `bindings/artifacts/`, which
//! `make bindings` exports from forge's `out/` (with each contract's NatSpec, which the revert
//! decoder reads). `make test` runs `tools/export-artifacts.js --check` so the committed artifacts
//! can never drift from the Solidity sources.
//!
//! Beside the generated items, this crate owns every protocol concept the other crates share,
//! each defined once:
//!
//! | module | what | replaces |
//! |---|---|---|
//! | [`params`] | [`Params`] (contracts/types/Params.sol) with serde, [`NetworkConfig`] (epoch lengths + params, the CLI params file), the named sets `development` / `test` / `testnet` / `simulation`, conversions to and from [`ProverNetwork::Params`] | cli `DeployParams`, harness `ParamsArg`/`ParamsView`/`default_params`, sim `ParamsCfg`/`ChainCfg` defaults |
//! | [`amount`] | human token amounts at 18 decimals: [`amount::parse_tokens`], [`amount::format_tokens`], the serde adapter [`amount::token_units`] | the string and `f64` amount fields of the params structs |
//! | [`status`] | [`BatchStatus`] (contracts/types/Batch.sol) with `as_str`, `Display`, `TryFrom<u8>` | cli `ops::status`, `revert::status_name`, harness status codes |
//! | [`formulas`] | [`formulas::seed_commitment`], [`formulas::stored_commit_hash`], [`formulas::dev_proof`] (InsecureDevVerifier) | harness `model::{commitment, commit_hash, dev_proof}`, sim `engine::dev_proof`, cli `secrets::commitment`, `proof::InsecureDevProof` |
//! | [`revert`] | [`ErrorTable`]: one selector table over every ABI, [`DecodedRevert`] (`Name(field: value, ...)` + NatSpec notice + caller hint), [`UndecodedRevert`] | cli `revert.rs` arms, harness and sim `decode_revert` |
//! | [`strategy`] | [`Strategy`]: one name per prover behaviour for harness and simulator | harness `Role` (prover roles), sim `Strategy` |
//!
//! Typical use:
//! ```
//! use provernet_bindings::{ErrorTable, NetworkConfig, Params, ProverNetwork};
//! use alloy::sol_types::SolError;
//!
//! let config = NetworkConfig::from_json_over(r#"{ "provingWindow": 12 }"#, NetworkConfig::development()).unwrap();
//! let sol: ProverNetwork::Params = config.params.to_sol().unwrap();
//! assert_eq!(sol.provingWindow, 12);
//!
//! let data = ProverNetwork::ZeroAmount {}.abi_encode();
//! let decoded = ErrorTable::shared().decode(&data).unwrap();
//! assert_eq!(decoded.to_string(), "ZeroAmount()");
//! # let _ = Params::test();
//! ```

pub mod amount;
pub mod formulas;
pub mod params;
pub mod revert;
pub mod status;
pub mod strategy;

pub use params::{NetworkConfig, Params, ParamsError};
pub use revert::{DecodedRevert, ErrorTable, UndecodedRevert};
pub use status::BatchStatus;
pub use strategy::Strategy;

/// The generated contract bindings (`sol!` over bindings/artifacts).
mod generated {
    // Generated items carry the contracts' NatSpec, not Rust doc comments; the generated `deploy`
    // helpers take one argument per constructor parameter (the network's has 7, plus the provider).
    #![allow(missing_docs, clippy::too_many_arguments)]

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

    alloy::sol!(
        #[sol(rpc)]
        #[derive(Debug, PartialEq, Eq)]
        ProverPool,
        "artifacts/ProverPool.json"
    );

    alloy::sol!(
        #[sol(rpc)]
        #[derive(Debug, PartialEq, Eq)]
        ProverPoolFactory,
        "artifacts/ProverPoolFactory.json"
    );

    // OpenZeppelin's TimelockController: the owner the network requires once provers registered.
    alloy::sol!(
        #[sol(rpc)]
        #[derive(Debug, PartialEq, Eq)]
        TimelockController,
        "artifacts/TimelockController.json"
    );
}

pub use generated::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytecode_is_embedded() {
        assert!(ProverNetwork::BYTECODE.len() > 1000);
        assert!(InsecureDevVerifier::DEPLOYED_BYTECODE.len() > 100);
        assert!(DevStakingToken::BYTECODE.len() > 1000);
        assert!(Groth16BatchVerifier::BYTECODE.len() > 1000);
        assert!(ProverPoolFactory::BYTECODE.len() > 1000);
    }
}
