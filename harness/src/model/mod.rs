//! The Rust reference model: an independent re-statement of the network's rules, one file per
//! rule: [`staking`], [`selection`], [`batches`], [`slashing`], [`reputation`] and
//! [`governance`].
//!
//! The model is updated from its own state and the action, never by copying chain state, and only
//! borrows from the chain what it cannot know (who a transaction's draw picked is re-derived; the
//! seed, which mixes a block hash, is read). Each rule also checks that the contract accepted only
//! what it allows and refused only what it must not refuse where liveness is at stake; after every
//! action `invariants` compares the model with storage, so any rule the bytecode breaks shows up
//! as a difference.

pub mod batches;
pub mod governance;
pub mod reputation;
pub mod selection;
pub mod slashing;
pub mod staking;
mod state;
mod transition;

pub use state::{DrawStats, MAccount, MBatch, MRoll, Model};
pub use transition::{Effects, Observed};

use crate::action::{Action, Kind};
use crate::violation::Violation;
use transition::Transition;

/// Applies `action`, as the chain executed it (`seen.out`), to `model`: the rule of the function
/// it called checks the outcome and updates the model.
pub fn apply(
    model: &mut Model,
    seen: &Observed<'_>,
    action: &Action,
) -> Result<Effects, Violation> {
    let mut t = Transition::new(model, seen, action);
    match &action.kind {
        Kind::Register { amount } => staking::register(&mut t, *amount),
        Kind::Stake { amount } => staking::stake(&mut t, *amount),
        Kind::RequestUnstake { amount } => staking::request_unstake(&mut t, *amount),
        Kind::Withdraw => staking::withdraw(&mut t),
        Kind::Claim => staking::claim(&mut t),
        Kind::Commit { secret } => selection::commit(&mut t, *secret),
        Kind::Reveal { secret } => selection::reveal(&mut t, *secret),
        Kind::FinalizeSeed { epoch } => selection::finalize_seed(&mut t, *epoch),
        Kind::PenalizeNonReveal { target } => slashing::penalize_non_reveal(&mut t, *target),
        Kind::SlashMissed { batch } => slashing::slash_missed(&mut t, *batch),
        Kind::PostBatch { commitment, fee } => batches::post_batch(&mut t, *commitment, *fee),
        Kind::SubmitProof { first, count, proof_for } => {
            batches::submit_proof(&mut t, *first, *count, *proof_for)
        }
        Kind::RaceSubmit { batch, proof_for } => batches::race_submit(&mut t, *batch, *proof_for),
        Kind::MarkFailed { batch } => batches::mark_failed(&mut t, *batch),
        Kind::FlushBurn => governance::flush_burn(&mut t),
        Kind::WithdrawTreasury { amount } => governance::withdraw_treasury(&mut t, *amount),
        Kind::Pause | Kind::Unpause => governance::pause(&mut t, &action.kind),
        Kind::SetParams { params } => governance::set_params(&mut t, params),
    }?;
    Ok(t.effects)
}
