//! `provernet epoch`: commit-reveal phases.

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_phase_is_rejected() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    env.next_epoch_start().await;
    rejected(&env, p, &["epoch", "reveal"], "commit phase").await;
    env.ok(Some(p), &["epoch", "commit"]);
    rejected(&env, p, &["epoch", "commit"], "already committed").await;
    let reveal_from = env.epoch()["phaseEndsAt"].as_u64().unwrap();
    env.mine_to(reveal_from - 1).await;
    rejected(&env, p, &["epoch", "commit"], "reveal phase").await;
}

/// Issue 14, defect 8: revealing after the epoch rolled over says the commitment is lost and a
/// penalty applies, instead of pointing at the new epoch's reveal blocks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reveal_after_rollover_says_the_commitment_is_lost() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let epoch = env.next_epoch_start().await;
    env.ok(Some(p), &["epoch", "commit"]);
    let next = env.next_epoch_start().await;
    assert_eq!(next, epoch + 1);
    for _ in 0..2 {
        let err =
            refused_with(&env, p, &["epoch", "reveal"], code::STATE, "can no longer be revealed")
                .await;
        assert!(err.contains(&format!("commitment of epoch {epoch}")), "{err}");
        assert!(err.contains("penalty"), "{err}");
        assert!(!err.contains("is in its commit phase"), "{err}");
        // Still true in the new epoch's reveal phase.
        let reveal_from = env.epoch()["phaseEndsAt"].as_u64().unwrap();
        env.mine_to(reveal_from - 1).await;
    }
}

/// Issue 14, defect 8: `epoch status` counts only the blocks still to come in the phase (a
/// transaction sent now lands in the next block) and names ranges with their last block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn epoch_status_counts_only_blocks_still_to_come() {
    let env = Env::start().await;
    env.deploy_with_provers(0).await;
    // The last block of an epoch is mined: nothing is left of its reveal phase.
    env.next_epoch_start().await;
    let s = env.epoch();
    let block = s["block"].as_u64().unwrap();
    assert_eq!(s["phase"], "reveal");
    assert_eq!(s["blocksLeft"], 0, "{s}");
    assert_eq!(s["phaseLastBlock"], block);
    assert_eq!(s["phaseEndsAt"], block + 1);
    let h = env.human(None, &["epoch", "status"]);
    assert!(h.contains(&format!("through {block}); 0 more block(s)")), "{h}");
    assert!(
        h.contains(&format!("lands in block {} at the earliest: the Commit phase", block + 1)),
        "{h}"
    );
    // One block into the commit phase (10 blocks long): 8 more after the one mined.
    env.mine_to(block + 2).await;
    let s = env.epoch();
    assert_eq!(s["phase"], "commit");
    assert_eq!(s["blocksLeft"], 8, "{s}");
    assert_eq!(s["activeListSize"], 0, "counts are JSON numbers");
    assert!(s["activeListWeight"].is_string(), "256-bit quantities are decimal strings");
}

/// Issue 13: the commit that applies a withheld-reveal penalty says so, with the amount.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_that_applies_the_non_reveal_penalty_reports_it() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let epoch = env.next_epoch_start().await;
    let first = env.ok(Some(p), &["epoch", "commit"]);
    assert!(first["penalty"].is_null(), "{first}");
    env.next_epoch_start().await;
    let before: f64 =
        env.ok(Some(p), &["prover", "status"])["stake"].as_str().unwrap().parse().unwrap();
    let out = env.command_as(Some(p), &["epoch", "commit"], false).output().unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{human}");
    let after: f64 =
        env.ok(Some(p), &["prover", "status"])["stake"].as_str().unwrap().parse().unwrap();
    let lost = before - after;
    assert!(lost > 0.0);
    assert!(
        human.contains(&format!("penalty for not revealing in epoch {epoch}: {lost} ")),
        "{human}"
    );
}

/// `epoch finalize-seed`: fixes the seed nobody fixed (after the commit phase: without
/// prevrandao), then refuses, sending nothing, once it is fixed; epoch 0 has no seed to fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finalize_seed_fixes_an_unfixed_seed_once() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    rejected(&env, p, &["epoch", "finalize-seed"], "epoch 0 draws from no list").await;
    let epoch = env.select_all(&provers).await;
    // Nobody acts in epoch + 1's commit phase.
    let commit_end = env.epoch()["phaseEndsAt"].as_u64().unwrap() + 10;
    env.mine_to(commit_end - 1).await;
    assert_eq!(env.epoch()["seedFixed"], false);
    let r = env.ok(Some(p), &["epoch", "finalize-seed"]);
    assert_eq!(r["epoch"].as_u64(), Some(epoch), "{r}");
    assert_eq!(r["serves"].as_u64(), Some(epoch + 1), "{r}");
    assert_eq!(r["eligible"], "1", "{r}");
    assert_eq!(r["withPrevrandao"], false, "fixed after the commit phase: {r}");
    let seed = env.network().seedOf(U256::from(epoch)).call().await.unwrap();
    assert_eq!(r["seed"], format!("{seed:#x}"));
    assert!(!seed.is_zero());
    assert_eq!(env.epoch()["seedFixed"], true);
    let err =
        refused_with(&env, p, &["epoch", "finalize-seed"], code::STATE, "already fixed").await;
    assert!(err.contains(&format!("seed of epoch {epoch}'s list")), "{err}");
}
