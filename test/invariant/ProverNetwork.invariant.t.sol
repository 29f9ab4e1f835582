// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StdInvariant} from "forge-std/StdInvariant.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {NetworkTestBase} from "../helpers/NetworkTestBase.sol";
import {INetworkGovernance} from "../../contracts/interfaces/INetworkGovernance.sol";
import {Ghost} from "./handlers/ProtocolHandler.sol";
import {ProverHandler} from "./handlers/ProverHandler.sol";
import {RollupHandler} from "./handlers/RollupHandler.sol";
import {KeeperHandler} from "./handlers/KeeperHandler.sol";
import {Batch, BatchStatus} from "../../contracts/types/Batch.sol";
import {AccountState} from "../../contracts/types/AccountState.sol";
import {Params} from "../../contracts/types/Params.sol";
import {Reputation} from "../../contracts/libraries/Reputation.sol";

/// @notice Stateful invariant suite: a handler per actor role (provers, batch source, keepers and
///         governance) drives the real contracts; every property below is checked after each call.
contract ProverNetworkInvariantTest is StdInvariant, NetworkTestBase {
    Ghost internal ghost;
    ProverHandler internal proverHandler;
    RollupHandler internal rollupHandler;
    KeeperHandler internal keeperHandler;

    function setUp() public override {
        super.setUp();
        ghost = new Ghost();
        for (uint256 i; i < 5; ++i) {
            address prover = address(uint160(0xC0DE00 + i));
            _register(prover, 200e18 + i * 300e18);
            ghost.addProver(prover);
            ghost.addDeposited(200e18 + i * 300e18);
        }
        ghost.addAccount(rollup);
        ghost.addDeposited(FEE_DEPOSIT); // the base setUp prepaid the rollup's fees
        // Windows of several epochs, so that random walks reach proofs and races, not only failures.
        Params memory p = defaultParams();
        p.provingWindow = 60;
        p.raceWindow = 60;
        p.unbondingDelay = 250;
        vm.prank(owner);
        INetworkGovernance(address(net)).setParams(p);
        // rollup holds what the base setUp minted beyond its prepaid fees; each post deposits its own fee.
        proverHandler = new ProverHandler(net, token, verifier, ghost);
        rollupHandler = new RollupHandler(net, token, verifier, ghost, rollup);
        keeperHandler = new KeeperHandler(net, token, verifier, ghost, owner);
        targetContract(address(proverHandler));
        targetContract(address(rollupHandler));
        targetContract(address(keeperHandler));
    }

    function _all() internal view returns (address[] memory all) {
        all = new address[](ghost.accountCount());
        for (uint256 i; i < all.length; ++i) {
            all[i] = ghost.accounts(i);
        }
    }

    /// @dev Shows which lifecycle paths a run reached (forge test -vv), so a suite that silently stops
    ///      reaching proofs or races is visible.
    function afterInvariant() public {
        bytes32[8] memory paths = [
            bytes32("revealed"),
            "provenOnTime",
            "rescued",
            "slashed",
            "failed",
            "nonRevealPenalized",
            "withdrawn",
            "batches"
        ];
        for (uint256 i; i < 7; ++i) {
            emit log_named_uint(string(abi.encodePacked(paths[i])), ghost.hits(paths[i]));
        }
        emit log_named_uint("batches", ghost.batchCount());
    }

    /// @dev Guards the suite against going vacuous: a scripted walk through the same handlers must reach
    ///      every lifecycle path the invariants are about.
    function test_HandlersReachEveryLifecyclePath() public {
        for (uint256 i; i < 1500; ++i) {
            uint256 s = uint256(keccak256(abi.encode(i)));
            uint256 k = s % 14;
            if (k < 2) rollupHandler.postBatch(s, uint96(s));
            else if (k < 4) proverHandler.commit(s);
            else if (k < 6) proverHandler.reveal(s);
            else if (k == 6) proverHandler.race(s);
            else if (k == 7) proverHandler.submitProof(s, uint8(s));
            else if (k == 8) keeperHandler.slashMissed(s);
            else if (k == 9) keeperHandler.markFailed(s);
            else if (k == 10) keeperHandler.penalizeNonReveal(s);
            else if (k == 11) proverHandler.requestUnstake(s, uint96(s >> 128));
            else if (k == 12) proverHandler.withdraw(s);
            else proverHandler.stakeMore(s, uint96(s >> 100));
            if (i % 50 == 0) keeperHandler.jump(s);
        }
        bytes32[7] memory paths = [
            bytes32("revealed"),
            "provenOnTime",
            "rescued",
            "slashed",
            "failed",
            "nonRevealPenalized",
            "withdrawn"
        ];
        for (uint256 i; i < paths.length; ++i) {
            assertGt(ghost.hits(paths[i]), 0, string(abi.encodePacked(paths[i])));
        }
        invariant_TokenConservation();
        invariant_NoUnexplainedOutflow();
        invariant_EarningsMatchWonBatches();
        invariant_OpenAssignmentsMatchBatches();
    }

    /// @custom:invariant The network holds exactly stakes + unbonding + claimable + escrowed fees +
    ///                   bounties + treasury + pending burn.
    function invariant_TokenConservation() public view {
        assertEq(token.balanceOf(address(net)), _liabilities(_all(), ghost.batchCount()));
    }

    /// @custom:invariant Every token that ever left the network went to a claim, a withdrawal, the
    ///                   treasury or the burn sink: deposits - outflows == balance.
    function invariant_NoUnexplainedOutflow() public view {
        uint256 claimed = ghost.feesWithdrawn();
        address[] memory all = _all();
        for (uint256 i; i < all.length; ++i) {
            claimed += ghost.claimedOut(all[i]);
        }
        uint256 burned = token.balanceOf(net.BURN_SINK());
        assertEq(
            ghost.depositedTotal(), token.balanceOf(address(net)) + claimed + ghost.withdrawnTotal() + burned
        );
    }

    /// @custom:invariant A batch is finalised (proven or failed) at most once.
    function invariant_FinalisedAtMostOnce() public view {
        for (uint256 id = 1; id <= ghost.batchCount(); ++id) {
            assertLe(ghost.finalisations(id), 1);
            BatchStatus s = net.batchOf(id).status;
            if (ghost.finalisations(id) == 1) assertTrue(s == BatchStatus.Proven || s == BatchStatus.Failed);
        }
    }

    /// @custom:invariant An assigned prover was registered and had the capacity for the batch when it was
    ///                   drawn (bonded stake >= minStake + (open assignments before it) x assignmentBond).
    function invariant_AssignedProverWasEligible() public view {
        assertFalse(ghost.assignedIneligible());
        for (uint256 id = 1; id <= ghost.batchCount(); ++id) {
            address p = net.batchOf(id).prover;
            if (p != address(0)) assertTrue(net.accountOf(p).registered);
        }
    }

    /// @custom:invariant Reputation stays within [0, REP_MAX].
    function invariant_ReputationBounded() public view {
        for (uint256 i; i < ghost.proverCount(); ++i) {
            address p = ghost.provers(i);
            assertLe(net.accountOf(p).reputation, Reputation.MAX);
            assertLe(net.reputationOf(p), Reputation.MAX);
        }
    }

    /// @custom:invariant Once its race deadline has passed, every batch is proven or failed.
    function invariant_DeadlinesEndEveryBatch() public view {
        for (uint256 id = 1; id <= ghost.batchCount(); ++id) {
            Batch memory b = net.batchOf(id);
            if (block.number > b.raceDeadline) {
                BatchStatus s = net.effectiveStatus(id);
                assertTrue(s == BatchStatus.Proven || s == BatchStatus.Failed);
            }
        }
    }

    /// @custom:invariant A slashed prover never wins its own batch's race, and a race is only won by
    ///                   someone other than the assigned prover.
    function invariant_SlashedNeverWinsOwnRace() public view {
        assertFalse(ghost.slashedWonOwnRace());
    }

    /// @custom:invariant A prover's credited earnings equal the fees and bounties of the batches it won.
    function invariant_EarningsMatchWonBatches() public view {
        for (uint256 i; i < ghost.proverCount(); ++i) {
            address p = ghost.provers(i);
            AccountState memory a = net.accountOf(p);
            assertEq(uint256(a.claimable) + ghost.claimedOut(p), ghost.earned(p));
        }
    }

    /// @custom:invariant Open assignments of each prover equal its batches still in the Assigned state.
    function invariant_OpenAssignmentsMatchBatches() public view {
        for (uint256 i; i < ghost.proverCount(); ++i) {
            address p = ghost.provers(i);
            uint256 open;
            for (uint256 id = 1; id <= ghost.batchCount(); ++id) {
                Batch memory b = net.batchOf(id);
                if (b.prover == p && b.status == BatchStatus.Assigned) open++;
            }
            assertEq(net.accountOf(p).openAssignments, open);
        }
    }
}
