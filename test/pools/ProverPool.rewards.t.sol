// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PoolTestBase} from "./PoolTestBase.sol";
import {IProverPool} from "../../contracts/pools/IProverPool.sol";

/// @notice Rewards: commission, its delay, the windfall guard, the donation (inflation) attack.
contract ProverPoolRewardsTest is PoolTestBase {
    function setUp() public override {
        super.setUp();
        pool = _createPool(op, MIN_SELF_STAKE, 1000);
    }

    function test_RewardRaisesTheSharePriceLessCommission() public {
        _deposit(dan, 900e18);
        _selectPool();
        _earn();
        vm.expectEmit(address(pool));
        emit IProverPool.RewardsCollected(FEE, 1e18, 9e18);
        pool.sync();
        assertEq(pool.commissionOwed(), 1e18);
        assertEq(pool.activeAssets(), 1009e18);
        assertEq(net.accountOf(address(pool)).stake, 1009e18, "the shareholders' part is restaked");
        assertApproxEqAbs(_value(dan), 900e18 + 8.1e18, 1);
        uint256 before = token.balanceOf(op);
        vm.prank(op);
        pool.claimCommission();
        assertEq(token.balanceOf(op) - before, 1e18);
        vm.expectRevert(IProverPool.NoCommission.selector);
        vm.prank(op);
        pool.claimCommission();
    }

    function test_WindfallGuard_NoRewardReachesAVaultWithoutDelegators() public {
        _selectPool();
        _earn();
        uint256 assets = pool.activeAssets();
        vm.expectEmit(address(pool));
        emit IProverPool.RewardsCollected(FEE, FEE, 0);
        pool.sync();
        assertEq(pool.activeAssets(), assets, "the share price did not move");
        assertEq(pool.commissionOwed(), FEE, "the operator alone earned it");
        // A delegator arriving now buys at the old price: nothing to capture.
        _deposit(dan, 100e18);
        assertEq(_value(dan), 100e18);
    }

    function test_CommissionIncreaseWaitsLongerThanAnExit() public {
        _deposit(dan, 900e18);
        uint256 delay = pool.commissionDelay();
        assertEq(delay, 2 * uint256(net.params().unbondingDelay) + 1);
        // Schedule so that the block before the change falls in the middle of an epoch.
        uint256 b = block.number;
        while ((b + delay - 1 - net.genesisBlock()) % (COMMIT_BLOCKS + REVEAL_BLOCKS) != 7) ++b;
        vm.roll(b);
        vm.expectEmit(address(pool));
        emit IProverPool.CommissionChangeScheduled(1000, 5000, b + delay);
        vm.prank(op);
        pool.setCommission(5000);
        uint256 effectiveAt = b + delay;

        // A delegator who leaves on the announcement is paid before the new rate applies.
        uint256 id = _request(dan, pool.balanceOf(dan) / 2);
        assertLt(pool.trancheOf(pool.requestOf(id).tranche).readyAt, effectiveAt);

        uint256 serving = (effectiveAt - 1 - net.genesisBlock()) / (COMMIT_BLOCKS + REVEAL_BLOCKS);
        vm.roll(net.epochStart(serving - 1) - 1);
        _selectPool();
        vm.roll(effectiveAt - 1);
        _earn();
        vm.expectEmit(address(pool));
        emit IProverPool.RewardsCollected(FEE, 1e18, 9e18);
        pool.sync();
        assertEq(pool.commissionBps(), 1000);

        vm.roll(effectiveAt);
        _earn();
        vm.expectEmit(address(pool));
        emit IProverPool.CommissionUpdated(5000);
        vm.expectEmit(address(pool));
        emit IProverPool.RewardsCollected(FEE, 5e18, 5e18);
        pool.sync();
        assertEq(pool.commissionBps(), 5000);
    }

    function test_CommissionDecreaseAppliesAtOnce() public {
        vm.expectEmit(address(pool));
        emit IProverPool.CommissionUpdated(500);
        vm.prank(op);
        pool.setCommission(500);
        assertEq(pool.commissionBps(), 500);
        assertEq(pool.commissionEffectiveAt(), 0);
    }

    function test_CommissionBoundary() public {
        vm.expectRevert(abi.encodeWithSelector(IProverPool.CommissionTooHigh.selector, 5001, 5000));
        vm.prank(op);
        pool.setCommission(5001);
        vm.prank(op);
        pool.setCommission(5000);
        assertEq(pool.pendingCommissionBps(), 5000);
    }

    function test_DonationDoesNotInflateTheSharePrice() public {
        // The attacker front-runs a delegator by sending tokens straight to the vault.
        token.mint(eve, 10_000e18);
        vm.prank(eve);
        token.transfer(address(pool), 10_000e18);
        pool.sync();
        assertEq(pool.activeAssets(), MIN_SELF_STAKE, "a donation is not an asset of the shareholders");
        uint256 shares = _deposit(dan, 1e18);
        assertEq(shares, 1e24);
        assertEq(_value(dan), 1e18);
    }

    function testFuzz_DonationNeverDilutesADepositor(uint256 donation, uint256 amount) public {
        donation = bound(donation, 1, 1e27);
        amount = bound(amount, 1, 1e27);
        token.mint(eve, donation);
        vm.prank(eve);
        token.transfer(address(pool), donation);
        _deposit(dan, amount);
        assertEq(_value(dan), amount);
    }
}
