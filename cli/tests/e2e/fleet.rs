//! A prover fleet over the real queue server: `prover run --queue URL` and `provernet worker`
//! processes sharing a `nats-server -js` (started per test; `make queue-server` installs it).

use provernet_fleet::{NatsServer, Queue, QueueConfig};

use crate::common::*;

/// Redelivery timeout for these tests (agent, workers and the test's own connection agree).
const ACK_WAIT: &str = "2";

fn queue_server(env: &Env) -> NatsServer {
    start_queue_server(&env.dir.path().join("nats"))
}

async fn queue(url: &str) -> Queue {
    let cfg = QueueConfig { ack_wait: Duration::from_secs(2), ..QueueConfig::default() };
    Queue::connect_with(url, cfg).await.expect("the test connects to the queue")
}

/// A `provernet worker` child process, killed on drop (its log printed if the test fails).
struct WorkerProc(AgentProc);

impl WorkerProc {
    fn start(env: &Env, queue: &str, name: &str, delay_ms: u64) -> Self {
        Self::start_with(env, queue, name, delay_ms, &[])
    }

    fn start_with(env: &Env, queue: &str, name: &str, delay_ms: u64, extra: &[&str]) -> Self {
        let path = env.dir.path().join(format!("{name}.log"));
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&path).unwrap();
        let delay = delay_ms.to_string();
        let args = [
            "worker",
            "--queue",
            queue,
            "--name",
            name,
            "--proof",
            "insecure-dev",
            "--prove-delay-ms",
            &delay,
            "--queue-ack-wait-secs",
            ACK_WAIT,
        ];
        let mut cmd = env.command(None, &args);
        cmd.args(extra);
        cmd.stdout(Stdio::null()).stderr(log);
        Self(AgentProc(cmd.spawn().expect("worker starts"), path))
    }

    fn log(&self) -> String {
        strip_ansi(&std::fs::read_to_string(&self.0.1).unwrap_or_default())
    }
}

fn log_of(p: &AgentProc) -> String {
    strip_ansi(&std::fs::read_to_string(&p.1).unwrap_or_default())
}

