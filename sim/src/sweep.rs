//! Parameter sweeps: a grid of scenario overrides, each point run over many seeds, in parallel
//! (one revm per run), summarised in one table of runs (`table.csv`, `table.md`), the statistics
//! over seeds ([`crate::replicates`]: `stats.{json,csv,md}`), one comparison figure
//! (`sweep.{svg,png}`: means with their 95% bands and every seed's value) and the selection list
//! by epoch at every point (`lists.{svg,png}`).
//!
//! Grid file:
//! ```toml
//! seeds = [1, 2]            # optional; default: seeds 1..=20 (`--seeds N`: 1..=N). Every point
//!                           # runs the same seeds, so its runs pair with the other points' runs
//! set = { "duration.batches" = 500 }   # optional fixed overrides for every point
//! [[axis]]
//! key = "provers.count"     # any scenario field, dotted
//! values = [5, 50, 500]
//! log = true                # optional: logarithmic x axis
//! [[axis]]                  # optional second axis: one line per value
//! key = "adversaries.share"
//! values = [0.0, 0.2, 0.4]
//! ```
//! A grid without axes runs the scenario itself over the seeds (one point).

use std::fmt::Write as _;
use std::path::Path;

use eyre::{Result, WrapErr, ensure};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;

pub use crate::cell::Point;
use crate::cell::{CellRunner, LocalCells, Progress};
use crate::metrics::Summary;
use crate::plot::{self, Band, Kind, Panel};
use crate::pool_report;
use crate::provenance::Provenance;
use crate::replicates::{self, PointStats};
use crate::scenario::Scenario;

/// Seeds per point when the grid names none: enough for a Student-t interval worth quoting.
pub const DEFAULT_SEEDS: u64 = 20;

/// A sweep grid.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    /// Replicate seeds (default: 1..=[`DEFAULT_SEEDS`]).
    #[serde(default)]
    pub seeds: Vec<u64>,
    /// Fixed overrides applied to every point before the axes (dotted keys).
    #[serde(default)]
    pub set: std::collections::BTreeMap<String, toml::Value>,
    /// Axes; the first is the x axis of the plots, the second (if any) draws one line per value.
    /// None: the base scenario over the seeds.
    #[serde(default)]
    pub axis: Vec<Axis>,
}

/// One swept field.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// Dotted scenario key.
    pub key: String,
    /// Values.
    pub values: Vec<toml::Value>,
    /// Logarithmic x axis.
    #[serde(default)]
    pub log: bool,
}

impl Grid {
    /// Parses and checks a grid file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .wrap_err_with(|| format!("while reading the grid file {}", path.display()))?;
        let g: Self = toml::from_str(&text)
            .map_err(|e| eyre::eyre!("invalid grid TOML: {e}"))
            .wrap_err_with(|| format!("in grid file {}", path.display()))?;
        for a in &g.axis {
            ensure!(!a.values.is_empty(), "grid axis `{}` has no values", a.key);
        }
        Ok(g)
    }

    /// The base scenario over the default seeds: a grid without axes.
    pub fn replicates() -> Self {
        Self { seeds: Vec::new(), set: Default::default(), axis: Vec::new() }
    }

    /// The seeds every point runs.
    pub fn seeds(&self) -> Vec<u64> {
        if self.seeds.is_empty() { (1..=DEFAULT_SEEDS).collect() } else { self.seeds.clone() }
    }

    /// Every point of the grid applied to `base` (all overrides are checked before anything runs).
    pub fn points(&self, base: &Scenario) -> Result<Vec<Point>> {
        let seeds = self.seeds();
        let mut combos: Vec<Vec<toml::Value>> = vec![Vec::new()];
        for a in &self.axis {
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    a.values.iter().map(move |v| {
                        let mut c = c.clone();
                        c.push(v.clone());
                        c
                    })
                })
                .collect();
        }
        let mut points = Vec::new();
        for coords in combos {
            for &seed in &seeds {
                let mut s = base.clone();
                s.seed = seed;
                for (k, v) in &self.set {
                    s = s.with_override(k, v)?;
                }
                for (a, v) in self.axis.iter().zip(&coords) {
                    s = s.with_override(&a.key, v)?;
                }
                points.push(Point { coords: coords.clone(), seed, scenario: s });
            }
        }
        Ok(points)
    }
}

