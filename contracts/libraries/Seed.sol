// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Seed
/// @notice The commit-reveal randomness of the selection (docs/mechanism.md, "Seeds"): what a prover
///         commits to, how reveals are mixed, how an epoch's seed is derived, and the point each draw of
///         a slot picks.
/// @dev The seed of list epoch e is keccak256(mix_e, randao, e, network), fixed once, by the first
///      `finalizeSeed(e)`, `commit` or `postBatch` of epoch e+1, and never rewritten. `randao` is
///      `block.prevrandao` of that block if it falls inside epoch e+1's commit phase, else zero. No input
///      is a block hash (a builder grinds those freely); prevrandao can only be withheld by the proposer
///      of the fixing block, and the fixing block is the first one in which anybody acts (every prover
///      commits at the start of the commit phase). After the commit phase the value is the deterministic
///      keccak256(mix_e, 0, e, network), which no caller can choose.
library Seed {
    /// @notice The commitment a prover submits for `secret` in `epoch`, truncated to the 28 bytes stored
    ///         next to the commit epoch.
    /// @dev The prover's address is in the preimage so a watcher cannot replay someone else's reveal as
    ///      its own; the epoch is in it so an old reveal cannot be replayed in a later epoch. 224 bits
    ///      keep second-preimage resistance far beyond reach.
    /// @param secret The prover's secret.
    /// @param prover The committing prover.
    /// @param epoch The epoch of the commitment.
    /// @return The commitment hash as stored.
    function commitmentOf(bytes32 secret, address prover, uint256 epoch) internal pure returns (bytes28) {
        return bytes28(keccak256(abi.encode(secret, prover, epoch)));
    }

    /// @notice Folds a revealed secret into the epoch's mix (XOR of the low 96 bits of every secret).
    /// @dev XOR is order-independent, so reveal order does not matter, and any single honest secret makes
    ///      the mix unpredictable to everyone else. 96 bits fit the epoch roll's slot.
    /// @param mix The mix so far.
    /// @param secret The secret just revealed.
    /// @return The new mix.
    function mixIn(uint96 mix, bytes32 secret) internal pure returns (uint96) {
        return mix ^ uint96(uint256(secret));
    }

    /// @notice The seed of `epoch`, from the epoch's mix and the randao value, bound to `network`.
    /// @dev The network's address keeps two deployments on one chain from sharing draws. Zero is reserved
    ///      for "not fixed yet", so a zero hash becomes 1.
    /// @param mix The epoch's reveal mix (zero if nobody revealed).
    /// @param randao `block.prevrandao` of the fixing block, or zero after the commit phase.
    /// @param epoch The epoch.
    /// @param network The ProverNetwork's address.
    /// @return seed A non-zero seed.
    function derive(uint96 mix, uint256 randao, uint256 epoch, address network)
        internal
        pure
        returns (uint256 seed)
    {
        seed = uint256(keccak256(abi.encode(mix, randao, epoch, network)));
        if (seed == 0) seed = 1;
    }

    /// @notice The point draw `draw` of slot `index` of `epoch` picks: the list entry whose
    ///         cumulative-weight interval contains it wins.
    /// @dev Keyed by the slot, never by a batch id, so what a batch source posts cannot move it. The
    ///      modulo bias is below totalWeight / 2^256, negligible for any 96-bit total.
    /// @param seed The seed of the list's epoch.
    /// @param epoch The epoch the slot belongs to (the list's epoch + 1).
    /// @param index The slot's index in its epoch.
    /// @param draw The draw (0 first; a later one only when the earlier prover is full).
    /// @param totalWeight The list's total weight (> 0).
    /// @return A point in [0, totalWeight).
    function slotPoint(uint256 seed, uint256 epoch, uint256 index, uint256 draw, uint256 totalWeight)
        internal
        pure
        returns (uint256)
    {
        return uint256(keccak256(abi.encode(seed, epoch, index, draw))) % totalWeight;
    }
}
