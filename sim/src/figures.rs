//! The shipped figures: `sim/figures.toml` lists every output folder under `docs/sim/` with the
//! `provernet sim` arguments that produce it. [`check`] (run by `make test` through
//! sim/tests/figures.rs and by `provernet sim figures --check`) fails when a shipped figure was made
//! on other contracts than the current ones, when a folder is missing or not listed; the
//! regeneration (`make sim-figures`, `provernet sim figures`) reruns the entries' commands
//! ([`Figure::command`]).
//!
//! The check compares hashes only: it needs neither a network nor a release build.

use std::path::{Path, PathBuf};

use eyre::{Result, WrapErr, ensure};
use serde::Deserialize;
use serde_json::Value;

use crate::provenance;

/// The manifest's path in the repository.
pub const MANIFEST: &str = "sim/figures.toml";

/// The folder that holds the shipped figures.
pub const FIGURES_DIR: &str = "docs/sim";

/// What every check failure asks for.
pub const FIX: &str = "run make sim-figures";

/// `sim/figures.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The shipped figures.
    #[serde(default)]
    pub figure: Vec<Figure>,
    /// Folders shipped before the manifest existed, tolerated until they get an entry (and so are
    /// regenerated): the list may only shrink. Each must still exist, and none may also be a
    /// figure.
    #[serde(default)]
    pub awaiting_entry: Vec<String>,
}

/// One shipped figure folder.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// The folder the command writes, `docs/sim/NAME`.
    pub out: String,
    /// `provernet sim` arguments without `--out` (added from `out`): `["sweep", "--scenario", ...]`.
    pub args: Vec<String>,
}

impl Figure {
    /// The folder's name (`--only NAME`).
    pub fn name(&self) -> &str {
        self.out.rsplit('/').next().unwrap_or(&self.out)
    }

    /// The full `provernet sim` arguments: the entry's, `--out`, and `--reproducible` so that the
    /// files depend only on the scenario, the seeds and the contracts (no wall-clock times), and
    /// `--quiet` for a run (the regeneration prints its own progress).
    pub fn command(&self) -> Vec<String> {
        let mut a = self.args.clone();
        a.extend(["--out".to_string(), self.out.clone()]);
        // `sensitivity` records no wall-clock time, so it has no such switch to pass.
        if matches!(a[0].as_str(), "run" | "sweep") && !a.iter().any(|x| x == "--reproducible") {
            a.push("--reproducible".into());
        }
        if a[0] == "run" && !a.iter().any(|x| x == "--quiet") {
            a.push("--quiet".into());
        }
        a
    }
}

impl Manifest {
    /// Reads and checks the manifest at `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).wrap_err_with(|| {
            format!(
                "while reading the figure manifest {} (run from the repository root)",
                path.display()
            )
        })?;
        Self::parse(&text).wrap_err_with(|| format!("in the figure manifest {}", path.display()))
    }

    /// Parses and checks a manifest.
    pub fn parse(text: &str) -> Result<Self> {
        let m: Self = toml::from_str(text).map_err(|e| eyre::eyre!("invalid TOML: {e}"))?;
        let prefix = format!("{FIGURES_DIR}/");
        for (k, f) in m.figure.iter().enumerate() {
            let name = f.out.strip_prefix(&prefix).unwrap_or("");
            ensure!(
                !name.is_empty() && !name.contains('/') && name != "." && name != "..",
                "figure {k}: out = \"{}\" must be a folder directly under {FIGURES_DIR}/ (e.g. \"{FIGURES_DIR}/sweep-load\")",
                f.out
            );
            ensure!(
                matches!(f.args.first().map(String::as_str), Some("run" | "sweep" | "sensitivity")),
                "figure {}: args must start with \"run\", \"sweep\" or \"sensitivity\" (the `provernet sim` command), found {:?}",
                f.out,
                f.args.first()
            );
            ensure!(
                !f.args.iter().any(|a| a == "--out" || a.starts_with("--out=")),
                "figure {}: leave --out out of args: it comes from `out`",
                f.out
            );
            ensure!(
                m.figure[..k].iter().all(|g| g.out != f.out),
                "figure {} is listed twice",
                f.out
            );
            ensure!(
                !m.awaiting_entry.contains(&f.out),
                "{} is both a figure and awaiting an entry: remove it from awaiting_entry",
                f.out
            );
        }
        Ok(m)
    }

    /// The figures `only` names (all when empty); an unknown name is an error listing the known.
    pub fn select(&self, only: &[String]) -> Result<Vec<&Figure>> {
        for o in only {
            ensure!(
                self.figure.iter().any(|f| f.name() == o),
                "no figure named `{o}` in {MANIFEST}; known: {}",
                self.figure.iter().map(Figure::name).collect::<Vec<_>>().join(", ")
            );
        }
        Ok(self
            .figure
            .iter()
            .filter(|f| only.is_empty() || only.iter().any(|o| o == f.name()))
            .collect())
    }
}

