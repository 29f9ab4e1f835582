//! The end of a run with pools: every pool synced one last time, its books cross-checked against
//! the chain, and the figures issue 12 asks for: how concentrated stake ends up, how much of it is
//! delegated and to how few pools, and what the delegators earned, overall and by pool quality.

use alloy::primitives::U256;
use eyre::Result;
use provernet_bindings::amount::tokens_f64;
use provernet_bindings::{DevStakingToken, ProverNetwork as P, ProverPool};
use provernet_evm::BLOCK_TIME;
use serde::{Deserialize, Serialize};

use crate::metrics;
use crate::pools::{self, PoolActivity};
use crate::world::{GENESIS, World, u256_tokens};

/// Blocks in a (Julian) year at the chain's block time.
const BLOCKS_PER_YEAR: f64 = 365.25 * 86_400.0 / BLOCK_TIME as f64;

/// What the pools and delegators came to (zeros without `[delegators]`, but the stake
/// concentration, which every run reports).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PoolsSummary {
    /// Pools created.
    pub pools: usize,
    /// Delegators (also counted when `delegators.enabled = false`: their tokens then stay idle).
    pub delegators: usize,
    /// HHI of the provers' active stake on chain at the end (a pool's stake includes its
    /// delegators'): what delegation did to stake.
    pub hhi_stake_end: f64,
    /// Nakamoto coefficient of the same stake: fewest provers holding more than half of it.
    pub nakamoto_stake_end: u64,
    /// Tokens the delegators hold in pools at the end (shares at their value, pending withdrawals).
    pub delegated: f64,
    /// `delegated` over all provers' active and unbonding stake.
    pub delegated_share: f64,
    /// Share of the delegators' shares' value held in the largest tenth of the pools (at least one).
    pub top_pools_delegated_share: f64,
    /// Mean return of a delegator over the run: (value at the end / tokens at the start) - 1.
    pub delegator_return: f64,
    /// The same, annualised (simple interest over the run's blocks at 12 s).
    pub delegator_apr: f64,
    /// Share of the delegators whose value grew.
    pub delegators_in_profit: f64,
    /// Mean share-price return of the pools holding delegations at the end whose reputation is at
    /// or above their median (none without such pools).
    pub pool_return_high_rep: Option<f64>,
    /// Mean share-price return of the pools below the median reputation (none if no pool is).
    pub pool_return_low_rep: Option<f64>,
    /// What the pools and delegators did.
    pub activity: PoolActivity,
    /// Every pool at the end.
    pub pools_end: Vec<PoolEnd>,
}

/// One pool at the end of the run (a row of `pools.csv`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PoolEnd {
    /// The pooled prover (index in `provers.csv`).
    pub prover: usize,
    /// Its hardware class.
    pub class: String,
    /// Its commission (basis points).
    pub commission_bps: u16,
    /// The operator's self-stake at creation (tokens).
    pub self_stake: f64,
    /// The pool's active stake in the network (tokens).
    pub stake: f64,
    /// Value of the delegators' shares (tokens).
    pub delegated: f64,
    /// Reputation in the network.
    pub reputation: u64,
    /// Slashes of the pool over the run.
    pub slashes: u64,
    /// Share-price return over the run: what a delegator who stayed from the start earned.
    pub price_return: f64,
}

