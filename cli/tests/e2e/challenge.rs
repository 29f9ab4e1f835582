//! Data challenges (`batch challenge`, `batch answer`, `batch void`) and the agent that challenges
//! a batch whose data it can find neither in its batch-data directory nor on chain.

use crate::common::*;

/// The test params with a 6-block challenge window, no keeper share (a void pays the whole fee to
/// the prover) and an unbonding delay long enough for the new bound.
const CHALLENGE_PARAMS: &str = r#"{
  "commitBlocks": 10, "revealBlocks": 10,
  "minStake": "100", "maxWeightStake": "10000",
  "provingWindow": 5, "raceWindow": 5, "unbondingDelay": 80,
  "challengeWindow": 6, "keeperBps": 0
}"#;

/// A Groth16 deployment with two selected provers and one batch (fee 10) posted from `data`
/// whose file was then removed from the shared batch-data directory: nobody but the source's
/// own file holds it. Returns the env, the owner (the batch source), the assigned prover, the
/// source's data file and the post's JSON.
async fn withheld_batch(data: &[u8]) -> (Env, Key, Key, PathBuf, Value) {
    let env = Env::start().await;
    std::fs::write(env.dir.path().join("params.json"), CHALLENGE_PARAMS).unwrap();
    let (owner, provers) = env.deploy_with(2, "groth16").await;
    env.select_all(&provers).await;
    let file = env.dir.path().join("withheld.bin");
    std::fs::write(&file, data).unwrap();
    let post =
        env.ok(Some(&owner), &["batch", "post", "--data", file.to_str().unwrap(), "--fee", "10"]);
    std::fs::remove_file(post["batchData"].as_str().unwrap()).unwrap();
    let prover = key_of(&provers, post["prover"].as_str().unwrap());
    let prover = Key { hex: prover.hex.clone(), addr: prover.addr };
    (env, owner, prover, file, post)
}

/// Starts the assigned prover's agent, mines to the end of the batch's slot (the agent proves a
/// slot's batches once it is over) and waits for the agent's challenge.
async fn agent_challenges(env: &Env, prover: &Key, post: &Value) -> AgentProc {
    let agent = AgentProc::start(env, prover, &[]);
    env.mine_to(post["slot"]["lastBlock"].as_u64().unwrap()).await;
    let network = env.network();
    wait_for("the agent's challenge", Duration::from_secs(90), || async {
        network.batchOf(U256::from(1u64)).call().await.unwrap().status
            == provernet_cli::ops::status::CHALLENGED
    })
    .await;
    let log = strip_ansi(&std::fs::read_to_string(&agent.1).unwrap());
    assert!(log.contains("no data for the batch locally or on chain"), "{log}");
    assert!(log.contains("batch=1"), "{log}");
    agent
}

