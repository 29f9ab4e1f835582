//! Delegators and the pools they back, as a scenario writes them down (`[delegators]`), and the
//! delegator's policy: which pool to hold, and when to move. The chain side (creating the pools
//! through the real factory, deposits, withdrawal requests, claims, syncs) is [`crate::pools`]; the
//! end-of-run metrics are [`crate::pool_report`].
//!
//! The policy is deliberately simple (issue 12): a delegator scores every pool that takes deposits
//! by what it can read from the chain, and moves its whole position to the best one only if the
//! gain is worth the trip (`min_gain`) and it is not held back by inertia. The score is the yield a
//! token would earn relative to a perfect pool:
//!
//! ```text
//! score = reputation / 10000  x  min(stake, maxWeightStake) / stake  x  (1 - commission)
//!         - slash_penalty x slashes since the last rebalance
//! ```
//!
//! The middle factor is why a rational delegator does not pile into one pool: selection weight
//! stops growing at the whale cap, so stake beyond it earns nothing and dilutes every share. For a
//! pool the delegator is not in, `stake` includes the amount it would bring.

use eyre::{Result, ensure};
use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// The `[delegators]` section. `count = 0` (the default) runs no pools and no delegators.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Delegators {
    /// Whether the pools exist and the delegators use them. `false` keeps the same provers (every
    /// one registered directly with its own stake) and leaves the delegators' tokens idle: the
    /// paired "without pools" run of the same population and seed.
    pub enabled: bool,
    /// Number of delegators.
    pub count: usize,
    /// Tokens held by the delegators together, split equally.
    pub tokens: f64,
    /// Share of the provers that run their stake through a pool (chosen at random per seed); their
    /// own stake becomes the pool's self-stake.
    pub pool_share: f64,
    /// Pools' commissions are drawn uniformly between these (basis points).
    pub commission_bps_min: u16,
    /// Upper end of the commission range (at most the pool's `MAX_COMMISSION_BPS`, 5000).
    pub commission_bps_max: u16,
    /// Probability that a delegator does not even look at a rebalance (it stays put).
    pub inertia: f64,
    /// Least score gain (see the module) that makes a delegator move.
    pub min_gain: f64,
    /// Score lost per slash of the pool since the delegator's last rebalance.
    pub slash_penalty: f64,
    /// Delegators reconsider every this many epochs.
    pub rebalance_epochs: u64,
    /// Operators sync their pools (collecting rewards, advancing the withdrawal queue) and
    /// delegators claim finished withdrawals every this many epochs, in the epoch's last block
    /// (after the reveals, when the network lets a pool withdraw).
    pub sync_epochs: u64,
}

impl Default for Delegators {
    fn default() -> Self {
        Self {
            enabled: true,
            count: 0,
            tokens: 0.0,
            pool_share: 0.3,
            commission_bps_min: 500,
            commission_bps_max: 2_000,
            inertia: 0.7,
            min_gain: 0.05,
            slash_penalty: 0.2,
            rebalance_epochs: 5,
            sync_epochs: 1,
        }
    }
}

/// The pool's largest commission (`ProverPool.MAX_COMMISSION_BPS`).
const MAX_COMMISSION_BPS: u16 = 5_000;

impl Delegators {
    /// Whether pools and delegators take part in the run.
    pub fn active(&self) -> bool {
        self.enabled && self.count > 0
    }

    /// Checks the section's own ranges.
    pub fn validate(&self) -> Result<()> {
        let share = |v: f64, what: &str| -> Result<()> {
            ensure!((0.0..=1.0).contains(&v), "delegators.{what} = {v} must be between 0 and 1");
            Ok(())
        };
        share(self.pool_share, "pool_share")?;
        share(self.inertia, "inertia")?;
        ensure!(
            self.tokens >= 0.0 && self.tokens.is_finite(),
            "delegators.tokens = {} must be a number >= 0",
            self.tokens
        );
        ensure!(
            self.count == 0 || self.tokens > 0.0,
            "delegators.tokens must be positive when delegators.count = {} (they need something to delegate)",
            self.count
        );
        ensure!(
            self.commission_bps_min <= self.commission_bps_max
                && self.commission_bps_max <= MAX_COMMISSION_BPS,
            "delegators.commission_bps_min = {} and commission_bps_max = {} must satisfy min <= max <= {MAX_COMMISSION_BPS} (the pool's MAX_COMMISSION_BPS)",
            self.commission_bps_min,
            self.commission_bps_max
        );
        ensure!(
            self.min_gain >= 0.0 && self.slash_penalty >= 0.0,
            "delegators.min_gain and delegators.slash_penalty must be >= 0"
        );
        ensure!(
            self.rebalance_epochs >= 1 && self.sync_epochs >= 1,
            "delegators.rebalance_epochs and delegators.sync_epochs must be at least 1"
        );
        Ok(())
    }
}

