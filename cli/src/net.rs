//! A connected chain plus an opened deployment: the contract handles, the token's units and the
//! epoch geometry every command reasons with.

use std::path::Path;

use alloy::{
    contract::{CallBuilder, CallDecoder},
    primitives::{Address, U256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionReceipt,
};
use eyre::{Result, WrapErr};
use provernet_bindings::{DevStakingToken, ProverNetwork};

use crate::{
    amount::Units,
    bail_input, bail_state,
    chain::Chain,
    deployment::{Deployment, default_deployment_path},
    exit,
};

/// Epoch geometry, fixed at deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Block of epoch 0's start.
    pub genesis: u64,
    /// Commit phase length.
    pub commit_blocks: u64,
    /// Reveal phase length.
    pub reveal_blocks: u64,
    /// Assignment slot length: every batch posted in a slot goes to the slot's prover.
    pub slot_blocks: u64,
}

/// The contract's assignment-key geometry (`Slots.KEYS_PER_SLOT`, `Slots.OPEN`), defined once in
/// the evm crate beside the epoch clock.
pub use provernet_evm::{KEYS_PER_SLOT, OPEN_DRAW};

/// One slot's place: its epoch, its index in the epoch and its blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotPlace {
    /// The slot's epoch.
    pub epoch: u64,
    /// Its index in the epoch.
    pub index: u64,
    /// Its first block.
    pub first_block: u64,
    /// Its last block (proving windows count from here).
    pub last_block: u64,
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
    /// The same geometry as the evm crate's epoch clock, which owns the slot arithmetic.
    fn epochs(&self) -> provernet_evm::Epochs {
        provernet_evm::Epochs {
            genesis_block: self.genesis,
            commit_blocks: self.commit_blocks,
            reveal_blocks: self.reveal_blocks,
            slot_blocks: self.slot_blocks,
        }
    }
    /// Slots per epoch (the last one may be shorter).
    pub fn slots_per_epoch(&self) -> u64 {
        self.epochs().slots_per_epoch()
    }
    /// Slot `index` of `epoch`.
    pub fn slot(&self, epoch: u64, index: u64) -> SlotPlace {
        let first_block = self.epoch_start(epoch) + index * self.slot_blocks;
        let s = self.epochs().slot_at(first_block);
        SlotPlace { epoch: s.epoch, index: s.index, first_block, last_block: s.last_block }
    }
    /// The slot `block` falls in.
    pub fn slot_at(&self, block: u64) -> SlotPlace {
        let s = self.epochs().slot_at(block.max(self.genesis));
        self.slot(s.epoch, s.index)
    }
    /// The slot and draw an assignment key names (`Slots.key`: global slot x KEYS_PER_SLOT +
    /// draw); the draw is [`OPEN_DRAW`] for a slot's open batches.
    pub fn slot_of_key(&self, key: u64) -> (SlotPlace, u64) {
        let global = key / KEYS_PER_SLOT;
        let per = self.slots_per_epoch();
        (self.slot(global / per, global % per), key % KEYS_PER_SLOT)
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
            bail_input!(
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
            bail_input!(
                "no contract at {} on {} (from {}); the chain was probably reset: run `provernet deploy` again",
                dep.network,
                chain.rpc_url,
                path.display()
            );
        }
        let network = ProverNetwork::new(dep.network, chain.provider.clone());
        let token = DevStakingToken::new(dep.token, chain.provider.clone());
        // A contract that does not answer the network's getters (the address in the file holds
        // another contract) is named as such, not reported as a raw "execution reverted".
        let not_network = |e: alloy::contract::Error| -> eyre::Report {
            if matches!(e, alloy::contract::Error::TransportError(ref t) if t.as_error_resp().is_none())
            {
                return eyre::Report::new(e).wrap_err("while reading the network's epoch geometry");
            }
            exit::input(format!(
                "the contract at {} (from {}) is not a ProverNetwork: it does not answer genesisBlock(); \
                 check --deployment and --rpc-url",
                dep.network,
                path.display()
            ))
        };
        let geo = Geometry {
            genesis: network.genesisBlock().call().await.map_err(not_network)?.to(),
            commit_blocks: network.commitBlocks().call().await.map_err(not_network)?.to(),
            reveal_blocks: network.revealBlocks().call().await.map_err(not_network)?.to(),
            slot_blocks: network.slotBlocks().call().await.map_err(not_network)?.to(),
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

    /// The prover the signer acts for: the prover that named it operator (`proverOfOperator`),
    /// else the signer itself. Commit, reveal and proofs sent by an operator count for its prover.
    pub async fn acting_prover(&self) -> Result<Address> {
        let me = self.chain.signer()?;
        let prover = self
            .network
            .proverOfOperator(me)
            .call()
            .await
            .wrap_err("while reading whom the signer operates for")?;
        Ok(if prover.is_zero() { me } else { prover })
    }

    /// Checks the signer holds `amount` and approves the network for it if needed.
    pub async fn ensure_allowance(
        &self,
        owner: Address,
        amount: U256,
        purpose: &str,
    ) -> Result<()> {
        self.ensure_allowance_to(self.dep.network, owner, amount, purpose).await
    }

    /// Checks the signer holds `amount` and approves `spender` (the network, a pool, the pool
    /// factory) for it if needed.
    pub async fn ensure_allowance_to(
        &self,
        spender: Address,
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
            bail_state!(
                "{purpose} needs {} but {owner} holds only {}{hint}",
                self.units.fmt(amount),
                self.units.fmt(balance)
            );
        }
        let allowance = self.token.allowance(owner, spender).call().await?;
        if allowance < amount {
            // `--approve-max` approves once for all later stakes and posts.
            let approve = if self.chain.tx.approve_max { U256::MAX } else { amount };
            self.send("approve", self.token.approve(spender, approve))
                .await
                .wrap_err("while approving the token to be pulled")?;
        }
        Ok(())
    }
}
