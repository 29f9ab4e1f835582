//! `provernet sim report`: one self-contained HTML page for a sweep or run folder, readable
//! offline: the statistics over seeds (mean with its 95% interval, tail probabilities, paired
//! differences), the table of runs, every plot inlined as SVG, and the command and bytecode hash
//! that produced them.
//!
//! The page is built from the files the sweep or run wrote (`stats.json`, `table.csv`,
//! `summary.json`, `provenance.json`, `scenario.toml`, `*.svg`), so it reports exactly what they
//! say. Every string from them is HTML-escaped; the SVGs are our own plots, inlined as markup so
//! that their text is searchable and the page's check can measure them, and refused if they carry
//! anything active (a script, an event handler, an external reference).
//!
//! A script at the end of the page marks every plot and table it could measure: `data-render="ok"`
//! when it has a non-zero size (a plot: and at least [`MIN_MARKS`] drawn shapes and one label),
//! else `"empty"`; the body gets `data-render-summary="ok N of M"`. A headless browser reads those
//! marks (sim/tests/report_html.rs).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use eyre::{Result, WrapErr, bail, ensure};
use serde_json::Value;

use crate::provenance::{self, Provenance};
use crate::replicates::fmt_ci;
use crate::stats::MeanCi;

/// The drawn shapes (with a non-zero box) a plot needs before the page calls it rendered: a
/// plotters figure with no content still draws its white background, and one axis is 2 more.
pub const MIN_MARKS: usize = 4;

/// What the page was made of: the file names of its plots and the number of its tables, for a
/// caller (a test) that checks the rendered page against them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contents {
    /// Plot file names, in page order.
    pub plots: Vec<String>,
    /// Tables in the page.
    pub tables: usize,
}

/// Writes the report of the sweep or run folder `dir` into `out` (default `dir/report.html`) and
/// returns its path and contents.
pub fn write(dir: &Path, out: Option<&Path>) -> Result<(PathBuf, Contents)> {
    let (html, contents) = page(dir)?;
    let out = out.map_or_else(|| dir.join("report.html"), Path::to_path_buf);
    std::fs::write(&out, html).wrap_err_with(|| format!("while writing {}", out.display()))?;
    Ok((out, contents))
}

/// The page of `dir`.
pub fn page(dir: &Path) -> Result<(String, Contents)> {
    ensure!(
        dir.is_dir(),
        "{} is not a folder: pass a sweep's or a run's --out folder",
        dir.display()
    );
    let stats = read_json(dir, "stats.json")?;
    let summary = read_json(dir, "summary.json")?;
    let has_table = dir.join("table.csv").exists();
    if stats.is_none() && summary.is_none() && !has_table {
        bail!(
            "{} has none of stats.json, table.csv or summary.json: it is not the output of \
             `provernet sim sweep` or `provernet sim run`",
            dir.display()
        );
    }
    let title = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()));
    let title = title.unwrap_or_else(|| dir.display().to_string());
    let mut body = String::new();
    let mut contents = Contents::default();
    let _ = writeln!(body, "<h1>{}</h1>", esc(&title));
    provenance_section(&mut body, &mut contents, dir, stats.as_ref(), summary.as_ref())?;
    if let Some(stats) = &stats {
        stats_sections(&mut body, &mut contents, stats)?;
    }
    if let Some(summary) = &summary {
        summary_section(&mut body, &mut contents, summary);
    }
    plots_section(&mut body, &mut contents, dir)?;
    if has_table {
        runs_section(&mut body, &mut contents, dir)?;
    }
    if let Ok(toml) = std::fs::read_to_string(dir.join("scenario.toml")) {
        let _ = writeln!(body, "<h2>Scenario as run</h2>\n<pre>{}</pre>", esc(&toml));
    }
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body data-plots=\"{}\" data-tables=\"{}\">\n{body}\
         <script>{}</script>\n</body>\n</html>\n",
        esc(&format!("provernet simulation: {title}")),
        contents.plots.len(),
        contents.tables,
        CHECK_SCRIPT.replace("MIN_MARKS", &MIN_MARKS.to_string())
    );
    Ok((html, contents))
}

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse;font-size:13px;margin:.5em 0 1.5em}\
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right;white-space:nowrap}\
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}\
.scroll{overflow:auto;max-height:40em}figure{margin:1em 0}svg{max-width:100%;height:auto}\
code{background:#f3f3f3;padding:0 3px}pre{background:#f7f7f7;padding:.5em}";

/// Marks each plot and table with whether it rendered (see the module comment).
const CHECK_SCRIPT: &str = r#"
(function () {
  var ok = 0, all = 0;
  function sized(e) { var r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; }
  document.querySelectorAll('figure[data-plot]').forEach(function (f) {
    all++;
    var svg = f.querySelector('svg'), marks = 0, labels = 0;
    if (svg) {
      svg.querySelectorAll('rect,line,polyline,polygon,path,circle').forEach(function (e) {
        var b = e.getBBox(); if (b.width > 0 || b.height > 0) marks++;
      });
      svg.querySelectorAll('text').forEach(function (e) { if (e.textContent.trim()) labels++; });
    }
    var good = !!svg && sized(svg) && marks >= MIN_MARKS && labels > 0;
    f.setAttribute('data-render', good ? 'ok' : 'empty');
    f.setAttribute('data-marks', String(marks));
    if (good) ok++;
  });
  document.querySelectorAll('table[data-table]').forEach(function (t) {
    all++;
    var good = sized(t) && t.rows.length >= 2;
    t.setAttribute('data-render', good ? 'ok' : 'empty');
    if (good) ok++;
  });
  document.body.setAttribute('data-render-summary', 'ok ' + ok + ' of ' + all);
})();
"#;

/// HTML-escapes text and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn read_json(dir: &Path, name: &str) -> Result<Option<Value>> {
    let path = dir.join(name);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)
        .wrap_err_with(|| format!("while reading {}", path.display()))?;
    let v = serde_json::from_str(&text)
        .wrap_err_with(|| format!("{} is not valid JSON", path.display()))?;
    Ok(Some(v))
}

