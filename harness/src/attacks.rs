//! What the selection attackers (`actors::Attack`) try, each at the moment its attack needs:
//! issue 10's decliner, seed re-roller, secret withholder, whitewasher (and its fresh identity) and
//! overcommitted prover. The generator asks here first for an attacker's action; `None` lets the
//! attacker behave like an honest prover (commit, reveal, prove) so that it keeps its place in the
//! lists and its attack keeps its chance.

use alloy::primitives::{Address, U256};

use crate::action::Kind;
use crate::actors::{Attack, Role};
use crate::model::assignment::slot_randomness;
use crate::rng::Rng;
use crate::world::World;

/// The attacker's move at `block`, if its attack has one now.
pub fn next(rng: &mut Rng, w: &World, block: u64, i: u16, attack: Attack) -> Option<Kind> {
    let m = &w.model;
    let a = &m.accounts[i as usize];
    let p = m.params;
    let epochs = &w.chain.epochs;
    let epoch = epochs.at(block);
    match attack {
        Attack::Decliner => {
            // Drawn for the current slot: drop 1 wei below minStake before the source posts.
            let me = w.actors[i as usize].addr;
            let drawn = slot_prover(w, block) == Some(me);
            (drawn && a.stake >= p.min_stake && rng.chance(70))
                .then(|| Kind::RequestUnstake { amount: a.stake - p.min_stake + 1 })
        }
        Attack::SeedReroller => rng.chance(40).then(|| {
            // A fixed seed (or one not ready yet), or a commit at a random point of the epoch.
            if rng.chance(50) {
                Kind::FinalizeSeed { epoch: epoch.saturating_sub(rng.below(3)) }
            } else {
                Kind::Commit { secret: U256::from(rng.next_u64()).into() }
            }
        }),
        Attack::SecretWithholder => {
            // Committed this epoch and the reveal phase is on: go weightless, then reveal.
            let committed = a.commit.is_some_and(|c| c.0 == epoch);
            let revealing = !epochs.in_commit_phase(block);
            (committed && revealing && a.stake >= p.min_stake)
                .then(|| Kind::RequestUnstake { amount: a.stake - p.min_stake + 1 })
        }
        Attack::Whitewasher => None,
        Attack::Fresh => {
            // Registers only once the identity it replaces was slashed, with the same stake.
            let old =
                w.actors.iter().position(|x| x.role == Role::Attacker(Attack::Whitewasher))?;
            let old = &m.accounts[old];
            if a.registered {
                return None;
            }
            Some(if old.slashed > 0 {
                Kind::Register { amount: (old.stake + old.unbonding).max(p.min_stake) }
            } else {
                Kind::Claim
            })
        }
        Attack::Overcommitted => (!a.registered).then_some(Kind::Register { amount: p.min_stake }),
    }
}

/// The prover of draw 0 of the slot `block` falls in, by the model's fixed seed and list (`None`
/// before the seed is fixed or with no list).
fn slot_prover(w: &World, block: u64) -> Option<Address> {
    let slot = w.chain.epochs.slot_at(block);
    let list_epoch = slot.epoch.checked_sub(1)?;
    let seed = *w.model.seeds.get(&list_epoch)?;
    let roll = &w.model.rolls[(list_epoch & 1) as usize];
    if roll.epoch != list_epoch || roll.entries.is_empty() {
        return None;
    }
    let point = slot_randomness(seed, slot.epoch, slot.index, 0) % U256::from(roll.total());
    roll.search(point.saturating_to::<u128>())
}

/// Whether an attacker proves its batches inside the window (the whitewasher never does: it wants
/// the slash that makes re-registering tempting).
pub fn proves(attack: Attack) -> bool {
    attack != Attack::Whitewasher
}