/// The cross-check of every pool with the chain, after a final sync. Per pool: the books equal the
/// network's `stake + unbonding` (active assets plus the two unfinalized tranches); the pool holds
/// the tokens it owes (claim reserve and commission); its share supply is the operator's shares
/// plus the shares the delegators were booked; every pending request's value adds up to the
/// tranches and claim reserve it is drawn on (to a rounding unit per request). Per delegator: its
/// booked wallet is its token balance.
fn books_match(w: &mut World<'_>) -> Result<bool> {
    let (network, token) = (w.chain.addrs.network, w.chain.addrs.token);
    let mut ok = true;
    for (k, p) in w.pools.pools.iter().enumerate() {
        let acct = w.chain.view(network, &P::accountOfCall { who: p.addr })?;
        let active = w.chain.view(p.addr, &ProverPool::activeAssetsCall {})?;
        let open_id = w.chain.view(p.addr, &ProverPool::openTrancheCall {})?;
        let unb_id = w.chain.view(p.addr, &ProverPool::unbondingTrancheCall {})?;
        let open = w.chain.view(p.addr, &ProverPool::trancheOfCall { id: U256::from(open_id) })?;
        let unb = w.chain.view(p.addr, &ProverPool::trancheOfCall { id: U256::from(unb_id) })?;
        let reserve = w.chain.view(p.addr, &ProverPool::claimReserveCall {})?;
        let commission = w.chain.view(p.addr, &ProverPool::commissionOwedCall {})?;
        let held = w.chain.view(token, &DevStakingToken::balanceOfCall { account: p.addr })?;
        let unfinalized = U256::from(open.assets) + U256::from(unb.assets);
        ok &= U256::from(acct.stake) + U256::from(acct.unbonding) == active + unfinalized;
        ok &= held >= reserve + commission;
        let supply = w.chain.view(p.addr, &ProverPool::totalSupplyCall {})?;
        let mut booked =
            w.chain.view(p.addr, &ProverPool::balanceOfCall { account: p.operator })?;
        let (mut requested, mut requests) = (U256::ZERO, 0u64);
        for d in &w.pools.delegators {
            let shares = w.chain.view(p.addr, &ProverPool::balanceOfCall { account: d.addr })?;
            let mine = d.position.filter(|&(j, _)| j == k).map_or(U256::ZERO, |(_, s)| s);
            ok &= shares == mine;
            booked += mine;
            if let Some((_, id)) = d.request.filter(|&(j, _)| j == k) {
                requested += w.chain.view(p.addr, &ProverPool::requestValueCall { id })?.assets;
                requests += 1;
            }
        }
        ok &= supply == booked;
        let owed = unfinalized + reserve;
        ok &= requested <= owed && owed - requested <= U256::from(requests);
    }
    for d in &w.pools.delegators {
        let held = w.chain.view(token, &DevStakingToken::balanceOfCall { account: d.addr })?;
        ok &= held == U256::from(d.wallet);
    }
    Ok(ok)
}

/// Syncs every pool, checks the books (the result's second part) and measures.
pub(crate) fn finish(w: &mut World<'_>, last_block: u64) -> Result<(PoolsSummary, bool)> {
    for k in 0..w.pools.pools.len() {
        pools::syncs(w, k)?;
    }
    let consistent = books_match(w)?;
    let network = w.chain.addrs.network;
    let mut sum = PoolsSummary {
        pools: w.pools.pools.len(),
        delegators: w.s.delegators.count,
        ..PoolsSummary::default()
    };
    let mut stakes = Vec::with_capacity(w.agents.len());
    let mut bonded = 0.0;
    for a in &w.agents {
        let acct = w.chain.view(network, &P::accountOfCall { who: a.spec.addr })?;
        stakes.push(u256_tokens(U256::from(acct.stake)));
        bonded += u256_tokens(U256::from(acct.stake) + U256::from(acct.unbonding));
    }
    sum.hhi_stake_end = metrics::hhi(&stakes);
    sum.nakamoto_stake_end = metrics::nakamoto(&stakes);
    delegator_figures(w, last_block, &mut sum)?;
    sum.delegated_share = if bonded > 0.0 { sum.delegated / bonded } else { 0.0 };
    pool_returns(w, &mut sum)?;
    sum.activity = w.pools.activity.clone();
    Ok((sum, consistent))
}

/// The delegators' value, return and where it sits.
fn delegator_figures(w: &mut World<'_>, last_block: u64, sum: &mut PoolsSummary) -> Result<()> {
    let n = w.pools.delegators.len();
    if n == 0 {
        return Ok(());
    }
    let mut in_pool = vec![0.0; w.pools.pools.len()];
    let (mut ret, mut profit) = (0.0, 0);
    for d in &w.pools.delegators {
        let mut value = tokens_f64(d.wallet);
        if let Some((k, shares)) = d.position {
            let v =
                w.chain.view(w.pools.pools[k].addr, &ProverPool::convertToAssetsCall { shares })?;
            in_pool[k] += u256_tokens(v);
            value += u256_tokens(v);
        }
        if let Some((k, id)) = d.request {
            value += u256_tokens(
                w.chain.view(w.pools.pools[k].addr, &ProverPool::requestValueCall { id })?.assets,
            );
        }
        sum.delegated += value - tokens_f64(d.wallet);
        let r = value / tokens_f64(d.initial) - 1.0;
        ret += r;
        profit += usize::from(r > 0.0);
    }
    sum.delegator_return = ret / n as f64;
    let held = (last_block.saturating_sub(GENESIS)).max(1) as f64;
    sum.delegator_apr = sum.delegator_return * BLOCKS_PER_YEAR / held;
    sum.delegators_in_profit = profit as f64 / n as f64;
    in_pool.sort_by(|a, b| b.total_cmp(a));
    let top = in_pool.len().div_ceil(10);
    let total: f64 = in_pool.iter().sum();
    sum.top_pools_delegated_share =
        if total > 0.0 { in_pool[..top].iter().sum::<f64>() / total } else { 0.0 };
    Ok(())
}

