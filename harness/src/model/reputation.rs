//! Reputation: written on every reward and penalty, decaying toward `repInitial` by half its
//! distance every `repHalfLife` blocks in between (mirror of contracts/libraries/Reputation.sol).

use crate::model::state::MAccount;
use crate::model::transition::Transition;

/// Upper bound of reputation.
pub const REP_MAX: u64 = 10_000;
/// The score a newly registered prover starts with (`Reputation.NEWCOMER`): the lowest, so a fresh
/// identity never outweighs the record of the one it replaces.
pub const NEWCOMER: u64 = 0;

/// Reputation decayed toward `anchor` (mirror of `Reputation.decayed`).
pub fn decayed(rep: u64, updated_at: u64, now: u64, anchor: u64, half_life: u64) -> u64 {
    if now <= updated_at || rep == anchor {
        return rep;
    }
    let elapsed = now - updated_at;
    let halvings = elapsed / half_life;
    if halvings >= 14 {
        return anchor;
    }
    let above = rep > anchor;
    let mut distance = if above { rep - anchor } else { anchor - rep };
    distance >>= halvings;
    distance -= distance * (elapsed % half_life) / (2 * half_life);
    if above { anchor + distance } else { anchor - distance }
}

/// `a`'s reputation at the current block under the current parameters.
pub(crate) fn now(t: &Transition<'_>, a: &MAccount) -> u64 {
    let p = &t.m.params;
    decayed(a.rep, a.rep_at, t.seen.chain.block(), p.rep_initial.into(), p.rep_half_life.into())
}

/// Takes `loss` from account `i`'s current reputation (floored at zero).
pub(crate) fn lower(t: &mut Transition<'_>, i: u16, loss: u64) {
    let block = t.seen.chain.block();
    let old = now(t, &t.m.accounts[i as usize]);
    let a = t.acct(i);
    a.rep = old.saturating_sub(loss);
    a.rep_at = block;
}

/// Adds `gain` to account `i`'s current reputation (capped at [`REP_MAX`]).
pub(crate) fn raise(t: &mut Transition<'_>, i: u16, gain: u64) {
    let block = t.seen.chain.block();
    let old = now(t, &t.m.accounts[i as usize]);
    let a = t.acct(i);
    a.rep = (old + gain).min(REP_MAX);
    a.rep_at = block;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decay_halves_the_distance_per_half_life() {
        assert_eq!(decayed(9000, 0, 1000, 5000, 1000), 7000);
        assert_eq!(decayed(1000, 0, 2000, 5000, 1000), 4000);
        assert_eq!(decayed(9000, 0, 500, 5000, 1000), 8000);
        assert_eq!(decayed(9000, 0, 14_000, 5000, 1000), 5000);
        assert_eq!(decayed(9000, 10, 5, 5000, 1000), 9000);
    }
}
