//! `BatchStatus` of contracts/types/Batch.sol, with the names the CLI prints.

use std::fmt;

/// Lifecycle of a batch, numbered as the contract stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum BatchStatus {
    /// No such batch.
    None = 0,
    /// The drawn prover holds the exclusive proving window.
    Assigned = 1,
    /// Nobody was eligible: the race is open from the start.
    Open = 2,
    /// The assigned prover was slashed: the race is open.
    Racing = 3,
    /// Proven (terminal).
    Proven = 4,
    /// Nobody proved it before the race ended (terminal).
    Failed = 5,
    /// The assigned prover said it cannot get the data; the source must publish it on chain.
    Challenged = 6,
    /// Nobody published a challenged batch's data in time: the fee went to the prover (terminal).
    Voided = 7,
}

impl BatchStatus {
    /// Every status, in contract order.
    pub const ALL: [Self; 8] = [
        Self::None,
        Self::Assigned,
        Self::Open,
        Self::Racing,
        Self::Proven,
        Self::Failed,
        Self::Challenged,
        Self::Voided,
    ];

    /// The Solidity name (`Assigned`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::Assigned => "Assigned",
            Self::Open => "Open",
            Self::Racing => "Racing",
            Self::Proven => "Proven",
            Self::Failed => "Failed",
            Self::Challenged => "Challenged",
            Self::Voided => "Voided",
        }
    }

    /// The name of a stored code, `Unknown` for a code the contract never writes (what the CLI
    /// printed for one).
    pub fn name_of(code: u8) -> &'static str {
        Self::try_from(code).map_or("Unknown", Self::as_str)
    }

    /// True for Proven, Failed and Voided, which no transaction leaves.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Proven | Self::Failed | Self::Voided)
    }

    /// True while a race may prove the batch (Open or Racing).
    pub fn is_racing(self) -> bool {
        matches!(self, Self::Open | Self::Racing)
    }
}

impl fmt::Display for BatchStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status code the contract never writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownStatus(pub u8);

impl fmt::Display for UnknownStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not a BatchStatus (0 None .. 7 Voided)", self.0)
    }
}

impl std::error::Error for UnknownStatus {}

impl TryFrom<u8> for BatchStatus {
    type Error = UnknownStatus;

    fn try_from(code: u8) -> Result<Self, UnknownStatus> {
        Self::ALL.get(usize::from(code)).copied().ok_or(UnknownStatus(code))
    }
}

impl From<BatchStatus> for u8 {
    fn from(s: BatchStatus) -> u8 {
        s as u8
    }
}

/// The stored codes of [`BatchStatus`] (the `u8` that `batchOf` returns and storage holds), as
/// constants for `match` patterns. Defined here once so the CLI and the harness's storage reader do
/// not each keep a copy; a code the contract should never write still compares as a difference.
pub mod code {
    use super::BatchStatus;

    /// [`BatchStatus::None`]: no such batch.
    pub const NONE: u8 = BatchStatus::None as u8;
    /// [`BatchStatus::Assigned`]: the drawn prover holds the exclusive window.
    pub const ASSIGNED: u8 = BatchStatus::Assigned as u8;
    /// [`BatchStatus::Open`]: nobody was eligible; straight to the race.
    pub const OPEN: u8 = BatchStatus::Open as u8;
    /// [`BatchStatus::Racing`]: the assigned prover was slashed; race open.
    pub const RACING: u8 = BatchStatus::Racing as u8;
    /// [`BatchStatus::Proven`]: terminal, proven.
    pub const PROVEN: u8 = BatchStatus::Proven as u8;
    /// [`BatchStatus::Failed`]: terminal, nobody proved it in time.
    pub const FAILED: u8 = BatchStatus::Failed as u8;
    /// [`BatchStatus::Challenged`]: waiting for the batch's data to be published on chain.
    pub const CHALLENGED: u8 = BatchStatus::Challenged as u8;
    /// [`BatchStatus::Voided`]: terminal, the data never came; the prover was compensated.
    pub const VOIDED: u8 = BatchStatus::Voided as u8;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_follow_the_solidity_enum() {
        // The enum's members in contracts/types/Batch.sol, in declaration order.
        let sol = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../contracts/types/Batch.sol"
        ))
        .unwrap();
        let body = sol.split("enum BatchStatus {").nth(1).unwrap().split('}').next().unwrap();
        let names: Vec<&str> = body.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        assert_eq!(names, BatchStatus::ALL.map(BatchStatus::as_str));
        for (code, s) in BatchStatus::ALL.iter().enumerate() {
            assert_eq!(BatchStatus::try_from(code as u8).unwrap(), *s);
            assert_eq!(u8::from(*s), code as u8);
            assert_eq!(s.to_string(), names[code]);
        }
    }

    #[test]
    fn unknown_codes_are_refused() {
        assert_eq!(BatchStatus::try_from(8), Err(UnknownStatus(8)));
        assert_eq!(BatchStatus::name_of(6), "Challenged");
        assert_eq!(BatchStatus::name_of(255), "Unknown");
        assert_eq!(BatchStatus::name_of(3), "Racing");
        assert!(UnknownStatus(9).to_string().contains("9 is not a BatchStatus"));
    }

    #[test]
    fn terminal_and_racing_sets() {
        let terminal: Vec<_> = BatchStatus::ALL.into_iter().filter(|s| s.is_terminal()).collect();
        assert_eq!(terminal, [BatchStatus::Proven, BatchStatus::Failed, BatchStatus::Voided]);
        let racing: Vec<_> = BatchStatus::ALL.into_iter().filter(|s| s.is_racing()).collect();
        assert_eq!(racing, [BatchStatus::Open, BatchStatus::Racing]);
    }
}
