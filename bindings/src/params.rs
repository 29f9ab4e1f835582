//! The governable parameters (`Params` in contracts/types/Params.sol) and the epoch lengths fixed
//! at deployment, with their named parameter sets.
//!
//! One Rust type for every crate: the CLI's params file (`deployments/*.params.json`, camelCase
//! keys, amounts as strings), the scenario files' `[params]` table (snake_case keys, amounts as
//! numbers) and the harness's recorded actions all read into [`Params`]. Serialisation writes
//! snake_case keys and amounts as decimal strings of tokens (exact; see [`crate::amount`]).
//!
//! A file may give only some fields; each caller fills the rest from its own set
//! ([`Params::deserialize_over`], [`NetworkConfig::from_json_over`]). Deserialising a bare
//! `Params` or `NetworkConfig` needs every field.
//!
//! # The named sets (each defined in one place)
//! | set | where it is defined | who used it before the types were shared |
//! |---|---|---|
//! | [`NetworkConfig::development`] | `deployments/dev.params.json` | cli `DeployParams::dev()` (`deploy` without `--params`, `devnet`) |
//! | [`NetworkConfig::testnet`] | `deployments/testnet.params.json` | the params file for public test networks |
//! | [`NetworkConfig::test`] | here, mirroring test/helpers/NetworkTestBase.sol | harness `Config::default()` / `default_params()` and the Foundry fixture |
//! | [`NetworkConfig::simulation`] | here | sim `ParamsCfg::default()` and `ChainCfg::default()` (what a scenario leaves out) |
//!
//! The four disagree on purpose (fast local epochs, realistic testnet windows, the Foundry
//! fixture the harness mirrors, and 100-block simulated epochs), so each keeps its own name. The
//! CLI's e2e tests write their own partial file over the development set.

use std::fmt;

use alloy::primitives::aliases::U96;
use serde::{Deserialize, Deserializer, Serialize, de::Error as _};

use crate::{
    ProverNetwork,
    amount::{AmountError, UNIT, rescale, token_units},
};

/// `Params` of contracts/types/Params.sol. Amounts are token units (18 decimals in parameter
/// files); durations are blocks; shares are basis points. The contract stores the two amounts in
/// 96 bits: [`Params::to_sol`] refuses wider values rather than truncating them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Params {
    /// Minimum active stake to be eligible for selection (token units).
    #[serde(with = "token_units")]
    pub min_stake: u128,
    /// Stake above this amount adds no selection weight (whale cap; token units).
    #[serde(with = "token_units")]
    pub max_weight_stake: u128,
    /// Exclusive proving window of the assigned prover, counted from the last block of the batch's
    /// slot.
    pub proving_window: u32,
    /// Length of the emergency open race that follows the proving window.
    pub race_window: u32,
    /// Delay between `requestUnstake` and `withdraw`.
    pub unbonding_delay: u32,
    /// Blocks for the distance between a reputation score and `rep_initial` to halve.
    pub rep_half_life: u32,
    /// Share of bonded stake slashed for a missed proving window (bps).
    pub slash_bps: u16,
    /// Share of bonded stake slashed for committing and not revealing (bps).
    pub non_reveal_slash_bps: u16,
    /// Share of every slash sent to the burn sink (bps).
    pub burn_bps: u16,
    /// Share of a missed-window slash paid as a bounty to the race winner (bps).
    pub bounty_bps: u16,
    /// The value reputation scores decay toward (newcomers start at 0 and rise toward it).
    pub rep_initial: u16,
    /// Reputation gained per batch proven on time.
    pub rep_gain: u16,
    /// Reputation lost per missed proving window.
    pub rep_miss_penalty: u16,
    /// Reputation lost per commitment that was never revealed.
    pub rep_no_reveal_penalty: u16,
    /// Bonded stake a prover needs per open assignment beyond the first (capacity; token units).
    #[serde(with = "token_units")]
    pub assignment_bond: u128,
    /// Smallest fee a batch may carry (token units).
    #[serde(with = "token_units")]
    pub min_fee: u128,
    /// Blocks a batch source has to publish a challenged batch's data on chain.
    pub challenge_window: u32,
    /// Share of each slash, penalty, failed fee and burn paid to the keeper whose call moved it
    /// along (bps).
    pub keeper_bps: u16,
}

