// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice The network functions a hostile token tries to re-enter.
interface INetworkReentry {
    function claim() external;
    function flushBurn() external;
}

/// @title HostileToken
/// @notice TEST ONLY (provernet harness): an ERC-20 that misbehaves the two ways a staking token can
///         hurt the network's accounting. It keeps 1% of every transfer into the network (so what
///         arrives is less than what was asked for), and on every transfer out of the network it
///         calls back into the network (`flushBurn`, `claim`) before the outer call has finished.
///         The harness requires exact conservation to hold anyway and `reentrySucceeded` to stay 0.
/// @dev Storage: OpenZeppelin ERC20's five slots, then `network` (5), `reentrySucceeded` (6),
///      `reentryAttempts` (7). The harness reads `_balances` (slot 0) and `reentrySucceeded` directly.
contract HostileToken is ERC20 {
    /// @notice The network to attack.
    address public network;
    /// @notice Re-entrant calls the network accepted (must stay zero).
    uint256 public reentrySucceeded;
    /// @notice Re-entrant calls tried.
    uint256 public reentryAttempts;

    constructor() ERC20("provernet hostile test token", "HOSTILE") {}

    /// @notice Sets the network to attack (the harness calls it once after deployment).
    /// @param network_ The network.
    function setNetwork(address network_) external {
        network = network_;
    }

    /// @notice Faucet mint, like DevStakingToken's.
    /// @param to The recipient.
    /// @param amount The amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        address net = network;
        if (to == net && from != address(0) && net != address(0)) {
            // Fee on transfer: 1% of what is sent to the network is burnt on the way.
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            super._update(from, to, value - fee);
        } else {
            super._update(from, to, value);
        }
        if (from == net && net != address(0)) {
            reentryAttempts += 1;
            try INetworkReentry(net).flushBurn() {
                reentrySucceeded += 1;
            } catch {}
            try INetworkReentry(net).claim() {
                reentrySucceeded += 1;
            } catch {}
        }
    }
}
