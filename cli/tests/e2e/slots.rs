//! Slots: every batch posted in a slot goes to the slot's prover and shares its deadlines (the
//! slot's last block + the proving window); `batch status` names the slot, `epoch status` the
//! current slot and, once the seed is fixed, the epoch's schedule; `prover status` the capacity,
//! and a full prover is skipped.

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slots_batches_share_its_prover_and_deadlines() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(3).await;
    let epoch = env.select_all(&provers).await + 1;
    // Nothing has happened in the new epoch yet: the seed of its list is not fixed, no schedule.
    let s = env.epoch();
    assert_eq!(
        (s["slot"]["epoch"].as_u64(), s["seedFixed"].as_bool()),
        (Some(epoch), Some(false)),
        "{s}"
    );
    assert!(s["schedule"].is_null());
    assert!(env.human(None, &["epoch", "status"]).contains("is drawn once the seed"));

    // Two posts in the slot's two blocks, a third in the next slot (automine: one block each).
    let first = env.next_slot_start(2).await;
    let post = |n: u8| {
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(n), "--fee", "1"])
    };
    let (b1, b2, b3) = (post(1), post(2), post(3));
    assert_eq!(b1["prover"], b2["prover"], "one prover per slot");
    assert_eq!(b1["slot"], b2["slot"]);
    assert_eq!(b1["slot"]["firstBlock"], first);
    assert_eq!(b1["slot"]["lastBlock"], first + 1);
    for b in [&b1, &b2] {
        assert_eq!(b["provingDeadline"], first + 1 + 5, "the slot's last block + the window");
        assert_eq!(b["raceDeadline"], first + 1 + 5 + 5);
    }
    assert_eq!(b3["slot"]["index"], b1["slot"]["index"].as_u64().unwrap() + 1);

    let st = env.ok(None, &["batch", "status", "2"]);
    assert_eq!(st["slot"], b1["slot"]);
    assert_eq!((st["draw"].as_u64(), st["status"].as_str()), (Some(0), Some("Assigned")));
    assert_eq!(st["provingDeadline"], first + 6);
    let h = env.human(None, &["batch", "status", "2"]);
    assert!(
        h.contains(&format!(
            "slot 0 of epoch {epoch} (blocks {first} through {}), draw 0",
            first + 1
        )),
        "{h}"
    );

    // The posts fixed the seed: the schedule names each slot's first draw, the posted batches'
    // provers among them.
    let s = env.epoch();
    assert_eq!(s["seedFixed"], true, "{s}");
    let rows = s["schedule"].as_array().unwrap();
    assert_eq!(rows.len(), 10, "20-block epochs in 2-block slots");
    assert_eq!(rows[0]["prover"], b1["prover"]);
    assert_eq!(rows[1]["prover"], b3["prover"]);
    assert!(rows.iter().all(|r| provers.iter().any(|k| r["prover"] == format!("{:#x}", k.addr))));
    assert_eq!(s["slot"]["index"], 1, "the next block is in slot 1");
    assert!(env.human(None, &["epoch", "status"]).contains("<- now"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_prover_is_skipped_and_status_says_so() {
    let env = Env::start().await;
    // Bond 900 on a 1000 stake: minStake 100 + 1 x 900 covers two open assignments, not three.
    std::fs::write(
        env.dir.path().join("params.json"),
        r#"{ "commitBlocks": 10, "revealBlocks": 10, "slotBlocks": 5, "minStake": "100",
             "maxWeightStake": "10000", "provingWindow": 5, "raceWindow": 5, "unbondingDelay": 60,
             "assignmentBond": "900" }"#,
    )
    .unwrap();
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let s = env.ok(Some(p), &["prover", "status"]);
    assert_eq!((s["canTake"].as_bool(), s["maxOpenAssignments"].as_u64()), (Some(true), Some(2)));
    assert_eq!(s["assignmentBond"], "900");
    env.select_all(&provers).await;
    env.next_slot_start(5).await;
    let mut posted = Vec::new();
    for n in 1..=3 {
        posted.push(
            env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(n), "--fee", "1"]),
        );
    }
    let me = format!("{:#x}", p.addr);
    assert_eq!(
        (posted[0]["prover"].as_str(), posted[1]["prover"].as_str()),
        (Some(&*me), Some(&*me))
    );
    assert_eq!(
        posted[2]["prover"],
        format!("{:#x}", Address::ZERO),
        "full: skipped, the batch is open"
    );
    let st = env.ok(None, &["batch", "status", "3"]);
    assert_eq!((st["status"].as_str(), st["draw"].is_null()), (Some("Open"), true), "{st}");
    assert!(
        env.human(None, &["batch", "status", "3"])
            .contains("open (nobody was listed, or every drawn prover was full)")
    );
    let s = env.ok(Some(p), &["prover", "status"]);
    assert_eq!((s["canTake"].as_bool(), s["openAssignments"].as_u64()), (Some(false), Some(2)));
    let h = env.human(Some(p), &["prover", "status"]);
    assert!(h.contains("FULL, skipped by slot draws: at most 2 open"), "{h}");
}
