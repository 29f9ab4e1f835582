//! Typed reads of the network's storage, straight from the in-memory database.
//!
//! Invariants are checked after every action, so they must cost less than the action itself: an
//! EVM view call per field would not. The top-level slots below are those `forge inspect
//! ProverNetwork storageLayout` reports; the packing of the structs (`AccountState`, `Batch`,
//! `Params`), which changes whenever someone re-orders fields for gas, is discovered at deployment
//! by `probe_layout`: it writes random words into a struct's slots and sees where the view
//! functions find each field. `World` cross-checks every reader against the view functions
//! periodically during a run (and after every action in the tests), so a layout change cannot
//! produce silent nonsense.

use crate::chain::Chain;
use crate::rng::Rng;
use alloy::primitives::{Address, U256, keccak256};
use eyre::{Result, WrapErr, bail};
use provernet_bindings::ProverNetwork;

/// Storage slots of ProverNetwork (see the module docs).
pub(crate) mod slot {
    pub(crate) const PAUSED: u64 = 1; // _pendingOwner | _paused << 160
    pub(crate) const PARAMS: u64 = 2; // two slots
    pub(crate) const ACCOUNT_PROBE: &str = "provernet.harness.layout-probe";
    pub(crate) const VERIFIER_NEXT_ID: u64 = 4; // verifier | nextBatchId << 160
    pub(crate) const TREASURY_BURN: u64 = 5; // treasuryBalance | burnPending << 128
    pub(crate) const ACCOUNTS: u64 = 7;
    pub(crate) const BATCHES: u64 = 8;
    pub(crate) const ROLLS: u64 = 9; // [2]
    pub(crate) const SEEDS: u64 = 11; // [2]
    pub(crate) const LISTS: u64 = 13; // uint256[LIST_CAPACITY][2]
    pub(crate) const LIST_CAPACITY: u64 = 1 << 32;
    /// OpenZeppelin ERC20 `_balances` mapping.
    pub(crate) const TOKEN_BALANCES: u64 = 0;
}

/// Storage slot of `mapping[key]` for a mapping at `base`.
pub fn mapping_slot(key: U256, base: u64) -> U256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(&key.to_be_bytes::<32>());
    buf[32..].copy_from_slice(&U256::from(base).to_be_bytes::<32>());
    U256::from_be_bytes(keccak256(buf).0)
}

fn addr_key(a: Address) -> U256 {
    U256::from_be_slice(a.as_slice())
}

/// `width` bits of `word` from bit `shift`. Fields up to 128 bits (all but hashes and
/// addresses) take a two-limb fast path: this runs ~100 times per action.
#[inline]
fn bits(word: U256, shift: usize, width: usize) -> U256 {
    if width <= 128 && shift + width <= 256 {
        let limbs = word.as_limbs();
        let (li, off) = (shift / 64, shift % 64);
        let limb = |i: usize| limbs.get(i).copied().unwrap_or(0) as u128;
        let mut v = (limb(li) | (limb(li + 1) << 64)) >> off;
        if off > 0 {
            v |= limb(li + 2) << (128 - off);
        }
        let mask = if width == 128 { u128::MAX } else { (1u128 << width) - 1 };
        return U256::from(v & mask);
    }
    if width >= 256 {
        return word >> shift;
    }
    (word >> shift) & U256::MAX.wrapping_shr(256 - width)
}

fn word_addr(w: U256) -> Address {
    Address::from_word(w.to_be_bytes::<32>().into())
}

fn bits_u128(word: U256, shift: usize, width: usize) -> u128 {
    bits(word, shift, width).to::<u128>()
}

fn bits_u64(word: U256, shift: usize, width: usize) -> u64 {
    bits(word, shift, width).to::<u64>()
}

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
}

/// `Batch` as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchView {
    /// The batch commitment.
    pub commitment: U256,
    /// Assigned prover (zero if the batch went straight to the race).
    pub prover: Address,
    /// Escrowed fee.
    pub fee: u128,
    /// Last block of the exclusive window.
    pub proving_deadline: u64,
    /// Last block of the race.
    pub race_deadline: u64,
    /// `BatchStatus` as a number (0 None .. 5 Failed).
    pub status: u8,
    /// Bounty set aside for the race winner.
    pub bounty: u128,
    /// The batch source that posted it.
    pub poster: Address,
}

