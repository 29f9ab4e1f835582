//! The network's parameters as the harness uses them: the bindings' [`Params`] (one definition of
//! contracts/types/Params.sol for every crate), plus the shape recorded actions give them in replay
//! files.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use provernet_bindings::Params;

/// Basis points denominator of the `*Bps` fields.
pub const BPS: u128 = 10_000;

/// The contract's struct for `p`. Every value the generator draws fits; a hand-edited replay file
/// with an amount over 96 bits cannot be encoded as a call.
pub fn to_sol(p: &Params) -> provernet_evm::Params {
    p.to_sol().unwrap_or_else(|e| panic!("a recorded setParams cannot be encoded: {e}"))
}

/// Replay files write a `setParams` action's parameters as they always have: snake_case fields
/// in Solidity order, the amounts as decimal strings of base units. `#[serde(with = "crate::params::replay_format")]`.
pub(crate) mod replay_format {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Recorded {
        #[serde(with = "crate::decimal")]
        min_stake: u128,
        #[serde(with = "crate::decimal")]
        max_weight_stake: u128,
        proving_window: u32,
        race_window: u32,
        unbonding_delay: u32,
        rep_half_life: u32,
        slash_bps: u16,
        non_reveal_slash_bps: u16,
        burn_bps: u16,
        bounty_bps: u16,
        rep_initial: u16,
        rep_gain: u16,
        rep_miss_penalty: u16,
        rep_no_reveal_penalty: u16,
        #[serde(with = "crate::decimal")]
        assignment_bond: u128,
        #[serde(with = "crate::decimal")]
        min_fee: u128,
        #[serde(default)]
        challenge_window: u32,
        #[serde(default)]
        keeper_bps: u16,
    }

    pub(crate) fn serialize<S: Serializer>(p: &Params, s: S) -> Result<S::Ok, S::Error> {
        Recorded {
            min_stake: p.min_stake,
            max_weight_stake: p.max_weight_stake,
            proving_window: p.proving_window,
            race_window: p.race_window,
            unbonding_delay: p.unbonding_delay,
            rep_half_life: p.rep_half_life,
            slash_bps: p.slash_bps,
            non_reveal_slash_bps: p.non_reveal_slash_bps,
            burn_bps: p.burn_bps,
            bounty_bps: p.bounty_bps,
            rep_initial: p.rep_initial,
            rep_gain: p.rep_gain,
            rep_miss_penalty: p.rep_miss_penalty,
            rep_no_reveal_penalty: p.rep_no_reveal_penalty,
            assignment_bond: p.assignment_bond,
            min_fee: p.min_fee,
            challenge_window: p.challenge_window,
            keeper_bps: p.keeper_bps,
        }
        .serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Params, D::Error> {
        let r = Recorded::deserialize(d)?;
        Ok(Params {
            min_stake: r.min_stake,
            max_weight_stake: r.max_weight_stake,
            proving_window: r.proving_window,
            race_window: r.race_window,
            unbonding_delay: r.unbonding_delay,
            rep_half_life: r.rep_half_life,
            slash_bps: r.slash_bps,
            non_reveal_slash_bps: r.non_reveal_slash_bps,
            burn_bps: r.burn_bps,
            bounty_bps: r.bounty_bps,
            rep_initial: r.rep_initial,
            rep_gain: r.rep_gain,
            rep_miss_penalty: r.rep_miss_penalty,
            rep_no_reveal_penalty: r.rep_no_reveal_penalty,
            assignment_bond: r.assignment_bond,
            min_fee: r.min_fee,
            challenge_window: r.challenge_window,
            keeper_bps: r.keeper_bps,
        })
    }
}
