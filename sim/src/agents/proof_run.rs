//! How one proof plays out on a prover's machine, and what the prover decides while it runs. The
//! prover plans on its EXPECTED proving time (the class's time without jitter) and on what it sees
//! at the decision block; the world then plays the work out:
//! - it starts when the machine is free and the prover is up; it does not start (or restart) work
//!   it cannot expect to finish by the deadline;
//! - the realised time, with its jitter, is drawn when an attempt starts;
//! - an outage that begins while an attempt runs kills it: the work done is paid for and lost, and
//!   the prover restarts when it is back if the expected time still fits;
//! - a crash is discovered when the attempt would have finished (its cost paid); the prover retries
//!   if the expected time still fits, else gives up;
//! - an attempt that has not finished by the deadline is abandoned there (the proof would be
//!   worthless after it), its work so far paid for.
//!
//! The same rules serve an assignment (deadline: the window's last block) and a race entry
//! (deadline: the race's last block). [`ProofRun::plays_out`] holds them once, over a [`Machine`],
//! so that tests can script outages, times and crashes exactly.

use crate::world::World;

/// What the work sees of the world: the prover's outages, its realised times and its crashes.
pub(crate) trait Machine {
    /// Whether the prover is down at `block`; if so, the block it is back.
    fn down_until(&mut self, block: u64) -> Option<u64>;
    /// The first block in `from..to` at which the prover goes down, if any.
    fn next_down(&mut self, from: u64, to: u64) -> Option<u64>;
    /// The realised time of an attempt starting now (draws the jitter).
    fn realised_time(&mut self) -> u64;
    /// Whether the attempt that just finished crashed.
    fn crashes(&mut self) -> bool;
}

/// How an attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fate {
    /// It produced the proof.
    Done,
    /// An outage began while it ran.
    Killed,
    /// It ran its full time and crashed.
    Crashed,
    /// The deadline came first.
    Abandoned,
}

/// One attempt at a proof: it ran on `start..end` of the `time` blocks it needed (`end` earlier
/// than `start + time`: killed or abandoned).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Attempt {
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) time: u64,
    pub(crate) fate: Fate,
}

impl Attempt {
    /// Share of a whole proof's cost this attempt burned on `start..min(end, until)`.
    pub(crate) fn share_until(&self, until: u64) -> f64 {
        until.min(self.end).saturating_sub(self.start) as f64 / self.time as f64
    }
}

/// Why a proof run ended without a proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GaveUp {
    /// Its machines' queue would end after the deadline (expected time), outage or not.
    Overload,
    /// An outage delayed its start, or killed its work, past the point where it could expect to
    /// finish in time.
    Outage,
    /// Its last attempt crashed with no time left for another.
    Crash,
    /// The realised time ran past the deadline: abandoned at the deadline.
    Late,
}

/// How one proof played out.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ProofRun {
    /// Every attempt started, in order.
    pub(crate) attempts: Vec<Attempt>,
    /// The block its proof is ready, or why it gave up.
    pub(crate) outcome: Result<u64, GaveUp>,
    /// Block the machine is free again.
    pub(crate) machine_free: u64,
}

/// What happened to a run's attempts before some block: kills, crashes, restarts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Setbacks {
    pub(crate) killed: u64,
    pub(crate) crashed: u64,
    /// Attempts started after the first (restarts after a kill, retries after a crash).
    pub(crate) restarts: u64,
}

/// What the work was stopped by last, for the cause of a give-up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Setback {
    Clean,
    Killed,
    Crashed,
}

impl ProofRun {
    /// Plays out a proof the prover may start at `from` (its machine is free and the batch is
    /// there), expecting it to take `expected` blocks, that must be ready by `deadline`.
    pub(crate) fn plays_out(m: &mut impl Machine, expected: u64, from: u64, deadline: u64) -> Self {
        let mut run =
            ProofRun { attempts: Vec::new(), outcome: Err(GaveUp::Overload), machine_free: from };
        let (mut at, mut last) = (from, Setback::Clean);
        loop {
            // Down: the machine picks the work up again when the prover is back.
            let delayed = match m.down_until(at) {
                Some(back) => {
                    at = back;
                    true
                }
                None => false,
            };
            if at + expected > deadline {
                run.machine_free = at;
                run.outcome = Err(match last {
                    Setback::Crashed => GaveUp::Crash,
                    Setback::Killed => GaveUp::Outage,
                    // Its queue alone would have let it finish: the outage made it miss.
                    Setback::Clean if delayed && from + expected <= deadline => GaveUp::Outage,
                    Setback::Clean => GaveUp::Overload,
                });
                return run;
            }
            let time = m.realised_time();
            if let Some(down) = m.next_down(at + 1, at + time) {
                run.attempts.push(Attempt { start: at, end: down, time, fate: Fate::Killed });
                (at, last) = (down, Setback::Killed);
                continue;
            }
            if at + time > deadline {
                let fate = Fate::Abandoned;
                run.attempts.push(Attempt { start: at, end: deadline, time, fate });
                run.machine_free = deadline;
                run.outcome = Err(GaveUp::Late);
                return run;
            }
            let end = at + time;
            if m.crashes() {
                run.attempts.push(Attempt { start: at, end, time, fate: Fate::Crashed });
                (at, last) = (end, Setback::Crashed);
                continue;
            }
            run.attempts.push(Attempt { start: at, end, time, fate: Fate::Done });
            at = end;
            run.machine_free = at;
            run.outcome = Ok(at);
            return run;
        }
    }

