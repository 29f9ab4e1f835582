//! Planted bugs: mutated copies of the contracts, compiled with the project's forge, that the
//! harness must catch (see tests/mutants.rs).
//!
//! Each mutant is one exact text substitution in one file under contracts/ that must match exactly
//! once, so a change to the contract that moves the mutated line makes the mutant fail loudly
//! instead of silently testing nothing. A mutant of ProverNetwork.sol is compiled beside the real
//! sources as a renamed contract; a mutant of another file (a library or the shared base) gets
//! its own copy of the sources, with ProverNetwork renamed in it; a mutant of a pool contract
//! (contracts/pools/) gets its own copy too, with the pool factory (whose pools carry the bug)
//! renamed instead.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use alloy::primitives::Bytes;
use eyre::{Result, WrapErr, bail, ensure, eyre};

/// One planted bug.
#[derive(Clone, Copy, Debug)]
pub struct Mutant {
    /// Contract name of the compiled mutant: a network, or for a pool mutant (see [`is_pool`]) a
    /// pool factory whose pools carry the bug.
    pub name: &'static str,
    /// The bug, in words.
    pub bug: &'static str,
    /// The mutated file, relative to contracts/.
    pub file: &'static str,
    /// Text to find in `file` (exactly once).
    pub find: &'static str,
    /// Replacement.
    pub replace: &'static str,
    /// A substring of the invariant the harness must report; `|` separates alternatives, for a bug
    /// that shows first in one of two checks depending on the campaign's draws.
    pub expect: &'static str,
}