/// What the ProverNetwork's constructor takes besides addresses: the epoch lengths (immutable)
/// and the initial [`Params`]. The CLI's params file holds exactly this, in one flat object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NetworkConfig {
    /// Commit phase length (blocks).
    pub commit_blocks: u64,
    /// Reveal phase length (blocks).
    pub reveal_blocks: u64,
    /// Assignment slot length (blocks, 1 to the epoch length).
    pub slot_blocks: u64,
    /// Initial parameters.
    pub params: Params,
}

/// A parameter that does not fit the contract's field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamsError(String);

impl fmt::Display for ParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParamsError {}

impl Params {
    /// [`NetworkConfig::development`]'s parameters.
    pub fn development() -> Self {
        NetworkConfig::development().params
    }

    /// [`NetworkConfig::testnet`]'s parameters.
    pub fn testnet() -> Self {
        NetworkConfig::testnet().params
    }

    /// [`NetworkConfig::test`]'s parameters.
    pub fn test() -> Self {
        NetworkConfig::test().params
    }

    /// [`NetworkConfig::simulation`]'s parameters.
    pub fn simulation() -> Self {
        NetworkConfig::simulation().params
    }

    /// Reads a possibly partial table of parameters; absent fields are taken from `base`.
    /// Unknown fields are errors (a typo must not silently keep the default). For a serde field:
    /// `#[serde(deserialize_with = "f")]` with `f` calling this with the caller's set.
    pub fn deserialize_over<'de, D: Deserializer<'de>>(base: Self, d: D) -> Result<Self, D::Error> {
        let patch = Patch::deserialize(d)?;
        patch.reject_epochs()?;
        Ok(patch.params_over(base))
    }

    /// The contract's struct, refusing amounts that do not fit its 96-bit fields.
    pub fn to_sol(&self) -> Result<ProverNetwork::Params, ParamsError> {
        let u96 = |v: u128, name: &str| {
            if v >> 96 == 0 {
                Ok(U96::from(v))
            } else {
                Err(ParamsError(format!("params: {name} = {v} does not fit in 96 bits")))
            }
        };
        Ok(ProverNetwork::Params {
            minStake: u96(self.min_stake, "minStake")?,
            maxWeightStake: u96(self.max_weight_stake, "maxWeightStake")?,
            provingWindow: self.proving_window,
            raceWindow: self.race_window,
            unbondingDelay: self.unbonding_delay,
            repHalfLife: self.rep_half_life,
            slashBps: self.slash_bps,
            nonRevealSlashBps: self.non_reveal_slash_bps,
            burnBps: self.burn_bps,
            bountyBps: self.bounty_bps,
            repInitial: self.rep_initial,
            repGain: self.rep_gain,
            repMissPenalty: self.rep_miss_penalty,
            repNoRevealPenalty: self.rep_no_reveal_penalty,
            assignmentBond: u96(self.assignment_bond, "assignmentBond")?,
            minFee: u96(self.min_fee, "minFee")?,
            challengeWindow: self.challenge_window,
            keeperBps: self.keeper_bps,
        })
    }

    /// The same parameters for a token with `decimals` decimals instead of 18 (the CLI may deploy
    /// over any ERC-20): amounts are rescaled, and refused if finer than that token can hold.
    pub fn with_token_decimals(&self, decimals: u8) -> Result<Self, ParamsError> {
        let field = |v: u128, name: &str| {
            rescale(v, decimals)
                .map_err(|e: AmountError| ParamsError(format!("params: {name}: {e}")))
        };
        Ok(Self {
            min_stake: field(self.min_stake, "minStake")?,
            max_weight_stake: field(self.max_weight_stake, "maxWeightStake")?,
            assignment_bond: field(self.assignment_bond, "assignmentBond")?,
            min_fee: field(self.min_fee, "minFee")?,
            ..*self
        })
    }
}

impl TryFrom<&Params> for ProverNetwork::Params {
    type Error = ParamsError;

    fn try_from(p: &Params) -> Result<Self, ParamsError> {
        p.to_sol()
    }
}

