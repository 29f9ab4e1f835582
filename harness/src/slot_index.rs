//! Which entity each storage slot of the network belongs to, so that after a transaction the
//! invariant checker re-reads only the accounts and batches whose slots it changed.

use std::collections::HashMap;

use alloy::primitives::U256;

use crate::actors::Actor;
use crate::layout::Layout;
use crate::slots::{assignment_slot, batch_base, challenge_slot, seed_slot, slot, source_at_slot};

/// What a storage slot of the network belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Account(u16),
    Batch(u64),
    Assignment(u64),
    Seed(u64),
    Global,
}

/// The entities a transaction's changed slots belong to.
#[derive(Clone, Debug, Default)]
pub struct Changed {
    /// Accounts (actor indices), in the order their slots were found.
    pub accounts: Vec<u16>,
    /// Batches, in the order their slots were found.
    pub batches: Vec<u64>,
    /// Assignment records (slot draws), in the order their slots were found.
    pub assignments: Vec<u64>,
    /// List epochs whose seed slot changed.
    pub seeds: Vec<u64>,
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
    /// Seeds of list epochs below this are indexed.
    seeds_upto: u64,
}

impl SlotIndex {
    /// The index of a fresh deployment: every actor's account, fee balance and operator links,
    /// the source registry and every top-level slot (parameters, cursor, counters, rolls).
    pub fn new(layout: &Layout, actors: &[Actor]) -> Self {
        let span = |locs: &[crate::layout::Loc]| locs.iter().map(|l| l.slot).max().unwrap_or(0) + 1;
        let mut index = Self {
            owners: HashMap::new(),
            account_slots: span(&layout.account),
            batch_slots: span(&layout.batch),
            seeds_upto: 0,
        };
        for (i, a) in actors.iter().enumerate() {
            let owner = Owner::Account(i as u16);
            for k in 0..index.account_slots {
                index.owners.insert(a.keys.base + U256::from(k), owner);
            }
            // Its fee balance (as a source) and its operator links are its own too.
            for s in [a.keys.source, a.keys.prover_of_operator, a.keys.operator_of] {
                index.owners.insert(s, owner);
            }
        }
        for i in 0..=u16::try_from(actors.len()).unwrap_or(u16::MAX) {
            index.owners.insert(source_at_slot(i), Owner::Global);
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
        into.assignments.clear();
        into.seeds.clear();
        into.unknown = false;
        for s in changed {
            match self.owners.get(s) {
                Some(Owner::Account(i)) => into.accounts.push(*i),
                Some(Owner::Batch(id)) => into.batches.push(*id),
                Some(Owner::Assignment(key)) => into.assignments.push(*key),
                Some(Owner::Seed(epoch)) => into.seeds.push(*epoch),
                Some(Owner::Global) => {}
                None => into.unknown = true,
            }
        }
    }

    /// Batch `id` was posted: its slots (and its data challenge's) belong to it from now on.
    pub fn add_batch(&mut self, id: u64) {
        let base = batch_base(id);
        for k in 0..self.batch_slots {
            self.owners.insert(base + U256::from(k), Owner::Batch(id));
        }
        self.owners.insert(challenge_slot(id), Owner::Batch(id));
    }

    /// Assignment `key` was written: its slot belongs to it from now on.
    pub fn add_assignment(&mut self, key: u64) {
        self.owners.insert(assignment_slot(key), Owner::Assignment(key));
    }

    /// Indexes the seed slots of every list epoch up to `epoch` (a seed is fixed only once its
    /// epoch is over, so later ones cannot change yet).
    pub fn cover_seeds(&mut self, epoch: u64) {
        while self.seeds_upto <= epoch {
            self.owners.insert(seed_slot(self.seeds_upto), Owner::Seed(self.seeds_upto));
            self.seeds_upto += 1;
        }
    }

    /// A selection-list entry at `slot` was written: global state from now on.
    pub fn add_global(&mut self, slot: U256) {
        self.owners.insert(slot, Owner::Global);
    }
}
