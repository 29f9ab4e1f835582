//! The pools and their delegators on the chain: at setup some honest provers create their pool
//! through the real `ProverPoolFactory` (their own stake becomes the self-stake, the pool is the
//! prover account in the network and the prover's key its operator); during the run the delegators
//! deposit, request withdrawals and claim on the real `ProverPool` contracts, and the operators sync
//! their pools. Who moves where is the policy of [`crate::delegators`]; the end-of-run checks and
//! metrics are [`crate::pool_report`].
//!
//! Everything the pools do in the network (stake, unstake, withdraw, collect rewards) is booked on
//! the pooled prover's agent from the network's events, so the engine's own cross-checks (stake,
//! unbonding, claimable) keep holding for a pool.

use alloy::primitives::{Address, U256};
use alloy::sol_types::{SolCall, SolConstructor};
use eyre::{Result, WrapErr, bail};
use provernet_bindings::{
    DevStakingToken, ProverNetwork as P, ProverPool, ProverPoolFactory, Strategy,
};
use provernet_evm::{Chain, Names, Outcome, ProverNetworkEvents};

use crate::delegators::{Decision, Policy, PoolView};
use crate::population::ProverSpec;
use crate::rng::Rng;
use crate::scenario::Scenario;
use crate::world::{World, u256_tokens, units};

/// Shares a pool mints per token unit at creation (`10 ** DECIMALS_OFFSET`): the share price's
/// reference amount for [`share_price`].
const PRICE_SHARES: u128 = 1_000_000 * provernet_bindings::amount::UNIT;

/// Random streams (per seed) of the pool choice and of the delegators' decisions: apart from the
/// population's, so turning pools on changes nothing else in a seed's draws.
const POOL_STREAM: u64 = 12;
const DELEGATOR_STREAM: u64 = 13;

/// A prover's pool.
pub(crate) struct Pool {
    /// The pooled prover's agent.
    pub(crate) agent: usize,
    pub(crate) addr: Address,
    pub(crate) operator: Address,
    pub(crate) commission_bps: u16,
    /// Tokens per share (scaled by [`PRICE_SHARES`]) right after creation.
    pub(crate) price_start: f64,
    /// The agent's slash count at the last rebalance (recent slashes are counted from it).
    slashes_seen: u64,
    /// Rewards the pool collected from the network (its `Claimed` events), in token units.
    pub(crate) collected: u128,
}

/// A delegator and what it holds, as booked from its transactions.
pub(crate) struct Delegator {
    pub(crate) addr: Address,
    /// Tokens it started with (units).
    pub(crate) initial: u128,
    /// Tokens in its wallet (units).
    pub(crate) wallet: u128,
    /// The pool it holds shares of, and how many.
    pub(crate) position: Option<(usize, U256)>,
    /// Its pending withdrawal: (pool, request id).
    pub(crate) request: Option<(usize, U256)>,
}

/// Counts of what the pools and delegators did.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PoolActivity {
    /// Deposits by delegators.
    pub deposits: u64,
    /// Withdrawal requests (each one a move to another pool).
    pub requests: u64,
    /// Claims of finished withdrawals.
    pub claims: u64,
    /// Syncs by the operators (the final ones at the end of the run included).
    pub syncs: u64,
    /// Commission the operators took (tokens).
    pub commission: f64,
    /// Slash losses the pools absorbed (tokens).
    pub losses: f64,
    /// Gas of the pool transactions (kept out of the network's per-batch gas).
    pub gas: u64,
}

/// Pools and delegators of a run (empty when `[delegators]` is off).
#[derive(Default)]
pub(crate) struct Pools {
    pub(crate) pools: Vec<Pool>,
    pub(crate) delegators: Vec<Delegator>,
    /// The delegators' decisions.
    rng: Option<Rng>,
    pub(crate) activity: PoolActivity,
}

impl Pools {
    /// Rewards pool-prover `agent` has collected from the network (tokens); zero for a prover
    /// without a pool.
    pub(crate) fn collected_by(&self, agent: usize) -> f64 {
        self.pools
            .iter()
            .find(|p| p.agent == agent)
            .map_or(0.0, |p| provernet_bindings::amount::tokens_f64(p.collected))
    }
}

/// The factory and the choice of pooled provers, while the engine registers the population.
pub(crate) struct Setup {
    factory: Address,
    /// Per prover: its commission if it runs a pool.
    commission: Vec<Option<u16>>,
    pools: Pools,
}

