//! One vocabulary for how a prover behaves, shared by the fuzz harness (which drives one actor per
//! strategy against the reference model) and the simulator (which gives a share of its provers a
//! strategy). The same adversary has one name on both sides.
//!
//! Serde and command-line spellings are kebab-case. The simulator's scenario names are the
//! canonical ones (`withhold`, `no-reveal`, `bounty-farm`, `faulty`), so every shipped scenario
//! parses unchanged; the harness's former names are accepted as aliases (`lazy` for
//! [`Strategy::Withhold`], `non-revealer` for [`Strategy::NoReveal`]). The rollup, keeper and
//! governance actors of the harness are not provers and stay out of this list.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a prover does with its assignments, its commitments and the races.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Commits, reveals and proves every assigned batch inside its window; races open batches.
    Honest,
    /// Unreliable hardware: crashes a share of its proofs and is down more often, so it misses
    /// windows without meaning to (simulator).
    Faulty,
    /// Enters the selection lists and does not prove its assignments, so every one of its
    /// batches goes to the race (griefing). The simulator's withholder never proves; the harness's
    /// actor shows up about 30% of the time so the fuzzer still reaches its other paths.
    /// Formerly the harness's `Lazy`.
    #[serde(alias = "lazy")]
    #[cfg_attr(feature = "clap", value(alias = "lazy"))]
    Withhold,
    /// Commits and withholds its reveal when the would-be seed goes against it, as a seed grinder
    /// does (the simulator withholds half the time at random). Formerly the harness's
    /// `NonRevealer`.
    #[serde(alias = "non-revealer")]
    #[cfg_attr(feature = "clap", value(alias = "non-revealer"))]
    NoReveal,
    /// A cartel member: withholds its own batches and races the other members' with a head start,
    /// recycling their slashes into bounties (simulator).
    BountyFarm,
    /// Proves just after its window closes, then tries to race its own slashed batch (harness).
    Slow,
    /// Copies other provers' proofs and submits them as its own (front-running), and races
    /// (harness).
    Stealer,
    /// Requests unstake as soon as it is assigned and tries to withdraw before the slash lands
    /// (harness).
    WithdrawBeforeSlash,
    /// One of several identities that split a stake into minimum-stake pieces (harness).
    Sybil,
    /// Tries to dodge every slot drawn to it: just before the slot it requests an unstake that
    /// leaves its active stake 1 unit below `minStake`, and tops it up again once the slot is over
    /// (issue 10, attack 4). Proves what it is assigned anyway (simulator).
    Decliner,
    /// Keeps its secret out of the seed: drops 1 unit below `minStake` just before it reveals and
    /// tops up afterwards, as a last revealer would when the mix goes against it (issue 10,
    /// attack 5; simulator).
    SecretWithholder,
    /// After each slash, leaves and re-registers under a fresh identity with the same stake, to
    /// shed its record (issue 10, attack 6; simulator).
    Whitewasher,
    /// A small prover whose bonded stake covers only a few open assignments
    /// (`adversaries.overcommit_open`), so the capacity rule must skip it once it is full rather
    /// than overload it (issue 10, attack 7; simulator).
    Overcommit,
}

impl Strategy {
    /// Every strategy.
    pub const ALL: [Self; 13] = [
        Self::Honest,
        Self::Faulty,
        Self::Withhold,
        Self::NoReveal,
        Self::BountyFarm,
        Self::Slow,
        Self::Stealer,
        Self::WithdrawBeforeSlash,
        Self::Sybil,
        Self::Decliner,
        Self::SecretWithholder,
        Self::Whitewasher,
        Self::Overcommit,
    ];

    /// The kebab-case name files and command lines use (`no-reveal`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Honest => "honest",
            Self::Faulty => "faulty",
            Self::Withhold => "withhold",
            Self::NoReveal => "no-reveal",
            Self::BountyFarm => "bounty-farm",
            Self::Slow => "slow",
            Self::Stealer => "stealer",
            Self::WithdrawBeforeSlash => "withdraw-before-slash",
            Self::Sybil => "sybil",
            Self::Decliner => "decliner",
            Self::SecretWithholder => "secret-withholder",
            Self::Whitewasher => "whitewasher",
            Self::Overcommit => "overcommit",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Adversaries {
        strategy: Strategy,
    }

    #[test]
    fn names_round_trip_through_serde() {
        for s in Strategy::ALL {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<Strategy>(&json).unwrap(), s);
        }
    }

    #[test]
    fn the_harness_names_are_aliases() {
        let read = |t: &str| serde_json::from_str::<Strategy>(t).unwrap();
        assert_eq!(read("\"lazy\""), Strategy::Withhold);
        assert_eq!(read("\"non-revealer\""), Strategy::NoReveal);
        assert!(serde_json::from_str::<Strategy>("\"keeper\"").is_err());
    }

    /// Every `strategy = "..."` of the shipped scenarios, and every value the adversary grid
    /// sweeps, still reads.
    #[test]
    fn every_shipped_scenario_strategy_parses() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let doc: toml::Table = toml::from_str(&text).unwrap();
            if let Some(adv) = doc.get("adversaries") {
                let a: Adversaries = adv.clone().try_into().unwrap();
                assert!(Strategy::ALL.contains(&a.strategy));
                seen += 1;
            }
            for axis in doc.get("axis").and_then(|a| a.as_array()).into_iter().flatten() {
                if axis["key"].as_str() == Some("adversaries.strategy") {
                    for v in axis["values"].as_array().unwrap() {
                        let s: Strategy = v.clone().try_into().unwrap();
                        assert_eq!(s.as_str(), v.as_str().unwrap());
                        seen += 1;
                    }
                }
            }
        }
        assert!(seen >= 14, "only {seen} strategies found in scenarios/");
    }
}
