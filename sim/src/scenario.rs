//! Scenario files: who the provers are, how they behave off-chain, what load the rollup brings and
//! every contract parameter. TOML, with defaults for everything but the name, so a scenario states
//! only what it changes. Unknown keys are errors: a typo must not silently run the default.

use std::path::Path;

use eyre::{Result, WrapErr, bail, ensure};
use provernet_bindings::{NetworkConfig, Params, Strategy};
use serde::{Deserialize, Deserializer, Serialize};

pub use crate::capacity::Capacity;
pub use crate::delegators::Delegators;
pub use crate::market::Market;
pub use crate::outage::{Outage, OutageSelect, TopUp};
pub use crate::population::Group;

/// A complete scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, used in tables and plot titles.
    pub name: String,
    /// What the scenario is for.
    #[serde(default)]
    pub description: String,
    /// Seed of every random draw (off-chain model and commit secrets).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// How long to run.
    #[serde(default)]
    pub duration: Duration,
    /// Epoch geometry (immutable in the contract).
    #[serde(default)]
    pub chain: ChainCfg,
    /// Contract parameters (`setParams`), bounds-checked by the contract at deployment. Amounts
    /// in whole tokens; a field left out takes [`Params::simulation`]'s value.
    #[serde(default = "Params::simulation", deserialize_with = "params_over_simulation")]
    pub params: Params,
    /// The rollup's transaction load and the users' value model.
    #[serde(default)]
    pub load: Load,
    /// The prover population.
    #[serde(default)]
    pub provers: Provers,
    /// Faulty and malicious provers.
    #[serde(default)]
    pub adversaries: Adversaries,
    /// How the batch source posts (honest, or steering batches toward a favourite prover).
    #[serde(default)]
    pub source: Source,
    /// An optional correlated outage (a cloud region going down): emergency mode on demand.
    #[serde(default)]
    pub outage: Option<Outage>,
    /// Whether provers a slash left below `minStake` stake back up, and after how long.
    #[serde(default)]
    pub top_up: TopUp,
    /// Liquid proving pools and the delegators who back them (none by default).
    #[serde(default)]
    pub delegators: Delegators,
    /// Provers that leave when proving does not pay and newcomers that join when it does (off by
    /// default: the population is fixed), and where the run's steady part starts.
    #[serde(default)]
    pub market: Market,
}

fn default_seed() -> u64 {
    1
}

fn params_over_simulation<'de, D: Deserializer<'de>>(d: D) -> Result<Params, D::Error> {
    Params::deserialize_over(Params::simulation(), d)
}

/// Run length.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Duration {
    /// Batches the rollup posts; the run then continues until every batch is proven or failed.
    pub batches: u64,
    /// If non-zero, the rollup posts for this many blocks instead (still at most `batches`): runs
    /// across loads then cover the same time span, so an outage hits each of them.
    pub post_blocks: u64,
    /// Safety stop in blocks after the first batch (the load may be too small to fill the batches).
    pub max_blocks: u64,
}

impl Default for Duration {
    fn default() -> Self {
        Self { batches: 2_000, post_blocks: 0, max_blocks: 1_000_000 }
    }
}

/// Epoch geometry.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChainCfg {
    /// Commit phase in blocks.
    pub commit_blocks: u64,
    /// Reveal phase in blocks.
    pub reveal_blocks: u64,
    /// Assignment slot in blocks (1 to the epoch length): every batch posted in a slot goes to the
    /// slot's drawn prover, which proves them together.
    pub slot_blocks: u64,
}

impl Default for ChainCfg {
    /// [`NetworkConfig::simulation`]'s epochs (100 blocks, 20 minutes at 12 s) and 10-block slots.
    fn default() -> Self {
        let c = NetworkConfig::simulation();
        Self {
            commit_blocks: c.commit_blocks,
            reveal_blocks: c.reveal_blocks,
            slot_blocks: c.slot_blocks,
        }
    }
}

