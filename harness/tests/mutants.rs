//! Proof that the harness finds bugs: each planted bug (harness/src/mutants.rs) must be reported
//! within a bounded number of actions, with a minimised sequence that replays to the same
//! violation. The mutants and the hostile token are compiled once per test run with the project's
//! forge (about 20-40 s under solc-js).

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use alloy::primitives::Bytes;
use provernet_harness::campaign::{self, Settings};
use provernet_harness::chain::{Genesis, Suite, TokenKind};
use provernet_harness::mutants::{MUTANTS, Mutant, is_pool};
use provernet_harness::world::World;

/// Actions within which every planted bug must be found.
const BOUND: u64 = 40_000;
/// Campaign seeds a mutant may be caught by (see `caught`).
const SEEDS: [u64; 3] = [1, 2, 3];

fn compiled() -> &'static HashMap<String, Bytes> {
    static CODES: OnceLock<HashMap<String, Bytes>> = OnceLock::new();
    CODES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("scratch dir");
        provernet_harness::mutants::compile(dir.path()).expect("compiling the mutants")
    })
}

fn settings(suite: Suite, seed: u64, actions: u64) -> Settings {
    Settings {
        seed,
        actions,
        provers: 12,
        suite,
        genesis: Genesis::default(),
        shrink_budget: Duration::from_secs(10),
    }
}

fn caught(m: &Mutant) {
    let code =
        compiled().get(m.name).unwrap_or_else(|| panic!("{} was not compiled", m.name)).clone();
    let suite = if is_pool(m) {
        Suite { pool_factory_code: Some(code), ..Suite::real() }
    } else {
        Suite { network_code: code, ..Suite::real() }
    };
    // A mutant must be caught by one of SEEDS campaigns of BOUND actions, tried in order: a bug that
    // needs a rare sequence (a verifier swapped while batches are in flight) is not reached by every
    // seed, and which seed reaches it moves whenever an actor's choices change.
    let f = SEEDS
        .iter()
        .find_map(|&seed| {
            campaign::run(&settings(suite.clone(), seed, BOUND), |_| {})
                .expect("campaign runs")
                .failure
        })
        .unwrap_or_else(|| {
            panic!("{} ({}) survived {BOUND} actions on each of seeds {SEEDS:?}", m.name, m.bug)
        });
    assert!(
        m.expect.split('|').any(|e| f.violation.invariant.contains(e)),
        "{}: expected a violation of `{}`, got `{}`: {}",
        m.name,
        m.expect,
        f.violation.invariant,
        f.violation.detail
    );
    assert!(f.at_action < BOUND);
    assert!(f.shrunk.len() <= f.original_len);
    // The minimised sequence replays deterministically to the same invariant.
    let genesis = World::new(&suite, &Genesis::default(), 12).expect("deploy");
    for _ in 0..2 {
        match campaign::replay(&genesis, &f.shrunk).expect("replay runs") {
            Err((_, v)) => assert_eq!(v.invariant, f.violation.invariant),
            Ok(_) => panic!("{}: the shrunk sequence no longer fails", m.name),
        }
    }
    eprintln!(
        "{}: caught after {} actions, shrunk {} -> {}: {}",
        m.name,
        f.at_action + 1,
        f.original_len,
        f.shrunk.len(),
        f.violation.invariant
    );
}

#[test]
fn conservation_leak_is_caught() {
    caught(&MUTANTS[0]);
}

#[test]
fn off_by_one_slash_deadline_is_caught() {
    caught(&MUTANTS[1]);
}

#[test]
fn missing_capacity_check_is_caught() {
    caught(&MUTANTS[2]);
}

#[test]
fn slashed_prover_winning_its_race_is_caught() {
    caught(&MUTANTS[3]);
}

#[test]
fn withdraw_while_assigned_is_caught() {
    caught(&MUTANTS[4]);
}

#[test]
fn decline_by_unstaking_is_caught() {
    caught(&MUTANTS[5]);
}

#[test]
fn seed_re_roll_is_caught() {
    caught(&MUTANTS[6]);
}

#[test]
fn unmixed_weightless_reveal_is_caught() {
    caught(&MUTANTS[7]);
}

#[test]
fn slash_per_batch_is_caught() {
    caught(&MUTANTS[8]);
}

#[test]
fn verifier_not_frozen_per_assignment_is_caught() {
    caught(&MUTANTS[9]);
}

