// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IProofVerifier} from "../../contracts/interfaces/IProofVerifier.sol";

/// @notice A hostile verifier: claims the development verifier's domain and rejects every proof. What a
///         compromised owner would install to make every prover miss (finding 3 of issue 11).
contract RejectingVerifier is IProofVerifier {
    function verify(address, uint256, bytes32[] calldata, bytes calldata) external pure returns (bool) {
        return false;
    }

    function commitmentBound() external pure returns (uint256) {
        return type(uint256).max;
    }
}