/// The bytecode hash a figure folder recorded: `summary.json`'s (a run), `stats.json`'s (a sweep) or
/// `provenance.json`'s (a sensitivity analysis);
/// None if it has neither or they predate the hash.
pub fn recorded_hash(dir: &Path) -> Result<Option<String>> {
    // A sensitivity analysis writes neither: its provenance.json is its record.
    for name in ["stats.json", "summary.json", provenance::FILE] {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .wrap_err_with(|| format!("while reading {}", path.display()))?;
        let v: Value = serde_json::from_str(&text)
            .wrap_err_with(|| format!("{} is not valid JSON", path.display()))?;
        let hash = v.get("bytecode_hash").and_then(Value::as_str).filter(|h| !h.is_empty());
        return Ok(hash.map(str::to_string));
    }
    Ok(None)
}

/// Everything wrong with the shipped figures under `root` (the repository) against `manifest`
/// and the contracts compiled into this binary: one line per problem, naming the folder and what to
/// do. Empty: every figure is current.
pub fn check(root: &Path, manifest: &Manifest) -> Result<Vec<String>> {
    let current = provenance::bytecode_hash();
    let mut problems = Vec::new();
    for f in &manifest.figure {
        let dir = root.join(&f.out);
        if !dir.is_dir() {
            problems.push(format!("{}: listed in {MANIFEST} but missing: {FIX}", f.out));
            continue;
        }
        match recorded_hash(&dir)? {
            Some(h) if h == current => {}
            Some(h) => problems.push(format!(
                "{}: made on contracts with bytecode hash {h}, the current contracts' is {current}: {FIX}",
                f.out
            )),
            None => problems.push(format!(
                "{}: records no bytecode hash (no summary.json, stats.json or provenance.json carrying one): {FIX}",
                f.out
            )),
        }
    }
    for d in &manifest.awaiting_entry {
        if !root.join(d).is_dir() {
            problems.push(format!(
                "{d}: in awaiting_entry of {MANIFEST} but missing: remove it from the list"
            ));
        }
    }
    let listed = |d: &str| {
        manifest.figure.iter().any(|f| f.out == d) || manifest.awaiting_entry.iter().any(|a| a == d)
    };
    for d in shipped_dirs(root)? {
        if !listed(&d) {
            problems
                .push(format!("{d}: not in {MANIFEST}: add its entry (out and args) and {FIX}"));
        }
    }
    Ok(problems)
}

