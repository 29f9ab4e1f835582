//! A fuzzing campaign: generate, execute and check actions; on a violation, shrink the sequence.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use eyre::{Result, WrapErr};
use serde::Serialize;

use crate::action::Action;
use crate::chain::{Genesis, Suite};
use crate::generator::Generator;
use crate::violation::Violation;
use crate::world::World;

/// The invariants checked after every action (the transition rules in `model` and the state rules
/// in `invariants`), as listed in reports.
pub const INVARIANTS: &[&str] = &[
    "exact token conservation (tokens held == everything owed, source fee balances included)",
    "slashed funds can never be withdrawn",
    "a batch is finalised at most once",
    "a batch's prover is the draw of its slot (a later draw only when the earlier prover was full)",
    "no prover holds more than its capacity (open assignments covered by bonded stake)",
    "one slash per missed assignment",
    "a seed never changes once fixed (and is derived from the reveals' mix and prevrandao only)",
    "every cleared commitment was mixed or penalised",
    "a fresh identity never outweighs the record of the identity it replaces",
    "reputation stays within [0, 10000]",
    "every batch ends proven or failed once its deadlines pass",
    "a slashed prover never wins its own batch's race",
    "a prover's earnings equal the fees and bounties of the batches it proved (plus keeper fees and voided batches' compensation)",
    "a source's fee balance == deposits - posted fees + refunds - withdrawals",
    "a proof is bound to its prover (copied proofs never verify)",
    "proofs only inside the exclusive window; slashes only after it",
    "accounts, batches, slot draws, treasury, burn and parameters match the reference model",
    "governance moves parameters only within their bounds",
    "draw counts match weights (checked at the end of a run)",
    "owner calls pass only through the timelock; slash terms and verifier frozen per assignment; the clock stops while paused; one stake slash per prover per epoch window",
    "no prover is ever slashed for a batch it could not prove or whose data was withheld",
    "withheld data: only the assigned prover challenges, inside its window; an answer is accepted only with the committed data inside the answer window and restarts the window; an unanswered challenge is voided after it, the fee less the keeper's share compensating the prover",
    "the drain fails: a prover that exited when a hostile change was scheduled loses nothing to it",
    "self-rescue never pays: a rescue's bounty is less than the stake its missed prover lost",
    "pools: exact token conservation including every vault (and the token's whole supply)",
    "pools: the sum of delegators' claims never exceeds the vault's assets",
    "pools: a slash lowers every delegator's and every pending withdrawal's value by the same fraction",
    "pools: share price never rises from a slash and never falls from a reward",
    "pools: no withdrawal request escapes a slash earned before it",
    "pools: a pool's books match its stake in the network after every pool call",
    "pools: a delegator can always exit (requests for held shares, claims of finalized requests)",
    "pools: every pool's shares match the model's ledger",
];

/// What the campaign reached.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Coverage {
    /// Per function: (succeeded, reverted).
    pub calls: BTreeMap<&'static str, (u64, u64)>,
    /// Per custom error: hits.
    pub errors: BTreeMap<String, u64>,
    /// Per lifecycle path: hits.
    pub paths: BTreeMap<&'static str, u64>,
}

