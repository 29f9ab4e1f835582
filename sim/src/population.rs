//! The prover population of a scenario: stakes, hardware classes, machines and which provers are
//! adversaries, drawn from the scenario's seed. Either one population (`provers.count`,
//! `provers.stake`, a random `adversaries.share` of it playing `adversaries.strategy`) or, when the
//! scenario lists `[[provers.group]]`, the groups in order, each with its own count, stake,
//! hardware, strategy and capacity: a sybil whale (one operator's stake split over many
//! identities) or a cartel of reveal withholders can then be written down. Also the pool of
//! potential entrants (`[market]`), drawn from its own stream.

use alloy::primitives::Address;
use eyre::{Result, ensure};
use provernet_bindings::Strategy;
use provernet_bindings::amount::tokens_f64;
use provernet_evm::Names;
use serde::{Deserialize, Serialize};

use crate::capacity::Capacity;
use crate::policy::policy_of;
use crate::rng::Rng;
use crate::scenario::{Scenario, StakeDist};

/// The stream potential entrants are drawn from (distinct from every other stream of a run).
const ENTRANT_STREAM: u64 = 21;

/// A group of provers alike (`[[provers.group]]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Name in `summary.json`'s per-group results.
    pub name: String,
    /// Provers in the group (each its own identity, address and stake).
    pub count: usize,
    /// Stake of each, in tokens: `{ kind = "equal", amount = ... }` or a distribution.
    pub stake: StakeDist,
    /// Hardware class by name (one of `provers.classes`); left out: drawn by the classes' shares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Strategy of every prover of the group (default `honest`).
    #[serde(default = "honest")]
    pub strategy: Strategy,
    /// Machines per prover; left out: `provers.capacity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Capacity>,
}

fn honest() -> Strategy {
    Strategy::Honest
}

/// One prover's static description.
#[derive(Clone, Debug)]
pub struct ProverSpec {
    /// Its address.
    pub addr: Address,
    /// Initial stake in tokens.
    pub stake: f64,
    /// Hardware class index.
    pub class: usize,
    /// Its strategy (`Honest` unless it is one of the scenario's adversaries).
    pub strategy: Strategy,
    /// Machines it runs (`crate::capacity`).
    pub machines: u32,
    /// Its group's index in `provers.group` (none without groups, and for entrants).
    pub group: Option<usize>,
}

/// Checks the groups: names, counts, stakes, classes and capacities; and that the single-population
/// keys that groups replace are not also set to something groups would silently ignore.
pub fn validate_groups(s: &Scenario) -> Result<()> {
    let p = &s.provers;
    if p.groups.is_empty() {
        return Ok(());
    }
    ensure!(
        s.adversaries.share == 0.0,
        "adversaries.share = {} cannot be combined with [[provers.group]]: give the adversaries \
         their own group with `strategy = ...` instead",
        s.adversaries.share
    );
    let mut total = 0usize;
    for (k, g) in p.groups.iter().enumerate() {
        let what = format!("provers.group[{k}] `{}`", g.name);
        ensure!(!g.name.trim().is_empty(), "provers.group[{k}]: `name` must not be empty");
        ensure!(
            p.groups[..k].iter().all(|h| h.name != g.name),
            "{what}: the name is used by an earlier group (names must be unique)"
        );
        ensure!(g.count >= 1, "{what}: count must be at least 1");
        total += g.count;
        g.stake.validate(&format!("{what}.stake"))?;
        if let Some(c) = &g.class {
            ensure!(
                p.classes.iter().any(|h| &h.name == c),
                "{what}: class `{c}` is not one of provers.classes ({})",
                p.classes.iter().map(|h| h.name.as_str()).collect::<Vec<_>>().join(", ")
            );
        }
        if let Some(c) = &g.capacity {
            c.validate(&format!("{what}.capacity"))?;
        }
    }
    ensure!(total <= 100_000, "[[provers.group]]: the groups hold {total} provers; at most 100000");
    Ok(())
}

