//! The market's moves, as transactions: a prover whose trailing profit stayed below `exit_below`
//! for `exit_after` evaluations leaves (`requestUnstake` of its whole active stake, then `withdraw`
//! once the unbonding delay has passed and its assignments and commitment are settled); a potential
//! entrant that decided to join registers (`register`, from fresh tokens) `entry_delay_blocks`
//! later. The rules and the books they read are in [`crate::market`].

use alloy::primitives::U256;
use eyre::{Result, bail};
use provernet_bindings::ProverNetwork as P;
use provernet_bindings::amount::tokens_f64;

use crate::engine::fund;
use crate::world::{World, units};

/// Block step: exited provers withdraw, entrants due register, the steady part's profit base is
/// taken at its first block, and every `eval_epochs` epochs the provers evaluate their trailing
/// profit (exits) and the potential entrants the incumbents' (entries).
pub(crate) fn market_acts(w: &mut World<'_>, block: u64) -> Result<()> {
    let epochs = w.chain.epochs;
    if block == epochs.start(w.s.market.steady_from_epoch.max(1)) {
        for i in 0..w.agents.len() {
            if w.agents[i].market.active() {
                let p = w.profit_now(i, block);
                w.agents[i].market.steady_base = Some(p);
            }
        }
    }
    if !w.s.market.enabled {
        return Ok(());
    }
    withdraws(w, block)?;
    enters(w, block)?;
    let epoch = epochs.at(block);
    if block == epochs.start(epoch) && epoch >= 1 && epoch.is_multiple_of(w.s.market.eval_epochs) {
        evaluates(w, block)?;
    }
    Ok(())
}

/// Every active prover judges its trailing profit; then one more potential entrant decides to join
/// if the incumbents' mean trailing profit is above `entry_above`.
fn evaluates(w: &mut World<'_>, block: u64) -> Result<()> {
    let m = &w.s.market;
    let (exit_below, exit_after, entry_above) = (m.exit_below, m.exit_after, m.entry_above);
    let (mut sum, mut n) = (0.0, 0u64);
    for i in 0..w.agents.len() {
        let a = &w.agents[i];
        // A pool's stake moves through the pool (its delegators decide), not here.
        if !a.market.active() || a.sender != a.spec.addr {
            continue;
        }
        let Some((rate, _)) = w.trailing(i, block) else { continue };
        let profit = w.agents[i].stats.profit(w.gas_price());
        let operating = profit + w.agents[i].stats.slashed;
        let book = &mut w.agents[i].market;
        book.last_eval = (block, profit, operating);
        sum += rate;
        n += 1;
        book.bad = if rate < exit_below { book.bad + 1 } else { 0 };
        // A prover below `minStake` on purpose (a dip) settles that first.
        if book.bad >= exit_after && w.agents[i].dipped.is_none() {
            exits(w, i, block)?;
        }
    }
    if n > 0 && sum / n as f64 > entry_above {
        let next = w.agents.iter().position(|a| {
            a.market.entrant && a.market.joined.is_none() && a.market.enters_at.is_none()
        });
        if let Some(k) = next {
            w.agents[k].market.enters_at = Some(block + w.s.market.entry_delay_blocks);
            w.summary.market.entry_decisions += 1;
        }
    }
    Ok(())
}

/// Prover `i` leaves: its machines go off now and it requests an unstake of its whole active stake
/// (it keeps proving the batches it holds; the contract keeps the stake bonded and slashable for
/// the unbonding delay).
fn exits(w: &mut World<'_>, i: usize, block: u64) -> Result<()> {
    w.books_machine_costs(i, block);
    w.agents[i].market.left = Some(block);
    w.summary.market.exits += 1;
    let amount = w.agents[i].stake_units;
    if amount == 0 {
        return Ok(());
    }
    let addr = w.agents[i].sender;
    let out = w.chain.exec(
        addr,
        w.chain.addrs.network,
        &P::requestUnstakeCall { amount: U256::from(amount) },
    )?;
    w.record("requestUnstake", &out, Some(i), true);
    if let Some(r) = &out.revert {
        bail!("prover {i}'s exit unstake of {amount} units reverted: {r}");
    }
    let a = &mut w.agents[i];
    a.stake_units = 0;
    a.unbonding_units += amount;
    let epoch = w.chain.epochs.at(block) as usize;
    let drained = &mut w.summary.market.unstaked_per_epoch;
    if drained.len() < epoch {
        drained.resize(epoch, 0.0);
    }
    drained[epoch - 1] += tokens_f64(amount);
    w.summary.market.unstaked += tokens_f64(amount);
    Ok(())
}

/// Exited provers take their unbonded stake out once the contract lets them: the delay has passed,
/// no assignment is open and no commitment is unresolved (read from the chain, which decides).
fn withdraws(w: &mut World<'_>, block: u64) -> Result<()> {
    let network = w.chain.addrs.network;
    for i in 0..w.agents.len() {
        let a = &w.agents[i];
        if a.market.left.is_none() || a.market.withdrawn || a.unbonding_units == 0 {
            continue;
        }
        let acct = w.chain.view(network, &P::accountOfCall { who: a.spec.addr })?;
        let ready = acct.unbondingReadyAt.to::<u64>() <= block;
        if !ready || acct.openAssignments.to::<u64>() > 0 || !acct.commitHash.is_zero() {
            continue;
        }
        let out = w.chain.exec(a.sender, network, &P::withdrawCall {})?;
        w.record("withdraw", &out, Some(i), true);
        if let Some(r) = &out.revert {
            bail!("prover {i}'s withdrawal after its exit reverted: {r}");
        }
        let a = &mut w.agents[i];
        w.summary.market.withdrawn += tokens_f64(a.unbonding_units);
        w.summary.market.withdrawals += 1;
        a.unbonding_units = 0;
        a.market.withdrawn = true;
    }
    Ok(())
}

/// Entrants whose registration block has come register with their stake, from fresh tokens.
fn enters(w: &mut World<'_>, block: u64) -> Result<()> {
    let steady = w.chain.epochs.start(w.s.market.steady_from_epoch.max(1));
    for k in 0..w.agents.len() {
        let m = &w.agents[k].market;
        if m.joined.is_some() || m.enters_at.is_none_or(|at| at > block) {
            continue;
        }
        let (addr, stake) = (w.agents[k].spec.addr, units(w.agents[k].spec.stake));
        fund(&mut w.chain, addr, stake)?;
        let out = w.chain.exec(
            addr,
            w.chain.addrs.network,
            &P::registerCall { amount: U256::from(stake) },
        )?;
        w.record("register", &out, Some(k), true);
        if let Some(r) = &out.revert {
            bail!("entrant {k} could not register: {r}");
        }
        let a = &mut w.agents[k];
        a.stake_units = stake;
        a.market.joined = Some(block);
        a.market.costs_to = block;
        a.market.last_eval = (block, 0.0, 0.0);
        a.market.steady_base = (block >= steady).then_some(0.0);
        w.summary.market.entries += 1;
    }
    Ok(())
}
