// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NetworkTestBase} from "../helpers/NetworkTestBase.sol";
import {BatchStatus} from "../../contracts/types/Batch.sol";
import {ProverPool} from "../../contracts/pools/ProverPool.sol";
import {ProverPoolFactory} from "../../contracts/pools/ProverPoolFactory.sol";

/// @notice The gas report behind docs/gas.md. Run by `make gas` with `forge test --isolate`, where every
///         top-level call is its own transaction, so each figure is what a user pays: the 21,000
///         intrinsic gas, calldata, cold storage access and refunds included. Steady-state figures are
///         measured after earlier epochs have warmed the reused slots (see docs/gas.md).
///         Without PROVERNET_GAS_OUT the draw sizes stop at 1,000 so `make test` stays fast. With
///         PROVERNET_GAS_CHECK=docs/gas.json (what `make test` sets) every figure measured is compared with
///         the committed one, so a contract change that moves gas fails until `make gas` is re-run.
contract GasReportTest is NetworkTestBase {
    string internal constant KEY = "gas";
    string internal json;
    string internal committed;

    function setUp() public override {
        super.setUp();
        string memory path = vm.envOr("PROVERNET_GAS_CHECK", string(""));
        if (bytes(path).length != 0) committed = vm.readFile(path);
    }

    function _record(string memory name) internal returns (uint256 used) {
        used = vm.lastCallGas().gasTotalUsed;
        _keep(name, used);
    }

    /// @dev Adds a figure to the report and, in check mode, fails if it differs from the committed one.
    function _keep(string memory name, uint256 used) internal {
        json = vm.serializeUint(KEY, name, used);
        if (bytes(committed).length != 0) {
            uint256 was = vm.parseJsonUint(committed, string.concat(".", name));
            assertEq(used, was, string.concat("docs/gas.json is stale for ", name, ": run `make gas`"));
        }
    }

    function _prover(uint256 i) internal pure returns (address) {
        return address(uint160(0x100000 + i));
    }

    function test_GasReport() public {
        bool full = bytes(vm.envOr("PROVERNET_GAS_OUT", string(""))).length != 0;

        // ---- staking
        _register(_prover(0), 1000e18);
        _fund(_prover(1), 2000e18);
        vm.prank(_prover(1));
        net.register(1000e18);
        _record("register");
        vm.prank(_prover(1));
        net.stake(500e18);
        _record("stake");
        for (uint256 i = 2; i < 4; ++i) {
            _register(_prover(i), 1000e18);
        }
        address[] memory four = new address[](4);
        for (uint256 i; i < 4; ++i) {
            four[i] = _prover(i);
        }

        // ---- commit / reveal: two warm-up epochs so the reused list slots are steady-state
        uint256 epoch = _nextEpoch();
        _commit(four[0], epoch); // fixes the previous epoch's seed
        vm.prank(four[1]);
        net.commit(_commitment(four[1], epoch));
        _record("commit_first");
        for (uint256 i = 2; i < 4; ++i) {
            _commit(four[i], epoch);
        }
        _toReveal(epoch);
        vm.prank(four[0]);
        net.reveal(_secret(four[0], epoch));
        _record("reveal_first");
        for (uint256 i = 1; i < 4; ++i) {
            _reveal(four[i], epoch);
        }
        _selectionRound(four);
        epoch = _nextEpoch();
        vm.prank(four[0]);
        net.commit(_commitment(four[0], epoch));
        _record("commit_fixesSeed"); // the epoch's first commit also fixes the previous epoch's seed
        vm.prank(four[1]);
        net.commit(_commitment(four[1], epoch));
        _record("commit");
        for (uint256 i = 2; i < 4; ++i) {
            _commit(four[i], epoch);
        }
        _toReveal(epoch);
        _reveal(four[0], epoch);
        vm.prank(four[1]);
        net.reveal(_secret(four[1], epoch));
        _record("reveal");
        for (uint256 i = 2; i < 4; ++i) {
            _reveal(four[i], epoch);
        }
        vm.roll(net.epochStart(epoch + 1) + 1);

        // ---- batches
        _post(keccak256("warm"), 1e18); // fixes the seed and makes the slot's draw
        vm.prank(rollup);
        uint256 id = net.postBatch(keccak256("b1"), 1e18);
        _record("postBatch");
        _nextSlot();
        vm.prank(rollup);
        uint256 firstInSlot = net.postBatch(keccak256("b1'"), 1e18);
        _record("postBatch_firstInSlot");
        address p = _batch(id).prover;
        bytes memory proof = _proof(p, id, 1);
        vm.prank(p);
        net.submitProof(id, 1, proof);
        _record("submitProof");
        // "b1'" is left unproven: the keeper's first slash (below).

        // Two slashes, a race on an already slashed batch (slot 2 of the epoch), and a race on an Open
        // batch: the epoch has three slots, so "b3" lands in the next epoch, whose list is empty (nobody
        // revealed in this one), and its rescuer takes the fee and the Open reward from the treasury the
        // slashes fed. The keeper's first fee creates its claimable balance (a fresh slot, once per keeper
        // address: `slash_newKeeper`); `slash` is the keeper's next one, the steady state of a keeper that
        // leaves its fees to accumulate, or of a prover's agent (whose account slot exists already).
        _nextSlot();
        uint256 missed = _post(keccak256("b2"), 1e18);
        _nextSlot();
        uint256 missed2 = _post(keccak256("b3"), 1e18);
        vm.roll(_batch(missed2).provingDeadline + 1);
        assertTrue(
            _batch(firstInSlot).prover != _batch(missed).prover, "two provers: neither slash is capped"
        );
        vm.prank(keeper);
        net.slashMissed(firstInSlot);
        _record("slash_newKeeper");
        vm.prank(keeper);
        net.slashMissed(missed);
        _record("slash");
        address rescuer = _batch(missed).prover == four[0] ? four[1] : four[0];
        proof = _proof(rescuer, missed, 1);
        vm.prank(rescuer);
        net.raceSubmit(missed, proof);
        _record("raceSubmit");
        rescuer = _batch(missed2).prover == four[2] ? four[3] : four[2];
        proof = _proof(rescuer, missed2, 1);
        vm.prank(rescuer);
        net.raceSubmit(missed2, proof);
        _record("raceSubmit_open");
        vm.prank(rescuer);
        net.claim();
        _record("claim");

        // ---- proof batching: one prover listed, so it holds consecutive batches
        address[] memory solo = new address[](1);
        solo[0] = four[0];
        _selectionRound(solo);
        _post(keccak256("warm2"), 1e18);
        for (uint256 k = 2; k <= 16; k *= 2) {
            uint256 first = _post(keccak256(abi.encode("batch", k, uint256(0))), 1e18);
            for (uint256 j = 1; j < k; ++j) {
                _post(keccak256(abi.encode("batch", k, j)), 1e18);
            }
            proof = _proof(four[0], first, k);
            vm.prank(four[0]);
            net.submitProof(first, k, proof);
            _record(string.concat("submitProof_", vm.toString(k), "batches"));
        }

        // ---- exit
        vm.prank(four[3]);
        net.requestUnstake(500e18);
        _record("requestUnstake");
        vm.roll(block.number + 100);
        vm.prank(four[3]);
        net.withdraw();
        _record("withdraw");

        _drawRows(full ? 10_000 : 1_000);
        // After the draws, so that nothing here moves a block number or a seed they depend on.
        _poolRows();
        _raceSlashesInlineRow();

        if (full) vm.writeJson(json, vm.envString("PROVERNET_GAS_OUT"));
        emit log(json);
    }

    /// @dev A prover pool's own operations and the network's operations through a pool
    ///      (docs/pools.md): the operator proves for the pool with its hot key, a keeper slashes the
    ///      pool's missed batch, and the next sync absorbs the slash and collects the reward.
    function _poolRows() internal {
        ProverPoolFactory factory = new ProverPoolFactory(net, MIN_STAKE);
        address op = makeAddr("pool operator");
        address dan = makeAddr("delegator");
        token.mint(op, 1000e18);
        vm.prank(op);
        token.approve(address(factory), 1000e18);
        vm.prank(op);
        ProverPool pool = factory.createPool(1000e18, 1000);
        _record("pool_create");
        token.mint(dan, 10_000e18);
        vm.prank(dan);
        token.approve(address(pool), type(uint256).max);
        vm.prank(dan);
        pool.deposit(5000e18, dan);
        _record("pool_deposit_first");
        vm.prank(dan);
        pool.deposit(1000e18, dan);
        _record("pool_deposit");

        // The pool alone is listed (its operator commits and reveals for it), so it holds the next
        // slots' batches.
        uint256 epoch = _nextEpoch();
        vm.prank(op);
        net.commit(_commitment(address(pool), epoch));
        _toReveal(epoch);
        vm.prank(op);
        net.reveal(_secret(address(pool), epoch));
        vm.roll(net.epochStart(epoch + 1) + 1);
        uint256 id = _post(keccak256("pool b1"), 1e18);
        bytes memory proof = _proof(address(pool), id, 1);
        vm.prank(op);
        net.submitProof(id, 1, proof);
        _record("pool_submitProof");
        _nextSlot();
        uint256 missed = _post(keccak256("pool b2"), 1e18);
        vm.roll(_batch(missed).provingDeadline + 1);
        vm.prank(keeper);
        net.slashMissed(missed);
        _record("pool_slash");
        pool.sync();
        _record("pool_sync_afterSlash");

        uint256 shares = pool.balanceOf(dan) / 4;
        vm.prank(dan);
        uint256 request = pool.requestWithdraw(shares);
        _record("pool_requestWithdraw_unstakes");
        vm.prank(dan);
        pool.requestWithdraw(shares);
        _record("pool_requestWithdraw");
        vm.roll(pool.trancheOf(pool.requestOf(request).tranche).readyAt);
        pool.sync();
        _record("pool_sync_withdrawsTranche");
        vm.prank(dan);
        pool.claim(request);
        _record("pool_claim");
    }

    /// @dev A race on a batch nobody slashed yet: the racer's `raceSubmit` runs the missed prover's slash
    ///      itself (`_slashMissed` inline, the keeper's fee going to the racer), the path a rescuer takes
    ///      when no keeper was faster. Last, so that nothing it moves changes another row.
    function _raceSlashesInlineRow() internal {
        (address missedProver, address racer) = (_prover(0), _prover(1));
        address[] memory solo = new address[](1);
        solo[0] = missedProver;
        _selectionRound(solo);
        uint256 missed = _post(keccak256("inline b1"), 1e18);
        vm.roll(_batch(missed).provingDeadline + 1);
        uint256 stakeBefore = net.accountOf(missedProver).stake;
        bytes memory proof = _proof(racer, missed, 1);
        vm.prank(racer);
        net.raceSubmit(missed, proof);
        _record("raceSubmit_slashesInline");
        assertEq(uint8(_batch(missed).status), uint8(BatchStatus.Proven), "the race proved it");
        assertLt(net.accountOf(missedProver).stake, stakeBefore, "and slashed the missed prover on the way");
    }

    /// @dev One slot draw (`slotDraw`, the search `postBatch` runs for a slot's first batch) against lists
    ///      of 10, 100, ... maxN provers.
    function _drawRows(uint256 maxN) internal {
        // ---- weighted draw against lists of growing size
        for (uint256 i = 4; i < maxN; ++i) {
            _register(_prover(i), MIN_STAKE + (i % 97) * 1e18);
        }
        for (uint256 n = 10; n <= maxN; n *= 10) {
            uint256 epoch = _nextEpoch();
            for (uint256 i; i < n; ++i) {
                _commit(_prover(i), epoch);
            }
            _toReveal(epoch);
            for (uint256 i; i < n; ++i) {
                _reveal(_prover(i), epoch);
            }
            vm.roll(net.epochStart(epoch + 1) + 1);
            net.finalizeSeed(epoch);
            // Report the most expensive of 16 slot draws: the search depth varies by one probe.
            uint256 worst;
            for (uint256 r; r < 16; ++r) {
                // A low-level CALL, not the STATICCALL Solidity emits for a view, so --isolate runs it
                // as its own transaction like every other figure here.
                (bool ok,) = address(net).call(abi.encodeCall(net.slotDraw, (epoch + 1, r, 0)));
                assertTrue(ok);
                uint256 used = vm.lastCallGas().gasTotalUsed;
                if (used > worst) worst = used;
            }
            _keep(string.concat("draw_", vm.toString(n)), worst);
        }
    }
}
