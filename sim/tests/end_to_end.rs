//! End-to-end tests of the simulation on the real bytecode (debug build, a few seconds each).

use std::path::{Path, PathBuf};
use std::process::Command;

use provernet_bindings::Strategy;
use provernet_sim::scenario::Scenario;
use provernet_sim::{engine, output, sweep};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tiny() -> Scenario {
    Scenario::load(&repo().join("scenarios/tiny.toml")).expect("tiny scenario parses")
}

#[test]
fn shipped_scenarios_and_grids_parse() {
    let mut n = 0;
    for entry in std::fs::read_dir(repo().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.extension().is_some_and(|e| e == "toml") {
            if name.starts_with("sensitivity") {
                // A sensitivity spec, not a scenario: tests/sensitivity.rs applies it.
                continue;
            }
            if name.starts_with("grid-") {
                let g = sweep::Grid::load(&path).unwrap_or_else(|e| panic!("{name}: {e:#}"));
                // Every override of the grid must apply to the baseline.
                g.points(&Scenario::load(&repo().join("scenarios/baseline.toml")).unwrap())
                    .unwrap_or_else(|e| panic!("{name}: {e:#}"));
            } else {
                Scenario::load(&path).unwrap_or_else(|e| panic!("{name}: {e:#}"));
            }
            n += 1;
        }
    }
    assert!(n >= 5, "expected the documented scenario set, found {n} files");
}

