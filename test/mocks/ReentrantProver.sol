// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ProverNetwork} from "../../contracts/ProverNetwork.sol";
import {ITokenReceiver} from "./ReentrantToken.sol";

/// @notice A prover contract that, when paid, tries to re-enter `claim` and `withdraw` to be paid
///         twice. Records what happened so the test can assert every re-entry failed.
contract ReentrantProver is ITokenReceiver {
    ProverNetwork public immutable net;
    uint256 public reentryAttempts;
    uint256 public reentrySuccesses;

    constructor(ProverNetwork net_) {
        net = net_;
    }

    function approveAndRegister(IERC20 token, uint256 amount) external {
        token.approve(address(net), type(uint256).max);
        net.register(amount);
    }

    function call(bytes calldata data) external {
        (bool ok, bytes memory ret) = address(net).call(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    function onTokenReceived(uint256) external {
        if (msg.sender != address(net.token())) return;
        reentryAttempts++;
        try net.claim() {
            reentrySuccesses++;
        } catch {}
        try net.withdraw() {
            reentrySuccesses++;
        } catch {}
    }
}
