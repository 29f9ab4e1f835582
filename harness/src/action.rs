//! Actions: one transaction each, fully concrete (absolute block, actor, arguments), so a recorded
//! sequence replays bit-for-bit and can be shrunk by deleting entries.

use alloy::primitives::{B256, U256};
use serde::{Deserialize, Serialize};

use crate::decimal as dec;
use crate::params::Params;

/// One transaction of a campaign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// Block the transaction is included in (never below the previous action's).
    pub block: u64,
    /// Index of the sending actor in the campaign's actor table.
    pub actor: u16,
    /// What it calls.
    #[serde(flatten)]
    pub kind: Kind,
}

/// The call an action makes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[allow(missing_docs)] // each variant is the network function of the same name
pub enum Kind {
    Register {
        #[serde(with = "dec")]
        amount: u128,
    },
    Stake {
        #[serde(with = "dec")]
        amount: u128,
    },
    RequestUnstake {
        #[serde(with = "dec")]
        amount: u128,
    },
    Withdraw,
    Claim,
    /// Commit to `secret` for the current epoch.
    Commit {
        secret: B256,
    },
    Reveal {
        secret: B256,
    },
    PenalizeNonReveal {
        target: u16,
    },
    FinalizeSeed {
        epoch: u64,
    },
    PostBatch {
        commitment: B256,
        #[serde(with = "dec")]
        fee: u128,
    },
    /// `proof_for`: the actor the proof is computed for (`None`: the sender). A thief submits a
    /// proof computed for its victim, as if copied from the mempool.
    SubmitProof {
        first: u64,
        count: u64,
        proof_for: Option<u16>,
    },
    SlashMissed {
        batch: u64,
    },
    RaceSubmit {
        batch: u64,
        proof_for: Option<u16>,
    },
    MarkFailed {
        batch: u64,
    },
    /// The assigned prover says it cannot get batch `batch`'s data.
    ChallengeData {
        batch: u64,
    },
    /// Publish the data of seed `data` (see `batch_data`) for challenged batch `batch`.
    AnswerChallenge {
        batch: u64,
        data: u64,
    },
    VoidUnanswered {
        batch: u64,
    },
    /// Prepay fees (a batch source).
    DepositFees {
        #[serde(with = "dec")]
        amount: u128,
    },
    WithdrawFees {
        #[serde(with = "dec")]
        amount: u128,
    },
    /// Name `operator` (an actor index; `None`: nobody) as the sender's hot key.
    SetOperator {
        operator: Option<u16>,
    },
    FlushBurn,
    WithdrawTreasury {
        #[serde(with = "dec")]
        amount: u128,
    },
    Pause,
    Unpause,
    /// Replace the parameters (governance). Fields in `Params` order.
    SetParams {
        #[serde(with = "crate::params::replay_format")]
        params: Params,
    },
    /// Replace the verifier (governance): the harness's rejecting one, or back to the development
    /// verifier deployed with the network.
    SetVerifier {
        rejecting: bool,
    },
    /// Change the timelock's own delay to `seconds` (scheduled through the timelock itself).
    UpdateDelay {
        seconds: u64,
    },
    /// Queue `call` (an owner call on the network) in the governance timelock with `delay`
    /// seconds, under `salt`.
    Schedule {
        salt: u64,
        delay: u64,
        call: Box<Kind>,
    },
    /// Run the queued `call` scheduled under `salt` through the timelock (the network sees the
    /// timelock as the caller).
    Execute {
        salt: u64,
        call: Box<Kind>,
    },
    /// `deposit(amount, sender)` into the pool at actor index `pool`.
    PoolDeposit {
        pool: u16,
        #[serde(with = "dec")]
        amount: u128,
    },
    /// `requestWithdraw(shares)` from the pool at actor index `pool`.
    PoolRequestWithdraw {
        pool: u16,
        #[serde(with = "dec::u256")]
        shares: U256,
    },
    /// `claim(request)` of the pool at actor index `pool`.
    PoolClaim {
        pool: u16,
        #[serde(with = "dec::u256")]
        request: U256,
    },
    /// `sync()` of the pool at actor index `pool`.
    PoolSync {
        pool: u16,
    },
    /// A plain token transfer to the pool's address: a donation that tries to inflate its shares.
    PoolDonate {
        pool: u16,
        #[serde(with = "dec")]
        amount: u128,
    },
    /// `claimCommission()` of the pool at actor index `pool` (its operator only).
    PoolClaimCommission {
        pool: u16,
    },
}

