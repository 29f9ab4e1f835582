//! Batch statuses as the numbers storage holds, named by the bindings' [`BatchStatus`] (the one
//! definition of contracts/types/Batch.sol's enum): the model and the storage reader compare raw
//! codes, so a code the contract should never write still shows up as a difference.

use provernet_bindings::BatchStatus;

/// No such batch.
pub const NONE: u8 = BatchStatus::None as u8;
/// The drawn prover holds the exclusive window.
pub const ASSIGNED: u8 = BatchStatus::Assigned as u8;
/// Nobody was eligible: straight to the race.
pub const OPEN: u8 = BatchStatus::Open as u8;
/// The assigned prover was slashed; race open.
pub const RACING: u8 = BatchStatus::Racing as u8;
/// Terminal: proven.
pub const PROVEN: u8 = BatchStatus::Proven as u8;
/// Terminal: nobody proved it in time.
pub const FAILED: u8 = BatchStatus::Failed as u8;
