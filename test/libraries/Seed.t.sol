// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Seed} from "../../contracts/libraries/Seed.sol";

contract SeedTest is Test {
    function test_CommitmentBindsSecretProverAndEpoch() public pure {
        bytes32 secret = keccak256("s");
        bytes28 c = Seed.commitmentOf(secret, address(0xA11CE), 7);
        assertEq(c, bytes28(keccak256(abi.encode(secret, address(0xA11CE), uint256(7)))));
        assertTrue(c != Seed.commitmentOf(secret, address(0xB0B), 7));
        assertTrue(c != Seed.commitmentOf(secret, address(0xA11CE), 8));
        assertTrue(c != Seed.commitmentOf(keccak256("t"), address(0xA11CE), 7));
    }

    function test_MixIsXorOfLow96Bits() public pure {
        bytes32 a = bytes32(uint256(0xFFFF) << 96 | 0x0F);
        bytes32 b = bytes32(uint256(0xF0));
        uint96 m = Seed.mixIn(Seed.mixIn(0, a), b);
        assertEq(m, 0xFF); // the high bits of `a` are dropped
        assertEq(Seed.mixIn(Seed.mixIn(0, b), a), m); // order-independent
        assertEq(Seed.mixIn(m, b), 0x0F); // a second reveal of the same secret cancels it
    }

    function test_PackUnpackChecksTheEpochTag() public pure {
        uint256 seed = type(uint224).max;
        uint256 stored = Seed.pack(5, seed);
        assertEq(Seed.unpack(stored, 5), seed);
        // the same parity slot two epochs earlier or later is "not fixed"
        assertEq(Seed.unpack(stored, 3), 0);
        assertEq(Seed.unpack(stored, 7), 0);
        assertEq(Seed.unpack(0, 0), 0);
        assertEq(Seed.unpack(Seed.pack(0, 1), 0), 1);
    }

    function test_DeriveIsTheDocumentedHashAndNeverZero() public view {
        bytes32 h = keccak256("block");
        uint256 seed = Seed.derive(42, h, 3, address(this));
        assertEq(seed, uint224(uint256(keccak256(abi.encode(uint96(42), h, uint256(3), address(this))))));
        assertTrue(seed != 0);
        assertTrue(seed != Seed.derive(42, h, 3, address(0xBEEF))); // bound to the network
        assertTrue(seed != Seed.derive(43, h, 3, address(this)));
        assertTrue(seed != Seed.derive(42, h, 4, address(this)));
    }

    function test_EntropyIsTheLastRevealBlockHash() public {
        vm.roll(1000);
        vm.setBlockhash(900, keccak256("900"));
        vm.setBlockhash(999, keccak256("999"));
        assertEq(Seed.entropy(900), keccak256("900"));
        vm.setBlockhash(744, keccak256("744"));
        assertEq(Seed.entropy(744), keccak256("744")); // 256 blocks back: still in the window
    }

    function test_EntropyFallsBackToThePreviousBlockAfter256Blocks() public {
        vm.roll(1000);
        vm.setBlockhash(999, keccak256("999"));
        assertEq(blockhash(743), bytes32(0));
        assertEq(Seed.entropy(743), keccak256("999"));
    }

    function testFuzz_DrawPointIsBelowTotalWeight(uint256 seed, uint256 batchId, uint96 total) public pure {
        vm.assume(total > 0);
        uint256 r = Seed.drawPoint(seed, batchId, total);
        assertLt(r, total);
        assertEq(r, uint256(keccak256(abi.encode(seed, batchId))) % total);
    }
}
