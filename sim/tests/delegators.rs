//! Pools and delegators end to end on the real bytecode (issue 12): the shipped scenario, shortened,
//! runs clean against the chain with and without pools, on the same population.

use std::path::{Path, PathBuf};

use provernet_sim::scenario::Scenario;
use provernet_sim::{engine, output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// scenarios/delegators.toml on a smaller network, shorter epochs and a shorter run (debug build).
fn short() -> Scenario {
    let mut s = Scenario::load(&repo().join("scenarios/delegators.toml")).unwrap();
    s.provers.count = 20;
    s.duration.batches = 600;
    // 20-block epochs (as scenarios/tiny.toml), so 600 blocks hold 30 epochs of rebalances.
    (s.chain.commit_blocks, s.chain.reveal_blocks) = (14, 6);
    s.params.unbonding_delay = 100;
    s.delegators.count = 40;
    s.delegators.tokens = 40_000.0;
    s.delegators.rebalance_epochs = 2;
    s.delegators.inertia = 0.3;
    s
}

#[test]
fn pools_run_clean_against_the_chain_and_the_delegators_move_between_them() {
    let s = short();
    let r = engine::run(&s, &|_| {}).unwrap();
    let m = &r.summary;
    assert!(m.checks.consistent(), "{:?}", m.checks);
    assert!(m.checks.pools_reconcile, "every pool's books match the chain");
    let p = &m.pools;
    assert!(p.pools >= 2, "{} pools", p.pools);
    let a = &p.activity;
    assert!(a.deposits >= 40, "every delegator deposited: {a:?}");
    assert!(a.requests > 0 && a.claims > 0, "some moved and were paid out: {a:?}");
    assert!(a.syncs as f64 >= p.pools as f64 * 10.0, "operators sync every epoch: {a:?}");
    assert!(p.delegated > 0.0 && p.delegated_share > 0.0 && p.delegated_share < 1.0);
    assert_eq!(p.pools_end.len(), p.pools);
    // A pool's stake includes what its delegators brought (less what is leaving or was slashed).
    let total: f64 = p.pools_end.iter().map(|e| e.stake).sum();
    let own: f64 = p.pools_end.iter().map(|e| e.self_stake).sum();
    assert!(total > own, "pooled stake {total} should exceed the self-stake {own}");
    let dir = std::env::temp_dir().join(format!("provernet-sim-pools-{}", std::process::id()));
    output::write_run(&dir, &s, &r).unwrap();
    let csv = std::fs::read_to_string(dir.join("pools.csv")).unwrap();
    assert_eq!(csv.lines().count(), p.pools + 1, "{csv}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn without_pools_the_same_provers_run_and_the_delegators_stay_idle() {
    let with = short();
    let mut without = with.clone();
    without.delegators.enabled = false;
    let a = engine::run(&with, &|_| {}).unwrap();
    let b = engine::run(&without, &|_| {}).unwrap();
    assert!(b.summary.checks.consistent(), "{:?}", b.summary.checks);
    let p = &b.summary.pools;
    assert_eq!((p.pools, p.delegators, p.activity.deposits), (0, 40, 0));
    assert_eq!((p.delegated, p.delegator_return), (0.0, 0.0));
    assert_eq!(p.pool_return_high_rep, None);
    // The same population: stakes, hardware and strategies per prover; only a pooled prover's
    // account differs (its pool's address).
    assert_eq!(a.provers.len(), b.provers.len());
    let mut pooled = 0;
    for ((sa, ..), (sb, ..)) in a.provers.iter().zip(&b.provers) {
        assert_eq!((sa.stake, sa.class, sa.strategy), (sb.stake, sb.class, sb.strategy));
        pooled += usize::from(sa.addr != sb.addr);
    }
    assert_eq!(pooled, a.summary.pools.pools);
}

#[test]
fn a_bad_delegators_section_is_refused_with_the_field_named() {
    let text = "name = \"x\"\n[delegators]\ncount = 10\n";
    let e = Scenario::parse(text).unwrap_err();
    assert!(format!("{e:#}").contains("delegators.tokens must be positive"), "{e:#}");
    let e = Scenario::parse("name = \"x\"\n[delegators]\ncuont = 10\n").unwrap_err();
    assert!(format!("{e:#}").contains("unknown field `cuont`"), "{e:#}");
    let e =
        Scenario::parse("name = \"x\"\n[delegators]\ncount = 10\ntokens = 5.0\npool_share = 0.0\n")
            .map(|s| engine::run(&s, &|_| {}).map(|_| ()));
    let msg = format!("{:#}", e.unwrap().unwrap_err());
    assert!(msg.contains("no prover runs a pool") && msg.contains("pool_share"), "{msg}");
}
