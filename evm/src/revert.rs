//! Revert data decoded into the custom error that explains it.

use provernet_bindings::{ErrorTable, UndecodedRevert};

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

/// Decodes revert data with the bindings' ABI-driven [`ErrorTable`] (every exported contract's
/// custom errors, `Error(string)` and `Panic(uint256)`): the detail is `Name(field: value, ...)`.
/// Data no ABI explains is named by its selector (`Unknown(0x<selector>)`), or `EmptyRevert` when
/// it has none.
pub fn decode_revert(data: &[u8]) -> Revert {
    match ErrorTable::shared().decode(data) {
        Ok(d) => Revert { name: d.name.clone(), detail: d.to_string() },
        Err(u) => {
            let name = match &u {
                UndecodedRevert::Empty | UndecodedRevert::TooShort(_) => "EmptyRevert".to_string(),
                UndecodedRevert::UnknownSelector { .. } | UndecodedRevert::Malformed { .. } => {
                    format!("Unknown(0x{})", alloy::hex::encode(&data[..4]))
                }
            };
            Revert { name, detail: u.to_string() }
        }
    }
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

    use alloy::sol_types::SolError;

    #[test]
    fn custom_errors_are_named_with_their_fields() {
        let data = ProverNetwork::SlashedProverCannotRace { batchId: U256::from(7) }.abi_encode();
        let r = decode_revert(&data);
        assert_eq!(r.name, "SlashedProverCannotRace");
        assert_eq!(r.detail, "SlashedProverCannotRace(batchId: 7)");
    }

    #[test]
    fn unknown_and_empty_reverts_say_so() {
        let r = decode_revert(&[0xde, 0xad, 0xbe, 0xef, 1]);
        assert_eq!(r.name, "Unknown(0xdeadbeef)");
        assert!(r.detail.contains("0xdeadbeef01"), "{}", r.detail);
        assert_eq!(decode_revert(&[]).name, "EmptyRevert");
        assert_eq!(decode_revert(&[1, 2]).name, "EmptyRevert");
        let s = alloy::sol_types::Revert::from("nope").abi_encode();
        let r = decode_revert(&s);
        assert_eq!((r.name.as_str(), r.detail.as_str()), ("Error", "Error(reason: \"nope\")"));
    }
}
