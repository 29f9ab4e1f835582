//! Transactions that land, for agents: a nonce manager per signer, explicit EIP-1559 fees, and a
//! stuck transaction replaced (same nonce, higher fee) until it lands or its deadline passes.
//!
//! The nonce manager is [`Chain::send_lock`]: held from reading the node's pending nonce until
//! the node has the transaction, so concurrent sends from one signer (a reveal while a proof is
//! submitted) take consecutive nonces. A transaction still unmined [`BUMP_AFTER_BLOCKS`] blocks
//! after it (or its last replacement) was sent is resent with both fees raised by a quarter, and
//! the maximum fee at least covering twice the latest base fee, which is what a base-fee spike
//! (`anvil_setNextBlockBaseFeePerGas`) needs. Whichever version is mined is the result.

use alloy::{
    eips::BlockNumberOrTag,
    primitives::TxHash,
    providers::Provider,
    rpc::types::{TransactionReceipt, TransactionRequest},
};
use eyre::{Result, WrapErr};
use provernet_fleet::metrics::Counter;
use tokio::time::Instant;

use crate::{
    chain::{Chain, RECEIPT_POLL},
    exit::{self, Code},
};

/// Blocks a transaction may stay unmined before it is replaced with a higher fee.
pub const BUMP_AFTER_BLOCKS: u64 = 2;

impl Chain {
    /// Sends `req` (gas already set) with the next nonce and the node's fee estimate, then awaits
    /// it, replacing it while it is stuck and `deadline` (the last block it is useful in) has not
    /// passed.
    pub(crate) async fn send_managed(
        &self,
        what: &str,
        mut req: TransactionRequest,
        deadline: Option<u64>,
    ) -> Result<TransactionReceipt> {
        let me = self.signer()?;
        let guard = self.send_lock.clone().lock_owned().await;
        req.nonce = Some(self.provider.get_transaction_count(me).pending().await?);
        let fees = self.provider.estimate_eip1559_fees().await?;
        req.max_fee_per_gas = Some(fees.max_fee_per_gas);
        req.max_priority_fee_per_gas = Some(fees.max_priority_fee_per_gas);
        let pending = self
            .provider
            .send_transaction(req.clone())
            .await
            .wrap_err_with(|| format!("while sending {what}"))?;
        let hash = *pending.tx_hash();
        drop(guard);
        tracing::debug!(%hash, what, nonce = req.nonce, "sent");
        self.land(what, req, hash, deadline).await
    }

    /// Polls for the receipt of any version of the transaction, replacing it while it is stuck.
    async fn land(
        &self,
        what: &str,
        mut req: TransactionRequest,
        first: TxHash,
        deadline: Option<u64>,
    ) -> Result<TransactionReceipt> {
        let mut hashes = vec![first];
        let mut sent_at = self.block_number().await.ok();
        let give_up = Instant::now() + self.tx_timeout;
        loop {
            for h in &hashes {
                if let Ok(Some(r)) = self.provider.get_transaction_receipt(*h).await {
                    return Ok(r);
                }
            }
            if Instant::now() >= give_up {
                return Err(exit::err(
                    Code::Timeout,
                    format!(
                        "no receipt for {what} (tx {}) within {:?}; it may still be mined",
                        hashes.last().expect("one hash"),
                        self.tx_timeout
                    ),
                ));
            }
            if let Ok(head) = self.block_number().await {
                if let Some(d) = deadline.filter(|&d| head >= d) {
                    return Err(exit::err(
                        Code::Timeout,
                        format!(
                            "{what} (tx {}) was not mined by block {d}, the last block it could land in; \
                             not replacing it further (if it is still mined it reverts)",
                            hashes.last().expect("one hash")
                        ),
                    ));
                }
                match sent_at {
                    Some(at) if head >= at + BUMP_AFTER_BLOCKS => {
                        if let Some(h) = self.replace(what, &mut req, head).await {
                            hashes.push(h);
                        }
                        sent_at = Some(head);
                    }
                    None => sent_at = Some(head),
                    _ => {}
                }
            }
            tokio::time::sleep(RECEIPT_POLL).await;
        }
    }

    /// Resends `req` with raised fees; the new hash, or None when the node refused (typically:
    /// an earlier version was just mined, "nonce too low").
    async fn replace(&self, what: &str, req: &mut TransactionRequest, head: u64) -> Option<TxHash> {
        let base = match self.provider.get_block_by_number(BlockNumberOrTag::Latest).await {
            Ok(Some(b)) => u128::from(b.header.base_fee_per_gas.unwrap_or_default()),
            _ => 0,
        };
        let (old_max, old_tip) = (
            req.max_fee_per_gas.unwrap_or_default(),
            req.max_priority_fee_per_gas.unwrap_or_default(),
        );
        let (max, tip) = bumped_fees(old_max, old_tip, base);
        req.max_fee_per_gas = Some(max);
        req.max_priority_fee_per_gas = Some(tip);
        match self.provider.send_transaction(req.clone()).await {
            Ok(p) => {
                Counter::TransactionsReplaced.increment(1);
                tracing::warn!(what, nonce = req.nonce, block = head, old_max_fee = old_max, max_fee = max,
                               tx = %p.tx_hash(), "transaction stuck; replaced it with a higher fee");
                Some(*p.tx_hash())
            }
            Err(e) => {
                tracing::info!(what, nonce = req.nonce, error = %e, "replacement not accepted");
                None
            }
        }
    }
}

/// The fees of a replacement: both raised by a quarter (nodes want at least a tenth more), and
/// the maximum at least twice the latest base fee plus the tip.
pub fn bumped_fees(max_fee: u128, tip: u128, base_fee: u128) -> (u128, u128) {
    let tip = tip + tip / 4 + 1;
    let max = (max_fee + max_fee / 4 + 1).max(base_fee.saturating_mul(2) + tip);
    (max, tip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_fees_rise_by_a_quarter_and_cover_the_base_fee() {
        assert_eq!(bumped_fees(100, 8, 10), (126, 11));
        // A base-fee spike: the maximum follows the base fee, not just the quarter.
        assert_eq!(bumped_fees(100, 8, 1_000), (2_011, 11));
        assert_eq!(bumped_fees(0, 0, 0), (1, 1), "even zero fees rise");
    }
}
