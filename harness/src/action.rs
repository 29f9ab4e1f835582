//! Actions: one transaction each, fully concrete (absolute block, actor, arguments), so a recorded
//! sequence replays bit-for-bit and can be shrunk by deleting entries.

use alloy::primitives::B256;
use serde::{Deserialize, Serialize};

use crate::decimal as dec;
use crate::params::ParamsArg;

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
    FlushBurn,
    WithdrawTreasury {
        #[serde(with = "dec")]
        amount: u128,
    },
    Pause,
    Unpause,
    /// Replace the parameters (governance). Fields in `Params` order.
    SetParams {
        params: ParamsArg,
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
            Self::FlushBurn => "flushBurn",
            Self::WithdrawTreasury { .. } => "withdrawTreasury",
            Self::Pause => "pause",
            Self::Unpause => "unpause",
            Self::SetParams { .. } => "setParams",
        }
    }
}
