//! The state of the reference model: accounts, batches, selection lists, seeds and the network's
//! balances, as the rules in the sibling modules left them.

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::{Address, B256, U256};

use crate::params::ParamsView;
use crate::status;

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

/// Per-prover selection statistics: how often it was drawn against how often its weight says.
#[derive(Clone, Debug, Default)]
pub struct DrawStats {
    /// Sum over draws of weight / total weight.
    pub expected: f64,
    /// Draws that picked it.
    pub observed: u64,
}

/// The reference model of the whole network.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Current parameters.
    pub params: ParamsView,
    /// Accounts, by actor index.
    pub accounts: Vec<MAccount>,
    /// Batches, by id - 1.
    pub batches: Vec<MBatch>,
    /// Batches not yet Proven or Failed.
    pub live: BTreeSet<u64>,
    /// Treasury balance.
    pub treasury: u128,
    /// Pending burn.
    pub burn: u128,
    /// Selection lists by epoch parity.
    pub rolls: [MRoll; 2],
    /// Fixed seeds by epoch.
    pub seeds: BTreeMap<u64, U256>,
    /// Posting paused.
    pub paused: bool,
    /// Selection statistics by actor index.
    pub draws: Vec<DrawStats>,
    /// Tokens burnt by the hostile token's transfer fee (they leave the system).
    pub fee_burnt: u128,
}

impl Model {
    /// Batch `id` (which must exist).
    pub fn batch(&self, id: u64) -> Option<&MBatch> {
        id.checked_sub(1).and_then(|i| self.batches.get(i as usize))
    }

    /// Sum of everything the network owes (the right-hand side of the accounting invariant).
    pub fn liabilities(&self) -> u128 {
        let accounts: u128 =
            self.accounts.iter().map(|a| a.stake + a.unbonding + a.claimable).sum();
        let batches: u128 = self
            .live
            .iter()
            .filter_map(|id| self.batch(*id))
            .map(|b| b.fee + if b.status == status::RACING { b.bounty } else { 0 })
            .sum();
        accounts + batches + self.treasury + self.burn
    }
}
