// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Script, console2} from "forge-std/Script.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {INetworkGovernance} from "../contracts/interfaces/INetworkGovernance.sol";
import {ProverNetwork} from "../contracts/ProverNetwork.sol";
import {IProofVerifier} from "../contracts/interfaces/IProofVerifier.sol";
import {InsecureDevVerifier} from "../contracts/verifiers/InsecureDevVerifier.sol";
import {DevStakingToken} from "../contracts/token/DevStakingToken.sol";
import {Params} from "../contracts/types/Params.sol";

/// @title Deploy
/// @notice Deploys the provernet suite, like `provernet deploy`, for `forge script` users:
///
///         forge script script/Deploy.s.sol --rpc-url $ETH_RPC_URL --private-key $KEY --broadcast
///
///         Every setting comes from an optional environment variable (defaults are the fast dev
///         parameters of `deployments/dev.params.json`; amounts are token units, durations blocks):
///         PROVERNET_TOKEN (no token: a mintable DevStakingToken, dev chain 31337 only),
///         PROVERNET_OWNER (default: the broadcaster), PROVERNET_BATCH_SOURCE (authorised besides the
///         owner), PROVERNET_COMMIT_BLOCKS, PROVERNET_REVEAL_BLOCKS, PROVERNET_SLOT_BLOCKS,
///         PROVERNET_MIN_STAKE,
///         PROVERNET_MAX_WEIGHT_STAKE, PROVERNET_PROVING_WINDOW, PROVERNET_RACE_WINDOW,
///         PROVERNET_UNBONDING_DELAY, PROVERNET_REP_HALF_LIFE, PROVERNET_SLASH_BPS,
///         PROVERNET_NON_REVEAL_SLASH_BPS, PROVERNET_BURN_BPS, PROVERNET_BOUNTY_BPS,
///         PROVERNET_REP_INITIAL, PROVERNET_REP_GAIN, PROVERNET_REP_MISS_PENALTY,
///         PROVERNET_REP_NO_REVEAL_PENALTY, PROVERNET_ASSIGNMENT_BOND, PROVERNET_MIN_FEE.
///         The verifier is the InsecureDevVerifier: development only, proofs carry no security.
contract Deploy is Script {
    /// @notice Chain id of local dev chains, the only place a faucet token may be deployed.
    uint256 internal constant DEV_CHAIN_ID = 31337;

    /// @notice Deploys and returns the addresses.
    /// @return network The ProverNetwork.
    /// @return token The staking token.
    /// @return verifier The proof verifier.
    function run() external returns (ProverNetwork network, address token, address verifier) {
        Params memory p = params();
        uint256 commitBlocks = vm.envOr("PROVERNET_COMMIT_BLOCKS", uint256(4));
        uint256 revealBlocks = vm.envOr("PROVERNET_REVEAL_BLOCKS", uint256(3));
        uint256 slotBlocks = vm.envOr("PROVERNET_SLOT_BLOCKS", uint256(2));
        token = vm.envOr("PROVERNET_TOKEN", address(0));
        address owner = vm.envOr("PROVERNET_OWNER", msg.sender);
        address source = vm.envOr("PROVERNET_BATCH_SOURCE", address(0));
        if (token == address(0)) {
            require(
                block.chainid == DEV_CHAIN_ID, "Deploy: set PROVERNET_TOKEN (test token only on chain 31337)"
            );
        }

        vm.startBroadcast();
        if (token == address(0)) token = address(new DevStakingToken());
        verifier = address(new InsecureDevVerifier());
        // The broadcaster owns the network first so it can authorise the batch sources, then hands
        // ownership over (two-step: the new owner must call acceptOwnership).
        network = new ProverNetwork(
            IERC20(token), IProofVerifier(verifier), msg.sender, commitBlocks, revealBlocks, slotBlocks, p
        );
        INetworkGovernance(address(network)).setBatchSource(owner, true);
        if (source != address(0)) INetworkGovernance(address(network)).setBatchSource(source, true);
        if (owner != msg.sender) network.transferOwnership(owner);
        vm.stopBroadcast();

        console2.log("ProverNetwork", address(network));
        console2.log("token", token);
        console2.log("verifier (INSECURE, development only)", verifier);
        console2.log("genesis block", network.genesisBlock());
    }

    /// @notice The parameters from the environment, defaulting to the dev parameters.
    /// @return p The parameters.
    function params() public view returns (Params memory p) {
        p.minStake = uint96(vm.envOr("PROVERNET_MIN_STAKE", uint256(100e18)));
        p.maxWeightStake = uint96(vm.envOr("PROVERNET_MAX_WEIGHT_STAKE", uint256(10_000e18)));
        p.provingWindow = uint32(vm.envOr("PROVERNET_PROVING_WINDOW", uint256(6)));
        p.raceWindow = uint32(vm.envOr("PROVERNET_RACE_WINDOW", uint256(6)));
        p.unbondingDelay = uint32(vm.envOr("PROVERNET_UNBONDING_DELAY", uint256(40)));
        p.repHalfLife = uint32(vm.envOr("PROVERNET_REP_HALF_LIFE", uint256(1000)));
        p.slashBps = uint16(vm.envOr("PROVERNET_SLASH_BPS", uint256(1000)));
        p.nonRevealSlashBps = uint16(vm.envOr("PROVERNET_NON_REVEAL_SLASH_BPS", uint256(100)));
        p.burnBps = uint16(vm.envOr("PROVERNET_BURN_BPS", uint256(5000)));
        p.bountyBps = uint16(vm.envOr("PROVERNET_BOUNTY_BPS", uint256(3000)));
        p.repInitial = uint16(vm.envOr("PROVERNET_REP_INITIAL", uint256(5000)));
        p.repGain = uint16(vm.envOr("PROVERNET_REP_GAIN", uint256(100)));
        p.repMissPenalty = uint16(vm.envOr("PROVERNET_REP_MISS_PENALTY", uint256(1500)));
        p.repNoRevealPenalty = uint16(vm.envOr("PROVERNET_REP_NO_REVEAL_PENALTY", uint256(300)));
        p.assignmentBond = uint96(vm.envOr("PROVERNET_ASSIGNMENT_BOND", uint256(10e18)));
        p.minFee = uint96(vm.envOr("PROVERNET_MIN_FEE", uint256(1e15)));
        p.challengeWindow = uint32(vm.envOr("PROVERNET_CHALLENGE_WINDOW", uint256(4)));
        p.keeperBps = uint16(vm.envOr("PROVERNET_KEEPER_BPS", uint256(500)));
    }
}
