// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "../helpers/NetworkTestBase.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ProverNetwork} from "../../contracts/ProverNetwork.sol";
import {ProverPool} from "../../contracts/pools/ProverPool.sol";
import {ProverPoolFactory} from "../../contracts/pools/ProverPoolFactory.sol";
import {ReentrantToken} from "../mocks/ReentrantToken.sol";

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

contract ProverPoolReentrancyTest is NetworkTestBase {
    function test_Attack_ReentrantTokenCannotClaimTwice() public {
        ReentrantToken hook = new ReentrantToken();
        ProverNetwork hooked = new ProverNetwork(
            IERC20(address(hook)), verifier, owner, COMMIT_BLOCKS, REVEAL_BLOCKS, SLOT_BLOCKS, defaultParams()
        );
        ProverPoolFactory factory = new ProverPoolFactory(hooked, MIN_STAKE);
        address op = makeAddr("operator");
        hook.mint(op, MIN_STAKE);
        vm.startPrank(op);
        hook.approve(address(factory), MIN_STAKE);
        ProverPool pool = factory.createPool(MIN_STAKE, 0);
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
