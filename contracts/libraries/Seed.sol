// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Seed
/// @notice The commit-reveal randomness of the selection (docs/mechanism.md, section 3): what a prover
///         commits to, how reveals are mixed, how an epoch's seed is derived and stored, and how a batch's
///         draw point follows from the seed.
/// @dev The seed of epoch e is keccak256(mix_e, blockhash(lastRevealBlock_e), e, network). The list and
///      every weight are frozen before the hash of the last reveal block exists, so no prover knows the
///      seed while it can still change the list; the last revealer can only withhold (a blind re-roll
///      that costs a non-reveal slash), not choose.
library Seed {
    /// @dev A stored seed is `epoch << EPOCH_OFFSET | seed`: the epoch tag tells a fresh seed from the
    ///      one two epochs older in the same parity slot, and a seed fits the low 224 bits.
    uint256 private constant EPOCH_OFFSET = 224;

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

    /// @notice The block hash that seals an epoch's seed: the hash of the epoch's last reveal block.
    /// @dev Nobody knows that hash while reveals are still accepted. If it has left the 256-block window
    ///      (nobody used the seed for 256 blocks), the previous block's hash is used instead; that fallback
    ///      is weaker (the caller picks the block) and documented as such.
    /// @param lastRevealBlock The last block of the epoch's reveal phase.
    /// @return The entropy to derive the seed from.
    function entropy(uint256 lastRevealBlock) internal view returns (bytes32) {
        bytes32 h = blockhash(lastRevealBlock);
        if (h == 0) h = blockhash(block.number - 1);
        return h;
    }

    /// @notice The seed of `epoch`, from the epoch's mix and entropy, bound to `network`.
    /// @dev The network's address keeps two deployments on one chain from sharing draws. Zero is reserved
    ///      for "not fixed yet", so a zero hash becomes 1.
    /// @param mix The epoch's reveal mix (zero if nobody revealed).
    /// @param sealHash The entropy from `entropy`.
    /// @param epoch The epoch.
    /// @param network The ProverNetwork's address.
    /// @return seed A non-zero 224-bit seed.
    function derive(uint96 mix, bytes32 sealHash, uint256 epoch, address network)
        internal
        pure
        returns (uint256 seed)
    {
        seed = uint224(uint256(keccak256(abi.encode(mix, sealHash, epoch, network))));
        if (seed == 0) seed = 1;
    }

    /// @notice Packs `seed` with its epoch tag for storage.
    /// @param epoch The epoch.
    /// @param seed The seed (< 2^224).
    /// @return The stored word.
    function pack(uint256 epoch, uint256 seed) internal pure returns (uint256) {
        return (epoch << EPOCH_OFFSET) | seed;
    }

    /// @notice The seed stored in `stored` if it belongs to `epoch`, else zero (not fixed yet).
    /// @param stored A word written by `pack` (or zero).
    /// @param epoch The epoch asked for.
    /// @return The seed, or zero.
    function unpack(uint256 stored, uint256 epoch) internal pure returns (uint256) {
        return stored >> EPOCH_OFFSET == epoch ? uint224(stored) : 0;
    }

    /// @notice The point a batch's weighted draw picks: the list entry whose cumulative-weight interval
    ///         contains it wins.
    /// @dev Hashing the batch id gives every batch of the epoch an independent draw from one seed. The
    ///      modulo bias is below totalWeight / 2^256, negligible for any 96-bit total.
    /// @param seed The seed of the list's epoch.
    /// @param batchId The batch.
    /// @param totalWeight The list's total weight (> 0).
    /// @return A point in [0, totalWeight).
    function drawPoint(uint256 seed, uint256 batchId, uint256 totalWeight) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, batchId))) % totalWeight;
    }
}