/// The planted bugs.
pub const MUTANTS: &[Mutant] = &[
    Mutant {
        name: "MutantConservationLeak",
        bug: "submitProof credits one token unit more per batch than the escrowed fee",
        file: NETWORK,
        find: "payout += b.fee;",
        replace: "payout += b.fee + 1;",
        expect: "exact token conservation",
    },
    Mutant {
        name: "MutantSlashOffByOne",
        bug: "slashMissed accepts the last block of the proving window (< instead of <=)",
        file: NETWORK,
        find: "if (_now() <= deadline) revert ProvingWindowOpen(batchId, _toBlock(deadline));\n        _slashMissed(batchId, b, asg, msg.sender);",
        replace: "if (_now() < deadline) revert ProvingWindowOpen(batchId, _toBlock(deadline));\n        _slashMissed(batchId, b, asg, msg.sender);",
        expect: "never slashed inside its window",
    },
    Mutant {
        name: "MutantNoCapacityCheck",
        bug: "the slot draw no longer skips a prover whose bond cannot cover one more batch",
        file: NETWORK,
        find: "function _canTake(AccountState storage a) private view returns (bool) {\n        return Capacity.canTake(",
        replace: "function _canTake(AccountState storage a) private view returns (bool) {\n        return a.registered || Capacity.canTake(",
        expect: "a batch's prover is the draw of its slot",
    },
    Mutant {
        name: "MutantSlashedProverRaces",
        bug: "raceSubmit lets the slashed prover win its own batch's race",
        file: NETWORK,
        find: "if (racer == asg.prover) revert SlashedProverCannotRace(batchId);",
        replace: "",
        expect: "a slashed prover never wins its own batch's race",
    },
    Mutant {
        name: "MutantWithdrawWhileAssigned",
        bug: "withdraw ignores open assignments (withdraw before the slash lands)",
        file: NETWORK,
        find: "if (!Capacity.coversOpen(a.stake, open, _params.minStake, _params.assignmentBond)) {\n            revert OpenAssignments(open);\n        }",
        replace: "",
        expect: "slashed or obligated stake can never be withdrawn",
    },
    Mutant {
        name: "MutantCapacityOnActiveStake",
        bug: "capacity counts active stake only, so unstaking right before a post declines the batch for free",
        file: NETWORK,
        find: "function _canTake(AccountState storage a) private view returns (bool) {\n        return Capacity.canTake(\n            uint256(a.stake) + a.unbonding,",
        replace: "function _canTake(AccountState storage a) private view returns (bool) {\n        return Capacity.canTake(\n            uint256(a.stake),",
        expect: "a batch's prover is the draw of its slot",
    },
    Mutant {
        name: "MutantSeedRefixed",
        bug: "finalizeSeed recomputes an already fixed seed (a re-roll)",
        file: NETWORK,
        find: "if (_seeds[epoch] == 0) _fixSeed(epoch);",
        replace: "_fixSeed(epoch);",
        expect: "a seed never changes once fixed",
    },
    Mutant {
        name: "MutantWeightlessRevealUnmixed",
        bug: "a weight-0 reveal clears the commitment without mixing its secret",
        file: NETWORK,
        find: "_rolls[parity] = EpochRoll(uint32(epoch), roll.count, roll.totalWeight, mix);",
        replace: "_rolls[parity] = EpochRoll(uint32(epoch), roll.count, roll.totalWeight, roll.mix);",
        expect: "every cleared commitment was mixed or penalised",
    },
    Mutant {
        name: "MutantSlashPerBatch",
        bug: "every missed batch of an assignment is punished again (the per-epoch cap now stops the second stake slash, so it shows as a second reputation cut)",
        file: NETWORK,
        find: "if (asg.slashed) return;",
        replace: "",
        expect: "every account matches the reference model",
    },
    Mutant {
        name: "MutantVerifierNotFrozen",
        bug: "submitProof checks proofs with the current verifier, not the one frozen on the assignment",
        file: NETWORK,
        find: "return _terms[asg.config].verifier;",
        replace: "return _terms[_clock.config].verifier;",
        expect: "the verifier frozen on its assignment",
    },
    Mutant {
        name: "MutantPauseKeepsClock",
        bug: "the network clock keeps running while paused",
        file: "NetworkBase.sol",
        find: "return (c.pausedAt != 0 ? c.pausedAt : block.number) - c.pausedBlocks;",
        replace: "return block.number - c.pausedBlocks;",
        // The running clock moves the first deadline set during a pause (a data challenge's
        // respond-by, which the model checks in the DataChallenged event), or lets a batch fail
        // before its race deadline on the stopped clock, whichever the campaign meets first (seed
        // 1 met the first until the pool operators began to request withdrawals, then the second).
        expect: "which stops while paused|failed only after its race",
    },
    Mutant {
        name: "MutantShortGovernanceDelay",
        bug: "the timelock delay required of the owner no longer covers the unbonding delay",
        file: "libraries/GovernanceDelay.sol",
        find: "return uint256(p.unbondingDelay) + 2 * epochLength;",
        replace: "return 2 * epochLength;",
        expect: "the drain fails",
    },
    Mutant {
        name: "MutantCappedMissPaysBounty",
        bug: "a miss capped at one slash per epoch window still sets a bounty on the batch",
        file: NETWORK,
        find: "emit SlashCapped(prover, batchId, epoch);\n            return;",
        replace: "emit SlashCapped(prover, batchId, epoch);\n            b.bounty = uint96(Slashing.amountOf(a.stake, a.unbonding, _params.maxWeightStake, _terms[asg.config].bountyBps));\n            return;",
        expect: "self-rescue never pays",
    },
    Mutant {
        name: "MutantVoidSlashes",
        bug: "voidUnanswered also slashes the prover whose challenge went unanswered (the fee's worth of stake, to the burn)",
        file: "extension/DataChallenges.sol",
        // A small mutation: the network's creation code (which embeds the extension) is within
        // about 1 KB of the init-code size limit.
        find: "a.claimable += uint96(compensation);",
        replace: "a.claimable += uint96(compensation);\n        a.stake -= uint96(fee);\n        _burnPending += uint128(fee);",
        expect: "no prover is ever slashed for a batch it could not prove",
    },
    Mutant {
        name: "MutantAnswerWrongData",
        bug: "answerChallenge accepts data that does not match the batch's commitment",
        file: "extension/DataChallenges.sol",
        find: "if (computed != b.commitment) revert DataMismatch(batchId, computed, b.commitment);",
        replace: "",
        expect: "an answer is accepted only with the committed data",
    },
    Mutant {
        name: "MutantPoolPendingSkipsSlash",
        bug: "a pool's loss split skips the pending withdrawals' share (shareholders take it all)",
        file: "pools/PoolLoss.sol",
        find: "s.openLoss = rest.mulDiv(open, base);\n        s.unbondingLoss = rest.mulDiv(unbonding, base);",
        replace: "s.openLoss = 0;\n        s.unbondingLoss = 0;",
        expect: "a slash lowers every delegator's and every pending withdrawal's value by the same fraction",
    },
    Mutant {
        name: "MutantPoolOperatorOverburn",
        bug: "a pool burns all of its operator's shares for any loss (the others' price rises)",
        file: "pools/PoolLoss.sol",
        find: "s.operatorShares = Math.min(operatorShares, s.operatorLoss.mulDiv(supplyPlusVirtual, active + 1));",
        replace: "s.operatorShares = operatorShares;",
        expect: "share price never rises from a slash",
    },
    Mutant {
        name: "MutantPoolCommissionTwice",
        bug: "a pool credits its shareholders the whole reward and its operator the commission too",
        file: "pools/ProverPool.sol",
        find: "activeAssets += toShareholders;",
        replace: "activeAssets += amount;",
        expect: "the sum of delegators' claims never exceeds the vault's assets",
    },
    Mutant {
        name: "MutantPoolOperatorRequestSkipsSync",
        bug: "the operator's requestWithdraw prices its shares before the slashes they must absorb first",
        file: "pools/ProverPool.sol",
        find: "if (isOperator) _sync();",
        replace: "",
        expect: "no withdrawal request escapes a slash earned before it",
    },
    Mutant {
        name: "MutantPoolRequestFinalizesStale",
        bug: "requestWithdraw (which does not sync) finalizes a matured tranche before its slashes are absorbed",
        file: "pools/ProverPool.sol",
        find: "if (unbondingTranche == 0) _unstakeOpen();",
        replace: "_advanceQueue();",
        expect: "no withdrawal request escapes a slash earned before it",
    },
];

