//! The network's parameters in the two shapes the harness needs: `ParamsArg`, plain numbers in
//! the Solidity field widths (actions carry it, so replay files are JSON), and `ParamsView`, every
//! field widened (what the storage reader returns and the model computes with).

use alloy::primitives::aliases::U96;
use serde::{Deserialize, Serialize};

use crate::decimal as dec;
use provernet_evm::Params;

/// Basis points denominator of the `*Bps` fields.
pub const BPS: u128 = 10_000;

/// Parameters as plain numbers (JSON-friendly), in the order of the Solidity struct.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // mirrors contracts/types/Params.sol
pub struct ParamsArg {
    #[serde(with = "dec")]
    pub min_stake: u128,
    #[serde(with = "dec")]
    pub max_weight_stake: u128,
    pub proving_window: u32,
    pub race_window: u32,
    pub unbonding_delay: u32,
    pub rep_half_life: u32,
    pub slash_bps: u16,
    pub non_reveal_slash_bps: u16,
    pub burn_bps: u16,
    pub bounty_bps: u16,
    pub rep_initial: u16,
    pub rep_gain: u16,
    pub rep_miss_penalty: u16,
    pub rep_no_reveal_penalty: u16,
}

/// `Params` as stored, widened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(missing_docs)] // field names mirror the Solidity struct, documented in contracts/types/Params.sol
pub struct ParamsView {
    pub min_stake: u128,
    pub max_weight_stake: u128,
    pub proving_window: u64,
    pub race_window: u64,
    pub unbonding_delay: u64,
    pub rep_half_life: u64,
    pub slash_bps: u64,
    pub non_reveal_slash_bps: u64,
    pub burn_bps: u64,
    pub bounty_bps: u64,
    pub rep_initial: u64,
    pub rep_gain: u64,
    pub rep_miss_penalty: u64,
    pub rep_no_reveal_penalty: u64,
}

fn u96(v: u128) -> U96 {
    U96::from(v)
}

/// Converts plain parameters to the ABI struct.
pub fn to_params(p: &ParamsArg) -> Params {
    Params {
        minStake: u96(p.min_stake),
        maxWeightStake: u96(p.max_weight_stake),
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

/// Converts plain parameters to the widened view.
pub fn to_view(p: &ParamsArg) -> ParamsView {
    ParamsView {
        min_stake: p.min_stake,
        max_weight_stake: p.max_weight_stake,
        proving_window: p.proving_window.into(),
        race_window: p.race_window.into(),
        unbonding_delay: p.unbonding_delay.into(),
        rep_half_life: p.rep_half_life.into(),
        slash_bps: p.slash_bps.into(),
        non_reveal_slash_bps: p.non_reveal_slash_bps.into(),
        burn_bps: p.burn_bps.into(),
        bounty_bps: p.bounty_bps.into(),
        rep_initial: p.rep_initial.into(),
        rep_gain: p.rep_gain.into(),
        rep_miss_penalty: p.rep_miss_penalty.into(),
        rep_no_reveal_penalty: p.rep_no_reveal_penalty.into(),
    }
}
