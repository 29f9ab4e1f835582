//! Files a run writes: `summary.json`, `scenario.toml` (as run), `timeseries.csv`, `provers.csv` and
//! `overview.{svg,png}`.

use std::fmt::Write as _;
use std::path::Path;

use eyre::{Result, WrapErr};

use crate::engine::RunResult;
use crate::plot::{self, Kind, Panel, Series};
use crate::scenario::Scenario;

/// Writes every output of a run into `out` (created if missing).
pub fn write_run(out: &Path, scenario: &Scenario, r: &RunResult) -> Result<()> {
    std::fs::create_dir_all(out)
        .wrap_err_with(|| format!("while creating the output folder {}", out.display()))?;
    let json = serde_json::to_string_pretty(&r.summary)?;
    write(out, "summary.json", json)?;
    // The scenario as run, every default filled in: the run can be repeated from this file alone.
    let resolved = toml::to_string_pretty(scenario).wrap_err("while serialising the scenario")?;
    write(out, "scenario.toml", resolved)?;
    write(out, "timeseries.csv", timeseries_csv(r))?;
    write(out, "provers.csv", provers_csv(scenario, r))?;
    if !r.summary.pools.pools_end.is_empty() {
        write(out, "pools.csv", crate::pool_report::pools_csv(&r.summary.pools))?;
    }
    plot::write(&out.join("overview"), &overview(scenario, r), 2, (640, 420))
}

fn write(out: &Path, name: &str, text: String) -> Result<()> {
    let path = out.join(name);
    std::fs::write(&path, text).wrap_err_with(|| format!("while writing {}", path.display()))
}

fn timeseries_csv(r: &RunResult) -> String {
    let mut s = String::from(
        "block,epoch,posted,proven,rescued,failed,racing,backlog,online,listed,slashed,user_value\n",
    );
    for x in &r.samples {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{:.6},{:.6}",
            x.block,
            x.epoch,
            x.posted,
            x.proven,
            x.rescued,
            x.failed,
            x.racing,
            x.backlog,
            x.online,
            x.listed,
            x.slashed,
            x.user_value
        );
    }
    s
}

fn provers_csv(scenario: &Scenario, r: &RunResult) -> String {
    let gas_price = scenario.provers.gas_cost_per_mgas / 1e6;
    let mut s = String::from(
        "address,class,strategy,stake,final_stake,reputation,assignments,proven,rescued,missed,slashes,non_reveals,\
         dodges,dodged_batches,unlisted_reveals,revenue,proving_cost,gas_cost,slashed,profit,\
         group,machines,busy_blocks,fixed_cost,capital_cost\n",
    );
    for (spec, st, end) in &r.provers {
        let gas_cost = st.gas as f64 * gas_price;
        // The column keeps its historical spelling (`noreveal`, `bountyfarm`).
        let strategy = format!("{:?}", spec.strategy).to_lowercase();
        let _ = writeln!(
            s,
            "{},{},{},{:.4},{:.4},{},{},{},{},{},{},{},{},{},{},{:.6},{:.6},{:.6},{:.6},{:.6},{},{},{},{:.6},{:.6}",
            spec.addr,
            scenario.provers.classes[spec.class].name,
            strategy,
            spec.stake,
            end.stake,
            end.reputation,
            st.assignments,
            st.proven,
            st.rescued,
            st.missed,
            st.slashes,
            st.non_reveals,
            st.dodges,
            st.dodged_batches,
            st.unlisted_reveals,
            st.revenue,
            st.proving_cost,
            gas_cost,
            st.slashed,
            st.profit(gas_price),
            spec.group.map_or("", |k| scenario.provers.groups[k].name.as_str()),
            spec.machines,
            st.busy_blocks,
            st.fixed_cost,
            st.capital_cost
        );
    }
    s
}

fn series(name: &str, r: &RunResult, f: impl Fn(&crate::engine::Sample) -> f64) -> Series {
    Series { name: name.into(), points: r.samples.iter().map(|x| (x.block as f64, f(x))).collect() }
}

fn overview(scenario: &Scenario, r: &RunResult) -> Vec<Panel> {
    let name = &scenario.name;
    let mut panels = vec![
        Panel {
            title: format!("{name}: batches"),
            x: "block".into(),
            y: "batches (cumulative)".into(),
            log_x: false,
            kind: Kind::Lines(vec![
                series("posted", r, |x| x.posted as f64),
                series("proven in window", r, |x| x.proven as f64),
                series("rescued by race", r, |x| x.rescued as f64),
                series("failed", r, |x| x.failed as f64),
            ]),
        },
        Panel {
            title: format!("{name}: transaction backlog"),
            x: "block".into(),
            y: "transactions waiting".into(),
            log_x: false,
            kind: Kind::Lines(vec![series("", r, |x| x.backlog as f64)]),
        },
    ];
    let max_t = r.proof_times.last().copied().unwrap_or(1.0).max(1.0);
    let bins = (max_t as usize).clamp(1, 40);
    let width = max_t / bins as f64;
    let mut hist = vec![0u64; bins];
    for &t in &r.proof_times {
        hist[((t / width) as usize).min(bins - 1)] += 1;
    }
    panels.push(Panel {
        title: format!("{name}: time to proof"),
        x: "blocks from posting to proof".into(),
        y: "batches".into(),
        log_x: false,
        kind: Kind::Bars(
            hist.iter()
                .enumerate()
                .map(|(i, &c)| (i as f64 * width, (i + 1) as f64 * width, c as f64))
                .collect(),
        ),
    });
    let total_stake: f64 = r.provers.iter().map(|p| p.0.stake).sum();
    let total_a: f64 = r.provers.iter().map(|p| p.1.assignments as f64).sum::<f64>().max(1.0);
    let total_w: f64 = r.provers.iter().map(|p| p.1.weight_sum).sum::<f64>().max(1.0);
    panels.push(Panel {
        title: format!("{name}: selection vs stake (per prover)"),
        x: "stake share".into(),
        y: "share".into(),
        log_x: false,
        kind: Kind::Scatter {
            series: vec![
                Series {
                    name: "assignment share".into(),
                    points: r
                        .provers
                        .iter()
                        .map(|p| (p.0.stake / total_stake, p.1.assignments as f64 / total_a))
                        .collect(),
                },
                Series {
                    name: "weight share (capped stake x reputation)".into(),
                    points: r
                        .provers
                        .iter()
                        .map(|p| (p.0.stake / total_stake, p.1.weight_sum / total_w))
                        .collect(),
                },
            ],
            diagonal: true,
        },
    });
    let gas_price = scenario.provers.gas_cost_per_mgas / 1e6;
    let mut profits: Vec<f64> = r.provers.iter().map(|(_, st, _)| st.profit(gas_price)).collect();
    profits.sort_by(|a, b| b.total_cmp(a));
    panels.push(Panel {
        title: format!("{name}: prover profit, ranked"),
        x: "prover rank".into(),
        y: "profit (tokens)".into(),
        log_x: false,
        kind: Kind::Lines(vec![Series {
            name: String::new(),
            points: profits.iter().enumerate().map(|(i, &p)| (i as f64 + 1.0, p)).collect(),
        }]),
    });
    panels.push(Panel {
        title: format!("{name}: provers"),
        x: "block".into(),
        y: "provers".into(),
        log_x: false,
        kind: Kind::Lines(vec![
            series("online", r, |x| x.online as f64),
            series("in this epoch's list", r, |x| x.listed as f64),
            series("races running", r, |x| x.racing as f64),
        ]),
    });
    panels
}
