// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {ProverNetwork} from "../../../contracts/ProverNetwork.sol";
import {InsecureDevVerifier} from "../../../contracts/verifiers/InsecureDevVerifier.sol";
import {DevStakingToken} from "../../../contracts/token/DevStakingToken.sol";
import {ProverPool} from "../../../contracts/pools/ProverPool.sol";
import {Batch} from "../../../contracts/types/Batch.sol";
import {AccountState} from "../../../contracts/types/AccountState.sol";

/// @notice Drives one pool with three delegators and its operator: deposits, withdrawal requests
///         (including requests made after a miss, before its slash), claims, donations, and the pool
///         earning (a proven batch) or losing (a missed batch, slashed by a keeper). Counts violations
///         of the price rules it can only see around an action.
contract DelegatorHandler is Test {
    ProverNetwork internal net;
    DevStakingToken internal token;
    InsecureDevVerifier internal verifier;
    ProverPool internal pool;
    address internal rollup;

    address[4] internal actors;
    /// @dev Distinct request ids (an owner's requests in one tranche share one id).
    uint256[] public requestIds;
    mapping(uint256 id => bool) internal _known;
    /// @notice Actions after which the share price rose from a slash or fell from a reward.
    uint256 public priceViolations;
    /// @notice Syncs after which the books did not match the network.
    uint256 public bookViolations;
    uint256 public slashes;
    uint256 public rewards;
    uint256 public claims;

    constructor(
        ProverNetwork n,
        DevStakingToken t,
        InsecureDevVerifier v,
        ProverPool p,
        address rollup_,
        address[3] memory delegators
    ) {
        net = n;
        token = t;
        verifier = v;
        pool = p;
        rollup = rollup_;
        actors[0] = p.operator();
        for (uint256 i; i < 3; ++i) {
            actors[i + 1] = delegators[i];
        }
    }

    function requestCount() external view returns (uint256) {
        return requestIds.length;
    }

    function actor(uint256 i) external view returns (address) {
        return actors[i];
    }

    // ------------------------------------------------------------ delegator moves

    function deposit(uint256 seed, uint256 amount) external {
        address who = actors[seed % 4];
        amount = bound(amount, 1e9, 2000e18);
        token.mint(who, amount);
        vm.startPrank(who);
        token.approve(address(pool), amount);
        try pool.deposit(amount, who) {} catch {}
        vm.stopPrank();
        _checkBooks();
    }

    function requestWithdraw(uint256 seed, uint256 fraction) external {
        address who = actors[seed % 4];
        uint256 shares = pool.balanceOf(who) * bound(fraction, 1, 100) / 100;
        vm.prank(who);
        try pool.requestWithdraw(shares) returns (uint256 id) {
            _remember(id);
        } catch {}
        _checkBooks();
    }

    function claim(uint256 seed) external {
        uint256 n = requestIds.length;
        if (n == 0) return;
        uint256 id = requestIds[seed % n];
        try pool.claim(id) {
            ++claims;
        } catch {}
        _checkBooks();
    }

    /// @dev A donation straight to the vault (the inflation attack's first step).
    function donate(uint256 amount) external {
        amount = bound(amount, 1, 10_000e18);
        token.mint(address(this), amount);
        token.transfer(address(pool), amount);
    }

    function advance(uint256 blocks) external {
        vm.roll(block.number + bound(blocks, 1, 60));
        pool.sync();
        _checkBooks();
    }

    // ------------------------------------------------------------ the pool earns or loses

    /// @dev The pool is selected for an epoch and gets one batch; it proves it (a reward) or misses it.
    ///      On a miss, a delegator may request a withdrawal before the keeper executes the slash, or after
    ///      it and before anyone syncs.
    function work(uint256 seed) external {
        if (!_select()) return;
        bytes32 commitment = keccak256(abi.encode("inv-pool", net.nextBatchId()));
        vm.prank(rollup);
        uint256 id = net.postBatch(commitment, 10e18);
        if (net.batchOf(id).prover != address(pool)) return;
        pool.sync();
        (uint256 assets, uint256 supply) = (pool.activeAssets(), pool.totalSupply());
        if (seed % 3 != 0) {
            _prove(id);
            pool.sync();
            ++rewards;
            // Price (assets + 1) / (supply + 1e6) must not fall.
            if ((pool.activeAssets() + 1) * (supply + 1e6) < (assets + 1) * (pool.totalSupply() + 1e6)) {
                ++priceViolations;
            }
        } else {
            vm.roll(net.batchOf(id).provingDeadline + 1);
            if (seed % 2 == 0) {
                // Front-run the visible slash: it must still land on this request.
                address who = actors[1 + (seed / 6) % 3];
                vm.prank(who);
                try pool.requestWithdraw(pool.balanceOf(who)) returns (uint256 rid) {
                    _remember(rid);
                } catch {}
                (assets, supply) = (pool.activeAssets(), pool.totalSupply());
            }
            net.slashMissed(id);
            if (seed % 4 == 1) {
                // Request after the slash is executed, before anyone syncs: priced on the stale books,
                // the next sync must still charge it the shareholders' fraction.
                address who = actors[1 + (seed / 4) % 3];
                vm.prank(who);
                try pool.requestWithdraw(pool.balanceOf(who) / 2) returns (uint256 rid) {
                    _remember(rid);
                } catch {}
                (assets, supply) = (pool.activeAssets(), pool.totalSupply());
            }
            pool.sync();
            ++slashes;
            if ((pool.activeAssets() + 1) * (supply + 1e6) > (assets + 1) * (pool.totalSupply() + 1e6)) {
                ++priceViolations;
            }
        }
        _checkBooks();
    }

    // ------------------------------------------------------------ helpers

    function _remember(uint256 id) internal {
        if (_known[id]) return;
        _known[id] = true;
        requestIds.push(id);
    }

    /// @dev Commits and reveals for the pool (as its operator would) and rolls into the epoch it serves.
    function _select() internal returns (bool) {
        if (net.accountOf(address(pool)).stake < net.params().minStake) return false;
        uint256 epoch = net.currentEpoch() + 1;
        vm.roll(net.epochStart(epoch));
        bytes32 secret = keccak256(abi.encode("inv-secret", epoch));
        vm.prank(address(pool));
        net.commit(keccak256(abi.encode(secret, address(pool), epoch)));
        vm.roll(net.epochStart(epoch) + net.commitBlocks());
        vm.prank(address(pool));
        net.reveal(secret);
        vm.roll(net.epochStart(epoch + 1) + 1);
        return true;
    }

    function _prove(uint256 id) internal {
        bytes32[] memory cs = new bytes32[](1);
        cs[0] = net.batchOf(id).commitment;
        bytes memory proof = abi.encode(verifier.expectedProof(address(net), address(pool), id, cs));
        vm.prank(address(pool));
        net.submitProof(id, 1, proof);
    }

    function _checkBooks() internal {
        AccountState memory a = net.accountOf(address(pool));
        uint256 booked = pool.activeAssets() + pool.trancheOf(pool.openTranche()).assets
            + pool.trancheOf(pool.unbondingTranche()).assets;
        if (uint256(a.stake) + a.unbonding != booked) ++bookViolations;
    }
}
