//! Connection to a node, the signer, and the one path every transaction takes: simulate, send,
//! await the receipt with a timeout, fail on a reverted receipt.

use std::{
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

use alloy::{
    contract::{CallBuilder, CallDecoder},
    eips::BlockId,
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
    transports::http::reqwest::Url,
};
use eyre::{Result, WrapErr, bail, eyre};
use provernet_bindings::{DevStakingToken, ProverNetwork};

use crate::{amount::Units, deployment::Deployment, revert};

/// How long the first request may take before the endpoint is called unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connected node, optionally with a signer.
#[derive(Debug, Clone)]
pub struct Chain {
    /// Provider (with the signer's wallet when there is one).
    pub provider: DynProvider,
    /// The endpoint, for messages.
    pub rpc_url: String,
    /// The endpoint's chain id.
    pub chain_id: u64,
    /// The signer's address, when a signer was given.
    pub signer: Option<Address>,
    /// How long to wait for a receipt.
    pub tx_timeout: Duration,
}

/// Loads the signer from a raw key or an encrypted keystore. The key never appears in messages.
pub fn load_signer(
    private_key: Option<&str>,
    keystore: Option<&Path>,
    password_file: Option<&Path>,
) -> Result<Option<PrivateKeySigner>> {
    match (private_key, keystore) {
        (Some(_), Some(_)) => bail!("give either --private-key or --keystore, not both"),
        (Some(key), None) => {
            let key = key.trim();
            let signer = PrivateKeySigner::from_str(key).map_err(|_| {
                eyre!("the private key (--private-key or PROVERNET_PRIVATE_KEY) is not a 32-byte hex secp256k1 key")
            })?;
            Ok(Some(signer))
        }
        (None, Some(path)) => {
            let Some(pw_path) = password_file else {
                bail!("--keystore needs --password-file with the keystore's password");
            };
            let password = std::fs::read_to_string(pw_path)
                .wrap_err_with(|| format!("cannot read the password file {}", pw_path.display()))?;
            let password = password.trim_end_matches(['\n', '\r']);
            if !path.exists() {
                bail!("the keystore file {} does not exist", path.display());
            }
            let signer = PrivateKeySigner::decrypt_keystore(path, password).map_err(|e| {
                eyre!("cannot decrypt the keystore {}: {e} (wrong password file?)", path.display())
            })?;
            Ok(Some(signer))
        }
        (None, None) => Ok(None),
    }
}

impl Chain {
    /// Connects to `rpc_url` and checks that it answers.
    pub async fn connect(
        rpc_url: &str,
        signer: Option<PrivateKeySigner>,
        tx_timeout: Duration,
    ) -> Result<Self> {
        let url: Url = rpc_url.parse().map_err(|e| {
            eyre!("--rpc-url {rpc_url:?} is not a valid URL ({e}); e.g. http://127.0.0.1:8545")
        })?;
        let address = signer.as_ref().map(|s| s.address());
        let provider = match signer {
            Some(s) => {
                ProviderBuilder::new().wallet(EthereumWallet::from(s)).connect_http(url).erased()
            }
            None => ProviderBuilder::new().connect_http(url).erased(),
        };
        let chain_id = tokio::time::timeout(CONNECT_TIMEOUT, provider.get_chain_id())
            .await
            .map_err(|_| eyre!("the RPC endpoint {rpc_url} did not answer within {CONNECT_TIMEOUT:?}"))?
            .map_err(|e| {
                eyre!(
                    "cannot reach the RPC endpoint {rpc_url} ({e}); is the node (e.g. anvil) running? \
                     Set --rpc-url or ETH_RPC_URL"
                )
            })?;
        Ok(Self { provider, rpc_url: rpc_url.to_string(), chain_id, signer: address, tx_timeout })
    }

    /// The signer's address, or an error telling how to give one.
    pub fn signer(&self) -> Result<Address> {
        self.signer.ok_or_else(|| {
            eyre!(
                "this command sends transactions and needs a signer: give --private-key (or \
                 PROVERNET_PRIVATE_KEY) or --keystore PATH --password-file FILE"
            )
        })
    }

    /// The latest block number.
    pub async fn block_number(&self) -> Result<u64> {
        self.provider
            .get_block_number()
            .await
            .wrap_err_with(|| format!("while reading the block number from {}", self.rpc_url))
    }

    /// Simulates `call` against the pending block, sends it only if the simulation passes, awaits
    /// its receipt with the timeout, and fails on a reverted receipt. `what` names the action in
    /// messages ("register").
    pub async fn send<P, D>(
        &self,
        what: &str,
        units: &Units,
        call: CallBuilder<P, D>,
    ) -> Result<TransactionReceipt>
    where
        P: Provider,
        D: CallDecoder,
    {
        let call = call.block(BlockId::pending());
        let gas = call.estimate_gas().await.map_err(|e| explain(what, units, e))?;
        // Headroom over the estimate: state can shift a little between simulation and inclusion.
        let call = call.gas(gas.saturating_mul(13) / 10 + 10_000);
        let pending = call
            .send()
            .await
            .map_err(|e| explain(what, units, e))
            .wrap_err_with(|| format!("while sending {what}"))?;
        let hash = *pending.tx_hash();
        tracing::debug!(%hash, what, "sent");
        let receipt = self.await_receipt(what, hash).await?;
        if !receipt.status() {
            bail!(
                "{what} was mined in block {} but reverted (tx {hash}); the chain state changed after the \
                 simulation (e.g. another prover won a race)",
                receipt.block_number.unwrap_or_default()
            );
        }
        Ok(receipt)
    }
}

/// A transaction that was not sent because its simulation failed.
#[derive(Debug, Clone)]
pub struct NotSent {
    /// The decoded reason.
    pub message: String,
    /// The custom error's name and fields, when the revert decoded.
    pub error: Option<String>,
}

impl std::fmt::Display for NotSent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for NotSent {}

/// Marks a pre-flight refusal (checked before anything was sent) as [`NotSent`].
pub fn refused(e: eyre::Report) -> eyre::Report {
    if was_not_sent(&e) {
        return e;
    }
    eyre::Report::new(NotSent { message: format!("{e:#}"), error: None })
}

/// True when `e` (or any error it wraps) says the transaction was not sent.
pub fn was_not_sent(e: &eyre::Report) -> bool {
    e.chain().any(|c| c.downcast_ref::<NotSent>().is_some())
}

impl Chain {
    /// Polls for the receipt of `hash` until the timeout. Polling by hand (rather than alloy's
    /// block heartbeat) keeps working across an endpoint restart: each poll is a fresh request,
    /// and a failed poll is retried, not fatal.
    pub async fn await_receipt(
        &self,
        what: &str,
        hash: alloy::primitives::TxHash,
    ) -> Result<TransactionReceipt> {
        let deadline = tokio::time::Instant::now() + self.tx_timeout;
        let mut last_err = None;
        loop {
            match self.provider.get_transaction_receipt(hash).await {
                Ok(Some(r)) => return Ok(r),
                Ok(None) => {}
                Err(e) => {
                    if last_err.is_none() {
                        tracing::warn!(%hash, what, error = %e,
                            "RPC endpoint failed while waiting for the receipt; retrying");
                    }
                    last_err = Some(e);
                }
            }
            if tokio::time::Instant::now() >= deadline {
                let why = last_err.map(|e| format!(" (last error: {e})")).unwrap_or_default();
                bail!(
                    "no receipt for {what} ({hash}) within {:?}{why}; it may still be mined: check with \
                     `cast receipt {hash}` before retrying",
                    self.tx_timeout
                );
            }
            tokio::time::sleep(RECEIPT_POLL).await;
        }
    }
}

/// How often a pending transaction's receipt is polled.
const RECEIPT_POLL: Duration = Duration::from_millis(200);

/// Turns a simulation or send error into a decoded, actionable message.
pub fn explain(what: &str, units: &Units, err: alloy::contract::Error) -> eyre::Report {
    if let Some(data) = err.as_revert_data() {
        if let Some(dec) = revert::decode(&data, units) {
            return eyre::Report::new(NotSent {
                message: format!(
                    "{what} would revert with {}: {}. Nothing was sent.",
                    dec.error, dec.sentence
                ),
                error: Some(dec.error),
            });
        }
        return eyre::Report::new(NotSent {
            message: format!(
                "{what} would revert (undecoded revert data {data}). Nothing was sent."
            ),
            error: None,
        });
    }
    eyre!("{what} failed: {err}")
}

/// Epoch geometry, fixed at deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Block of epoch 0's start.
    pub genesis: u64,
    /// Commit phase length.
    pub commit_blocks: u64,
    /// Reveal phase length.
    pub reveal_blocks: u64,
}

