//! `provernet fuzz`: the command-line face of a campaign (arguments, progress bar, report, replay).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use eyre::{Result, WrapErr};
use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::actors::MIN_PROVERS;
use crate::campaign::{self, Coverage, INVARIANTS, PATHS, Settings};
use crate::chain::{Genesis, ProverNetworkErrors, Suite, TokenKind};
use crate::violation::Violation;
use crate::world::World;

/// Arguments of `provernet fuzz`.
#[derive(Clone, Debug, clap::Args)]
pub struct FuzzArgs {
    /// Seed of the campaign; the same seed gives the same run.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of actions (transactions) to run.
    #[arg(long, default_value_t = 100_000)]
    pub actions: u64,
    /// Prover identities (at least 8, so that every adversarial strategy has one).
    #[arg(long, default_value_t = 12)]
    pub provers: usize,
    /// Staking token to deploy: the dev ERC-20, or a hostile one (1% transfer fee, re-entry attempts).
    #[arg(long, value_enum, default_value_t = TokenKind::Dev)]
    pub token: TokenKind,
    /// Print one JSON report instead of text. Not a flag of its own: `provernet --json fuzz` (the
    /// CLI's global flag) and the example binary's `--json` set it, so the name never collides.
    #[arg(skip)]
    pub json: bool,
    /// Replay the action sequence in FILE (written by a failing campaign) instead of generating one.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["seed", "actions"])]
    pub replay: Option<PathBuf>,
    /// Where a failing campaign writes its minimised action sequence.
    #[arg(long, value_name = "FILE", default_value = "provernet-fuzz-failure.json")]
    pub failure_file: PathBuf,
    /// Seconds spent minimising a failing sequence.
    #[arg(long, default_value_t = 60)]
    pub shrink_secs: u64,
}

/// A replayable failure, as written to disk.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReplayFile {
    /// Format version.
    pub version: u32,
    /// Seed of the campaign that found it.
    pub seed: u64,
    /// Prover identities.
    pub provers: usize,
    /// Token variant.
    pub token: TokenKind,
    /// The invariant it broke.
    pub violation: Violation,
    /// The minimised action sequence.
    pub actions: Vec<Action>,
}

/// Every custom error of the network, for the coverage view.
pub fn all_errors() -> Vec<&'static str> {
    let mut v = ProverNetworkErrors::VARIANT_NAMES.to_vec();
    v.sort_unstable();
    v
}

/// Runs `provernet fuzz`: exit 0 when no invariant broke, 1 on a violation.
pub fn run(args: &FuzzArgs) -> Result<ExitCode> {
    run_with(args, None)
}

