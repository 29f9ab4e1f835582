//! The world: the chain, the actors and the reference model, stepped one action at a time.
//!
//! `World::step` executes an action on the chain, applies the same action to the model (whose
//! rules check that the contract accepted only what they allow and refused only what they forbid
//! where liveness is at stake), then checks every state invariant against storage.

use std::collections::HashMap;

use alloy::primitives::{Address, Bytes, U256};
use eyre::{Result, WrapErr};
use provernet_bindings::{DevStakingToken, ProverNetwork};

use crate::action::Action;
use crate::actors::{self, Actor};
use crate::chain::{Chain, Genesis, Outcome, Suite, TokenKind, UNIT};
use crate::invariants::{self, Subject};
use crate::model::{self, Model, Observed};
use crate::slot_index::{Changed, SlotIndex};
use crate::violation::Violation;

/// What one step did, for coverage.
#[derive(Clone, Debug)]
pub struct StepReport {
    /// The decoded custom error if it reverted.
    pub revert: Option<String>,
    /// Lifecycle paths this step completed.
    pub paths: Vec<&'static str>,
    /// Gas used.
    pub gas: u64,
}

/// Tokens each actor starts with.
pub const FUNDING: u128 = 1_000_000_000 * UNIT;

/// Chain + actors + model.
pub struct World {
    /// The chain.
    pub chain: Chain,
    /// The actors (index = actor id in actions).
    pub actors: Vec<Actor>,
    /// The reference model.
    pub model: Model,
    /// Which token is deployed.
    pub token: TokenKind,
    /// The least timelock delay (seconds) the network accepts now (`governanceDelay()`, read
    /// after every governance change): what a hostile governance shortens its delay to.
    pub min_delay: u64,
    by_addr: HashMap<Address, u16>,
    index: SlotIndex,
    /// Scratch buffers of `step`, kept to avoid an allocation per action.
    changed_slots: Vec<U256>,
    changed: Changed,
    /// Accounts (actor indices) the last step changed on chain or in the model.
    dirty_accounts: Vec<u16>,
    /// Batches the last step changed on chain or in the model, or named.
    dirty_batches: Vec<u64>,
    /// List epochs whose seed the last step wrote on chain or in the model.
    dirty_seeds: Vec<u64>,
}

impl Clone for World {
    fn clone(&self) -> Self {
        Self {
            chain: self.chain.clone(),
            actors: self.actors.clone(),
            model: self.model.clone(),
            token: self.token.clone(),
            min_delay: self.min_delay,
            by_addr: self.by_addr.clone(),
            index: self.index.clone(),
            changed_slots: Vec::new(),
            changed: Changed::default(),
            dirty_accounts: Vec::new(),
            dirty_batches: Vec::new(),
            dirty_seeds: Vec::new(),
        }
    }
}

