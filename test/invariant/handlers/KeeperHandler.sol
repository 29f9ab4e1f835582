// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {HandlerBase, Ghost} from "./ProtocolHandler.sol";
import {INetworkGovernance} from "../../../contracts/interfaces/INetworkGovernance.sol";
import {ProverNetwork} from "../../../contracts/ProverNetwork.sol";
import {InsecureDevVerifier} from "../../../contracts/verifiers/InsecureDevVerifier.sol";
import {DevStakingToken} from "../../../contracts/token/DevStakingToken.sol";
import {Batch, BatchStatus} from "../../../contracts/types/Batch.sol";
import {Params} from "../../../contracts/types/Params.sol";

/// @notice Keepers (timeouts, failures, non-reveal penalties, burns; including premature calls) and
///         governance changing parameters within bounds mid-run.
contract KeeperHandler is HandlerBase {
    address internal immutable owner;

    constructor(ProverNetwork n, DevStakingToken t, InsecureDevVerifier v, Ghost g, address owner_)
        HandlerBase(n, t, v, g)
    {
        owner = owner_;
    }

    function slashMissed(uint256 seed) external {
        _advance(seed);
        uint256 id = _batchId(seed);
        if (id == 0) return;
        address p = net.batchOf(id).prover;
        uint256 bonded = p == address(0) ? 0 : uint256(net.accountOf(p).stake) + net.accountOf(p).unbonding;
        try net.slashMissed(id) {
            ghost.addSlashed(bonded - net.accountOf(p).stake - net.accountOf(p).unbonding);
            ghost.hit("slashed");
        } catch {}
    }

    function markFailed(uint256 seed) external {
        _advance(seed);
        uint256 id = _batchId(seed);
        if (id == 0) return;
        try net.markFailed(id) {
            ghost.finalised(id, address(0));
            ghost.hit("failed");
        } catch {}
    }

    function penalizeNonReveal(uint256 seed) external {
        _advance(seed);
        try net.penalizeNonReveal(_prover(seed)) {
            ghost.hit("nonRevealPenalized");
        } catch {}
    }

    function flushBurn(uint256 seed) external {
        _advance(seed);
        try INetworkGovernance(address(net)).flushBurn() {} catch {}
    }

    function jump(uint256 blocks) external {
        vm.roll(block.number + bound(blocks, 1, 40));
    }

    /// @dev Governance moves parameters inside their bounds mid-run.
    function retune(uint256 seed) external {
        Params memory p = net.params();
        p.slashBps = uint16(bound(seed, 100, 5000));
        p.bountyBps = uint16(bound(seed >> 16, 0, 5000));
        // The treasury keeps at most 20% (ParamsLib.MAX_TREASURY_BPS): burn covers what the bounty does not.
        p.burnBps = uint16(bound(seed >> 32, 8000 - p.bountyBps, 10_000 - p.bountyBps - p.keeperBps));
        p.provingWindow = uint32(bound(seed >> 48, 2, 90));
        p.raceWindow = uint32(bound(seed >> 64, 2, 90));
        p.repGain = uint16(bound(seed >> 80, 1, 1000));
        p.unbondingDelay = uint32(
            2 * uint256(p.provingWindow) + p.challengeWindow + p.raceWindow + 2 * net.epochLength()
                + (seed >> 96) % 50
        );
        vm.prank(owner);
        INetworkGovernance(address(net)).setParams(p);
    }
}
