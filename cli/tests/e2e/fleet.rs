//! A prover fleet over the real queue server: `prover run --queue URL` and `provernet worker`
//! processes sharing a `nats-server -js` (started per test; `make queue-server` installs it).

use provernet_fleet::{NatsServer, Queue, QueueConfig, SERVER_ENV};

use crate::common::*;

/// Redelivery timeout for these tests (agent, workers and the test's own connection agree).
const ACK_WAIT: &str = "2";

fn queue_server(env: &Env) -> NatsServer {
    let default = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv-nats/bin/nats-server");
    let bin = std::env::var_os(SERVER_ENV).map(PathBuf::from).unwrap_or(default);
    assert!(
        bin.is_file(),
        "the queue server {} is missing: run `make queue-server` or set {SERVER_ENV}; never skipped",
        bin.display()
    );
    let store = env.dir.path().join("nats");
    std::fs::create_dir_all(&store).unwrap();
    NatsServer::start(&bin, &store).expect("nats-server starts")
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

/// A free local address for a metrics endpoint.
fn metrics_addr() -> String {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string()
}

/// `GET /metrics` (HTTP/1.0: unchunked, closed after the body); panics unless it answers 200.
fn scrape(addr: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("metrics endpoint answers");
    stream.write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    assert!(head.contains(" 200"), "{head}");
    body.to_owned()
}

/// The value of an unlabelled series in a scrape.
fn value_of(body: &str, series: &str) -> f64 {
    body.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("series {series} not in the scrape:\n{body}"))
        .trim()
        .parse()
        .unwrap()
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
            .replace(r#""unbondingDelay": 50"#, r#""unbondingDelay": 100"#),
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
    // Every transaction of the restarted agent is accounted for: its epoch duties and the two
    // proof submissions, none sent twice.
    let second_run = log.rsplit("prover agent started").next().unwrap();
    let duties = second_run.matches(" committed").count() + second_run.matches(" revealed").count();
    assert_eq!(env.nonce(p.addr).await - nonce_before, duties as u64 + 2, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_without_a_result_by_its_deadline_is_dropped() {
    let env = Env::start().await;
    let server = queue_server(&env);
    let url = server.url();
    let (owner, provers) = env.deploy_with_provers(1).await;
    env.select_all(&provers).await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(9), "--fee", "10"]);
    let deadline = post["provingDeadline"].as_u64().unwrap();
    // No worker: the job waits in the queue until its window has closed.
    let agent = AgentProc::start(&env, &provers[0], &agent_args(&url));
    wait_for("the job queued", Duration::from_secs(60), || async {
        log_of(&agent).contains("proof job queued")
    })
    .await;
    env.mine_to(deadline).await;
    wait_for("the job dropped", Duration::from_secs(30), || async {
        log_of(&agent).contains("no result from the workers before the deadline")
    })
    .await;
    assert!(env.proven_events(1).await.is_empty());
    assert!(!log_of(&agent).contains("proved assigned"));
}
