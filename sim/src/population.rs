//! The prover population of a scenario: stakes, hardware classes and which provers are adversaries,
//! drawn from the scenario's seed.

use alloy::primitives::Address;
use provernet_bindings::Strategy;
use provernet_bindings::amount::tokens_f64;
use provernet_evm::Names;

use crate::policy::policy_of;
use crate::rng::Rng;
use crate::scenario::{Scenario, StakeDist};

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
}

/// Draws the prover population of a scenario.
pub fn population(s: &Scenario) -> Vec<ProverSpec> {
    let mut rng = Rng::new(s.seed, 1);
    let n = s.provers.count;
    let shares: f64 = s.provers.classes.iter().map(|c| c.share).sum();
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
            let stake = match s.provers.stake {
                StakeDist::Equal { amount } => amount,
                StakeDist::Uniform { min, max } => min + (max - min) * rng.f64(),
                StakeDist::Pareto { min, alpha, max } => rng.pareto(min, alpha).min(max),
            }
            .max(tokens_f64(s.params.min_stake));
            let mut u = rng.f64() * shares;
            let class = s
                .provers
                .classes
                .iter()
                .position(|c| {
                    u -= c.share;
                    u < 0.0
                })
                .unwrap_or(s.provers.classes.len() - 1);
            let strategy = if bad[i] { s.adversaries.strategy } else { Strategy::Honest };
            // A strategy may size its own stake (a small, overcommitted prover).
            let stake = policy_of(strategy).map_or(stake, |p| p.initial_stake(s, stake));
            ProverSpec { addr: Names::SIM.address(&format!("prover.{i}")), stake, class, strategy }
        })
        .collect()
}
