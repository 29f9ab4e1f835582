//! What one transaction did: gas, logs, return data and the decoded revert.

use alloy::primitives::{Address, Bytes, Log};
use alloy::sol_types::SolEventInterface;
use revm::context::result::ExecutionResult;

use crate::revert::{Revert, decode_revert, halt};
use provernet_bindings::ProverNetwork::ProverNetworkEvents;

/// What one transaction did.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Gas used.
    pub gas: u64,
    /// Logs (empty if it reverted).
    pub logs: Vec<Log>,
    /// Return data on success.
    pub output: Bytes,
    /// The decoded revert reason, if it reverted or halted.
    pub revert: Option<Revert>,
}

impl Outcome {
    /// True if the transaction succeeded.
    pub fn success(&self) -> bool {
        self.revert.is_none()
    }

    /// The events of contract `address` among the logs, decoded as `E` (logs of other contracts,
    /// and logs `E` does not know, are skipped).
    pub fn events<E: SolEventInterface>(&self, address: Address) -> Vec<E> {
        self.logs
            .iter()
            .filter(|l| l.address == address)
            .filter_map(|l| E::decode_log(l).ok().map(|d| d.data))
            .collect()
    }

    /// The network's events among the logs, decoded.
    pub fn network_events(&self, network: Address) -> Vec<ProverNetworkEvents> {
        self.events(network)
    }

    pub(crate) fn from_result(result: ExecutionResult) -> Self {
        let gas = result.tx_gas_used();
        match result {
            ExecutionResult::Success { logs, output, .. } => {
                Self { gas, logs, output: output.into_data(), revert: None }
            }
            ExecutionResult::Revert { output, .. } => Self {
                gas,
                logs: Vec::new(),
                output: Bytes::new(),
                revert: Some(decode_revert(&output)),
            },
            ExecutionResult::Halt { reason, .. } => {
                Self { gas, logs: Vec::new(), output: Bytes::new(), revert: Some(halt(reason)) }
            }
        }
    }
}
