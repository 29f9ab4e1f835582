// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Weight} from "../../contracts/libraries/Weight.sol";

contract WeightTest is Test {
    uint256 internal constant CAP = 10_000e18;
    uint256 internal constant UNIT = 1 << 24;

    function test_ReputationScalesBetweenOneEleventhAndOne() public pure {
        uint256 stake = 11_000 * UNIT;
        assertEq(Weight.ofStake(stake, CAP, 0), 1000); // 1/11 at score 0
        assertEq(Weight.ofStake(stake, CAP, 5000), 6000); // a newcomer weighs 6/11
        assertEq(Weight.ofStake(stake, CAP, Weight.REP_MAX), 11_000); // full weight at the top score
    }

    function test_StakeAboveTheCapAddsNoWeight() public pure {
        uint256 atCap = Weight.ofStake(CAP, CAP, 5000);
        assertEq(Weight.ofStake(CAP + 1, CAP, 5000), atCap);
        assertEq(Weight.ofStake(100 * CAP, CAP, 5000), atCap);
        assertLt(Weight.ofStake(CAP - UNIT, CAP, 5000), atCap);
    }

    function test_StakeBelowOneShiftUnitWeighsNothing() public pure {
        assertEq(Weight.ofStake(UNIT - 1, CAP, Weight.REP_MAX), 0);
        assertEq(Weight.ofStake(UNIT, CAP, Weight.REP_MAX), 1);
        // the shift drops the low 24 bits before the reputation factor
        assertEq(Weight.ofStake(2 * UNIT - 1, CAP, Weight.REP_MAX), 1);
    }

    function test_ReputationFactorRoundsDown() public pure {
        // 1 unit at score 0: 1 * 1000 / 11000 rounds to 0
        assertEq(Weight.ofStake(UNIT, CAP, 0), 0);
        // 11 units at score 0: exactly 1
        assertEq(Weight.ofStake(11 * UNIT, CAP, 0), 1);
    }

    function testFuzz_SplittingStakeGainsNoWeight(uint64 a, uint64 b, uint16 rep) public pure {
        rep = uint16(bound(rep, 0, Weight.REP_MAX));
        // whole shift units below the cap: weight is linear up to the final rounding
        uint256 sa = uint256(a) * UNIT;
        uint256 sb = uint256(b) * UNIT;
        uint256 whole = Weight.ofStake(sa + sb, type(uint96).max, rep);
        uint256 parts = Weight.ofStake(sa, type(uint96).max, rep) + Weight.ofStake(sb, type(uint96).max, rep);
        assertLe(parts, whole);
        assertLe(whole - parts, 1);
    }

    function testFuzz_MonotoneInStakeAndReputation(uint96 s1, uint96 s2, uint16 r1, uint16 r2, uint96 cap)
        public
        pure
    {
        r1 = uint16(bound(r1, 0, Weight.REP_MAX));
        r2 = uint16(bound(r2, r1, Weight.REP_MAX));
        if (s1 > s2) (s1, s2) = (s2, s1);
        assertLe(Weight.ofStake(s1, cap, r1), Weight.ofStake(s2, cap, r2));
        assertLe(Weight.ofStake(s2, cap, r2), uint256(cap > s2 ? s2 : cap) >> Weight.SHIFT);
    }
}
