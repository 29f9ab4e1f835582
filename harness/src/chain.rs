//! The harness's chain: the EVM core's [`provernet_evm::Chain`] with the network's struct packing
//! discovered at deployment, and typed reads of the network's storage straight from the in-memory
//! database.
//!
//! Invariants are checked after every action, so they must cost less than the action itself: an
//! EVM view call per field would not. The readers below decode storage words with the slots of
//! `slots` and the packing of `layout`; `cross_check` compares them with the view functions.

use std::ops::{Deref, DerefMut};

use alloy::primitives::{Address, Bytes, U256};
use eyre::{Result, WrapErr};
use provernet_bindings::{DevStakingToken, ProverNetwork};
use provernet_evm::Contracts;

use crate::layout::{Layout, probe_layout};
use crate::params::Params;
use crate::slots::{
    AccountSlots, assignment_slot, batch_base, bits, bits_u64, bits_u128, challenge_slot,
    list_slot, seed_slot, slot, source_at_slot, terms_slot, word_addr,
};

pub use provernet_evm::{
    EIP170_LIMIT, Genesis, Outcome, ProverNetworkErrors, ProverNetworkEvents, Revert, UNIT,
    decode_revert,
};

/// Which staking token the suite is deployed with.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum TokenKind {
    /// The plain development ERC-20 (`DevStakingToken`).
    #[default]
    Dev,
    /// `HostileToken` (harness/solidity): takes a 1% fee on transfers into the network and tries to
    /// re-enter the network on every transfer.
    Hostile,
}

impl TokenKind {
    /// What the network is credited when `amount` is pulled from an actor (the hostile token
    /// keeps 1%).
    pub fn received(&self, amount: u128) -> u128 {
        match self {
            Self::Dev => amount,
            Self::Hostile => amount - amount / 100,
        }
    }
}

/// Bytecode to deploy: the real contracts unless a test swaps one in (mutants, hostile token).
#[derive(Clone, Debug)]
pub struct Suite {
    /// Creation code of the network.
    pub network_code: Bytes,
    /// Creation code of the token; it must have `mint(address,uint256)` and OZ ERC20 storage.
    pub token_code: Bytes,
    /// Which token `token_code` is.
    pub token: TokenKind,
    /// Creation code of the pool factory (its pools' code is inside it); `None`: no pools (the
    /// pools assume a token without a transfer fee, so the hostile-token suite runs without).
    pub pool_factory_code: Option<Bytes>,
}

impl Suite {
    /// The deployed contracts, exactly as `provernet-bindings` embeds them.
    pub fn real() -> Self {
        Self {
            network_code: provernet_bindings::ProverNetwork::BYTECODE.clone(),
            token_code: DevStakingToken::BYTECODE.clone(),
            token: TokenKind::Dev,
            pool_factory_code: Some(provernet_bindings::ProverPoolFactory::BYTECODE.clone()),
        }
    }

    /// The three contracts to deploy (the verifier is always the development one).
    pub fn contracts(&self) -> Contracts {
        Contracts {
            network: self.network_code.clone(),
            token: self.token_code.clone(),
            // Only the real network must fit mainnet's size limits: a mutant is a test copy.
            size_limits: self.network_code == provernet_bindings::ProverNetwork::BYTECODE,
            ..Contracts::real()
        }
    }
}

/// The chain: the EVM core's chain (dereferenced to, for executing and block control) with the
/// network's storage layout.
#[derive(Clone)]
pub struct Chain {
    core: provernet_evm::Chain,
    /// Struct packing of the network's storage, discovered at deployment.
    pub layout: Layout,
    /// The network's own storage keys, hashed once: its token balance is read after every action
    /// (hashing the keys each time took a tenth of a campaign's CPU time in a profile).
    network_keys: AccountSlots,
    /// The governance timelock that owns the network once `timelock::install` ran (zero before).
    pub timelock: Address,
    /// A verifier that rejects every proof, with the network's commitment bound
    /// (harness/solidity/RejectingVerifier.sol): what a hostile governance switches to.
    pub rejecting_verifier: Address,
}

impl Deref for Chain {
    type Target = provernet_evm::Chain;

    fn deref(&self) -> &Self::Target {
        &self.core
    }
}

impl DerefMut for Chain {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.core
    }
}

