//! The run summary (`summary.json`) and the statistics behind it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::pool_report::PoolsSummary;

/// Everything one run measured.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Provers.
    pub provers: usize,
    /// Blocks simulated from the first batch to the last resolution.
    pub blocks: u64,
    /// Wall-clock seconds of the run (deployment included).
    pub wall_seconds: f64,
    /// Transactions executed on the contracts (setup included).
    pub transactions: u64,
    /// The contracts this run ran on: [`crate::provenance::bytecode_hash`]. Empty in summaries
    /// written before it was recorded.
    #[serde(default)]
    pub bytecode_hash: String,
    /// Liveness.
    pub liveness: Liveness,
    /// Blocks from posting to proof, over proven and rescued batches.
    pub time_to_proof: Distribution,
    /// Blocks from posting to proof, batches proven by their assigned prover (normal mode).
    pub time_to_proof_in_window: Distribution,
    /// Blocks from posting to proof, batches rescued by the race (emergency mode).
    pub time_to_proof_rescued: Distribution,
    /// Transaction load and the users' side.
    pub load: LoadMetrics,
    /// Prover economics.
    pub economics: Economics,
    /// Concentration of selection, stake and earnings.
    pub decentralisation: Decentralisation,
    /// Slashing flows, in tokens.
    pub slashing: Slashing,
    /// Emergency mode (the open race).
    pub emergency: Emergency,
    /// Gas.
    pub gas: Gas,
    /// What a steering batch source achieved (zero for an honest one).
    pub source: SourceMetrics,
    /// What the provers that play with the `minStake` threshold achieved.
    pub dodging: Dodging,
    /// The selection list over the run, and how the network came through the correlated outage.
    pub recovery: Recovery,
    /// Liquid proving pools and their delegators, and the stake concentration at the end.
    pub pools: PoolsSummary,
    /// Why honest provers miss and what they lose it to (the calibration of issue 11).
    #[serde(default)]
    pub losses: Losses,
    /// What a batch source that withholds batch data achieved (zero when it publishes everything).
    #[serde(default)]
    pub withholding: Withholding,
    /// Entries, exits and the stake they moved (`[market]`; zero when it is off).
    #[serde(default)]
    pub market: MarketMetrics,
    /// Who profits (by stake decile, hardware class and group) and how busy the machines are.
    #[serde(default)]
    pub profitability: Profitability,
    /// Consistency of the simulation's bookkeeping with the chain.
    pub checks: Checks,
}

/// Entries, exits and the stake they moved (`crate::market`, `agents/entry.rs`). The selection
/// list's size epoch by epoch is `recovery.list_per_epoch`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MarketMetrics {
    /// Evaluations at which an entrant decided to join (it registers `entry_delay_blocks` later).
    pub entry_decisions: u64,
    /// Entrants that registered.
    pub entries: u64,
    /// Provers that left (requested an unstake of their whole active stake).
    pub exits: u64,
    /// Exited provers that withdrew their stake.
    pub withdrawals: u64,
    /// Stake put into unbonding by exits, tokens.
    pub unstaked: f64,
    /// Stake withdrawn from the network by exited provers, tokens.
    pub withdrawn: f64,
    /// Stake put into unbonding by exits in each epoch, from epoch 1, tokens.
    pub unstaked_per_epoch: Vec<f64>,
    /// Provers in the network at the end (joined and not exited).
    pub active_at_end: u64,
}

/// Who profits and how busy the hardware is (`crate::profit_report`). Profits are after every
/// cost: proving, gas, machine (fixed and capital) costs and slashes.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Profitability {
    /// Machines of the provers in the network at the start.
    pub machines_at_start: u64,
    /// Machine-blocks spent proving / machine-blocks run, from the first batch to the end.
    pub utilisation: f64,
    /// Fixed (power, hosting) machine costs, tokens.
    pub fixed_cost: f64,
    /// Capital (price written off) machine costs, tokens.
    pub capital_cost: f64,
    /// Blocks of the steady part (from `market.steady_from_epoch` to the end; 0: the run ended
    /// before it).
    pub steady_blocks: u64,
    /// Mean over honest provers of their steady-part profit per 1,000 blocks in the network.
    pub honest_profit_per_kblock: f64,
    /// Share of honest provers in the network during the steady part whose steady-part profit is
    /// positive: independent of how long the run is.
    pub honest_steady_profitable_share: f64,
    /// Provers by stake decile (initial stake; decile 1 the smallest).
    pub by_stake_decile: Vec<Bucket>,
    /// Provers by hardware class.
    pub by_class: Vec<Bucket>,
    /// Per `[[provers.group]]` (empty without groups).
    pub groups: Vec<GroupResult>,
}

