//! Prove/verify behaviour of the batch circuit: valid proofs verify, and changing any bound value
//! (prover, network, chain, batch id, commitments, batch count) makes verification fail; padded
//! proofs bind exactly their own count.

use alloy_primitives::{Address, B256, U256, address};
use ark_bn254::Fr;
use ark_ff::Field;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use provernet_zk::{
    BatchCircuit, COUNT_SHIFT, KeySet, MAX_BATCH_COUNT, PROOF_BYTES, ProofRequest, PublicInputs,
    ZkError, batch_commitment, circuit_size, dev_ceremony_seed, plan_proofs,
    poseidon::{MAX_BATCH_BYTES, commit_elements, encode_batch},
};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::OnceLock;

const NETWORK: Address = address!("0x5FbDB2315678afecb367f032d93F642f64180aa3");
const PROVER: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
const THIEF: Address = address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");

fn keys() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| KeySet::dev_setup_counts(dev_ceremony_seed(), &[1, 4]).expect("dev setup"))
}

fn batch_data(id: u64) -> Vec<u8> {
    format!("rollup batch {id}: state root 0x{id:064x}").into_bytes()
}

fn request(first_batch_id: u64, count: usize) -> ProofRequest {
    let batches: Vec<Vec<u8>> = (0..count as u64).map(|i| batch_data(first_batch_id + i)).collect();
    let commitments = batches.iter().map(|d| batch_commitment(d).unwrap()).collect();
    ProofRequest {
        inputs: PublicInputs {
            chain_id: 31337,
            network: NETWORK,
            prover: PROVER,
            first_batch_id,
            commitments,
        },
        batches,
    }
}

fn prove(req: &ProofRequest) -> Vec<u8> {
    keys().prove_with_rng(req, &mut ChaCha20Rng::seed_from_u64(7)).expect("proving succeeds")
}

#[test]
fn one_batch_proof_verifies_only_for_its_inputs() {
    let req = request(1, 1);
    let proof = prove(&req);
    assert_eq!(proof.len(), PROOF_BYTES);
    assert!(keys().verify(&req.inputs, &proof).unwrap());

    let mut other = req.inputs.clone();
    other.prover = THIEF;
    assert!(!keys().verify(&other, &proof).unwrap(), "a proof must not verify for another prover");

    let mut other = req.inputs.clone();
    other.network = THIEF;
    assert!(!keys().verify(&other, &proof).unwrap(), "bound to the network");

    let mut other = req.inputs.clone();
    other.chain_id += 1;
    assert!(!keys().verify(&other, &proof).unwrap(), "bound to the chain");

    let mut other = req.inputs.clone();
    other.first_batch_id += 1;
    assert!(!keys().verify(&other, &proof).unwrap(), "bound to the batch id");

    let mut other = req.inputs.clone();
    other.commitments[0] = batch_commitment(b"some other batch").unwrap();
    assert!(!keys().verify(&other, &proof).unwrap(), "bound to the commitment");
}

#[test]
fn four_batch_proof_binds_every_commitment_in_order() {
    let req = request(10, 4);
    let proof = prove(&req);
    assert!(keys().verify(&req.inputs, &proof).unwrap());

    for i in 0..4 {
        let mut other = req.inputs.clone();
        other.commitments[i] = batch_commitment(b"not this batch").unwrap();
        assert!(!keys().verify(&other, &proof).unwrap(), "commitment {i} is bound");
    }
    let mut swapped = req.inputs.clone();
    swapped.commitments.swap(1, 2);
    assert!(!keys().verify(&swapped, &proof).unwrap(), "order is bound");

    let mut other = req.inputs.clone();
    other.prover = THIEF;
    assert!(!keys().verify(&other, &proof).unwrap());
}

#[test]
fn prove_many_runs_jobs_in_parallel_and_keeps_order() {
    let reqs: Vec<ProofRequest> = vec![request(1, 1), request(2, 4), request(6, 1)];
    let proofs = keys().prove_many(&reqs);
    assert_eq!(proofs.len(), 3);
    for (req, proof) in reqs.iter().zip(&proofs) {
        assert!(keys().verify(&req.inputs, proof.as_ref().unwrap()).unwrap());
    }
    // Proofs are not interchangeable between jobs.
    assert!(!keys().verify(&reqs[0].inputs, proofs[2].as_ref().unwrap()).unwrap());
}

