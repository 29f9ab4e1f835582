//! A steering batch source (`[source] strategy = "steering"`): it wants its batches proven by one
//! prover. Under per-batch draws it could post dummy batches until the next id mapped to its
//! favourite; under slots every batch posted in a slot goes to the slot's prover, so the dummies
//! change nothing and only timing is left: holding batches back until a slot drawn to the
//! favourite, at the cost of its users' latency.

use alloy::primitives::U256;
use eyre::Result;
use provernet_bindings::ProverNetwork as P;

use super::rollup;
use crate::scenario::SourceStrategy;
use crate::world::World;

/// Whether the source holds its batches back at `block`. A steering source whose favourite is not
/// the current slot's first draw posts its dummies (once per slot) and holds while the oldest
/// waiting transaction has waited less than `max_hold` blocks.
pub(crate) fn holds_back(w: &mut World<'_>, block: u64) -> Result<bool> {
    let src = &w.s.source;
    if src.strategy != SourceStrategy::Steering {
        return Ok(false);
    }
    let (dummies, max_hold) = (src.dummies, src.max_hold);
    let favourite = w.agents[src.favourite].spec.addr;
    let slot = w.chain.epochs.slot_at(block);
    let call = P::slotDrawCall {
        epoch: U256::from(slot.epoch),
        index: U256::from(slot.index),
        draw: U256::ZERO,
    };
    if w.chain.view(w.chain.addrs.network, &call)? == favourite {
        return Ok(false);
    }
    if w.steered_slot != Some(slot.last_block) {
        w.steered_slot = Some(slot.last_block);
        for _ in 0..dummies {
            rollup::posts_dummy(w, block)?;
        }
    }
    let oldest = w.pending_txs.front().map_or(block, |c| c.arrived);
    let hold = block < oldest + max_hold;
    if hold && w.pending_count > 0 {
        w.summary.source.held_blocks += 1;
    }
    Ok(hold)
}
