//! Stake moves of the provers that play with the `minStake` threshold (decliner, secret withholder):
//! dropping 1 unit below it with `requestUnstake` and topping up again with fresh tokens. The
//! unstaked part stays bonded (unbonding) for the rest of the run: the capacity rule and slashes
//! still count it, which is why the dodge does not work. The whitewasher's move to a fresh
//! identity. And the top-up of a prover that a slash left below `minStake` (`[top_up]`).

use alloy::primitives::U256;
use eyre::{Result, bail};
use provernet_bindings::ProverNetwork as P;

use provernet_bindings::amount::tokens_f64;

use crate::engine::fund;
use crate::world::{World, units};

/// Prover `i` requests an unstake leaving its active stake 1 unit below `minStake`; `until` is the
/// last block of the slot it dodges (zero: a reveal). Does nothing if it is already below.
pub(crate) fn dips_below_minimum(w: &mut World<'_>, i: usize, until: u64) -> Result<()> {
    let a = &w.agents[i];
    if a.dipped.is_some() || a.stake_units < w.min_stake {
        return Ok(());
    }
    let amount = a.stake_units - w.min_stake + 1;
    let addr = a.spec.addr;
    let call = P::requestUnstakeCall { amount: U256::from(amount) };
    let out = w.chain.exec(addr, w.chain.addrs.network, &call)?;
    w.record("requestUnstake", &out, Some(i), true);
    if out.revert.is_none() {
        let a = &mut w.agents[i];
        a.stake_units -= amount;
        a.unbonding_units += amount;
        a.dipped = Some((amount, until));
    }
    Ok(())
}

/// Prover `i` stakes again what it unstaked, from fresh tokens (its unbonding part stays locked).
pub(crate) fn tops_up(w: &mut World<'_>, i: usize) -> Result<()> {
    let Some((amount, _)) = w.agents[i].dipped.take() else { return Ok(()) };
    let addr = w.agents[i].spec.addr;
    fund(&mut w.chain, addr, amount)?;
    let out =
        w.chain.exec(addr, w.chain.addrs.network, &P::stakeCall { amount: U256::from(amount) })?;
    w.record("stake", &out, Some(i), true);
    if let Some(r) = &out.revert {
        bail!("prover {i}'s top-up of {amount} units reverted: {r}");
    }
    w.agents[i].stake_units += amount;
    Ok(())
}

/// Block step: a decliner whose draw for the slot starting now is itself drops below `minStake`
/// before the rollup posts (the seed is fixed by then: the epoch's first commit fixed it); every
/// dipped prover tops up once the slot it dodged is over.
pub(crate) fn dodges_drawn_slots(w: &mut World<'_>, block: u64) -> Result<()> {
    if block < w.first_block {
        return Ok(());
    }
    let slot = w.chain.epochs.slot_at(block);
    let slot_start =
        (block - w.chain.epochs.start(slot.epoch)).is_multiple_of(w.s.chain.slot_blocks);
    for i in 0..w.agents.len() {
        if let Some((_, until)) = w.agents[i].dipped
            && until < block
        {
            tops_up(w, i)?;
        }
        if !slot_start || !w.agents[i].policy.dodges_drawn_slots() {
            continue;
        }
        let call = P::slotDrawCall {
            epoch: U256::from(slot.epoch),
            index: U256::from(slot.index),
            draw: U256::ZERO,
        };
        if w.chain.view(w.chain.addrs.network, &call)? == w.agents[i].spec.addr
            && w.agents[i].dipped.is_none()
            && w.eligible(i)
        {
            w.agents[i].stats.dodges += 1;
            dips_below_minimum(w, i, slot.last_block)?;
        }
    }
    Ok(())
}

