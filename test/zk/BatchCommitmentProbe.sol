// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BatchCommitment} from "../../contracts/libraries/BatchCommitment.sol";

/// @notice Exposes `BatchCommitment.compute` to callers outside Solidity: the Rust cross-check
///         (zk/tests/batch_commitment_evm.rs) deploys it in revm from bindings/artifacts.
contract BatchCommitmentProbe {
    /// @notice `BatchCommitment.compute(data)`.
    /// @param data The batch data.
    /// @return The commitment.
    function compute(bytes memory data) external pure returns (bytes32) {
        return BatchCommitment.compute(data);
    }

    /// @notice `BatchCommitment.compute(data)` and the gas it used, measured around the library call
    ///         alone (the calldata is already decoded into memory).
    /// @param data The batch data.
    /// @return commitment The commitment.
    /// @return gasUsed Gas of the library call.
    function gasOf(bytes memory data) external view returns (bytes32 commitment, uint256 gasUsed) {
        uint256 before = gasleft();
        commitment = BatchCommitment.compute(data);
        gasUsed = before - gasleft();
    }
}