/// Batch statuses as numbers, as `BatchStatus` declares them.
pub mod status {
    /// No such batch.
    pub const NONE: u8 = 0;
    /// The drawn prover holds the exclusive window.
    pub const ASSIGNED: u8 = 1;
    /// Nobody was eligible: straight to the race.
    pub const OPEN: u8 = 2;
    /// The assigned prover was slashed; race open.
    pub const RACING: u8 = 3;
    /// Terminal: proven.
    pub const PROVEN: u8 = 4;
    /// Terminal: nobody proved it in time.
    pub const FAILED: u8 = 5;
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

/// Precomputed storage keys of one account, so a check costs three hash-map lookups.
#[derive(Clone, Copy, Debug)]
pub struct AccountSlots {
    /// First slot of the account's `AccountState`.
    pub base: U256,
    balance: U256,
}

impl AccountSlots {
    /// Keys for `who`.
    pub fn new(who: Address) -> Self {
        Self {
            base: mapping_slot(addr_key(who), slot::ACCOUNTS),
            balance: mapping_slot(addr_key(who), slot::TOKEN_BALANCES),
        }
    }
}

/// Storage slot of entry `index` of the selection list of `parity`: `_lists` is a
/// `uint256[LIST_CAPACITY][2]` laid out in place from slot LISTS.
pub fn list_slot(parity: u64, index: u64) -> U256 {
    U256::from(slot::LISTS)
        + U256::from(parity) * U256::from(slot::LIST_CAPACITY)
        + U256::from(index)
}

/// Precomputed storage key of one batch.
pub fn batch_base(id: u64) -> U256 {
    mapping_slot(U256::from(id), slot::BATCHES)
}

impl Chain {
    fn net(&self, s: U256) -> U256 {
        self.storage(self.addrs.network, s)
    }

    /// `N` consecutive words of the network's storage from `base`, with one account lookup.
    fn words<const N: usize>(&self, base: U256) -> [U256; N] {
        let mut out = [U256::ZERO; N];
        if let Some(storage) = self.network_storage() {
            for (k, w) in out.iter_mut().enumerate() {
                *w = storage.get(&(base + U256::from(k))).copied().unwrap_or_default();
            }
        }
        out
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
        }
    }

    /// Token balance of an account (OpenZeppelin ERC20 layout).
    pub fn token_balance(&self, keys: &AccountSlots) -> u128 {
        self.storage(self.addrs.token, keys.balance).to::<u128>()
    }

    /// Everything stored for a batch, given `batch_base(id)`.
    pub fn batch_at(&self, base: U256) -> BatchView {
        let l = &self.layout.batch;
        let w = self.words::<4>(base);
        let f = |k: usize| bits(w[l[k].slot as usize], l[k].shift, l[k].width);
        BatchView {
            commitment: f(0),
            prover: word_addr(f(1)),
            fee: f(2).to(),
            proving_deadline: f(3).to(),
            race_deadline: f(4).to(),
            status: f(5).to(),
            bounty: f(6).to(),
            poster: word_addr(f(7)),
        }
    }

    /// Everything stored for batch `id`.
    pub fn batch(&self, id: u64) -> BatchView {
        self.batch_at(batch_base(id))
    }

    /// The current parameters.
    pub fn params(&self) -> ParamsView {
        let l = &self.layout.params;
        let w = self.words::<2>(U256::from(slot::PARAMS));
        let f = |k: usize| bits(w[l[k].slot as usize], l[k].shift, l[k].width);
        ParamsView {
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
        }
    }

    /// Whether batch posting is paused.
    pub fn paused(&self) -> bool {
        bits_u64(self.net(U256::from(slot::PAUSED)), 160, 8) != 0
    }

