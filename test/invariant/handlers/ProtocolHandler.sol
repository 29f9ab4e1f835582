// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {ProverNetwork} from "../../../contracts/ProverNetwork.sol";
import {InsecureDevVerifier} from "../../../contracts/verifiers/InsecureDevVerifier.sol";
import {DevStakingToken} from "../../../contracts/token/DevStakingToken.sol";
import {Batch, BatchStatus} from "../../../contracts/types/Batch.sol";
import {AccountState} from "../../../contracts/types/AccountState.sol";

/// @notice Ghost state shared by the role handlers: the actors, every batch ever posted, and what the
///         ghost books say each address has been paid.
contract Ghost {
    address[] public provers;
    address[] public accounts;
    uint256 public batchCount;
    mapping(uint256 => uint256) public finalisations;
    mapping(uint256 => address) public winner;
    /// Fees and bounties credited to each prover, by the events the handlers observed.
    mapping(address => uint256) public earned;
    mapping(address => uint256) public claimedOut;
    uint256 public slashedTotal;
    uint256 public withdrawnTotal;
    /// Prepaid fees a batch source took back.
    uint256 public feesWithdrawn;
    uint256 public depositedTotal;
    /// Path counters: how often each lifecycle path was reached (printed by afterInvariant).
    mapping(bytes32 => uint256) public hits;
    bool public assignedIneligible;
    bool public slashedWonOwnRace;

    function hit(bytes32 path) external {
        hits[path]++;
    }

    function addProver(address p) external {
        provers.push(p);
        accounts.push(p);
    }

    function addAccount(address a) external {
        accounts.push(a);
    }

    function proverCount() external view returns (uint256) {
        return provers.length;
    }

    function accountCount() external view returns (uint256) {
        return accounts.length;
    }

    function setBatchCount(uint256 n) external {
        batchCount = n;
    }

    function finalised(uint256 id, address by) external {
        finalisations[id]++;
        winner[id] = by;
    }

    function addEarned(address p, uint256 amount) external {
        earned[p] += amount;
    }

    function addClaimed(address p, uint256 amount) external {
        claimedOut[p] += amount;
    }

    function addSlashed(uint256 amount) external {
        slashedTotal += amount;
    }

    function addWithdrawn(uint256 amount) external {
        withdrawnTotal += amount;
    }

    function addFeesWithdrawn(uint256 amount) external {
        feesWithdrawn += amount;
    }

    function addDeposited(uint256 amount) external {
        depositedTotal += amount;
    }

    function flagAssignedIneligible() external {
        assignedIneligible = true;
    }

    function flagSlashedWonOwnRace() external {
        slashedWonOwnRace = true;
    }
}

/// @notice Base for role handlers: time moves forward a random number of blocks on every call, as on a
///         real chain, and actor indices are bounded into the ghost's actor lists.
abstract contract HandlerBase is Test {
    ProverNetwork internal immutable net;
    DevStakingToken internal immutable token;
    InsecureDevVerifier internal immutable verifier;
    Ghost internal immutable ghost;

    constructor(ProverNetwork net_, DevStakingToken token_, InsecureDevVerifier verifier_, Ghost ghost_) {
        net = net_;
        token = token_;
        verifier = verifier_;
        ghost = ghost_;
    }

    function _advance(uint256 seed) internal {
        vm.roll(block.number + (seed % 4));
    }

    function _prover(uint256 seed) internal view returns (address) {
        return ghost.provers(seed % ghost.proverCount());
    }

    function _batchId(uint256 seed) internal view returns (uint256) {
        uint256 n = ghost.batchCount();
        return n == 0 ? 0 : 1 + (seed % n);
    }

    function _proofFor(address prover, uint256 firstId, uint256 count) internal view returns (bytes memory) {
        bytes32[] memory cs = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            cs[i] = net.batchOf(firstId + i).commitment;
        }
        return abi.encode(verifier.expectedProof(address(net), prover, firstId, cs));
    }
}