impl Setup {
    /// Deploys the factory and picks the pooled provers (honest ones, each with probability
    /// `pool_share`), if the scenario's delegators are active.
    pub(crate) fn new(chain: &mut Chain, s: &Scenario, specs: &[ProverSpec]) -> Result<Self> {
        let d = &s.delegators;
        let mut setup =
            Self { factory: Address::ZERO, commission: Vec::new(), pools: Pools::default() };
        if !d.active() {
            return Ok(setup);
        }
        let ctor = ProverPoolFactory::constructorCall {
            network_: chain.addrs.network,
            minSelfStake_: U256::from(s.params.min_stake),
        };
        let mut code = ProverPoolFactory::BYTECODE.to_vec();
        code.extend_from_slice(&ctor.abi_encode());
        setup.factory = chain
            .create(chain.addrs.deployer, code.into())
            .wrap_err("while deploying the ProverPoolFactory")?;
        let mut rng = Rng::new(s.seed, POOL_STREAM);
        let span = u64::from(d.commission_bps_max - d.commission_bps_min) + 1;
        setup.commission = specs
            .iter()
            .map(|p| {
                let pooled = rng.chance(d.pool_share);
                let bps = d.commission_bps_min + rng.below(span) as u16;
                (pooled && p.strategy == Strategy::Honest).then_some(bps)
            })
            .collect();
        setup.pools.rng = Some(Rng::new(s.seed, DELEGATOR_STREAM));
        Ok(setup)
    }

    /// Creates prover `i`'s pool with `stake` units of self-stake if it runs one (its operator key
    /// `spec.addr` must hold them); returns the pool's address and the transactions sent.
    pub(crate) fn create(
        &mut self,
        chain: &mut Chain,
        i: usize,
        spec: &ProverSpec,
        stake: u128,
    ) -> Result<Option<(Address, u64)>> {
        let Some(&Some(bps)) = self.commission.get(i) else { return Ok(None) };
        let operator = spec.addr;
        let approve =
            DevStakingToken::approveCall { spender: self.factory, value: U256::from(stake) };
        chain.must(operator, chain.addrs.token, &approve, "approve the factory")?;
        let call = ProverPoolFactory::createPoolCall {
            selfStake: U256::from(stake),
            commissionBps: U256::from(bps),
        };
        let out = chain
            .must(operator, self.factory, &call, "createPool")
            .wrap_err_with(|| format!("while creating prover {i}'s pool"))?;
        let addr = ProverPoolFactory::createPoolCall::abi_decode_returns(&out.output)?;
        let price_start = share_price(chain, addr)?;
        self.pools.pools.push(Pool {
            agent: i,
            addr,
            operator,
            commission_bps: bps,
            price_start,
            slashes_seen: 0,
            collected: 0,
        });
        Ok(Some((addr, 2)))
    }

    /// Funds the delegators (minted, held in their wallets until they deposit); returns the pools
    /// and the transactions sent.
    pub(crate) fn finish(mut self, chain: &mut Chain, s: &Scenario) -> Result<(Pools, u64)> {
        let d = &s.delegators;
        if !d.active() {
            return Ok((self.pools, 0));
        }
        if self.pools.pools.is_empty() {
            bail!(
                "[delegators]: no prover runs a pool (pool_share = {} of {} honest provers drew none): raise delegators.pool_share or provers.count",
                d.pool_share,
                self.commission.len()
            );
        }
        let each = units(d.tokens / d.count as f64);
        for k in 0..d.count {
            let addr = Names::SIM.address(&format!("delegator.{k}"));
            let mint = DevStakingToken::mintCall { to: addr, amount: U256::from(each) };
            chain.must(addr, chain.addrs.token, &mint, "mint a delegator's tokens")?;
            self.pools.delegators.push(Delegator {
                addr,
                initial: each,
                wallet: each,
                position: None,
                request: None,
            });
        }
        Ok((self.pools, d.count as u64))
    }
}

/// Tokens one [`PRICE_SHARES`] of pool `pool` are worth on its books.
pub(crate) fn share_price(chain: &mut Chain, pool: Address) -> Result<f64> {
    let call = ProverPool::convertToAssetsCall { shares: U256::from(PRICE_SHARES) };
    Ok(u256_tokens(chain.view(pool, &call)?))
}