#[test]
fn tiny_scenario_runs_on_the_real_bytecode_and_its_metrics_are_consistent() {
    let s = tiny();
    let r = engine::run(&s, &|_| {}).unwrap();
    let m = &r.summary;
    let l = &m.liveness;
    assert_eq!(l.posted, s.duration.batches);
    assert_eq!(l.unresolved, 0, "the run drains every batch");
    assert_eq!(l.proven_in_window + l.rescued + l.failed, l.posted);
    let shares = l.share_proven + l.share_rescued + l.share_failed;
    assert!((shares - 1.0).abs() < 1e-9, "liveness shares sum to {shares}");
    let n = s.provers.count as f64;
    for h in [m.decentralisation.hhi_assignments, m.decentralisation.hhi_stake] {
        assert!(h >= 1.0 / n - 1e-12 && h <= 1.0 + 1e-12, "HHI {h} outside [1/n, 1]");
    }
    // The simulation's bookkeeping agrees with the chain, and no agent sent a doomed transaction.
    assert!(m.checks.batch_status_matches);
    assert!(m.checks.revenue_matches_claimable);
    assert!(m.checks.fee_balance_matches, "prepaid fees, posted fees and refunds reconcile");
    assert!(m.checks.tokens_reconcile, "the network holds exactly what it owes");
    assert_eq!(m.checks.unexpected_reverts, 0, "{:?}", m.checks.revert_samples);
    assert!(m.checks.consistent());
    // Every missed batch opened a race; races either rescued or failed the batch. A missed
    // assignment is slashed once, however many of its batches were missed.
    assert_eq!(m.emergency.raced, m.slashing.missed_batches + m.emergency.open_at_post);
    assert!(m.slashing.misses <= m.slashing.missed_batches);
    let fees: f64 = r.provers.iter().map(|p| p.1.revenue).sum::<f64>() - m.slashing.bounties_paid;
    assert!((fees - m.load.user_cost).abs() < 1e-6, "provers earned the fees of proven batches");
    assert!(m.load.fees_deposited >= m.load.user_cost, "fees are prepaid");
    // Proofs cover a slot's batches together.
    let proofs = m.gas.count_by_kind["submitProof"];
    assert!(
        proofs > 0 && proofs < l.proven_in_window,
        "{proofs} proofs for {}",
        l.proven_in_window
    );
    assert!((m.gas.batches_per_proof - l.proven_in_window as f64 / proofs as f64).abs() < 1e-12);
    assert!(l.rescued + l.failed <= m.emergency.raced);
    let assignments: u64 = r.provers.iter().map(|p| p.1.assignments).sum();
    assert_eq!(assignments + m.emergency.open_at_post, l.posted);
    assert!(m.gas.per_proven_batch > 50_000.0, "real contract gas, not a stub");
    assert_eq!(m.load.txs_finalised + m.load.txs_unprocessed, m.load.txs_arrived);

    let dir = tempfile::tempdir().unwrap();
    output::write_run(dir.path(), &s, &r).unwrap();
    let again =
        Scenario::load(&dir.path().join("scenario.toml")).expect("the resolved scenario parses");
    assert_eq!(again.provers.count, s.provers.count);
    for f in ["summary.json", "timeseries.csv", "provers.csv", "overview.svg", "overview.png"] {
        let meta = std::fs::metadata(dir.path().join(f)).unwrap_or_else(|_| panic!("{f} missing"));
        assert!(meta.len() > 100, "{f} is empty");
    }
    let png = std::fs::read(dir.path().join("overview.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn same_seed_same_result() {
    let s = tiny();
    let a = engine::run(&s, &|_| {}).unwrap().summary;
    let b = engine::run(&s, &|_| {}).unwrap().summary;
    assert_eq!(a.liveness.proven_in_window, b.liveness.proven_in_window);
    assert_eq!(a.gas.total, b.gas.total);
    assert_eq!(a.load.txs_arrived, b.load.txs_arrived);
}

#[test]
fn withholding_provers_are_slashed_and_rescued_by_the_race() {
    let mut s = tiny();
    s.adversaries.share = 0.25;
    s.adversaries.strategy = Strategy::Withhold;
    s.provers.mtbf_blocks = 0.0; // no honest downtime: every miss is the adversaries'
    s.provers.failure_rate = 0.0;
    s.provers.race_join = 1.0;
    let r = engine::run(&s, &|_| {}).unwrap();
    let m = &r.summary;
    let adv_assigned: u64 = r
        .provers
        .iter()
        .filter(|p| p.0.strategy != Strategy::Honest)
        .map(|p| p.1.assignments)
        .sum();
    assert!(adv_assigned > 0, "the adversaries were drawn");
    // Each withheld batch was slashed (honest provers may also miss one when their queue is long).
    for (spec, st, _) in r.provers.iter().filter(|p| p.0.strategy != Strategy::Honest) {
        assert_eq!(st.missed, st.assignments, "{} withheld everything", spec.addr);
        assert_eq!((st.proven, st.revenue), (0, 0.0));
    }
    assert!(m.slashing.missed_batches >= adv_assigned);
    assert!(m.economics.adversary_profit < 0.0);
    assert_eq!(
        m.liveness.rescued + m.liveness.failed,
        m.slashing.missed_batches,
        "every missed batch was raced out"
    );
    assert!(m.liveness.rescued > 0);
    assert_eq!(m.checks.unexpected_reverts, 0, "{:?}", m.checks.revert_samples);
}

#[test]
fn sweep_on_a_two_point_grid_writes_table_statistics_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let grid_path = dir.path().join("grid.toml");
    std::fs::write(
        &grid_path,
        "seeds = [1, 2]\n[[axis]]\nkey = \"provers.count\"\nvalues = [6, 12]\n",
    )
    .unwrap();
    let grid = sweep::Grid::load(&grid_path).unwrap();
    let mut base = tiny();
    base.duration.batches = 30;
    let out = dir.path().join("out");
    let rows = sweep::run(&base, &grid, &out, 2).unwrap();
    assert_eq!(rows.len(), 4, "two points x two seeds");
    assert_eq!((rows[0].1.provers, rows[0].1.seed, rows[1].1.seed), (6, 1, 2));
    assert_eq!(rows[3].1.provers, 12);
    let table = std::fs::read_to_string(out.join("table.csv")).unwrap();
    assert_eq!(table.lines().count(), 5, "header + 4 rows:\n{table}");
    assert!(table.starts_with("provers.count,seed,posted,share_proven"));
    for f in ["table.md", "stats.csv", "stats.json", "sweep.png", "lists.png", "runs/003.json"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let md = std::fs::read_to_string(out.join("stats.md")).unwrap();
    assert!(md.contains("Means over 2 seeds per point"), "{md}");
    assert!(md.contains("Paired differences to `provers.count = 6`"), "{md}");
    // A grid without axes runs the scenario over its seeds (here 2 of the default 20).
    let mut reps = sweep::Grid::replicates();
    assert_eq!(reps.seeds().len(), sweep::DEFAULT_SEEDS as usize);
    reps.seeds = vec![3, 4];
    let rows = sweep::run(&base, &reps, &dir.path().join("reps"), 2).unwrap();
    assert_eq!(rows.iter().map(|r| r.1.seed).collect::<Vec<_>>(), vec![3, 4]);
}

/// Issue 11's correlated outage on a network whose provers a single slash pushes below `minStake`:
/// the outage's slashes are counted in its window, the list shrinks, and with top-ups the provers
/// come back with fresh stake while the books still reconcile with the chain.
#[test]
fn a_correlated_outage_shrinks_the_list_and_top_ups_bring_provers_back() {
    let run = |top_up: bool| {
        let mut s = tiny();
        s.adversaries.share = 0.0;
        s.provers.stake = provernet_sim::scenario::StakeDist::Equal { amount: 150.0 };
        s.params.slash_bps = 5_000;
        s.outage = Some(provernet_sim::scenario::Outage {
            start: None,
            blocks: None,
            start_epoch: Some(2),
            epochs: Some(2),
            share: 0.5,
            select: provernet_sim::scenario::OutageSelect::Exact,
        });
        s.top_up.enabled = top_up;
        s.top_up.delay_blocks = 5;
        s.validate().unwrap();
        engine::run(&s, &|_| {}).unwrap().summary
    };
    for top_up in [false, true] {
        let m = run(top_up);
        assert!(m.checks.consistent(), "top_up {top_up}: {:?}", m.checks);
        let r = &m.recovery;
        assert!(r.list_per_epoch.len() >= 5, "{r:?}");
        assert!(r.list_min <= 6, "six of twelve provers were down for two epochs: {r:?}");
        assert!(r.honest_slashed_in_outage > 0.0, "{r:?}");
        assert!(r.honest_slashed >= r.honest_slashed_in_outage);
        assert!((r.honest_slashed - m.slashing.slashed).abs() < 1e-6, "everyone is honest");
        if top_up {
            assert!(r.top_ups > 0 && r.topped_up > 0.0, "{r:?}");
            assert!(m.gas.count_by_kind.get("stake").copied().unwrap_or(0) >= r.top_ups);
        } else {
            assert_eq!(r.top_ups, 0);
        }
    }
}

fn cli(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_provernet-sim")).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn bad_scenario_files_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().to_string()
    };
    let cases = [
        (
            dir.path().join("missing.toml").to_string_lossy().to_string(),
            "while reading the scenario file",
        ),
        (write("syntax.toml", "name = \"x\"\n[provers\n"), "invalid scenario TOML"),
        (write("typo.toml", "name = \"x\"\n[provers]\ncout = 3\n"), "unknown field `cout`"),
        (
            write("range.toml", "name = \"x\"\n[provers]\nfailure_rate = 2.0\n"),
            "provers.failure_rate = 2",
        ),
        (
            write(
                "bounds.toml",
                "name = \"x\"\n[duration]\nbatches = 5\n[params]\nslash_bps = 9000\n",
            ),
            "slashBps",
        ),
        (
            write("harness-only.toml", "name = \"x\"\n[adversaries]\nstrategy = \"sybil\"\n"),
            "\"sybil\" is played only by the fuzz harness",
        ),
    ];
    for (path, expected) in cases {
        let (ok, err) = cli(&["run", "--scenario", &path, "--out", out]);
        assert!(!ok, "{path} should fail");
        assert!(err.contains(expected), "{path}: expected `{expected}` in:\n{err}");
    }
    assert!(!Path::new(out).join("summary.json").exists(), "a failed run writes no results");
}

#[test]
fn every_strategy_and_an_outage_run_clean_against_the_chain() {
    for strategy in [Strategy::Faulty, Strategy::Withhold, Strategy::NoReveal, Strategy::BountyFarm]
    {
        let mut s = tiny();
        s.adversaries.share = 0.34;
        s.adversaries.strategy = strategy;
        s.outage = Some(provernet_sim::scenario::Outage {
            start: Some(10),
            blocks: Some(30),
            start_epoch: None,
            epochs: None,
            share: 0.5,
            select: provernet_sim::scenario::OutageSelect::Each,
        });
        let m = engine::run(&s, &|_| {}).unwrap().summary;
        let c = &m.checks;
        assert!(c.consistent(), "{strategy:?}: {c:?}");
        assert_eq!(m.liveness.unresolved, 0, "{strategy:?}");
        assert!(
            m.economics.adversary_profit < 0.0,
            "{strategy:?} should not pay: {}",
            m.economics.adversary_profit
        );
        if strategy == Strategy::NoReveal {
            assert!(m.slashing.non_reveals > 0, "grinders were penalised");
        }
    }
}

/// Issue 10's prover-side attackers against the slot mechanism: each runs clean against the chain
/// and its attack shows the outcome the contract promises.
#[test]
fn issue_10_attackers_gain_nothing_and_the_books_still_reconcile() {
    let run = |strategy: Strategy, tweak: &dyn Fn(&mut Scenario)| {
        let mut s = tiny();
        s.adversaries.share = 0.5;
        s.adversaries.strategy = strategy;
        s.duration.batches = 120;
        tweak(&mut s);
        let r = engine::run(&s, &|_| {}).unwrap();
        let c = &r.summary.checks;
        assert!(c.consistent(), "{strategy:?}: {c:?}");
        assert_eq!(r.summary.liveness.unresolved, 0, "{strategy:?}");
        r
    };
    let adversaries = |r: &engine::RunResult| -> Vec<provernet_sim::engine::ProverStats> {
        r.provers.iter().filter(|p| p.0.strategy != Strategy::Honest).map(|p| p.1.clone()).collect()
    };

    // Decliner: unstaking below minStake before its slot does not move the slot's batches.
    let r = run(Strategy::Decliner, &|_| {});
    let d = adversaries(&r);
    let dodges: u64 = d.iter().map(|s| s.dodges).sum();
    assert!(dodges > 0, "decliners were drawn and tried to dodge");
    assert_eq!(d.iter().map(|s| s.dodged_batches).sum::<u64>(), 0, "no dodge moved a batch");
    assert!(d.iter().map(|s| s.assignments).sum::<u64>() > 0);

    // Secret withholder: its weightless reveals are accepted (mixed) and leave it unlisted.
    let r = run(Strategy::SecretWithholder, &|s| s.provers.mtbf_blocks = 0.0);
    let h = adversaries(&r);
    assert!(h.iter().map(|s| s.unlisted_reveals).sum::<u64>() > 0);
    assert_eq!(r.summary.slashing.non_reveals, 0, "every commitment was revealed");

    // Whitewasher: after a slash it moves to a fresh identity, which starts at reputation 0, and
    // the books (two identities per whitewasher) still reconcile.
    let r = run(Strategy::Whitewasher, &|s| s.duration.batches = 200);
    assert!(r.summary.dodging.rebirths > 0, "a slashed whitewasher re-registered");
    assert_eq!(r.provers.len() as u64, 12 + 6, "one spare identity per whitewasher");

    // Overcommitted small provers: bonded for 2 open batches, skipped by the draw once full.
    let r = run(Strategy::Overcommit, &|s| {
        s.adversaries.overcommit_open = 2;
        s.load.tx_per_block = 400.0;
    });
    for (spec, _, _) in r.provers.iter().filter(|p| p.0.strategy == Strategy::Overcommit) {
        assert!((spec.stake - 110.0).abs() < 1e-9, "min_stake + 1 bond: {}", spec.stake);
    }
    assert!(r.summary.emergency.capacity_redraws > 0, "a full small prover was skipped");
    assert_eq!(r.summary.checks.capacity_violations, 0);
}

/// A steering source's dummy batches do not move its batches to its favourite (every batch of a
/// slot is the slot's prover's: the favourite gets about its weight share); holding batches back
/// for the favourite's slots costs its users latency; the books reconcile with dummies and holds.
#[test]
fn a_steering_source_moves_batches_only_by_timing() {
    let steer = |max_hold: u64| {
        let mut s = tiny();
        s.duration.batches = 150;
        s.source.strategy = provernet_sim::scenario::SourceStrategy::Steering;
        s.source.favourite = 0;
        s.source.dummies = 3;
        s.source.max_hold = max_hold;
        let m = engine::run(&s, &|_| {}).unwrap().summary;
        assert!(m.checks.consistent(), "{:?}", m.checks);
        assert!(m.source.dummies > 0 && m.source.real_batches == 150, "{:?}", m.source);
        m
    };
    let dummies_only = steer(0);
    let holding = steer(20);
    let src = &dummies_only.source;
    assert!(
        (src.favourite_share - src.favourite_weight_share).abs() < 0.1,
        "dummies leave the favourite at its weight share: {src:?}"
    );
    assert!(holding.source.held_blocks > 0);
    assert!(
        holding.load.tx_latency_mean > dummies_only.load.tx_latency_mean,
        "holding costs latency"
    );
}

/// Issue 10's batching goal: in the baseline at its default load a `submitProof` covers at least
/// 4 batches on average (the first 1,000 batches of the baseline, to keep the debug test short;
/// docs/simulation.md has the full run).
#[test]
fn the_baseline_proves_at_least_four_batches_per_proof() {
    let mut s = Scenario::load(&repo().join("scenarios/baseline.toml")).unwrap();
    s.duration.batches = 1_000;
    let m = engine::run(&s, &|_| {}).unwrap().summary;
    assert!(m.checks.consistent(), "{:?}", m.checks);
    assert!(m.gas.batches_per_proof >= 4.0, "{} batches per proof", m.gas.batches_per_proof);
    assert!(m.gas.count_by_kind["submitProof"] <= m.gas.count_by_kind["postBatch"] / 4);
}

#[test]
fn the_simulators_own_binary_refuses_a_queue_and_names_the_command_to_use() {
    let dir = tempfile::tempdir().unwrap();
    let grid = dir.path().join("grid.toml");
    std::fs::write(&grid, "[[axis]]\nkey = \"provers.count\"\nvalues = [6]\n").unwrap();
    let scenario = format!("{}/../scenarios/tiny.toml", env!("CARGO_MANIFEST_DIR"));
    let out = dir.path().join("out");
    let (ok, err) = cli(&[
        "sweep",
        "--scenario",
        &scenario,
        "--grid",
        grid.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--queue",
        "nats://127.0.0.1:1",
    ]);
    assert!(!ok);
    assert!(err.contains("provernet sim sweep --queue URL"), "{err}");
    assert!(!out.exists(), "nothing ran");
}
