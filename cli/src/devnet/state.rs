//! What the devnet knows about its network: per-prover figures, the open batches with their
//! deadlines, every slash with its reason, and the event history. Built from the contract's events
//! ([`super::events`]) and refreshed from account state; the view, the `--plain` lines and the
//! summary only read it.

use std::{
    collections::{BTreeMap, VecDeque},
    path::PathBuf,
};

use alloy::{
    eips::BlockId,
    primitives::{Address, U256},
};
use eyre::Result;
use provernet_bindings::BatchStatus;

use super::{
    events::{self, Event},
    table::{Tone, short_amount},
};
use crate::{
    agent::Flaky,
    amount::Units,
    net::{Geometry, Net},
};

/// How many events the state remembers (the view shows as many as fit; in full-screen mode the
/// log file has them all).
const HISTORY: usize = 500;

/// The fixed facts of one devnet run.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    /// Token display units.
    pub units: Units,
    /// Epoch geometry.
    pub geo: Geometry,
    /// Seconds per block (for countdowns).
    pub block_time: u64,
    /// Proof backend of the agents (`groth16` or `insecure-dev`).
    pub backend: String,
    /// anvil's endpoint.
    pub rpc: String,
    /// The deployment file.
    pub deployment: PathBuf,
    /// Where the logs go in full-screen mode.
    pub log: Option<PathBuf>,
    /// The batch source (its prepaid fee balance takes back the fees of failed batches).
    pub source: Address,
}

/// Per-prover figures.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProverRow {
    /// Label (p1, p2, ...).
    pub name: String,
    /// Address.
    pub address: Address,
    /// Its on/off pattern when configured flaky.
    pub pattern: Option<Flaky>,
    /// Active stake (chain state).
    pub stake: U256,
    /// Rewards credited and not yet claimed (chain state).
    pub claimable: U256,
    /// Reputation now (chain state).
    pub reputation: u64,
    /// Slots whose batches it got.
    pub slots: u64,
    /// Batches drawn for it.
    pub assigned: u64,
    /// Proven in its window.
    pub proven: u64,
    /// Races won.
    pub rescues: u64,
    /// Fees and bounties credited.
    pub earned: U256,
    /// Slashes for a missed proving window.
    pub missed_windows: u64,
    /// Slashes for a commitment not revealed.
    pub non_reveals: u64,
    /// Total slashed.
    pub slashed: U256,
}

impl ProverRow {
    /// All slashes.
    pub(crate) fn slashes(&self) -> u64 {
        self.missed_windows + self.non_reveals
    }

    /// `ok` or `flaky`; with `now`, `OFF` while a flaky prover is in its offline stretch then.
    pub(crate) fn kind(&self, now: Option<u64>) -> &'static str {
        match self.pattern {
            Some(f) if now.is_some_and(|b| f.offline_at(b)) => "OFF",
            Some(_) => "flaky",
            None => "ok",
        }
    }
}

/// Network-wide counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Batches posted.
    pub posted: u64,
    /// Posted with nobody eligible (straight to the race).
    pub unassigned: u64,
    /// Proven inside the assigned window.
    pub proven_on_time: u64,
    /// Proven by a race winner.
    pub rescued: u64,
    /// Failed (nobody proved them).
    pub failed: u64,
    /// Latest block seen.
    pub block: u64,
    /// Provers on the selection list that serves the next block's epoch.
    pub listed: u64,
}

impl Totals {
    /// Posted and not yet settled.
    pub(crate) fn open(&self) -> u64 {
        self.posted.saturating_sub(self.proven_on_time + self.rescued + self.failed)
    }
}

/// A posted batch that is neither proven nor failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpenBatch {
    /// The batch.
    pub id: u64,
    /// The drawn prover (None: nobody was eligible).
    pub prover: Option<Address>,
    /// Last block of the exclusive window.
    pub proving_deadline: u64,
    /// Last block of the race.
    pub race_deadline: u64,
    /// `Assigned`, `Open` (nobody was eligible) or `Racing` (its prover was slashed).
    pub status: BatchStatus,
}

/// Why a prover was slashed, from the event that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlashReason {
    /// `ProverSlashed`: its proving window for `batch` passed without a proof.
    MissedWindow {
        /// The batch.
        batch: u64,
        /// The window's last block, when the devnet saw the batch posted.
        deadline: Option<u64>,
    },
    /// `NonRevealPenalized`: it committed in `epoch` and did not reveal.
    NonReveal {
        /// The epoch.
        epoch: u64,
    },
}

