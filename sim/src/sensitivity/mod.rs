//! Global sensitivity analysis: which inputs drive each KPI, and where their thresholds lie.
//!
//! A spec file names ranges of scenario keys (contract parameters and the off-chain model alike).
//! [`lhs`] spreads `samples` points over those ranges as a Latin hypercube; every point runs over
//! the same `seeds` on the sweep's cell runner ([`crate::cell`]: parallel and deterministic, local
//! or on a queue); each KPI (a `table.csv` column, [`crate::sweep::columns`]) is averaged over the
//! seeds of a point. Then per KPI: the rank measures of every input with bootstrap intervals
//! ([`ranks`]: SRRC and PRCC) and a depth-2-3 regression tree ([`tree`]) that shows the thresholds.
//! [`report`] writes `sensitivity.json`, `sensitivity.md`, `samples.csv` and `tornado.{svg,png}`.
//!
//! Spec file:
//! ```toml
//! samples = 64              # Latin-hypercube points (at least inputs + 3)
//! seeds = [1, 2, 3]         # every point runs these seeds (default 1, 2, 3); KPIs are their mean
//! design_seed = 1           # the hypercube's own seed (default 1)
//! bootstrap = 1000          # resamples for the intervals (default 1000)
//! tree_depth = 3            # 1 to 4 (default 3)
//! min_leaf = 6              # smallest leaf (default: a tenth of the samples, at least 3)
//! kpis = ["share_failed"]   # table.csv columns (default: [`DEFAULT_KPIS`])
//! set = { "duration.batches" = 600 }   # fixed overrides for every run
//! [[input]]
//! key = "params.slash_bps"  # any scenario key, dotted; array entries by index
//! min = 50                  #   (`provers.classes.0.blocks_per_mb`)
//! max = 1000
//! log = false               # sample uniformly in log space (min > 0)
//! ```
//! An input whose base value is an integer is rounded to one.

pub mod lhs;
pub mod ranks;
pub mod report;
pub mod tree;

use std::collections::BTreeMap;
use std::path::Path;

use eyre::{Result, WrapErr, bail, ensure};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::cell::{CellRunner, Point, Progress};
use crate::metrics::Summary;
use crate::rng::Rng;
use crate::scenario::Scenario;
use crate::stats::MeanCi;
use crate::sweep::columns;

/// The KPIs ranked when the spec names none: liveness, honest provers' slashing, concentration
/// and the users' latency tail.
pub const DEFAULT_KPIS: [&str; 6] = [
    "share_failed",
    "share_proven",
    "honest_slashed",
    "hhi_assignments",
    "nakamoto_assignments",
    "tx_latency_p95",
];

/// The random stream of the hypercube and of the bootstrap (apart from every run's streams).
const DESIGN_STREAM: u64 = 0x5e45;

/// A sensitivity spec.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Latin-hypercube points.
    pub samples: usize,
    /// Seeds every point runs.
    #[serde(default = "default_seeds")]
    pub seeds: Vec<u64>,
    /// Seed of the hypercube and the bootstrap.
    #[serde(default = "one")]
    pub design_seed: u64,
    /// Bootstrap resamples.
    #[serde(default = "default_bootstrap")]
    pub bootstrap: usize,
    /// Depth of the regression trees.
    #[serde(default = "default_depth")]
    pub tree_depth: usize,
    /// Smallest leaf of a tree (default: a tenth of the samples, at least 3).
    #[serde(default)]
    pub min_leaf: Option<usize>,
    /// KPIs: `table.csv` columns.
    #[serde(default = "default_kpis")]
    pub kpis: Vec<String>,
    /// Fixed overrides for every run (dotted keys).
    #[serde(default)]
    pub set: BTreeMap<String, toml::Value>,
    /// The inputs and their ranges.
    pub input: Vec<Input>,
}

fn default_seeds() -> Vec<u64> {
    vec![1, 2, 3]
}
fn one() -> u64 {
    1
}
fn default_bootstrap() -> usize {
    1000
}
fn default_depth() -> usize {
    3
}
fn default_kpis() -> Vec<String> {
    DEFAULT_KPIS.iter().map(ToString::to_string).collect()
}

/// One input: a scenario key and its range.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Dotted scenario key.
    pub key: String,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Sample uniformly in log space.
    #[serde(default)]
    pub log: bool,
}

