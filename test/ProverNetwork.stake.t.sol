// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {IProverNetwork} from "../contracts/interfaces/IProverNetwork.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {AccountState} from "../contracts/types/AccountState.sol";

contract ProverNetworkStakeTest is NetworkTestBase {
    function test_Register_CreditsStakeAndStartingReputation() public {
        _fund(alice, 500e18);
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.ProverRegistered(alice, 500e18, 0);
        vm.prank(alice);
        net.register(500e18);
        AccountState memory a = _acct(alice);
        assertEq(a.stake, 500e18);
        assertTrue(a.registered);
        assertEq(net.reputationOf(alice), 0, "newcomers start at the bottom");
        vm.roll(block.number + 1000);
        assertEq(net.reputationOf(alice), 2500, "and rise toward repInitial: half the way per half-life");
        assertEq(token.balanceOf(address(net)), FEE_DEPOSIT + 500e18);
    }

    function test_RevertWhen_RegisterBelowMinimum() public {
        _fund(alice, 50e18);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.StakeBelowMinimum.selector, 50e18, MIN_STAKE)
        );
        vm.prank(alice);
        net.register(50e18);
    }

    function test_RevertWhen_RegisterTwice() public {
        _register(alice, 500e18);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.AlreadyRegistered.selector, alice));
        vm.prank(alice);
        net.register(500e18);
    }

    function test_RevertWhen_RegisterZeroOrTooLarge() public {
        vm.expectRevert(IProverNetworkEvents.ZeroAmount.selector);
        vm.prank(alice);
        net.register(0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProverNetworkEvents.AmountTooLarge.selector, uint256(type(uint96).max) + 1
            )
        );
        vm.prank(alice);
        net.register(uint256(type(uint96).max) + 1);
    }

    function test_StakeTopsUp() public {
        _register(alice, 500e18);
        _fund(alice, 250e18);
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.StakeAdded(alice, 250e18, 750e18);
        vm.prank(alice);
        net.stake(250e18);
        assertEq(_acct(alice).stake, 750e18);
    }

    function test_RevertWhen_StakeUnregistered() public {
        _fund(alice, 500e18);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.NotRegistered.selector, alice));
        vm.prank(alice);
        net.stake(500e18);
    }

    function test_UnstakeThenWithdrawAfterDelay() public {
        _register(alice, 500e18);
        vm.prank(alice);
        net.requestUnstake(200e18);
        AccountState memory a = _acct(alice);
        assertEq(a.stake, 300e18);
        assertEq(a.unbonding, 200e18);
        assertEq(a.unbondingReadyAt, block.number + 100);

        vm.expectRevert(
            abi.encodeWithSelector(
                IProverNetworkEvents.UnbondingNotFinished.selector, block.number + 100, block.number
            )
        );
        vm.prank(alice);
        net.withdraw();

        vm.roll(block.number + 100);
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.Withdrawn(alice, 200e18);
        vm.prank(alice);
        net.withdraw();
        assertEq(token.balanceOf(alice), 200e18);
        assertEq(_acct(alice).unbonding, 0);
    }

    function test_UnstakeRestartsDelay() public {
        _register(alice, 500e18);
        vm.prank(alice);
        net.requestUnstake(100e18);
        vm.roll(block.number + 60);
        vm.prank(alice);
        net.requestUnstake(100e18);
        assertEq(_acct(alice).unbondingReadyAt, block.number + 100);
    }

    function test_RevertWhen_UnstakeMoreThanStake() public {
        _register(alice, 500e18);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.InsufficientStake.selector, 600e18, 500e18)
        );
        vm.prank(alice);
        net.requestUnstake(600e18);
    }

    function test_RevertWhen_WithdrawNothing() public {
        _register(alice, 500e18);
        vm.expectRevert(IProverNetworkEvents.NothingToWithdraw.selector);
        vm.prank(alice);
        net.withdraw();
    }

    function test_BelowMinimumIsNotEligible() public {
        _register(alice, 150e18);
        vm.prank(alice);
        net.requestUnstake(100e18);
        assertEq(net.weightOf(alice), 0);
        uint256 epoch = _nextEpoch();
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.StakeBelowMinimum.selector, 50e18, MIN_STAKE)
        );
        vm.prank(alice);
        net.commit(_commitment(alice, epoch));
    }

    function testFuzz_StakeAccounting(uint96 first, uint96 topUp, uint96 unstake) public {
        first = uint96(bound(first, MIN_STAKE, 1e27));
        topUp = uint96(bound(topUp, 1, 1e27));
        _register(alice, first);
        _fund(alice, topUp);
        vm.prank(alice);
        net.stake(topUp);
        uint256 total = uint256(first) + topUp;
        unstake = uint96(bound(unstake, 1, total));
        vm.prank(alice);
        net.requestUnstake(unstake);
        AccountState memory a = _acct(alice);
        assertEq(uint256(a.stake) + a.unbonding, total);
        assertEq(token.balanceOf(address(net)), FEE_DEPOSIT + total);
        vm.roll(block.number + 100);
        vm.prank(alice);
        net.withdraw();
        assertEq(token.balanceOf(alice), unstake);
        assertEq(token.balanceOf(address(net)), FEE_DEPOSIT + total - unstake);
    }

    /// @dev `bondOf` (what a pool keeps its books on) agrees with `accountOf` at every step of an exit, is
    ///      zero for an unknown address, and sums stake and unbonding at the largest values the two 96-bit
    ///      fields hold without overflowing.
    function test_BondOf_AgreesWithTheAccountAndHoldsTheLargestStake() public {
        (uint256 bonded, uint256 claimable) = net.bondOf(alice);
        assertEq(bonded + claimable, 0, "unknown address");

        _register(alice, 500e18);
        vm.prank(alice);
        net.requestUnstake(200e18);
        (bonded, claimable) = net.bondOf(alice);
        AccountState memory a = _acct(alice);
        assertEq(bonded, 500e18, "stake plus unbonding: an unstake request moves nothing out of the bond");
        assertEq(bonded, uint256(a.stake) + a.unbonding);
        assertEq(claimable, a.claimable);

        vm.roll(block.number + 100);
        vm.prank(alice);
        net.withdraw();
        (bonded,) = net.bondOf(alice);
        assertEq(bonded, 300e18, "a withdrawal leaves the bond");

        uint256 max = type(uint96).max;
        _fund(bob, 2 * max);
        vm.prank(bob);
        net.register(max);
        vm.prank(bob);
        net.requestUnstake(max - MIN_STAKE);
        vm.prank(bob);
        net.stake(max - MIN_STAKE);
        (bonded,) = net.bondOf(bob);
        assertEq(bonded, 2 * max - MIN_STAKE, "two near-full 96-bit fields sum in 256 bits");
    }
}
