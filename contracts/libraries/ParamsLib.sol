// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Params} from "../types/Params.sol";
import {Reputation} from "./Reputation.sol";
import {Slashing} from "./Slashing.sol";
import {Weight} from "./Weight.sol";

/// @title ParamsLib
/// @notice The single place where parameter bounds live. Governance can move a parameter only inside
///         these bounds, so a compromised or careless owner cannot, for example, set a 100% slash, a
///         zero-length proving window or an unbonding delay shorter than a prover's obligations.
library ParamsLib {
    /// @notice A parameter is outside its allowed range.
    /// @param name The parameter's name.
    /// @param value The rejected value.
    /// @param min The smallest allowed value.
    /// @param max The largest allowed value.
    error ParamOutOfBounds(string name, uint256 value, uint256 min, uint256 max);

    uint256 internal constant BPS = Slashing.BPS;
    uint256 internal constant REP_MAX = Reputation.MAX;
    /// Weights are stake >> Weight.SHIFT, so minStake must be at least this to carry any weight.
    uint256 internal constant MIN_STAKE_FLOOR = 1 << Weight.SHIFT;
    uint256 internal constant MAX_WINDOW = 1_000_000;
    uint256 internal constant MAX_UNBONDING = 10_000_000;
    /// The treasury's largest share of a slash: the owner must not profit from provers' misses more than
    /// this, whatever the burn, bounty and keeper shares (finding 3 of issue 11).
    uint256 internal constant MAX_TREASURY_BPS = 2000;
    /// The keeper's largest share: enough to pay for a call, never enough to make provoking misses pay.
    uint256 internal constant MAX_KEEPER_BPS = 1000;
    /// The smallest burned share of a slash: whoever rescues a batch (bounty) and closed it (keeper) gets
    /// at most 90% of the slash, so a prover racing its own miss from a second identity always loses.
    uint256 internal constant MIN_BURN_BPS = 1000;

    /// @notice Reverts with `ParamOutOfBounds` unless every field of `p` is inside its bounds.
    /// @param p The candidate parameters.
    /// @param epochLength The (immutable) epoch length in blocks; obligations span up to two epochs.
    function validate(Params memory p, uint256 epochLength) internal pure {
        _check("minStake", p.minStake, MIN_STAKE_FLOOR, p.maxWeightStake);
        _check("maxWeightStake", p.maxWeightStake, p.minStake, type(uint96).max);
        _check("provingWindow", p.provingWindow, 2, MAX_WINDOW);
        _check("raceWindow", p.raceWindow, 2, MAX_WINDOW);
        _check("challengeWindow", p.challengeWindow, 2, MAX_WINDOW);
        _check("unbondingDelay", p.unbondingDelay, minUnbonding(p, epochLength), MAX_UNBONDING);
        _check("repHalfLife", p.repHalfLife, 1, type(uint32).max);
        _check("slashBps", p.slashBps, 100, 5000);
        _check("nonRevealSlashBps", p.nonRevealSlashBps, 1, 500);
        _check("bountyBps", p.bountyBps, 0, 9000);
        _check("keeperBps", p.keeperBps, 0, MAX_KEEPER_BPS);
        _check("burnBps", p.burnBps, MIN_BURN_BPS, BPS - p.bountyBps - p.keeperBps);
        // Whatever burn, bounty and keeper do not take goes to the treasury: bound it from below.
        uint256 others = uint256(p.burnBps) + p.bountyBps + p.keeperBps;
        _check("treasuryBps", BPS - others, 0, MAX_TREASURY_BPS);
        _check("repInitial", p.repInitial, 1, REP_MAX);
        _check("repGain", p.repGain, 1, 1000);
        _check("repMissPenalty", p.repMissPenalty, 1, REP_MAX);
        _check("repNoRevealPenalty", p.repNoRevealPenalty, 1, REP_MAX);
        // A zero bond would make capacity unlimited; a bond above the whale cap would make every prover
        // a one-batch prover. A zero minimum fee would make dummy batches free.
        _check("assignmentBond", p.assignmentBond, 1, p.maxWeightStake);
        _check("minFee", p.minFee, 1, type(uint96).max);
    }

    /// @notice The shortest unbonding delay `p` may have: the longest obligation a prover can hold. A prover
    ///         revealed in epoch e can be drawn until the end of epoch e+1, holds the batch for
    ///         provingWindow after its slot, may challenge its data (the source then has challengeWindow
    ///         to answer and the prover a fresh provingWindow), and the race follows.
    function minUnbonding(Params memory p, uint256 epochLength) internal pure returns (uint256) {
        return 2 * uint256(p.provingWindow) + p.challengeWindow + p.raceWindow + 2 * epochLength;
    }

    /// @dev Reverts with `ParamOutOfBounds(name, value, min, max)` unless min <= value <= max.
    function _check(string memory name, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ParamOutOfBounds(name, value, min, max);
    }
}
