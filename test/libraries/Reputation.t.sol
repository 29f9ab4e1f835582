// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Reputation} from "../../contracts/libraries/Reputation.sol";

contract ReputationTest is Test {
    function test_DecayHalvesDistancePerHalfLife() public pure {
        assertEq(Reputation.decayed(9000, 100, 100, 5000, 1000), 9000);
        assertEq(Reputation.decayed(9000, 100, 1100, 5000, 1000), 7000);
        assertEq(Reputation.decayed(9000, 100, 2100, 5000, 1000), 6000);
        assertEq(Reputation.decayed(1000, 100, 1100, 5000, 1000), 3000);
        // half-way through a half-life: linear approximation of 2^-0.5 (0.75 instead of 0.707)
        assertEq(Reputation.decayed(9000, 0, 500, 5000, 1000), 8000);
        assertEq(Reputation.decayed(9000, 0, 1_000_000, 5000, 1000), 5000);
    }

    function test_RaiseAndLowerAreBounded() public pure {
        assertEq(Reputation.raise(9950, 100), 10_000);
        assertEq(Reputation.lower(50, 100), 0);
    }

    function testFuzz_DecayStaysBetweenScoreAndAnchor(
        uint16 rep,
        uint16 anchor,
        uint40 updatedAt,
        uint40 elapsed,
        uint32 halfLife
    ) public pure {
        rep = uint16(bound(rep, 0, 10_000));
        anchor = uint16(bound(anchor, 1, 10_000));
        halfLife = uint32(bound(halfLife, 1, type(uint32).max));
        uint256 d = Reputation.decayed(rep, updatedAt, uint256(updatedAt) + elapsed, anchor, halfLife);
        uint256 lo = rep < anchor ? rep : anchor;
        uint256 hi = rep < anchor ? anchor : rep;
        assertGe(d, lo);
        assertLe(d, hi);
    }

    function testFuzz_DecayIsMonotoneInTime(uint16 rep, uint40 t1, uint40 t2, uint32 halfLife) public pure {
        rep = uint16(bound(rep, 5001, 10_000));
        halfLife = uint32(bound(halfLife, 1, 1e9));
        (uint40 a, uint40 b) = t1 < t2 ? (t1, t2) : (t2, t1);
        assertGe(Reputation.decayed(rep, 0, a, 5000, halfLife), Reputation.decayed(rep, 0, b, 5000, halfLife));
    }
}
