//! Task jobs (the kind `provernet sim sweep --queue` uses) and cancelled proof jobs, against a
//! real nats-server: a task has the same redelivery and duplicate semantics as a proof job, a
//! worker hands back a kind it does not run, and a cancelled job is never proven for nothing.

mod support;

use provernet_fleet::{
    EnqueueStatus, Outcome, ProofJob, Queue, QueueConfig, TaskFn, TaskJob, Worker, WorkerConfig,
};
use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use support::*;
use tokio::sync::watch;

/// A handler that answers `<tag>:<payload>`.
fn echo(tag: &'static str) -> TaskFn {
    Arc::new(move |job: &TaskJob| Ok(format!("{tag}:{}", job.payload)))
}

fn spawn_with_task(queue: &Queue, name: &str, task: Option<TaskFn>) -> RunningWorker {
    let (stop, shutdown) = watch::channel(false);
    let cfg = WorkerConfig { poll: Duration::from_millis(500), ..WorkerConfig::named(name) };
    let mut worker = Worker::new(queue.clone(), tagged_prover("P"), cfg);
    if let Some(task) = task {
        worker = worker.with_task("echo", task);
    }
    RunningWorker { stop, task: tokio::spawn(worker.run(shutdown)) }
}

fn output_of(r: &provernet_fleet::JobResult) -> &str {
    match &r.outcome {
        Outcome::Done { output, .. } => output,
        other => panic!("task {} not done: {other:?}", r.id),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_held_by_a_killed_worker_finishes_on_another() {
    let server = start_server();
    let queue = connect(&server).await;
    let (started, release) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let (s, r) = (started.clone(), release.clone());
    let hanging: TaskFn = Arc::new(move |_: &TaskJob| {
        s.store(true, Ordering::SeqCst);
        while !r.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok("late".into())
    });
    let a = spawn_with_task(&queue, "A", Some(hanging));
    let job = TaskJob::new("echo", "cell 1");
    let (id, status) = queue.enqueue_task(job.clone()).await.unwrap();
    assert_eq!(status, EnqueueStatus::Queued);
    assert_eq!(queue.enqueue_task(job).await.unwrap(), (id.clone(), EnqueueStatus::Duplicate));
    let start = Instant::now();
    while !started.load(Ordering::SeqCst) {
        assert!(start.elapsed() < Duration::from_secs(10), "A never took the task");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    a.task.abort(); // killed mid-task
    let b = spawn_with_task(&queue, "B", Some(echo("B")));
    let r = result(&queue, &id).await;
    assert_eq!((r.worker.as_str(), output_of(&r), r.delivered), ("B", "B:cell 1", 2));
    release.store(true, Ordering::SeqCst);
    let stats = b.stop().await;
    assert_eq!((stats.tasks, stats.proven), (1, 0));
    // A finished task is not queued again (a rerun of the sweep reuses it).
    let again = queue.enqueue_task(TaskJob::new("echo", "cell 1")).await.unwrap();
    assert_eq!(again, (id, EnqueueStatus::Finished));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_a_worker_does_not_run_goes_to_one_that_does_or_fails_with_the_reason() {
    let server = start_server();
    let cfg =
        QueueConfig { ack_wait: Duration::from_secs(1), max_deliver: 2, ..Default::default() };
    let queue = Queue::connect_with(&server.nats.url(), cfg).await.unwrap();
    let plain = spawn_with_task(&queue, "plain", None);
    let (id, _) = queue.enqueue_task(TaskJob::new("echo", "x")).await.unwrap();
    let r = result(&queue, &id).await;
    match &r.outcome {
        Outcome::Failed { error } => {
            assert!(error.contains("no worker that took it runs tasks of kind \"echo\""), "{error}")
        }
        other => panic!("expected a failure naming the kind: {other:?}"),
    }
    assert_eq!(r.delivered, 2, "handed back once, failed at the last delivery");
    let stats = plain.stop().await;
    assert_eq!((stats.retried, stats.failed), (1, 1));

    // Handed back by a worker without the kind, the task goes to one that has it.
    let plain = spawn_with_task(&queue, "plain", None);
    let (id, _) = queue.enqueue_task(TaskJob::new("echo", "y")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await; // plain takes it and hands it back
    assert_eq!(plain.stop().await.retried, 1);
    let echoing = spawn_with_task(&queue, "echo", Some(echo("E")));
    let r = result(&queue, &id).await;
    assert_eq!((r.worker.as_str(), output_of(&r), r.delivered), ("echo", "E:y", 2));
    echoing.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_job_is_skipped_and_a_late_proof_cannot_replace_the_cancellation() {
    let server = start_server();
    let queue = connect(&server).await;
    // Cancelled while still queued: the worker that takes it skips it without proving.
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let counting: provernet_fleet::ProverFn = Arc::new(move |_: &ProofJob| {
        c.fetch_add(1, Ordering::SeqCst);
        Ok(b"P".to_vec())
    });
    let (queued, _) = queue.enqueue(job(1, 1, 1_000)).await.unwrap();
    assert!(queue.cancel(&queued, "agent", "window closed at block 9".into()).await.unwrap());
    let w = spawn_worker(&queue, counting, WorkerConfig::named("W"));
    let (marker, _) = queue.enqueue(job(2, 1, 1_000)).await.unwrap();
    result(&queue, &marker).await; // the worker has gone past the cancelled job by now
    let stats = w.stop().await;
    assert_eq!((stats.skipped, stats.proven), (1, 1), "only the live job was proven");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let r = queue.result(&queued).await.unwrap().expect("the cancellation is the result");
    assert_eq!(r.worker, "agent");
    assert_eq!(r.outcome, Outcome::Expired { reason: "window closed at block 9".into() });
    assert_eq!(queue.depth().await.unwrap().queued, 0, "the skipped job was acked");

    // Cancelled while a worker proves it: the worker's late proof is dropped as a duplicate.
    let (started, release) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let (s, rel) = (started.clone(), release.clone());
    let slow: provernet_fleet::ProverFn = Arc::new(move |_: &ProofJob| {
        s.store(true, Ordering::SeqCst);
        while !rel.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(b"late".to_vec())
    });
    let w = spawn_worker(&queue, slow, WorkerConfig::named("slow"));
    let (busy, _) = queue.enqueue(job(3, 1, 1_000)).await.unwrap();
    let start = Instant::now();
    while !started.load(Ordering::SeqCst) {
        assert!(start.elapsed() < Duration::from_secs(10), "the worker never took the job");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(queue.cancel(&busy, "agent", "too late".into()).await.unwrap());
    release.store(true, Ordering::SeqCst);
    wait_until_acked(&queue).await;
    let stats = w.stop().await;
    assert_eq!((stats.proven, stats.duplicate_results), (1, 1));
    let kept = queue.result(&busy).await.unwrap().unwrap().outcome;
    assert_eq!(kept, Outcome::Expired { reason: "too late".into() });
    // Cancelling a job that already has its result stores nothing.
    assert!(!queue.cancel(&busy, "agent", "again".into()).await.unwrap());
}

async fn wait_until_acked(queue: &Queue) {
    let start = Instant::now();
    loop {
        let d = queue.depth().await.unwrap();
        if d.queued == 0 && d.in_flight == 0 {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "jobs still pending: {d:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
