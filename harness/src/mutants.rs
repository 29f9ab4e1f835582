//! Planted bugs: mutated copies of contracts/ProverNetwork.sol and of the pool contracts
//! (contracts/pools/), compiled with the project's forge, that the harness must catch (see
//! tests/mutants.rs).
//!
//! Each mutant is one exact text substitution that must match exactly once, so a change to the
//! contract that moves the mutated line makes the mutant fail loudly instead of silently testing
//! nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use alloy::primitives::Bytes;
use eyre::{Result, WrapErr, bail, ensure, eyre};

/// One planted bug.
#[derive(Clone, Copy, Debug)]
pub struct Mutant {
    /// Contract name of the compiled mutant: a network for a [`Target::Network`] mutant, a pool
    /// factory (whose pools carry the bug) for a pool mutant.
    pub name: &'static str,
    /// The file the bug is planted in.
    pub target: Target,
    /// The bug, in words.
    pub bug: &'static str,
    /// Text to find in the target file (exactly once).
    pub find: &'static str,
    /// Replacement.
    pub replace: &'static str,
    /// A substring of the invariant the harness must report.
    pub expect: &'static str,
}

/// The planted bugs.
pub const MUTANTS: &[Mutant] = &[
    Mutant {
        target: Target::Network,
        name: "MutantConservationLeak",
        bug: "submitProof credits one token unit more per batch than the escrowed fee",
        find: "payout += b.fee;",
        replace: "payout += b.fee + 1;",
        expect: "exact token conservation",
    },
    Mutant {
        target: Target::Network,
        name: "MutantSlashOffByOne",
        bug: "slashMissed accepts the last block of the proving window (< instead of <=)",
        find: "if (block.number <= asg.provingDeadline) revert ProvingWindowOpen(batchId, asg.provingDeadline);\n        _slashMissed(batchId, b, asg);",
        replace: "if (block.number < asg.provingDeadline) revert ProvingWindowOpen(batchId, asg.provingDeadline);\n        _slashMissed(batchId, b, asg);",
        expect: "never slashed inside its window",
    },
    Mutant {
        target: Target::Network,
        name: "MutantNoCapacityCheck",
        bug: "the slot draw no longer skips a prover whose bond cannot cover one more batch",
        find: "function _canTake(AccountState storage a) private view returns (bool) {\n        return Capacity.canTake(",
        replace: "function _canTake(AccountState storage a) private view returns (bool) {\n        return a.registered || Capacity.canTake(",
        expect: "a batch's prover is the draw of its slot",
    },
    Mutant {
        target: Target::Network,
        name: "MutantSlashedProverRaces",
        bug: "raceSubmit lets the slashed prover win its own batch's race",
        find: "if (racer == asg.prover) revert SlashedProverCannotRace(batchId);",
        replace: "",
        expect: "a slashed prover never wins its own batch's race",
    },
    Mutant {
        target: Target::Network,
        name: "MutantWithdrawWhileAssigned",
        bug: "withdraw ignores open assignments (withdraw before the slash lands)",
        find: "if (!Capacity.coversOpen(a.stake, open, _params.minStake, _params.assignmentBond)) {\n            revert OpenAssignments(open);\n        }",
        replace: "",
        expect: "slashed or obligated stake can never be withdrawn",
    },
    Mutant {
        target: Target::Network,
        name: "MutantCapacityOnActiveStake",
        bug: "capacity counts active stake only, so unstaking right before a post declines the batch for free",
        find: "function _canTake(AccountState storage a) private view returns (bool) {\n        return Capacity.canTake(\n            uint256(a.stake) + a.unbonding,",
        replace: "function _canTake(AccountState storage a) private view returns (bool) {\n        return Capacity.canTake(\n            uint256(a.stake),",
        expect: "a batch's prover is the draw of its slot",
    },
    Mutant {
        target: Target::Network,
        name: "MutantSeedRefixed",
        bug: "finalizeSeed recomputes an already fixed seed (a re-roll)",
        find: "if (_seeds[epoch] == 0) _fixSeed(epoch);",
        replace: "_fixSeed(epoch);",
        expect: "a seed never changes once fixed",
    },
    Mutant {
        target: Target::Network,
        name: "MutantWeightlessRevealUnmixed",
        bug: "a weight-0 reveal clears the commitment without mixing its secret",
        find: "_rolls[parity] = EpochRoll(uint32(epoch), roll.count, roll.totalWeight, mix);",
        replace: "_rolls[parity] = EpochRoll(uint32(epoch), roll.count, roll.totalWeight, roll.mix);",
        expect: "every cleared commitment was mixed or penalised",
    },
    Mutant {
        target: Target::Network,
        name: "MutantSlashPerBatch",
        bug: "every missed batch of an assignment slashes again",
        find: "if (asg.slashed) return;",
        replace: "",
        expect: "one slash per missed assignment",
    },
    Mutant {
        target: Target::Pool("PoolLoss.sol"),
        name: "MutantPoolPendingSkipsSlash",
        bug: "a pool's loss split skips the pending withdrawals' share (shareholders take it all)",
        find: "s.openLoss = rest.mulDiv(open, base);\n        s.unbondingLoss = rest.mulDiv(unbonding, base);",
        replace: "s.openLoss = 0;\n        s.unbondingLoss = 0;",
        expect: "a slash lowers every delegator's and every pending withdrawal's value by the same fraction",
    },
    Mutant {
        target: Target::Pool("PoolLoss.sol"),
        name: "MutantPoolOperatorOverburn",
        bug: "a pool burns all of its operator's shares for any loss (the others' price rises)",
        find: "s.operatorShares = Math.min(operatorShares, s.operatorLoss.mulDiv(supplyPlusVirtual, active + 1));",
        replace: "s.operatorShares = operatorShares;",
        expect: "share price never rises from a slash",
    },
    Mutant {
        target: Target::Pool("ProverPool.sol"),
        name: "MutantPoolCommissionTwice",
        bug: "a pool credits its shareholders the whole reward and its operator the commission too",
        find: "activeAssets += toShareholders;",
        replace: "activeAssets += amount;",
        expect: "the sum of delegators' claims never exceeds the vault's assets",
    },
    Mutant {
        target: Target::Pool("ProverPool.sol"),
        name: "MutantPoolRequestSkipsSync",
        bug: "requestWithdraw prices shares before absorbing the slashes executed since the last sync",
        find: "_sync();\n        if (shares == 0) revert ZeroShares();",
        replace: "if (shares == 0) revert ZeroShares();",
        expect: "no withdrawal request escapes a slash earned before it",
    },
];

