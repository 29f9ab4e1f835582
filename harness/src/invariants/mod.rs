//! The protocol invariants, checked against storage after every action.
//!
//! Each check names the invariant it enforces; the rules in `model` check the transitions (who may
//! do what, when), this module the state; [`pools`] the pools' state.

pub mod pools;

use alloy::primitives::B256;

use crate::actors::{Actor, Role};
use crate::chain::{Chain, TokenKind};
use crate::model::Model;
use crate::model::reputation::REP_MAX;
use crate::status;
use crate::violation::{Violation, violation};

/// What the state invariants look at: the chain, the model, the cast, and the entities the last
/// step changed (on chain or in the model) or named.
pub struct Subject<'a> {
    /// The chain.
    pub chain: &'a Chain,
    /// The reference model.
    pub model: &'a Model,
    /// The actors (index = actor id).
    pub actors: &'a [Actor],
    /// Which token is deployed.
    pub token: &'a TokenKind,
    /// Accounts (actor indices) the last step changed.
    pub dirty_accounts: &'a [u16],
    /// Batches the last step changed or named.
    pub dirty_batches: &'a [u64],
    /// List epochs whose seed the last step wrote (on chain or in the model).
    pub dirty_seeds: &'a [u64],
}

/// Checks the state invariants after a step: on the accounts, batches and seeds the step changed
/// (on chain or in the model) or named, or on everything when `full`. Entities nobody changed were
/// equal to the model after the previous step and still are.
pub fn check(w: &Subject<'_>, full: bool) -> Result<(), Violation> {
    let result = check_inner(w, full);
    if result.is_err() && !full {
        // Report a conservation break as such, even when a per-entity difference showed it first.
        conservation(w)?;
    }
    result
}

fn check_inner(w: &Subject<'_>, full: bool) -> Result<(), Violation> {
    let m = &w.model;
    if full {
        conservation(w)?;
        for i in 0..w.actors.len() {
            check_account(w, i)?;
        }
        let ids: Vec<u64> = m.live.iter().copied().chain(w.dirty_batches.iter().copied()).collect();
        for id in ids {
            check_batch(w, id)?;
        }
    } else {
        for i in w.dirty_accounts {
            check_account(w, *i as usize)?;
        }
        for id in w.dirty_batches {
            check_batch(w, *id)?;
        }
    }
    if full {
        let epoch = w.chain.current_epoch();
        crate::model::seeds::check(w.chain, m, epoch.saturating_sub(3)..=epoch)?;
    } else {
        crate::model::seeds::check(w.chain, m, w.dirty_seeds.iter().copied())?;
    }
    check_globals(w)?;
    let held = w.chain.network_balance();
    let model_owed = m.liabilities();
    if held != model_owed {
        conservation(w)?;
        return Err(violation(
            "exact token conservation: tokens held == what the reference model says is owed",
            format!(
                "network holds {held}, the model owes {model_owed} (difference {})",
                held as i128 - model_owed as i128
            ),
        ));
    }
    Ok(())
}

