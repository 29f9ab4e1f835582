// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {NetworkBase} from "../NetworkBase.sol";
import {IProofVerifier} from "../interfaces/IProofVerifier.sol";
import {INetworkGovernance} from "../interfaces/INetworkGovernance.sol";
import {Params} from "../types/Params.sol";
import {NetworkClock, SlashTerms, SourceAccount} from "../types/Batch.sol";
import {GovernanceDelay} from "../libraries/GovernanceDelay.sol";
import {ParamsLib} from "../libraries/ParamsLib.sol";
import {Slashing} from "../libraries/Slashing.sol";

/// @title Governance
/// @notice What the owner may change, and how a change reaches provers: parameters, batch sources and the
///         verifier; the pause; the treasury. Part of `NetworkExtension` (delegatecalled by the network).
/// @dev Three rules keep governance away from stake provers cannot protect (docs/mechanism.md,
///      "Governance cannot reach stake provers cannot protect"): every owner call needs a timelock owner
///      whose delay outlasts a prover's exit (`NetworkBase._checkOwner`); the verifier and the slash shares
///      are frozen per assignment when its slot is drawn (`SlashTerms`), so a change never reaches a
///      batch already in flight; and a pause stops the network clock, so no deadline passes while paused.
abstract contract Governance is NetworkBase, INetworkGovernance {
    using SafeERC20 for IERC20;

    /// @notice Replaces all parameters; each is bounds-checked. Applies to assignments drawn afterwards
    ///         (deadlines and slash terms are fixed when a slot's draw is made).
    /// @param p The new parameters.
    function setParams(Params calldata p) external onlyOwner {
        ParamsLib.validate(p, _epochLength);
        SlashTerms memory current = _terms[_clock.config];
        if (
            p.slashBps != current.slashBps || p.burnBps != current.burnBps || p.bountyBps != current.bountyBps
                || p.keeperBps != current.keeperBps
        ) {
            _setTerms(SlashTerms(current.verifier, p.slashBps, p.burnBps, p.bountyBps, p.keeperBps));
        }
        _params = p;
        emit ParamsUpdated(p);
    }

    /// @notice Checks, stores and announces the initial parameters and slash terms (id 1). Called once,
    ///         by the network's constructor (by delegatecall); afterwards terms exist and it reverts.
    /// @param p The initial parameters.
    /// @param verifier_ The initial verifier.
    function initialize(Params calldata p, address verifier_) external {
        if (_clock.config != 0) revert AlreadyInitialized();
        ParamsLib.validate(p, _epochLength);
        _params = p;
        emit ParamsUpdated(p);
        emit VerifierUpdated(verifier_);
        // Terms id 0 is never used, so a zero `config` on a record can only mean "not written".
        _setTerms(SlashTerms(verifier_, p.slashBps, p.burnBps, p.bountyBps, p.keeperBps));
    }

    /// @notice Authorises or de-authorises a batch source (the rollup's inbox or sequencer). A source
    ///         keeps its index and its fee balance when de-authorised, so it can still withdraw fees and
    ///         receive refunds.
    /// @param source The address.
    /// @param allowed Whether it may post.
    function setBatchSource(address source, bool allowed) external onlyOwner {
        if (source == address(0)) revert ZeroAddress();
        SourceAccount storage src = _sources[source];
        if (src.index == 0) {
            uint16 index = _sourceCount + 1;
            _sourceCount = index;
            src.index = index;
            _sourceAt[index] = source;
        }
        src.allowed = allowed;
        emit BatchSourceSet(source, allowed);
    }

    /// @notice Replaces the proof verifier for assignments drawn from now on; batches already drawn keep
    ///         the verifier they were posted under. It must accept the same commitment domain.
    /// @param newVerifier The verifier.
    function setVerifier(IProofVerifier newVerifier) external onlyOwner {
        if (address(newVerifier) == address(0)) revert ZeroAddress();
        uint256 bound = newVerifier.commitmentBound();
        if (bound != _commitmentBound) revert VerifierDomainMismatch(_commitmentBound, bound);
        SlashTerms memory t = _terms[_clock.config];
        t.verifier = address(newVerifier);
        _setTerms(t);
        emit VerifierUpdated(address(newVerifier));
    }

    /// @notice Names the address that may pause and unpause at once (zero: only the owner). A pause cannot
    ///         hurt a prover (the clock stops), so it needs no timelock; naming the pauser does.
    /// @param pauser_ The pauser.
    function setPauser(address pauser_) external onlyOwner {
        _pauser = pauser_;
        emit PauserSet(pauser_);
    }

    /// @notice Stops new batches and the network clock: no proving, race or challenge deadline passes
    ///         while paused. Staking exits, proofs, races, claims and withdrawals keep working, so a pause
    ///         can never trap stake or rewards. Owner or pauser.
    function pause() external {
        _checkPauser();
        if (_clock.pausedAt != 0) revert EnforcedPause();
        _clock.pausedAt = uint40(block.number);
        emit NetworkPaused(msg.sender);
    }

    /// @notice Lets batches be posted again; every live deadline has moved later by the pause's length.
    ///         Owner or pauser.
    function unpause() external {
        _checkPauser();
        NetworkClock memory c = _clock;
        if (c.pausedAt == 0) revert ExpectedPause();
        uint256 length = block.number - c.pausedAt;
        _clock.pausedBlocks = uint40(c.pausedBlocks + length);
        _clock.pausedAt = 0;
        emit NetworkUnpaused(msg.sender, length);
    }

    /// @notice Pays treasury funds out.
    /// @param to The recipient.
    /// @param amount The amount.
    function withdrawTreasury(address to, uint256 amount) external onlyOwner nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 available = _treasuryBalance;
        if (amount > available) revert InsufficientTreasury(amount, available);
        _treasuryBalance = uint128(available - amount);
        _token.safeTransfer(to, amount);
        emit TreasuryWithdrawn(to, amount);
    }

    /// @notice Sends the slashed funds earmarked for burning to BURN_SINK, less the caller's keeper share.
    ///         Permissionless.
    function flushBurn() external nonReentrant {
        uint256 amount = _burnPending;
        if (amount == 0) revert NothingToClaim();
        uint256 keeper = Slashing.keeperFee(amount, _terms[_clock.config].keeperBps);
        _burnPending = 0;
        if (keeper != 0) {
            _accounts[msg.sender].claimable += uint96(keeper);
            emit KeeperPaid(msg.sender, keeper);
        }
        _token.safeTransfer(BURN_SINK, amount - keeper);
        emit Burned(amount - keeper);
    }

    // ------------------------------------------------------------------ views

    /// @notice The verifier new assignments are proven with.
    function verifier() external view returns (IProofVerifier) {
        return IProofVerifier(_terms[_clock.config].verifier);
    }

    /// @notice The id of the slash terms new assignments get, and those terms.
    function currentTerms() external view returns (uint256 id, SlashTerms memory terms) {
        id = _clock.config;
        terms = _terms[id];
    }

    /// @notice Slash terms `id` (stored on each assignment as `config`).
    function slashTermsOf(uint256 id) external view returns (SlashTerms memory) {
        return _terms[id];
    }

    /// @notice Whether posting is paused (the network clock stands still).
    function paused() external view returns (bool) {
        return _clock.pausedAt != 0;
    }

    /// @notice Blocks spent paused so far (live deadlines moved by this much), and the block the current
    ///         pause started (zero: running).
    function pauseState() external view returns (uint256 pausedBlocks, uint256 pausedAt) {
        return (_clock.pausedBlocks, _clock.pausedAt);
    }

    /// @notice The address that may pause and unpause besides the owner.
    function pauser() external view returns (address) {
        return _pauser;
    }

    /// @notice Registrations so far (governance needs a timelock owner once it is non-zero).
    function proverCount() external view returns (uint256) {
        return _clock.provers;
    }

    /// @notice The smallest timelock delay (seconds) the owner needs once provers have registered, and the
    ///         horizon in blocks it covers (`GovernanceDelay`).
    function governanceDelay() external view returns (uint256 requiredSeconds, uint256 horizonBlocks) {
        Params memory p = _params;
        return
            (GovernanceDelay.requiredSeconds(p, _epochLength), GovernanceDelay.horizonBlocks(p, _epochLength));
    }

    /// @dev Stores `t` as the next terms id and makes it current.
    function _setTerms(SlashTerms memory t) private {
        uint256 id = uint256(_clock.config) + 1;
        _terms[id] = t;
        _clock.config = uint16(id);
        emit SlashTermsSet(id, t.verifier, t.slashBps, t.burnBps, t.bountyBps, t.keeperBps);
    }

    /// @dev The owner or the pauser.
    function _checkPauser() private view {
        if (msg.sender != _pauser && msg.sender != owner()) revert NotPauser(msg.sender);
    }
}
