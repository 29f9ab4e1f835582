// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Per-epoch summary of the selection list, one storage slot.
/// @dev Two rolls (indexed by epoch parity) are enough: reveals of epoch e fill roll[e % 2] while the
///      draws of epoch e read roll[(e - 1) % 2]. Reusing the slots turns every steady-state write into
///      a non-zero to non-zero store (5k gas instead of 22k).
struct EpochRoll {
    uint32 epoch;
    uint32 count;
    uint96 totalWeight;
    /// XOR of the low 96 bits of every revealed secret.
    uint96 mix;
}
