//! A small regression tree (CART, splits chosen by the largest reduction of the squared error) of a
//! KPI over the inputs. Where the rank measures say how much an input matters, the tree says where:
//! its splits are the thresholds in scenario units ("slash_bps below 310: failed share 0.2")
//! that a parameter recommendation can quote.

use std::fmt::Write as _;

use serde::Serialize;

/// A node: a leaf, or a split on one input at a threshold.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Node {
    /// Sample points in the node.
    pub n: usize,
    /// The KPI's mean over them.
    pub mean: f64,
    /// The split, if any: points with `input < threshold` go left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split: Option<Split>,
}

/// A split of a node.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Split {
    /// Index of the input split on.
    pub input: usize,
    /// Midway between the two sample values it separates.
    pub threshold: f64,
    /// Points below the threshold.
    pub left: Box<Node>,
    /// Points at or above it.
    pub right: Box<Node>,
}

fn sse(y: &[f64], idx: &[usize]) -> f64 {
    let n = idx.len() as f64;
    let mean = idx.iter().map(|&i| y[i]).sum::<f64>() / n;
    idx.iter().map(|&i| (y[i] - mean).powi(2)).sum()
}

/// Grows the tree of `y` over `inputs` (one column per input) to `depth` levels, with at least
/// `min_leaf` points in every leaf. A node is split only where that lowers the squared error.
pub fn grow(inputs: &[Vec<f64>], y: &[f64], depth: usize, min_leaf: usize) -> Node {
    let all: Vec<usize> = (0..y.len()).collect();
    node(inputs, y, &all, depth, min_leaf.max(1))
}

fn node(inputs: &[Vec<f64>], y: &[f64], idx: &[usize], depth: usize, min_leaf: usize) -> Node {
    let n = idx.len();
    let mean = idx.iter().map(|&i| y[i]).sum::<f64>() / n.max(1) as f64;
    let mut leaf = Node { n, mean, split: None };
    if depth == 0 || n < 2 * min_leaf {
        return leaf;
    }
    let parent = sse(y, idx);
    if parent <= 0.0 {
        return leaf;
    }
    // (error after, input, threshold); ties keep the first input and the lowest threshold, so the
    // tree is the same on every run.
    let mut best: Option<(f64, usize, f64)> = None;
    for (j, col) in inputs.iter().enumerate() {
        let mut order = idx.to_vec();
        order.sort_by(|&a, &b| col[a].total_cmp(&col[b]));
        // Running sums give each cut's error in one pass.
        let (total, total_sq) =
            order.iter().fold((0.0, 0.0), |(s, q), &i| (s + y[i], q + y[i] * y[i]));
        let (mut s, mut q) = (0.0, 0.0);
        for cut in 1..n {
            let i = order[cut - 1];
            s += y[i];
            q += y[i] * y[i];
            if cut < min_leaf || n - cut < min_leaf || col[order[cut]] == col[i] {
                continue;
            }
            let (nl, nr) = (cut as f64, (n - cut) as f64);
            let err = (q - s * s / nl) + ((total_sq - q) - (total - s).powi(2) / nr);
            if best.is_none_or(|b| err < b.0 - 1e-12 * parent.max(1e-300)) {
                best = Some((err, j, (col[i] + col[order[cut]]) / 2.0));
            }
        }
    }
    let Some((err, input, threshold)) = best else { return leaf };
    if err >= parent * (1.0 - 1e-9) {
        return leaf;
    }
    let (l, r): (Vec<usize>, Vec<usize>) = idx.iter().partition(|&&i| inputs[input][i] < threshold);
    leaf.split = Some(Split {
        input,
        threshold,
        left: Box::new(node(inputs, y, &l, depth - 1, min_leaf)),
        right: Box::new(node(inputs, y, &r, depth - 1, min_leaf)),
    });
    leaf
}

impl Node {
    /// Share of the KPI's variance over the sample points the tree's leaves explain (R^2).
    pub fn r2(&self, inputs: &[Vec<f64>], y: &[f64]) -> f64 {
        let all: Vec<usize> = (0..y.len()).collect();
        let total = sse(y, &all);
        if total <= 0.0 {
            return 0.0;
        }
        1.0 - self.leaf_error(inputs, y, &all) / total
    }

