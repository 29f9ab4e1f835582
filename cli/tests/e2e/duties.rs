//! `provernet prover run`: duties that never wait for proving, penalties reported, start-up
//! retries and RPC failover.

use crate::common::*;

/// The agent's log so far, without colour codes.
fn log_of(agent: &AgentProc) -> String {
    strip_ansi(&std::fs::read_to_string(&agent.1).unwrap_or_default())
}

async fn wait_commit(env: &Env, who: Address, epoch: u64) {
    let net = env.network();
    wait_for(&format!("a commitment in epoch {epoch}"), Duration::from_secs(60), || async {
        let a = net.accountOf(who).call().await.unwrap();
        u64::from(a.commitEpoch) == epoch && !a.commitHash.is_zero()
    })
    .await;
}

async fn wait_reveal(env: &Env, who: Address, epoch: u64) {
    let net = env.network();
    wait_for(&format!("the reveal of epoch {epoch}"), Duration::from_secs(60), || async {
        let a = net.accountOf(who).call().await.unwrap();
        u64::from(a.commitEpoch) == epoch
            && a.commitHash.is_zero()
            && net.rollOf(U256::from(epoch)).call().await.unwrap().count == U256::from(1)
    })
    .await;
}

/// Drives `epochs` epochs from the start of the current one: waits for the agent's commit, moves to
/// the reveal phase, waits for its reveal, moves to the next epoch.
async fn every_epoch_committed_and_revealed(env: &Env, who: Address, first: u64, epochs: u64) {
    for epoch in first..first + epochs {
        wait_commit(env, who, epoch).await;
        let reveal_from = env.epoch()["phaseEndsAt"].as_u64().unwrap();
        env.mine_to(reveal_from - 1).await;
        wait_reveal(env, who, epoch).await;
        env.next_epoch_start().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proof_slower_than_an_epoch_does_not_stop_commits_and_reveals() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let epoch = env.select_all(&provers).await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(9), "--fee", "10"]);
    assert_eq!(post["prover"].as_str().unwrap().parse::<Address>().unwrap(), p.addr);
    let stake = env.ok(Some(p), &["prover", "status"])["stake"].clone();
    // Every proving round takes 10 minutes: far longer than the three epochs below.
    let agent = AgentProc::start(&env, p, &["--prove-delay-ms", "600000", "--no-race"]);
    // The agent proves a slot's batches once the slot is over: end the slot, and let it start the
    // proof before the epochs below move the chain past the window.
    env.mine_to(post["slot"]["lastBlock"].as_u64().unwrap() + 1).await;
    wait_for("the proof to start", Duration::from_secs(60), || async {
        log_of(&agent).contains("handed proof jobs")
    })
    .await;
    // select_all stopped one block before epoch + 1; the post landed in its first block.
    every_epoch_committed_and_revealed(&env, p.addr, epoch + 1, 3).await;
    assert!(env.proven_events(1).await.is_empty(), "the proof is still being made");
    let log = log_of(&agent);
    assert!(log.contains("handed proof jobs"), "the proof was started: {log}");
    for e in epoch + 1..epoch + 4 {
        assert!(log.contains(&format!("committed agent=prover epoch={e} ")), "epoch {e}: {log}");
        assert!(log.contains(&format!("revealed agent=prover epoch={e} ")), "epoch {e}: {log}");
    }
    assert!(!log.contains("PENALISED"), "{log}");
    assert_eq!(env.ok(Some(p), &["prover", "status"])["stake"], stake, "never penalised");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proof_still_being_made_when_its_window_closes_is_cancelled_and_discarded() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    env.select_all(&provers).await;
    let post =
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(9), "--fee", "10"]);
    let deadline = post["provingDeadline"].as_u64().unwrap();
    // Every proving round takes 6 s: the window closes while the proof is being made.
    let metrics = metrics_addr();
    let agent = AgentProc::start(
        &env,
        p,
        &["--prove-delay-ms", "6000", "--no-race", "--metrics-addr", &metrics],
    );
    env.mine_to(post["slot"]["lastBlock"].as_u64().unwrap() + 1).await;
    wait_for("the proof to start", Duration::from_secs(60), || async {
        log_of(&agent).contains("handed proof jobs")
    })
    .await;
    env.mine_to(deadline).await;
    wait_for("the job cancelled", Duration::from_secs(60), || async {
        log_of(&agent).contains("proof job cancelled")
    })
    .await;
    let log = log_of(&agent);
    let line = log.lines().find(|l| l.contains("proof job cancelled")).unwrap();
    assert!(line.contains("WARN"), "{line}");
    for field in ["first=1 ", "last=1 ", &format!("deadline={deadline} ")] {
        assert!(line.contains(field), "{field} missing in {line}");
    }
    assert_eq!(value_of(&scrape(&metrics), "provernet_jobs_cancelled_total"), 1.0);
    // The proof comes back later and is dropped on arrival, not handed to a submission.
    wait_for("the late proof discarded", Duration::from_secs(60), || async {
        log_of(&agent).contains("discarding the late result of a cancelled proof job")
    })
    .await;
    let log = log_of(&agent);
    assert!(!log.contains("proof not sent") && !log.contains("proved assigned"), "{log}");
    assert!(env.proven_events(1).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_reveal_penalty_is_logged_with_its_cause_and_amount() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let epoch = env.next_epoch_start().await;
    env.ok(Some(p), &["epoch", "commit"]);
    // The reveal phase passes without a reveal; the agent's next commit applies the penalty.
    env.next_epoch_start().await;
    let before = stake_of(&env, p);
    let agent = AgentProc::start(&env, p, &[]);
    wait_commit(&env, p.addr, epoch + 1).await;
    wait_for("the penalty warning", Duration::from_secs(60), || async {
        log_of(&agent).contains("PENALISED")
    })
    .await;
    let after = stake_of(&env, p);
    let lost = before - after;
    assert!(lost > 0.0, "the stake went down: {before} -> {after}");
    let log = log_of(&agent);
    let line = log.lines().find(|l| l.contains("PENALISED")).unwrap();
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains("non_reveal"), "{line}");
    assert!(line.contains(&format!("committed in epoch {epoch} but did not reveal")), "{line}");
    assert!(line.contains(&format!("amount={lost} ")), "{lost} in {line}");
    assert_eq!(log.matches("PENALISED").count(), 1, "reported once: {log}");
}