/// Where a mutant's bug is planted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// contracts/ProverNetwork.sol: the mutant is a network.
    Network,
    /// A file of contracts/pools/: the mutant is a pool factory whose pools carry the bug.
    Pool(&'static str),
}

/// The repository root (harness/..).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Applies a mutant to the network's source; errors unless `find` occurs exactly once.
pub fn mutate(source: &str, m: &Mutant) -> Result<String> {
    let renamed = plant(source, m)?;
    let decl = "contract ProverNetwork is";
    ensure!(renamed.matches(decl).count() == 1, "ProverNetwork.sol no longer declares `{decl}`");
    Ok(renamed.replacen(decl, &format!("contract {} is", m.name), 1))
}

/// The source with the mutant's bug planted; errors unless `find` occurs exactly once.
fn plant(source: &str, m: &Mutant) -> Result<String> {
    let hits = source.matches(m.find).count();
    ensure!(
        hits == 1,
        "mutant {} expects its target text exactly once in {:?}, found {hits}: {:?}",
        m.name,
        m.target,
        m.find
    );
    Ok(source.replacen(m.find, m.replace, 1))
}

/// Writes a pool mutant as its own copy of contracts/pools/ in `src/<name>/` (beside the real one,
/// so its `../` imports still reach the network): the bug planted in its file, and the factory
/// renamed to the mutant's name in `<name>.sol`. Returns the factory file.
fn pool_mutant(root: &Path, src: &Path, m: &Mutant, file: &str) -> Result<PathBuf> {
    let dir = src.join(m.name);
    std::fs::create_dir_all(&dir)?;
    for entry in std::fs::read_dir(root.join("contracts/pools"))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&path)?;
        let text = if name == file { plant(&text, m)? } else { text };
        if name == "ProverPoolFactory.sol" {
            let decl = "contract ProverPoolFactory is";
            ensure!(text.matches(decl).count() == 1, "{name} no longer declares `{decl}`");
            let renamed = text.replacen(decl, &format!("contract {} is", m.name), 1);
            std::fs::write(dir.join(format!("{}.sol", m.name)), renamed)?;
        } else {
            std::fs::write(dir.join(&name), text)?;
        }
    }
    Ok(dir.join(format!("{}.sol", m.name)))
}