#[test]
fn prover_refuses_data_that_does_not_match_the_commitment() {
    let mut req = request(1, 1);
    req.batches[0] = b"tampered".to_vec();
    let err = keys().prove_with_rng(&req, &mut ChaCha20Rng::seed_from_u64(1)).unwrap_err();
    assert!(matches!(err, ZkError::CommitmentMismatch { index: 0, .. }), "{err}");

    let mut req = request(1, 1);
    req.batches.push(vec![]);
    let err = keys().prove_with_rng(&req, &mut ChaCha20Rng::seed_from_u64(1)).unwrap_err();
    assert!(matches!(err, ZkError::BatchCountMismatch { commitments: 1, batches: 2 }), "{err}");

    let req = request(1, MAX_BATCH_COUNT + 1);
    let err = keys().prove_with_rng(&req, &mut ChaCha20Rng::seed_from_u64(1)).unwrap_err();
    assert!(matches!(err, ZkError::UnsupportedBatchCount { count: 17, max: 16 }), "{err}");
    let err = keys().prove_with_rng(&request(1, 0), &mut ChaCha20Rng::seed_from_u64(1));
    assert!(matches!(err, Err(ZkError::UnsupportedBatchCount { count: 0, max: 16 })));

    // The key set holds sizes 1 and 4: 2 batches need the 2-slot circuit, which is missing.
    let req = request(1, 2);
    let err = keys().prove_with_rng(&req, &mut ChaCha20Rng::seed_from_u64(1)).unwrap_err();
    assert!(matches!(err, ZkError::MissingKey { count: 2, size: 2 }), "{err}");
}

#[test]
fn malformed_inputs_and_proofs_are_errors_not_false() {
    let req = request(1, 1);
    let proof = prove(&req);

    let err = keys().verify(&req.inputs, &proof[..255]).unwrap_err();
    assert!(err.to_string().contains("255 bytes"), "{err}");

    // A.x = p: not a field element.
    let mut bad = proof.clone();
    bad[..32].copy_from_slice(&provernet_zk_p());
    let err = keys().verify(&req.inputs, &bad).unwrap_err();
    assert!(err.to_string().contains("A.x"), "{err}");

    // A = (1, 3): coordinates in range but 3^2 != 1^3 + 3.
    let mut bad = proof.clone();
    bad[..64].copy_from_slice(
        &[U256::from(1).to_be_bytes::<32>(), U256::from(3).to_be_bytes::<32>()].concat(),
    );
    let err = keys().verify(&req.inputs, &bad).unwrap_err();
    assert!(err.to_string().contains("point A is not on the curve"), "{err}");

    // B with one coordinate changed: off the twist.
    let mut bad = proof.clone();
    bad[64 + 31] ^= 1;
    let err = keys().verify(&req.inputs, &bad).unwrap_err();
    assert!(err.to_string().contains("point B"), "{err}");

    // Commitment = r: out of the scalar field.
    let mut inputs = req.inputs.clone();
    inputs.commitments[0] = B256::from(scalar_modulus());
    let err = keys().verify(&inputs, &proof).unwrap_err();
    assert!(matches!(err, ZkError::CommitmentNotInField { index: 0, .. }), "{err}");
}

#[test]
fn public_input_packing_is_bounded_and_injective() {
    let too_big = U256::from(1) << 64;
    let err =
        PublicInputs::from_chain(U256::from(1), NETWORK, PROVER, too_big, vec![]).unwrap_err();
    assert!(err.to_string().contains("first batch id"), "{err}");
    let err =
        PublicInputs::from_chain(too_big, NETWORK, PROVER, U256::from(1), vec![]).unwrap_err();
    assert!(err.to_string().contains("chain id"), "{err}");

    let inputs =
        PublicInputs::from_chain(U256::from(5), NETWORK, PROVER, U256::from(9), vec![B256::ZERO])
            .unwrap();
    let words = inputs.to_words().unwrap();
    assert_eq!(words[0], U256::from_be_slice(NETWORK.as_slice()) | (U256::from(5) << 160));
    assert_eq!(
        words[1],
        U256::from_be_slice(PROVER.as_slice()) | (U256::from(9) << 160) | (U256::from(1) << 224)
    );
    assert_eq!(words[2], U256::ZERO);
    assert_eq!(words.len(), 3);
}

