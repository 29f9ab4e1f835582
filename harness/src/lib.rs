//! revm harness for the provernet contracts.
//!
//! Runs the deployed bytecode (from `provernet-bindings`) in an in-memory revm, drives it with
//! honest and adversarial actors, and checks every protocol invariant against storage and a Rust
//! reference model after every action.
//!
//! Layers, bottom up: the EVM core (`provernet-evm`: deploy, execute, views, reverts); [`slots`],
//! [`layout`] and [`chain`] (typed storage reads over the core, checked by [`cross_check`]);
//! [`model`] holds the reference model, one module per rule; [`world`] steps chain and model
//! together ([`calldata`] encodes actions, [`slot_index`] maps changed slots to entities);
//! [`actors`], [`attacks`] (issue 10's selection attackers), [`withhold`] (issue 11's withholding
//! source, its data in [`batch_data`]), [`delegators`] (issue 12's pools, created by
//! [`pool_setup`] and read by [`pool_view`]) and [`generator`] the strategies; [`invariants`] the state checks (a broken rule
//! is a [`violation::Violation`]); [`campaign`] the run loop and shrinking; [`fuzz`] the
//! `provernet fuzz` command.

pub mod action;
pub mod actors;
pub mod attacks;
pub mod batch_data;
pub mod calldata;
pub mod campaign;
pub mod chain;
pub mod cross_check;
pub mod decimal;
pub mod delegators;
pub mod drain;
pub mod fuzz;
pub mod generator;
pub mod hostile;
pub mod invariants;
pub mod layout;
pub mod model;
pub mod mutants;
pub mod params;
pub mod pool_setup;
pub mod pool_view;
pub mod rng;
pub mod slot_index;
pub mod slots;
pub mod status;
pub mod timelock;
pub mod violation;
pub mod withhold;
pub mod world;

pub use fuzz::{FuzzArgs, run};