/// [`refused_with`] for a chain where an agent is running (its own commits and reveals mine
/// blocks): checks the exit status, the message and that `key` sent nothing. Returns stderr.
async fn refused_beside_agent(
    env: &Env,
    key: &Key,
    args: &[&str],
    status: i32,
    needle: &str,
) -> String {
    let nonce = env.nonce(key.addr).await;
    let (code, _, stderr) = env.outcome(Some(key), args);
    assert_eq!(code, Some(status), "{args:?}: exit status; stderr: {stderr}");
    assert!(stderr.contains(needle), "{args:?}: expected {needle:?} in: {stderr}");
    assert_eq!(env.nonce(key.addr).await, nonce, "{args:?} sent a transaction");
    stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_challenge_is_proven_from_the_chain() {
    let data = b"rollup batch withheld from the provers".to_vec();
    let (env, owner, prover, file, post) = withheld_batch(&data).await;
    let agent = agent_challenges(&env, &prover, &post).await;

    let status = env.ok(None, &["batch", "show", "1"]);
    assert_eq!(status["status"], "Challenged");
    let respond_by = status["respondBy"].as_u64().unwrap();
    assert!(env.human(None, &["batch", "status", "1"]).contains(&format!("by block {respond_by}")));

    // Bad input first: data that does not hash to the commitment, a void inside the window.
    let wrong = env.dir.path().join("wrong.bin");
    std::fs::write(&wrong, b"some other data").unwrap();
    let err = refused_beside_agent(
        &env,
        &owner,
        &["batch", "answer", "1", "--data", wrong.to_str().unwrap()],
        code::INPUT,
        "DataMismatch(batchId: 1, computed: 0x",
    )
    .await;
    assert!(
        err.contains(&format!("commitment: {}", post["commitment"].as_str().unwrap())),
        "{err}"
    );
    assert!(err.contains("Nothing was sent"), "{err}");
    refused_beside_agent(
        &env,
        &owner,
        &["batch", "void", "1"],
        code::STATE,
        &format!("ChallengeWindowOpen(batchId: 1, respondBy: {respond_by})"),
    )
    .await;

    // The source answers from another directory, so the prover can only find the data on chain.
    let elsewhere = env.dir.path().join("source-batches");
    let answered = env.ok(
        Some(&owner),
        &[
            "batch",
            "answer",
            "1",
            "--data",
            file.to_str().unwrap(),
            "--batch-data",
            elsewhere.to_str().unwrap(),
        ],
    );
    assert_eq!(answered["bytes"], data.len());
    let network = env.network();
    wait_for("the agent's proof", Duration::from_secs(120), || async {
        network.batchOf(U256::from(1u64)).call().await.unwrap().status
            == provernet_cli::ops::status::PROVEN
    })
    .await;
    let proven = env.proven_events(1).await;
    assert_eq!(proven.len(), 1);
    assert_eq!(proven[0].prover, prover.addr);
    // The agent wrote the data it read from the chain where its backend reads batch data.
    assert_eq!(std::fs::read(post["batchData"].as_str().unwrap()).unwrap(), data);
    drop(agent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_challenge_is_voided_and_pays_the_prover() {
    let (env, owner, prover, file, post) = withheld_batch(b"data nobody publishes").await;

    // Only the assigned prover may challenge.
    let err = env.fails(Some(&owner), &["batch", "challenge", "1"]);
    assert!(err.contains("NotAssignedProver(batchId: 1"), "{err}");

    let agent = agent_challenges(&env, &prover, &post).await;
    let respond_by = env.ok(None, &["batch", "status", "1"])["respondBy"].as_u64().unwrap();
    env.mine_to(respond_by).await;

    // Too late to answer: the error names the block that was the limit.
    refused_beside_agent(
        &env,
        &owner,
        &["batch", "answer", "1", "--data", file.to_str().unwrap()],
        code::STATE,
        &format!("ChallengeWindowClosed(batchId: 1, respondBy: {respond_by})"),
    )
    .await;

    let network = env.network();
    let before = U256::from(network.accountOf(prover.addr).call().await.unwrap().claimable);
    let voided = env.ok(Some(&owner), &["batch", "void", "1"]);
    assert_eq!(voided["compensation"], "10");
    assert_eq!(voided["keeperFee"], "0");
    let after = U256::from(network.accountOf(prover.addr).call().await.unwrap().claimable);
    assert_eq!(after - before, U256::from(10u64) * U256::from(10u64).pow(U256::from(18)));
    assert_eq!(env.ok(None, &["batch", "status", "1"])["status"], "Voided");
    let err = env.fails(Some(&owner), &["batch", "void", "1"]);
    assert!(err.contains("WrongBatchStatus(batchId: 1, status: Voided)"), "{err}");

    wait_for("the agent's log of the compensation", Duration::from_secs(60), || async {
        strip_ansi(&std::fs::read_to_string(&agent.1).unwrap()).contains("voided, its fee credited")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn challenge_commands_refuse_bad_input() {
    let env = Env::start().await;
    std::fs::write(env.dir.path().join("params.json"), CHALLENGE_PARAMS).unwrap();
    let (owner, provers) = env.deploy_with_provers(1).await;
    env.select_all(&provers).await;
    env.ok(Some(&owner), &["batch", "post", "--data-hex", "0x0102", "--fee", "10"]);
    // Not challenged: nothing to answer or void.
    rejected(&env, &owner, &["batch", "answer", "1", "--data-hex", "0x0102"], "WrongBatchStatus")
        .await;
    rejected(
        &env,
        &owner,
        &["batch", "void", "1"],
        "WrongBatchStatus(batchId: 1, status: Assigned)",
    )
    .await;
    rejected(&env, &owner, &["batch", "answer", "1", "--data-hex", "0xzz"], "not hex").await;
    rejected(&env, &owner, &["batch", "answer", "1", "--data-hex", ""], "empty").await;
    rejected(&env, &owner, &["batch", "challenge", "9"], "there is no batch 9").await;
    let (code, _, err) = env.outcome(Some(&owner), &["batch", "answer", "1"]);
    assert_eq!(code, Some(code::USAGE), "{err}");
}
