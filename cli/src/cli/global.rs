//! The options every command shares (cast's conventions), the transaction options of the commands
//! that send, and the value parsers used across commands.

use std::{path::PathBuf, str::FromStr, time::Duration};

use alloy::primitives::Address;
use clap::Args;
use eyre::Result;

use crate::{
    chain::{Chain, TxOptions},
    net::Net,
    pending::Journal,
    secrets::{SecretStore, default_data_dir},
    signer::{SignerSource, load_signer},
};

/// Options shared by every command, in the conventions of cast. They work before or after the
/// subcommand.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// JSON-RPC endpoint. `prover run` takes several, comma-separated, and fails over to the next
    /// when one stops answering.
    #[arg(long, global = true, env = "ETH_RPC_URL", default_value = "http://127.0.0.1:8545")]
    pub rpc_url: String,
    /// Raw private key of the signer (hex). Prefer the env var, --account or a keystore over the
    /// command line.
    #[arg(
        long,
        global = true,
        env = "PROVERNET_PRIVATE_KEY",
        hide_env_values = true,
        value_name = "HEX"
    )]
    pub private_key: Option<Secret>,
    /// A keystore in Foundry's keystore folder (~/.foundry/keystores/NAME), as
    /// `cast wallet import NAME` writes it.
    #[arg(long, global = true, env = "ETH_KEYSTORE_ACCOUNT", value_name = "NAME")]
    pub account: Option<String>,
    /// Encrypted JSON keystore of the signer (as geth and cast write them).
    #[arg(long, global = true, value_name = "PATH")]
    pub keystore: Option<PathBuf>,
    /// File holding the keystore's password [default: ask on the terminal].
    #[arg(long, global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Deployment file [default: deployments/<chain-id>.json].
    #[arg(long, global = true, value_name = "FILE")]
    pub deployment: Option<PathBuf>,
    /// Where commit secrets, the sent-transactions journal and devnet files live
    /// [default: ~/.provernet].
    #[arg(long, global = true, env = "PROVERNET_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Groth16 proving keys (from `provernet keys setup`) [default: the default dev ceremony's,
    /// generated once into <data-dir>/keys/default].
    #[arg(long, global = true, env = "PROVERNET_KEYS", value_name = "DIR")]
    pub keys: Option<PathBuf>,
    /// Batch-data directory: `<DIR>/<chain-id>/<network>/<commitment>.bin`, written by
    /// `batch post --data`, read by provers [default: <data-dir>/batches].
    #[arg(long, global = true, env = "PROVERNET_BATCH_DATA", value_name = "DIR")]
    pub batch_data: Option<PathBuf>,
    /// Machine-readable output: one JSON document on stdout (see docs/cli.md); logs stay on
    /// stderr, without colour.
    #[arg(long, global = true)]
    pub json: bool,
    /// Seconds to wait for a transaction receipt.
    #[arg(long, global = true, default_value_t = 60, value_name = "SECS")]
    pub tx_timeout: u64,
    /// Transaction options.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// How the commands that send transactions send them (ignored by read-only commands).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Transaction options")]
pub struct TxArgs {
    /// Nonce of the (first) transaction; later ones of the same command count up. Use it to
    /// replace a pending transaction (with a higher --gas-price).
    #[arg(long, global = true, value_name = "N")]
    pub nonce: Option<u64>,
    /// Max fee per gas, in wei [default: the node's estimate].
    #[arg(long, global = true, value_name = "WEI")]
    pub gas_price: Option<u128>,
    /// Max priority fee per gas, in wei [default: the node's estimate].
    #[arg(long, global = true, value_name = "WEI")]
    pub priority_gas_price: Option<u128>,
    /// Simulate the (first) transaction against the pending block, print the result and the gas
    /// estimate, and send nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Approve the maximum allowance (once for all later stakes and posts) instead of the amount
    /// needed.
    #[arg(long, global = true)]
    pub approve_max: bool,
}

/// Options of the chain connection and the signer, which the offline commands ignore.
const CHAIN_OPTIONS: [&str; 7] =
    ["rpc_url", "private_key", "account", "keystore", "password_file", "deployment", "tx_timeout"];
/// [`TxArgs`], which only commands that send use.
const TX_OPTIONS: [&str; 5] =
    ["nonce", "gas_price", "priority_gas_price", "dry_run", "approve_max"];
/// Commands that never touch a chain.
const OFFLINE: [&str; 4] = ["keys", "abi", "sim", "fuzz"];
/// Read-only commands (`group command`).
const READ_ONLY: [(&str, &str); 3] =
    [("prover", "status"), ("epoch", "status"), ("batch", "status")];

/// The command line with each command's help listing only the global options it uses: the
/// offline commands do not list the chain, signer and transaction options, read-only commands
/// not the transaction options. They still accept them (as cast does), so a shared alias or
/// environment does not break them.
pub(super) fn command() -> clap::Command {
    use clap::CommandFactory;
    let root = super::Cli::command();
    // A subcommand that already defines an argument with a global's id keeps its own copy rather
    // than the propagated one: a hidden copy hides the global from that subtree's help.
    let hidden = |ids: &[&str]| -> Vec<clap::Arg> {
        root.get_arguments()
            .filter(|a| ids.contains(&a.get_id().as_str()))
            .map(|a| a.clone().hide(true))
            .collect()
    };
    let offline: Vec<clap::Arg> = hidden(&[&CHAIN_OPTIONS[..], &TX_OPTIONS[..]].concat());
    let read_only = hidden(&TX_OPTIONS);
    let mut cmd = root.clone();
    for name in OFFLINE {
        cmd = cmd.mut_subcommand(name, |sc| sc.args(offline.clone()));
    }
    for (group, name) in READ_ONLY {
        cmd =
            cmd.mut_subcommand(group, |g| g.mut_subcommand(name, |sc| sc.args(read_only.clone())));
    }
    cmd
}

