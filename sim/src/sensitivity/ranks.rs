//! Rank-based sensitivity measures: the standardized rank regression coefficient (SRRC) and the
//! partial rank correlation coefficient (PRCC) of each input with a KPI, and bootstrap intervals
//! for both.
//!
//! Why ranks: the KPIs answer the inputs monotonically but far from linearly (a share of failed
//! batches sits at 0 over most of a range, then climbs), so a regression on the raw values would
//! under-rate exactly the inputs with thresholds. On ranks a monotone effect is linear. The SRRC is
//! the coefficient of the input in a regression of the KPI's ranks on every input's ranks, all
//! standardized: with a Latin hypercube the inputs are close to uncorrelated, so SRRC^2 is about
//! the share of the KPI's rank variance the input explains. The PRCC correlates what is left of the
//! input and the KPI once the other inputs are regressed out: it measures the strength of a
//! monotone effect whatever its size (a small but clean effect still scores high).

use crate::rng::Rng;

/// Ranks from 1 to n, ties given their average rank.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            out[o] = avg;
        }
        i = j + 1;
    }
    out
}

/// The values as z-scores; `None` if they do not vary.
fn standardized(v: &[f64]) -> Option<Vec<f64>> {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    (sd > 1e-12 * mean.abs().max(1.0)).then(|| v.iter().map(|x| (x - mean) / sd).collect())
}

/// Least squares `y ~ columns` (no intercept: the callers centre everything) by the normal
/// equations and Gaussian elimination with partial pivoting; `None` if the columns are collinear.
fn least_squares(columns: &[Vec<f64>], y: &[f64]) -> Option<Vec<f64>> {
    let k = columns.len();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let mut m: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            let mut row: Vec<f64> = (0..k).map(|j| dot(&columns[i], &columns[j])).collect();
            row.push(dot(&columns[i], y));
            row
        })
        .collect();
    let scale = m.iter().enumerate().map(|(i, r)| r[i].abs()).fold(0.0, f64::max).max(1e-300);
    for c in 0..k {
        let p = (c..k).max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()))?;
        if m[p][c].abs() < 1e-10 * scale {
            return None;
        }
        m.swap(c, p);
        let pivot = m[c].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != c {
                let f = row[c] / pivot[c];
                for (x, p) in row.iter_mut().zip(&pivot).skip(c) {
                    *x -= f * p;
                }
            }
        }
    }
    Some((0..k).map(|i| m[i][k] / m[i][i]).collect())
}

fn residuals(columns: &[Vec<f64>], y: &[f64]) -> Option<Vec<f64>> {
    if columns.is_empty() {
        return Some(y.to_vec());
    }
    let b = least_squares(columns, y)?;
    Some(
        y.iter()
            .enumerate()
            .map(|(i, v)| v - columns.iter().zip(&b).map(|(c, b)| c[i] * b).sum::<f64>())
            .collect(),
    )
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let (sa, sb) = (a.iter().map(|x| x * x).sum::<f64>(), b.iter().map(|x| x * x).sum::<f64>());
    if sa <= 0.0 || sb <= 0.0 {
        return 0.0;
    }
    a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / (sa * sb).sqrt()
}

/// The rank measures of every input for one KPI.
#[derive(Clone, Debug, PartialEq)]
pub struct RankFit {
    /// SRRC per input.
    pub srrc: Vec<f64>,
    /// PRCC per input.
    pub prcc: Vec<f64>,
    /// Share of the KPI's rank variance the rank regression explains (R^2): low means the inputs'
    /// effects are not monotone or the seeds' noise dominates.
    pub r2: f64,
}

/// SRRC, PRCC and R^2 of `inputs` (one column per input) against `kpi`; `None` if the KPI does not
/// vary or an input is constant or collinear with others.
pub fn fit(inputs: &[Vec<f64>], kpi: &[f64]) -> Option<RankFit> {
    let y = standardized(&ranks(kpi))?;
    let xs: Vec<Vec<f64>> =
        inputs.iter().map(|c| standardized(&ranks(c))).collect::<Option<_>>()?;
    let srrc = least_squares(&xs, &y)?;
    let fitted: Vec<f64> =
        (0..y.len()).map(|i| xs.iter().zip(&srrc).map(|(c, b)| c[i] * b).sum()).collect();
    let sse: f64 = y.iter().zip(&fitted).map(|(a, b)| (a - b).powi(2)).sum();
    let r2 = 1.0 - sse / y.len() as f64; // y is standardized: its sum of squares is n
    let mut prcc = Vec::with_capacity(xs.len());
    for j in 0..xs.len() {
        let others: Vec<Vec<f64>> =
            xs.iter().enumerate().filter(|(i, _)| *i != j).map(|(_, c)| c.clone()).collect();
        prcc.push(correlation(&residuals(&others, &xs[j])?, &residuals(&others, &y)?));
    }
    Some(RankFit { srrc, prcc, r2 })
}

