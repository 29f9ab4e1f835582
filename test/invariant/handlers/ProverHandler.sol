// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {HandlerBase, Ghost} from "./ProtocolHandler.sol";
import {ProverNetwork} from "../../../contracts/ProverNetwork.sol";
import {InsecureDevVerifier} from "../../../contracts/verifiers/InsecureDevVerifier.sol";
import {DevStakingToken} from "../../../contracts/token/DevStakingToken.sol";
import {Params} from "../../../contracts/types/Params.sol";
import {Batch, BatchStatus} from "../../../contracts/types/Batch.sol";
import {AccountState} from "../../../contracts/types/AccountState.sol";

/// @notice The prover role: honest, lazy and adversarial moves. Calls that the contract must refuse are
///         made too (stealing proofs, racing one's own batch, withdrawing early); the invariants then
///         check that nothing leaked.
contract ProverHandler is HandlerBase {
    constructor(ProverNetwork n, DevStakingToken t, InsecureDevVerifier v, Ghost g) HandlerBase(n, t, v, g) {}

    function _secret(address p, uint256 epoch) internal pure returns (bytes32) {
        return keccak256(abi.encode("inv", p, epoch));
    }

    /// @dev A batch in `status`, searched from a random start (bounded scan of the recent batches).
    function _findBatch(uint256 seed, BatchStatus status) internal view returns (uint256) {
        uint256 n = ghost.batchCount();
        if (n == 0) return 0;
        uint256 start = 1 + (seed % n);
        for (uint256 k; k < 16 && k < n; ++k) {
            uint256 id = start + k > n ? start + k - n : start + k;
            if (net.batchOf(id).status == status) return id;
        }
        return 0;
    }

    function stakeMore(uint256 seed, uint96 amount) external {
        _advance(seed);
        address p = _prover(seed);
        amount = uint96(bound(amount, 1, 500e18));
        token.mint(p, amount);
        vm.prank(p);
        net.stake(amount);
        ghost.addDeposited(amount);
    }

    /// @dev Honest provers commit in the commit phase: if it is over, time moves to the next epoch.
    function commit(uint256 seed) external {
        _advance(seed);
        address p = _prover(seed);
        uint256 epoch = net.currentEpoch();
        if (seed % 4 != 0 && block.number >= net.epochStart(epoch) + net.commitBlocks()) {
            epoch += 1;
            vm.roll(net.epochStart(epoch));
        }
        vm.prank(p);
        try net.commit(keccak256(abi.encode(_secret(p, epoch), p, epoch))) {} catch {}
    }

    /// @dev Reveals for a prover that has an open commitment this epoch (moving into the reveal phase
    ///      if needed); one time in four it picks any prover and any time, to hit the phase errors.
    function reveal(uint256 seed) external {
        _advance(seed);
        address p = _prover(seed);
        uint256 epoch = net.currentEpoch();
        if (seed % 4 != 0) {
            for (uint256 i; i < ghost.proverCount(); ++i) {
                address q = ghost.provers(i);
                AccountState memory a = net.accountOf(q);
                if (a.commitEpoch == epoch && a.commitHash != 0) {
                    p = q;
                    uint256 revealStart = net.epochStart(epoch) + net.commitBlocks();
                    if (block.number < revealStart) vm.roll(revealStart);
                    break;
                }
            }
        }
        vm.prank(p);
        try net.reveal(_secret(p, epoch)) {
            ghost.hit("revealed");
        } catch {}
    }

    function submitProof(uint256 seed, uint8 count) external {
        _advance(seed);
        uint256 id = _findBatch(seed, BatchStatus.Assigned);
        if (id == 0) return;
        Batch memory b = net.batchOf(id);
        uint256 n = bound(count, 1, 4);
        if (id + n - 1 > ghost.batchCount()) n = ghost.batchCount() - id + 1;
        bytes memory proof = _proofFor(b.prover, id, n);
        uint256 before = net.accountOf(b.prover).claimable;
        vm.prank(b.prover);
        try net.submitProof(id, n, proof) {
            for (uint256 i; i < n; ++i) {
                ghost.finalised(id + i, b.prover);
            }
            ghost.addEarned(b.prover, net.accountOf(b.prover).claimable - before);
            ghost.hit("provenOnTime");
        } catch {}
    }

    function race(uint256 seed) external {
        _advance(seed);
        uint256 id = seed % 2 == 0 ? _findBatch(seed, BatchStatus.Racing) : _findBatch(seed, BatchStatus.Open);
        if (id == 0) id = _findBatch(seed, BatchStatus.Assigned);
        if (id == 0) return;
        address p = _prover(seed >> 8);
        Batch memory b = net.batchOf(id);
        bytes memory proof = _proofFor(p, id, 1);
        uint256 before = net.accountOf(p).claimable;
        vm.prank(p);
        try net.raceSubmit(id, proof) {
            if (p == b.prover) ghost.flagSlashedWonOwnRace();
            ghost.finalised(id, p);
            ghost.addEarned(p, net.accountOf(p).claimable - before);
            ghost.hit("rescued");
        } catch {}
    }

    /// @dev The thief replays the assigned prover's valid proof bytes under its own address.
    function stealProof(uint256 seed) external {
        _advance(seed);
        uint256 id = _batchId(seed);
        if (id == 0) return;
        address thief = _prover(seed >> 8);
        Batch memory b = net.batchOf(id);
        if (thief == b.prover || b.prover == address(0)) return;
        bytes memory stolen = _proofFor(b.prover, id, 1);
        vm.prank(thief);
        try net.raceSubmit(id, stolen) {
            ghost.finalised(id, thief); // would break "earned == fees of proven batches"
        } catch {}
        vm.prank(thief);
        try net.submitProof(id, 1, stolen) {
            ghost.finalised(id, thief);
        } catch {}
    }

    function requestUnstake(uint256 seed, uint96 amount) external {
        _advance(seed);
        address p = _prover(seed);
        uint256 active = net.accountOf(p).stake;
        if (active == 0) return;
        // Mostly partial exits that keep the prover eligible; one in four leaves entirely.
        uint256 keep = net.params().minStake;
        uint256 max = seed % 4 == 0 || active <= keep ? active : active - keep;
        amount = uint96(bound(amount, 1, max));
        vm.prank(p);
        net.requestUnstake(amount);
    }

    /// @dev Tries to leave; the contract must refuse while an obligation is open.
    function withdraw(uint256 seed) external {
        _advance(seed);
        address p = _prover(seed);
        AccountState memory a = net.accountOf(p);
        Params memory params = net.params();
        vm.prank(p);
        try net.withdraw() {
            assertTrue(
                a.openAssignments == 0
                    || a.stake >= params.minStake + a.openAssignments * params.assignmentBond,
                "withdrew leaving an open assignment uncovered"
            );
            assertEq(a.commitHash, bytes28(0), "withdrew with a pending commitment");
            ghost.addWithdrawn(a.unbonding);
            ghost.hit("withdrawn");
        } catch {}
    }

    function claim(uint256 seed) external {
        _advance(seed);
        address p = ghost.accounts(seed % ghost.accountCount());
        uint256 amount = net.accountOf(p).claimable;
        vm.prank(p);
        try net.claim() {
            ghost.addClaimed(p, amount);
        } catch {}
    }
}