impl From<&ProverNetwork::Params> for Params {
    fn from(p: &ProverNetwork::Params) -> Self {
        Self {
            min_stake: p.minStake.to(),
            max_weight_stake: p.maxWeightStake.to(),
            proving_window: p.provingWindow,
            race_window: p.raceWindow,
            unbonding_delay: p.unbondingDelay,
            rep_half_life: p.repHalfLife,
            slash_bps: p.slashBps,
            non_reveal_slash_bps: p.nonRevealSlashBps,
            burn_bps: p.burnBps,
            bounty_bps: p.bountyBps,
            rep_initial: p.repInitial,
            rep_gain: p.repGain,
            rep_miss_penalty: p.repMissPenalty,
            rep_no_reveal_penalty: p.repNoRevealPenalty,
            assignment_bond: p.assignmentBond.to(),
            min_fee: p.minFee.to(),
            challenge_window: p.challengeWindow,
            keeper_bps: p.keeperBps,
        }
    }
}

impl From<ProverNetwork::Params> for Params {
    fn from(p: ProverNetwork::Params) -> Self {
        Self::from(&p)
    }
}

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let patch = Patch::deserialize(d)?;
        patch.reject_epochs()?;
        patch.require_params()?;
        Ok(patch.params_over(Self::test()))
    }
}

impl NetworkConfig {
    /// Fast local network: 7-block epochs, 6-block windows (`deployments/dev.params.json`).
    /// `provernet deploy` without `--params` and `provernet devnet` use it.
    pub fn development() -> Self {
        Self::shipped("dev.params.json", include_str!("../../deployments/dev.params.json"))
    }

    /// Public test network: 300-block epochs, one-hour proving window at 12 s blocks
    /// (`deployments/testnet.params.json`).
    pub fn testnet() -> Self {
        Self::shipped("testnet.params.json", include_str!("../../deployments/testnet.params.json"))
    }

    /// The test fixture: 10 + 5-block epochs in 5-block slots, 20 + 10-block windows. The same values as
    /// `NetworkTestBase.defaultParams()` in test/helpers/NetworkTestBase.sol, which the harness's
    /// reference model is checked against (genesis at block 1000 there is the harness's choice).
    pub fn test() -> Self {
        Self {
            commit_blocks: 10,
            reveal_blocks: 5,
            slot_blocks: 5,
            params: Params {
                min_stake: 100 * UNIT,
                max_weight_stake: 10_000 * UNIT,
                proving_window: 20,
                race_window: 10,
                unbonding_delay: 100,
                rep_half_life: 1000,
                slash_bps: 1000,
                non_reveal_slash_bps: 100,
                burn_bps: 5000,
                bounty_bps: 3000,
                rep_initial: 5000,
                rep_gain: 100,
                rep_miss_penalty: 1500,
                rep_no_reveal_penalty: 300,
                assignment_bond: 10 * UNIT,
                min_fee: 1,
                challenge_window: 10,
                keeper_bps: 0,
            },
        }
    }

    /// What a simulated scenario leaves out: 100-block epochs (20 minutes at 12 s; commit and
    /// reveal cost each prover two transactions per epoch, small next to the batch traffic, and a
    /// late prover has 30 blocks to reveal) in 10-block slots (a slot's batches are proven
    /// together, so at one batch per block a proof covers about ten), and the test fixture's
    /// economics with a longer unbonding delay and reputation half-life, a 0.001-token minimum
    /// fee, a 5% keeper share (the shipped parameters pay keepers; the fixture leaves them out
    /// so its figures stay simple) and the shipped 2% slash (issue 11's calibration,
    /// docs/mechanism.md section 6; the fixture keeps 10%).
    pub fn simulation() -> Self {
        let test = Self::test();
        Self {
            commit_blocks: 70,
            reveal_blocks: 30,
            slot_blocks: 10,
            params: Params {
                unbonding_delay: 1_000,
                rep_half_life: 5_000,
                min_fee: UNIT / 1000,
                keeper_bps: 500,
                slash_bps: 200,
                ..test.params
            },
        }
    }

    /// Blocks per epoch.
    pub fn epoch_length(&self) -> u64 {
        self.commit_blocks + self.reveal_blocks
    }

