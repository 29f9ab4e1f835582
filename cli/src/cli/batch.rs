//! `provernet batch`.

use std::path::PathBuf;

use alloy::primitives::Bytes;
use clap::{ArgGroup, Subcommand};
use eyre::Result;

use super::{GlobalArgs, parse_batch_id};
use crate::{
    bail_input, exit,
    ops::{self, ProofSource},
    output::Report,
    proof::{BatchStore, batch_commitment},
};

/// Batch commands.
#[derive(Debug, Subcommand)]
pub enum BatchCmd {
    /// Post a batch (authorised batch sources only); the fee comes from the prepaid fee balance
    /// (`batch deposit-fees`; a short balance is refused, naming the deposit). With --data the
    /// commitment is the data's Poseidon hash and the data is stored in the batch-data directory
    /// for provers; --commitment posts a bare commitment (fine for the insecure dev verifier, but
    /// nobody can make a real proof without the data).
    #[command(group(ArgGroup::new("batch").required(true).args(["data", "data_hex", "commitment"])))]
    Post {
        /// File holding the batch data (at most 930 bytes, the circuit's limit).
        #[arg(long, value_name = "FILE")]
        data: Option<PathBuf>,
        /// The batch data as hex.
        #[arg(long, value_name = "HEX")]
        data_hex: Option<String>,
        /// A bare batch commitment (32 bytes hex).
        #[arg(long, value_name = "HEX")]
        commitment: Option<String>,
        /// Proving fee in tokens.
        #[arg(long, allow_hyphen_values = true)]
        fee: String,
    },
    /// Prepay proving fees (batch sources; approves the token as needed); posts spend them.
    DepositFees {
        /// Amount in tokens.
        #[arg(allow_hyphen_values = true)]
        amount: String,
    },
    /// Take unspent prepaid fees (and refunds of failed batches) back.
    WithdrawFees {
        /// Amount in tokens.
        #[arg(allow_hyphen_values = true)]
        amount: String,
    },
    /// A batch's status, slot, prover, fee and deadlines (and, when challenged, the block its
    /// data is due).
    #[command(alias = "show")]
    Status {
        /// Batch id.
        #[arg(value_parser = parse_batch_id)]
        id: u64,
    },
    /// Make and submit the proof for a batch the signer holds or may race for.
    Prove {
        /// Batch id.
        #[arg(value_parser = parse_batch_id)]
        id: u64,
        /// Make the proof and print it without sending (e.g. proving on another machine).
        #[arg(long, conflicts_with = "proof")]
        no_send: bool,
        /// Submit these proof bytes (hex) instead of proving locally.
        #[arg(long, value_name = "HEX")]
        proof: Option<String>,
    },
    /// The assigned prover (or its operator) cannot get a batch's data: challenge inside the
    /// proving window; the source then has the challenge window to publish it on chain.
    Challenge {
        /// Batch id.
        #[arg(value_parser = parse_batch_id)]
        id: u64,
    },
    /// Publish a challenged batch's data on chain (anyone holding it). The data is checked against
    /// the batch's commitment first: data that does not match is refused and nothing is sent.
    #[command(group(ArgGroup::new("answer").required(true).args(["data", "data_hex"])))]
    Answer {
        /// Batch id.
        #[arg(value_parser = parse_batch_id)]
        id: u64,
        /// File holding the batch data.
        #[arg(long, value_name = "FILE")]
        data: Option<PathBuf>,
        /// The batch data as hex.
        #[arg(long, value_name = "HEX")]
        data_hex: Option<String>,
    },
    /// Void a challenged batch nobody answered in time (anyone): nobody is slashed, the fee goes
    /// to the prover less the caller's keeper share.
    Void {
        /// Batch id.
        #[arg(value_parser = parse_batch_id)]
        id: u64,
    },
    /// Permissionless timeout: slash a missed window, or mark a batch failed after its race.
    Timeout {
        /// Batch id.
        #[arg(value_parser = parse_batch_id)]
        id: u64,
    },
}

/// Reads `--data FILE` or `--data-hex HEX` (checked before connecting).
fn read_data(data: Option<PathBuf>, data_hex: Option<String>) -> Result<Option<Vec<u8>>> {
    Ok(match (data, data_hex) {
        (Some(path), _) => Some(
            std::fs::read(&path)
                .map_err(|e| exit::input(format!("cannot read --data {}: {e}", path.display())))?,
        ),
        (None, Some(hex)) => Some(parse_hex("--data-hex", &hex)?),
        (None, None) => None,
    })
}

