// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {ProverNetwork} from "../contracts/ProverNetwork.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {Params} from "../contracts/types/Params.sol";

contract ProverNetworkDeployTest is NetworkTestBase {
    /// @dev EIP-170: public chains refuse runtime code above 24,576 bytes.
    function test_RuntimeCodeFitsEip170() public view {
        assertLe(address(net).code.length, 24_576);
        assertLe(net.extension().code.length, 24_576);
    }

    /// The deployment transaction (creation code, which embeds the extension's, plus the encoded
    /// constructor arguments) fits EIP-3860's initcode limit, which real chains and revm enforce.
    function test_DeploymentInitcodeFitsEip3860() public view {
        bytes memory args =
            abi.encode(token, verifier, owner, COMMIT_BLOCKS, REVEAL_BLOCKS, SLOT_BLOCKS, defaultParams());
        assertLe(type(ProverNetwork).creationCode.length + args.length, 49_152);
    }

    function test_RevertWhen_InitializedAgain() public {
        Params memory p = defaultParams();
        vm.expectRevert(IProverNetworkEvents.AlreadyInitialized.selector);
        vm.prank(owner);
        gov.initialize(p, address(verifier));
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
