//! Penalties the network applies to this prover, found in the chain's logs: a withheld reveal
//! (`NonRevealPenalized`, applied by the prover's next commit or by anyone) and a missed proof
//! (`ProverSlashed`, applied when someone opens the race). Each is logged as a warning with its
//! cause and amount, counted in the stats and in the penalty metrics.

use std::collections::HashSet;

use alloy::{
    primitives::{Address, TxHash, U256},
    rpc::types::{Log, TransactionReceipt},
    sol_types::SolEvent,
};
use eyre::{Result, WrapErr};
use provernet_bindings::ProverNetwork::{NonRevealPenalized, ProverSlashed};
use provernet_fleet::metrics::{self, PenaltyCause};
use tracing::warn;

use super::AgentStats;
use crate::{amount::Units, net::Net};

/// How many blocks one log query covers at most (endpoints cap ranges).
const MAX_RANGE: u64 = 2_000;

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
    amount: U256,
    detail: String,
}

impl PenaltyWatch {
    /// Reports the penalties against `me` in blocks not yet scanned, up to `block`.
    pub(super) async fn scan(
        &mut self,
        net: &Net,
        agent: &str,
        me: Address,
        block: u64,
        stats: &mut AgentStats,
    ) -> Result<()> {
        let from = *self.next.get_or_insert(block);
        if from > block {
            return Ok(());
        }
        let to = block.min(from + MAX_RANGE - 1);
        let non_reveal = net
            .network
            .NonRevealPenalized_filter()
            .topic1(me.into_word())
            .from_block(from)
            .to_block(to)
            .query()
            .await
            .wrap_err("while reading penalty logs")?;
        let slashed = net
            .network
            .ProverSlashed_filter()
            .topic1(me.into_word())
            .from_block(from)
            .to_block(to)
            .query()
            .await
            .wrap_err("while reading slash logs")?;
        for (e, log) in non_reveal {
            self.report(&log, non_reveal_penalty(&e), agent, &net.units, stats);
        }
        for (e, log) in slashed {
            self.report(&log, slash_penalty(&e), agent, &net.units, stats);
        }
        self.next = Some(to + 1);
        Ok(())
    }

    /// Reports the penalties against `me` carried by a receipt of the agent's own transaction.
    pub(super) fn report_receipt(
        &mut self,
        r: &TransactionReceipt,
        agent: &str,
        me: Address,
        units: &Units,
        stats: &mut AgentStats,
    ) {
        for log in r.inner.logs() {
            let p = if let Ok(e) = NonRevealPenalized::decode_log(&log.inner) {
                (e.prover == me).then(|| non_reveal_penalty(&e.data))
            } else if let Ok(e) = ProverSlashed::decode_log(&log.inner) {
                (e.prover == me).then(|| slash_penalty(&e.data))
            } else {
                None
            };
            if let Some(p) = p {
                self.report(log, p, agent, units, stats);
            }
        }
    }

    fn report(
        &mut self,
        log: &Log,
        p: Penalty,
        agent: &str,
        units: &Units,
        stats: &mut AgentStats,
    ) {
        let key = (log.transaction_hash.unwrap_or_default(), log.log_index.unwrap_or_default());
        if !self.seen.insert(key) {
            return;
        }
        let tokens = f64::from(p.amount) / 10f64.powi(i32::from(units.decimals));
        stats.penalties += 1;
        stats.penalized_tokens += tokens;
        metrics::penalty(p.cause, tokens);
        if p.cause == PenaltyCause::MissedProof {
            metrics::Counter::AssignmentsMissed.increment(1);
        }
        warn!(
            agent,
            cause = p.cause.as_str(),
            amount = %units.fmt(p.amount),
            block = log.block_number,
            tx = %key.0,
            "PENALISED: {}",
            p.detail
        );
    }
}

fn non_reveal_penalty(e: &NonRevealPenalized) -> Penalty {
    Penalty {
        cause: PenaltyCause::NonReveal,
        amount: e.slashed,
        detail: format!(
            "committed in epoch {} but did not reveal in its reveal phase; stake slashed and reputation lowered",
            e.epoch
        ),
    }
}

fn slash_penalty(e: &ProverSlashed) -> Penalty {
    Penalty {
        cause: PenaltyCause::MissedProof,
        amount: e.amount,
        detail: format!(
            "the proof of assigned batch {} was not submitted by its deadline; stake slashed, reputation \
             lowered and the batch opened to a race",
            e.batchId
        ),
    }
}
