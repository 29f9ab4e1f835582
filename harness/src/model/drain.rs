//! Issue 11's second new invariant, "the drain fails": governance cannot take stake from provers
//! who see its change coming. Finding 3's drain raises `slashBps`, cuts the burn and the bounty,
//! switches to a verifier that rejects everything and posts many tiny batches, so that every
//! assigned prover misses. Two rules stop it: owner calls pass only through a timelock whose delay
//! outlasts a prover's exit (`governance::owner_ok`), and the verifier and slash shares are frozen
//! on each assignment. The model records which provers exited in time (stopped committing and
//! unstaked everything within `unbondingDelay` blocks of seeing the change scheduled) and checks
//! that none of them is ever slashed under the hostile terms.

use crate::action::Kind;
use crate::model::state::Model;
use crate::model::transition::Transition;
use crate::violation::{Violation, violation};

/// The invariant's name, as reported (its rule-level half is in `governance`).
pub const DRAIN: &str = "the drain fails: a prover that saw a hostile change scheduled and exited in time loses nothing to it (owner calls pass only through a timelock that outlasts a prover's exit)";

/// Whether a queued owner call is the hostile part of the drain (a verifier that proves nothing).
pub fn is_hostile(call: &Kind) -> bool {
    matches!(call, Kind::SetVerifier { rejecting: true })
}

/// The block the earliest hostile call still queued (and not failed) was scheduled at.
pub fn hostile_scheduled_at(m: &Model) -> Option<u64> {
    let queued = m.gov.pending.values().filter(|p| !p.tried && is_hostile(&p.call));
    queued.map(|p| p.scheduled_at).min()
}

/// After a successful `requestUnstake` by account `i`: it exited in time if a hostile change is
/// queued (and none in force), its last commit came after the honest verifier was last restored
/// and before the change was scheduled, it left no active stake, and it reacted within
/// `unbondingDelay` blocks of the scheduling (the timelock's delay covers that plus the two
/// epochs its last reveal can keep it drawn).
pub(crate) fn note_unstake(t: &mut Transition<'_>, i: u16) {
    let Some(s) = hostile_scheduled_at(t.m) else { return };
    if t.m.current_terms().rejecting {
        return;
    }
    let (block, unbonding, since) = (t.block, u64::from(t.p.unbonding_delay), t.m.honest_since);
    let a = &t.m.accounts[i as usize];
    // Its last commit came while the honest verifier was in force and before the change was
    // queued: every draw it can still get precedes the change.
    let committed_honestly = a.last_commit_block.is_none_or(|c| since <= c && c < s);
    if a.stake == 0 && committed_honestly && block <= s + unbonding {
        t.acct(i).exited = Some(s);
        t.path("prover exited when a hostile change was scheduled");
    }
}

/// Account `pi` is slashed under the terms of assignment `config`.
pub(crate) fn check_slash(t: &Transition<'_>, pi: u16, config: u16) -> Result<(), Violation> {
    let hostile = t.m.terms.get(config as usize).is_some_and(|x| x.rejecting);
    let a = &t.m.accounts[pi as usize];
    if hostile && let Some(s) = a.exited {
        return Err(violation(
            DRAIN,
            format!(
                "{} exited after the hostile change scheduled at block {s} and was slashed under it (terms {config})",
                t.seen.actors[pi as usize].addr
            ),
        ));
    }
    Ok(())
}