/// The class a prover draws by the classes' shares.
fn drawn_class(s: &Scenario, rng: &mut Rng) -> usize {
    let shares: f64 = s.provers.classes.iter().map(|c| c.share).sum();
    let mut u = rng.f64() * shares;
    s.provers
        .classes
        .iter()
        .position(|c| {
            u -= c.share;
            u < 0.0
        })
        .unwrap_or(s.provers.classes.len() - 1)
}

/// A prover's spec from its drawn stake, class and strategy: the strategy may size its own stake
/// (a small, overcommitted prover), and the capacity policy sizes its machines from that stake.
fn spec(
    s: &Scenario,
    name: &str,
    stake: f64,
    class: usize,
    strategy: Strategy,
    capacity: &Capacity,
    group: Option<usize>,
) -> ProverSpec {
    let stake = stake.max(tokens_f64(s.params.min_stake));
    let stake = policy_of(strategy).map_or(stake, |p| p.initial_stake(s, stake));
    let machines = capacity.machines(&s.provers.classes[class], stake);
    ProverSpec { addr: Names::SIM.address(name), stake, class, strategy, machines, group }
}

/// Draws the prover population of a scenario.
pub fn population(s: &Scenario) -> Vec<ProverSpec> {
    let mut rng = Rng::new(s.seed, 1);
    if !s.provers.groups.is_empty() {
        return groups(s, &mut rng);
    }
    let n = s.provers.count;
    let adversaries = (s.adversaries.share * n as f64).round() as usize;
    // A random subset (Fisher-Yates prefix) is adversarial, so adversaries are not all whales.
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..n {
        let j = i + rng.below((n - i) as u64) as usize;
        order.swap(i, j);
    }
    let mut bad = vec![false; n];
    for &i in &order[..adversaries] {
        bad[i] = true;
    }
    (0..n)
        .map(|i| {
            let stake = s.provers.stake.draw(&mut rng);
            let class = drawn_class(s, &mut rng);
            let strategy = if bad[i] { s.adversaries.strategy } else { Strategy::Honest };
            let name = format!("prover.{i}");
            spec(s, &name, stake, class, strategy, &s.provers.capacity, None)
        })
        .collect()
}

/// The groups' provers, group after group (prover indices run on across groups).
fn groups(s: &Scenario, rng: &mut Rng) -> Vec<ProverSpec> {
    let mut out = Vec::with_capacity(s.provers.initial_count());
    for (k, g) in s.provers.groups.iter().enumerate() {
        let capacity = g.capacity.as_ref().unwrap_or(&s.provers.capacity);
        for _ in 0..g.count {
            let stake = g.stake.draw(rng);
            let class = match &g.class {
                Some(c) => s.provers.classes.iter().position(|h| &h.name == c).expect("validated"),
                None => drawn_class(s, rng),
            };
            let name = format!("prover.{}", out.len());
            out.push(spec(s, &name, stake, class, g.strategy, capacity, Some(k)));
        }
    }
    out
}

