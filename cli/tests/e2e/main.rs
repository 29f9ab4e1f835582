//! The CLI's end-to-end tests against real anvil: one module per command over the shared helpers
//! in `tests/common` (one test binary, so the suite links once).

#[path = "../common/mod.rs"]
mod common;

mod abi;
mod agent;
mod batch;
mod challenge;
mod compound;
mod connection;
mod deploy;
mod duties;
mod engines;
mod epoch;
mod exit_codes;
mod fees;
mod fleet;
mod json;
mod landing;
mod lifecycle;
mod operator;
mod pool;
mod prover;
mod slots;
mod sweep;
mod token;
