//! revm harness for the provernet contracts.
//!
//! Runs the deployed bytecode (from `provernet-bindings`) in an in-memory revm, drives it with
//! honest and adversarial actors, and checks every protocol invariant against storage and a Rust
//! reference model after every action.
//!
//! Layers, bottom up: [`chain`] (deploy, execute typed calls, decode events and reverts) and
//! [`state`] (typed storage reads) form the reusable core; [`model`] and [`world`] hold the
//! reference model; [`actors`] and [`generator`] the strategies; [`invariants`] the checks;
//! [`campaign`] the run loop and shrinking; [`fuzz`] the `provernet fuzz` command.

pub mod action;
pub mod actors;
pub mod campaign;
pub mod chain;
pub mod fuzz;
pub mod generator;
pub mod hostile;
pub mod invariants;
pub mod model;
pub mod mutants;
pub mod rng;
pub mod state;
pub mod world;

pub use fuzz::{FuzzArgs, run};
