//! The prover's hot key (`setOperator`): an operator address may commit, reveal, submit proofs
//! and race for its prover, so the staking key can stay offline; staking, unstaking, withdrawing,
//! claiming and naming the operator stay with the prover's own address.

use alloy::primitives::Address;
use eyre::Result;
use provernet_bindings::ProverNetwork;
use serde_json::json;

use super::{prover::require_registered, tx_json};
use crate::{bail_state, chain::would_revert, exit::Code, net::Net, output::Report};

/// `prover set-operator ADDRESS` (`Some`) or `prover set-operator --clear` (`None`).
pub async fn set_operator(net: &Net, operator: Option<Address>) -> Result<Report> {
    let me = net.chain.signer()?;
    require_registered(net, me).await?;
    let previous = net.network.operatorOf(me).call().await?;
    let refuse = |code: Code, why: &str| {
        let op = operator.unwrap_or_default();
        let e = ProverNetwork::OperatorUnavailable { operator: op };
        would_revert("setOperator", &net.units, &e, code, why)
    };
    match operator {
        Some(op) if op.is_zero() => {
            return Err(refuse(
                Code::Input,
                "To remove the operator, run `provernet prover set-operator --clear`.",
            ));
        }
        Some(op) if op == me => {
            return Err(refuse(
                Code::Input,
                "The operator must be another address than the prover's own.",
            ));
        }
        Some(op) if op == previous => {
            bail_state!("{op} is already the operator of {me}; nothing to do");
        }
        Some(op) => {
            if net.network.accountOf(op).call().await?.registered {
                return Err(refuse(Code::State, &format!("{op} is a registered prover.")));
            }
            let of = net.network.proverOfOperator(op).call().await?;
            if !of.is_zero() {
                return Err(refuse(Code::State, &format!("{op} already operates for {of}.")));
            }
        }
        None if previous.is_zero() => bail_state!("{me} has no operator to clear"),
        None => {}
    }
    let r =
        net.send("setOperator", net.network.setOperator(operator.unwrap_or(Address::ZERO))).await?;
    let human = match operator {
        Some(op) => format!(
            "{op} is now the operator of {me}: it may commit, reveal, submit proofs and race for it \
             (run the agent with the operator's key); staking, unstaking, withdrawing, claiming and \
             set-operator stay with {me} (tx {:#x})",
            r.transaction_hash
        ),
        None => format!(
            "{me} has no operator any more ({previous} may no longer act for it) (tx {:#x})",
            r.transaction_hash
        ),
    };
    let previous = (!previous.is_zero()).then_some(previous);
    Ok(Report::new(
        human,
        json!({ "prover": me, "operator": operator, "previous": previous, "receipt": tx_json(&r) }),
    ))
}
