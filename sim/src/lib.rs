//! Agent-based simulation of the provernet prover network on the real contract bytecode.
//!
//! A [`scenario::Scenario`] (TOML) describes provers (stake, hardware, downtime, strategy), the
//! rollup's load and every contract parameter. [`engine::run`] deploys the real `ProverNetwork`
//! bytecode into revm ([`evm`]) and steps the agents block by block: every agent action is a
//! transaction, and every outcome (who is drawn, who is slashed, who wins a race) is read back from
//! the chain's events. [`output`] writes `summary.json`, `timeseries.csv`, `provers.csv` and plots;
//! [`sweep`] runs a parameter grid on all cores; [`cli`] is the command line.

pub mod cli;
pub mod engine;
pub mod evm;
pub mod metrics;
pub mod output;
pub mod plot;
pub mod rng;
pub mod scenario;
pub mod sweep;
