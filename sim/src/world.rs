//! The simulation's state: the chain, the agents' off-chain state, the batches as the agents track
//! them, the job queue and the running tallies. The agents ([`crate::agents`]) change it; the chain
//! decides every outcome and [`crate::ledger`] books what its events report.

use std::collections::{BTreeMap, HashMap, VecDeque};

use alloy::primitives::{Address, B256, U256};
use provernet_bindings::BatchStatus;
use provernet_bindings::amount::{UNIT, tokens_f64};
use provernet_evm::Chain;

use crate::metrics::Summary;
use crate::outage::OutageWindow;
use crate::policy::ProverPolicy;
use crate::pools::Pools;
use crate::population::ProverSpec;
use crate::rng::Rng;
use crate::scenario::Scenario;

/// Block at which the network is deployed.
pub(crate) const GENESIS: u64 = 1_000;

/// What one prover did and earned (tokens).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ProverStats {
    /// Batches drawn to it.
    pub assignments: u64,
    /// Batches it proved in its window.
    pub proven: u64,
    /// Races it won.
    pub rescued: u64,
    /// Batches of its assignments whose window closed unproven (they went to the race).
    pub missed: u64,
    /// Times it was slashed for a missed assignment (one per missed slot draw, however many
    /// batches it held).
    pub slashes: u64,
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
    /// Slots drawn to it that it tried to dodge by dropping below `minStake` (decliner).
    pub dodges: u64,
    /// Batches of those slots the chain gave to another prover (a dodge that worked).
    pub dodged_batches: u64,
    /// Reveals it made below `minStake` (mixed into the seed, not listed: secret withholder).
    pub unlisted_reveals: u64,
    /// Sum of its revealed weights over epochs (its expected selection share's numerator).
    pub weight_sum: f64,
    /// Epochs in which it revealed.
    pub reveals: u64,
    /// Batches of its assignments it gave up because its machines could not finish them inside
    /// the window (slot overloaded beyond its hardware).
    pub missed_overload: u64,
    /// Batches it gave up because an outage pushed their start past the point where they could
    /// finish in the window.
    pub missed_outage: u64,
    /// Batches given up after a crash with no time left to retry.
    pub missed_crash: u64,
    /// Batches whose proof ran past the window's end (the realised time overran the expected
    /// one): abandoned at the deadline.
    pub missed_late: u64,
    /// Proof attempts (assignments and races) an outage killed while they ran.
    pub killed: u64,
    /// Proof attempts (assignments and races) that crashed.
    pub crashed: u64,
    /// Attempts restarted after a kill or retried after a crash.
    pub restarts: u64,
    /// Proving cost of assignment work that produced no proof (killed, crashed, abandoned).
    pub lost_work_cost: f64,
    /// Races it started.
    pub race_entries: u64,
    /// Its `raceSubmit`s that reverted: another racer's landed earlier in the same block.
    pub races_lost: u64,
    /// Races it stopped on seeing another racer's winning transaction.
    pub race_stops: u64,
    /// Part of `proving_cost` spent in races (won or abandoned).
    pub race_cost: f64,
    /// Part of `revenue` won in races (fee and bounty).
    pub race_revenue: f64,
    /// Part of `slashed` taken by non-reveal penalties.
    pub non_reveal_slashed: f64,
    /// Power and hosting of its machines over the blocks it ran them (`crate::capacity`).
    pub fixed_cost: f64,
    /// Its machines' price written off over the blocks it ran them.
    pub capital_cost: f64,
    /// Machine-blocks its machines spent proving (assignments and races).
    pub busy_blocks: u64,
    /// Block it registered (none: it never did).
    pub joined: Option<u64>,
    /// Block it exited (`[market]`; none: it stayed).
    pub exited: Option<u64>,
}

impl ProverStats {
    /// Its profit in tokens: revenue less proving, gas, machine (fixed and capital) costs and
    /// slashes. The one definition every report uses.
    pub fn profit(&self, gas_price: f64) -> f64 {
        self.revenue
            - self.proving_cost
            - self.gas as f64 * gas_price
            - self.fixed_cost
            - self.capital_cost
            - self.slashed
    }
}

/// Transactions that arrived in one block, kept together while they wait: a batch that takes part
/// of a run takes its share of the run's bytes (the run's transactions are interchangeable).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TxRun {
    /// Block they arrived in.
    pub(crate) arrived: u64,
    /// How many.
    pub(crate) count: u64,
    /// Their bytes together.
    pub(crate) bytes: u64,
}

