//! Transaction latency with the transactions that never made it: a run ends with some transactions
//! still waiting for a batch (never posted: a load spike above the posting cap leaves them behind)
//! or for a proof. Leaving them out flatters the latency exactly when it matters, so they count
//! here at the wait they had reached when the run ended: a lower bound of their latency (censored
//! observations). The percentiles are then lower bounds too, and exact while the share still
//! waiting is below `1 - q`.

use crate::metrics::LoadMetrics;
use crate::world::World;

/// Percentile `q` (nearest rank) of latencies given as (blocks, count) runs, sorted by blocks.
fn weighted_percentile(sorted: &[(u64, u64)], q: f64) -> f64 {
    let total: u64 = sorted.iter().map(|r| r.1).sum();
    if total == 0 {
        return 0.0;
    }
    let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    for &(blocks, n) in sorted {
        seen += n;
        if seen >= rank {
            return blocks as f64;
        }
    }
    unreachable!("the ranks add up to the total")
}

/// The censored latencies of every transaction that arrived: the finalised ones' (`w.waits`) and,
/// for those still waiting at block `end`, `end - arrival`.
fn censored(w: &World<'_>, end: u64) -> Vec<(u64, u64)> {
    let mut runs = w.waits.clone();
    let waiting = w.pending_txs.iter().chain(w.batches.iter().flat_map(|b| b.chunks.iter()));
    runs.extend(waiting.map(|r| (end.saturating_sub(r.arrived), r.count)));
    runs.sort_unstable();
    runs
}

/// Fills the latency and never-posted metrics at the end of a run (block `end`).
pub(crate) fn books(w: &World<'_>, end: u64, ld: &mut LoadMetrics) {
    let runs = censored(w, end);
    let total: u64 = runs.iter().map(|r| r.1).sum();
    let sum: f64 = runs.iter().map(|&(b, n)| b as f64 * n as f64).sum();
    ld.tx_latency_mean_censored = sum / total.max(1) as f64;
    ld.tx_latency_p50 = weighted_percentile(&runs, 0.50);
    ld.tx_latency_p95 = weighted_percentile(&runs, 0.95);
    ld.tx_latency_p99 = weighted_percentile(&runs, 0.99);
    let arrived = ld.txs_arrived.max(1) as f64;
    ld.share_never_posted = w.pending_count as f64 / arrived;
    ld.share_unfinalised = (ld.txs_arrived - ld.txs_finalised) as f64 / arrived;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_weigh_each_run_by_its_count() {
        let runs = [(2, 90), (10, 5), (100, 5)];
        assert_eq!(weighted_percentile(&runs, 0.50), 2.0);
        assert_eq!(weighted_percentile(&runs, 0.90), 2.0, "the 90th of 100 is the last at 2");
        assert_eq!(weighted_percentile(&runs, 0.91), 10.0);
        assert_eq!(weighted_percentile(&runs, 0.95), 10.0);
        assert_eq!(weighted_percentile(&runs, 0.96), 100.0);
        assert_eq!(weighted_percentile(&[], 0.5), 0.0);
    }
}
