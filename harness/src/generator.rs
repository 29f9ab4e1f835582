//! Chooses the next action: who acts, and what its strategy makes it do in the current state.
//!
//! Most actions follow an actor's strategy (see `actors::Role`); a few percent are noise (any
//! function, odd arguments, wrong phase) so the campaign also walks the error paths.

use std::collections::HashMap;

use alloy::primitives::{B256, U256, keccak256};

use provernet_bindings::Strategy;

use crate::action::{Action, Kind};
use crate::actors::{self, GOVERNANCE, KEEPER, PROVER_BASE, ROLLUP, Role};
use crate::attacks;
use crate::chain::UNIT;
use crate::delegators;
use crate::drain::{self, DrainPlan};
use crate::params::Params;
use crate::rng::Rng;
use crate::status;
use crate::withhold::DataSource;
use crate::world::World;

/// Generates the actions of one campaign.
#[derive(Clone, Debug)]
pub struct Generator {
    rng: Rng,
    seed: u64,
    /// The secret each actor committed to, by epoch.
    secrets: HashMap<u16, (u64, B256)>,
    /// Prover identities (actor indices), filled on first use.
    provers: Vec<u16>,
    /// Min-fee dummy batches the steering source still posts before its valuable one.
    steering: u8,
    /// Batches of the current burst still to post.
    burst: u8,
    /// The hostile governance's drain attempt in progress.
    drain: DrainPlan,
    /// The withholding source's memory (which batches' data nobody else has).
    data: DataSource,
}