/// A table with a header row; `name` identifies it to the page's check.
fn table(
    body: &mut String,
    contents: &mut Contents,
    name: &str,
    heads: &[String],
    rows: &[Vec<String>],
) {
    contents.tables += 1;
    let _ = write!(body, "<div class=\"scroll\"><table data-table=\"{}\"><thead><tr>", esc(name));
    for h in heads {
        let _ = write!(body, "<th>{}</th>", esc(h));
    }
    body.push_str("</tr></thead><tbody>\n");
    for r in rows {
        body.push_str("<tr>");
        for c in r {
            let _ = write!(body, "<td>{}</td>", esc(c));
        }
        body.push_str("</tr>\n");
    }
    body.push_str("</tbody></table></div>\n");
}

fn provenance_section(
    body: &mut String,
    contents: &mut Contents,
    dir: &Path,
    stats: Option<&Value>,
    summary: Option<&Value>,
) -> Result<()> {
    let record = Provenance::read(dir)?;
    let field = |v: Option<&Value>, k: &str| {
        v.and_then(|v| v.get(k)).and_then(Value::as_str).map(str::to_string)
    };
    let hash = record
        .as_ref()
        .map(|p| p.bytecode_hash.clone())
        .or_else(|| field(stats, "bytecode_hash"))
        .or_else(|| field(summary, "bytecode_hash"))
        .filter(|h| !h.is_empty());
    let command = record.as_ref().map(|p| p.command.clone()).or_else(|| field(stats, "command"));
    let current = provenance::bytecode_hash();
    let verdict = match &hash {
        Some(h) if *h == current => "the contracts of this build",
        Some(_) => "OLDER contracts than this build's: regenerate it",
        None => "not recorded (written before hashes were recorded)",
    };
    let mut rows = vec![
        vec!["command".to_string(), command.unwrap_or_else(|| "not recorded".into())],
        vec!["bytecode hash".to_string(), hash.unwrap_or_else(|| "not recorded".into())],
        vec!["ran on".to_string(), verdict.to_string()],
        vec!["this build's bytecode hash".to_string(), current],
    ];
    for c in record.iter().flat_map(|p| &p.contracts) {
        rows.push(vec![format!("keccak256 of {} creation code", c.name), c.keccak256.clone()]);
    }
    body.push_str("<h2>Provenance</h2>\n");
    table(body, contents, "provenance", &["record".into(), "value".into()], &rows);
    Ok(())
}

/// A [`MeanCi`] from its JSON form, where a non-finite number is `null`.
fn mean_ci(v: &Value) -> MeanCi {
    let f = |k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let u = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
    MeanCi {
        n: u("n"),
        missing: u("missing"),
        mean: f("mean"),
        sd: f("sd"),
        lo: f("lo"),
        hi: f("hi"),
        values: Vec::new(),
    }
}

