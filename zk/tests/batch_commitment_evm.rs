//! The on-chain commitment check (contracts/libraries/BatchCommitment.sol) against the Rust
//! commitment: `BatchCommitmentProbe` (test/zk/BatchCommitmentProbe.sol, exported to
//! bindings/artifacts by `make bindings`) runs in revm under the project's chain rules and must
//! return exactly `provernet_zk::batch_commitment(data)` for every length, edges included.

use alloy::primitives::{Address, B256, Bytes, U256};
use provernet_evm::{Chain, Contracts, Genesis};
use provernet_zk::{MAX_BATCH_BYTES, batch_commitment};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

mod probe {
    #![allow(missing_docs)] // sol!-generated items
    alloy::sol!(
        #[derive(Debug)]
        BatchCommitmentProbe,
        "../bindings/artifacts/BatchCommitmentProbe.json"
    );
}
use probe::BatchCommitmentProbe;

/// A chain with the suite deployed (only for its rules and accounts) and the probe beside it.
fn probe_chain() -> (Chain, Address) {
    let mut chain = Chain::deploy(&Contracts::real(), &Genesis::default()).unwrap();
    let from = chain.addrs.deployer;
    let probe = chain.create(from, BatchCommitmentProbe::BYTECODE.clone()).unwrap();
    (chain, probe)
}

fn on_chain(chain: &mut Chain, probe: Address, data: &[u8]) -> B256 {
    let call = BatchCommitmentProbe::computeCall { data: Bytes::copy_from_slice(data) };
    chain.view(probe, &call).unwrap()
}

fn random_bytes(rng: &mut ChaCha20Rng, len: usize) -> Vec<u8> {
    let mut data = vec![0u8; len];
    rng.fill(&mut data[..]);
    data
}

#[test]
fn on_chain_commitment_equals_rust_commitment_for_every_kind_of_length() {
    let (mut chain, probe) = probe_chain();
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    // The edges the task names, both sides of the first chunk edges, then random lengths.
    let mut lengths = vec![0, 1, 30, 31, 32, 61, 62, 63, 929, MAX_BATCH_BYTES];
    lengths.extend((0..40).map(|_| rng.gen_range(0..=MAX_BATCH_BYTES)));
    for len in lengths {
        let data = random_bytes(&mut rng, len);
        assert_eq!(
            on_chain(&mut chain, probe, &data),
            batch_commitment(&data).unwrap(),
            "commitment of {len} random bytes"
        );
    }
    // Extreme byte values: every chunk at its largest (31 bytes of 0xff), and all zeros.
    for data in [vec![0xff; MAX_BATCH_BYTES], vec![0; MAX_BATCH_BYTES], vec![0xff; 40]] {
        assert_eq!(on_chain(&mut chain, probe, &data), batch_commitment(&data).unwrap());
    }
}

#[test]
fn data_above_the_maximum_reverts_with_its_length_and_the_maximum() {
    let (mut chain, probe) = probe_chain();
    let data = vec![7u8; MAX_BATCH_BYTES + 1];
    let call = BatchCommitmentProbe::computeCall { data: data.into() };
    let out = chain.exec(Address::ZERO, probe, &call).unwrap();
    let revert = out.revert.expect("931 bytes must revert");
    // The network's data challenge calls the same library, so the bindings' error table knows the
    // error (from the network's ABI) and decodes it by name, with both fields.
    assert_eq!(revert.name, "BatchDataTooLarge");
    assert!(revert.detail.contains("931") && revert.detail.contains("930"), "{}", revert.detail);
}

#[test]
fn gas_of_the_on_chain_check() {
    let (mut chain, probe) = probe_chain();
    for len in [0, 31, MAX_BATCH_BYTES] {
        let data = vec![0xab; len];
        let call = BatchCommitmentProbe::gasOfCall { data: data.clone().into() };
        let out = chain.view(probe, &call).unwrap();
        assert_eq!(out.commitment, batch_commitment(&data).unwrap());
        println!("BatchCommitment.compute gas, {len} bytes: {}", out.gasUsed);
        // Every length runs the same 16 permutations; a regression past this bound is a bug in
        // the assembly, not noise.
        assert!(out.gasUsed < U256::from(500_000u64), "{len} bytes: {} gas", out.gasUsed);
    }
}
