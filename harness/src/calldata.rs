//! How an action becomes a transaction: its calldata at the current block (the commitment binds
//! the current epoch, a proof binds the stored batch commitments).

use alloy::primitives::{B256, Bytes, U256};
use alloy::sol_types::SolCall;
use provernet_bindings::ProverNetwork as P;

use crate::action::{Action, Kind};
use crate::actors::Actor;
use crate::chain::Chain;
use crate::model::batches::dev_proof;
use crate::model::selection::commitment;
use crate::params::to_params;

/// The calldata of an action at the current block.
pub fn calldata(chain: &Chain, actors: &[Actor], action: &Action) -> Bytes {
    let me = actors[action.actor as usize].addr;
    let addr_of = |i: Option<u16>| i.map_or(me, |i| actors.get(i as usize).map_or(me, |a| a.addr));
    match &action.kind {
        Kind::Register { amount } => P::registerCall { amount: U256::from(*amount) }.abi_encode(),
        Kind::Stake { amount } => P::stakeCall { amount: U256::from(*amount) }.abi_encode(),
        Kind::RequestUnstake { amount } => {
            P::requestUnstakeCall { amount: U256::from(*amount) }.abi_encode()
        }
        Kind::Withdraw => P::withdrawCall {}.abi_encode(),
        Kind::Claim => P::claimCall {}.abi_encode(),
        Kind::Commit { secret } => {
            let c = commitment(*secret, me, chain.current_epoch());
            P::commitCall { commitment: c }.abi_encode()
        }
        Kind::Reveal { secret } => P::revealCall { secret: *secret }.abi_encode(),
        Kind::PenalizeNonReveal { target } => {
            P::penalizeNonRevealCall { prover: addr_of(Some(*target)) }.abi_encode()
        }
        Kind::FinalizeSeed { epoch } => {
            P::finalizeSeedCall { epoch: U256::from(*epoch) }.abi_encode()
        }
        Kind::PostBatch { commitment, fee } => {
            P::postBatchCall { commitment: *commitment, fee: U256::from(*fee) }.abi_encode()
        }
        Kind::SubmitProof { first, count, proof_for } => {
            let cs = commitments(chain, *first, (*count).min(64));
            let proof = dev_proof(chain.addrs.network, addr_of(*proof_for), *first, cs);
            P::submitProofCall {
                firstBatchId: U256::from(*first),
                count: U256::from(*count),
                proof: proof.to_vec().into(),
            }
            .abi_encode()
        }
        Kind::SlashMissed { batch } => {
            P::slashMissedCall { batchId: U256::from(*batch) }.abi_encode()
        }
        Kind::RaceSubmit { batch, proof_for } => {
            let cs = commitments(chain, *batch, 1);
            let proof = dev_proof(chain.addrs.network, addr_of(*proof_for), *batch, cs);
            P::raceSubmitCall { batchId: U256::from(*batch), proof: proof.to_vec().into() }
                .abi_encode()
        }
        Kind::MarkFailed { batch } => {
            P::markFailedCall { batchId: U256::from(*batch) }.abi_encode()
        }
        Kind::FlushBurn => P::flushBurnCall {}.abi_encode(),
        Kind::WithdrawTreasury { amount } => {
            P::withdrawTreasuryCall { to: me, amount: U256::from(*amount) }.abi_encode()
        }
        Kind::Pause => P::pauseCall {}.abi_encode(),
        Kind::Unpause => P::unpauseCall {}.abi_encode(),
        Kind::SetParams { params } => P::setParamsCall { p: to_params(params) }.abi_encode(),
    }
    .into()
}

/// The stored commitments of batches `first..first + count`.
fn commitments(chain: &Chain, first: u64, count: u64) -> Vec<B256> {
    (first..first.saturating_add(count)).map(|id| B256::from(chain.batch(id).commitment)).collect()
}