    /// The squared error left in the leaves, the points `idx` sent down the tree.
    fn leaf_error(&self, inputs: &[Vec<f64>], y: &[f64], idx: &[usize]) -> f64 {
        match &self.split {
            None if idx.is_empty() => 0.0,
            None => sse(y, idx),
            Some(s) => {
                let (l, r): (Vec<usize>, Vec<usize>) =
                    idx.iter().partition(|&&i| inputs[s.input][i] < s.threshold);
                s.left.leaf_error(inputs, y, &l) + s.right.leaf_error(inputs, y, &r)
            }
        }
    }

    /// The tree as indented text, one line per node, inputs by `names`.
    pub fn text(&self, names: &[String], kpi: &str) -> String {
        let mut out = format!("{kpi}: mean {} over {} points\n", num(self.mean), self.n);
        self.lines(names, "", &mut out);
        out
    }

    fn lines(&self, names: &[String], indent: &str, out: &mut String) {
        let Some(s) = &self.split else { return };
        for (side, child, op) in [("|-", &s.left, "<"), ("`-", &s.right, ">=")] {
            let _ = writeln!(
                out,
                "{indent}{side} {} {op} {}: mean {} over {} points",
                names[s.input],
                num(s.threshold),
                num(child.mean),
                child.n
            );
            let deeper = format!("{indent}{}  ", if op == "<" { "|" } else { " " });
            child.lines(names, &deeper, out);
        }
    }
}

/// A number for the tree's text: 4 significant digits.
fn num(v: f64) -> String {
    if v == 0.0 || (v.abs() >= 0.01 && v.abs() < 1e6) {
        let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
        format!("{v:.digits$}")
    } else {
        format!("{v:.3e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::sensitivity::lhs;

    /// A step at a = 0.3 (y jumps from 1 to 5) plus a small slope in b and an idle input c: the
    /// root must split on a, between the two sample values around 0.3.
    #[test]
    fn the_root_splits_at_a_known_threshold() {
        let n = 100;
        let pts = lhs::unit_points(n, 3, &mut Rng::new(9, 1));
        let cols: Vec<Vec<f64>> = (0..3).map(|j| pts.iter().map(|p| p[j]).collect()).collect();
        let y: Vec<f64> =
            pts.iter().map(|p| (if p[0] < 0.3 { 1.0 } else { 5.0 }) + 0.5 * p[1]).collect();
        let t = grow(&cols, &y, 2, 5);
        let s = t.split.as_ref().expect("the root splits");
        assert_eq!(s.input, 0);
        // One sample per 1/n stratum: the cut falls between the last point below 0.3 and the first
        // above, so within one stratum of it.
        assert!((s.threshold - 0.3).abs() < 1.0 / n as f64, "threshold {}", s.threshold);
        assert_eq!(s.left.n, 30, "a Latin hypercube has exactly 30 points below 0.3");
        assert!((s.left.mean - 1.25).abs() < 0.1 && (s.right.mean - 5.25).abs() < 0.1);
        // The second level splits on b, the only input left with an effect.
        assert_eq!(s.left.split.as_ref().unwrap().input, 1);
        assert!(t.r2(&cols, &y) > 0.99);
        let text = t.text(&["a".into(), "b".into(), "c".into()], "y");
        assert!(text.starts_with("y: mean"), "{text}");
        assert!(text.contains("|- a < 0.") && text.contains("`- a >= 0."), "{text}");
    }

    #[test]
    fn leaves_keep_their_minimum_size_and_a_flat_kpi_does_not_split() {
        let cols = vec![(0..10).map(f64::from).collect::<Vec<_>>()];
        let y: Vec<f64> = (0..10).map(|i| if i == 0 { 10.0 } else { 0.0 }).collect();
        let t = grow(&cols, &y, 3, 3);
        let s = t.split.as_ref().unwrap();
        assert_eq!(s.left.n, 3, "the outlier cannot sit in a leaf of its own");
        assert!(grow(&cols, &[2.0; 10], 3, 1).split.is_none());
    }
}
