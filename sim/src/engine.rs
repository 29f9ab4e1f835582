//! The simulation loop: agents act block by block, every action is a transaction on the real
//! bytecode, and the off-chain world (proving time and cost, downtime, arrivals) is modelled here.
//!
//! Per block, in this order: the keeper penalises last epoch's withheld reveals (first block of an
//! epoch); provers commit (commit phase) or reveal (reveal phase) when online; transactions arrive
//! and the rollup posts batches, each drawn on chain to a prover; the keeper slashes batches whose
//! window just closed, which opens their race; finished proofs and race wins are submitted; the
//! keeper fails batches whose race ended. The chain decides every outcome; the simulation reads its
//! events and never assumes one.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

use alloy::primitives::aliases::U96;
use alloy::primitives::{Address, B256, U256, keccak256};
use alloy::sol_types::SolValue;
use eyre::{Result, WrapErr, ensure};
use provernet_bindings::{DevStakingToken, ProverNetwork as P};

use crate::evm::{CHAIN_ID, Chain, Outcome, Params, ProverNetworkEvents, named_address};
use crate::metrics::{self, Distribution, Summary};
use crate::rng::Rng;
use crate::scenario::{Scenario, StakeDist, Strategy, UNIT};

/// Block at which the network is deployed.
const GENESIS: u64 = 1_000;

/// One prover's static description.
#[derive(Clone, Debug)]
pub struct ProverSpec {
    /// Its address.
    pub addr: Address,
    /// Initial stake in tokens.
    pub stake: f64,
    /// Hardware class index.
    pub class: usize,
    /// Adversarial strategy, if any.
    pub strategy: Option<Strategy>,
}

/// What one prover did and earned (tokens).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ProverStats {
    /// Batches drawn to it.
    pub assignments: u64,
    /// Batches it proved in its window.
    pub proven: u64,
    /// Races it won.
    pub rescued: u64,
    /// Windows it missed (slashed).
    pub missed: u64,
    /// Withheld reveals penalised.
    pub non_reveals: u64,
    /// Fees and bounties credited.
    pub revenue: f64,
    /// Proving cost.
    pub proving_cost: f64,
    /// Gas its transactions used.
    pub gas: u64,
    /// Stake slashed.
    pub slashed: f64,
    /// Sum of its revealed weights over epochs (its expected selection share's numerator).
    pub weight_sum: f64,
    /// Epochs in which it revealed.
    pub reveals: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Assigned,
    Racing,
    Proven,
    Rescued,
    Failed,
}

struct Batch {
    posted: u64,
    bytes: u64,
    chunks: Vec<(u64, u64)>,
    fee: f64,
    prover: Option<usize>,
    proving_deadline: u64,
    race_deadline: u64,
    status: Status,
    raced: bool,
    resolved: u64,
    commitment: B256,
    bounty: f64,
    /// A cartel partner already proving it (bounty farm): (prover, block its proof is ready).
    cartel: Option<(usize, u64)>,
}

#[derive(Clone, Copy, Debug)]
enum Job {
    Slash(u64),
    Prove(usize, u64),
    Race(usize, u64),
    Fail(u64),
}

impl Job {
    fn order(&self) -> u8 {
        match self {
            Job::Slash(_) => 0,
            Job::Prove(..) => 1,
            Job::Race(..) => 2,
            Job::Fail(_) => 3,
        }
    }
}

struct Agent {
    spec: ProverSpec,
    stake_units: u128,
    machines: Vec<u64>,
    failure_rate: f64,
    mtbf: f64,
    downtime: Vec<(u64, u64)>,
    down_generated_to: u64,
    rng: Rng,
    committed: Option<u64>,
    will_reveal: bool,
    secret: B256,
    stats: ProverStats,
}

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

fn tokens(units: u128) -> f64 {
    units as f64 / UNIT
}

fn units(tokens: f64) -> u128 {
    (tokens * UNIT).round() as u128
}

fn u256_tokens(v: U256) -> f64 {
    tokens(v.saturating_to::<u128>())
}

/// The contract parameters of a scenario.
pub fn params_of(s: &Scenario) -> Params {
    let p = &s.params;
    Params {
        minStake: U96::from(units(p.min_stake)),
        maxWeightStake: U96::from(units(p.max_weight_stake)),
        provingWindow: p.proving_window,
        raceWindow: p.race_window,
        unbondingDelay: p.unbonding_delay,
        repHalfLife: p.rep_half_life,
        slashBps: p.slash_bps,
        nonRevealSlashBps: p.non_reveal_slash_bps,
        burnBps: p.burn_bps,
        bountyBps: p.bounty_bps,
        repInitial: p.rep_initial,
        repGain: p.rep_gain,
        repMissPenalty: p.rep_miss_penalty,
        repNoRevealPenalty: p.rep_no_reveal_penalty,
    }
}

/// The development verifier's proof for these inputs (computed here, as a real prover would prove).
fn dev_proof(network: Address, prover: Address, first: u64, commitments: Vec<B256>) -> B256 {
    let domain = keccak256("provernet.insecure-dev-proof.v1");
    keccak256(
        (domain, U256::from(CHAIN_ID), network, prover, U256::from(first), commitments)
            .abi_encode_params(),
    )
}

