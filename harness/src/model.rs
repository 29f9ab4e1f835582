//! The Rust reference model: an independent re-statement of the network's accounting rules.
//!
//! The model is updated from its own state and the action, never by copying chain state, and only
//! borrows from the chain what it cannot know (who a transaction's draw picked is re-derived; the
//! seed, which mixes a block hash, is read). After every action `invariants` compares it with
//! storage, so any rule the bytecode breaks shows up as a difference.

use alloy::primitives::{Address, B256, U256, keccak256};
use alloy::sol_types::SolValue;

use crate::params::ParamsView;

pub use crate::params::BPS;
/// Upper bound of reputation.
pub const REP_MAX: u64 = 10_000;
/// Reputation floor added in the weight formula.
pub const REP_FLOOR: u128 = 1_000;
/// Stake is shifted right by this before weighting.
pub const WEIGHT_SHIFT: u32 = 24;

/// One account in the model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MAccount {
    /// Active stake.
    pub stake: u128,
    /// Unbonding stake.
    pub unbonding: u128,
    /// When unbonding stake becomes withdrawable.
    pub ready_at: u64,
    /// Open assignments.
    pub open: u64,
    /// Credited rewards and refunds.
    pub claimable: u128,
    /// Registered prover.
    pub registered: bool,
    /// Epoch of the open (unrevealed) commitment, with its 28-byte hash.
    pub commit: Option<(u64, U256)>,
    /// Reputation as last written and the block it was written at.
    pub rep: u64,
    /// Block of the last reputation write.
    pub rep_at: u64,
    /// Sum of the payouts (fees and bounties) of the batches this account proved.
    pub earned: u128,
    /// Refunds of failed batches credited to this account (it posted them).
    pub refunded: u128,
    /// Paid out by `claim`.
    pub claimed: u128,
    /// Stake paid in.
    pub deposited: u128,
    /// Paid out by `withdraw`.
    pub withdrawn: u128,
    /// Stake slashed away.
    pub slashed: u128,
}

/// One batch in the model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MBatch {
    /// `BatchStatus` number.
    pub status: u8,
    /// Escrowed fee.
    pub fee: u128,
    /// Bounty for the race winner.
    pub bounty: u128,
    /// Assigned prover.
    pub prover: Address,
    /// Batch source.
    pub poster: Address,
    /// Last block of the exclusive window.
    pub proving_deadline: u64,
    /// Last block of the race.
    pub race_deadline: u64,
    /// The commitment.
    pub commitment: B256,
    /// Who proved it.
    pub winner: Option<Address>,
}

/// One epoch's selection list in the model.
#[derive(Clone, Debug, Default)]
pub struct MRoll {
    /// The epoch whose reveals it holds.
    pub epoch: u64,
    /// (prover, cumulative weight).
    pub entries: Vec<(Address, u128)>,
    /// XOR of the low 96 bits of the revealed secrets.
    pub mix: u128,
}

impl MRoll {
    /// Total weight.
    pub fn total(&self) -> u128 {
        self.entries.last().map_or(0, |e| e.1)
    }

    /// The first entry whose cumulative weight exceeds `r`.
    pub fn search(&self, r: u128) -> Option<Address> {
        let i = self.entries.partition_point(|e| e.1 <= r);
        self.entries.get(i).map(|e| e.0)
    }
}

/// Reputation decayed toward `anchor` (mirror of `Reputation.decayed`).
pub fn decayed(rep: u64, updated_at: u64, now: u64, anchor: u64, half_life: u64) -> u64 {
    if now <= updated_at || rep == anchor {
        return rep;
    }
    let elapsed = now - updated_at;
    let halvings = elapsed / half_life;
    if halvings >= 14 {
        return anchor;
    }
    let above = rep > anchor;
    let mut distance = if above { rep - anchor } else { anchor - rep };
    distance >>= halvings;
    distance -= distance * (elapsed % half_life) / (2 * half_life);
    if above { anchor + distance } else { anchor - distance }
}

/// Selection weight of an account with `stake` and current reputation `rep`.
pub fn weight(p: &ParamsView, stake: u128, rep: u64) -> u128 {
    let capped = stake.min(p.max_weight_stake);
    ((capped >> WEIGHT_SHIFT) * (REP_FLOOR + rep as u128)) / (REP_MAX as u128 + REP_FLOOR)
}

/// `bps` of the bonded stake counted up to `cap` (`maxWeightStake`: stake above it buys no
/// selection odds, so it does not pay per miss either), taken from active stake first.
pub fn slash_stake(a: &mut MAccount, bps: u64, cap: u128) -> u128 {
    let amount = (a.stake + a.unbonding).min(cap) * bps as u128 / BPS;
    if amount <= a.stake {
        a.stake -= amount;
    } else {
        a.unbonding -= amount - a.stake;
        a.stake = 0;
    }
    a.slashed += amount;
    amount
}