/// Every folder directly under `docs/sim/`, as `docs/sim/NAME`, sorted.
fn shipped_dirs(root: &Path) -> Result<Vec<String>> {
    let base: PathBuf = root.join(FIGURES_DIR);
    let mut dirs = Vec::new();
    for e in
        std::fs::read_dir(&base).wrap_err_with(|| format!("while listing {}", base.display()))?
    {
        let e = e?;
        if e.file_type()?.is_dir() {
            dirs.push(format!("{FIGURES_DIR}/{}", e.file_name().to_string_lossy()));
        }
    }
    dirs.sort();
    Ok(dirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(manifest: &str, dirs: &[(&str, Option<&str>)]) -> (tempfile::TempDir, Manifest) {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join(FIGURES_DIR)).unwrap();
        std::fs::write(root.path().join(FIGURES_DIR).join("bench.md"), "a file, not a figure")
            .unwrap();
        for (name, hash) in dirs {
            let d = root.path().join(FIGURES_DIR).join(name);
            std::fs::create_dir_all(&d).unwrap();
            if let Some(h) = hash {
                let json = format!("{{\"bytecode_hash\": \"{h}\", \"points\": []}}");
                std::fs::write(d.join("stats.json"), json).unwrap();
            }
        }
        (root, Manifest::parse(manifest).unwrap())
    }

    const TWO: &str = "[[figure]]\nout = \"docs/sim/a\"\nargs = [\"sweep\", \"--scenario\", \"s.toml\"]\n\
                       [[figure]]\nout = \"docs/sim/b\"\nargs = [\"run\", \"--scenario\", \"s.toml\"]\n";

    #[test]
    fn current_figures_pass_and_each_fault_names_its_folder() {
        let now = provenance::bytecode_hash();
        let (root, m) = fixture(TWO, &[("a", Some(&now)), ("b", Some(&now))]);
        assert_eq!(check(root.path(), &m).unwrap(), Vec::<String>::new());

        let old = format!("0x{}", "11".repeat(32));
        let (root, m) = fixture(TWO, &[("a", Some(&old)), ("c", None)]);
        let p = check(root.path(), &m).unwrap();
        assert_eq!(p.len(), 3, "{p:#?}");
        assert!(
            p[0].starts_with("docs/sim/a: made on contracts with bytecode hash 0x1111"),
            "{}",
            p[0]
        );
        assert!(p[1].starts_with("docs/sim/b: listed in sim/figures.toml but missing"), "{}", p[1]);
        assert!(p[2].starts_with("docs/sim/c: not in sim/figures.toml"), "{}", p[2]);
        assert!(p.iter().all(|l| l.contains("run make sim-figures")), "{p:#?}");

        // A folder with no recorded hash (made before hashes were recorded).
        let (root, m) = fixture(TWO, &[("a", Some(&now)), ("b", None)]);
        let p = check(root.path(), &m).unwrap();
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("docs/sim/b: records no bytecode hash"), "{}", p[0]);
    }

    #[test]
    fn folders_awaiting_an_entry_are_tolerated_only_while_they_exist() {
        let now = provenance::bytecode_hash();
        let m = format!("awaiting_entry = [\"docs/sim/old\", \"docs/sim/gone\"]\n{TWO}");
        let (root, m) = fixture(&m, &[("a", Some(&now)), ("b", Some(&now)), ("old", None)]);
        let p = check(root.path(), &m).unwrap();
        assert_eq!(
            p,
            vec![
                "docs/sim/gone: in awaiting_entry of sim/figures.toml but missing: remove it from the list"
            ]
        );
    }

    #[test]
    fn bad_entries_are_refused_with_what_to_write() {
        let bad = [
            (
                "[[figure]]\nout = \"out/x\"\nargs = [\"run\"]",
                "must be a folder directly under docs/sim/",
            ),
            (
                "[[figure]]\nout = \"docs/sim/x/y\"\nargs = [\"run\"]",
                "must be a folder directly under",
            ),
            (
                "[[figure]]\nout = \"docs/sim/x\"\nargs = [\"bench\"]",
                "must start with \"run\", \"sweep\" or \"sensitivity\"",
            ),
            (
                "[[figure]]\nout = \"docs/sim/x\"\nargs = [\"run\", \"--out\", \"y\"]",
                "leave --out out of args",
            ),
            (
                "[[figure]]\nout = \"docs/sim/x\"\nargs = [\"run\"]\n[[figure]]\nout = \"docs/sim/x\"\nargs = [\"run\"]",
                "listed twice",
            ),
            (
                "awaiting_entry = [\"docs/sim/x\"]\n[[figure]]\nout = \"docs/sim/x\"\nargs = [\"run\"]",
                "both a figure and awaiting",
            ),
            ("[[figure]]\nout = \"docs/sim/x\"\nargs = [\"run\"]\nseeds = 3", "invalid TOML"),
        ];
        for (text, want) in bad {
            let e = format!("{:#}", Manifest::parse(text).unwrap_err());
            assert!(e.contains(want), "{text}\n-> {e}");
        }
    }

    #[test]
    fn the_command_adds_out_and_reproducible_and_only_selects_by_name() {
        let m = Manifest::parse(TWO).unwrap();
        assert_eq!(
            m.figure[0].command(),
            ["sweep", "--scenario", "s.toml", "--out", "docs/sim/a", "--reproducible"]
        );
        assert_eq!(
            m.figure[1].command(),
            ["run", "--scenario", "s.toml", "--out", "docs/sim/b", "--reproducible", "--quiet"]
        );
        let sensitivity = Figure {
            out: "docs/sim/c".into(),
            args: vec!["sensitivity".into(), "--spec".into(), "x.toml".into()],
        };
        assert_eq!(
            sensitivity.command(),
            ["sensitivity", "--spec", "x.toml", "--out", "docs/sim/c"],
            "sensitivity has no wall-clock time to leave out"
        );
        assert_eq!(m.select(&["b".into()]).unwrap().len(), 1);
        assert_eq!(m.select(&[]).unwrap().len(), 2);
        let e = m.select(&["z".into()]).unwrap_err().to_string();
        assert!(e.contains("no figure named `z`") && e.contains("known: a, b"), "{e}");
    }
}