impl SlashReason {
    /// Stable key for JSON and `--plain` lines.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Self::MissedWindow { .. } => "missedWindow",
            Self::NonReveal { .. } => "nonReveal",
        }
    }

    /// The reason in words.
    pub(crate) fn explain(self) -> String {
        match self {
            Self::MissedWindow { batch, deadline: Some(d) } => {
                format!("missed window of batch {batch} (ended block {d})")
            }
            Self::MissedWindow { batch, deadline: None } => {
                format!("missed window of batch {batch}")
            }
            Self::NonReveal { epoch } => format!("did not reveal its epoch-{epoch} commitment"),
        }
    }
}

/// One slash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slash {
    /// Block of the event.
    pub block: u64,
    /// The prover.
    pub prover: Address,
    /// Stake slashed.
    pub amount: U256,
    /// Why.
    pub reason: SlashReason,
}

/// One event line of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    /// Position in the whole history (1-based), so printers know what they have shown.
    pub seq: u64,
    /// Block of the event.
    pub block: u64,
    /// What happened.
    pub text: String,
    /// How it should stand out.
    pub tone: Tone,
}

/// The devnet's knowledge of its network.
#[derive(Debug, Clone)]
pub(crate) struct State {
    /// Fixed facts.
    pub setup: Setup,
    /// Network-wide counts.
    pub totals: Totals,
    /// Per prover, in order.
    pub provers: Vec<ProverRow>,
    /// Unsettled batches by id.
    pub open: BTreeMap<u64, OpenBatch>,
    /// Every slash seen, in order.
    pub slashes: Vec<Slash>,
    /// The latest events (at most [`HISTORY`]).
    pub notes: VecDeque<Note>,
    /// The batch source's prepaid fee balance (failed batches' fees are refunded into it).
    pub source_fee_balance: U256,
    index: BTreeMap<Address, usize>,
    deadlines: BTreeMap<u64, u64>,
    noted: u64,
    scanned_to: u64,
}

impl State {
    /// An empty state; events are read from block `scanned_to + 1` on.
    pub(crate) fn new(setup: Setup, scanned_to: u64) -> Self {
        Self {
            setup,
            totals: Totals { block: scanned_to, ..Totals::default() },
            provers: Vec::new(),
            open: BTreeMap::new(),
            slashes: Vec::new(),
            notes: VecDeque::new(),
            source_fee_balance: U256::ZERO,
            index: BTreeMap::new(),
            deadlines: BTreeMap::new(),
            noted: 0,
            scanned_to,
        }
    }

    /// Adds a prover to follow; it is labelled `p1`, `p2`, ... in order.
    pub(crate) fn add_prover(&mut self, address: Address, pattern: Option<Flaky>) {
        self.index.insert(address, self.provers.len());
        self.provers.push(ProverRow {
            name: format!("p{}", self.provers.len() + 1),
            address,
            pattern,
            ..ProverRow::default()
        });
    }

    /// Events noted so far (the whole history, not only what is kept).
    pub(crate) fn noted(&self) -> u64 {
        self.noted
    }

    /// The prover's label, or its address when it is not one of the devnet's.
    pub(crate) fn name(&self, a: Address) -> String {
        self.index.get(&a).map_or_else(|| a.to_checksum(None), |&i| self.provers[i].name.clone())
    }

    fn row(&mut self, a: Address) -> Option<&mut ProverRow> {
        self.index.get(&a).copied().map(|i| &mut self.provers[i])
    }

    /// An amount for people, e.g. `121.5 PNT`, decimals cut to keep event lines short (the
    /// `--json` summary and the `--plain` figure lines carry exact amounts).
    pub(crate) fn amount(&self, v: U256) -> String {
        format!("{} {}", short_amount(v, self.setup.units.decimals, 10), self.setup.units.symbol)
    }

    fn note(&mut self, block: u64, tone: Tone, text: String) {
        if self.notes.len() == HISTORY {
            self.notes.pop_front();
        }
        self.noted += 1;
        self.notes.push_back(Note { seq: self.noted, block, text, tone });
    }