/// The 28 stored bytes of `keccak256(abi.encode(secret, prover, epoch))`, as stored (shifted).
pub fn commit_hash(secret: B256, prover: Address, epoch: u64) -> (B256, U256) {
    let full = commitment(secret, prover, epoch);
    (full, U256::from_be_bytes(full.0) >> 32)
}

/// `keccak256(abi.encode(secret, prover, epoch))`.
pub fn commitment(secret: B256, prover: Address, epoch: u64) -> B256 {
    keccak256((secret, prover, U256::from(epoch)).abi_encode_params())
}

/// The development verifier's proof for these public inputs.
pub fn dev_proof(network: Address, prover: Address, first: u64, commitments: Vec<B256>) -> B256 {
    let domain = keccak256("provernet.insecure-dev-proof.v1");
    keccak256(
        (
            domain,
            U256::from(provernet_evm::CHAIN_ID),
            network,
            prover,
            U256::from(first),
            commitments,
        )
            .abi_encode_params(),
    )
}

/// The draw randomness of batch `id` under `seed`: `keccak256(abi.encode(seed, id))`.
pub fn draw_randomness(seed: U256, id: u64) -> U256 {
    U256::from_be_bytes(keccak256((seed, U256::from(id)).abi_encode_params()).0)
}

/// `ParamsLib.validate`, restated: the error's parameter name if a field is out of bounds.
pub fn params_error(p: &ParamsView, epoch_length: u64) -> Option<&'static str> {
    let min_unbonding = p.proving_window + p.race_window + 2 * epoch_length;
    let checks: [(&'static str, u128, u128, u128); 14] = [
        ("minStake", p.min_stake, 1 << 24, p.max_weight_stake),
        ("maxWeightStake", p.max_weight_stake, p.min_stake, (1u128 << 96) - 1),
        ("provingWindow", p.proving_window.into(), 2, 1_000_000),
        ("raceWindow", p.race_window.into(), 2, 1_000_000),
        ("unbondingDelay", p.unbonding_delay.into(), min_unbonding.into(), 10_000_000),
        ("repHalfLife", p.rep_half_life.into(), 1, u32::MAX.into()),
        ("slashBps", p.slash_bps.into(), 100, 5000),
        ("nonRevealSlashBps", p.non_reveal_slash_bps.into(), 1, 500),
        ("burnBps", p.burn_bps.into(), 0, BPS - p.bounty_bps as u128),
        ("bountyBps", p.bounty_bps.into(), 0, 9000),
        ("repInitial", p.rep_initial.into(), 1, REP_MAX.into()),
        ("repGain", p.rep_gain.into(), 1, 1000),
        ("repMissPenalty", p.rep_miss_penalty.into(), 1, REP_MAX.into()),
        ("repNoRevealPenalty", p.rep_no_reveal_penalty.into(), 1, REP_MAX.into()),
    ];
    checks.iter().find(|(_, v, lo, hi)| v < lo || v > hi).map(|c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decay_halves_the_distance_per_half_life() {
        assert_eq!(decayed(9000, 0, 1000, 5000, 1000), 7000);
        assert_eq!(decayed(1000, 0, 2000, 5000, 1000), 4000);
        assert_eq!(decayed(9000, 0, 500, 5000, 1000), 8000);
        assert_eq!(decayed(9000, 0, 14_000, 5000, 1000), 5000);
        assert_eq!(decayed(9000, 10, 5, 5000, 1000), 9000);
    }

    #[test]
    fn slash_takes_active_stake_first() {
        let mut a = MAccount { stake: 50, unbonding: 950, ..Default::default() };
        assert_eq!(slash_stake(&mut a, 1000, u128::MAX), 100);
        assert_eq!((a.stake, a.unbonding, a.slashed), (0, 900, 100));
        // The bond counts only up to the cap.
        let mut whale = MAccount { stake: 10_000, ..Default::default() };
        assert_eq!(slash_stake(&mut whale, 1000, 2_000), 200);
        assert_eq!(whale.stake, 9_800);
    }

    #[test]
    fn roll_search_finds_the_first_entry_above_r() {
        let a = Address::with_last_byte(1);
        let b = Address::with_last_byte(2);
        let roll = MRoll { epoch: 0, entries: vec![(a, 10), (b, 30)], mix: 0 };
        assert_eq!(roll.search(0), Some(a));
        assert_eq!(roll.search(9), Some(a));
        assert_eq!(roll.search(10), Some(b));
        assert_eq!(roll.search(29), Some(b));
        assert_eq!(roll.search(30), None);
    }
}
