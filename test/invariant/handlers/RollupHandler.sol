// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {HandlerBase, Ghost} from "./ProtocolHandler.sol";
import {ProverNetwork} from "../../../contracts/ProverNetwork.sol";
import {InsecureDevVerifier} from "../../../contracts/verifiers/InsecureDevVerifier.sol";
import {DevStakingToken} from "../../../contracts/token/DevStakingToken.sol";
import {Batch, BatchStatus} from "../../../contracts/types/Batch.sol";

/// @notice The batch source role: posts batches with random fees.
contract RollupHandler is HandlerBase {
    address internal immutable rollup;

    constructor(ProverNetwork n, DevStakingToken t, InsecureDevVerifier v, Ghost g, address rollup_)
        HandlerBase(n, t, v, g)
    {
        rollup = rollup_;
    }

    function postBatch(uint256 seed, uint96 fee) external {
        _advance(seed);
        fee = uint96(bound(fee, 1, 50e18));
        token.mint(rollup, fee);
        vm.prank(rollup);
        uint256 id = net.postBatch(keccak256(abi.encode("batch", seed, block.number)), fee);
        ghost.setBatchCount(id);
        ghost.addDeposited(fee);
        Batch memory b = net.batchOf(id);
        if (b.prover != address(0) && net.accountOf(b.prover).stake < net.params().minStake) {
            ghost.flagAssignedIneligible();
        }
    }
}