    /// The id the next batch gets.
    pub fn next_batch_id(&self) -> u64 {
        bits_u64(self.net(U256::from(slot::VERIFIER_NEXT_ID)), 160, 64)
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

    /// The stored seed of `epoch`, if it has been fixed.
    pub fn seed(&self, epoch: u64) -> Option<U256> {
        let w = self.net(U256::from(slot::SEEDS + (epoch & 1)));
        let seed = bits(w, 0, 224);
        ((w >> 224) == U256::from(epoch) && !seed.is_zero()).then_some(seed)
    }

    /// Entry `index` of the list at `parity`: (prover, cumulative weight).
    pub fn list_entry(&self, parity: u64, index: u64) -> (Address, u128) {
        let w = self.net(list_slot(parity, index));
        (word_addr(w >> 96), bits_u128(w, 0, 96))
    }

    /// The epoch at the current block.
    pub fn current_epoch(&self) -> u64 {
        (self.block() - self.genesis_block) / self.epoch_length()
    }

    /// Epoch length in blocks.
    pub fn epoch_length(&self) -> u64 {
        self.commit_blocks + self.reveal_blocks
    }

    /// First block of `epoch`.
    pub fn epoch_start(&self, epoch: u64) -> u64 {
        self.genesis_block + epoch * self.epoch_length()
    }

    /// True while the current block is in its epoch's commit phase.
    pub fn in_commit_phase(&self) -> bool {
        self.block() < self.epoch_start(self.current_epoch()) + self.commit_blocks
    }
}

/// Where one struct field lives: slot offset from the struct's base, bit shift, bit width.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    /// Slot offset from the struct's first slot.
    pub slot: u64,
    /// Bit offset inside the slot.
    pub shift: usize,
    /// Bit width.
    pub width: usize,
}

/// The discovered packing of the network's structs, in the field order of the readers above.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// AccountState: stake, unbonding, unbondingReadyAt, openAssignments, claimable, reputation,
    /// repUpdatedAt, registered, commitEpoch, commitHash.
    pub account: Vec<Loc>,
    /// Batch: commitment, prover, fee, provingDeadline, raceDeadline, status, bounty, poster.
    pub batch: Vec<Loc>,
    /// Params, in declaration order.
    pub params: Vec<Loc>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    Uint(usize),
    Bool,
}

fn u(v: impl Into<u64>) -> U256 {
    U256::from(v.into())
}

fn account_fields(a: &ProverNetwork::AccountState) -> Vec<(&'static str, U256, Ty)> {
    vec![
        ("stake", U256::from(a.stake), Ty::Uint(96)),
        ("unbonding", U256::from(a.unbonding), Ty::Uint(96)),
        ("unbondingReadyAt", U256::from(a.unbondingReadyAt), Ty::Uint(40)),
        ("openAssignments", U256::from(a.openAssignments), Ty::Uint(24)),
        ("claimable", U256::from(a.claimable), Ty::Uint(96)),
        ("reputation", u(a.reputation), Ty::Uint(16)),
        ("repUpdatedAt", U256::from(a.repUpdatedAt), Ty::Uint(40)),
        ("registered", u(a.registered as u8), Ty::Bool),
        ("commitEpoch", u(a.commitEpoch), Ty::Uint(32)),
        ("commitHash", U256::from_be_slice(a.commitHash.as_slice()), Ty::Uint(224)),
    ]
}

fn batch_fields(b: &ProverNetwork::Batch) -> Vec<(&'static str, U256, Ty)> {
    vec![
        ("commitment", U256::from_be_bytes(b.commitment.0), Ty::Uint(256)),
        ("prover", U256::from_be_slice(b.prover.as_slice()), Ty::Uint(160)),
        ("fee", U256::from(b.fee), Ty::Uint(96)),
        ("provingDeadline", U256::from(b.provingDeadline), Ty::Uint(40)),
        ("raceDeadline", U256::from(b.raceDeadline), Ty::Uint(40)),
        ("status", u(b.status), Ty::Uint(8)),
        ("bounty", U256::from(b.bounty), Ty::Uint(96)),
        ("poster", U256::from_be_slice(b.poster.as_slice()), Ty::Uint(160)),
    ]
}

fn params_fields(p: &ProverNetwork::Params) -> Vec<(&'static str, U256, Ty)> {
    vec![
        ("minStake", U256::from(p.minStake), Ty::Uint(96)),
        ("maxWeightStake", U256::from(p.maxWeightStake), Ty::Uint(96)),
        ("provingWindow", u(p.provingWindow), Ty::Uint(32)),
        ("raceWindow", u(p.raceWindow), Ty::Uint(32)),
        ("unbondingDelay", u(p.unbondingDelay), Ty::Uint(32)),
        ("repHalfLife", u(p.repHalfLife), Ty::Uint(32)),
        ("slashBps", u(p.slashBps), Ty::Uint(16)),
        ("nonRevealSlashBps", u(p.nonRevealSlashBps), Ty::Uint(16)),
        ("burnBps", u(p.burnBps), Ty::Uint(16)),
        ("bountyBps", u(p.bountyBps), Ty::Uint(16)),
        ("repInitial", u(p.repInitial), Ty::Uint(16)),
        ("repGain", u(p.repGain), Ty::Uint(16)),
        ("repMissPenalty", u(p.repMissPenalty), Ty::Uint(16)),
        ("repNoRevealPenalty", u(p.repNoRevealPenalty), Ty::Uint(16)),
    ]
}