/// Every lifecycle path the harness knows, so reports can show the ones never reached.
pub const PATHS: &[&str] = &[
    "prover registered",
    "prover listed",
    "weight-0 reveal mixed, not listed",
    "seed fixed with prevrandao",
    "seed fixed late (no randao)",
    "re-roll attempt on a fixed seed (no effect)",
    "fees deposited",
    "fees withdrawn",
    "batch assigned",
    "batch joined its slot's assignment",
    "batch open (nobody could take it)",
    "full prover skipped by the draw",
    "slot prover full: next draw",
    "later draw took the slot (earlier prover full)",
    "under-staked prover assigned anyway (bonded stake counts)",
    "min-fee dummy batch posted",
    "dummy batch below minFee rejected",
    "assigned -> proven",
    "assigned -> proven (aggregated proof)",
    "16-batch proof",
    "assigned -> slashed (keeper)",
    "assigned -> slashed by the race winner",
    "later missed batch of a slashed assignment: race only",
    "assigned -> failed (nobody raced)",
    "racing -> raced (rescued)",
    "racing -> failed",
    "open -> raced",
    "slot opened on an empty list",
    "open batch rescued: reward from the treasury",
    "open -> failed",
    "late proof rejected",
    "stolen proof rejected",
    "slashed prover barred from its race",
    "unstake requested while assigned",
    "withdraw-before-slash prover slashed",
    "withdraw",
    "withdraw after a slash",
    "withdraw with open assignments covered by active stake",
    "non-reveal penalised at the next commit",
    "non-reveal penalised by a keeper",
    "operator named",
    "operator committed for its prover",
    "operator proved for its prover",
    "whitewash: fresh identity starts no higher than the slashed one",
    "parameters changed mid-run",
    "owner call scheduled in the timelock",
    "timelocked owner call executed",
    "network paused (clock stopped)",
    "network unpaused",
    "second miss in an epoch window: stake slash capped",
    "timelock delay changed",
    "verifier switched to a rejecting one",
    "verifier restored",
    "valid proof refused (batch unprovable)",
    "prover exited when a hostile change was scheduled",
    "self-rescue by a second identity (did not pay)",
    "assigned -> challenged (data withheld)",
    "late data challenge rejected",
    "challenged -> answered (window restarted)",
    "answer with wrong data rejected",
    "late answer rejected",
    "early void rejected",
    "challenged -> voided (prover compensated)",
    "pool: withdrawal requested",
    "pool: withdrawal requested before a slash was absorbed",
    "pool: withdrawal claimed",
    "pool: tranche withdrawn from the network",
    "pool: tranche wiped out by slashes",
    "pool: slash absorbed by the operator's self-stake",
    "pool: slash absorbed by the shareholders",
    "pool: slash absorbed by shares and pending withdrawals",
    "pool: reward shared",
    "pool: reward to an empty vault kept by the operator",
    "pool: donation to the vault",
];

/// A violation with the actions that led to it.
#[derive(Clone, Debug, Serialize)]
pub struct Failure {
    /// The broken invariant.
    pub violation: Violation,
    /// Index of the failing action in the original run.
    pub at_action: u64,
    /// The minimised action sequence that still breaks the same invariant.
    pub shrunk: Vec<Action>,
    /// Length before shrinking.
    pub original_len: usize,
}

/// Result of a campaign.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// Actions executed.
    pub actions: u64,
    /// Invariant checks made (one full check of every invariant after each action).
    pub checks: u64,
    /// Wall time of the action loop (excluding shrinking).
    pub elapsed: Duration,
    /// Total gas used.
    pub gas: u64,
    /// Coverage.
    pub coverage: Coverage,
    /// The first violation, shrunk.
    pub failure: Option<Failure>,
}

/// Settings of one campaign.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Seed of the action generator.
    pub seed: u64,
    /// Actions to run.
    pub actions: u64,
    /// Prover identities.
    pub provers: usize,
    /// Bytecode to run.
    pub suite: Suite,
    /// Chain settings.
    pub genesis: Genesis,
    /// Time budget for shrinking.
    pub shrink_budget: Duration,
}

/// Runs a campaign; `progress` is called with the number of actions done every 4096 actions.
pub fn run(s: &Settings, mut progress: impl FnMut(u64)) -> Result<Outcome> {
    let genesis = World::new(&s.suite, &s.genesis, s.provers)?;
    let mut world = genesis.clone();
    let mut generator = Generator::new(s.seed);
    let mut log: Vec<Action> = Vec::with_capacity(s.actions.min(1 << 20) as usize);
    let mut coverage = Coverage::default();
    let mut gas = 0;
    let start = Instant::now();
    let mut failure = None;
    for n in 0..s.actions {
        let action = generator.next(&world);
        log.push(action.clone());
        match world.step(&action)? {
            Ok(report) => {
                gas += report.gas;
                record(&mut coverage, &action, &report);
            }
            Err(v) => {
                failure = Some((n, v));
                break;
            }
        }
        if n % 4096 == 4095 {
            progress(n + 1);
            world
                .cross_check()
                .wrap_err("while cross-checking the storage readers against the views")?;
            if let Err(v) = world.full_check() {
                failure = Some((n, v));
                break;
            }
        }
    }
    if failure.is_none()
        && let Err(v) = world.full_check().and_then(|()| world.check_draws())
    {
        failure = Some((s.actions, v));
    }
    let elapsed = start.elapsed();
    let actions = failure.as_ref().map_or(s.actions, |f| f.0 + 1);
    progress(actions);
    let failure = match failure {
        None => None,
        Some((at, violation)) => {
            let original_len = log.len();
            let shrunk = if at < s.actions {
                shrink(&genesis, log, &violation, s.shrink_budget)?
            } else {
                log
            };
            Some(Failure { violation, at_action: at, shrunk, original_len })
        }
    };
    Ok(Outcome { actions, checks: actions, elapsed, gas, coverage, failure })
}