impl Chain {
    /// Deploys `suite` (see [`provernet_evm::Chain::deploy`]) and discovers the storage layout.
    pub fn deploy(suite: &Suite, genesis: &Genesis) -> Result<Self> {
        let mut core = provernet_evm::Chain::deploy(&suite.contracts(), genesis)?;
        let layout = probe_layout(&mut core)?;
        let network_keys = AccountSlots::new(core.addrs.network);
        let bound = core.view(core.addrs.network, &ProverNetwork::commitmentBoundCall {})?;
        let mut code = rejecting_verifier_code().to_vec();
        code.extend_from_slice(&bound.to_be_bytes::<32>());
        let deployer = core.addrs.deployer;
        let rejecting_verifier = core
            .create(deployer, code.into())
            .wrap_err("while deploying the rejecting verifier")?;
        Ok(Self { core, layout, network_keys, timelock: Address::ZERO, rejecting_verifier })
    }
}

/// Creation code of harness/solidity/RejectingVerifier.sol (constructor argument: the bound),
/// committed so that runs need no compiler; tests/mutants.rs recompiles the source and fails on
/// drift.
pub fn rejecting_verifier_code() -> Bytes {
    include_str!("../solidity/RejectingVerifier.bin").trim().parse().unwrap_or_default()
}

/// Where the committed rejecting verifier's creation code lives, relative to the harness crate.
pub const REJECTING_VERIFIER_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/solidity/RejectingVerifier.bin");

/// `AccountState` as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccountView {
    /// Active stake.
    pub stake: u128,
    /// Unbonding stake.
    pub unbonding: u128,
    /// First block at which unbonding stake can be withdrawn.
    pub unbonding_ready_at: u64,
    /// Batches assigned and not yet resolved.
    pub open_assignments: u64,
    /// Credited rewards and refunds.
    pub claimable: u128,
    /// Reputation as last written.
    pub reputation: u64,
    /// Block of the last reputation write.
    pub rep_updated_at: u64,
    /// Registered as a prover.
    pub registered: bool,
    /// Epoch of the last commitment.
    pub commit_epoch: u64,
    /// Non-zero while a commitment is open (first 28 bytes of the commitment).
    pub commit_hash: U256,
    /// 1 + the epoch window of the last stake slash for a miss (zero: never slashed).
    pub slashed_epoch: u64,
}

/// A batch as stored: its `BatchRecord` joined with the `Assignment` it belongs to (who proves it
/// and until when are stored once per slot draw, not per batch).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchView {
    /// The batch commitment.
    pub commitment: U256,
    /// Escrowed fee.
    pub fee: u128,
    /// Bounty set aside for the race winner.
    pub bounty: u128,
    /// `BatchStatus` as a number (0 None .. 5 Failed).
    pub status: u8,
    /// Index of the batch source that posted it (`sourceAt`).
    pub source: u16,
    /// Key of its assignment (global slot * 8 + draw; draw 7 is the slot's open key).
    pub assignment: u64,
    /// The assignment's prover (zero for an open batch).
    pub prover: Address,
    /// Last block of the exclusive window.
    pub proving_deadline: u64,
    /// Last block of the race.
    pub race_deadline: u64,
}

/// `Assignment` as stored: one draw of one slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssignmentView {
    /// The prover every batch of the draw goes to (zero: open).
    pub prover: Address,
    /// Last block of the exclusive window.
    pub proving_deadline: u64,
    /// Last block of the race.
    pub race_deadline: u64,
    /// Id of the slash terms (verifier and shares) frozen on it.
    pub config: u16,
    /// The prover was slashed once for this assignment.
    pub slashed: bool,
}

/// `NetworkClock` as stored: the current slash terms, the pause and the registration count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClockView {
    /// Id of the slash terms new assignments get.
    pub config: u16,
    /// Block the running pause started (zero: running).
    pub paused_at: u64,
    /// Blocks spent paused before the running pause.
    pub paused_blocks: u64,
    /// `register` calls so far.
    pub provers: u64,
}

/// `SlashTerms` as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TermsView {
    /// The verifier proofs of its assignments are checked with.
    pub verifier: Address,
    /// Share of the bond a missed assignment slashes.
    pub slash_bps: u16,
    /// Burned share of a slash.
    pub burn_bps: u16,
    /// Race winner's share of a slash.
    pub bounty_bps: u16,
    /// Keeper's share of a slash, a failed batch's fee and a flushed burn.
    pub keeper_bps: u16,
}

