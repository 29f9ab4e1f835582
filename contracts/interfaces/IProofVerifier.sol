// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IProofVerifier
/// @notice Pluggable proof check used by the ProverNetwork.
/// @dev The public inputs of every proof MUST bind: the network that asks (msg.sender), the submitting
///      prover's address, the id of the first batch and the commitments of every covered batch, in order.
///      Binding the prover's address is what makes a proof copied from the mempool worthless to anyone
///      else: the same bytes verify for exactly one submitter.
interface IProofVerifier {
    /// @notice Checks a proof that covers `commitments.length` consecutive batches starting at `firstBatchId`.
    /// @param prover The address that submits the proof and will be paid for it.
    /// @param firstBatchId The id of the first batch covered by the proof.
    /// @param commitments The posted commitments of the covered batches, in batch-id order.
    /// @param proof The opaque proof bytes.
    /// @return valid True when the proof is valid for exactly these public inputs.
    function verify(
        address prover,
        uint256 firstBatchId,
        bytes32[] calldata commitments,
        bytes calldata proof
    ) external view returns (bool valid);

    /// @notice Commitments accepted for posting are < this value: a commitment at or above it could never
    ///         be proven by this verifier (for a SNARK, it is not a field element of the circuit).
    /// @dev Constant for a deployed verifier, so the network can read it once.
    /// @return bound The exclusive upper bound of a valid commitment.
    function commitmentBound() external view returns (uint256 bound);
}
