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

    function test_DeriveIsTheDocumentedHashAndNeverZero() public view {
        uint256 randao = uint256(keccak256("randao"));
        uint256 seed = Seed.derive(42, randao, 3, address(this));
        assertEq(seed, uint256(keccak256(abi.encode(uint96(42), randao, uint256(3), address(this)))));
        assertTrue(seed != 0);
        assertTrue(seed != Seed.derive(42, randao, 3, address(0xBEEF))); // bound to the network
        assertTrue(seed != Seed.derive(43, randao, 3, address(this)));
        assertTrue(seed != Seed.derive(42, randao, 4, address(this)));
        assertTrue(seed != Seed.derive(42, randao + 1, 3, address(this)));
        assertTrue(seed != Seed.derive(42, 0, 3, address(this))); // the fallback differs from any randao
    }

    function testFuzz_SlotPointIsBelowTotalWeightAndKeyedBySlotNotBatch(
        uint256 seed,
        uint64 epoch,
        uint16 index,
        uint8 draw,
        uint96 total
    ) public pure {
        vm.assume(total > 0);
        uint256 r = Seed.slotPoint(seed, epoch, index, draw, total);
        assertLt(r, total);
        assertEq(
            r, uint256(keccak256(abi.encode(seed, uint256(epoch), uint256(index), uint256(draw)))) % total
        );
    }
}
