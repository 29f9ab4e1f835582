//! The contract events the devnet follows, decoded from the network's logs into one enum, so the
//! state update ([`super::state::State::apply`]) is plain code that tests can feed directly.

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
    rpc::types::{Filter, Log},
    sol_types::SolEvent,
};
use eyre::{Result, WrapErr};
use provernet_bindings::ProverNetwork;

use crate::net::Net;

/// One event of the network, with the fields the view uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// `BatchPosted`: `prover` is zero when nobody was eligible (the race opens at once).
    Posted {
        /// The batch.
        id: u64,
        /// The drawn prover, or zero.
        prover: Address,
        /// Last block of the exclusive window.
        proving_deadline: u64,
        /// Last block of the race.
        race_deadline: u64,
    },
    /// `SlotAssigned`: a slot's draw picked the prover its batches go to (zero: the slot's
    /// remaining batches are open).
    SlotAssigned {
        /// The slot's epoch.
        epoch: u64,
        /// The slot's index in the epoch.
        index: u64,
        /// The draw (0 first; later ones when earlier provers were full; 7: open).
        draw: u64,
        /// The prover, or zero.
        prover: Address,
    },
    /// `BatchProven`.
    Proven {
        /// The batch.
        id: u64,
        /// Who was paid.
        prover: Address,
        /// Fee (plus bounty when rescued) credited.
        payout: U256,
        /// Won in the race.
        rescued: bool,
    },
    /// `BatchFailed`: nobody proved it; the fee went to the poster's claimable balance.
    Failed {
        /// The batch.
        id: u64,
        /// The credited fee.
        refund: U256,
    },
    /// `ProverSlashed`: the assigned prover let its proving window pass.
    MissedWindow {
        /// The slashed prover.
        prover: Address,
        /// The batch it missed.
        batch: u64,
        /// Stake slashed.
        amount: U256,
    },
    /// `NonRevealPenalized`: the prover committed and did not reveal.
    NonReveal {
        /// The slashed prover.
        prover: Address,
        /// The epoch of the withheld reveal.
        epoch: u64,
        /// Stake slashed.
        amount: U256,
    },
}

/// Decodes one log of the network; `None` for events the view does not follow.
pub(crate) fn decode(log: &Log) -> Result<Option<Event>> {
    let Some(topic) = log.topic0().copied() else { return Ok(None) };
    let event = match topic {
        ProverNetwork::BatchPosted::SIGNATURE_HASH => {
            let e = log.log_decode::<ProverNetwork::BatchPosted>()?.inner.data;
            Event::Posted {
                id: e.batchId.saturating_to(),
                prover: e.prover,
                proving_deadline: e.provingDeadline.saturating_to(),
                race_deadline: e.raceDeadline.saturating_to(),
            }
        }
        ProverNetwork::SlotAssigned::SIGNATURE_HASH => {
            let e = log.log_decode::<ProverNetwork::SlotAssigned>()?.inner.data;
            Event::SlotAssigned {
                epoch: e.epoch.saturating_to(),
                index: e.index.saturating_to(),
                draw: e.draw.saturating_to(),
                prover: e.prover,
            }
        }
        ProverNetwork::BatchProven::SIGNATURE_HASH => {
            let e = log.log_decode::<ProverNetwork::BatchProven>()?.inner.data;
            Event::Proven {
                id: e.batchId.saturating_to(),
                prover: e.prover,
                payout: e.payout,
                rescued: e.rescued,
            }
        }
        ProverNetwork::BatchFailed::SIGNATURE_HASH => {
            let e = log.log_decode::<ProverNetwork::BatchFailed>()?.inner.data;
            Event::Failed { id: e.batchId.saturating_to(), refund: e.refund }
        }
        ProverNetwork::ProverSlashed::SIGNATURE_HASH => {
            let e = log.log_decode::<ProverNetwork::ProverSlashed>()?.inner.data;
            Event::MissedWindow {
                prover: e.prover,
                batch: e.batchId.saturating_to(),
                amount: e.amount,
            }
        }
        ProverNetwork::NonRevealPenalized::SIGNATURE_HASH => {
            let e = log.log_decode::<ProverNetwork::NonRevealPenalized>()?.inner.data;
            Event::NonReveal { prover: e.prover, epoch: e.epoch.saturating_to(), amount: e.slashed }
        }
        _ => return Ok(None),
    };
    Ok(Some(event))
}

/// The followed events of blocks `from..=to`, each with its block number, in chain order.
pub(crate) async fn fetch(net: &Net, from: u64, to: u64) -> Result<Vec<(u64, Event)>> {
    let filter = Filter::new().address(net.dep.network).from_block(from).to_block(to);
    let logs =
        net.chain.provider.get_logs(&filter).await.wrap_err_with(|| {
            format!("while reading the network's events of blocks {from}..={to}")
        })?;
    let mut out = Vec::with_capacity(logs.len());
    for log in &logs {
        if let Some(e) = decode(log)? {
            out.push((log.block_number.unwrap_or(to), e));
        }
    }
    Ok(out)
}