impl Generator {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Rng::new(seed),
            seed,
            secrets: HashMap::new(),
            provers: Vec::new(),
            steering: 0,
            burst: 0,
            drain: DrainPlan::default(),
            data: DataSource::default(),
        }
    }

    /// The next action for `w`'s current state.
    pub fn next(&mut self, w: &World) -> Action {
        if self.burst > 0 {
            // A burst of batches in one block: a slot's prover gets a run long enough for one
            // 16-batch proof.
            self.burst -= 1;
            let commitment = B256::from(U256::from(self.rng.next_u64() | 1));
            let kind = Kind::PostBatch { commitment, fee: UNIT / 10 };
            return Action { block: w.chain.block(), actor: ROLLUP, kind };
        }
        let block = w.chain.block() + self.block_step();
        // Strategies decide at the block the action lands in.
        let mut probe = Probe { w, block };
        let roll = self.rng.below(100);
        let (actor, kind) = if roll < 4 {
            self.noise(&mut probe)
        } else if roll < 18 {
            (ROLLUP, self.rollup(&probe))
        } else if roll < 30 {
            (KEEPER, self.keeper(&probe))
        } else if roll < 31 {
            (GOVERNANCE, self.governance(&probe))
        } else if roll < 33
            && let Some(h) = actors::index_of(&w.actors, Role::HostileGovernance)
        {
            (h, self.drain.next(&mut self.rng, w, block, h))
        } else if roll < 36
            && let Some(s) = actors::index_of(&w.actors, Role::WithholdingSource)
        {
            (s, self.data.next(&mut self.rng, w, block, s))
        } else if let Some(pick) =
            (roll < 42).then(|| delegators::next(&mut self.rng, w, block)).flatten()
        {
            pick
        } else {
            let i = self.pick_prover(&probe);
            let kind = self.prover(&mut probe, i);
            (self.sender_for(w, i, &kind), kind)
        };
        Action { block, actor, kind }
    }

    /// Who sends a prover's action: its operator, half of the time, for what an operator may do
    /// for it; otherwise the prover itself.
    fn sender_for(&mut self, w: &World, i: u16, kind: &Kind) -> u16 {
        if w.actors[i as usize].role.is_contract() {
            // A pool never sends a transaction: its operator acts for it.
            return w.model.operator_of.get(&i).copied().unwrap_or(i);
        }
        match w.model.operator_of.get(&i) {
            Some(op) if kind.operator_callable() && self.rng.chance(50) => *op,
            _ => i,
        }
    }

    /// The prover identities of the roster (provers and attackers).
    fn provers(&mut self, w: &World) -> &[u16] {
        if self.provers.is_empty() {
            self.provers = (0..w.actors.len() as u16)
                .filter(|i| w.actors[*i as usize].role.is_prover())
                .collect();
        }
        &self.provers
    }

    /// Mostly a prover with a duty due (commit, reveal, proof), so that diligent provers
    /// mostly keep up however many identities there are; otherwise anyone.
    fn pick_prover(&mut self, p: &Probe<'_>) -> u16 {
        let w = p.w;
        let ids = self.provers(w).to_vec();
        let provers = ids.len() as u64;
        if self.rng.chance(75) {
            let epoch = p.epoch();
            let in_commit = w.chain.epochs.start(epoch) + w.chain.epochs.commit_blocks > p.block;
            let min = w.model.params.min_stake;
            let start = self.rng.below(provers);
            for k in 0..provers {
                let i = ids[((start + k) % provers) as usize] as usize;
                let a = &w.model.accounts[i];
                let committed = a.commit.is_some_and(|c| c.0 == epoch);
                let due = if in_commit {
                    !committed && a.registered && a.stake >= min
                } else {
                    committed
                } || a.open > 0;
                if due {
                    return i as u16;
                }
            }
        }
        ids[self.rng.below(provers) as usize]
    }

    fn block_step(&mut self) -> u64 {
        match self.rng.below(1000) {
            0..760 => 0,
            760..980 => 1,
            980..999 => self.rng.range(2, 4),
            // A quiet spell longer than a commit phase: nobody fixes the next seed in time, so
            // whoever acts first after it fixes it without randao.
            _ => self.rng.range(15, 40),
        }
    }

    fn secret(&mut self, actor: u16, epoch: u64) -> B256 {
        let s = keccak256(
            [self.seed.to_be_bytes(), u64::from(actor).to_be_bytes(), epoch.to_be_bytes()].concat(),
        );
        self.secrets.insert(actor, (epoch, s));
        s
    }

    /// The batch source: keeps a prepaid fee balance, posts batches, and now and then tries to
    /// steer a valuable batch with a run of min-fee dummies first (the slot's prover takes them
    /// all, so the dummies change nothing).
    fn rollup(&mut self, p: &Probe<'_>) -> Kind {
        let a = &p.w.model.accounts[ROLLUP as usize];
        let min_fee = p.w.model.params.min_fee;
        if a.fee_balance < 20 * UNIT || self.rng.chance(1) {
            return Kind::DepositFees { amount: self.rng.range(20, 200) as u128 * UNIT };
        }
        if self.rng.chance(1) {
            return Kind::WithdrawFees {
                amount: 1 + self.rng.below(a.fee_balance.min(1 << 62) as u64) as u128,
            };
        }
        let commitment = B256::from(U256::from(self.rng.next_u64() | 1));
        if a.fee_balance > 5 * UNIT && self.rng.chance(1) {
            self.burst = self.rng.range(16, 24) as u8;
        }
        if self.steering == 0 && self.rng.chance(3) {
            self.steering = self.rng.range(1, 6) as u8;
        }
        if self.steering > 0 {
            self.steering -= 1;
            let fee = if self.steering == 0 { 5 * UNIT } else { min_fee };
            return Kind::PostBatch { commitment, fee };
        }
        Kind::PostBatch { commitment, fee: self.rng.range(1, 50) as u128 * UNIT / 10 }
    }

    fn keeper(&mut self, p: &Probe<'_>) -> Kind {
        let m = &p.w.model;
        let early = self.rng.chance(8);
        let now = p.now();
        for id in m.live.iter().copied() {
            let b = &m.batches[id as usize - 1];
            if b.status == status::CHALLENGED {
                // Nothing but an answer or a void moves a challenged batch.
                if now > b.respond_by || (early && now + 1 >= b.respond_by) {
                    return Kind::VoidUnanswered { batch: id };
                }
                continue;
            }
            if now > b.race_deadline || (early && now + 2 >= b.race_deadline) {
                return Kind::MarkFailed { batch: id };
            }
            if b.status == status::ASSIGNED
                && (now > b.proving_deadline || (early && now + 2 >= b.proving_deadline))
                && self.rng.chance(50)
            {
                return Kind::SlashMissed { batch: id };
            }
        }
        for (i, a) in m.accounts.iter().enumerate() {
            if let Some((e, _)) = a.commit
                && (p.block >= p.epoch_start(e + 1) || early && self.rng.chance(20))
                && self.rng.chance(60)
            {
                return Kind::PenalizeNonReveal { target: i as u16 };
            }
        }
        if m.burn > 0 && self.rng.chance(30) {
            return Kind::FlushBurn;
        }
        Kind::FinalizeSeed { epoch: p.epoch().saturating_sub(self.rng.below(2)) }
    }

    /// Governance: pauses and unpauses at once (it is the pauser), runs queued owner calls once
    /// their delay passed, and queues new ones in the timelock (at most a few at a time).
    fn governance(&mut self, p: &Probe<'_>) -> Kind {
        let m = &p.w.model;
        let ready = m
            .gov
            .pending
            .iter()
            .find(|(_, op)| op.by == GOVERNANCE && !op.tried && p.block >= op.ready);
        if let Some((salt, op)) = ready {
            return Kind::Execute { salt: *salt, call: Box::new(op.call.clone()) };
        }
        if m.paused() {
            return Kind::Unpause;
        }
        if self.rng.chance(10) {
            return Kind::Pause;
        }
        let queued = m.gov.pending.values().filter(|op| op.by == GOVERNANCE && !op.tried).count();
        if queued >= 3 && !self.rng.chance(5) {
            return Kind::FinalizeSeed { epoch: p.epoch().saturating_sub(1) };
        }
        if let Some(repair) = drain::delay_repair(p.w) {
            let call = Box::new(repair);
            return Kind::Schedule { salt: m.gov.next_salt, delay: m.gov.delay, call };
        }
        let call = match self.rng.below(10) {
            0..=2 if m.treasury > 0 => {
                Kind::WithdrawTreasury { amount: 1 + self.rng.below(1 << 62) as u128 % m.treasury }
            }
            _ => Kind::SetParams { params: self.params(p) },
        };
        Kind::Schedule { salt: m.gov.next_salt, delay: m.gov.delay, call: Box::new(call) }
    }

    /// New parameters: mostly a random point inside the bounds, sometimes one field outside.
    fn params(&mut self, p: &Probe<'_>) -> Params {
        let r = &mut self.rng;
        let epoch_length = p.w.chain.epochs.length() as u32;
        let proving_window = r.range(5, 30) as u32;
        let race_window = r.range(3, 15) as u32;
        let challenge_window = r.range(2, 20) as u32;
        let bounty_bps = r.range(0, 8000) as u16;
        let keeper_bps = r.range(0, 1000.min(9000 - u64::from(bounty_bps))) as u16;
        // At least 10% of a slash is burned and the treasury keeps at most 20%: the burn covers
        // what bounty and keeper leave above that.
        let burn_floor =
            8000u64.saturating_sub(u64::from(bounty_bps) + u64::from(keeper_bps)).max(1000);
        let burn_ceiling = 10_000 - u64::from(bounty_bps) - u64::from(keeper_bps);
        let mut q = Params {
            min_stake: r.range(50, 200) as u128 * UNIT,
            max_weight_stake: r.range(2_000, 20_000) as u128 * UNIT,
            proving_window,
            race_window,
            unbonding_delay: 2 * proving_window
                + challenge_window
                + race_window
                + 2 * epoch_length
                + r.range(0, 100) as u32,
            rep_half_life: r.range(1, 5000) as u32,
            slash_bps: r.range(100, 5000) as u16,
            non_reveal_slash_bps: r.range(1, 500) as u16,
            burn_bps: r.range(burn_floor, burn_ceiling) as u16,
            bounty_bps,
            rep_initial: r.range(1, 10_000) as u16,
            rep_gain: r.range(1, 1000) as u16,
            rep_miss_penalty: r.range(1, 10_000) as u16,
            rep_no_reveal_penalty: r.range(1, 10_000) as u16,
            assignment_bond: r.range(1, 100) as u128 * UNIT,
            min_fee: r.range(1, 1000) as u128 * UNIT / 1000,
            challenge_window,
            keeper_bps,
        };
        if r.chance(20) {
            match r.below(7) {
                0 => q.slash_bps = 5001,
                1 => q.unbonding_delay = proving_window + race_window + 2 * epoch_length - 1,
                2 => q.proving_window = 1,
                3 => q.min_stake = 1 << 20,
                4 => q.assignment_bond = 0,
                5 => q.min_fee = 0,
                _ => q.rep_gain = 0,
            }
        }
        q
    }

    fn prover(&mut self, p: &mut Probe<'_>, i: u16) -> Kind {
        let w = p.w;
        let role = w.actors[i as usize].role;
        let a = w.model.accounts[i as usize].clone();
        let params = w.model.params;
        let epoch = p.epoch();
        if let Some(kind) = attacks::next(&mut self.rng, w, p.block, i, role) {
            return kind;
        }
        if role == Role::RescueTwin
            && let Some(kind) = drain::rescue(w, p.block)
        {
            return kind;
        }
        if let Some(kind) = drain::watchful(&mut self.rng, w, p.block, i, role) {
            return kind;
        }
        let pool = matches!(role, Role::Pool { .. });
        if pool && !a.registered {
            return delegators::housekeeping(&mut self.rng, w, i, p.block);
        }
        if !a.registered {
            let amount = match role {
                Role::Prover(Strategy::Sybil) => params.min_stake,
                _ if self.rng.chance(5) => params.min_stake / 2,
                _ => self.rng.range(100, 3000) as u128 * UNIT,
            };
            return Kind::Register { amount };
        }
        // Duties first: proofs inside the window, commits, reveals.
        let mine: Vec<u64> = w
            .model
            .live
            .iter()
            .copied()
            .filter(|id| {
                let b = &w.model.batches[*id as usize - 1];
                b.status == status::ASSIGNED && b.prover == w.actors[i as usize].addr
            })
            .collect();
        if let Some(&first) = mine.first() {
            let b = &w.model.batches[first as usize - 1];
            // A careless pool's operator proves about half of its batches in time.
            let diligent = attacks::proves(role)
                || role == Role::Pool { careless: true } && self.rng.chance(50);
            if diligent && p.now() <= b.proving_deadline && self.data.withheld(b) {
                // It cannot get the data: challenge inside the window rather than miss.
                return Kind::ChallengeData { batch: first };
            }
            match role {
                _ if diligent && p.now() <= b.proving_deadline => {
                    // One proof covers the consecutive run of its batches whose data it has.
                    let count = mine
                        .iter()
                        .enumerate()
                        .take_while(|(k, id)| {
                            **id == first + *k as u64
                                && !self.data.withheld(&w.model.batches[**id as usize - 1])
                        })
                        .count();
                    let count = (count as u64).min(16);
                    return Kind::SubmitProof { first, count, proof_for: None };
                }
                Role::Prover(Strategy::Slow) if p.now() > b.proving_deadline => {
                    return if self.rng.chance(50) {
                        Kind::SubmitProof { first, count: 1, proof_for: None }
                    } else {
                        Kind::RaceSubmit { batch: first, proof_for: None }
                    };
                }
                Role::Prover(Strategy::WithdrawBeforeSlash) => {
                    return if a.stake > 0 && self.rng.chance(50) {
                        Kind::RequestUnstake { amount: a.stake }
                    } else {
                        Kind::Withdraw
                    };
                }
                _ => {}
            }
        }
        let in_commit = p.w.chain.epochs.start(epoch) + p.w.chain.epochs.commit_blocks > p.block;
        let committed_now = a.commit.is_some_and(|c| c.0 == epoch);
        let diligent = !matches!(role, Role::Prover(Strategy::Withhold)) || self.rng.chance(30);
        let exiting = role == Role::Prover(Strategy::Honest) && drain::hostile_ahead(w);
        if in_commit && !committed_now && a.stake >= params.min_stake && diligent && !exiting {
            return Kind::Commit { secret: self.secret(i, epoch) };
        }
        if !in_commit && committed_now && diligent {
            let secret = match self.secrets.get(&i) {
                Some((e, s)) if *e == epoch => *s,
                _ => self.secret(i, epoch),
            };
            if role == Role::Prover(Strategy::NoReveal) {
                // Grinding: it sees the reveals so far and withholds when mixing in its own secret
                // would (by its estimate) not pick it.
                let mix = w.model.rolls[(epoch & 1) as usize].mix;
                let guess = keccak256([secret.0, B256::from(U256::from(mix)).0].concat());
                if guess.0[31] & 1 == 1 {
                    return Kind::Claim;
                }
            }
            return Kind::Reveal { secret };
        }
        // Opportunities: races, theft, claims, stake management.
        if let Some(kind) = self.race_or_steal(p, i, role) {
            return kind;
        }
        if pool {
            return delegators::housekeeping(&mut self.rng, w, i, p.block);
        }
        if a.claimable > 0 && self.rng.chance(30) {
            return Kind::Claim;
        }
        if a.unbonding > 0 && p.block >= a.ready_at && self.rng.chance(50) {
            return Kind::Withdraw;
        }
        if i == PROVER_BASE && !w.model.operator_of.contains_key(&i) && self.rng.chance(20) {
            let operator = w.actors.iter().position(|x| x.role == Role::Operator);
            return Kind::SetOperator { operator: operator.map(|o| o as u16) };
        }
        let frugal = role == Role::Prover(Strategy::Overcommit);
        match self.rng.below(10) {
            0 if !frugal => Kind::Stake { amount: self.rng.range(1, 500) as u128 * UNIT },
            1 if a.stake > 0 => Kind::RequestUnstake {
                amount: 1 + (self.rng.next_u64() as u128 * UNIT) % a.stake.min(300 * UNIT),
            },
            2 => Kind::Withdraw,
            3 => Kind::Claim,
            _ => Kind::FinalizeSeed { epoch: epoch.saturating_sub(1) },
        }
    }

    fn race_or_steal(&mut self, p: &Probe<'_>, i: u16, role: Role) -> Option<Kind> {
        let w = p.w;
        let me = w.actors[i as usize].addr;
        let appetite = match role {
            Role::Prover(Strategy::Stealer) => 80,
            Role::Prover(Strategy::Honest) | Role::Prover(Strategy::Sybil) => 40,
            Role::Prover(Strategy::Slow) | Role::Prover(Strategy::NoReveal) => 20,
            _ => 5,
        };
        if !self.rng.chance(appetite) {
            return None;
        }
        for id in w.model.live.iter().copied() {
            let b = &w.model.batches[id as usize - 1];
            // Nobody races a batch whose data only its source has.
            if b.prover == me || p.now() > b.race_deadline || self.data.withheld(b) {
                continue;
            }
            let open = b.status != status::ASSIGNED || p.now() > b.proving_deadline;
            if role == Role::Prover(Strategy::Stealer) && b.status == status::ASSIGNED {
                // Copy the assigned prover's proof (as if seen in the mempool) and front-run it.
                let victim = w.actor_of(b.prover);
                return Some(if open {
                    Kind::RaceSubmit { batch: id, proof_for: victim }
                } else {
                    Kind::SubmitProof { first: id, count: 1, proof_for: victim }
                });
            }
            if open {
                return Some(Kind::RaceSubmit { batch: id, proof_for: None });
            }
        }
        None
    }

    /// Any function from any actor with loosely chosen arguments: walks the error paths.
    fn noise(&mut self, p: &mut Probe<'_>) -> (u16, Kind) {
        let w = p.w;
        let n = w.actors.len() as u64;
        let mut actor = self.rng.below(n) as u16;
        if w.actors[actor as usize].role.is_contract() {
            actor = w.model.operator_of.get(&actor).copied().unwrap_or(ROLLUP);
        }
        let batches = w.model.batches.len() as u64;
        let batch = self.rng.below(batches + 2);
        let kind = match self.rng.below(23) {
            0 => Kind::Register { amount: self.rng.range(0, 300) as u128 * UNIT },
            1 => Kind::Stake { amount: self.rng.below(3) as u128 * UNIT },
            2 => Kind::RequestUnstake { amount: self.rng.range(0, 5000) as u128 * UNIT },
            3 => Kind::Withdraw,
            4 => Kind::Commit { secret: B256::from(U256::from(self.rng.next_u64())) },
            5 => Kind::Reveal { secret: B256::from(U256::from(self.rng.next_u64())) },
            6 => Kind::PenalizeNonReveal { target: self.rng.below(n) as u16 },
            7 => Kind::FinalizeSeed { epoch: p.epoch() + self.rng.below(3) },
            8 => Kind::PostBatch {
                commitment: B256::from(U256::from(self.rng.below(2))),
                fee: self.rng.below(3) as u128,
            },
            9 => Kind::SubmitProof { first: batch, count: self.rng.below(20), proof_for: None },
            10 => Kind::SlashMissed { batch },
            11 => Kind::RaceSubmit { batch, proof_for: None },
            12 => Kind::MarkFailed { batch },
            13 => Kind::WithdrawTreasury { amount: self.rng.below(10) as u128 * UNIT },
            14 => Kind::FlushBurn,
            16 => Kind::SetOperator { operator: Some(self.rng.below(n) as u16) },
            17 => Kind::DepositFees { amount: self.rng.below(3) as u128 * UNIT },
            18 => Kind::WithdrawFees { amount: self.rng.range(0, 1000) as u128 * UNIT },
            19 => Kind::PostBatch { commitment: B256::repeat_byte(0xff), fee: UNIT },
            20 => Kind::ChallengeData { batch },
            21 => Kind::AnswerChallenge { batch, data: self.rng.next_u64() },
            22 => Kind::VoidUnanswered { batch },
            _ => {
                let params = self.params(p);
                Kind::SetParams { params }
            }
        };
        (actor, kind)
    }
}

/// The state as a strategy sees it at the block its action will land in.
struct Probe<'a> {
    w: &'a World,
    block: u64,
}

impl Probe<'_> {
    fn epoch(&self) -> u64 {
        self.w.chain.epochs.at(self.block)
    }

    fn epoch_start(&self, e: u64) -> u64 {
        self.w.chain.epochs.start(e)
    }

    /// The network clock at the action's block (deadlines are on it).
    fn now(&self) -> u64 {
        self.w.model.now(self.block)
    }
}
