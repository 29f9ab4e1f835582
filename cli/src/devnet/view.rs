//! The full-screen live view and the human summary: rendered as lines that fit the terminal's
//! width (columns dropped or shortened, never wrapped) and height (the event list takes the rows
//! that are left), then drawn on the terminal's alternate screen.

use std::{io::Write, time::Duration};

use alloy::primitives::Address;
use provernet_bindings::BatchStatus;

use super::{
    clock::PhaseClock,
    state::{OpenBatch, ProverRow, State},
    table::{Column, Tone, fit, paint, short_amount, truncate},
};

/// Widest amount cell in the table (longer amounts are shortened, see [`short_amount`]).
const AMOUNT_CELL: usize = 8;
/// Most open batches listed in the live view (the rest are counted).
const LIVE_OPEN_ROWS: usize = 5;
/// Fewest event lines the live view keeps, even on a short terminal.
const MIN_EVENTS: usize = 3;
/// Below this many event lines the live view drops its blank separator lines.
const ROOMY_EVENTS: usize = 8;
/// Most slashes listed in the summary (the rest are counted; `--json` has them all).
const SUMMARY_SLASHES: usize = 20;

/// A rendered line and how it stands out.
pub(crate) type Line = (Tone, String);

/// What to render for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    /// Columns available.
    pub width: usize,
    /// Rows available (None: no limit).
    pub height: Option<usize>,
    /// Time since the network started.
    pub elapsed: Duration,
    /// The live view (countdown, endpoint, events) rather than the final summary.
    pub live: bool,
}

/// The terminal's size as (columns, rows): asked of the terminal on stdout, else `COLUMNS` and
/// `LINES`, else 80x24.
pub(crate) fn terminal_size() -> (usize, usize) {
    #[cfg(unix)]
    {
        let mut ws = libc::winsize { ws_row: 0, ws_col: 0, ws_xpixel: 0, ws_ypixel: 0 };
        // SAFETY: TIOCGWINSZ only writes a `winsize` into the struct we own; an fd that is not a
        // terminal makes it fail, which is handled below.
        let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0;
        if ok && ws.ws_col > 0 && ws.ws_row > 0 {
            return (usize::from(ws.ws_col), usize::from(ws.ws_row));
        }
    }
    let env = |k: &str, d: usize| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    (env("COLUMNS", 80), env("LINES", 24))
}

/// The view as lines of at most `frame.width` characters (and at most `frame.height` lines).
pub(crate) fn render(state: &State, frame: &Frame) -> Vec<Line> {
    let w = frame.width;
    let mut top: Vec<Line> = header(state, frame).into_iter().map(|l| (Tone::Plain, l)).collect();
    top.push((Tone::Plain, String::new()));
    let table = prover_table(state, frame, w);
    let block = state.totals.block;
    top.push((Tone::Plain, table[0].clone()));
    for (r, line) in state.provers.iter().zip(&table[1..]) {
        // Rows of provers that are offline or were slashed stand out.
        let tone = if r.kind(frame.live.then_some(block)) == "OFF" {
            Tone::Warn
        } else if r.slashes() > 0 {
            Tone::Bad
        } else {
            Tone::Plain
        };
        top.push((tone, line.clone()));
    }
    top.push((
        Tone::Plain,
        format!(
            "amounts in {}; races: won in race; miss: missed window; norev: no reveal",
            state.setup.units.symbol
        ),
    ));
    top.push((Tone::Plain, String::new()));
    let limit = if frame.live { Some(LIVE_OPEN_ROWS) } else { None };
    top.extend(open_batches(state, limit));
    if !frame.live {
        top.push((Tone::Plain, String::new()));
        top.extend(slash_list(state));
        return finish(top, w, frame.height);
    }
    top.push((Tone::Plain, String::new()));
    let footer: Line = (Tone::Plain, "Ctrl-C stops the network and prints the summary".into());
    let free = |top: &[Line]| frame.height.map_or(usize::MAX, |h| h.saturating_sub(top.len() + 2));
    if free(&top) < ROOMY_EVENTS {
        // A short terminal: the blank separators give their rows to the events.
        top.retain(|(_, l)| !l.is_empty());
    }
    let rows = free(&top).max(MIN_EVENTS);
    let shown = state.notes.len().min(rows);
    let earlier = state.noted() - shown as u64;
    let title = match (&state.setup.log, earlier) {
        (_, 0) => "events".to_string(),
        (Some(log), n) => format!("events ({n} earlier in {})", log.display()),
        (None, n) => format!("events ({n} earlier)"),
    };
    top.push((Tone::Plain, title));
    for n in state.notes.iter().skip(state.notes.len() - shown) {
        top.push((n.tone, format!("[{:>5}] {}", n.block, n.text)));
    }
    // On a short terminal the events give way first; the footer always stays.
    if let Some(h) = frame.height {
        top.truncate(h.saturating_sub(1));
    }
    top.push(footer);
    finish(top, w, frame.height)
}

