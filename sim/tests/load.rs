//! The rollup's load on the real bytecode: spikes above the posting cap, the backlog fee paid
//! through the contract, users deterred by it, variable transaction sizes and the latency of the
//! transactions a run leaves waiting.

use std::path::{Path, PathBuf};

use provernet_sim::engine;
use provernet_sim::metrics::Summary;
use provernet_sim::scenario::Scenario;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The tiny scenario, all honest, with a 10x spike over blocks 100-139 after the first batch and
/// one batch per block at most: the spike brings 2,000 tx per block against 400 posted.
fn spiked(extra: &str) -> Scenario {
    let text = std::fs::read_to_string(repo().join("scenarios/tiny.toml")).unwrap();
    let text = text.replace("[load]\n", &format!("[load]\nmax_batches_per_block = 1\n{extra}\n"));
    let mut s = Scenario::parse(&format!(
        "{text}\n[[load.spikes]]\nstart = 100\nblocks = 40\nmultiplier = 10.0\n"
    ))
    .unwrap();
    s.adversaries.share = 0.0;
    s.duration.batches = 150;
    s
}

fn run(s: &Scenario) -> Summary {
    let m = engine::run(s, &|_| {}).unwrap().summary;
    assert!(m.checks.fee_balance_matches, "prepaid fees, posted fees and refunds reconcile");
    assert!(m.checks.tokens_reconcile, "the network holds exactly what it owes");
    assert!(m.checks.consistent(), "{:?}", m.checks);
    m
}

#[test]
fn a_spike_above_the_posting_cap_leaves_transactions_waiting_and_they_count_in_latency() {
    let m = run(&spiked(""));
    let l = &m.load;
    // Before the spike 200 tx/block arrive, in it 2,000: posting (400 per block) falls behind.
    assert!(l.share_never_posted > 0.2, "share never posted {}", l.share_never_posted);
    let waiting = l.txs_arrived - l.txs_finalised;
    assert!((l.share_unfinalised - waiting as f64 / l.txs_arrived as f64).abs() < 1e-12);
    assert!(l.share_unfinalised >= l.share_never_posted);
    // The waiting transactions are the newest, but they waited until the run drained: counted,
    // they raise the mean and the tail well above the finalised transactions' alone.
    assert!(
        l.tx_latency_mean_censored > l.tx_latency_mean,
        "censored mean {} vs finalised {}",
        l.tx_latency_mean_censored,
        l.tx_latency_mean
    );
    assert!(l.tx_latency_p99 >= l.tx_latency_p95 && l.tx_latency_p95 >= l.tx_latency_p50);
    // More than 5% never posted: the p95 is a waiting transaction's wait, at least the blocks
    // from the spike's last arrivals to the end of posting.
    assert!(
        l.tx_latency_p95 > l.tx_latency_mean,
        "p95 {} mean {}",
        l.tx_latency_p95,
        l.tx_latency_mean
    );
    let mut calm = spiked("");
    calm.load.spikes.clear();
    let calm = run(&calm);
    // Without the spike only the last block's arrivals and any re-orged batch's transactions are
    // left when posting ends.
    assert!(calm.load.share_never_posted < 0.02, "calm: {}", calm.load.share_never_posted);
}

#[test]
fn the_backlog_fee_is_paid_through_the_contract_and_reaches_the_provers() {
    let flat = run(&spiked(""));
    let fee = run(&spiked("fee_backlog_k = 0.5\nfee_backlog_max = 3.0"));
    assert_eq!(flat.load.fee_multiple_mean, 1.0);
    assert_eq!(flat.load.fee_multiple_max, 1.0);
    assert_eq!(fee.load.fee_multiple_max, 3.0, "the spike's backlog drives the fee to its cap");
    assert!(fee.load.fee_multiple_mean > 1.0 && fee.load.fee_multiple_mean < 3.0);
    // The same seed and load: the arrivals do not react (no elasticity), so the extra fees are
    // all the backlog fee's, and the provers' revenue carries them.
    assert_eq!(fee.load.txs_arrived, flat.load.txs_arrived);
    assert!(fee.load.user_cost > flat.load.user_cost * 1.5);
    assert!(fee.economics.revenue > flat.economics.revenue * 1.5);
}

#[test]
fn elastic_users_send_fewer_transactions_when_the_backlog_raises_the_fee() {
    let inelastic = run(&spiked("fee_backlog_k = 0.5\nfee_backlog_max = 3.0"));
    let elastic =
        run(&spiked("fee_backlog_k = 0.5\nfee_backlog_max = 3.0\ndemand_elasticity = 1.5"));
    assert!(
        elastic.load.txs_arrived < inelastic.load.txs_arrived,
        "{} vs {}",
        elastic.load.txs_arrived,
        inelastic.load.txs_arrived
    );
    assert!(elastic.load.share_never_posted < inelastic.load.share_never_posted);
}

#[test]
fn variable_transaction_sizes_set_the_batch_bytes_and_fees() {
    let fixed = run(&spiked(""));
    assert_eq!(fixed.load.bytes_arrived, fixed.load.txs_arrived * 200);
    let varied = run(&spiked("tx_bytes_sigma = 1.0"));
    assert_eq!(varied.load.txs_arrived, fixed.load.txs_arrived, "sizes draw from their own stream");
    let mean = varied.load.bytes_arrived as f64 / varied.load.txs_arrived as f64;
    assert!((mean - 200.0).abs() < 10.0, "mean size {mean}");
    assert_ne!(varied.load.user_cost, fixed.load.user_cost, "fees follow the bytes");
}
