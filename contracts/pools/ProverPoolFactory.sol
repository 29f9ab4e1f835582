// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ProverNetwork} from "../ProverNetwork.sol";
import {ProverPool} from "./ProverPool.sol";

/// @title ProverPoolFactory
/// @notice Creates one liquid proving pool per operator (docs/pools.md) and lists them, so a delegator
///         can find every pool of a network.
contract ProverPoolFactory is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The caller already has a pool.
    /// @param operator The caller.
    /// @param pool Its pool.
    error PoolExists(address operator, address pool);
    /// @notice The self-stake is below the factory's minimum.
    /// @param selfStake The self-stake offered.
    /// @param minimum The factory's `minSelfStake`.
    error SelfStakeTooLow(uint256 selfStake, uint256 minimum);

    /// @notice A pool was created and registered in the network.
    /// @param operator The operator.
    /// @param pool The pool.
    /// @param selfStake The operator's self-stake.
    /// @param commissionBps The initial commission.
    event PoolCreated(
        address indexed operator, address indexed pool, uint256 selfStake, uint256 commissionBps
    );

    /// @notice The network the pools stake in.
    ProverNetwork public immutable network;
    /// @notice Least self-stake of every pool created here (token units); a pool's operator must keep it
    ///         for delegators to deposit.
    uint256 public immutable minSelfStake;
    /// @notice The pool of each operator.
    mapping(address operator => ProverPool pool) public poolOf;
    /// @notice Every pool, in creation order.
    ProverPool[] public pools;

    /// @param network_ The network.
    /// @param minSelfStake_ The least self-stake of every pool.
    constructor(ProverNetwork network_, uint256 minSelfStake_) {
        network = network_;
        minSelfStake = minSelfStake_;
    }

    /// @notice Creates the caller's pool: pulls `selfStake` from the caller (approve this factory
    ///         first), registers the pool in the network with it and mints the caller's shares.
    /// @param selfStake The operator's self-stake: at least `minSelfStake` and the network's minStake.
    /// @param commissionBps The commission, at most the pool's MAX_COMMISSION_BPS.
    /// @return pool The new pool.
    function createPool(uint256 selfStake, uint256 commissionBps)
        external
        nonReentrant
        returns (ProverPool pool)
    {
        ProverPool existing = poolOf[msg.sender];
        if (address(existing) != address(0)) revert PoolExists(msg.sender, address(existing));
        if (selfStake < minSelfStake) revert SelfStakeTooLow(selfStake, minSelfStake);
        pool = new ProverPool(network, msg.sender, minSelfStake, commissionBps);
        poolOf[msg.sender] = pool;
        pools.push(pool);
        network.token().safeTransferFrom(msg.sender, address(pool), selfStake);
        pool.initialize(selfStake);
        emit PoolCreated(msg.sender, address(pool), selfStake, commissionBps);
    }

    /// @notice Number of pools created.
    function poolCount() external view returns (uint256) {
        return pools.length;
    }
}
