//! The pools' state invariants, checked after every pool call (and on every full check): exact
//! token conservation in every vault, claims within the vault's assets, shares matching the model's
//! ledger, and, right after a pool call synced them, books matching the pool's stake in the network.

use alloy::primitives::{U256, address};
use eyre::Result;
use provernet_bindings::DevStakingToken;

use crate::actors::Actor;
use crate::chain::Chain;
use crate::model::Model;
use crate::model::pools::MPool;
use crate::pool_view::{FINALIZED, PoolView, shares_of, tranche};
use crate::slots::AccountSlots;
use crate::violation::{Violation, violation};

/// Checks the pool a pool call named (`Some`), or every pool; `synced` is true when that call
/// succeeded and so brought the pool's books up to date with the network.
pub fn check(
    chain: &mut Chain,
    m: &Model,
    actors: &[Actor],
    only: Option<u16>,
    synced: bool,
) -> Result<Result<(), Violation>> {
    for p in m.pools.iter().filter(|p| only.is_none_or(|a| a == p.actor)) {
        if let Err(v) = check_pool(chain, actors, p, synced)? {
            return Ok(Err(v));
        }
    }
    Ok(token_supply(chain, actors))
}

/// Exact conservation of the token itself: every token minted is held by an actor or the network.
fn token_supply(chain: &mut Chain, actors: &[Actor]) -> Result<(), Violation> {
    let token = chain.addrs.token;
    let supply: u128 = match chain.view(token, &DevStakingToken::totalSupplyCall {}) {
        Ok(s) => s.saturating_to(),
        Err(e) => {
            return Err(violation("exact token conservation including every vault", e.to_string()));
        }
    };
    // Burnt slashes go to the network's BURN_SINK: they still exist, out of everyone's reach.
    let sink = AccountSlots::new(address!("0x000000000000000000000000000000000000dEaD"));
    let burnt = chain.token_balance(&sink);
    let held: u128 =
        actors.iter().map(|a| chain.token_balance(&a.keys)).sum::<u128>() + chain.network_balance();
    if held + burnt != supply {
        return Err(violation(
            "exact token conservation including every vault",
            format!(
                "the token's supply is {supply}, actors, pools and the network hold {held}, the burn sink {burnt}"
            ),
        ));
    }
    Ok(())
}

fn check_pool(
    chain: &mut Chain,
    actors: &[Actor],
    p: &MPool,
    synced: bool,
) -> Result<Result<(), Violation>> {
    let addr = actors[p.actor as usize].addr;
    let op = actors[p.operator as usize].addr;
    let v = PoolView::read(chain, addr, op);
    // The vault holds exactly what it owes in tokens: finalized withdrawals, the operator's
    // commission, and the donations (which buy nothing: they stay outside the books).
    if v.balance != v.claim_reserve + v.commission_owed + p.donated {
        return Ok(Err(violation(
            "exact token conservation including every vault",
            format!(
                "pool {addr} holds {} but owes {} to claims, {} commission and keeps {} donated",
                v.balance, v.claim_reserve, v.commission_owed, p.donated
            ),
        )));
    }
    let mut supply = U256::ZERO;
    let mut holders = 0u128;
    let price = v.price();
    for (holder, shares) in &p.shares {
        let held = shares_of(chain, addr, actors[*holder as usize].addr);
        if held != *shares {
            return Ok(Err(violation(
                "every pool's shares match the model's ledger (minted by deposits, burned by requests and slashes)",
                format!("pool {addr}: actor {holder} holds {held}, the ledger says {shares}"),
            )));
        }
        supply += held;
        holders += price.value(held);
    }
    if supply != v.supply {
        return Ok(Err(violation(
            "every pool's shares match the model's ledger (minted by deposits, burned by requests and slashes)",
            format!("pool {addr}: supply {}, the ledger's holders hold {supply}", v.supply),
        )));
    }
    // The live requests of a tranche claim at most its assets (its last claimant takes the
    // rounding remainder), and each is claimable exactly when the ledger saw its tranche finalized.
    let mut requests = 0u128;
    let mut tranches: Vec<u64> = p.requests.values().map(|r| r.tranche).collect();
    tranches.sort_unstable();
    tranches.dedup();
    for id in tranches {
        let t = tranche(chain, addr, id);
        let finalized = t.state == FINALIZED;
        if finalized != p.finalized.contains(&id) {
            return Ok(Err(violation(
                "every pool's shares match the model's ledger (minted by deposits, burned by requests and slashes)",
                format!(
                    "pool {addr}: tranche {id} finalized on chain: {finalized}, in the ledger: {}",
                    !finalized
                ),
            )));
        }
        // Unfinalized tranches are in `pending` below; finalized ones in the claim reserve.
        requests += t.assets;
    }
    let claims = holders + requests + v.commission_owed;
    let account = chain.account(&actors[p.actor as usize].keys);
    let in_network = account.stake + account.unbonding;
    // On the books, always; against what the vault really has (its stake in the network and its
    // tokens), whenever a pool call has just absorbed every executed slash.
    let books = v.booked() + v.claim_reserve + v.commission_owed;
    let real = in_network + v.balance - p.donated;
    if claims > books || (synced && claims > real) {
        return Ok(Err(violation(
            "the sum of delegators' claims never exceeds the vault's assets",
            format!(
                "pool {addr}: shares worth {holders}, requests {requests}, commission {}; books {books}, network + tokens {real}",
                v.commission_owed
            ),
        )));
    }
    if synced && in_network != v.booked() {
        return Ok(Err(violation(
            "a pool's books match its stake in the network after every pool call",
            format!(
                "pool {addr}: active {} + pending {} but the network holds {} stake + {} unbonding",
                v.active,
                v.pending(),
                account.stake,
                account.unbonding
            ),
        )));
    }
    Ok(Ok(()))
}