#[test]
fn padding_rule_pads_to_the_next_circuit_size_and_packs_the_count() {
    let sizes: Vec<usize> = (1..=16).map(|n| circuit_size(n).unwrap()).collect();
    assert_eq!(sizes, [1, 2, 4, 4, 8, 8, 8, 8, 16, 16, 16, 16, 16, 16, 16, 16]);
    assert!(matches!(circuit_size(0), Err(ZkError::UnsupportedBatchCount { count: 0, max: 16 })));
    assert!(matches!(circuit_size(17), Err(ZkError::UnsupportedBatchCount { count: 17, .. })));

    let c = |i: u8| B256::repeat_byte(i & 0x0f);
    let inputs = |n: u8| PublicInputs {
        chain_id: 1,
        network: NETWORK,
        prover: PROVER,
        first_batch_id: 2,
        commitments: (1..=n).map(c).collect(),
    };
    let three = inputs(3).to_words().unwrap();
    assert_eq!(three.len(), 2 + 4, "3 batches use the 4-slot circuit");
    assert_eq!(three[1] >> COUNT_SHIFT, U256::from(3), "the count is packed in input 1");
    assert_eq!(three[5], U256::ZERO, "the padding commitment is zero");
    // The same three commitments plus a zero fourth: same circuit, same commitment words, but a
    // different count, so the inputs (and any proof) differ.
    let mut four = inputs(3);
    four.commitments.push(B256::ZERO);
    let four = four.to_words().unwrap();
    assert_eq!(four[2..], three[2..]);
    assert_ne!(four[1], three[1]);
    assert_eq!(inputs(16).to_words().unwrap().len(), 18);
}

#[test]
fn three_batches_prove_in_the_padded_four_slot_circuit_and_bind_their_count() {
    let req = request(20, 3);
    let proof = prove(&req);
    assert!(keys().verify(&req.inputs, &proof).unwrap());

    // The attempt the padding rule must defeat: present the 3-batch proof as a 4-batch proof whose
    // 4th commitment is the zero padding value.
    let mut as_four = req.inputs.clone();
    as_four.commitments.push(B256::ZERO);
    assert!(!keys().verify(&as_four, &proof).unwrap(), "a 3-batch proof is not a 4-batch proof");
    // Or as a 2-batch proof of its first two commitments (this uses the missing 2-slot key, so
    // check it in the 4-slot circuit's terms: the same words with count 2 and a zero 3rd slot).
    let mut words = req.inputs.to_field_elements().unwrap();
    words[1] -= Fr::from(1u64) * Fr::from(2u64).pow([COUNT_SHIFT as u64]);
    words[4] = Fr::from(0u64);
    let vk = keys().verifying_key(3).unwrap();
    let decoded = provernet_zk::proof::decode_proof(&proof).unwrap();
    use ark_snark::SNARK;
    assert!(!ark_groth16::Groth16::<ark_bn254::Bn254>::verify(vk, &words, &decoded).unwrap());

    for i in 0..3 {
        let mut other = req.inputs.clone();
        other.commitments[i] = batch_commitment(b"not this batch").unwrap();
        assert!(!keys().verify(&other, &proof).unwrap(), "commitment {i} is bound");
    }
}

#[test]
fn circuit_rejects_a_count_that_disagrees_with_the_slots() {
    let elements: Vec<_> = (0..4).map(|i| encode_batch(&batch_data(i)).unwrap()).collect();
    let commitments: Vec<Fr> = elements.iter().map(commit_elements).collect();
    let satisfied = |count: usize, packed: u64, padding: Fr| {
        let mut public_inputs = vec![Fr::from(1u64), Fr::from(2u64)];
        public_inputs[1] += Fr::from(packed) * Fr::from(2u64).pow([COUNT_SHIFT as u64]);
        public_inputs.extend_from_slice(&commitments[..3]);
        public_inputs.push(padding);
        let cs = ConstraintSystem::<Fr>::new_ref();
        BatchCircuit { public_inputs, batches: elements.clone(), count }
            .generate_constraints(cs.clone())
            .unwrap();
        cs.is_satisfied().unwrap()
    };
    assert!(satisfied(3, 3, Fr::from(0u64)), "3 real slots, count 3, zero padding");
    assert!(satisfied(4, 4, commitments[3]), "4 real slots, count 4");
    assert!(!satisfied(3, 4, Fr::from(0u64)), "count 4 needs the 4th commitment opened");
    assert!(!satisfied(4, 3, commitments[3]), "count 3 needs a zero 4th commitment");
    assert!(!satisfied(3, 3, commitments[3]), "a padding slot's commitment must be zero");
    assert!(!satisfied(3, 2, Fr::from(0u64)), "the slot flags must sum to the packed count");
}