impl Spec {
    /// Parses and checks a spec file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .wrap_err_with(|| format!("while reading the sensitivity spec {}", path.display()))?;
        Self::parse(&text).wrap_err_with(|| format!("in sensitivity spec {}", path.display()))
    }

    /// Parses and checks spec TOML (the scenario keys are checked by [`Spec::design`]).
    pub fn parse(text: &str) -> Result<Self> {
        let s: Self =
            toml::from_str(text).map_err(|e| eyre::eyre!("invalid sensitivity spec TOML: {e}"))?;
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> Result<()> {
        let k = self.input.len();
        ensure!(
            k >= 1,
            "the spec lists no [[input]]: name at least one scenario key and its range"
        );
        ensure!(
            self.samples >= k + 3,
            "samples = {} is too few for {k} inputs: the rank regression needs at least inputs + 3 \
             (use 8 to 10 per input for stable rankings)",
            self.samples
        );
        ensure!(!self.seeds.is_empty(), "seeds must list at least one seed");
        ensure!(
            (1..=4).contains(&self.tree_depth),
            "tree_depth = {} must be between 1 and 4 (deeper trees over a few dozen points \
             fit the seeds' noise)",
            self.tree_depth
        );
        ensure!(self.bootstrap >= 100, "bootstrap = {} must be at least 100", self.bootstrap);
        ensure!(!self.kpis.is_empty(), "kpis must name at least one table.csv column");
        let known: Vec<&str> = columns(&Summary::default()).iter().map(|c| c.0).collect();
        for kpi in &self.kpis {
            ensure!(
                known.contains(&kpi.as_str()),
                "kpi `{kpi}` is not a table.csv column; known columns: {}",
                known.join(", ")
            );
        }
        for (i, a) in self.input.iter().enumerate() {
            ensure!(
                a.min.is_finite() && a.max.is_finite() && a.max > a.min,
                "input `{}`: max {} must be above min {}",
                a.key,
                a.max,
                a.min
            );
            ensure!(!a.log || a.min > 0.0, "input `{}`: a log range needs min > 0", a.key);
            ensure!(
                !self.input[..i].iter().any(|b| b.key == a.key),
                "input `{}` is listed twice",
                a.key
            );
            ensure!(
                !self.set.contains_key(&a.key),
                "input `{}` is also fixed in `set`: drop one of them",
                a.key
            );
        }
        Ok(())
    }

    /// The smallest leaf of the trees.
    pub fn min_leaf(&self) -> usize {
        self.min_leaf.unwrap_or((self.samples / 10).max(3))
    }

    /// The sample points: per point, each input's value (rounded where the base scenario's value
    /// is an integer), as the TOML value the scenario gets.
    pub fn design(&self, base: &Scenario) -> Result<Vec<Vec<toml::Value>>> {
        let doc = toml::Value::try_from(base).wrap_err("while serialising the scenario")?;
        let integer: Vec<bool> = self
            .input
            .iter()
            .map(|a| match lookup(&doc, &a.key) {
                Some(toml::Value::Integer(_)) => Ok(true),
                Some(toml::Value::Float(_)) => Ok(false),
                // Token amounts (`params.min_stake`) serialise as exact decimal strings and read
                // back from a number in whole tokens.
                Some(toml::Value::String(t)) if t.parse::<f64>().is_ok() => Ok(false),
                Some(v) => bail!("input `{}` is not a number in the scenario (it is {v})", a.key),
                None => bail!(
                    "input `{}`: the scenario has no such field (keys are dotted paths, array \
                     entries by index, e.g. provers.classes.0.blocks_per_mb)",
                    a.key
                ),
            })
            .collect::<Result<_>>()?;
        let mut rng = Rng::new(self.design_seed, DESIGN_STREAM);
        let unit = lhs::unit_points(self.samples, self.input.len(), &mut rng);
        Ok(unit
            .iter()
            .map(|u| {
                self.input
                    .iter()
                    .zip(u)
                    .zip(&integer)
                    .map(|((a, &u), &int)| {
                        let x = if a.log {
                            (a.min.ln() + u * (a.max.ln() - a.min.ln())).exp()
                        } else {
                            a.min + u * (a.max - a.min)
                        };
                        if int {
                            toml::Value::Integer(x.round() as i64)
                        } else {
                            toml::Value::Float(x)
                        }
                    })
                    .collect()
            })
            .collect())
    }

    /// Every run: each sample point at each seed (point-major), every override applied and
    /// checked before anything runs.
    pub fn cells(&self, base: &Scenario) -> Result<Vec<Point>> {
        let mut cells = Vec::new();
        for (i, coords) in self.design(base)?.into_iter().enumerate() {
            for &seed in &self.seeds {
                let mut s = base.clone();
                s.seed = seed;
                for (k, v) in &self.set {
                    s = s.with_override(k, v).wrap_err("in the spec's `set`")?;
                }
                for (a, v) in self.input.iter().zip(&coords) {
                    s = s
                        .with_override(&a.key, v)
                        .wrap_err_with(|| format!("at sample point {i}"))?;
                }
                cells.push(Point { coords: coords.clone(), seed, scenario: s });
            }
        }
        Ok(cells)
    }
}

