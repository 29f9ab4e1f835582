// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {RejectingVerifier} from "./helpers/RejectingVerifier.sol";
import {ProverNetwork} from "../contracts/ProverNetwork.sol";
import {INetworkGovernance} from "../contracts/interfaces/INetworkGovernance.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {IProofVerifier} from "../contracts/interfaces/IProofVerifier.sol";
import {ParamsLib} from "../contracts/libraries/ParamsLib.sol";
import {Params} from "../contracts/types/Params.sol";
import {BatchStatus} from "../contracts/types/Batch.sol";

/// @notice Finding 3 of issue 11: governance can take almost all stake within the bounds. Each test
///         performs a step of the drain (or a guard around it) against the real contracts and shows it
///         no longer reaches stake a prover could protect.
contract ProverNetworkGovernanceDrainTest is NetworkTestBase {
    /// @dev The fixture's horizon: (unbondingDelay 100 + 2 x 15-block epochs) x 12 s.
    uint256 internal constant REQUIRED = (100 + 2 * 15) * 12;

    function _hostileParams() internal pure returns (Params memory p) {
        p = defaultParams();
        p.slashBps = 5000; // the largest slash the bounds allow
        p.bountyBps = 0;
        p.burnBps = 8000; // the smallest burn that keeps the treasury at its 20% cap
    }

    /// The drain, step by step through the timelock: the owner schedules the hostile parameters and a
    /// verifier that rejects everything; provers who see it exit before it executes; the owner then posts
    /// tiny batches and gets nothing from them.
    function test_Attack3_DrainThroughTheTimelockFindsNoStake() public {
        address[] memory ps = _three();
        _selectionRound(ps);
        RejectingVerifier rejecting = new RejectingVerifier();
        bytes memory setParams = abi.encodeCall(INetworkGovernance.setParams, (_hostileParams()));
        bytes memory setVerifier = abi.encodeCall(INetworkGovernance.setVerifier, (rejecting));
        bytes32 salt = keccak256("drain");
        vm.startPrank(governor);
        timelock.schedule(address(net), 0, setParams, bytes32(0), salt, TIMELOCK_DELAY);
        timelock.schedule(address(net), 0, setVerifier, bytes32(0), salt, TIMELOCK_DELAY);
        vm.stopPrank();

        // Every prover sees the operations and leaves: it stops committing and unstakes everything.
        for (uint256 i; i < ps.length; ++i) {
            vm.prank(ps[i]);
            net.requestUnstake(1000e18);
        }
        // The unbonding delay (blocks) passes well inside the timelock's delay (seconds, 12 s a block).
        vm.roll(block.number + 100);
        vm.warp(block.timestamp + 100 * 12);
        for (uint256 i; i < ps.length; ++i) {
            vm.prank(ps[i]);
            net.withdraw();
            assertEq(token.balanceOf(ps[i]), 1000e18, "the prover left with all of its stake");
        }
        // Nothing can execute before the delay.
        vm.expectRevert();
        vm.prank(governor);
        timelock.execute(address(net), 0, setParams, bytes32(0), salt);

        vm.warp(block.timestamp + TIMELOCK_DELAY);
        vm.startPrank(governor);
        timelock.execute(address(net), 0, setParams, bytes32(0), salt);
        timelock.execute(address(net), 0, setVerifier, bytes32(0), salt);
        vm.stopPrank();
        assertEq(address(gov.verifier()), address(rejecting));

        uint256 treasuryBefore = net.treasuryBalance();
        uint256 ids = 60;
        for (uint256 i; i < ids; ++i) {
            _post(bytes32(i + 1), 1);
            vm.roll(block.number + 1);
        }
        vm.roll(block.number + 200);
        for (uint256 id = 1; id <= ids; ++id) {
            if (net.effectiveStatus(id) == BatchStatus.Failed && _batch(id).status != BatchStatus.Failed) {
                net.markFailed(id);
            }
        }
        assertEq(net.treasuryBalance(), treasuryBefore, "the owner took nothing: nobody had stake left");
    }

    /// A verifier swap (hostile or an honest upgrade) never reaches a batch already drawn: its proof is
    /// checked by the verifier frozen on its assignment, so the prover proves it and is paid.
    function test_Attack3_VerifierSwapNeverSlashesABatchInFlight() public {
        _three();
        address[] memory ps = new address[](3);
        ps[0] = alice;
        ps[1] = bob;
        ps[2] = carol;
        _selectionRound(ps);
        uint256 id = _post(keccak256("in flight"), 7e18);
        address p = _batch(id).prover;
        RejectingVerifier rejecting = new RejectingVerifier();
        vm.prank(owner);
        gov.setVerifier(rejecting);

        _prove(p, id);
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Proven));
        assertEq(_acct(p).claimable, 7e18);

        // A batch drawn after the swap is checked by the new verifier.
        _nextSlot();
        uint256 later = _post(keccak256("after"), 7e18);
        address q = _batch(later).prover;
        bytes memory proof = _proof(q, later, 1);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.InvalidProof.selector, later, 1));
        vm.prank(q);
        net.submitProof(later, 1, proof);
    }

    /// A proof cannot mix batches drawn under two verifiers: the prover proves each run apart.
    function test_RevertWhen_OneProofSpansTwoVerifiers() public {
        _register(alice, 1000e18);
        _matureReputations();
        address[] memory ps = new address[](1);
        ps[0] = alice;
        _selectionRound(ps);
        uint256 first = _post(keccak256("one"), 1e18);
        IProofVerifier rejecting = new RejectingVerifier();
        vm.prank(owner);
        gov.setVerifier(rejecting);
        _nextSlot();
        uint256 second = _post(keccak256("two"), 1e18);
        bytes memory proof = _proof(alice, first, 2);
        vm.expectRevert(abi.encodeWithSelector(IProverNetworkEvents.MixedVerifiers.selector, first, second));
        vm.prank(alice);
        net.submitProof(first, 2, proof);
    }

    /// Slash shares are read from the assignment, not at slash time: raising slashBps to the maximum
    /// after a batch was drawn changes nothing for it.
    function test_Attack3_SlashSharesAreFrozenWhenTheSlotIsDrawn() public {
        address[] memory ps = _three();
        _selectionRound(ps);
        uint256 id = _post(keccak256("drawn before"), 7e18);
        address p = _batch(id).prover;
        (uint256 terms,) = gov.currentTerms();
        vm.prank(owner);
        gov.setParams(_hostileParams());
        (uint256 next,) = gov.currentTerms();
        assertEq(next, terms + 1, "the hostile shares are new terms");
        vm.roll(uint256(_batch(id).provingDeadline) + 1);
        net.slashMissed(id);
        assertEq(_acct(p).stake, 900e18, "10% as drawn, not 50%");
        assertEq(_batch(id).bounty, 30e18, "the 30% bounty as drawn");
    }

    // ------------------------------------------------------------ the timelock rule, at its edges

    function _networkOwnedBy(address owner_) internal returns (ProverNetwork n) {
        n = new ProverNetwork(
            IERC20(address(token)),
            verifier,
            owner_,
            COMMIT_BLOCKS,
            REVEAL_BLOCKS,
            SLOT_BLOCKS,
            defaultParams()
        );
        token.mint(alice, 1000e18);
        vm.prank(alice);
        token.approve(address(n), type(uint256).max);
    }

    function _timelock(uint256 delay) internal returns (TimelockController) {
        address[] memory roles = new address[](1);
        roles[0] = governor;
        return new TimelockController(delay, roles, roles, address(0));
    }

    function test_OwnerActsDirectlyUntilTheFirstRegistrationThenNeedsATimelock() public {
        address eoa = makeAddr("eoa");
        ProverNetwork n = _networkOwnedBy(eoa);
        INetworkGovernance g = INetworkGovernance(address(n));
        (uint256 required, uint256 horizon) = g.governanceDelay();
        assertEq(required, REQUIRED);
        assertEq(horizon, 130);
        vm.prank(eoa);
        g.setBatchSource(rollup, true); // nobody has stake yet: configuration is direct
        assertEq(g.proverCount(), 0);
        vm.prank(alice);
        n.register(1000e18);
        assertEq(g.proverCount(), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.OwnerNotTimelock.selector, eoa, 0, REQUIRED)
        );
        vm.prank(eoa);
        g.setParams(_hostileParams());
        IProofVerifier rejecting = new RejectingVerifier();
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.OwnerNotTimelock.selector, eoa, 0, REQUIRED)
        );
        vm.prank(eoa);
        g.setVerifier(rejecting);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.OwnerNotTimelock.selector, eoa, 0, REQUIRED)
        );
        vm.prank(eoa);
        g.withdrawTreasury(eoa, 1);
    }

    function test_TimelockDelayExactlyAtTheHorizonIsEnoughAndOneSecondLessIsNot() public {
        TimelockController short = _timelock(REQUIRED - 1);
        TimelockController exact = _timelock(REQUIRED);
        ProverNetwork n = _networkOwnedBy(address(short));
        vm.prank(alice);
        n.register(1000e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProverNetworkEvents.OwnerNotTimelock.selector, short, REQUIRED - 1, REQUIRED
            )
        );
        vm.prank(address(short));
        INetworkGovernance(address(n)).setBatchSource(rollup, true);

        ProverNetwork m = _networkOwnedBy(address(exact));
        vm.prank(alice);
        m.register(1000e18);
        vm.prank(address(exact));
        INetworkGovernance(address(m)).setBatchSource(rollup, true);
        assertTrue(m.sourceOf(rollup).allowed);
    }

    function test_RaisingTheUnbondingDelayRaisesTheRequiredDelay() public {
        _register(alice, 1000e18);
        Params memory p = defaultParams();
        p.unbondingDelay = 216_000; // (216,000 + 30) x 12 s is just over 30 days
        vm.prank(owner);
        gov.setParams(p);
        uint256 required = (216_000 + 30) * 12;
        vm.expectRevert(
            abi.encodeWithSelector(
                IProverNetworkEvents.OwnerNotTimelock.selector, owner, TIMELOCK_DELAY, required
            )
        );
        vm.prank(owner);
        gov.setParams(defaultParams());
    }

    function test_RevertWhen_OwnershipGoesToAnAddressThatIsNotATimelock() public {
        address eoa = makeAddr("eoa");
        _register(alice, 1000e18);
        vm.expectRevert(
            abi.encodeWithSelector(IProverNetworkEvents.OwnerNotTimelock.selector, eoa, 0, REQUIRED)
        );
        vm.prank(owner);
        net.transferOwnership(eoa);
        // Another timelock with a long enough delay is fine.
        TimelockController next = _timelock(REQUIRED);
        vm.prank(owner);
        net.transferOwnership(address(next));
        assertEq(net.pendingOwner(), address(next));
    }

    function test_OwnershipMayGoAnywhereBeforeTheFirstRegistration() public {
        address eoa = makeAddr("eoa");
        vm.prank(owner);
        net.transferOwnership(eoa);
        vm.prank(eoa);
        net.acceptOwnership();
        assertEq(net.owner(), eoa);
    }

    function test_RevertWhen_OwnerRenounces() public {
        vm.expectRevert(IProverNetworkEvents.RenounceDisabled.selector);
        vm.prank(owner);
        net.renounceOwnership();
        assertEq(net.owner(), owner);
    }

    // ------------------------------------------------------------ the treasury's share, at its bound

    function test_TreasuryShareIsBoundedAtTwentyPercent() public {
        Params memory p = defaultParams();
        p.bountyBps = 2999; // burn 5000 + bounty 2999 leaves the treasury 20.01%
        vm.expectRevert(
            abi.encodeWithSelector(ParamsLib.ParamOutOfBounds.selector, "treasuryBps", 2001, 0, 2000)
        );
        vm.prank(owner);
        gov.setParams(p);
        p.bountyBps = 3000; // exactly 20%
        vm.prank(owner);
        gov.setParams(p);
        p.keeperBps = 1001;
        vm.expectRevert(
            abi.encodeWithSelector(ParamsLib.ParamOutOfBounds.selector, "keeperBps", 1001, 0, 1000)
        );
        vm.prank(owner);
        gov.setParams(p);
        p.keeperBps = 1000; // the keeper's share comes out of the treasury's
        vm.prank(owner);
        gov.setParams(p);
        assertEq(net.params().keeperBps, 1000);
    }
}
