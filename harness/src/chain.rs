//! The in-memory chain: deploys the provernet suite into revm and executes typed calls.
//!
//! This module is the reusable core shared by the fuzzer and the agent simulation: it knows how to
//! deploy the contracts (the same bytecode as `provernet-bindings`, or a test variant), advance
//! blocks, execute one transaction, decode its logs and revert reason, and run read-only calls.
//! It knows nothing about actors or invariants.

use alloy::primitives::{Address, B256, Bytes, Log, U256, keccak256};
use alloy::sol_types::{SolCall, SolError, SolEventInterface, SolInterface};
use eyre::{Result, WrapErr, bail, eyre};
use provernet_bindings::{DevStakingToken, InsecureDevVerifier, ProverNetwork};
use revm::context::result::ExecutionResult;
use revm::context::{BlockEnv, CfgEnv, Context, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::handler::{MainBuilder, MainnetContext, MainnetEvm};
use revm::primitives::TxKind;
use revm::{ExecuteCommitEvm, ExecuteEvm, MainContext};

pub use provernet_bindings::ProverNetwork::{Params, ProverNetworkErrors, ProverNetworkEvents};

/// The revm instance the harness drives: mainnet rules over an in-memory database.
pub type Evm = MainnetEvm<MainnetContext<CacheDB<EmptyDB>>>;

/// Chain id the harness runs under (proofs bind it).
pub const CHAIN_ID: u64 = 31_337;
/// Seconds per block, so `block.timestamp` advances like a real chain's.
pub const BLOCK_TIME: u64 = 12;
/// Gas limit of every harness transaction.
const TX_GAS_LIMIT: u64 = 30_000_000;

/// Which staking token the suite is deployed with.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum TokenKind {
    /// The plain development ERC-20 (`DevStakingToken`).
    #[default]
    Dev,
    /// `HostileToken` (harness/solidity): takes a 1% fee on transfers into the network and tries to
    /// re-enter the network on every transfer.
    Hostile,
}

/// Bytecode to deploy: the real contracts unless a test swaps one in (mutants, hostile token).
#[derive(Clone, Debug)]
pub struct Suite {
    /// Creation code of the network.
    pub network_code: Bytes,
    /// Creation code of the token; it must have `mint(address,uint256)` and OZ ERC20 storage.
    pub token_code: Bytes,
    /// Which token `token_code` is.
    pub token: TokenKind,
}

impl Suite {
    /// The deployed contracts, exactly as `provernet-bindings` embeds them.
    pub fn real() -> Self {
        Self {
            network_code: ProverNetwork::BYTECODE.clone(),
            token_code: DevStakingToken::BYTECODE.clone(),
            token: TokenKind::Dev,
        }
    }
}

/// Deployment settings of the network under test.
#[derive(Clone, Debug)]
pub struct Config {
    /// Commit phase length in blocks.
    pub commit_blocks: u64,
    /// Reveal phase length in blocks.
    pub reveal_blocks: u64,
    /// Initial parameters.
    pub params: Params,
    /// Block at which the network is deployed (its genesis block).
    pub genesis_block: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self { commit_blocks: 10, reveal_blocks: 5, params: default_params(), genesis_block: 1000 }
    }
}

/// EIP-170's limit on runtime code size: what Ethereum mainnet and most L2s accept.
pub const EIP170_LIMIT: usize = 24_576;

/// One token unit with 18 decimals.
pub const UNIT: u128 = 1_000_000_000_000_000_000;

/// The parameters the harness starts from (the same as the Foundry fixture's).
pub fn default_params() -> Params {
    Params {
        minStake: alloy::primitives::aliases::U96::from(100 * UNIT),
        maxWeightStake: alloy::primitives::aliases::U96::from(10_000 * UNIT),
        provingWindow: 20,
        raceWindow: 10,
        unbondingDelay: 100,
        repHalfLife: 1000,
        slashBps: 1000,
        nonRevealSlashBps: 100,
        burnBps: 5000,
        bountyBps: 3000,
        repInitial: 5000,
        repGain: 100,
        repMissPenalty: 1500,
        repNoRevealPenalty: 300,
    }
}

