//! Assignment: every batch posted in a slot goes to the slot's prover. The prover of slot `k` of
//! epoch `e` is drawn from list `e - 1` at point `keccak256(abi.encode(seed_{e-1}, e, k, draw)) mod
//! totalWeight`, draw 0 first; a drawn prover that cannot take one more batch (capacity rule) is
//! skipped for draw 1, 2, 3, and after four draws (or with no list) the rest of the slot is open.
//! Each draw is an assignment record holding the prover and the deadlines its batches share:
//! provingDeadline = the slot's last block + provingWindow, raceDeadline = provingDeadline +
//! raceWindow, for an open slot too. Mirrors `_assignmentFor`, `_draw`, `_pick` and
//! `_openAssignment` in contracts/ProverNetwork.sol and contracts/libraries/{Slots,Capacity}.sol.

use alloy::primitives::{Address, U256, keccak256};
use alloy::sol_types::SolValue;

use crate::model::seeds;
use crate::model::state::{MAccount, MAssignment, MCursor};
use crate::model::transition::Transition;
use crate::params::Params;
use crate::violation::{Violation, violation};

/// The slot geometry constants are the evm crate's (one definition beside `Epochs`).
pub use provernet_evm::{DRAWS, KEYS_PER_SLOT, OPEN_DRAW as OPEN};

/// `Capacity.canTake`: a prover holding `open` batches may take one more while its bonded stake
/// (active + unbonding: an unstake request cannot make it decline) covers minStake + open x bond.
pub fn can_take(p: &Params, a: &MAccount) -> bool {
    a.stake + a.unbonding >= p.min_stake + u128::from(a.open) * p.assignment_bond
}

/// How many open batches `a`'s bonded stake covers: 1 + (bonded - minStake) / bond (zero below
/// minStake).
pub fn covered(p: &Params, a: &MAccount) -> u64 {
    let bonded = a.stake + a.unbonding;
    if bonded < p.min_stake {
        return 0;
    }
    let extra = (bonded - p.min_stake) / p.assignment_bond.max(1);
    u64::try_from(extra).unwrap_or(u64::MAX - 1).saturating_add(1)
}

/// `Capacity.coversOpen`: matured unbonding stake may leave while the active stake alone still
/// covers the open batches.
pub fn covers_open(p: &Params, a: &MAccount) -> bool {
    a.open == 0 || a.stake >= p.min_stake + u128::from(a.open) * p.assignment_bond
}

/// `Seed.slotPoint` before the modulo: `keccak256(abi.encode(seed, epoch, index, draw))`.
pub fn slot_randomness(seed: U256, epoch: u64, index: u64, draw: u64) -> U256 {
    let words = (seed, U256::from(epoch), U256::from(index), U256::from(draw));
    U256::from_be_bytes(keccak256(words.abi_encode_params()).0)
}

/// The assignment a batch posted now joins and its prover (zero: open); counts the batch against
/// the prover's capacity and writes a new draw's record, as `_assignmentFor` does.
pub(crate) fn assign(t: &mut Transition<'_>) -> Result<(u64, Address), Violation> {
    let chain = t.seen.chain;
    let slot = chain.epochs.slot_at(t.block);
    let first = chain.epochs.first_key(&slot);
    let cursor = t.m.cursor;
    let mut draw = 0;
    if (first..first + KEYS_PER_SLOT).contains(&cursor.key) {
        if cursor.prover == Address::ZERO {
            return Ok((cursor.key, Address::ZERO));
        }
        if take(t, cursor.prover)? {
            t.path("batch joined its slot's assignment");
            return Ok((cursor.key, cursor.prover));
        }
        t.path("slot prover full: next draw");
        draw = cursor.key % KEYS_PER_SLOT + 1;
    }
    while draw < DRAWS {
        let Some(prover) = pick(t, slot.epoch, slot.index, draw) else { break };
        if take(t, prover)? {
            open_assignment(t, first + draw, prover, slot.last_block);
            if draw > 0 {
                t.path("later draw took the slot (earlier prover full)");
            }
            return Ok((first + draw, prover));
        }
        t.path("full prover skipped by the draw");
        draw += 1;
    }
    open_assignment(t, first + OPEN, Address::ZERO, slot.last_block);
    // The draws broke off early only when there was no list to draw from.
    if draw < DRAWS {
        if let Some(a) = t.m.assignments.get_mut(&(first + OPEN)) {
            a.unlisted = true;
        }
        t.path("slot opened on an empty list");
    }
    Ok((first + OPEN, Address::ZERO))
}