impl World {
    /// Deploys `suite`, funds `provers` prover identities plus the rollup, keeper and governance,
    /// authorises the rollup as batch source and starts the model from the deployed state.
    pub fn new(suite: &Suite, genesis: &Genesis, provers: usize) -> Result<Self> {
        let mut chain = Chain::deploy(suite, genesis)?;
        let mut actors = actors::roster(provers, chain.addrs.owner);
        let (net, token) = (chain.addrs.network, chain.addrs.token);
        if suite.token == TokenKind::Hostile {
            let call = crate::hostile::HostileToken::setNetworkCall { network_: net };
            let deployer = chain.addrs.deployer;
            let out = chain.exec(deployer, token, &call)?;
            eyre::ensure!(out.success(), "HostileToken.setNetwork reverted: {:?}", out.revert);
        }
        for a in &actors {
            let mint = DevStakingToken::mintCall { to: a.addr, amount: U256::from(FUNDING) };
            let out = chain.exec(a.addr, token, &mint).wrap_err("while funding an actor")?;
            eyre::ensure!(out.success(), "mint reverted: {:?}", out.revert);
            let approve = DevStakingToken::approveCall { spender: net, value: U256::MAX };
            let out =
                chain.exec(a.addr, token, &approve).wrap_err("while approving the network")?;
            eyre::ensure!(out.success(), "approve reverted: {:?}", out.revert);
        }
        let owner = chain.addrs.owner;
        // The rollup posts; the hostile governance controls a second source (index 2), the
        // withholding source is the third.
        let hostile = actors::index_of(&actors, actors::Role::HostileGovernance)
            .ok_or_else(|| eyre::eyre!("the roster has no hostile governance"))?;
        let withholding = actors::index_of(&actors, actors::Role::WithholdingSource)
            .ok_or_else(|| eyre::eyre!("the roster has no withholding source"))?;
        for i in [actors::ROLLUP, hostile, withholding] {
            let source = ProverNetwork::setBatchSourceCall {
                source: actors[i as usize].addr,
                allowed: true,
            };
            chain.must(owner, net, &source, "setBatchSource")?;
        }
        // The governance actor keeps the pause at hand (a pause cannot hurt a prover: the clock
        // stops); everything else it does goes through the timelock that owns the network.
        let pauser = ProverNetwork::setPauserCall { pauser_: owner };
        chain.must(owner, net, &pauser, "setPauser")?;
        let delay = crate::timelock::install(&mut chain, owner, actors[hostile as usize].addr)?;
        // The pools register as provers: after the owner's direct calls above (once anyone is
        // registered, owner calls go through the timelock only).
        let pools = match &suite.pool_factory_code {
            Some(code) if suite.token == TokenKind::Dev => {
                crate::pool_setup::create(&mut chain, &mut actors, code, FUNDING)
                    .wrap_err("while creating the pools")?
            }
            _ => Vec::new(),
        };
        let mut model = Model::new(chain.params(), actors.len());
        crate::pool_setup::model(&mut chain, &mut model, &actors, &pools)?;
        model.gov.delay = delay;
        model.sources.insert(actors::ROLLUP, 1);
        model.sources.insert(hostile, 2);
        model.sources.insert(withholding, 3);
        model.commitment_bound = chain.view(net, &ProverNetwork::commitmentBoundCall {})?;
        let by_addr = actors.iter().enumerate().map(|(i, a)| (a.addr, i as u16)).collect();
        let index = SlotIndex::new(&chain.layout, &actors);
        let mut world = Self {
            chain,
            actors,
            model,
            token: suite.token.clone(),
            min_delay: 0,
            by_addr,
            index,
            changed_slots: Vec::new(),
            changed: Changed::default(),
            dirty_accounts: Vec::new(),
            dirty_batches: Vec::new(),
            dirty_seeds: Vec::new(),
        };
        world.refresh_min_delay()?;
        Ok(world)
    }

    /// Re-reads the least timelock delay the network accepts (`governanceDelay()`).
    fn refresh_min_delay(&mut self) -> Result<()> {
        let net = self.chain.addrs.network;
        let (required, _) = self.chain.view(net, &ProverNetwork::governanceDelayCall {})?.into();
        self.min_delay = required.saturating_to();
        Ok(())
    }

    /// Compares the storage readers with the contract's views for every actor and live batch.
    pub fn cross_check(&mut self) -> Result<()> {
        let accounts: Vec<Address> = self.actors.iter().map(|a| a.addr).collect();
        let batches: Vec<u64> = self.model.live.iter().copied().take(64).collect();
        crate::cross_check::cross_check(&mut self.chain, &accounts, &batches)?;
        for p in &self.model.pools {
            let (pool, op) =
                (self.actors[p.actor as usize].addr, self.actors[p.operator as usize].addr);
            crate::pool_view::PoolView::cross_check(&mut self.chain, pool, op)?;
        }
        Ok(())
    }

    /// Actor index of an address.
    pub fn actor_of(&self, addr: Address) -> Option<u16> {
        self.by_addr.get(&addr).copied()
    }

    /// The calldata of an action at the current block.
    pub fn calldata(&self, action: &Action) -> Bytes {
        let acting = self.model.acting_for(action.actor, action.kind.operator_callable());
        crate::calldata::calldata(&self.chain, &self.actors, acting, action)
    }

    /// Executes `action` without touching the model: the raw-speed baseline and the building block
    /// of `step`.
    pub fn execute(&mut self, action: &Action) -> Result<Outcome> {
        if action.block > self.chain.block() {
            self.chain.set_block(action.block);
        }
        let data = self.calldata(action);
        let from = self.actors.get(action.actor as usize).map(|a| a.addr).unwrap_or_default();
        let to = crate::calldata::target(&self.chain, &self.actors, &action.kind);
        self.chain.exec_raw(from, to, data)
    }

    /// The books of the pool a pool action names, read before it runs (`None` for network calls
    /// and for an action naming an actor that is no pool).
    fn pool_before(&self, action: &Action) -> Option<crate::pool_view::PoolView> {
        let pool = action.kind.pool()?;
        let p = self.model.pools.iter().find(|p| p.actor == pool)?;
        let (addr, op) = (self.actors[pool as usize].addr, self.actors[p.operator as usize].addr);
        Some(crate::pool_view::PoolView::read(&self.chain, addr, op))
    }

