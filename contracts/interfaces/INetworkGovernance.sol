// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IProofVerifier} from "./IProofVerifier.sol";
import {Params} from "../types/Params.sol";
import {SlashTerms} from "../types/Batch.sol";

/// @title INetworkGovernance
/// @notice The owner's and the pauser's calls, and the treasury, answered at the network's address by its
///         extension (`contracts/extension/Governance.sol`). Once a prover has registered, owner calls need
///         a timelock owner whose delay outlasts a prover's exit (`governanceDelay`).
interface INetworkGovernance {
    /// @notice Checks, stores and announces the initial parameters and slash terms; only the network's
    ///         constructor calls it (it reverts `AlreadyInitialized` afterwards).
    function initialize(Params calldata p, address verifier_) external;
    /// @notice Replaces all parameters (bounds-checked); applies to assignments drawn afterwards.
    function setParams(Params calldata p) external;
    /// @notice Authorises or de-authorises a batch source.
    function setBatchSource(address source, bool allowed) external;
    /// @notice Replaces the verifier for assignments drawn from now on.
    function setVerifier(IProofVerifier newVerifier) external;
    /// @notice Names the address that may pause and unpause at once.
    function setPauser(address pauser_) external;
    /// @notice Stops posting and the network clock (owner or pauser).
    function pause() external;
    /// @notice Resumes posting; live deadlines moved later by the pause's length (owner or pauser).
    function unpause() external;
    /// @notice Pays treasury funds out (owner).
    function withdrawTreasury(address to, uint256 amount) external;
    /// @notice Sends the pending burn to the burn sink, less the caller's keeper share. Permissionless.
    function flushBurn() external;
    /// @notice The verifier new assignments are proven with.
    function verifier() external view returns (IProofVerifier);
    /// @notice The id of the slash terms new assignments get, and those terms.
    function currentTerms() external view returns (uint256 id, SlashTerms memory terms);
    /// @notice Slash terms `id`.
    function slashTermsOf(uint256 id) external view returns (SlashTerms memory);
    /// @notice Whether posting is paused.
    function paused() external view returns (bool);
    /// @notice Blocks spent paused so far, and the block the current pause started (zero: running).
    function pauseState() external view returns (uint256 pausedBlocks, uint256 pausedAt);
    /// @notice The pauser.
    function pauser() external view returns (address);
    /// @notice Registrations so far.
    function proverCount() external view returns (uint256);
    /// @notice The smallest timelock delay (seconds) the owner needs, and the horizon (blocks) it covers.
    function governanceDelay() external view returns (uint256 requiredSeconds, uint256 horizonBlocks);
}
