// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {NetworkBase} from "../NetworkBase.sol";
import {DataChallenges} from "./DataChallenges.sol";
import {Governance} from "./Governance.sol";

/// @title NetworkExtension
/// @notice The part of the prover network nobody calls on the hot path: governance and the treasury
///         (`Governance`) and the data-availability challenge (`DataChallenges`). Deployed by `ProverNetwork`'s constructor with the same geometry and reached
///         only through the network's fallback, by delegatecall on the network's storage.
/// @dev Its own storage is never used: called directly, it reads an empty network owned by its deployer.
contract NetworkExtension is Governance, DataChallenges {
    /// @param token_ The network's token.
    /// @param genesis The network's genesis block.
    /// @param commitBlocks_ The network's commit phase length.
    /// @param revealBlocks_ The network's reveal phase length.
    /// @param slotBlocks_ The network's slot length.
    /// @param bound The network's commitment bound.
    constructor(
        IERC20 token_,
        uint256 genesis,
        uint256 commitBlocks_,
        uint256 revealBlocks_,
        uint256 slotBlocks_,
        uint256 bound
    ) NetworkBase(token_, msg.sender, genesis, commitBlocks_, revealBlocks_, slotBlocks_, bound) {}
}