/// Sends a pool transaction and books it: its network events on the pooled prover's agent, its gas
/// in the pools' tally (not the network's per-batch gas), a revert as an unexpected one.
pub(crate) fn send<C: SolCall>(
    w: &mut World<'_>,
    from: Address,
    k: usize,
    call: &C,
    kind: &str,
) -> Result<Outcome> {
    let pool = w.pools.pools[k].addr;
    let out = w.chain.exec(from, pool, call)?;
    w.summary.transactions += 1;
    w.pools.activity.gas += out.gas;
    if let Some(r) = &out.revert {
        let c = &mut w.summary.checks;
        c.unexpected_reverts += 1;
        if c.revert_samples.len() < 5 {
            c.revert_samples.push(format!("pool {kind} at block {}: {r}", w.chain.block()));
        }
    }
    book(w, k, &out);
    Ok(out)
}

/// Books what pool `k`'s transaction did in the network (on its prover's agent) and in the pool.
fn book(w: &mut World<'_>, k: usize, out: &Outcome) {
    use ProverNetworkEvents as E;
    let (pool, i) = (w.pools.pools[k].addr, w.pools.pools[k].agent);
    for ev in out.network_events(w.chain.addrs.network) {
        let a = &mut w.agents[i];
        match ev {
            E::StakeAdded(e) if e.prover == pool => a.stake_units += e.amount.to::<u128>(),
            E::UnstakeRequested(e) if e.prover == pool => {
                a.stake_units -= e.amount.to::<u128>();
                a.unbonding_units += e.amount.to::<u128>();
            }
            E::Withdrawn(e) if e.prover == pool => a.unbonding_units -= e.amount.to::<u128>(),
            E::Claimed(e) if e.account == pool => {
                w.pools.pools[k].collected += e.amount.to::<u128>()
            }
            _ => {}
        }
    }
    for ev in out.events::<ProverPool::ProverPoolEvents>(pool) {
        match ev {
            ProverPool::ProverPoolEvents::RewardsCollected(e) => {
                w.pools.activity.commission += u256_tokens(e.commission);
            }
            ProverPool::ProverPoolEvents::LossAbsorbed(e) => {
                w.pools.activity.losses += u256_tokens(e.loss);
            }
            _ => {}
        }
    }
}

/// Pool `k`'s operator syncs it.
pub(crate) fn syncs(w: &mut World<'_>, k: usize) -> Result<()> {
    let operator = w.pools.pools[k].operator;
    send(w, operator, k, &ProverPool::syncCall {}, "sync")?;
    w.pools.activity.syncs += 1;
    Ok(())
}

/// Block step: in the last block of an epoch (after the reveals, when the network lets a pool
/// withdraw), every `sync_epochs` the operators sync and the delegators claim finished
/// withdrawals; every `rebalance_epochs` the delegators reconsider their pools; and in every block
/// a delegator holding tokens deposits them into the pool its policy picks.
pub(crate) fn delegators_act(w: &mut World<'_>, block: u64) -> Result<()> {
    if w.pools.pools.is_empty() {
        return Ok(());
    }
    let d = &w.s.delegators;
    let epochs = w.chain.epochs;
    let epoch = epochs.at(block);
    let last = epochs.offset(block) + 1 == w.s.chain.commit_blocks + w.s.chain.reveal_blocks;
    let (sync_now, rebalance_now) = (
        last && epoch.is_multiple_of(d.sync_epochs),
        last && epoch.is_multiple_of(d.rebalance_epochs),
    );
    if sync_now {
        for k in 0..w.pools.pools.len() {
            syncs(w, k)?;
        }
        claims(w)?;
    }
    if rebalance_now {
        rebalances(w)?;
    }
    if w.pools.delegators.iter().any(|d| d.wallet > 0 && d.request.is_none()) {
        deposits(w)?;
    }
    Ok(())
}

/// What the delegators read about every pool.
fn views(w: &mut World<'_>) -> Result<Vec<PoolView>> {
    let network = w.chain.addrs.network;
    let mut views = Vec::with_capacity(w.pools.pools.len());
    for p in &w.pools.pools {
        let rep = w.chain.view(network, &P::reputationOfCall { who: p.addr })?;
        let acct = w.chain.view(network, &P::accountOfCall { who: p.addr })?;
        let bps = w.chain.view(p.addr, &ProverPool::commissionBpsCall {})?;
        let max = w.chain.view(p.addr, &ProverPool::maxDepositCall { receiver: Address::ZERO })?;
        views.push(PoolView {
            reputation: rep.saturating_to(),
            stake: u256_tokens(U256::from(acct.stake)),
            commission_bps: bps,
            recent_slashes: w.agents[p.agent].stats.slashes - p.slashes_seen,
            open: !max.is_zero(),
        });
    }
    Ok(views)
}

