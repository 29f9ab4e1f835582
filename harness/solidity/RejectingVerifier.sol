// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title RejectingVerifier
/// @notice A proof verifier that rejects every proof but reports the commitment domain it is given:
///         what a hostile governance would switch the network to (issue 11, finding 3) so that every
///         batch drawn under it is missed. The network accepts it because the domains match.
contract RejectingVerifier {
    /// @notice Commitments must be below this value (copied from the verifier it replaces).
    uint256 public immutable commitmentBound;

    /// @param bound The commitment domain of the verifier it replaces.
    constructor(uint256 bound) {
        commitmentBound = bound;
    }

    /// @notice Rejects every proof.
    function verify(address, uint256, bytes32[] calldata, bytes calldata) external pure returns (bool) {
        return false;
    }
}
