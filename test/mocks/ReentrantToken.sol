// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Calls `onTokenReceived` on contract recipients after every transfer (ERC-777 style hook),
///         giving a malicious recipient a chance to re-enter the sender.
interface ITokenReceiver {
    function onTokenReceived(uint256 amount) external;
}

contract ReentrantToken is ERC20 {
    constructor() ERC20("Hook token", "HOOK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        // Recipients without the hook (the network itself) are skipped, like ERC-777 would.
        if (from != address(0) && to.code.length != 0) {
            (bool ok,) = to.call(abi.encodeCall(ITokenReceiver.onTokenReceived, (value)));
            ok; // a recipient that does not implement the hook is fine
        }
    }
}