impl TxRun {
    /// Splits `n` (< count) transactions off the front, with their share of the bytes.
    pub(crate) fn split_off(&mut self, n: u64) -> TxRun {
        let bytes = (u128::from(self.bytes) * u128::from(n) / u128::from(self.count)) as u64;
        self.count -= n;
        self.bytes -= bytes;
        TxRun { arrived: self.arrived, count: n, bytes }
    }
}

/// A posted batch.
pub(crate) struct Batch {
    pub(crate) posted: u64,
    pub(crate) bytes: u64,
    /// Its transactions, as runs that arrived in one block.
    pub(crate) chunks: Vec<TxRun>,
    pub(crate) fee: f64,
    pub(crate) prover: Option<usize>,
    pub(crate) race_deadline: u64,
    /// Its status as the chain's events report it.
    pub(crate) status: BatchStatus,
    /// Proven by the race rather than by its assigned prover.
    pub(crate) rescued: bool,
    pub(crate) resolved: u64,
    pub(crate) commitment: B256,
    pub(crate) bounty: f64,
    /// A cartel partner already proving it (bounty farm): (prover, block its proof is ready).
    pub(crate) cartel: Option<(usize, u64)>,
    /// The racers still working on it or holding a proof to submit (`agents/race.rs`).
    pub(crate) racers: Vec<crate::agents::race::Racer>,
    /// Its source withholds its data (`source.withhold_share`): nobody can prove it.
    pub(crate) withheld: bool,
}

/// A transaction an agent sends at a later block. Jobs of one block run in this order (the
/// variants' order), then by prover and batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Job {
    /// A prover's slot has ended: it schedules one submission of the slot's proven batches for
    /// when the last of them is ready (prover).
    SlotEnds(usize),
    /// A prover found no data for its batch and challenges it (prover, batch id).
    Challenge(usize, u64),
    /// The keeper slashes a missed window (batch id).
    Slash(u64),
    /// A prover submits a finished proof (prover, batch id); consecutive ones of one prover due in
    /// the same block go into one `submitProof`.
    Prove(usize, u64),
    /// A prover's race proof is ready and it submits it (prover, batch id); the first to land wins.
    Race(usize, u64),
    /// The keeper fails a batch whose race ended (batch id).
    Fail(u64),
    /// The keeper voids a challenged batch whose answer window ended (batch id).
    Void(u64),
}

/// One prover's off-chain state.
pub(crate) struct Agent {
    /// `spec.addr` is the prover account in the network (for a pooled prover: its pool).
    pub(crate) spec: ProverSpec,
    /// The key its transactions come from: `spec.addr`, or a pooled prover's operator key.
    pub(crate) sender: Address,
    pub(crate) policy: &'static dyn ProverPolicy,
    /// Active stake as booked (token units).
    pub(crate) stake_units: u128,
    /// Unbonding stake as booked (token units): still bonded, still slashable, still counted by
    /// the capacity rule.
    pub(crate) unbonding_units: u128,
    /// Its open assignments as booked: batches assigned to it, not yet proven or missed.
    pub(crate) open: u64,
    /// While it sits below `minStake` on purpose: the amount it unstaked (to top up again) and the
    /// last block of the slot it is dodging (zero: dipped for a reveal).
    pub(crate) dipped: Option<(u128, u64)>,
    /// A whitewasher's next identity (agent index), until it is used.
    pub(crate) successor: Option<usize>,
    /// A whitewasher was slashed: it moves to its next identity once no reveal is pending.
    pub(crate) rebirth_due: bool,
    /// Since when a slash has left its active stake below `minStake` (it tops up `[top_up]`
    /// blocks later if the scenario says so).
    pub(crate) short_since: Option<u64>,
    /// Block at which each machine is free.
    pub(crate) machines: Vec<u64>,
    pub(crate) failure_rate: f64,
    pub(crate) mtbf: f64,
    /// Outages generated so far, in order.
    pub(crate) downtime: Vec<(u64, u64)>,
    pub(crate) down_generated_to: u64,
    pub(crate) rng: Rng,
    /// The epoch it committed in and has not revealed yet.
    pub(crate) committed: Option<u64>,
    pub(crate) will_reveal: bool,
    pub(crate) secret: B256,
    /// Batches of its slots it is proving and will submit together once their slot has ended:
    /// (batch id, block its proof is ready, last block of its slot).
    pub(crate) held: Vec<(u64, u64, u64)>,
    pub(crate) stats: ProverStats,
    /// When it joined and left, and its trailing-profit books (`crate::market`).
    pub(crate) market: crate::market::Book,
}

