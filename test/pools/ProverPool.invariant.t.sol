// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PoolTestBase} from "./PoolTestBase.sol";
import {DelegatorHandler} from "./handlers/DelegatorHandler.sol";
import {Tranche, WithdrawalRequest} from "../../contracts/pools/IProverPool.sol";

/// @notice Pool invariants over random delegator, donor and prover moves against the real network.
contract ProverPoolInvariantTest is PoolTestBase {
    DelegatorHandler internal handler;
    address internal fred = makeAddr("fred");

    function setUp() public override {
        super.setUp();
        pool = _createPool(op, 300e18, 1000);
        handler = new DelegatorHandler(net, token, verifier, pool, rollup, [dan, eve, fred]);
        targetContract(address(handler));
    }

    /// @dev Every token minted sits with a known holder: actors, the handler (donor), the vault, the
    ///      network, the burn sink or the rollup; the network holds exactly its liabilities.
    function invariant_TokenConservationIncludingTheVault() public view {
        uint256 sum = token.balanceOf(address(pool)) + token.balanceOf(address(net))
            + token.balanceOf(net.BURN_SINK()) + token.balanceOf(rollup) + token.balanceOf(address(handler));
        for (uint256 i; i < 4; ++i) {
            sum += token.balanceOf(handler.actor(i));
        }
        assertEq(sum, token.totalSupply(), "tokens conserved");
        address[] memory accounts = new address[](2);
        accounts[0] = address(pool);
        accounts[1] = rollup;
        assertEq(token.balanceOf(address(net)), _liabilities(accounts, net.nextBatchId() - 1), "network");
    }

    /// @dev What every holder and every pending request could claim never exceeds what the vault has:
    ///      shares within the active assets, requests within their tranches, finalized tranches and
    ///      commission within the vault's tokens, and the books never above the network's record.
    function invariant_ClaimsNeverExceedTheVaultsAssets() public view {
        uint256 shareValue;
        for (uint256 i; i < 4; ++i) {
            shareValue += pool.previewRedeem(pool.balanceOf(handler.actor(i)));
        }
        assertLe(shareValue, pool.activeAssets(), "shares");

        uint256 open = pool.openTranche();
        uint256 unbonding = pool.unbondingTranche();
        uint256 pendingClaims;
        uint256 finalizedClaims;
        uint256 n = handler.requestCount();
        for (uint256 k; k < n; ++k) {
            uint256 id = handler.requestIds(k);
            WithdrawalRequest memory r = pool.requestOf(id);
            if (r.owner == address(0)) continue;
            (uint256 value, bool ready) = pool.requestValue(id);
            if (ready) finalizedClaims += value;
            else pendingClaims += value;
        }
        Tranche memory o = pool.trancheOf(open);
        Tranche memory u = pool.trancheOf(unbonding);
        assertLe(pendingClaims, uint256(o.assets) + u.assets, "pending requests");
        assertLe(finalizedClaims, pool.claimReserve(), "finalized requests");
        assertGe(token.balanceOf(address(pool)), pool.claimReserve() + pool.commissionOwed(), "vault tokens");
        uint256 actual = uint256(net.accountOf(address(pool)).stake) + net.accountOf(address(pool)).unbonding;
        assertLe(actual, pool.activeAssets() + o.assets + u.assets, "books never above the network");
    }

    /// @dev Share price never rose from a slash nor fell from a reward; every sync left the books equal
    ///      to the network's stake + unbonding.
    function invariant_PriceRulesAndBooks() public view {
        assertEq(handler.priceViolations(), 0, "price");
        assertEq(handler.bookViolations(), 0, "books");
    }
}
