//! `sim sensitivity` end to end on the tiny scenario: the design, the runs on the real bytecode,
//! the analysis and its files; and the spec's errors.

use std::path::{Path, PathBuf};

use provernet_sim::cell::LocalCells;
use provernet_sim::scenario::Scenario;
use provernet_sim::sensitivity::{self, Spec};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tiny() -> Scenario {
    let mut s = Scenario::load(&repo().join("scenarios/tiny.toml")).unwrap();
    s.duration.batches = 20;
    s
}

const SPEC: &str = r#"
samples = 8
seeds = [1, 2]
bootstrap = 100
tree_depth = 2
min_leaf = 2
kpis = ["share_proven", "honest_slashed", "hhi_assignments"]
set = { "provers.count" = 8 }
[[input]]
key = "provers.race_join"
min = 0.1
max = 0.9
[[input]]
key = "params.proving_window"
min = 4
max = 40
[[input]]
key = "provers.classes.1.blocks_per_mb"
min = 40.0
max = 400.0
log = true
"#;

#[test]
fn a_small_sensitivity_run_ranks_every_input_and_writes_its_files() {
    let spec = Spec::parse(SPEC).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = sensitivity::run(&tiny(), &spec, dir.path(), &LocalCells { jobs: 2 }).unwrap();
    assert_eq!(a.inconsistent_runs, 0);
    assert_eq!(a.samples.len(), 8);
    for x in &a.samples {
        assert!((0.1..=0.9).contains(&x[0]));
        assert!((4.0..=40.0).contains(&x[1]) && x[1] == x[1].round(), "an integer field: {}", x[1]);
        assert!((40.0..=400.0).contains(&x[2]));
    }
    assert_eq!(a.kpis.len(), 3);
    assert!(a.kpis.iter().any(|k| k.rank_r2.is_some()), "some KPI varies over the points");
    for k in a.kpis.iter().filter(|k| k.rank_r2.is_some()) {
        assert_eq!(k.ranking.len(), 3, "{}", k.kpi);
        assert!(k.ranking.windows(2).all(|w| w[0].srrc.abs() >= w[1].srrc.abs()), "{}", k.kpi);
        assert!(k.ranking.iter().all(|e| e.srrc_ci.0 <= e.srrc_ci.1), "{}", k.kpi);
        assert!(k.tree.is_some());
    }
    for f in ["sensitivity.json", "sensitivity.md", "samples.csv", "tornado.svg", "tornado.png"] {
        assert!(dir.path().join(f).exists(), "{f} missing");
    }
    let md = std::fs::read_to_string(dir.path().join("sensitivity.md")).unwrap();
    assert!(md.contains("8 Latin-hypercube points x 2 seeds (16 runs)"), "{md}");
    let csv = std::fs::read_to_string(dir.path().join("samples.csv")).unwrap();
    assert_eq!(csv.lines().count(), 9);
    assert!(csv.starts_with("sample,provers.race_join,params.proving_window,"));
    // The same spec designs the same points (the runs are deterministic per seed too).
    assert_eq!(spec.design(&tiny()).unwrap(), spec.design(&tiny()).unwrap());
}

#[test]
fn a_bad_spec_is_refused_with_what_to_change() {
    let cases = [
        (SPEC.replace("samples = 8", "samples = 5"), "samples = 5 is too few for 3 inputs"),
        (SPEC.replace("\"hhi_assignments\"", "\"hhi\""), "kpi `hhi` is not a table.csv column"),
        (
            SPEC.replace("min = 0.1", "min = 1.5"),
            "input `provers.race_join`: max 0.9 must be above min 1.5",
        ),
        (SPEC.replace("min = 40.0", "min = 0.0"), "a log range needs min > 0"),
        (
            SPEC.replace("tree_depth = 2", "tree_depth = 9"),
            "tree_depth = 9 must be between 1 and 4",
        ),
    ];
    for (text, want) in cases {
        let e = Spec::parse(&text).unwrap_err();
        assert!(format!("{e:#}").contains(want), "{want}: {e:#}");
    }
    let typo = Spec::parse(&SPEC.replace("provers.race_join", "provers.race_jion")).unwrap();
    let e = typo.cells(&tiny()).unwrap_err();
    assert!(
        format!("{e:#}").contains("input `provers.race_jion`: the scenario has no such field"),
        "{e:#}"
    );
    let out_of_range = Spec::parse(&SPEC.replace("max = 0.9", "max = 3.0")).unwrap();
    let e = out_of_range.cells(&tiny()).unwrap_err();
    assert!(format!("{e:#}").contains("provers.race_join"), "{e:#}");
}

#[test]
fn the_shipped_spec_applies_to_the_baseline() {
    let spec = Spec::load(&repo().join("scenarios/sensitivity.toml")).unwrap();
    let base = Scenario::load(&repo().join("scenarios/baseline.toml")).unwrap();
    let cells = spec.cells(&base).unwrap();
    assert_eq!(cells.len(), spec.samples * spec.seeds.len());
    assert_eq!(cells[0].scenario.provers.count, 30);
}