/// The pool of potential entrants (`market.entrants`): honest provers drawn like the single
/// population (`provers.stake`, the classes' shares, `provers.capacity`), from their own stream.
pub fn entrants(s: &Scenario) -> Vec<ProverSpec> {
    let mut rng = Rng::new(s.seed, ENTRANT_STREAM);
    (0..s.market.entrants)
        .map(|k| {
            let stake = s.provers.stake.draw(&mut rng);
            let class = drawn_class(s, &mut rng);
            let name = format!("entrant.{k}");
            spec(s, &name, stake, class, Strategy::Honest, &s.provers.capacity, None)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GROUPS: &str = r#"
name = "groups"
[[provers.classes]]
name = "gpu"
share = 1.0
cost_per_mb = 5.0
fixed_blocks = 1.0
blocks_per_mb = 40.0
jitter = 0.0
machines = 2
[[provers.classes]]
name = "cpu"
share = 0.0
cost_per_mb = 3.0
fixed_blocks = 2.0
blocks_per_mb = 90.0
jitter = 0.0
[[provers.group]]
name = "whale"
count = 10
stake = { kind = "equal", amount = 50000.0 }
class = "cpu"
capacity = { machines = "per_stake", tokens_per_machine = 25000.0 }
[[provers.group]]
name = "cartel"
count = 3
stake = { kind = "uniform", min = 2000.0, max = 4000.0 }
strategy = "no-reveal"
[[provers.group]]
name = "crowd"
count = 5
stake = { kind = "equal", amount = 1000.0 }
"#;

    #[test]
    fn a_group_file_parses_into_its_population() {
        let s = Scenario::parse(GROUPS).unwrap();
        assert_eq!(s.provers.initial_count(), 18);
        let pop = population(&s);
        assert_eq!(pop.len(), 18);
        let of = |k: usize| pop.iter().filter(move |p| p.group == Some(k));
        assert_eq!(of(0).count(), 10);
        assert!(of(0).all(|p| p.stake == 50_000.0 && p.class == 1 && p.machines == 2));
        assert!(of(0).all(|p| p.strategy == Strategy::Honest));
        assert_eq!(of(1).count(), 3);
        assert!(of(1).all(|p| p.strategy == Strategy::NoReveal));
        assert!(of(1).all(|p| (2_000.0..=4_000.0).contains(&p.stake) && p.class == 0));
        assert!(of(2).all(|p| p.stake == 1_000.0 && p.machines == 2), "class machines");
        let addrs: std::collections::BTreeSet<_> = pop.iter().map(|p| p.addr).collect();
        assert_eq!(addrs.len(), 18, "every identity its own address");
        // The serialised scenario (how sweeps override keys) reads back the same groups.
        let t = s.with_override("seed", &toml::Value::Integer(2)).unwrap();
        assert_eq!(t.provers.groups.len(), 3);
        assert_eq!(t.provers.groups[1].strategy, Strategy::NoReveal);
    }

    #[test]
    fn bad_group_input_says_what_is_wrong() {
        let cases = [
            (
                GROUPS.replace("class = \"cpu\"", "class = \"tpu\""),
                "class `tpu` is not one of provers.classes (gpu, cpu)",
            ),
            (
                GROUPS.replace("name = \"crowd\"", "name = \"whale\""),
                "`whale`: the name is used by an earlier group",
            ),
            (
                GROUPS.replace("count = 5", "count = 0"),
                "provers.group[2] `crowd`: count must be at least 1",
            ),
            (
                GROUPS.replace("min = 2000.0, max = 4000.0", "min = 2000.0, max = 10.0"),
                "provers.group[1] `cartel`.stake: max 10 is below min 2000",
            ),
            (
                GROUPS.replace("tokens_per_machine = 25000.0", "tokens_per_machine = -1.0"),
                "`whale`.capacity: tokens_per_machine = -1",
            ),
            (
                format!("{GROUPS}\n[adversaries]\nshare = 0.1"),
                "cannot be combined with [[provers.group]]",
            ),
            (GROUPS.replace("count = 5", "count = 5\nmachines = 3"), "unknown field `machines`"),
        ];
        for (text, want) in cases {
            let e = format!("{:#}", Scenario::parse(&text).unwrap_err());
            assert!(e.contains(want), "want `{want}` in: {e}");
        }
    }

    #[test]
    fn without_groups_the_population_and_its_capacity_policy_apply() {
        let text = "name = \"x\"\n[provers]\ncount = 40\n\
                    capacity = { machines = \"per_stake\", tokens_per_machine = 2000.0, max = 8 }";
        let s = Scenario::parse(text).unwrap();
        for p in population(&s) {
            let want = ((p.stake / 2_000.0).floor() as u32).clamp(1, 8);
            assert_eq!(p.machines, want, "stake {}", p.stake);
            assert_eq!(p.group, None);
        }
    }
}
