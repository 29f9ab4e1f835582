//! Selection: provers commit to a secret in the commit phase and reveal it in the reveal phase,
//! which lists them with weight capped-stake x reputation; the revealed secrets fix the epoch's
//! seed, and each batch posted in the next epoch draws its prover by weight from that list.
//! Mirrors `commit`, `reveal`, `finalizeSeed` and `_assign` in contracts/ProverNetwork.sol and
//! contracts/libraries/SelectionList.sol.

use alloy::primitives::{Address, B256, U256, keccak256};
use alloy::sol_types::SolValue;

use crate::chain::ProverNetworkEvents;
use crate::model::reputation::{self, REP_MAX};
use crate::model::slashing;
use crate::model::state::MRoll;
use crate::model::transition::Transition;
use crate::params::ParamsView;
use crate::slots::list_slot;
use crate::violation::{Violation, violation};

/// Reputation floor added in the weight formula.
pub const REP_FLOOR: u128 = 1_000;
/// Stake is shifted right by this before weighting.
pub const WEIGHT_SHIFT: u32 = 24;

/// Selection weight of an account with `stake` and current reputation `rep`.
pub fn weight(p: &ParamsView, stake: u128, rep: u64) -> u128 {
    let capped = stake.min(p.max_weight_stake);
    ((capped >> WEIGHT_SHIFT) * (REP_FLOOR + rep as u128)) / (REP_MAX as u128 + REP_FLOOR)
}

/// The 28 stored bytes of `keccak256(abi.encode(secret, prover, epoch))`, as stored (shifted).
pub fn commit_hash(secret: B256, prover: Address, epoch: u64) -> (B256, U256) {
    let full = commitment(secret, prover, epoch);
    (full, U256::from_be_bytes(full.0) >> 32)
}

/// `keccak256(abi.encode(secret, prover, epoch))`.
pub fn commitment(secret: B256, prover: Address, epoch: u64) -> B256 {
    keccak256((secret, prover, U256::from(epoch)).abi_encode_params())
}

/// The draw randomness of batch `id` under `seed`: `keccak256(abi.encode(seed, id))`.
pub fn draw_randomness(seed: U256, id: u64) -> U256 {
    U256::from_be_bytes(keccak256((seed, U256::from(id)).abi_encode_params()).0)
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
    if pre.commit.is_some() {
        let amount = slashing::penalize(t, t.i);
        slashing::check_non_reveal_event(t, amount)?;
        t.path("non-reveal penalised at the next commit");
    }
    let (_, hash) = commit_hash(secret, me, epoch);
    t.acct(t.i).commit = Some((epoch, hash));
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
    if w == 0 {
        t.path("under-staked reveal not listed");
        return Ok(());
    }
    let roll = &mut t.m.rolls[(epoch & 1) as usize];
    if roll.epoch != epoch || roll.entries.is_empty() {
        *roll = MRoll { epoch, entries: Vec::new(), mix: 0 };
    }
    if index != U256::from(roll.entries.len()) {
        return Err(violation("selection list is append-only", format!("{me} listed at {index}")));
    }
    let cumulative = roll.total() + w;
    let slot = list_slot(epoch & 1, roll.entries.len() as u64);
    roll.entries.push((me, cumulative));
    roll.mix ^=
        (U256::from_be_bytes(secret.0) & U256::from((1u128 << 96) - 1)).saturating_to::<u128>();
    t.effects.listed.push(slot);
    t.path("prover listed");
    Ok(())
}

/// `finalizeSeed(epoch)`: fixes an epoch's seed, only once its reveal phase is over.
pub(crate) fn finalize_seed(t: &mut Transition<'_>, e: u64) -> Result<(), Violation> {
    let (ok, block) = (t.ok, t.block);
    if ok != (block >= t.seen.chain.epochs.start(e + 1)) {
        return Err(violation(
            "a seed is fixed only after its reveal phase",
            format!("epoch {e} at block {block}: ok={ok}"),
        ));
    }
    if ok {
        record_seed(t, e)?;
    }
    Ok(())
}

/// Reads the fixed seed of `epoch` from the chain (it mixes a block hash the model cannot know)
/// and checks it never changes once fixed.
pub(crate) fn record_seed(t: &mut Transition<'_>, epoch: u64) -> Result<U256, Violation> {
    let Some(seed) = t.seen.chain.seed(epoch) else {
        return Err(violation("a fixed seed is stored", format!("epoch {epoch}")));
    };
    match t.m.seeds.get(&epoch) {
        Some(old) if *old != seed => {
            return Err(violation(
                "an epoch's seed never changes once fixed",
                format!("epoch {epoch}: {old} -> {seed}"),
            ));
        }
        _ => {
            t.m.seeds.insert(epoch, seed);
            // Two parities: older seeds are overwritten on chain, so keep the model bounded too.
            if epoch >= 4 {
                t.m.seeds.remove(&(epoch - 4));
            }
        }
    }
    Ok(seed)
}

/// The prover batch `id`, posted in `epoch`, must be assigned to: the draw re-derived from the
/// list revealed in `epoch - 1` and its seed (`keccak(seed, id) mod total weight`), skipped if
/// its stake has since fallen below `minStake`. Zero when nobody is eligible. Also keeps the
/// selection statistics (every listed prover's expected share of this draw).
pub(crate) fn draw(t: &mut Transition<'_>, epoch: u64, id: u64) -> Result<Address, Violation> {
    let p = t.m.params;
    let mut expected = Address::ZERO;
    if epoch == 0 {
        return Ok(expected);
    }
    let list_epoch = epoch - 1;
    let roll = t.m.rolls[(list_epoch & 1) as usize].clone();
    if roll.epoch != list_epoch || roll.entries.is_empty() {
        return Ok(expected);
    }
    let seed = record_seed(t, list_epoch)?;
    let total = roll.total();
    let r = draw_randomness(seed, id) % U256::from(total);
    let drawn = roll.search(r.saturating_to::<u128>()).unwrap_or_default();
    let mut prev = 0;
    for (addr, cum) in &roll.entries {
        if let Some(k) = t.actor_of(*addr) {
            t.m.draws[k as usize].expected += (cum - prev) as f64 / total as f64;
        }
        prev = *cum;
    }
    if let Some(k) = t.actor_of(drawn) {
        t.m.draws[k as usize].observed += 1;
        if t.m.accounts[k as usize].stake >= p.min_stake {
            expected = drawn;
        } else {
            t.path("drawn prover under minStake skipped");
        }
    }
    Ok(expected)
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
        let p = ParamsView { max_weight_stake: 1 << 40, ..ParamsView::default() };
        // Full reputation: (stake >> 24) x 11000 / 11000.
        assert_eq!(weight(&p, 1 << 34, REP_MAX), 1 << 10);
        // Zero reputation keeps the floor's share.
        assert_eq!(weight(&p, 11 << 24, 0), 1);
        // Stake above the cap buys nothing.
        assert_eq!(weight(&p, 1 << 50, REP_MAX), weight(&p, 1 << 40, REP_MAX));
    }
}
