//! One action's transition in the making: what a rule sees (the model before, the chain after, the
//! outcome and its events) and what it reports back (paths reached, entities it changed).

use std::collections::HashMap;

use alloy::primitives::{Address, U256};

use crate::action::Action;
use crate::actors::{Actor, Role};
use crate::chain::{Chain, Outcome, ProverNetworkEvents, TokenKind};
use crate::model::state::{MAccount, Model};
use crate::params::Params;

/// What the rules read besides the model: the chain after the transaction, the cast and the
/// transaction's outcome.
pub struct Observed<'a> {
    /// The chain, after the transaction.
    pub chain: &'a Chain,
    /// The actors (index = actor id in actions).
    pub actors: &'a [Actor],
    /// Actor index by address.
    pub by_addr: &'a HashMap<Address, u16>,
    /// Which token is deployed (the hostile one keeps a fee on every transfer in).
    pub token: &'a TokenKind,
    /// What the transaction did.
    pub out: &'a Outcome,
    /// For a pool call or a donation to a pool: the pool's books just before it.
    pub pool: Option<&'a crate::pool_view::PoolView>,
}

/// What a transition reports besides the model it changed.
#[derive(Clone, Debug, Default)]
pub struct Effects {
    /// Lifecycle paths this step completed.
    pub paths: Vec<&'static str>,
    /// Batches the step named or changed in the model.
    pub touched: Vec<u64>,
    /// Accounts (actor indices) the step changed in the model, in the order they changed.
    pub dirty_accounts: Vec<u16>,
    /// Storage slots of selection-list entries the step appended (global state from now on).
    pub listed: Vec<U256>,
    /// The batch the step posted, if any (its storage slots belong to it from now on).
    pub posted: Option<u64>,
    /// Slot draws (assignment keys) the step wrote.
    pub assignments: Vec<u64>,
    /// List epochs whose seed the step fixed.
    pub seeds: Vec<u64>,
}

/// The transition of one action: the acting actor, the block, the parameters and the acting
/// account as they were before it, and the network's events if it succeeded.
pub(crate) struct Transition<'a> {
    pub(crate) m: &'a mut Model,
    pub(crate) seen: &'a Observed<'a>,
    /// The acting actor's index, address and role: for an operator calling `commit`, `reveal`,
    /// `submitProof` or `raceSubmit`, its prover (the contract acts for it).
    pub(crate) i: u16,
    pub(crate) me: Address,
    /// The actor that sent the transaction (an operator, when `i` is its prover).
    pub(crate) sender: u16,
    pub(crate) role: Role,
    /// The block, epoch and phase the transaction ran in.
    pub(crate) block: u64,
    pub(crate) epoch: u64,
    pub(crate) in_commit: bool,
    /// The network clock before the action (deadlines are compared with it).
    pub(crate) now: u64,
    /// The call reached the network through the governance timelock (the owner).
    pub(crate) via_timelock: bool,
    /// Parameters before the action.
    pub(crate) p: Params,
    /// The transaction succeeded.
    pub(crate) ok: bool,
    /// The network's events (empty if it reverted).
    pub(crate) events: Vec<ProverNetworkEvents>,
    /// The acting account before the action.
    pub(crate) pre: MAccount,
    pub(crate) effects: Effects,
}

impl<'a> Transition<'a> {
    pub(crate) fn new(m: &'a mut Model, seen: &'a Observed<'a>, action: &Action) -> Self {
        let i = m.acting_for(action.actor, action.kind.operator_callable());
        let actor = &seen.actors[i as usize];
        let chain = seen.chain;
        let ok = seen.out.success();
        let events = if ok { seen.out.network_events(chain.addrs.network) } else { Vec::new() };
        Self {
            i,
            me: actor.addr,
            sender: action.actor,
            role: actor.role,
            block: chain.block(),
            epoch: chain.current_epoch(),
            in_commit: chain.in_commit_phase(),
            now: m.now(chain.block()),
            via_timelock: false,
            p: m.params,
            ok,
            events,
            pre: m.accounts[i as usize].clone(),
            m,
            seen,
            effects: Effects::default(),
        }
    }

    /// Account `i`, marked as changed.
    pub(crate) fn acct(&mut self, i: u16) -> &mut MAccount {
        self.effects.dirty_accounts.push(i);
        &mut self.m.accounts[i as usize]
    }

    /// Actor index of an address.
    pub(crate) fn actor_of(&self, addr: Address) -> Option<u16> {
        self.seen.by_addr.get(&addr).copied()
    }

    /// What the network is credited when `amount` is pulled from an actor.
    pub(crate) fn received(&self, amount: u128) -> u128 {
        self.seen.token.received(amount)
    }

    /// The decoded revert, if the transaction reverted.
    pub(crate) fn revert(&self) -> Option<&crate::chain::Revert> {
        self.seen.out.revert.as_ref()
    }

    /// Records a lifecycle path.
    pub(crate) fn path(&mut self, path: &'static str) {
        self.effects.paths.push(path);
    }
}