fn policy(w: &World<'_>) -> Policy {
    let d = &w.s.delegators;
    Policy {
        cap: provernet_bindings::amount::tokens_f64(w.s.params.max_weight_stake),
        inertia: d.inertia,
        min_gain: d.min_gain,
        slash_penalty: d.slash_penalty,
    }
}

/// Every delegator holding tokens deposits them all into the pool its policy picks (each one sees
/// the stake the previous ones brought).
fn deposits(w: &mut World<'_>) -> Result<()> {
    let mut views = views(w)?;
    let policy = policy(w);
    for j in 0..w.pools.delegators.len() {
        let (addr, amount) = (w.pools.delegators[j].addr, w.pools.delegators[j].wallet);
        if amount == 0 || w.pools.delegators[j].request.is_some() {
            continue;
        }
        let tokens = provernet_bindings::amount::tokens_f64(amount);
        let rng = w.pools.rng.as_mut().expect("the delegators' stream exists with the pools");
        let Decision::Move(k) = policy.choose(&views, None, tokens, rng) else { continue };
        let pool = w.pools.pools[k].addr;
        let approve = DevStakingToken::approveCall { spender: pool, value: U256::from(amount) };
        w.chain.must(addr, w.chain.addrs.token, &approve, "a delegator's approve")?;
        w.summary.transactions += 1;
        let call = ProverPool::depositCall { assets: U256::from(amount), receiver: addr };
        let out = send(w, addr, k, &call, "deposit")?;
        if out.revert.is_some() {
            continue;
        }
        let shares = ProverPool::depositCall::abi_decode_returns(&out.output)?;
        let dl = &mut w.pools.delegators[j];
        dl.wallet = 0;
        dl.position = Some((k, shares));
        views[k].stake += tokens;
        w.pools.activity.deposits += 1;
    }
    Ok(())
}

/// Every delegator holding shares reconsiders; one that moves requests a withdrawal of all of them
/// (it deposits into its new choice once the withdrawal is claimed). Recent slashes restart.
fn rebalances(w: &mut World<'_>) -> Result<()> {
    let mut views = views(w)?;
    let policy = policy(w);
    for j in 0..w.pools.delegators.len() {
        let Some((k, shares)) = w.pools.delegators[j].position else { continue };
        let addr = w.pools.delegators[j].addr;
        let value =
            w.chain.view(w.pools.pools[k].addr, &ProverPool::previewRedeemCall { shares })?;
        let tokens = u256_tokens(value);
        let rng = w.pools.rng.as_mut().expect("the delegators' stream exists with the pools");
        // Shares slashes made worthless cannot be redeemed (`ZeroAssets`): nothing to move.
        if policy.choose(&views, Some(k), tokens, rng) == Decision::Stay || value.is_zero() {
            continue;
        }
        let out = send(w, addr, k, &ProverPool::requestWithdrawCall { shares }, "requestWithdraw")?;
        if out.revert.is_some() {
            continue;
        }
        let id = ProverPool::requestWithdrawCall::abi_decode_returns(&out.output)?;
        let dl = &mut w.pools.delegators[j];
        dl.position = None;
        dl.request = Some((k, id));
        views[k].stake -= tokens;
        w.pools.activity.requests += 1;
    }
    for p in &mut w.pools.pools {
        p.slashes_seen = w.agents[p.agent].stats.slashes;
    }
    Ok(())
}

/// Every delegator whose withdrawal is finalized claims it into its wallet.
fn claims(w: &mut World<'_>) -> Result<()> {
    for j in 0..w.pools.delegators.len() {
        let Some((k, id)) = w.pools.delegators[j].request else { continue };
        let pool = w.pools.pools[k].addr;
        let v = w.chain.view(pool, &ProverPool::requestValueCall { id })?;
        if !v.claimable {
            continue;
        }
        let addr = w.pools.delegators[j].addr;
        let out = send(w, addr, k, &ProverPool::claimCall { requestId: id }, "claim")?;
        if out.revert.is_some() {
            continue;
        }
        let paid = ProverPool::claimCall::abi_decode_returns(&out.output)?;
        let dl = &mut w.pools.delegators[j];
        dl.request = None;
        dl.wallet += paid.to::<u128>();
        w.pools.activity.claims += 1;
    }
    Ok(())
}