/// Runs the grid on `jobs` threads (0: all cores) and writes the table and the figure into `out`
/// (a library call: the recorded command says so).
pub fn run(base: &Scenario, grid: &Grid, out: &Path, jobs: usize) -> Result<Vec<(Point, Summary)>> {
    let provenance = Provenance::current("(library call: provernet_sim::sweep::run)");
    run_on(base, grid, out, &LocalCells { jobs }, Timing::Measured, &provenance)
}

/// Whether the outputs carry each run's measured wall-clock time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// As measured (the `wall_s` column, `wall_seconds` and the run-time panel).
    Measured,
    /// Recorded as 0, so the outputs depend only on the scenario, the grid and the seeds: two
    /// sweeps, local or spread over any number of machines, write byte-identical files.
    Omitted,
}

/// Runs the grid's cells with `runner` and writes the table and the figure into `out`, with
/// `provenance` (this binary's contracts and the command). Every override is checked (and the
/// output folder made) before any cell runs; every run must have run this binary's contracts.
pub fn run_on(
    base: &Scenario,
    grid: &Grid,
    out: &Path,
    runner: &dyn CellRunner,
    timing: Timing,
    provenance: &Provenance,
) -> Result<Vec<(Point, Summary)>> {
    let points = grid.points(base)?;
    std::fs::create_dir_all(out)
        .wrap_err_with(|| format!("while creating the output folder {}", out.display()))?;
    let bar = ProgressBar::new(points.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} sweep [{bar:40}] {pos}/{len} runs, {elapsed} elapsed, eta {eta} {msg}",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    let progress = Progress(bar);
    let axes: Vec<&str> = grid.axis.iter().map(|a| a.key.as_str()).collect();
    let summaries = runner
        .run_cells(&points, &progress)
        .wrap_err_with(|| format!("sweep over {}", axes.join(", ")))?;
    progress.0.finish_and_clear();
    ensure!(
        summaries.len() == points.len(),
        "the runner returned {} summaries for {} cells",
        summaries.len(),
        points.len()
    );
    // A queue worker built from other contracts would mix two networks' results in one table.
    if let Some((k, s)) =
        summaries.iter().enumerate().find(|(_, s)| s.bytecode_hash != provenance.bytecode_hash)
    {
        eyre::bail!(
            "run {k} (seed {}) ran on contracts with bytecode hash `{}`, this binary's are `{}`: \
             rebuild the workers from the same commit as this binary",
            s.seed,
            s.bytecode_hash,
            provenance.bytecode_hash
        );
    }
    let mut done: Vec<(Point, Summary)> = points.into_iter().zip(summaries).collect();
    if timing == Timing::Omitted {
        for (_, s) in &mut done {
            s.wall_seconds = 0.0;
        }
    }
    write(base, grid, out, &done, provenance)?;
    Ok(done)
}

/// Writes `table.csv`, `table.md`, `runs/NNN.json`, `provenance.json`, the statistics and the
/// figures.
fn write(
    base: &Scenario,
    grid: &Grid,
    out: &Path,
    done: &[(Point, Summary)],
    provenance: &Provenance,
) -> Result<()> {
    std::fs::write(out.join("table.csv"), table_csv(grid, done))
        .wrap_err("while writing table.csv")?;
    let md = table_md(grid, done) + &replicates::provenance_md(provenance);
    std::fs::write(out.join("table.md"), md).wrap_err("while writing table.md")?;
    provenance.write(out)?;
    let runs = out.join("runs");
    std::fs::create_dir_all(&runs)?;
    for (i, (_, s)) in done.iter().enumerate() {
        std::fs::write(runs.join(format!("{i:03}.json")), serde_json::to_string_pretty(s)?)?;
    }
    let stats = replicates::of(grid, done);
    replicates::write(out, grid, &stats, provenance)?;
    plot::write(&out.join("sweep"), &panels(base, grid, &stats, &NETWORK_PANELS), 3, (520, 380))?;
    if base.delegators.count > 0 {
        let pools = panels(base, grid, &stats, &pool_report::PANELS);
        plot::write(&out.join("delegators"), &pools, 3, (520, 380))?;
    }
    let lists = replicates::list_panel(&base.name, grid, done);
    plot::write(&out.join("lists"), &[lists], 1, (900, 420))
}