    /// Executes `action`, applies it to the model and checks every invariant (on the entities the
    /// action changed, on chain or in the model; `full_check` checks everything).
    pub fn step(&mut self, action: &Action) -> Result<Result<StepReport, Violation>> {
        eyre::ensure!(
            (action.actor as usize) < self.actors.len(),
            "action names actor {} but the campaign has {} actors",
            action.actor,
            self.actors.len()
        );
        if action.block > self.chain.block() {
            self.chain.set_block(action.block);
        }
        let data = self.calldata(action);
        let from = self.actors[action.actor as usize].addr;
        let network = self.chain.addrs.network;
        let to = crate::calldata::target(&self.chain, &self.actors, &action.kind);
        let pool_before = self.pool_before(action);
        let out = self.chain.exec_watched(from, to, data, network, &mut self.changed_slots)?;
        self.index.cover_seeds(self.chain.current_epoch());
        self.index.classify(&self.changed_slots, &mut self.changed);
        self.dirty_accounts.clear();
        self.dirty_accounts.extend_from_slice(&self.changed.accounts);
        self.dirty_batches.clear();
        self.dirty_batches.extend_from_slice(&self.changed.batches);
        self.dirty_seeds.clear();
        self.dirty_seeds.extend_from_slice(&self.changed.seeds);
        let seen = Observed {
            chain: &self.chain,
            actors: &self.actors,
            by_addr: &self.by_addr,
            token: &self.token,
            out: &out,
            pool: pool_before.as_ref(),
        };
        let effects = match model::apply(&mut self.model, &seen, action) {
            Ok(effects) => effects,
            Err(v) => return Ok(Err(v)),
        };
        for slot in &effects.listed {
            self.index.add_global(*slot);
        }
        if let Some(id) = effects.posted {
            self.index.add_batch(id);
        }
        for key in &effects.assignments {
            self.index.add_assignment(*key);
        }
        let assignments = self.changed.assignments.iter().chain(&effects.assignments);
        if let Err(v) = invariants::check_assignments(&self.chain, &self.model, assignments) {
            return Ok(Err(v));
        }
        self.dirty_accounts.extend_from_slice(&effects.dirty_accounts);
        self.dirty_batches.extend_from_slice(&effects.touched);
        self.dirty_seeds.extend_from_slice(&effects.seeds);
        if let Err(v) = invariants::check(&self.subject(), self.changed.unknown) {
            return Ok(Err(v));
        }
        if pool_before.is_some() {
            // A successful pool call synced the pool's books with the network, except a donation
            // (no call) and a delegator's withdrawal request (priced on the last sync's books).
            let synced = out.success()
                && match &action.kind {
                    crate::action::Kind::PoolDonate { .. } => false,
                    crate::action::Kind::PoolRequestWithdraw { pool, .. } => self
                        .model
                        .pools
                        .iter()
                        .any(|p| p.actor == *pool && p.operator == action.actor),
                    _ => true,
                };
            let only = action.kind.pool();
            let pools =
                invariants::pools::check(&mut self.chain, &self.model, &self.actors, only, synced);
            if let Err(v) = pools? {
                return Ok(Err(v));
            }
        }
        if matches!(action.kind, crate::action::Kind::Execute { .. }) {
            self.refresh_min_delay()?;
        }
        Ok(Ok(StepReport {
            revert: out.revert.map(|r| r.name),
            paths: effects.paths,
            gas: out.gas,
        }))
    }

    /// Checks every invariant on every entity (the campaign does this periodically and at the end).
    pub fn full_check(&mut self) -> Result<(), Violation> {
        self.dirty_accounts.clear();
        self.dirty_batches.clear();
        self.dirty_seeds.clear();
        invariants::check(&self.subject(), true)?;
        match invariants::pools::check(&mut self.chain, &self.model, &self.actors, None, false) {
            Ok(result) => result,
            Err(e) => Err(crate::violation::violation(
                "every pool's shares match the model's ledger (minted by deposits, burned by requests and slashes)",
                format!("reading the pools failed: {e:#}"),
            )),
        }
    }

    /// Checks that each prover was drawn about as often as its weight says (end of a long run).
    pub fn check_draws(&self) -> Result<(), Violation> {
        invariants::check_draws(&self.subject())
    }

    fn subject(&self) -> Subject<'_> {
        Subject {
            chain: &self.chain,
            model: &self.model,
            actors: &self.actors,
            token: &self.token,
            dirty_accounts: &self.dirty_accounts,
            dirty_batches: &self.dirty_batches,
            dirty_seeds: &self.dirty_seeds,
        }
    }
}
