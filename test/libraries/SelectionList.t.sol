// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {SelectionList} from "../../contracts/libraries/SelectionList.sol";

contract SelectionListTest is Test {
    uint256[4_294_967_296] internal list;
    uint256[] internal weights;

    function _build(uint256 n, uint256 seed) internal returns (uint256 total) {
        delete weights;
        for (uint256 i; i < n; ++i) {
            uint256 w = 1 + (uint256(keccak256(abi.encode(seed, i))) % 1e20);
            weights.push(w);
            total += w;
            list[i] = SelectionList.pack(address(uint160(i + 1)), total);
        }
    }

    function test_PackRoundTrip() public pure {
        uint256 e = SelectionList.pack(address(0xBEEF), 12345);
        assertEq(SelectionList.proverOf(e), address(0xBEEF));
        assertEq(SelectionList.cumulativeOf(e), 12345);
    }

    function test_BoundariesPickTheRightEntry() public {
        list[0] = SelectionList.pack(address(1), 10);
        list[1] = SelectionList.pack(address(2), 30);
        list[2] = SelectionList.pack(address(3), 31);
        (uint256 i, address p) = SelectionList.search(list, 3, 0);
        assertEq(i, 0);
        assertEq(p, address(1));
        (i,) = SelectionList.search(list, 3, 9);
        assertEq(i, 0);
        (i,) = SelectionList.search(list, 3, 10);
        assertEq(i, 1);
        (i,) = SelectionList.search(list, 3, 29);
        assertEq(i, 1);
        (i, p) = SelectionList.search(list, 3, 30);
        assertEq(i, 2);
        assertEq(p, address(3));
    }

    /// @dev The binary search agrees with a linear scan for every list size and draw.
    function testFuzz_SearchMatchesLinearScan(uint8 n, uint256 seed, uint256 r) public {
        n = uint8(bound(n, 1, 64));
        uint256 total = _build(n, seed);
        r = r % total;
        uint256 expected;
        uint256 acc;
        for (uint256 i; i < n; ++i) {
            acc += weights[i];
            if (acc > r) {
                expected = i;
                break;
            }
        }
        (uint256 got, address p) = SelectionList.search(list, n, r);
        assertEq(got, expected);
        assertEq(p, address(uint160(expected + 1)));
    }
}