/// A 95% interval `(lo, hi)` per input.
pub type Intervals = Vec<(f64, f64)>;

/// A 95% percentile interval per input, for SRRC and for PRCC, from `resamples` bootstrap
/// resamples of the sample points (drawn with replacement); resamples where the fit is undefined
/// (a constant column) are skipped. `None` if fewer than half of them could be fitted.
pub fn bootstrap(
    inputs: &[Vec<f64>],
    kpi: &[f64],
    resamples: usize,
    rng: &mut Rng,
) -> Option<(Intervals, Intervals)> {
    let n = kpi.len();
    let k = inputs.len();
    let (mut srrc, mut prcc) = (vec![Vec::new(); k], vec![Vec::new(); k]);
    for _ in 0..resamples {
        let pick: Vec<usize> = (0..n).map(|_| rng.below(n as u64) as usize).collect();
        let xs: Vec<Vec<f64>> =
            inputs.iter().map(|c| pick.iter().map(|&i| c[i]).collect()).collect();
        let y: Vec<f64> = pick.iter().map(|&i| kpi[i]).collect();
        if let Some(f) = fit(&xs, &y) {
            for j in 0..k {
                srrc[j].push(f.srrc[j]);
                prcc[j].push(f.prcc[j]);
            }
        }
    }
    if srrc.first().is_some_and(|v| v.len() * 2 < resamples) {
        return None;
    }
    let interval = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((q * v.len() as f64) as usize).min(v.len() - 1)];
        (at(0.025), at(0.975))
    };
    Some((srrc.into_iter().map(interval).collect(), prcc.into_iter().map(interval).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitivity::lhs;

    #[test]
    fn ties_share_their_average_rank() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    /// y = exp(4 a) + 30 b^3 on a Latin hypercube, plus a third input that does nothing: both
    /// effects are monotone, a's the larger, so the ranking must be a, b, then c near zero.
    #[test]
    fn a_known_monotone_function_ranks_its_inputs_in_order() {
        let pts = lhs::unit_points(200, 3, &mut Rng::new(3, 1));
        let cols: Vec<Vec<f64>> = (0..3).map(|j| pts.iter().map(|p| p[j]).collect()).collect();
        let y: Vec<f64> = pts.iter().map(|p| (4.0 * p[0]).exp() + 30.0 * p[1].powi(3)).collect();
        let f = fit(&cols, &y).unwrap();
        assert!(f.srrc[0] > f.srrc[1] && f.srrc[1] > 0.2, "{f:?}");
        assert!(f.srrc[2].abs() < 0.1, "the idle input: {f:?}");
        assert!(f.prcc[0] > 0.9 && f.prcc[1] > 0.5 && f.prcc[2].abs() < 0.15, "{f:?}");
        // Additive in the values, not in the ranks: the rank regression explains most, not all.
        assert!(f.r2 > 0.85, "{f:?}");
        // A decreasing effect has a negative sign; a perfectly monotone single input scores 1.
        let neg: Vec<f64> = cols[0].iter().map(|a| -a.powi(5)).collect();
        assert!((fit(&cols[..1], &neg).unwrap().srrc[0] + 1.0).abs() < 1e-9);
        let (s, p) = bootstrap(&cols, &y, 200, &mut Rng::new(1, 2)).unwrap();
        assert!(s[0].0 > s[1].1, "a's interval lies above b's: {s:?}");
        assert!(s[2].0 < 0.0 && s[2].1 > 0.0, "the idle input's interval holds 0: {s:?}");
        assert!(p[0].0 > 0.8, "{p:?}");
    }

    #[test]
    fn a_constant_kpi_or_input_has_no_fit() {
        let cols = vec![vec![1.0, 2.0, 3.0]];
        assert!(fit(&cols, &[5.0, 5.0, 5.0]).is_none());
        assert!(fit(&[vec![1.0, 1.0, 1.0]], &[1.0, 2.0, 3.0]).is_none());
    }
}