    /// Share of a whole proof's cost the run burned before block `until` (`u64::MAX`: all of it).
    pub(crate) fn cost_share_until(&self, until: u64) -> f64 {
        self.attempts.iter().map(|a| a.share_until(until)).sum()
    }

    /// Blocks a machine worked on the run before block `until` (`u64::MAX`: all of it), wasted
    /// attempts included: what utilisation counts.
    pub(crate) fn busy_until(&self, until: u64) -> u64 {
        self.attempts.iter().map(|a| until.min(a.end).saturating_sub(a.start)).sum()
    }

    /// Share of a whole proof's cost the run burned without a proof: every attempt but a
    /// successful last one.
    pub(crate) fn wasted_share(&self) -> f64 {
        let all = self.cost_share_until(u64::MAX);
        if self.outcome.is_ok() { all - 1.0 } else { all }
    }

    /// The kills, crashes and restarts that happened before block `until` (`u64::MAX`: all): a
    /// racer that stops at `until` never meets the later ones.
    pub(crate) fn setbacks_until(&self, until: u64) -> Setbacks {
        let mut s = Setbacks::default();
        for (k, a) in self.attempts.iter().enumerate() {
            if k > 0 && a.start < until {
                s.restarts += 1;
            }
            if a.end <= until {
                match a.fate {
                    Fate::Killed => s.killed += 1,
                    Fate::Crashed => s.crashed += 1,
                    Fate::Done | Fate::Abandoned => {}
                }
            }
        }
        s
    }
}

/// A prover's machine in the world: its outages, its class's jitter and failure rate.
pub(crate) struct WorldMachine<'w, 'a> {
    pub(crate) w: &'w mut World<'a>,
    pub(crate) prover: usize,
    pub(crate) bytes: u64,
}

impl Machine for WorldMachine<'_, '_> {
    fn down_until(&mut self, block: u64) -> Option<u64> {
        self.w.down_until(self.prover, block)
    }

    fn next_down(&mut self, from: u64, to: u64) -> Option<u64> {
        self.w.next_down(self.prover, from, to)
    }

    fn realised_time(&mut self) -> u64 {
        self.w.prove_time(self.prover, self.bytes)
    }

    fn crashes(&mut self) -> bool {
        let rate = self.w.agents[self.prover].failure_rate;
        self.w.agents[self.prover].rng.chance(rate)
    }
}