/// The value at a dotted key (array entries by index), if any.
fn lookup<'a>(doc: &'a toml::Value, key: &str) -> Option<&'a toml::Value> {
    key.split('.').try_fold(doc, |node, part| match node {
        toml::Value::Table(t) => t.get(part),
        toml::Value::Array(a) => a.get(part.parse::<usize>().ok()?),
        _ => None,
    })
}

/// A KPI over the sample points.
#[derive(Clone, Debug, Serialize)]
pub struct KpiResult {
    /// Column name.
    pub kpi: String,
    /// Sample points whose seeds measured it (others are left out).
    pub points: usize,
    /// Mean over the points.
    pub mean: f64,
    /// Its range over the points (of the seed means).
    pub range: (f64, f64),
    /// Share of the variance between points that the seeds' own noise accounts for (mean of
    /// sd^2 / seeds over the points, over the variance of the point means): near 1, the ranking is
    /// noise; add seeds.
    pub seed_noise_share: f64,
    /// The rank regression's R^2 (`None`: the KPI did not vary).
    pub rank_r2: Option<f64>,
    /// Inputs, most influential first (by |SRRC|).
    pub ranking: Vec<Effect>,
    /// The regression tree (absent if the KPI did not vary).
    pub tree: Option<tree::Node>,
    /// Share of the variance the tree's leaves explain.
    pub tree_r2: f64,
}

/// One input's effect on a KPI.
#[derive(Clone, Debug, Serialize)]
pub struct Effect {
    /// Scenario key.
    pub input: String,
    /// Standardized rank regression coefficient.
    pub srrc: f64,
    /// Its bootstrap 95% interval.
    pub srrc_ci: (f64, f64),
    /// Partial rank correlation coefficient.
    pub prcc: f64,
    /// Its bootstrap 95% interval.
    pub prcc_ci: (f64, f64),
}

impl Effect {
    /// Whether the SRRC's interval excludes zero.
    pub fn clear(&self) -> bool {
        self.srrc_ci.0 > 0.0 || self.srrc_ci.1 < 0.0
    }
}

/// A finished analysis.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// Base scenario's name.
    pub scenario: String,
    /// The spec run.
    pub spec: Spec,
    /// Per sample point, each input's value.
    pub samples: Vec<Vec<f64>>,
    /// Per sample point, each KPI's mean over the seeds (`NaN`: not measured).
    pub kpi_means: Vec<Vec<f64>>,
    /// Runs whose books disagreed with the chain (must be 0).
    pub inconsistent_runs: usize,
    /// Per KPI.
    pub kpis: Vec<KpiResult>,
}

/// Runs the spec's cells on `runner`, analyses them and writes the outputs into `out`.
pub fn run(base: &Scenario, spec: &Spec, out: &Path, runner: &dyn CellRunner) -> Result<Analysis> {
    let cells = spec.cells(base)?;
    std::fs::create_dir_all(out)
        .wrap_err_with(|| format!("while creating the output folder {}", out.display()))?;
    let bar = ProgressBar::new(cells.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} sensitivity [{bar:40}] {pos}/{len} runs, {elapsed} elapsed, eta {eta}",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    let progress = Progress(bar);
    let summaries = runner.run_cells(&cells, &progress).wrap_err("sensitivity runs")?;
    progress.0.finish_and_clear();
    ensure!(summaries.len() == cells.len(), "the runner returned {} summaries", summaries.len());
    let a = analyse(base, spec, &cells, &summaries);
    report::write(out, &a)?;
    Ok(a)
}