/// The phase a block falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Commit phase.
    Commit,
    /// Reveal phase.
    Reveal,
}

impl Geometry {
    /// Epoch length in blocks.
    pub fn length(&self) -> u64 {
        self.commit_blocks + self.reveal_blocks
    }
    /// The epoch `block` belongs to.
    pub fn epoch_of(&self, block: u64) -> u64 {
        block.saturating_sub(self.genesis) / self.length()
    }
    /// First block of `epoch`.
    pub fn epoch_start(&self, epoch: u64) -> u64 {
        self.genesis + epoch * self.length()
    }
    /// First block of `epoch`'s reveal phase.
    pub fn reveal_start(&self, epoch: u64) -> u64 {
        self.epoch_start(epoch) + self.commit_blocks
    }
    /// The phase of `block`.
    pub fn phase_of(&self, block: u64) -> Phase {
        if block < self.reveal_start(self.epoch_of(block)) { Phase::Commit } else { Phase::Reveal }
    }
}

/// A connected chain plus an opened deployment.
#[derive(Debug, Clone)]
pub struct Net {
    /// The connection.
    pub chain: Chain,
    /// The deployment file's contents.
    pub dep: Deployment,
    /// The ProverNetwork.
    pub network: ProverNetwork::ProverNetworkInstance<DynProvider>,
    /// The staking token (any ERC-20; the dev token's ABI covers the calls used).
    pub token: DevStakingToken::DevStakingTokenInstance<DynProvider>,
    /// Token display units.
    pub units: Units,
    /// Epoch geometry.
    pub geo: Geometry,
}

