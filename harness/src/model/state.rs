//! The state of the reference model: accounts, batches, selection lists, seeds and the network's
//! balances, as the rules in the sibling modules left them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use alloy::primitives::{Address, B256, U256};

use crate::params::Params;
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
    /// How many open batches its bonded stake covered when it last took one (capacity rule).
    pub covered: u64,
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
    /// Fees of its batches voided for withheld data, less the keeper's share (`voidUnanswered`).
    pub compensated: u128,
    /// Keeper fees credited to this account (slashes, failed batches, flushed burns, penalties
    /// it applied).
    pub keeper_fees: u128,
    /// 1 + the epoch window of its last stake slash for a miss (zero: never): one stake slash per
    /// prover per window.
    pub slashed_epoch: u64,
    /// Block of its last successful commit.
    pub last_commit_block: Option<u64>,
    /// It exited in time from the hostile change scheduled at this block (see `drain`).
    pub exited: Option<u64>,
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
    /// Prepaid fee balance (batch sources only).
    pub fee_balance: u128,
    /// Fees paid in by `depositFees` (as received).
    pub fees_deposited: u128,
    /// Fees debited by posted batches.
    pub fees_posted: u128,
    /// Paid out by `withdrawFees`.
    pub fees_withdrawn: u128,
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
    /// Assigned prover (its assignment's; zero for an open batch).
    pub prover: Address,
    /// Batch source.
    pub poster: Address,
    /// The batch source's index (`sourceAt`).
    pub source: u16,
    /// Key of the slot draw the batch belongs to (see `assignment`).
    pub assignment: u64,
    /// Last block of the exclusive window (its assignment's).
    pub proving_deadline: u64,
    /// Last block of the race (its assignment's).
    pub race_deadline: u64,
    /// The commitment.
    pub commitment: B256,
    /// Who proved it.
    pub winner: Option<Address>,
    /// Stake its slash took from the assigned prover (the batch that carries the bounty).
    pub slash_taken: u128,
    /// While Challenged: the last block (network clock) its data may be published in.
    pub respond_by: u64,
}

/// One draw of one slot in the model: the prover its batches go to and their shared deadlines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MAssignment {
    /// The prover (zero: the slot's open key).
    pub prover: Address,
    /// Last block of the exclusive window: the slot's last block + provingWindow.
    pub proving_deadline: u64,
    /// Last block of the race: provingDeadline + raceWindow.
    pub race_deadline: u64,
    /// Id of the slash terms (verifier and shares) frozen on it when it was drawn.
    pub config: u16,
    /// Its prover was slashed once already (later missed batches only open their race).
    pub slashed: bool,
    /// An open draw made while the list was empty (its batches earn the Open reward), as opposed to
    /// one whose draws all found full provers.
    pub unlisted: bool,
}

/// One set of slash terms in the model (`SlashTerms`): which verifier proves the assignments that
/// carry it, and how their slashes are shared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MTerms {
    /// The verifier is the harness's rejecting one (no proof verifies).
    pub rejecting: bool,
    /// Share of the bond a missed assignment slashes.
    pub slash_bps: u16,
    /// Burned share.
    pub burn_bps: u16,
    /// Race winner's share.
    pub bounty_bps: u16,
    /// Keeper's share.
    pub keeper_bps: u16,
}

impl MTerms {
    /// The development verifier with the shares of `p`.
    pub fn of(p: &Params, rejecting: bool) -> Self {
        Self {
            rejecting,
            slash_bps: p.slash_bps,
            burn_bps: p.burn_bps,
            bounty_bps: p.bounty_bps,
            keeper_bps: p.keeper_bps,
        }
    }
}

/// The network clock in the model: block number less the blocks spent paused, frozen while
/// paused. Assignment deadlines are stored on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MClock {
    /// Block the running pause started.
    pub paused_at: Option<u64>,
    /// Blocks spent paused before the running pause.
    pub paused_blocks: u64,
}

impl MClock {
    /// The network clock at `block`.
    pub fn now(&self, block: u64) -> u64 {
        self.paused_at.unwrap_or(block) - self.paused_blocks
    }

    /// Network-clock `deadline` as a block number at `block`, as events and views report it
    /// (`_toBlock`): plus the blocks spent paused, those of a running pause included.
    pub fn to_block(&self, deadline: u64, block: u64) -> u64 {
        deadline + self.paused_blocks + self.paused_at.map_or(0, |at| block - at)
    }
}

/// An owner call queued in the governance timelock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MPending {
    /// The owner call.
    pub call: crate::action::Kind,
    /// First block it can be executed in.
    pub ready: u64,
    /// Block it was scheduled in.
    pub scheduled_at: u64,
    /// The proposer that queued it (actor index).
    pub by: u16,
    /// An execution was attempted and reverted (the generator does not retry it).
    pub tried: bool,
}

/// The self-rescuer's ledger (see `rescue`).
#[derive(Clone, Copy, Debug, Default)]
pub struct MRescues {
    /// Rescues of its own missed batches by the twin.
    pub count: u64,
    /// What the twin won beyond the fees.
    pub won: u128,
    /// What those misses cost the first identity in stake.
    pub lost: u128,
}

/// Governance in the model: the timelock that owns the network and what is queued in it.
#[derive(Clone, Debug, Default)]
pub struct MGovernance {
    /// The timelock's delay in seconds.
    pub delay: u64,
    /// Queued owner calls by salt.
    pub pending: BTreeMap<u64, MPending>,
    /// The next unused salt.
    pub next_salt: u64,
}

