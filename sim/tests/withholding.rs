//! A withholding batch source on the real bytecode (issue 11): provers challenge what they cannot
//! fetch, the keeper voids the unanswered challenges, and nobody honest is slashed for them.

use std::path::{Path, PathBuf};

use provernet_sim::engine;
use provernet_sim::scenario::Scenario;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The tiny smoke scenario with a source that withholds `share` of its batches.
fn withholding(share: f64) -> Scenario {
    let mut s = Scenario::load(&repo().join("scenarios/tiny.toml")).expect("tiny scenario parses");
    s.adversaries.share = 0.0; // every prover honest: every slash is an honest prover's
    s.source.withhold_share = share;
    s
}

#[test]
fn withheld_batches_are_challenged_and_voided_and_nobody_is_slashed_for_them() {
    let s = withholding(0.3);
    let r = engine::run(&s, &|_| {}).unwrap();
    let m = &r.summary;
    let wh = &m.withholding;
    assert!(wh.withheld >= 5, "the source withheld batches ({})", wh.withheld);
    // Every withheld batch is challenged by its prover, unless it was down for its whole window,
    // went to nobody (Open) or is still Challenged when the run ends.
    assert!(wh.challenged > 0);
    assert!(wh.challenged + wh.unchallenged_down + wh.unprovable_races >= wh.withheld);
    assert_eq!(wh.voided, wh.challenged, "the source answers nothing: every challenge is voided");
    assert!(wh.slash_attempts_refused > 0, "the keeper tried to slash challenged batches");
    assert_eq!(wh.honest_slashed, 0.0);
    assert_eq!(m.checks.withheld_slashes, 0);
    assert!(m.checks.consistent(), "{:?}", m.checks);
    // What the source paid: its fee per voided batch, split between the prover and the keeper
    // (5% keeper share in the simulated parameters).
    assert!(wh.source_fees_lost > 0.0);
    assert!((wh.compensation + wh.keeper_fees - wh.source_fees_lost).abs() < 1e-9);
    let keeper_share = f64::from(s.params.keeper_bps) / 10_000.0;
    assert!((wh.keeper_fees - keeper_share * wh.source_fees_lost).abs() < 1e-6);
    // Voided batches are an outcome of their own.
    let l = &m.liveness;
    assert_eq!(l.voided, wh.voided);
    assert_eq!(l.proven_in_window + l.rescued + l.failed + l.voided, l.posted);
    assert_eq!(l.unresolved, 0);
    // The challenging provers were paid the compensation on top of the fees of proven batches
    // (their claimable balances match these books: `revenue_matches_claimable`).
    let revenue: f64 = r.provers.iter().map(|p| p.1.revenue).sum();
    let fees = revenue - m.slashing.bounties_paid;
    assert!((fees - m.load.user_cost - wh.compensation).abs() < 1e-6, "{fees} earned");
}

#[test]
fn a_source_that_publishes_everything_changes_nothing() {
    let base = engine::run(&withholding(0.0), &|_| {}).unwrap().summary;
    assert_eq!(base.withholding.withheld, 0);
    assert_eq!(base.liveness.voided, 0);
    let mut plain = withholding(0.0);
    plain.source = Default::default();
    let again = engine::run(&plain, &|_| {}).unwrap().summary;
    assert_eq!(base.liveness.share_proven, again.liveness.share_proven);
    assert_eq!(base.slashing.slashed, again.slashing.slashed);
}

#[test]
fn a_withheld_share_outside_zero_to_one_is_refused_with_its_name() {
    let err = Scenario::parse("name = \"x\"\n[source]\nwithhold_share = 1.5\n").unwrap_err();
    assert!(format!("{err:#}").contains("source.withhold_share"), "{err:#}");
}
