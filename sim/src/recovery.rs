//! The recovery metrics of a run (`summary.json`, `recovery`): the selection list's size epoch by
//! epoch, whether it ever emptied or stayed empty (collapse), and how long the list took to come
//! back to its pre-outage size after the scenario's correlated outage. The honest provers' losses
//! inside the outage's slash window are booked as the slashes happen (`ledger.rs`).

use std::collections::HashMap;

use provernet_evm::Epochs;

use crate::metrics::Recovery;
use crate::outage::OutageWindow;

/// Fills the list metrics of `r` for a run whose batches started at epoch 1 and whose last block is
/// `last_block`. `listed` maps an epoch to the provers that revealed with weight in it, which make
/// up the next epoch's list.
pub(crate) fn list_metrics(
    r: &mut Recovery,
    epochs: &Epochs,
    listed: &HashMap<u64, u64>,
    outage: Option<&OutageWindow>,
    last_block: u64,
) {
    let last_epoch = epochs.at(last_block).max(1);
    let list = |e: u64| listed.get(&(e - 1)).copied().unwrap_or(0);
    r.list_per_epoch = (1..=last_epoch).map(list).collect();
    r.list_min = r.list_per_epoch.iter().copied().min().unwrap_or(0);
    r.list_ever_empty = r.list_min == 0;
    r.collapsed = list(last_epoch) == 0;
    let Some(o) = outage else { return };
    let before = list(epochs.at(o.start).max(1));
    r.list_before_outage = before;
    // The first epoch that starts with every hit prover back; its list was revealed while some
    // were still down, so recovery is usually one or two epochs later.
    let back = epochs.at(o.end - 1) + 1;
    if let Some(e) = (back..=last_epoch).find(|&e| list(e) >= before) {
        r.recover_epochs = Some(e - back);
        r.recover_blocks = Some(epochs.start(e).saturating_sub(o.end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epochs() -> Epochs {
        Epochs { genesis_block: 0, commit_blocks: 70, reveal_blocks: 30, slot_blocks: 10 }
    }

    /// Lists for epochs 1.. (listed[e - 1] serves epoch e).
    fn listed(lists: &[u64]) -> HashMap<u64, u64> {
        lists.iter().enumerate().filter(|&(_, &n)| n > 0).map(|(e, &n)| (e as u64, n)).collect()
    }

    #[test]
    fn a_list_that_dips_and_comes_back_recovers() {
        // Outage in epochs 3-4 (blocks 300..500); lists 20, 20, 20, 12, 12, 15, 20, 20.
        let l = listed(&[20, 20, 20, 12, 12, 15, 20, 20]);
        let o = OutageWindow { start: 300, end: 500, slash_end: 700 };
        let mut r = Recovery::default();
        list_metrics(&mut r, &epochs(), &l, Some(&o), 850);
        assert_eq!(r.list_per_epoch, vec![20, 20, 20, 12, 12, 15, 20, 20]);
        assert_eq!((r.list_min, r.list_ever_empty, r.collapsed), (12, false, false));
        assert_eq!(r.list_before_outage, 20);
        // Back from epoch 5; the list is full again at epoch 7: two epochs, 200 blocks.
        assert_eq!((r.recover_epochs, r.recover_blocks), (Some(2), Some(200)));
    }

    #[test]
    fn a_list_that_empties_for_good_has_collapsed_and_never_recovers() {
        let l = listed(&[20, 20, 14, 3, 0, 0, 0]);
        let o = OutageWindow { start: 200, end: 400, slash_end: 600 };
        let mut r = Recovery::default();
        list_metrics(&mut r, &epochs(), &l, Some(&o), 750);
        assert_eq!((r.list_min, r.list_ever_empty, r.collapsed), (0, true, true));
        assert_eq!((r.recover_epochs, r.recover_blocks), (None, None));
        // Without an outage only the list metrics are filled.
        let mut r = Recovery::default();
        list_metrics(&mut r, &epochs(), &listed(&[5, 0, 5]), None, 350);
        assert_eq!((r.list_ever_empty, r.collapsed, r.list_before_outage), (true, false, 0));
    }
}
