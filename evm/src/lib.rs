//! The in-process EVM core: the real provernet bytecode (from `provernet-bindings`) deployed into
//! one in-memory revm, and everything a Rust program needs to drive it.
//!
//! Every crate that runs the contracts in-process (the fuzz harness, the simulator) builds on this
//! crate, so the chain rules they run under are defined once: Prague, chain id [`CHAIN_ID`],
//! [`BLOCK_TIME`] seconds a block, zero gas price, no nonce checks, EIP-170's code size limit.
//!
//! - [`names`]: the chain id and the deterministic addresses of named actors;
//! - [`chain`]: the [`Chain`]: deploy, transact (optionally with the touched-storage trace), view
//!   calls, raw storage, block and time control;
//! - [`deploy`]: what gets deployed ([`Contracts`]) and with which settings ([`Genesis`]);
//! - [`epochs`]: the epoch clock the network's immutables define;
//! - [`outcome`] and [`revert`]: what a transaction did, its logs and its decoded revert.
//!
//! Reading the network's *structs* out of storage (their packing) is a layer above: the harness
//! owns it.

pub mod chain;
pub mod deploy;
pub mod epochs;
pub mod names;
pub mod outcome;
pub mod revert;

pub use chain::{Chain, prevrandao};
pub use deploy::{Addresses, Contracts, EIP170_LIMIT, Genesis, UNIT, fixture_params};
pub use epochs::{DRAWS, Epochs, KEYS_PER_SLOT, OPEN_DRAW, Slot};
pub use names::{BLOCK_TIME, CHAIN_ID, Names};
pub use outcome::Outcome;
pub use provernet_bindings::ProverNetwork::{Params, ProverNetworkErrors, ProverNetworkEvents};
pub use revert::{Revert, decode_revert};