fn record(c: &mut Coverage, action: &Action, report: &crate::world::StepReport) {
    let entry = c.calls.entry(action.kind.name()).or_default();
    match &report.revert {
        None => entry.0 += 1,
        Some(name) => {
            entry.1 += 1;
            *c.errors.entry(name.clone()).or_default() += 1;
        }
    }
    for p in &report.paths {
        *c.paths.entry(p).or_default() += 1;
    }
}

/// Replays `actions` on a copy of `genesis`; returns the first violation and the index of the
/// action that caused it, or the final world.
pub fn replay(genesis: &World, actions: &[Action]) -> Result<Result<World, (usize, Violation)>> {
    let mut w = genesis.clone();
    for (i, a) in actions.iter().enumerate() {
        if a.block < w.chain.block() {
            eyre::bail!(
                "action {i} is at block {} but the chain is already at block {}",
                a.block,
                w.chain.block()
            );
        }
        if let Err(v) = w.step(a)? {
            return Ok(Err((i, v)));
        }
    }
    Ok(Ok(w))
}

fn fails_same(genesis: &World, actions: &[Action], target: &Violation) -> Result<bool> {
    Ok(matches!(replay(genesis, actions)?, Err((_, v)) if v.invariant == target.invariant))
}

/// Minimises a failing sequence: drops actions that reverted, then whole actors' actions, then
/// every call of one function, then chunks of decreasing size (delta debugging), keeping every cut that still breaks the same
/// invariant. Stops early when `budget` runs out; the result always still fails.
pub fn shrink(
    genesis: &World,
    actions: Vec<Action>,
    target: &Violation,
    budget: Duration,
) -> Result<Vec<Action>> {
    let start = Instant::now();
    let mut best = actions;
    // Pass 1: reverted actions change nothing on chain; keep only the last (failing) one.
    let mut w = genesis.clone();
    let mut kept = Vec::with_capacity(best.len());
    let last = best.len().saturating_sub(1);
    for (i, a) in best.iter().enumerate() {
        let out = w.step(a)?;
        let reverted = matches!(&out, Ok(r) if r.revert.is_some());
        if !reverted || i == last {
            kept.push(a.clone());
        }
        if out.is_err() {
            break;
        }
    }
    if kept.len() < best.len() && fails_same(genesis, &kept, target)? {
        best = kept;
    }
    // Pass 2: drop whole actors.
    let actors: std::collections::BTreeSet<u16> = best.iter().map(|a| a.actor).collect();
    for actor in actors {
        if start.elapsed() > budget {
            break;
        }
        let cand: Vec<Action> = best.iter().filter(|a| a.actor != actor).cloned().collect();
        if cand.len() < best.len() && !cand.is_empty() && fails_same(genesis, &cand, target)? {
            best = cand;
        }
    }
    // Pass 3: drop every call of one function at once (claims, seed fixes, stake top-ups ... are
    // often irrelevant to the failure), keeping the failing action.
    let kinds: std::collections::BTreeSet<&'static str> =
        best.iter().map(|a| a.kind.name()).collect();
    for kind in kinds {
        if start.elapsed() > budget {
            break;
        }
        let last = best.len() - 1;
        let cand: Vec<Action> = best
            .iter()
            .enumerate()
            .filter(|(i, a)| *i == last || a.kind.name() != kind)
            .map(|(_, a)| a.clone())
            .collect();
        if cand.len() < best.len() && fails_same(genesis, &cand, target)? {
            best = cand;
        }
    }
    // Pass 4: chunks, largest first.
    let mut chunk = best.len() / 2;
    while chunk >= 1 && start.elapsed() <= budget {
        let mut i = 0;
        while i < best.len() && start.elapsed() <= budget {
            let end = (i + chunk).min(best.len());
            let mut cand = best[..i].to_vec();
            cand.extend_from_slice(&best[end..]);
            if !cand.is_empty() && fails_same(genesis, &cand, target)? {
                best = cand;
            } else {
                i += chunk;
            }
        }
        chunk /= 2;
    }
    // Trim anything after the (new) failing action.
    if let Err((at, _)) = replay(genesis, &best)? {
        best.truncate(at + 1);
    }
    Ok(best)
}
