//! Connection to a node and the one path every transaction takes: simulate, (refuse a duplicate of
//! a pending transaction), send, say the hash at once, await the receipt with a timeout, fail on a
//! reverted receipt.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use alloy::{
    contract::{CallBuilder, CallDecoder},
    eips::BlockId,
    network::EthereumWallet,
    primitives::{Address, TxHash},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
    transports::http::reqwest::Url,
};
use eyre::{Result, WrapErr};

use crate::{
    amount::Units,
    exit::{self, Code, DryRun, NotSent},
    pending::{Journal, Sent},
    revert,
};

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
    /// How transactions are sent (the command line's transaction options).
    pub tx: TxOptions,
    /// The nonce the next transaction uses when `--nonce` was given (later ones count up).
    next_nonce: Arc<Mutex<Option<u64>>>,
}

/// The transaction options of one-shot commands (`--nonce`, `--gas-price`, `--dry-run`, ...).
/// The defaults are what agents use: node-filled nonce and fees, no journal, no announcements.
#[derive(Debug, Clone, Default)]
pub struct TxOptions {
    /// Nonce of the first transaction (`--nonce`); replaces a pending one with that nonce.
    pub nonce: Option<u64>,
    /// Max fee per gas in wei (`--gas-price`).
    pub gas_price: Option<u128>,
    /// Max priority fee per gas in wei (`--priority-gas-price`).
    pub priority_gas_price: Option<u128>,
    /// Simulate and estimate only (`--dry-run`).
    pub dry_run: bool,
    /// Approve the maximum allowance instead of the amount needed (`--approve-max`).
    pub approve_max: bool,
    /// Print each transaction's hash on stderr as soon as it is sent.
    pub announce: bool,
    /// Record sent transactions and refuse to send one of a kind that is still pending.
    pub journal: Option<Journal>,
}