/// Transaction load and the users' value and cost model (the research's load model: value from
/// finalised transactions, decaying with their delay; cost from the fee per byte of data).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Load {
    /// Mean transactions arriving per block (Poisson), before the daily cycle, spikes and the
    /// users' reaction to the fee (`crate::demand`).
    pub tx_per_block: f64,
    /// Amplitude of the daily cycle, as a share of `tx_per_block` (0: a steady rate; 0.5: the rate
    /// swings between half and one and a half times `tx_per_block`).
    pub daily_amplitude: f64,
    /// Length of the daily cycle in blocks (7,200: a day of 12-second blocks). The cycle starts
    /// rising at the first batch.
    pub daily_period_blocks: u64,
    /// Load spikes: for `blocks` blocks from `start` (blocks after the first batch) the rate is
    /// multiplied by `multiplier`; overlapping spikes multiply.
    pub spikes: Vec<Spike>,
    /// Mean bytes of data per transaction.
    pub tx_bytes: u64,
    /// Log-normal shape of a transaction's size around the mean `tx_bytes` (0: every transaction
    /// is exactly `tx_bytes`).
    pub tx_bytes_sigma: f64,
    /// Transactions per full batch.
    pub batch_txs: u64,
    /// A partial batch is posted once its oldest transaction has waited this many blocks.
    pub max_batch_wait: u64,
    /// Most batches the rollup posts in one block.
    pub max_batches_per_block: u64,
    /// Proving fee per batch: fixed part, in tokens.
    pub fee_base: f64,
    /// Proving fee per kilobyte of batch data, in tokens. A fee below `params.min_fee` is raised
    /// to it.
    pub fee_per_kb: f64,
    /// The backlog fee: the schedule's fee is multiplied by `1 + fee_backlog_k x backlog /
    /// batch_txs` (backlog: transactions waiting for a batch), at most `fee_backlog_max` (0: the
    /// fixed schedule).
    pub fee_backlog_k: f64,
    /// The backlog fee's cap, as a multiple of the schedule (at least 1).
    pub fee_backlog_max: f64,
    /// How users' demand answers the fee: arrivals fall as `fee multiple ^ -demand_elasticity`
    /// (0: demand ignores the fee).
    pub demand_elasticity: f64,
    /// The rollup prepays fees (`depositFees`) for this many full batches at a time, and tops the
    /// balance up by as much whenever it cannot cover the next batch's fee.
    pub fee_deposit_batches: u64,
    /// What one finalised transaction is worth to its user, in tokens, if finalised at once.
    pub tx_value: f64,
    /// The value halves for every this many blocks between arrival and proof.
    pub value_half_life: f64,
}

impl Default for Load {
    fn default() -> Self {
        Self {
            tx_per_block: 400.0,
            daily_amplitude: 0.0,
            daily_period_blocks: 7_200,
            spikes: Vec::new(),
            tx_bytes: 200,
            tx_bytes_sigma: 0.0,
            batch_txs: 400,
            max_batch_wait: 10,
            max_batches_per_block: 8,
            fee_base: 1.0,
            fee_per_kb: 0.05,
            fee_backlog_k: 0.0,
            fee_backlog_max: 4.0,
            demand_elasticity: 0.0,
            fee_deposit_batches: 100,
            tx_value: 0.05,
            value_half_life: 50.0,
        }
    }
}

/// A load spike (`[[load.spikes]]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spike {
    /// First block of the spike, in blocks after the first batch.
    pub start: u64,
    /// Its length in blocks (at least 1).
    pub blocks: u64,
    /// The factor on the arrival rate while it runs (> 0; below 1 a lull).
    pub multiplier: f64,
}

