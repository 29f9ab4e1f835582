//! revm harness for the provernet contracts.
//!
//! Runs the deployed bytecode (from `provernet-bindings`) in an in-memory revm, drives it with
//! honest and adversarial actors, and checks every protocol invariant against storage and a Rust
//! reference model after every action.
//!
//! Layers, bottom up: the EVM core (`provernet-evm`: deploy, execute, views, reverts); [`slots`],
//! [`layout`] and [`chain`] (typed storage reads over the core, checked by [`cross_check`]);
//! [`model`] and [`world`] hold the reference model; [`actors`] and [`generator`] the strategies;
//! [`invariants`] the checks; [`campaign`] the run loop and shrinking; [`fuzz`] the
//! `provernet fuzz` command.

pub mod action;
pub mod actors;
pub mod campaign;
pub mod chain;
pub mod cross_check;
pub mod decimal;
pub mod fuzz;
pub mod generator;
pub mod hostile;
pub mod invariants;
pub mod layout;
pub mod model;
pub mod mutants;
pub mod params;
pub mod rng;
pub mod slots;
pub mod status;
pub mod world;

pub use fuzz::{FuzzArgs, run};
