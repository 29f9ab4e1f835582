#!/usr/bin/env node
// Turns docs/gas.json (written by the GasReport Foundry test under --isolate) into docs/gas.md:
// a table of every operation with its target, and the draw-growth ratio. Exits 1 if a target
// is missed, so `make gas` fails loudly instead of writing a quietly worse report.
'use strict';
const fs = require('fs');

const [jsonPath, mdPath, zkLogPath] = process.argv.slice(2);
const gas = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));

// Groth16 verify gas per batch count, parsed from the zk Foundry test's log lines
// "verify gas, batches = N: G" (measured by `make gas`, never typed in).
const zk = [];
if (zkLogPath) {
  for (const m of fs.readFileSync(zkLogPath, 'utf8').matchAll(/verify gas, batches = (\d+): (\d+)/g)) {
    zk.push([Number(m[1]), Number(m[2])]);
  }
  if (zk.length === 0) {
    console.error(`no "verify gas" lines in ${zkLogPath}: did the zk gas test run?`);
    process.exit(1);
  }
}
const fmt = (n) => n.toLocaleString('en-US');
// The optimizer setting the figures were compiled with, read from foundry.toml so the text cannot go stale.
const toml = fs.readFileSync(require('path').join(__dirname, '..', 'foundry.toml'), 'utf8');
const runs = (toml.match(/^optimizer_runs\s*=\s*(\d+)/m) || [])[1];
const zkRows = zk.map(([k, g]) => `| ${k} | ${fmt(g)} | ${fmt(Math.round(g / k))} |`).join('\n');
const zkOne = zk.find(([k]) => k === 1);

const TARGETS = {
  commit: 50000,
  reveal: 70000,
  submitProof: 90000,
  draw_10000: 60000,
  postBatch: 100000,
  slash: 80000,
  // Issue 12: each pool call a delegator makes (docs/pools.md).
  pool_deposit: 100000,
  pool_requestWithdraw: 100000,
  pool_claim: 100000,
};
const NOTES = {
  register: 'first registration: three fresh account slots',
  stake: 'top-up',
  requestUnstake: 'start of the two-phase exit',
  withdraw: 'after the unbonding delay',
  commit_first: 'first commit after registering (slot primed by register)',
  commit: 'steady state (not the epoch\'s first commit)',
  commit_fixesSeed: 'the epoch\'s first commit: also fixes the previous epoch\'s seed (one per epoch)',
  reveal_first: 'first reveal ever at this list position (fresh slots)',
  reveal: 'steady state: list and roll slots reused from two epochs earlier',
  postBatch: 'a batch of a slot that already has its prover (the common case): fee from the prepaid balance, two fresh batch slots',
  postBatch_firstInSlot: 'the first batch of a slot: also the slot draw (binary search) and the assignment record',
  submitProof: 'one batch, InsecureDevVerifier included (upper bound of the protocol cost)',
  submitProof_2batches: 'one proof, 2 consecutive batches',
  submitProof_4batches: 'one proof, 4 consecutive batches',
  submitProof_8batches: 'one proof, 8 consecutive batches',
  submitProof_16batches: 'one proof, 16 consecutive batches (a full slot; less per batch than 8)',
  slash: 'permissionless missed-window call (slashMissed), the assignment\'s first missed batch, by a keeper whose claimable balance exists (its fee is a warm rewrite); reads the frozen slash terms and the network clock (issue 11)',
  slash_newKeeper: 'the same call by a keeper paid for the first time: its fee creates its claimable balance (a fresh slot, once per keeper address)',
  raceSubmit: 'race win on an already slashed batch',
  raceSubmit_open: 'race win on an Open batch (slot opened on an empty list): fee plus the Open reward from the treasury',
  raceSubmit_slashesInline: 'race win on a batch nobody slashed yet: the race runs the missed prover\'s slash itself (compare `slash` + `raceSubmit`)',
  claim: 'pull payment of rewards',
  pool_create: 'createPool: deploys the pool, registers it with the self-stake, names the operator',
  pool_deposit_first: 'a delegator\'s first deposit (fresh share balance), staked in the network at once',
  pool_deposit: 'a further deposit by the same delegator',
  pool_submitProof: 'one-batch proof by the pool\'s operator key for the pool (compare `submitProof`)',
  pool_slash: 'slashMissed of the pool\'s missed batch (compare `slash`)',
  pool_sync_afterSlash: 'the slash path through the pool: the sync that absorbs the slash and restakes the reward',
  pool_requestWithdraw_unstakes: 'a request that opens a tranche and unstakes it in the network',
  pool_requestWithdraw: 'a delegator\'s request opening its record in the open tranche (one fresh slot) while another tranche unbonds; priced on the last sync\'s books, no sync',
  pool_sync_withdrawsTranche: 'sync after the delay: withdraws the unbonding tranche, unstakes the next',
  pool_claim: 'claim of a finalized request',
};
// A pool must not raise the network's own operations by more than 10% (issue 12).
const POOL_RELATIVE = { pool_submitProof: 'submitProof', pool_slash: 'slash' };

