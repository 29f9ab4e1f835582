// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title INetworkDataChallenges
/// @notice The data-availability challenge, answered at the network's address by its extension
///         (`contracts/extension/DataChallenges.sol`).
interface INetworkDataChallenges {
    /// @notice The assigned prover (or its operator) says it cannot get the batch's data: inside its
    ///         proving window, the batch becomes Challenged and the source has `challengeWindow` blocks to
    ///         publish the data. Nothing can slash the batch meanwhile.
    /// @param batchId The batch.
    function challengeData(uint256 batchId) external;
    /// @notice Publishes a challenged batch's data on chain (anyone may). The contract recomputes its
    ///         commitment; on a match the prover gets a fresh proving window from now.
    /// @param batchId The batch.
    /// @param data The batch data (at most 930 bytes).
    function answerChallenge(uint256 batchId, bytes calldata data) external;
    /// @notice Voids a challenged batch nobody answered in time: nobody is slashed, the fee goes to the
    ///         prover (less the caller's keeper share). Permissionless.
    /// @param batchId The batch.
    function voidUnanswered(uint256 batchId) external;
    /// @notice The block by which a challenged batch's data must be published (zero: not challenged).
    /// @param batchId The batch.
    function challengeOf(uint256 batchId) external view returns (uint256 respondBy);
}
