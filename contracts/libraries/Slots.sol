// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Slots
/// @notice Time slots and the assignment keys that name one draw of one slot (docs/mechanism.md,
///         "Slots").
/// @dev Each epoch is cut into slots of `slotBlocks` blocks (the last one shorter if the epoch length is
///      not a multiple). Every batch posted during a slot goes to the slot's prover, so the id a batch
///      happens to get, and any dummy batch posted before it, changes nothing about who proves it, and a
///      slot's batches have consecutive ids that one aggregated proof can cover. A slot has up to
///      `DRAWS` draws (the next one is used only when the current prover's capacity is full) and one
///      open key for batches nobody could take. Key = globalSlot * KEYS_PER_SLOT + draw.
library Slots {
    /// @notice Most draws per slot; after them the slot's remaining batches are open.
    uint256 internal constant DRAWS = 4;
    /// @notice Keys reserved per slot: DRAWS draws and the open key (OPEN).
    uint256 internal constant KEYS_PER_SLOT = 8;
    /// @notice The draw index of a slot's open key.
    uint256 internal constant OPEN = 7;

    /// @notice Slots per epoch.
    function perEpoch(uint256 epochLength, uint256 slotBlocks) internal pure returns (uint256) {
        return (epochLength + slotBlocks - 1) / slotBlocks;
    }

    /// @notice The key of draw `draw` of slot `index` of `epoch`.
    function key(uint256 epoch, uint256 index, uint256 slotsPerEpoch, uint256 draw)
        internal
        pure
        returns (uint256)
    {
        return (epoch * slotsPerEpoch + index) * KEYS_PER_SLOT + draw;
    }

    /// @notice The global slot of a key.
    function slotOf(uint256 assignmentKey) internal pure returns (uint256) {
        return assignmentKey / KEYS_PER_SLOT;
    }

    /// @notice The draw index of a key (OPEN for the open key).
    function drawOf(uint256 assignmentKey) internal pure returns (uint256) {
        return assignmentKey % KEYS_PER_SLOT;
    }
}