fn stats_sections(body: &mut String, contents: &mut Contents, stats: &Value) -> Result<()> {
    // Written before provenance was recorded, stats.json is the bare list of points.
    let points = stats.get("points").unwrap_or(stats).as_array().cloned().unwrap_or_default();
    ensure!(!points.is_empty(), "stats.json has no points");
    let label = |p: &Value| -> String {
        let coords: Vec<String> = p["coords"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c.as_str().unwrap_or("").to_string())
            .collect();
        if coords.is_empty() { "all runs".into() } else { coords.join(", ") }
    };
    let seeds = points[0]["seeds"].as_array().map_or(0, Vec::len);
    let list = |p: &Value, k: &str| p[k].as_array().cloned().unwrap_or_default();
    let section = |body: &mut String,
                   contents: &mut Contents,
                   key: &str,
                   name: &str,
                   pts: &[&Value],
                   intro: &str| {
        let metrics: Vec<String> = list(pts[0], key)
            .iter()
            .filter_map(|m| m["metric"].as_str().map(str::to_string))
            .collect();
        let mut heads = vec!["metric".to_string()];
        heads.extend(pts.iter().map(|p| label(p)));
        let rows: Vec<Vec<String>> = metrics
            .iter()
            .map(|m| {
                let mut r = vec![m.clone()];
                r.extend(pts.iter().map(|p| {
                    list(p, key)
                        .iter()
                        .find(|x| x["metric"].as_str() == Some(m))
                        .map_or("-".into(), |x| fmt_ci(&mean_ci(x)))
                }));
                r
            })
            .collect();
        let _ = writeln!(body, "<h2>{}</h2>\n<p>{}</p>", esc(name), esc(intro));
        table(body, contents, key, &heads, &rows);
    };
    let all: Vec<&Value> = points.iter().collect();
    section(
        body,
        contents,
        "metrics",
        "Means over seeds",
        &all,
        &format!(
            "Every metric's mean over the {seeds} seeds of each point, with its 95% Student-t interval: mean [lo, hi]; \
         (n of N) when some runs could not measure it."
        ),
    );
    let mut heads = vec!["event".to_string()];
    heads.extend(all.iter().map(|p| label(p)));
    let events: Vec<String> = list(all[0], "tails")
        .iter()
        .filter_map(|t| t["metric"].as_str().map(str::to_string))
        .collect();
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            let mut r = vec![e.clone()];
            r.extend(all.iter().map(|p| {
                list(p, "tails").iter().find(|t| t["metric"].as_str() == Some(e)).map_or(
                    "-".into(),
                    |t| {
                        let g = |k: &str| t[k].as_f64().unwrap_or(f64::NAN);
                        format!(
                            "{}/{} = {:.3} [{:.3}, {:.3}]",
                            g("hits"),
                            g("n"),
                            g("p"),
                            g("lo"),
                            g("hi")
                        )
                    },
                )
            }));
            r
        })
        .collect();
    body.push_str("<h2>Tail probabilities</h2>\n<p>Runs in which the event happened, with the 95% Wilson interval.</p>\n");
    table(body, contents, "tails", &heads, &rows);
    let paired: Vec<&Value> = points.iter().filter(|p| !list(p, "paired").is_empty()).collect();
    if !paired.is_empty() {
        section(
            body,
            contents,
            "paired",
            "Paired differences to the reference point",
            &paired,
            "Per seed, this point minus the first value of the first axis (same seed: same population and load), then the mean with its 95% interval.",
        );
    }
    Ok(())
}

/// A run's summary.json as (dotted key, value) rows; long arrays are summarised.
fn summary_section(body: &mut String, contents: &mut Contents, summary: &Value) {
    fn flatten(prefix: &str, v: &Value, rows: &mut Vec<Vec<String>>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    flatten(&key, x, rows);
                }
            }
            Value::Array(a) if a.len() > 12 => {
                rows.push(vec![prefix.into(), format!("{} values", a.len())])
            }
            Value::String(s) => rows.push(vec![prefix.into(), s.clone()]),
            x => rows.push(vec![prefix.into(), x.to_string()]),
        }
    }
    let mut rows = Vec::new();
    flatten("", summary, &mut rows);
    body.push_str("<h2>Run summary</h2>\n<p>Every field of summary.json (docs/simulation.md, \"Metrics\").</p>\n");
    table(body, contents, "summary", &["field".into(), "value".into()], &rows);
}

