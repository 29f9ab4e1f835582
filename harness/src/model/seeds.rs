//! Seeds: one per list epoch, written once and never rewritten. The seed of list epoch `e` is
//! fixed by the first successful `finalizeSeed(e)`, `commit` of epoch `e + 1`, or `postBatch` that
//! makes a draw in epoch `e + 1`: `keccak256(abi.encode(mix_e, randao, e, network))`, where
//! `randao` is the fixing block's `prevrandao` inside epoch `e + 1`'s commit phase and zero after
//! it. Mirrors `_fixSeed` in contracts/ProverNetwork.sol and contracts/libraries/Seed.sol.
//!
//! The model derives every seed itself (the chain's `prevrandao` of a block is a public function of
//! its number, `provernet_evm::prevrandao`), so a seed the contract computes from anything else,
//! or rewrites, differs from the model's.

use alloy::primitives::{Address, U256, keccak256};
use alloy::sol_types::SolValue;

use crate::model::state::Model;
use crate::model::transition::Transition;
use crate::violation::{Violation, violation};

/// `Seed.derive`: `keccak256(abi.encode(uint96 mix, uint256 randao, uint256 epoch, address
/// network))`, with a zero hash mapped to 1 (zero means "not fixed").
pub fn derive(mix: u128, randao: U256, epoch: u64, network: Address) -> U256 {
    let seed = U256::from_be_bytes(
        keccak256((U256::from(mix), randao, U256::from(epoch), network).abi_encode_params()).0,
    );
    if seed.is_zero() { U256::from(1) } else { seed }
}

/// The seed list epoch `epoch` gets if it is fixed at `block` (the mix of its roll if the roll at
/// its parity still holds it, else zero; randao only inside epoch `epoch + 1`'s commit phase).
pub(crate) fn seed_at(t: &Transition<'_>, epoch: u64) -> U256 {
    let chain = t.seen.chain;
    let roll = &t.m.rolls[(epoch & 1) as usize];
    let mix = if roll.epoch == epoch { roll.mix } else { 0 };
    let commit_end = chain.epochs.start(epoch + 1) + chain.epochs.commit_blocks;
    let randao = if t.block < commit_end {
        U256::from_be_bytes(provernet_evm::prevrandao(t.block).0)
    } else {
        U256::ZERO
    };
    derive(mix, randao, epoch, chain.addrs.network)
}

/// Fixes list epoch `epoch`'s seed in the model if it is not fixed yet (the contract's `_fixSeed`
/// runs only then) and returns it; a seed already fixed is returned unchanged.
pub(crate) fn fix(t: &mut Transition<'_>, epoch: u64) -> U256 {
    if let Some(seed) = t.m.seeds.get(&epoch) {
        return *seed;
    }
    let seed = seed_at(t, epoch);
    t.m.seeds.insert(epoch, seed);
    t.effects.seeds.push(epoch);
    t.path(if seed_in_commit_phase(t, epoch) {
        "seed fixed with prevrandao"
    } else {
        "seed fixed late (no randao)"
    });
    seed
}

fn seed_in_commit_phase(t: &Transition<'_>, epoch: u64) -> bool {
    let e = &t.seen.chain.epochs;
    t.block < e.start(epoch + 1) + e.commit_blocks
}

/// `finalizeSeed(epoch)`: allowed exactly once epoch `epoch + 1` has started; fixes the seed if
/// nobody has, and never changes a fixed one.
pub(crate) fn finalize_seed(t: &mut Transition<'_>, e: u64) -> Result<(), Violation> {
    let (ok, block) = (t.ok, t.block);
    if ok != (block >= t.seen.chain.epochs.start(e + 1)) {
        return Err(violation(
            "a seed is fixed only after its reveal phase",
            format!("finalizeSeed({e}) at block {block}: ok={ok}"),
        ));
    }
    if ok {
        if t.m.seeds.contains_key(&e) {
            t.path("re-roll attempt on a fixed seed (no effect)");
        }
        fix(t, e);
    }
    Ok(())
}

/// "A seed never changes once fixed, and is the one the rules derive": the seeds of `epochs` (those
/// a step wrote, on chain or in the model) equal the model's, so the chain neither rewrites a
/// seed nor fixes one the rules did not.
pub fn check(
    chain: &crate::chain::Chain,
    m: &Model,
    epochs: impl IntoIterator<Item = u64>,
) -> Result<(), Violation> {
    for e in epochs {
        let stored = chain.seed(e);
        let model = m.seeds.get(&e).copied();
        if stored != model {
            return Err(violation(
                "a seed never changes once fixed, and is derived from the reveals' mix and prevrandao only",
                format!("list epoch {e}: chain {stored:?}, model {model:?}"),
            ));
        }
    }
    Ok(())
}
