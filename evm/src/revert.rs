//! Revert data decoded into the custom error that explains it.

use alloy::sol_types::{SolError, SolInterface};
use provernet_bindings::{DevStakingToken, ProverNetwork::ProverNetworkErrors};

/// A decoded revert reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revert {
    /// The custom error's name (`WrongPhase`), `Error`, `Panic`, `Halt`, `Unknown(0x<selector>)`
    /// or `EmptyRevert`.
    pub name: String,
    /// The error with its fields, for people.
    pub detail: String,
}

impl std::fmt::Display for Revert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

/// Decodes revert data: the network's and the token's custom errors, `Error(string)` and
/// `Panic(uint256)`; anything else is named by its selector.
pub fn decode_revert(data: &[u8]) -> Revert {
    if let Ok(e) = ProverNetworkErrors::abi_decode(data) {
        let detail = format!("{e:?}");
        let name =
            ProverNetworkErrors::name_by_selector(e.selector()).unwrap_or("Unknown").to_string();
        return Revert { name, detail };
    }
    if let Ok(e) = DevStakingToken::DevStakingTokenErrors::abi_decode(data) {
        let detail = format!("{e:?}");
        let name = DevStakingToken::DevStakingTokenErrors::name_by_selector(e.selector())
            .unwrap_or("Unknown")
            .to_string();
        return Revert { name, detail };
    }
    if let Ok(s) = alloy::sol_types::Revert::abi_decode(data) {
        return Revert { name: "Error".into(), detail: format!("Error({:?})", s.reason) };
    }
    if let Ok(p) = alloy::sol_types::Panic::abi_decode(data) {
        return Revert { name: "Panic".into(), detail: format!("Panic({})", p.code) };
    }
    if data.len() >= 4 {
        let name = format!("Unknown(0x{})", alloy::hex::encode(&data[..4]));
        return Revert { detail: format!("{name} {}", alloy::hex::encode(data)), name };
    }
    Revert { name: "EmptyRevert".into(), detail: "revert without data".into() }
}

/// The revert of a transaction that halted (out of gas, invalid opcode, oversized code ...).
pub(crate) fn halt(reason: impl std::fmt::Debug) -> Revert {
    Revert { name: "Halt".into(), detail: format!("halted: {reason:?}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::U256;
    use provernet_bindings::ProverNetwork;

    #[test]
    fn custom_errors_are_named_with_their_fields() {
        let data = ProverNetwork::SlashedProverCannotRace { batchId: U256::from(7) }.abi_encode();
        let r = decode_revert(&data);
        assert_eq!(r.name, "SlashedProverCannotRace");
        assert!(r.detail.contains("batchId: 7"), "{}", r.detail);
    }

    #[test]
    fn unknown_and_empty_reverts_say_so() {
        let r = decode_revert(&[0xde, 0xad, 0xbe, 0xef, 1]);
        assert_eq!(r.name, "Unknown(0xdeadbeef)");
        assert_eq!(r.detail, "Unknown(0xdeadbeef) deadbeef01");
        assert_eq!(decode_revert(&[]).name, "EmptyRevert");
        let s = alloy::sol_types::Revert::from("nope").abi_encode();
        assert_eq!(decode_revert(&s).detail, "Error(\"nope\")");
    }
}
