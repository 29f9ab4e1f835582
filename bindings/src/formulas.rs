//! Hash formulas the contracts define and every off-chain party recomputes: the seed commitment of
//! commit-reveal and the development verifier's proof. Each is restated here once, next to a
//! vector computed by the contract (or by Foundry's encoder) so a change on either side fails.

use alloy::{
    primitives::{Address, B256, U256, keccak256},
    sol_types::SolValue,
};

/// The string whose keccak256 is `InsecureDevVerifier.DOMAIN`.
pub const DEV_PROOF_DOMAIN_TAG: &str = "provernet.insecure-dev-proof.v1";

/// `InsecureDevVerifier.DOMAIN`: `keccak256("provernet.insecure-dev-proof.v1")`.
pub fn dev_proof_domain() -> B256 {
    keccak256(DEV_PROOF_DOMAIN_TAG)
}

/// The only proof `InsecureDevVerifier` accepts (its `expectedProof`):
/// `keccak256(abi.encode(DOMAIN, chainid, network, prover, firstBatchId, commitments))`.
/// Anyone can compute it, which is why that verifier is for development only.
pub fn dev_proof(
    chain_id: u64,
    network: Address,
    prover: Address,
    first_batch_id: u64,
    commitments: &[B256],
) -> B256 {
    keccak256(
        (
            dev_proof_domain(),
            U256::from(chain_id),
            network,
            prover,
            U256::from(first_batch_id),
            commitments.to_vec(),
        )
            .abi_encode_params(),
    )
}

/// The value a prover `commit`s for `epoch`: `keccak256(abi.encode(secret, prover, epoch))`;
/// `reveal(secret)` must hash back to it.
pub fn seed_commitment(secret: B256, prover: Address, epoch: u64) -> B256 {
    keccak256((secret, prover, U256::from(epoch)).abi_encode_params())
}

/// What the contract keeps of a commitment: its first 28 bytes (`bytes28`), as a number.
pub fn stored_commit_hash(commitment: B256) -> U256 {
    U256::from_be_bytes(commitment.0) >> 32
}

#[cfg(test)]
mod tests {
    use alloy::primitives::{address, b256};

    use super::*;

    const NETWORK: Address = address!("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    const PROVER: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    const C1: B256 = b256!("0x1111111111111111111111111111111111111111111111111111111111111111");
    const C2: B256 = b256!("0x00000000000000000000000000000000000000000000000000000000000000ff");

    /// Vectors returned by the deployed InsecureDevVerifier on anvil (chain id 31337):
    /// `cast call $VERIFIER "expectedProof(address,address,uint256,bytes32[])(bytes32)" \
    ///   $NETWORK $PROVER 5 "[$C1,$C2]"` (and `... 0 "[]"`, and `"DOMAIN()(bytes32)"`).
    #[test]
    fn dev_proof_matches_the_contract() {
        assert_eq!(
            dev_proof_domain(),
            b256!("0x1b9660515801b9e96558f4f6553780418dc3be310b0e755150473ee4424ee30e")
        );
        assert_eq!(
            dev_proof(31337, NETWORK, PROVER, 5, &[C1, C2]),
            b256!("0xb8168cf8cd9f385fb121e4e34b53fa5c8c8901953cdad1b9ebf8f3dd536d799d")
        );
        assert_eq!(
            dev_proof(31337, NETWORK, PROVER, 0, &[]),
            b256!("0x73f1db046713255d3550b0c798bd85a7e4d8492c3fdbb0c383354cf0d8f0176c")
        );
    }

    #[test]
    fn dev_proof_binds_every_input() {
        let base = dev_proof(31337, NETWORK, PROVER, 5, &[C1, C2]);
        assert_ne!(dev_proof(1, NETWORK, PROVER, 5, &[C1, C2]), base);
        assert_ne!(dev_proof(31337, PROVER, PROVER, 5, &[C1, C2]), base);
        assert_ne!(dev_proof(31337, NETWORK, NETWORK, 5, &[C1, C2]), base);
        assert_ne!(dev_proof(31337, NETWORK, PROVER, 6, &[C1, C2]), base);
        assert_ne!(dev_proof(31337, NETWORK, PROVER, 5, &[C2, C1]), base);
    }

    /// `cast keccak $(cast abi-encode "f(bytes32,address,uint256)" $C1 $PROVER 7)`.
    #[test]
    fn seed_commitment_matches_abi_encode() {
        let c = seed_commitment(C1, PROVER, 7);
        assert_eq!(c, b256!("0x5f97ae53321a6dae203059e05a183bf9ca276e7a9c713dd3f685d2f68599bf13"));
        assert_eq!(
            stored_commit_hash(c),
            U256::from_be_slice(&c.0[..28]),
            "bytes28 keeps the first 28 bytes"
        );
        assert_ne!(seed_commitment(C1, PROVER, 8), c);
    }
}