fn parse_hex(flag: &str, text: &str) -> Result<Vec<u8>> {
    let t = text.trim();
    let hex = t.strip_prefix("0x").unwrap_or(t);
    if !hex.len().is_multiple_of(2) || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        bail_input!("{flag} is not hex (an even number of hex digits, optionally after 0x)");
    }
    Ok((0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("checked hex"))
        .collect())
}

pub(super) async fn run(g: &GlobalArgs, c: BatchCmd) -> Result<Report> {
    match c {
        BatchCmd::Post { data, data_hex, commitment, fee } => {
            crate::amount::check_shape(&fee)?;
            // Everything about the input is checked before connecting.
            let data = read_data(data, data_hex)?;
            let commitment = match (&data, commitment) {
                (Some(d), _) => {
                    ops::batch::check_batch_data(d)?;
                    batch_commitment(d).map_err(|e| exit::input(format!("{e:#}")))?
                }
                (None, Some(c)) => ops::parse_commitment(&c)?,
                (None, None) => unreachable!("clap requires one"),
            };
            let net = g.net().await?;
            let fee = net.units.parse(&fee)?;
            let stored = match &data {
                Some(d) => {
                    let store = BatchStore::new(&g.proving().batch_data);
                    // Stored before posting, so the drawn prover finds it as soon as it sees the batch.
                    Some(store.put(net.chain.chain_id, net.dep.network, commitment, d)?)
                }
                None => None,
            };
            ops::post_batch_report(&net, commitment, fee, stored).await
        }
        BatchCmd::DepositFees { amount } => {
            crate::amount::check_shape(&amount)?;
            let net = g.net().await?;
            let amount = net.units.parse(&amount)?;
            ops::deposit_fees(&net, amount).await
        }
        BatchCmd::WithdrawFees { amount } => {
            crate::amount::check_shape(&amount)?;
            let net = g.net().await?;
            let amount = net.units.parse(&amount)?;
            ops::withdraw_fees(&net, amount).await
        }
        BatchCmd::Status { id } => ops::batch_status_report(&g.net().await?, id).await,
        BatchCmd::Prove { id, no_send, proof } => {
            let given = proof.map(|p| parse_hex("--proof", &p)).transpose()?;
            let net = g.net().await?;
            let source = match given {
                Some(bytes) => ProofSource::Given(Bytes::from(bytes)),
                None if no_send => ProofSource::LocalNoSend,
                None => ProofSource::Local,
            };
            if !matches!(source, ProofSource::Given(_)) && net.dep.verifier_kind == "groth16" {
                // A real proof reads the data from the batch-data directory; fetch an answer
                // published on chain there first.
                let store = BatchStore::new(&g.proving().batch_data);
                let b = ops::batch(&net, id).await?;
                if !ops::challenge::ensure_local_data(&net, &store, id, b.commitment).await? {
                    crate::bail_state!(
                        "no data for batch {id}: not in {} and not published on chain. Its assigned prover \
                         may `provernet batch challenge {id}` inside its window to make the source publish it",
                        store.network_dir(net.chain.chain_id, net.dep.network).display()
                    );
                }
            }
            // Keys are only needed when proving locally.
            let backend = match source {
                ProofSource::Given(_) => std::sync::Arc::new(crate::proof::InsecureDevProof) as _,
                _ => g.proving().backend(&net).await?,
            };
            ops::prove_report(&net, &backend, id, source).await
        }
        BatchCmd::Challenge { id } => ops::challenge::challenge(&g.net().await?, id).await,
        BatchCmd::Answer { id, data, data_hex } => {
            let data = read_data(data, data_hex)?.expect("clap requires one");
            ops::batch::check_batch_data(&data)?;
            let store = BatchStore::new(&g.proving().batch_data);
            ops::challenge::answer(&g.net().await?, &store, id, &data).await
        }
        BatchCmd::Void { id } => ops::challenge::void(&g.net().await?, id).await,
        BatchCmd::Timeout { id } => ops::timeout(&g.net().await?, id).await,
    }
}
