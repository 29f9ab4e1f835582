//! The withholding source's strategy (issue 11: a batch source that withholds the data of some of
//! its batches). It posts batches whose commitments are the Poseidon commitments of seeded data
//! (`batch_data`) and withholds the data of some; their assigned provers challenge them
//! (`generator`); it answers some challenges inside the window (now and then with the wrong data
//! first, which must revert `DataMismatch`) and lets the others lapse, so that a keeper voids them.
//! The rules it exercises are in `model::challenges`.

use std::collections::HashMap;

use alloy::primitives::B256;

use crate::action::Kind;
use crate::batch_data::commitment_of;
use crate::chain::UNIT;
use crate::model::MBatch;
use crate::model::challenges::ANSWERED_KEY_BASE;
use crate::rng::Rng;
use crate::status;
use crate::world::World;

/// Percent of its batches whose data it withholds.
const WITHHELD_PCT: u64 = 60;
/// Percent of withheld batches whose challenge it never answers in time.
const LAPSE_PCT: u64 = 30;
/// Percent of answers it first tries with the wrong data.
const WRONG_DATA_PCT: u64 = 25;

/// What the source posted, by commitment.
#[derive(Clone, Copy, Debug)]
struct Posted {
    /// Seed of the batch's data (`batch_data::data_of`).
    seed: u64,
    /// It withholds the data.
    withheld: bool,
    /// It lets a challenge of this batch lapse.
    lapses: bool,
}

/// The withholding source's memory: the data behind each batch it posted.
#[derive(Clone, Debug, Default)]
pub struct DataSource {
    posted: HashMap<B256, Posted>,
}

impl DataSource {
    /// Whether nobody but the source has batch `b`'s data: it was posted withheld and has not been
    /// published on chain since (a published batch moved to an answered assignment key).
    pub fn withheld(&self, b: &MBatch) -> bool {
        b.assignment < ANSWERED_KEY_BASE
            && self.posted.get(&b.commitment).is_some_and(|p| p.withheld)
    }

    /// The source's next action at `block` (it is actor `me`).
    pub fn next(&mut self, rng: &mut Rng, w: &World, block: u64, me: u16) -> Kind {
        let addr = w.actors[me as usize].addr;
        let m = &w.model;
        if m.accounts[me as usize].fee_balance < 20 * UNIT {
            return Kind::DepositFees { amount: rng.range(20, 200) as u128 * UNIT };
        }
        let now = m.now(block);
        let mine = m.live.iter().copied().filter_map(|id| {
            let b = &m.batches[id as usize - 1];
            (b.poster == addr && b.status == status::CHALLENGED).then_some((id, b))
        });
        for (id, b) in mine {
            let Some(posted) = self.posted.get(&b.commitment).copied() else { continue };
            if !posted.lapses && now <= b.respond_by {
                let data = if rng.chance(WRONG_DATA_PCT) { posted.seed ^ 1 } else { posted.seed };
                return Kind::AnswerChallenge { batch: id, data };
            }
            if posted.lapses && now > b.respond_by && rng.chance(10) {
                // Too late: the chain must refuse it (ChallengeWindowClosed) and the batch stays
                // voidable.
                return Kind::AnswerChallenge { batch: id, data: posted.seed };
            }
        }
        let seed = rng.next_u64();
        let commitment = commitment_of(seed);
        let withheld = rng.chance(WITHHELD_PCT);
        let lapses = withheld && rng.chance(LAPSE_PCT);
        self.posted.insert(commitment, Posted { seed, withheld, lapses });
        Kind::PostBatch { commitment, fee: rng.range(1, 50) as u128 * UNIT / 10 }
    }
}