/// Profit of a set of provers.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Bucket {
    /// Decile (`d1`..`d10`) or class name.
    pub name: String,
    /// Provers in it.
    pub provers: u64,
    /// Their assignments (batches drawn to them).
    pub assignments: u64,
    /// Their total profit, tokens.
    pub profit: f64,
    /// profit / assignments (0 without assignments).
    pub profit_per_assignment: f64,
    /// profit per 1,000 blocks any of them was in the network (whole run).
    pub profit_per_kblock: f64,
    /// Share of them in profit.
    pub profitable_share: f64,
}

/// One group's results.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GroupResult {
    /// The group's name.
    pub name: String,
    /// Its strategy.
    pub strategy: String,
    /// Its provers' profit, assignments and profit per assignment and per 1,000 blocks.
    #[serde(flatten)]
    pub bucket: Bucket,
    /// Its share of all assignments.
    pub assignment_share: f64,
    /// Its initial stake, tokens.
    pub stake: f64,
    /// Stake slashed from it, tokens.
    pub slashed: f64,
    /// Its provers that exited.
    pub exits: u64,
}

/// Batch outcomes. `proven + rescued + failed + voided + unresolved == posted`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Liveness {
    /// Batches posted.
    pub posted: u64,
    /// Proven by the assigned prover inside its window.
    pub proven_in_window: u64,
    /// Proven in the emergency race.
    pub rescued: u64,
    /// Nobody proved them: the rollup re-orgs them out.
    pub failed: u64,
    /// Still open when the run stopped (only if `duration.max_blocks` cut it short).
    pub unresolved: u64,
    /// Voided: challenged for withheld data and never answered (nobody slashed; the rollup re-orgs
    /// them out like failed batches).
    #[serde(default)]
    pub voided: u64,
    /// proven_in_window / posted.
    pub share_proven: f64,
    /// rescued / posted.
    pub share_rescued: f64,
    /// failed / posted.
    pub share_failed: f64,
}

/// Summary statistics of a sample.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Distribution {
    /// Sample size.
    pub count: u64,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Maximum.
    pub max: f64,
}