/// `SourceAccount` as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SourceView {
    /// Prepaid fee balance.
    pub fee_balance: u128,
    /// Index stored on its batches (0: never authorised).
    pub index: u16,
    /// May post.
    pub allowed: bool,
}

/// `PostCursor` as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CursorView {
    /// Id of the next batch.
    pub next_batch_id: u64,
    /// Key of the last assignment used.
    pub assignment: u64,
    /// Its prover (zero: open).
    pub prover: Address,
}

/// `EpochRoll` as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RollView {
    /// The epoch whose reveals it holds.
    pub epoch: u64,
    /// Listed provers.
    pub count: u64,
    /// Their total weight.
    pub total_weight: u128,
    /// XOR of the revealed secrets' low 96 bits.
    pub mix: u128,
}

impl Chain {
    fn net(&self, s: U256) -> U256 {
        self.storage(self.addrs.network, s)
    }

    /// `N` consecutive words of the network's storage from `base`.
    fn words<const N: usize>(&self, base: U256) -> [U256; N] {
        self.core.storage_words(self.addrs.network, base)
    }

    /// Everything stored for an account.
    pub fn account(&self, keys: &AccountSlots) -> AccountView {
        let l = &self.layout.account;
        let w = self.words::<3>(keys.base);
        let f = |k: usize| bits(w[l[k].slot as usize], l[k].shift, l[k].width);
        AccountView {
            stake: f(0).to(),
            unbonding: f(1).to(),
            unbonding_ready_at: f(2).to(),
            open_assignments: f(3).to(),
            claimable: f(4).to(),
            reputation: f(5).to(),
            rep_updated_at: f(6).to(),
            registered: !f(7).is_zero(),
            commit_epoch: f(8).to(),
            commit_hash: f(9),
            slashed_epoch: f(10).to(),
        }
    }

    /// The network's own token balance: what it holds.
    pub fn network_balance(&self) -> u128 {
        self.token_balance(&self.network_keys)
    }

    /// Token balance of an account (OpenZeppelin ERC20 layout).
    pub fn token_balance(&self, keys: &AccountSlots) -> u128 {
        self.storage(self.addrs.token, keys.balance).to::<u128>()
    }

    /// Everything stored for a batch, given `batch_base(id)`, joined with its assignment.
    pub fn batch_at(&self, base: U256) -> BatchView {
        let l = &self.layout.batch;
        let w = self.words::<2>(base);
        let f = |k: usize| bits(w[l[k].slot as usize], l[k].shift, l[k].width);
        let assignment: u64 = f(4).to();
        let a = self.assignment(assignment);
        BatchView {
            commitment: f(0),
            fee: f(1).to(),
            bounty: f(2).to(),
            status: f(3).to(),
            assignment,
            source: f(5).to(),
            prover: a.prover,
            proving_deadline: a.proving_deadline,
            race_deadline: a.race_deadline,
        }
    }

    /// Everything stored for batch `id`.
    pub fn batch(&self, id: u64) -> BatchView {
        self.batch_at(batch_base(id))
    }

    /// Batch `id`'s data challenge deadline (network clock; zero: not challenged).
    pub fn challenge(&self, id: u64) -> u64 {
        self.net(challenge_slot(id)).saturating_to()
    }

    /// The assignment record `key` (Batch.sol: prover, provingDeadline (32), raceDeadline (32),
    /// config (16), slashed in one slot, in declaration order; deadlines on the network clock;
    /// checked against `assignmentOf` by `cross_check`).
    pub fn assignment(&self, key: u64) -> AssignmentView {
        let w = self.net(assignment_slot(key));
        AssignmentView {
            prover: word_addr(bits(w, 0, 160)),
            proving_deadline: bits_u64(w, 160, 32),
            race_deadline: bits_u64(w, 192, 32),
            config: bits_u64(w, 224, 16) as u16,
            slashed: bits_u64(w, 240, 8) != 0,
        }
    }

    /// The network clock (`_clock`, checked against `pauseState`, `paused` and `proverCount`).
    pub fn clock(&self) -> ClockView {
        let w = self.net(U256::from(slot::CLOCK));
        ClockView {
            config: bits_u64(w, 0, 16) as u16,
            paused_at: bits_u64(w, 16, 40),
            paused_blocks: bits_u64(w, 56, 40),
            provers: bits_u64(w, 96, 32),
        }
    }