/// Block step: a slashed whitewasher with no reveal pending leaves: its old identity unstakes
/// everything (it keeps proving what it holds, and can no longer commit), and its fresh identity
/// registers with the original stake, from fresh tokens, at reputation 0.
pub(crate) fn whitewashes(w: &mut World<'_>, _block: u64) -> Result<()> {
    for i in 0..w.agents.len() {
        let a = &w.agents[i];
        if !a.rebirth_due || a.committed.is_some() {
            continue;
        }
        let (old, stake, next) = (a.spec.addr, a.stake_units, a.successor);
        w.agents[i].rebirth_due = false;
        let Some(k) = next else { continue };
        w.agents[i].successor = None;
        let network = w.chain.addrs.network;
        let rep = w.chain.view(network, &P::reputationOfCall { who: old })?.saturating_to::<u64>();
        if stake > 0 {
            let out =
                w.chain.exec(old, network, &P::requestUnstakeCall { amount: U256::from(stake) })?;
            w.record("requestUnstake", &out, Some(i), true);
            if out.revert.is_none() {
                w.agents[i].stake_units = 0;
                w.agents[i].unbonding_units += stake;
            }
        }
        let fresh = units(w.agents[k].spec.stake);
        let new = w.agents[k].spec.addr;
        fund(&mut w.chain, new, fresh)?;
        let out = w.chain.exec(new, network, &P::registerCall { amount: U256::from(fresh) })?;
        w.record("register", &out, Some(k), true);
        if let Some(r) = &out.revert {
            bail!("prover {i}'s fresh identity could not register: {r}");
        }
        w.agents[k].stake_units = fresh;
        w.agents[k].market.joined = Some(w.chain.block());
        w.agents[k].market.last_eval = (w.chain.block(), 0.0, 0.0);
        let d = &mut w.summary.dodging;
        d.shed_reputation_mean =
            (d.shed_reputation_mean * d.rebirths as f64 + rep as f64) / (d.rebirths + 1) as f64;
        d.rebirths += 1;
    }
    Ok(())
}

/// Block step: a prover whose active stake a slash left below `minStake` stakes back to its initial
/// stake, from fresh tokens, `top_up.delay_blocks` after it fell short, if the scenario's `[top_up]`
/// says provers do and its policy agrees (with `top_up.if_profitable`: only if proving pays it,
/// `crate::market`). A prover below on purpose (a dip) is left alone.
pub(crate) fn tops_up_after_slashes(w: &mut World<'_>, block: u64) -> Result<()> {
    if !w.s.top_up.enabled {
        return Ok(());
    }
    let delay = w.s.top_up.delay_blocks;
    for i in 0..w.agents.len() {
        let a = &w.agents[i];
        // A pool's stake moves through the pool only (its operator does not top it up here).
        let pooled = a.sender != a.spec.addr;
        // A prover on its way out (or not in yet) does not buy its way back.
        if a.stake_units >= w.min_stake
            || a.dipped.is_some()
            || pooled
            || !a.market.active()
            || !a.policy.tops_up_when_short()
        {
            w.agents[i].short_since = None;
            continue;
        }
        let since = *w.agents[i].short_since.get_or_insert(block);
        if block < since + delay {
            continue;
        }
        // It expects to profit if operating (revenue less every cost but the sunk slashes) paid
        // over its trailing window; if not, it stays short and asks again next block.
        if w.s.top_up.if_profitable && w.trailing(i, block).is_none_or(|(_, op)| op <= 0.0) {
            continue;
        }
        let amount = units(w.agents[i].spec.stake).saturating_sub(w.agents[i].stake_units);
        let addr = w.agents[i].spec.addr;
        fund(&mut w.chain, addr, amount)?;
        let call = P::stakeCall { amount: U256::from(amount) };
        let out = w.chain.exec(addr, w.chain.addrs.network, &call)?;
        w.record("stake", &out, Some(i), true);
        if let Some(r) = &out.revert {
            bail!("prover {i}'s top-up of {amount} units after its slashes reverted: {r}");
        }
        w.agents[i].stake_units += amount;
        w.agents[i].short_since = None;
        let r = &mut w.summary.recovery;
        r.top_ups += 1;
        r.topped_up += tokens_f64(amount);
    }
    Ok(())
}
