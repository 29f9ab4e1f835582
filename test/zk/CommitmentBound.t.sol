// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IProofVerifier} from "../../contracts/interfaces/IProofVerifier.sol";
import {InsecureDevVerifier} from "../../contracts/verifiers/InsecureDevVerifier.sol";
import {Groth16BatchVerifier} from "../../zk/solidity/Groth16BatchVerifier.sol";

/// @notice `commitmentBound()` of each verifier is where its commitment domain really ends: the largest
///         value below the bound is still accepted, the bound itself is not (or cannot be expressed).
contract CommitmentBoundTest is Test {
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;
    address internal constant PROVER = address(0x1234);

    function _one(uint256 commitment) internal pure returns (bytes32[] memory c) {
        c = new bytes32[](1);
        c[0] = bytes32(commitment);
    }

    function test_Groth16BoundIsWhereCommitmentNotInFieldStarts() public {
        Groth16BatchVerifier groth16 = new Groth16BatchVerifier();
        uint256 bound = IProofVerifier(address(groth16)).commitmentBound();
        assertEq(bound, R);
        uint256[] memory input = groth16.publicInputs(address(this), PROVER, 1, _one(bound - 1));
        assertEq(input[2], bound - 1, "the largest commitment below the bound is an input");
        vm.expectRevert(
            abi.encodeWithSelector(Groth16BatchVerifier.CommitmentNotInField.selector, 0, bytes32(bound))
        );
        groth16.publicInputs(address(this), PROVER, 1, _one(bound));
    }

    function test_DevVerifierAcceptsEveryCommitmentBelowTheLargestWord() public {
        InsecureDevVerifier dev = new InsecureDevVerifier();
        uint256 bound = IProofVerifier(address(dev)).commitmentBound();
        assertEq(bound, type(uint256).max);
        bytes32[] memory c = _one(bound - 1);
        bytes memory proof = abi.encodePacked(dev.expectedProof(address(this), PROVER, 1, c));
        assertTrue(dev.verify(PROVER, 1, c, proof), "a commitment just below the bound can be proven");
    }
}