impl Distribution {
    /// Statistics of `values` (sorted in place).
    pub fn of(values: &mut [f64]) -> Self {
        if values.is_empty() {
            return Self::default();
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        Self {
            count: n as u64,
            mean: values.iter().sum::<f64>() / n as f64,
            p50: percentile(values, 0.5),
            p95: percentile(values, 0.95),
            max: values[n - 1],
        }
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The load model's outputs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LoadMetrics {
    /// Transactions that arrived.
    pub txs_arrived: u64,
    /// Transactions in proven batches.
    pub txs_finalised: u64,
    /// Transactions whose batch failed (re-queued: a re-org for their users).
    pub txs_reorged: u64,
    /// Transactions still unprocessed at the end (not in any proven batch).
    pub txs_unprocessed: u64,
    /// Mean backlog (waiting for a batch or for a proof), in transactions.
    pub backlog_mean: f64,
    /// Largest backlog.
    pub backlog_max: u64,
    /// Fees of proven batches, in tokens (failed batches are refunded).
    pub user_cost: f64,
    /// Fees the rollup prepaid (`depositFees`), in tokens.
    pub fees_deposited: f64,
    /// Fees of failed batches refunded into the rollup's prepaid balance, in tokens.
    pub fees_refunded: f64,
    /// user_cost / txs_finalised.
    pub user_cost_per_tx: f64,
    /// Value of finalised transactions to their users, decayed by their delay, in tokens.
    pub user_value: f64,
    /// user_value - user_cost.
    pub user_welfare: f64,
    /// Mean blocks from arrival to proof over finalised transactions.
    pub tx_latency_mean: f64,
    /// Mean latency over every transaction that arrived, those still waiting at the end counted at
    /// their wait so far (a lower bound: `crate::latency`).
    pub tx_latency_mean_censored: f64,
    /// Median latency, waiting transactions counted at their wait so far (blocks).
    pub tx_latency_p50: f64,
    /// 95th percentile latency, waiting transactions counted at their wait so far (blocks).
    pub tx_latency_p95: f64,
    /// 99th percentile latency, waiting transactions counted at their wait so far (blocks).
    pub tx_latency_p99: f64,
    /// Share of arrived transactions never posted in a batch (still queued at the end).
    pub share_never_posted: f64,
    /// Share of arrived transactions not finalised at the end (never posted, or posted and not
    /// proven).
    pub share_unfinalised: f64,
    /// Bytes of the transactions that arrived.
    pub bytes_arrived: u64,
    /// Mean multiple of the fee schedule the backlog fee charged, over the real batches posted.
    pub fee_multiple_mean: f64,
    /// Largest multiple of the fee schedule the backlog fee charged.
    pub fee_multiple_max: f64,
}

/// Prover economics, in tokens.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Economics {
    /// Fees and bounties credited to provers.
    pub revenue: f64,
    /// Modelled proving cost (including abandoned race work).
    pub proving_cost: f64,
    /// Gas cost of the provers' transactions.
    pub gas_cost: f64,
    /// Stake the provers lost to slashing.
    pub slashed: f64,
    /// Mean of revenue - costs - slashed per prover.
    pub profit_mean: f64,
    /// Share of provers whose revenue covers proving and gas costs.
    pub covering_costs_share: f64,
    /// Share of provers with positive profit after slashing.
    pub profitable_share: f64,
    /// Same, over honest (non-adversarial) provers only.
    pub honest_profitable_share: f64,
    /// Total profit of the adversarial provers (negative: the attack does not pay).
    pub adversary_profit: f64,
    /// Total profit of the honest provers.
    pub honest_profit: f64,
}

/// Concentration measures.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Decentralisation {
    /// Herfindahl-Hirschman index of assignments (1/n: even, 1: one prover).
    pub hhi_assignments: f64,
    /// HHI of stake.
    pub hhi_stake: f64,
    /// HHI of revealed selection weight (capped stake x reputation).
    pub hhi_weight: f64,
    /// HHI of stake capped at maxWeightStake: what selection would be without reputation.
    pub hhi_capped_stake: f64,
    /// Fewest provers holding more than half the assignments.
    pub nakamoto_assignments: u64,
    /// Fewest provers holding more than half the stake (initial stake: a pool's self-stake; the
    /// stake at the end, delegations included, is [`crate::pool_report::PoolsSummary`]'s).
    pub nakamoto_stake: u64,
    /// Fewest provers holding more than half the revealed selection weight over the run.
    pub nakamoto_weight: u64,
    /// Gini coefficient of prover revenue.
    pub gini_earnings: f64,
    /// Assignment share of the 10% largest stakers.
    pub top10pct_assignment_share: f64,
    /// Stake share of the 10% largest stakers.
    pub top10pct_stake_share: f64,
}

/// Slashing flows, in tokens.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Slashing {
    /// Slashes for missed assignments (one per missed slot draw, however many batches it held).
    pub misses: u64,
    /// Batches whose assigned prover missed the window (each went to the race).
    pub missed_batches: u64,
    /// Non-reveal penalties.
    pub non_reveals: u64,
    /// Total stake slashed.
    pub slashed: f64,
    /// Part earmarked for burning.
    pub burned: f64,
    /// Bounties paid to race winners.
    pub bounties_paid: f64,
    /// Part credited to the treasury (including unclaimed bounties of failed batches).
    pub to_treasury: f64,
}

