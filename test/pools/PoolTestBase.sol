// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "../helpers/NetworkTestBase.sol";
import {ProverPool} from "../../contracts/pools/ProverPool.sol";
import {ProverPoolFactory} from "../../contracts/pools/ProverPoolFactory.sol";
import {Batch} from "../../contracts/types/Batch.sol";
import {AccountState} from "../../contracts/types/AccountState.sol";

/// @notice A real ProverNetwork (dev verifier) with a pool factory, and helpers that make the pool earn
///         (a batch it proves) or lose (a batch it misses, slashed by a keeper). Until the network's hot
///         operator key lands, the operator's network calls are made as the pool itself (vm.prank).
abstract contract PoolTestBase is NetworkTestBase {
    uint256 internal constant MIN_SELF_STAKE = 100e18;
    uint256 internal constant FEE = 10e18;

    ProverPoolFactory internal factory;
    ProverPool internal pool;

    address internal op = makeAddr("operator");
    address internal dan = makeAddr("dan");
    address internal eve = makeAddr("eve");

    function setUp() public virtual override {
        super.setUp();
        factory = new ProverPoolFactory(net, MIN_SELF_STAKE);
    }

    function _createPool(address operator, uint256 selfStake, uint256 bps) internal returns (ProverPool p) {
        token.mint(operator, selfStake);
        vm.startPrank(operator);
        token.approve(address(factory), selfStake);
        p = factory.createPool(selfStake, bps);
        vm.stopPrank();
    }

    function _deposit(address who, uint256 amount) internal returns (uint256 shares) {
        token.mint(who, amount);
        vm.startPrank(who);
        token.approve(address(pool), amount);
        shares = pool.deposit(amount, who);
        vm.stopPrank();
    }

    function _request(address who, uint256 shares) internal returns (uint256 id) {
        vm.prank(who);
        id = pool.requestWithdraw(shares);
    }

    function _claim(address who, uint256 id) internal returns (uint256 paid) {
        uint256 before = token.balanceOf(who);
        vm.prank(who);
        pool.claim(id);
        paid = token.balanceOf(who) - before;
    }

    /// @dev The pool alone commits and reveals, so every batch of the next epoch is its.
    function _selectPool() internal {
        address[] memory provers = new address[](1);
        provers[0] = address(pool);
        _selectionRound(provers);
    }

    /// @dev A batch the pool proves: its fee is credited to the pool's claimable.
    function _earn() internal returns (uint256 id) {
        id = _post(keccak256(abi.encode("batch", net.nextBatchId())), FEE);
        _prove(address(pool), id);
    }

    /// @dev A batch the pool misses: rolls past its window (the slash is earned, not executed).
    function _miss() internal returns (uint256 id) {
        id = _post(keccak256(abi.encode("batch", net.nextBatchId())), FEE);
        Batch memory b = net.batchOf(id);
        vm.roll(b.provingDeadline + 1);
    }

    function _slash(uint256 id) internal {
        vm.prank(keeper);
        net.slashMissed(id);
    }

    function _value(address who) internal view returns (uint256) {
        return pool.previewRedeem(pool.balanceOf(who));
    }

    function _rollToReady(uint256 requestId) internal {
        uint256 readyAt = pool.trancheOf(pool.requestOf(requestId).tranche).readyAt;
        if (block.number < readyAt) vm.roll(readyAt);
    }

    /// @dev The books equal the pool's stake + unbonding in the network (true after every sync).
    function _books() internal view {
        AccountState memory a = net.accountOf(address(pool));
        uint256 booked = pool.activeAssets() + pool.trancheOf(pool.openTranche()).assets
            + pool.trancheOf(pool.unbondingTranche()).assets;
        assertEq(uint256(a.stake) + a.unbonding, booked, "books match the network");
    }
}