/// What one transaction did.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Gas used.
    pub gas: u64,
    /// Logs (empty if it reverted).
    pub logs: Vec<Log>,
    /// Return data on success.
    pub output: Bytes,
    /// The decoded revert reason, if it reverted or halted.
    pub revert: Option<Revert>,
}

impl Outcome {
    /// True if the transaction succeeded.
    pub fn success(&self) -> bool {
        self.revert.is_none()
    }

    /// The network's events among the logs, decoded (logs of other contracts are skipped).
    pub fn network_events(&self, network: Address) -> Vec<ProverNetworkEvents> {
        self.logs
            .iter()
            .filter(|l| l.address == network)
            .filter_map(|l| ProverNetworkEvents::decode_log(l).ok().map(|d| d.data))
            .collect()
    }
}

/// A decoded revert reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revert {
    /// The custom error's name (`WrongPhase`), `Error`, `Panic`, `Halt` or `Unknown`.
    pub name: String,
    /// The error with its fields, for people.
    pub detail: String,
}

impl std::fmt::Display for Revert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

/// Decodes revert data into the custom error that explains it.
pub fn decode_revert(data: &[u8]) -> Revert {
    if let Ok(e) = ProverNetworkErrors::abi_decode(data) {
        let detail = format!("{e:?}");
        let name =
            ProverNetworkErrors::name_by_selector(e.selector()).unwrap_or("Unknown").to_string();
        return Revert { name, detail };
    }
    if let Ok(e) = DevStakingToken::DevStakingTokenErrors::abi_decode(data) {
        let detail = format!("{e:?}");
        let name = DevStakingToken::DevStakingTokenErrors::name_by_selector(e.selector())
            .unwrap_or("Unknown")
            .to_string();
        return Revert { name, detail };
    }
    if let Ok(s) = alloy::sol_types::Revert::abi_decode(data) {
        return Revert { name: "Error".into(), detail: format!("Error({:?})", s.reason) };
    }
    if let Ok(p) = alloy::sol_types::Panic::abi_decode(data) {
        return Revert { name: "Panic".into(), detail: format!("Panic({})", p.code) };
    }
    if data.len() >= 4 {
        let name = format!("Unknown(0x{})", alloy::hex::encode(&data[..4]));
        return Revert { detail: format!("{name} {}", alloy::hex::encode(data)), name };
    }
    Revert { name: "EmptyRevert".into(), detail: "revert without data".into() }
}

/// Addresses of the deployed suite.
#[derive(Clone, Copy, Debug)]
pub struct Addresses {
    /// The ProverNetwork.
    pub network: Address,
    /// The staking token.
    pub token: Address,
    /// The development verifier.
    pub verifier: Address,
    /// Governance (owner of the network).
    pub owner: Address,
    /// The deployer account.
    pub deployer: Address,
}

/// The chain: one revm instance with the suite deployed.
pub struct Chain {
    evm: Evm,
    /// Addresses of the deployed contracts.
    pub addrs: Addresses,
    /// Epoch geometry (immutable in the contract).
    pub commit_blocks: u64,
    /// Reveal phase length.
    pub reveal_blocks: u64,
    /// Genesis block of the network.
    pub genesis_block: u64,
    block: u64,
    /// Struct packing of the network's storage, discovered at deployment.
    pub layout: crate::state::Layout,
    /// Size of the network's runtime code in bytes.
    pub code_size: usize,
}

impl Clone for Chain {
    fn clone(&self) -> Self {
        let db = self.evm.ctx.journaled_state.database.clone();
        let mut fresh = Self::empty_evm(db);
        fresh.ctx.block = self.evm.ctx.block.clone();
        Self {
            evm: fresh,
            addrs: self.addrs,
            commit_blocks: self.commit_blocks,
            reveal_blocks: self.reveal_blocks,
            genesis_block: self.genesis_block,
            block: self.block,
            layout: self.layout.clone(),
            code_size: self.code_size,
        }
    }
}

/// A deterministic address for a named role (`keccak256("provernet.harness." + name)`).
pub fn named_address(name: &str) -> Address {
    Address::from_word(keccak256(format!("provernet.harness.{name}")))
}