/// The table's metric columns: (header, value).
pub fn columns(s: &Summary) -> Vec<(&'static str, f64)> {
    let mut columns = vec![
        ("posted", s.liveness.posted as f64),
        ("share_proven", s.liveness.share_proven),
        ("share_rescued", s.liveness.share_rescued),
        ("share_failed", s.liveness.share_failed),
        ("ttp_mean", s.time_to_proof.mean),
        ("ttp_p95", s.time_to_proof.p95),
        ("ttp_rescued_mean", s.time_to_proof_rescued.mean),
        ("backlog_mean", s.load.backlog_mean),
        ("user_cost_per_tx", s.load.user_cost_per_tx),
        ("user_welfare", s.load.user_welfare),
        ("tx_latency_mean", s.load.tx_latency_mean),
        ("tx_latency_p95", s.load.tx_latency_p95),
        ("tx_latency_p99", s.load.tx_latency_p99),
        ("share_never_posted", s.load.share_never_posted),
        ("fee_multiple_mean", s.load.fee_multiple_mean),
        ("honest_profitable_share", s.economics.honest_profitable_share),
        ("covering_costs_share", s.economics.covering_costs_share),
        ("adversary_profit", s.economics.adversary_profit),
        ("hhi_assignments", s.decentralisation.hhi_assignments),
        ("hhi_stake", s.decentralisation.hhi_stake),
        ("hhi_capped_stake", s.decentralisation.hhi_capped_stake),
        ("nakamoto_assignments", s.decentralisation.nakamoto_assignments as f64),
        ("nakamoto_stake", s.decentralisation.nakamoto_stake as f64),
        ("gini_earnings", s.decentralisation.gini_earnings),
        ("top10_assign_share", s.decentralisation.top10pct_assignment_share),
        ("top10_stake_share", s.decentralisation.top10pct_stake_share),
        ("slashed", s.slashing.slashed),
        ("burned", s.slashing.burned),
        ("emergency_freq", s.emergency.frequency),
        ("gas_per_batch", s.gas.per_proven_batch),
        ("gas_per_batch_all_in", s.gas.per_proven_batch_all_in),
        ("batches_per_proof", s.gas.batches_per_proof),
        ("capacity_redraws", s.emergency.capacity_redraws as f64),
        ("profitable_share", s.economics.profitable_share),
        ("revenue", s.economics.revenue),
        ("honest_slashed", s.recovery.honest_slashed),
        ("honest_slashed_outage", s.recovery.honest_slashed_in_outage),
        ("list_min", s.recovery.list_min as f64),
        ("list_ever_empty", f64::from(u8::from(s.recovery.list_ever_empty))),
        ("collapsed", f64::from(u8::from(s.recovery.collapsed))),
        // NaN: the list never came back within the run (stats count it as missing).
        ("recover_epochs", s.recovery.recover_epochs.map_or(f64::NAN, |e| e as f64)),
        ("recover_blocks", s.recovery.recover_blocks.map_or(f64::NAN, |b| b as f64)),
        ("top_ups", s.recovery.top_ups as f64),
        ("hhi_weight", s.decentralisation.hhi_weight),
        ("nakamoto_weight", s.decentralisation.nakamoto_weight as f64),
        ("proving_cost", s.economics.proving_cost),
        ("missed_overload", s.losses.missed_overload as f64),
        ("missed_outage", s.losses.missed_outage as f64),
        ("missed_crash", s.losses.missed_crash as f64),
        ("missed_late", s.losses.missed_late as f64),
        ("honest_killed", s.losses.killed as f64),
        ("honest_restarts", s.losses.restarts as f64),
        ("honest_lost_work_cost", s.losses.lost_work_cost),
        ("racers_per_race", s.emergency.racers_per_race),
        ("race_submits_reverted", s.emergency.race_submits_reverted as f64),
        ("honest_slashed_misses", s.losses.slashed_for_misses),
        ("honest_non_reveal", s.losses.non_reveal_penalties),
        ("honest_race_cost", s.losses.race_cost),
        ("honest_race_revenue", s.losses.race_revenue),
        ("never_assigned_share", s.losses.never_assigned_share),
        ("assigned_profitable_share", s.losses.assigned_profitable_share),
        ("adversary_profit_mean", s.losses.adversary_profit_mean),
        ("adversary_profitable_share", s.losses.adversary_profitable_share),
        ("withheld", s.withholding.withheld as f64),
        ("challenged", s.withholding.challenged as f64),
        ("voided", s.withholding.voided as f64),
        ("withheld_unchallenged_down", s.withholding.unchallenged_down as f64),
        ("withheld_honest_slashed", s.withholding.honest_slashed),
        ("withheld_honest_slashed_down", s.withholding.honest_slashed_down),
        ("source_fees_lost", s.withholding.source_fees_lost),
        ("withheld_compensation", s.withholding.compensation),
        ("others_share_proven", s.withholding.others_share_proven),
        ("others_share_rescued", s.withholding.others_share_rescued),
        ("others_share_failed", s.withholding.others_share_failed),
        ("utilisation", s.profitability.utilisation),
        ("honest_steady_profitable_share", s.profitability.honest_steady_profitable_share),
        ("honest_profit_per_kblock", s.profitability.honest_profit_per_kblock),
        ("entries", s.market.entries as f64),
        ("exits", s.market.exits as f64),
        ("active_at_end", s.market.active_at_end as f64),
        ("wall_s", s.wall_seconds),
    ];
    columns.extend(pool_report::columns(&s.pools));
    columns
}