impl World<'_> {
    /// Plays out a proof of `bytes` by prover `i` from block `from`, due by `deadline`, and books
    /// all its kills, crashes and restarts (a racer that stops early takes back the ones it never
    /// met). Its cost is booked by the caller.
    pub(crate) fn runs_proof(
        &mut self,
        i: usize,
        bytes: u64,
        from: u64,
        deadline: u64,
    ) -> ProofRun {
        let expected = self.expected_prove_time(i, bytes);
        let run = ProofRun::plays_out(
            &mut WorldMachine { w: self, prover: i, bytes },
            expected,
            from,
            deadline,
        );
        let s = run.setbacks_until(u64::MAX);
        let st = &mut self.agents[i].stats;
        st.killed += s.killed;
        st.crashed += s.crashed;
        st.restarts += s.restarts;
        run
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scripted machine: outages as (start, end), realised times in order, crashes in order.
    struct Script {
        outages: Vec<(u64, u64)>,
        times: Vec<u64>,
        crashes: Vec<bool>,
    }

    impl Machine for Script {
        fn down_until(&mut self, block: u64) -> Option<u64> {
            self.outages.iter().find(|&&(s, e)| (s..e).contains(&block)).map(|&(_, e)| e)
        }
        fn next_down(&mut self, from: u64, to: u64) -> Option<u64> {
            self.outages
                .iter()
                .filter(|&&(s, e)| e > from && s < to)
                .map(|&(s, _)| s.max(from))
                .min()
        }
        fn realised_time(&mut self) -> u64 {
            self.times.remove(0)
        }
        fn crashes(&mut self) -> bool {
            !self.crashes.is_empty() && self.crashes.remove(0)
        }
    }

    fn script(outages: &[(u64, u64)], times: &[u64], crashes: &[bool]) -> Script {
        Script { outages: outages.to_vec(), times: times.to_vec(), crashes: crashes.to_vec() }
    }

    #[test]
    fn an_outage_mid_proof_kills_the_work_and_the_prover_restarts_when_back() {
        // Expected 4 blocks, the first attempt would take 8: the outage at 105 kills it after 5
        // blocks; back at 110, 110 + 4 <= 130, so it restarts and is ready at 118.
        let mut m = script(&[(105, 110)], &[8, 8], &[]);
        let run = ProofRun::plays_out(&mut m, 4, 100, 130);
        assert_eq!(
            run.attempts,
            [
                Attempt { start: 100, end: 105, time: 8, fate: Fate::Killed },
                Attempt { start: 110, end: 118, time: 8, fate: Fate::Done }
            ]
        );
        assert_eq!((run.outcome, run.machine_free), (Ok(118), 118));
        let all = Setbacks { killed: 1, crashed: 0, restarts: 1 };
        assert_eq!(run.setbacks_until(u64::MAX), all);
        assert_eq!(run.setbacks_until(110), Setbacks { restarts: 0, ..all }, "stopped at 110");
        assert_eq!(run.setbacks_until(105), Setbacks { restarts: 0, ..all }, "killed at 105");
        assert_eq!(run.setbacks_until(104), Setbacks::default());
        assert!((run.cost_share_until(u64::MAX) - (5.0 / 8.0 + 1.0)).abs() < 1e-12);
        assert!((run.wasted_share() - 5.0 / 8.0).abs() < 1e-12, "the killed work is lost");
        // With a deadline of 113 it is back at 110 and 110 + 4 > 113: it does not restart, and the
        // miss is the outage's.
        let mut m = script(&[(105, 110)], &[8], &[]);
        let run = ProofRun::plays_out(&mut m, 4, 100, 113);
        assert_eq!(run.outcome, Err(GaveUp::Outage));
        assert_eq!(run.setbacks_until(u64::MAX), Setbacks { killed: 1, crashed: 0, restarts: 0 });
    }

    #[test]
    fn a_crash_is_retried_when_the_expected_time_still_fits_exact_boundary() {
        // Crash discovered at 105; a retry expects 5 blocks: ready at 110, inside a deadline of 110.
        let mut m = script(&[], &[5, 5], &[true, false]);
        let run = ProofRun::plays_out(&mut m, 5, 100, 110);
        assert_eq!(run.outcome, Ok(110));
        assert_eq!(run.setbacks_until(u64::MAX), Setbacks { killed: 0, crashed: 1, restarts: 1 });
        assert!((run.wasted_share() - 1.0).abs() < 1e-12, "the crashed attempt is paid in full");
        // One block less: 105 + 5 > 109, it gives up at the crash.
        let mut m = script(&[], &[5], &[true]);
        let run = ProofRun::plays_out(&mut m, 5, 100, 109);
        assert_eq!((run.outcome, run.machine_free), (Err(GaveUp::Crash), 105));
        assert_eq!(run.setbacks_until(u64::MAX).restarts, 0);
    }

    #[test]
    fn a_proof_that_runs_past_the_deadline_is_abandoned_there() {
        // It expects 5 (fits by 110) but the draw is 14: it works 100..110 and stops.
        let mut m = script(&[], &[14], &[]);
        let run = ProofRun::plays_out(&mut m, 5, 100, 110);
        assert_eq!(run.outcome, Err(GaveUp::Late));
        assert_eq!((run.attempts[0].end, run.machine_free), (110, 110));
        assert!((run.wasted_share() - 10.0 / 14.0).abs() < 1e-12);
    }

    #[test]
    fn the_decision_uses_the_expected_time_not_the_draw() {
        // Expected 11 does not fit 100..110 even though the draw would have been 3: no work.
        let mut m = script(&[], &[3], &[]);
        let run = ProofRun::plays_out(&mut m, 11, 100, 110);
        assert_eq!((run.outcome, run.attempts.len()), (Err(GaveUp::Overload), 0));
        assert_eq!(m.times, [3], "nothing was drawn");
        // Exactly fitting expected time: it starts, and a fast draw is ready early.
        let run = ProofRun::plays_out(&mut m, 10, 100, 110);
        assert_eq!(run.outcome, Ok(103));
    }

    #[test]
    fn a_late_start_is_the_outages_fault_only_if_the_queue_alone_fit() {
        // Down 100..108: 108 + 5 > 110, but 100 + 5 fits: the outage made it miss.
        let mut m = script(&[(100, 108)], &[], &[]);
        assert_eq!(ProofRun::plays_out(&mut m, 5, 100, 110).outcome, Err(GaveUp::Outage));
        // Its queue alone would not have fit (expected 12): overload.
        assert_eq!(ProofRun::plays_out(&mut m, 12, 100, 110).outcome, Err(GaveUp::Overload));
    }

    #[test]
    fn cost_until_a_block_counts_only_the_work_done_by_then() {
        let run = ProofRun::plays_out(&mut script(&[], &[10], &[]), 10, 100, 120);
        assert!((run.cost_share_until(104) - 0.4).abs() < 1e-12);
        assert!((run.cost_share_until(100)).abs() < 1e-12);
    }
}