/// Joins rendered lines into text, colouring each fitted line when `colour` is on.
pub(crate) fn text(lines: &[Line], colour: bool) -> String {
    let mut s = String::new();
    for (tone, line) in lines {
        s += &paint(line, *tone, colour);
        s.push('\n');
    }
    s
}

fn finish(mut lines: Vec<Line>, width: usize, height: Option<usize>) -> Vec<Line> {
    if let Some(h) = height {
        lines.truncate(h);
    }
    for l in &mut lines {
        l.1 = truncate(&l.1, width);
    }
    lines
}

fn header(state: &State, frame: &Frame) -> Vec<String> {
    let t = &state.totals;
    let s = &state.setup;
    let proofs = if s.backend == "groth16" {
        "Groth16 proofs, INSECURE dev keys"
    } else {
        "INSECURE dev verifier"
    };
    let mut out = vec![format!(
        "provernet devnet  block {}  up {}s  {proofs}",
        t.block,
        frame.elapsed.as_secs()
    )];
    if frame.live {
        let clock = PhaseClock::at(&s.geo, t.block, s.block_time);
        out.push(format!("{}; {} listed", clock.describe(), t.listed));
        let both = format!("rpc {}  deployment {}", s.rpc, s.deployment.display());
        if both.chars().count() <= frame.width {
            out.push(both);
        } else {
            out.push(format!("rpc {}", s.rpc));
            out.push(format!("deployment {}", s.deployment.display()));
        }
    }
    // The slot a batch posted now lands in (all of a slot's batches go to its prover); the
    // live view only: the summary is not about a moment.
    let slot = s.geo.slot_at(t.block + 1);
    let slot = format!("slot {}/{} to {}", slot.index, s.geo.slots_per_epoch(), slot.last_block);
    let mut parts = vec![
        format!("batches: posted {}", t.posted),
        format!("on time {}", t.proven_on_time),
        format!("rescued {}", t.rescued),
        format!("failed {}", t.failed),
        format!("open {}", t.open()),
    ];
    if frame.live {
        parts.push(slot);
    }
    out.push(join_fitting(&parts, frame.width));
    out
}

/// Joins `parts` with two spaces, leaving out the trailing parts that would not fit.
fn join_fitting(parts: &[String], width: usize) -> String {
    let mut s = String::new();
    for p in parts {
        let extra = if s.is_empty() { p.len() } else { p.len() + 2 };
        if !s.is_empty() && s.len() + extra > width {
            break;
        }
        if !s.is_empty() {
            s += "  ";
        }
        s += p;
    }
    s
}

const COLUMNS: [Column; 13] = [
    Column { header: "", right: false, drop_order: 0 },
    Column { header: "address", right: false, drop_order: 5 },
    Column { header: "kind", right: false, drop_order: 0 },
    Column { header: "stake", right: true, drop_order: 0 },
    Column { header: "rep", right: true, drop_order: 4 },
    Column { header: "drawn", right: true, drop_order: 0 },
    Column { header: "proven", right: true, drop_order: 0 },
    Column { header: "races", right: true, drop_order: 0 },
    Column { header: "earned", right: true, drop_order: 0 },
    Column { header: "claim", right: true, drop_order: 0 },
    Column { header: "miss", right: true, drop_order: 0 },
    Column { header: "norev", right: true, drop_order: 0 },
    Column { header: "slashed", right: true, drop_order: 0 },
];

fn prover_table(state: &State, frame: &Frame, width: usize) -> Vec<String> {
    // Offline is a moment of the live view; the summary tells only who was flaky.
    let now = frame.live.then_some(state.totals.block);
    let d = state.setup.units.decimals;
    let amount = |v| short_amount(v, d, AMOUNT_CELL);
    let rows: Vec<Vec<String>> = state
        .provers
        .iter()
        .map(|r: &ProverRow| {
            vec![
                r.name.clone(),
                short_address(r.address),
                r.kind(now).to_string(),
                amount(r.stake),
                r.reputation.to_string(),
                r.assigned.to_string(),
                r.proven.to_string(),
                r.rescues.to_string(),
                amount(r.earned),
                amount(r.claimable),
                r.missed_windows.to_string(),
                r.non_reveals.to_string(),
                amount(r.slashed),
            ]
        })
        .collect();
    fit(&COLUMNS, &rows, width)
}

