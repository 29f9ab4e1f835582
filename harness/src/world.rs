//! The world: the chain, the actors and the reference model, stepped one action at a time.
//!
//! `World::step` executes an action on the chain, applies the same action to the model (checking
//! that the contract accepted only what the rules allow and refused only what they forbid where
//! liveness is at stake), then checks every invariant against storage.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use alloy::primitives::{Address, B256, Bytes, U256};
use eyre::{Result, WrapErr};
use provernet_bindings::{DevStakingToken, ProverNetwork};

use crate::action::{Action, Kind};
use crate::actors::{self, Actor, Role};
use crate::chain::{Chain, Genesis, Outcome, ProverNetworkEvents, Suite, TokenKind};
use crate::invariants;
use crate::model::{self, BPS, MAccount, MBatch, MRoll};
use crate::params::{ParamsView, to_params, to_view};
use crate::status;

/// A broken rule.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Violation {
    /// The invariant, in words.
    pub invariant: String,
    /// What was observed.
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.invariant, self.detail)
    }
}

/// Builds a violation.
pub fn violation(invariant: &str, detail: impl Into<String>) -> Violation {
    Violation { invariant: invariant.to_string(), detail: detail.into() }
}

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

/// Per-prover selection statistics: how often it was drawn against how often its weight says.
#[derive(Clone, Debug, Default)]
pub struct DrawStats {
    /// Sum over draws of weight / total weight.
    pub expected: f64,
    /// Draws that picked it.
    pub observed: u64,
}

/// The reference model of the whole network.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Current parameters.
    pub params: ParamsView,
    /// Accounts, by actor index.
    pub accounts: Vec<MAccount>,
    /// Batches, by id - 1.
    pub batches: Vec<MBatch>,
    /// Batches not yet Proven or Failed.
    pub live: BTreeSet<u64>,
    /// Treasury balance.
    pub treasury: u128,
    /// Pending burn.
    pub burn: u128,
    /// Selection lists by epoch parity.
    pub rolls: [MRoll; 2],
    /// Fixed seeds by epoch.
    pub seeds: BTreeMap<u64, U256>,
    /// Posting paused.
    pub paused: bool,
    /// Selection statistics by actor index.
    pub draws: Vec<DrawStats>,
    /// Tokens burnt by the hostile token's transfer fee (they leave the system).
    pub fee_burnt: u128,
}

impl Model {
    /// Batch `id` (which must exist).
    pub fn batch(&self, id: u64) -> Option<&MBatch> {
        id.checked_sub(1).and_then(|i| self.batches.get(i as usize))
    }

    /// Sum of everything the network owes (the right-hand side of the accounting invariant).
    pub fn liabilities(&self) -> u128 {
        let accounts: u128 =
            self.accounts.iter().map(|a| a.stake + a.unbonding + a.claimable).sum();
        let batches: u128 = self
            .live
            .iter()
            .filter_map(|id| self.batch(*id))
            .map(|b| b.fee + if b.status == status::RACING { b.bounty } else { 0 })
            .sum();
        accounts + batches + self.treasury + self.burn
    }
}

/// What a storage slot of the network belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Account(u16),
    Batch(u64),
    Global,
}

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
    by_addr: HashMap<Address, u16>,
    /// Reverse index of the network's storage: which slot belongs to which entity.
    owners: HashMap<U256, Owner>,
    changed: Vec<U256>,
    /// Accounts (actor indices) the last step changed on chain or in the model.
    pub(crate) dirty_accounts: Vec<u16>,
    /// Batches the last step changed on chain or in the model, or named.
    pub(crate) dirty_batches: Vec<u64>,
}

impl Clone for World {
    fn clone(&self) -> Self {
        Self {
            chain: self.chain.clone(),
            actors: self.actors.clone(),
            model: self.model.clone(),
            token: self.token.clone(),
            by_addr: self.by_addr.clone(),
            owners: self.owners.clone(),
            changed: Vec::new(),
            dirty_accounts: Vec::new(),
            dirty_batches: Vec::new(),
        }
    }
}

/// Tokens each actor starts with.
pub const FUNDING: u128 = 1_000_000_000 * crate::chain::UNIT;

