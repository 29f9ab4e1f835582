// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Everything the network holds for one address (prover or batch poster).
/// @dev Three slots, ordered by who touches them together:
///      slot 0 (stake, unbonding, unbondingReadyAt, openAssignments) is read by every stake-dependent
///      action (commit, draw, withdraw, slash); slot 1 (commitEpoch, commitHash) only by commit and
///      reveal; slot 2 (claimable, reputation, repUpdatedAt, registered, slashedEpoch) by every reward
///      or reputation change. `commitEpoch` is set to a sentinel at registration and kept when a reveal clears the
///      hash, so slot 1 never returns to zero and each commit is a 5k non-zero rewrite, not a 22k store.
struct AccountState {
    // slot 0
    uint96 stake;
    uint96 unbonding;
    uint40 unbondingReadyAt;
    uint24 openAssignments;
    // slot 1
    uint32 commitEpoch;
    bytes28 commitHash;
    // slot 2
    uint96 claimable;
    uint16 reputation;
    uint40 repUpdatedAt;
    bool registered;
    /// One more than the epoch of the last missed-assignment slash (zero: never): at most one per epoch.
    uint32 slashedEpoch;
}
