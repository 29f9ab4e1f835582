//! The `--params` file of `deploy`.

use std::path::Path;

use alloy::primitives::{U256, aliases::U96};
use eyre::{Result, WrapErr};
use provernet_bindings::ProverNetwork;
use serde::{Deserialize, Serialize};

use crate::{bail_input, exit};

/// The `--params` file of `deploy` (JSON). Stake amounts are human token amounts (strings);
/// durations are blocks; shares are basis points. Every field is optional and defaults to
/// [`DeployParams::dev`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DeployParams {
    /// Commit phase length (blocks).
    pub commit_blocks: u64,
    /// Reveal phase length (blocks).
    pub reveal_blocks: u64,
    /// Minimum stake, human units.
    pub min_stake: String,
    /// Stake beyond which weight stops growing, human units.
    pub max_weight_stake: String,
    /// Exclusive proving window (blocks).
    pub proving_window: u32,
    /// Emergency race window (blocks).
    pub race_window: u32,
    /// Unbonding delay (blocks).
    pub unbonding_delay: u32,
    /// Reputation half-life (blocks).
    pub rep_half_life: u32,
    /// Missed-window slash (bps).
    pub slash_bps: u16,
    /// Non-reveal slash (bps).
    pub non_reveal_slash_bps: u16,
    /// Burned share of slashes (bps).
    pub burn_bps: u16,
    /// Race-winner bounty share of slashes (bps).
    pub bounty_bps: u16,
    /// Starting reputation.
    pub rep_initial: u16,
    /// Reputation per batch proven on time.
    pub rep_gain: u16,
    /// Reputation lost per missed window.
    pub rep_miss_penalty: u16,
    /// Reputation lost per unrevealed commitment.
    pub rep_no_reveal_penalty: u16,
}

impl Default for DeployParams {
    fn default() -> Self {
        Self::dev()
    }
}

impl DeployParams {
    /// Fast local parameters: 7-block epochs, 6-block windows.
    pub fn dev() -> Self {
        Self {
            commit_blocks: 4,
            reveal_blocks: 3,
            min_stake: "100".into(),
            max_weight_stake: "10000".into(),
            proving_window: 6,
            race_window: 6,
            unbonding_delay: 30,
            rep_half_life: 1000,
            slash_bps: 1000,
            non_reveal_slash_bps: 100,
            burn_bps: 5000,
            bounty_bps: 3000,
            rep_initial: 5000,
            rep_gain: 100,
            rep_miss_penalty: 1500,
            rep_no_reveal_penalty: 300,
        }
    }

    /// Reads a params file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            exit::input(format!("cannot read the params file {}: {e}", path.display()))
        })?;
        serde_json::from_str(&text).map_err(|e| {
            exit::input(format!("the params file {} is malformed: {e}", path.display()))
        })
    }

    /// The contract's Params struct, amounts converted with `decimals`.
    pub fn to_contract(&self, decimals: u8) -> Result<ProverNetwork::Params> {
        let min =
            crate::amount::parse_amount(&self.min_stake, decimals).wrap_err("params: minStake")?;
        let max = crate::amount::parse_amount(&self.max_weight_stake, decimals)
            .wrap_err("params: maxWeightStake")?;
        let u96 = |v: U256, name: &str| -> Result<U96> {
            if v.bit_len() > 96 {
                bail_input!("params: {name} does not fit in 96 bits")
            } else {
                Ok(U96::from(v))
            }
        };
        Ok(ProverNetwork::Params {
            minStake: u96(min, "minStake")?,
            maxWeightStake: u96(max, "maxWeightStake")?,
            provingWindow: self.proving_window,
            raceWindow: self.race_window,
            unbondingDelay: self.unbonding_delay,
            repHalfLife: self.rep_half_life,
            slashBps: self.slash_bps,
            nonRevealSlashBps: self.non_reveal_slash_bps,
            burnBps: self.burn_bps,
            bountyBps: self.bounty_bps,
            repInitial: self.rep_initial,
            repGain: self.rep_gain,
            repMissPenalty: self.rep_miss_penalty,
            repNoRevealPenalty: self.rep_no_reveal_penalty,
        })
    }
}
