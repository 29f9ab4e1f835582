#!/usr/bin/env node
// Copies the ABI, bytecode and NatSpec (userdoc, devdoc) of the deployable contracts from forge's
// out/ into bindings/artifacts/, which the Rust bindings compile against (the revert decoder takes
// each custom error's sentence from the userdoc). With --check it writes nothing
// and exits 1 if the committed copies differ from a fresh `forge build` (bindings drift).
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const CONTRACTS = [
  'ProverNetwork',
  'TimelockController',
  'InsecureDevVerifier',
  'DevStakingToken',
  'Groth16BatchVerifier',
  'ProverPool',
  'ProverPoolFactory',
  // Not deployed by the protocol: a probe exposing BatchCommitment.compute, which the Rust
  // cross-check (zk/tests/batch_commitment_evm.rs) runs in revm against provernet_zk.
  'BatchCommitmentProbe',
];
const check = process.argv.includes('--check');
const outDir = path.join(root, 'bindings', 'artifacts');
let drift = [];

// Contracts whose functions another contract serves at its address (see the header).
const EXTENSIONS = { ProverNetwork: 'NetworkExtension' };

function load(name) {
  const src = path.join(root, 'out', `${name}.sol`, `${name}.json`);
  if (!fs.existsSync(src)) {
    console.error(`missing ${src}: run forge build first`);
    process.exit(1);
  }
  return JSON.parse(fs.readFileSync(src, 'utf8'));
}

// The ABI signature of an entry, so that an entry both contracts declare is kept once.
function signature(e) {
  const types = (e.inputs || []).map((i) => i.type).join(',');
  return `${e.type} ${e.name || ''}(${types})`;
}

// Joins `ext`'s ABI entries and NatSpec sections into `a`'s (entries `a` has win).
function join(a, docs, ext) {
  const seen = new Set(a.abi.map(signature));
  const extDocs = JSON.parse(ext.rawMetadata).output;
  for (const e of ext.abi) {
    if (e.type === 'constructor' || seen.has(signature(e))) continue;
    a.abi.push(e);
  }
  for (const kind of ['userdoc', 'devdoc']) {
    for (const section of ['methods', 'errors', 'events']) {
      const from = (extDocs[kind] || {})[section] || {};
      const into = (docs[kind][section] = docs[kind][section] || {});
      for (const [k, v] of Object.entries(from)) if (!(k in into)) into[k] = v;
    }
  }
}

for (const name of CONTRACTS) {
  const a = load(name);
  // forge's parsed `metadata` drops the `errors` section of the NatSpec; solc's raw metadata keeps it.
  const docs = JSON.parse(a.rawMetadata).output;
  if (EXTENSIONS[name]) join(a, docs, load(EXTENSIONS[name]));
  const slim = {
    abi: a.abi,
    bytecode: { object: a.bytecode.object },
    deployedBytecode: { object: a.deployedBytecode.object },
    userdoc: docs.userdoc,
    devdoc: docs.devdoc,
  };
  const text = JSON.stringify(slim, null, 1) + '\n';
  const dst = path.join(outDir, `${name}.json`);
  if (check) {
    if (!fs.existsSync(dst) || fs.readFileSync(dst, 'utf8') !== text) drift.push(name);
  } else {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(dst, text);
  }
}
if (drift.length) {
  console.error(`bindings drift: ${drift.join(', ')} changed since bindings/artifacts was exported.`);
  console.error('Run `make bindings` and commit bindings/artifacts.');
  process.exit(1);
}
if (!check) console.log(`exported ${CONTRACTS.length} artifacts to bindings/artifacts`);