/// Draws the prover population of a scenario.
pub fn population(s: &Scenario) -> Vec<ProverSpec> {
    let mut rng = Rng::new(s.seed, 1);
    let n = s.provers.count;
    let shares: f64 = s.provers.classes.iter().map(|c| c.share).sum();
    let adversaries = (s.adversaries.share * n as f64).round() as usize;
    // A random subset (Fisher-Yates prefix) is adversarial, so adversaries are not all whales.
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..n {
        let j = i + rng.below((n - i) as u64) as usize;
        order.swap(i, j);
    }
    let mut bad = vec![false; n];
    for &i in &order[..adversaries] {
        bad[i] = true;
    }
    (0..n)
        .map(|i| {
            let stake = match s.provers.stake {
                StakeDist::Equal { amount } => amount,
                StakeDist::Uniform { min, max } => min + (max - min) * rng.f64(),
                StakeDist::Pareto { min, alpha, max } => rng.pareto(min, alpha).min(max),
            }
            .max(s.params.min_stake);
            let mut u = rng.f64() * shares;
            let class = s
                .provers
                .classes
                .iter()
                .position(|c| {
                    u -= c.share;
                    u < 0.0
                })
                .unwrap_or(s.provers.classes.len() - 1);
            ProverSpec {
                addr: named_address(&format!("prover.{i}")),
                stake,
                class,
                strategy: bad[i].then_some(s.adversaries.strategy),
            }
        })
        .collect()
}

struct Sim<'a> {
    s: &'a Scenario,
    chain: Chain,
    agents: Vec<Agent>,
    by_addr: HashMap<Address, usize>,
    rollup: Address,
    keeper: Address,
    min_stake: u128,
    epoch_len: u64,
    batches: Vec<Batch>,
    jobs: BTreeMap<u64, Vec<Job>>,
    pending_txs: VecDeque<(u64, u64)>,
    pending_count: u64,
    inflight_txs: u64,
    rng: Rng,
    outage: Option<(u64, u64, Vec<bool>)>,
    summary: Summary,
    gas_batch: u64,
    racing_now: u64,
    race_blocks: u64,
    listed: HashMap<u64, u64>,
    tx_latency_sum: f64,
    backlog_sum: f64,
    backlog_n: u64,
    first_block: u64,
    n_proven: u64,
    n_rescued: u64,
    n_failed: u64,
}

