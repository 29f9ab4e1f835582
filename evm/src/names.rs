//! The chain id and the deterministic addresses of named actors.

use alloy::primitives::{Address, keccak256};

/// Chain id of the in-process chain (development proofs bind it; the same as anvil's).
pub const CHAIN_ID: u64 = 31_337;
/// Seconds per block, so `block.timestamp` advances like a real chain's.
pub const BLOCK_TIME: u64 = 12;

/// A family of deterministic addresses: `name` in scope `s` is the address of the word
/// `keccak256("provernet.<s>.<name>")`.
///
/// Each program has its own scope (the harness's actors are not the simulator's), and a scope
/// gives the same addresses on every run, which is what makes runs replay bit for bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Names {
    scope: &'static str,
}

impl Names {
    /// The fuzz harness's actors.
    pub const HARNESS: Self = Self::new("harness");
    /// The simulator's agents.
    pub const SIM: Self = Self::new("sim");

    /// The addresses of scope `scope`.
    pub const fn new(scope: &'static str) -> Self {
        Self { scope }
    }

    /// The address named `name` in this scope.
    pub fn address(self, name: &str) -> Address {
        Address::from_word(keccak256(format!("provernet.{}.{name}", self.scope)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_the_hash_of_its_scoped_string() {
        let want = Address::from_word(keccak256("provernet.harness.governance"));
        assert_eq!(Names::HARNESS.address("governance"), want);
        assert_eq!(
            Names::SIM.address("prover.3"),
            Address::from_word(keccak256("provernet.sim.prover.3"))
        );
        assert_ne!(Names::HARNESS.address("keeper"), Names::SIM.address("keeper"));
    }
}