    /// Applies one event seen in `block`.
    pub(crate) fn apply(&mut self, block: u64, event: Event) {
        match event {
            Event::Posted { id, prover, proving_deadline, race_deadline } => {
                self.totals.posted += 1;
                let assigned = !prover.is_zero();
                let text = if assigned {
                    self.deadlines.insert(id, proving_deadline);
                    if let Some(r) = self.row(prover) {
                        r.assigned += 1;
                    }
                    format!(
                        "batch {id} posted, assigned to {} (window to block {proving_deadline}, race to {race_deadline})",
                        self.name(prover)
                    )
                } else {
                    self.totals.unassigned += 1;
                    format!(
                        "batch {id} posted, nobody eligible: open race to block {race_deadline}"
                    )
                };
                let status = if assigned { BatchStatus::Assigned } else { BatchStatus::Open };
                let prover = assigned.then_some(prover);
                self.open
                    .insert(id, OpenBatch { id, prover, proving_deadline, race_deadline, status });
                self.note(block, if assigned { Tone::Plain } else { Tone::Warn }, text);
            }
            Event::SlotAssigned { epoch, index, draw, prover } => {
                let text = if prover.is_zero() {
                    format!(
                        "slot {index} of epoch {epoch}: open (nobody was listed, or every drawn prover was full)"
                    )
                } else {
                    if let Some(r) = self.row(prover) {
                        r.slots += 1;
                    }
                    let why = if draw > 0 { " (earlier draws were full)" } else { "" };
                    format!(
                        "slot {index} of epoch {epoch}: its batches go to {}, draw {draw}{why}",
                        self.name(prover)
                    )
                };
                self.note(block, if prover.is_zero() { Tone::Warn } else { Tone::Plain }, text);
            }
            Event::Proven { id, prover, payout, rescued } => {
                self.open.remove(&id);
                let how = if rescued { "rescued in the race by" } else { "proven on time by" };
                let text =
                    format!("batch {id} {how} {} (+{})", self.name(prover), self.amount(payout));
                if rescued {
                    self.totals.rescued += 1;
                } else {
                    self.totals.proven_on_time += 1;
                }
                if let Some(r) = self.row(prover) {
                    if rescued {
                        r.rescues += 1;
                    } else {
                        r.proven += 1;
                    }
                    r.earned += payout;
                }
                self.note(block, Tone::Good, text);
            }
            Event::Failed { id, refund } => {
                self.open.remove(&id);
                self.totals.failed += 1;
                let text = format!(
                    "batch {id} FAILED: nobody proved it; {} credited to the source's claimable balance",
                    self.amount(refund)
                );
                self.note(block, Tone::Bad, text);
            }
            Event::MissedWindow { prover, batch, amount } => {
                if let Some(b) = self.open.get_mut(&batch) {
                    b.status = BatchStatus::Racing;
                }
                let deadline = self.deadlines.get(&batch).copied();
                self.slash(block, prover, amount, SlashReason::MissedWindow { batch, deadline });
            }
            Event::NonReveal { prover, epoch, amount } => {
                self.slash(block, prover, amount, SlashReason::NonReveal { epoch });
            }
        }
    }

    fn slash(&mut self, block: u64, prover: Address, amount: U256, reason: SlashReason) {
        if let Some(r) = self.row(prover) {
            match reason {
                SlashReason::MissedWindow { .. } => r.missed_windows += 1,
                SlashReason::NonReveal { .. } => r.non_reveals += 1,
            }
            r.slashed += amount;
        }
        let text =
            format!("{} slashed {}: {}", self.name(prover), self.amount(amount), reason.explain());
        self.slashes.push(Slash { block, prover, amount, reason });
        self.note(block, Tone::Bad, text);
    }