/// Emergency mode.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Emergency {
    /// Batches that went to the open race (missed or posted with no prover able to take them).
    pub raced: u64,
    /// raced / posted.
    pub frequency: f64,
    /// Batches posted with nobody eligible (straight to the race).
    pub open_at_post: u64,
    /// Blocks in which at least one race was running, as a share of all blocks.
    pub block_share: f64,
    /// Slot draws after the first (the earlier drawn prover was at capacity and was skipped).
    pub capacity_redraws: u64,
    /// Slots that ran out of draws (every drawn prover full or no list): their batches were open.
    pub open_slots: u64,
    /// Race entries: provers that started on a raced batch (`agents/race_join.rs` decides who).
    #[serde(default)]
    pub racers: u64,
    /// Mean racers per raced batch (racers / raced).
    #[serde(default)]
    pub racers_per_race: f64,
    /// `raceSubmit`s that reverted because another racer's landed earlier in the same block.
    #[serde(default)]
    pub race_submits_reverted: u64,
}

/// The decliners' and secret withholders' outcome, summed over provers.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Dodging {
    /// Slots drawn to a decliner that it tried to dodge by dropping below `minStake`.
    pub dodges: u64,
    /// Batches of those slots the chain gave to another prover (dodges that worked).
    pub dodged_batches: u64,
    /// Reveals made below `minStake`: mixed into the seed, not listed.
    pub unlisted_reveals: u64,
    /// Whitewashers that left a slashed identity for a fresh one.
    pub rebirths: u64,
    /// Mean reputation of the identities they left, at the block they left (the fresh one starts
    /// at 0).
    pub shed_reputation_mean: f64,
}

/// The selection list's size epoch by epoch and the network's recovery from the scenario's
/// correlated outage (`crate::recovery` computes it; the outage fields are zero without one).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Recovery {
    /// Provers listed for each epoch of the run, from epoch 1 (the list serving epoch e is made of
    /// epoch e - 1's reveals with weight).
    pub list_per_epoch: Vec<u64>,
    /// The smallest of them.
    pub list_min: u64,
    /// Some epoch had nobody listed: its batches were posted with nobody eligible.
    pub list_ever_empty: bool,
    /// The list was empty in the run's last epoch: the network collapsed and never came back.
    pub collapsed: bool,
    /// The list serving the epoch in which the outage started.
    pub list_before_outage: u64,
    /// Epochs from the first epoch after the outage until the list is back to its pre-outage size
    /// (`None`: it never was, within the run).
    pub recover_epochs: Option<u64>,
    /// The same in blocks, from the outage's end to the first block of that epoch.
    pub recover_blocks: Option<u64>,
    /// Stake the honest provers lost to slashes and non-reveal penalties inside the outage's slash
    /// window (`outage::OutageWindow::slash_end`), in tokens.
    pub honest_slashed_in_outage: f64,
    /// Stake the honest provers lost over the whole run, in tokens.
    pub honest_slashed: f64,
    /// Top-ups made by provers a slash left below `minStake` (`[top_up]`).
    pub top_ups: u64,
    /// Tokens they staked back.
    pub topped_up: f64,
}

/// A steering source's outcome: did its favourite prove more than its weight share?
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SourceMetrics {
    /// Dummy batches it posted (they count as posted batches in every other metric).
    pub dummies: u64,
    /// Its real batches.
    pub real_batches: u64,
    /// Real batches the chain gave its favourite.
    pub favourite_batches: u64,
    /// favourite_batches / real_batches.
    pub favourite_share: f64,
    /// The favourite's share of the revealed selection weight over the run (what an honest source
    /// would give it).
    pub favourite_weight_share: f64,
    /// Blocks its batches were held back waiting for the favourite's slot, in total.
    pub held_blocks: u64,
}

/// Gas.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Gas {
    /// All gas of the run (after setup).
    pub total: u64,
    /// Gas of batch handling (post, proof, slash, race, markFailed) per proven or rescued batch.
    pub per_proven_batch: f64,
    /// All gas, selection included, per proven or rescued batch.
    pub per_proven_batch_all_in: f64,
    /// Mean batches per `submitProof` (batches proven in their window / proofs submitted): how
    /// much proof batching the slots achieve.
    pub batches_per_proof: f64,
    /// Gas by transaction kind.
    pub by_kind: BTreeMap<String, u64>,
    /// Transactions by kind.
    pub count_by_kind: BTreeMap<String, u64>,
}

