// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ProverNetwork} from "../../contracts/ProverNetwork.sol";
import {InsecureDevVerifier} from "../../contracts/verifiers/InsecureDevVerifier.sol";
import {ProverPool} from "../../contracts/pools/ProverPool.sol";
import {ProverPoolFactory} from "../../contracts/pools/ProverPoolFactory.sol";
import {ReentrantToken} from "../mocks/ReentrantToken.sol";
import {Params} from "../../contracts/types/Params.sol";

/// @notice A delegator contract that re-enters the pool from the token's transfer hook.
contract ReenteringDelegator {
    ProverPool internal immutable pool;
    uint256 public requestId;
    bytes4 public refusedWith;
    uint256 public hooks;

    constructor(ProverPool p) {
        pool = p;
    }

    function enter(IERC20 token, uint256 amount) external {
        token.approve(address(pool), amount);
        pool.deposit(amount, address(this));
        requestId = pool.requestWithdraw(pool.balanceOf(address(this)));
    }

    function onTokenReceived(uint256) external {
        ++hooks;
        try pool.claim(requestId) {}
        catch (bytes memory reason) {
            refusedWith = bytes4(reason);
        }
    }
}

contract ProverPoolReentrancyTest is Test {
    function test_Attack_ReentrantTokenCannotClaimTwice() public {
        vm.roll(1000);
        ReentrantToken hook = new ReentrantToken();
        Params memory p;
        p.minStake = 100e18;
        p.maxWeightStake = 10_000e18;
        p.provingWindow = 20;
        p.raceWindow = 10;
        p.unbondingDelay = 100;
        p.repHalfLife = 1000;
        p.slashBps = 1000;
        p.nonRevealSlashBps = 100;
        p.burnBps = 5000;
        p.bountyBps = 3000;
        p.repInitial = 5000;
        p.repGain = 100;
        p.repMissPenalty = 1500;
        p.repNoRevealPenalty = 300;
        ProverNetwork net =
            new ProverNetwork(IERC20(address(hook)), new InsecureDevVerifier(), address(this), 10, 5, p);
        ProverPoolFactory factory = new ProverPoolFactory(net, 100e18);
        address op = makeAddr("operator");
        hook.mint(op, 100e18);
        vm.startPrank(op);
        hook.approve(address(factory), 100e18);
        ProverPool pool = factory.createPool(100e18, 0);
        vm.stopPrank();

        ReenteringDelegator attacker = new ReenteringDelegator(pool);
        hook.mint(address(attacker), 500e18);
        attacker.enter(IERC20(address(hook)), 500e18);
        vm.roll(pool.trancheOf(1).readyAt);
        pool.claim(attacker.requestId());

        assertEq(hook.balanceOf(address(attacker)), 500e18, "paid exactly once");
        assertEq(attacker.hooks(), 1);
        assertEq(attacker.refusedWith(), ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        assertEq(hook.balanceOf(address(pool)), 0);
    }
}