/// The prover population.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Provers {
    /// Number of provers.
    pub count: usize,
    /// Stake distribution.
    pub stake: StakeDist,
    /// Hardware classes; shares are normalised.
    pub classes: Vec<HardwareClass>,
    /// Mean blocks between two outages of one prover (0: never down).
    pub mtbf_blocks: f64,
    /// Mean length of an outage in blocks.
    pub mean_downtime_blocks: f64,
    /// Probability that a proof attempt crashes (found when it would have finished; the prover
    /// retries if its expected time still fits the deadline).
    pub failure_rate: f64,
    /// The most often a prover joins an emergency race (its attention): it joins with this
    /// probability when the race pays even if everyone eligible does the same, and less often,
    /// down to never, when its expected reward x P(win) would not cover its proving cost
    /// (`agents/race_join.rs`). It must also be idle, online and expect to finish in time.
    pub race_join: f64,
    /// What a prover pays for a million gas, in tokens (its transaction costs).
    pub gas_cost_per_mgas: f64,
    /// How many machines a prover runs: its class's `machines`, a fixed count, or in proportion to
    /// its stake (`crate::capacity`). A group may set its own.
    pub capacity: Capacity,
    /// Groups of provers (`[[provers.group]]`), each with its own count, stake, hardware, strategy
    /// and capacity. When present they are the population: `count`, `stake` and `adversaries.share`
    /// are not used (`crate::population`).
    #[serde(rename = "group", skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
}

impl Provers {
    /// Number of provers at the start: the groups' counts, or `count`.
    pub fn initial_count(&self) -> usize {
        if self.groups.is_empty() { self.count } else { self.groups.iter().map(|g| g.count).sum() }
    }
}

impl Default for Provers {
    fn default() -> Self {
        Self {
            count: 100,
            stake: StakeDist::Pareto { min: 1_000.0, alpha: 1.5, max: 1_000_000.0 },
            classes: vec![
                HardwareClass {
                    name: "gpu".into(),
                    share: 0.6,
                    cost_per_mb: 5.0,
                    fixed_blocks: 1.0,
                    blocks_per_mb: 40.0,
                    jitter: 0.3,
                    machines: 2,
                    fixed_cost_per_block: 0.0,
                    machine_price: 0.0,
                    lifetime_blocks: 0.0,
                },
                HardwareClass {
                    name: "cpu".into(),
                    share: 0.4,
                    cost_per_mb: 3.0,
                    fixed_blocks: 2.0,
                    blocks_per_mb: 90.0,
                    jitter: 0.4,
                    machines: 1,
                    fixed_cost_per_block: 0.0,
                    machine_price: 0.0,
                    lifetime_blocks: 0.0,
                },
            ],
            mtbf_blocks: 5_000.0,
            mean_downtime_blocks: 50.0,
            failure_rate: 0.01,
            race_join: 0.5,
            gas_cost_per_mgas: 0.05,
            capacity: Capacity::Class,
            groups: Vec::new(),
        }
    }
}

/// How stake is spread over provers (whole tokens).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum StakeDist {
    /// Everyone stakes `amount`.
    Equal {
        /// Stake per prover.
        amount: f64,
    },
    /// Uniform in [min, max].
    Uniform {
        /// Smallest stake.
        min: f64,
        /// Largest stake.
        max: f64,
    },
    /// Pareto with scale `min` and shape `alpha` (smaller alpha: heavier tail), truncated at `max`.
    Pareto {
        /// Scale (the smallest stake).
        min: f64,
        /// Shape.
        alpha: f64,
        /// Truncation.
        max: f64,
    },
}

impl StakeDist {
    /// Checks the distribution's parameters; `what` names it in the error (`provers.stake`).
    pub fn validate(&self, what: &str) -> Result<()> {
        let positive = |v: f64, field: &str| -> Result<()> {
            ensure!(v.is_finite() && v > 0.0, "{what}.{field} = {v} must be a positive number");
            Ok(())
        };
        match *self {
            Self::Equal { amount } => positive(amount, "amount")?,
            Self::Uniform { min, max } => {
                positive(min, "min")?;
                ensure!(max >= min, "{what}: max {max} is below min {min}");
            }
            Self::Pareto { min, alpha, max } => {
                positive(min, "min")?;
                positive(alpha, "alpha")?;
                ensure!(max >= min, "{what}: max {max} is below min {min}");
            }
        }
        Ok(())
    }