/// Why honest provers miss their batches and what their losses are made of (`crate::losses`). A
/// missed batch has one cause: the prover's machines could not finish it inside the window
/// (overload), an outage delayed or killed its work past that point (outage), its proof crashed
/// with no time left to retry (crash), or it ran past the window and was abandoned (late).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Losses {
    /// Batches honest provers gave up because their queue of proofs would end after the window.
    pub missed_overload: u64,
    /// Batches honest provers gave up because an outage delayed or killed their work past that
    /// point.
    pub missed_outage: u64,
    /// Batches given up after a crash with no time left to retry.
    pub missed_crash: u64,
    /// Batches whose proof ran past the window (its realised time overran the expected one).
    #[serde(default)]
    pub missed_late: u64,
    /// Honest proof attempts (assignments and races) killed by an outage while they ran.
    #[serde(default)]
    pub killed: u64,
    /// Honest proof attempts that crashed.
    #[serde(default)]
    pub crashed: u64,
    /// Honest attempts restarted after a kill or retried after a crash.
    #[serde(default)]
    pub restarts: u64,
    /// Honest proving cost of assignment work that produced no proof (tokens).
    #[serde(default)]
    pub lost_work_cost: f64,
    /// Honest race entries.
    #[serde(default)]
    pub race_entries: u64,
    /// Honest `raceSubmit`s that reverted (another racer landed first in the same block).
    #[serde(default)]
    pub races_lost: u64,
    /// Honest racers that stopped on seeing another's winning transaction.
    #[serde(default)]
    pub race_stops: u64,
    /// Honest stake slashed for missed assignments (tokens).
    pub slashed_for_misses: f64,
    /// Honest stake taken by non-reveal penalties (tokens).
    pub non_reveal_penalties: f64,
    /// Proving cost honest provers spent in races (winners' and abandoned work; tokens).
    pub race_cost: f64,
    /// Fees and bounties honest provers won in races (tokens).
    pub race_revenue: f64,
    /// Share of honest provers never drawn for a batch in the run.
    pub never_assigned_share: f64,
    /// Share in profit among honest provers drawn at least once.
    pub assigned_profitable_share: f64,
    /// Share in profit per hardware class, over honest provers: (class, share, provers).
    pub profitable_share_by_class: Vec<(String, f64, u64)>,
    /// Mean profit of an adversarial (e.g. faulty) prover, tokens (0 without adversaries).
    pub adversary_profit_mean: f64,
    /// Share of adversarial provers in profit.
    pub adversary_profitable_share: f64,
}

/// A batch source that withholds the data of some of its batches (`source.withhold_share`), and
/// what the data challenge made of it (`crate::withholding`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Withholding {
    /// Batches posted whose data the source withheld.
    pub withheld: u64,
    /// Withheld batches whose assigned prover challenged them (`challengeData`).
    pub challenged: u64,
    /// Challenged batches voided after the answer window (`voidUnanswered`).
    pub voided: u64,
    /// Withheld batches whose prover was down for its whole window (it never tried to fetch the
    /// data, so it missed them like any batch of an outage).
    pub unchallenged_down: u64,
    /// Withheld batches that went to the race with nobody able to prove them (Open at posting, or
    /// slashed after an unchallenged window): they fail.
    pub unprovable_races: u64,
    /// Fees of voided batches: what withholding cost the source (tokens; its fee is its bond).
    pub source_fees_lost: f64,
    /// Compensation credited to the challenging provers (voided fees less the keeper's share).
    pub compensation: f64,
    /// Keeper fees for `voidUnanswered` calls (tokens).
    pub keeper_fees: f64,
    /// Honest stake slashed for withheld batches whose prover challenged them (tokens; must be 0).
    pub honest_slashed: f64,
    /// Honest stake slashed by slashes that fell on a withheld batch whose prover was down for its
    /// whole window (it would have missed the batch with its data too; tokens).
    pub honest_slashed_down: f64,
    /// Attempts to slash a challenged or voided batch (`slashMissed` once its original window
    /// closed) that the contract refused, as it must.
    pub slash_attempts_refused: u64,
    /// Share of the source's other batches proven in their window.
    pub others_share_proven: f64,
    /// Share of the source's other batches rescued by the race.
    pub others_share_rescued: f64,
    /// Share of the source's other batches failed.
    pub others_share_failed: f64,
}