/// What a delegator reads about one pool before choosing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoolView {
    /// The pool's reputation in the network, 0..=10000.
    pub reputation: u64,
    /// Its active stake in the network (tokens).
    pub stake: f64,
    /// Its commission in force (basis points).
    pub commission_bps: u16,
    /// Slashes of the pool since the delegator's last rebalance.
    pub recent_slashes: u64,
    /// Whether it takes deposits (not closed, not paused, operator above its minimum self-stake).
    pub open: bool,
}

/// The policy's settings and the network's whale cap.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// The network's `maxWeightStake` (tokens).
    pub cap: f64,
    /// [`Delegators::inertia`].
    pub inertia: f64,
    /// [`Delegators::min_gain`].
    pub min_gain: f64,
    /// [`Delegators::slash_penalty`].
    pub slash_penalty: f64,
}

/// What a delegator does at a rebalance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Keep what it holds (or keep waiting, if it holds nothing and no pool is open).
    Stay,
    /// Deposit into (or move everything to) this pool.
    Move(usize),
}

impl Policy {
    /// The score of a pool whose stake would be `stake_after` with the delegator in it.
    pub fn score(&self, v: &PoolView, stake_after: f64) -> f64 {
        let weighted =
            if stake_after > 0.0 { stake_after.min(self.cap) / stake_after } else { 1.0 };
        v.reputation as f64 / 10_000.0 * weighted * (1.0 - f64::from(v.commission_bps) / 10_000.0)
            - self.slash_penalty * v.recent_slashes as f64
    }