impl Chain {
    fn empty_evm(db: CacheDB<EmptyDB>) -> Evm {
        let mut cfg = CfgEnv::default();
        cfg.chain_id = CHAIN_ID;
        // Actors are not funded with ether and their transactions carry no nonce bookkeeping: the
        // harness is about the contracts' logic, not about transaction validity.
        cfg.disable_nonce_check = true;
        // Gas is priced at zero and the base fee is zero, so no actor needs ether.
        cfg.tx_gas_limit_cap = Some(u64::MAX);
        cfg.spec = revm::primitives::hardfork::SpecId::PRAGUE; // foundry.toml's evm_version
        let ctx: MainnetContext<CacheDB<EmptyDB>> = Context::mainnet()
            .with_db(db)
            .with_cfg(cfg)
            .modify_block_chained(|b: &mut BlockEnv| {
                b.gas_limit = u64::MAX;
                b.basefee = 0;
            });
        ctx.build_mainnet()
    }

    /// Deploys token, verifier and network at `cfg.genesis_block` and authorises no batch source yet.
    pub fn deploy(suite: &Suite, cfg: &Config) -> Result<Self> {
        let mut chain = Self {
            evm: Self::empty_evm(CacheDB::<EmptyDB>::default()),
            addrs: Addresses {
                network: Address::ZERO,
                token: Address::ZERO,
                verifier: Address::ZERO,
                owner: named_address("governance"),
                deployer: named_address("deployer"),
            },
            commit_blocks: cfg.commit_blocks,
            reveal_blocks: cfg.reveal_blocks,
            genesis_block: cfg.genesis_block,
            block: 0,
            layout: crate::state::Layout::default(),
            code_size: 0,
        };
        chain.set_block(cfg.genesis_block);
        let deployer = chain.addrs.deployer;
        chain.addrs.token = chain
            .create(deployer, suite.token_code.clone())
            .wrap_err("while deploying the token")?;
        chain.addrs.verifier = chain
            .create(deployer, InsecureDevVerifier::BYTECODE.clone())
            .wrap_err("while deploying the verifier")?;
        let ctor = ProverNetwork::constructorCall {
            token_: chain.addrs.token,
            verifier_: chain.addrs.verifier,
            owner_: chain.addrs.owner,
            commitBlocks_: U256::from(cfg.commit_blocks),
            revealBlocks_: U256::from(cfg.reveal_blocks),
            params_: cfg.params.clone(),
        };
        let mut code = suite.network_code.to_vec();
        code.extend_from_slice(&alloy::sol_types::SolConstructor::abi_encode(&ctor));
        chain.addrs.network =
            chain.create(deployer, code.into()).wrap_err("while deploying the ProverNetwork")?;
        chain.code_size = chain
            .evm
            .ctx
            .journaled_state
            .database
            .cache
            .accounts
            .get(&chain.addrs.network)
            .and_then(|a| a.info.code.as_ref().map(|c| c.original_byte_slice().len()))
            .unwrap_or_default();
        chain.layout = crate::state::probe_layout(&mut chain)?;
        Ok(chain)
    }

    fn create(&mut self, from: Address, code: Bytes) -> Result<Address> {
        let tx = self.tx(from, TxKind::Create, code);
        let result =
            self.evm.transact_commit(tx).map_err(|e| eyre!("revm rejected a deployment: {e:?}"))?;
        match result {
            ExecutionResult::Success { output, .. } => {
                output.address().copied().ok_or_else(|| eyre!("deployment returned no address"))
            }
            ExecutionResult::Revert { output, .. } => {
                bail!("deployment reverted: {}", decode_revert(&output))
            }
            ExecutionResult::Halt { reason, .. } => bail!(
                "deployment halted: {reason:?} (CreateContractSizeLimit means the runtime code exceeds EIP-170's {EIP170_LIMIT} bytes, which mainnet refuses too)"
            ),
        }
    }

    fn tx(&self, from: Address, kind: TxKind, data: Bytes) -> TxEnv {
        TxEnv {
            caller: from,
            kind,
            data,
            gas_limit: TX_GAS_LIMIT,
            gas_price: 0,
            chain_id: Some(CHAIN_ID),
            ..TxEnv::default()
        }
    }

    /// The current block number.
    pub fn block(&self) -> u64 {
        self.block
    }

    /// Moves the chain to block `number` (timestamp follows at BLOCK_TIME seconds a block). Block
    /// hashes come from the in-memory database (deterministic, non-zero, as BLOCKHASH needs).
    pub fn set_block(&mut self, number: u64) {
        self.block = number;
        self.evm.ctx.modify_block(|b| {
            b.number = U256::from(number);
            b.timestamp = U256::from(number * BLOCK_TIME);
        });
    }

