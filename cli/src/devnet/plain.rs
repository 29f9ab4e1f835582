//! `--plain` output (also used when stdout is not a terminal, and on stderr with `--json`): each
//! event as it is seen, and every few seconds the figures as `key=value` lines, one for the
//! network and one per prover, so `grep prover=p3` follows one prover.

use std::{
    io::Write,
    time::{Duration, Instant},
};

use super::{
    clock::{PhaseClock, phase_name},
    state::State,
};
use crate::amount::fmt_amount;

/// How often the figures are printed.
const FIGURES_EVERY: Duration = Duration::from_secs(5);

/// The network line and one line per prover. Amounts are exact decimal token amounts (the
/// `token=` key names the token), counts are integers; keys match the `--json` summary's fields.
pub(crate) fn figure_lines(state: &State) -> Vec<String> {
    let t = &state.totals;
    let d = state.setup.units.decimals;
    let clock = PhaseClock::at(&state.setup.geo, t.block, state.setup.block_time);
    let missed: u64 = state.provers.iter().map(|r| r.missed_windows).sum();
    let norev: u64 = state.provers.iter().map(|r| r.non_reveals).sum();
    let mut out = vec![format!(
        "block={} epoch={} phase={} phaseBlocksLeft={} slot={} posted={} provenOnTime={} rescued={} \
         failed={} open={} listed={} missedWindows={missed} nonReveals={norev} \
         sourceFeeBalance={} token={}",
        t.block,
        clock.epoch,
        phase_name(clock.phase),
        clock.blocks_left(),
        state.setup.geo.slot_at(t.block + 1).index,
        t.posted,
        t.proven_on_time,
        t.rescued,
        t.failed,
        t.open(),
        t.listed,
        fmt_amount(state.source_fee_balance, d),
        state.setup.units.symbol
    )];
    for r in &state.provers {
        out.push(format!(
            "block={} prover={} address={} kind={} stake={} reputation={} slots={} assigned={} \
             proven={} rescues={} earned={} claimable={} missedWindows={} nonReveals={} slashed={}",
            t.block,
            r.name,
            r.address.to_checksum(None),
            r.kind(Some(t.block)),
            fmt_amount(r.stake, d),
            r.reputation,
            r.slots,
            r.assigned,
            r.proven,
            r.rescues,
            fmt_amount(r.earned, d),
            fmt_amount(r.claimable, d),
            r.missed_windows,
            r.non_reveals,
            fmt_amount(r.slashed, d)
        ));
    }
    out
}

/// The events after `seen` (a [`super::state::Note::seq`]) as `[block] text` lines.
pub(crate) fn event_lines(state: &State, seen: u64) -> Vec<String> {
    state
        .notes
        .iter()
        .filter(|n| n.seq > seen)
        .map(|n| format!("[{:>5}] {}", n.block, n.text))
        .collect()
}

/// Prints `--plain` lines as the devnet runs.
#[derive(Debug)]
pub(crate) struct PlainPrinter {
    to_stderr: bool,
    seen: u64,
    last_figures: Option<Instant>,
}

impl PlainPrinter {
    /// A printer to stdout, or to stderr (with `--json`, whose stdout is the summary alone).
    pub(crate) fn new(to_stderr: bool) -> Self {
        Self { to_stderr, seen: 0, last_figures: None }
    }

    /// Prints the new events, and the figures when they are due (or `force`d at the end).
    pub(crate) fn tick(&mut self, state: &State, force: bool) {
        let mut lines = event_lines(state, self.seen);
        self.seen = state.noted();
        if force || self.last_figures.is_none_or(|t| t.elapsed() >= FIGURES_EVERY) {
            lines.extend(figure_lines(state));
            self.last_figures = Some(Instant::now());
        }
        if lines.is_empty() {
            return;
        }
        let text = lines.join("\n") + "\n";
        // A closed pipe (e.g. `| head`) is not worth stopping the network for.
        let _ = if self.to_stderr {
            std::io::stderr().lock().write_all(text.as_bytes())
        } else {
            std::io::stdout().lock().write_all(text.as_bytes())
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devnet::{
        events::Event,
        state::tests::{pnt, sample},
    };

    #[test]
    fn figure_lines_carry_per_prover_figures() {
        let mut s = sample();
        let (p1, p2) = (s.provers[0].address, s.provers[1].address);
        s.apply(21, Event::Posted { id: 1, prover: p2, proving_deadline: 27, race_deadline: 33 });
        s.apply(28, Event::MissedWindow { prover: p2, batch: 1, amount: pnt(150) });
        s.apply(
            29,
            Event::Proven {
                id: 1,
                prover: p1,
                payout: pnt(55) / alloy::primitives::U256::from(2),
                rescued: true,
            },
        );
        s.totals.block = 29;
        s.provers[0].stake = pnt(1000);
        s.provers[0].claimable = pnt(55) / alloy::primitives::U256::from(2);
        s.provers[1].stake = pnt(1350);
        let lines = figure_lines(&s);
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert!(lines[0].starts_with("block=29 epoch=2 phase=reveal "), "{}", lines[0]);
        assert!(
            lines[0].contains(" posted=1 provenOnTime=0 rescued=1 failed=0 open=0 "),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains(" missedWindows=1 nonReveals=0 "), "{}", lines[0]);
        assert_eq!(
            lines[1],
            format!(
                "block=29 prover=p1 address={} kind=ok stake=1000 reputation=0 slots=0 assigned=0 \
                 proven=0 rescues=1 earned=27.5 claimable=27.5 missedWindows=0 nonReveals=0 \
                 slashed=0",
                p1.to_checksum(None)
            )
        );
        assert!(lines[2].contains(" prover=p2 "), "{}", lines[2]);
        assert!(lines[2].contains(" stake=1350 "), "{}", lines[2]);
        assert!(lines[2].ends_with(" assigned=1 proven=0 rescues=0 earned=0 claimable=0 missedWindows=1 nonReveals=0 slashed=150"), "{}", lines[2]);
    }

    #[test]
    fn event_lines_follow_the_history() {
        let mut s = sample();
        s.apply(40, Event::Failed { id: 9, refund: pnt(10) });
        s.apply(41, Event::NonReveal { prover: s.provers[1].address, epoch: 3, amount: pnt(15) });
        assert_eq!(event_lines(&s, 0).len(), 2);
        assert_eq!(
            event_lines(&s, 1),
            ["[   41] p2 slashed 15 PNT: did not reveal its epoch-3 commitment"]
        );
        assert!(event_lines(&s, 2).is_empty());
    }
}