/// The analysis of finished runs (`cells` and their `summaries`, in [`Spec::cells`]' order).
pub fn analyse(base: &Scenario, spec: &Spec, cells: &[Point], summaries: &[Summary]) -> Analysis {
    let r = spec.seeds.len();
    let samples: Vec<Vec<f64>> = cells
        .chunks(r)
        .map(|c| {
            c[0].coords
                .iter()
                .map(|v| v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    let per_point: Vec<Vec<MeanCi>> = summaries
        .chunks(r)
        .map(|runs| {
            let cols: Vec<Vec<(&str, f64)>> = runs.iter().map(columns).collect();
            spec.kpis
                .iter()
                .map(|k| {
                    let v: Vec<f64> = cols
                        .iter()
                        .map(|c| c.iter().find(|c| c.0 == k).map_or(f64::NAN, |c| c.1))
                        .collect();
                    MeanCi::of(&v)
                })
                .collect()
        })
        .collect();
    let kpi_means: Vec<Vec<f64>> =
        per_point.iter().map(|p| p.iter().map(|m| m.mean).collect()).collect();
    let mut rng = Rng::new(spec.design_seed, DESIGN_STREAM + 1);
    let kpis = spec
        .kpis
        .iter()
        .enumerate()
        .map(|(j, name)| {
            kpi(
                spec,
                name,
                &samples,
                &per_point.iter().map(|p| &p[j]).collect::<Vec<_>>(),
                &mut rng,
            )
        })
        .collect();
    Analysis {
        scenario: base.name.clone(),
        spec: spec.clone(),
        samples,
        kpi_means,
        inconsistent_runs: summaries.iter().filter(|s| !s.checks.consistent()).count(),
        kpis,
    }
}

/// One KPI's ranking and tree over the points that measured it.
fn kpi(
    spec: &Spec,
    name: &str,
    samples: &[Vec<f64>],
    stats: &[&MeanCi],
    rng: &mut Rng,
) -> KpiResult {
    let keep: Vec<usize> = (0..samples.len()).filter(|&i| stats[i].mean.is_finite()).collect();
    let y: Vec<f64> = keep.iter().map(|&i| stats[i].mean).collect();
    let inputs: Vec<Vec<f64>> =
        (0..spec.input.len()).map(|j| keep.iter().map(|&i| samples[i][j]).collect()).collect();
    let names: Vec<String> = spec.input.iter().map(|a| a.key.clone()).collect();
    let n = y.len().max(1) as f64;
    let mean = y.iter().sum::<f64>() / n;
    let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    let noise =
        keep.iter().map(|&i| stats[i].sd.powi(2) / stats[i].n.max(1) as f64).sum::<f64>() / n;
    let range =
        y.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let fit = if y.len() >= spec.input.len() + 3 { ranks::fit(&inputs, &y) } else { None };
    let mut ranking = Vec::new();
    let mut tree = None;
    let mut tree_r2 = 0.0;
    if let Some(f) = &fit {
        let ci = ranks::bootstrap(&inputs, &y, spec.bootstrap, rng);
        let nan = (f64::NAN, f64::NAN);
        ranking = (0..names.len())
            .map(|j| Effect {
                input: names[j].clone(),
                srrc: f.srrc[j],
                srrc_ci: ci.as_ref().map_or(nan, |c| c.0[j]),
                prcc: f.prcc[j],
                prcc_ci: ci.as_ref().map_or(nan, |c| c.1[j]),
            })
            .collect();
        ranking.sort_by(|a, b| b.srrc.abs().total_cmp(&a.srrc.abs()));
        let t = tree::grow(&inputs, &y, spec.tree_depth, spec.min_leaf());
        tree_r2 = t.r2(&inputs, &y);
        tree = Some(t);
    }
    KpiResult {
        kpi: name.to_string(),
        points: y.len(),
        mean,
        range,
        seed_noise_share: if var > 0.0 { (noise / var).min(1.0) } else { f64::NAN },
        rank_r2: fit.map(|f| f.r2),
        ranking,
        tree,
        tree_r2,
    }
}