/// `deployments/<chain-id>.json`, the default deployment file.
pub fn default_deployment_path(chain_id: u64) -> PathBuf {
    PathBuf::from("deployments").join(format!("{chain_id}.json"))
}

impl Net {
    /// Opens the deployment at `path` (default `deployments/<chain-id>.json`) and checks it belongs
    /// to the connected chain.
    pub async fn open(chain: Chain, path: Option<&Path>) -> Result<Self> {
        let path =
            path.map(Path::to_path_buf).unwrap_or_else(|| default_deployment_path(chain.chain_id));
        let dep = Deployment::load(&path)?;
        Self::from_deployment(chain, dep, &path).await
    }

    /// Checks `dep` against the connected chain and reads the immutable geometry.
    pub async fn from_deployment(chain: Chain, dep: Deployment, path: &Path) -> Result<Self> {
        if dep.chain_id != chain.chain_id {
            bail!(
                "the deployment file {} is for chain {} but {} is chain {}; pick the matching --deployment or --rpc-url",
                path.display(),
                dep.chain_id,
                chain.rpc_url,
                chain.chain_id
            );
        }
        let code = chain
            .provider
            .get_code_at(dep.network)
            .await
            .wrap_err("while checking the network contract")?;
        if code.is_empty() {
            bail!(
                "no contract at {} on {} (from {}); the chain was probably reset: run `provernet deploy` again",
                dep.network,
                chain.rpc_url,
                path.display()
            );
        }
        let network = ProverNetwork::new(dep.network, chain.provider.clone());
        let token = DevStakingToken::new(dep.token, chain.provider.clone());
        let geo = Geometry {
            genesis: network.genesisBlock().call().await?.to(),
            commit_blocks: network.commitBlocks().call().await?.to(),
            reveal_blocks: network.revealBlocks().call().await?.to(),
        };
        let units = Units { decimals: dep.token_decimals, symbol: dep.token_symbol.clone() };
        Ok(Self { chain, dep, network, token, units, geo })
    }

    /// Sends a call to the network through [`Chain::send`].
    pub async fn send<D: CallDecoder>(
        &self,
        what: &str,
        call: CallBuilder<&DynProvider, D>,
    ) -> Result<TransactionReceipt> {
        self.chain.send(what, &self.units, call).await
    }

    /// Checks the signer holds `amount` and approves the network for it if needed.
    pub async fn ensure_allowance(
        &self,
        owner: Address,
        amount: U256,
        purpose: &str,
    ) -> Result<()> {
        let balance =
            self.token.balanceOf(owner).call().await.wrap_err("while reading the token balance")?;
        if balance < amount {
            let hint = if self.dep.dev_token {
                format!("; mint test tokens with `provernet token mint --to {owner} --amount AMT`")
            } else {
                String::new()
            };
            bail!(
                "{purpose} needs {} but {owner} holds only {}{hint}",
                self.units.fmt(amount),
                self.units.fmt(balance)
            );
        }
        let allowance = self.token.allowance(owner, self.dep.network).call().await?;
        if allowance < amount {
            self.send("approve", self.token.approve(self.dep.network, amount))
                .await
                .wrap_err("while approving the network to pull tokens")?;
        }
        Ok(())
    }
}