fn fmt_num(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e12 { format!("{v:.0}") } else { format!("{v:.4}") }
}

fn table_csv(grid: &Grid, rows: &[(Point, Summary)]) -> String {
    let mut s = String::new();
    let heads: Vec<String> = grid
        .axis
        .iter()
        .map(|a| a.key.clone())
        .chain(["seed".to_string()])
        .chain(
            rows.first().map(|r| columns(&r.1)).unwrap_or_default().iter().map(|c| c.0.to_string()),
        )
        .collect();
    let _ = writeln!(s, "{}", heads.join(","));
    for (p, sum) in rows {
        let cells: Vec<String> = p
            .coords
            .iter()
            .map(|v| v.to_string())
            .chain([p.seed.to_string()])
            .chain(columns(sum).iter().map(|c| fmt_num(c.1)))
            .collect();
        let _ = writeln!(s, "{}", cells.join(","));
    }
    s
}

fn table_md(grid: &Grid, rows: &[(Point, Summary)]) -> String {
    // The markdown table keeps the columns a reader compares first; table.csv has them all.
    let keep = [
        "share_proven",
        "share_rescued",
        "share_failed",
        "ttp_p95",
        "honest_profitable_share",
        "hhi_assignments",
        "nakamoto_assignments",
        "emergency_freq",
        "gas_per_batch",
        "batches_per_proof",
        "wall_s",
    ];
    let mut s = String::new();
    let mut heads: Vec<String> = grid.axis.iter().map(|a| format!("`{}`", a.key)).collect();
    heads.push("seed".into());
    heads.extend(keep.iter().map(|k| k.to_string()));
    let _ = writeln!(s, "| {} |", heads.join(" | "));
    let _ = writeln!(s, "|{}|", vec!["---"; heads.len()].join("|"));
    for (p, sum) in rows {
        let cols = columns(sum);
        let mut cells: Vec<String> = p.coords.iter().map(|v| v.to_string()).collect();
        cells.push(p.seed.to_string());
        for k in keep {
            let v = cols.iter().find(|c| c.0 == k).map_or(0.0, |c| c.1);
            cells.push(if v.abs() < 10.0 && v != v.trunc() {
                format!("{v:.3}")
            } else {
                format!("{v:.0}")
            });
        }
        let _ = writeln!(s, "| {} |", cells.join(" | "));
    }
    s
}