/// The `PENALISED` warning lines of the agent's log.
fn penalty_lines(agent: &AgentProc) -> Vec<String> {
    log_of(agent).lines().filter(|l| l.contains("PENALISED")).map(str::to_owned).collect()
}

/// The prover's stake in whole tokens.
fn stake_of(env: &Env, p: &Key) -> f64 {
    env.ok(Some(p), &["prover", "status"])["stake"].as_str().unwrap().parse().unwrap()
}

/// The reputation before and after, as the warning reports them.
fn reputation_change(line: &str) -> (u64, u64) {
    let field = |name: &str| -> u64 {
        let rest =
            line.split(&format!("{name}=")).nth(1).unwrap_or_else(|| panic!("{name}: {line}"));
        rest.split(' ').next().unwrap().parse().unwrap()
    };
    (field("reputation_before"), field("reputation_after"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missed_proofs_are_logged_with_their_cause_and_amount_and_counted() {
    let env = Env::start().await;
    let (owner, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    env.select_all(&provers).await;
    // Two slots' batches, both the prover's, their deadlines in one epoch: the first miss is
    // slashed, the second costs reputation only (one slash per epoch).
    let post = |n: u8| {
        env.ok(Some(&owner), &["batch", "post", "--commitment", &commitment(n), "--fee", "10"])
    };
    let b1 = post(1);
    env.next_slot_start(2).await;
    let b2 = post(2);
    assert_ne!(b1["slot"], b2["slot"]);
    for b in [&b1, &b2] {
        assert_eq!(b["prover"].as_str().unwrap().parse::<Address>().unwrap(), p.addr);
    }
    // Every proving round takes 10 minutes: both windows close first.
    let metrics = metrics_addr();
    let agent = AgentProc::start(
        &env,
        p,
        &["--prove-delay-ms", "600000", "--no-race", "--metrics-addr", &metrics],
    );
    // Each slot's batch is handed to the prover once its slot is over (one line or two).
    wait_for("both proofs to start", Duration::from_secs(60), || async {
        let log = log_of(&agent);
        let handed = log.lines().filter(|l| l.contains("handed proof jobs"));
        handed
            .map(|l| l.split("batches=").nth(1).unwrap().split(' ').next().unwrap())
            .map(|n| n.parse::<u64>().unwrap())
            .sum::<u64>()
            == 2
    })
    .await;
    let before = stake_of(&env, p);
    env.mine_to(b2["provingDeadline"].as_u64().unwrap()).await;
    let slash = env.ok(Some(&owner), &["batch", "timeout", "1"]);
    let amount = slash["slashed"]["amount"].as_str().unwrap().to_owned();
    let capped = env.ok(Some(&owner), &["batch", "timeout", "2"]);
    assert!(capped["slashed"].is_null(), "{capped}");
    assert_eq!(capped["capped"]["prover"], format!("{:#x}", p.addr), "{capped}");
    wait_for("both penalty warnings", Duration::from_secs(60), || async {
        penalty_lines(&agent).len() == 2
    })
    .await;
    let lost = before - stake_of(&env, p);
    assert!(
        lost > 0.0 && lost == amount.parse::<f64>().unwrap(),
        "{before}: lost {lost}, slashed {amount}"
    );

    let lines = penalty_lines(&agent);
    let (slashed, spared) = (&lines[0], &lines[1]);
    assert!(slashed.contains("WARN") && slashed.contains("cause=\"missed_proof\""), "{slashed}");
    assert!(slashed.contains(&format!("amount={lost} ")), "{lost} in {slashed}");
    assert!(slashed.contains("the proof of assigned batch 1 was not submitted"), "{slashed}");
    assert!(
        spared.contains("WARN") && spared.contains("cause=\"missed_proof_capped\""),
        "{spared}"
    );
    assert!(spared.contains("amount=0 "), "{spared}");
    assert!(
        spared.contains("assigned batch 2") && spared.contains("one slash per epoch"),
        "{spared}"
    );
    // Each lowered the reputation (between the two it decays back towards its initial value).
    for line in [slashed, spared] {
        let (before, after) = reputation_change(line);
        assert!(after < before, "{line}");
        assert!(line.contains(&format!("reputation {before} -> {after}")), "{line}");
    }

    let body = scrape(&metrics);
    let series = |cause: &str| format!("provernet_penalties_total{{cause=\"{cause}\"}}");
    assert_eq!(value_of(&body, &series("missed_proof")), 1.0);
    assert_eq!(value_of(&body, &series("missed_proof_capped")), 1.0);
    assert_eq!(value_of(&body, &series("non_reveal")), 0.0);
    assert_eq!(value_of(&body, "provernet_penalised_tokens{cause=\"missed_proof\"}"), lost);
    assert_eq!(value_of(&body, "provernet_penalised_tokens{cause=\"missed_proof_capped\"}"), 0.0);
    assert_eq!(value_of(&body, "provernet_assignments_missed_total"), 2.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_fixes_a_seed_nobody_fixed_and_leaves_a_fixed_one_alone() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let epoch = env.select_all(&provers).await;
    // Nobody acts in epoch + 1's commit phase: the agent starts in its reveal phase, where it has
    // no commit or reveal to make, and finds the seed of epoch's list unfixed.
    let reveal_start = env.epoch()["phaseEndsAt"].as_u64().unwrap() + 10;
    env.mine_to(reveal_start - 1).await;
    assert_eq!(env.epoch()["seedFixed"], false);
    let nonce = env.nonce(p.addr).await;
    let agent = AgentProc::start(&env, p, &["--no-race"]);
    let net = env.network();
    wait_for("the seed fixed", Duration::from_secs(60), || async {
        !net.seedOf(U256::from(epoch)).call().await.unwrap().is_zero()
    })
    .await;
    wait_for("the agent to log it", Duration::from_secs(60), || async {
        log_of(&agent).contains("finalized the seed")
    })
    .await;
    let line =
        log_of(&agent).lines().find(|l| l.contains("finalized the seed")).unwrap().to_owned();
    assert!(line.contains(&format!("finalized the seed of epoch {}'s draws", epoch + 1)), "{line}");
    assert!(line.contains(&format!("list={epoch} ")) && line.contains("eligible=1 "), "{line}");
    assert_eq!(env.nonce(p.addr).await, nonce + 1, "the agent sent finalizeSeed, nothing else");

    // In the next epoch its commit fixes the seed: no finalizeSeed besides it.
    let next = env.next_epoch_start().await;
    wait_commit(&env, p.addr, next).await;
    assert!(!net.seedOf(U256::from(next - 1)).call().await.unwrap().is_zero());
    env.mine_to(env.block().await + 3).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(log_of(&agent).matches("finalized the seed").count(), 1);
    assert_eq!(env.nonce(p.addr).await, nonce + 2, "finalizeSeed, then the commit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_waits_for_a_node_that_is_down_at_start_up() {
    let mut env = Env::start().await;
    let state = env.dir.path().join("anvil-state.json");
    let state_arg = state.to_str().unwrap().to_string();
    let port = env.anvil.port;
    env.anvil.kill();
    env.anvil = Anvil::spawn_with(Some(port), None, &["--state", &state_arg]).unwrap();
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let epoch = env.next_epoch_start().await;
    env.anvil.terminate();
    let agent = AgentProc::start(&env, p, &[]);
    wait_for("the agent to retry", Duration::from_secs(60), || async {
        log_of(&agent).contains("not reachable at start-up; retrying")
    })
    .await;
    let mut back = None;
    for _ in 0..50 {
        match Anvil::spawn_with(Some(port), None, &["--state", &state_arg]) {
            Ok(a) => {
                back = Some(a);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    env.anvil = back.expect("anvil restarts on the same port");
    wait_commit(&env, p.addr, epoch).await;
}

/// A TCP forwarder in front of anvil: a second endpoint to the same chain that the test can kill.
struct Proxy {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(to: u16) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { return };
                conns.spawn(async move {
                    if let Ok(mut out) = tokio::net::TcpStream::connect(("127.0.0.1", to)).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
            }
        });
        Self { url, task }
    }

    /// Closes the listener and every forwarded connection (the JoinSet aborts them on drop).
    async fn kill(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_fails_over_to_the_second_endpoint() {
    let env = Env::start().await;
    let (_, provers) = env.deploy_with_provers(1).await;
    let p = &provers[0];
    let epoch = env.next_epoch_start().await;
    let proxy = Proxy::start(env.anvil.port).await;
    let urls = format!("{},{}", proxy.url, env.anvil.url);
    let agent = AgentProc::start(&env, p, &["--rpc-url", &urls]);
    wait_commit(&env, p.addr, epoch).await;
    assert!(!log_of(&agent).contains("failing over"), "the first endpoint worked");
    proxy.kill().await;
    let reveal_from = env.epoch()["phaseEndsAt"].as_u64().unwrap();
    env.mine_to(reveal_from - 1).await;
    wait_reveal(&env, p.addr, epoch).await;
    let log = log_of(&agent);
    assert!(log.contains("failing over"), "{log}");
    assert!(log.contains(&format!("to={}", env.anvil.url)), "{log}");
}
