//! Statistics over replicate runs: the mean of a metric over seeds with a 95% confidence interval
//! (Student t), and the probability of an event with a Wilson score interval. A sweep point runs
//! many seeds ([`crate::sweep`]); these turn its per-seed values into the figures the docs quote.
//!
//! The t quantile is exact for whole degrees of freedom: Student's t distribution function has a
//! closed form as a finite trigonometric sum when the degrees of freedom are an integer, and a seed
//! count always is, so the quantile is found by bisection on that sum instead of a table or an
//! asymptotic approximation that is poor at small samples.

use serde::{Deserialize, Serialize};

/// Two-sided confidence level of every interval here.
pub const LEVEL: f64 = 0.95;

/// The standard normal quantile of 0.975 (the limit of the t quantile, and Wilson's z).
pub const Z_975: f64 = 1.959_963_984_540_054;

/// P(|T| <= t) for Student's t with `df` (>= 1) degrees of freedom.
///
/// With theta = atan(t / sqrt(df)), c = cos^2(theta): for odd df,
/// `(2/pi) (theta + sin(theta) cos(theta) (1 + 2/3 c + 2*4/(3*5) c^2 + ...))` with (df - 1)/2 terms
/// in the bracket (none for df = 1); for even df, `sin(theta) (1 + 1/2 c + 1*3/(2*4) c^2 + ...)`
/// with df/2 terms.
pub fn t_two_sided_cdf(t: f64, df: u64) -> f64 {
    assert!(df >= 1, "Student's t needs at least one degree of freedom");
    let t = t.abs();
    let theta = (t / (df as f64).sqrt()).atan();
    let (s, c) = (theta.sin(), theta.cos());
    let c2 = c * c;
    if df % 2 == 1 {
        let mut term = 1.0;
        let mut sum = 0.0;
        // Terms k = 0..(df - 3) / 2 of the bracket; term_{k+1} = term_k * c2 * (2k + 2) / (2k + 3).
        for k in 0..(df.saturating_sub(1) / 2) {
            sum += term;
            term *= c2 * (2.0 * k as f64 + 2.0) / (2.0 * k as f64 + 3.0);
        }
        let inner = if df == 1 { 0.0 } else { s * c * sum };
        (2.0 / std::f64::consts::PI) * (theta + inner)
    } else {
        let mut term = 1.0;
        let mut sum = 0.0;
        // Terms k = 0..df/2 - 1; term_{k+1} = term_k * c2 * (2k + 1) / (2k + 2).
        for k in 0..df / 2 {
            sum += term;
            term *= c2 * (2.0 * k as f64 + 1.0) / (2.0 * k as f64 + 2.0);
        }
        s * sum
    }
}

/// The t value with P(|T| <= t) = `level` for `df` degrees of freedom (bisection to 1e-12).
pub fn t_quantile_two_sided(level: f64, df: u64) -> f64 {
    assert!((0.0..1.0).contains(&level), "level {level} must be in [0, 1)");
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while t_two_sided_cdf(hi, df) < level {
        hi *= 2.0;
    }
    while hi - lo > 1e-12 * hi.max(1.0) {
        let mid = 0.5 * (lo + hi);
        if t_two_sided_cdf(mid, df) < level {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// A metric over replicate runs: its mean with a 95% Student-t interval, and the values it came
/// from. Non-finite values (a metric a run could not measure, e.g. the time to recover in a run
/// that never recovered) are left out and counted in `missing`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MeanCi {
    /// Runs that measured the metric.
    pub n: u64,
    /// Runs that could not (non-finite value).
    pub missing: u64,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n - 1 in the denominator; 0 for a single value).
    pub sd: f64,
    /// Lower end of the 95% interval (the mean itself when n < 2).
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// The per-run values, in run (seed) order, non-finite ones included.
    pub values: Vec<f64>,
}

impl MeanCi {
    /// Mean and 95% interval of `values`.
    pub fn of(values: &[f64]) -> Self {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let n = finite.len();
        let missing = (values.len() - n) as u64;
        if n == 0 {
            let nan = f64::NAN;
            return Self {
                n: 0,
                missing,
                mean: nan,
                sd: nan,
                lo: nan,
                hi: nan,
                values: values.to_vec(),
            };
        }
        let mean = finite.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Self {
                n: 1,
                missing,
                mean,
                sd: 0.0,
                lo: mean,
                hi: mean,
                values: values.to_vec(),
            };
        }
        let var = finite.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let sd = var.sqrt();
        let half = t_quantile_two_sided(LEVEL, n as u64 - 1) * sd / (n as f64).sqrt();
        Self {
            n: n as u64,
            missing,
            mean,
            sd,
            lo: mean - half,
            hi: mean + half,
            values: values.to_vec(),
        }
    }
}

