//! What the pools' people do: delegators deposit, request withdrawals (all at once when they see a
//! slash coming, or see one executed that the pool has not absorbed yet), claim, sync, donate to a
//! vault to try to inflate its shares, and now and then call with odd arguments; a pool's operator
//! keeps its pool in sync and takes its commission. A pool's own prover duties (commit, reveal,
//! proofs) are the generator's, sent by the operator.

use alloy::primitives::U256;

use crate::action::Kind;
use crate::actors::Role;
use crate::chain::UNIT;
use crate::model::pools::MPool;
use crate::pool_setup::MIN_SELF_STAKE;
use crate::rng::Rng;
use crate::status;
use crate::world::World;

/// A delegator's next move at `block`: (the delegator's actor index, the action). `None` when the
/// campaign has no pools or no delegators.
pub fn next(rng: &mut Rng, w: &World, block: u64) -> Option<(u16, Kind)> {
    let pools = &w.model.pools;
    if pools.is_empty() {
        return None;
    }
    let delegators: Vec<u16> = (0..w.actors.len() as u16)
        .filter(|i| w.actors[*i as usize].role == Role::Delegator)
        .collect();
    if delegators.is_empty() {
        return None;
    }
    let d = delegators[rng.below(delegators.len() as u64) as usize];
    let mp = &pools[rng.below(pools.len() as u64) as usize];
    let pool = mp.actor;
    let held = mp.shares_of(d);
    if let Some(request) = mp.claimable_of(d).next()
        && rng.chance(80)
    {
        return Some((d, Kind::PoolClaim { pool, request }));
    }
    if !held.is_zero() && (slash_coming(w, mp, block) || unabsorbed(w, mp)) && rng.chance(60) {
        // Front-run the slash (or race the sync that absorbs one): the request must not escape it.
        return Some((d, Kind::PoolRequestWithdraw { pool, shares: held }));
    }
    let kind = match rng.below(100) {
        0..3 => Kind::PoolDeposit { pool, amount: rng.range(1, 1_000_000) as u128 },
        3..45 => Kind::PoolDeposit { pool, amount: rng.range(1, 3_000) as u128 * UNIT },
        45..62 if !held.is_zero() => Kind::PoolRequestWithdraw {
            pool,
            shares: U256::from(1) + U256::from(rng.next_u64()) * U256::from(rng.next_u64()) % held,
        },
        62..77 => Kind::PoolSync { pool },
        77..80 => Kind::PoolDonate { pool, amount: rng.range(1, 1_000) as u128 * UNIT },
        80..84 => {
            // A pending request (maybe not claimable yet), or an id no request has.
            let live: Vec<U256> = mp.requests.keys().copied().collect();
            let request = if live.is_empty() || rng.chance(30) {
                U256::from(rng.below(1 << 20))
            } else {
                live[rng.below(live.len() as u64) as usize]
            };
            Kind::PoolClaim { pool, request }
        }
        84..86 => Kind::PoolRequestWithdraw { pool, shares: held + U256::from(1) },
        _ => Kind::PoolDeposit { pool, amount: rng.range(1, 300) as u128 * UNIT },
    };
    Some((d, kind))
}

/// The pool-as-prover's move when it has no duty, made by its operator: top its self-stake up
/// when slashes took it below the pool's minimum (delegators cannot deposit until then), withdraw
/// part of a self-stake well above it (also racing a slash it can see: the operator's request must
/// absorb the loss first, before its exit is priced), take its commission, or sync the pool.
pub fn housekeeping(rng: &mut Rng, w: &World, pool: u16, block: u64) -> Kind {
    let Some(mp) = w.model.pools.iter().find(|p| p.actor == pool) else {
        return Kind::PoolSync { pool };
    };
    let a = &w.model.accounts[pool as usize];
    let supply: U256 = mp.shares.values().copied().sum();
    let own = mp.shares_of(mp.operator);
    // The operator's share of the pool's principal in the network (an estimate: it ignores
    // withdrawals still pending, which only makes the operator top up a little early).
    let value: u128 = if supply.is_zero() {
        0
    } else {
        (U256::from(a.stake + a.unbonding) * own / supply).saturating_to()
    };
    if value < 2 * MIN_SELF_STAKE && rng.chance(50) {
        return Kind::PoolDeposit { pool, amount: 2 * MIN_SELF_STAKE };
    }
    let racing = unabsorbed(w, mp) || slash_coming(w, mp, block);
    if value > 4 * MIN_SELF_STAKE && rng.chance(if racing { 40 } else { 5 }) {
        return Kind::PoolRequestWithdraw { pool, shares: own / U256::from(4) };
    }
    if rng.chance(20) { Kind::PoolClaimCommission { pool } } else { Kind::PoolSync { pool } }
}

/// True if the pool's prover holds an assigned batch whose proving window closes within three
/// blocks of `block` on the network clock (or has closed): a slash anyone can see coming.
fn slash_coming(w: &World, mp: &MPool, block: u64) -> bool {
    let addr = w.actors[mp.actor as usize].addr;
    let now = w.model.now(block);
    w.model.live.iter().any(|id| {
        w.model.batch(*id).is_some_and(|b| {
            b.status == status::ASSIGNED && b.prover == addr && now + 3 >= b.proving_deadline
        })
    })
}

/// True if the network slashed the pool since its last sync (the loss is not in its books yet).
fn unabsorbed(w: &World, mp: &MPool) -> bool {
    w.model.accounts[mp.actor as usize].slashed > mp.absorbed_slashed
}
