// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {ProverNetwork} from "../../contracts/ProverNetwork.sol";
import {INetworkGovernance} from "../../contracts/interfaces/INetworkGovernance.sol";
import {IProverNetwork} from "../../contracts/interfaces/IProverNetwork.sol";
import {IProofVerifier} from "../../contracts/interfaces/IProofVerifier.sol";
import {InsecureDevVerifier} from "../../contracts/verifiers/InsecureDevVerifier.sol";
import {DevStakingToken} from "../../contracts/token/DevStakingToken.sol";
import {Params} from "../../contracts/types/Params.sol";
import {Batch, BatchStatus} from "../../contracts/types/Batch.sol";
import {AccountState} from "../../contracts/types/AccountState.sol";

/// @notice Shared fixture: a network over a plain ERC-20 with the development verifier, short epochs
///         (10 commit + 5 reveal blocks, three 5-block slots) and helpers that walk provers through the
///         epoch phases. The rollup has prepaid 500,000 tokens of fees.
abstract contract NetworkTestBase is Test {
    uint256 internal constant COMMIT_BLOCKS = 10;
    uint256 internal constant REVEAL_BLOCKS = 5;
    uint256 internal constant SLOT_BLOCKS = 5;
    uint256 internal constant MIN_STAKE = 100e18;
    uint256 internal constant BOND = 10e18;
    uint256 internal constant FEE_DEPOSIT = 500_000e18;

    DevStakingToken internal token;
    InsecureDevVerifier internal verifier;
    ProverNetwork internal net;
    /// @dev The network's governance calls, answered at its address by the extension.
    INetworkGovernance internal gov;
    /// @dev The owner: a real TimelockController (30-day delay, far above the fixture's horizon), so
    ///      owner calls pass the network's timelock check. Tests prank as it to act as governance;
    ///      `_scheduleAndExecute` goes through the timelock itself.
    TimelockController internal timelock;
    address internal owner;
    address internal governor = makeAddr("governor");
    uint256 internal constant TIMELOCK_DELAY = 30 days;
    address internal rollup = makeAddr("rollup");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    address internal keeper = makeAddr("keeper");

    function setUp() public virtual {
        vm.roll(1000);
        token = new DevStakingToken();
        verifier = new InsecureDevVerifier();
        address[] memory roles = new address[](1);
        roles[0] = governor;
        timelock = new TimelockController(TIMELOCK_DELAY, roles, roles, address(0));
        owner = address(timelock);
        net = new ProverNetwork(
            IERC20(address(token)),
            verifier,
            owner,
            COMMIT_BLOCKS,
            REVEAL_BLOCKS,
            SLOT_BLOCKS,
            defaultParams()
        );
        gov = INetworkGovernance(address(net));
        vm.prank(owner);
        gov.setBatchSource(rollup, true);
        token.mint(rollup, 1_000_000e18);
        vm.startPrank(rollup);
        token.approve(address(net), type(uint256).max);
        net.depositFees(FEE_DEPOSIT);
        vm.stopPrank();
    }

    function defaultParams() internal pure returns (Params memory p) {
        p.minStake = uint96(MIN_STAKE);
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
        p.assignmentBond = uint96(BOND);
        p.minFee = 1;
        p.challengeWindow = 10;
        p.keeperBps = 0;
    }

    /// @dev Runs `data` on the network as the timelock does: scheduled by the governor, executed once the
    ///      delay has passed (the clock is warped forward by it).
    function _scheduleAndExecute(bytes memory data) internal {
        bytes32 salt = keccak256(abi.encode(data, block.timestamp));
        vm.prank(governor);
        timelock.schedule(address(net), 0, data, bytes32(0), salt, TIMELOCK_DELAY);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        vm.prank(governor);
        timelock.execute(address(net), 0, data, bytes32(0), salt);
    }

    // ------------------------------------------------------------ staking helpers

    function _fund(address who, uint256 amount) internal {
        token.mint(who, amount);
        vm.prank(who);
        token.approve(address(net), type(uint256).max);
    }

    function _register(address who, uint256 amount) internal {
        _fund(who, amount);
        vm.prank(who);
        net.register(amount);
    }

    // ------------------------------------------------------------ epoch helpers

    function _secret(address who, uint256 epoch) internal pure returns (bytes32) {
        return keccak256(abi.encode("secret", who, epoch));
    }

    function _commitment(address who, uint256 epoch) internal pure returns (bytes32) {
        return keccak256(abi.encode(_secret(who, epoch), who, epoch));
    }

    /// @dev Rolls to the first block of the next epoch's commit phase and returns that epoch.
    function _nextEpoch() internal returns (uint256 epoch) {
        epoch = net.currentEpoch() + 1;
        vm.roll(net.epochStart(epoch));
    }

    function _toReveal(uint256 epoch) internal {
        vm.roll(net.epochStart(epoch) + COMMIT_BLOCKS);
    }

    function _commit(address who, uint256 epoch) internal {
        vm.prank(who);
        net.commit(_commitment(who, epoch));
    }

    function _reveal(address who, uint256 epoch) internal {
        vm.prank(who);
        net.reveal(_secret(who, epoch));
    }

    /// @dev Runs a full epoch in which `provers` commit and reveal, then rolls into the next epoch
    ///      (where their list is used) and returns the epoch they revealed in.
    function _selectionRound(address[] memory provers) internal returns (uint256 epoch) {
        epoch = _nextEpoch();
        for (uint256 i; i < provers.length; ++i) {
            _commit(provers[i], epoch);
        }
        _toReveal(epoch);
        for (uint256 i; i < provers.length; ++i) {
            _reveal(provers[i], epoch);
        }
        vm.roll(net.epochStart(epoch + 1) + 1);
    }

    function _three() internal returns (address[] memory provers) {
        provers = new address[](3);
        provers[0] = alice;
        provers[1] = bob;
        provers[2] = carol;
        for (uint256 i; i < 3; ++i) {
            _register(provers[i], 1000e18);
        }
        _matureReputations();
    }

    /// @dev Newcomers start at reputation 0 and rise toward repInitial (5,000) with a 1,000-block
    ///      half-life; 14 half-lives later every untouched score sits at 5,000, so tests can reason from it.
    function _matureReputations() internal {
        vm.roll(block.number + 14 * 1000);
    }

    function _feeBalance(address source) internal view returns (uint256) {
        return net.sourceOf(source).feeBalance;
    }

    /// @dev Rolls to the first block of the slot after the current one.
    function _nextSlot() internal {
        (,, uint256 last) = net.currentSlot();
        vm.roll(last + 1);
    }

    // ------------------------------------------------------------ batch helpers

    function _post(bytes32 commitment, uint256 fee) internal returns (uint256 id) {
        vm.prank(rollup);
        id = net.postBatch(commitment, fee);
    }

    function _batch(uint256 id) internal view returns (Batch memory) {
        return net.batchOf(id);
    }

    function _proof(address prover, uint256 firstId, uint256 count) internal view returns (bytes memory) {
        bytes32[] memory cs = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            cs[i] = net.batchOf(firstId + i).commitment;
        }
        return abi.encode(verifier.expectedProof(address(net), prover, firstId, cs));
    }

    function _prove(address prover, uint256 id) internal {
        bytes memory proof = _proof(prover, id, 1);
        vm.prank(prover);
        net.submitProof(id, 1, proof);
    }

    function _acct(address who) internal view returns (AccountState memory) {
        return net.accountOf(who);
    }

    /// @dev Sum of every liability the accounting invariant lists, for the given accounts and batches.
    function _liabilities(address[] memory accounts, uint256 lastBatch) internal view returns (uint256 sum) {
        for (uint256 i; i < accounts.length; ++i) {
            AccountState memory a = net.accountOf(accounts[i]);
            sum += uint256(a.stake) + a.unbonding + a.claimable;
        }
        for (uint256 id = 1; id <= lastBatch; ++id) {
            Batch memory b = net.batchOf(id);
            if (
                b.status == BatchStatus.Assigned || b.status == BatchStatus.Open
                    || b.status == BatchStatus.Racing || b.status == BatchStatus.Challenged
            ) {
                sum += b.fee;
            }
            if (b.status == BatchStatus.Racing) sum += b.bounty;
        }
        for (uint256 i = 1; i <= net.sourceCount(); ++i) {
            sum += net.sourceOf(net.sourceAt(i)).feeBalance;
        }
        sum += uint256(net.treasuryBalance()) + net.burnPending();
    }
}