impl World {
    /// Deploys `suite`, funds `provers` prover identities plus the rollup, keeper and governance,
    /// authorises the rollup as batch source and starts the model from the deployed state.
    pub fn new(suite: &Suite, genesis: &Genesis, provers: usize) -> Result<Self> {
        let mut chain = Chain::deploy(suite, genesis)?;
        let actors = actors::roster(provers, chain.addrs.owner);
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
        let source = ProverNetwork::setBatchSourceCall {
            source: actors[actors::ROLLUP as usize].addr,
            allowed: true,
        };
        let owner = chain.addrs.owner;
        let out = chain.exec(owner, net, &source)?;
        eyre::ensure!(out.success(), "setBatchSource reverted: {:?}", out.revert);
        let model = Model {
            params: chain.params(),
            accounts: vec![MAccount::default(); actors.len()],
            draws: vec![DrawStats::default(); actors.len()],
            ..Model::default()
        };
        let by_addr = actors.iter().enumerate().map(|(i, a)| (a.addr, i as u16)).collect();
        let mut owners = HashMap::new();
        let account_slots = chain.layout.account.iter().map(|l| l.slot).max().unwrap_or(0) + 1;
        for (i, a) in actors.iter().enumerate() {
            for k in 0..account_slots {
                owners.insert(a.keys.base + U256::from(k), Owner::Account(i as u16));
            }
        }
        // Every top-level slot (parameters, counters, rolls, seeds) is global state.
        for k in 0..crate::slots::slot::LISTS + 2 {
            owners.insert(U256::from(k), Owner::Global);
        }
        Ok(Self {
            chain,
            actors,
            model,
            token: suite.token.clone(),
            by_addr,
            owners,
            changed: Vec::new(),
            dirty_accounts: Vec::new(),
            dirty_batches: Vec::new(),
        })
    }

    /// Compares the storage readers with the contract's views for every actor and live batch.
    pub fn cross_check(&mut self) -> Result<()> {
        let accounts: Vec<Address> = self.actors.iter().map(|a| a.addr).collect();
        let batches: Vec<u64> = self.model.live.iter().copied().take(64).collect();
        crate::cross_check::cross_check(&mut self.chain, &accounts, &batches)
    }

    /// Actor index of an address.
    pub fn actor_of(&self, addr: Address) -> Option<u16> {
        self.by_addr.get(&addr).copied()
    }

    /// What the network is credited when `amount` is pulled from an actor.
    pub fn received(&self, amount: u128) -> u128 {
        self.token.received(amount)
    }

    fn commitments(&self, first: u64, count: u64) -> Vec<B256> {
        (first..first.saturating_add(count))
            .map(|id| B256::from(self.chain.batch(id).commitment))
            .collect()
    }

    /// The calldata of an action at the current block.
    pub fn calldata(&self, action: &Action) -> Bytes {
        use ProverNetwork as P;
        use alloy::sol_types::SolCall;
        let me = self.actors[action.actor as usize].addr;
        let addr_of =
            |i: Option<u16>| i.map_or(me, |i| self.actors.get(i as usize).map_or(me, |a| a.addr));
        match &action.kind {
            Kind::Register { amount } => {
                P::registerCall { amount: U256::from(*amount) }.abi_encode()
            }
            Kind::Stake { amount } => P::stakeCall { amount: U256::from(*amount) }.abi_encode(),
            Kind::RequestUnstake { amount } => {
                P::requestUnstakeCall { amount: U256::from(*amount) }.abi_encode()
            }
            Kind::Withdraw => P::withdrawCall {}.abi_encode(),
            Kind::Claim => P::claimCall {}.abi_encode(),
            Kind::Commit { secret } => {
                let c = model::commitment(*secret, me, self.chain.current_epoch());
                P::commitCall { commitment: c }.abi_encode()
            }
            Kind::Reveal { secret } => P::revealCall { secret: *secret }.abi_encode(),
            Kind::PenalizeNonReveal { target } => {
                P::penalizeNonRevealCall { prover: addr_of(Some(*target)) }.abi_encode()
            }
            Kind::FinalizeSeed { epoch } => {
                P::finalizeSeedCall { epoch: U256::from(*epoch) }.abi_encode()
            }
            Kind::PostBatch { commitment, fee } => {
                P::postBatchCall { commitment: *commitment, fee: U256::from(*fee) }.abi_encode()
            }
            Kind::SubmitProof { first, count, proof_for } => {
                let cs = self.commitments(*first, (*count).min(64));
                let proof =
                    model::dev_proof(self.chain.addrs.network, addr_of(*proof_for), *first, cs);
                P::submitProofCall {
                    firstBatchId: U256::from(*first),
                    count: U256::from(*count),
                    proof: proof.to_vec().into(),
                }
                .abi_encode()
            }
            Kind::SlashMissed { batch } => {
                P::slashMissedCall { batchId: U256::from(*batch) }.abi_encode()
            }
            Kind::RaceSubmit { batch, proof_for } => {
                let cs = self.commitments(*batch, 1);
                let proof =
                    model::dev_proof(self.chain.addrs.network, addr_of(*proof_for), *batch, cs);
                P::raceSubmitCall { batchId: U256::from(*batch), proof: proof.to_vec().into() }
                    .abi_encode()
            }
            Kind::MarkFailed { batch } => {
                P::markFailedCall { batchId: U256::from(*batch) }.abi_encode()
            }
            Kind::FlushBurn => P::flushBurnCall {}.abi_encode(),
            Kind::WithdrawTreasury { amount } => {
                P::withdrawTreasuryCall { to: me, amount: U256::from(*amount) }.abi_encode()
            }
            Kind::Pause => P::pauseCall {}.abi_encode(),
            Kind::Unpause => P::unpauseCall {}.abi_encode(),
            Kind::SetParams { params } => P::setParamsCall { p: to_params(params) }.abi_encode(),
        }
        .into()
    }