#[test]
fn circuit_hash_matches_native_commitment() {
    let data = batch_data(3);
    let elements = encode_batch(&data).unwrap();
    let commitment = commit_elements(&elements);
    // Input 1 carries the count (1) above bit COUNT_SHIFT.
    let count_bit = Fr::from(2u64).pow([COUNT_SHIFT as u64]);
    let inputs = vec![Fr::from(1u64), Fr::from(2u64) + count_bit, commitment];
    let cs = ConstraintSystem::<Fr>::new_ref();
    BatchCircuit { public_inputs: inputs.clone(), batches: vec![elements], count: 1 }
        .generate_constraints(cs.clone())
        .unwrap();
    assert!(cs.is_satisfied().unwrap(), "the in-circuit Poseidon must equal the native one");
    println!("constraints per 1-batch circuit: {}", cs.num_constraints());

    let cs = ConstraintSystem::<Fr>::new_ref();
    let mut wrong = inputs;
    wrong[2] += Fr::from(1u64);
    BatchCircuit { public_inputs: wrong, batches: vec![elements], count: 1 }
        .generate_constraints(cs.clone())
        .unwrap();
    assert!(!cs.is_satisfied().unwrap());
}

#[test]
fn batch_encoding_is_length_aware_and_bounded() {
    assert_ne!(batch_commitment(b"abc").unwrap(), batch_commitment(b"abc\0").unwrap());
    assert!(batch_commitment(&vec![7u8; MAX_BATCH_BYTES]).is_ok());
    let err = batch_commitment(&vec![7u8; MAX_BATCH_BYTES + 1]).unwrap_err();
    assert!(matches!(err, ZkError::BatchTooLarge { .. }), "{err}");
}

#[test]
fn plan_uses_one_proof_per_sixteen_batches() {
    assert_eq!(plan_proofs(5, 0), vec![]);
    assert_eq!(plan_proofs(5, 1), vec![(5, 1)]);
    assert_eq!(plan_proofs(5, 7), vec![(5, 7)]);
    assert_eq!(plan_proofs(1, 16), vec![(1, 16)]);
    assert_eq!(plan_proofs(1, 19), vec![(1, 16), (17, 3)]);
    assert_eq!(plan_proofs(1, 33), vec![(1, 16), (17, 16), (33, 1)]);
}

#[test]
fn keys_round_trip_through_files() {
    let dir = std::env::temp_dir().join(format!("provernet-zk-keys-{}", std::process::id()));
    let small = KeySet::dev_setup_counts(dev_ceremony_seed(), &[1]).unwrap();
    small.save(&dir).unwrap();
    let loaded = KeySet::load(&dir).unwrap();
    assert_eq!(loaded.keys_id(), small.keys_id());
    assert_eq!(
        loaded.keys_id(),
        KeySet::dev_setup_counts(dev_ceremony_seed(), &[1]).unwrap().keys_id()
    );
    let req = request(3, 1);
    let proof = loaded.prove_with_rng(&req, &mut ChaCha20Rng::seed_from_u64(3)).unwrap();
    assert!(keys().verify(&req.inputs, &proof).unwrap(), "same seed, same keys");
    let source = std::fs::read_to_string(dir.join(provernet_zk::VERIFIER_FILE)).unwrap();
    assert!(source.contains(&loaded.keys_id().to_string()));

    let pk = dir.join("batch-1.pk");
    let bytes = std::fs::read(&pk).unwrap();
    std::fs::write(&pk, &bytes[..bytes.len() / 2]).unwrap();
    let err = KeySet::load(&dir).unwrap_err();
    assert!(err.to_string().contains("batch-1.pk"), "{err}");

    std::fs::write(dir.join(provernet_zk::MANIFEST_FILE), "{}").unwrap();
    let err = KeySet::load(&dir).unwrap_err();
    assert!(err.to_string().contains("manifest.json"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn provernet_zk_p() -> [u8; 32] {
    use ark_ff::{BigInteger, PrimeField};
    ark_bn254::Fq::MODULUS.to_bytes_be().try_into().unwrap()
}

fn scalar_modulus() -> [u8; 32] {
    use ark_ff::{BigInteger, PrimeField};
    Fr::MODULUS.to_bytes_be().try_into().unwrap()
}