/// `0x7099..79C8`: enough to tell the devnet's provers apart.
fn short_address(a: Address) -> String {
    let s = a.to_checksum(None);
    format!("{}..{}", &s[..6], &s[s.len() - 4..])
}

fn open_batches(state: &State, limit: Option<usize>) -> Vec<Line> {
    let head = state.totals.block;
    let title = format!(
        "open batches: {}  (source fee balance {})",
        state.open.len(),
        state.amount(state.source_fee_balance)
    );
    let mut out = vec![(Tone::Plain, title)];
    let left = |deadline: u64| {
        if deadline > head { format!("{} left", deadline - head) } else { "passed".to_string() }
    };
    let rows = state.open.values().take(limit.unwrap_or(usize::MAX));
    for b in rows {
        let OpenBatch { id, prover, proving_deadline, race_deadline, status } = *b;
        let who = prover.map_or_else(|| "-".to_string(), |p| state.name(p));
        let (tone, when) = if status == BatchStatus::Assigned {
            let window = left(proving_deadline);
            (
                Tone::Plain,
                format!("window to {proving_deadline} ({window}), race to {race_deadline}"),
            )
        } else {
            (Tone::Warn, format!("race to {race_deadline} ({})", left(race_deadline)))
        };
        out.push((tone, format!("  #{id:<4} {who:<4} {:<8} {when}", status.as_str())));
    }
    if let Some(more) = state.open.len().checked_sub(limit.unwrap_or(usize::MAX)).filter(|&n| n > 0)
    {
        out.push((Tone::Plain, format!("  ... and {more} more")));
    }
    out
}

fn slash_list(state: &State) -> Vec<Line> {
    let n = state.slashes.len();
    let mut out = vec![(Tone::Plain, format!("slashes: {n}"))];
    let shown = n.min(SUMMARY_SLASHES);
    if shown < n {
        out.push((Tone::Plain, format!("  ({} earlier ones in --json)", n - shown)));
    }
    for s in &state.slashes[n - shown..] {
        out.push((
            Tone::Bad,
            format!(
                "  [{:>5}] {} slashed {}: {}",
                s.block,
                state.name(s.prover),
                state.amount(s.amount),
                s.reason.explain()
            ),
        ));
    }
    out
}

/// The terminal's alternate screen, left (with the cursor shown again) when dropped, so the
/// summary lands in the normal scrollback even after Ctrl-C or a panic.
pub(crate) struct Screen {
    colour: bool,
}

impl Screen {
    /// Switches to the alternate screen and hides the cursor.
    pub(crate) fn enter(colour: bool) -> Self {
        let mut out = std::io::stdout().lock();
        let _ = write!(out, "\x1b[?1049h\x1b[?25l");
        let _ = out.flush();
        Self { colour }
    }

