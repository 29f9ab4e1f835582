//! The keeper: penalises withheld reveals at each epoch start, slashes a missed window at the first
//! block after it (which opens the batch's race) and fails a batch whose race ended unproven.

use alloy::primitives::U256;
use eyre::Result;
use provernet_bindings::{BatchStatus, ProverNetwork as P};

use super::race;
use crate::world::World;

/// Block step: at the first block of an epoch, penalises every commitment of the last epoch that
/// was not revealed (the prover's next commit would do it too).
pub(crate) fn penalizes_withheld_reveals(w: &mut World<'_>, block: u64) -> Result<()> {
    let (epoch, offset) = (w.chain.epochs.at(block), w.chain.epochs.offset(block));
    if offset != 0 || epoch == 0 {
        return Ok(());
    }
    for i in 0..w.agents.len() {
        if w.agents[i].committed == Some(epoch - 1) {
            w.agents[i].committed = None;
            let call = P::penalizeNonRevealCall { prover: w.agents[i].spec.addr };
            let out = w.chain.exec(w.keeper, w.chain.addrs.network, &call)?;
            w.record("penalizeNonReveal", &out, None, true);
        }
    }
    Ok(())
}

/// Job: opens the race of batch `id` if its window closed unproven (`slashMissed`). The first
/// missed batch of an assignment slashes its prover (booked from the `ProverSlashed` event); the
/// assignment's later batches only go to the race, which this books.
pub(crate) fn slashes_missed(w: &mut World<'_>, id: u64, block: u64) -> Result<()> {
    if matches!(w.batch(id).status, BatchStatus::Challenged | BatchStatus::Voided) {
        return crate::withholding::keeper_tries_slashing(w, id);
    }
    if w.batch(id).status != BatchStatus::Assigned {
        return Ok(());
    }
    let call = P::slashMissedCall { batchId: U256::from(id) };
    let out = w.chain.exec(w.keeper, w.chain.addrs.network, &call)?;
    w.record("slashMissed", &out, None, true);
    if out.revert.is_some() {
        return Ok(()); // booked as an unexpected revert
    }
    let missed = w.batch(id).prover;
    w.batch_mut(id).status = BatchStatus::Racing;
    w.summary.slashing.missed_batches += 1;
    if let Some(i) = missed {
        w.agents[i].stats.missed += 1;
        w.agents[i].open -= 1;
    }
    race::opens(w, id, block, missed)
}

/// Job: fails batch `id` if its race ended with nobody proving it.
pub(crate) fn marks_failed(w: &mut World<'_>, id: u64) -> Result<()> {
    let st = w.batch(id).status;
    if st == BatchStatus::Assigned || st.is_racing() {
        let call = P::markFailedCall { batchId: U256::from(id) };
        let out = w.chain.exec(w.keeper, w.chain.addrs.network, &call)?;
        w.record("markFailed", &out, None, true);
    }
    Ok(())
}