/// Every `*.svg` of the folder, in name order, inlined.
fn plots_section(body: &mut String, contents: &mut Contents, dir: &Path) -> Result<()> {
    let mut svgs: Vec<PathBuf> = std::fs::read_dir(dir)
        .wrap_err_with(|| format!("while listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    svgs.sort();
    if svgs.is_empty() {
        return Ok(());
    }
    body.push_str("<h2>Plots</h2>\n");
    for path in svgs {
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let text = std::fs::read_to_string(&path)
            .wrap_err_with(|| format!("while reading {}", path.display()))?;
        let svg =
            inline_svg(&text).wrap_err_with(|| format!("refusing to inline {}", path.display()))?;
        let _ = writeln!(
            body,
            "<figure data-plot=\"{}\">\n{svg}\n<figcaption>{}</figcaption>\n</figure>",
            esc(&name),
            esc(&name)
        );
        contents.plots.push(name);
    }
    Ok(())
}

/// The `<svg>` element of an SVG file, checked to be inert: the page is meant to be opened from
/// anywhere, so a plot may draw but never run or fetch anything.
pub fn inline_svg(text: &str) -> Result<&str> {
    let start = text.find("<svg").ok_or_else(|| eyre::eyre!("it has no <svg> element"))?;
    let end = text
        .rfind("</svg>")
        .map(|e| e + "</svg>".len())
        .ok_or_else(|| eyre::eyre!("its <svg> element is not closed"))?;
    ensure!(end > start, "its <svg> element is not closed");
    let svg = &text[start..end];
    let lower = svg.to_ascii_lowercase();
    for bad in [
        "<script",
        "<foreignobject",
        "javascript:",
        "href=\"http",
        "href='http",
        "<iframe",
        "url(http",
    ] {
        ensure!(!lower.contains(bad), "it contains `{bad}` (the simulator's plots never do)");
    }
    let handler = lower.match_indices("on").any(|(i, _)| {
        let after_space = lower[..i].ends_with(|c: char| c.is_ascii_whitespace());
        let rest = &lower[i + 2..];
        let name_len = rest.chars().take_while(char::is_ascii_alphabetic).count();
        after_space && name_len > 0 && rest[name_len..].trim_start().starts_with('=')
    });
    ensure!(!handler, "it has an event handler attribute (on...=)");
    Ok(svg)
}

/// `table.csv`: one row per run.
fn runs_section(body: &mut String, contents: &mut Contents, dir: &Path) -> Result<()> {
    let path = dir.join("table.csv");
    let text = std::fs::read_to_string(&path)
        .wrap_err_with(|| format!("while reading {}", path.display()))?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let heads: Vec<String> =
        lines.next().unwrap_or_default().split(',').map(str::to_string).collect();
    let rows: Vec<Vec<String>> =
        lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    let _ =
        writeln!(body, "<h2>Runs</h2>\n<p>table.csv: one row per run ({} runs).</p>", rows.len());
    table(body, contents, "runs", &heads, &rows);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn only_inert_svgs_are_inlined() {
        let plain = "<?xml version=\"1.0\"?>\n<svg width=\"2\" height=\"2\"><rect width=\"1\" height=\"1\"/></svg>\n";
        assert_eq!(
            inline_svg(plain).unwrap(),
            "<svg width=\"2\" height=\"2\"><rect width=\"1\" height=\"1\"/></svg>"
        );
        for bad in [
            "<svg><script>alert(1)</script></svg>",
            "<svg><rect onload=\"x()\"/></svg>",
            "<svg><rect ONCLICK = 'x()'/></svg>",
            "<svg><rect\n\tonmouseover=\"x()\"/></svg>",
            "<svg><image href=\"https://example.org/a.png\"/></svg>",
            "<svg><foreignObject></foreignObject></svg>",
            "<svg>",
            "no svg here",
        ] {
            assert!(inline_svg(bad).is_err(), "{bad} was accepted");
        }
        // Text that merely mentions "on" is fine.
        assert!(inline_svg("<svg><text>proven on time</text></svg>").is_ok());
    }

    #[test]
    fn a_folder_that_is_no_output_is_refused_with_what_to_pass() {
        let dir = tempfile::tempdir().unwrap();
        let e = page(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not the output of `provernet sim sweep`"), "{e}");
        let e = page(&dir.path().join("nope")).unwrap_err().to_string();
        assert!(e.contains("is not a folder"), "{e}");
    }
}