    /// Reads a params file (JSON, possibly partial: absent fields come from `base`).
    pub fn from_json_over(text: &str, base: Self) -> Result<Self, serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(text);
        let config = Self::deserialize_over(base, &mut d)?;
        d.end()?;
        Ok(config)
    }

    /// Reads a possibly partial flat table (epoch lengths and parameters); absent fields are
    /// taken from `base`, unknown fields are errors.
    pub fn deserialize_over<'de, D: Deserializer<'de>>(base: Self, d: D) -> Result<Self, D::Error> {
        Ok(Patch::deserialize(d)?.config_over(base))
    }

    fn shipped(name: &str, text: &str) -> Self {
        let mut d = serde_json::Deserializer::from_str(text);
        Self::deserialize(&mut d)
            .and_then(|c| d.end().map(|()| c))
            .unwrap_or_else(|e| panic!("the shipped deployments/{name} is malformed: {e}"))
    }
}

impl<'de> Deserialize<'de> for NetworkConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let patch = Patch::deserialize(d)?;
        patch.require_params()?;
        for (v, name) in [
            (patch.commit_blocks, "commit_blocks"),
            (patch.reveal_blocks, "reveal_blocks"),
            (patch.slot_blocks, "slot_blocks"),
        ] {
            if v.is_none() {
                return Err(D::Error::missing_field(name));
            }
        }
        Ok(patch.config_over(Self::test()))
    }
}

impl Serialize for NetworkConfig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Flat<'a> {
            commit_blocks: u64,
            reveal_blocks: u64,
            slot_blocks: u64,
            #[serde(flatten)]
            params: &'a Params,
        }
        Flat {
            commit_blocks: self.commit_blocks,
            reveal_blocks: self.reveal_blocks,
            slot_blocks: self.slot_blocks,
            params: &self.params,
        }
        .serialize(s)
    }
}

/// Every field optional, under both spellings: what a file may write. The epoch lengths are only
/// accepted where a [`NetworkConfig`] is read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Patch {
    #[serde(default, alias = "commitBlocks")]
    commit_blocks: Option<u64>,
    #[serde(default, alias = "revealBlocks")]
    reveal_blocks: Option<u64>,
    #[serde(default, alias = "slotBlocks")]
    slot_blocks: Option<u64>,
    #[serde(default, alias = "minStake", with = "token_units::option")]
    min_stake: Option<u128>,
    #[serde(default, alias = "maxWeightStake", with = "token_units::option")]
    max_weight_stake: Option<u128>,
    #[serde(default, alias = "provingWindow")]
    proving_window: Option<u32>,
    #[serde(default, alias = "raceWindow")]
    race_window: Option<u32>,
    #[serde(default, alias = "unbondingDelay")]
    unbonding_delay: Option<u32>,
    #[serde(default, alias = "repHalfLife")]
    rep_half_life: Option<u32>,
    #[serde(default, alias = "slashBps")]
    slash_bps: Option<u16>,
    #[serde(default, alias = "nonRevealSlashBps")]
    non_reveal_slash_bps: Option<u16>,
    #[serde(default, alias = "burnBps")]
    burn_bps: Option<u16>,
    #[serde(default, alias = "bountyBps")]
    bounty_bps: Option<u16>,
    #[serde(default, alias = "repInitial")]
    rep_initial: Option<u16>,
    #[serde(default, alias = "repGain")]
    rep_gain: Option<u16>,
    #[serde(default, alias = "repMissPenalty")]
    rep_miss_penalty: Option<u16>,
    #[serde(default, alias = "repNoRevealPenalty")]
    rep_no_reveal_penalty: Option<u16>,
    #[serde(default, alias = "assignmentBond", with = "token_units::option")]
    assignment_bond: Option<u128>,
    #[serde(default, alias = "minFee", with = "token_units::option")]
    min_fee: Option<u128>,
    #[serde(default, alias = "challengeWindow")]
    challenge_window: Option<u32>,
    #[serde(default, alias = "keeperBps")]
    keeper_bps: Option<u16>,
}

