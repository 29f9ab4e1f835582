//! How an action becomes a transaction: its calldata at the current block (the commitment binds
//! the current epoch, a proof binds the stored batch commitments).

use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::sol_types::SolCall;
use provernet_bindings::DevStakingToken;
use provernet_bindings::ProverNetwork as P;
use provernet_bindings::ProverPool as Pool;
use provernet_bindings::TimelockController;
use provernet_bindings::formulas::{dev_proof, seed_commitment};
use provernet_evm::CHAIN_ID;

use crate::action::{Action, Kind};
use crate::actors::Actor;
use crate::chain::Chain;
use crate::params::to_sol;
use crate::timelock;

/// The calldata of an action at the current block. `acting` is the prover the sender acts for (an
/// operator's prover; else the sender): commitments and proofs bind that address.
pub fn calldata(chain: &Chain, actors: &[Actor], acting: u16, action: &Action) -> Bytes {
    let me = actors[acting as usize].addr;
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
            let c = seed_commitment(*secret, me, chain.current_epoch());
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
            let proof = dev_proof(CHAIN_ID, chain.addrs.network, addr_of(*proof_for), *first, &cs);
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
            let proof = dev_proof(CHAIN_ID, chain.addrs.network, addr_of(*proof_for), *batch, &cs);
            P::raceSubmitCall { batchId: U256::from(*batch), proof: proof.to_vec().into() }
                .abi_encode()
        }
        Kind::MarkFailed { batch } => {
            P::markFailedCall { batchId: U256::from(*batch) }.abi_encode()
        }
        Kind::ChallengeData { batch } => {
            P::challengeDataCall { batchId: U256::from(*batch) }.abi_encode()
        }
        Kind::AnswerChallenge { batch, data } => P::answerChallengeCall {
            batchId: U256::from(*batch),
            data: crate::batch_data::data_of(*data).into(),
        }
        .abi_encode(),
        Kind::VoidUnanswered { batch } => {
            P::voidUnansweredCall { batchId: U256::from(*batch) }.abi_encode()
        }
        Kind::DepositFees { amount } => {
            P::depositFeesCall { amount: U256::from(*amount) }.abi_encode()
        }
        Kind::WithdrawFees { amount } => {
            P::withdrawFeesCall { amount: U256::from(*amount) }.abi_encode()
        }
        Kind::SetOperator { operator } => P::setOperatorCall {
            operator: operator
                .and_then(|i| actors.get(i as usize))
                .map_or(Address::ZERO, |a| a.addr),
        }
        .abi_encode(),
        Kind::FlushBurn => P::flushBurnCall {}.abi_encode(),
        Kind::WithdrawTreasury { amount } => {
            let to = actors[action.actor as usize].addr;
            P::withdrawTreasuryCall { to, amount: U256::from(*amount) }.abi_encode()
        }
        Kind::Pause => P::pauseCall {}.abi_encode(),
        Kind::Unpause => P::unpauseCall {}.abi_encode(),
        Kind::SetParams { params } => P::setParamsCall { p: to_sol(params) }.abi_encode(),
        Kind::SetVerifier { rejecting } => P::setVerifierCall {
            newVerifier: if *rejecting { chain.rejecting_verifier } else { chain.addrs.verifier },
        }
        .abi_encode(),
        Kind::UpdateDelay { seconds } => {
            TimelockController::updateDelayCall { newDelay: U256::from(*seconds) }.abi_encode()
        }
        Kind::Schedule { salt, delay, call } => {
            let inner = Action { kind: (**call).clone(), ..action.clone() };
            let data = calldata(chain, actors, acting, &inner).to_vec();
            timelock::schedule(timelock::target(chain, call), data, *salt, *delay)
        }
        Kind::Execute { salt, call } => {
            let inner = Action { kind: (**call).clone(), ..action.clone() };
            let data = calldata(chain, actors, acting, &inner).to_vec();
            timelock::execute(timelock::target(chain, call), data, *salt)
        }
        Kind::PoolDeposit { amount, .. } => {
            let receiver = actors[action.actor as usize].addr;
            Pool::depositCall { assets: U256::from(*amount), receiver }.abi_encode()
        }
        Kind::PoolRequestWithdraw { shares, .. } => {
            Pool::requestWithdrawCall { shares: *shares }.abi_encode()
        }
        Kind::PoolClaim { request, .. } => Pool::claimCall { requestId: *request }.abi_encode(),
        Kind::PoolSync { .. } => Pool::syncCall {}.abi_encode(),
        Kind::PoolDonate { pool, amount } => DevStakingToken::transferCall {
            to: actors.get(*pool as usize).map_or(Address::ZERO, |a| a.addr),
            value: U256::from(*amount),
        }
        .abi_encode(),
        Kind::PoolClaimCommission { .. } => Pool::claimCommissionCall {}.abi_encode(),
    }
    .into()
}

/// The contract an action's transaction goes to: the timelock for `schedule` and `execute`, a
/// pool for a pool call, the token for a donation to a pool, else the network.
pub fn target(chain: &Chain, actors: &[Actor], kind: &Kind) -> Address {
    match (kind, kind.pool()) {
        (Kind::Schedule { .. } | Kind::Execute { .. }, _) => chain.timelock,
        (Kind::PoolDonate { .. }, _) => chain.addrs.token,
        (_, Some(pool)) => actors.get(pool as usize).map_or(Address::ZERO, |a| a.addr),
        (_, None) => chain.addrs.network,
    }
}

/// The stored commitments of batches `first..first + count`.
fn commitments(chain: &Chain, first: u64, count: u64) -> Vec<B256> {
    (first..first.saturating_add(count)).map(|id| B256::from(chain.batch(id).commitment)).collect()
}
