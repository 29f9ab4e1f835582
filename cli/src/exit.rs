//! The process exit codes: one per kind of failure, so cron, systemd and scripts can tell "node
//! down" from "reverted" from "nothing to do". They are part of the CLI's interface: documented in
//! docs/cli.md and never renumbered.
//!
//! An error carries its kind as a [`Coded`] somewhere in its chain (or as one of the typed errors
//! [`code_of`] recognises); anything unclassified is [`Code::Failure`].

use std::fmt;

/// Why `provernet` stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Code {
    /// Success.
    Ok,
    /// An unexpected failure (a bug, a file system error, ...).
    Failure,
    /// The command line is malformed: unknown command or flag, missing argument.
    Usage,
    /// A value is wrong: an amount, address, file, key, keystore, or the deployment file does not
    /// match the node. Nothing was sent.
    Input,
    /// The chain's current state does not allow the action (wrong phase, nothing to claim, not
    /// registered, ...), found by the CLI's own checks. Nothing was sent.
    State,
    /// The contract refused: the simulation reverted (nothing was sent), or a sent transaction was
    /// mined and reverted.
    Revert,
    /// The RPC endpoint is unreachable or failed.
    Connection,
    /// A transaction was sent but no receipt arrived within `--tx-timeout`: it may still be mined.
    Timeout,
    /// A transaction of the same kind from the same signer is still pending. Nothing was sent.
    Pending,
    /// Ctrl-C or SIGTERM stopped a one-shot command. A transaction may be pending (its hash was
    /// printed).
    Interrupted,
    /// Stdout was closed by its reader (e.g. `| head -1`): the output stopped quietly. The
    /// conventional status of a process ended by SIGPIPE.
    ClosedPipe,
}

impl Code {
    /// The process exit status.
    pub fn status(self) -> u8 {
        match self {
            Self::Ok => 0,
            Self::Failure => 1,
            Self::Usage => 2,
            Self::Input => 3,
            Self::State => 4,
            Self::Revert => 5,
            Self::Connection => 6,
            Self::Timeout => 7,
            Self::Pending => 8,
            Self::Interrupted => 130,
            Self::ClosedPipe => 141,
        }
    }

    /// Every code, in table order (docs and tests iterate over it).
    pub const ALL: [Self; 11] = [
        Self::Ok,
        Self::Failure,
        Self::Usage,
        Self::Input,
        Self::State,
        Self::Revert,
        Self::Connection,
        Self::Timeout,
        Self::Pending,
        Self::Interrupted,
        Self::ClosedPipe,
    ];
}

impl From<Code> for std::process::ExitCode {
    fn from(c: Code) -> Self {
        Self::from(c.status())
    }
}

/// An error message with its exit code.
#[derive(Debug, Clone)]
pub struct Coded {
    /// The kind of failure.
    pub code: Code,
    /// What went wrong and what to do.
    pub message: String,
}

impl fmt::Display for Coded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Coded {}

/// An error of kind `code`.
pub fn err(code: Code, message: impl Into<String>) -> eyre::Report {
    eyre::Report::new(Coded { code, message: message.into() })
}

/// A wrong value ([`Code::Input`]).
pub fn input(message: impl Into<String>) -> eyre::Report {
    err(Code::Input, message)
}

/// The chain's state refuses the action ([`Code::State`]).
pub fn state(message: impl Into<String>) -> eyre::Report {
    err(Code::State, message)
}

/// Returns early with a [`Code::Input`] error.
#[macro_export]
macro_rules! bail_input {
    ($($t:tt)*) => { return Err($crate::exit::input(format!($($t)*))) };
}

/// Returns early with a [`Code::State`] error.
#[macro_export]
macro_rules! bail_state {
    ($($t:tt)*) => { return Err($crate::exit::state(format!($($t)*))) };
}

/// The exit code of an error: the first [`Coded`] in its chain, else what a typed error in the
/// chain says (a transport error is a connection failure, a refusal before sending is a state
/// refusal), else [`Code::Failure`].
pub fn code_of(e: &eyre::Report) -> Code {
    for cause in e.chain() {
        if let Some(c) = cause.downcast_ref::<Coded>() {
            return c.code;
        }
        if cause.downcast_ref::<crate::chain::DryRun>().is_some() {
            return Code::Ok;
        }
        if let Some(n) = cause.downcast_ref::<crate::chain::NotSent>() {
            return n.code;
        }
        if cause.downcast_ref::<alloy::transports::TransportError>().is_some() {
            return Code::Connection;
        }
        if let Some(alloy::contract::Error::TransportError(_)) =
            cause.downcast_ref::<alloy::contract::Error>()
        {
            return Code::Connection;
        }
    }
    Code::Failure
}

#[cfg(test)]
mod tests {
    use eyre::WrapErr;

    use super::*;

    #[test]
    fn statuses_are_distinct_and_stable() {
        let statuses: Vec<u8> = Code::ALL.iter().map(|c| c.status()).collect();
        assert_eq!(statuses, [0, 1, 2, 3, 4, 5, 6, 7, 8, 130, 141]);
    }

    #[test]
    fn the_first_code_in_the_chain_wins() {
        let e: eyre::Result<()> = Err(input("bad amount"));
        let e = e.wrap_err("while staking").unwrap_err();
        assert_eq!(code_of(&e), Code::Input);
        assert_eq!(code_of(&eyre::eyre!("plain")), Code::Failure);
    }
}