    /// Executes `action` without touching the model: the raw-speed baseline and the building block
    /// of `step`.
    pub fn execute(&mut self, action: &Action) -> Result<Outcome> {
        if action.block > self.chain.block() {
            self.chain.set_block(action.block);
        }
        let data = self.calldata(action);
        let from = self.actors.get(action.actor as usize).map(|a| a.addr).unwrap_or_default();
        let network = self.chain.addrs.network;
        self.chain.exec_raw(from, network, data)
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
        let mut changed = std::mem::take(&mut self.changed);
        let network = self.chain.addrs.network;
        let out = self.chain.exec_traced(from, network, data, &mut changed)?;
        self.dirty_accounts.clear();
        self.dirty_batches.clear();
        // A write to a slot the index does not know (another address's account, a stray slot) is
        // checked by a full pass.
        let mut full = false;
        for slot in &changed {
            match self.owners.get(slot) {
                Some(Owner::Account(i)) => self.dirty_accounts.push(*i),
                Some(Owner::Batch(id)) => self.dirty_batches.push(*id),
                Some(Owner::Global) => {}
                None => full = true,
            }
        }
        self.changed = changed;
        let mut paths = Vec::new();
        let mut touched = Vec::new();
        if let Err(v) = self.transition(action, &out, &mut paths, &mut touched) {
            return Ok(Err(v));
        }
        self.dirty_batches.extend(touched);
        if let Err(v) = invariants::check(self, full) {
            return Ok(Err(v));
        }
        Ok(Ok(StepReport { revert: out.revert.map(|r| r.name), paths, gas: out.gas }))
    }

    /// Checks every invariant on every entity (the campaign does this periodically and at the end).
    pub fn full_check(&mut self) -> Result<(), Violation> {
        self.dirty_accounts.clear();
        self.dirty_batches.clear();
        invariants::check(self, true)
    }

    fn acct(&mut self, i: u16) -> &mut MAccount {
        self.dirty_accounts.push(i);
        &mut self.model.accounts[i as usize]
    }

    fn rep_now(&self, a: &MAccount) -> u64 {
        let p = &self.model.params;
        model::decayed(a.rep, a.rep_at, self.chain.block(), p.rep_initial, p.rep_half_life)
    }

    fn lower_rep(&mut self, i: u16, loss: u64) {
        let now = self.chain.block();
        let old = self.rep_now(&self.model.accounts[i as usize]);
        let a = self.acct(i);
        a.rep = old.saturating_sub(loss);
        a.rep_at = now;
    }

    fn raise_rep(&mut self, i: u16, gain: u64) {
        let now = self.chain.block();
        let old = self.rep_now(&self.model.accounts[i as usize]);
        let a = self.acct(i);
        a.rep = (old + gain).min(model::REP_MAX);
        a.rep_at = now;
    }

    fn penalize_non_reveal(&mut self, i: u16) -> u128 {
        let p = self.model.params;
        let a = self.acct(i);
        a.commit = None;
        let amount = model::slash_stake(a, p.non_reveal_slash_bps, p.max_weight_stake);
        let burned = amount * p.burn_bps as u128 / BPS;
        self.model.burn += burned;
        self.model.treasury += amount - burned;
        self.lower_rep(i, p.rep_no_reveal_penalty);
        amount
    }

    /// Slashes the assigned prover of `id`; returns (amount, burned, bounty, toTreasury).
    fn slash_missed(&mut self, id: u64) -> Result<(u128, u128, u128, u128), Violation> {
        let p = self.model.params;
        let prover = self.model.batch(id).map(|b| b.prover).unwrap_or_default();
        let Some(pi) = self.actor_of(prover) else {
            return Err(violation(
                "assigned prover is a known actor",
                format!("batch {id} assigned to {prover}"),
            ));
        };
        let a = self.acct(pi);
        let amount = model::slash_stake(a, p.slash_bps, p.max_weight_stake);
        if a.open == 0 {
            return Err(violation(
                "open assignments never underflow",
                format!("slashing {prover} for batch {id}"),
            ));
        }
        a.open -= 1;
        let burned = amount * p.burn_bps as u128 / BPS;
        let bounty = amount * p.bounty_bps as u128 / BPS;
        let to_treasury = amount - burned - bounty;
        self.model.burn += burned;
        self.model.treasury += to_treasury;
        let b = &mut self.model.batches[id as usize - 1];
        b.status = status::RACING;
        b.bounty = bounty;
        self.lower_rep(pi, p.rep_miss_penalty);
        Ok((amount, burned, bounty, to_treasury))
    }

