//! The in-memory chain: one revm instance with the suite deployed, driven one transaction at a time.
//!
//! It knows how to deploy the contracts, advance blocks, execute a transaction (and report which
//! storage slots it changed), run read-only calls and read or write raw storage. It knows nothing
//! about actors, agents or invariants.

use alloy::primitives::{Address, B256, Bytes, U256, keccak256};
use alloy::sol_types::{SolCall, SolConstructor};
use eyre::{Result, WrapErr, bail, eyre};
use provernet_bindings::ProverNetwork;
use revm::context::result::ExecutionResult;
use revm::context::{BlockEnv, CfgEnv, Context, TxEnv};
use revm::database::{CacheDB, DbAccount, EmptyDB};
use revm::handler::{MainBuilder, MainnetContext, MainnetEvm};
use revm::primitives::TxKind;
use revm::{ExecuteCommitEvm, ExecuteEvm, MainContext};

use crate::deploy::{Addresses, Contracts, EIP170_LIMIT, Genesis};
use crate::epochs::Epochs;
use crate::names::{BLOCK_TIME, CHAIN_ID};
use crate::outcome::Outcome;
use crate::revert::decode_revert;

/// Mainnet rules over an in-memory database.
type Evm = MainnetEvm<MainnetContext<CacheDB<EmptyDB>>>;

/// Gas limit of every transaction.
const TX_GAS_LIMIT: u64 = 30_000_000;

/// The chain: one revm instance with the suite deployed.
pub struct Chain {
    evm: Evm,
    block: u64,
    /// Addresses of the deployed contracts.
    pub addrs: Addresses,
    /// The network's epoch clock.
    pub epochs: Epochs,
    /// Size of the network's runtime code in bytes.
    pub code_size: usize,
}

impl Clone for Chain {
    /// A copy of the whole state (database and block): campaigns fork the genesis chain.
    fn clone(&self) -> Self {
        let mut evm = empty_evm(self.evm.ctx.journaled_state.database.clone());
        evm.ctx.block = self.evm.ctx.block.clone();
        Self {
            evm,
            block: self.block,
            addrs: self.addrs,
            epochs: self.epochs,
            code_size: self.code_size,
        }
    }
}

/// The `block.prevrandao` of block `number` on this chain: keccak256 of the number, a stand-in for
/// the beacon chain's RANDAO mix (unpredictable to a contract, reproducible for a reference model).
pub fn prevrandao(number: u64) -> B256 {
    keccak256(U256::from(number).to_be_bytes::<32>())
}

fn empty_evm(db: CacheDB<EmptyDB>) -> Evm {
    let mut cfg = CfgEnv::default();
    cfg.chain_id = CHAIN_ID;
    // Actors are not funded with ether and their transactions carry no nonce bookkeeping: the
    // programs on this chain are about the contracts' logic, not about transaction validity.
    cfg.disable_nonce_check = true;
    // Gas is priced at zero and the base fee is zero, so no actor needs ether.
    cfg.tx_gas_limit_cap = Some(u64::MAX);
    cfg.spec = revm::primitives::hardfork::SpecId::PRAGUE; // foundry.toml's evm_version
    let ctx: MainnetContext<CacheDB<EmptyDB>> =
        Context::mainnet().with_db(db).with_cfg(cfg).modify_block_chained(|b: &mut BlockEnv| {
            b.gas_limit = u64::MAX;
            b.basefee = 0;
        });
    ctx.build_mainnet()
}