/// A probe word: each byte is zero half of the time, else 1..=5, so that enum fields stay valid
/// (the views would panic on an out-of-range `BatchStatus`) and bools carry information.
fn probe_word(rng: &mut Rng) -> U256 {
    let mut bytes = [0u8; 32];
    for b in &mut bytes {
        *b = if rng.chance(50) { 0 } else { rng.range(1, 5) as u8 };
    }
    U256::from_be_bytes(bytes)
}

const PROBES: usize = 24;

/// Finds where each field of a struct at `base` (spanning `slots` slots) lives by writing probe
/// words and decoding the view's answer. Restores the slots afterwards.
fn probe_struct(
    chain: &mut Chain,
    what: &str,
    base: U256,
    slots: u64,
    rng: &mut Rng,
    mut read: impl FnMut(&mut Chain) -> Result<Vec<(&'static str, U256, Ty)>>,
) -> Result<Vec<Loc>> {
    let network = chain.addrs.network;
    let saved: Vec<U256> =
        (0..slots).map(|k| chain.storage(network, base + U256::from(k))).collect();
    let mut candidates: Vec<Vec<Loc>> = Vec::new();
    for round in 0..PROBES {
        let words: Vec<U256> = (0..slots).map(|_| probe_word(rng)).collect();
        for (k, w) in words.iter().enumerate() {
            chain.set_storage(network, base + U256::from(k), *w);
        }
        let fields =
            read(chain).wrap_err_with(|| format!("while probing the storage layout of {what}"))?;
        if round == 0 {
            candidates = fields
                .iter()
                .map(|(_, _, ty)| {
                    let width = match ty {
                        Ty::Uint(w) => *w,
                        Ty::Bool => 8,
                    };
                    (0..slots)
                        .flat_map(|slot| {
                            (0..=256 - width).step_by(8).map(move |shift| Loc {
                                slot,
                                shift,
                                width,
                            })
                        })
                        .collect()
                })
                .collect();
        }
        for (c, (_, value, ty)) in candidates.iter_mut().zip(&fields) {
            c.retain(|l| {
                let got = bits(words[l.slot as usize], l.shift, l.width);
                match ty {
                    Ty::Uint(_) => got == *value,
                    Ty::Bool => got.is_zero() == value.is_zero(),
                }
            });
        }
    }
    for (k, w) in saved.iter().enumerate() {
        chain.set_storage(network, base + U256::from(k), *w);
    }
    let names: Vec<&str> = read(chain)?.iter().map(|f| f.0).collect();
    let mut out = Vec::with_capacity(candidates.len());
    for (c, name) in candidates.iter().zip(names) {
        match c.as_slice() {
            [one] => out.push(*one),
            [] => bail!(
                "the storage layout of {what} changed in a way the harness cannot discover: no location holds `{name}`; \
                 update harness/src/state.rs (see `forge inspect ProverNetwork storageLayout`)"
            ),
            many => bail!(
                "the storage location of {what}.{name} is ambiguous ({} candidates); raise PROBES",
                many.len()
            ),
        }
    }
    Ok(out)
}

/// Discovers the struct packing of the deployed network (see the module docs).
pub fn probe_layout(chain: &mut Chain) -> Result<Layout> {
    let mut rng = Rng::new(0x1a70_u64);
    let probe = crate::chain::named_address(slot::ACCOUNT_PROBE);
    let net = chain.addrs.network;
    let account =
        probe_struct(chain, "AccountState", AccountSlots::new(probe).base, 3, &mut rng, |c| {
            Ok(account_fields(&c.view(net, &ProverNetwork::accountOfCall { who: probe })?))
        })?;
    let id = u64::MAX >> 1;
    let batch = probe_struct(chain, "Batch", batch_base(id), 4, &mut rng, |c| {
        Ok(batch_fields(&c.view(net, &ProverNetwork::batchOfCall { batchId: U256::from(id) })?))
    })?;
    let params = probe_struct(chain, "Params", U256::from(slot::PARAMS), 2, &mut rng, |c| {
        Ok(params_fields(&c.view(net, &ProverNetwork::paramsCall {})?))
    })?;
    Ok(Layout { account, batch, params })
}

/// Compares every storage reader with the contract's view functions for `accounts` and `batches`;
/// an error names the first field that differs (a layout change the probe could not see).
pub fn cross_check(chain: &mut Chain, accounts: &[Address], batches: &[u64]) -> Result<()> {
    let net = chain.addrs.network;
    for who in accounts {
        let view = chain.view(net, &ProverNetwork::accountOfCall { who: *who })?;
        let read = chain.account(&AccountSlots::new(*who));
        let fields = account_fields(&view);
        let mine = [
            U256::from(read.stake),
            U256::from(read.unbonding),
            U256::from(read.unbonding_ready_at),
            U256::from(read.open_assignments),
            U256::from(read.claimable),
            U256::from(read.reputation),
            U256::from(read.rep_updated_at),
            U256::from(read.registered as u8),
            U256::from(read.commit_epoch),
            read.commit_hash,
        ];
        for ((name, v, _), m) in fields.iter().zip(mine) {
            if *v != m {
                bail!(
                    "storage reader disagrees with accountOf({who}).{name}: view {v}, storage {m}"
                );
            }
        }
    }
    for id in batches {
        let view = chain.view(net, &ProverNetwork::batchOfCall { batchId: U256::from(*id) })?;
        let read = chain.batch(*id);
        let mine = [
            read.commitment,
            U256::from_be_slice(read.prover.as_slice()),
            U256::from(read.fee),
            U256::from(read.proving_deadline),
            U256::from(read.race_deadline),
            U256::from(read.status),
            U256::from(read.bounty),
            U256::from_be_slice(read.poster.as_slice()),
        ];
        for ((name, v, _), m) in batch_fields(&view).iter().zip(mine) {
            if *v != m {
                bail!("storage reader disagrees with batchOf({id}).{name}: view {v}, storage {m}");
            }
        }
    }
    let treasury = chain.view(net, &ProverNetwork::treasuryBalanceCall {})?;
    let burn = chain.view(net, &ProverNetwork::burnPendingCall {})?;
    let next = chain.view(net, &ProverNetwork::nextBatchIdCall {})?;
    let paused = chain.view(net, &ProverNetwork::pausedCall {})?;
    let (t, b) = chain.treasury_and_burn();
    if (U256::from(treasury), U256::from(burn), next, paused)
        != (U256::from(t), U256::from(b), chain.next_batch_id(), chain.paused())
    {
        bail!(
            "storage reader disagrees with treasuryBalance/burnPending/nextBatchId/paused: the top-level layout changed; update harness/src/state.rs"
        );
    }
    let balance = chain.view(
        chain.addrs.token,
        &provernet_bindings::DevStakingToken::balanceOfCall { account: net },
    )?;
    if balance != U256::from(chain.token_balance(&AccountSlots::new(net))) {
        bail!(
            "storage reader disagrees with the token's balanceOf: the token is not an OpenZeppelin ERC20"
        );
    }
    let epoch = chain.current_epoch();
    for e in [epoch.saturating_sub(1), epoch] {
        let (count, total) =
            chain.view(net, &ProverNetwork::rollOfCall { epoch: U256::from(e) })?.into();
        let roll = chain.roll(e & 1);
        let mine = if roll.epoch == e { (roll.count, roll.total_weight) } else { (0, 0) };
        if (count, total) != (U256::from(mine.0), U256::from(mine.1)) {
            bail!(
                "storage reader disagrees with rollOf({e}): view ({count}, {total}), storage {mine:?}"
            );
        }
        let seed = chain.view(net, &ProverNetwork::seedOfCall { epoch: U256::from(e) })?;
        if seed != chain.seed(e).unwrap_or_default() {
            bail!("storage reader disagrees with seedOf({e})");
        }
        if roll.epoch == e && roll.count > 0 {
            let (p, cum) = chain
                .view(
                    net,
                    &ProverNetwork::listEntryCall { epoch: U256::from(e), index: U256::ZERO },
                )?
                .into();
            if (p, cum) != {
                let (a, c) = chain.list_entry(e & 1, 0);
                (a, U256::from(c))
            } {
                bail!("storage reader disagrees with listEntry({e}, 0)");
            }
        }
    }
    Ok(())
}
