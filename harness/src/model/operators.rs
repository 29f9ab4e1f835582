//! Operators: a prover names one hot key (`setOperator`) that may `commit`, `reveal`,
//! `submitProof` and `raceSubmit` for it; payments and reputation go to the prover, and only the
//! prover stakes, unstakes, withdraws, claims or renames. One operator serves one prover, and an
//! operator can never register as a prover. Mirrors `setOperator` and `_actor` in
//! contracts/ProverNetwork.sol (the resolution itself is `Model::acting_for`).

use crate::model::transition::Transition;
use crate::violation::{Violation, violation};

/// `setOperator(operator)`: by a registered prover; a non-zero operator must be free (not the
/// prover itself, not registered, nobody's operator). Unlinks the previous operator.
pub(crate) fn set_operator(t: &mut Transition<'_>, operator: Option<u16>) -> Result<(), Violation> {
    let me = t.i;
    let free = operator.is_none_or(|op| {
        op != me
            && !t.m.accounts[op as usize].registered
            && !t.m.prover_of_operator.contains_key(&op)
    });
    let allowed = t.pre.registered && free;
    if t.ok != allowed {
        return Err(violation(
            "a registered prover names a free operator, and only then",
            format!("{} setOperator({operator:?}) ok={}: {:?}", t.me, t.ok, t.revert()),
        ));
    }
    if !t.ok {
        return Ok(());
    }
    if let Some(op) = operator {
        t.m.prover_of_operator.insert(op, me);
    }
    if let Some(previous) = t.m.operator_of.remove(&me) {
        // Never the new operator: a current operator is not free, so naming it again reverts.
        t.m.prover_of_operator.remove(&previous);
    }
    if let Some(op) = operator {
        t.m.operator_of.insert(me, op);
    }
    t.path("operator named");
    Ok(())
}
