//! Fees: a batch source prepays a fee balance (`depositFees`, credited with what arrived), each
//! posted batch debits its fee from it (no token transfer per batch), a failed batch's fee is
//! refunded to it, and `withdrawFees` gives unused balance back. Mirrors `depositFees`,
//! `withdrawFees` and the fee lines of `postBatch` and `markFailed` in contracts/ProverNetwork.sol.

use crate::chain::ProverNetworkEvents;
use crate::model::transition::Transition;
use crate::violation::{Violation, violation};

/// `depositFees(amount)`: only an address that was ever authorised as a source (it has an index);
/// credits what the token delivered.
pub(crate) fn deposit(t: &mut Transition<'_>, amount: u128) -> Result<(), Violation> {
    let source = t.m.sources.contains_key(&t.i);
    let allowed = source && amount > 0 && amount < (1 << 96);
    if t.ok && !allowed {
        return Err(violation(
            "only a batch source deposits fees",
            format!("{} deposited {amount} (source: {source})", t.me),
        ));
    }
    if !t.ok {
        if allowed && t.pre.fee_balance + t.received(amount) < (1 << 96) {
            return Err(violation(
                "a batch source can always prepay fees",
                format!("{} could not deposit {amount}: {:?}", t.me, t.revert()),
            ));
        }
        return Ok(());
    }
    let got = t.received(amount);
    t.m.fee_burnt += amount - got;
    let a = t.acct(t.i);
    a.fee_balance += got;
    a.fees_deposited += got;
    t.path("fees deposited");
    Ok(())
}

/// `withdrawFees(amount)`: at most the balance, by anyone (an address with no balance gets
/// `InsufficientFeeBalance`); pays exactly `amount`.
pub(crate) fn withdraw(t: &mut Transition<'_>, amount: u128) -> Result<(), Violation> {
    let balance = t.pre.fee_balance;
    let allowed = amount > 0 && amount <= balance;
    if t.ok != allowed {
        return Err(violation(
            if t.ok {
                "fees are withdrawn only from the source's own balance"
            } else {
                "unused fees can always be withdrawn"
            },
            format!(
                "{} withdrawFees({amount}) ok={} with balance {balance}: {:?}",
                t.me,
                t.ok,
                t.revert()
            ),
        ));
    }
    if t.ok {
        let paid = t.events.iter().find_map(|e| match e {
            ProverNetworkEvents::FeesWithdrawn(w) => Some(w.amount.saturating_to::<u128>()),
            _ => None,
        });
        if paid != Some(amount) {
            return Err(violation(
                "withdrawFees pays exactly the amount",
                format!("{paid:?} vs {amount}"),
            ));
        }
        let a = t.acct(t.i);
        a.fee_balance -= amount;
        a.fees_withdrawn += amount;
        t.path("fees withdrawn");
    }
    Ok(())
}

/// Debits a posted batch's fee from the poster's balance.
pub(crate) fn debit(t: &mut Transition<'_>, fee: u128) {
    let a = t.acct(t.i);
    a.fee_balance -= fee;
    a.fees_posted += fee;
}

/// Credits a failed batch's fee back to its poster's balance.
pub(crate) fn refund(t: &mut Transition<'_>, poster: u16, fee: u128) {
    let a = t.acct(poster);
    a.fee_balance += fee;
    a.refunded += fee;
}