    /// Chooses for a delegator holding `amount` tokens, in pool `current` (none: it holds tokens
    /// and looks for a pool to enter, which it always does if one is open; inertia only keeps a
    /// delegator where it is). Ties go to the lowest pool index.
    pub fn choose(
        &self,
        views: &[PoolView],
        current: Option<usize>,
        amount: f64,
        rng: &mut Rng,
    ) -> Decision {
        if current.is_some() && rng.chance(self.inertia) {
            return Decision::Stay;
        }
        let score_of = |k: usize| {
            let extra = if current == Some(k) { 0.0 } else { amount };
            self.score(&views[k], views[k].stake + extra)
        };
        let best = (0..views.len()).filter(|&k| views[k].open).map(|k| (k, score_of(k))).fold(
            None,
            |acc: Option<(usize, f64)>, (k, s)| match acc {
                Some((_, b)) if b >= s => acc,
                _ => Some((k, s)),
            },
        );
        match (best, current) {
            (None, _) => Decision::Stay,
            (Some((k, _)), None) => Decision::Move(k),
            (Some((k, s)), Some(c)) if k != c && s > score_of(c) + self.min_gain => {
                Decision::Move(k)
            }
            _ => Decision::Stay,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(reputation: u64, stake: f64) -> PoolView {
        PoolView { reputation, stake, commission_bps: 1_000, recent_slashes: 0, open: true }
    }

    fn policy(inertia: f64) -> Policy {
        Policy { cap: 10_000.0, inertia, min_gain: 0.05, slash_penalty: 0.2 }
    }

    #[test]
    fn the_score_pays_reputation_and_commission_and_stops_at_the_cap() {
        let p = policy(0.0);
        let v = view(8_000, 5_000.0);
        assert!((p.score(&v, 5_000.0) - 0.8 * 0.9).abs() < 1e-12);
        // At twice the cap half the stake earns nothing: the yield per token halves.
        assert!((p.score(&v, 20_000.0) - 0.8 * 0.5 * 0.9).abs() < 1e-12);
        let slashed = PoolView { recent_slashes: 2, ..v };
        assert!((p.score(&slashed, 5_000.0) - (0.72 - 0.4)).abs() < 1e-12);
    }

    #[test]
    fn a_delegator_without_a_pool_enters_the_best_open_one() {
        let mut rng = Rng::new(1, 1);
        let closed = PoolView { open: false, ..view(10_000, 1_000.0) };
        let views = [view(5_000, 1_000.0), closed, view(7_000, 1_000.0), view(6_000, 1_000.0)];
        // Inertia never keeps a delegator out of every pool.
        assert_eq!(policy(1.0).choose(&views, None, 100.0, &mut rng), Decision::Move(2));
        assert_eq!(policy(0.0).choose(&[closed], None, 100.0, &mut rng), Decision::Stay);
    }

    #[test]
    fn stake_beyond_the_cap_sends_the_next_delegator_elsewhere() {
        let mut rng = Rng::new(1, 1);
        // Pool 0 has the better reputation but is at the cap: 5,000 more tokens would leave a
        // third of its stake unweighted (0.9 x 2/3 x 0.9 = 0.54 < 0.7 x 0.9 = 0.63).
        let views = [view(9_000, 10_000.0), view(7_000, 1_000.0)];
        assert_eq!(policy(0.0).choose(&views, None, 5_000.0, &mut rng), Decision::Move(1));
        assert_eq!(policy(0.0).choose(&views, None, 100.0, &mut rng), Decision::Move(0));
    }

    #[test]
    fn a_holder_moves_only_for_more_than_min_gain_and_never_under_full_inertia() {
        let mut rng = Rng::new(1, 1);
        let views = [view(7_000, 1_000.0), view(7_500, 1_000.0), view(8_000, 1_000.0)];
        // 0.05 x 0.9 = 0.045 better: not enough to move; 0.09 better: it moves.
        assert_eq!(policy(0.0).choose(&views[..2], Some(0), 10.0, &mut rng), Decision::Stay);
        assert_eq!(policy(0.0).choose(&views, Some(0), 10.0, &mut rng), Decision::Move(2));
        assert_eq!(policy(1.0).choose(&views, Some(0), 10.0, &mut rng), Decision::Stay);
        // A recent slash of its own pool is a reason to leave.
        let mut hit = views;
        hit[2].recent_slashes = 1;
        assert_eq!(policy(0.0).choose(&hit, Some(2), 10.0, &mut rng), Decision::Move(1));
    }

    #[test]
    fn inertia_keeps_about_that_share_of_holders_in_place() {
        let mut rng = Rng::new(3, 9);
        let views = [view(5_000, 1_000.0), view(9_000, 1_000.0)];
        let moves = (0..10_000)
            .filter(|_| policy(0.7).choose(&views, Some(0), 10.0, &mut rng) == Decision::Move(1))
            .count();
        assert!((2_800..3_200).contains(&moves), "{moves} of 10000 moved, expected about 3000");
    }

    #[test]
    fn bad_sections_are_refused_with_the_field_named() {
        let bad = Delegators { inertia: 1.5, ..Delegators::default() };
        assert!(format!("{:#}", bad.validate().unwrap_err()).contains("delegators.inertia = 1.5"));
        let bad = Delegators { count: 5, tokens: 0.0, ..Delegators::default() };
        assert!(format!("{:#}", bad.validate().unwrap_err()).contains("delegators.tokens"));
        let bad = Delegators { commission_bps_max: 6_000, ..Delegators::default() };
        assert!(format!("{:#}", bad.validate().unwrap_err()).contains("MAX_COMMISSION_BPS"));
        let bad = Delegators { sync_epochs: 0, ..Delegators::default() };
        assert!(format!("{:#}", bad.validate().unwrap_err()).contains("sync_epochs"));
        assert!(Delegators::default().validate().is_ok());
        assert!(!Delegators::default().active(), "no delegators by default");
    }
}
