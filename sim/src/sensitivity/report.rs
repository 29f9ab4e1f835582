//! The sensitivity analysis's outputs: `sensitivity.json` (everything), `sensitivity.md` (the
//! ranking per KPI with intervals, and the trees), `samples.csv` (each point's inputs and KPI
//! means) and `tornado.{svg,png}` (per KPI, each input's SRRC with its interval, largest on top).

use std::fmt::Write as _;
use std::path::Path;

use eyre::{Result, WrapErr, eyre};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Analysis, KpiResult};

/// Writes every output of `a` into `out`.
pub fn write(out: &Path, a: &Analysis) -> Result<()> {
    let json = serde_json::to_string_pretty(a).wrap_err("while encoding sensitivity.json")?;
    std::fs::write(out.join("sensitivity.json"), json)
        .wrap_err("while writing sensitivity.json")?;
    std::fs::write(out.join("sensitivity.md"), markdown(a))
        .wrap_err("while writing sensitivity.md")?;
    std::fs::write(out.join("samples.csv"), samples_csv(a))
        .wrap_err("while writing samples.csv")?;
    tornado(&out.join("tornado"), a)
}

fn samples_csv(a: &Analysis) -> String {
    let mut s = String::from("sample");
    for h in a.spec.input.iter().map(|i| &i.key).chain(&a.spec.kpis) {
        let _ = write!(s, ",{h}");
    }
    s.push('\n');
    for (i, (x, y)) in a.samples.iter().zip(&a.kpi_means).enumerate() {
        let _ = write!(s, "{i}");
        for v in x.iter().chain(y) {
            let _ = write!(s, ",{v}");
        }
        s.push('\n');
    }
    s
}

fn f3(v: f64) -> String {
    if v.is_finite() { format!("{v:+.2}") } else { "n/a".into() }
}

fn markdown(a: &Analysis) -> String {
    let sp = &a.spec;
    let mut s = format!(
        "# Sensitivity of `{}`\n\n{} Latin-hypercube points x {} seeds ({} runs); KPIs are each \
         point's mean over its seeds. Intervals: 95% bootstrap over the points ({} resamples). \
         Runs whose books disagreed with the chain: {}.\n\n",
        a.scenario,
        sp.samples,
        sp.seeds.len(),
        sp.samples * sp.seeds.len(),
        sp.bootstrap,
        a.inconsistent_runs
    );
    s.push_str("| input | min | max | scale |\n|---|---:|---:|---|\n");
    for i in &sp.input {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} |",
            i.key,
            i.min,
            i.max,
            if i.log { "log" } else { "linear" }
        );
    }
    if !sp.set.is_empty() {
        let set: Vec<String> = sp.set.iter().map(|(k, v)| format!("`{k}` = {v}")).collect();
        let _ = writeln!(s, "\nFixed for every run: {}.", set.join(", "));
    }
    let names: Vec<String> = sp.input.iter().map(|i| i.key.clone()).collect();
    for k in &a.kpis {
        kpi_section(&mut s, k, &names);
    }
    s
}

/// One KPI's section; `names`: the inputs in the spec's order (the trees' input indices).
fn kpi_section(s: &mut String, k: &KpiResult, names: &[String]) {
    let _ = writeln!(
        s,
        "\n## `{}`\n\nMean {:.4} over {} points (range {:.4} to {:.4}); the seeds' noise is {:.0}% \
         of the variance between points.",
        k.kpi,
        k.mean,
        k.points,
        k.range.0,
        k.range.1,
        100.0 * k.seed_noise_share
    );
    let Some(r2) = k.rank_r2 else {
        s.push_str(
            "\nThe KPI did not vary over the points (or too few measured it): nothing to rank.\n",
        );
        return;
    };
    let _ = writeln!(
        s,
        "Rank regression R^2 = {r2:.2}; the tree's leaves explain {:.0}% of the variance.\n",
        100.0 * k.tree_r2
    );
    s.push_str("| rank | input | SRRC | 95% CI | PRCC | 95% CI |\n|---:|---|---:|---|---:|---|\n");
    for (i, e) in k.ranking.iter().enumerate() {
        let mark = if e.clear() { "" } else { " (CI holds 0)" };
        let _ = writeln!(
            s,
            "| {} | `{}`{mark} | {} | [{}, {}] | {} | [{}, {}] |",
            i + 1,
            e.input,
            f3(e.srrc),
            f3(e.srrc_ci.0),
            f3(e.srrc_ci.1),
            f3(e.prcc),
            f3(e.prcc_ci.0),
            f3(e.prcc_ci.1)
        );
    }
    if let Some(t) = &k.tree {
        let _ = writeln!(s, "\n```text\n{}```", t.text(names, &k.kpi));
    }
}

