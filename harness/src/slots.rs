//! Where the network keeps its state: the storage slots `forge inspect ProverNetwork storageLayout`
//! reports, the mapping and array slot formulas, and bit-field extraction from a storage word.
//!
//! Only the top-level slots are fixed here; the packing of the structs inside them is discovered
//! at deployment (see `layout`).

use alloy::primitives::{Address, U256, keccak256};

/// Storage slots of ProverNetwork (see the module docs).
pub(crate) mod slot {
    pub(crate) const PARAMS: u64 = 2; // three slots
    pub(crate) const PARAMS_SLOTS: u64 = 3;
    pub(crate) const ACCOUNT_PROBE: &str = "provernet.harness.layout-probe";
    /// `_clock`: config (16) | pausedAt (40) << 16 | pausedBlocks (40) << 56 | provers (32) << 96.
    pub(crate) const CLOCK: u64 = 5;
    pub(crate) const TREASURY_BURN: u64 = 6; // treasuryBalance | burnPending << 128
    pub(crate) const CURSOR: u64 = 7; // nextBatchId (56) | assignment (40) << 56 | prover << 96
    pub(crate) const SOURCES: u64 = 9; // mapping(address => SourceAccount)
    pub(crate) const SOURCE_AT: u64 = 10; // mapping(uint256 => address)
    pub(crate) const PROVER_OF_OPERATOR: u64 = 11;
    pub(crate) const OPERATOR_OF: u64 = 12;
    pub(crate) const ACCOUNTS: u64 = 13;
    pub(crate) const BATCHES: u64 = 14;
    pub(crate) const ASSIGNMENTS: u64 = 15;
    pub(crate) const SEEDS: u64 = 16; // mapping(uint256 epoch => uint256 seed)
    pub(crate) const ROLLS: u64 = 17; // [2]
    pub(crate) const LISTS: u64 = 19; // uint256[LIST_CAPACITY][2]
    pub(crate) const LIST_CAPACITY: u64 = 1 << 32;
    /// `_terms`: mapping(uint256 id => SlashTerms), declared right after the two lists.
    pub(crate) const TERMS: u64 = LISTS + 2 * LIST_CAPACITY;
    /// `_challenges`: mapping(uint256 batchId => uint256 respondBy), declared after `_terms`.
    pub(crate) const CHALLENGES: u64 = TERMS + 1;
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

pub(crate) fn addr_key(a: Address) -> U256 {
    U256::from_be_slice(a.as_slice())
}

/// `width` bits of `word` from bit `shift`. Fields up to 128 bits (all but hashes and
/// addresses) take a two-limb fast path: this runs ~100 times per action.
#[inline]
pub(crate) fn bits(word: U256, shift: usize, width: usize) -> U256 {
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

/// The address in the low 160 bits of a word.
pub(crate) fn word_addr(w: U256) -> Address {
    Address::from_word(w.to_be_bytes::<32>().into())
}

pub(crate) fn bits_u128(word: U256, shift: usize, width: usize) -> u128 {
    bits(word, shift, width).to::<u128>()
}

pub(crate) fn bits_u64(word: U256, shift: usize, width: usize) -> u64 {
    bits(word, shift, width).to::<u64>()
}

/// Precomputed storage keys of one address, so a check costs a few hash-map lookups.
#[derive(Clone, Copy, Debug)]
pub struct AccountSlots {
    /// First slot of the account's `AccountState`.
    pub base: U256,
    /// Its balance in the token's `_balances`.
    pub(crate) balance: U256,
    /// Its `SourceAccount` (fee balance, index, allowed) if it is a batch source.
    pub(crate) source: U256,
    /// `proverOfOperator[who]` (the prover it acts for, if it is an operator).
    pub(crate) prover_of_operator: U256,
    /// `operatorOf[who]` (its operator, if it is a prover).
    pub(crate) operator_of: U256,
}

impl AccountSlots {
    /// Keys for `who`.
    pub fn new(who: Address) -> Self {
        let k = addr_key(who);
        Self {
            base: mapping_slot(k, slot::ACCOUNTS),
            balance: mapping_slot(k, slot::TOKEN_BALANCES),
            source: mapping_slot(k, slot::SOURCES),
            prover_of_operator: mapping_slot(k, slot::PROVER_OF_OPERATOR),
            operator_of: mapping_slot(k, slot::OPERATOR_OF),
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

/// Storage key of one batch's `BatchRecord`.
pub fn batch_base(id: u64) -> U256 {
    mapping_slot(U256::from(id), slot::BATCHES)
}

/// Storage key of batch `id`'s data challenge deadline (`_challenges[id]`, on the network clock).
pub fn challenge_slot(id: u64) -> U256 {
    mapping_slot(U256::from(id), slot::CHALLENGES)
}

/// Storage key of one assignment (slot draw) record.
pub fn assignment_slot(key: u64) -> U256 {
    mapping_slot(U256::from(key), slot::ASSIGNMENTS)
}

/// Storage key of slash terms `id` (`SlashTerms`: verifier | slashBps << 160 | burnBps << 176 |
/// bountyBps << 192 | keeperBps << 208, one slot).
pub fn terms_slot(id: u64) -> U256 {
    mapping_slot(U256::from(id), slot::TERMS)
}

/// Storage key of the seed of list epoch `epoch`.
pub fn seed_slot(epoch: u64) -> U256 {
    mapping_slot(U256::from(epoch), slot::SEEDS)
}

/// Storage key of `sourceAt[index]`.
pub fn source_at_slot(index: u16) -> U256 {
    mapping_slot(U256::from(index), slot::SOURCE_AT)
}
