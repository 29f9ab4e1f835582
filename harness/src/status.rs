//! Batch statuses as the numbers storage holds: the bindings' codes of [`BatchStatus`] (the one
//! definition of contracts/types/Batch.sol's enum). The model and the storage reader compare raw
//! codes, so a code the contract should never write still shows up as a difference.
//!
//! [`BatchStatus`]: provernet_bindings::BatchStatus

pub use provernet_bindings::status::code::*;
