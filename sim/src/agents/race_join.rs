//! Whether a prover joins an open race: only if the race pays in expectation given the competition
//! it can foresee. A racer that loses pays for its work and gets nothing, so a race that every idle
//! prover joins (the shipped large network's ~450 racers) burns hundreds of proofs' cost for one
//! reward.
//!
//! What a prover can observe: the batch's reward (its fee plus the bounty the `ProverSlashed` event
//! announced), its own proving cost, and how many provers may race (the provers with the minimum
//! stake, public on chain). It assumes each of them decides the same way and joins with the same
//! probability `q` (the symmetric mixed equilibrium of an entry game; the first finisher wins and
//! faster hardware is not modelled in the odds). With `n` candidates, its chance to win when it
//! joins is E[1 / (1 + K)] for K ~ Binomial(n - 1, q), which is `(1 - (1 - q)^n) / (n q)`.
//! It joins with the largest `q`, at most the scenario's `race_join` (how often a prover is
//! attentive at all), at which `reward x P(win) > cost` still holds; if even `q -> 0` does not pay
//! (`reward <= cost`), never. The cost it weighs is a whole proof's, a bound on a loser's cost
//! (losers stop when they see the winner's transaction and pay only the work done).

/// Chance to win a race for a prover that joins, when each of `candidates` provers (itself
/// included) joins with probability `q`: E[1 / (1 + K)], K ~ Binomial(candidates - 1, q).
pub(crate) fn win_chance(candidates: u64, q: f64) -> f64 {
    let n = candidates.max(1) as f64;
    if q <= 0.0 {
        return 1.0;
    }
    // 1 - (1 - q)^n, computed without cancellation for small q.
    -(n * (-q).ln_1p()).exp_m1() / (n * q)
}

/// The probability with which a prover joins a race that pays `reward` for a proof costing it
/// `cost`, among `candidates` provers (itself included) deciding alike, at most `cap`.
pub(crate) fn join_probability(reward: f64, cost: f64, candidates: u64, cap: f64) -> f64 {
    if cap <= 0.0 || reward <= cost {
        return 0.0;
    }
    if reward * win_chance(candidates, cap) > cost {
        return cap;
    }
    // win_chance falls with q from 1 (q -> 0) to win_chance(cap): find where the race breaks even.
    let (mut pays, mut loses) = (0.0, cap);
    for _ in 0..60 {
        let mid = 0.5 * (pays + loses);
        if reward * win_chance(candidates, mid) > cost {
            pays = mid;
        } else {
            loses = mid;
        }
    }
    pays
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn win_chance_matches_the_binomial_expectation() {
        assert!((win_chance(1, 0.7) - 1.0).abs() < 1e-12, "alone, it always wins");
        assert!((win_chance(2, 1.0) - 0.5).abs() < 1e-12, "two certain racers: one half");
        assert!((win_chance(10, 1.0) - 0.1).abs() < 1e-12);
        // n = 3, q = 0.5: K ~ Bin(2, 0.5): 1/4 x 1 + 1/2 x 1/2 + 1/4 x 1/3.
        let direct = 0.25 + 0.25 + 0.25 / 3.0;
        assert!((win_chance(3, 0.5) - direct).abs() < 1e-12);
        assert!((win_chance(1_000, 1e-12) - 1.0).abs() < 1e-6, "no competitors expected");
    }

    #[test]
    fn join_rule_at_its_break_even_boundary() {
        // Alone: it joins at the cap as soon as the reward exceeds the cost, never at equality.
        assert_eq!(join_probability(1.0 + 1e-9, 1.0, 1, 0.5), 0.5);
        assert_eq!(join_probability(1.0, 1.0, 1, 0.5), 0.0);
        // Two candidates joining for sure win half the time each: reward 2 x cost is the boundary.
        assert_eq!(join_probability(2.0 + 1e-9, 1.0, 2, 1.0), 1.0);
        let q = join_probability(2.0, 1.0, 2, 1.0);
        assert!(q < 1.0 && q > 1.0 - 1e-6, "at break-even it mixes just below the cap: {q}");
        // Below the boundary: the probability at which the race exactly breaks even.
        let q = join_probability(1.5, 1.0, 2, 1.0);
        assert!(q > 0.0 && q < 1.0);
        assert!((1.5 * win_chance(2, q) - 1.0).abs() < 1e-9, "indifferent at q = {q}");
        assert_eq!(join_probability(5.0, 1.0, 3, 0.0), 0.0, "a zero cap never joins");
    }

    #[test]
    fn a_crowd_joins_so_that_about_reward_over_cost_race() {
        // The shipped large network: ~1,000 candidates, a reward of ~12 tokens, a GPU proof ~0.4.
        let n = 1_000;
        let q = join_probability(12.0, 0.4, n, 0.5);
        let racers = q * n as f64;
        assert!((20.0..40.0).contains(&racers), "expected racers {racers}, not ~500");
        assert!(12.0 * win_chance(n, q) >= 0.4 - 1e-9);
    }
}