    /// One stake drawn from the distribution, in tokens.
    pub fn draw(&self, rng: &mut crate::rng::Rng) -> f64 {
        match *self {
            Self::Equal { amount } => amount,
            Self::Uniform { min, max } => min + (max - min) * rng.f64(),
            Self::Pareto { min, alpha, max } => rng.pareto(min, alpha).min(max),
        }
    }
}

/// A hardware class: proving cost and speed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardwareClass {
    /// Name in tables.
    pub name: String,
    /// Share of provers with this hardware.
    pub share: f64,
    /// Proving cost per megabyte of batch data, in tokens.
    pub cost_per_mb: f64,
    /// Fixed proving time per proof, in blocks.
    pub fixed_blocks: f64,
    /// Proving time per megabyte, in blocks.
    pub blocks_per_mb: f64,
    /// Log-normal shape of the proving time (0: deterministic).
    pub jitter: f64,
    /// Proofs the prover can run in parallel (under `provers.capacity = { machines = "class" }`).
    #[serde(default = "one")]
    pub machines: u32,
    /// Power and hosting per machine per block, in tokens, paid whether it proves or not.
    #[serde(default)]
    pub fixed_cost_per_block: f64,
    /// Purchase price of one machine, in tokens, written off over `lifetime_blocks`.
    #[serde(default)]
    pub machine_price: f64,
    /// Blocks over which `machine_price` is written off (0: no capital cost).
    #[serde(default)]
    pub lifetime_blocks: f64,
}

fn one() -> u32 {
    1
}

/// Faulty and malicious provers.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Adversaries {
    /// Share of provers that follow `strategy` (chosen at random).
    pub share: f64,
    /// Their strategy: one the simulator has a policy for (checked when the run starts:
    /// [`crate::policy::simulated`]).
    pub strategy: Strategy,
    /// Proof crash probability of a faulty prover.
    pub faulty_failure_rate: f64,
    /// A faulty prover's outages come this many times more often.
    pub faulty_downtime_factor: f64,
    /// Open batches an `overcommit` prover's bonded stake covers (its stake is
    /// `min_stake + (overcommit_open - 1) x assignment_bond`).
    pub overcommit_open: u64,
}

impl Default for Adversaries {
    fn default() -> Self {
        Self {
            share: 0.0,
            strategy: Strategy::Faulty,
            faulty_failure_rate: 0.5,
            faulty_downtime_factor: 10.0,
            overcommit_open: 3,
        }
    }
}

/// What the batch source does besides posting its batches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceStrategy {
    /// Posts every batch as soon as it is due.
    #[default]
    Honest,
    /// Wants its batches proven by one prover (`favourite`): posts `dummies` dummy batches when the
    /// current slot is not its favourite's (the attack that moved the next batch id under per-batch
    /// draws, issue 10 attack 3) and holds its batches back up to `max_hold` blocks waiting for a
    /// slot drawn to its favourite (the timing power a source keeps).
    Steering,
}

/// The batch source's behaviour.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Source {
    /// Honest or steering.
    pub strategy: SourceStrategy,
    /// The prover a steering source favours (index in the population, 0-based).
    pub favourite: usize,
    /// Dummy batches (at the minimum fee) posted once per slot that is not the favourite's.
    pub dummies: u64,
    /// Most blocks a batch is held back waiting for the favourite's slot (0: never held).
    pub max_hold: u64,
    /// Share of its batches whose data the source never publishes (0: it publishes everything).
    /// Their provers find out when they fetch the data and challenge (`crate::withholding`).
    pub withhold_share: f64,
}