/// A secret string whose Debug output is redacted, so it never reaches logs.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

/// Parses an address. A mixed-case address must carry a valid EIP-55 checksum (one mistyped
/// digit then fails instead of sending to the typo); all-lowercase and all-uppercase addresses
/// carry no checksum and are accepted, as in cast.
pub fn parse_address(s: &str) -> Result<Address, String> {
    let t = s.trim();
    let hex = t.strip_prefix("0x").unwrap_or(t);
    if hex.len() != 40 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("{t:?} is not an address: expected 0x followed by 40 hex digits"));
    }
    let has_lower = hex.chars().any(|c| c.is_ascii_lowercase());
    let has_upper = hex.chars().any(|c| c.is_ascii_uppercase());
    if has_lower && has_upper {
        return Address::parse_checksummed(format!("0x{hex}"), None).map_err(|_| {
            format!(
                "{t} has a mixed-case (EIP-55) checksum that does not match: a character was probably \
                 mistyped. Check the address; write it all in lowercase only to skip the check"
            )
        });
    }
    Address::from_str(hex).map_err(|e| format!("{t:?} is not a valid address: {e}"))
}

/// Parses a batch id.
pub fn parse_batch_id(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(0) => Err("batch ids start at 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{s:?} is not a batch id: expected a positive integer")),
    }
}

impl GlobalArgs {
    fn signer_source(&self) -> SignerSource<'_> {
        SignerSource {
            private_key: self.private_key.as_ref().map(|s| s.0.as_str()),
            keystore: self.keystore.as_deref(),
            account: self.account.as_deref(),
            password_file: self.password_file.as_deref(),
        }
    }

    /// Connects with the configured signer (if any) and the transaction options of a one-shot
    /// command: hashes said as soon as sent, the sent-transactions journal kept.
    pub async fn chain(&self) -> Result<Chain> {
        let signer = load_signer(self.signer_source())?;
        let chain =
            Chain::connect(&self.rpc_url, signer, Duration::from_secs(self.tx_timeout)).await?;
        let journal = chain.signer.map(|me| Journal::new(&self.data_dir(), chain.chain_id, me));
        let tx = TxOptions {
            nonce: self.tx.nonce,
            gas_price: self.tx.gas_price,
            priority_gas_price: self.tx.priority_gas_price,
            dry_run: self.tx.dry_run,
            approve_max: self.tx.approve_max,
            announce: true,
            journal,
        };
        Ok(chain.with_tx_options(tx))
    }

    /// Connects and opens the deployment (one-shot commands).
    pub async fn net(&self) -> Result<Net> {
        let chain = self.chain().await?;
        Net::open(chain, self.deployment.as_deref()).await
    }

    /// Connects and opens the deployment for a long-running agent: it decides on each
    /// transaction itself, so the one-shot options (journal, announcements, --nonce) stay off.
    pub async fn agent_net(&self) -> Result<Net> {
        self.agent_net_at(&self.rpc_url).await
    }

    /// [`Self::agent_net`] on the endpoint `rpc_url` (one of [`Self::rpc_urls`]).
    pub async fn agent_net_at(&self, rpc_url: &str) -> Result<Net> {
        let signer = load_signer(self.signer_source())?;
        let chain = Chain::connect(rpc_url, signer, Duration::from_secs(self.tx_timeout)).await?;
        Net::open(chain, self.deployment.as_deref()).await
    }

    /// The endpoints of `--rpc-url A,B,...`, in order (failover order for the agent).
    pub fn rpc_urls(&self) -> Result<Vec<String>> {
        let urls: Vec<String> = self
            .rpc_url
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(String::from)
            .collect();
        if urls.is_empty() {
            return Err(crate::exit::input(
                "--rpc-url is empty; give an endpoint, e.g. http://127.0.0.1:8545 (several: A,B)",
            ));
        }
        Ok(urls)
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(default_data_dir)
    }

    /// Where keys and batch data are found.
    pub fn proving(&self) -> crate::proof::ProvingSetup {
        crate::proof::ProvingSetup {
            keys_dir: self.keys.clone(),
            data_dir: self.data_dir(),
            batch_data: self.batch_data.clone().unwrap_or_else(|| self.data_dir().join("batches")),
        }
    }

    /// The secret store under the data directory.
    pub fn secrets(&self) -> SecretStore {
        SecretStore::new(&self.data_dir())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_are_enforced_only_on_mixed_case() {
        let good = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
        assert!(parse_address(good).is_ok());
        assert!(parse_address(&good.to_lowercase()).is_ok());
        assert!(parse_address(&format!("0x{}", good[2..].to_uppercase())).is_ok());
        // One letter's case flipped: the checksum no longer matches.
        let typo = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267";
        assert!(parse_address(typo).unwrap_err().contains("checksum"));
        let flipped = "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
        assert!(parse_address(flipped).unwrap_err().contains("checksum"));
    }
}
