//! The simulation loop: agents act block by block, every action is a transaction on the real
//! bytecode, and the off-chain world (proving time and cost, downtime, arrivals) is modelled in
//! [`crate::world`].
//!
//! Each block runs [`crate::agents::BLOCK_STEPS`] in order: the keeper penalises last epoch's
//! withheld reveals (first block of an epoch); provers commit (commit phase) or reveal (reveal
//! phase) when online; transactions arrive and the rollup posts batches, each drawn on chain to a
//! prover; then the jobs due: the keeper slashes batches whose window just closed, which opens their
//! race; finished proofs and race wins are submitted; the keeper fails batches whose race ended.
//! The chain decides every outcome; the simulation reads its events and never assumes one.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

use alloy::primitives::{Address, B256, U256};
use eyre::{Result, WrapErr, eyre};
use provernet_bindings::{DevStakingToken, ProverNetwork as P};
use provernet_evm::{Chain, Contracts, Epochs, Genesis, Names};

use crate::agents;
use crate::market;
use crate::metrics::Summary;
use crate::policy;
use crate::pools;
use crate::population::{entrants, population};
use crate::report;
use crate::rng::Rng;
use crate::scenario::Scenario;
use crate::world::{Agent, GENESIS, World, units};

pub use crate::population::ProverSpec;
pub use crate::report::{ProverEnd, RunResult, Sample};
pub use crate::world::ProverStats;

/// Runs a scenario. `progress` is told the number of batches resolved so far.
pub fn run(s: &Scenario, progress: &dyn Fn(u64)) -> Result<RunResult> {
    s.validate()?;
    policy::simulated(s.adversaries.strategy)?;
    for g in &s.provers.groups {
        policy::simulated(g.strategy).wrap_err_with(|| format!("in provers.group `{}`", g.name))?;
    }
    let started = Instant::now();
    let (mut w, setup_tx) = setup(s)?;
    let first_block = w.first_block;
    let sample_every = sample_every(s);
    let mut samples = Vec::new();
    let mut block = GENESIS;
    let mut last_progress = 0;
    loop {
        w.chain.set_block(block);
        agents::step_block(&mut w, block)?;
        let posting = block >= first_block;
        tally(&mut w, block, posting);
        if posting && (block - first_block).is_multiple_of(sample_every) {
            samples.push(report::sample(&mut w, block));
        }
        let resolved = w.n_proven + w.n_rescued + w.n_failed + w.summary.withholding.voided;
        if resolved != last_progress {
            progress(resolved);
            last_progress = resolved;
        }
        let all_posted = w.posting_done(block);
        if (all_posted && resolved == w.batches.len() as u64)
            || (posting && block - first_block >= s.duration.max_blocks)
        {
            break;
        }
        block += 1;
    }
    samples.push(report::sample(&mut w, block));
    w.summary.transactions += setup_tx;
    report::finish(w, block, started, samples)
}

/// Sampling period of the time series: at most ~2,000 rows.
fn sample_every(s: &Scenario) -> u64 {
    let mut posting_blocks =
        s.duration.batches as f64 * s.load.batch_txs as f64 / s.load.tx_per_block.max(1e-9);
    if s.duration.post_blocks > 0 {
        posting_blocks = posting_blocks.min(s.duration.post_blocks as f64);
    }
    let expected_blocks = posting_blocks.min(s.duration.max_blocks as f64)
        + f64::from(s.params.proving_window + s.params.race_window);
    ((expected_blocks / 2_000.0).ceil() as u64).max(1)
}

/// The per-block tallies: races running, blocks with a race, backlog.
fn tally(w: &mut World<'_>, block: u64, posting: bool) {
    w.racing_now = w
        .batches
        .iter()
        .rev()
        .take_while(|b| b.race_deadline + 1 >= block)
        .filter(|b| b.status.is_racing())
        .count() as u64;
    if posting {
        if w.racing_now > 0 {
            w.race_blocks += 1;
        }
        let backlog = w.pending_count + w.inflight_txs;
        w.backlog_sum += backlog as f64;
        w.backlog_n += 1;
        w.summary.load.backlog_max = w.summary.load.backlog_max.max(backlog);
    }
}

/// A prover's agent at genesis with `stake` units registered (zero: not registered yet).
fn new_agent(
    s: &Scenario,
    spec: ProverSpec,
    i: usize,
    stake: u128,
    policy: &'static dyn policy::ProverPolicy,
) -> Agent {
    Agent {
        stake_units: stake,
        unbonding_units: 0,
        open: 0,
        dipped: None,
        successor: None,
        sender: spec.addr,
        rebirth_due: false,
        short_since: None,
        machines: vec![0; spec.machines as usize],
        failure_rate: policy.proof_failure_rate(s),
        mtbf: policy.mtbf_blocks(s),
        downtime: Vec::new(),
        down_generated_to: GENESIS,
        rng: Rng::new(s.seed, 1_000 + i as u64),
        committed: None,
        will_reveal: true,
        secret: B256::ZERO,
        held: Vec::new(),
        stats: ProverStats::default(),
        market: market::Book {
            joined: (stake > 0).then_some(GENESIS),
            costs_to: GENESIS,
            last_eval: (GENESIS, 0.0, 0.0),
            ..Default::default()
        },
        policy,
        spec,
    }
}