    /// Slash terms `id` (checked against `slashTermsOf`).
    pub fn terms(&self, id: u64) -> TermsView {
        let w = self.net(terms_slot(id));
        TermsView {
            verifier: word_addr(bits(w, 0, 160)),
            slash_bps: bits_u64(w, 160, 16) as u16,
            burn_bps: bits_u64(w, 176, 16) as u16,
            bounty_bps: bits_u64(w, 192, 16) as u16,
            keeper_bps: bits_u64(w, 208, 16) as u16,
        }
    }

    /// A batch source's account (Batch.sol's `SourceAccount`, checked against `sourceOf`).
    pub fn source(&self, keys: &AccountSlots) -> SourceView {
        let w = self.net(keys.source);
        SourceView {
            fee_balance: bits_u128(w, 0, 96),
            index: bits_u64(w, 96, 16) as u16,
            allowed: bits_u64(w, 112, 8) != 0,
        }
    }

    /// `sourceAt[index]`.
    pub fn source_at(&self, index: u16) -> Address {
        word_addr(self.net(source_at_slot(index)))
    }

    /// The prover `who` acts for as an operator (zero: none) and the operator `who` named as a
    /// prover (zero: none).
    pub fn operator_links(&self, keys: &AccountSlots) -> (Address, Address) {
        (word_addr(self.net(keys.prover_of_operator)), word_addr(self.net(keys.operator_of)))
    }

    /// The current parameters.
    pub fn params(&self) -> Params {
        let l = &self.layout.params;
        let w = self.words::<3>(U256::from(slot::PARAMS));
        let f = |k: usize| bits(w[l[k].slot as usize], l[k].shift, l[k].width);
        Params {
            min_stake: f(0).to(),
            max_weight_stake: f(1).to(),
            proving_window: f(2).to(),
            race_window: f(3).to(),
            unbonding_delay: f(4).to(),
            rep_half_life: f(5).to(),
            slash_bps: f(6).to(),
            non_reveal_slash_bps: f(7).to(),
            burn_bps: f(8).to(),
            bounty_bps: f(9).to(),
            rep_initial: f(10).to(),
            rep_gain: f(11).to(),
            rep_miss_penalty: f(12).to(),
            rep_no_reveal_penalty: f(13).to(),
            assignment_bond: f(14).to(),
            min_fee: f(15).to(),
            challenge_window: f(16).to(),
            keeper_bps: f(17).to(),
        }
    }

    /// Whether batch posting is paused (the network clock stands still).
    pub fn paused(&self) -> bool {
        self.clock().paused_at != 0
    }

    /// The posting cursor (next batch id, the current slot's assignment and its prover).
    pub fn cursor(&self) -> CursorView {
        let w = self.net(U256::from(slot::CURSOR));
        CursorView {
            next_batch_id: bits_u64(w, 0, 56),
            assignment: bits_u64(w, 56, 40),
            prover: word_addr(w >> 96),
        }
    }

    /// The id the next batch gets.
    pub fn next_batch_id(&self) -> u64 {
        self.cursor().next_batch_id
    }

    /// (treasuryBalance, burnPending).
    pub fn treasury_and_burn(&self) -> (u128, u128) {
        let w = self.net(U256::from(slot::TREASURY_BURN));
        (bits_u128(w, 0, 128), bits_u128(w, 128, 128))
    }

    /// The selection roll stored at `parity`.
    pub fn roll(&self, parity: u64) -> RollView {
        let w = self.net(U256::from(slot::ROLLS + parity));
        RollView {
            epoch: bits_u64(w, 0, 32),
            count: bits_u64(w, 32, 32),
            total_weight: bits_u128(w, 64, 96),
            mix: bits_u128(w, 160, 96),
        }
    }

    /// The stored seed of list epoch `epoch`, if it has been fixed (zero means not yet).
    pub fn seed(&self, epoch: u64) -> Option<U256> {
        let w = self.net(seed_slot(epoch));
        (!w.is_zero()).then_some(w)
    }

    /// Entry `index` of the list at `parity`: (prover, cumulative weight).
    pub fn list_entry(&self, parity: u64, index: u64) -> (Address, u128) {
        let w = self.net(list_slot(parity, index));
        (word_addr(w >> 96), bits_u128(w, 0, 96))
    }
}
