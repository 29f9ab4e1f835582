//! How many machines a prover runs and what they cost it while it runs them: the capacity policy
//! (`provers.capacity`, or a group's `capacity`) and the per-block costs of a machine (a hardware
//! class's `fixed_cost_per_block`, `machine_price` and `lifetime_blocks`). Proving time and the
//! variable cost per megabyte stay in `offchain.rs`.
//!
//! A prover sizes its hardware once, when it joins, from the stake it joins with: an operator that
//! bonds more expects more assignments (selection is weighted by stake) and buys machines to serve
//! them. It pays for them every block it is in the network, busy or idle.

use eyre::{Result, ensure};
use serde::{Deserialize, Serialize};

use crate::scenario::HardwareClass;

/// Most machines one prover may run (each is a slot in its proof queue).
pub const MAX_MACHINES: u32 = 1_024;

/// How many machines a prover runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "machines", rename_all = "snake_case", deny_unknown_fields)]
pub enum Capacity {
    /// Its hardware class's `machines`.
    #[default]
    Class,
    /// `count` machines, whatever its class and stake.
    Fixed {
        /// Machines per prover.
        count: u32,
    },
    /// One machine per `tokens_per_machine` of initial stake (rounded down), at least one and at
    /// most `max`: a prover buys hardware in proportion to its bond.
    #[serde(alias = "per-stake")]
    PerStake {
        /// Stake (tokens) that pays for one machine.
        tokens_per_machine: f64,
        /// Most machines one prover buys.
        #[serde(default = "default_max")]
        max: u32,
    },
}

fn default_max() -> u32 {
    64
}

impl Capacity {
    /// Checks the policy's numbers; `what` names it in the error.
    pub fn validate(&self, what: &str) -> Result<()> {
        match *self {
            Self::Class => {}
            Self::Fixed { count } => ensure!(
                (1..=MAX_MACHINES).contains(&count),
                "{what}: count = {count} must be between 1 and {MAX_MACHINES} machines"
            ),
            Self::PerStake { tokens_per_machine, max } => {
                ensure!(
                    tokens_per_machine.is_finite() && tokens_per_machine > 0.0,
                    "{what}: tokens_per_machine = {tokens_per_machine} must be a positive number \
                     of tokens"
                );
                ensure!(
                    (1..=MAX_MACHINES).contains(&max),
                    "{what}: max = {max} must be between 1 and {MAX_MACHINES} machines"
                );
            }
        }
        Ok(())
    }

    /// Machines a prover of `class` joining with `stake` tokens runs.
    pub fn machines(&self, class: &HardwareClass, stake: f64) -> u32 {
        match *self {
            Self::Class => class.machines,
            Self::Fixed { count } => count,
            Self::PerStake { tokens_per_machine, max } => {
                // A relative epsilon so a stake of exactly k x tokens_per_machine, written in
                // decimal, buys k machines despite float rounding.
                let k = (stake / tokens_per_machine * (1.0 + 1e-12)).floor();
                (k.clamp(1.0, f64::from(max))) as u32
            }
        }
    }
}

/// Checks a hardware class's machine costs.
pub fn validate_costs(c: &HardwareClass) -> Result<()> {
    for (v, field) in [
        (c.fixed_cost_per_block, "fixed_cost_per_block"),
        (c.machine_price, "machine_price"),
        (c.lifetime_blocks, "lifetime_blocks"),
    ] {
        ensure!(v.is_finite() && v >= 0.0, "class {}: {field} = {v} must be >= 0 tokens", c.name);
    }
    ensure!(
        c.machine_price == 0.0 || c.lifetime_blocks >= 1.0,
        "class {}: machine_price = {} needs lifetime_blocks >= 1 to write it off over",
        c.name,
        c.machine_price
    );
    Ok(())
}

/// What `machines` machines of `class` cost per block, in tokens: (fixed, capital).
pub fn cost_per_block(class: &HardwareClass, machines: u32) -> (f64, f64) {
    let m = f64::from(machines);
    let capital =
        if class.lifetime_blocks > 0.0 { class.machine_price / class.lifetime_blocks } else { 0.0 };
    (m * class.fixed_cost_per_block, m * capital)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Provers;

    fn gpu() -> HardwareClass {
        Provers::default().classes[0].clone()
    }

    #[test]
    fn machines_scale_with_stake_at_the_thresholds() {
        let p = Capacity::PerStake { tokens_per_machine: 5_000.0, max: 4 };
        let c = gpu();
        assert_eq!(p.machines(&c, 4_999.999), 1, "below one machine's worth: the minimum of one");
        assert_eq!(p.machines(&c, 5_000.0), 1);
        assert_eq!(p.machines(&c, 9_999.99), 1);
        assert_eq!(p.machines(&c, 10_000.0), 2, "exactly two machines' worth buys two");
        assert_eq!(p.machines(&c, 15_000.0), 3);
        assert_eq!(p.machines(&c, 20_000.0), 4);
        assert_eq!(p.machines(&c, 1e9), 4, "capped at max");
        assert_eq!(Capacity::Class.machines(&c, 1e9), c.machines);
        assert_eq!(Capacity::Fixed { count: 7 }.machines(&c, 1.0), 7);
    }

    #[test]
    fn bad_capacity_and_costs_are_refused_with_the_field() {
        let e = Capacity::PerStake { tokens_per_machine: 0.0, max: 4 }.validate("group `a`");
        assert!(format!("{}", e.unwrap_err()).contains("group `a`: tokens_per_machine = 0"));
        let e = Capacity::Fixed { count: 0 }.validate("provers.capacity").unwrap_err();
        assert!(format!("{e}").contains("count = 0 must be between 1 and 1024"), "{e}");
        let mut c = gpu();
        c.machine_price = 100.0;
        let e = validate_costs(&c).unwrap_err();
        assert!(format!("{e}").contains("needs lifetime_blocks >= 1"), "{e}");
        c.lifetime_blocks = 50.0;
        c.fixed_cost_per_block = 0.25;
        validate_costs(&c).unwrap();
        assert_eq!(cost_per_block(&c, 3), (0.75, 6.0));
    }
}
