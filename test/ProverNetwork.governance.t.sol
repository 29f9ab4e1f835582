// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {ProverNetwork} from "../contracts/ProverNetwork.sol";
import {InsecureDevVerifier} from "../contracts/verifiers/InsecureDevVerifier.sol";
import {Groth16BatchVerifier} from "../zk/solidity/Groth16BatchVerifier.sol";
import {IProverNetwork} from "../contracts/interfaces/IProverNetwork.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {IProofVerifier} from "../contracts/interfaces/IProofVerifier.sol";
import {ParamsLib} from "../contracts/libraries/ParamsLib.sol";
import {Params} from "../contracts/types/Params.sol";

contract ProverNetworkGovernanceTest is NetworkTestBase {
    function _set(Params memory p) internal {
        vm.prank(owner);
        gov.setParams(p);
    }

    function _expectBounds(string memory name, uint256 value, uint256 min, uint256 max) internal {
        vm.expectRevert(abi.encodeWithSelector(ParamsLib.ParamOutOfBounds.selector, name, value, min, max));
    }

    function test_OwnerSetsParamsWithinBounds() public {
        Params memory p = defaultParams();
        p.slashBps = 2000;
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.ParamsUpdated(p);
        _set(p);
        assertEq(net.params().slashBps, 2000);
    }

    function test_RevertWhen_NonOwnerSetsParams() public {
        Params memory p = defaultParams();
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        gov.setParams(p);
    }

    function test_RevertWhen_ParamsOutOfBounds() public {
        Params memory p = defaultParams();
        p.slashBps = 5001;
        _expectBounds("slashBps", 5001, 100, 5000);
        _set(p);

        p = defaultParams();
        p.unbondingDelay = 89; // < 2 * provingWindow 20 + challengeWindow 10 + raceWindow 10 + 2 * epoch 15
        _expectBounds("unbondingDelay", 89, 90, 10_000_000);
        _set(p);

        p = defaultParams();
        p.minStake = 1;
        _expectBounds("minStake", 1, 1 << 24, p.maxWeightStake);
        _set(p);

        p = defaultParams();
        p.provingWindow = 1;
        _expectBounds("provingWindow", 1, 2, 1_000_000);
        _set(p);

        p = defaultParams();
        p.burnBps = 8000; // with bounty 3000 that is > 100%
        _expectBounds("burnBps", 8000, 1000, 7000);
        _set(p);

        p = defaultParams();
        p.repInitial = 10_001;
        _expectBounds("repInitial", 10_001, 1, 10_000);
        _set(p);

        p = defaultParams();
        p.nonRevealSlashBps = 0;
        _expectBounds("nonRevealSlashBps", 0, 1, 500);
        _set(p);
    }

    function testFuzz_SlashBpsBounds(uint16 bps) public {
        Params memory p = defaultParams();
        p.slashBps = bps;
        if (bps < 100 || bps > 5000) _expectBounds("slashBps", bps, 100, 5000);
        _set(p);
        if (bps >= 100 && bps <= 5000) assertEq(net.params().slashBps, bps);
    }

    function test_RevertWhen_ConstructorParamsOutOfBounds() public {
        Params memory p = defaultParams();
        p.raceWindow = 0;
        _expectBounds("raceWindow", 0, 2, 1_000_000);
        new ProverNetwork(
            IERC20(address(token)), verifier, owner, COMMIT_BLOCKS, REVEAL_BLOCKS, SLOT_BLOCKS, p
        );
        _expectBounds("commitBlocks", 0, 1, 100_000);
        new ProverNetwork(
            IERC20(address(token)), verifier, owner, 0, REVEAL_BLOCKS, SLOT_BLOCKS, defaultParams()
        );
        vm.expectRevert(IProverNetworkEvents.ZeroAddress.selector);
        new ProverNetwork(
            IERC20(address(0)), verifier, owner, COMMIT_BLOCKS, REVEAL_BLOCKS, SLOT_BLOCKS, defaultParams()
        );
    }

    function test_OwnershipTransferIsTwoStep() public {
        vm.prank(owner);
        net.transferOwnership(alice);
        assertEq(net.owner(), owner);
        vm.prank(alice);
        net.acceptOwnership();
        assertEq(net.owner(), alice);
    }

    function test_BatchSourceRole() public {
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.BatchSourceSet(rollup, false);
        vm.prank(owner);
        gov.setBatchSource(rollup, false);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.NotBatchSource.selector, rollup));
        _post(keccak256("b"), 1e18);
        vm.expectRevert(IProverNetworkEvents.ZeroAddress.selector);
        vm.prank(owner);
        gov.setBatchSource(address(0), true);
    }

    function test_SetVerifier() public {
        vm.expectRevert(IProverNetworkEvents.ZeroAddress.selector);
        vm.prank(owner);
        gov.setVerifier(IProofVerifier(address(0)));
        InsecureDevVerifier next = new InsecureDevVerifier();
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.VerifierUpdated(address(next));
        vm.prank(owner);
        gov.setVerifier(next);
        assertEq(address(gov.verifier()), address(next));
    }

    function test_RevertWhen_NewVerifierHasAnotherCommitmentDomain() public {
        // The Groth16 verifier proves only BN254 field elements; the network was deployed for any word.
        Groth16BatchVerifier narrower = new Groth16BatchVerifier();
        uint256 r = narrower.commitmentBound();
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.VerifierDomainMismatch.selector, type(uint256).max, r)
        );
        vm.prank(owner);
        gov.setVerifier(narrower);
    }

    function test_PauseStopsBatchesButNeverTrapsFunds() public {
        address[] memory provers = _three();
        _selectionRound(provers);
        uint256 id = _post(keccak256("b"), 7e18);
        address p = _batch(id).prover;
        vm.prank(owner);
        gov.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        _post(keccak256("c"), 1e18);

        // Proving, claiming, unstaking and withdrawing all keep working while paused.
        _prove(p, id);
        vm.prank(p);
        net.claim();
        vm.prank(p);
        net.requestUnstake(1000e18);
        vm.roll(block.number + 100);
        vm.prank(p);
        net.withdraw();
        assertEq(token.balanceOf(p), 1007e18);

        vm.prank(owner);
        gov.unpause();
        _post(keccak256("c"), 1e18);
    }

    function test_TreasuryWithdrawal() public {
        _register(alice, 1000e18);
        uint256 epoch = _nextEpoch();
        _commit(alice, epoch);
        vm.roll(net.epochStart(epoch + 1));
        net.penalizeNonReveal(alice);
        uint256 t = net.treasuryBalance();
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.InsufficientTreasury.selector, t + 1, t));
        vm.prank(owner);
        gov.withdrawTreasury(carol, t + 1);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        gov.withdrawTreasury(carol, t);
        vm.prank(owner);
        gov.withdrawTreasury(carol, t);
        assertEq(token.balanceOf(carol), t);
        assertEq(net.treasuryBalance(), 0);
    }
}
