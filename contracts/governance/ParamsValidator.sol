// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Params} from "../types/Params.sol";
import {ParamsLib} from "../libraries/ParamsLib.sol";

/// @title ParamsValidator
/// @notice The parameter bounds (`ParamsLib.validate`) as a contract of their own, deployed by the
///         ProverNetwork's constructor and called on every parameter change.
/// @dev Governance is the rare path, so its bounds checks live outside the network's runtime code, which
///      must stay under EIP-170's 24,576 bytes; a high-level call bubbles `ParamOutOfBounds` up unchanged.
contract ParamsValidator {
    /// @notice Reverts with `ParamsLib.ParamOutOfBounds` unless every field of `p` is inside its bounds.
    /// @param p The candidate parameters.
    /// @param epochLength The network's epoch length in blocks.
    function validate(Params calldata p, uint256 epochLength) external pure {
        ParamsLib.validate(p, epochLength);
    }
}
