//! The typed operations behind every command, one module per command group. Each checks what it
//! can before touching the chain (so a doomed transaction is explained, not sent), then goes
//! through [`Net::send`](crate::net::Net::send), which simulates again before sending.

pub mod batch;
pub mod challenge;
pub mod deploy;
pub mod epoch;
pub mod fees;
pub mod operator;
pub mod pool;
pub mod prove;
pub mod prover;
pub mod seed;
pub mod token;

use alloy::rpc::types::TransactionReceipt;
use serde_json::json;

pub use batch::{
    Posted, batch, batch_status_report, parse_commitment, post_batch, post_batch_data,
    post_batch_report, slot_words, status, timeout,
};
pub use epoch::{commit, commit_report, epoch_status, reveal, reveal_report};
pub use fees::{FeeAccount, deposit_fees, fee_account, withdraw_fees};
pub use operator::set_operator;
pub use prove::{
    Prepared, ProofSource, ProveRoute, prepare_proof, prove, prove_report, prove_route,
    submit_proof,
};
pub use prover::{
    NO_COMMIT, ProverStatus, claim, prover_status, prover_status_report, register, stake, unstake,
    withdraw,
};
pub use token::mint;

/// The receipt as every report shows it.
fn tx_json(r: &TransactionReceipt) -> serde_json::Value {
    json!({ "tx": format!("{:#x}", r.transaction_hash), "block": r.block_number })
}
