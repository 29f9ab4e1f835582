// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {ProverNetwork} from "../contracts/ProverNetwork.sol";
import {INetworkGovernance} from "../contracts/interfaces/INetworkGovernance.sol";
import {IProverNetwork} from "../contracts/interfaces/IProverNetwork.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {Groth16BatchVerifier} from "../zk/solidity/Groth16BatchVerifier.sol";
import {Params} from "../contracts/types/Params.sol";

/// @notice Prepaid fees, the minimum fee and the commitment domain.
contract ProverNetworkFeesTest is NetworkTestBase {
    function test_DepositAndWithdrawFees() public {
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.FeesDeposited(rollup, 5e18, FEE_DEPOSIT + 5e18);
        vm.prank(rollup);
        net.depositFees(5e18);
        uint256 before = token.balanceOf(rollup);
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.FeesWithdrawn(rollup, FEE_DEPOSIT + 5e18, 0);
        vm.prank(rollup);
        net.withdrawFees(FEE_DEPOSIT + 5e18); // exactly the balance
        assertEq(token.balanceOf(rollup), before + FEE_DEPOSIT + 5e18);
        assertEq(_feeBalance(rollup), 0);
    }

    function test_RevertWhen_FeeAccountMisused() public {
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.NotBatchSource.selector, alice));
        vm.prank(alice);
        net.depositFees(1e18);
        vm.expectRevert(IProverNetworkEvents.ZeroAmount.selector);
        vm.prank(rollup);
        net.depositFees(0);
        vm.expectRevert(IProverNetworkEvents.ZeroAmount.selector);
        vm.prank(rollup);
        net.withdrawFees(0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProverNetworkEvents.InsufficientFeeBalance.selector, FEE_DEPOSIT + 1, FEE_DEPOSIT
            )
        );
        vm.prank(rollup);
        net.withdrawFees(FEE_DEPOSIT + 1);
    }

    function test_PostingSpendsTheBalanceToTheLastWei() public {
        vm.prank(rollup);
        net.withdrawFees(FEE_DEPOSIT - 3e18);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.InsufficientFeeBalance.selector, 3e18 + 1, 3e18)
        );
        _post(keccak256("b"), 3e18 + 1);
        _post(keccak256("b"), 3e18);
        assertEq(_feeBalance(rollup), 0);
    }

    function test_MinimumFeeAtItsBoundary() public {
        Params memory p = defaultParams();
        p.minFee = 5;
        vm.prank(owner);
        gov.setParams(p);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.FeeBelowMinimum.selector, 4, 5));
        _post(keccak256("b"), 4);
        assertEq(_batch(_post(keccak256("b"), 5)).fee, 5);
    }

    function test_ADeauthorisedSourceKeepsItsBalanceAndRefunds() public {
        uint256 id = _post(keccak256("b"), 7e18);
        vm.prank(owner);
        gov.setBatchSource(rollup, false);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.NotBatchSource.selector, rollup));
        _post(keccak256("c"), 1e18);
        vm.roll(_batch(id).raceDeadline + 1);
        net.markFailed(id);
        assertEq(_feeBalance(rollup), FEE_DEPOSIT, "refund credited though the source may no longer post");
        vm.prank(rollup);
        net.withdrawFees(FEE_DEPOSIT);
        // Re-authorising keeps the source's index: its old batches still name it.
        vm.prank(owner);
        gov.setBatchSource(rollup, true);
        assertEq(net.sourceOf(rollup).index, 1);
        assertEq(net.sourceCount(), 1);
        assertEq(_batch(id).poster, rollup);
    }

    function test_RevertWhen_CommitmentOutsideTheVerifiersDomain() public {
        Groth16BatchVerifier g = new Groth16BatchVerifier();
        ProverNetwork n = new ProverNetwork(
            IERC20(address(token)), g, owner, COMMIT_BLOCKS, REVEAL_BLOCKS, SLOT_BLOCKS, defaultParams()
        );
        uint256 r = g.commitmentBound();
        assertEq(n.commitmentBound(), r);
        vm.prank(owner);
        INetworkGovernance(address(n)).setBatchSource(rollup, true);
        vm.startPrank(rollup);
        token.approve(address(n), type(uint256).max);
        n.depositFees(10e18);
        // keccak256("b") is above the BN254 field order: nobody could ever prove it.
        assertGe(uint256(keccak256("b")), r);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.CommitmentOutOfDomain.selector, bytes32(r), r)
        );
        n.postBatch(bytes32(r), 1e18);
        n.postBatch(bytes32(r - 1), 1e18);
        vm.stopPrank();
        assertEq(n.nextBatchId(), 2);
    }

    function test_TheDevVerifierRefusesOnlyTheAllOnesWord() public {
        assertEq(net.commitmentBound(), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProverNetworkEvents.CommitmentOutOfDomain.selector,
                bytes32(type(uint256).max),
                type(uint256).max
            )
        );
        _post(bytes32(type(uint256).max), 1e18);
        _post(bytes32(type(uint256).max - 1), 1e18);
    }
}
