//! Selection: provers commit to a secret in the commit phase and reveal it in the reveal phase,
//! which mixes every secret into the epoch's seed and lists the prover with weight capped-stake x
//! reputation (a weight-0 reveal is mixed but not listed). The seed itself is in `seeds`, the
//! draw of each slot from the list in `assignment`. Mirrors `commit` and `reveal` in
//! contracts/ProverNetwork.sol and contracts/libraries/SelectionList.sol.

use alloy::primitives::{Address, B256, U256};
use provernet_bindings::formulas::{seed_commitment, stored_commit_hash};

use crate::chain::ProverNetworkEvents;
use crate::model::reputation::{self, REP_MAX};
use crate::model::state::MRoll;
use crate::model::transition::Transition;
use crate::model::{seeds, slashing};
use crate::params::Params;
use crate::slots::list_slot;
use crate::violation::{Violation, violation};

/// Reputation floor added in the weight formula.
pub const REP_FLOOR: u128 = 1_000;
/// Stake is shifted right by this before weighting.
pub const WEIGHT_SHIFT: u32 = 24;

/// Selection weight of an account with `stake` and current reputation `rep`.
pub fn weight(p: &Params, stake: u128, rep: u64) -> u128 {
    let capped = stake.min(p.max_weight_stake);
    ((capped >> WEIGHT_SHIFT) * (REP_FLOOR + rep as u128)) / (REP_MAX as u128 + REP_FLOOR)
}

/// The commitment of `secret` for `epoch` and the 28 bytes the contract stores of it (shifted),
/// by the bindings' formulas.
pub fn commit_hash(secret: B256, prover: Address, epoch: u64) -> (B256, U256) {
    let full = seed_commitment(secret, prover, epoch);
    (full, stored_commit_hash(full))
}

/// `commit(commitment)`: in the commit phase, by a registered prover with at least `minStake`,
/// once an epoch. An unrevealed commitment of an earlier epoch is penalised first.
pub(crate) fn commit(t: &mut Transition<'_>, secret: B256) -> Result<(), Violation> {
    if !t.ok {
        return Ok(());
    }
    let (me, epoch, block, in_commit, p, pre) =
        (t.me, t.epoch, t.block, t.in_commit, t.p, t.pre.clone());
    if !in_commit
        || !pre.registered
        || pre.stake < p.min_stake
        || pre.commit.is_some_and(|c| c.0 == epoch)
    {
        return Err(violation(
            "commit needs the commit phase, registration, minStake and one commitment an epoch",
            format!(
                "{me} committed at block {block} (commit phase: {in_commit}), stake {}",
                pre.stake
            ),
        ));
    }
    // The first commit of an epoch fixes the previous list epoch's seed (with this block's
    // prevrandao: the commit phase is on).
    if epoch != 0 {
        seeds::fix(t, epoch - 1);
    }
    if t.sender != t.i {
        t.path("operator committed for its prover");
    }
    if pre.commit.is_some() {
        let amount = slashing::penalize(t, t.i, false)?;
        slashing::check_non_reveal_event(t, amount)?;
        t.path("non-reveal penalised at the next commit");
    }
    let (_, hash) = commit_hash(secret, me, epoch);
    let block = t.block;
    let a = t.acct(t.i);
    a.commit = Some((epoch, hash));
    a.last_commit_block = Some(block);
    // Committing again puts it back in the lists: it no longer counts as exited.
    a.exited = None;
    Ok(())
}

/// `reveal(secret)`: in the reveal phase, matching this epoch's commitment; lists the prover
/// with its weight (zero below `minStake`: not listed) and mixes the secret into the seed.
pub(crate) fn reveal(t: &mut Transition<'_>, secret: B256) -> Result<(), Violation> {
    if !t.ok {
        return Ok(());
    }
    let (me, epoch, block, p, pre) = (t.me, t.epoch, t.block, t.p, t.pre.clone());
    let (_, hash) = commit_hash(secret, me, epoch);
    if t.in_commit || pre.commit != Some((epoch, hash)) {
        return Err(violation(
            "only a matching commitment of this epoch reveals, in the reveal phase",
            format!("{me} revealed at block {block} with commitment {:?}", pre.commit),
        ));
    }
    t.acct(t.i).commit = None;
    let expected_weight =
        if pre.stake < p.min_stake { 0 } else { weight(&p, pre.stake, reputation::now(t, &pre)) };
    let revealed = t.events.iter().find_map(|e| match e {
        ProverNetworkEvents::Revealed(r) => Some((r.weight.saturating_to::<u128>(), r.index)),
        _ => None,
    });
    let Some((w, index)) = revealed else {
        return Err(violation("reveal emits Revealed", format!("{me} at block {block}")));
    };
    if w != expected_weight {
        return Err(violation(
            "selection weight = capped stake x reputation",
            format!("{me} got weight {w}, model {expected_weight}"),
        ));
    }
    // Every reveal mixes, listed or not (a weight-0 reveal cannot keep its secret out).
    let roll = &mut t.m.rolls[(epoch & 1) as usize];
    if roll.epoch != epoch {
        *roll = MRoll { epoch, entries: Vec::new(), mix: 0 };
    }
    roll.mix ^=
        (U256::from_be_bytes(secret.0) & U256::from((1u128 << 96) - 1)).saturating_to::<u128>();
    if w == 0 {
        t.path("weight-0 reveal mixed, not listed");
        return Ok(());
    }
    let roll = &mut t.m.rolls[(epoch & 1) as usize];
    if index != U256::from(roll.entries.len()) {
        return Err(violation("selection list is append-only", format!("{me} listed at {index}")));
    }
    let cumulative = roll.total() + w;
    let slot = list_slot(epoch & 1, roll.entries.len() as u64);
    roll.entries.push((me, cumulative));
    t.effects.listed.push(slot);
    t.path("prover listed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roll_search_finds_the_first_entry_above_r() {
        let a = Address::with_last_byte(1);
        let b = Address::with_last_byte(2);
        let roll = MRoll { epoch: 0, entries: vec![(a, 10), (b, 30)], mix: 0 };
        assert_eq!(roll.search(0), Some(a));
        assert_eq!(roll.search(9), Some(a));
        assert_eq!(roll.search(10), Some(b));
        assert_eq!(roll.search(29), Some(b));
        assert_eq!(roll.search(30), None);
    }

    #[test]
    fn weight_caps_stake_and_scales_with_reputation() {
        let p = Params { max_weight_stake: 1 << 40, ..Params::test() };
        // Full reputation: (stake >> 24) x 11000 / 11000.
        assert_eq!(weight(&p, 1 << 34, REP_MAX), 1 << 10);
        // Zero reputation keeps the floor's share.
        assert_eq!(weight(&p, 11 << 24, 0), 1);
        // Stake above the cap buys nothing.
        assert_eq!(weight(&p, 1 << 50, REP_MAX), weight(&p, 1 << 40, REP_MAX));
    }
}
