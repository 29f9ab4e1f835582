//! `provernet sim report`: the page of a real sweep and a real run (made by the `provernet-sim`
//! binary on the tiny scenario), opened in headless Chromium. The page's own script marks every
//! plot and table it measured; the test reads the rendered DOM and requires every SVG file of the
//! folder to be on the page, drawn, and every table to be laid out. Chromium comes from
//! `PROVERNET_CHROMIUM`, which `make test` exports after `make chromium` installs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the simulator binary from the repository root; panics with its output if it fails.
fn sim(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_provernet-sim"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the provernet-sim binary runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "provernet-sim {args:?} failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn chromium() -> PathBuf {
    let path = std::env::var_os("PROVERNET_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| {
        panic!(
            "PROVERNET_CHROMIUM is not set: run the tests through `make test` (its `chromium` \
             target installs Debian's chromium and exports the variable), or set it to a chromium \
             binary, e.g. PROVERNET_CHROMIUM=/usr/bin/chromium"
        )
    });
    assert!(
        path.is_file(),
        "PROVERNET_CHROMIUM={} does not exist: run `make chromium` (apt-get install chromium)",
        path.display()
    );
    path
}

/// The DOM of `page` after its scripts ran, from headless Chromium (killed after 120 s).
fn rendered_dom(page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let mut child = Command::new(chromium())
        .args(["--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", &url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium exited with {status} on {url}");
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish rendering {url} within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap().expect("chromium's output is text")
}

/// The value of attribute `name` in the tag text `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// Every opening tag `<element ...>` of the DOM.
fn tags<'a>(dom: &'a str, element: &str) -> Vec<&'a str> {
    let open = format!("<{element} ");
    dom.match_indices(&open).map(|(i, _)| &dom[i..i + dom[i..].find('>').unwrap_or(0)]).collect()
}

/// Checks the rendered DOM: every plot in `plots` is on the page and drawn, every table laid out,
/// and the page counted them all. Returns what is wrong.
fn check_rendered(dom: &str, plots: &[String], tables: usize) -> Result<(), String> {
    let figures = tags(dom, "figure");
    let mut problems = Vec::new();
    for p in plots {
        match figures.iter().find(|f| attr(f, "data-plot") == Some(p)) {
            None => problems.push(format!("plot {p} is missing from the page")),
            Some(f) if attr(f, "data-render") != Some("ok") => problems.push(format!(
                "plot {p} did not render: {:?} with {:?} shapes",
                attr(f, "data-render"),
                attr(f, "data-marks")
            )),
            Some(_) => {}
        }
    }
    let laid_out = tags(dom, "table")
        .iter()
        .filter(|t| attr(t, "data-table").is_some() && attr(t, "data-render") == Some("ok"))
        .count();
    if laid_out != tables {
        problems.push(format!("{laid_out} of {tables} tables rendered"));
    }
    let body = tags(dom, "body");
    let summary = body.first().and_then(|b| attr(b, "data-render-summary"));
    let want = format!("ok {} of {}", plots.len() + tables, plots.len() + tables);
    if summary != Some(want.as_str()) {
        problems.push(format!("the page's own check says {summary:?}, expected {want:?}"));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

/// The SVG files of a folder: what the page must show.
fn svg_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    v.sort();
    v
}

fn tiny_sweep(dir: &Path) -> PathBuf {
    let grid = dir.join("grid.toml");
    std::fs::write(&grid, "seeds = [1, 2]\nset = { \"duration.batches\" = 30 }\n[[axis]]\nkey = \"provers.count\"\nvalues = [6, 12]\n")
        .unwrap();
    let out = dir.join("sweep <&\"'>");
    let (g, o) = (grid.to_str().unwrap(), out.to_str().unwrap());
    sim(&["sweep", "--scenario", "scenarios/tiny.toml", "--grid", g, "--out", o, "--reproducible"]);
    out
}

#[test]
fn a_sweep_report_shows_every_plot_and_table_with_its_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = tiny_sweep(dir.path());
    let page = dir.path().join("page.html");
    let said =
        sim(&["report", "--sweep", sweep.to_str().unwrap(), "--out", page.to_str().unwrap()]);
    let html = std::fs::read_to_string(&page).unwrap();
    let plots = svg_files(&sweep);
    assert_eq!(plots, ["lists.svg", "sweep.svg"], "the sweep's plots");
    // Provenance, statistics with intervals, the runs; no external resource; names escaped.
    let hash = provernet_sim::provenance::bytecode_hash();
    assert!(html.contains(&hash), "the bytecode hash is on the page");
    assert!(
        html.contains("provernet sim sweep --scenario scenarios/tiny.toml --grid"),
        "the command"
    );
    assert!(html.contains("the contracts of this build"));
    assert!(html.contains("Means over seeds") && html.contains("Tail probabilities"));
    assert!(html.contains("Paired differences to the reference point"));
    assert!(html.contains("P(failed share &gt; 5%)"), "tail names are escaped");
    assert!(html.contains("sweep &lt;&amp;&quot;&#39;&gt;"), "the folder's name is escaped");
    assert!(!html.contains("sweep <&"), "no raw folder name");
    for external in ["http://", "https://", "src=", "<link"] {
        let outside_svg_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(!outside_svg_ns.contains(external), "the page refers to {external}");
    }
    // 4 tables: provenance, means, tails, paired differences, runs = 5.
    assert!(said.contains("2 plots and 5 tables"), "{said}");
    let dom = rendered_dom(&page);
    check_rendered(&dom, &plots, 5).unwrap_or_else(|e| panic!("{e}"));

    // The check fails when a plot is empty or missing.
    let empty = "<svg width=\"400\" height=\"300\" xmlns=\"http://www.w3.org/2000/svg\"></svg>";
    std::fs::write(sweep.join("lists.svg"), empty).unwrap();
    sim(&["report", "--sweep", sweep.to_str().unwrap(), "--out", page.to_str().unwrap()]);
    let e = check_rendered(&rendered_dom(&page), &plots, 5).unwrap_err();
    assert!(e.contains("plot lists.svg did not render: Some(\"empty\")"), "{e}");
    let dropped = std::fs::read_to_string(&page).unwrap().replace("data-plot=\"sweep.svg\"", "");
    std::fs::write(&page, dropped).unwrap();
    let e = check_rendered(&rendered_dom(&page), &plots, 5).unwrap_err();
    assert!(e.contains("plot sweep.svg is missing from the page"), "{e}");
}

#[test]
fn a_run_report_shows_its_summary_overview_and_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = out.to_str().unwrap();
    sim(&["run", "--scenario", "scenarios/tiny.toml", "--out", o, "--quiet", "--reproducible"]);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let hash = provernet_sim::provenance::bytecode_hash();
    assert_eq!(summary["bytecode_hash"], hash.as_str(), "summary.json carries the hash");
    assert_eq!(summary["wall_seconds"], 0.0, "--reproducible records no wall time");
    let p = provernet_sim::provenance::Provenance::read(&out).unwrap().expect("provenance.json");
    // Where the outputs went (--out) and --quiet are left out: the line reproduces the results.
    assert_eq!(p.command, "provernet sim run --scenario scenarios/tiny.toml --reproducible");
    sim(&["report", "--run", o]);
    let page = out.join("report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("Run summary") && html.contains("liveness.share_proven"));
    assert!(html.contains("Scenario as run") && html.contains("name = &quot;tiny&quot;"));
    let dom = rendered_dom(&page);
    check_rendered(&dom, &svg_files(&out), 2).unwrap_or_else(|e| panic!("{e}"));
}