/// Compiles every mutant plus harness/solidity/*.sol with the project's forge and solc into
/// `work` (a scratch directory); returns creation bytecode by contract name.
pub fn compile(work: &Path) -> Result<HashMap<String, Bytes>> {
    let root = repo_root().canonicalize().wrap_err("while locating the repository root")?;
    let forge = root.join("node_modules/@foundry-rs/forge-linux-amd64/bin/forge");
    ensure!(forge.exists(), "forge not found at {} (run `make toolchain`)", forge.display());
    let src = work.join("src");
    copy_dir(&root.join("contracts"), &src).wrap_err("while copying contracts/")?;
    let original = std::fs::read_to_string(root.join("contracts/ProverNetwork.sol"))?;
    let mut targets = Vec::new();
    for m in MUTANTS {
        match m.target {
            Target::Network => {
                let file = src.join(format!("{}.sol", m.name));
                std::fs::write(&file, mutate(&original, m)?)?;
                targets.push(file);
            }
            Target::Pool(file) => targets.push(pool_mutant(&root, &src, m, file)?),
        }
    }
    for entry in std::fs::read_dir(root.join("harness/solidity"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "sol") {
            let file = src.join(path.file_name().ok_or_else(|| eyre!("bad path"))?);
            std::fs::copy(&path, &file)?;
            targets.push(file);
        }
    }
    let oz = root.join("node_modules/@openzeppelin/contracts");
    // Same optimizer settings as the real build, so mutants differ from it only by the mutation.
    let root_toml = std::fs::read_to_string(root.join("foundry.toml"))
        .wrap_err("while reading foundry.toml")?;
    let runs = root_toml
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("optimizer_runs")?
                .trim()
                .strip_prefix('=')?
                .trim()
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(200);
    let toml = format!(
        "[profile.default]\nsrc = \"src\"\nout = \"out\"\ncache_path = \"cache\"\nlibs = []\noffline = true\n\
         solc = \"{}\"\nevm_version = \"prague\"\noptimizer = true\noptimizer_runs = {runs}\nbytecode_hash = \"none\"\n\
         remappings = [\"@openzeppelin/contracts/={}/\"]\nallow_paths = [\"{}\"]\n",
        root.join("tools/solc").display(),
        oz.display(),
        root.display(),
    );
    std::fs::write(work.join("foundry.toml"), toml)?;
    let out = Command::new(&forge)
        .arg("build")
        .args(&targets)
        .arg("--root")
        .arg(work)
        .output()
        .wrap_err("while running forge build")?;
    if !out.status.success() {
        bail!(
            "forge build of the mutants failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut codes = HashMap::new();
    let names: Vec<String> = MUTANTS
        .iter()
        .map(|m| m.name.to_string())
        .chain(targets.iter().filter_map(|t| {
            let stem = t.file_stem()?.to_str()?.to_string();
            (!stem.starts_with("Mutant")).then_some(stem)
        }))
        .collect();
    for name in names {
        let path = work.join("out").join(format!("{name}.sol")).join(format!("{name}.json"));
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&path)
                .wrap_err_with(|| format!("while reading {}", path.display()))?,
        )?;
        let hex = json["bytecode"]["object"]
            .as_str()
            .ok_or_else(|| eyre!("{name}: no bytecode in artifact"))?;
        let code: Bytes = hex.parse().wrap_err_with(|| format!("{name}: bytecode is not hex"))?;
        codes.insert(name, code);
    }
    Ok(codes)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