    fn finish(&mut self, id: u64, status_: u8, winner: Option<Address>) {
        let b = &mut self.model.batches[id as usize - 1];
        b.status = status_;
        b.winner = winner;
        if status_ == status::FAILED {
            b.bounty = 0;
        }
        self.model.live.remove(&id);
    }

    #[allow(clippy::too_many_lines)]
    fn transition(
        &mut self,
        action: &Action,
        out: &Outcome,
        paths: &mut Vec<&'static str>,
        touched: &mut Vec<u64>,
    ) -> Result<(), Violation> {
        let i = action.actor;
        let me = self.actors[i as usize].addr;
        let role = self.actors[i as usize].role;
        let block = self.chain.block();
        let epoch = self.chain.current_epoch();
        let in_commit = self.chain.in_commit_phase();
        let p = self.model.params;
        let ok = out.success();
        let events = if ok { out.network_events(self.chain.addrs.network) } else { Vec::new() };
        let pre = self.model.accounts[i as usize].clone();
        match &action.kind {
            Kind::Register { amount } => {
                if !ok {
                    return Ok(());
                }
                let got = self.received(*amount);
                if pre.registered || got < p.min_stake {
                    return Err(violation(
                        "registration needs a new address and at least minStake",
                        format!(
                            "{me} registered with {got} (min {}, registered before: {})",
                            p.min_stake, pre.registered
                        ),
                    ));
                }
                let a = self.acct(i);
                a.registered = true;
                a.stake = got;
                a.deposited += got;
                a.rep = p.rep_initial;
                a.rep_at = block;
                self.model.fee_burnt += amount - got;
                paths.push("prover registered");
            }
            Kind::Stake { amount } => {
                if !ok {
                    return Ok(());
                }
                let got = self.received(*amount);
                if !pre.registered {
                    return Err(violation(
                        "only registered provers stake",
                        format!("{me} staked unregistered"),
                    ));
                }
                let a = self.acct(i);
                a.stake += got;
                a.deposited += got;
                self.model.fee_burnt += amount - got;
            }
            Kind::RequestUnstake { amount } => {
                if !ok {
                    return Ok(());
                }
                if !pre.registered || *amount == 0 || *amount > pre.stake {
                    return Err(violation(
                        "unstake moves at most the active stake",
                        format!("{me} unstaked {amount} of {}", pre.stake),
                    ));
                }
                let a = self.acct(i);
                a.stake -= amount;
                a.unbonding += amount;
                a.ready_at = block + p.unbonding_delay;
                if a.open > 0 {
                    paths.push("unstake requested while assigned");
                }
            }
            Kind::Withdraw => {
                let allowed = pre.unbonding > 0
                    && block >= pre.ready_at
                    && pre.open == 0
                    && pre.commit.is_none();
                if ok && !allowed {
                    return Err(violation(
                        "slashed or obligated stake can never be withdrawn",
                        format!(
                            "{me} withdrew with unbonding {} ready at {} (block {block}), {} open assignments, commitment open: {}",
                            pre.unbonding,
                            pre.ready_at,
                            pre.open,
                            pre.commit.is_some()
                        ),
                    ));
                }
                if !ok && allowed {
                    return Err(violation(
                        "unbonded stake can always be withdrawn",
                        format!("{me} could not withdraw {}: {:?}", pre.unbonding, out.revert),
                    ));
                }
                if ok {
                    let paid = events.iter().find_map(|e| match e {
                        ProverNetworkEvents::Withdrawn(w) => Some(w.amount.saturating_to::<u128>()),
                        _ => None,
                    });
                    if paid != Some(pre.unbonding) {
                        return Err(violation(
                            "withdraw pays exactly the post-slash unbonding stake",
                            format!("{me} was paid {paid:?}, model says {}", pre.unbonding),
                        ));
                    }
                    let a = self.acct(i);
                    a.withdrawn += a.unbonding;
                    a.unbonding = 0;
                    paths.push(if pre.slashed > 0 { "withdraw after a slash" } else { "withdraw" });
                }
            }
            Kind::Claim => {
                if ok != (pre.claimable > 0) {
                    return Err(violation(
                        "credited rewards can always be claimed, and only those",
                        format!(
                            "{me} claim ok={ok} with claimable {}: {:?}",
                            pre.claimable, out.revert
                        ),
                    ));
                }
                if ok {
                    let paid = events.iter().find_map(|e| match e {
                        ProverNetworkEvents::Claimed(c) => Some(c.amount.saturating_to::<u128>()),
                        _ => None,
                    });
                    if paid != Some(pre.claimable) {
                        return Err(violation(
                            "claim pays exactly the credit",
                            format!("{me}: {paid:?} vs {}", pre.claimable),
                        ));
                    }
                    let a = self.acct(i);
                    a.claimed += a.claimable;
                    a.claimable = 0;
                }
            }
            Kind::Commit { secret } => {
                if !ok {
                    return Ok(());
                }
                if !in_commit
                    || !pre.registered
                    || pre.stake < p.min_stake
                    || pre.commit.is_some_and(|c| c.0 == epoch)
                {
                    return Err(violation(
                        "commit needs the commit phase, registration, minStake and one commitment an epoch",
                        format!(
                            "{me} committed at block {block} (commit phase: {in_commit}), stake {}",
                            pre.stake
                        ),
                    ));
                }
                if pre.commit.is_some() {
                    let amount = self.penalize_non_reveal(i);
                    let emitted = events.iter().find_map(|e| match e {
                        ProverNetworkEvents::NonRevealPenalized(n) => {
                            Some(n.slashed.saturating_to::<u128>())
                        }
                        _ => None,
                    });
                    if emitted != Some(amount) {
                        return Err(violation(
                            "non-reveal penalty is nonRevealSlashBps of the bond",
                            format!("{emitted:?} vs {amount}"),
                        ));
                    }
                    paths.push("non-reveal penalised at the next commit");
                }
                let (_, hash) = model::commit_hash(*secret, me, epoch);
                self.acct(i).commit = Some((epoch, hash));
            }
            Kind::Reveal { secret } => {
                if !ok {
                    return Ok(());
                }
                let (_, hash) = model::commit_hash(*secret, me, epoch);
                if in_commit || pre.commit != Some((epoch, hash)) {
                    return Err(violation(
                        "only a matching commitment of this epoch reveals, in the reveal phase",
                        format!("{me} revealed at block {block} with commitment {:?}", pre.commit),
                    ));
                }
                self.acct(i).commit = None;
                let expected_weight = if pre.stake < p.min_stake {
                    0
                } else {
                    model::weight(&p, pre.stake, self.rep_now(&pre))
                };
                let revealed = events.iter().find_map(|e| match e {
                    ProverNetworkEvents::Revealed(r) => {
                        Some((r.weight.saturating_to::<u128>(), r.index))
                    }
                    _ => None,
                });
                let Some((w, index)) = revealed else {
                    return Err(violation(
                        "reveal emits Revealed",
                        format!("{me} at block {block}"),
                    ));
                };
                if w != expected_weight {
                    return Err(violation(
                        "selection weight = capped stake x reputation",
                        format!("{me} got weight {w}, model {expected_weight}"),
                    ));
                }
                if w > 0 {
                    let roll = &mut self.model.rolls[(epoch & 1) as usize];
                    if roll.epoch != epoch || roll.entries.is_empty() {
                        *roll = MRoll { epoch, entries: Vec::new(), mix: 0 };
                    }
                    if index != U256::from(roll.entries.len()) {
                        return Err(violation(
                            "selection list is append-only",
                            format!("{me} listed at {index}"),
                        ));
                    }
                    let cumulative = roll.total() + w;
                    let slot = crate::slots::list_slot(epoch & 1, roll.entries.len() as u64);
                    roll.entries.push((me, cumulative));
                    self.owners.insert(slot, Owner::Global);
                    roll.mix ^= (U256::from_be_bytes(secret.0) & U256::from((1u128 << 96) - 1))
                        .saturating_to::<u128>();
                    paths.push("prover listed");
                } else {
                    paths.push("under-staked reveal not listed");
                }
            }
            Kind::PenalizeNonReveal { target } => {
                let t = *target;
                let tpre = self.model.accounts.get(t as usize).cloned().unwrap_or_default();
                let overdue =
                    tpre.commit.is_some_and(|(e, _)| block >= self.chain.epochs.start(e + 1));
                if ok != overdue {
                    return Err(violation(
                        "a withheld reveal is penalised once its reveal phase is over, never before",
                        format!(
                            "penalizeNonReveal({t}) ok={ok}, commitment {:?}, block {block}",
                            tpre.commit
                        ),
                    ));
                }
                if ok {
                    let amount = self.penalize_non_reveal(t);
                    let emitted = events.iter().find_map(|e| match e {
                        ProverNetworkEvents::NonRevealPenalized(n) => {
                            Some(n.slashed.saturating_to::<u128>())
                        }
                        _ => None,
                    });
                    if emitted != Some(amount) {
                        return Err(violation(
                            "non-reveal penalty is nonRevealSlashBps of the bond",
                            format!("{emitted:?} vs {amount}"),
                        ));
                    }
                    paths.push("non-reveal penalised by a keeper");
                }
            }
            Kind::FinalizeSeed { epoch: e } => {
                if ok != (block >= self.chain.epochs.start(e + 1)) {
                    return Err(violation(
                        "a seed is fixed only after its reveal phase",
                        format!("epoch {e} at block {block}: ok={ok}"),
                    ));
                }
                if ok {
                    self.record_seed(*e)?;
                }
            }
            Kind::PostBatch { commitment, fee } => {
                if !ok {
                    return Ok(());
                }
                if self.model.paused || role != Role::Rollup || *fee == 0 || commitment.is_zero() {
                    return Err(violation(
                        "only an authorised source posts, while not paused",
                        format!("{me} posted (paused: {})", self.model.paused),
                    ));
                }
                self.post_batch(
                    me,
                    *commitment,
                    self.received(*fee),
                    epoch,
                    block,
                    &events,
                    paths,
                )?;
                self.model.fee_burnt += fee - self.received(*fee);
                touched.push(self.model.batches.len() as u64);
            }
            Kind::SubmitProof { first, count, proof_for } => {
                touched.extend(*first..first.saturating_add(*count).min(first + 64));
                if !ok {
                    if role == Role::Slow
                        && out.revert.as_ref().is_some_and(|r| r.name == "ProvingWindowClosed")
                    {
                        paths.push("late proof rejected");
                    }
                    if proof_for.is_some_and(|v| v != i) && out.revert.is_some() {
                        paths.push("stolen proof rejected");
                    }
                    return Ok(());
                }
                if proof_for.is_some_and(|v| v != i) {
                    return Err(violation(
                        "a proof is bound to its prover: a copied proof never verifies",
                        format!(
                            "{me} was paid for batches {first}..+{count} with a proof made for actor {proof_for:?}"
                        ),
                    ));
                }
                let mut payout = 0;
                for id in *first..first + count {
                    let b = self.model.batch(id).cloned().unwrap_or_default();
                    if b.status != status::ASSIGNED || b.prover != me || block > b.proving_deadline
                    {
                        return Err(violation(
                            "only the assigned prover proves inside its exclusive window, at most once",
                            format!(
                                "{me} proved batch {id} (status {}, assigned {}, deadline {}, block {block})",
                                b.status, b.prover, b.proving_deadline
                            ),
                        ));
                    }
                    payout += b.fee;
                    self.finish(id, status::PROVEN, Some(me));
                }
                let a = self.acct(i);
                a.open = a.open.checked_sub(*count).ok_or_else(|| {
                    violation("open assignments never underflow", format!("{me}"))
                })?;
                a.claimable += payout;
                a.earned += payout;
                self.raise_rep(i, p.rep_gain * count);
                paths.push(if *count > 1 {
                    "assigned -> proven (aggregated proof)"
                } else {
                    "assigned -> proven"
                });
            }
            Kind::SlashMissed { batch } => {
                touched.push(*batch);
                let b = self.model.batch(*batch).cloned().unwrap_or_default();
                let allowed = b.status == status::ASSIGNED && block > b.proving_deadline;
                if ok != allowed {
                    return Err(violation(
                        if ok {
                            "a prover is never slashed inside its window"
                        } else {
                            "a missed window can always be slashed"
                        },
                        format!(
                            "slashMissed({batch}) at block {block}, deadline {}, status {}: {:?}",
                            b.proving_deadline, b.status, out.revert
                        ),
                    ));
                }
                if ok {
                    self.check_slash_event(*batch, &events)?;
                    paths.push("assigned -> slashed (keeper)");
                    if self.actors[self.actor_of(b.prover).unwrap_or(0) as usize].role
                        == Role::WithdrawBeforeSlash
                    {
                        paths.push("withdraw-before-slash prover slashed");
                    }
                }
            }
            Kind::RaceSubmit { batch, proof_for } => {
                touched.push(*batch);
                let b = self.model.batch(*batch).cloned().unwrap_or_default();
                if !ok {
                    if out.revert.as_ref().is_some_and(|r| r.name == "SlashedProverCannotRace") {
                        paths.push("slashed prover barred from its race");
                    }
                    return Ok(());
                }
                let raceable = match b.status {
                    status::ASSIGNED => block > b.proving_deadline,
                    status::OPEN | status::RACING => true,
                    _ => false,
                };
                if !raceable || block > b.race_deadline {
                    return Err(violation(
                        "a batch is finalised at most once, and raced only between its deadlines",
                        format!(
                            "{me} raced batch {batch} (status {}, deadlines {}/{}, block {block})",
                            b.status, b.proving_deadline, b.race_deadline
                        ),
                    ));
                }
                if me == b.prover {
                    return Err(violation(
                        "a slashed prover never wins its own batch's race",
                        format!("{me} won batch {batch}"),
                    ));
                }
                if pre.stake < p.min_stake {
                    return Err(violation(
                        "race winners are eligible (stake >= minStake)",
                        format!(
                            "{me} with stake {} (min {}) won batch {batch}",
                            pre.stake, p.min_stake
                        ),
                    ));
                }
                if proof_for.is_some_and(|v| v != i) {
                    return Err(violation(
                        "a proof is bound to its prover: a copied proof never verifies",
                        format!("{me} won batch {batch} with a proof made for actor {proof_for:?}"),
                    ));
                }
                if b.status == status::ASSIGNED {
                    self.check_slash_event(*batch, &events)?;
                    paths.push("assigned -> slashed by the race winner");
                }
                let b = self.model.batch(*batch).cloned().unwrap_or_default();
                let payout = b.fee + b.bounty;
                let emitted = events.iter().find_map(|e| match e {
                    ProverNetworkEvents::BatchProven(x) => Some(x.payout.saturating_to::<u128>()),
                    _ => None,
                });
                if emitted != Some(payout) {
                    return Err(violation(
                        "race payout = fee + bounty",
                        format!("batch {batch}: {emitted:?} vs {payout}"),
                    ));
                }
                let a = self.acct(i);
                a.claimable += payout;
                a.earned += payout;
                self.finish(*batch, status::PROVEN, Some(me));
                self.raise_rep(i, p.rep_gain);
                paths.push(if b.status == status::OPEN {
                    "open -> raced"
                } else {
                    "racing -> raced (rescued)"
                });
            }
            Kind::MarkFailed { batch } => {
                touched.push(*batch);
                let b = self.model.batch(*batch).cloned().unwrap_or_default();
                let live = matches!(b.status, status::ASSIGNED | status::OPEN | status::RACING);
                let allowed = live && block > b.race_deadline;
                if ok != allowed {
                    return Err(violation(
                        if ok {
                            "a batch is finalised at most once, and failed only after its race"
                        } else {
                            "every batch ends proven or failed once its deadlines pass"
                        },
                        format!(
                            "markFailed({batch}) ok={ok} at block {block}, race deadline {}, status {}: {:?}",
                            b.race_deadline, b.status, out.revert
                        ),
                    ));
                }
                if ok {
                    if b.status == status::ASSIGNED {
                        self.check_slash_event(*batch, &events)?;
                    }
                    let b2 = self.model.batch(*batch).cloned().unwrap_or_default();
                    self.model.treasury += b2.bounty;
                    let poster = self.actor_of(b2.poster).unwrap_or(actors::ROLLUP);
                    let a = self.acct(poster);
                    a.claimable += b2.fee;
                    a.refunded += b2.fee;
                    self.finish(*batch, status::FAILED, None);
                    paths.push(match b.status {
                        status::ASSIGNED => "assigned -> failed (nobody raced)",
                        status::OPEN => "open -> failed",
                        _ => "racing -> failed",
                    });
                }
            }
            Kind::FlushBurn => {
                if ok != (self.model.burn > 0) {
                    return Err(violation(
                        "pending burns can always be flushed",
                        format!("ok={ok} burn={}", self.model.burn),
                    ));
                }
                self.model.burn = 0;
            }
            Kind::WithdrawTreasury { amount } => {
                if !ok {
                    return Ok(());
                }
                if role != Role::Governance || *amount == 0 || *amount > self.model.treasury {
                    return Err(violation(
                        "only governance withdraws, at most the treasury",
                        format!("{me} took {amount}"),
                    ));
                }
                self.model.treasury -= amount;
                self.acct(i).withdrawn += amount;
            }
            Kind::Pause | Kind::Unpause => {
                if ok && role != Role::Governance {
                    return Err(violation("only governance pauses", format!("{me}")));
                }
                if ok {
                    self.model.paused = matches!(action.kind, Kind::Pause);
                }
            }
            Kind::SetParams { params } => {
                let view = to_view(params);
                let bad = model::params_error(&view, self.chain.epochs.length());
                let allowed = role == Role::Governance && bad.is_none();
                if ok != allowed {
                    return Err(violation(
                        "governance moves parameters only within their bounds",
                        format!(
                            "setParams ok={ok}, model says out of bounds: {bad:?}: {:?}",
                            out.revert
                        ),
                    ));
                }
                if ok {
                    self.model.params = view;
                    paths.push("parameters changed mid-run");
                }
            }
        }
        Ok(())
    }