/// Mints `amount` to `who` and approves the network to take it.
pub(crate) fn fund(chain: &mut Chain, who: Address, amount: u128) -> Result<()> {
    let (net, token) = (chain.addrs.network, chain.addrs.token);
    chain.must(
        who,
        token,
        &DevStakingToken::mintCall { to: who, amount: U256::from(amount) },
        "mint",
    )?;
    chain.must(
        who,
        token,
        &DevStakingToken::approveCall { spender: net, value: U256::MAX },
        "approve",
    )?;
    Ok(())
}

/// Deploys the network, funds the rollup, registers the population; returns the world at genesis
/// and the number of setup transactions.
pub(crate) fn setup(s: &Scenario) -> Result<(World<'_>, u64)> {
    let epochs = Epochs {
        genesis_block: GENESIS,
        commit_blocks: s.chain.commit_blocks,
        reveal_blocks: s.chain.reveal_blocks,
        slot_blocks: s.chain.slot_blocks,
    };
    let params = s.params.to_sol().map_err(|e| eyre!("{e}"))?;
    let genesis = Genesis { epochs, params, names: Names::SIM };
    let mut chain = Chain::deploy(&Contracts::real(), &genesis)
        .wrap_err("the contract rejected the scenario's parameters")?;
    let rollup = Names::SIM.address("rollup");
    let keeper = Names::SIM.address("keeper");
    let (net, owner) = (chain.addrs.network, chain.addrs.owner);
    fund(&mut chain, rollup, u128::MAX >> 40)?;
    let call = P::setBatchSourceCall { source: rollup, allowed: true };
    chain.must(owner, net, &call, "setBatchSource")?;
    let mut setup_tx = 3u64;
    let specs = population(s);
    let mut pools = pools::Setup::new(&mut chain, s, &specs)?;
    let mut agents = Vec::with_capacity(s.provers.initial_count());
    for (i, mut spec) in specs.into_iter().enumerate() {
        let stake = units(spec.stake);
        fund(&mut chain, spec.addr, stake)?;
        setup_tx += 2;
        let sender = spec.addr;
        // A pooled prover's account is its pool; its own key operates it.
        if let Some((pool, txs)) = pools.create(&mut chain, i, &spec, stake)? {
            spec.addr = pool;
            setup_tx += txs;
        } else {
            let call = P::registerCall { amount: U256::from(stake) };
            chain.must(spec.addr, net, &call, "register").wrap_err_with(|| {
                format!("while registering prover {i} with {} tokens", spec.stake)
            })?;
            setup_tx += 1;
        }
        let policy = policy::simulated(spec.strategy)?;
        agents.push(Agent { sender, ..new_agent(s, spec, i, stake, policy) });
    }
    let (pools, pool_tx) = pools.finish(&mut chain, s)?;
    setup_tx += pool_tx;
    // A whitewasher's next identity: funded when it registers, which it does after the first slash
    // of the one it replaces (agents/stake.rs); until then it holds nothing and does nothing.
    for i in 0..agents.len() {
        if agents[i].policy.whitewashes() {
            let mut spec = agents[i].spec.clone();
            spec.addr = Names::SIM.address(&format!("prover.{i}.reborn"));
            let k = agents.len();
            agents[i].successor = Some(k);
            let policy = agents[i].policy;
            agents.push(new_agent(s, spec, k, 0, policy));
        }
    }
    // The potential entrants (`[market]`): unregistered, holding nothing, until one decides to
    // join (agents/entry.rs).
    for spec in entrants(s) {
        let k = agents.len();
        let policy = policy::simulated(spec.strategy)?;
        let mut a = new_agent(s, spec, k, 0, policy);
        a.market.entrant = true;
        agents.push(a);
    }
    // Batches start with epoch 1, the first epoch with a selection list.
    let first_block = epochs.start(1);
    let outage =
        s.outage.as_ref().map(|o| (o.window(&epochs, first_block), o.hits(s.seed, agents.len())));
    let max_proof_batches = chain.view(net, &P::MAX_BATCHES_PER_PROOFCall {})?.to::<usize>();
    let by_addr = agents.iter().enumerate().map(|(i, a)| (a.spec.addr, i)).collect();
    let w = World {
        s,
        chain,
        agents,
        by_addr,
        rollup,
        fee_balance: 0,
        steered_slot: None,
        keeper,
        min_stake: s.params.min_stake,
        batches: Vec::new(),
        max_proof_batches,
        jobs: BTreeMap::new(),
        pending_txs: VecDeque::new(),
        pending_count: 0,
        inflight_txs: 0,
        rng: Rng::new(s.seed, 2),
        size_rng: Rng::new(s.seed, crate::demand::SIZE_STREAM),
        waits: Vec::new(),
        fee_multiplier_sum: 0.0,
        outage,
        summary: Summary::default(),
        pools,
        gas_batch: 0,
        racing_now: 0,
        race_blocks: 0,
        listed: HashMap::new(),
        tx_latency_sum: 0.0,
        backlog_sum: 0.0,
        backlog_n: 0,
        first_block,
        n_proven: 0,
        n_rescued: 0,
        n_failed: 0,
    };
    Ok((w, setup_tx))
}