/// Cross-checks with the chain; any mismatch means the simulation misread the contracts.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Checks {
    /// Every batch's on-chain status matches the simulation's record.
    pub batch_status_matches: bool,
    /// Every prover's on-chain claimable balance equals the revenue the simulation credited, and
    /// its stake, unbonding stake and open assignments equal the ones it booked.
    pub revenue_matches_claimable: bool,
    /// The rollup's prepaid fee balance on chain equals its deposits, less the fees of the batches
    /// it posted, plus the refunds of its failed batches, as the simulation booked them.
    pub fee_balance_matches: bool,
    /// The network's token balance equals what it owes, read back from the chain: every prover's
    /// stake, unbonding and claimable balance, the rollup's fee balance, the fees and bounties of
    /// unresolved batches, the treasury and the pending burn (the contract's accounting invariant).
    pub tokens_reconcile: bool,
    /// Batches assigned to a prover whose bonded stake did not cover one more open batch
    /// (`stake + unbonding >= minStake + open x assignmentBond`, from the simulation's own books;
    /// must be 0).
    pub capacity_violations: u64,
    /// Transactions that reverted though the agents expected success (first few listed).
    pub unexpected_reverts: u64,
    /// The first unexpected reverts.
    pub revert_samples: Vec<String>,
    /// Every pool's books equal the chain after a final sync, and every delegator's shares,
    /// pending withdrawal and tokens are what the simulation booked ([`crate::pool_report`]; true
    /// without pools).
    pub pools_reconcile: bool,
    /// Slashes of honest provers for withheld batches they challenged (must be 0: the data
    /// challenge is their excuse).
    #[serde(default)]
    pub withheld_slashes: u64,
}

impl Checks {
    /// Whether every cross-check passed: only then are a run's figures trustworthy.
    pub fn consistent(&self) -> bool {
        self.batch_status_matches
            && self.revenue_matches_claimable
            && self.fee_balance_matches
            && self.tokens_reconcile
            && self.pools_reconcile
            && self.capacity_violations == 0
            && self.unexpected_reverts == 0
            && self.withheld_slashes == 0
    }
}

/// HHI of non-negative amounts (0 if they sum to zero).
pub fn hhi(values: &[f64]) -> f64 {
    let total: f64 = values.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    values.iter().map(|v| (v / total).powi(2)).sum()
}

/// Fewest holders whose shares sum to more than half (0 if the amounts sum to zero).
pub fn nakamoto(values: &[f64]) -> u64 {
    let total: f64 = values.iter().sum();
    if total <= 0.0 {
        return 0;
    }
    let mut v = values.to_vec();
    v.sort_by(|a, b| b.total_cmp(a));
    let mut acc = 0.0;
    for (i, x) in v.iter().enumerate() {
        acc += x;
        if acc > total / 2.0 {
            return i as u64 + 1;
        }
    }
    v.len() as u64
}

/// Gini coefficient of non-negative amounts (0: equal, towards 1: one holder).
pub fn gini(values: &[f64]) -> f64 {
    let n = values.len();
    let total: f64 = values.iter().sum();
    if n == 0 || total <= 0.0 {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let weighted: f64 = v.iter().enumerate().map(|(i, x)| (i as f64 + 1.0) * x).sum();
    (2.0 * weighted) / (n as f64 * total) - (n as f64 + 1.0) / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concentration_measures() {
        assert!((hhi(&[1.0; 4]) - 0.25).abs() < 1e-12);
        assert!((hhi(&[0.0, 0.0, 5.0]) - 1.0).abs() < 1e-12);
        assert_eq!(nakamoto(&[1.0; 4]), 3);
        assert_eq!(nakamoto(&[10.0, 1.0, 1.0]), 1);
        assert!(gini(&[1.0; 5]).abs() < 1e-12);
        assert!((gini(&[0.0, 0.0, 0.0, 1.0]) - 0.75).abs() < 1e-12);
        let d = Distribution::of(&mut [3.0, 1.0, 2.0, 4.0]);
        assert_eq!((d.p50, d.max, d.mean), (2.0, 4.0, 2.5));
    }
}
