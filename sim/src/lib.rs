//! Agent-based simulation of the provernet prover network on the real contract bytecode.
//!
//! A [`scenario::Scenario`] (TOML) describes provers (stake, hardware, downtime, strategy), the
//! rollup's load and every contract parameter. [`engine::run`] deploys the real `ProverNetwork`
//! bytecode into the in-process EVM core ([`provernet_evm`]) and steps the agents block by block: every agent action is a
//! transaction, and every outcome (who is drawn, who is slashed, who wins a race) is read back from
//! the chain's events. Where to find a rule:
//! - what happens in a block, in order, and which agent does it: `agents::BLOCK_STEPS`
//!   (`agents/{keeper,prover,rollup,race}.rs`, one file per agent and one for the open race);
//! - what a prover decides (reveals, proves its assignment, joins a race) and how each adversary
//!   differs from the honest prover: [`policy`]; how a proof plays out on its machine (decisions on
//!   the expected time, outage kills, crash retries, abandonment at the deadline):
//!   `agents/proof_run.rs`; whether a race pays against the competition: `agents/race_join.rs`;
//! - the off-chain model (outages, proving time and cost): `offchain.rs`; what the chain's
//!   events change: `ledger.rs`; the end-of-run metrics: `report.rs`;
//! - liquid proving pools and their delegators (`[delegators]`): the policy in [`delegators`], the
//!   pools on chain in [`pools`], their cross-checks and figures in [`pool_report`].
//! - a batch source that withholds data, the provers' data challenges and the keeper's voiding:
//!   `withholding.rs`; why honest provers miss and what they lose it to: `losses.rs`.
//!
//! [`output`] writes `summary.json`, `timeseries.csv`, `provers.csv` and plots; [`sweep`] runs a
//! parameter grid on all cores (or, through a [`cell::CellRunner`], anywhere); [`cli`] is the
//! command line.

mod agents;
pub mod cell;
pub mod cli;
pub mod delegators;
pub mod engine;
mod ledger;
mod losses;
pub mod metrics;
mod offchain;
pub mod outage;
pub mod output;
pub mod plot;
pub mod policy;
pub mod pool_report;
pub mod pools;
pub mod population;
mod recovery;
pub mod replicates;
mod report;
pub mod rng;
pub mod scenario;
pub mod stats;
pub mod sweep;
mod withholding;
mod world;