/// Counts one more batch against `prover` if its capacity allows (true), else leaves it (false).
fn take(t: &mut Transition<'_>, prover: Address) -> Result<bool, Violation> {
    let Some(k) = t.actor_of(prover) else {
        return Err(violation(
            "an assigned prover is a listed actor",
            format!("{prover} is nobody the campaign knows"),
        ));
    };
    let p = t.m.params;
    if !can_take(&p, &t.m.accounts[k as usize]) {
        return Ok(false);
    }
    let a = t.acct(k);
    a.covered = covered(&p, a);
    a.open += 1;
    Ok(true)
}

/// Writes the record of a slot draw with its frozen deadlines (on the network clock: the slot's
/// last block less the blocks spent paused) and the current slash terms.
fn open_assignment(t: &mut Transition<'_>, key: u64, prover: Address, last_block: u64) {
    let p = t.m.params;
    let proving_deadline = last_block - t.m.clock.paused_blocks + u64::from(p.proving_window);
    let race_deadline = proving_deadline + u64::from(p.race_window);
    let config = t.m.config;
    t.m.assignments.insert(
        key,
        MAssignment {
            prover,
            proving_deadline,
            race_deadline,
            config,
            slashed: false,
            unlisted: false,
        },
    );
    t.effects.assignments.push(key);
}

/// Draw `draw` of slot `index` of `epoch` from list `epoch - 1` (fixing its seed if nobody has),
/// or `None` when there is no list to draw from. Keeps the selection statistics on draw 0.
fn pick(t: &mut Transition<'_>, epoch: u64, index: u64, draw: u64) -> Option<Address> {
    if epoch == 0 {
        return None;
    }
    let list_epoch = epoch - 1;
    let seed = seeds::fix(t, list_epoch);
    let roll = &t.m.rolls[(list_epoch & 1) as usize];
    if roll.epoch != list_epoch || roll.entries.is_empty() {
        return None;
    }
    let total = roll.total();
    let point = slot_randomness(seed, epoch, index, draw) % U256::from(total);
    let drawn = roll.search(point.saturating_to::<u128>()).unwrap_or_default();
    if draw == 0 {
        let shares: Vec<(Address, f64)> = {
            let mut prev = 0;
            roll.entries
                .iter()
                .map(|(a, cum)| {
                    let share = (cum - prev) as f64 / total as f64;
                    prev = *cum;
                    (*a, share)
                })
                .collect()
        };
        for (a, share) in shares {
            if let Some(k) = t.actor_of(a) {
                t.m.draws[k as usize].expected += share;
            }
        }
        if let Some(k) = t.actor_of(drawn) {
            t.m.draws[k as usize].observed += 1;
        }
    }
    Some(drawn)
}

/// Moves the cursor to the assignment a post used.
pub(crate) fn set_cursor(t: &mut Transition<'_>, key: u64, prover: Address) {
    t.m.cursor = MCursor { key, prover };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        Params { min_stake: 100, assignment_bond: 10, ..Params::test() }
    }

    #[test]
    fn capacity_counts_bonded_stake_up_to_the_exact_boundary() {
        let p = params();
        // 100 + 2 x 10 = 120 covers a third batch; one unit less does not.
        let at = MAccount { stake: 70, unbonding: 50, open: 2, ..Default::default() };
        assert!(can_take(&p, &at));
        let below = MAccount { stake: 70, unbonding: 49, open: 2, ..Default::default() };
        assert!(!can_take(&p, &below));
        // Unstaking moves stake to unbonding: the bond, and so the capacity, stays.
        let unstaked = MAccount { stake: 0, unbonding: 120, open: 2, ..Default::default() };
        assert!(can_take(&p, &unstaked));
        assert_eq!(covered(&p, &at), 3);
        assert_eq!(covered(&p, &MAccount { stake: 99, ..Default::default() }), 0);
    }

    #[test]
    fn matured_unbonding_leaves_only_while_active_stake_covers_open_batches() {
        let p = params();
        let none_open = MAccount { stake: 0, unbonding: 500, open: 0, ..Default::default() };
        assert!(covers_open(&p, &none_open));
        let covered_ = MAccount { stake: 120, unbonding: 500, open: 2, ..Default::default() };
        assert!(covers_open(&p, &covered_));
        let short = MAccount { stake: 119, unbonding: 500, open: 2, ..Default::default() };
        assert!(!covers_open(&p, &short));
    }

    #[test]
    fn a_slot_draw_depends_on_slot_and_draw_never_on_a_batch() {
        let seed = U256::from(7);
        let base = slot_randomness(seed, 3, 1, 0);
        assert_eq!(base, slot_randomness(seed, 3, 1, 0));
        assert_ne!(base, slot_randomness(seed, 3, 1, 1));
        assert_ne!(base, slot_randomness(seed, 3, 2, 0));
        assert_ne!(base, slot_randomness(seed, 4, 1, 0));
        assert_ne!(base, slot_randomness(U256::from(8), 3, 1, 0));
    }
}
