//! Shocks and the provers' answer to them, as a scenario writes them down: a correlated outage (a
//! cloud region going down: a share of the provers offline together) and the top-up policy (a
//! prover whose stake a slash pushed below `minStake` stakes back to its initial stake after a
//! delay). Which blocks the outage covers, whom it hits and the window in which its slashes are
//! counted are defined here, once; the engine, the off-chain model and the recovery metrics
//! ([`crate::recovery`]) ask.

use eyre::{Result, bail, ensure};
use provernet_evm::Epochs;
use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// How the provers an outage hits are chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutageSelect {
    /// Each prover independently with probability `share` (the count varies between seeds).
    #[default]
    Each,
    /// Exactly `round(share x provers)` provers, chosen at random: the count every seed shares.
    Exact,
}

/// A correlated outage. Its time is given either in blocks from the first batch (`start`,
/// `blocks`) or in epochs (`start_epoch`, `epochs`: epoch 1 is the first epoch with batches; the
/// outage then covers whole epochs).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outage {
    /// First block of the outage, counted from the first batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u64>,
    /// Length in blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocks: Option<u64>,
    /// First epoch of the outage (instead of `start`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_epoch: Option<u64>,
    /// Length in whole epochs (instead of `blocks`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epochs: Option<u64>,
    /// Share of provers that go down together.
    pub share: f64,
    /// How they are chosen.
    #[serde(default)]
    pub select: OutageSelect,
}

/// Where an outage falls in a run, in absolute blocks.
#[derive(Clone, Debug)]
pub struct OutageWindow {
    /// First block the hit provers are down.
    pub start: u64,
    /// First block they are back.
    pub end: u64,
    /// End (exclusive) of the window in which slashes count as the outage's: the first block of the
    /// second epoch after the one holding the outage's last block, so it covers the missed windows
    /// of the outage's last slots and the non-reveal penalties of its last epoch.
    pub slash_end: u64,
}

impl Outage {
    /// Checks the outage's own fields.
    pub fn validate(&self) -> Result<()> {
        ensure!(
            (0.0..=1.0).contains(&self.share),
            "outage.share = {} must be between 0 and 1",
            self.share
        );
        match (self.start, self.blocks, self.start_epoch, self.epochs) {
            (Some(_), Some(blocks), None, None) => {
                ensure!(blocks >= 1, "outage.blocks must be at least 1");
            }
            (None, None, Some(start), Some(epochs)) => {
                ensure!(
                    start >= 1,
                    "outage.start_epoch must be at least 1 (the first batch epoch)"
                );
                ensure!(epochs >= 1, "outage.epochs must be at least 1");
            }
            _ => bail!(
                "outage: give either `start` and `blocks` (blocks from the first batch) or \
                 `start_epoch` and `epochs`, not a mix"
            ),
        }
        Ok(())
    }

    /// The outage's blocks given the epoch clock; `first_block` is the first block of epoch 1.
    pub fn window(&self, epochs: &Epochs, first_block: u64) -> OutageWindow {
        let (start, end) = match (self.start, self.blocks, self.start_epoch, self.epochs) {
            (Some(s), Some(b), _, _) => (first_block + s, first_block + s + b),
            (_, _, Some(e), Some(n)) => (epochs.start(e), epochs.start(e + n)),
            _ => unreachable!("validated: one pair of fields is set"),
        };
        let slash_end = epochs.start(epochs.at(end - 1) + 2);
        OutageWindow { start, end, slash_end }
    }

    /// Which of `n` provers the outage hits, from the seed's outage stream.
    pub fn hits(&self, seed: u64, n: usize) -> Vec<bool> {
        let mut r = Rng::new(seed, 3);
        match self.select {
            OutageSelect::Each => (0..n).map(|_| r.chance(self.share)).collect(),
            OutageSelect::Exact => {
                let k = ((self.share * n as f64).round() as usize).min(n);
                let mut order: Vec<usize> = (0..n).collect();
                for i in 0..k {
                    let j = i + r.below((n - i) as u64) as usize;
                    order.swap(i, j);
                }
                let mut hit = vec![false; n];
                for &i in &order[..k] {
                    hit[i] = true;
                }
                hit
            }
        }
    }
}

/// What a prover does when a slash leaves its active stake below `minStake` (it can no longer
/// commit, so it drops out of the lists). Off by default: nobody tops up.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TopUp {
    /// Whether provers top up at all.
    pub enabled: bool,
    /// Blocks between falling below `minStake` and topping up (noticing, funding, sending).
    pub delay_blocks: u64,
    /// Top up only if proving pays: its trailing operating profit (before slashes) is positive
    /// (`crate::market`); otherwise it stays short and, under `[market] enabled`, exits.
    pub if_profitable: bool,
}

impl Default for TopUp {
    fn default() -> Self {
        Self { enabled: false, delay_blocks: 100, if_profitable: false }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epochs() -> Epochs {
        Epochs { genesis_block: 1_000, commit_blocks: 70, reveal_blocks: 30, slot_blocks: 10 }
    }

    #[test]
    fn an_outage_in_epochs_covers_whole_epochs() {
        let o = Outage {
            start: None,
            blocks: None,
            start_epoch: Some(10),
            epochs: Some(2),
            share: 0.4,
            select: OutageSelect::Exact,
        };
        o.validate().unwrap();
        let w = o.window(&epochs(), 1_100);
        assert_eq!((w.start, w.end), (2_000, 2_200));
        // The outage's last block is in epoch 11: slashes count until epoch 13 starts.
        assert_eq!(w.slash_end, 2_300);
        let b = Outage { start: Some(50), blocks: Some(30), start_epoch: None, epochs: None, ..o };
        b.validate().unwrap();
        let w = b.window(&epochs(), 1_100);
        assert_eq!((w.start, w.end, w.slash_end), (1_150, 1_180, 1_300));
    }

    #[test]
    fn a_mixed_or_incomplete_time_is_refused() {
        let o = Outage {
            start: Some(1),
            blocks: None,
            start_epoch: None,
            epochs: Some(2),
            share: 0.4,
            select: OutageSelect::Each,
        };
        let e = o.validate().unwrap_err();
        assert!(format!("{e}").contains("either `start` and `blocks`"), "{e}");
        let o = Outage { start: None, start_epoch: Some(0), ..o };
        assert!(format!("{}", o.validate().unwrap_err()).contains("start_epoch"));
    }

    #[test]
    fn exact_selection_hits_the_stated_count_every_seed() {
        let o = Outage {
            start: Some(0),
            blocks: Some(1),
            start_epoch: None,
            epochs: None,
            share: 0.4,
            select: OutageSelect::Exact,
        };
        for seed in 1..=32 {
            assert_eq!(o.hits(seed, 20).iter().filter(|&&h| h).count(), 8, "seed {seed}");
        }
        assert_ne!(o.hits(1, 20), o.hits(2, 20), "a random subset, not the first eight");
        let none = Outage { share: 0.0, ..o.clone() };
        assert!(none.hits(1, 20).iter().all(|&h| !h));
    }
}