fn agent_args(url: &str) -> Vec<&str> {
    vec!["--queue", url, "--queue-ack-wait-secs", ACK_WAIT, "--no-race"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_held_by_a_killed_worker_is_proven_by_the_other() {
    let env = Env::start().await;
    let server = queue_server(&env);
    let url = server.url();
    let (owner, provers) = env.deploy_with_provers(1).await;
    env.select_all(&provers).await;
    env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(9), "--fee", "10"]);
    // The first worker takes the job and would hold it for a minute.
    let mut slow = WorkerProc::start(&env, &url, "slow", 60_000);
    let (agent_metrics, worker_metrics) = (metrics_addr(), metrics_addr());
    let mut args = agent_args(&url);
    args.extend(["--metrics-addr", &agent_metrics]);
    let _agent = AgentProc::start(&env, &provers[0], &args);
    wait_for("the slow worker to take the job", Duration::from_secs(60), || async {
        slow.log().contains("proving")
    })
    .await;
    let fast = WorkerProc::start_with(&env, &url, "fast", 0, &["--metrics-addr", &worker_metrics]);
    // Give the fast worker time to connect: it must get the job only by redelivery.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(env.proven_events(1).await.is_empty());
    slow.0.kill();
    wait_for("the batch to be proven", Duration::from_secs(60), || async {
        !env.proven_events(1).await.is_empty()
    })
    .await;
    let log = fast.log();
    assert!(log.contains("delivered=2"), "the other worker got it as a redelivery: {log}");
    assert_eq!(env.proven_events(1).await.len(), 1);

    // Both endpoints report what happened.
    let worker = scrape(&worker_metrics);
    assert_eq!(value_of(&worker, "provernet_proofs_total"), 1.0, "{worker}");
    assert_eq!(value_of(&worker, "provernet_jobs_redelivered_total"), 1.0, "{worker}");
    assert_eq!(value_of(&worker, "provernet_proving_seconds_count"), 1.0, "{worker}");
    assert_eq!(value_of(&worker, "provernet_job_wait_seconds_count"), 1.0, "{worker}");
    let mut agent = String::new();
    wait_for("the agent's metrics of the proof", Duration::from_secs(10), || {
        agent = scrape(&agent_metrics);
        let done = value_of(&agent, "provernet_assignments_proven_total") == 1.0;
        async move { done }
    })
    .await;
    assert_eq!(value_of(&agent, "provernet_assignments_won_total"), 1.0, "{agent}");
    assert_eq!(value_of(&agent, "provernet_jobs_enqueued_total"), 1.0, "{agent}");
    assert!(value_of(&agent, "provernet_commits_total") >= 1.0, "{agent}");
    assert_eq!(value_of(&agent, "provernet_stake_tokens"), 1000.0, "{agent}");
    assert!(value_of(&agent, "provernet_reputation") > 0.0, "{agent}");
    assert_eq!(value_of(&agent, "provernet_penalties_total{cause=\"non_reveal\"}"), 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_agent_submits_every_proof_made_meanwhile_exactly_once() {
    let env = Env::start().await;
    std::fs::write(
        env.dir.path().join("params.json"),
        PARAMS
            .replace(r#""provingWindow": 5"#, r#""provingWindow": 30"#)
            .replace(r#""unbondingDelay": 60"#, r#""unbondingDelay": 110"#),
    )
    .unwrap();
    let server = queue_server(&env);
    let url = server.url();
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    env.select_all(&provers).await;
    for i in 0..3u8 {
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(i + 1), "--fee", "10"]);
    }
    // No worker yet: the agent queues the jobs (1..3 as 2 + 1) and is killed.
    let mut agent = AgentProc::start(&env, p, &agent_args(&url));
    wait_for("both jobs queued", Duration::from_secs(60), || async {
        log_of(&agent).matches("proof job queued").count() == 2
    })
    .await;
    agent.kill();
    let q = queue(&url).await;
    assert_eq!(q.depth().await.unwrap().queued, 2, "the jobs wait in the queue");
    // A worker proves them while the agent is down; the results wait in the queue too.
    let worker = WorkerProc::start(&env, &url, "w1", 0);
    wait_for("both jobs proven", Duration::from_secs(60), || async {
        let d = q.depth().await.unwrap();
        d.queued == 0 && d.in_flight == 0 && worker.log().matches("proving").count() == 2
    })
    .await;
    let nonce_before = env.nonce(p.addr).await;
    let agent = AgentProc::start(&env, p, &agent_args(&url));
    wait_for("batches 1..3 proven", Duration::from_secs(60), || async {
        let mut all = true;
        for id in 1..=3 {
            all &= !env.proven_events(id).await.is_empty();
        }
        all
    })
    .await;
    wait_for("the agent to log both submissions", Duration::from_secs(10), || async {
        log_of(&agent).matches("proved assigned batch(es)").count() == 2
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let log = log_of(&agent);
    for id in 1..=3 {
        assert_eq!(env.proven_events(id).await.len(), 1, "batch {id} proven once");
    }
    assert_eq!(log.matches("proved assigned batch(es)").count(), 2, "{log}");
    assert_eq!(worker.log().matches("proving").count(), 2, "nothing proven twice");
    // Every transaction of the restarted agent is accounted for: its epoch duties (a seed it
    // fixed included) and the two proof submissions, none sent twice.
    let second_run = log.rsplit("prover agent started").next().unwrap();
    let duties = second_run.matches(" committed").count()
        + second_run.matches(" revealed").count()
        + second_run.matches("finalized the seed").count();
    assert_eq!(env.nonce(p.addr).await - nonce_before, duties as u64 + 2, "{log}");
}

/// The agent's cancellation warning for batch `id` whose window closed at `deadline`.
fn cancellation_line(log: &str, id: u64, deadline: u64) -> String {
    let line = log
        .lines()
        .find(|l| l.contains("proof job cancelled"))
        .unwrap_or_else(|| panic!("no cancellation in the log:\n{log}"))
        .to_owned();
    assert!(line.contains("WARN"), "{line}");
    for field in [format!("first={id} "), format!("last={id} "), format!("deadline={deadline} ")] {
        assert!(line.contains(&field), "{field} missing in {line}");
    }
    line
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_job_whose_window_closes_is_cancelled_and_no_worker_proves_it() {
    let env = Env::start().await;
    let server = queue_server(&env);
    let url = server.url();
    let (owner, provers) = env.deploy_with_provers(1).await;
    env.select_all(&provers).await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(9), "--fee", "10"]);
    let deadline = post["provingDeadline"].as_u64().unwrap();
    // No worker: the job waits in the queue until its window has closed.
    let metrics = metrics_addr();
    let mut args = agent_args(&url);
    args.extend(["--metrics-addr", &metrics]);
    let agent = AgentProc::start(&env, &provers[0], &args);
    wait_for("the job queued", Duration::from_secs(60), || async {
        log_of(&agent).contains("proof job queued")
    })
    .await;
    env.mine_to(deadline).await;
    wait_for("the job cancelled", Duration::from_secs(60), || async {
        log_of(&agent).contains("proof job cancelled")
    })
    .await;
    cancellation_line(&log_of(&agent), 1, deadline);
    assert_eq!(value_of(&scrape(&metrics), "provernet_jobs_cancelled_total"), 1.0);
    // A worker (without chain access, so it cannot tell the deadline passed) arriving now finds
    // the cancellation stored as the job's result and skips it instead of proving for nothing.
    let worker = WorkerProc::start(&env, &url, "late", 0);
    wait_for("the worker to skip the job", Duration::from_secs(60), || async {
        worker.log().contains("the job already has a result; skipped")
    })
    .await;
    assert!(!worker.log().contains("proving"), "{}", worker.log());
    assert!(env.proven_events(1).await.is_empty());
    assert!(!log_of(&agent).contains("proved assigned"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_a_worker_is_still_proving_when_its_window_closes_is_never_submitted() {
    let env = Env::start().await;
    let server = queue_server(&env);
    let url = server.url();
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    env.select_all(&provers).await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(9), "--fee", "10"]);
    let deadline = post["provingDeadline"].as_u64().unwrap();
    // The worker needs 6 s per proof; the window closes while it proves.
    let worker = WorkerProc::start(&env, &url, "slow", 6_000);
    let metrics = metrics_addr();
    let mut args = agent_args(&url);
    args.extend(["--metrics-addr", &metrics]);
    let agent = AgentProc::start(&env, p, &args);
    wait_for("the worker to take the job", Duration::from_secs(60), || async {
        worker.log().contains("proving")
    })
    .await;
    env.mine_to(deadline).await;
    wait_for("the job cancelled", Duration::from_secs(60), || async {
        log_of(&agent).contains("proof job cancelled")
    })
    .await;
    cancellation_line(&log_of(&agent), 1, deadline);
    let nonce = env.nonce(p.addr).await;
    // The worker finishes: its proof cannot replace the cancellation, and nothing is submitted.
    wait_for("the worker's late proof dropped", Duration::from_secs(60), || async {
        worker.log().contains("the job already had a result; dropped this one")
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(env.proven_events(1).await.is_empty());
    let log = log_of(&agent);
    assert!(!log.contains("proved assigned") && !log.contains("proof not sent"), "{log}");
    // Only epoch duties may have been sent since (no proof transaction).
    let since = log.rsplit("proof job cancelled").next().unwrap();
    let duties = (since.matches(" committed").count() + since.matches(" revealed").count()) as u64;
    assert_eq!(env.nonce(p.addr).await - nonce, duties, "{log}");
    assert_eq!(value_of(&scrape(&metrics), "provernet_jobs_cancelled_total"), 1.0);
}
