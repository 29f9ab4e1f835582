//! Plots, drawn once as SVG and once as PNG from the same description.
//!
//! The PNG backend draws text with ab_glyph and the DejaVu Sans font bundled in `sim/assets/`
//! (Bitstream Vera licence, redistributable; see `DejaVuSans-LICENSE.txt` there), registered at
//! first use, so a machine without any system fonts still renders labels.

use std::path::Path;
use std::sync::Once;

use eyre::{Result, eyre};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

pub(crate) fn register_font() {
    REGISTER.call_once(|| {
        // The bundled file is a valid TrueType font; a failure here would only drop PNG text.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// A named series of points.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// Points.
    pub points: Vec<(f64, f64)>,
}

/// A metric over replicate runs against x: its mean, the 95% interval around it and the value of
/// every run.
#[derive(Clone, Debug)]
pub struct Band {
    /// Legend label.
    pub name: String,
    /// `(x, mean, lo, hi)`, sorted by x.
    pub mean: Vec<(f64, f64, f64, f64)>,
    /// `(x, value)` of every run.
    pub seeds: Vec<(f64, f64)>,
}

/// What a panel shows.
#[derive(Clone, Debug)]
pub enum Kind {
    /// Lines with point markers.
    Lines(Vec<Series>),
    /// Points only; `diagonal` adds the y = x reference line.
    Scatter {
        /// Point sets.
        series: Vec<Series>,
        /// Draw y = x.
        diagonal: bool,
    },
    /// Bars `(from, to, height)`.
    Bars(Vec<(f64, f64, f64)>),
    /// Means with a shaded 95% band, an error bar at each x and each run's value as a dot.
    Bands(Vec<Band>),
}

/// One chart.
#[derive(Clone, Debug)]
pub struct Panel {
    /// Title.
    pub title: String,
    /// X axis label.
    pub x: String,
    /// Y axis label.
    pub y: String,
    /// Logarithmic x axis (values must be positive).
    pub log_x: bool,
    /// Content.
    pub kind: Kind,
}

/// Writes `stem.svg` and `stem.png` with `panels` laid out in `cols` columns.
pub fn write(stem: &Path, panels: &[Panel], cols: usize, panel_size: (u32, u32)) -> Result<()> {
    register_font();
    let cols = cols.clamp(1, panels.len().max(1));
    let rows = panels.len().div_ceil(cols).max(1);
    let size = (panel_size.0 * cols as u32, panel_size.1 * rows as u32);
    let svg = stem.with_extension("svg");
    let png = stem.with_extension("png");
    {
        let root = SVGBackend::new(&svg, size).into_drawing_area();
        draw_all(&root, panels, rows, cols)
            .map_err(|e| eyre!("while drawing {}: {e}", svg.display()))?;
    }
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        draw_all(&root, panels, rows, cols)
            .map_err(|e| eyre!("while drawing {}: {e}", png.display()))?;
    }
    Ok(())
}

fn draw_all<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    panels: &[Panel],
    rows: usize,
    cols: usize,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let areas = root.split_evenly((rows, cols));
    for (area, panel) in areas.iter().zip(panels) {
        draw(area, panel).map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if (hi - lo).abs() < 1e-12 {
        let pad = if lo.abs() > 1e-12 { lo.abs() * 0.1 } else { 1.0 };
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Panel,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let tx = |x: f64| if p.log_x { x.max(1e-12).log10() } else { x };
    let (xs, ys): (Vec<f64>, Vec<f64>) = match &p.kind {
        Kind::Lines(s) | Kind::Scatter { series: s, .. } => {
            s.iter().flat_map(|s| s.points.iter().map(|&(x, y)| (tx(x), y))).unzip()
        }
        Kind::Bars(b) => b.iter().flat_map(|&(a, c, h)| [(tx(a), 0.0), (tx(c), h)]).unzip(),
        Kind::Bands(bands) => bands
            .iter()
            .flat_map(|b| {
                let ends = b.mean.iter().flat_map(|&(x, _, lo, hi)| [(tx(x), lo), (tx(x), hi)]);
                ends.chain(b.seeds.iter().map(|&(x, y)| (tx(x), y))).collect::<Vec<_>>()
            })
            .unzip(),
    };
    let (x0, x1) = bounds(xs.into_iter());
    let non_negative = ys.iter().all(|&y| y >= 0.0);
    let (mut y0, mut y1) = bounds(ys.into_iter().chain([0.0]));
    if non_negative {
        // Counts, shares and costs start at zero; an all-zero panel still gets a visible range.
        y0 = 0.0;
        if y1 <= 0.0 {
            y1 = 1.0;
        }
    }
    let log_x = p.log_x;
    let fmt_x = move |v: &f64| {
        let v = if log_x { 10f64.powf(*v) } else { *v };
        short(v)
    };
    let mut chart = ChartBuilder::on(area)
        .caption(&p.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc(p.x.as_str())
        .y_desc(p.y.as_str())
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&|v| short(*v))
        .label_style(("sans-serif", 12))
        .axis_desc_style(("sans-serif", 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    match &p.kind {
        Kind::Lines(series) => {
            for (i, s) in series.iter().enumerate() {
                let color = Palette99::pick(i).to_rgba();
                let pts: Vec<(f64, f64)> = s.points.iter().map(|&(x, y)| (tx(x), y)).collect();
                chart
                    .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?
                    .label(s.name.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                    });
                if pts.len() <= 60 {
                    chart.draw_series(pts.iter().map(|&pt| Circle::new(pt, 3, color.filled())))?;
                }
            }
            if series.len() > 1 || series.first().is_some_and(|s| !s.name.is_empty()) {
                chart
                    .configure_series_labels()
                    .label_font(("sans-serif", 12))
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK.mix(0.3))
                    .draw()?;
            }
        }
        Kind::Scatter { series, diagonal } => {
            if *diagonal {
                let hi = x1.min(y1);
                let lo = x0.max(y0);
                chart
                    .draw_series(LineSeries::new(
                        vec![(lo, lo), (hi, hi)],
                        BLACK.mix(0.4).stroke_width(1),
                    ))?
                    .label("y = x")
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.mix(0.4)));
            }
            for (i, s) in series.iter().enumerate() {
                let color = Palette99::pick(i).to_rgba();
                chart
                    .draw_series(
                        s.points
                            .iter()
                            .map(|&(x, y)| Circle::new((tx(x), y), 2, color.mix(0.6).filled())),
                    )?
                    .label(s.name.as_str())
                    .legend(move |(x, y)| Circle::new((x + 9, y), 3, color.filled()));
            }
            chart
                .configure_series_labels()
                .label_font(("sans-serif", 12))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .draw()?;
        }
        Kind::Bands(bands) => {
            for (i, b) in bands.iter().enumerate() {
                draw_band(&mut chart, b, i, &tx)?;
            }
            if bands.len() > 1 || bands.first().is_some_and(|b| !b.name.is_empty()) {
                chart
                    .configure_series_labels()
                    .label_font(("sans-serif", 12))
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK.mix(0.3))
                    .draw()?;
            }
        }
        Kind::Bars(bars) => {
            let color = Palette99::pick(0).to_rgba();
            chart.draw_series(bars.iter().map(|&(a, c, h)| {
                Rectangle::new([(tx(a), 0.0), (tx(c), h)], color.mix(0.8).filled())
            }))?;
        }
    }
    Ok(())
}

