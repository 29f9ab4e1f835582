//! The agents (prover, rollup, keeper) and the open race, wired in one table: [`BLOCK_STEPS`] is
//! what happens in every block, in order, and [`run_due_jobs`] maps each job the agents scheduled
//! for later to the action that runs it. The prover's decisions are its policy
//! ([`crate::policy`]); every action is a transaction on the real bytecode.

pub(crate) mod entry;
pub(crate) mod keeper;
pub(crate) mod proof_run;
pub(crate) mod prover;
pub(crate) mod race;
pub(crate) mod race_join;
pub(crate) mod rollup;
pub(crate) mod stake;
pub(crate) mod steering;

use eyre::{Result, WrapErr};

use crate::pools;
use crate::withholding;
use crate::world::{Job, World};

/// One step of a block: an agent's named action.
pub(crate) struct Step {
    /// Who acts.
    pub(crate) agent: &'static str,
    /// The action, named as its function.
    pub(crate) action: &'static str,
    /// The action itself, at the given block.
    pub(crate) run: fn(&mut World<'_>, u64) -> Result<()>,
}

/// What happens in every block, in this order (docs/simulation.md, "Order within a block").
pub(crate) const BLOCK_STEPS: [Step; 9] = [
    Step {
        agent: "keeper",
        action: "penalizes_withheld_reveals",
        run: keeper::penalizes_withheld_reveals,
    },
    Step { agent: "prover", action: "commits_or_reveals", run: prover::commits_or_reveals },
    Step { agent: "prover", action: "dodges_drawn_slots", run: stake::dodges_drawn_slots },
    Step { agent: "prover", action: "whitewashes", run: stake::whitewashes },
    Step { agent: "prover", action: "market_acts", run: entry::market_acts },
    Step { agent: "prover", action: "tops_up_after_slashes", run: stake::tops_up_after_slashes },
    Step { agent: "rollup", action: "posts_batches", run: rollup::posts_batches },
    Step { agent: "keeper and provers", action: "run_due_jobs", run: run_due_jobs },
    Step { agent: "pools and delegators", action: "delegators_act", run: pools::delegators_act },
];

/// Runs every step of `block`.
pub(crate) fn step_block(w: &mut World<'_>, block: u64) -> Result<()> {
    for step in &BLOCK_STEPS {
        (step.run)(w, block)
            .wrap_err_with(|| format!("{} {} at block {block}", step.agent, step.action))?;
    }
    Ok(())
}

/// Block step: runs every job due at `block`, including jobs that this block's jobs schedule for the
/// same block (a cartel proof that is ready the moment the race opens, a slot whose batches are all
/// proven when it ends). Jobs of one block run slot ends first, then data challenges, slashes,
/// proofs, race submissions, failures and voids ([`Job`]'s order), each by prover and batch, except
/// the race submissions, which land in a shuffled order ([`race::in_block_order`]).
pub(crate) fn run_due_jobs(w: &mut World<'_>, block: u64) -> Result<()> {
    while let Some(mut jobs) = w.jobs.remove(&block) {
        race::in_block_order(&mut jobs, w.s.seed, block);
        let mut k = 0;
        while k < jobs.len() {
            k += match jobs[k] {
                Job::SlotEnds(i) => prover::slot_ends(w, i, block).map(|()| 1)?,
                Job::Slash(id) => keeper::slashes_missed(w, id, block).map(|()| 1)?,
                Job::Prove(i, first) => {
                    let count =
                        prover::batches_in_one_proof(&jobs, k, i, first, w.max_proof_batches);
                    prover::submits_proof(w, i, first, count)?;
                    count
                }
                Job::Race(i, id) => race::submits_win(w, i, id, block).map(|()| 1)?,
                Job::Fail(id) => keeper::marks_failed(w, id).map(|()| 1)?,
                Job::Challenge(i, id) => withholding::prover_challenges(w, i, id).map(|()| 1)?,
                Job::Void(id) => withholding::keeper_voids(w, id).map(|()| 1)?,
            };
        }
    }
    Ok(())
}