const order = Object.keys(gas).sort((a, b) => {
  const rank = (k) => (k.startsWith('draw_') ? 2 : k.startsWith('pool_') ? 1 : 0);
  return rank(a) - rank(b) || (a.startsWith('draw_') ? parseInt(a.slice(5)) - parseInt(b.slice(5)) : 0);
});

let failed = [];
const rows = order.map((k) => {
  const t = TARGETS[k];
  let status = '';
  if (t !== undefined) {
    status = gas[k] <= t ? `<= ${t.toLocaleString('en-US')} ✓` : `<= ${t.toLocaleString('en-US')} ✗`;
    if (gas[k] > t) failed.push(k);
  }
  const base = POOL_RELATIVE[k];
  if (base !== undefined && gas[base] !== undefined) {
    const limit = Math.floor(gas[base] * 1.1);
    status = gas[k] <= limit ? `<= 1.1 x \`${base}\` ✓` : `<= 1.1 x \`${base}\` ✗`;
    if (gas[k] > limit) failed.push(k);
  }
  let note = NOTES[k] || '';
  const m = k.match(/^submitProof_(\d+)batches$/);
  if (m) note += ` (${Math.round(gas[k] / Number(m[1])).toLocaleString('en-US')} per batch)`;
  if (k.startsWith('draw_')) note = `one slot draw (\`slotDraw\`: seed, draw point, binary search) over ${parseInt(k.slice(5)).toLocaleString('en-US')} listed provers`;
  return `| \`${k}\` | ${gas[k].toLocaleString('en-US')} | ${status} | ${note} |`;
});

const ratio = gas.draw_10000 && gas.draw_10 ? gas.draw_10000 / gas.draw_10 : null;
if (ratio !== null && ratio > 2) failed.push('draw_10000/draw_10');
const perBatch = (n) => gas[`submitProof_${n}batches`] / n;
if (gas.submitProof_16batches && !(perBatch(16) < perBatch(8))) failed.push('submitProof_16batches per batch');

