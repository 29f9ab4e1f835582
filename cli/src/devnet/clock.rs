//! Where the chain is in the epoch cycle, counted from the next block: the one a transaction sent
//! now lands in. (Counting from the head would include a block that is already mined.)

use crate::net::{Geometry, Phase};

/// The phase the next block falls in and how long until the following phase starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PhaseClock {
    /// Epoch of the next block.
    pub epoch: u64,
    /// Phase of the next block.
    pub phase: Phase,
    /// The next block (head + 1).
    pub next_block: u64,
    /// Last block of this phase.
    pub last_block: u64,
    /// Seconds until the following phase's first block is mined (at `block_time` per block).
    pub seconds_left: u64,
}

impl PhaseClock {
    /// The clock at chain head `head`.
    pub(crate) fn at(geo: &Geometry, head: u64, block_time: u64) -> Self {
        let next_block = head + 1;
        let epoch = geo.epoch_of(next_block);
        let phase = geo.phase_of(next_block);
        let end = match phase {
            Phase::Commit => geo.reveal_start(epoch),
            Phase::Reveal => geo.epoch_start(epoch + 1),
        };
        Self {
            epoch,
            phase,
            next_block,
            last_block: end - 1,
            seconds_left: (end - head) * block_time,
        }
    }

    /// Blocks left in this phase, the next block included.
    pub(crate) fn blocks_left(&self) -> u64 {
        self.last_block + 1 - self.next_block
    }

    /// The phase after this one, with its epoch.
    pub(crate) fn following(&self) -> (u64, Phase) {
        match self.phase {
            Phase::Commit => (self.epoch, Phase::Reveal),
            Phase::Reveal => (self.epoch + 1, Phase::Commit),
        }
    }

    /// E.g. `epoch 5 commit: blocks 36..38 (3 left), reveal at 39 in ~3s`.
    pub(crate) fn describe(&self) -> String {
        let (epoch, phase) = self.following();
        let next = if epoch == self.epoch {
            phase_name(phase).to_string()
        } else {
            format!("epoch {epoch} {}", phase_name(phase))
        };
        format!(
            "epoch {} {}: blocks {}..{} ({} left), {next} at {} in ~{}s",
            self.epoch,
            phase_name(self.phase),
            self.next_block,
            self.last_block,
            self.blocks_left(),
            self.last_block + 1,
            self.seconds_left
        )
    }
}

/// `commit` or `reveal`.
pub(crate) fn phase_name(p: Phase) -> &'static str {
    match p {
        Phase::Commit => "commit",
        Phase::Reveal => "reveal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Epoch 0 starts at block 10: commit 10..13, reveal 14..16, epoch 1 commit from 17.
    const GEO: Geometry =
        Geometry { genesis: 10, commit_blocks: 4, reveal_blocks: 3, slot_blocks: 2 };

    #[test]
    fn counts_from_the_next_block() {
        // Head 13 is the last commit block: the next block (14) is the first of the reveal.
        let c = PhaseClock::at(&GEO, 13, 2);
        assert_eq!((c.epoch, c.phase, c.next_block, c.last_block), (0, Phase::Reveal, 14, 16));
        assert_eq!(c.blocks_left(), 3);
        assert_eq!(c.seconds_left, 8);
        // Head 12: one commit block left (13), the reveal opens at 14 after two more blocks.
        let c = PhaseClock::at(&GEO, 12, 1);
        assert_eq!((c.phase, c.blocks_left(), c.seconds_left), (Phase::Commit, 1, 2));
        assert_eq!(c.describe(), "epoch 0 commit: blocks 13..13 (1 left), reveal at 14 in ~2s");
        // Head 16: the next block opens epoch 1.
        let c = PhaseClock::at(&GEO, 16, 1);
        assert_eq!((c.epoch, c.phase, c.next_block, c.last_block), (1, Phase::Commit, 17, 20));
        let c = PhaseClock::at(&GEO, 15, 1);
        assert_eq!(
            c.describe(),
            "epoch 0 reveal: blocks 16..16 (1 left), epoch 1 commit at 17 in ~2s"
        );
    }
}