/// Whether `m` plants its bug in a pool contract: it is then compiled as a pool factory, and a
/// campaign deploys it in place of the real factory (the network stays the real one).
pub fn is_pool(m: &Mutant) -> bool {
    m.file.starts_with("pools/")
}

/// The network's file: its mutants compile beside the real sources.
const NETWORK: &str = "ProverNetwork.sol";

/// The repository root (harness/..).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Applies a mutant's substitution to `source` (the text of its file); errors unless `find`
/// occurs exactly once.
pub fn mutate(source: &str, m: &Mutant) -> Result<String> {
    let hits = source.matches(m.find).count();
    ensure!(
        hits == 1,
        "mutant {} expects its target text exactly once in {}, found {hits}: {:?}",
        m.name,
        m.file,
        m.find
    );
    Ok(source.replacen(m.find, m.replace, 1))
}

/// Renames contract `contract` in its source text to `name`.
fn rename(source: &str, contract: &str, name: &str) -> Result<String> {
    let decl = format!("contract {contract} is");
    ensure!(source.matches(&decl).count() == 1, "{contract}'s source no longer declares `{decl}`");
    Ok(source.replacen(&decl, &format!("contract {name} is"), 1))
}

/// Renames the network contract in ProverNetwork.sol's text to `name`.
fn rename_network(source: &str, name: &str) -> Result<String> {
    rename(source, "ProverNetwork", name)
}

