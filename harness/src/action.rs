//! Actions: one transaction each, fully concrete (absolute block, actor, arguments), so a recorded
//! sequence replays bit-for-bit and can be shrunk by deleting entries.

use alloy::primitives::B256;
use serde::{Deserialize, Serialize};

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

/// Parameters as plain numbers (JSON-friendly), in the order of the Solidity struct.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // mirrors contracts/types/Params.sol
pub struct ParamsArg {
    #[serde(with = "dec")]
    pub min_stake: u128,
    #[serde(with = "dec")]
    pub max_weight_stake: u128,
    pub proving_window: u32,
    pub race_window: u32,
    pub unbonding_delay: u32,
    pub rep_half_life: u32,
    pub slash_bps: u16,
    pub non_reveal_slash_bps: u16,
    pub burn_bps: u16,
    pub bounty_bps: u16,
    pub rep_initial: u16,
    pub rep_gain: u16,
    pub rep_miss_penalty: u16,
    pub rep_no_reveal_penalty: u16,
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

/// Token amounts as decimal strings: JSON numbers above 2^53 lose precision in most readers, and
/// serde cannot buffer u128 inside tagged enums.
mod dec {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|e| {
            serde::de::Error::custom(format!("amount {text:?} is not a whole number: {e}"))
        })
    }
}
