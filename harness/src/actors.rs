//! The cast of a campaign: who acts, and with which strategy.

use crate::slots::AccountSlots;
use alloy::primitives::Address;
use provernet_evm::Names;
use serde::{Deserialize, Serialize};

/// The strategy an actor follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The rollup's batch source: posts batches with fees.
    Rollup,
    /// A keeper: slashes, fails batches and penalises non-reveals, often too early.
    Keeper,
    /// Governance: moves parameters within (and sometimes outside) their bounds, pauses, pays out.
    Governance,
    /// Commits, reveals and proves every assigned batch inside its window; races open batches.
    Honest,
    /// Registers and enters the lists, then rarely shows up: its batches go to the race.
    Lazy,
    /// Proves just after its window closes, then tries to race its own slashed batch.
    Slow,
    /// Copies other provers' proofs and submits them as its own (front-running), and races.
    Stealer,
    /// Withholds its reveal when the would-be seed goes against it.
    NonRevealer,
    /// Requests unstake as soon as it is assigned and tries to withdraw before the slash lands.
    WithdrawBeforeSlash,
    /// One of several identities that split a stake into minimum-stake pieces.
    Sybil,
}

impl Role {
    /// True for the roles that stake and prove.
    pub fn is_prover(self) -> bool {
        !matches!(self, Self::Rollup | Self::Keeper | Self::Governance)
    }
}

/// One actor.
#[derive(Clone, Debug)]
pub struct Actor {
    /// Its address.
    pub addr: Address,
    /// Its strategy.
    pub role: Role,
    /// Storage keys of its account and token balance.
    pub keys: AccountSlots,
}

/// Actor index of the batch source.
pub const ROLLUP: u16 = 0;
/// Actor index of the keeper.
pub const KEEPER: u16 = 1;
/// Actor index of governance (the network owner).
pub const GOVERNANCE: u16 = 2;
/// The smallest prover count that still gives every adversarial role one identity.
pub const MIN_PROVERS: usize = 8;

const PROVER_ROLES: [Role; 12] = [
    Role::Honest,
    Role::Honest,
    Role::Lazy,
    Role::Slow,
    Role::Stealer,
    Role::NonRevealer,
    Role::WithdrawBeforeSlash,
    Role::Sybil,
    Role::Sybil,
    Role::Sybil,
    Role::Honest,
    Role::Sybil,
];

/// The actor table for `provers` prover identities: rollup, keeper and governance first, then the
/// provers, whose roles cycle through every strategy so that any `provers >= MIN_PROVERS` has each.
pub fn roster(provers: usize, owner: Address) -> Vec<Actor> {
    let mut out = vec![
        actor(Names::HARNESS.address("rollup"), Role::Rollup),
        actor(Names::HARNESS.address("keeper"), Role::Keeper),
        actor(owner, Role::Governance),
    ];
    for i in 0..provers {
        let role = PROVER_ROLES[i % PROVER_ROLES.len()];
        out.push(actor(Names::HARNESS.address(&format!("prover-{i}")), role));
    }
    out
}

fn actor(addr: Address, role: Role) -> Actor {
    Actor { addr, role, keys: AccountSlots::new(addr) }
}