/// Exact conservation on chain state alone: what the token says the network holds against what
/// the network's own storage says it owes (every actor, every live or named batch).
fn conservation(w: &Subject<'_>) -> Result<(), Violation> {
    let chain = &w.chain;
    let mut ids: Vec<u64> =
        w.model.live.iter().copied().chain(w.dirty_batches.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    let (treasury, burn) = chain.treasury_and_burn();
    let owed: u128 = w
        .actors
        .iter()
        .map(|a| {
            let c = chain.account(&a.keys);
            c.stake + c.unbonding + c.claimable + chain.source(&a.keys).fee_balance
        })
        .sum::<u128>()
        + ids
            .iter()
            .map(|id| {
                let b = chain.batch(*id);
                match b.status {
                    status::ASSIGNED | status::OPEN | status::CHALLENGED => b.fee,
                    status::RACING => b.fee + b.bounty,
                    _ => 0,
                }
            })
            .sum::<u128>()
        + treasury
        + burn;
    let held = chain.network_balance();
    if held != owed {
        return Err(violation(
            "exact token conservation: tokens held == stakes + unbonding + claimable + source fee balances + escrowed fees + bounties + treasury + burnPending",
            format!(
                "network holds {held}, its storage owes {owed} (difference {})",
                held as i128 - owed as i128
            ),
        ));
    }
    Ok(())
}

fn check_account(w: &Subject<'_>, i: usize) -> Result<(), Violation> {
    let actor = &w.actors[i];
    let c = w.chain.account(&actor.keys);
    let a = &w.model.accounts[i];
    if c.reputation > REP_MAX {
        return Err(violation(
            "reputation stays within [0, 10000]",
            format!("{} has {}", actor.addr, c.reputation),
        ));
    }
    let commit_matches = match a.commit {
        None => c.commit_hash.is_zero(),
        Some((epoch, hash)) => c.commit_epoch == epoch && c.commit_hash == hash,
    };
    let src = w.chain.source(&actor.keys);
    let same = c.stake == a.stake
        && src.fee_balance == a.fee_balance
        && c.unbonding == a.unbonding
        && c.unbonding_ready_at == a.ready_at
        && c.open_assignments == a.open
        && c.claimable == a.claimable
        && c.registered == a.registered
        && c.reputation == a.rep
        && c.rep_updated_at == a.rep_at
        && c.slashed_epoch == a.slashed_epoch
        && commit_matches;
    if !same {
        return Err(violation(
            "every account matches the reference model (stake, unbonding, assignments, credit, fee balance, reputation)",
            format!("{} ({:?}): chain {c:?}, model {a:?}", actor.addr, actor.role),
        ));
    }
    capacity(w, i, c.open_assignments, a.covered)?;
    // A source's fee balance is exactly what it prepaid, less the fees of its batches and what it
    // withdrew, plus the refunds of its failed batches.
    if a.fees_deposited + a.refunded != a.fee_balance + a.fees_posted + a.fees_withdrawn {
        return Err(violation(
            "a source's fee balance == deposits - posted fees + refunds - withdrawals",
            format!("{}: {a:?}", actor.addr),
        ));
    }
    // Earnings: an account's credit plus what it claimed is exactly the fees and bounties of the
    // batches it proved plus the keeper fees its calls earned plus the compensation of its batches
    // voided for withheld data.
    if c.claimable + a.claimed != a.earned + a.keeper_fees + a.compensated {
        return Err(violation(
            "a prover's earnings equal the fees and bounties of the batches it proved (plus its keeper fees and voided batches' compensation)",
            format!(
                "{}: claimable {} + claimed {} != {} + keeper fees {} + compensation {}",
                actor.addr, c.claimable, a.claimed, a.earned, a.keeper_fees, a.compensated
            ),
        ));
    }
    // Slashed funds never come back out: what an account got back plus what was slashed plus what
    // it still holds is exactly what it paid in.
    if actor.role != Role::Governance
        && a.withdrawn + a.slashed + a.stake + a.unbonding != a.deposited
    {
        return Err(violation(
            "slashed funds can never be withdrawn",
            format!(
                "{}: withdrawn {} + slashed {} + held {} != deposited {}",
                actor.addr,
                a.withdrawn,
                a.slashed,
                a.stake + a.unbonding,
                a.deposited
            ),
        ));
    }
    Ok(())
}

fn check_batch(w: &Subject<'_>, id: u64) -> Result<(), Violation> {
    let c = w.chain.batch(id);
    match w.model.batch(id) {
        None => {
            if c.status != status::NONE {
                return Err(violation(
                    "batch ids are sequential",
                    format!("batch {id} exists on chain only: {c:?}"),
                ));
            }
        }
        Some(b) => {
            let same = c.status == b.status
                && c.fee == b.fee
                && c.bounty == b.bounty
                && c.prover == b.prover
                && c.source == b.source
                && c.assignment == b.assignment
                && c.proving_deadline == b.proving_deadline
                && c.race_deadline == b.race_deadline
                && B256::from(c.commitment) == b.commitment
                && w.chain.challenge(id) == b.respond_by;
            if !same {
                return Err(violation(
                    "every batch matches the reference model (a batch is finalised at most once)",
                    format!(
                        "batch {id}: chain {c:?} (challenge deadline {}), model {b:?}",
                        w.chain.challenge(id)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// "No prover holds more than its capacity": its open assignments are covered by its bonded stake,
/// `stake + unbonding >= minStake + (open - 1) x assignmentBond`, as they were when each was
/// assigned (only a slash lowers the bond afterwards, and a slashed prover's later batches stay
/// its own until they are proven or missed).
fn capacity(w: &Subject<'_>, i: usize, open: u64, covered: u64) -> Result<(), Violation> {
    if open > covered {
        return Err(violation(
            "no prover holds more than its capacity (open assignments covered by bonded stake at assignment time)",
            format!("{} holds {open} open batches, its bond covered {covered}", w.actors[i].addr),
        ));
    }
    Ok(())
}

fn check_globals(w: &Subject<'_>) -> Result<(), Violation> {
    let chain = &w.chain;
    let m = &w.model;
    let (treasury, burn) = chain.treasury_and_burn();
    if treasury != m.treasury || burn != m.burn {
        return Err(violation(
            "treasury and pending burn match the reference model",
            format!("chain ({treasury}, {burn}), model ({}, {})", m.treasury, m.burn),
        ));
    }
    let cursor = chain.cursor();
    if (cursor.assignment, cursor.prover) != (m.cursor.key, m.cursor.prover) {
        return Err(violation(
            "the posting cursor holds the current slot's assignment",
            format!("chain {cursor:?}, model {:?}", m.cursor),
        ));
    }
    for parity in 0..2 {
        let r = chain.roll(parity);
        let mr = &m.rolls[parity as usize];
        if (r.epoch, r.count, r.total_weight, r.mix)
            != (mr.epoch, mr.entries.len() as u64, mr.total(), mr.mix)
        {
            return Err(violation(
                "every cleared commitment was mixed or penalised (selection rolls match the model)",
                format!(
                    "roll {parity}: chain {r:?}, model epoch {} count {} mix {}",
                    mr.epoch,
                    mr.entries.len(),
                    mr.mix
                ),
            ));
        }
    }
    let clock = chain.clock();
    let model_clock = (m.config, m.clock.paused_at.unwrap_or(0), m.clock.paused_blocks, m.provers);
    if chain.next_batch_id() != m.batches.len() as u64 + 1
        || (clock.config, clock.paused_at, clock.paused_blocks, clock.provers) != model_clock
        || chain.params() != m.params
    {
        return Err(violation(
            "batch counter, network clock, slash terms id and parameters match the reference model",
            format!(
                "next id {} vs {}, clock {clock:?} vs model (config, pausedAt, pausedBlocks, provers) {model_clock:?}",
                chain.next_batch_id(),
                m.batches.len() + 1,
            ),
        ));
    }
    let terms = chain.terms(u64::from(m.config));
    let mt = m.current_terms();
    let verifier = if mt.rejecting { chain.rejecting_verifier } else { chain.addrs.verifier };
    if (terms.verifier, terms.slash_bps, terms.burn_bps, terms.bounty_bps, terms.keeper_bps)
        != (verifier, mt.slash_bps, mt.burn_bps, mt.bounty_bps, mt.keeper_bps)
    {
        return Err(violation(
            "the current slash terms (verifier and shares) match the reference model",
            format!("chain {terms:?}, model {mt:?}"),
        ));
    }
    if *w.token == TokenKind::Hostile {
        let reentered = chain.storage(chain.addrs.token, alloy::primitives::U256::from(6));
        if !reentered.is_zero() {
            return Err(violation(
                "no re-entrant call into the network succeeds",
                format!("{reentered} re-entrant calls succeeded"),
            ));
        }
    }
    Ok(())
}

/// Over a long run, each prover is drawn about as often as its weight says: the observed count
/// must lie within 6 standard deviations (plus a small slack) of the expected count.
pub fn check_draws(w: &Subject<'_>) -> Result<(), Violation> {
    for (i, d) in w.model.draws.iter().enumerate() {
        if d.expected < 30.0 {
            continue;
        }
        let sd = d.expected.sqrt();
        let diff = (d.observed as f64 - d.expected).abs();
        if diff > 6.0 * sd + 3.0 {
            return Err(violation(
                "the number of draws of each prover matches its weight",
                format!(
                    "{} drawn {} times, weights give {:.1} (sd {sd:.1})",
                    w.actors[i].addr, d.observed, d.expected
                ),
            ));
        }
    }
    Ok(())
}

/// Every assignment record the step wrote (on chain or in the model) matches the model: the
/// slot's prover, the deadlines its batches share, and whether its one slash was taken.
pub fn check_assignments<'k>(
    chain: &Chain,
    m: &Model,
    keys: impl IntoIterator<Item = &'k u64>,
) -> Result<(), Violation> {
    for key in keys {
        let c = chain.assignment(*key);
        let model = m.assignments.get(key).copied().unwrap_or_default();
        if (c.prover, c.proving_deadline, c.race_deadline, c.config, c.slashed)
            != (
                model.prover,
                model.proving_deadline,
                model.race_deadline,
                model.config,
                model.slashed,
            )
        {
            return Err(violation(
                "every slot draw matches the reference model (prover, shared deadlines, frozen slash terms, one slash per missed assignment)",
                format!("assignment {key}: chain {c:?}, model {model:?}"),
            ));
        }
    }
    Ok(())
}
