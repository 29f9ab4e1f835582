// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Everything the network holds for one address (prover or batch poster).
/// @dev Slot 0 is read by every stake-dependent action (commit, draw, withdraw); slot 1 by every
///      reward or reputation change; slot 2 by commit and reveal only. `commitEpoch` is set to
///      NO_COMMIT at registration so that later commits rewrite a non-zero slot (5k gas, not 22k).
struct AccountState {
    // slot 0
    uint96 stake;
    uint96 unbonding;
    uint40 unbondingReadyAt;
    uint24 openAssignments;
    // slot 1
    uint96 claimable;
    uint16 reputation;
    uint40 repUpdatedAt;
    bool registered;
    // slot 2
    uint32 commitEpoch;
    bytes28 commitHash;
}