#[test]
fn pause_that_keeps_the_clock_running_is_caught() {
    caught(&MUTANTS[10]);
}

#[test]
fn governance_delay_shorter_than_an_exit_is_caught() {
    caught(&MUTANTS[11]);
}

#[test]
fn capped_miss_paying_a_bounty_is_caught() {
    caught(&MUTANTS[12]);
}

#[test]
fn void_that_slashes_the_prover_is_caught() {
    caught(&MUTANTS[13]);
}

#[test]
fn answer_with_wrong_data_is_caught() {
    caught(&MUTANTS[14]);
}

#[test]
fn pool_pending_withdrawals_skipping_a_slash_is_caught() {
    caught(&MUTANTS[15]);
}

#[test]
fn pool_operator_overburn_is_caught() {
    caught(&MUTANTS[16]);
}

#[test]
fn pool_commission_credited_twice_is_caught() {
    caught(&MUTANTS[17]);
}

#[test]
fn pool_operator_request_before_sync_is_caught() {
    caught(&MUTANTS[18]);
}

#[test]
fn pool_request_finalizing_a_stale_tranche_is_caught() {
    caught(&MUTANTS[19]);
}

#[test]
fn every_mutant_is_tested() {
    assert_eq!(MUTANTS.len(), 20, "add a test for the new mutant");
}

#[test]
fn rejecting_verifier_artifact_matches_its_source() {
    let fresh = compiled().get("RejectingVerifier").expect("RejectingVerifier compiled");
    let committed = provernet_harness::chain::rejecting_verifier_code();
    if std::env::var_os("PROVERNET_UPDATE_ARTIFACTS").is_some() {
        std::fs::write(
            provernet_harness::chain::REJECTING_VERIFIER_PATH,
            alloy::hex::encode(fresh),
        )
        .expect("write artifact");
        return;
    }
    assert_eq!(
        &committed, fresh,
        "harness/solidity/RejectingVerifier.bin is stale: run `PROVERNET_UPDATE_ARTIFACTS=1 cargo test -p provernet-harness --test mutants rejecting`"
    );
}

#[test]
fn hostile_token_artifact_matches_its_source() {
    let fresh = compiled().get("HostileToken").expect("HostileToken compiled");
    let committed = provernet_harness::hostile::creation_code();
    if std::env::var_os("PROVERNET_UPDATE_ARTIFACTS").is_some() {
        std::fs::write(provernet_harness::hostile::ARTIFACT_PATH, alloy::hex::encode(fresh))
            .expect("write artifact");
        return;
    }
    assert_eq!(
        &committed, fresh,
        "harness/solidity/HostileToken.bin is stale: run `PROVERNET_UPDATE_ARTIFACTS=1 cargo test -p provernet-harness --test mutants hostile`"
    );
}

#[test]
fn real_contracts_survive_the_hostile_token() {
    let s = settings(provernet_harness::hostile::suite(), 3, 15_000);
    let out = campaign::run(&s, |_| {}).expect("campaign runs");
    assert!(out.failure.is_none(), "{:?}", out.failure.map(|f| f.violation));
    assert!(out.coverage.paths.get("assigned -> proven").copied().unwrap_or(0) > 0);
    assert_eq!(s.suite.token, TokenKind::Hostile);
}

#[test]
fn a_violation_exits_1_and_its_file_replays_to_the_same_violation() {
    let code = compiled()["MutantConservationLeak"].clone();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("failure.json");
    let args = provernet_harness::FuzzArgs {
        seed: 1,
        actions: 5_000,
        provers: 12,
        token: TokenKind::Dev,
        json: true,
        replay: None,
        failure_file: file.clone(),
        shrink_secs: 5,
    };
    let exit = provernet_harness::fuzz::run_with(&args, Some(code.clone())).unwrap();
    assert_eq!(exit, std::process::ExitCode::from(1));
    let written: provernet_harness::fuzz::ReplayFile =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(written.violation.invariant.contains("conservation"));
    let replay = provernet_harness::FuzzArgs { replay: Some(file.clone()), ..args.clone() };
    assert_eq!(
        provernet_harness::fuzz::run_with(&replay, Some(code)).unwrap(),
        std::process::ExitCode::from(1)
    );
    // The real contracts do not break on the same sequence.
    assert_eq!(provernet_harness::run(&replay).unwrap(), std::process::ExitCode::SUCCESS);
}
