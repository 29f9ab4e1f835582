//! Planted bugs: mutated copies of contracts/ProverNetwork.sol, compiled with the project's forge,
//! that the harness must catch (see tests/mutants.rs).
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
    /// Contract name of the compiled mutant.
    pub name: &'static str,
    /// The bug, in words.
    pub bug: &'static str,
    /// Text to find in contracts/ProverNetwork.sol (exactly once).
    pub find: &'static str,
    /// Replacement.
    pub replace: &'static str,
    /// A substring of the invariant the harness must report.
    pub expect: &'static str,
}

/// The planted bugs.
pub const MUTANTS: &[Mutant] = &[
    Mutant {
        name: "MutantConservationLeak",
        bug: "submitProof credits one token unit more per batch than the escrowed fee",
        find: "payout += b.fee;",
        replace: "payout += b.fee + 1;",
        expect: "exact token conservation",
    },
    Mutant {
        name: "MutantSlashOffByOne",
        bug: "slashMissed accepts the last block of the proving window (< instead of <=)",
        find: "if (block.number <= asg.provingDeadline) revert ProvingWindowOpen(batchId, asg.provingDeadline);\n        _slashMissed(batchId, b, asg);",
        replace: "if (block.number < asg.provingDeadline) revert ProvingWindowOpen(batchId, asg.provingDeadline);\n        _slashMissed(batchId, b, asg);",
        expect: "never slashed inside its window",
    },
    Mutant {
        name: "MutantNoCapacityCheck",
        bug: "the slot draw no longer skips a prover whose bond cannot cover one more batch",
        find: "function _canTake(AccountState storage a) private view returns (bool) {\n        return Capacity.canTake(",
        replace: "function _canTake(AccountState storage a) private view returns (bool) {\n        return a.registered || Capacity.canTake(",
        expect: "a batch's prover is the draw of its slot",
    },
    Mutant {
        name: "MutantSlashedProverRaces",
        bug: "raceSubmit lets the slashed prover win its own batch's race",
        find: "if (racer == asg.prover) revert SlashedProverCannotRace(batchId);",
        replace: "",
        expect: "a slashed prover never wins its own batch's race",
    },
    Mutant {
        name: "MutantWithdrawWhileAssigned",
        bug: "withdraw ignores open assignments (withdraw before the slash lands)",
        find: "if (!Capacity.coversOpen(a.stake, open, _params.minStake, _params.assignmentBond)) {\n            revert OpenAssignments(open);\n        }",
        replace: "",
        expect: "slashed or obligated stake can never be withdrawn",
    },
    Mutant {
        name: "MutantCapacityOnActiveStake",
        bug: "capacity counts active stake only, so unstaking right before a post declines the batch for free",
        find: "function _canTake(AccountState storage a) private view returns (bool) {\n        return Capacity.canTake(\n            uint256(a.stake) + a.unbonding,",
        replace: "function _canTake(AccountState storage a) private view returns (bool) {\n        return Capacity.canTake(\n            uint256(a.stake),",
        expect: "a batch's prover is the draw of its slot",
    },
    Mutant {
        name: "MutantSeedRefixed",
        bug: "finalizeSeed recomputes an already fixed seed (a re-roll)",
        find: "if (_seeds[epoch] == 0) _fixSeed(epoch);",
        replace: "_fixSeed(epoch);",
        expect: "a seed never changes once fixed",
    },
    Mutant {
        name: "MutantWeightlessRevealUnmixed",
        bug: "a weight-0 reveal clears the commitment without mixing its secret",
        find: "_rolls[parity] = EpochRoll(uint32(epoch), roll.count, roll.totalWeight, mix);",
        replace: "_rolls[parity] = EpochRoll(uint32(epoch), roll.count, roll.totalWeight, roll.mix);",
        expect: "every cleared commitment was mixed or penalised",
    },
    Mutant {
        name: "MutantSlashPerBatch",
        bug: "every missed batch of an assignment slashes again",
        find: "if (asg.slashed) return;",
        replace: "",
        expect: "one slash per missed assignment",
    },
];

/// The repository root (harness/..).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Applies a mutant to the contract source; errors unless `find` occurs exactly once.
pub fn mutate(source: &str, m: &Mutant) -> Result<String> {
    let hits = source.matches(m.find).count();
    ensure!(
        hits == 1,
        "mutant {} expects its target text exactly once in ProverNetwork.sol, found {hits}: {:?}",
        m.name,
        m.find
    );
    let renamed = source.replacen(m.find, m.replace, 1);
    let decl = "contract ProverNetwork is";
    ensure!(renamed.matches(decl).count() == 1, "ProverNetwork.sol no longer declares `{decl}`");
    Ok(renamed.replacen(decl, &format!("contract {} is", m.name), 1))
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
        let file = src.join(format!("{}.sol", m.name));
        std::fs::write(&file, mutate(&original, m)?)?;
        targets.push(file);
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
