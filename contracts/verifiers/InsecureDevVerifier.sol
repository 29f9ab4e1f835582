// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IProofVerifier} from "../interfaces/IProofVerifier.sol";

/// @title InsecureDevVerifier
/// @notice DEVELOPMENT ONLY. NOT A ZERO-KNOWLEDGE PROOF AND NOT SECURE: anyone who knows the public
///         inputs can compute a valid "proof" without doing any proving work. It exists so that tests
///         and local networks exercise the protocol's proof binding without a SNARK.
/// @dev What it does enforce, like a real verifier must: a proof is valid for exactly one network, one
///      chain, one submitting prover, one first batch id and one ordered list of commitments. So a
///      proof copied from another prover's transaction is rejected, which the proof-stealing tests
///      rely on. A proof is the 32-byte value `expectedProof(network, prover, firstBatchId, commitments)`.
contract InsecureDevVerifier is IProofVerifier {
    /// @notice Domain tag mixed into every development proof.
    bytes32 public constant DOMAIN = keccak256("provernet.insecure-dev-proof.v1");

    /// @inheritdoc IProofVerifier
    function verify(
        address prover,
        uint256 firstBatchId,
        bytes32[] calldata commitments,
        bytes calldata proof
    ) external view returns (bool) {
        if (proof.length != 32) return false;
        return bytes32(proof) == expectedProof(msg.sender, prover, firstBatchId, commitments);
    }

    /// @inheritdoc IProofVerifier
    /// @dev Any 32-byte word can be hashed, so every commitment is accepted: 2^256 - 1 is the largest
    ///      bound a uint256 can express (the single value 2^256 - 1 itself is excluded).
    function commitmentBound() external pure returns (uint256) {
        return type(uint256).max;
    }

    /// @notice The only proof this verifier accepts for these public inputs.
    /// @param network The ProverNetwork that will ask.
    /// @param prover The submitting prover.
    /// @param firstBatchId The first batch covered.
    /// @param commitments The covered commitments, in order.
    /// @return The proof bytes, as one word.
    function expectedProof(
        address network,
        address prover,
        uint256 firstBatchId,
        bytes32[] calldata commitments
    ) public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN, block.chainid, network, prover, firstBatchId, commitments));
    }
}