    /// Redraws in place: each line overwrites the previous frame's and clears its rest.
    pub(crate) fn draw(&mut self, lines: &[Line]) {
        let mut s = String::from("\x1b[H");
        for (i, (tone, line)) in lines.iter().enumerate() {
            if i > 0 {
                s += "\r\n";
            }
            s += &paint(line, *tone, self.colour);
            s += "\x1b[K";
        }
        s += "\x1b[J";
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(s.as_bytes());
        let _ = out.flush();
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let mut out = std::io::stdout().lock();
        let _ = write!(out, "\x1b[?25h\x1b[?1049l");
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devnet::{
        events::Event,
        state::tests::{pnt, sample},
    };

    /// A busy state: large stakes, long amounts, many events, slashes and open batches.
    fn busy() -> State {
        let mut s = sample();
        let (p1, p2) = (s.provers[0].address, s.provers[1].address);
        for id in 1..=40u64 {
            let prover = if id % 3 == 0 {
                Address::ZERO
            } else if id % 2 == 0 {
                p2
            } else {
                p1
            };
            s.apply(
                20 + id,
                Event::Posted { id, prover, proving_deadline: 30 + id, race_deadline: 36 + id },
            );
        }
        for id in (1..=20u64).filter(|i| i % 2 == 1 && i % 3 != 0) {
            s.apply(40 + id, Event::Proven { id, prover: p1, payout: pnt(10), rescued: false });
        }
        s.apply(
            60,
            Event::MissedWindow {
                prover: p2,
                batch: 2,
                amount: pnt(123_456) / alloy::primitives::U256::from(7),
            },
        );
        s.apply(61, Event::NonReveal { prover: p2, epoch: 6, amount: pnt(15) });
        s.totals.block = 61;
        s.provers[0].stake = pnt(123_456_789);
        s.provers[0].claimable = pnt(1) / alloy::primitives::U256::from(3);
        s.provers[1].reputation = 4321;
        s
    }

    #[test]
    fn live_view_fits_80_columns_and_the_height() {
        let s = busy();
        for (w, h) in [(80, 24), (80, 50), (60, 20), (120, 40)] {
            let frame =
                Frame { width: w, height: Some(h), elapsed: Duration::from_secs(75), live: true };
            let lines = render(&s, &frame);
            for (_, l) in &lines {
                assert!(l.chars().count() <= w, "{} > {w}: {l:?}", l.chars().count());
            }
            assert!(lines.len() <= h, "{} lines > {h}", lines.len());
            let all = text(&lines, false);
            // The figures the issue asks for are there at every width.
            assert!(all.contains("epoch 7 "), "{all}");
            assert!(all.contains("claim"), "{all}");
            assert!(all.contains("open batches: "), "{all}");
            assert!(all.contains("Ctrl-C"), "{all}");
            if w >= 80 {
                // The slot the next block is in ends the batches line.
                let next = s.setup.geo.slot_at(s.totals.block + 1);
                let want = format!("  slot {}/4 to {}", next.index, next.last_block);
                let line = lines.iter().find(|(_, l)| l.starts_with("batches:")).unwrap();
                assert!(line.1.ends_with(&want), "{:?} does not end with {want:?}", line.1);
            }
            if h >= 24 {
                let events = lines.iter().filter(|(_, l)| l.starts_with('[')).count();
                assert!(events >= MIN_EVENTS, "{events} events at {w}x{h}:\n{all}");
            }
        }
        // Tiny terminals still get no wrapped or extra line, and the footer.
        for (w, h) in [(40, 10), (20, 5), (1, 1)] {
            let frame = Frame { width: w, height: Some(h), elapsed: Duration::ZERO, live: true };
            let lines = render(&s, &frame);
            assert!(lines.len() <= h && lines.iter().all(|(_, l)| l.chars().count() <= w));
            assert!(lines.last().unwrap().1.starts_with(&"Ctrl-C"[..w.min(4)]), "{lines:?}");
        }
        // At 80x50 the slash reasons show in the event list, and the per-prover row is whole.
        let frame = Frame { width: 80, height: Some(50), elapsed: Duration::ZERO, live: true };
        let all = text(&render(&s, &frame), false);
        assert!(all.contains("did not reveal its epoch-6 commitment"), "{all}");
        assert!(all.contains("p2 slashed 17636.5714 PNT: missed window of batch 2"));
        assert!(all.contains("123.4M"), "{all}");
        // Only the address column gave way at 80; at 120 it is back.
        assert!(!all.contains("address"));
        let frame = Frame { width: 120, ..frame };
        assert!(text(&render(&s, &frame), false).contains("address"));
    }

    #[test]
    fn colour_codes_do_not_count_against_the_width() {
        let s = busy();
        let frame = Frame { width: 80, height: Some(40), elapsed: Duration::ZERO, live: true };
        let coloured = text(&render(&s, &frame), true);
        assert!(coloured.contains("\x1b[31m"));
        for l in coloured.lines() {
            let visible = l
                .replace("\x1b[31m", "")
                .replace("\x1b[32m", "")
                .replace("\x1b[33m", "")
                .replace("\x1b[0m", "");
            assert!(visible.chars().count() <= 80, "{visible:?}");
        }
    }

    #[test]
    fn summary_lists_every_open_batch_and_slash_reason() {
        let s = busy();
        let frame = Frame { width: 80, height: None, elapsed: Duration::ZERO, live: false };
        let all = text(&render(&s, &frame), false);
        assert!(all.contains(&format!("open batches: {}", s.open.len())));
        assert!(!all.contains("more"), "{all}");
        assert!(all.contains("p2 slashed 15 PNT: did not reveal its epoch-6 commitment"), "{all}");
        assert!(all.contains("missed window of batch 2 (ended block 32)"), "{all}");
        assert!(!all.contains("Ctrl-C"));
    }
}
