//! The crate's error type: each variant says what failed and what to do about it.

use std::fmt;

/// Why a queue, worker, server or metrics operation failed.
#[derive(Debug)]
pub enum FleetError {
    /// The queue server could not be reached.
    Connect {
        /// The URL tried.
        url: String,
        /// The client's error.
        reason: String,
    },
    /// A JetStream operation failed (stream/consumer setup, publish, ack, key-value access).
    Queue {
        /// What was being done.
        action: String,
        /// The client's error.
        reason: String,
    },
    /// A message in the queue or the results bucket is not what this build writes.
    BadMessage {
        /// Which message.
        what: String,
        /// The decoding error.
        reason: String,
    },
    /// The queue server binary is missing or failed to start.
    Server(String),
    /// The metrics exporter could not start.
    Metrics {
        /// The listen address.
        addr: std::net::SocketAddr,
        /// The exporter's error.
        reason: String,
    },
}

impl fmt::Display for FleetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect { url, reason } => write!(
                f,
                "cannot reach the job queue at {url}: {reason}; start the queue server \
                 (`make queue-server` installs it, `nats-server -js -sd DIR` runs it) or fix --queue"
            ),
            Self::Queue { action, reason } => write!(
                f,
                "job queue: {action} failed: {reason} (is the server running with JetStream, `-js`?)"
            ),
            Self::BadMessage { what, reason } => write!(
                f,
                "{what} cannot be decoded ({reason}): it was written by another provernet version; \
                 drain the queue or use a separate stream"
            ),
            Self::Server(why) => write!(f, "queue server: {why}"),
            Self::Metrics { addr, reason } => {
                write!(f, "cannot serve metrics on {addr}: {reason}; choose a free --metrics-addr")
            }
        }
    }
}

impl std::error::Error for FleetError {}

/// A [`FleetError::Queue`] for the action that failed.
pub(crate) fn queue_err(action: impl Into<String>, e: impl fmt::Display) -> FleetError {
    FleetError::Queue { action: action.into(), reason: e.to_string() }
}
