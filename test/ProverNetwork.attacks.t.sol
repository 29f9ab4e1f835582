// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {ProverNetwork} from "../contracts/ProverNetwork.sol";
import {INetworkGovernance} from "../contracts/interfaces/INetworkGovernance.sol";
import {IProverNetwork} from "../contracts/interfaces/IProverNetwork.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {BatchStatus} from "../contracts/types/Batch.sol";
import {FeeOnTransferToken} from "./mocks/FeeOnTransferToken.sol";
import {ReentrantToken} from "./mocks/ReentrantToken.sol";
import {ReentrantProver} from "./mocks/ReentrantProver.sol";

/// @notice One test per attack the design claims to stop.
contract ProverNetworkAttacksTest is NetworkTestBase {
    // ------------------------------------------------------------ proof stealing

    function test_Attack_CopiedProofIsRejectedForAnotherSubmitter() public {
        _selectionRound(_three());
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        address thief = p == alice ? bob : alice;
        bytes memory honestProof = _proof(p, id, 1);

        // The thief front-runs the race with the honest prover's bytes once the window lapses.
        vm.roll(_batch(id).provingDeadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.InvalidProof.selector, id, 1));
        vm.prank(thief);
        net.raceSubmit(id, honestProof);

        // And in the window, the copied bytes are not even a valid submission for the thief's own batch.
        assertEq(_acct(thief).claimable, 0);
    }

    function test_Attack_ProofForOtherCommitmentIsRejected() public {
        _selectionRound(_three());
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        bytes32[] memory wrong = new bytes32[](1);
        wrong[0] = keccak256("not the batch");
        bytes memory proof = abi.encode(verifier.expectedProof(address(net), p, id, wrong));
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.InvalidProof.selector, id, 1));
        vm.prank(p);
        net.submitProof(id, 1, proof);
    }

    function test_Attack_ProofForOtherNetworkIsRejected() public {
        _selectionRound(_three());
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        bytes32[] memory cs = new bytes32[](1);
        cs[0] = keccak256("b");
        bytes memory proof = abi.encode(verifier.expectedProof(address(0xBEEF), p, id, cs));
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.InvalidProof.selector, id, 1));
        vm.prank(p);
        net.submitProof(id, 1, proof);
    }

    // ------------------------------------------------------------ withdraw before slash

    function test_Attack_WithdrawBeforeSlashIsImpossible() public {
        _selectionRound(_three());
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        vm.prank(p);
        net.requestUnstake(1000e18);
        vm.roll(_acct(p).unbondingReadyAt);
        // The window lapsed long ago and nobody has slashed yet: the assignment still blocks exit.
        assertGt(block.number, _batch(id).provingDeadline);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.OpenAssignments.selector, 1));
        vm.prank(p);
        net.withdraw();
        net.slashMissed(id);
        vm.prank(p);
        net.withdraw();
        assertEq(token.balanceOf(p), 900e18, "only the unslashed part leaves");
    }

    function test_Attack_WithdrawWithPendingNonRevealIsImpossible() public {
        _register(alice, 1000e18);
        uint256 epoch = _nextEpoch();
        _commit(alice, epoch);
        vm.prank(alice);
        net.requestUnstake(1000e18);
        vm.roll(block.number + 100);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.UnresolvedCommitment.selector, epoch));
        vm.prank(alice);
        net.withdraw();
        net.penalizeNonReveal(alice);
        vm.prank(alice);
        net.withdraw();
        assertEq(token.balanceOf(alice), 990e18);
    }

    function test_Attack_SlashedFundsCannotBeWithdrawn() public {
        _selectionRound(_three());
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        vm.roll(_batch(id).provingDeadline + 1);
        net.slashMissed(id);
        vm.prank(p);
        net.requestUnstake(900e18);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.InsufficientStake.selector, 1, 0));
        vm.prank(p);
        net.requestUnstake(1);
        vm.roll(block.number + 100);
        vm.prank(p);
        net.withdraw();
        assertEq(token.balanceOf(p), 900e18);
        vm.expectRevert(IProverNetworkEvents.NothingToWithdraw.selector);
        vm.prank(p);
        net.withdraw();
    }

    // ------------------------------------------------------------ non-revealer

    function test_Attack_WithholdingRevealCostsStakeAndReputation() public {
        _register(alice, 1000e18);
        _register(bob, 1000e18);
        _matureReputations();
        uint256 epoch = _nextEpoch();
        _commit(alice, epoch);
        _commit(bob, epoch);
        _toReveal(epoch);
        _reveal(alice, epoch);
        // bob withholds. His withheld reveal cannot steer the seed: the seed mixes the prevrandao of a
        // block after the reveal phase, unknown while revealing, and he pays 1% of stake and 300 reputation.
        vm.roll(net.epochStart(epoch + 1) + 1);
        net.penalizeNonReveal(bob);
        assertEq(_acct(bob).stake, 990e18);
        assertEq(net.reputationOf(bob), 4700);
        (uint256 count,) = net.rollOf(epoch);
        assertEq(count, 1);
        uint256 id = _post(keccak256("b"), 1e18);
        assertEq(_batch(id).prover, alice);
    }

    // ------------------------------------------------------------ sybil splitting

    function test_Attack_SybilSplittingGainsNoWeight() public {
        _register(alice, 4000e18);
        uint256 whole = net.weightOf(alice);
        uint256 split;
        for (uint256 i; i < 4; ++i) {
            address s = address(uint160(0xA000 + i));
            _register(s, 1000e18);
            split += net.weightOf(s);
        }
        assertApproxEqAbs(split, whole, 4, "weight is linear in capped stake: splitting is neutral");
    }

    // ------------------------------------------------------------ hostile tokens

    function test_Attack_FeeOnTransferTokenCannotCorruptAccounting() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        ProverNetwork n = new ProverNetwork(
            IERC20(address(fot)), verifier, owner, COMMIT_BLOCKS, REVEAL_BLOCKS, SLOT_BLOCKS, defaultParams()
        );
        fot.mint(alice, 1000e18);
        vm.startPrank(alice);
        fot.approve(address(n), type(uint256).max);
        n.register(1000e18);
        vm.stopPrank();
        assertEq(n.accountOf(alice).stake, 990e18, "credited what arrived, not what was asked");
        assertEq(fot.balanceOf(address(n)), 990e18);

        vm.prank(owner);
        INetworkGovernance(address(n)).setBatchSource(rollup, true);
        fot.mint(rollup, 100e18);
        vm.startPrank(rollup);
        fot.approve(address(n), type(uint256).max);
        n.depositFees(10e18);
        assertEq(n.sourceOf(rollup).feeBalance, 9.9e18, "credited what arrived");
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.InsufficientFeeBalance.selector, 10e18, 9.9e18)
        );
        n.postBatch(keccak256("b"), 10e18);
        uint256 id = n.postBatch(keccak256("b"), 9.9e18);
        vm.stopPrank();
        assertEq(n.batchOf(id).fee, 9.9e18);
        assertEq(fot.balanceOf(address(n)), 990e18 + 9.9e18);

        vm.prank(alice);
        n.requestUnstake(990e18);
        vm.roll(block.number + 100);
        vm.prank(alice);
        n.withdraw();
        assertEq(fot.balanceOf(address(n)), 9.9e18, "exactly the escrowed fee remains");
    }

    function test_Attack_ReentrantTokenCannotPayTwice() public {
        ReentrantToken hook = new ReentrantToken();
        ProverNetwork n = new ProverNetwork(
            IERC20(address(hook)), verifier, owner, COMMIT_BLOCKS, REVEAL_BLOCKS, SLOT_BLOCKS, defaultParams()
        );
        ReentrantProver attacker = new ReentrantProver(n);
        hook.mint(address(attacker), 1000e18);
        attacker.approveAndRegister(IERC20(address(hook)), 1000e18);

        // Earn a fee through the open race so that claim pays something.
        vm.prank(owner);
        INetworkGovernance(address(n)).setBatchSource(rollup, true);
        hook.mint(rollup, 100e18);
        vm.startPrank(rollup);
        hook.approve(address(n), type(uint256).max);
        n.depositFees(10e18);
        uint256 id = n.postBatch(keccak256("b"), 10e18);
        vm.stopPrank();
        bytes32[] memory cs = new bytes32[](1);
        cs[0] = keccak256("b");
        bytes memory proof = abi.encode(verifier.expectedProof(address(n), address(attacker), id, cs));
        attacker.call(abi.encodeCall(n.raceSubmit, (id, proof)));
        attacker.call(abi.encodeCall(n.requestUnstake, (1000e18)));
        vm.roll(block.number + 100);

        attacker.call(abi.encodeCall(n.claim, ()));
        attacker.call(abi.encodeCall(n.withdraw, ()));
        assertEq(attacker.reentryAttempts(), 2);
        assertEq(attacker.reentrySuccesses(), 0, "every re-entry was refused");
        assertEq(hook.balanceOf(address(attacker)), 1010e18, "paid exactly stake + fee");
        assertEq(hook.balanceOf(address(n)), 0);
    }

    // ------------------------------------------------------------ early keeper

    function test_Attack_EarlyTimeoutIsRefused() public {
        _selectionRound(_three());
        uint256 id = _post(keccak256("b"), 7e18);
        uint256 deadline = _batch(id).provingDeadline;
        vm.roll(deadline);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.ProvingWindowOpen.selector, id, deadline));
        vm.prank(keeper);
        net.slashMissed(id);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Assigned));
    }
}
