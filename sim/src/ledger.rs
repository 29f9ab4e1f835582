//! Books every transaction (gas, unexpected reverts) and what the chain's events report: who was
//! slashed, which batch was proven, rescued or failed, who revealed. Batch outcomes are taken from
//! events only; the agents never assume one.

use alloy::primitives::U256;
use provernet_bindings::{BatchStatus, ProverNetwork as P, Strategy};
use provernet_evm::{Outcome, ProverNetworkEvents};

use crate::world::{Agent, World, u256_tokens};

/// The draw index `SlotAssigned` reports for a slot whose remaining batches are open
/// (contracts/libraries/Slots.sol, `OPEN`).
const OPEN_DRAW: u64 = 7;

/// Transactions whose gas counts towards the cost of getting a batch proven.
const BATCH_TXS: [&str; 5] =
    ["postBatch", "submitProof", "slashMissed", "raceSubmit", "markFailed"];

impl Agent {
    /// Books a slash of `amount` units as the contract takes it: from active stake first, the rest
    /// from unbonding stake.
    fn takes_slash(&mut self, amount: u128) {
        let from_active = amount.min(self.stake_units);
        self.stake_units -= from_active;
        self.unbonding_units = self.unbonding_units.saturating_sub(amount - from_active);
    }
}

impl World<'_> {
    /// Books transaction `kind` sent by prover `who` (none: the rollup or the keeper) and applies
    /// its events. `expect_ok`: a revert is a bookkeeping error of the simulation.
    pub(crate) fn record(
        &mut self,
        kind: &str,
        out: &Outcome,
        who: Option<usize>,
        expect_ok: bool,
    ) {
        self.summary.transactions += 1;
        let g = &mut self.summary.gas;
        g.total += out.gas;
        *g.by_kind.entry(kind.to_string()).or_default() += out.gas;
        *g.count_by_kind.entry(kind.to_string()).or_default() += 1;
        if BATCH_TXS.contains(&kind) {
            self.gas_batch += out.gas;
        }
        if let Some(i) = who {
            self.agents[i].stats.gas += out.gas;
        }
        if let (Some(r), true) = (&out.revert, expect_ok) {
            let c = &mut self.summary.checks;
            c.unexpected_reverts += 1;
            if c.revert_samples.len() < 5 {
                c.revert_samples.push(format!("{kind} at block {}: {r}", self.chain.block()));
            }
        }
        for ev in out.network_events(self.chain.addrs.network) {
            self.apply_event(ev);
        }
    }

    fn apply_event(&mut self, ev: ProverNetworkEvents) {
        use ProverNetworkEvents as E;
        match ev {
            E::ProverSlashed(e) => self.on_slashed(&e),
            E::NonRevealPenalized(e) => self.on_non_reveal(&e),
            E::BatchProven(e) => self.on_proven(&e),
            E::BatchFailed(e) => self.on_failed(&e),
            E::BatchVoided(e) => self.on_voided(&e),
            E::SlotAssigned(e) => {
                let draw = e.draw.to::<u64>();
                let em = &mut self.summary.emergency;
                if draw == OPEN_DRAW {
                    em.open_slots += 1;
                } else if draw > 0 {
                    em.capacity_redraws += 1;
                }
            }
            E::FeesDeposited(e) if e.source == self.rollup => {
                self.fee_balance += e.amount.saturating_to::<u128>();
                self.summary.load.fees_deposited += u256_tokens(e.amount);
            }
            E::Revealed(e) if e.weight == U256::ZERO => {
                if let Some(&i) = self.by_addr.get(&e.prover) {
                    self.agents[i].stats.unlisted_reveals += 1;
                }
            }
            E::Revealed(e) => {
                *self.listed.entry(e.epoch.to::<u64>()).or_default() += 1;
                if let Some(&i) = self.by_addr.get(&e.prover) {
                    self.agents[i].stats.weight_sum += e.weight.saturating_to::<u128>() as f64;
                    self.agents[i].stats.reveals += 1;
                }
            }
            _ => {}
        }
    }

    /// A missed assignment was slashed (by its first missed batch): that batch is in its race now
    /// and carries the bounty. The assignment's other missed batches go to the race without a
    /// slash ([`crate::agents::keeper::slashes_missed`]).
    fn on_slashed(&mut self, e: &P::ProverSlashed) {
        let sl = &mut self.summary.slashing;
        sl.misses += 1;
        sl.slashed += u256_tokens(e.amount);
        sl.burned += u256_tokens(e.burned);
        sl.to_treasury += u256_tokens(e.toTreasury);
        if let Some(&i) = self.by_addr.get(&e.prover) {
            let a = &mut self.agents[i];
            a.takes_slash(e.amount.saturating_to());
            a.stats.slashes += 1;
            a.rebirth_due = a.successor.is_some();
            a.stats.slashed += u256_tokens(e.amount);
            self.books_honest_loss(i, u256_tokens(e.amount));
        }
        let b = self.batch_mut(e.batchId.to::<u64>());
        let challenged = matches!(b.status, BatchStatus::Challenged | BatchStatus::Voided);
        b.status = BatchStatus::Racing;
        b.bounty = u256_tokens(e.bounty);
        self.books_withheld_slash(e, challenged);
    }

    /// Books a loss of `tokens` by prover `i` if it is honest: over the run, and inside the
    /// correlated outage's slash window.
    fn books_honest_loss(&mut self, i: usize, tokens: f64) {
        if self.agents[i].spec.strategy != Strategy::Honest {
            return;
        }
        let now = self.chain.block();
        let r = &mut self.summary.recovery;
        r.honest_slashed += tokens;
        if let Some((o, _)) = &self.outage
            && (o.start..o.slash_end).contains(&now)
        {
            r.honest_slashed_in_outage += tokens;
        }
    }

    /// A withheld reveal was penalised (the event carries no split: it follows `burnBps`).
    fn on_non_reveal(&mut self, e: &P::NonRevealPenalized) {
        let sl = &mut self.summary.slashing;
        sl.non_reveals += 1;
        let amount = u256_tokens(e.slashed);
        sl.slashed += amount;
        let burned = amount * f64::from(self.s.params.burn_bps) / 10_000.0;
        sl.burned += burned;
        sl.to_treasury += amount - burned;
        if let Some(&i) = self.by_addr.get(&e.prover) {
            let a = &mut self.agents[i];
            a.takes_slash(e.slashed.saturating_to());
            a.stats.non_reveals += 1;
            a.stats.slashed += amount;
            a.stats.non_reveal_slashed += amount;
            self.books_honest_loss(i, amount);
        }
    }

    /// A batch was proven, in its window or in the race: its transactions are final.
    fn on_proven(&mut self, e: &P::BatchProven) {
        let id = e.batchId.to::<u64>();
        if !e.rescued
            && let Some(&i) = self.by_addr.get(&e.prover)
        {
            self.agents[i].open -= 1;
        }
        let now = self.chain.block();
        let payout = u256_tokens(e.payout);
        let b = &mut self.batches[id as usize - 1];
        b.status = BatchStatus::Proven;
        b.rescued = e.rescued;
        if e.rescued {
            self.n_rescued += 1;
        } else {
            self.n_proven += 1;
        }
        b.resolved = now;
        if e.rescued {
            self.summary.slashing.bounties_paid += payout - b.fee;
        }
        if let Some(&i) = self.by_addr.get(&e.prover) {
            let st = &mut self.agents[i].stats;
            st.revenue += payout;
            if e.rescued {
                st.rescued += 1;
                st.race_revenue += payout;
            } else {
                st.proven += 1;
            }
        }
        let (fee, chunks) = (b.fee, std::mem::take(&mut b.chunks));
        let load = &mut self.summary.load;
        load.user_cost += fee;
        let hl = self.s.load.value_half_life;
        for run in chunks {
            let n = run.count;
            let delay = (now - run.arrived) as f64;
            self.waits.push((now - run.arrived, n));
            load.txs_finalised += n;
            load.user_value += n as f64 * self.s.load.tx_value * 0.5f64.powf(delay / hl);
            self.tx_latency_sum += delay * n as f64;
            self.inflight_txs -= n;
        }
    }

    /// Nobody proved a batch in time: the rollup re-orgs it out.
    fn on_failed(&mut self, e: &P::BatchFailed) {
        let id = e.batchId.to::<u64>();
        let b = &mut self.batches[id as usize - 1];
        b.status = BatchStatus::Failed;
        b.resolved = self.chain.block();
        // Its fee comes back to the rollup's prepaid balance.
        if e.poster == self.rollup {
            self.fee_balance += e.refund.saturating_to::<u128>();
            self.summary.load.fees_refunded += u256_tokens(e.refund);
        }
        // Nobody won the bounty: the contract credits it to the treasury.
        self.summary.slashing.to_treasury += b.bounty;
        self.n_failed += 1;
        self.reorgs_out(id);
    }

    /// Batch `id` will never be proven (failed or voided): the rollup re-orgs it out and its
    /// transactions go back to the front of the queue, keeping their arrival blocks (their users
    /// have been waiting all along).
    pub(crate) fn reorgs_out(&mut self, id: u64) {
        let chunks = std::mem::take(&mut self.batch_mut(id).chunks);
        for &run in chunks.iter().rev() {
            self.summary.load.txs_reorged += run.count;
            self.inflight_txs -= run.count;
            self.pending_count += run.count;
            self.pending_txs.push_front(run);
        }
    }
}