/// The fields of [`Params`], as the error for an unexpected one lists them.
const PARAMS_FIELDS: &[&str] = &[
    "min_stake",
    "max_weight_stake",
    "proving_window",
    "race_window",
    "unbonding_delay",
    "rep_half_life",
    "slash_bps",
    "non_reveal_slash_bps",
    "burn_bps",
    "bounty_bps",
    "rep_initial",
    "rep_gain",
    "rep_miss_penalty",
    "rep_no_reveal_penalty",
    "assignment_bond",
    "min_fee",
    "challenge_window",
    "keeper_bps",
];

impl Patch {
    /// Epoch lengths are immutable in the contract and live apart from `Params` (`[chain]` in a
    /// scenario), so inside a params table they are unknown fields.
    fn reject_epochs<E: serde::de::Error>(&self) -> Result<(), E> {
        if self.commit_blocks.is_some() {
            return Err(E::unknown_field("commit_blocks", PARAMS_FIELDS));
        }
        if self.reveal_blocks.is_some() {
            return Err(E::unknown_field("reveal_blocks", PARAMS_FIELDS));
        }
        if self.slot_blocks.is_some() {
            return Err(E::unknown_field("slot_blocks", PARAMS_FIELDS));
        }
        Ok(())
    }

    fn require_params<E: serde::de::Error>(&self) -> Result<(), E> {
        let present = [
            self.min_stake.is_some(),
            self.max_weight_stake.is_some(),
            self.proving_window.is_some(),
            self.race_window.is_some(),
            self.unbonding_delay.is_some(),
            self.rep_half_life.is_some(),
            self.slash_bps.is_some(),
            self.non_reveal_slash_bps.is_some(),
            self.burn_bps.is_some(),
            self.bounty_bps.is_some(),
            self.rep_initial.is_some(),
            self.rep_gain.is_some(),
            self.rep_miss_penalty.is_some(),
            self.rep_no_reveal_penalty.is_some(),
            self.assignment_bond.is_some(),
            self.min_fee.is_some(),
            self.challenge_window.is_some(),
            self.keeper_bps.is_some(),
        ];
        match present.iter().position(|p| !p) {
            Some(i) => Err(E::missing_field(PARAMS_FIELDS[i])),
            None => Ok(()),
        }
    }

    fn params_over(&self, b: Params) -> Params {
        Params {
            min_stake: self.min_stake.unwrap_or(b.min_stake),
            max_weight_stake: self.max_weight_stake.unwrap_or(b.max_weight_stake),
            proving_window: self.proving_window.unwrap_or(b.proving_window),
            race_window: self.race_window.unwrap_or(b.race_window),
            unbonding_delay: self.unbonding_delay.unwrap_or(b.unbonding_delay),
            rep_half_life: self.rep_half_life.unwrap_or(b.rep_half_life),
            slash_bps: self.slash_bps.unwrap_or(b.slash_bps),
            non_reveal_slash_bps: self.non_reveal_slash_bps.unwrap_or(b.non_reveal_slash_bps),
            burn_bps: self.burn_bps.unwrap_or(b.burn_bps),
            bounty_bps: self.bounty_bps.unwrap_or(b.bounty_bps),
            rep_initial: self.rep_initial.unwrap_or(b.rep_initial),
            rep_gain: self.rep_gain.unwrap_or(b.rep_gain),
            rep_miss_penalty: self.rep_miss_penalty.unwrap_or(b.rep_miss_penalty),
            rep_no_reveal_penalty: self.rep_no_reveal_penalty.unwrap_or(b.rep_no_reveal_penalty),
            assignment_bond: self.assignment_bond.unwrap_or(b.assignment_bond),
            min_fee: self.min_fee.unwrap_or(b.min_fee),
            challenge_window: self.challenge_window.unwrap_or(b.challenge_window),
            keeper_bps: self.keeper_bps.unwrap_or(b.keeper_bps),
        }
    }

    fn config_over(&self, b: NetworkConfig) -> NetworkConfig {
        NetworkConfig {
            commit_blocks: self.commit_blocks.unwrap_or(b.commit_blocks),
            reveal_blocks: self.reveal_blocks.unwrap_or(b.reveal_blocks),
            slot_blocks: self.slot_blocks.unwrap_or(b.slot_blocks),
            params: self.params_over(b.params),
        }
    }
}

#[cfg(test)]
#[path = "params_tests.rs"]
mod tests;
