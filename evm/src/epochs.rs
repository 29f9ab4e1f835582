//! The epoch clock: the network's immutable commit and reveal phase lengths and assignment slots,
//! from its genesis block (contracts/libraries/Slots.sol holds the same geometry).

/// Epoch geometry of a deployed network (immutable in the contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Epochs {
    /// Block at which the network was deployed: the first block of epoch 0.
    pub genesis_block: u64,
    /// Commit phase length in blocks.
    pub commit_blocks: u64,
    /// Reveal phase length in blocks.
    pub reveal_blocks: u64,
    /// Assignment slot length in blocks (the epoch's last slot may be shorter).
    pub slot_blocks: u64,
}

/// Most draws per slot (`Slots.DRAWS` in contracts/libraries/Slots.sol).
pub const DRAWS: u64 = 4;
/// Assignment keys reserved per slot (`Slots.KEYS_PER_SLOT`): draws 0..DRAWS and the open key.
pub const KEYS_PER_SLOT: u64 = 8;
/// The draw index of a slot's open key (`Slots.OPEN`): the slot's batches nobody could take.
pub const OPEN_DRAW: u64 = 7;

/// One assignment slot: every batch posted in it goes to the slot's prover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The epoch the slot belongs to.
    pub epoch: u64,
    /// Its index within the epoch.
    pub index: u64,
    /// Its last block (proving windows count from here).
    pub last_block: u64,
}

impl Epochs {
    /// Epoch length in blocks.
    pub fn length(&self) -> u64 {
        self.commit_blocks + self.reveal_blocks
    }

    /// The epoch `block` falls in (`block` at or after genesis).
    pub fn at(&self, block: u64) -> u64 {
        (block - self.genesis_block) / self.length()
    }

    /// Blocks since the first block of `block`'s epoch.
    pub fn offset(&self, block: u64) -> u64 {
        (block - self.genesis_block) % self.length()
    }

    /// First block of `epoch`.
    pub fn start(&self, epoch: u64) -> u64 {
        self.genesis_block + epoch * self.length()
    }

    /// True while `block` is in its epoch's commit phase.
    pub fn in_commit_phase(&self, block: u64) -> bool {
        block < self.start(self.at(block)) + self.commit_blocks
    }

    /// Slots per epoch, the last one possibly shorter (`Slots.perEpoch`, which the network keeps as
    /// an immutable).
    pub fn slots_per_epoch(&self) -> u64 {
        self.length().div_ceil(self.slot_blocks)
    }

    /// The assignment key of draw 0 of `slot` (`Slots.key`): global slot x KEYS_PER_SLOT.
    pub fn first_key(&self, slot: &Slot) -> u64 {
        (slot.epoch * self.slots_per_epoch() + slot.index) * KEYS_PER_SLOT
    }

    /// The slot `block` falls in (`ProverNetwork.currentSlot` at that block).
    pub fn slot_at(&self, block: u64) -> Slot {
        let epoch = self.at(block);
        let start = self.start(epoch);
        let index = (block - start) / self.slot_blocks;
        let last_block =
            (start + (index + 1) * self.slot_blocks - 1).min(start + self.length() - 1);
        Slot { epoch, index, last_block }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_split_each_epoch_at_commit_blocks() {
        let e = Epochs { genesis_block: 1000, commit_blocks: 10, reveal_blocks: 5, slot_blocks: 5 };
        assert_eq!((e.at(1000), e.offset(1000)), (0, 0));
        assert!(e.in_commit_phase(1009));
        assert!(!e.in_commit_phase(1010));
        assert_eq!((e.at(1014), e.offset(1014)), (0, 14));
        assert_eq!((e.at(1015), e.start(1)), (1, 1015));
        assert!(e.in_commit_phase(1015));
    }

    #[test]
    fn slots_cut_each_epoch_and_the_last_one_may_be_shorter() {
        let e = Epochs { genesis_block: 1000, commit_blocks: 4, reveal_blocks: 3, slot_blocks: 2 };
        assert_eq!(e.slots_per_epoch(), 4);
        assert_eq!(e.slot_at(1000), Slot { epoch: 0, index: 0, last_block: 1001 });
        assert_eq!(e.slot_at(1001), Slot { epoch: 0, index: 0, last_block: 1001 });
        assert_eq!(e.slot_at(1002), Slot { epoch: 0, index: 1, last_block: 1003 });
        assert_eq!(e.slot_at(1006), Slot { epoch: 0, index: 3, last_block: 1006 });
        assert_eq!(e.slot_at(1007), Slot { epoch: 1, index: 0, last_block: 1008 });
    }
}