/// The posting cursor in the model: the last assignment used and its prover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MCursor {
    /// Key of the last assignment used (`u40::MAX` before the first post).
    pub key: u64,
    /// Its prover (zero: open).
    pub prover: Address,
}

impl Default for MCursor {
    fn default() -> Self {
        Self { key: (1 << 40) - 1, prover: Address::ZERO }
    }
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
#[derive(Clone, Debug)]
pub struct Model {
    /// Current parameters.
    pub params: Params,
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
    /// Fixed seeds by list epoch, written once (see `seeds`).
    pub seeds: BTreeMap<u64, U256>,
    /// Slot draws by key (see `assignment`).
    pub assignments: HashMap<u64, MAssignment>,
    /// The posting cursor.
    pub cursor: MCursor,
    /// Batch source index by actor (authorised once, indices from 1).
    pub sources: BTreeMap<u16, u16>,
    /// The prover (actor index) each operator acts for.
    pub prover_of_operator: HashMap<u16, u16>,
    /// The operator (actor index) each prover named.
    pub operator_of: HashMap<u16, u16>,
    /// Commitments must be below this (the verifier's domain, read at deployment).
    pub commitment_bound: U256,
    /// The network clock (pause state).
    pub clock: MClock,
    /// `register` calls so far (`_clock.provers`): owner calls need the timelock once non-zero.
    pub provers: u64,
    /// Every set of slash terms by id (index 0 unused) and the id new assignments get.
    pub terms: Vec<MTerms>,
    /// Id of the current slash terms.
    pub config: u16,
    /// Block since which the current verifier accepts proofs (the last restoration after a
    /// rejecting one; zero: always).
    pub honest_since: u64,
    /// The governance timelock.
    pub gov: MGovernance,
    /// Selection statistics by actor index.
    pub draws: Vec<DrawStats>,
    /// Tokens burnt by the hostile token's transfer fee (they leave the system).
    pub fee_burnt: u128,
    /// Batches whose valid proof the chain refused (see `provability`).
    pub refused: BTreeSet<u64>,
    /// Batches whose prover challenged their data in time (`challengeData`) and whose data was
    /// not published since: the prover cannot prove them, so nothing may slash it for them.
    pub withheld: BTreeSet<u64>,
    /// The self-rescuer's ledger.
    pub rescues: MRescues,
    /// The liquid proving pools created at genesis, with their delegators' ledger.
    pub pools: Vec<crate::model::pools::MPool>,
}

impl Model {
    /// The model of a fresh deployment with `params` and `actors` empty accounts.
    pub fn new(params: Params, actors: usize) -> Self {
        Self {
            params,
            accounts: vec![MAccount::default(); actors],
            batches: Vec::new(),
            live: BTreeSet::new(),
            treasury: 0,
            burn: 0,
            rolls: Default::default(),
            seeds: BTreeMap::new(),
            assignments: HashMap::new(),
            cursor: MCursor::default(),
            sources: BTreeMap::new(),
            prover_of_operator: HashMap::new(),
            operator_of: HashMap::new(),
            commitment_bound: U256::MAX,
            clock: MClock::default(),
            provers: 0,
            terms: vec![MTerms::default(), MTerms::of(&params, false)],
            config: 1,
            honest_since: 0,
            gov: MGovernance::default(),
            draws: vec![DrawStats::default(); actors],
            fee_burnt: 0,
            refused: BTreeSet::new(),
            withheld: BTreeSet::new(),
            rescues: MRescues::default(),
            pools: Vec::new(),
        }
    }

    /// Whether posting is paused.
    pub fn paused(&self) -> bool {
        self.clock.paused_at.is_some()
    }

    /// The network clock at `block`.
    pub fn now(&self, block: u64) -> u64 {
        self.clock.now(block)
    }

    /// The slash terms new assignments get.
    pub fn current_terms(&self) -> MTerms {
        self.terms[self.config as usize]
    }

    /// The slash terms frozen on assignment `key`.
    pub fn terms_of(&self, key: u64) -> MTerms {
        let config = self.assignments.get(&key).map_or(self.config, |a| a.config);
        self.terms.get(config as usize).copied().unwrap_or_default()
    }

    /// Batch `id` (which must exist).
    pub fn batch(&self, id: u64) -> Option<&MBatch> {
        id.checked_sub(1).and_then(|i| self.batches.get(i as usize))
    }

    /// The actor an action by `actor` acts for: its prover if it is an operator and the function
    /// is one an operator may call for its prover (`commit`, `reveal`, `submitProof`,
    /// `raceSubmit`), else itself.
    pub fn acting_for(&self, actor: u16, operator_callable: bool) -> u16 {
        if operator_callable {
            self.prover_of_operator.get(&actor).copied().unwrap_or(actor)
        } else {
            actor
        }
    }

    /// Sum of everything the network owes (the right-hand side of the accounting invariant).
    pub fn liabilities(&self) -> u128 {
        let accounts: u128 =
            self.accounts.iter().map(|a| a.stake + a.unbonding + a.claimable + a.fee_balance).sum();
        let batches: u128 = self
            .live
            .iter()
            .filter_map(|id| self.batch(*id))
            // A Challenged batch keeps its fee escrowed (it is live until answered or voided).
            .map(|b| b.fee + if b.status == status::RACING { b.bounty } else { 0 })
            .sum();
        accounts + batches + self.treasury + self.burn
    }
}