/// Per KPI a panel: each input's SRRC as a bar from 0, its bootstrap interval as a whisker,
/// inputs ordered by |SRRC| (largest on top).
fn tornado(stem: &Path, a: &Analysis) -> Result<()> {
    crate::plot::register_font();
    let panels: Vec<&KpiResult> = a.kpis.iter().filter(|k| !k.ranking.is_empty()).collect();
    let cols = panels.len().clamp(1, 2);
    let rows = panels.len().div_ceil(cols).max(1);
    let h = 90 + 34 * a.spec.input.len() as u32;
    let size = (620 * cols as u32, h * rows as u32);
    let svg = stem.with_extension("svg");
    let png = stem.with_extension("png");
    {
        let root = SVGBackend::new(&svg, size).into_drawing_area();
        draw_all(&root, &panels, rows, cols)
            .map_err(|e| eyre!("while drawing {}: {e}", svg.display()))?;
    }
    let root = BitMapBackend::new(&png, size).into_drawing_area();
    draw_all(&root, &panels, rows, cols).map_err(|e| eyre!("while drawing {}: {e}", png.display()))
}

fn draw_all<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    panels: &[&KpiResult],
    rows: usize,
    cols: usize,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    for (area, k) in root.split_evenly((rows, cols)).iter().zip(panels) {
        draw(area, k).map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    k: &KpiResult,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let n = k.ranking.len();
    // Row 0 at the bottom: the largest effect gets the top row.
    let row = |i: usize| (n - 1 - i) as f64;
    let names: Vec<String> = k.ranking.iter().map(|e| e.input.clone()).collect();
    let label = move |v: &f64| {
        let r = v.round();
        if (v - r).abs() > 0.01 || r < 0.0 || r as usize >= n {
            return String::new();
        }
        names[n - 1 - r as usize].clone()
    };
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("{}: SRRC (rank R² {:.2})", k.kpi, k.rank_r2.unwrap_or(f64::NAN)),
            ("sans-serif", 17),
        )
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(230)
        .build_cartesian_2d(-1.05f64..1.05f64, -0.6f64..(n as f64 - 0.4))?;
    chart
        .configure_mesh()
        .y_labels(n)
        .y_label_formatter(&label)
        .x_desc("standardized rank regression coefficient (95% bootstrap CI)")
        .label_style(("sans-serif", 12))
        .axis_desc_style(("sans-serif", 13))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.6), (0.0, n as f64 - 0.4)],
        BLACK.mix(0.6),
    )))?;
    for (i, e) in k.ranking.iter().enumerate() {
        let y = row(i);
        let color = if e.srrc >= 0.0 { RGBColor(200, 80, 60) } else { RGBColor(60, 110, 190) };
        let fill = if e.clear() { color.filled() } else { color.mix(0.35).filled() };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y - 0.32), (e.srrc, y + 0.32)],
            fill,
        )))?;
        if e.srrc_ci.0.is_finite() {
            let (lo, hi) = e.srrc_ci;
            let whisker = BLACK.stroke_width(1);
            chart.draw_series([
                PathElement::new(vec![(lo, y), (hi, y)], whisker),
                PathElement::new(vec![(lo, y - 0.15), (lo, y + 0.15)], whisker),
                PathElement::new(vec![(hi, y - 0.15), (hi, y + 0.15)], whisker),
            ])?;
        }
    }
    Ok(())
}
