//! `provernet sim` and `provernet fuzz`: the in-process engines behind the CLI.

mod common;

use common::*;

#[test]
fn sim_subcommand_runs_the_tiny_scenario() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(BIN)
        .current_dir(&root)
        .args(["sim", "run", "--scenario", "scenarios/tiny.toml", "--quiet", "--out"])
        .arg(out.path())
        .output()
        .expect("provernet runs");
    assert!(run.status.success(), "sim run failed: {}", String::from_utf8_lossy(&run.stderr));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap())
            .unwrap();
    assert!(summary.is_object(), "{summary}");
    assert!(String::from_utf8_lossy(&run.stdout).contains("tiny"));
}

/// `provernet fuzz` is the harness behind the CLI: a short campaign on the real bytecode finishes
/// clean, `--json` (the CLI's global flag) gives one machine-readable report, and bad arguments exit
/// non-zero with a message.
#[test]
fn fuzz_subcommand_runs_a_clean_campaign() {
    let dir = tempfile::tempdir().unwrap();
    let run = Command::new(BIN)
        .current_dir(dir.path())
        .args(["--json", "fuzz", "--seed", "7", "--actions", "3000"])
        .output()
        .expect("provernet runs");
    assert!(run.status.success(), "fuzz failed: {}", String::from_utf8_lossy(&run.stderr));
    let report: Value = serde_json::from_slice(&run.stdout).expect("one JSON report on stdout");
    assert!(report.is_object(), "{report}");
    let text = report.to_string();
    assert!(text.contains("violation"), "the report says whether an invariant broke: {text}");

    let bad = Command::new(BIN)
        .current_dir(dir.path())
        .args(["fuzz", "--provers", "2", "--actions", "10"])
        .output()
        .expect("provernet runs");
    assert!(!bad.status.success(), "too few provers must be refused");
    assert!(!String::from_utf8_lossy(&bad.stderr).is_empty());
}