/// Every pool's end state, and the share-price return of the pools that hold delegations, split
/// at their median reputation. A pool nobody delegates to shows no return (the operator's shares
/// absorb its losses first, and the windfall guard gives its rewards to the commission), so it
/// would only dilute the comparison.
fn pool_returns(w: &mut World<'_>, sum: &mut PoolsSummary) -> Result<()> {
    let network = w.chain.addrs.network;
    for p in &w.pools.pools {
        let rep = w.chain.view(network, &P::reputationOfCall { who: p.addr })?;
        let acct = w.chain.view(network, &P::accountOfCall { who: p.addr })?;
        let shares = w.chain.view(p.addr, &ProverPool::delegatorSharesCall {})?;
        let delegated = w.chain.view(p.addr, &ProverPool::convertToAssetsCall { shares })?;
        let a = &w.agents[p.agent];
        let price = pools::share_price(&mut w.chain, p.addr)?;
        sum.pools_end.push(PoolEnd {
            prover: p.agent,
            class: w.s.provers.classes[a.spec.class].name.clone(),
            commission_bps: p.commission_bps,
            self_stake: a.spec.stake,
            stake: u256_tokens(U256::from(acct.stake)),
            delegated: u256_tokens(delegated),
            reputation: rep.saturating_to(),
            slashes: a.stats.slashes,
            price_return: price / p.price_start - 1.0,
        });
    }
    let held: Vec<&PoolEnd> = sum.pools_end.iter().filter(|p| p.delegated > 0.0).collect();
    let mut reps: Vec<f64> = held.iter().map(|p| p.reputation as f64).collect();
    reps.sort_by(f64::total_cmp);
    let median = metrics::percentile(&reps, 0.5);
    let mean = |high: bool| {
        let v: Vec<f64> = held
            .iter()
            .filter(|p| (p.reputation as f64 >= median) == high)
            .map(|p| p.price_return)
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    sum.pool_return_high_rep = mean(true);
    sum.pool_return_low_rep = mean(false);
    Ok(())
}

/// `pools.csv`: one row per pool ([`PoolEnd`]).
pub fn pools_csv(p: &PoolsSummary) -> String {
    let mut s = String::from(
        "prover,class,commission_bps,self_stake,stake,delegated,reputation,slashes,price_return\n",
    );
    for r in &p.pools_end {
        s.push_str(&format!(
            "{},{},{},{:.3},{:.3},{:.3},{},{},{:.6}\n",
            r.prover,
            r.class,
            r.commission_bps,
            r.self_stake,
            r.stake,
            r.delegated,
            r.reputation,
            r.slashes,
            r.price_return
        ));
    }
    s
}

/// The panels of a sweep's `delegators.svg` (written when the scenario has delegators): panel
/// title, y label, column of [`columns`] or `sweep::columns`.
pub const PANELS: [(&str, &str, &str); 9] = [
    ("selection weight: Nakamoto coefficient", "provers", "nakamoto_weight"),
    ("selection weight: HHI", "HHI", "hhi_weight"),
    ("assignments: Nakamoto coefficient", "provers", "nakamoto_assignments"),
    ("stake at the end: Nakamoto coefficient", "provers", "nakamoto_stake_end"),
    ("stake at the end: HHI", "HHI", "hhi_stake_end"),
    ("delegated value in the top 10% of pools", "share", "top_pools_delegated_share"),
    ("delegators' return over the run", "return", "delegator_return"),
    (
        "pools' share-price return, reputation >= median",
        "return over the run",
        "pool_return_high_rep",
    ),
    (
        "pools' share-price return, reputation < median",
        "return over the run",
        "pool_return_low_rep",
    ),
];

/// The sweep table's columns of a run's pools (`sweep::columns` appends them).
pub fn columns(p: &PoolsSummary) -> Vec<(&'static str, f64)> {
    vec![
        ("hhi_stake_end", p.hhi_stake_end),
        ("nakamoto_stake_end", p.nakamoto_stake_end as f64),
        ("delegated_share", p.delegated_share),
        ("top_pools_delegated_share", p.top_pools_delegated_share),
        ("delegator_return", p.delegator_return),
        ("delegator_apr", p.delegator_apr),
        ("delegators_in_profit", p.delegators_in_profit),
        // NaN: no pool in that half (stats count it as missing).
        ("pool_return_high_rep", p.pool_return_high_rep.unwrap_or(f64::NAN)),
        ("pool_return_low_rep", p.pool_return_low_rep.unwrap_or(f64::NAN)),
        ("delegator_moves", p.activity.requests as f64),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents;
    use crate::engine;
    use crate::scenario::Scenario;

    /// Twelve provers, half of them pooled, thirty delegators who reconsider every two epochs.
    fn scenario() -> Scenario {
        Scenario::parse(
            "name = \"pools\"\nseed = 3\n[duration]\nbatches = 40\n\
             [chain]\ncommit_blocks = 14\nreveal_blocks = 6\nslot_blocks = 10\n\
             [params]\nunbonding_delay = 100\n[provers]\ncount = 12\n\
             [delegators]\ncount = 30\ntokens = 60000.0\npool_share = 0.5\ninertia = 0.0\n\
             min_gain = 0.0\nrebalance_epochs = 2",
        )
        .unwrap()
    }

    #[test]
    fn the_books_check_reconciles_a_run_and_catches_a_misbooked_delegator() {
        let s = scenario();
        let (mut w, _) = engine::setup(&s).unwrap();
        for block in GENESIS..GENESIS + 400 {
            w.chain.set_block(block);
            agents::step_block(&mut w, block).unwrap();
        }
        let a = &w.pools.activity;
        assert!(a.deposits >= 30 && a.requests > 0 && a.claims > 0, "{a:?}");
        assert_eq!(w.summary.checks.unexpected_reverts, 0, "{:?}", w.summary.checks.revert_samples);
        assert!(books_match(&mut w).unwrap(), "an honest run's pool books match the chain");

        // One share too many booked for a delegator: the supply no longer adds up.
        let j = w.pools.delegators.iter().position(|d| d.position.is_some()).unwrap();
        let (k, shares) = w.pools.delegators[j].position.unwrap();
        w.pools.delegators[j].position = Some((k, shares + U256::from(1)));
        assert!(!books_match(&mut w).unwrap(), "a misbooked share is caught");
        w.pools.delegators[j].position = Some((k, shares));
        // One token unit too many in a wallet.
        w.pools.delegators[j].wallet += 1;
        assert!(!books_match(&mut w).unwrap(), "a misbooked wallet is caught");
        w.pools.delegators[j].wallet -= 1;
        assert!(books_match(&mut w).unwrap());
    }

    #[test]
    fn a_pool_collects_its_prover_s_rewards_and_the_engine_books_its_stake() {
        let s = scenario();
        let r = engine::run(&s, &|_| {}).unwrap();
        let m = &r.summary;
        assert!(m.checks.consistent(), "{:?}", m.checks);
        assert!(m.checks.pools_reconcile);
        let p = &m.pools;
        assert_eq!((p.pools, p.delegators), (6, 30), "{p:?}");
        assert!(p.activity.commission > 0.0, "the operators took commission from rewards");
        assert!(p.delegated > 0.0 && p.delegated_share > 0.5, "{p:?}");
        assert!((0.0..=1.0).contains(&p.top_pools_delegated_share));
        // Every delegator's tokens are somewhere: the delegated value plus wallets is what they
        // started with, give or take the return.
        assert!((p.delegated - 60_000.0 * (1.0 + p.delegator_return)).abs() < 60_000.0 * 0.05);
    }
}
