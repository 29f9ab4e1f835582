//! A prover's decisions as named policies behind one trait, one implementation per strategy, wired
//! in one table ([`policy_of`]). The strategies are the shared vocabulary of
//! [`provernet_bindings::Strategy`]: the fuzz harness and the simulator call the same adversary by
//! the same name; the table says which of them the simulator plays.
//!
//! The honest prover is the trait's default behaviour; each adversary overrides only the decisions
//! it changes. The engine asks these questions at fixed points of the block (docs/simulation.md,
//! "Order within a block") and acts on the answers; the policies never touch the chain. A policy
//! that draws randomness draws from the prover's own stream, and only when the question is asked,
//! so a run stays reproducible from its seed.

use eyre::{Result, eyre};
use provernet_bindings::Strategy;
use provernet_bindings::amount::tokens_f64;

use crate::rng::Rng;
use crate::scenario::Scenario;

/// What a prover does with a batch drawn to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assignment {
    /// Plans and runs the proof on its own machines.
    Prove,
    /// Never proves it: the window is missed and the batch goes to the race.
    Withhold,
    /// Withholds it while a cartel partner proves it, to win the race and its bounty.
    CartelPartnerProves,
}

/// A prover's decisions. The default methods are the honest prover.
pub trait ProverPolicy: Sync {
    /// Probability that one of its proof attempts crashes.
    fn proof_failure_rate(&self, s: &Scenario) -> f64 {
        s.provers.failure_rate
    }

    /// Mean blocks between two of its outages (0: never down).
    fn mtbf_blocks(&self, s: &Scenario) -> f64 {
        s.provers.mtbf_blocks
    }

    /// Whether it will reveal the commitment it makes this epoch (decided once, at commit time).
    fn reveals(&self, _rng: &mut Rng) -> bool {
        true
    }

    /// What it does with a batch drawn to it.
    fn proves_assignment(&self) -> Assignment {
        Assignment::Prove
    }

    /// Whether it joins an open race it is eligible for, given `odds`: the probability at which the
    /// race still pays its hardware class against the competition it expects, at most the
    /// scenario's `race_join` (`agents/race_join.rs`). Asked before its machines and its uptime are
    /// checked.
    fn joins_race(&self, rng: &mut Rng, odds: f64) -> bool {
        rng.chance(odds)
    }

    /// Its initial stake in tokens, given the one the population drew for it.
    fn initial_stake(&self, _s: &Scenario, drawn: f64) -> f64 {
        drawn
    }

    /// Whether it tries to dodge a slot drawn to it by dropping below `minStake` for the slot
    /// (asked at the slot's first block, when its draw is public).
    fn dodges_drawn_slots(&self) -> bool {
        false
    }

    /// Whether it drops below `minStake` for the reveal it is about to make, to keep its secret
    /// out of the seed (asked at each reveal).
    fn hides_secret(&self, _rng: &mut Rng) -> bool {
        false
    }

    /// Whether, once slashed, it leaves and re-registers under a fresh identity with the same stake.
    fn whitewashes(&self) -> bool {
        false
    }

    /// Whether it stakes back up when a slash leaves it below `minStake`, in a scenario whose
    /// provers top up (`[top_up]`).
    fn tops_up_when_short(&self) -> bool {
        true
    }
}

/// Proves every assignment it expects to finish in time, reveals every commitment, joins a race when
/// it pays against the competition it expects.
pub struct Honest;

impl ProverPolicy for Honest {}

/// Unreliable hardware: crashes `faulty_failure_rate` of its proofs and is down more often.
pub struct Faulty;

impl ProverPolicy for Faulty {
    fn proof_failure_rate(&self, s: &Scenario) -> f64 {
        s.adversaries.faulty_failure_rate
    }

    fn mtbf_blocks(&self, s: &Scenario) -> f64 {
        s.provers.mtbf_blocks / s.adversaries.faulty_downtime_factor
    }
}

/// Enters the lists and never proves (griefing): every batch drawn to it goes to the race.
pub struct Withhold;

impl ProverPolicy for Withhold {
    fn proves_assignment(&self) -> Assignment {
        Assignment::Withhold
    }

    fn joins_race(&self, _rng: &mut Rng, _odds: f64) -> bool {
        false
    }
}

/// A seed grinder: withholds its reveal half the time, as it would when the outcome goes against it.
pub struct NoReveal;

impl ProverPolicy for NoReveal {
    fn reveals(&self, rng: &mut Rng) -> bool {
        !rng.chance(0.5)
    }
}

/// A cartel member: withholds its own batches while a partner proves them from the moment of
/// posting, so the partner wins the race with the bounty (recycling slashes into bounties). It
/// races nobody else's batches.
pub struct BountyFarm;

impl ProverPolicy for BountyFarm {
    fn proves_assignment(&self) -> Assignment {
        Assignment::CartelPartnerProves
    }

    fn joins_race(&self, _rng: &mut Rng, _odds: f64) -> bool {
        false
    }
}

/// Tries to dodge every slot drawn to it by unstaking just below `minStake` before the slot's first
/// batch and topping up after the slot (issue 10, attack 4). Under the capacity rule bonded stake,
/// not active stake, decides, so the slot is still its own; it then proves like an honest prover.
pub struct Decliner;

impl ProverPolicy for Decliner {
    fn dodges_drawn_slots(&self) -> bool {
        true
    }
}

/// Drops below `minStake` just before half of its reveals (when the mix would go against it) and
/// tops up at once (issue 10, attack 5). Every reveal mixes, so it only loses its listing.
pub struct SecretWithholder;

