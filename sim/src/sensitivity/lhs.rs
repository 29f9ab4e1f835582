//! Latin-hypercube sampling: `n` points in `k` dimensions such that, for every input, each of its
//! `n` equal-probability strata holds exactly one point. Compared with `n` independent draws it
//! covers every input's whole range with few points, which is what makes a few dozen simulation
//! runs enough to rank the inputs.

use crate::rng::Rng;

/// `n` points in the unit cube `[0, 1)^k`: for input `j`, point `i` lies in stratum `perm_j[i]`
/// (a random permutation per input, so inputs pair at random) at a uniform position inside it.
pub fn unit_points(n: usize, k: usize, rng: &mut Rng) -> Vec<Vec<f64>> {
    let mut points = vec![vec![0.0; k]; n];
    for j in 0..k {
        let mut strata: Vec<usize> = (0..n).collect();
        // Fisher-Yates.
        for i in (1..n).rev() {
            let r = rng.below(i as u64 + 1) as usize;
            strata.swap(i, r);
        }
        for (i, p) in points.iter_mut().enumerate() {
            p[j] = (strata[i] as f64 + rng.f64()) / n as f64;
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stratum_of_every_input_is_hit_exactly_once() {
        for (n, k) in [(1, 3), (7, 2), (64, 9)] {
            let pts = unit_points(n, k, &mut Rng::new(5, 1));
            assert_eq!(pts.len(), n);
            for j in 0..k {
                let mut hits = vec![0; n];
                for p in &pts {
                    assert!((0.0..1.0).contains(&p[j]));
                    hits[(p[j] * n as f64).floor() as usize] += 1;
                }
                assert!(hits.iter().all(|&h| h == 1), "n {n} input {j}: {hits:?}");
            }
        }
    }

    #[test]
    fn the_inputs_pair_at_random_and_the_seed_fixes_the_design() {
        let a = unit_points(32, 2, &mut Rng::new(5, 1));
        assert_eq!(a, unit_points(32, 2, &mut Rng::new(5, 1)));
        assert_ne!(a, unit_points(32, 2, &mut Rng::new(6, 1)));
        // Not the diagonal: the two inputs' strata differ somewhere.
        let same = a.iter().filter(|p| (p[0] * 32.0) as u32 == (p[1] * 32.0) as u32).count();
        assert!(same < 32);
    }
}
