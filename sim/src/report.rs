//! The end of a run: the agents' bookkeeping cross-checked against the chain, and the summary's
//! metrics (liveness, load, economics, decentralisation, emergency mode, gas).

use std::time::Instant;

use alloy::primitives::U256;
use eyre::Result;
use provernet_bindings::amount::tokens_f64;
use provernet_bindings::{BatchStatus, DevStakingToken, ProverNetwork as P, Strategy};

use crate::metrics::{self, Distribution, Summary};
use crate::pool_report;
use crate::population::ProverSpec;
use crate::world::{Batch, ProverStats, World};
use crate::{losses, profit_report, recovery, withholding};

/// One row of `timeseries.csv`.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Sample {
    /// Block.
    pub block: u64,
    /// Epoch.
    pub epoch: u64,
    /// Batches posted so far.
    pub posted: u64,
    /// Proven in window so far.
    pub proven: u64,
    /// Rescued so far.
    pub rescued: u64,
    /// Failed so far.
    pub failed: u64,
    /// Races running now.
    pub racing: u64,
    /// Transactions waiting for a batch or a proof.
    pub backlog: u64,
    /// Provers online now.
    pub online: u64,
    /// Provers in the selection list serving this epoch.
    pub listed: u64,
    /// Stake slashed so far (tokens).
    pub slashed: f64,
    /// User value so far (tokens).
    pub user_value: f64,
}

/// A finished run.
pub struct RunResult {
    /// The summary.
    pub summary: Summary,
    /// The time series.
    pub samples: Vec<Sample>,
    /// Per-prover statistics with their specs.
    pub provers: Vec<(ProverSpec, ProverStats, ProverEnd)>,
    /// Blocks from posting to proof of every proven or rescued batch.
    pub proof_times: Vec<f64>,
}

/// A prover's state on chain at the end of the run.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ProverEnd {
    /// Active stake (tokens).
    pub stake: f64,
    /// Reputation.
    pub reputation: u64,
    /// Claimable balance (tokens).
    pub claimable: f64,
}

/// One row of the time series (asks every prover whether it is online).
pub(crate) fn sample(w: &mut World<'_>, block: u64) -> Sample {
    let epoch = w.chain.epochs.at(block);
    let mut online = 0;
    for i in 0..w.agents.len() {
        // A potential entrant is not in the network until it joins.
        let outside = w.agents[i].market.entrant && w.agents[i].market.joined.is_none();
        if !outside && w.online(i, block) {
            online += 1;
        }
    }
    Sample {
        block,
        epoch,
        posted: w.batches.len() as u64,
        proven: w.n_proven,
        rescued: w.n_rescued,
        failed: w.n_failed,
        racing: w.racing_now,
        backlog: w.pending_count + w.inflight_txs,
        online,
        listed: epoch.checked_sub(1).and_then(|e| w.listed.get(&e)).copied().unwrap_or(0),
        slashed: w.summary.slashing.slashed,
        user_value: w.summary.load.user_value,
    }
}

/// How a batch ended, as the liveness metrics count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    InWindow,
    Rescued,
    Failed,
    Voided,
    Unresolved,
}

impl Outcome {
    fn of(b: &Batch) -> Self {
        match b.status {
            BatchStatus::Proven if b.rescued => Self::Rescued,
            BatchStatus::Proven => Self::InWindow,
            BatchStatus::Failed => Self::Failed,
            BatchStatus::Voided => Self::Voided,
            _ => Self::Unresolved,
        }
    }
}

