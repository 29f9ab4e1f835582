//! A batch source's prepaid fee balance: `batch deposit-fees`, `batch withdraw-fees`, and the
//! checks `batch post` makes before sending (the source is authorised, the commitment is inside
//! the verifier's domain, the fee is at least `minFee` and the prepaid balance covers it).
//!
//! `batch post` never deposits on its own: a post is one transaction that spends prepaid fees, and
//! a short balance is refused with the `deposit-fees` command that fixes it (docs/cli.md).

use alloy::primitives::{Address, B256, U256};
use eyre::{Result, WrapErr, eyre};
use provernet_bindings::ProverNetwork;
use serde_json::json;

use super::tx_json;
use crate::{
    amount::fmt_amount, bail_state, chain::would_revert, exit::Code, net::Net, output::Report,
};

/// A batch source's entry (`sourceOf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeAccount {
    /// May post batches now.
    pub allowed: bool,
    /// Ever authorised (a de-authorised source keeps its index and its balance).
    pub known: bool,
    /// Prepaid fees not yet spent (units).
    pub balance: U256,
}

/// Reads `who`'s batch-source entry.
pub async fn fee_account(net: &Net, who: Address) -> Result<FeeAccount> {
    let s = net.network.sourceOf(who).call().await.wrap_err("while reading the fee balance")?;
    Ok(FeeAccount { allowed: s.allowed, known: s.index != 0, balance: U256::from(s.feeBalance) })
}

/// The command that tops `balance` up to `needed`.
fn deposit_hint(net: &Net, needed: U256, balance: U256) -> String {
    format!(
        "Prepay the missing {} first: `provernet batch deposit-fees {}`",
        net.units.fmt(needed - balance),
        fmt_amount(needed - balance, net.units.decimals)
    )
}

/// Everything `postBatch` would refuse, checked before sending: an unauthorised source, a
/// commitment outside the verifier's domain (exit 3), a fee below `minFee` (exit 3), a prepaid
/// balance below the fee (exit 4, naming the `deposit-fees` command).
pub async fn check_post(net: &Net, me: Address, commitment: B256, fee: U256) -> Result<()> {
    let source = fee_account(net, me).await?;
    if !source.allowed {
        bail_state!(
            "{me} is not an authorised batch source; the owner ({}) must call setBatchSource({me}, true)",
            net.dep.owner
        );
    }
    let bound = net.network.commitmentBound().call().await?;
    if U256::from_be_bytes(commitment.0) >= bound {
        let e = ProverNetwork::CommitmentOutOfDomain { commitment, bound };
        return Err(would_revert("postBatch", &net.units, &e, Code::Input, ""));
    }
    let minimum = U256::from(net.network.params().call().await?.minFee);
    if fee < minimum {
        let e = ProverNetwork::FeeBelowMinimum { fee, minimum };
        return Err(would_revert("postBatch", &net.units, &e, Code::Input, ""));
    }
    if fee > source.balance {
        let e = ProverNetwork::InsufficientFeeBalance { needed: fee, balance: source.balance };
        let hint = deposit_hint(net, fee, source.balance);
        return Err(would_revert("postBatch", &net.units, &e, Code::State, &hint));
    }
    Ok(())
}

/// `batch deposit-fees AMOUNT`: prepays fees for later posts (approves the token as needed).
pub async fn deposit_fees(net: &Net, amount: U256) -> Result<Report> {
    let me = net.chain.signer()?;
    if !fee_account(net, me).await?.known {
        let e = ProverNetwork::NotBatchSource { caller: me };
        return Err(would_revert("depositFees", &net.units, &e, Code::State, ""));
    }
    net.ensure_allowance(me, amount, "depositing fees").await?;
    let r = net.send("depositFees", net.network.depositFees(amount)).await?;
    let ev = r
        .decoded_log::<ProverNetwork::FeesDeposited>()
        .ok_or_else(|| eyre!("the receipt has no FeesDeposited event"))?;
    let f = |v: U256| fmt_amount(v, net.units.decimals);
    Ok(Report::new(
        format!(
            "deposited {} of fees for {me}; fee balance {} (tx {:#x})",
            net.units.fmt(ev.amount),
            net.units.fmt(ev.balance),
            r.transaction_hash
        ),
        json!({ "source": me, "amount": f(ev.amount), "feeBalance": f(ev.balance), "receipt": tx_json(&r) }),
    ))
}

/// `batch withdraw-fees AMOUNT`: takes unspent prepaid fees back.
pub async fn withdraw_fees(net: &Net, amount: U256) -> Result<Report> {
    let me = net.chain.signer()?;
    let source = fee_account(net, me).await?;
    if amount > source.balance {
        let e = ProverNetwork::InsufficientFeeBalance { needed: amount, balance: source.balance };
        return Err(would_revert("withdrawFees", &net.units, &e, Code::State, ""));
    }
    let r = net.send("withdrawFees", net.network.withdrawFees(amount)).await?;
    let ev = r
        .decoded_log::<ProverNetwork::FeesWithdrawn>()
        .ok_or_else(|| eyre!("the receipt has no FeesWithdrawn event"))?;
    let f = |v: U256| fmt_amount(v, net.units.decimals);
    Ok(Report::new(
        format!(
            "withdrew {} of prepaid fees to {me}; fee balance {} (tx {:#x})",
            net.units.fmt(ev.amount),
            net.units.fmt(ev.balance),
            r.transaction_hash
        ),
        json!({ "source": me, "amount": f(ev.amount), "feeBalance": f(ev.balance), "receipt": tx_json(&r) }),
    ))
}