/// Compiles every mutant plus harness/solidity/*.sol with the project's forge and solc into
/// `work` (a scratch directory); returns creation bytecode by contract name.
pub fn compile(work: &Path) -> Result<HashMap<String, Bytes>> {
    let root = repo_root().canonicalize().wrap_err("while locating the repository root")?;
    let forge = root.join("node_modules/@foundry-rs/forge-linux-amd64/bin/forge");
    ensure!(forge.exists(), "forge not found at {} (run `make toolchain`)", forge.display());
    let toml = foundry_toml(&root)?;
    let original = std::fs::read_to_string(root.join("contracts").join(NETWORK))?;
    // The network's mutants and the harness's own contracts, beside the real sources.
    let main = work.join("main");
    let src = main.join("src");
    copy_dir(&root.join("contracts"), &src).wrap_err("while copying contracts/")?;
    let mut targets = Vec::new();
    for m in MUTANTS.iter().filter(|m| m.file == NETWORK) {
        let file = src.join(format!("{}.sol", m.name));
        std::fs::write(&file, rename_network(&mutate(&original, m)?, m.name)?)?;
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
    build(&forge, &main, &toml, &targets)?;
    let mut codes = HashMap::new();
    for t in &targets {
        let name = t.file_stem().and_then(|s| s.to_str()).ok_or_else(|| eyre!("bad path"))?;
        codes.insert(name.to_string(), read_code(&main, name)?);
    }
    // Every other mutant in its own copy of the sources (the mutated file is shared by the
    // network, its extension and the libraries that import it).
    for m in MUTANTS.iter().filter(|m| m.file != NETWORK) {
        let dir = work.join(m.name);
        let src = dir.join("src");
        copy_dir(&root.join("contracts"), &src).wrap_err("while copying contracts/")?;
        let path = src.join(m.file);
        let text = std::fs::read_to_string(&path)
            .wrap_err_with(|| format!("while reading contracts/{}", m.file))?;
        std::fs::write(&path, mutate(&text, m)?)?;
        let file = if is_pool(m) {
            // Beside the (mutated) pool sources, so that the factory's imports resolve.
            let factory = std::fs::read_to_string(src.join("pools/ProverPoolFactory.sol"))?;
            let file = src.join("pools").join(format!("{}.sol", m.name));
            std::fs::write(&file, rename(&factory, "ProverPoolFactory", m.name)?)?;
            file
        } else {
            let file = src.join(format!("{}.sol", m.name));
            std::fs::write(&file, rename_network(&original, m.name)?)?;
            file
        };
        build(&forge, &dir, &toml, std::slice::from_ref(&file))?;
        codes.insert(m.name.to_string(), read_code(&dir, m.name)?);
    }
    Ok(codes)
}

/// The scratch projects' foundry.toml: the real build's optimizer settings, so mutants differ
/// from it only by the mutation.
fn foundry_toml(root: &Path) -> Result<String> {
    let oz = root.join("node_modules/@openzeppelin/contracts");
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
    Ok(format!(
        "[profile.default]\nsrc = \"src\"\nout = \"out\"\ncache_path = \"cache\"\nlibs = []\noffline = true\n\
         solc = \"{}\"\nevm_version = \"prague\"\noptimizer = true\noptimizer_runs = {runs}\nbytecode_hash = \"none\"\n\
         remappings = [\"@openzeppelin/contracts/={}/\"]\nallow_paths = [\"{}\"]\n",
        root.join("tools/solc").display(),
        oz.display(),
        root.display(),
    ))
}

/// Runs `forge build` on `targets` in the project at `dir`.
fn build(forge: &Path, dir: &Path, toml: &str, targets: &[PathBuf]) -> Result<()> {
    std::fs::write(dir.join("foundry.toml"), toml)?;
    let out = Command::new(forge)
        .arg("build")
        .args(targets)
        .arg("--root")
        .arg(dir)
        .output()
        .wrap_err("while running forge build")?;
    if !out.status.success() {
        bail!(
            "forge build of the mutants failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// The creation code of contract `name` (in `name.sol`) built in the project at `dir`.
fn read_code(dir: &Path, name: &str) -> Result<Bytes> {
    let path = dir.join("out").join(format!("{name}.sol")).join(format!("{name}.json"));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&path)
            .wrap_err_with(|| format!("while reading {}", path.display()))?,
    )?;
    let hex = json["bytecode"]["object"]
        .as_str()
        .ok_or_else(|| eyre!("{name}: no bytecode in artifact"))?;
    hex.parse().wrap_err_with(|| format!("{name}: bytecode is not hex"))
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
