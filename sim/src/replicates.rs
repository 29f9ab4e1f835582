//! A sweep's replicate seeds turned into figures: per grid point, every table column's mean with a
//! 95% Student-t interval and its per-seed values, the tail probabilities of outcomes that can be
//! bimodal (a small network either recovers or collapses) with Wilson intervals, and the paired
//! differences to the grid's reference point (the first value of the first axis, same seed, so the
//! same population and load). Written as `stats.json` (with the bytecode hash and the command that
//! produced it), `stats.csv` and `stats.md`.

use std::fmt::Write as _;
use std::path::Path;

use eyre::{Result, WrapErr};
use serde::Serialize;

use crate::metrics::Summary;
use crate::plot::{Band, Kind, Panel};
use crate::provenance::Provenance;
use crate::stats::{MeanCi, Proportion};
use crate::sweep::{Grid, Point, columns};

/// A sweep run: its grid point and what it measured.
type Run = (Point, Summary);

/// A run's table columns (`sweep::columns`).
type Columns = Vec<(&'static str, f64)>;

/// An event whose probability over seeds is reported: (name, whether a run shows it).
type Tail = (&'static str, fn(&Summary) -> bool);

/// The bimodal outcomes: a mean over seeds hides them, a probability shows them.
pub const TAILS: [Tail; 4] = [
    ("P(failed share > 5%)", |s| s.liveness.share_failed > 0.05),
    ("P(list empty at some epoch)", |s| s.recovery.list_ever_empty),
    ("P(collapsed: list empty at the end)", |s| s.recovery.collapsed),
    ("P(list not back to its pre-outage size)", |s| {
        s.recovery.list_before_outage > 0 && s.recovery.recover_epochs.is_none()
    }),
];

/// The columns `stats.md` shows (`stats.csv` and `stats.json` have them all).
const KEY_COLUMNS: [&str; 10] = [
    "share_proven",
    "share_failed",
    "honest_profitable_share",
    "profitable_share",
    "revenue",
    "slashed",
    "honest_slashed",
    "honest_slashed_outage",
    "list_min",
    "recover_epochs",
];

/// A metric's statistic under its column name.
#[derive(Clone, Debug, Serialize)]
pub struct Named<T> {
    /// Column name (`table.csv`) or event.
    pub metric: String,
    /// Its statistic.
    #[serde(flatten)]
    pub stat: T,
}

/// One grid point over its seeds.
#[derive(Clone, Debug, Serialize)]
pub struct PointStats {
    /// The axis values, as written in the grid.
    pub coords: Vec<String>,
    /// The seeds, in the order of every `values` list.
    pub seeds: Vec<u64>,
    /// Every table column: mean, 95% interval, per-seed values.
    pub metrics: Vec<Named<MeanCi>>,
    /// [`TAILS`], with Wilson intervals.
    pub tails: Vec<Named<Proportion>>,
    /// Per-seed differences (this point minus the reference point) of every column; empty for the
    /// reference point itself and for a grid without axes.
    pub paired: Vec<Named<MeanCi>>,
}

impl PointStats {
    /// The statistic of column `name`.
    pub fn metric(&self, name: &str) -> Option<&MeanCi> {
        self.metrics.iter().find(|m| m.metric == name).map(|m| &m.stat)
    }
}

/// Groups the runs by grid point (in grid order) and computes their statistics.
pub fn of(grid: &Grid, rows: &[Run]) -> Vec<PointStats> {
    let mut groups: Vec<(Vec<toml::Value>, Vec<&Run>)> = Vec::new();
    for r in rows {
        match groups.iter_mut().find(|g| g.0 == r.0.coords) {
            Some(g) => g.1.push(r),
            None => groups.push((r.0.coords.clone(), vec![r])),
        }
    }
    let reference = |coords: &[toml::Value]| -> Option<Vec<toml::Value>> {
        let first = grid.axis.first()?.values.first()?;
        let mut c = coords.to_vec();
        (c[0] != *first).then(|| {
            c[0] = first.clone();
            c
        })
    };
    groups
        .iter()
        .map(|(coords, runs)| {
            let names: Vec<&str> = runs
                .first()
                .map(|r| columns(&r.1))
                .unwrap_or_default()
                .iter()
                .map(|c| c.0)
                .collect();
            let values = |k: usize, runs: &[&Run]| -> Vec<f64> {
                runs.iter().map(|r| columns(&r.1)[k].1).collect()
            };
            let metrics = names
                .iter()
                .enumerate()
                .map(|(k, n)| Named { metric: (*n).into(), stat: MeanCi::of(&values(k, runs)) })
                .collect();
            let tails = TAILS
                .iter()
                .map(|(n, f)| Named {
                    metric: (*n).into(),
                    stat: Proportion::of(runs.iter().map(|r| f(&r.1))),
                })
                .collect();
            let paired = reference(coords)
                .and_then(|rc| groups.iter().find(|g| g.0 == rc))
                .map(|(_, base)| paired(&names, runs, base))
                .unwrap_or_default();
            PointStats {
                coords: coords.iter().map(ToString::to_string).collect(),
                seeds: runs.iter().map(|r| r.0.seed).collect(),
                metrics,
                tails,
                paired,
            }
        })
        .collect()
}

/// Per-seed differences `runs - base` of every column, over the seeds both have.
fn paired(names: &[&str], runs: &[&Run], base: &[&Run]) -> Vec<Named<MeanCi>> {
    let pairs: Vec<(Columns, Columns)> = runs
        .iter()
        .filter_map(|r| {
            let b = base.iter().find(|b| b.0.seed == r.0.seed)?;
            Some((columns(&r.1), columns(&b.1)))
        })
        .collect();
    names
        .iter()
        .enumerate()
        .map(|(k, n)| {
            let d: Vec<f64> = pairs.iter().map(|(a, b)| a[k].1 - b[k].1).collect();
            Named { metric: (*n).into(), stat: MeanCi::of(&d) }
        })
        .collect()
}

/// The selection list's size epoch by epoch, one band per grid point (mean over seeds, 95% interval,
/// each seed's size): how far an outage shrinks the list and how fast it comes back.
pub fn list_panel(title: &str, grid: &Grid, rows: &[Run]) -> Panel {
    let stats = of(grid, rows);
    let bands = stats
        .iter()
        .map(|p| {
            let runs: Vec<&Summary> =
                rows.iter().filter(|r| point_of(&r.0) == p.coords).map(|r| &r.1).collect();
            let epochs = runs.iter().map(|s| s.recovery.list_per_epoch.len()).max().unwrap_or(0);
            let mut band =
                Band { name: label(grid, &p.coords), mean: Vec::new(), seeds: Vec::new() };
            for e in 0..epochs {
                let x = (e + 1) as f64;
                let sizes: Vec<f64> = runs
                    .iter()
                    .filter_map(|s| s.recovery.list_per_epoch.get(e).map(|&n| n as f64))
                    .collect();
                let m = MeanCi::of(&sizes);
                band.mean.push((x, m.mean, m.lo, m.hi));
                band.seeds.extend(sizes.iter().map(|&v| (x, v)));
            }
            band
        })
        .collect();
    Panel {
        title: format!("{title}: selection list by epoch"),
        x: "epoch".into(),
        y: "provers listed".into(),
        log_x: false,
        kind: Kind::Bands(bands),
    }
}

fn point_of(p: &Point) -> Vec<String> {
    p.coords.iter().map(ToString::to_string).collect()
}

fn label(grid: &Grid, coords: &[String]) -> String {
    grid.axis
        .iter()
        .zip(coords)
        .map(|(a, v)| format!("{} = {v}", a.key))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `stats.json`: the statistics of every point and what produced them.
#[derive(Debug, Serialize)]
pub struct StatsFile<'a> {
    /// The contracts every run ran on ([`crate::provenance::bytecode_hash`]).
    pub bytecode_hash: &'a str,
    /// The command that wrote the sweep.
    pub command: &'a str,
    /// One entry per grid point, in grid order.
    pub points: &'a [PointStats],
}

/// Writes `stats.json`, `stats.csv` and `stats.md` into `out`.
pub fn write(out: &Path, grid: &Grid, stats: &[PointStats], provenance: &Provenance) -> Result<()> {
    let put = |name: &str, text: String| -> Result<()> {
        let path = out.join(name);
        std::fs::write(&path, text).wrap_err_with(|| format!("while writing {}", path.display()))
    };
    let file = StatsFile {
        bytecode_hash: &provenance.bytecode_hash,
        command: &provenance.command,
        points: stats,
    };
    put("stats.json", serde_json::to_string_pretty(&file)?)?;
    put("stats.csv", csv(grid, stats))?;
    put("stats.md", markdown(grid, stats) + &provenance_md(provenance))
}

/// The closing lines of `stats.md` and `table.md`: what produced them.
pub fn provenance_md(p: &Provenance) -> String {
    format!(
        "Produced by `{}` on the contracts with bytecode hash `{}`.\n",
        p.command, p.bytecode_hash
    )
}

fn csv(grid: &Grid, stats: &[PointStats]) -> String {
    let mut s = String::new();
    let axes: Vec<&str> = grid.axis.iter().map(|a| a.key.as_str()).collect();
    let _ = writeln!(s, "{}kind,metric,n,missing,mean,sd,lo,hi,values", prefix(&axes));
    let num = |v: f64| if v.is_finite() { format!("{v}") } else { String::new() };
    for p in stats {
        let at = prefix(&p.coords.iter().map(String::as_str).collect::<Vec<_>>());
        for (kind, list) in [("mean", &p.metrics), ("paired_difference", &p.paired)] {
            for m in list {
                let c = &m.stat;
                let vals: Vec<String> = c.values.iter().map(|&v| num(v)).collect();
                let _ = writeln!(
                    s,
                    "{at}{kind},{},{},{},{},{},{},{},{}",
                    m.metric,
                    c.n,
                    c.missing,
                    num(c.mean),
                    num(c.sd),
                    num(c.lo),
                    num(c.hi),
                    vals.join(" ")
                );
            }
        }
        for t in &p.tails {
            let c = &t.stat;
            let _ = writeln!(
                s,
                "{at}probability,\"{}\",{},0,{},,{},{},{}",
                t.metric,
                c.n,
                num(c.p),
                num(c.lo),
                num(c.hi),
                c.hits
            );
        }
    }
    s
}

fn prefix(cells: &[&str]) -> String {
    cells.iter().map(|c| format!("{},", c.replace(',', ";"))).collect()
}

/// `mean [lo, hi]` with a precision that suits the magnitude.
pub(crate) fn fmt_ci(c: &MeanCi) -> String {
    if c.n == 0 {
        return "n/a".into();
    }
    let scale = c.mean.abs().max(c.hi.abs());
    let f = |v: f64| match scale {
        s if s < 10.0 => format!("{v:.3}"),
        s if s < 1_000.0 => format!("{v:.1}"),
        _ => format!("{v:.0}"),
    };
    let missing =
        if c.missing > 0 { format!(" ({} of {})", c.n, c.n + c.missing) } else { String::new() };
    format!("{} [{}, {}]{missing}", f(c.mean), f(c.lo), f(c.hi))
}

fn markdown(grid: &Grid, stats: &[PointStats]) -> String {
    let mut s = String::new();
    let seeds = stats.first().map_or(0, |p| p.seeds.len());
    let point_heads: Vec<String> = grid.axis.iter().map(|a| format!("`{}`", a.key)).collect();
    let row_start = |p: &PointStats| -> Vec<String> { p.coords.clone() };
    let table = |s: &mut String, heads: Vec<String>, rows: Vec<Vec<String>>| {
        let _ = writeln!(s, "| {} |", heads.join(" | "));
        let _ = writeln!(s, "|{}|", vec!["---"; heads.len()].join("|"));
        for r in rows {
            let _ = writeln!(s, "| {} |", r.join(" | "));
        }
        s.push('\n');
    };
    let _ = writeln!(s, "Means over {seeds} seeds per point with 95% intervals (Student t):\n");
    let mut heads = point_heads.clone();
    heads.extend(KEY_COLUMNS.iter().map(|k| (*k).to_string()));
    let rows = stats
        .iter()
        .map(|p| {
            let mut r = row_start(p);
            r.extend(KEY_COLUMNS.iter().map(|k| p.metric(k).map_or("-".into(), fmt_ci)));
            r
        })
        .collect();
    table(&mut s, heads, rows);
    let _ = writeln!(s, "Tail probabilities, hits of runs = share [95% Wilson interval]:\n");
    let mut heads = point_heads.clone();
    heads.extend(TAILS.iter().map(|t| t.0.to_string()));
    let rows = stats
        .iter()
        .map(|p| {
            let mut r = row_start(p);
            r.extend(p.tails.iter().map(|t| {
                let c = &t.stat;
                format!("{}/{} = {:.3} [{:.3}, {:.3}]", c.hits, c.n, c.p, c.lo, c.hi)
            }));
            r
        })
        .collect();
    table(&mut s, heads, rows);
    let paired: Vec<&PointStats> = stats.iter().filter(|p| !p.paired.is_empty()).collect();
    if let (Some(a), false) = (grid.axis.first(), paired.is_empty()) {
        let _ = writeln!(
            s,
            "Paired differences to `{} = {}` (same seed), mean [95% interval]:\n",
            a.key, a.values[0]
        );
        let mut heads = point_heads;
        heads.extend(KEY_COLUMNS.iter().map(|k| format!("Δ {k}")));
        let rows = paired
            .iter()
            .map(|p| {
                let mut r = row_start(p);
                r.extend(KEY_COLUMNS.iter().map(|k| {
                    p.paired.iter().find(|m| m.metric == *k).map_or("-".into(), |m| fmt_ci(&m.stat))
                }));
                r
            })
            .collect();
        table(&mut s, heads, rows);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    /// Runs at `share` in {0, 0.4} for seeds 1..=3 with the given failed shares.
    fn rows(failed: [[f64; 3]; 2]) -> (Grid, Vec<(Point, Summary)>) {
        let grid: Grid =
            toml::from_str("[[axis]]\nkey = \"outage.share\"\nvalues = [0.0, 0.4]").unwrap();
        let base = Scenario::parse("name = \"x\"").unwrap();
        let mut out = Vec::new();
        for (k, share) in [0.0, 0.4].into_iter().enumerate() {
            for seed in 1..=3u64 {
                let mut s = Summary::default();
                s.liveness.share_failed = failed[k][seed as usize - 1];
                s.recovery.list_ever_empty = share > 0.0 && seed == 2;
                s.recovery.recover_epochs = (seed != 3).then_some(seed);
                let coords = vec![toml::Value::Float(share)];
                out.push((Point { coords, seed, scenario: base.clone() }, s));
            }
        }
        (grid, out)
    }

    #[test]
    fn points_pair_with_the_reference_by_seed() {
        let (grid, rows) = rows([[0.01, 0.02, 0.03], [0.11, 0.02, 0.09]]);
        let stats = of(&grid, &rows);
        assert_eq!(stats.len(), 2);
        assert_eq!((stats[0].coords[0].as_str(), stats[0].seeds.clone()), ("0.0", vec![1, 2, 3]));
        let failed = stats[1].metric("share_failed").unwrap();
        assert!((failed.mean - 0.22 / 3.0).abs() < 1e-12);
        assert_eq!(failed.values, vec![0.11, 0.02, 0.09]);
        // Paired differences: 0.10, 0.00, 0.06 (mean 0.0533), not the difference of two means'
        // intervals.
        assert!(stats[0].paired.is_empty(), "the reference point pairs with nothing");
        let d = stats[1].paired.iter().find(|m| m.metric == "share_failed").unwrap();
        assert!((d.stat.mean - 0.16 / 3.0).abs() < 1e-12, "{:?}", d.stat);
        assert_eq!(d.stat.n, 3);
        // Tails: 2 of 3 runs failed more than 5%; one emptied its list.
        let tail = |p: &PointStats, k: usize| p.tails[k].stat.hits;
        assert_eq!((tail(&stats[1], 0), tail(&stats[1], 1)), (2, 1));
        assert_eq!((tail(&stats[0], 0), tail(&stats[0], 1)), (0, 0));
        // A run that never recovered is missing from the recovery mean, not a zero in it.
        let rec = stats[1].metric("recover_epochs").unwrap();
        assert_eq!((rec.n, rec.missing, rec.mean), (2, 1, 1.5));
    }

    #[test]
    fn the_markdown_states_intervals_tails_and_paired_differences() {
        let (grid, rows) = rows([[0.01, 0.02, 0.03], [0.11, 0.02, 0.09]]);
        let md = markdown(&grid, &of(&grid, &rows));
        assert!(md.contains("Means over 3 seeds per point"), "{md}");
        assert!(md.contains("| 0.4 | "), "{md}");
        assert!(md.contains("2/3 = 0.667 ["), "{md}");
        assert!(md.contains("Paired differences to `outage.share = 0.0`"), "{md}");
        assert!(md.contains("(2 of 3)"), "the unrecovered run is reported as missing:\n{md}");
        let csv = csv(&grid, &of(&grid, &rows));
        assert!(csv.lines().next().unwrap().starts_with("outage.share,kind,metric,n,"));
        assert!(csv.contains("0.4,paired_difference,share_failed,3,0,"), "{csv}");
    }
}