impl Default for Source {
    fn default() -> Self {
        Self {
            strategy: SourceStrategy::Honest,
            favourite: 0,
            dummies: 3,
            max_hold: 0,
            withhold_share: 0.0,
        }
    }
}

impl Scenario {
    /// Parses and checks a scenario file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .wrap_err_with(|| format!("while reading the scenario file {}", path.display()))?;
        Self::parse(&text).wrap_err_with(|| format!("in scenario file {}", path.display()))
    }

    /// Parses and checks scenario TOML.
    pub fn parse(text: &str) -> Result<Self> {
        let s: Self =
            toml::from_str(text).map_err(|e| eyre::eyre!("invalid scenario TOML: {e}"))?;
        s.validate()?;
        Ok(s)
    }

    /// Checks what the contract cannot: the off-chain model's own ranges. The contract parameters
    /// are checked by the contract itself when the run deploys it (ParamOutOfBounds).
    pub fn validate(&self) -> Result<()> {
        let share = |v: f64, what: &str| -> Result<()> {
            ensure!((0.0..=1.0).contains(&v), "{what} = {v} must be between 0 and 1");
            Ok(())
        };
        let positive = |v: f64, what: &str| -> Result<()> {
            ensure!(v.is_finite() && v > 0.0, "{what} = {v} must be a positive number");
            Ok(())
        };
        ensure!(!self.name.trim().is_empty(), "`name` must not be empty");
        ensure!(self.duration.batches >= 1, "duration.batches must be at least 1");
        ensure!(self.duration.max_blocks >= 1, "duration.max_blocks must be at least 1");
        let p = &self.provers;
        ensure!(
            (1..=100_000).contains(&p.count),
            "provers.count = {} must be between 1 and 100000",
            p.count
        );
        crate::population::validate_groups(self)?;
        p.capacity.validate("provers.capacity")?;
        ensure!(!p.classes.is_empty(), "provers.classes must list at least one hardware class");
        for c in &p.classes {
            ensure!(c.share >= 0.0 && c.share.is_finite(), "class {}: share must be >= 0", c.name);
            ensure!(c.cost_per_mb >= 0.0, "class {}: cost_per_mb must be >= 0", c.name);
            ensure!(
                c.fixed_blocks >= 0.0 && c.blocks_per_mb >= 0.0,
                "class {}: proving times must be >= 0",
                c.name
            );
            ensure!(
                c.jitter >= 0.0 && c.jitter <= 3.0,
                "class {}: jitter must be in [0, 3]",
                c.name
            );
            ensure!(
                (1..=64).contains(&c.machines),
                "class {}: machines must be between 1 and 64",
                c.name
            );
            crate::capacity::validate_costs(c)?;
        }
        ensure!(
            p.classes.iter().map(|c| c.share).sum::<f64>() > 0.0,
            "provers.classes: shares sum to zero"
        );
        ensure!(p.mtbf_blocks >= 0.0, "provers.mtbf_blocks must be >= 0 (0 = never down)");
        ensure!(p.mean_downtime_blocks >= 0.0, "provers.mean_downtime_blocks must be >= 0");
        share(p.failure_rate, "provers.failure_rate")?;
        share(p.race_join, "provers.race_join")?;
        ensure!(p.gas_cost_per_mgas >= 0.0, "provers.gas_cost_per_mgas must be >= 0");
        p.stake.validate("provers.stake")?;
        let l = &self.load;
        ensure!(
            l.tx_per_block >= 0.0 && l.tx_per_block.is_finite(),
            "load.tx_per_block must be >= 0"
        );
        ensure!(l.tx_bytes >= 1, "load.tx_bytes must be at least 1");
        ensure!(
            (0.0..=3.0).contains(&l.tx_bytes_sigma),
            "load.tx_bytes_sigma = {} must be in [0, 3] (0: fixed-size transactions)",
            l.tx_bytes_sigma
        );
        ensure!(
            (0.0..=1.0).contains(&l.daily_amplitude),
            "load.daily_amplitude = {} must be in [0, 1] (a share of tx_per_block; above 1 the rate \
             would go negative)",
            l.daily_amplitude
        );
        ensure!(l.daily_period_blocks >= 1, "load.daily_period_blocks must be at least 1");
        for (i, sp) in l.spikes.iter().enumerate() {
            ensure!(sp.blocks >= 1, "load.spikes[{i}].blocks must be at least 1");
            ensure!(
                sp.multiplier.is_finite() && sp.multiplier > 0.0,
                "load.spikes[{i}].multiplier = {} must be a positive number (below 1: a lull)",
                sp.multiplier
            );
        }
        ensure!(
            l.fee_backlog_k >= 0.0 && l.fee_backlog_k.is_finite(),
            "load.fee_backlog_k = {} must be >= 0 (0: the fixed fee schedule)",
            l.fee_backlog_k
        );
        ensure!(
            l.fee_backlog_max >= 1.0 && l.fee_backlog_max.is_finite(),
            "load.fee_backlog_max = {} must be at least 1 (a cap on the fee's multiple of its \
             schedule)",
            l.fee_backlog_max
        );
        ensure!(
            (0.0..=10.0).contains(&l.demand_elasticity),
            "load.demand_elasticity = {} must be in [0, 10] (0: demand ignores the fee)",
            l.demand_elasticity
        );
        ensure!(l.batch_txs >= 1, "load.batch_txs must be at least 1");
        ensure!(l.max_batches_per_block >= 1, "load.max_batches_per_block must be at least 1");
        ensure!(l.fee_base >= 0.0 && l.fee_per_kb >= 0.0, "load fees must be >= 0");
        ensure!(
            l.fee_base > 0.0 || l.fee_per_kb > 0.0 || self.params.min_fee > 0,
            "load: fee_base or fee_per_kb must be positive, or params.min_fee (a zero fee reverts)"
        );
        ensure!(
            l.fee_deposit_batches >= 1,
            "load.fee_deposit_batches must be at least 1 (the rollup prepays its fees)"
        );
        ensure!(l.tx_value >= 0.0, "load.tx_value must be >= 0");
        positive(l.value_half_life, "load.value_half_life")?;
        let a = &self.adversaries;
        share(a.share, "adversaries.share")?;
        share(a.faulty_failure_rate, "adversaries.faulty_failure_rate")?;
        ensure!(a.faulty_downtime_factor >= 1.0, "adversaries.faulty_downtime_factor must be >= 1");
        ensure!(a.overcommit_open >= 1, "adversaries.overcommit_open must be at least 1");
        ensure!(
            self.source.favourite < p.initial_count(),
            "source.favourite = {} must name one of the {} provers (0-based)",
            self.source.favourite,
            p.initial_count()
        );
        share(self.source.withhold_share, "source.withhold_share")?;
        if let Some(o) = &self.outage {
            o.validate()?;
        }
        self.delegators.validate()?;
        self.market.validate()?;
        ensure!(self.params.min_stake > 0, "params.min_stake must be positive");
        self.params.to_sol().map_err(|e| {
            eyre::eyre!("{e}: the contract's amounts are 96-bit (at most about 7.9e10 tokens)")
        })?;
        let c = &self.chain;
        if c.commit_blocks == 0 || c.reveal_blocks == 0 {
            bail!("chain.commit_blocks and chain.reveal_blocks must be at least 1");
        }
        let epoch = c.commit_blocks + c.reveal_blocks;
        ensure!(
            (1..=epoch).contains(&c.slot_blocks),
            "chain.slot_blocks = {} must be between 1 and the epoch length {epoch} (commit_blocks + reveal_blocks)",
            c.slot_blocks
        );
        Ok(())
    }

    /// A copy with `key` (dotted path, e.g. `provers.count`) set to `value`: how sweeps vary it.
    pub fn with_override(&self, key: &str, value: &toml::Value) -> Result<Self> {
        let mut doc = toml::Value::try_from(self).wrap_err("while serialising the scenario")?;
        let parts: Vec<&str> = key.split('.').collect();
        set_path(&mut doc, &parts, 0, key, value)?;
        let s: Self = doc.try_into().map_err(|e| eyre::eyre!("grid key `{key}` = {value}: {e}"))?;
        s.validate().wrap_err_with(|| format!("after setting {key} = {value}"))?;
        Ok(s)
    }
}

