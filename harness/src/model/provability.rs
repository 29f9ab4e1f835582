//! Issue 11's first new invariant: no prover is ever slashed for a batch it could not prove. A
//! batch is provable by its assigned prover when its proof verifies under the verifier frozen on
//! its assignment (`SlashTerms`, see `governance`): a change of verifier never reaches a batch
//! already drawn. The model notes every batch whose valid proof the chain refused (the prover did
//! its duty and could not); a slash for such a batch breaks the invariant. Proofs that verified
//! under a rejecting verifier break its converse.

use alloy::primitives::Address;

use crate::model::batches::MAX_BATCHES_PER_PROOF;
use crate::model::transition::Transition;
use crate::status;
use crate::violation::{Violation, violation};

/// The invariant's name, as reported.
pub const UNPROVABLE: &str = "no prover is ever slashed for a batch it could not prove (its valid proof was refused under the verifier frozen on its assignment) or whose data was withheld";

/// Whether `prover` could prove batch `id` now: assigned to it, inside its window on the network
/// clock, under terms whose verifier accepts honest proofs.
fn provable_by(t: &Transition<'_>, id: u64, prover: Address) -> bool {
    t.m.batch(id).is_some_and(|b| {
        b.status == status::ASSIGNED
            && b.prover == prover
            && t.now <= b.proving_deadline
            && !t.m.terms_of(b.assignment).rejecting
    })
}

/// A `submitProof` the chain refused: if the model says the proof was valid (the prover's own, 1
/// to 16 of its batches, each provable now), the batches were unprovable through no fault of
/// the prover; remember them.
pub(crate) fn note_refused_proof(
    t: &mut Transition<'_>,
    first: u64,
    count: u64,
    proof_for: Option<u16>,
) {
    let own = proof_for.is_none_or(|v| v == t.i);
    if !own || count == 0 || count > MAX_BATCHES_PER_PROOF {
        return;
    }
    let me = t.me;
    if (first..first + count).all(|id| provable_by(t, id, me)) {
        t.m.refused.extend(first..first + count);
        t.path("valid proof refused (batch unprovable)");
    }
}

/// A proof of batch `id` verified on chain: its assignment's verifier must accept proofs.
pub(crate) fn check_verified(t: &Transition<'_>, id: u64) -> Result<(), Violation> {
    let key = t.m.batch(id).map(|b| b.assignment).unwrap_or_default();
    if t.m.terms_of(key).rejecting {
        return Err(violation(
            "a proof verifies only under the verifier frozen on its assignment",
            format!("batch {id} (assignment {key}) was proven under a rejecting verifier"),
        ));
    }
    Ok(())
}

/// The assignee of batch `id` is about to be slashed for it.
pub(crate) fn check_slash(t: &Transition<'_>, id: u64) -> Result<(), Violation> {
    if t.m.refused.contains(&id) || t.m.withheld.contains(&id) {
        let prover = t.m.batch(id).map(|b| b.prover).unwrap_or_default();
        return Err(violation(
            UNPROVABLE,
            format!("{prover} slashed for batch {id}, which it could not prove"),
        ));
    }
    Ok(())
}
