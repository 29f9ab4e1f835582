//! The cast of a campaign: who acts, and with which strategy.

use crate::slots::AccountSlots;
use alloy::primitives::Address;
use provernet_bindings::Strategy;
use provernet_evm::Names;

/// What an actor is: one of the three non-prover parties, or a prover following one of the
/// bindings' shared [`Strategy`] names (the simulator names the same adversaries the same way).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The rollup's batch source: posts batches with fees.
    Rollup,
    /// A keeper: slashes, fails batches and penalises non-reveals, often too early.
    Keeper,
    /// Governance: moves parameters within (and sometimes outside) their bounds, pauses, pays out.
    Governance,
    /// A prover. The harness drives `Honest`, `Withhold` (shows up about 30% of the time),
    /// `Slow`, `Stealer`, `NoReveal` (withholds its reveal when the would-be seed goes against
    /// it), `WithdrawBeforeSlash` and `Sybil`.
    Prover(Strategy),
    /// A prover that calls `finalizeSeed` and `commit` at odd times, trying to re-roll a fixed
    /// seed (issue 10, attack 2; harness-only).
    SeedReroller,
    /// The whitewasher's fresh identity: registers with the whitewasher's stake only once that one
    /// was slashed, and must never outweigh its record (issue 10, attack 6).
    FreshIdentity,
    /// The hot key of the first prover (actor [`PROVER_BASE`]): commits, reveals and proves for it.
    Operator,
    /// A compromised governance key (a second timelock proposer that also controls a batch
    /// source): tries issue 11's finding-3 drain through the timelock (see `drain`).
    HostileGovernance,
    /// A prover that lets its own assignments miss, to rescue them from [`Role::RescueTwin`].
    SelfRescuer,
    /// The self-rescuer's second registered identity: races the batches the first one missed.
    RescueTwin,
    /// A second batch source that withholds the data of some of its batches, answers some of the
    /// challenges (with the wrong data first, now and then) and lets the others lapse (see
    /// `withhold`).
    WithholdingSource,
    /// A liquid proving pool (contracts/pools/ProverPool.sol, created through the real factory):
    /// the contract is the prover account; its operator proves for it. A `careless` pool's
    /// operator proves only about half of its batches in time, so its delegators see slashes.
    Pool {
        /// Misses about half of its proving windows.
        careless: bool,
    },
    /// The operator of a pool: created it with its self-stake, is its hot key in the network,
    /// syncs it and takes its commission.
    PoolOperator,
    /// A token holder who delegates to pools: deposits, requests withdrawals (also to dodge a
    /// slash it sees coming), claims, and donates to a vault to try to inflate its shares.
    Delegator,
}

impl Role {
    /// True for the roles that stake and prove.
    pub fn is_prover(self) -> bool {
        matches!(
            self,
            Self::Prover(_)
                | Self::SeedReroller
                | Self::FreshIdentity
                | Self::SelfRescuer
                | Self::RescueTwin
                | Self::Pool { .. }
        )
    }

    /// True for the actors that are contracts, which never send a transaction themselves.
    pub fn is_contract(self) -> bool {
        matches!(self, Self::Pool { .. })
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
/// Actor index of the first prover.
pub const PROVER_BASE: u16 = 3;
/// The smallest prover count that still gives every adversarial role one identity.
pub const MIN_PROVERS: usize = 8;
/// The selection attackers of issue 10, one identity each, appended after the provers (the
/// shared strategies behave as `attacks` describes).
pub const ATTACKERS: [Role; 6] = [
    Role::Prover(Strategy::Decliner),
    Role::SeedReroller,
    Role::Prover(Strategy::SecretWithholder),
    Role::Prover(Strategy::Whitewasher),
    Role::FreshIdentity,
    Role::Prover(Strategy::Overcommit),
];

const PROVER_ROLES: [Role; 12] = [
    Role::Prover(Strategy::Honest),
    Role::Prover(Strategy::Honest),
    Role::Prover(Strategy::Withhold),
    Role::Prover(Strategy::Slow),
    Role::Prover(Strategy::Stealer),
    Role::Prover(Strategy::NoReveal),
    Role::Prover(Strategy::WithdrawBeforeSlash),
    Role::Prover(Strategy::Sybil),
    Role::Prover(Strategy::Sybil),
    Role::Prover(Strategy::Sybil),
    Role::Prover(Strategy::Honest),
    Role::Prover(Strategy::Sybil),
];

/// The actor table for `provers` prover identities: rollup, keeper and governance first, then the
/// provers, whose roles cycle through every strategy so that any `provers >= MIN_PROVERS` has each,
/// then one identity per selection attacker ([`ATTACKERS`]), the first prover's operator and
/// issue 11's actors ([`ISSUE_11_ACTORS`]).
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
    for (k, role) in ATTACKERS.into_iter().enumerate() {
        out.push(actor(Names::HARNESS.address(&format!("attacker-{k}")), role));
    }
    out.push(actor(Names::HARNESS.address("operator-of-prover-0"), Role::Operator));
    for (name, role) in ISSUE_11_ACTORS {
        out.push(actor(Names::HARNESS.address(name), role));
    }
    out
}

/// Issue 11's actors, appended last: the hostile governance, the self-rescuer's two identities
/// and the withholding source.
pub const ISSUE_11_ACTORS: [(&str, Role); 4] = [
    ("hostile-governance", Role::HostileGovernance),
    ("self-rescuer", Role::SelfRescuer),
    ("rescue-twin", Role::RescueTwin),
    ("withholding-source", Role::WithholdingSource),
];

/// The actor index of the first actor with `role`.
pub fn index_of(actors: &[Actor], role: Role) -> Option<u16> {
    actors.iter().position(|a| a.role == role).map(|i| i as u16)
}

/// Pools created at genesis, one careful and one careless (appended after the roster by
/// `pool_setup`, each after its operator).
pub const POOLS: [Role; 2] = [Role::Pool { careless: false }, Role::Pool { careless: true }];
/// Delegators appended after the pools.
pub const DELEGATORS: usize = 4;

/// An actor at `addr` (the roster's, or a pool created at genesis).
pub fn actor(addr: Address, role: Role) -> Actor {
    Actor { addr, role, keys: AccountSlots::new(addr) }
}
