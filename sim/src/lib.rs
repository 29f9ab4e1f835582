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
//! - who the provers are (`[[provers.group]]`), how many machines they run and what those cost:
//!   [`population`], [`capacity`]; when they leave or join by profitability ([`market`], the
//!   transactions in `agents/entry.rs`) and who profits: `profit_report.rs`.
//! - a batch source that withholds data, the provers' data challenges and the keeper's voiding:
//!   `withholding.rs`; why honest provers miss and what they lose it to: `losses.rs`.
//!
//! [`output`] writes `summary.json`, `timeseries.csv`, `provers.csv` and plots; [`sweep`] runs a
//! parameter grid on all cores (or, through a [`cell::CellRunner`], anywhere); [`cli`] is the
//! command line.
//! - what produced a result (the contracts' bytecode hash, the command): [`provenance`]; the
//!   shipped figures' manifest and its check: [`figures`]; the HTML page of a sweep or run:
//!   [`html_report`].

mod agents;
pub mod capacity;
pub mod cell;
pub mod cli;
pub mod delegators;
mod demand;
pub mod engine;
pub mod figures;
pub mod html_report;
mod latency;
mod ledger;
mod losses;
pub mod market;
pub mod metrics;
mod offchain;
pub mod outage;
pub mod output;
pub mod plot;
pub mod policy;
pub mod pool_report;
pub mod pools;
pub mod population;
mod profit_report;
pub mod provenance;
mod recovery;
pub mod replicates;
mod report;
pub mod rng;
pub mod scenario;
pub mod sensitivity;
pub mod stats;
pub mod sweep;
mod withholding;
mod world;