impl ProverPolicy for SecretWithholder {
    fn hides_secret(&self, rng: &mut Rng) -> bool {
        rng.chance(0.5)
    }
}

/// A small prover: bonds only `minStake + (overcommit_open - 1) x assignmentBond`, enough for
/// `overcommit_open` open batches (issue 10, attack 7). The draw must skip it when it is full.
pub struct Overcommit;

impl ProverPolicy for Overcommit {
    fn initial_stake(&self, s: &Scenario, _drawn: f64) -> f64 {
        let open = s.adversaries.overcommit_open.max(1) - 1;
        tokens_f64(s.params.min_stake + s.params.assignment_bond * u128::from(open))
    }
}

/// After its first slash, unstakes everything and registers a fresh identity with its original
/// stake (issue 10, attack 6). Newcomers start at reputation 0, so the fresh identity weighs less
/// than the record it sheds. Otherwise honest: the old identity still proves what it holds.
pub struct Whitewasher;

impl ProverPolicy for Whitewasher {
    fn whitewashes(&self) -> bool {
        true
    }

    /// It leaves a slashed identity instead of topping it up.
    fn tops_up_when_short(&self) -> bool {
        false
    }
}

/// The one table from a strategy to the policy that plays it in the simulator; `None` for the
/// strategies only the fuzz harness plays (they act on single transactions, which the contract
/// rejects or the harness's invariants cover, not on the network's economics: docs/simulation.md).
pub fn policy_of(strategy: Strategy) -> Option<&'static dyn ProverPolicy> {
    match strategy {
        Strategy::Honest => Some(&Honest),
        Strategy::Faulty => Some(&Faulty),
        Strategy::Withhold => Some(&Withhold),
        Strategy::NoReveal => Some(&NoReveal),
        Strategy::BountyFarm => Some(&BountyFarm),
        Strategy::Decliner => Some(&Decliner),
        Strategy::SecretWithholder => Some(&SecretWithholder),
        Strategy::Overcommit => Some(&Overcommit),
        Strategy::Whitewasher => Some(&Whitewasher),
        Strategy::Slow | Strategy::Stealer | Strategy::WithdrawBeforeSlash | Strategy::Sybil => {
            None
        }
    }
}

/// The policy for `strategy`, or an error naming the strategies the simulator plays (a scenario
/// may name any shared strategy; the run refuses the harness-only ones before it starts).
pub fn simulated(strategy: Strategy) -> Result<&'static dyn ProverPolicy> {
    policy_of(strategy).ok_or_else(|| {
        let names: Vec<&str> = Strategy::ALL
            .into_iter()
            .filter(|s| policy_of(*s).is_some())
            .map(Strategy::as_str)
            .collect();
        eyre!(
            "adversaries.strategy = \"{strategy}\" is played only by the fuzz harness; the simulator plays {}",
            names.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_covers_the_simulated_strategies() {
        let simulated: Vec<Strategy> =
            Strategy::ALL.into_iter().filter(|s| policy_of(*s).is_some()).collect();
        assert_eq!(
            simulated,
            [
                Strategy::Honest,
                Strategy::Faulty,
                Strategy::Withhold,
                Strategy::NoReveal,
                Strategy::BountyFarm,
                Strategy::Decliner,
                Strategy::SecretWithholder,
                Strategy::Whitewasher,
                Strategy::Overcommit
            ]
        );
    }

    #[test]
    fn harness_only_strategies_are_refused_with_the_simulated_list() {
        let e = simulated(Strategy::Stealer).err().expect("stealer is harness-only").to_string();
        assert!(e.contains("\"stealer\" is played only by the fuzz harness"), "{e}");
        assert!(e.contains("plays honest, faulty, withhold, no-reveal, bounty-farm, decliner, secret-withholder, whitewasher, overcommit"), "{e}");
        assert!(simulated(Strategy::NoReveal).is_ok());
    }

    #[test]
    fn honest_decisions_draw_only_the_race_coin() {
        let mut rng = Rng::new(1, 0);
        let before = rng.clone().next_u64();
        assert!(Honest.reveals(&mut rng));
        assert_eq!(Honest.proves_assignment(), Assignment::Prove);
        assert_eq!(rng.clone().next_u64(), before, "reveals and proves_assignment draw nothing");
        assert!(Honest.joins_race(&mut rng, 1.0));
        assert_ne!(rng.next_u64(), before, "joins_race drew its coin");
    }

    #[test]
    fn adversaries_override_only_their_decisions() {
        let s = Scenario::parse("name = \"x\"").unwrap();
        let mut rng = Rng::new(1, 0);
        assert!(!Withhold.joins_race(&mut rng, 1.0));
        assert!(!BountyFarm.joins_race(&mut rng, 1.0));
        assert_eq!(Withhold.proves_assignment(), Assignment::Withhold);
        assert_eq!(BountyFarm.proves_assignment(), Assignment::CartelPartnerProves);
        assert_eq!(Faulty.proof_failure_rate(&s), s.adversaries.faulty_failure_rate);
        assert_eq!(
            Faulty.mtbf_blocks(&s),
            s.provers.mtbf_blocks / s.adversaries.faulty_downtime_factor
        );
        assert_eq!(Withhold.proof_failure_rate(&s), s.provers.failure_rate);
        let reveals = (0..1_000).filter(|_| NoReveal.reveals(&mut rng)).count();
        assert!((400..600).contains(&reveals), "a grinder reveals about half the time: {reveals}");
    }
}