/// The whole simulation state.
pub(crate) struct World<'a> {
    pub(crate) s: &'a Scenario,
    pub(crate) chain: Chain,
    pub(crate) agents: Vec<Agent>,
    pub(crate) by_addr: HashMap<Address, usize>,
    pub(crate) rollup: Address,
    /// The rollup's prepaid fee balance as the agents booked it (deposits, less posted fees, plus
    /// refunds of failed batches), in token units; checked against the chain at the end.
    pub(crate) fee_balance: u128,
    /// The last slot (by its last block) in which a steering source posted its dummies.
    pub(crate) steered_slot: Option<u64>,
    pub(crate) keeper: Address,
    pub(crate) min_stake: u128,
    pub(crate) batches: Vec<Batch>,
    /// Most batches one proof may cover (the contract's `MAX_BATCHES_PER_PROOF`, read at deployment).
    pub(crate) max_proof_batches: usize,
    pub(crate) jobs: BTreeMap<u64, Vec<Job>>,
    /// Transactions waiting for a batch, oldest first.
    pub(crate) pending_txs: VecDeque<TxRun>,
    pub(crate) pending_count: u64,
    /// Transactions in posted batches not yet proven.
    pub(crate) inflight_txs: u64,
    /// The rollup's and the cartel's stream (arrivals, partner choice).
    pub(crate) rng: Rng,
    /// The transactions' sizes ([`crate::demand::SIZE_STREAM`]).
    pub(crate) size_rng: Rng,
    /// Finalised transactions' latencies, as (blocks from arrival to proof, count).
    pub(crate) waits: Vec<(u64, u64)>,
    /// Sum of the backlog fee's multiple over the real batches posted.
    pub(crate) fee_multiplier_sum: f64,
    /// The correlated outage: its blocks and which provers it hits.
    pub(crate) outage: Option<(OutageWindow, Vec<bool>)>,
    pub(crate) summary: Summary,
    /// Liquid proving pools and their delegators (empty without `[delegators]`).
    pub(crate) pools: Pools,
    pub(crate) gas_batch: u64,
    pub(crate) racing_now: u64,
    pub(crate) race_blocks: u64,
    /// Provers listed (revealed with weight) per epoch.
    pub(crate) listed: HashMap<u64, u64>,
    pub(crate) tx_latency_sum: f64,
    pub(crate) backlog_sum: f64,
    pub(crate) backlog_n: u64,
    /// First block of epoch 1, where posting starts.
    pub(crate) first_block: u64,
    pub(crate) n_proven: u64,
    pub(crate) n_rescued: u64,
    pub(crate) n_failed: u64,
}

/// A modelled amount of whole tokens (a stake or fee drawn as a number) as token units.
pub(crate) fn units(tokens: f64) -> u128 {
    (tokens * UNIT as f64).round() as u128
}

/// A contract amount as whole tokens.
pub(crate) fn u256_tokens(v: U256) -> f64 {
    tokens_f64(v.saturating_to::<u128>())
}

impl World<'_> {
    /// Batch `id` (ids start at 1).
    pub(crate) fn batch(&self, id: u64) -> &Batch {
        &self.batches[id as usize - 1]
    }

    /// Batch `id`, mutable.
    pub(crate) fn batch_mut(&mut self, id: u64) -> &mut Batch {
        &mut self.batches[id as usize - 1]
    }

    /// Whether prover `i` still has the minimum stake (what the contract requires to commit,
    /// and to race).
    pub(crate) fn eligible(&self, i: usize) -> bool {
        self.agents[i].stake_units >= self.min_stake
    }

    /// Queues `job` for `block`.
    pub(crate) fn schedule(&mut self, block: u64, job: Job) {
        debug_assert!(block >= self.chain.block(), "job {job:?} scheduled in the past");
        self.jobs.entry(block).or_default().push(job);
    }

    /// Whether the rollup has posted everything the scenario asks for.
    pub(crate) fn posting_done(&self, block: u64) -> bool {
        let d = &self.s.duration;
        self.batches.len() as u64 - self.summary.source.dummies >= d.batches
            || (d.post_blocks > 0 && block >= self.first_block + d.post_blocks)
    }
}