/// The probability of an event over replicate runs, with its 95% Wilson score interval (which,
/// unlike the normal approximation, stays inside [0, 1] and is informative at 0 of n).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    /// Runs in which the event happened.
    pub hits: u64,
    /// Runs.
    pub n: u64,
    /// hits / n.
    pub p: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl Proportion {
    /// `hits` of `n` runs.
    pub fn wilson(hits: u64, n: u64) -> Self {
        assert!(hits <= n, "{hits} hits out of {n} runs");
        if n == 0 {
            return Self { hits, n, p: f64::NAN, lo: 0.0, hi: 1.0 };
        }
        let (k, m, z2) = (hits as f64, n as f64, Z_975 * Z_975);
        let p = k / m;
        let denom = 1.0 + z2 / m;
        let centre = (p + z2 / (2.0 * m)) / denom;
        let half = Z_975 / denom * (p * (1.0 - p) / m + z2 / (4.0 * m * m)).sqrt();
        Self { hits, n, p, lo: (centre - half).max(0.0), hi: (centre + half).min(1.0) }
    }

    /// The share of `flags` that are set.
    pub fn of(flags: impl IntoIterator<Item = bool>) -> Self {
        let (mut hits, mut n) = (0, 0);
        for f in flags {
            n += 1;
            hits += u64::from(f);
        }
        Self::wilson(hits, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn t_quantiles_match_the_published_table() {
        // Two-sided 95% critical values of Student's t (any statistics table).
        let table = [
            (1, 12.706_2),
            (2, 4.302_7),
            (3, 3.182_4),
            (4, 2.776_4),
            (5, 2.570_6),
            (10, 2.228_1),
            (19, 2.093_0),
            (20, 2.086_0),
            (30, 2.042_3),
            (31, 2.039_5),
            (100, 1.984_0),
        ];
        for (df, t) in table {
            let q = t_quantile_two_sided(0.95, df);
            assert!(close(q, t, 5e-4), "df {df}: {q} against {t}");
        }
        // Towards the normal quantile for many degrees of freedom.
        assert!(close(t_quantile_two_sided(0.95, 100_000), Z_975, 1e-4));
        // The 99% value for df 1 (63.657) exercises the bracket growth.
        assert!(close(t_quantile_two_sided(0.99, 1), 63.657, 1e-3));
    }

    #[test]
    fn t_distribution_function_is_exact_at_known_points() {
        // df 1 is the Cauchy distribution: P(|T| <= 1) = 1/2; df 2: P(|T| <= t) = t / sqrt(2 + t^2).
        assert!(close(t_two_sided_cdf(1.0, 1), 0.5, 1e-15));
        assert!(close(t_two_sided_cdf(2.0, 2), 2.0 / 6f64.sqrt(), 1e-15));
        assert_eq!(t_two_sided_cdf(0.0, 7), 0.0);
        assert!(t_two_sided_cdf(1e9, 8) > 1.0 - 1e-12);
    }

    #[test]
    fn mean_interval_of_a_known_sample() {
        // Values 1..=5: mean 3, sd sqrt(2.5), half-width 2.7764 * sqrt(2.5 / 5) = 1.9632.
        let m = MeanCi::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!((m.n, m.missing, m.mean), (5, 0, 3.0));
        assert!(close(m.sd, 2.5f64.sqrt(), 1e-12));
        assert!(close(m.lo, 3.0 - 1.963_2, 1e-3) && close(m.hi, 3.0 + 1.963_2, 1e-3), "{m:?}");
        // Unmeasured runs are counted, not averaged.
        let m = MeanCi::of(&[2.0, f64::NAN, 4.0]);
        assert_eq!((m.n, m.missing, m.mean, m.values.len()), (2, 1, 3.0, 3));
        // Degenerate samples: no spread, one value, none.
        let m = MeanCi::of(&[7.0; 4]);
        assert_eq!((m.lo, m.hi, m.sd), (7.0, 7.0, 0.0));
        assert_eq!(MeanCi::of(&[7.0]).lo, 7.0);
        assert!(MeanCi::of(&[]).mean.is_nan());
    }

    #[test]
    fn wilson_intervals_match_known_values() {
        // 0 of 32: upper end z^2 / (n + z^2) = 0.10718.
        let p = Proportion::wilson(0, 32);
        assert_eq!((p.p, p.lo), (0.0, 0.0));
        assert!(close(p.hi, Z_975 * Z_975 / (32.0 + Z_975 * Z_975), 1e-12), "{p:?}");
        assert!(close(p.hi, 0.107_18, 1e-5));
        // 3 of 32 (the collapse count): [0.0324, 0.2422].
        let p = Proportion::wilson(3, 32);
        assert!(close(p.lo, 0.032_4, 1e-4) && close(p.hi, 0.242_2, 1e-4), "{p:?}");
        // 5 of 10: symmetric around 0.5, [0.2366, 0.7634].
        let p = Proportion::wilson(5, 10);
        assert!(close(p.lo, 0.236_6, 1e-4) && close(p.hi, 0.763_4, 1e-4), "{p:?}");
        // n of n mirrors 0 of n.
        let p = Proportion::wilson(32, 32);
        assert!(close(p.lo, 1.0 - 0.107_18, 1e-5) && p.hi == 1.0);
        assert_eq!(Proportion::of([true, false, false, true]).hits, 2);
    }
}