    fn record_seed(&mut self, epoch: u64) -> Result<U256, Violation> {
        let Some(seed) = self.chain.seed(epoch) else {
            return Err(violation("a fixed seed is stored", format!("epoch {epoch}")));
        };
        match self.model.seeds.get(&epoch) {
            Some(old) if *old != seed => {
                return Err(violation(
                    "an epoch's seed never changes once fixed",
                    format!("epoch {epoch}: {old} -> {seed}"),
                ));
            }
            _ => {
                self.model.seeds.insert(epoch, seed);
                // Two parities: older seeds are overwritten on chain, so keep the model bounded too.
                if epoch >= 4 {
                    self.model.seeds.remove(&(epoch - 4));
                }
            }
        }
        Ok(seed)
    }

    #[allow(clippy::too_many_arguments)]
    fn post_batch(
        &mut self,
        me: Address,
        commitment: B256,
        fee: u128,
        epoch: u64,
        block: u64,
        events: &[ProverNetworkEvents],
        paths: &mut Vec<&'static str>,
    ) -> Result<(), Violation> {
        let p = self.model.params;
        let id = self.model.batches.len() as u64 + 1;
        // The draw, re-derived: the list revealed in epoch - 1, the seed, keccak(seed, id) mod total.
        let mut expected = Address::ZERO;
        if epoch > 0 {
            let list_epoch = epoch - 1;
            let roll = self.model.rolls[(list_epoch & 1) as usize].clone();
            if roll.epoch == list_epoch && !roll.entries.is_empty() {
                let seed = self.record_seed(list_epoch)?;
                let total = roll.total();
                let r = model::draw_randomness(seed, id) % U256::from(total);
                let drawn = roll.search(r.saturating_to::<u128>()).unwrap_or_default();
                // Selection statistics: every listed prover's share of this draw.
                let mut prev = 0;
                for (addr, cum) in &roll.entries {
                    if let Some(k) = self.actor_of(*addr) {
                        self.model.draws[k as usize].expected += (cum - prev) as f64 / total as f64;
                    }
                    prev = *cum;
                }
                if let Some(k) = self.actor_of(drawn) {
                    self.model.draws[k as usize].observed += 1;
                    if self.model.accounts[k as usize].stake >= p.min_stake {
                        expected = drawn;
                    } else {
                        paths.push("drawn prover under minStake skipped");
                    }
                }
            }
        }
        let posted = events.iter().find_map(|e| match e {
            ProverNetworkEvents::BatchPosted(b) => {
                Some((b.batchId, b.prover, b.fee.saturating_to::<u128>()))
            }
            _ => None,
        });
        let Some((eid, prover, efee)) = posted else {
            return Err(violation("postBatch emits BatchPosted", format!("batch {id}")));
        };
        if eid != U256::from(id) || efee != fee {
            return Err(violation(
                "batch ids are sequential and fees escrowed as received",
                format!("{eid} fee {efee}, model {id} fee {fee}"),
            ));
        }
        if prover != expected {
            let eligible = self.actor_of(prover).map(|k| {
                let a = &self.model.accounts[k as usize];
                (a.registered, a.stake)
            });
            return Err(violation(
                "an assigned prover is a registered, eligible prover drawn by weight from the previous epoch's list",
                format!(
                    "batch {id} assigned to {prover} (registered, stake: {eligible:?}, min {}), the draw gives {expected}",
                    p.min_stake
                ),
            ));
        }
        let mut b = MBatch { fee, prover, poster: me, commitment, ..MBatch::default() };
        if prover != Address::ZERO {
            b.status = status::ASSIGNED;
            b.proving_deadline = block + p.proving_window;
            let k = self.actor_of(prover).unwrap_or_default();
            self.acct(k).open += 1;
            paths.push("batch assigned");
        } else {
            b.status = status::OPEN;
            b.proving_deadline = block;
            paths.push("batch open (nobody eligible)");
        }
        b.race_deadline = b.proving_deadline + p.race_window;
        self.model.batches.push(b);
        self.model.live.insert(id);
        let base = crate::slots::batch_base(id);
        let batch_slots = self.chain.layout.batch.iter().map(|l| l.slot).max().unwrap_or(0) + 1;
        for k in 0..batch_slots {
            self.owners.insert(base + U256::from(k), Owner::Batch(id));
        }
        Ok(())
    }

    fn check_slash_event(
        &mut self,
        id: u64,
        events: &[ProverNetworkEvents],
    ) -> Result<(), Violation> {
        let (amount, burned, bounty, to_treasury) = self.slash_missed(id)?;
        let emitted = events.iter().find_map(|e| match e {
            ProverNetworkEvents::ProverSlashed(s) => Some((
                s.amount.saturating_to::<u128>(),
                s.burned.saturating_to::<u128>(),
                s.bounty.saturating_to::<u128>(),
                s.toTreasury.saturating_to::<u128>(),
            )),
            _ => None,
        });
        if emitted != Some((amount, burned, bounty, to_treasury)) {
            return Err(violation(
                "a missed window slashes slashBps of the bond, split burn / bounty / treasury",
                format!(
                    "batch {id}: emitted {emitted:?}, model {:?}",
                    (amount, burned, bounty, to_treasury)
                ),
            ));
        }
        Ok(())
    }
}
