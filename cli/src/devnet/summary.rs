//! The devnet's result as one JSON document (`devnet --json`). Amounts are decimal strings in
//! whole tokens (`"1350.5"`, as every other command prints them; `token` names the token and its
//! decimals), counts and block numbers are JSON numbers, addresses are lowercase `0x` hex: the
//! JSON conventions of docs/cli.md.

use alloy::primitives::{Address, U256};
use serde::Serialize;

use super::{
    clock::{PhaseClock, phase_name},
    state::{ProverRow, SlashReason, State},
};
use crate::amount::fmt_amount;

/// Proving figures over all agents (from their stats at shutdown).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvingSummary {
    /// Proofs made.
    pub proofs: u64,
    /// Batches those proofs settled (in their window or in a race): a slot's batches share one.
    pub batches: u64,
    /// Proving rounds (parallel `prove_many` calls).
    pub rounds: u64,
    /// Mean wall time per round (ms).
    pub mean_round_ms: u64,
    /// Longest round (ms).
    pub max_round_ms: u64,
}

/// The staking token, for reading the amounts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// Its symbol.
    pub symbol: String,
    /// Its decimals (amounts are already scaled by them).
    pub decimals: u8,
}

/// Network-wide figures at the end.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TotalsSummary {
    /// Last block seen.
    pub block: u64,
    /// Epoch of the next block.
    pub epoch: u64,
    /// Phase of the next block (`commit` or `reveal`).
    pub phase: &'static str,
    /// Batches posted.
    pub posted: u64,
    /// Posted with nobody eligible (straight to the race).
    pub unassigned: u64,
    /// Proven inside the assigned window.
    pub proven_on_time: u64,
    /// Proven by a race winner.
    pub rescued: u64,
    /// Failed (nobody proved them).
    pub failed: u64,
    /// Still unsettled.
    pub open: u64,
    /// Provers on the selection list serving the next block's epoch.
    pub listed: u64,
    /// Slashes for a missed proving window.
    pub missed_windows: u64,
    /// Slashes for an unrevealed commitment.
    pub non_reveals: u64,
    /// Total slashed.
    pub slashed: String,
    /// Proof backend the agents used (`groth16` or `insecure-dev`).
    pub proof_backend: String,
}

/// One prover's figures.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProverSummary {
    /// Label (p1, p2, ...).
    pub name: String,
    /// Address.
    pub address: Address,
    /// Configured flaky (offline part of the time).
    pub flaky: bool,
    /// Active stake.
    pub stake: String,
    /// Reputation.
    pub reputation: u64,
    /// Slots whose batches it got.
    pub slots: u64,
    /// Batches drawn for it.
    pub assigned: u64,
    /// Proven in its window.
    pub proven: u64,
    /// Races won.
    pub rescues: u64,
    /// Fees and bounties credited.
    pub earned: String,
    /// Credited and not yet claimed.
    pub claimable: String,
    /// All slashes.
    pub slashes: u64,
    /// Slashes for a missed proving window.
    pub missed_windows: u64,
    /// Slashes for an unrevealed commitment.
    pub non_reveals: u64,
    /// Total slashed.
    pub slashed: String,
}

/// A batch still unsettled at the end.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBatchSummary {
    /// The batch.
    pub batch_id: u64,
    /// `Assigned`, `Open` (nobody was eligible) or `Racing` (its prover was slashed), the
    /// contract's `BatchStatus` names.
    pub status: &'static str,
    /// The drawn prover (null when nobody was eligible).
    pub prover: Option<Address>,
    /// Last block of the exclusive window.
    pub proving_deadline: u64,
    /// Last block of the race.
    pub race_deadline: u64,
}

/// One slash and its reason.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlashSummary {
    /// Block of the event.
    pub block: u64,
    /// The prover's label.
    pub name: String,
    /// The prover.
    pub prover: Address,
    /// `missedWindow` (event `ProverSlashed`) or `nonReveal` (event `NonRevealPenalized`).
    pub reason: &'static str,
    /// The missed batch (missedWindow).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_id: Option<u64>,
    /// Last block of the missed window (missedWindow, when the devnet saw the batch posted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proving_deadline: Option<u64>,
    /// The epoch of the withheld reveal (nonReveal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
    /// Stake slashed.
    pub amount: String,
}

/// The batch source at the end.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceSummary {
    /// Its address.
    pub address: Address,
    /// Prepaid fees not yet spent, refunds of failed batches included.
    pub fee_balance: String,
}

/// The devnet's end result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The token the amounts are in.
    pub token: TokenInfo,
    /// Network-wide figures.
    pub totals: TotalsSummary,
    /// Proving times seen by the agents.
    pub proving: ProvingSummary,
    /// Per prover.
    pub provers: Vec<ProverSummary>,
    /// Batches still unsettled.
    pub open_batches: Vec<OpenBatchSummary>,
    /// Every slash with its reason, in order.
    pub slashes: Vec<SlashSummary>,
    /// The batch source.
    pub source: SourceSummary,
}

