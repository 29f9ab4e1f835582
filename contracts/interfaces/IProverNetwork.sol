// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IProverNetworkEvents} from "./IProverNetworkEvents.sol";

/// @title IProverNetwork
/// @notice Staking, commit-reveal selection, proving windows, slashing and the emergency open race of
///         the provernet prover network. Deadlines in views and events are block numbers; a pause
///         stops the network clock and moves them later (docs/mechanism.md, "Pauses stop the clock").
interface IProverNetwork is IProverNetworkEvents {
    // ------------------------------------------------------------------ staking

    /// @notice Registers the caller as a prover with an initial stake of at least `minStake`.
    /// @param amount Tokens to pull from the caller (approve first).
    function register(uint256 amount) external;
    /// @notice Adds stake.
    /// @param amount Tokens to pull from the caller (approve first).
    function stake(uint256 amount) external;
    /// @notice Moves `amount` of active stake into unbonding; restarts the unbonding delay.
    /// @param amount The amount.
    function requestUnstake(uint256 amount) external;
    /// @notice Pays out all unbonded stake once the delay has passed, no commitment is unresolved and the
    ///         remaining active stake covers the open assignments.
    function withdraw() external;
    /// @notice Pays out the caller's credited rewards and refunds.
    function claim() external;
    /// @notice Names `operator` as the hot key that may commit, reveal, submit proofs and race for the
    ///         caller (zero removes it). Staking, unstaking, withdrawing, claiming and this call stay with
    ///         the prover's own address.
    /// @param operator The operator address, or zero.
    function setOperator(address operator) external;

    // ------------------------------------------------------------------ selection

    /// @notice Commits to a secret for the current epoch (commit phase only).
    /// @param commitment keccak256(abi.encode(secret, msg.sender, epoch)).
    function commit(bytes32 commitment) external;
    /// @notice Reveals the committed secret (reveal phase only) and enters the next epoch's list.
    /// @param secret The secret.
    function reveal(bytes32 secret) external;
    /// @notice Penalises a prover whose last commitment went unrevealed. Permissionless.
    /// @param prover The prover.
    function penalizeNonReveal(address prover) external;
    /// @notice Fixes the seed of `epoch`'s selection list once its reveal phase has ended. Permissionless;
    ///         `postBatch` does it on demand.
    /// @param epoch The epoch.
    function finalizeSeed(uint256 epoch) external;

    // ------------------------------------------------------------------ batches

    /// @notice Prepays proving fees for later batches (approve first). Batch sources only.
    /// @param amount Tokens to pull from the caller.
    function depositFees(uint256 amount) external;
    /// @notice Pays unused prepaid fees back to the caller.
    /// @param amount The amount.
    function withdrawFees(uint256 amount) external;
    /// @notice Posts a batch, escrows its fee from the caller's prepaid balance and hands it to the
    ///         current slot's prover. Batch sources only.
    /// @param commitment The batch commitment the proof must bind (below the verifier's bound).
    /// @param fee The proving fee (at least `minFee`), taken from the prepaid balance.
    /// @return batchId The new batch's id.
    function postBatch(bytes32 commitment, uint256 fee) external returns (uint256 batchId);
    /// @notice Submits one proof for `count` consecutive batches assigned to the caller, inside their
    ///         exclusive windows.
    /// @param firstBatchId The first batch.
    /// @param count The number of batches.
    /// @param proof The proof.
    function submitProof(uint256 firstBatchId, uint256 count, bytes calldata proof) external;
    /// @notice Opens the race of a batch whose window has passed; slashes its assigned prover if that
    ///         assignment was not slashed yet (one slash per missed assignment). Permissionless.
    /// @param batchId The batch.
    function slashMissed(uint256 batchId) external;
    /// @notice Wins the emergency race of a batch with a valid proof. Any eligible prover but the slashed
    ///         one. Slashes the assigned prover first if nobody did. Pays the fee plus the slash's bounty, or
    ///         for an `Open` batch the fee plus `Slashing.openReward` from the treasury (as far as it lasts).
    /// @param batchId The batch.
    /// @param proof The proof, bound to the caller.
    function raceSubmit(uint256 batchId, bytes calldata proof) external;
    /// @notice Marks a batch nobody proved as failed once its race is over and refunds its fee to the
    ///         poster's prepaid balance. Permissionless.
    /// @param batchId The batch.
    function markFailed(uint256 batchId) external;
}
