// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title DevStakingToken
/// @notice DEVELOPMENT ONLY: an 18-decimal ERC-20 that anyone can mint, deployed by `provernet deploy`
///         on local chains when no staking token is given. Never use it on a public network.
contract DevStakingToken is ERC20 {
    /// @notice Emitted on every faucet mint.
    /// @param to The recipient.
    /// @param amount The amount minted.
    event Minted(address indexed to, uint256 amount);

    constructor() ERC20("provernet dev stake", "PNT") {}

    /// @notice Mints `amount` to `to`. Open to everyone: this is a faucet token.
    /// @param to The recipient.
    /// @param amount The amount in token units.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
        emit Minted(to, amount);
    }
}
