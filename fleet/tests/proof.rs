//! A real Groth16 proof made by a worker through the queue verifies for exactly its inputs.

mod support;

use alloy_primitives::Address;
use provernet_fleet::{Outcome, WorkerConfig, zk_prover};
use provernet_zk::{KeySet, dev_ceremony_seed};
use std::sync::Arc;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_proves_through_the_queue_and_the_proof_verifies() {
    // The dev ceremony for the 1- and 2-batch circuits only: a fraction of a second.
    let keys = Arc::new(KeySet::dev_setup_counts(dev_ceremony_seed(), &[1, 2]).expect("dev setup"));
    let server = start_server();
    let queue = connect(&server).await;
    let w = spawn_worker(&queue, zk_prover(keys.clone()), WorkerConfig::named("zk"));

    let good = job(7, 2, 1_000);
    let (id, _) = queue.enqueue(good.clone()).await.unwrap();
    let r = result(&queue, &id).await;
    let Outcome::Proven { proof, .. } = r.outcome else { panic!("not proven: {:?}", r.outcome) };
    assert_eq!(proof.len(), provernet_zk::PROOF_BYTES);
    assert!(keys.verify(&good.inputs, &proof).unwrap(), "the queued proof verifies");
    let mut thief = good.inputs.clone();
    thief.prover = Address::repeat_byte(0x99);
    assert!(!keys.verify(&thief, &proof).unwrap(), "and only for the prover it was made for");

    // Data that does not match its commitment fails for good, with provernet-zk's explanation.
    let mut bad = job(20, 1, 1_000);
    bad.batches[0] = b"not the posted batch".to_vec().into();
    let (bad_id, _) = queue.enqueue(bad).await.unwrap();
    let r = result(&queue, &bad_id).await;
    match r.outcome {
        Outcome::Failed { error } => {
            assert!(error.contains("not to the posted commitment"), "{error}")
        }
        other => panic!("a mismatching batch must fail: {other:?}"),
    }
    assert_eq!(r.delivered, 1);
    let stats = w.stop().await;
    assert_eq!((stats.proven, stats.failed), (1, 1));
}
