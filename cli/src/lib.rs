//! The provernet command line as a library.
//!
//! Every command of the `provernet` binary is a thin shell (in [`cli`]) over the typed API in the
//! other modules, so tests, the devnet and future subcommands (`fuzz`, `sim`) drive exactly the
//! same code paths as a user at a terminal.

pub mod agent;
pub mod amount;
pub mod anvil;
pub mod chain;
pub mod cli;
pub mod deployment;
pub mod devnet;
pub mod exit;
pub mod fleet;
pub mod landing;
pub mod net;
pub mod ops;
pub mod output;
pub mod params;
pub mod pending;
pub mod proof;
pub mod revert;
pub mod secrets;
pub mod signer;
pub mod sweep_cells;

pub use chain::Chain;
pub use deployment::Deployment;
pub use net::Net;