impl Kind {
    /// The function name, for coverage tables.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Register { .. } => "register",
            Self::Stake { .. } => "stake",
            Self::RequestUnstake { .. } => "requestUnstake",
            Self::Withdraw => "withdraw",
            Self::Claim => "claim",
            Self::Commit { .. } => "commit",
            Self::Reveal { .. } => "reveal",
            Self::PenalizeNonReveal { .. } => "penalizeNonReveal",
            Self::FinalizeSeed { .. } => "finalizeSeed",
            Self::PostBatch { .. } => "postBatch",
            Self::SubmitProof { .. } => "submitProof",
            Self::SlashMissed { .. } => "slashMissed",
            Self::RaceSubmit { .. } => "raceSubmit",
            Self::MarkFailed { .. } => "markFailed",
            Self::ChallengeData { .. } => "challengeData",
            Self::AnswerChallenge { .. } => "answerChallenge",
            Self::VoidUnanswered { .. } => "voidUnanswered",
            Self::DepositFees { .. } => "depositFees",
            Self::WithdrawFees { .. } => "withdrawFees",
            Self::SetOperator { .. } => "setOperator",
            Self::FlushBurn => "flushBurn",
            Self::WithdrawTreasury { .. } => "withdrawTreasury",
            Self::Pause => "pause",
            Self::Unpause => "unpause",
            Self::SetParams { .. } => "setParams",
            Self::SetVerifier { .. } => "setVerifier",
            Self::UpdateDelay { .. } => "updateDelay",
            Self::Schedule { .. } => "schedule",
            Self::Execute { .. } => "execute",
            Self::PoolDeposit { .. } => "pool.deposit",
            Self::PoolRequestWithdraw { .. } => "pool.requestWithdraw",
            Self::PoolClaim { .. } => "pool.claim",
            Self::PoolSync { .. } => "pool.sync",
            Self::PoolDonate { .. } => "pool.donate",
            Self::PoolClaimCommission { .. } => "pool.claimCommission",
        }
    }

    /// The pool (actor index) a pool action calls or donates to; `None` for network functions.
    pub fn pool(&self) -> Option<u16> {
        match self {
            Self::PoolDeposit { pool, .. }
            | Self::PoolRequestWithdraw { pool, .. }
            | Self::PoolClaim { pool, .. }
            | Self::PoolSync { pool }
            | Self::PoolDonate { pool, .. }
            | Self::PoolClaimCommission { pool } => Some(*pool),
            _ => None,
        }
    }
}

impl Kind {
    /// Whether an operator key may call this function for its prover (the contract resolves the
    /// sender through `proverOfOperator` in `commit`, `reveal`, `submitProof`, `raceSubmit` and
    /// `challengeData`).
    pub fn operator_callable(&self) -> bool {
        matches!(
            self,
            Self::Commit { .. }
                | Self::Reveal { .. }
                | Self::SubmitProof { .. }
                | Self::RaceSubmit { .. }
                | Self::ChallengeData { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `setParams` action is written and read back with every field, amounts as decimal
    /// strings of base units.
    #[test]
    fn set_params_keeps_its_replay_format() {
        let json = r#"{"block":7,"actor":2,"op":"set_params","params":{"min_stake":"100000000000000000000","max_weight_stake":"10000000000000000000000","proving_window":20,"race_window":10,"unbonding_delay":100,"rep_half_life":1000,"slash_bps":1000,"non_reveal_slash_bps":100,"burn_bps":5000,"bounty_bps":3000,"rep_initial":5000,"rep_gain":100,"rep_miss_penalty":1500,"rep_no_reveal_penalty":300,"assignment_bond":"10000000000000000000","min_fee":"1","challenge_window":10,"keeper_bps":0}}"#;
        let action =
            Action { block: 7, actor: 2, kind: Kind::SetParams { params: Params::test() } };
        assert_eq!(serde_json::to_string(&action).unwrap(), json);
        assert_eq!(serde_json::from_str::<Action>(json).unwrap(), action);
        let err =
            serde_json::from_str::<Action>(&json.replace("\"100000000000000000000\"", "\"1e20\""))
                .unwrap_err()
                .to_string();
        assert!(err.contains("not a whole number"), "{err}");
    }
}
