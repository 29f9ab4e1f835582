//! What produced a result: the contracts' bytecode hash and the command line.
//!
//! Every run's `summary.json` carries [`bytecode_hash`], every sweep's `stats.json` carries it with
//! the command, and every output folder gets a `provenance.json` ([`Provenance`]). A figure made on
//! older contracts is then detectable without rerunning it: `provernet sim figures --check` (and
//! `make test`) compares the recorded hash with the one compiled into this binary.

use std::path::Path;
use std::sync::OnceLock;

use alloy::primitives::{B256, keccak256};
use eyre::{Result, WrapErr};
use provernet_bindings::ProverPoolFactory;
use provernet_evm::Contracts;
use serde::{Deserialize, Serialize};

/// The file every output folder gets.
pub const FILE: &str = "provenance.json";

/// The creation code of every contract the simulator can deploy, in the fixed order their hashes
/// enter [`bytecode_hash`]. The three of the network suite come from [`Contracts::real`] (the one
/// definition of what the in-process chain deploys), so swapping one there changes the hash; the
/// pool factory is deployed only by scenarios with delegators, but it is hashed always, so that one
/// hash covers every figure.
fn contracts() -> [(&'static str, Vec<u8>); 4] {
    let suite = Contracts::real();
    [
        ("ProverNetwork", suite.network.to_vec()),
        ("DevStakingToken", suite.token.to_vec()),
        ("InsecureDevVerifier", suite.verifier.to_vec()),
        ("ProverPoolFactory", ProverPoolFactory::BYTECODE.to_vec()),
    ]
}

/// One contract's name and the keccak256 of its creation code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractHash {
    /// Contract name.
    pub name: String,
    /// keccak256 of its creation code (compiler metadata included, so any source change shows).
    pub keccak256: String,
}

/// Every contract's creation-code hash, in [`bytecode_hash`]'s order.
pub fn contract_hashes() -> Vec<ContractHash> {
    contracts()
        .iter()
        .map(|(name, code)| ContractHash {
            name: (*name).to_string(),
            keccak256: keccak256(code).to_string(),
        })
        .collect()
}

/// keccak256 over, for each contract in order, keccak256(name) followed by keccak256(creation
/// code): it changes when any contract's code changes, when one is added or removed, and when two
/// swap places. Computed once per process.
pub fn bytecode_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_of(&contracts())).clone()
}

fn hash_of(contracts: &[(&str, Vec<u8>)]) -> String {
    let mut preimage = Vec::with_capacity(64 * contracts.len());
    for (name, code) in contracts {
        preimage.extend_from_slice(keccak256(name.as_bytes()).as_slice());
        preimage.extend_from_slice(keccak256(code).as_slice());
    }
    let h: B256 = keccak256(&preimage);
    h.to_string()
}

/// What produced an output folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// [`bytecode_hash`] of the binary that wrote the folder.
    pub bytecode_hash: String,
    /// Every contract's creation-code hash.
    pub contracts: Vec<ContractHash>,
    /// The command, as a shell line (`provernet sim ...`).
    pub command: String,
    /// Version of the simulator crate.
    pub simulator: String,
}

impl Provenance {
    /// The current contracts with `command`.
    pub fn current(command: impl Into<String>) -> Self {
        Self {
            bytecode_hash: bytecode_hash(),
            contracts: contract_hashes(),
            command: command.into(),
            simulator: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    /// Writes `provenance.json` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(FILE);
        std::fs::write(&path, serde_json::to_string_pretty(self)? + "\n")
            .wrap_err_with(|| format!("while writing {}", path.display()))
    }

    /// Reads `provenance.json` from `dir`, if there is one.
    pub fn read(dir: &Path) -> Result<Option<Self>> {
        let path = dir.join(FILE);
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path)
            .wrap_err_with(|| format!("while reading {}", path.display()))?;
        let p = serde_json::from_str(&text)
            .wrap_err_with(|| format!("{} is not a provenance record", path.display()))?;
        Ok(Some(p))
    }
}

/// `provernet sim <args>` as one shell line, each argument quoted when the shell would split or
/// expand it, so the line can be pasted back.
pub fn command_line<S: AsRef<str>>(args: &[S]) -> String {
    let mut line = String::from("provernet sim");
    for a in args {
        let a = a.as_ref();
        line.push(' ');
        let plain = !a.is_empty()
            && a.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=,:+@%".contains(c));
        if plain {
            line.push_str(a);
        } else {
            line.push('\'');
            line.push_str(&a.replace('\'', r"'\''"));
            line.push('\'');
        }
    }
    line
}

