// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Params} from "../types/Params.sol";

/// @title GovernanceDelay
/// @notice How long a governance change must wait: longer than any prover needs to get its stake out
///         (docs/mechanism.md, "Governance cannot reach stake provers cannot protect").
/// @dev A prover that disagrees with a scheduled change stops committing at once, is drawn at most until
///      the end of the next epoch, resolves its last commitment, and withdraws `unbondingDelay` blocks after
///      asking (the delay outlasts every obligation, `ParamsLib.minUnbonding`). So `unbondingDelay + 2
///      epochs` blocks suffice. OpenZeppelin's TimelockController counts seconds; the network counts blocks,
///      so the bound is converted at `SECONDS_PER_BLOCK`, Ethereum's slot time: on a chain with faster blocks
///      the same seconds are more blocks (safer), and the one extra epoch covers missed slots.
library GovernanceDelay {
    /// @notice Seconds per block assumed when converting the horizon to the timelock's seconds.
    uint256 internal constant SECONDS_PER_BLOCK = 12;

    /// @notice Blocks a prover needs to exit after it sees a change coming.
    function horizonBlocks(Params memory p, uint256 epochLength) internal pure returns (uint256) {
        return uint256(p.unbondingDelay) + 2 * epochLength;
    }

    /// @notice The smallest `getMinDelay()` (seconds) the owning timelock must have.
    function requiredSeconds(Params memory p, uint256 epochLength) internal pure returns (uint256) {
        return horizonBlocks(p, epochLength) * SECONDS_PER_BLOCK;
    }
}