/// One [`Band`]: the shaded interval (where there are two x values or more), the error bars, the
/// mean line and the runs' dots, in the series colour `i`.
fn draw_band<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    b: &Band,
    i: usize,
    tx: &dyn Fn(f64) -> f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let color = Palette99::pick(i).to_rgba();
    if b.mean.len() > 1 {
        let upper = b.mean.iter().map(|&(x, _, _, hi)| (tx(x), hi));
        let lower = b.mean.iter().rev().map(|&(x, _, lo, _)| (tx(x), lo));
        chart.draw_series(std::iter::once(Polygon::new(
            upper.chain(lower).collect::<Vec<_>>(),
            color.mix(0.15).filled(),
        )))?;
    }
    chart.draw_series(
        b.seeds.iter().map(|&(x, y)| Circle::new((tx(x), y), 2, color.mix(0.35).filled())),
    )?;
    chart.draw_series(b.mean.iter().map(|&(x, _, lo, hi)| {
        PathElement::new(vec![(tx(x), lo), (tx(x), hi)], color.stroke_width(1))
    }))?;
    let pts: Vec<(f64, f64)> = b.mean.iter().map(|&(x, m, _, _)| (tx(x), m)).collect();
    chart
        .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?
        .label(b.name.as_str())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
    chart.draw_series(pts.iter().map(|&pt| Circle::new(pt, 3, color.filled())))?;
    Ok(())
}

/// Compact axis numbers with about three significant digits: 1200 -> 1.2k, 0.0125 -> 0.0125.
fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        return format!("{:.1}M", v / 1e6);
    }
    if a >= 1e4 {
        return format!("{:.0}k", v / 1e3);
    }
    if a == 0.0 {
        return "0".into();
    }
    let decimals = (2.0 - a.log10().floor()).clamp(0.0, 8.0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}
