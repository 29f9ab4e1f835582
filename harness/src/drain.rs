//! Issue 11's actors' strategies (their invariants live in `model::drain`, `model::rescue` and
//! `model::provability`):
//!
//! - the hostile governance tries finding 3's drain through the timelock: it shortens the
//!   timelock's delay to the least the network accepts (`governanceDelay()`), queues a change to
//!   `slashBps` 5000 with no bounty and the least burn the bounds allow, and a switch to a
//!   verifier that rejects everything, then floods tiny batches once they run, and later restores;
//! - watchful provers (the honest ones) see a hostile change queued, stop committing and unstake
//!   everything, and come back once it is undone; every other prover stays and pays;
//! - the self-rescuer lets its assignments miss and its twin races them.

use alloy::primitives::{B256, U256};
use provernet_bindings::Strategy;

use crate::action::Kind;
use crate::actors::Role;
use crate::chain::UNIT;
use crate::model::drain::is_hostile;
use crate::model::governance::required_delay;
use crate::params::Params;
use crate::rng::Rng;
use crate::status;
use crate::timelock::HEADROOM_BLOCKS;
use crate::world::World;

/// Blocks between the end of one drain attempt and the start of the next.
pub const DRAIN_EVERY: u64 = 1500;
/// Blocks the hostile source floods tiny batches once the hostile terms are in force.
pub const FLOOD_BLOCKS: u64 = 40;

/// Where the hostile governance is in its attempt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Stage {
    /// Waiting for the next attempt (shortening the delay first).
    #[default]
    Idle,
    /// The hostile parameters are queued; the verifier switch comes next.
    ParamsQueued,
    /// Both changes are queued or in force.
    Armed,
    /// The verifier's restoration is queued; the parameters' comes next.
    Restoring,
    /// Both restorations are queued.
    Cooling,
}

/// The hostile governance's attempt in progress.
#[derive(Clone, Debug, Default)]
pub struct DrainPlan {
    stage: Stage,
    /// Block from which the next attempt may start.
    next_at: u64,
    /// The parameters it replaced (restored at the end).
    saved: Option<Params>,
    /// Block the flood ends.
    flood_until: Option<u64>,
}

impl DrainPlan {
    /// The hostile governance's next move (`i` is its actor index).
    pub fn next(&mut self, rng: &mut Rng, w: &World, block: u64, i: u16) -> Kind {
        let m = &w.model;
        if self.next_at == 0 {
            // The first attempt starts a third of the way in: provers have registered by then.
            self.next_at = block + DRAIN_EVERY / 3;
        }
        let mine = |op: &crate::model::MPending| op.by == i && !op.tried;
        if let Some((salt, op)) = m.gov.pending.iter().find(|(_, op)| mine(op) && block >= op.ready)
        {
            return Kind::Execute { salt: *salt, call: Box::new(op.call.clone()) };
        }
        let queued = m.gov.pending.values().filter(|op| mine(op)).count();
        let schedule = |call: Kind| Kind::Schedule {
            salt: m.gov.next_salt,
            delay: m.gov.delay,
            call: Box::new(call),
        };
        let hostile_now = m.current_terms().rejecting;
        match self.stage {
            Stage::Idle if hostile_now && queued == 0 => {
                // An earlier restoration failed (its call reverted): restore first.
                self.stage = Stage::Restoring;
                schedule(Kind::SetVerifier { rejecting: false })
            }
            Stage::Idle if block >= self.next_at && queued == 0 => {
                // The shortest delay the network accepts first, then the two changes.
                if m.gov.delay > w.min_delay {
                    return schedule(Kind::UpdateDelay { seconds: w.min_delay });
                }
                self.saved = Some(m.params);
                self.stage = Stage::ParamsQueued;
                let mut p = m.params;
                p.slash_bps = 5000;
                p.bounty_bps = 0;
                p.keeper_bps = 1000;
                // The treasury keeps at most 20%: the least burn the bounds allow.
                p.burn_bps = 7000;
                schedule(Kind::SetParams { params: p })
            }
            Stage::ParamsQueued => {
                self.stage = Stage::Armed;
                schedule(Kind::SetVerifier { rejecting: true })
            }
            Stage::Armed if hostile_now => {
                let until = *self.flood_until.get_or_insert(block + FLOOD_BLOCKS);
                if block < until {
                    return self.flood(rng, w, block);
                }
                self.stage = Stage::Restoring;
                schedule(Kind::SetVerifier { rejecting: false })
            }
            Stage::Armed | Stage::Restoring if queued == 0 || self.stage == Stage::Restoring => {
                // Restoring (or the switch never ran: its call reverted): the parameters back.
                self.stage = Stage::Cooling;
                match self.saved.take() {
                    Some(params) => schedule(Kind::SetParams { params }),
                    None => self.flood(rng, w, block),
                }
            }
            Stage::Cooling if queued == 0 => {
                self.stage = Stage::Idle;
                self.flood_until = None;
                self.next_at = block + DRAIN_EVERY;
                self.flood(rng, w, block)
            }
            _ => self.flood(rng, w, block),
        }
    }

