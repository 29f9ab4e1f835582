// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "./helpers/NetworkTestBase.sol";
import {IProverNetworkEvents} from "../contracts/interfaces/IProverNetworkEvents.sol";
import {Params} from "../contracts/types/Params.sol";
import {BatchStatus} from "../contracts/types/Batch.sol";

/// @notice Finding 5 of issue 11: the safety net was under-paid. Keepers now earn `keeperBps` of what
///         each permissionless call moves along, and racing one's own missed batch from a second identity
///         never pays.
contract ProverNetworkKeepersTest is NetworkTestBase {
    function setUp() public override {
        super.setUp();
        Params memory p = defaultParams();
        p.keeperBps = 500; // 5%: burn 50% + bounty 30% + keeper 5% leave the treasury 15%
        vm.prank(owner);
        gov.setParams(p);
    }

    function _alone(address who) internal returns (uint256 epoch) {
        _register(who, 1000e18);
        _matureReputations();
        address[] memory ps = new address[](1);
        ps[0] = who;
        epoch = _selectionRound(ps) + 1;
    }

    function test_SlashMissedPaysItsCaller() public {
        _alone(alice);
        uint256 id = _post(keccak256("k"), 7e18);
        vm.roll(uint256(_batch(id).provingDeadline) + 1);
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.KeeperPaid(keeper, 5e18);
        vm.prank(keeper);
        net.slashMissed(id);
        assertEq(_acct(keeper).claimable, 5e18, "5% of the 100-token slash");
        assertEq(net.treasuryBalance(), 15e18);
        assertEq(net.burnPending(), 50e18);
        assertEq(_batch(id).bounty, 30e18);
        // A keeper needs no registration to be paid.
        vm.prank(keeper);
        net.claim();
        assertEq(token.balanceOf(keeper), 5e18);
    }

    function test_MarkFailedPaysItsCallerFromTheRefund() public {
        _alone(alice);
        uint256 id = _post(keccak256("k"), 7e18);
        vm.roll(uint256(_batch(id).raceDeadline) + 1);
        vm.prank(keeper);
        net.markFailed(id); // slashes (5 to the keeper), burns the unclaimed bounty, refunds less 5%
        assertEq(_acct(keeper).claimable, 5e18 + 35e16);
        assertEq(_feeBalance(rollup), FEE_DEPOSIT - 35e16, "the source paid the keeper 5% of its fee");
        assertEq(net.burnPending(), 80e18, "burned share plus the unclaimed bounty");
        assertEq(uint8(_batch(id).status), uint8(BatchStatus.Failed));
    }

    function test_PenalizeNonRevealPaysItsCallerButNotTheProverItself() public {
        _register(alice, 1000e18);
        _register(bob, 1000e18);
        uint256 e = _nextEpoch();
        _commit(alice, e);
        _commit(bob, e);
        vm.roll(net.epochStart(e + 1));
        vm.prank(keeper);
        net.penalizeNonReveal(alice); // 1% of 1000: burn 80%, keeper 5%, treasury 15%
        assertEq(_acct(keeper).claimable, 5e17);
        assertEq(net.burnPending(), 8e18);
        assertEq(net.treasuryBalance(), 15e17);
        // bob's own commit applies his penalty: no keeper share, the treasury keeps it
        _commit(bob, e + 1);
        assertEq(_acct(bob).claimable, 0);
        assertEq(net.treasuryBalance(), 15e17 + 2e18);
    }

    function test_FlushBurnPaysItsCaller() public {
        _alone(alice);
        uint256 id = _post(keccak256("k"), 7e18);
        vm.roll(uint256(_batch(id).provingDeadline) + 1);
        net.slashMissed(id);
        uint256 pending = net.burnPending();
        vm.expectEmit(address(net));
        emit IProverNetworkEvents.Burned(pending - pending / 20);
        vm.prank(carol);
        gov.flushBurn();
        assertEq(_acct(carol).claimable, pending / 20);
        assertEq(token.balanceOf(net.BURN_SINK()), pending - pending / 20);
    }

    /// A prover lets its own batch miss and races it from a second identity: together they end with less
    /// than proving on time would have paid, whatever the fee and the stake.
    function testFuzz_Attack5_SelfRescueNeverPays(uint96 fee, uint96 stake) public {
        fee = uint96(bound(fee, 1, 1_000e18));
        stake = uint96(bound(stake, 100e18, 10_000e18));
        address second = makeAddr("second identity");
        _register(alice, stake);
        _register(second, 1000e18);
        _matureReputations();
        address[] memory ps = new address[](2);
        ps[0] = alice;
        ps[1] = second;
        _selectionRound(ps);
        // Find a slot drawn for alice (the seed decides; a few slots suffice).
        uint256 id;
        for (uint256 i; i < 12; ++i) {
            id = _post(keccak256(abi.encode("self", i)), fee);
            if (_batch(id).prover == alice) break;
            _nextSlot();
        }
        vm.assume(_batch(id).prover == alice);
        uint256 before = uint256(_acct(alice).stake) + _acct(second).claimable;
        vm.roll(uint256(_batch(id).provingDeadline) + 1);
        bytes memory proof = _proof(second, id, 1);
        vm.prank(second);
        net.raceSubmit(id, proof);
        uint256 afterRescue = uint256(_acct(alice).stake) + _acct(second).claimable;
        // Proving on time: alice keeps her stake and earns the fee.
        uint256 honest = before + fee;
        assertLt(afterRescue, honest, "self-rescue ends below proving on time");
        // What the second identity wins (fee, bounty, keeper share) is less than what alice lost
        // (her slash and the fee she forfeited).
        uint256 won = _acct(second).claimable;
        uint256 lost = (stake > 10_000e18 ? 10_000e18 : stake) / 10 + fee;
        assertLt(won, lost);
    }
}
