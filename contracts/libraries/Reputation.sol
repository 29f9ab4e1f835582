// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Reputation
/// @notice Bounded reputation arithmetic, all O(1).
/// @dev Scores live in [0, MAX]. Between updates a score decays toward the anchor (`repInitial`)
///      with half-life `halfLife` blocks: the distance to the anchor halves once per full half-life and
///      shrinks linearly inside the last, partial one (2^-f ~ 1 - f/2, at most 6% off). The decay is
///      applied lazily whenever the score is read or written, so no keeper ever loops over provers.
library Reputation {
    uint256 internal constant MAX = 10_000;
    /// @notice The score a newly registered prover starts with. Zero, the lowest score, so that a fresh
    ///         identity never outweighs the record of the identity it replaces: both decay toward the same
    ///         anchor at the same rate, and the older one started no lower (docs/mechanism.md, "Reputation").
    uint256 internal constant NEWCOMER = 0;

    /// @notice The score `rep` last written at block `updatedAt`, decayed to block `nowBlock`.
    function decayed(uint256 rep, uint256 updatedAt, uint256 nowBlock, uint256 anchor, uint256 halfLife)
        internal
        pure
        returns (uint256)
    {
        if (nowBlock <= updatedAt || rep == anchor) return rep;
        uint256 elapsed = nowBlock - updatedAt;
        uint256 halvings = elapsed / halfLife;
        if (halvings >= 14) return anchor; // distance < MAX / 2^14 < 1
        bool above = rep > anchor;
        uint256 distance = above ? rep - anchor : anchor - rep;
        distance >>= halvings;
        distance -= (distance * (elapsed % halfLife)) / (2 * halfLife);
        return above ? anchor + distance : anchor - distance;
    }

    /// @notice `rep + gain`, capped at MAX.
    function raise(uint256 rep, uint256 gain) internal pure returns (uint256) {
        uint256 r = rep + gain;
        return r > MAX ? MAX : r;
    }

    /// @notice `rep - loss`, floored at zero.
    function lower(uint256 rep, uint256 loss) internal pure returns (uint256) {
        return rep > loss ? rep - loss : 0;
    }
}
