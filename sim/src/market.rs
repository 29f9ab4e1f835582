//! The provers' books as a business: machine costs (fixed and capital, `crate::capacity`) booked
//! block by block beside the variable proving cost, the trailing profit a prover judges itself by,
//! and the `[market]` rules that turn it into decisions (exit, entry, top-up: `agents/entry.rs`).
//!
//! A prover evaluates itself every `eval_epochs` epochs on its profit since its last evaluation,
//! per 1,000 blocks. Below `exit_below` for `exit_after` evaluations in a row it leaves: it
//! requests an unstake of its whole active stake, switches its machines off and withdraws once the
//! contract's unbonding delay has passed and its open assignments are settled. At each evaluation,
//! if the incumbents' mean trailing profit is above `entry_above`, the next potential entrant
//! decides to join and registers `entry_delay_blocks` later (buying its hardware in between). A
//! prover a slash left below `minStake` tops up (with `[top_up] if_profitable`) only if its trailing
//! operating profit (before slashes, a sunk cost) is positive.

use eyre::{Result, ensure};
use serde::{Deserialize, Serialize};

use crate::capacity::cost_per_block;
use crate::world::World;

/// Profit is judged per this many blocks.
pub const PER_BLOCKS: f64 = 1_000.0;

/// Entry, exit and the steady part of a run.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Market {
    /// Whether provers exit and enter by profitability at all (off: the population is fixed).
    pub enabled: bool,
    /// Epochs between two evaluations of a prover's trailing profit.
    pub eval_epochs: u64,
    /// A prover exits after this many evaluations in a row below `exit_below`.
    pub exit_after: u32,
    /// Trailing profit per 1,000 blocks (tokens) below which an evaluation counts against staying.
    pub exit_below: f64,
    /// Incumbents' mean trailing profit per 1,000 blocks (tokens) above which one entrant joins.
    pub entry_above: f64,
    /// Potential entrants (honest, drawn like `provers`); none: nobody can enter.
    pub entrants: usize,
    /// Blocks from an entrant's decision to its registration (buying and setting up hardware).
    pub entry_delay_blocks: u64,
    /// First epoch of the run's steady part: per-1,000-block profits and the share in profit are
    /// measured from its first block (the first epochs carry the set-up costs and no fees yet).
    pub steady_from_epoch: u64,
}

impl Default for Market {
    fn default() -> Self {
        Self {
            enabled: false,
            eval_epochs: 5,
            exit_after: 3,
            exit_below: 0.0,
            entry_above: 50.0,
            entrants: 0,
            entry_delay_blocks: 500,
            steady_from_epoch: 5,
        }
    }
}

impl Market {
    /// Checks the rules' numbers.
    pub fn validate(&self) -> Result<()> {
        ensure!(self.eval_epochs >= 1, "market.eval_epochs must be at least 1 epoch");
        ensure!(self.exit_after >= 1, "market.exit_after must be at least 1 evaluation");
        ensure!(
            self.exit_below.is_finite() && self.entry_above.is_finite(),
            "market.exit_below and market.entry_above must be finite token amounts"
        );
        ensure!(
            self.entry_above >= self.exit_below,
            "market.entry_above = {} is below market.exit_below = {}: entrants would join a \
             network their incumbents are leaving; raise entry_above",
            self.entry_above,
            self.exit_below
        );
        ensure!(self.entrants <= 10_000, "market.entrants = {} is above 10000", self.entrants);
        ensure!(
            self.entrants == 0 || self.enabled,
            "market.entrants = {} needs market.enabled = true (nobody decides to enter otherwise)",
            self.entrants
        );
        Ok(())
    }
}

/// A prover's standing in the market: when it joined and left, and the books of its trailing
/// profit.
#[derive(Clone, Debug, Default)]
pub(crate) struct Book {
    /// Block it registered (its machines run from here); none: a potential entrant, not in yet.
    pub(crate) joined: Option<u64>,
    /// A potential entrant (`market.entrants`).
    pub(crate) entrant: bool,
    /// Block an entrant that decided to join registers.
    pub(crate) enters_at: Option<u64>,
    /// Block it requested its exit (its machines are off from here).
    pub(crate) left: Option<u64>,
    /// Its exit's unstake is withdrawn.
    pub(crate) withdrawn: bool,
    /// Block up to which its machine costs are booked into its stats.
    pub(crate) costs_to: u64,
    /// Its last evaluation: (block, profit, operating profit) then.
    pub(crate) last_eval: (u64, f64, f64),
    /// Evaluations in a row below `exit_below`.
    pub(crate) bad: u32,
    /// Its profit at the start of the steady part (or when it joined, if later).
    pub(crate) steady_base: Option<f64>,
}

impl Book {
    /// Whether it is in the network (joined, not left).
    pub(crate) fn active(&self) -> bool {
        self.joined.is_some() && self.left.is_none()
    }
}

impl World<'_> {
    /// Books prover `i`'s machine costs (fixed and capital) up to `block`, from the block it joined
    /// to the block it left.
    pub(crate) fn books_machine_costs(&mut self, i: usize, block: u64) {
        let a = &self.agents[i];
        let Some(joined) = a.market.joined else { return };
        let end = a.market.left.map_or(block, |l| l.min(block));
        let from = a.market.costs_to.max(joined);
        if end <= from {
            return;
        }
        let class = &self.s.provers.classes[a.spec.class];
        let (fixed, capital) = cost_per_block(class, a.spec.machines);
        let blocks = (end - from) as f64;
        let a = &mut self.agents[i];
        a.stats.fixed_cost += fixed * blocks;
        a.stats.capital_cost += capital * blocks;
        a.market.costs_to = end;
    }

    /// Prover `i`'s profit up to `block` (its machine costs booked first).
    pub(crate) fn profit_now(&mut self, i: usize, block: u64) -> f64 {
        self.books_machine_costs(i, block);
        self.agents[i].stats.profit(self.gas_price())
    }

    /// What one gas costs a prover, in tokens.
    pub(crate) fn gas_price(&self) -> f64 {
        self.s.provers.gas_cost_per_mgas / 1e6
    }

    /// Prover `i`'s (profit, operating profit) per 1,000 blocks since its last evaluation (or its
    /// joining); `None` if no block has passed.
    pub(crate) fn trailing(&mut self, i: usize, block: u64) -> Option<(f64, f64)> {
        let profit = self.profit_now(i, block);
        let operating = profit + self.agents[i].stats.slashed;
        let (since, p0, o0) = self.agents[i].market.last_eval;
        (block > since).then(|| {
            let per = PER_BLOCKS / (block - since) as f64;
            ((profit - p0) * per, (operating - o0) * per)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::Scenario;

    #[test]
    fn bad_market_rules_are_refused() {
        let e = Scenario::parse("name = \"x\"\n[market]\neval_epochs = 0").unwrap_err();
        assert!(format!("{e:#}").contains("market.eval_epochs must be at least 1"), "{e:#}");
        let e = Scenario::parse(
            "name = \"x\"\n[market]\nenabled = true\nexit_below = 10.0\nentry_above = 5.0",
        )
        .unwrap_err();
        assert!(
            format!("{e:#}").contains("entry_above = 5 is below market.exit_below = 10"),
            "{e:#}"
        );
        let e = Scenario::parse("name = \"x\"\n[market]\nentrants = 3").unwrap_err();
        assert!(format!("{e:#}").contains("needs market.enabled = true"), "{e:#}");
    }
}
