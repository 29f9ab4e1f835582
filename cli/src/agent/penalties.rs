//! Penalties the network applies to this prover, found in the chain's logs. The contract can
//! impose three (contracts/ProverNetwork.sol, `_penalizeNonReveal` and `_slashMissed`):
//! - a withheld reveal (`NonRevealPenalized`, applied by the prover's next commit or by anyone):
//!   stake slashed and reputation lowered;
//! - a missed proof (`ProverSlashed`, applied when someone slashes, races or fails the batch):
//!   stake slashed and reputation lowered;
//! - a missed proof the per-epoch cap spared the stake (`SlashCapped`): reputation lowered only.
//!
//! Each is logged as a warning with its cause, the stake it cost and the reputation before and
//! after (the `ReputationChanged` the same transaction emitted just before it), and counted in the
//! stats and in the penalty metrics. A voided data challenge is no penalty (the fee compensates the
//! prover, [`super::data`]); later batches of an already-slashed assignment only open their race.

use std::collections::HashSet;

use alloy::{
    primitives::{Address, B256, TxHash, U256},
    providers::Provider,
    rpc::types::{Filter, Log, TransactionReceipt},
    sol_types::SolEvent,
};
use eyre::{Result, WrapErr};
use provernet_bindings::ProverNetwork::{
    NonRevealPenalized, ProverSlashed, ReputationChanged, SlashCapped,
};
use provernet_fleet::metrics::{self, PenaltyCause};
use tracing::warn;

use super::AgentStats;
use crate::{amount::Units, net::Net};

/// How many blocks one log query covers at most (endpoints cap ranges).
const MAX_RANGE: u64 = 2_000;

/// The events read: the three penalties and the reputation change each one carries.
const WATCHED: [B256; 4] = [
    NonRevealPenalized::SIGNATURE_HASH,
    ProverSlashed::SIGNATURE_HASH,
    SlashCapped::SIGNATURE_HASH,
    ReputationChanged::SIGNATURE_HASH,
];

/// Follows the logs for penalties against one prover, from the block the agent started at.
#[derive(Debug, Default)]
pub(super) struct PenaltyWatch {
    /// The next block to scan (None until the first scan, which starts at the current block:
    /// penalties from before the agent started were reported by whoever ran then).
    next: Option<u64>,
    /// Logs already reported (from a receipt or a scan), so none is reported twice.
    seen: HashSet<(TxHash, u64)>,
}

/// One penalty, decoded.
struct Penalty {
    cause: PenaltyCause,
    /// Stake slashed (zero for a capped miss).
    amount: U256,
    detail: String,
}

/// Who is reporting, and to whom it is counted.
pub(super) struct Reporter<'a> {
    pub(super) agent: &'a str,
    pub(super) me: Address,
    pub(super) units: &'a Units,
    pub(super) stats: &'a mut AgentStats,
}

impl PenaltyWatch {
    /// Reports the penalties against `r.me` in blocks not yet scanned, up to `block`.
    pub(super) async fn scan(&mut self, net: &Net, block: u64, r: Reporter<'_>) -> Result<()> {
        let from = *self.next.get_or_insert(block);
        if from > block {
            return Ok(());
        }
        let to = block.min(from + MAX_RANGE - 1);
        // Every watched event names the prover as its first indexed field.
        let filter = Filter::new()
            .address(net.dep.network)
            .event_signature(WATCHED.to_vec())
            .topic1(r.me.into_word())
            .from_block(from)
            .to_block(to);
        let logs =
            net.chain.provider.get_logs(&filter).await.wrap_err("while reading penalty logs")?;
        self.report_logs(&logs, r);
        self.next = Some(to + 1);
        Ok(())
    }

    /// Reports the penalties against `r.me` carried by a receipt of the agent's own transaction.
    pub(super) fn report_receipt(&mut self, receipt: &TransactionReceipt, r: Reporter<'_>) {
        self.report_logs(receipt.inner.logs(), r);
    }

    /// Reports the penalties among `logs` (in chain order), each with the reputation change its
    /// transaction made just before it.
    fn report_logs(&mut self, logs: &[Log], mut r: Reporter<'_>) {
        let mut reputation: Option<(Option<TxHash>, U256, U256)> = None;
        for log in logs {
            if let Ok(e) = ReputationChanged::decode_log(&log.inner) {
                if e.prover == r.me {
                    reputation = Some((log.transaction_hash, e.oldReputation, e.newReputation));
                }
                continue;
            }
            let Some(p) = decode_penalty(log, r.me) else { continue };
            let change = reputation
                .take()
                .filter(|(tx, ..)| *tx == log.transaction_hash)
                .map(|(_, old, new)| (old, new));
            self.report(log, p, change, &mut r);
        }
    }

    fn report(
        &mut self,
        log: &Log,
        p: Penalty,
        reputation: Option<(U256, U256)>,
        r: &mut Reporter<'_>,
    ) {
        let key = (log.transaction_hash.unwrap_or_default(), log.log_index.unwrap_or_default());
        if !self.seen.insert(key) {
            return;
        }
        let tokens = f64::from(p.amount) / 10f64.powi(i32::from(r.units.decimals));
        r.stats.penalties += 1;
        r.stats.penalized_tokens += tokens;
        metrics::penalty(p.cause, tokens);
        if p.cause.is_missed_proof() {
            metrics::Counter::AssignmentsMissed.increment(1);
        }
        let rep = reputation.map_or_else(
            || "reputation lowered".to_string(),
            |(old, new)| format!("reputation {old} -> {new}"),
        );
        warn!(
            agent = r.agent,
            cause = p.cause.as_str(),
            amount = %r.units.fmt(p.amount),
            reputation_before = reputation.map(|(old, _)| old.saturating_to::<u64>()),
            reputation_after = reputation.map(|(_, new)| new.saturating_to::<u64>()),
            block = log.block_number,
            tx = %key.0,
            "PENALISED: {}; {rep}",
            p.detail
        );
    }
}