/// Turns the final world into the run's result.
pub(crate) fn finish(
    mut w: World<'_>,
    last_block: u64,
    started: Instant,
    samples: Vec<Sample>,
) -> Result<RunResult> {
    let s = w.s;
    // The pools' final syncs come first (their transactions are booked in the summary): they
    // collect rewards, which prover_ends checks.
    let (pools, pools_ok) = pool_report::finish(&mut w, last_block)?;
    // Potential entrants that never joined were never in the network. Entrants join in order, so
    // they are the agents' tail.
    let entered = w
        .agents
        .iter()
        .rposition(|a| !(a.market.entrant && a.market.joined.is_none()))
        .map_or(0, |k| k + 1);
    w.agents.truncate(entered);
    for i in 0..w.agents.len() {
        w.books_machine_costs(i, last_block + 1);
        let a = &mut w.agents[i];
        (a.stats.joined, a.stats.exited) = (a.market.joined, a.market.left);
    }
    let mut sum = std::mem::take(&mut w.summary);
    sum.scenario = s.name.clone();
    sum.seed = s.seed;
    sum.provers = w.agents.len();
    sum.blocks = last_block + 1 - w.first_block;
    sum.checks.batch_status_matches = statuses_match(&mut w)?;
    sum.pools = pools;
    sum.checks.pools_reconcile = pools_ok;
    let (ends, claim_ok) = prover_ends(&mut w)?;
    sum.checks.revenue_matches_claimable = claim_ok;
    let fee_balance = w
        .chain
        .view(w.chain.addrs.network, &P::sourceOfCall { source: w.rollup })?
        .feeBalance
        .to::<u128>();
    sum.checks.fee_balance_matches = fee_balance == w.fee_balance;
    sum.checks.tokens_reconcile = tokens_reconcile(&mut w, fee_balance)?;
    let proof_times = liveness(&w, &mut sum);
    load(&w, &mut sum);
    economics(&w, &mut sum);
    losses::summarise(&w, &mut sum);
    profit_report::summarise(&w, &mut sum, last_block);
    withholding::summarise(&w, &mut sum);
    decentralisation(&w, &mut sum);
    source(&w, &mut sum);
    let outage = w.outage.as_ref().map(|(o, _)| o);
    recovery::list_metrics(&mut sum.recovery, &w.chain.epochs, &w.listed, outage, last_block);
    for a in &w.agents {
        let d = &mut sum.dodging;
        d.dodges += a.stats.dodges;
        d.dodged_batches += a.stats.dodged_batches;
        d.unlisted_reveals += a.stats.unlisted_reveals;
    }

    // Emergency and gas.
    let posted = sum.liveness.posted.max(1) as f64;
    let done = (sum.liveness.proven_in_window + sum.liveness.rescued).max(1) as f64;
    sum.emergency.frequency = sum.emergency.raced as f64 / posted;
    sum.emergency.block_share = w.race_blocks as f64 / sum.blocks.max(1) as f64;
    sum.emergency.racers_per_race = sum.emergency.racers as f64 / sum.emergency.raced.max(1) as f64;
    sum.gas.per_proven_batch = w.gas_batch as f64 / done;
    let proofs = sum.gas.count_by_kind.get("submitProof").copied().unwrap_or(0);
    sum.gas.batches_per_proof = sum.liveness.proven_in_window as f64 / proofs.max(1) as f64;
    sum.gas.per_proven_batch_all_in = sum.gas.total as f64 / done;

    sum.wall_seconds = started.elapsed().as_secs_f64();
    sum.bytecode_hash = crate::provenance::bytecode_hash();
    let provers = w.agents.into_iter().zip(ends).map(|(a, end)| (a.spec, a.stats, end)).collect();
    Ok(RunResult { summary: sum, samples, provers, proof_times })
}

