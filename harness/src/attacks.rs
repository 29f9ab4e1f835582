//! What the selection attackers (`actors::ATTACKERS`) try, each at the moment its attack needs:
//! issue 10's decliner, seed re-roller, secret withholder, whitewasher (and its fresh identity) and
//! overcommitted prover. The generator asks here first for a prover's action; `None` lets the
//! attacker behave like an honest prover (commit, reveal, prove) so that it keeps its place in the
//! lists and its attack keeps its chance.

use alloy::primitives::{Address, U256};
use provernet_bindings::Strategy;

use crate::action::Kind;
use crate::actors::Role;
use crate::model::assignment::slot_randomness;
use crate::rng::Rng;
use crate::world::World;

/// The attacker's move at `block`, if its attack has one now (`None` for other roles).
pub fn next(rng: &mut Rng, w: &World, block: u64, i: u16, role: Role) -> Option<Kind> {
    let m = &w.model;
    let a = &m.accounts[i as usize];
    let p = m.params;
    let epochs = &w.chain.epochs;
    let epoch = epochs.at(block);
    match role {
        Role::Prover(Strategy::Decliner) => {
            // Drawn for the current slot: drop 1 unit below minStake before the source posts;
            // top up again once it is not drawn.
            let me = w.actors[i as usize].addr;
            let drawn = slot_prover(w, block) == Some(me);
            if drawn && a.stake >= p.min_stake && rng.chance(70) {
                return Some(Kind::RequestUnstake { amount: a.stake - p.min_stake + 1 });
            }
            (!drawn && a.registered && a.stake < p.min_stake)
                .then(|| Kind::Stake { amount: p.min_stake - a.stake })
        }
        Role::SeedReroller => rng.chance(40).then(|| {
            // A fixed seed (or one not ready yet), or a commit at a random point of the epoch.
            if rng.chance(50) {
                Kind::FinalizeSeed { epoch: epoch.saturating_sub(rng.below(3)) }
            } else {
                Kind::Commit { secret: U256::from(rng.next_u64()).into() }
            }
        }),
        Role::Prover(Strategy::SecretWithholder) => {
            // Committed this epoch and the reveal phase is on: go weightless, then reveal; top up
            // again in the next commit phase.
            let committed = a.commit.is_some_and(|c| c.0 == epoch);
            let revealing = !epochs.in_commit_phase(block);
            if committed && revealing && a.stake >= p.min_stake {
                return Some(Kind::RequestUnstake { amount: a.stake - p.min_stake + 1 });
            }
            (!revealing && a.registered && a.stake < p.min_stake)
                .then(|| Kind::Stake { amount: p.min_stake - a.stake })
        }
        Role::FreshIdentity => {
            // Registers only once the identity it replaces was slashed, with the same stake.
            let old =
                w.actors.iter().position(|x| x.role == Role::Prover(Strategy::Whitewasher))?;
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
        Role::Prover(Strategy::Overcommit) => {
            (!a.registered).then_some(Kind::Register { amount: p.min_stake })
        }
        _ => None,
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

/// Whether a role proves its assigned batches inside the window: the honest-behaving ones and
/// every attacker but the whitewasher (it wants the slash that makes re-registering tempting).
pub fn proves(role: Role) -> bool {
    match role {
        Role::Prover(s) => matches!(
            s,
            Strategy::Honest
                | Strategy::Sybil
                | Strategy::Stealer
                | Strategy::NoReveal
                | Strategy::Decliner
                | Strategy::SecretWithholder
                | Strategy::Overcommit
        ),
        Role::SeedReroller
        | Role::FreshIdentity
        | Role::RescueTwin
        | Role::Pool { careless: false } => true,
        _ => false,
    }
}