/// The penalty `log` records against `me`, if it is one.
fn decode_penalty(log: &Log, me: Address) -> Option<Penalty> {
    if let Ok(e) = NonRevealPenalized::decode_log(&log.inner) {
        return (e.prover == me).then(|| Penalty {
            cause: PenaltyCause::NonReveal,
            amount: e.slashed,
            detail: format!(
                "committed in epoch {} but did not reveal in its reveal phase; stake slashed",
                e.epoch
            ),
        });
    }
    if let Ok(e) = ProverSlashed::decode_log(&log.inner) {
        return (e.prover == me).then(|| Penalty {
            cause: PenaltyCause::MissedProof,
            amount: e.amount,
            detail: format!(
                "the proof of assigned batch {} was not submitted by its deadline; stake slashed and \
                 the batch opened to a race",
                e.batchId
            ),
        });
    }
    if let Ok(e) = SlashCapped::decode_log(&log.inner) {
        return (e.prover == me).then(|| Penalty {
            cause: PenaltyCause::MissedProofCapped,
            amount: U256::ZERO,
            detail: format!(
                "the proof of assigned batch {} was not submitted by its deadline; no stake slashed \
                 (already slashed for a miss whose deadline fell in epoch {}: one slash per epoch), \
                 the batch opened to a race",
                e.batchId, e.epoch
            ),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use alloy::{primitives::LogData, sol_types::SolEvent};

    use super::*;

    const TOKEN: u64 = 1_000_000_000_000_000_000;

    fn me() -> Address {
        Address::repeat_byte(0xaa)
    }

    /// `event` as the node returns it, from transaction `tx`, at `index` in its block.
    fn log(event: &impl SolEvent, tx: u8, index: u64) -> Log {
        let data: LogData = event.encode_log_data();
        Log {
            inner: alloy::primitives::Log { address: Address::repeat_byte(0x11), data },
            transaction_hash: Some(TxHash::repeat_byte(tx)),
            log_index: Some(index),
            block_number: Some(7),
            ..Log::default()
        }
    }

    fn reputation(prover: Address, old: u64, new: u64) -> ReputationChanged {
        ReputationChanged { prover, oldReputation: U256::from(old), newReputation: U256::from(new) }
    }

    fn slashed(prover: Address, batch: u64, tokens: u64) -> ProverSlashed {
        ProverSlashed {
            prover,
            batchId: U256::from(batch),
            amount: U256::from(tokens) * U256::from(TOKEN),
            burned: U256::ZERO,
            bounty: U256::ZERO,
            toTreasury: U256::ZERO,
        }
    }

    fn run(watch: &mut PenaltyWatch, logs: &[Log]) -> AgentStats {
        let units = Units { decimals: 18, symbol: "PNT".into() };
        let mut stats = AgentStats::default();
        let r = Reporter { agent: "t", me: me(), units: &units, stats: &mut stats };
        watch.report_logs(logs, r);
        stats
    }

    #[test]
    fn each_cause_is_decoded_for_this_prover_only() {
        let other = Address::repeat_byte(0xbb);
        let capped = SlashCapped { prover: me(), batchId: U256::from(2), epoch: U256::from(4) };
        let non_reveal =
            NonRevealPenalized { prover: me(), epoch: U256::from(3), slashed: U256::from(TOKEN) };
        let p = decode_penalty(&log(&slashed(me(), 1, 50), 1, 0), me()).unwrap();
        assert_eq!(
            (p.cause, p.amount),
            (PenaltyCause::MissedProof, U256::from(50) * U256::from(TOKEN))
        );
        let p = decode_penalty(&log(&capped, 1, 0), me()).unwrap();
        assert_eq!((p.cause, p.amount), (PenaltyCause::MissedProofCapped, U256::ZERO));
        assert!(p.detail.contains("batch 2") && p.detail.contains("epoch 4"), "{}", p.detail);
        let p = decode_penalty(&log(&non_reveal, 1, 0), me()).unwrap();
        assert_eq!((p.cause, p.amount), (PenaltyCause::NonReveal, U256::from(TOKEN)));
        assert!(decode_penalty(&log(&slashed(other, 1, 50), 1, 0), me()).is_none());
        assert!(decode_penalty(&log(&reputation(me(), 9, 1), 1, 0), me()).is_none());
    }

    #[test]
    fn penalties_are_counted_once_each_and_others_are_ignored() {
        let mut watch = PenaltyWatch::default();
        let logs = [
            log(&reputation(me(), 110, 60), 1, 0),
            log(&slashed(me(), 1, 50), 1, 1),
            // Another prover's slash in the next transaction: not ours.
            log(&reputation(Address::repeat_byte(0xbb), 110, 60), 2, 2),
            log(&slashed(Address::repeat_byte(0xbb), 2, 50), 2, 3),
        ];
        let stats = run(&mut watch, &logs);
        assert_eq!((stats.penalties, stats.penalized_tokens), (1, 50.0));
        // The same logs again (a receipt, then the scan): nothing new.
        let again = run(&mut watch, &logs);
        assert_eq!(again.penalties, 0);
        // A capped miss counts as a penalty of zero tokens.
        let capped = SlashCapped { prover: me(), batchId: U256::from(3), epoch: U256::from(4) };
        let stats = run(&mut watch, &[log(&capped, 3, 0)]);
        assert_eq!((stats.penalties, stats.penalized_tokens), (1, 0.0));
    }
}
