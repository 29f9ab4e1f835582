//! Which entity each storage slot of the network belongs to, so that after a transaction the
//! invariant checker re-reads only the accounts and batches whose slots it changed.

use std::collections::HashMap;

use alloy::primitives::U256;

use crate::actors::Actor;
use crate::layout::Layout;
use crate::slots::{batch_base, slot};

/// What a storage slot of the network belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Account(u16),
    Batch(u64),
    Global,
}

/// The entities a transaction's changed slots belong to.
#[derive(Clone, Debug, Default)]
pub struct Changed {
    /// Accounts (actor indices), in the order their slots were found.
    pub accounts: Vec<u16>,
    /// Batches, in the order their slots were found.
    pub batches: Vec<u64>,
    /// A slot the index does not know changed (another address's account, a stray slot): only a
    /// full check can tell whether that matters.
    pub unknown: bool,
}

/// Reverse index of the network's storage: slot -> owning entity.
#[derive(Clone, Debug)]
pub struct SlotIndex {
    owners: HashMap<U256, Owner>,
    account_slots: u64,
    batch_slots: u64,
}

impl SlotIndex {
    /// The index of a fresh deployment: every actor's account and every top-level slot
    /// (parameters, counters, rolls, seeds).
    pub fn new(layout: &Layout, actors: &[Actor]) -> Self {
        let span = |locs: &[crate::layout::Loc]| locs.iter().map(|l| l.slot).max().unwrap_or(0) + 1;
        let mut index = Self {
            owners: HashMap::new(),
            account_slots: span(&layout.account),
            batch_slots: span(&layout.batch),
        };
        for (i, a) in actors.iter().enumerate() {
            for k in 0..index.account_slots {
                index.owners.insert(a.keys.base + U256::from(k), Owner::Account(i as u16));
            }
        }
        for k in 0..slot::LISTS + 2 {
            index.owners.insert(U256::from(k), Owner::Global);
        }
        index
    }

    /// Sorts changed slots by owner into `into` (cleared first).
    pub fn classify(&self, changed: &[U256], into: &mut Changed) {
        into.accounts.clear();
        into.batches.clear();
        into.unknown = false;
        for s in changed {
            match self.owners.get(s) {
                Some(Owner::Account(i)) => into.accounts.push(*i),
                Some(Owner::Batch(id)) => into.batches.push(*id),
                Some(Owner::Global) => {}
                None => into.unknown = true,
            }
        }
    }

    /// Batch `id` was posted: its slots belong to it from now on.
    pub fn add_batch(&mut self, id: u64) {
        let base = batch_base(id);
        for k in 0..self.batch_slots {
            self.owners.insert(base + U256::from(k), Owner::Batch(id));
        }
    }

    /// A selection-list entry at `slot` was written: global state from now on.
    pub fn add_global(&mut self, slot: U256) {
        self.owners.insert(slot, Owner::Global);
    }
}