impl Summary {
    /// The summary of `state`.
    pub(crate) fn of(state: &State, proving: ProvingSummary) -> Self {
        let d = state.setup.units.decimals;
        let amount = |v: U256| fmt_amount(v, d);
        let t = &state.totals;
        let clock = PhaseClock::at(&state.setup.geo, t.block, state.setup.block_time);
        let sum = |f: fn(&ProverRow) -> u64| state.provers.iter().map(f).sum::<u64>();
        let slashed = state.provers.iter().fold(U256::ZERO, |a, r| a + r.slashed);
        let totals = TotalsSummary {
            block: t.block,
            epoch: clock.epoch,
            phase: phase_name(clock.phase),
            posted: t.posted,
            unassigned: t.unassigned,
            proven_on_time: t.proven_on_time,
            rescued: t.rescued,
            failed: t.failed,
            open: t.open(),
            listed: t.listed,
            missed_windows: sum(|r| r.missed_windows),
            non_reveals: sum(|r| r.non_reveals),
            slashed: amount(slashed),
            proof_backend: state.setup.backend.clone(),
        };
        let provers = state
            .provers
            .iter()
            .map(|r| ProverSummary {
                name: r.name.clone(),
                address: r.address,
                flaky: r.pattern.is_some(),
                stake: amount(r.stake),
                reputation: r.reputation,
                slots: r.slots,
                assigned: r.assigned,
                proven: r.proven,
                rescues: r.rescues,
                earned: amount(r.earned),
                claimable: amount(r.claimable),
                slashes: r.slashes(),
                missed_windows: r.missed_windows,
                non_reveals: r.non_reveals,
                slashed: amount(r.slashed),
            })
            .collect();
        let open_batches = state
            .open
            .values()
            .map(|b| OpenBatchSummary {
                batch_id: b.id,
                status: b.status.as_str(),
                prover: b.prover,
                proving_deadline: b.proving_deadline,
                race_deadline: b.race_deadline,
            })
            .collect();
        let slashes = state
            .slashes
            .iter()
            .map(|s| {
                let (batch_id, proving_deadline, epoch) = match s.reason {
                    SlashReason::MissedWindow { batch, deadline } => (Some(batch), deadline, None),
                    SlashReason::NonReveal { epoch } => (None, None, Some(epoch)),
                };
                SlashSummary {
                    block: s.block,
                    name: state.name(s.prover),
                    prover: s.prover,
                    reason: s.reason.key(),
                    batch_id,
                    proving_deadline,
                    epoch,
                    amount: amount(s.amount),
                }
            })
            .collect();
        Self {
            token: TokenInfo {
                symbol: state.setup.units.symbol.clone(),
                decimals: state.setup.units.decimals,
            },
            totals,
            proving,
            provers,
            open_batches,
            slashes,
            source: SourceSummary {
                address: state.setup.source,
                fee_balance: amount(state.source_fee_balance),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devnet::{
        events::Event,
        state::tests::{pnt, sample},
    };

    #[test]
    fn amounts_are_decimal_strings_and_slashes_name_their_reason() {
        let mut s = sample();
        let p2 = s.provers[1].address;
        s.apply(21, Event::Posted { id: 1, prover: p2, proving_deadline: 27, race_deadline: 33 });
        s.apply(28, Event::MissedWindow { prover: p2, batch: 1, amount: pnt(150) });
        s.apply(30, Event::NonReveal { prover: p2, epoch: 2, amount: pnt(3) / U256::from(2) });
        s.provers[1].stake = pnt(1350);
        let v = serde_json::to_value(Summary::of(&s, ProvingSummary::default())).unwrap();
        assert_eq!(v["token"], serde_json::json!({ "symbol": "PNT", "decimals": 18 }));
        assert_eq!(v["totals"]["slashed"], "151.5");
        assert_eq!(v["totals"]["missedWindows"], 1);
        let p = &v["provers"][1];
        assert_eq!(p["stake"], "1350");
        assert_eq!(p["slashed"], "151.5");
        assert_eq!((p["missedWindows"].as_u64(), p["nonReveals"].as_u64()), (Some(1), Some(1)));
        assert_eq!(p["address"], format!("{p2:#x}"), "lowercase, as every command's JSON");
        assert_eq!(
            v["slashes"][0],
            serde_json::json!({ "block": 28, "name": "p2", "prover": format!("{p2:#x}"),
                "reason": "missedWindow", "batchId": 1, "provingDeadline": 27, "amount": "150" })
        );
        assert_eq!(v["slashes"][1]["reason"], "nonReveal");
        assert_eq!(v["slashes"][1]["epoch"], 2);
        assert_eq!(v["openBatches"][0]["status"], "Racing");
    }
}