/// The options that say where the outputs go and how the runs are spread, not what they compute:
/// (option, whether it takes a value). The recorded command leaves them out, so that the same
/// sweep run locally and over a queue, or into two folders, records the same line (and writes
/// byte-identical files); the line reproduces the results into any folder on any machine.
const EXECUTION_ONLY: [(&str, bool); 4] =
    [("--out", true), ("--jobs", true), ("--queue", true), ("--quiet", false)];

/// The command line to record for `provernet sim <args>`: [`command_line`] without the
/// [`EXECUTION_ONLY`] options.
pub fn recorded_command<S: AsRef<str>>(args: &[S]) -> String {
    let mut kept = Vec::new();
    let mut it = args.iter().map(AsRef::as_ref);
    while let Some(a) = it.next() {
        let option = EXECUTION_ONLY
            .iter()
            .find(|(o, _)| a == *o || a.strip_prefix(*o).is_some_and(|rest| rest.starts_with('=')));
        match option {
            Some((o, true)) if a == *o => {
                it.next();
            }
            Some(_) => {}
            None => kept.push(a),
        }
    }
    command_line(&kept)
}

/// This process's own command as [`recorded_command`]: the arguments after the program name and,
/// for the `provernet` binary, after its `sim` subcommand, so both binaries record the same line.
pub fn this_command() -> String {
    let mut argv = std::env::args();
    let program = argv.next().unwrap_or_default();
    let args: Vec<String> = argv.collect();
    let own_binary =
        Path::new(&program).file_stem().is_some_and(|s| s.to_string_lossy() == "provernet-sim");
    // `provernet [global options] sim ...`: what follows `sim` is the simulator's command line.
    let rest = match args.iter().position(|a| a == "sim") {
        Some(k) if !own_binary => &args[k + 1..],
        _ => &args[..],
    };
    recorded_command(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_every_contract_in_order() {
        let h = bytecode_hash();
        assert_eq!(h.len(), 66, "0x and 64 hex digits: {h}");
        assert_eq!(h, bytecode_hash(), "deterministic");
        // Recompute it from the listed hashes: the definition is the documented one.
        let mut pre = Vec::new();
        for c in contract_hashes() {
            pre.extend_from_slice(keccak256(c.name.as_bytes()).as_slice());
            pre.extend_from_slice(c.keccak256.parse::<B256>().unwrap().as_slice());
        }
        assert_eq!(keccak256(&pre).to_string(), h);
        let names: Vec<String> = contract_hashes().into_iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            ["ProverNetwork", "DevStakingToken", "InsecureDevVerifier", "ProverPoolFactory"]
        );
        // One changed byte in one contract changes the hash.
        let mut code = contracts();
        let last = code[2].1.len() - 1;
        code[2].1[last] ^= 1;
        assert_ne!(hash_of(&code), h);
        // So does swapping two contracts.
        let mut swapped = contracts();
        swapped.swap(0, 1);
        assert_ne!(hash_of(&swapped), h);
    }

    #[test]
    fn command_lines_quote_what_a_shell_would_split() {
        assert_eq!(
            command_line(&["sweep", "--scenario", "scenarios/baseline.toml", "--seeds", "20"]),
            "provernet sim sweep --scenario scenarios/baseline.toml --seeds 20"
        );
        assert_eq!(
            command_line(&["run", "--out", "my dir", "--scenario", "it's.toml", ""]),
            r"provernet sim run --out 'my dir' --scenario 'it'\''s.toml' ''"
        );
        assert_eq!(command_line(&["run", "<script>"]), "provernet sim run '<script>'");
    }

    #[test]
    fn the_recorded_command_leaves_out_where_and_how_it_ran() {
        let local =
            ["sweep", "--scenario", "s.toml", "--out", "a", "--jobs", "2", "--reproducible"];
        let queued =
            ["sweep", "--queue=nats://x", "--scenario", "s.toml", "--out=b", "--reproducible"];
        let want = "provernet sim sweep --scenario s.toml --reproducible";
        assert_eq!(recorded_command(&local), want);
        assert_eq!(recorded_command(&queued), want);
        assert_eq!(
            recorded_command(&["run", "--quiet", "--scenario", "--outage.toml", "--seed", "3"]),
            "provernet sim run --scenario --outage.toml --seed 3"
        );
    }
}
