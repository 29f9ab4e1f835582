//! A thin revm executor over the real bytecode from `provernet-bindings`.
//!
//! The harness crate has a richer chain (storage layout probes, invariant checks) that is still
//! being built; the simulation needs only deploy, execute, read logs and views, and must stay fast
//! and stable, so it keeps this small executor of its own. Same rules as the harness: Prague, chain
//! id 31337, zero gas price, no nonce checks (agents are not funded with ether).

use alloy::primitives::{Address, Bytes, Log, U256, keccak256};
use alloy::sol_types::{SolCall, SolConstructor};
use eyre::{Result, WrapErr, bail, eyre};
use provernet_bindings::{DevStakingToken, ErrorTable, InsecureDevVerifier, ProverNetwork};
use revm::context::result::ExecutionResult;
use revm::context::{BlockEnv, CfgEnv, Context, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::handler::{MainBuilder, MainnetContext, MainnetEvm};
use revm::primitives::TxKind;
use revm::{ExecuteCommitEvm, ExecuteEvm, MainContext};

pub use provernet_bindings::ProverNetwork::{Params, ProverNetworkEvents};

type Evm = MainnetEvm<MainnetContext<CacheDB<EmptyDB>>>;

/// Chain id of the simulated chain (proofs bind it).
pub const CHAIN_ID: u64 = 31_337;
const TX_GAS_LIMIT: u64 = 30_000_000;

/// What one transaction did.
#[derive(Debug)]
pub struct Outcome {
    /// Gas used.
    pub gas: u64,
    /// Logs (empty if it reverted).
    pub logs: Vec<Log>,
    /// The decoded revert, if any.
    pub revert: Option<String>,
}

/// Decodes revert data into the custom error's name, fields and sentence (the bindings' ABI table).
pub fn decode_revert(data: &[u8]) -> String {
    ErrorTable::shared().describe(data)
}

/// A deterministic address for a named role.
pub fn named_address(name: &str) -> Address {
    Address::from_word(keccak256(format!("provernet.sim.{name}")))
}

/// The deployed suite in one revm instance.
pub struct Chain {
    evm: Evm,
    /// The ProverNetwork.
    pub network: Address,
    /// The staking and fee token.
    pub token: Address,
    /// Governance.
    pub owner: Address,
    block: u64,
}

impl Chain {
    /// Deploys token, verifier and network (genesis at `genesis`) with these epoch phases and params.
    pub fn deploy(
        genesis: u64,
        commit_blocks: u64,
        reveal_blocks: u64,
        params: Params,
    ) -> Result<Self> {
        let mut cfg = CfgEnv::default();
        cfg.chain_id = CHAIN_ID;
        cfg.disable_nonce_check = true;
        cfg.tx_gas_limit_cap = Some(u64::MAX);
        // The network's runtime code may exceed EIP-170 while the contracts are being slimmed (the
        // harness reports its size); the simulation studies the mechanism, so it accepts it.
        cfg.limit_contract_code_size = Some(usize::MAX);
        cfg.spec = revm::primitives::hardfork::SpecId::PRAGUE;
        let ctx: MainnetContext<CacheDB<EmptyDB>> = Context::mainnet()
            .with_db(CacheDB::<EmptyDB>::default())
            .with_cfg(cfg)
            .modify_block_chained(|b: &mut BlockEnv| {
                b.gas_limit = u64::MAX;
                b.basefee = 0;
            });
        let mut chain = Self {
            evm: ctx.build_mainnet(),
            network: Address::ZERO,
            token: Address::ZERO,
            owner: named_address("governance"),
            block: 0,
        };
        chain.set_block(genesis);
        let deployer = named_address("deployer");
        chain.token = chain
            .create(deployer, DevStakingToken::BYTECODE.to_vec())
            .wrap_err("while deploying the token")?;
        let verifier = chain
            .create(deployer, InsecureDevVerifier::BYTECODE.to_vec())
            .wrap_err("while deploying the verifier")?;
        let ctor = ProverNetwork::constructorCall {
            token_: chain.token,
            verifier_: verifier,
            owner_: chain.owner,
            commitBlocks_: U256::from(commit_blocks),
            revealBlocks_: U256::from(reveal_blocks),
            params_: params,
        };
        let mut code = ProverNetwork::BYTECODE.to_vec();
        code.extend_from_slice(&ctor.abi_encode());
        chain.network = chain
            .create(deployer, code)
            .wrap_err("the contract rejected the scenario's parameters")?;
        Ok(chain)
    }

    fn create(&mut self, from: Address, code: Vec<u8>) -> Result<Address> {
        let tx = tx(from, TxKind::Create, code.into());
        match self
            .evm
            .transact_commit(tx)
            .map_err(|e| eyre!("revm rejected a deployment: {e:?}"))?
        {
            ExecutionResult::Success { output, .. } => {
                output.address().copied().ok_or_else(|| eyre!("deployment returned no address"))
            }
            ExecutionResult::Revert { output, .. } => {
                bail!("deployment reverted: {}", decode_revert(&output))
            }
            ExecutionResult::Halt { reason, .. } => bail!("deployment halted: {reason:?}"),
        }
    }

    /// The current block.
    pub fn block(&self) -> u64 {
        self.block
    }

    /// Moves to block `number` (12 s per block).
    pub fn set_block(&mut self, number: u64) {
        self.block = number;
        self.evm.ctx.modify_block(|b| {
            b.number = U256::from(number);
            b.timestamp = U256::from(number * 12);
        });
    }

    /// Executes and commits a typed call.
    pub fn exec<C: SolCall>(&mut self, from: Address, to: Address, call: &C) -> Result<Outcome> {
        let tx = tx(from, TxKind::Call(to), call.abi_encode().into());
        let result = self
            .evm
            .transact_commit(tx)
            .map_err(|e| eyre!("revm rejected a transaction: {e:?}"))?;
        let gas = result.tx_gas_used();
        Ok(match result {
            ExecutionResult::Success { logs, .. } => Outcome { gas, logs, revert: None },
            ExecutionResult::Revert { output, .. } => {
                Outcome { gas, logs: Vec::new(), revert: Some(decode_revert(&output)) }
            }
            ExecutionResult::Halt { reason, .. } => {
                Outcome { gas, logs: Vec::new(), revert: Some(format!("halted: {reason:?}")) }
            }
        })
    }

    /// Executes a typed call that must succeed (setup steps): a revert is an error naming `what`.
    pub fn must<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
        what: &str,
    ) -> Result<Outcome> {
        let out = self.exec(from, to, call)?;
        if let Some(r) = &out.revert {
            bail!("{what} reverted: {r}");
        }
        Ok(out)
    }

    /// Runs a typed read-only call.
    pub fn view<C: SolCall>(&mut self, to: Address, call: &C) -> Result<C::Return> {
        let tx = tx(Address::ZERO, TxKind::Call(to), call.abi_encode().into());
        let result =
            self.evm.transact(tx).map_err(|e| eyre!("revm rejected a view call: {e:?}"))?.result;
        match result {
            ExecutionResult::Success { output, .. } => C::abi_decode_returns(output.data())
                .wrap_err_with(|| format!("while decoding the return of {}", C::SIGNATURE)),
            ExecutionResult::Revert { output, .. } => {
                bail!("view {} reverted: {}", C::SIGNATURE, decode_revert(&output))
            }
            ExecutionResult::Halt { reason, .. } => {
                bail!("view {} halted: {reason:?}", C::SIGNATURE)
            }
        }
    }
}

fn tx(from: Address, kind: TxKind, data: Bytes) -> TxEnv {
    TxEnv {
        caller: from,
        kind,
        data,
        gas_limit: TX_GAS_LIMIT,
        gas_price: 0,
        chain_id: Some(CHAIN_ID),
        ..Default::default()
    }
}