    /// Executes and commits raw calldata from `from` to `to`.
    pub fn exec_raw(&mut self, from: Address, to: Address, data: Bytes) -> Result<Outcome> {
        let tx = self.tx(from, TxKind::Call(to), data);
        let result = self
            .evm
            .transact_commit(tx)
            .map_err(|e| eyre!("revm rejected a transaction: {e:?}"))?;
        Ok(to_outcome(result))
    }

    /// Executes and commits raw calldata like `exec_raw`, and also returns (in `changed`) the
    /// network's storage slots whose value the transaction changed: the invariant checker re-reads
    /// only what changed.
    pub fn exec_traced(
        &mut self,
        from: Address,
        to: Address,
        data: Bytes,
        changed: &mut Vec<U256>,
    ) -> Result<Outcome> {
        let tx = self.tx(from, TxKind::Call(to), data);
        let done =
            self.evm.transact(tx).map_err(|e| eyre!("revm rejected a transaction: {e:?}"))?;
        changed.clear();
        if let Some(account) = done.state.get(&self.addrs.network) {
            changed.extend(account.storage.iter().filter(|(_, s)| s.is_changed()).map(|(k, _)| *k));
        }
        self.evm.commit(done.state);
        Ok(to_outcome(done.result))
    }

    /// Executes and commits a typed call.
    pub fn exec<C: SolCall>(&mut self, from: Address, to: Address, call: &C) -> Result<Outcome> {
        self.exec_raw(from, to, call.abi_encode().into())
    }

    /// Runs a typed call without committing anything and decodes its return value.
    pub fn view<C: SolCall>(&mut self, to: Address, call: &C) -> Result<C::Return> {
        let tx = self.tx(Address::ZERO, TxKind::Call(to), call.abi_encode().into());
        let result =
            self.evm.transact(tx).map_err(|e| eyre!("revm rejected a view call: {e:?}"))?.result;
        let out = to_outcome(result);
        if let Some(r) = out.revert {
            bail!("view call {} reverted: {r}", C::SIGNATURE);
        }
        C::abi_decode_returns(&out.output)
            .wrap_err_with(|| format!("while decoding the return of {}", C::SIGNATURE))
    }

    /// The network's storage map, for batched reads.
    pub(crate) fn network_storage(&self) -> Option<&revm::primitives::StorageKeyMap<U256>> {
        self.evm
            .ctx
            .journaled_state
            .database
            .cache
            .accounts
            .get(&self.addrs.network)
            .map(|a| &a.storage)
    }

    /// Reads one storage word straight from the database (zero if never written).
    pub fn storage(&self, address: Address, slot: U256) -> U256 {
        self.evm
            .ctx
            .journaled_state
            .database
            .cache
            .accounts
            .get(&address)
            .and_then(|a| a.storage.get(&slot).copied())
            .unwrap_or_default()
    }

    /// Writes one storage word directly (used by the layout probe, never during a campaign).
    pub fn set_storage(&mut self, address: Address, slot: U256, value: U256) {
        let db = &mut self.evm.ctx.journaled_state.database;
        // The in-memory database cannot fail.
        let _ = db.insert_account_storage(address, slot, value);
    }

    /// The hash the chain reports for block `number` (what BLOCKHASH returns inside the window).
    pub fn block_hash(&self, number: u64) -> B256 {
        keccak256(number.to_string().as_bytes())
    }
}

fn to_outcome(result: ExecutionResult) -> Outcome {
    let gas = result.tx_gas_used();
    match result {
        ExecutionResult::Success { logs, output, .. } => {
            Outcome { gas, logs, output: output.into_data(), revert: None }
        }
        ExecutionResult::Revert { output, .. } => Outcome {
            gas,
            logs: Vec::new(),
            output: Bytes::new(),
            revert: Some(decode_revert(&output)),
        },
        ExecutionResult::Halt { reason, .. } => Outcome {
            gas,
            logs: Vec::new(),
            output: Bytes::new(),
            revert: Some(Revert { name: "Halt".into(), detail: format!("halted: {reason:?}") }),
        },
    }
}