fn set_path(
    node: &mut toml::Value,
    parts: &[&str],
    i: usize,
    key: &str,
    value: &toml::Value,
) -> Result<()> {
    // An array's entries by index (`provers.classes.0.blocks_per_mb`): an existing entry only.
    if let toml::Value::Array(items) = node {
        let len = items.len();
        let entry = parts[i].parse::<usize>().ok().and_then(|n| items.get_mut(n));
        let entry = entry.ok_or_else(|| {
            eyre::eyre!(
                "grid key `{key}`: `{}` is a list of {len}; name an entry by its index 0 to {}",
                parts[..i].join("."),
                len.saturating_sub(1)
            )
        })?;
        ensure!(i + 1 < parts.len(), "grid key `{key}`: replace a list entry field by field");
        return set_path(entry, parts, i + 1, key, value);
    }
    let table = node.as_table_mut().ok_or_else(|| {
        eyre::eyre!("grid key `{key}`: `{}` is not a table", parts[..i].join("."))
    })?;
    let part = parts[i];
    if i + 1 == parts.len() {
        // Optional sections (outage) may be absent; everything else must already exist, so a
        // misspelt key is an error instead of a silently ignored setting.
        ensure!(
            table.contains_key(part) || parts[0] == "outage",
            "grid key `{key}`: the scenario has no field `{part}`"
        );
        let v = match (table.get(part), value) {
            // TOML integers given for float fields are converted.
            (Some(toml::Value::Float(_)), toml::Value::Integer(n)) => toml::Value::Float(*n as f64),
            _ => value.clone(),
        };
        table.insert(part.to_string(), v);
        return Ok(());
    }
    if !table.contains_key(part) {
        ensure!(part == "outage", "grid key `{key}`: the scenario has no section `{part}`");
        table.insert(part.to_string(), toml::Value::Table(Default::default()));
    }
    set_path(table.get_mut(part).expect("present or inserted above"), parts, i + 1, key, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_scenario_gets_defaults() {
        let s = Scenario::parse("name = \"x\"").unwrap();
        assert_eq!(s.provers.count, 100);
        assert_eq!(s.params.slash_bps, 200, "issue 11's calibrated 2%");
        assert_eq!(s.params, Params::simulation());
        let c = NetworkConfig::simulation();
        assert_eq!(
            (s.chain.commit_blocks, s.chain.reveal_blocks, s.chain.slot_blocks),
            (c.commit_blocks, c.reveal_blocks, c.slot_blocks)
        );
    }

    #[test]
    fn slots_must_fit_in_an_epoch() {
        let ok = Scenario::parse(
            "name = \"x\"\n[chain]\ncommit_blocks = 7\nreveal_blocks = 3\nslot_blocks = 10",
        )
        .unwrap();
        assert_eq!(ok.chain.slot_blocks, 10);
        for bad in [0, 11] {
            let text = format!(
                "name = \"x\"\n[chain]\ncommit_blocks = 7\nreveal_blocks = 3\nslot_blocks = {bad}"
            );
            let e = Scenario::parse(&text).unwrap_err();
            assert!(
                format!("{e:#}").contains(&format!(
                    "chain.slot_blocks = {bad} must be between 1 and the epoch length 10"
                )),
                "{e:#}"
            );
        }
    }

    #[test]
    fn partial_params_keep_the_simulation_set_and_amounts_are_whole_tokens() {
        let s =
            Scenario::parse("name = \"x\"\n[params]\nmin_stake = 250.5\nslash_bps = 500").unwrap();
        assert_eq!(s.params.min_stake, 250_500_000_000_000_000_000);
        assert_eq!(s.params.slash_bps, 500);
        assert_eq!(s.params.bounty_bps, Params::simulation().bounty_bps);
        let e = Scenario::parse("name = \"x\"\n[params]\ncommit_blocks = 5").unwrap_err();
        assert!(format!("{e:#}").contains("unknown field `commit_blocks`"), "{e:#}");
        let e = Scenario::parse("name = \"x\"\n[params]\nmax_weight_stake = 1e12").unwrap_err();
        assert!(format!("{e:#}").contains("96 bits"), "{e:#}");
    }

    #[test]
    fn typos_and_bad_values_are_errors() {
        let e = Scenario::parse("name = \"x\"\n[provers]\ncont = 5").unwrap_err();
        assert!(format!("{e:#}").contains("unknown field `cont`"), "{e:#}");
        let e = Scenario::parse("name = \"x\"\n[adversaries]\nshare = 1.5").unwrap_err();
        assert!(format!("{e:#}").contains("adversaries.share"), "{e:#}");
        let e = Scenario::parse("name = \"x\"\n[provers.stake]\nkind = \"zipf\"").unwrap_err();
        assert!(format!("{e:#}").contains("zipf"), "{e:#}");
    }

    #[test]
    fn bad_load_shapes_are_errors_that_name_the_field() {
        let bad = [
            ("daily_amplitude = 1.5", "load.daily_amplitude = 1.5 must be in [0, 1]"),
            ("tx_bytes_sigma = -1.0", "load.tx_bytes_sigma = -1 must be in [0, 3]"),
            ("fee_backlog_max = 0.5", "load.fee_backlog_max = 0.5 must be at least 1"),
            ("fee_backlog_k = -0.1", "load.fee_backlog_k = -0.1 must be >= 0"),
            (
                "[[load.spikes]]\nstart = 5\nblocks = 0\nmultiplier = 2.0",
                "load.spikes[0].blocks must be at least 1",
            ),
            (
                "[[load.spikes]]\nstart = 5\nblocks = 3\nmultiplier = 0.0",
                "load.spikes[0].multiplier = 0 must be a positive number",
            ),
        ];
        for (text, want) in bad {
            let e = Scenario::parse(&format!("name = \"x\"\n[load]\n{text}")).unwrap_err();
            assert!(format!("{e:#}").contains(want), "{text}: {e:#}");
        }
        let e =
            Scenario::parse("name = \"x\"\n[[load.spikes]]\nstart = 5\nblocks = 3\n").unwrap_err();
        assert!(format!("{e:#}").contains("missing field `multiplier`"), "{e:#}");
    }

    #[test]
    fn overrides_apply_and_reject_unknown_keys() {
        let s = Scenario::parse("name = \"x\"").unwrap();
        let t = s.with_override("provers.count", &toml::Value::Integer(7)).unwrap();
        assert_eq!(t.provers.count, 7);
        let t = s.with_override("load.tx_per_block", &toml::Value::Integer(50)).unwrap();
        assert_eq!(t.load.tx_per_block, 50.0);
        assert!(s.with_override("provers.cuont", &toml::Value::Integer(7)).is_err());
        let t = s.with_override("outage.share", &toml::Value::Float(0.5));
        assert!(t.is_err(), "an outage needs start and blocks too");
        // List entries by index: one hardware class's proving speed.
        let t = s.with_override("provers.classes.1.blocks_per_mb", &toml::Value::Integer(90));
        assert_eq!(t.unwrap().provers.classes[1].blocks_per_mb, 90.0);
        let e = s.with_override("provers.classes.7.jitter", &toml::Value::Float(0.1)).unwrap_err();
        assert!(format!("{e:#}").contains("`provers.classes` is a list of 2"), "{e:#}");
    }
}