    /// Reads new events up to the head, then the stakes, claimable balances, reputations and the
    /// size of the selection list.
    pub(crate) async fn refresh(&mut self, net: &Net) -> Result<()> {
        let head = net.chain.block_number().await?;
        if head > self.scanned_to {
            for (block, event) in events::fetch(net, self.scanned_to + 1, head).await? {
                self.apply(block, event);
            }
            self.scanned_to = head;
        }
        self.totals.block = head;
        // Read at the head whose events were applied, so stakes and slashes agree.
        let at = BlockId::number(head);
        for row in &mut self.provers {
            let account = net.network.accountOf(row.address).call().block(at).await?;
            row.stake = U256::from(account.stake);
            row.claimable = U256::from(account.claimable);
            row.reputation =
                net.network.reputationOf(row.address).call().block(at).await?.saturating_to();
        }
        let source = net.network.sourceOf(self.setup.source).call().block(at).await?;
        self.source_fee_balance = U256::from(source.feeBalance);
        // The list serving the next block's epoch was filled by the previous epoch's reveals.
        let epoch = self.setup.geo.epoch_of(head + 1);
        self.totals.listed = match epoch.checked_sub(1) {
            Some(e) => {
                net.network.rollOf(U256::from(e)).call().block(at).await?.count.saturating_to()
            }
            None => 0,
        };
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Two provers (the second flaky) on a 4+3-block geometry, amounts in 18-decimal PNT.
    pub(crate) fn sample() -> State {
        let setup = Setup {
            units: Units { decimals: 18, symbol: "PNT".into() },
            geo: Geometry { genesis: 10, commit_blocks: 4, reveal_blocks: 3, slot_blocks: 2 },
            block_time: 1,
            backend: "insecure-dev".into(),
            rpc: "http://127.0.0.1:8545".into(),
            deployment: PathBuf::from("/home/someone/.provernet/devnet/deployment.json"),
            log: Some(PathBuf::from("/home/someone/.provernet/devnet/devnet.log")),
            source: Address::repeat_byte(0x70),
        };
        let mut s = State::new(setup, 20);
        s.add_prover(Address::repeat_byte(0x11), None);
        s.add_prover(
            Address::repeat_byte(0xab),
            Some(Flaky { online: 21, offline: 14, offset: 5 }),
        );
        s
    }

    pub(crate) fn pnt(n: u64) -> U256 {
        U256::from(n) * U256::from(10u64).pow(U256::from(18))
    }

    #[test]
    fn slashes_carry_their_reason_and_settle_batches() {
        let mut s = sample();
        let (p1, p2) = (s.provers[0].address, s.provers[1].address);
        let posted = |id, prover| Event::Posted {
            id,
            prover,
            proving_deadline: 30 + id,
            race_deadline: 36 + id,
        };
        s.apply(24, posted(1, p1));
        s.apply(25, posted(2, p2));
        s.apply(26, posted(3, Address::ZERO));
        assert_eq!(s.open.len(), 3);
        assert_eq!(s.open[&3].status, BatchStatus::Open);
        s.apply(27, Event::Proven { id: 1, prover: p1, payout: pnt(10), rescued: false });
        s.apply(33, Event::MissedWindow { prover: p2, batch: 2, amount: pnt(150) });
        assert_eq!(s.open[&2].status, BatchStatus::Racing);
        s.apply(34, Event::Proven { id: 2, prover: p1, payout: pnt(13), rescued: true });
        s.apply(35, Event::NonReveal { prover: p2, epoch: 3, amount: pnt(15) });
        s.apply(40, Event::Failed { id: 3, refund: pnt(10) });

        assert!(s.open.is_empty());
        let t = s.totals;
        assert_eq!(
            (t.posted, t.unassigned, t.proven_on_time, t.rescued, t.failed),
            (3, 1, 1, 1, 1)
        );
        assert_eq!(t.open(), 0);
        let (r1, r2) = (&s.provers[0], &s.provers[1]);
        assert_eq!((r1.assigned, r1.proven, r1.rescues, r1.earned), (1, 1, 1, pnt(23)));
        assert_eq!(
            (r2.missed_windows, r2.non_reveals, r2.slashes(), r2.slashed),
            (1, 1, 2, pnt(165))
        );
        assert_eq!(
            s.slashes.iter().map(|x| x.reason).collect::<Vec<_>>(),
            [
                SlashReason::MissedWindow { batch: 2, deadline: Some(32) },
                SlashReason::NonReveal { epoch: 3 }
            ]
        );
        let texts: Vec<&str> = s.notes.iter().map(|n| n.text.as_str()).collect();
        assert!(texts.contains(&"p2 slashed 150 PNT: missed window of batch 2 (ended block 32)"));
        assert!(texts.contains(&"p2 slashed 15 PNT: did not reveal its epoch-3 commitment"));
        assert_eq!(s.noted(), 8);
        assert_eq!(s.notes.back().unwrap().seq, 8);
    }

    #[test]
    fn history_is_bounded() {
        let mut s = sample();
        for id in 1..=(HISTORY as u64 + 5) {
            s.apply(id, Event::Failed { id, refund: U256::ZERO });
        }
        assert_eq!(s.notes.len(), HISTORY);
        assert_eq!(s.noted(), HISTORY as u64 + 5);
        assert_eq!(s.notes.front().unwrap().seq, 6);
    }
}
