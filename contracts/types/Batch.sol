// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Lifecycle of a batch.
/// None: no such batch. Assigned: the drawn prover holds the exclusive window. Open: nobody was
/// eligible, the race is open from the start. Racing: the assigned prover was slashed and the race is
/// open. Proven and Failed are terminal.
enum BatchStatus {
    None,
    Assigned,
    Open,
    Racing,
    Proven,
    Failed
}

/// @notice A posted batch. Four slots: the commitment; prover and escrowed fee (read together by
///         every proof); deadlines, status and bounty (written together by every transition); poster
///         (read only to refund a failed batch).
struct Batch {
    bytes32 commitment;
    address prover;
    uint96 fee;
    uint40 provingDeadline;
    uint40 raceDeadline;
    BatchStatus status;
    uint96 bounty;
    address poster;
}