const md = `# Gas

Measured by \`make gas\`, which runs

    PROVERNET_GAS_OUT=docs/gas.json forge test --isolate --match-contract GasReportTest
    node tools/gas-report.js docs/gas.json docs/gas.md

(Foundry 1.7.1, solc 0.8.30, optimizer ${runs ? fmt(Number(runs)) : '?'} runs, EVM prague). \`--isolate\` runs every call as its
own transaction, so each figure is the **transaction gas a user pays**: 21,000 intrinsic gas, calldata,
cold account and storage access, and refunds included. Source: \`test/gas/GasReport.t.sol\`.
The \`.gas-snapshot\` file at the repository root is refreshed by the same target. \`make test\` re-measures
every row but \`draw_10000\` (\`PROVERNET_GAS_CHECK=docs/gas.json\`) and fails if any differs from this file,
so a figure here is never older than the contract.

| operation | gas | target | what is measured |
|---|---:|---|---|
${rows.join('\n')}

Pool rows (\`pool_*\`, issue 12) are measured on a pool created through the factory after the draws:
its operator proves for it with the network's hot-key path, a keeper slashes its missed batch, and the
delegator's deposit and claim each run the pool's sync first (a withdrawal request does not). The pool adds one view to the network (\`bondOf\`, the two
account slots its books need) and nothing to any other path, so \`submitProof\`, \`slash\` and the
\`draw_*\` rows are those of a network without pools (the new selector can move a dispatch by a few
gas); the pool's own
prover pays what any prover pays (\`pool_submitProof\`, \`pool_slash\` against \`submitProof\`, \`slash\`).
${failed.length ? `Targets missed: ${failed.join(', ')}.` : 'Every target is met.'}

Draw growth: \`draw_10000 / draw_10\` = ${ratio === null ? 'n/a' : ratio.toFixed(2)} (target <= 2). A draw is a
binary search over the epoch's prefix-sum list (\`contracts/libraries/SelectionList.sol\`): one cold
storage read (2,100 gas) per halving, so each tenfold growth of the list adds about 3.3 reads, ~7,400 gas.

## Comparison

Boundless (RISC Zero's market), measured with a mock verifier: lock ~149k, fulfil ~117k, slash ~102k.
provernet's equivalents are the exclusive assignment (part of \`postBatch\`: the rollup pays it, the prover
pays nothing to lock), \`submitProof\` and \`slash\` above.

## Groth16 verification (real proofs)

The default verifier (\`zk/solidity/Groth16BatchVerifier.sol\`, generated by \`provernet-zk\`) is measured
separately, as execution gas of \`verify\` (\`vm.lastCallGas\`, proof calldata of ~4.1k not included), by

    forge test --match-path "test/zk/*" --match-test Gas -vv

| batches per proof | verify gas | per batch |
|---:|---:|---:|
${zkRows || '| (not measured: run make gas) | | |'}

${zkOne ? `A real one-batch \`submitProof\` therefore costs about \`submitProof\` above plus ~${fmt(zkOne[1])} of
verification and ~4k of proof calldata, minus the development verifier's few thousand.` : ''}
Proving times: \`docs/proving.md\`.

## Where the gas goes

- \`commit\` and \`reveal\` rewrite slots that are already non-zero: the commitment shares a slot with an
  epoch tag that never returns to zero, and the selection list lives in two parity-indexed buffers that
  each epoch reuses (\`types/AccountState.sol\`, \`types/EpochRoll.sol\`).
- \`submitProof\` per batch falls with batching because the account update (claimable, reputation,
  open assignments) and the verifier call are paid once per proof.
- \`postBatch\` writes two fresh storage slots per batch (the commitment; fee, bounty, status, source
  index and assignment key) and takes the fee from the source's prepaid balance, so no token moves per
  batch. Who proves the batch and until when is stored once per slot draw (the assignment record, written
  by the slot's first batch: \`postBatch_firstInSlot\`), and the post cursor caches the current slot's
  prover, so a slot's later batches read no list entry. The first post or commit of an epoch also fixes
  the previous epoch's seed.
- The slot draw's binary search (\`SelectionList.search\`) reads list entries with unchecked index
  arithmetic and direct slot loads: ~217 gas less per probe than checked Solidity, which brought
  \`draw_10000\` from 61,763 back under its 60,000 target (\`make gas\` before and after).
- The rules live in libraries named for them (\`contracts/libraries/\`: \`Slashing\`, \`Seed\`, \`Weight\`,
  \`Reputation\`, \`SelectionList\`) as internal functions. The optimizer (legacy pipeline, no via-IR)
  compiles most of these calls as a jump instead of inlining them, about 20 to 60 gas per call. Moving the
  slash, seed and weight rules out of \`ProverNetwork.sol\` moved \`reveal\` and \`reveal_first\` by +83
  (commitment check and reveal mix), \`postBatch\` by +57 (stored-seed lookup and draw point), and \`slash\`
  and the row then called \`raceSubmit_withSlash\` by -26; every other row was unchanged (\`make gas\` before
  and after that change). That row was mislabelled: its batch lands in an epoch with an empty list, so it
  measured a race on an Open batch (no slash), and it is named \`raceSubmit_open\` since issue 11 gave
  Open batches a reward (+8.2k: the treasury read and write and the \`OpenBatchRewarded\` event).
- A keeper's fee is credited to its claimable balance in the network (pull payment). The first fee an
  address ever earns creates that balance, a fresh storage slot (\`slash_newKeeper\`, about 17k more than
  \`slash\`, once per keeper address, or again after it claims everything); a prover's agent doing keeper
  work has the slot already (its reputation lives there), and so does a keeper that leaves its fees to
  accumulate.
- A deposit and a claim start with the pool's sync: a call to the network's \`bondOf\` (two account slots:
  stake and unbonding, and claimable; \`accountOf\` would also read the commit slot, 2.1k more) and the
  unfinalized tranches' slots (tranche 0, meaning "nothing unbonding", is not read), before any work of
  their own. The pause flag shares the storage word of the tranche ids; in OpenZeppelin's \`Pausable\` it
  cost the deposit a cold read of its own (2.0k). A deposit then moves the tokens twice (delegator to
  pool, pool to network, each a token call) and mints shares.
- A delegator's withdrawal request does not sync: it is priced on the books of the last sync, and the
  next sync charges it any slash executed since, at the shareholders' fraction (docs/pools.md). It burns
  shares, adds to its tranche and writes one slot, the owner's units in that tranche under the id
  \`tranche << 160 | owner\` (no counter, no second slot); when no tranche is unbonding it also unstakes
  the tranche in the network (\`pool_requestWithdraw_unstakes\`). Before this design (a sync, a numbered
  two-slot record and a counter) the request cost 133.2k.
`;
fs.writeFileSync(mdPath, md);
console.log(`wrote ${mdPath}`);
if (failed.length) {
  console.error(`gas targets missed: ${failed.join(', ')}`);
  process.exit(1);
}
