//! Provers without foresight on the real bytecode: the chain decides every race among the racers
//! that sent a proof, a prover joins a race only when it pays, and outages and crashes cost work
//! that the books still reconcile.

use std::path::{Path, PathBuf};

use provernet_bindings::Strategy;
use provernet_sim::engine;
use provernet_sim::scenario::Scenario;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The tiny scenario with a quarter of withholding provers (their batches go to the race), no
/// honest faults, every prover attentive, and one hardware class without jitter: every racer that
/// starts when a race opens is ready in the same block.
fn same_block_races() -> Scenario {
    let mut s = Scenario::load(&repo().join("scenarios/tiny.toml")).expect("tiny scenario parses");
    s.adversaries.share = 0.25;
    s.adversaries.strategy = Strategy::Withhold;
    s.provers.mtbf_blocks = 0.0;
    s.provers.failure_rate = 0.0;
    s.provers.race_join = 1.0;
    let mut gpu = s.provers.classes[0].clone();
    gpu.jitter = 0.0;
    gpu.share = 1.0;
    s.provers.classes = vec![gpu];
    s
}

#[test]
fn racers_ready_in_the_same_block_all_submit_and_the_chain_takes_exactly_one() {
    let s = same_block_races();
    let r = engine::run(&s, &|_| {}).unwrap();
    let m = &r.summary;
    assert!(m.liveness.rescued > 0, "withheld batches were raced out");
    assert!(m.emergency.racers_per_race >= 2.0, "{} racers per race", m.emergency.racers_per_race);
    // Every racer sent its proof: one landed per rescued batch, every other one reverted.
    let submits = m.gas.count_by_kind["raceSubmit"];
    assert!(m.emergency.race_submits_reverted > 0);
    assert_eq!(submits, m.liveness.rescued + m.emergency.race_submits_reverted);
    // Nobody finished later than the winner, so nobody had to stop.
    assert_eq!(m.losses.race_stops, 0);
    assert_eq!(m.losses.races_lost, m.emergency.race_submits_reverted, "all racers are honest");
    let won: u64 = r.provers.iter().map(|p| p.1.rescued).sum();
    let lost: u64 = r.provers.iter().map(|p| p.1.races_lost).sum();
    assert_eq!((won, lost), (m.liveness.rescued, m.emergency.race_submits_reverted));
    // The losers' reverted transactions were expected: the books and the chain agree.
    assert_eq!(m.checks.unexpected_reverts, 0, "{:?}", m.checks.revert_samples);
    assert!(m.checks.consistent());
    // Reproducible: the in-block order is drawn from the seed.
    let again = engine::run(&s, &|_| {}).unwrap();
    let winners =
        |r: &engine::RunResult| -> Vec<u64> { r.provers.iter().map(|p| p.1.rescued).collect() };
    assert_eq!(winners(&r), winners(&again));
    assert_eq!(again.summary.gas.total, m.gas.total);
}

#[test]
fn nobody_races_a_batch_whose_proof_costs_more_than_it_pays() {
    let mut s = same_block_races();
    // A full batch (80 kB) now costs 80 tokens to prove, more than its fee and bounty.
    s.provers.classes[0].cost_per_mb = 1_000.0;
    let m = engine::run(&s, &|_| {}).unwrap().summary;
    assert!(m.emergency.raced > 0);
    assert_eq!(m.emergency.racers, 0, "no race pays its cost");
    assert_eq!(m.liveness.rescued, 0);
    assert_eq!(m.checks.unexpected_reverts, 0, "{:?}", m.checks.revert_samples);
}

#[test]
fn outages_and_crashes_cost_work_and_every_honest_miss_has_one_cause() {
    let mut s = Scenario::load(&repo().join("scenarios/tiny.toml")).unwrap();
    s.adversaries.share = 0.0;
    s.provers.mtbf_blocks = 60.0; // outages every ~60 blocks: some hit running proofs
    s.provers.mean_downtime_blocks = 4.0;
    s.provers.failure_rate = 0.2;
    let r = engine::run(&s, &|_| {}).unwrap();
    let (m, l) = (&r.summary, &r.summary.losses);
    assert!(l.killed > 0 && l.crashed > 0, "killed {} crashed {}", l.killed, l.crashed);
    assert!(l.restarts > 0, "some work was restarted or retried");
    assert!(l.lost_work_cost > 0.0);
    let missed: u64 = r.provers.iter().map(|p| p.1.missed).sum();
    assert_eq!(
        l.missed_overload + l.missed_outage + l.missed_crash + l.missed_late,
        missed,
        "every batch an honest prover missed was given up for one booked cause"
    );
    assert!(m.checks.consistent(), "{:?}", m.checks.revert_samples);
}
