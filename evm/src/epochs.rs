//! The epoch clock: the network's immutable commit and reveal phase lengths from its genesis block.

/// Epoch geometry of a deployed network (immutable in the contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Epochs {
    /// Block at which the network was deployed: the first block of epoch 0.
    pub genesis_block: u64,
    /// Commit phase length in blocks.
    pub commit_blocks: u64,
    /// Reveal phase length in blocks.
    pub reveal_blocks: u64,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_split_each_epoch_at_commit_blocks() {
        let e = Epochs { genesis_block: 1000, commit_blocks: 10, reveal_blocks: 5 };
        assert_eq!((e.at(1000), e.offset(1000)), (0, 0));
        assert!(e.in_commit_phase(1009));
        assert!(!e.in_commit_phase(1010));
        assert_eq!((e.at(1014), e.offset(1014)), (0, 14));
        assert_eq!((e.at(1015), e.start(1)), (1, 1015));
        assert!(e.in_commit_phase(1015));
    }
}
