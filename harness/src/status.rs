//! Batch statuses as numbers, as `BatchStatus` declares them (contracts/types/Batch.sol).

/// No such batch.
pub const NONE: u8 = 0;
/// The drawn prover holds the exclusive window.
pub const ASSIGNED: u8 = 1;
/// Nobody was eligible: straight to the race.
pub const OPEN: u8 = 2;
/// The assigned prover was slashed; race open.
pub const RACING: u8 = 3;
/// Terminal: proven.
pub const PROVEN: u8 = 4;
/// Terminal: nobody proved it in time.
pub const FAILED: u8 = 5;