fn tx(from: Address, kind: TxKind, data: Bytes) -> TxEnv {
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

impl Chain {
    /// Deploys token, verifier and network at `genesis.epochs.genesis_block`, from
    /// `names.address("deployer")`, owned by `names.address("governance")`. No batch source is
    /// authorised yet.
    pub fn deploy(contracts: &Contracts, genesis: &Genesis) -> Result<Self> {
        let mut chain = Self {
            evm: empty_evm(CacheDB::<EmptyDB>::default()),
            block: 0,
            addrs: Addresses {
                network: Address::ZERO,
                token: Address::ZERO,
                verifier: Address::ZERO,
                owner: genesis.names.address("governance"),
                deployer: genesis.names.address("deployer"),
            },
            epochs: genesis.epochs,
            code_size: 0,
        };
        chain.set_block(genesis.epochs.genesis_block);
        let deployer = chain.addrs.deployer;
        chain.addrs.token = chain
            .create(deployer, contracts.token.clone())
            .wrap_err("while deploying the token")?;
        chain.addrs.verifier = chain
            .create(deployer, contracts.verifier.clone())
            .wrap_err("while deploying the verifier")?;
        let ctor = ProverNetwork::constructorCall {
            token_: chain.addrs.token,
            verifier_: chain.addrs.verifier,
            owner_: chain.addrs.owner,
            commitBlocks_: U256::from(genesis.epochs.commit_blocks),
            revealBlocks_: U256::from(genesis.epochs.reveal_blocks),
            slotBlocks_: U256::from(genesis.epochs.slot_blocks),
            params_: genesis.params.clone(),
        };
        let mut code = contracts.network.to_vec();
        code.extend_from_slice(&ctor.abi_encode());
        if !contracts.size_limits {
            chain.evm.ctx.cfg.limit_contract_code_size = Some(usize::MAX / 2);
        }
        let network = chain.create(deployer, code.into());
        chain.evm.ctx.cfg.limit_contract_code_size = None;
        chain.addrs.network = network.wrap_err("while deploying the ProverNetwork")?;
        chain.code_size = chain.code_size_of(chain.addrs.network);
        Ok(chain)
    }

    /// Deploys `code` (creation code with any constructor arguments appended) from `from`.
    pub fn create(&mut self, from: Address, code: Bytes) -> Result<Address> {
        let result = self
            .evm
            .transact_commit(tx(from, TxKind::Create, code))
            .map_err(|e| eyre!("revm rejected a deployment: {e:?}"))?;
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

    /// Size of the runtime code at `address` (zero for an account without code).
    pub fn code_size_of(&self, address: Address) -> usize {
        self.account(address)
            .and_then(|a| a.info.code.as_ref().map(|c| c.original_byte_slice().len()))
            .unwrap_or_default()
    }

    /// The current block number.
    pub fn block(&self) -> u64 {
        self.block
    }

    /// Moves the chain to block `number` (the timestamp follows at [`BLOCK_TIME`] seconds a block,
    /// `prevrandao` is [`prevrandao`] of the number). Block hashes come from the in-memory database
    /// (deterministic, non-zero, as BLOCKHASH needs).
    pub fn set_block(&mut self, number: u64) {
        self.block = number;
        self.evm.ctx.modify_block(|b| {
            b.number = U256::from(number);
            b.timestamp = U256::from(number * BLOCK_TIME);
            b.prevrandao = Some(prevrandao(number));
        });
    }

    /// The epoch at the current block.
    pub fn current_epoch(&self) -> u64 {
        self.epochs.at(self.block)
    }

    /// True while the current block is in its epoch's commit phase.
    pub fn in_commit_phase(&self) -> bool {
        self.epochs.in_commit_phase(self.block)
    }

    /// Executes and commits raw calldata from `from` to `to`.
    pub fn exec_raw(&mut self, from: Address, to: Address, data: Bytes) -> Result<Outcome> {
        let result = self
            .evm
            .transact_commit(tx(from, TxKind::Call(to), data))
            .map_err(|e| eyre!("revm rejected a transaction: {e:?}"))?;
        Ok(Outcome::from_result(result))
    }

    /// Executes and commits raw calldata like [`Chain::exec_raw`], and also returns (in
    /// `changed`, cleared first) the storage slots of `to` whose value the transaction changed: a
    /// checker can re-read only what changed.
    pub fn exec_traced(
        &mut self,
        from: Address,
        to: Address,
        data: Bytes,
        changed: &mut Vec<U256>,
    ) -> Result<Outcome> {
        self.exec_watched(from, to, data, to, changed)
    }

    /// Like [`Chain::exec_traced`], reporting the changed storage slots of `watch` instead of
    /// `to` (a call routed through another contract, such as a timelock, to the one watched).
    pub fn exec_watched(
        &mut self,
        from: Address,
        to: Address,
        data: Bytes,
        watch: Address,
        changed: &mut Vec<U256>,
    ) -> Result<Outcome> {
        let done = self
            .evm
            .transact(tx(from, TxKind::Call(to), data))
            .map_err(|e| eyre!("revm rejected a transaction: {e:?}"))?;
        changed.clear();
        if let Some(account) = done.state.get(&watch) {
            changed.extend(account.storage.iter().filter(|(_, s)| s.is_changed()).map(|(k, _)| *k));
        }
        self.evm.commit(done.state);
        Ok(Outcome::from_result(done.result))
    }

    /// Executes and commits a typed call.
    pub fn exec<C: SolCall>(&mut self, from: Address, to: Address, call: &C) -> Result<Outcome> {
        self.exec_raw(from, to, call.abi_encode().into())
    }

    /// Executes a typed call that must succeed (setup steps): a revert is an error naming `what`
    /// and the decoded custom error.
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

    /// Runs a typed call without committing anything and decodes its return value.
    pub fn view<C: SolCall>(&mut self, to: Address, call: &C) -> Result<C::Return> {
        let result = self
            .evm
            .transact(tx(Address::ZERO, TxKind::Call(to), call.abi_encode().into()))
            .map_err(|e| eyre!("revm rejected a view call: {e:?}"))?
            .result;
        let out = Outcome::from_result(result);
        if let Some(r) = out.revert {
            bail!("view call {} reverted: {r}", C::SIGNATURE);
        }
        C::abi_decode_returns(&out.output)
            .wrap_err_with(|| format!("while decoding the return of {}", C::SIGNATURE))
    }

    /// Reads one storage word straight from the database (zero if never written).
    pub fn storage(&self, address: Address, slot: U256) -> U256 {
        self.account(address).and_then(|a| a.storage.get(&slot).copied()).unwrap_or_default()
    }

    /// `N` consecutive storage words of `address` from slot `base`, with one account lookup (a
    /// struct read: checkers run this many times per transaction).
    pub fn storage_words<const N: usize>(&self, address: Address, base: U256) -> [U256; N] {
        let mut out = [U256::ZERO; N];
        if let Some(account) = self.account(address) {
            for (k, w) in out.iter_mut().enumerate() {
                *w = account.storage.get(&(base + U256::from(k))).copied().unwrap_or_default();
            }
        }
        out
    }

    /// `address`'s account as the in-memory database holds it (every committed state lives there,
    /// so reads need no journal).
    fn account(&self, address: Address) -> Option<&DbAccount> {
        self.evm.ctx.journaled_state.database.cache.accounts.get(&address)
    }

    /// Writes one storage word directly, bypassing the contracts (storage-layout probes).
    pub fn set_storage(&mut self, address: Address, slot: U256, value: U256) {
        let db = &mut self.evm.ctx.journaled_state.database;
        // The in-memory database cannot fail.
        let _ = db.insert_account_storage(address, slot, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provernet_bindings::ProverNetwork as P;

    #[test]
    fn the_real_suite_deploys_under_eip170_and_answers_views() {
        let g = Genesis::default();
        let mut chain = Chain::deploy(&Contracts::real(), &g).expect("deploys");
        assert!(chain.code_size > 0 && chain.code_size <= EIP170_LIMIT, "{}", chain.code_size);
        assert_eq!(chain.block(), 1000);
        let owner = chain.view(chain.addrs.network, &P::ownerCall {}).expect("owner");
        assert_eq!(owner, g.names.address("governance"));
        let params = chain.view(chain.addrs.network, &P::paramsCall {}).expect("params");
        assert_eq!(params, g.params);
    }

    #[test]
    fn a_revert_is_decoded_and_changes_nothing() {
        let mut chain = Chain::deploy(&Contracts::real(), &Genesis::default()).expect("deploys");
        let net = chain.addrs.network;
        let who = Address::with_last_byte(7);
        let mut changed = vec![U256::from(99)];
        let out = chain
            .exec_traced(who, net, P::withdrawCall {}.abi_encode().into(), &mut changed)
            .expect("executes");
        let revert = out.revert.expect("an unregistered withdraw reverts");
        assert!(!revert.name.is_empty() && revert.name != "Unknown", "{revert:?}");
        assert!(changed.is_empty(), "{changed:?}");
        let err = chain.must(who, net, &P::withdrawCall {}, "withdraw").unwrap_err().to_string();
        assert!(err.starts_with("withdraw reverted: "), "{err}");
    }

    #[test]
    fn blocks_move_time_and_epochs() {
        let mut chain = Chain::deploy(&Contracts::real(), &Genesis::default()).expect("deploys");
        chain.set_block(1015);
        assert_eq!((chain.current_epoch(), chain.in_commit_phase()), (1, true));
        chain.set_block(1025);
        assert!(!chain.in_commit_phase());
        let copy = chain.clone();
        assert_eq!(copy.block(), 1025);
        assert_eq!(
            copy.storage(copy.addrs.network, U256::from(2)),
            chain.storage(chain.addrs.network, U256::from(2))
        );
    }

    #[test]
    fn storage_writes_are_read_back_word_by_word() {
        let mut chain = Chain::deploy(&Contracts::real(), &Genesis::default()).expect("deploys");
        let a = Address::with_last_byte(9);
        chain.set_storage(a, U256::from(5), U256::from(42));
        assert_eq!(chain.storage(a, U256::from(5)), U256::from(42));
        assert_eq!(chain.storage_words::<2>(a, U256::from(4)), [U256::ZERO, U256::from(42)]);
    }
}