/// `run`, with the network's creation code replaced (the planted-bug tests use it).
pub fn run_with(
    args: &FuzzArgs,
    network_code: Option<alloy::primitives::Bytes>,
) -> Result<ExitCode> {
    if args.provers < MIN_PROVERS || args.provers > 4096 {
        eyre::bail!(
            "--provers must be between {MIN_PROVERS} and 4096 (got {}): every adversarial strategy needs an identity",
            args.provers
        );
    }
    let mut suite = suite_for(&args.token)?;
    if let Some(code) = network_code {
        suite.network_code = code;
    }
    if let Some(path) = &args.replay {
        return replay_file(path, &suite, args.json);
    }
    let settings = Settings {
        seed: args.seed,
        actions: args.actions,
        provers: args.provers,
        suite,
        genesis: Genesis::default(),
        shrink_budget: Duration::from_secs(args.shrink_secs),
    };
    let bar = if args.json {
        indicatif::ProgressBar::hidden()
    } else {
        let bar = indicatif::ProgressBar::new(args.actions);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} actions  {per_sec}  eta {eta}",
            )
            .wrap_err("while building the progress bar style")?,
        );
        bar
    };
    let outcome =
        campaign::run(&settings, |n| bar.set_position(n)).wrap_err("while running the campaign")?;
    bar.finish_and_clear();
    let rate = outcome.actions as f64 / outcome.elapsed.as_secs_f64().max(1e-9);
    if let Some(f) = &outcome.failure {
        let file = ReplayFile {
            version: 1,
            seed: args.seed,
            provers: args.provers,
            token: args.token.clone(),
            violation: f.violation.clone(),
            actions: f.shrunk.clone(),
        };
        std::fs::write(&args.failure_file, serde_json::to_string_pretty(&file)?).wrap_err_with(
            || format!("while writing the failing sequence to {}", args.failure_file.display()),
        )?;
    }
    if args.json {
        let report = serde_json::json!({
            "seed": args.seed,
            "actions": outcome.actions,
            "actions_per_sec": rate,
            "invariant_checks": outcome.checks,
            "invariants": INVARIANTS,
            "gas": outcome.gas,
            "elapsed_secs": outcome.elapsed.as_secs_f64(),
            "coverage": coverage_json(&outcome.coverage),
            "violation": outcome.failure.as_ref().map(|f| serde_json::json!({
                "invariant": f.violation.invariant,
                "detail": f.violation.detail,
                "at_action": f.at_action,
                "original_len": f.original_len,
                "shrunk": f.shrunk,
                "replay_file": args.failure_file,
            })),
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} actions in {:.1} s: {:.0} actions/s, {} invariant checks ({} invariants after every action), {} gas",
            outcome.actions,
            outcome.elapsed.as_secs_f64(),
            rate,
            outcome.checks,
            INVARIANTS.len() - 1,
            outcome.gas
        );
        print_coverage(&outcome.coverage);
        if let Some(f) = &outcome.failure {
            println!(
                "\nVIOLATION after {} actions: {}\n  {}",
                f.at_action + 1,
                f.violation.invariant,
                f.violation.detail
            );
            println!("minimised from {} to {} actions:", f.original_len, f.shrunk.len());
            for a in &f.shrunk {
                println!("  {}", serde_json::to_string(a)?);
            }
            println!(
                "written to {} (replay: provernet fuzz --replay {})",
                args.failure_file.display(),
                args.failure_file.display()
            );
        } else {
            println!("\nno invariant violated");
        }
    }
    Ok(if outcome.failure.is_some() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn suite_for(token: &TokenKind) -> Result<Suite> {
    Ok(match token {
        TokenKind::Dev => Suite::real(),
        TokenKind::Hostile => crate::hostile::suite(),
    })
}

fn replay_file(path: &PathBuf, suite: &Suite, json: bool) -> Result<ExitCode> {
    let text = std::fs::read_to_string(path)
        .wrap_err_with(|| format!("while reading the replay file {}", path.display()))?;
    let file: ReplayFile = serde_json::from_str(&text).wrap_err_with(|| {
        format!("{} is not a replay file written by `provernet fuzz`", path.display())
    })?;
    let mut suite = suite.clone();
    if file.token == TokenKind::Hostile {
        suite.token_code = crate::hostile::creation_code();
        suite.token = TokenKind::Hostile;
    }
    let genesis = World::new(&suite, &Genesis::default(), file.provers)?;
    let result = campaign::replay(&genesis, &file.actions).wrap_err("while replaying")?;
    let violated = match &result {
        Ok(_) => None,
        Err((at, v)) => Some((*at, v.clone())),
    };
    if json {
        let report = serde_json::json!({
            "replayed": file.actions.len(),
            "violation": violated.as_ref().map(|(at, v)| serde_json::json!({"at_action": at, "invariant": v.invariant, "detail": v.detail})),
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        match &violated {
            Some((at, v)) => println!(
                "replayed {} actions: VIOLATION at action {at}: {}\n  {}",
                file.actions.len(),
                v.invariant,
                v.detail
            ),
            None => println!("replayed {} actions: no invariant violated", file.actions.len()),
        }
    }
    Ok(if violated.is_some() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn coverage_json(c: &Coverage) -> serde_json::Value {
    let errors: serde_json::Map<String, serde_json::Value> = all_errors()
        .into_iter()
        .map(|e| (e.to_string(), c.errors.get(e).copied().unwrap_or(0).into()))
        .chain(
            c.errors
                .iter()
                .filter(|(k, _)| !all_errors().contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), (*v).into())),
        )
        .collect();
    let paths: serde_json::Map<String, serde_json::Value> = PATHS
        .iter()
        .map(|p| (p.to_string(), c.paths.get(p).copied().unwrap_or(0).into()))
        .collect();
    let calls: serde_json::Map<String, serde_json::Value> = c
        .calls
        .iter()
        .map(|(k, (ok, rev))| (k.to_string(), serde_json::json!({"ok": ok, "reverted": rev})))
        .collect();
    serde_json::json!({"calls": calls, "errors": errors, "paths": paths})
}

fn print_coverage(c: &Coverage) {
    println!("\ncalls (ok / reverted):");
    for (k, (ok, rev)) in &c.calls {
        println!("  {k:<20} {ok:>10} {rev:>10}");
    }
    println!("lifecycle paths:");
    for p in PATHS {
        let n = c.paths.get(p).copied().unwrap_or(0);
        println!(
            "  {:<45} {}",
            p,
            if n == 0 { "NEVER REACHED".to_string() } else { n.to_string() }
        );
    }
    println!("custom errors:");
    for e in all_errors() {
        let n = c.errors.get(e).copied().unwrap_or(0);
        println!("  {:<30} {}", e, if n == 0 { "never hit".to_string() } else { n.to_string() });
    }
    for (e, n) in &c.errors {
        if !all_errors().contains(&e.as_str()) {
            println!("  {e:<30} {n} (not a ProverNetwork error)");
        }
    }
}