impl Sim<'_> {
    fn record(&mut self, kind: &str, out: &Outcome, who: Option<usize>, expect_ok: bool) {
        self.summary.transactions += 1;
        let g = &mut self.summary.gas;
        g.total += out.gas;
        *g.by_kind.entry(kind.to_string()).or_default() += out.gas;
        *g.count_by_kind.entry(kind.to_string()).or_default() += 1;
        if matches!(kind, "postBatch" | "submitProof" | "slashMissed" | "raceSubmit" | "markFailed")
        {
            self.gas_batch += out.gas;
        }
        if let Some(i) = who {
            self.agents[i].stats.gas += out.gas;
        }
        if let (Some(r), true) = (&out.revert, expect_ok) {
            let c = &mut self.summary.checks;
            c.unexpected_reverts += 1;
            if c.revert_samples.len() < 5 {
                c.revert_samples.push(format!("{kind} at block {}: {r}", self.chain.block()));
            }
        }
        let network = self.chain.network;
        for log in out.logs.iter().filter(|l| l.address == network) {
            let Ok(ev) =
                <ProverNetworkEvents as alloy::sol_types::SolEventInterface>::decode_log(log)
            else {
                continue;
            };
            self.apply_event(ev.data);
        }
    }

    /// Applies what the chain reports. Batch outcomes are taken from events only.
    fn apply_event(&mut self, ev: ProverNetworkEvents) {
        use ProverNetworkEvents as E;
        let sl = &mut self.summary.slashing;
        match ev {
            E::ProverSlashed(e) => {
                sl.misses += 1;
                sl.slashed += u256_tokens(e.amount);
                sl.burned += u256_tokens(e.burned);
                sl.to_treasury += u256_tokens(e.toTreasury);
                if let Some(&i) = self.by_addr.get(&e.prover) {
                    let a = &mut self.agents[i];
                    a.stake_units = a.stake_units.saturating_sub(e.amount.saturating_to());
                    a.stats.missed += 1;
                    a.stats.slashed += u256_tokens(e.amount);
                }
                let b = &mut self.batches[e.batchId.to::<usize>() - 1];
                b.status = Status::Racing;
                b.bounty = u256_tokens(e.bounty);
            }
            E::NonRevealPenalized(e) => {
                sl.non_reveals += 1;
                let amount = u256_tokens(e.slashed);
                sl.slashed += amount;
                let burned = amount * f64::from(self.s.params.burn_bps) / 10_000.0;
                sl.burned += burned;
                sl.to_treasury += amount - burned;
                if let Some(&i) = self.by_addr.get(&e.prover) {
                    let a = &mut self.agents[i];
                    a.stake_units = a.stake_units.saturating_sub(e.slashed.saturating_to());
                    a.stats.non_reveals += 1;
                    a.stats.slashed += amount;
                }
            }
            E::BatchProven(e) => {
                let id = e.batchId.to::<u64>();
                let now = self.chain.block();
                let payout = u256_tokens(e.payout);
                let b = &mut self.batches[id as usize - 1];
                b.status = if e.rescued { Status::Rescued } else { Status::Proven };
                if e.rescued {
                    self.n_rescued += 1;
                } else {
                    self.n_proven += 1;
                }
                b.resolved = now;
                if e.rescued {
                    self.summary.slashing.bounties_paid += payout - b.fee;
                }
                if let Some(&i) = self.by_addr.get(&e.prover) {
                    let st = &mut self.agents[i].stats;
                    st.revenue += payout;
                    if e.rescued {
                        st.rescued += 1;
                    } else {
                        st.proven += 1;
                    }
                }
                let (fee, chunks) = (b.fee, std::mem::take(&mut b.chunks));
                let load = &mut self.summary.load;
                load.user_cost += fee;
                let hl = self.s.load.value_half_life;
                for (arrived, n) in chunks {
                    let delay = (now - arrived) as f64;
                    load.txs_finalised += n;
                    load.user_value += n as f64 * self.s.load.tx_value * 0.5f64.powf(delay / hl);
                    self.tx_latency_sum += delay * n as f64;
                    self.inflight_txs -= n;
                }
            }
            E::BatchFailed(e) => {
                let id = e.batchId.to::<u64>();
                let b = &mut self.batches[id as usize - 1];
                b.status = Status::Failed;
                b.resolved = self.chain.block();
                // Nobody won the bounty: the contract credits it to the treasury.
                self.summary.slashing.to_treasury += b.bounty;
                self.n_failed += 1;
                // The rollup re-orgs the batch out: its transactions go back to the front of the
                // queue, keeping their arrival blocks (their users have been waiting all along).
                let chunks = std::mem::take(&mut b.chunks);
                for &(arrived, n) in chunks.iter().rev() {
                    self.summary.load.txs_reorged += n;
                    self.inflight_txs -= n;
                    self.pending_count += n;
                    self.pending_txs.push_front((arrived, n));
                }
            }
            E::Revealed(e) if e.weight != U256::ZERO => {
                *self.listed.entry(e.epoch.to::<u64>()).or_default() += 1;
                if let Some(&i) = self.by_addr.get(&e.prover) {
                    self.agents[i].stats.weight_sum += e.weight.saturating_to::<u128>() as f64;
                    self.agents[i].stats.reveals += 1;
                }
            }
            _ => {}
        }
    }

    /// Whether prover `i` is down at `block`; if so, the block it is back.
    fn down_until(&mut self, i: usize, block: u64) -> Option<u64> {
        if let Some((start, end, hit)) = &self.outage
            && hit[i]
            && (*start..*end).contains(&block)
        {
            return Some(*end);
        }
        let mean_down = self.s.provers.mean_downtime_blocks;
        let a = &mut self.agents[i];
        if a.mtbf <= 0.0 || mean_down <= 0.0 {
            return None;
        }
        while a.down_generated_to <= block {
            let start = a.down_generated_to + a.rng.exp(a.mtbf).ceil() as u64;
            let end = start + a.rng.exp(mean_down).ceil().max(1.0) as u64;
            a.downtime.push((start, end));
            a.down_generated_to = end;
        }
        let k = a.downtime.partition_point(|&(_, end)| end <= block);
        a.downtime.get(k).filter(|&&(start, _)| start <= block).map(|&(_, end)| end)
    }

    fn online(&mut self, i: usize, block: u64) -> bool {
        self.down_until(i, block).is_none()
    }

    fn prove_time(&mut self, i: usize, bytes: u64) -> u64 {
        let c = &self.s.provers.classes[self.agents[i].spec.class];
        let mb = bytes as f64 / 1e6;
        let t = (c.fixed_blocks + c.blocks_per_mb * mb) * self.agents[i].rng.lognormal(c.jitter);
        t.ceil().max(1.0) as u64
    }

    fn prove_cost(&self, i: usize, bytes: u64) -> f64 {
        self.s.provers.classes[self.agents[i].spec.class].cost_per_mb * bytes as f64 / 1e6
    }

    fn eligible(&self, i: usize) -> bool {
        self.agents[i].stake_units >= self.min_stake
    }

    fn schedule(&mut self, block: u64, job: Job) {
        debug_assert!(block >= self.chain.block(), "job {job:?} scheduled in the past");
        self.jobs.entry(block).or_default().push(job);
    }

    fn epoch_of(&self, block: u64) -> (u64, u64) {
        ((block - GENESIS) / self.epoch_len, (block - GENESIS) % self.epoch_len)
    }

    fn selection(&mut self, block: u64) -> Result<()> {
        let (epoch, offset) = self.epoch_of(block);
        let commit_blocks = self.s.chain.commit_blocks;
        if offset == 0 && epoch > 0 {
            // Keepers penalise last epoch's withheld reveals (their next commit would do it too).
            for i in 0..self.agents.len() {
                if self.agents[i].committed == Some(epoch - 1) {
                    self.agents[i].committed = None;
                    let call = P::penalizeNonRevealCall { prover: self.agents[i].spec.addr };
                    let out = self.chain.exec(self.keeper, self.chain.network, &call)?;
                    self.record("penalizeNonReveal", &out, None, true);
                }
            }
        }
        for i in 0..self.agents.len() {
            if offset < commit_blocks {
                if self.agents[i].committed == Some(epoch)
                    || !self.eligible(i)
                    || !self.online(i, block)
                {
                    continue;
                }
                let a = &mut self.agents[i];
                let secret = keccak256(
                    (U256::from(self.s.seed), a.spec.addr, U256::from(epoch)).abi_encode_params(),
                );
                let commitment =
                    keccak256((secret, a.spec.addr, U256::from(epoch)).abi_encode_params());
                a.secret = secret;
                a.committed = Some(epoch);
                // The grinder decides once per epoch whether the outcome is worth revealing.
                a.will_reveal = a.spec.strategy != Some(Strategy::NoReveal) || !a.rng.chance(0.5);
                let addr = a.spec.addr;
                let out =
                    self.chain.exec(addr, self.chain.network, &P::commitCall { commitment })?;
                self.record("commit", &out, Some(i), true);
            } else {
                if self.agents[i].committed != Some(epoch) || !self.online(i, block) {
                    continue;
                }
                if !self.agents[i].will_reveal {
                    continue; // withheld: the keeper penalises it at the next epoch
                }
                let a = &mut self.agents[i];
                a.committed = None;
                let (addr, secret) = (a.spec.addr, a.secret);
                let out = self.chain.exec(addr, self.chain.network, &P::revealCall { secret })?;
                self.record("reveal", &out, Some(i), true);
            }
        }
        Ok(())
    }

    fn post_batches(&mut self, block: u64, posting: bool) -> Result<()> {
        // Transactions arrive while the rollup is posting: from the first epoch with a selection
        // list until the last batch of the run (the drain after it sees no new load).
        if !posting || self.posting_done(block) {
            return Ok(());
        }
        let arrivals = self.rng.poisson(self.s.load.tx_per_block);
        if arrivals > 0 {
            self.pending_txs.push_back((block, arrivals));
            self.pending_count += arrivals;
            self.summary.load.txs_arrived += arrivals;
        }
        let l = &self.s.load;
        for _ in 0..l.max_batches_per_block {
            if self.posting_done(block) || self.pending_count == 0 {
                break;
            }
            let oldest = self.pending_txs.front().map_or(block, |c| c.0);
            if self.pending_count < l.batch_txs && block < oldest + l.max_batch_wait {
                break;
            }
            let mut take = l.batch_txs.min(self.pending_count);
            let mut chunks = Vec::new();
            while take > 0 {
                let front = self.pending_txs.front_mut().expect("pending_count counts these");
                let n = front.1.min(take);
                chunks.push((front.0, n));
                front.1 -= n;
                if front.1 == 0 {
                    self.pending_txs.pop_front();
                }
                take -= n;
                self.pending_count -= n;
                self.inflight_txs += n;
            }
            let txs: u64 = chunks.iter().map(|c| c.1).sum();
            self.post(block, chunks, txs)?;
        }
        Ok(())
    }

    /// Whether the rollup has posted everything the scenario asks for.
    fn posting_done(&self, block: u64) -> bool {
        let d = &self.s.duration;
        self.batches.len() as u64 >= d.batches
            || (d.post_blocks > 0 && block >= self.first_block + d.post_blocks)
    }

    fn post(&mut self, block: u64, chunks: Vec<(u64, u64)>, txs: u64) -> Result<()> {
        let id = self.batches.len() as u64 + 1;
        let bytes = txs * self.s.load.tx_bytes;
        let fee = self.s.load.fee_base + self.s.load.fee_per_kb * bytes as f64 / 1000.0;
        let commitment = keccak256((U256::from(self.s.seed), U256::from(id)).abi_encode_params());
        self.batches.push(Batch {
            posted: block,
            bytes,
            chunks,
            fee: tokens(units(fee)),
            prover: None,
            proving_deadline: 0,
            race_deadline: 0,
            status: Status::Assigned,
            raced: false,
            resolved: 0,
            commitment,
            bounty: 0.0,
            cartel: None,
        });
        let call = P::postBatchCall { commitment, fee: U256::from(units(fee)) };
        let out = self.chain.exec(self.rollup, self.chain.network, &call)?;
        self.record("postBatch", &out, None, true);
        ensure!(
            out.revert.is_none(),
            "postBatch {id} reverted: {}",
            out.revert.unwrap_or_default()
        );
        let posted = out
            .logs
            .iter()
            .filter(|l| l.address == self.chain.network)
            .find_map(|l| <P::BatchPosted as alloy::sol_types::SolEvent>::decode_log(l).ok())
            .ok_or_else(|| eyre::eyre!("postBatch {id} emitted no BatchPosted event"))?;
        let b = &mut self.batches[id as usize - 1];
        b.proving_deadline = posted.provingDeadline.to();
        b.race_deadline = posted.raceDeadline.to();
        let (pd, rd) = (b.proving_deadline, b.race_deadline);
        self.schedule(rd + 1, Job::Fail(id));
        match self.by_addr.get(&posted.prover).copied() {
            None => {
                // Nobody eligible: straight to the open race (emergency mode).
                self.summary.emergency.open_at_post += 1;
                self.batches[id as usize - 1].status = Status::Racing;
                self.start_race(id, block, None)?;
            }
            Some(i) => {
                self.batches[id as usize - 1].prover = Some(i);
                self.agents[i].stats.assignments += 1;
                self.schedule(pd + 1, Job::Slash(id));
                self.assign(i, id, block, pd, rd);
            }
        }
        Ok(())
    }

    /// The assigned prover plans its proof: it starts when a machine is free and it is online,
    /// and does not start a proof it cannot finish inside the window.
    fn assign(&mut self, i: usize, id: u64, block: u64, pd: u64, rd: u64) {
        let bytes = self.batches[id as usize - 1].bytes;
        match self.agents[i].spec.strategy {
            Some(Strategy::Withhold) => return,
            Some(Strategy::BountyFarm) => {
                // A partner starts at once, so its proof is ready the moment the race opens.
                let partners: Vec<usize> = (0..self.agents.len())
                    .filter(|&j| {
                        j != i && self.agents[j].spec.strategy == Some(Strategy::BountyFarm)
                    })
                    .collect();
                if partners.is_empty() {
                    return;
                }
                let j = partners[self.rng.below(partners.len() as u64) as usize];
                if !self.eligible(j) || !self.online(j, block) {
                    return;
                }
                let ready = (block + self.prove_time(j, bytes)).max(pd + 1);
                if ready <= rd {
                    self.agents[j].stats.proving_cost += self.prove_cost(j, bytes);
                    self.batches[id as usize - 1].cartel = Some((j, ready));
                }
                return;
            }
            _ => {}
        }
        let (m, free) = self.agents[i]
            .machines
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|&(_, t)| t)
            .expect("at least one machine");
        let mut start = free.max(block);
        if let Some(back) = self.down_until(i, start) {
            start = back;
        }
        let finish = start + self.prove_time(i, bytes);
        if finish > pd {
            return; // it would miss anyway: a rational prover does not burn the compute
        }
        self.agents[i].machines[m] = finish;
        self.agents[i].stats.proving_cost += self.prove_cost(i, bytes);
        let failure_rate = self.agents[i].failure_rate;
        if self.agents[i].rng.chance(failure_rate) {
            return; // the proof crashed: the window will be missed
        }
        self.schedule(finish, Job::Prove(i, id));
    }

    /// Opens the race of batch `id` at `block`: idle online provers join with `race_join`; the first
    /// valid proof wins, the others stop when they see it (and pay for the work done so far).
    fn start_race(&mut self, id: u64, block: u64, slashed: Option<usize>) -> Result<()> {
        let (bytes, rd, cartel) = {
            let b = &mut self.batches[id as usize - 1];
            b.raced = true;
            (b.bytes, b.race_deadline, b.cartel)
        };
        self.summary.emergency.raced += 1;
        let mut best: Option<(u64, usize)> = cartel.map(|(j, t)| (t, j));
        let mut losers: Vec<(usize, u64, u64)> = Vec::new();
        for j in 0..self.agents.len() {
            if Some(j) == slashed || !self.eligible(j) {
                continue;
            }
            if matches!(
                self.agents[j].spec.strategy,
                Some(Strategy::Withhold | Strategy::BountyFarm)
            ) {
                continue;
            }
            let race_join = self.s.provers.race_join;
            if !self.agents[j].rng.chance(race_join) {
                continue;
            }
            let free = self.agents[j].machines.iter().copied().min().unwrap_or(0);
            if free > block || !self.online(j, block) {
                continue;
            }
            let t = self.prove_time(j, bytes);
            let finish = block + t;
            if finish > rd {
                continue;
            }
            let failure_rate = self.agents[j].failure_rate;
            if self.agents[j].rng.chance(failure_rate) {
                // Crashed mid-race: pays for the attempt, never submits.
                self.agents[j].stats.proving_cost += self.prove_cost(j, bytes);
                continue;
            }
            losers.push((j, finish, t));
            if best.is_none_or(|(f, _)| finish < f) {
                best = Some((finish, j));
            }
        }
        let Some((win_at, winner)) = best else { return Ok(()) };
        self.schedule(win_at, Job::Race(winner, id));
        for (j, finish, t) in losers {
            let worked = finish.min(win_at) - block;
            let share = if j == winner { 1.0 } else { worked as f64 / t as f64 };
            self.agents[j].stats.proving_cost += self.prove_cost(j, bytes) * share;
            let m = self.agents[j]
                .machines
                .iter()
                .enumerate()
                .min_by_key(|&(_, t)| *t)
                .map(|(m, _)| m)
                .unwrap_or(0);
            self.agents[j].machines[m] = finish.min(win_at);
        }
        Ok(())
    }

    /// Runs every job due at `block`, including jobs that this block's jobs schedule for the same
    /// block (a cartel proof that is ready the moment the race opens).
    fn run_jobs(&mut self, block: u64) -> Result<()> {
        while let Some(jobs) = self.jobs.remove(&block) {
            self.run_job_list(block, jobs)?;
        }
        Ok(())
    }

    fn run_job_list(&mut self, block: u64, mut jobs: Vec<Job>) -> Result<()> {
        jobs.sort_by_key(|j| match *j {
            Job::Slash(id) | Job::Fail(id) => (j.order(), 0, id),
            Job::Prove(i, id) | Job::Race(i, id) => (j.order(), i, id),
        });
        let mut k = 0;
        while k < jobs.len() {
            match jobs[k] {
                Job::Slash(id) => {
                    if self.batches[id as usize - 1].status == Status::Assigned {
                        let out = self.chain.exec(
                            self.keeper,
                            self.chain.network,
                            &P::slashMissedCall { batchId: U256::from(id) },
                        )?;
                        self.record("slashMissed", &out, None, true);
                        let slashed = self.batches[id as usize - 1].prover;
                        self.start_race(id, block, slashed)?;
                    }
                    k += 1;
                }
                Job::Prove(i, first) => {
                    // One proof covers this prover's consecutive ready batches (up to 32).
                    let mut count = 1;
                    while k + count < jobs.len()
                        && count < 32
                        && matches!(jobs[k + count], Job::Prove(j, id) if j == i && id == first + count as u64)
                    {
                        count += 1;
                    }
                    let commitments: Vec<B256> = (first..first + count as u64)
                        .map(|id| self.batches[id as usize - 1].commitment)
                        .collect();
                    let addr = self.agents[i].spec.addr;
                    let proof = dev_proof(self.chain.network, addr, first, commitments);
                    let call = P::submitProofCall {
                        firstBatchId: U256::from(first),
                        count: U256::from(count),
                        proof: proof.to_vec().into(),
                    };
                    let out = self.chain.exec(addr, self.chain.network, &call)?;
                    self.record("submitProof", &out, Some(i), true);
                    k += count;
                }
                Job::Race(i, id) => {
                    if self.batches[id as usize - 1].status == Status::Racing && self.eligible(i) {
                        let addr = self.agents[i].spec.addr;
                        let c = vec![self.batches[id as usize - 1].commitment];
                        let proof = dev_proof(self.chain.network, addr, id, c);
                        let call = P::raceSubmitCall {
                            batchId: U256::from(id),
                            proof: proof.to_vec().into(),
                        };
                        let out = self.chain.exec(addr, self.chain.network, &call)?;
                        self.record("raceSubmit", &out, Some(i), true);
                    }
                    k += 1;
                }
                Job::Fail(id) => {
                    let st = self.batches[id as usize - 1].status;
                    if st == Status::Assigned || st == Status::Racing {
                        let call = P::markFailedCall { batchId: U256::from(id) };
                        let out = self.chain.exec(self.keeper, self.chain.network, &call)?;
                        self.record("markFailed", &out, None, true);
                    }
                    k += 1;
                }
            }
        }
        Ok(())
    }

    fn sample(&mut self, block: u64) -> Sample {
        let (epoch, _) = self.epoch_of(block);
        let mut online = 0;
        for i in 0..self.agents.len() {
            if self.online(i, block) {
                online += 1;
            }
        }
        Sample {
            block,
            epoch,
            posted: self.batches.len() as u64,
            proven: self.n_proven,
            rescued: self.n_rescued,
            failed: self.n_failed,
            racing: self.racing_now,
            backlog: self.pending_count + self.inflight_txs,
            online,
            listed: epoch.checked_sub(1).and_then(|e| self.listed.get(&e)).copied().unwrap_or(0),
            slashed: self.summary.slashing.slashed,
            user_value: self.summary.load.user_value,
        }
    }
}