impl Chain {
    /// Connects to `rpc_url` and checks that it answers.
    pub async fn connect(
        rpc_url: &str,
        signer: Option<PrivateKeySigner>,
        tx_timeout: Duration,
    ) -> Result<Self> {
        let url: Url = rpc_url.parse().map_err(|e| {
            exit::input(format!(
                "--rpc-url {rpc_url:?} is not a valid URL ({e}); e.g. http://127.0.0.1:8545"
            ))
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
            .map_err(|_| {
                exit::err(
                    Code::Connection,
                    format!("the RPC endpoint {rpc_url} did not answer within {CONNECT_TIMEOUT:?}"),
                )
            })?
            .map_err(|e| {
                exit::err(
                    Code::Connection,
                    format!(
                        "cannot reach the RPC endpoint {rpc_url} ({e}); is the node (e.g. anvil) running? \
                         Set --rpc-url or ETH_RPC_URL"
                    ),
                )
            })?;
        Ok(Self {
            provider,
            rpc_url: rpc_url.to_string(),
            chain_id,
            signer: address,
            tx_timeout,
            tx: TxOptions::default(),
            next_nonce: Arc::new(Mutex::new(None)),
        })
    }

    /// Sets the transaction options.
    #[must_use]
    pub fn with_tx_options(mut self, tx: TxOptions) -> Self {
        *self.next_nonce.lock().expect("nonce lock") = tx.nonce;
        self.tx = tx;
        self
    }

    /// The signer's address, or an error telling how to give one.
    pub fn signer(&self) -> Result<Address> {
        self.signer.ok_or_else(|| {
            exit::input(
                "this command sends transactions and needs a signer: give --private-key (or \
                 PROVERNET_PRIVATE_KEY), --account NAME, or --keystore PATH",
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

    /// Simulates `call` against the pending block, sends it only if the simulation passes (and no
    /// transaction of the same kind from this signer is pending), awaits its receipt with the
    /// timeout, and fails on a reverted receipt. `what` names the action in messages and in the
    /// journal ("register").
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
        if self.tx.dry_run {
            let req = call.into_transaction_request();
            return Err(eyre::Report::new(DryRun {
                what: what.to_string(),
                to: req.to.and_then(|k| k.to().copied()),
                calldata: req.input.into_input().unwrap_or_default(),
                gas,
            }));
        }
        // Headroom over the estimate: state can shift a little between simulation and inclusion.
        let mut call = call.gas(gas.saturating_mul(13) / 10 + 10_000);
        let nonce = self.choose_nonce(what).await?;
        if let Some(n) = nonce {
            call = call.nonce(n);
        }
        if let Some(max_fee) = self.tx.gas_price {
            let tip = match self.tx.priority_gas_price {
                Some(t) => t,
                None => self.provider.get_max_priority_fee_per_gas().await?.min(max_fee),
            };
            call = call.max_fee_per_gas(max_fee).max_priority_fee_per_gas(tip);
        } else if let Some(tip) = self.tx.priority_gas_price {
            let base = self.provider.get_gas_price().await?;
            call = call.max_fee_per_gas(base.saturating_mul(2) + tip).max_priority_fee_per_gas(tip);
        }
        let pending = call
            .send()
            .await
            .map_err(|e| explain(what, units, e))
            .wrap_err_with(|| format!("while sending {what}"))?;
        let hash = *pending.tx_hash();
        tracing::debug!(%hash, what, "sent");
        if self.tx.announce {
            // Said at once, so after Ctrl-C or a timeout the user knows what is in flight.
            eprintln!("sent {what}: {hash:#x}; waiting for its receipt");
        }
        if let (Some(j), Some(n)) = (&self.tx.journal, nonce) {
            let mined = self.mined_nonce().await.unwrap_or(n);
            if let Err(e) = j.record(Sent { kind: what.to_string(), hash, nonce: n }, mined) {
                tracing::warn!(error = %e, "cannot record the sent transaction");
            }
        }
        let receipt = self.await_receipt(what, hash).await?;
        if !receipt.status() {
            return Err(exit::err(
                Code::Revert,
                format!(
                    "{what} was mined in block {} but reverted (tx {hash}); the chain state changed after the \
                     simulation (e.g. another prover won a race)",
                    receipt.block_number.unwrap_or_default()
                ),
            ));
        }
        Ok(receipt)
    }

    /// The signer's latest (mined) nonce.
    async fn mined_nonce(&self) -> Result<u64> {
        let me = self.signer()?;
        Ok(self.provider.get_transaction_count(me).latest().await?)
    }

    /// The nonce to send with: `--nonce` (counting up over a command's transactions), else, when
    /// the journal is kept, the pending nonce after refusing a duplicate of a pending transaction
    /// of the same kind; else none (the node's filler picks it).
    async fn choose_nonce(&self, what: &str) -> Result<Option<u64>> {
        {
            let mut next = self.next_nonce.lock().expect("nonce lock");
            if let Some(n) = *next {
                *next = Some(n + 1);
                return Ok(Some(n));
            }
        }
        let Some(journal) = &self.tx.journal else { return Ok(None) };
        let me = self.signer()?;
        let mined = self.provider.get_transaction_count(me).latest().await?;
        let pending = self.provider.get_transaction_count(me).pending().await?;
        if pending > mined
            && let Some(s) = journal.pending_of_kind(what, mined)?
            && self
                .provider
                .get_transaction_by_hash(s.hash)
                .await?
                .is_some_and(|t| t.block_number.is_none())
        {
            return Err(exit::err(
                Code::Pending,
                format!(
                    "a {what} from {me} is still pending (tx {:#x}, nonce {}); nothing was sent. Wait for it \
                     (`cast receipt {:#x}`), or replace it with `--nonce {} --gas-price WEI` above its fee",
                    s.hash, s.nonce, s.hash, s.nonce
                ),
            ));
        }
        Ok(Some(pending))
    }
}

/// Marks a pre-flight refusal (checked before anything was sent) as [`NotSent`].
pub fn refused(e: eyre::Report) -> eyre::Report {
    if was_not_sent(&e) {
        return e;
    }
    let code = match exit::code_of(&e) {
        Code::Failure => Code::State,
        c => c,
    };
    eyre::Report::new(NotSent { message: format!("{e:#}"), error: None, code })
}

/// True when `e` (or any error it wraps) says the transaction was not sent.
pub fn was_not_sent(e: &eyre::Report) -> bool {
    e.chain().any(|c| c.downcast_ref::<NotSent>().is_some())
}

impl Chain {
    /// Polls for the receipt of `hash` until the timeout. Polling by hand (rather than alloy's
    /// block heartbeat) keeps working across an endpoint restart: each poll is a fresh request,
    /// and a failed poll is retried, not fatal.
    pub async fn await_receipt(&self, what: &str, hash: TxHash) -> Result<TransactionReceipt> {
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
                return Err(exit::err(
                    Code::Timeout,
                    format!(
                        "no receipt for {what} ({hash}) within {:?}{why}; it may still be mined: check with \
                         `cast receipt {hash}` before retrying",
                        self.tx_timeout
                    ),
                ));
            }
            tokio::time::sleep(RECEIPT_POLL).await;
        }
    }
}

/// How often a pending transaction's receipt is polled.
const RECEIPT_POLL: Duration = Duration::from_millis(200);

/// A refusal found by the CLI's own checks, worded as the revert the contract would give: the
/// custom error decoded (`Name(field: value, ...)`, its sentence and hint) as [`explain`] words a
/// simulated revert, with exit `code` ([`Code::Input`] for a bad value, [`Code::State`] for a state
/// that does not allow it), and `then` (what to run next, or empty) after it. Nothing is sent.
pub fn would_revert<E: alloy::sol_types::SolError>(
    what: &str,
    units: &Units,
    error: &E,
    code: Code,
    then: &str,
) -> eyre::Report {
    let data = error.abi_encode();
    let (mut message, error) = match revert::decode(&data, units) {
        Some(dec) => (
            format!("{what} would revert with {}: {}. Nothing was sent.", dec.error, dec.sentence),
            Some(dec.error),
        ),
        None => (format!("{what} would revert ({}). Nothing was sent.", E::SIGNATURE), None),
    };
    if !then.is_empty() {
        message += &format!(" {then}");
    }
    eyre::Report::new(NotSent { message, error, code })
}

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
                code: Code::Revert,
            });
        }
        return eyre::Report::new(NotSent {
            message: format!(
                "{what} would revert (undecoded revert data {data}). Nothing was sent."
            ),
            error: None,
            code: Code::Revert,
        });
    }
    eyre::Report::new(err).wrap_err(format!("{what} failed"))
}
