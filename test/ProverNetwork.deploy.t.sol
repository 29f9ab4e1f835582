// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";

contract ProverNetworkDeployTest is NetworkTestBase {
    /// @dev EIP-170: public chains refuse runtime code above 24,576 bytes.
    function test_RuntimeCodeFitsEip170() public view {
        assertLe(address(net).code.length, 24_576);
    }

    function test_GenesisAndEpochGeometry() public view {
        assertEq(net.genesisBlock(), 1000);
        assertEq(net.epochLength(), COMMIT_BLOCKS + REVEAL_BLOCKS);
        assertEq(net.currentEpoch(), 0);
        assertEq(net.epochStart(3), 1000 + 3 * 15);
        assertEq(address(net.token()), address(token));
        assertEq(net.owner(), owner);
    }
}
