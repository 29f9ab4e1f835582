//! One cell of a sweep (a grid point at one seed, with the scenario it runs), how a cell is run,
//! and where the cells of a sweep run: on this machine's cores ([`LocalCells`]) or anywhere a
//! [`CellRunner`] sends them (`provernet sim sweep --queue URL` spreads them over a fleet's
//! workers).
//!
//! A cell travels as TOML text ([`Point::encode`]): the scenario came from TOML and every grid
//! override already round-trips it through TOML (`Scenario::with_override`), and TOML keeps every
//! `f64` exactly (shortest round-trip formatting) and carries NaN. So a cell decoded on another
//! machine is the same scenario, and its summary, sent back the same way, the same numbers: a sweep
//! over a queue writes the same files as a local one.

use eyre::{Result, WrapErr, eyre};
use indicatif::ProgressBar;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::engine;
use crate::metrics::Summary;
use crate::scenario::Scenario;

/// One cell of a sweep: a grid point at one seed, and the scenario it runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    /// Values of each axis, as written in the grid.
    pub coords: Vec<toml::Value>,
    /// Seed.
    pub seed: u64,
    /// The scenario actually run (the grid's overrides and the seed applied).
    pub scenario: Scenario,
}

impl Point {
    /// Runs the cell: the simulation of its scenario, summarised.
    pub fn run(&self) -> Result<Summary> {
        engine::run(&self.scenario, &|_| {}).map(|r| r.summary)
    }

    /// The axis values and seed, for messages (`[6, 0.2] seed 3`).
    pub fn describe(&self) -> String {
        let coords: Vec<String> = self.coords.iter().map(ToString::to_string).collect();
        format!("[{}] seed {}", coords.join(", "), self.seed)
    }

    /// The cell as TOML text, to run elsewhere.
    pub fn encode(&self) -> Result<String> {
        toml::to_string(self).wrap_err("while encoding a sweep cell")
    }

    /// A cell from [`Point::encode`]'s text, checked like a scenario file.
    pub fn decode(text: &str) -> Result<Self> {
        let p: Self = toml::from_str(text).map_err(|e| eyre!("invalid sweep cell: {e}"))?;
        p.scenario.validate().wrap_err("in a sweep cell's scenario")?;
        Ok(p)
    }
}

/// A cell's summary as TOML text (the answer a remote cell sends back).
pub fn encode_summary(s: &Summary) -> Result<String> {
    toml::to_string(s).wrap_err("while encoding a run summary")
}

/// A summary from [`encode_summary`]'s text.
pub fn decode_summary(text: &str) -> Result<Summary> {
    toml::from_str(text).map_err(|e| eyre!("invalid run summary: {e}"))
}

/// The sweep's progress display, shared by every runner.
#[derive(Debug)]
pub struct Progress(pub(crate) ProgressBar);

impl Progress {
    /// Cells finished so far.
    pub fn set_done(&self, done: u64) {
        self.0.set_position(done);
    }

    /// One cell more finished.
    pub fn inc(&self) {
        self.0.inc(1);
    }

    /// A note beside the bar (e.g. the queue's occupancy).
    pub fn note(&self, note: String) {
        self.0.set_message(note);
    }
}

/// Runs the cells of a sweep somewhere and returns their summaries, in the cells' order.
pub trait CellRunner {
    /// Runs every cell; an error names the cell that failed.
    fn run_cells(&self, cells: &[Point], progress: &Progress) -> Result<Vec<Summary>>;
}

/// The cells on this machine, `jobs` at a time (0: one per core).
#[derive(Clone, Copy, Debug)]
pub struct LocalCells {
    /// Parallel runs.
    pub jobs: usize,
}

impl CellRunner for LocalCells {
    fn run_cells(&self, cells: &[Point], progress: &Progress) -> Result<Vec<Summary>> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs)
            .build()
            .wrap_err("while starting the thread pool")?;
        let results: Vec<Result<Summary>> = pool.install(|| {
            cells
                .par_iter()
                .map(|p| {
                    let r = p.run().wrap_err_with(|| format!("run {} failed", p.describe()));
                    progress.inc();
                    r
                })
                .collect()
        });
        results.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_and_a_summary_survive_the_trip_exactly() {
        let base = Scenario::parse("name = \"t\"\n[load]\ntx_per_block = 0.1\n").unwrap();
        let scenario = base.with_override("provers.mtbf_blocks", &toml::Value::Float(1.0 / 3.0));
        let p = Point {
            coords: vec![toml::Value::Float(1.0 / 3.0), toml::Value::String("x".into())],
            seed: u64::from(u32::MAX) + 7,
            scenario: scenario.unwrap(),
        };
        let back = Point::decode(&p.encode().unwrap()).unwrap();
        assert_eq!(back.encode().unwrap(), p.encode().unwrap());
        assert_eq!(back.coords, p.coords);
        assert_eq!(back.scenario.provers.mtbf_blocks.to_bits(), (1.0f64 / 3.0).to_bits());

        let mut s = Summary { wall_seconds: 0.1 + 0.2, ..Summary::default() };
        s.economics.profit_mean = f64::NAN;
        s.load.user_welfare = -1e-300;
        s.gas.by_kind.insert("submitProof".into(), 123_456);
        let back = decode_summary(&encode_summary(&s).unwrap()).unwrap();
        assert_eq!(back.wall_seconds.to_bits(), (0.1f64 + 0.2).to_bits());
        assert!(back.economics.profit_mean.is_nan());
        assert_eq!(back.load.user_welfare.to_bits(), (-1e-300f64).to_bits());
        assert_eq!(serde_json::to_string(&back).unwrap(), serde_json::to_string(&s).unwrap());
    }

    #[test]
    fn a_damaged_cell_is_refused_with_the_reason() {
        let err = Point::decode("seed = 1\ncoords = []\n").unwrap_err();
        assert!(format!("{err:#}").contains("invalid sweep cell"), "{err:#}");
        let mut p =
            Point { coords: vec![], seed: 1, scenario: Scenario::parse("name = \"t\"").unwrap() };
        p.scenario.provers.count = 0;
        let err = Point::decode(&p.encode().unwrap()).unwrap_err();
        assert!(format!("{err:#}").contains("provers.count = 0"), "{err:#}");
    }
}
