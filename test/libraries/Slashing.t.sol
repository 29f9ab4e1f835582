// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Slashing} from "../../contracts/libraries/Slashing.sol";
import {SlashTerms} from "../../contracts/types/Batch.sol";
import {AccountState} from "../../contracts/types/AccountState.sol";

contract SlashingTest is Test {
    AccountState internal account;

    uint256 internal constant CAP = 10_000e18;

    function _take(uint96 active, uint96 unbonding, uint256 cap, uint256 bps) internal returns (uint256) {
        account.stake = active;
        account.unbonding = unbonding;
        return Slashing.take(account, cap, bps);
    }

    function test_AmountCountsUnbondingStake() public pure {
        assertEq(Slashing.amountOf(600e18, 400e18, CAP, 300), 30e18);
        assertEq(Slashing.amountOf(0, 1000e18, CAP, 300), 30e18);
    }

    function test_AmountIsCappedAtMaxWeightStake() public pure {
        // exactly at the cap, one wei above it, and far above it (active and unbonding together)
        assertEq(Slashing.amountOf(CAP, 0, CAP, 300), 300e18);
        assertEq(Slashing.amountOf(CAP, 1, CAP, 300), 300e18);
        assertEq(Slashing.amountOf(CAP - 1, 1, CAP, 300), 300e18);
        assertEq(Slashing.amountOf(1_000_000e18, 5_000_000e18, CAP, 300), 300e18);
        // one wei below the cap is not capped: 3% of (CAP - 1) rounds down
        assertEq(Slashing.amountOf(CAP - 1, 0, CAP, 300), 300e18 - 1);
    }

    function test_AmountRoundsDown() public pure {
        assertEq(Slashing.amountOf(9999, 0, CAP, 1), 0);
        assertEq(Slashing.amountOf(10_000, 0, CAP, 1), 1);
        assertEq(Slashing.amountOf(19_999, 0, CAP, 1), 1);
        assertEq(Slashing.amountOf(333, 0, CAP, 300), 9); // 9.99
        assertEq(Slashing.amountOf(0, 0, CAP, 5000), 0);
    }

    function test_TakeUsesActiveStakeFirst() public {
        assertEq(_take(1000, 500, CAP, 5000), 750);
        assertEq(account.stake, 250);
        assertEq(account.unbonding, 500);
    }

    function test_TakeEmptiesActiveExactlyWithoutTouchingUnbonding() public {
        // slash == active: the boundary where unbonding is still untouched
        assertEq(_take(500, 500, CAP, 5000), 500);
        assertEq(account.stake, 0);
        assertEq(account.unbonding, 500);
    }

    function test_TakeRemainderComesFromUnbonding() public {
        assertEq(_take(499, 501, CAP, 5000), 500);
        assertEq(account.stake, 0);
        assertEq(account.unbonding, 500);
        // all stake unbonding
        assertEq(_take(0, 1000, CAP, 300), 30);
        assertEq(account.stake, 0);
        assertEq(account.unbonding, 970);
    }

    function test_TakeLeavesOtherFieldsAlone() public {
        account.unbondingReadyAt = 77;
        account.openAssignments = 3;
        account.claimable = 9;
        _take(1000, 1000, CAP, 5000);
        assertEq(account.unbondingReadyAt, 77);
        assertEq(account.openAssignments, 3);
        assertEq(account.claimable, 9);
    }

    function _terms(uint256 burnBps, uint256 bountyBps, uint256 keeperBps)
        internal
        pure
        returns (SlashTerms memory)
    {
        return SlashTerms(address(0), 1000, uint16(burnBps), uint16(bountyBps), uint16(keeperBps));
    }

    function test_SplitDefaults() public pure {
        // defaults: burn 50%, bounty 30%, keeper 5%, treasury the remaining 15%
        (uint256 burned, uint256 bounty, uint256 keeper, uint256 toTreasury) =
            Slashing.split(300e18, _terms(5000, 3000, 500));
        assertEq(burned, 150e18);
        assertEq(bounty, 90e18);
        assertEq(keeper, 15e18);
        assertEq(toTreasury, 45e18);
    }

    function test_SplitRoundingRemainderGoesToTreasury() public pure {
        (uint256 burned, uint256 bounty, uint256 keeper, uint256 toTreasury) =
            Slashing.split(1, _terms(5000, 3000, 500));
        assertEq(burned + bounty + keeper, 0);
        assertEq(toTreasury, 1);
        (burned, bounty, keeper, toTreasury) = Slashing.split(7, _terms(5000, 3000, 0));
        assertEq(burned, 3); // 3.5
        assertEq(bounty, 2); // 2.1
        assertEq(toTreasury, 2);
        // burn, bounty and keeper taking everything leave the treasury only the rounding
        (burned, bounty, keeper, toTreasury) = Slashing.split(7, _terms(1000, 8000, 1000));
        assertEq(burned + bounty + keeper, 5); // 0 + 5 (5.6) + 0 (0.7)
        assertEq(toTreasury, 2);
        (burned, bounty, keeper, toTreasury) = Slashing.split(10, _terms(1000, 8000, 1000));
        assertEq(toTreasury, 0);
    }

    function test_SplitWithoutBountyBurnsTheBountyShare() public pure {
        (uint256 burned, uint256 keeper, uint256 toTreasury) =
            Slashing.splitWithoutBounty(10e18, _terms(5000, 3000, 500), true);
        assertEq(burned, 8e18);
        assertEq(keeper, 5e17);
        assertEq(toTreasury, 15e17);
        // the prover's own commit applies it: no keeper share, the treasury keeps it
        (burned, keeper, toTreasury) = Slashing.splitWithoutBounty(10e18, _terms(5000, 3000, 500), false);
        assertEq(keeper, 0);
        assertEq(toTreasury, 2e18);
        (burned, keeper, toTreasury) = Slashing.splitWithoutBounty(3, _terms(5000, 0, 0), true);
        assertEq(burned, 1);
        assertEq(toTreasury, 2);
    }

    function test_KeeperFeeRoundsDown() public pure {
        assertEq(Slashing.keeperFee(19, 500), 0);
        assertEq(Slashing.keeperFee(20, 500), 1);
        assertEq(Slashing.keeperFee(1e18, 0), 0);
    }

    function testFuzz_TakeNeverExceedsBondedStakeAndConservesIt(
        uint96 active,
        uint96 unbonding,
        uint96 cap,
        uint16 bps
    ) public {
        bps = uint16(bound(bps, 0, Slashing.BPS));
        uint256 bonded = uint256(active) + unbonding;
        uint256 amount = _take(active, unbonding, cap, bps);
        assertLe(amount, bonded);
        assertLe(amount, (uint256(cap) * bps) / Slashing.BPS);
        assertEq(uint256(account.stake) + account.unbonding + amount, bonded);
        // active first: unbonding shrinks only once active is gone
        if (account.unbonding < unbonding) assertEq(account.stake, 0);
    }

    function testFuzz_SplitSharesAddUp(uint96 amount, uint16 burnBps, uint16 bountyBps, uint16 keeperBps)
        public
        pure
    {
        bountyBps = uint16(bound(bountyBps, 0, 9000));
        keeperBps = uint16(bound(keeperBps, 0, Slashing.BPS - bountyBps));
        burnBps = uint16(bound(burnBps, 0, Slashing.BPS - bountyBps - keeperBps));
        (uint256 burned, uint256 bounty, uint256 keeper, uint256 toTreasury) =
            Slashing.split(amount, _terms(burnBps, bountyBps, keeperBps));
        assertEq(burned + bounty + keeper + toTreasury, amount);
        assertEq(burned, (uint256(amount) * burnBps) / Slashing.BPS);
        assertEq(bounty, (uint256(amount) * bountyBps) / Slashing.BPS);
        assertEq(keeper, (uint256(amount) * keeperBps) / Slashing.BPS);
    }
}