fn as_f64(v: &toml::Value) -> Option<f64> {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

/// A plotted metric: panel title, y label, column of [`columns`].
pub type Metric = (&'static str, &'static str, &'static str);

/// The panels of `sweep.svg`.
const NETWORK_PANELS: [Metric; 14] = [
    ("proven in window", "share of batches", "share_proven"),
    ("failed (re-orged)", "share of batches", "share_failed"),
    ("emergency (raced)", "share of batches", "emergency_freq"),
    ("time to proof, p95", "blocks", "ttp_p95"),
    ("honest provers in profit", "share of honest provers", "honest_profitable_share"),
    ("assignment concentration", "HHI of assignments", "hhi_assignments"),
    ("gas per proven batch", "gas (batch path)", "gas_per_batch"),
    ("user welfare", "tokens", "user_welfare"),
    ("adversaries' total profit", "tokens", "adversary_profit"),
    ("stake slashed", "tokens", "slashed"),
    ("honest stake slashed in the outage", "tokens", "honest_slashed_outage"),
    ("smallest selection list", "provers", "list_min"),
    ("top 10% stakers' share", "share of assignments", "top10_assign_share"),
    ("run time", "seconds", "wall_s"),
];

/// A sweep figure's panels (`metrics`): per metric, one band per value of the second axis (or one
/// band), the mean over seeds with its 95% interval and each seed's value.
fn panels(base: &Scenario, grid: &Grid, stats: &[PointStats], metrics: &[Metric]) -> Vec<Panel> {
    let x_axis = grid.axis.first();
    let numeric = x_axis.is_none_or(|a| a.values.iter().all(|v| as_f64(v).is_some()));
    let x_of = |p: &PointStats| -> f64 {
        let Some(a) = x_axis else { return 0.0 };
        let v = a.values.iter().find(|v| v.to_string() == p.coords[0]);
        match (numeric, v) {
            (true, Some(v)) => as_f64(v).unwrap_or(0.0),
            _ => a.values.iter().position(|v| v.to_string() == p.coords[0]).unwrap_or(0) as f64,
        }
    };
    let groups: Vec<Option<String>> = match grid.axis.get(1) {
        Some(a) => a.values.iter().map(|v| Some(v.to_string())).collect(),
        None => vec![None],
    };
    metrics
        .iter()
        .map(|(title, y, column)| {
            let bands = groups
                .iter()
                .map(|g| {
                    let mut band =
                        Band { name: String::new(), mean: Vec::new(), seeds: Vec::new() };
                    for p in stats.iter().filter(|p| g.as_ref().is_none_or(|g| &p.coords[1] == g)) {
                        let (x, Some(m)) = (x_of(p), p.metric(column)) else { continue };
                        if m.mean.is_finite() {
                            band.mean.push((x, m.mean, m.lo, m.hi));
                        }
                        band.seeds
                            .extend(m.values.iter().filter(|v| v.is_finite()).map(|&v| (x, v)));
                    }
                    band.mean.sort_by(|a, b| a.0.total_cmp(&b.0));
                    if let (Some(v), Some(a)) = (g, grid.axis.get(1)) {
                        band.name = format!("{} = {v}", a.key);
                    }
                    band
                })
                .collect();
            Panel {
                title: format!("{}: {title}", base.name),
                x: x_axis.map_or("seeds".into(), |a| a.key.clone()),
                y: (*y).to_string(),
                log_x: x_axis.is_some_and(|a| a.log) && numeric,
                kind: Kind::Bands(bands),
            }
        })
        .collect()
}
