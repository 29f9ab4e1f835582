//! The rollup's demand: how many transactions arrive in a block (a daily cycle, spikes, and users
//! who stay away when the fee is high), how large each one is, and the fee the rollup charges for a
//! batch given the backlog of unprocessed transactions (the research model's user cost, which rose
//! with congestion). Pure functions of the scenario's `[load]` section, so the rules are tested at
//! their boundaries without running a chain.

use crate::rng::Rng;
use crate::scenario::{Load, Spike};

/// The random stream of the transactions' sizes (apart from the arrivals', so that turning sizes
/// on does not move any other draw).
pub(crate) const SIZE_STREAM: u64 = 14;

/// The mean arrivals in block `t` (blocks since posting started) before users react to the fee:
/// `tx_per_block x (1 + daily_amplitude x sin(2 pi t / daily_period_blocks)) x` the multiplier of
/// every spike running in `t`. Spikes that overlap multiply.
pub(crate) fn base_rate(l: &Load, t: u64) -> f64 {
    let daily = if l.daily_amplitude > 0.0 {
        let phase = (t % l.daily_period_blocks) as f64 / l.daily_period_blocks as f64;
        1.0 + l.daily_amplitude * (std::f64::consts::TAU * phase).sin()
    } else {
        1.0
    };
    let spikes: f64 = l.spikes.iter().filter(|s| s.covers(t)).map(|s| s.multiplier).product();
    l.tx_per_block * daily * spikes
}

/// The mean arrivals in block `t` when the batch fee stands at `fee_multiplier` times its schedule:
/// demand falls as `fee_multiplier ^ -demand_elasticity` (a constant-elasticity demand curve; 0:
/// users do not react). The users see the fee they would pay now, i.e. the current backlog's.
pub(crate) fn rate(l: &Load, t: u64, fee_multiplier: f64) -> f64 {
    let r = base_rate(l, t);
    if l.demand_elasticity > 0.0 { r * fee_multiplier.powf(-l.demand_elasticity) } else { r }
}

impl Spike {
    /// Whether block `t` (blocks since posting started) is one of the spike's: `start` to
    /// `start + blocks - 1`.
    pub(crate) fn covers(&self, t: u64) -> bool {
        t >= self.start && t - self.start < self.blocks
    }
}

/// What the fee schedule is multiplied by at a backlog of `backlog` transactions waiting for a
/// batch: `1 + fee_backlog_k x backlog / batch_txs`, capped at `fee_backlog_max`. The backlog is
/// counted in full batches so that `k` reads as "the fee rises by k of its base for every full
/// batch waiting", whatever the batch size. Transactions in posted batches awaiting their proof do
/// not count: with slots every batch waits for its slot's end anyway, so they would price a full
/// slot of normal load as congestion; the queue for a batch is what the posting cap (or provers
/// too slow to keep up with the rollup's own schedule) leaves behind.
pub(crate) fn fee_multiplier(l: &Load, backlog: u64) -> f64 {
    if l.fee_backlog_k <= 0.0 {
        return 1.0;
    }
    (1.0 + l.fee_backlog_k * backlog as f64 / l.batch_txs as f64).min(l.fee_backlog_max)
}