/// Runs a scenario. `progress` is told the number of batches resolved so far.
pub fn run(s: &Scenario, progress: &dyn Fn(u64)) -> Result<RunResult> {
    s.validate()?;
    let started = Instant::now();
    let mut chain =
        Chain::deploy(GENESIS, s.chain.commit_blocks, s.chain.reveal_blocks, params_of(s))?;
    let specs = population(s);
    let rollup = named_address("rollup");
    let keeper = named_address("keeper");
    let (net, token) = (chain.network, chain.token);
    let owner = chain.owner;
    let mut setup_tx = 0u64;
    let mint = |chain: &mut Chain, who: Address, amount: u128| -> Result<()> {
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
    };
    mint(&mut chain, rollup, u128::MAX >> 40)?;
    chain.must(
        owner,
        net,
        &P::setBatchSourceCall { source: rollup, allowed: true },
        "setBatchSource",
    )?;
    setup_tx += 3;
    let mut agents = Vec::with_capacity(specs.len());
    for (i, spec) in specs.into_iter().enumerate() {
        let stake = units(spec.stake);
        mint(&mut chain, spec.addr, stake)?;
        chain
            .must(spec.addr, net, &P::registerCall { amount: U256::from(stake) }, "register")
            .wrap_err_with(|| format!("while registering prover {i} with {} tokens", spec.stake))?;
        setup_tx += 3;
        let class = &s.provers.classes[spec.class];
        let faulty = spec.strategy == Some(Strategy::Faulty);
        agents.push(Agent {
            stake_units: stake,
            machines: vec![0; class.machines as usize],
            failure_rate: if faulty {
                s.adversaries.faulty_failure_rate
            } else {
                s.provers.failure_rate
            },
            mtbf: if faulty {
                s.provers.mtbf_blocks / s.adversaries.faulty_downtime_factor
            } else {
                s.provers.mtbf_blocks
            },
            downtime: Vec::new(),
            down_generated_to: GENESIS,
            rng: Rng::new(s.seed, 1_000 + i as u64),
            committed: None,
            will_reveal: true,
            secret: B256::ZERO,
            stats: ProverStats::default(),
            spec,
        });
    }
    let epoch_len = s.chain.commit_blocks + s.chain.reveal_blocks;
    // Batches start with epoch 1, the first epoch with a selection list.
    let first_block = GENESIS + epoch_len;
    let outage = s.outage.as_ref().map(|o| {
        let mut r = Rng::new(s.seed, 3);
        let hit = (0..agents.len()).map(|_| r.chance(o.share)).collect();
        (first_block + o.start, first_block + o.start + o.blocks, hit)
    });
    let by_addr = agents.iter().enumerate().map(|(i, a)| (a.spec.addr, i)).collect();
    let mut sim = Sim {
        s,
        chain,
        agents,
        by_addr,
        rollup,
        keeper,
        min_stake: units(s.params.min_stake),
        epoch_len,
        batches: Vec::new(),
        jobs: BTreeMap::new(),
        pending_txs: VecDeque::new(),
        pending_count: 0,
        inflight_txs: 0,
        rng: Rng::new(s.seed, 2),
        outage,
        summary: Summary::default(),
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
    // Sample the time series at most ~2,000 times.
    let mut posting_blocks =
        s.duration.batches as f64 * s.load.batch_txs as f64 / s.load.tx_per_block.max(1e-9);
    if s.duration.post_blocks > 0 {
        posting_blocks = posting_blocks.min(s.duration.post_blocks as f64);
    }
    let expected_blocks = posting_blocks.min(s.duration.max_blocks as f64)
        + f64::from(s.params.proving_window + s.params.race_window);
    let sample_every = ((expected_blocks / 2_000.0).ceil() as u64).max(1);
    let mut samples = Vec::new();
    let mut block = GENESIS;
    let mut last_progress = 0;
    loop {
        sim.chain.set_block(block);
        sim.selection(block)?;
        let posting = block >= first_block;
        sim.post_batches(block, posting)?;
        sim.run_jobs(block)?;
        sim.racing_now = sim
            .batches
            .iter()
            .rev()
            .take_while(|b| b.race_deadline + 1 >= block)
            .filter(|b| b.status == Status::Racing)
            .count() as u64;
        if posting {
            if sim.racing_now > 0 {
                sim.race_blocks += 1;
            }
            sim.backlog_sum += (sim.pending_count + sim.inflight_txs) as f64;
            sim.backlog_n += 1;
            sim.summary.load.backlog_max =
                sim.summary.load.backlog_max.max(sim.pending_count + sim.inflight_txs);
            if (block - first_block).is_multiple_of(sample_every) {
                let row = sim.sample(block);
                samples.push(row);
            }
        }
        let resolved = sim.n_proven + sim.n_rescued + sim.n_failed;
        if resolved != last_progress {
            progress(resolved);
            last_progress = resolved;
        }
        let all_posted = sim.posting_done(block);
        if (all_posted && resolved == sim.batches.len() as u64)
            || (posting && block - first_block >= s.duration.max_blocks)
        {
            break;
        }
        block += 1;
    }
    samples.push(sim.sample(block));
    sim.summary.transactions += setup_tx;
    finish(sim, block, started, samples)
}

fn finish(
    mut sim: Sim<'_>,
    last_block: u64,
    started: Instant,
    samples: Vec<Sample>,
) -> Result<RunResult> {
    let s = sim.s;
    let mut sum = std::mem::take(&mut sim.summary);
    sum.scenario = s.name.clone();
    sum.seed = s.seed;
    sum.provers = sim.agents.len();
    sum.blocks = last_block + 1 - sim.first_block;

    // Cross-check every batch and every prover against the chain.
    let mut statuses_ok = true;
    for (k, b) in sim.batches.iter().enumerate() {
        let onchain =
            sim.chain.view(sim.chain.network, &P::batchOfCall { batchId: U256::from(k + 1) })?;
        let expected: u8 = match b.status {
            Status::Assigned => 1,
            Status::Racing => 3,
            Status::Proven | Status::Rescued => 4,
            Status::Failed => 5,
        };
        let got: u8 = onchain.status;
        // An Open batch (nobody eligible at posting) is tracked as Racing here.
        if got != expected && !(got == 2 && expected == 3) {
            statuses_ok = false;
        }
    }
    let mut ends = Vec::with_capacity(sim.agents.len());
    let mut claim_ok = true;
    for a in &sim.agents {
        let acct = sim.chain.view(sim.chain.network, &P::accountOfCall { who: a.spec.addr })?;
        let rep = sim.chain.view(sim.chain.network, &P::reputationOfCall { who: a.spec.addr })?;
        let end = ProverEnd {
            stake: tokens(acct.stake.to::<u128>()),
            reputation: rep.saturating_to(),
            claimable: tokens(acct.claimable.to::<u128>()),
        };
        if (end.claimable - a.stats.revenue).abs() > 1e-6 * (1.0 + a.stats.revenue)
            || acct.stake.to::<u128>() != a.stake_units
        {
            claim_ok = false;
        }
        ends.push(end);
    }
    sum.checks.batch_status_matches = statuses_ok;
    sum.checks.revenue_matches_claimable = claim_ok;

    // Liveness.
    let l = &mut sum.liveness;
    l.posted = sim.batches.len() as u64;
    for b in &sim.batches {
        match b.status {
            Status::Proven => l.proven_in_window += 1,
            Status::Rescued => l.rescued += 1,
            Status::Failed => l.failed += 1,
            Status::Assigned | Status::Racing => l.unresolved += 1,
        }
    }
    let posted = l.posted.max(1) as f64;
    l.share_proven = l.proven_in_window as f64 / posted;
    l.share_rescued = l.rescued as f64 / posted;
    l.share_failed = l.failed as f64 / posted;
    let done = (l.proven_in_window + l.rescued).max(1) as f64;
    let mut proof_times: Vec<f64> = sim
        .batches
        .iter()
        .filter(|b| matches!(b.status, Status::Proven | Status::Rescued))
        .map(|b| (b.resolved - b.posted) as f64)
        .collect();
    let by_status = |st: Status| -> Vec<f64> {
        sim.batches
            .iter()
            .filter(|b| b.status == st)
            .map(|b| (b.resolved - b.posted) as f64)
            .collect()
    };
    sum.time_to_proof_in_window = Distribution::of(&mut by_status(Status::Proven));
    sum.time_to_proof_rescued = Distribution::of(&mut by_status(Status::Rescued));
    sum.time_to_proof = Distribution::of(&mut proof_times);

    // Load.
    let ld = &mut sum.load;
    ld.txs_unprocessed = ld.txs_arrived - ld.txs_finalised;
    ld.backlog_mean = sim.backlog_sum / sim.backlog_n.max(1) as f64;
    ld.user_cost_per_tx = ld.user_cost / ld.txs_finalised.max(1) as f64;
    ld.user_welfare = ld.user_value - ld.user_cost;
    ld.tx_latency_mean = sim.tx_latency_sum / ld.txs_finalised.max(1) as f64;

    // Economics.
    let gas_price = s.provers.gas_cost_per_mgas / 1e6;
    let n = sim.agents.len() as f64;
    let e = &mut sum.economics;
    let (mut covering, mut profitable, mut honest_n, mut honest_profitable) = (0, 0, 0, 0);
    for a in &sim.agents {
        let st = &a.stats;
        let gas_cost = st.gas as f64 * gas_price;
        let profit = st.revenue - st.proving_cost - gas_cost - st.slashed;
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
        if a.spec.strategy.is_none() {
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

    // Decentralisation.
    let assignments: Vec<f64> = sim.agents.iter().map(|a| a.stats.assignments as f64).collect();
    let stakes: Vec<f64> = sim.agents.iter().map(|a| a.spec.stake).collect();
    let weights: Vec<f64> = sim.agents.iter().map(|a| a.stats.weight_sum).collect();
    let revenue: Vec<f64> = sim.agents.iter().map(|a| a.stats.revenue).collect();
    let d = &mut sum.decentralisation;
    d.hhi_assignments = metrics::hhi(&assignments);
    d.hhi_stake = metrics::hhi(&stakes);
    d.hhi_weight = metrics::hhi(&weights);
    let capped: Vec<f64> = stakes.iter().map(|&x| x.min(s.params.max_weight_stake)).collect();
    d.hhi_capped_stake = metrics::hhi(&capped);
    d.nakamoto_assignments = metrics::nakamoto(&assignments);
    d.nakamoto_stake = metrics::nakamoto(&stakes);
    d.gini_earnings = metrics::gini(&revenue);
    let mut by_stake: Vec<usize> = (0..sim.agents.len()).collect();
    by_stake.sort_by(|&a, &b| stakes[b].total_cmp(&stakes[a]));
    let top = by_stake.len().div_ceil(10);
    let total_a: f64 = assignments.iter().sum::<f64>().max(1.0);
    let total_s: f64 = stakes.iter().sum();
    d.top10pct_assignment_share =
        by_stake[..top].iter().map(|&i| assignments[i]).sum::<f64>() / total_a;
    d.top10pct_stake_share = by_stake[..top].iter().map(|&i| stakes[i]).sum::<f64>() / total_s;

    // Emergency and gas.
    sum.emergency.frequency = sum.emergency.raced as f64 / posted;
    sum.emergency.block_share = sim.race_blocks as f64 / sum.blocks.max(1) as f64;
    sum.gas.per_proven_batch = sim.gas_batch as f64 / done;
    sum.gas.per_proven_batch_all_in = sum.gas.total as f64 / done;

    sum.wall_seconds = started.elapsed().as_secs_f64();
    let provers = sim.agents.into_iter().zip(ends).map(|(a, end)| (a.spec, a.stats, end)).collect();
    Ok(RunResult { summary: sum, samples, provers, proof_times })
}
