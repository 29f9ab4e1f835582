//! The queue's guarantees against a real nats-server: redelivery after a worker dies, progress
//! acks for long proofs, harmless duplicates, expired jobs dropped, jobs surviving a restart.

mod support;

use provernet_fleet::{EnqueueStatus, JobResult, Outcome, ProofJob, ProveError, WorkerConfig};
use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use support::*;

fn proof_of(r: &JobResult) -> &[u8] {
    match &r.outcome {
        Outcome::Proven { proof, .. } => proof,
        other => panic!("job {} not proven: {other:?}", r.id),
    }
}

async fn wait_for(flag: &AtomicBool, what: &str) {
    let start = Instant::now();
    while !flag.load(Ordering::SeqCst) {
        assert!(start.elapsed() < Duration::from_secs(10), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_held_by_a_killed_worker_finishes_on_another() {
    let server = start_server();
    let queue = connect(&server).await;
    let (started, release) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let (s, r) = (started.clone(), release.clone());
    // Worker A takes the job and hangs in proving until the test releases it (after A is dead).
    let hanging: provernet_fleet::ProverFn = Arc::new(move |_: &ProofJob| {
        s.store(true, Ordering::SeqCst);
        while !r.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(b"late proof from A".to_vec())
    });
    let a = spawn_worker(&queue, hanging, WorkerConfig::named("A"));
    let (id, status) = queue.enqueue(job(1, 1, 1_000)).await.unwrap();
    assert_eq!(status, EnqueueStatus::Queued);
    wait_for(&started, "worker A to start proving").await;
    a.task.abort(); // killed mid-job: no result, no ack, no more progress reports
    let killed_at = Instant::now();
    let b = spawn_worker(&queue, tagged_prover("B"), WorkerConfig::named("B"));

    let r = result(&queue, &id).await;
    assert_eq!(r.worker, "B");
    assert_eq!(proof_of(&r), b"B");
    assert_eq!(r.delivered, 2, "the second delivery of the job");
    // A was killed before its first progress report (due 1/3 s in), so the server redelivers one
    // ack_wait (1 s) after the first delivery: well over half a second after the kill.
    assert!(killed_at.elapsed() >= Duration::from_millis(500), "redelivered only after ack_wait");
    release.store(true, Ordering::SeqCst);
    assert_eq!(b.stop().await.proven, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_reports_keep_a_long_proof_with_its_worker() {
    let server = start_server();
    let queue = connect(&server).await;
    let started = Arc::new(AtomicBool::new(false));
    let s = started.clone();
    // Three times ack_wait: without progress acks the job would be redelivered to B.
    let slow: provernet_fleet::ProverFn = Arc::new(move |_: &ProofJob| {
        s.store(true, Ordering::SeqCst);
        std::thread::sleep(Duration::from_secs(3));
        Ok(b"A".to_vec())
    });
    let a = spawn_worker(&queue, slow, WorkerConfig::named("A"));
    let (id, _) = queue.enqueue(job(1, 1, 1_000)).await.unwrap();
    wait_for(&started, "worker A to start proving").await;
    let b_calls = Arc::new(AtomicUsize::new(0));
    let c = b_calls.clone();
    let b = spawn_worker(
        &queue,
        Arc::new(move |_: &ProofJob| {
            c.fetch_add(1, Ordering::SeqCst);
            Ok(b"B".to_vec())
        }),
        WorkerConfig::named("B"),
    );
    let r = result(&queue, &id).await;
    assert_eq!((r.worker.as_str(), r.delivered), ("A", 1));
    assert_eq!(b_calls.load(Ordering::SeqCst), 0, "B never got the job");
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_enqueues_and_results_are_harmless() {
    let server = start_server();
    let queue = connect(&server).await;
    let j = job(5, 2, 1_000);
    let (id, first) = queue.enqueue(j.clone()).await.unwrap();
    let (id2, second) = queue.enqueue(j.clone()).await.unwrap();
    assert_eq!((id2, first, second), (id.clone(), EnqueueStatus::Queued, EnqueueStatus::Duplicate));
    assert_eq!(queue.depth().await.unwrap().queued, 1, "one job despite two enqueues");

    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let w = spawn_worker(
        &queue,
        Arc::new(move |_: &ProofJob| {
            c.fetch_add(1, Ordering::SeqCst);
            Ok(b"W".to_vec())
        }),
        WorkerConfig::named("W"),
    );
    let r = result(&queue, &id).await;
    assert_eq!(proof_of(&r), b"W");
    // Re-enqueueing a finished job (an agent restart) queues nothing.
    assert_eq!(queue.enqueue(j).await.unwrap().1, EnqueueStatus::Finished);
    let stats = w.stop().await;
    assert_eq!((calls.load(Ordering::SeqCst), stats.proven), (1, 1));

    // A second result for the job (a redelivered job finished twice) is dropped; the first stays.
    let late = JobResult {
        worker: "late".into(),
        outcome: Outcome::Failed { error: "should not replace the proof".into() },
        ..r.clone()
    };
    assert!(!queue.record_result(&late).await.unwrap());
    assert_eq!(queue.result(&id).await.unwrap(), Some(r.clone()));

    // The agent forgets a result once submitted.
    queue.forget(&id).await.unwrap();
    assert_eq!(queue.result(&id).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_jobs_are_dropped_not_proven() {
    let server = start_server();
    let queue = connect(&server).await;
    let proved = Arc::new(Mutex::new(Vec::new()));
    let p = proved.clone();
    let prover: provernet_fleet::ProverFn = Arc::new(move |job: &ProofJob| {
        p.lock().unwrap().push(job.inputs.first_batch_id);
        Ok(b"P".to_vec())
    });
    // The chain head is 100: a proof sent now lands in block 101 at the earliest.
    let cfg = WorkerConfig { chain_head: Some(Arc::new(|| Some(100))), ..WorkerConfig::named("W") };
    let w = spawn_worker(&queue, prover, cfg);

    let (at_head, _) = queue.enqueue(job(1, 1, 100)).await.unwrap();
    let (next_block, _) = queue.enqueue(job(2, 1, 101)).await.unwrap();
    let mut by_clock = job(3, 1, 1_000_000);
    by_clock.deadline.unix_ms = Some(1); // a wall-clock cut-off long past
    let (by_clock, _) = queue.enqueue(by_clock).await.unwrap();

    match result(&queue, &at_head).await.outcome {
        Outcome::Expired { reason } => {
            assert!(reason.contains("chain head 100 >= deadline block 100"), "{reason}")
        }
        other => panic!("deadline block 100 at head 100 must expire: {other:?}"),
    }
    assert_eq!(proof_of(&result(&queue, &next_block).await), b"P");
    match result(&queue, &by_clock).await.outcome {
        Outcome::Expired { reason } => assert!(reason.contains("cut-off 1 ms"), "{reason}"),
        other => panic!("a passed wall-clock cut-off must expire: {other:?}"),
    }
    let stats = w.stop().await;
    assert_eq!(*proved.lock().unwrap(), vec![2], "only the job still in time was proven");
    assert_eq!((stats.proven, stats.expired), (1, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_retry_only_when_retryable() {
    let server = start_server();
    let queue = connect(&server).await;
    let attempts = Arc::new(AtomicUsize::new(0));
    let a = attempts.clone();
    let prover: provernet_fleet::ProverFn = Arc::new(move |job: &ProofJob| {
        let n = a.fetch_add(1, Ordering::SeqCst);
        match job.inputs.first_batch_id {
            // Batch data not there yet on the first try, then fine.
            1 if n == 0 => {
                Err(ProveError { message: "data not yet available".into(), retryable: true })
            }
            1 => Ok(b"ok".to_vec()),
            _ => Err(ProveError { message: "data does not match".into(), retryable: false }),
        }
    });
    let w = spawn_worker(&queue, prover, WorkerConfig::named("W"));
    let (retried, _) = queue.enqueue(job(1, 1, 1_000)).await.unwrap();
    let r = result(&queue, &retried).await;
    assert_eq!((proof_of(&r), r.delivered), (&b"ok"[..], 2));
    let (broken, _) = queue.enqueue(job(9, 1, 1_000)).await.unwrap();
    let r = result(&queue, &broken).await;
    assert_eq!(r.outcome, Outcome::Failed { error: "data does not match".into() });
    assert_eq!(r.delivered, 1, "a deterministic failure is not retried");
    let stats = w.stop().await;
    assert_eq!((stats.proven, stats.retried, stats.failed), (1, 1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_jobs_and_results_survive_a_server_restart() {
    let mut server = start_server();
    let queue = connect(&server).await;
    let w = spawn_worker(&queue, tagged_prover("before"), WorkerConfig::named("W1"));
    let (done, _) = queue.enqueue(job(100, 1, 1_000)).await.unwrap();
    result(&queue, &done).await;
    w.stop().await;
    let mut ids = Vec::new();
    for first in 1..=3 {
        ids.push(queue.enqueue(job(first, 1, 1_000)).await.unwrap().0);
    }
    drop(queue);

    server.nats.restart().expect("server restarts on the same store");
    let queue = connect(&server).await;
    assert_eq!(queue.depth().await.unwrap().queued, 3, "the pending jobs are still queued");
    assert_eq!(queue.enqueue(job(100, 1, 1_000)).await.unwrap().1, EnqueueStatus::Finished);
    let w = spawn_worker(&queue, tagged_prover("after"), WorkerConfig::named("W2"));
    for id in &ids {
        assert_eq!(proof_of(&result(&queue, id).await), b"after");
    }
    assert_eq!(w.stop().await.proven, 3);
}

async fn next_result(
    feed: &mut (
             impl futures_util::Stream<Item = Result<JobResult, provernet_fleet::FleetError>> + Unpin
         ),
) -> JobResult {
    use futures_util::StreamExt;
    tokio::time::timeout(Duration::from_secs(20), feed.next())
        .await
        .expect("a result within 20 s")
        .expect("the feed is open")
        .expect("a decodable result")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_agent_replays_stored_results_then_sees_new_ones() {
    let server = start_server();
    let queue = connect(&server).await;
    let w = spawn_worker(&queue, tagged_prover("W"), WorkerConfig::named("W"));
    let (a, _) = queue.enqueue(job(1, 1, 1_000)).await.unwrap();
    let (b, _) = queue.enqueue(job(2, 1, 1_000)).await.unwrap();
    result(&queue, &a).await;
    result(&queue, &b).await;
    queue.forget(&a).await.unwrap(); // submitted before the "crash": not replayed

    // The agent restarts: a fresh connection sees what finished while it was away, then new results.
    let restarted = connect(&server).await;
    let mut feed = Box::pin(restarted.results().await.unwrap());
    let replayed = next_result(&mut feed).await;
    assert_eq!(replayed.id, b, "only the unsubmitted result is replayed");
    let (c, _) = restarted.enqueue(job(3, 1, 1_000)).await.unwrap();
    let live = next_result(&mut feed).await;
    assert_eq!((&live.id, proof_of(&live)), (&c, &b"W"[..]));
    w.stop().await;
}
