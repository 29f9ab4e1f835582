// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {HandlerBase, Ghost} from "./ProtocolHandler.sol";
import {ProverNetwork} from "../../../contracts/ProverNetwork.sol";
import {InsecureDevVerifier} from "../../../contracts/verifiers/InsecureDevVerifier.sol";
import {DevStakingToken} from "../../../contracts/token/DevStakingToken.sol";
import {Batch, BatchStatus} from "../../../contracts/types/Batch.sol";
import {AccountState} from "../../../contracts/types/AccountState.sol";
import {Params} from "../../../contracts/types/Params.sol";

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
        vm.startPrank(rollup);
        net.depositFees(fee);
        uint256 id = net.postBatch(keccak256(abi.encode("batch", seed, block.number)), fee);
        vm.stopPrank();
        ghost.setBatchCount(id);
        ghost.addDeposited(fee);
        Batch memory b = net.batchOf(id);
        if (b.prover != address(0)) {
            AccountState memory a = net.accountOf(b.prover);
            Params memory p = net.params();
            // Capacity before this batch: open - 1 assignments, covered by bonded stake.
            if (uint256(a.stake) + a.unbonding < p.minStake + (a.openAssignments - 1) * p.assignmentBond) {
                ghost.flagAssignedIneligible();
            }
        }
    }

    /// @dev Takes part of the prepaid fees back (never more than the balance).
    function withdrawFees(uint256 seed, uint96 amount) external {
        _advance(seed);
        uint256 balance = net.sourceOf(rollup).feeBalance;
        if (balance == 0) return;
        amount = uint96(bound(amount, 1, balance));
        vm.prank(rollup);
        net.withdrawFees(amount);
        ghost.addFeesWithdrawn(amount);
    }
}
