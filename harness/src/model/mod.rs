//! The Rust reference model: an independent re-statement of the network's rules, one file per
//! rule: [`staking`], [`selection`] (commit-reveal), [`seeds`] (one seed per epoch, fixed once),
//! [`assignment`] (slot draws and the capacity rule), [`batches`], [`challenges`] (withheld data),
//! [`fees`] (prepaid source balances), [`slashing`], [`reputation`], [`operators`] (hot keys),
//! [`governance`] and [`pools`] (the network calls a liquid proving pool makes, and its
//! delegators' ledger).
//!
//! The model is updated from its own state and the action, never by copying chain state: seeds
//! are derived from its own reveal mix and the block's public `prevrandao`, and every slot's draws
//! are re-derived from its own lists. Each rule also checks that the contract accepted only
//! what it allows and refused only what it must not refuse where liveness is at stake; after every
//! action `invariants` compares the model with storage, so any rule the bytecode breaks shows up
//! as a difference.

pub mod assignment;
pub mod batches;
pub mod challenges;
pub mod drain;
pub mod fees;
pub mod governance;
pub mod operators;
pub mod pools;
pub mod provability;
pub mod reputation;
pub mod rescue;
pub mod seeds;
pub mod selection;
pub mod slashing;
pub mod staking;
mod state;
mod transition;

pub use state::{
    DrawStats, MAccount, MAssignment, MBatch, MClock, MCursor, MGovernance, MPending, MRoll,
    MTerms, Model,
};
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
        Kind::FinalizeSeed { epoch } => seeds::finalize_seed(&mut t, *epoch),
        Kind::PenalizeNonReveal { target } => slashing::penalize_non_reveal(&mut t, *target),
        Kind::SlashMissed { batch } => slashing::slash_missed(&mut t, *batch),
        Kind::PostBatch { commitment, fee } => batches::post_batch(&mut t, *commitment, *fee),
        Kind::SubmitProof { first, count, proof_for } => {
            batches::submit_proof(&mut t, *first, *count, *proof_for)
        }
        Kind::RaceSubmit { batch, proof_for } => batches::race_submit(&mut t, *batch, *proof_for),
        Kind::MarkFailed { batch } => batches::mark_failed(&mut t, *batch),
        Kind::ChallengeData { batch } => challenges::challenge_data(&mut t, *batch),
        Kind::AnswerChallenge { batch, data } => {
            challenges::answer_challenge(&mut t, *batch, *data)
        }
        Kind::VoidUnanswered { batch } => challenges::void_unanswered(&mut t, *batch),
        Kind::DepositFees { amount } => fees::deposit(&mut t, *amount),
        Kind::WithdrawFees { amount } => fees::withdraw(&mut t, *amount),
        Kind::SetOperator { operator } => operators::set_operator(&mut t, *operator),
        Kind::FlushBurn => governance::flush_burn(&mut t),
        Kind::WithdrawTreasury { amount } => governance::withdraw_treasury(&mut t, *amount),
        Kind::Pause | Kind::Unpause => governance::pause(&mut t, &action.kind),
        Kind::SetParams { params } => governance::set_params(&mut t, params),
        Kind::SetVerifier { rejecting } => governance::set_verifier(&mut t, *rejecting),
        Kind::Schedule { salt, delay, call } => governance::schedule(&mut t, *salt, *delay, call),
        Kind::Execute { salt, call } => governance::execute(&mut t, *salt, call),
        Kind::UpdateDelay { .. } => governance::update_delay_direct(&t),
        Kind::PoolDeposit { pool, .. }
        | Kind::PoolRequestWithdraw { pool, .. }
        | Kind::PoolClaim { pool, .. }
        | Kind::PoolSync { pool }
        | Kind::PoolDonate { pool, .. }
        | Kind::PoolClaimCommission { pool } => pools::apply(&mut t, &action.kind, *pool),
    }?;
    Ok(t.effects)
}