/// Whether every batch's status as the agents tracked it from the events is its status on chain.
fn statuses_match(w: &mut World<'_>) -> Result<bool> {
    let network = w.chain.addrs.network;
    for (k, b) in w.batches.iter().enumerate() {
        let onchain = w.chain.view(network, &P::batchOfCall { batchId: U256::from(k + 1) })?;
        if BatchStatus::try_from(onchain.status) != Ok(b.status) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether the network holds exactly what it owes (the contract's accounting invariant), every
/// term read from the chain: the provers' stake, unbonding and claimable balances, the keeper's
/// claimable fees, the rollup's fee balance, the escrowed fees and bounties of unresolved batches,
/// the treasury and the pending burn.
fn tokens_reconcile(w: &mut World<'_>, fee_balance: u128) -> Result<bool> {
    let (network, token) = (w.chain.addrs.network, w.chain.addrs.token);
    let mut owed = U256::from(fee_balance);
    let keeper = w.chain.view(network, &P::accountOfCall { who: w.keeper })?;
    owed += U256::from(keeper.claimable);
    for a in &w.agents {
        let acct = w.chain.view(network, &P::accountOfCall { who: a.spec.addr })?;
        owed += U256::from(acct.stake) + U256::from(acct.unbonding) + U256::from(acct.claimable);
    }
    for id in 1..=w.batches.len() {
        let b = w.chain.view(network, &P::batchOfCall { batchId: U256::from(id) })?;
        let status = BatchStatus::try_from(b.status);
        if matches!(
            status,
            Ok(BatchStatus::Assigned
                | BatchStatus::Open
                | BatchStatus::Racing
                | BatchStatus::Challenged)
        ) {
            owed += U256::from(b.fee) + U256::from(b.bounty);
        }
    }
    owed += U256::from(w.chain.view(network, &P::treasuryBalanceCall {})?);
    owed += U256::from(w.chain.view(network, &P::burnPendingCall {})?);
    let held = w.chain.view(token, &DevStakingToken::balanceOfCall { account: network })?;
    Ok(held == owed)
}

/// Every prover's final state on chain, and whether each one's stake and claimable balance match
/// the revenue and slashes the agents booked.
fn prover_ends(w: &mut World<'_>) -> Result<(Vec<ProverEnd>, bool)> {
    let mut ends = Vec::with_capacity(w.agents.len());
    let mut claim_ok = true;
    let network = w.chain.addrs.network;
    for (i, a) in w.agents.iter().enumerate() {
        let acct = w.chain.view(network, &P::accountOfCall { who: a.spec.addr })?;
        let rep = w.chain.view(network, &P::reputationOfCall { who: a.spec.addr })?;
        let end = ProverEnd {
            stake: tokens_f64(acct.stake.to::<u128>()),
            reputation: rep.saturating_to(),
            claimable: tokens_f64(acct.claimable.to::<u128>()),
        };
        // A pool collects its rewards when it syncs: what is left is the rest.
        let unclaimed = a.stats.revenue - w.pools.collected_by(i);
        if (end.claimable - unclaimed).abs() > 1e-6 * (1.0 + a.stats.revenue)
            || acct.stake.to::<u128>() != a.stake_units
            || acct.unbonding.to::<u128>() != a.unbonding_units
            || acct.openAssignments.to::<u64>() != a.open
        {
            claim_ok = false;
        }
        ends.push(end);
    }
    Ok((ends, claim_ok))
}

/// Batch outcomes and times to proof; returns the times to proof of every proven or rescued batch.
fn liveness(w: &World<'_>, sum: &mut Summary) -> Vec<f64> {
    let l = &mut sum.liveness;
    l.posted = w.batches.len() as u64;
    for b in &w.batches {
        match Outcome::of(b) {
            Outcome::InWindow => l.proven_in_window += 1,
            Outcome::Rescued => l.rescued += 1,
            Outcome::Failed => l.failed += 1,
            Outcome::Voided => l.voided += 1,
            Outcome::Unresolved => l.unresolved += 1,
        }
    }
    let posted = l.posted.max(1) as f64;
    l.share_proven = l.proven_in_window as f64 / posted;
    l.share_rescued = l.rescued as f64 / posted;
    l.share_failed = l.failed as f64 / posted;
    let mut proof_times: Vec<f64> = w
        .batches
        .iter()
        .filter(|b| b.status == BatchStatus::Proven)
        .map(|b| (b.resolved - b.posted) as f64)
        .collect();
    let by_outcome = |o: Outcome| -> Vec<f64> {
        w.batches
            .iter()
            .filter(|b| Outcome::of(b) == o)
            .map(|b| (b.resolved - b.posted) as f64)
            .collect()
    };
    sum.time_to_proof_in_window = Distribution::of(&mut by_outcome(Outcome::InWindow));
    sum.time_to_proof_rescued = Distribution::of(&mut by_outcome(Outcome::Rescued));
    sum.time_to_proof = Distribution::of(&mut proof_times);
    proof_times
}

/// The users' side.
fn load(w: &World<'_>, sum: &mut Summary) {
    let ld = &mut sum.load;
    ld.txs_unprocessed = ld.txs_arrived - ld.txs_finalised;
    ld.backlog_mean = w.backlog_sum / w.backlog_n.max(1) as f64;
    ld.user_cost_per_tx = ld.user_cost / ld.txs_finalised.max(1) as f64;
    ld.user_welfare = ld.user_value - ld.user_cost;
    ld.tx_latency_mean = w.tx_latency_sum / ld.txs_finalised.max(1) as f64;
    crate::latency::books(w, w.chain.block(), ld);
    let real_batches = w.batches.len() as u64 - sum.source.dummies;
    ld.fee_multiple_mean = w.fee_multiplier_sum / real_batches.max(1) as f64;
}

/// Prover economics.
fn economics(w: &World<'_>, sum: &mut Summary) {
    let gas_price = w.s.provers.gas_cost_per_mgas / 1e6;
    let n = w.agents.len() as f64;
    let e = &mut sum.economics;
    let (mut covering, mut profitable, mut honest_n, mut honest_profitable) = (0, 0, 0, 0);
    for a in &w.agents {
        let st = &a.stats;
        let (profit, gas_cost) = (st.profit(gas_price), st.gas as f64 * gas_price);
        e.revenue += st.revenue;
        e.proving_cost += st.proving_cost;
        e.gas_cost += gas_cost;
        e.slashed += st.slashed;
        e.profit_mean += profit / n;
        if st.revenue > 0.0 && st.revenue >= st.proving_cost + gas_cost {
            covering += 1;
        }
        if profit > 0.0 {
            profitable += 1;
        }
        if a.spec.strategy == Strategy::Honest {
            honest_n += 1;
            e.honest_profit += profit;
            if profit > 0.0 {
                honest_profitable += 1;
            }
        } else {
            e.adversary_profit += profit;
        }
    }
    e.covering_costs_share = covering as f64 / n;
    e.profitable_share = profitable as f64 / n;
    e.honest_profitable_share =
        if honest_n == 0 { 0.0 } else { honest_profitable as f64 / honest_n as f64 };
}

/// The steering source's outcome against its favourite's weight share.
fn source(w: &World<'_>, sum: &mut Summary) {
    let src = &mut sum.source;
    src.real_batches = w.batches.len() as u64 - src.dummies;
    src.favourite_share = src.favourite_batches as f64 / src.real_batches.max(1) as f64;
    let total: f64 = w.agents.iter().map(|a| a.stats.weight_sum).sum();
    let favourite = w.agents[w.s.source.favourite].stats.weight_sum;
    src.favourite_weight_share = if total > 0.0 { favourite / total } else { 0.0 };
}

/// Concentration of selection, stake and earnings.
fn decentralisation(w: &World<'_>, sum: &mut Summary) {
    let assignments: Vec<f64> = w.agents.iter().map(|a| a.stats.assignments as f64).collect();
    let stakes: Vec<f64> = w.agents.iter().map(|a| a.spec.stake).collect();
    let weights: Vec<f64> = w.agents.iter().map(|a| a.stats.weight_sum).collect();
    let revenue: Vec<f64> = w.agents.iter().map(|a| a.stats.revenue).collect();
    let d = &mut sum.decentralisation;
    d.hhi_assignments = metrics::hhi(&assignments);
    d.hhi_stake = metrics::hhi(&stakes);
    d.hhi_weight = metrics::hhi(&weights);
    let cap = tokens_f64(w.s.params.max_weight_stake);
    let capped: Vec<f64> = stakes.iter().map(|&x| x.min(cap)).collect();
    d.hhi_capped_stake = metrics::hhi(&capped);
    d.nakamoto_assignments = metrics::nakamoto(&assignments);
    d.nakamoto_stake = metrics::nakamoto(&stakes);
    d.nakamoto_weight = metrics::nakamoto(&weights);
    d.gini_earnings = metrics::gini(&revenue);
    let mut by_stake: Vec<usize> = (0..w.agents.len()).collect();
    by_stake.sort_by(|&a, &b| stakes[b].total_cmp(&stakes[a]));
    let top = by_stake.len().div_ceil(10);
    let total_a: f64 = assignments.iter().sum::<f64>().max(1.0);
    let total_s: f64 = stakes.iter().sum();
    d.top10pct_assignment_share =
        by_stake[..top].iter().map(|&i| assignments[i]).sum::<f64>() / total_a;
    d.top10pct_stake_share = by_stake[..top].iter().map(|&i| stakes[i]).sum::<f64>() / total_s;
}