/// The bytes of `n` transactions arriving together: `n x tx_bytes` when sizes are fixed
/// (`tx_bytes_sigma = 0`, no random draw, so such runs keep their old streams), else the sum of `n`
/// log-normal sizes with mean `tx_bytes` and shape `tx_bytes_sigma`, each at least 1 byte.
pub(crate) fn arrival_bytes(l: &Load, n: u64, rng: &mut Rng) -> u64 {
    if l.tx_bytes_sigma <= 0.0 {
        return n * l.tx_bytes;
    }
    // The median that gives mean `tx_bytes`: E[e^(sigma Z)] = e^(sigma^2 / 2).
    let median = l.tx_bytes as f64 * (-l.tx_bytes_sigma * l.tx_bytes_sigma / 2.0).exp();
    (0..n).map(|_| ((median * rng.lognormal(l.tx_bytes_sigma)).round() as u64).max(1)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Load {
        crate::scenario::Scenario::parse(&format!("name = \"x\"\n[load]\n{text}")).unwrap().load
    }

    #[test]
    fn a_spike_runs_from_its_first_to_its_last_block() {
        let l = load(
            "tx_per_block = 100.0\n[[load.spikes]]\nstart = 50\nblocks = 20\nmultiplier = 10.0\n",
        );
        assert_eq!(base_rate(&l, 49), 100.0, "the block before the spike");
        assert_eq!(base_rate(&l, 50), 1000.0, "its first block");
        assert_eq!(base_rate(&l, 69), 1000.0, "its last block");
        assert_eq!(base_rate(&l, 70), 100.0, "the block after");
    }

    #[test]
    fn overlapping_spikes_multiply_and_the_daily_cycle_peaks_at_a_quarter_period() {
        let l = load(
            "tx_per_block = 100.0\ndaily_amplitude = 0.5\ndaily_period_blocks = 400\n\
             [[load.spikes]]\nstart = 100\nblocks = 10\nmultiplier = 2.0\n\
             [[load.spikes]]\nstart = 105\nblocks = 10\nmultiplier = 3.0\n",
        );
        assert!((base_rate(&l, 0) - 100.0).abs() < 1e-9);
        assert!((base_rate(&l, 300) - 50.0).abs() < 1e-9, "trough at 3/4 of the period");
        assert!((base_rate(&l, 100) - 100.0 * 1.5 * 2.0).abs() < 1e-9, "peak x first spike");
        let both = 100.0 * (1.0 + 0.5 * (std::f64::consts::TAU * 107.0 / 400.0).sin()) * 6.0;
        assert!((base_rate(&l, 107) - both).abs() < 1e-9, "both spikes: x2 x3");
        assert!((base_rate(&l, 500) - 150.0).abs() < 1e-9, "the cycle repeats");
    }

    #[test]
    fn the_backlog_fee_is_the_schedule_at_zero_backlog_and_stops_at_its_cap() {
        let l = load("batch_txs = 400\nfee_backlog_k = 0.5\nfee_backlog_max = 3.0\n");
        assert_eq!(fee_multiplier(&l, 0), 1.0);
        assert!((fee_multiplier(&l, 400) - 1.5).abs() < 1e-12, "one full batch waiting");
        // 1 + 0.5 x b / 400 = 3 at b = 1,600: the cap is reached exactly there and held above.
        assert!(fee_multiplier(&l, 1_599) < 3.0);
        assert_eq!(fee_multiplier(&l, 1_600), 3.0);
        assert_eq!(fee_multiplier(&l, 1_000_000), 3.0);
        let off = load("batch_txs = 400\n");
        assert_eq!(fee_multiplier(&off, 1_000_000), 1.0, "k = 0: the fixed schedule");
    }

    #[test]
    fn elastic_users_stay_away_from_a_high_fee() {
        let l = load("tx_per_block = 100.0\ndemand_elasticity = 1.0\n");
        assert!((rate(&l, 0, 1.0) - 100.0).abs() < 1e-12);
        assert!((rate(&l, 0, 2.0) - 50.0).abs() < 1e-12);
        let inelastic = load("tx_per_block = 100.0\n");
        assert_eq!(rate(&inelastic, 0, 4.0), 100.0);
    }

    #[test]
    fn fixed_sizes_draw_nothing_and_log_normal_sizes_keep_their_mean() {
        let fixed = load("tx_bytes = 200\n");
        let mut rng = Rng::new(1, 5);
        let before = rng.clone().next_u64();
        assert_eq!(arrival_bytes(&fixed, 7, &mut rng), 1_400);
        assert_eq!(rng.next_u64(), before, "no draw for fixed sizes");
        let l = load("tx_bytes = 200\ntx_bytes_sigma = 1.0\n");
        let n = 200_000;
        let mean = arrival_bytes(&l, n, &mut Rng::new(1, 5)) as f64 / n as f64;
        assert!((mean - 200.0).abs() < 4.0, "mean size {mean}");
    }
}
