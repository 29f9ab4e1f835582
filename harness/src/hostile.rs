//! The hostile token variant: harness/solidity/HostileToken.sol.
#![allow(missing_docs)] // sol!-generated items

use crate::chain::{Suite, TokenKind};
use alloy::primitives::Bytes;

alloy::sol! {
    /// The part of HostileToken's ABI the harness calls.
    interface HostileToken {
        function setNetwork(address network_) external;
    }
}

/// Where the committed creation code lives (hex), relative to the harness crate.
pub const ARTIFACT_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/solidity/HostileToken.bin");

/// Creation code of harness/solidity/HostileToken.sol, committed so that `provernet fuzz --token
/// hostile` needs no compiler; tests/mutants.rs recompiles the source and fails on drift.
pub fn creation_code() -> Bytes {
    let hex = include_str!("../solidity/HostileToken.bin");
    hex.trim().parse().unwrap_or_default()
}

/// The suite with the real network over the hostile token (without pools: a vault books what it
/// sends, which a fee-taking token breaks by design).
pub fn suite() -> Suite {
    Suite {
        token: TokenKind::Hostile,
        token_code: creation_code(),
        pool_factory_code: None,
        ..Suite::real()
    }
}