    /// While waiting or once the hostile terms are in force: tiny batches from its source (topped
    /// up as needed), and keeper calls on missed batches (it earns their keeper share).
    fn flood(&mut self, rng: &mut Rng, w: &World, block: u64) -> Kind {
        let m = &w.model;
        let me = crate::actors::index_of(&w.actors, Role::HostileGovernance).unwrap_or(0);
        let now = m.now(block);
        let missed = m.live.iter().copied().find(|id| {
            let b = &m.batches[*id as usize - 1];
            b.status == status::ASSIGNED && now > b.proving_deadline
        });
        if let Some(batch) = missed
            && rng.chance(30)
        {
            return Kind::SlashMissed { batch };
        }
        if !m.current_terms().rejecting || m.paused() {
            return Kind::FinalizeSeed { epoch: w.chain.epochs.at(block).saturating_sub(1) };
        }
        let fee = m.params.min_fee;
        if m.accounts[me as usize].fee_balance < fee.max(1) * 10 {
            return Kind::DepositFees { amount: UNIT };
        }
        Kind::PostBatch { commitment: B256::from(U256::from(rng.next_u64() | 1)), fee }
    }
}

/// Whether a watchful prover sees a hostile change coming or in force.
pub fn hostile_ahead(w: &World) -> bool {
    w.model.current_terms().rejecting
        || w.model.gov.pending.values().any(|op| !op.tried && is_hostile(&op.call))
}

/// A watchful (honest) prover's exit while a hostile change is queued or in force: unstake all,
/// withdraw once possible (the generator never lets it commit meanwhile); and its return once
/// it is undone (top its stake up). `None`: behave as usual.
pub fn watchful(rng: &mut Rng, w: &World, block: u64, i: u16, role: Role) -> Option<Kind> {
    if role != Role::Prover(Strategy::Honest) {
        return None;
    }
    let a = &w.model.accounts[i as usize];
    if !a.registered {
        return None;
    }
    if hostile_ahead(w) {
        if a.stake > 0 {
            return Some(Kind::RequestUnstake { amount: a.stake });
        }
        // Otherwise it keeps proving what it holds (the generator's duties) but never commits.
        return (a.unbonding > 0 && block >= a.ready_at && a.open == 0).then_some(Kind::Withdraw);
    }
    (a.stake < w.model.params.min_stake)
        .then(|| Kind::Stake { amount: rng.range(100, 3000) as u128 * UNIT })
}

/// The regular governance's repair once the network refuses its timelock (its delay is below
/// what the network asks, `governanceDelay()`: after the hostile governance shortened it and a
/// later change lengthened `unbondingDelay`): a delay with the usual headroom again.
pub fn delay_repair(w: &World) -> Option<Kind> {
    let m = &w.model;
    let queued = m.gov.pending.values().any(|op| matches!(op.call, Kind::UpdateDelay { .. }));
    (m.gov.delay < w.min_delay && !queued).then(|| Kind::UpdateDelay {
        seconds: required_delay(&m.params, w.chain.epochs.length())
            + HEADROOM_BLOCKS * provernet_evm::BLOCK_TIME,
    })
}

/// The twin's rescue of a batch its first identity missed, if one is raceable at `block`.
pub fn rescue(w: &World, block: u64) -> Option<Kind> {
    let m = &w.model;
    let first = crate::actors::index_of(&w.actors, Role::SelfRescuer)?;
    let addr = w.actors[first as usize].addr;
    let now = m.now(block);
    m.live
        .iter()
        .copied()
        .find(|id| {
            let b = &m.batches[*id as usize - 1];
            b.prover == addr
                && matches!(b.status, status::ASSIGNED | status::RACING)
                && now > b.proving_deadline
                && now <= b.race_deadline
        })
        .map(|batch| Kind::RaceSubmit { batch, proof_for: None })
}
