//! Liquid proving pools (docs/pools.md): create, deposit, request-withdraw, claim, status, list.
//! Every action checks what it can (the pool exists, takes deposits, the signer holds the shares)
//! before sending, then goes through [`Net::send`], which simulates and decodes the revert.

use alloy::{
    primitives::{Address, U256},
    providers::{DynProvider, Provider},
    rpc::types::Filter,
    sol_types::SolEvent,
};
use eyre::{Result, WrapErr, eyre};
use provernet_bindings::{ProverNetwork, ProverPool, ProverPoolFactory};
use serde_json::{Value, json};

use super::tx_json;
use crate::{amount::fmt_amount, bail_input, bail_state, exit, net::Net, output::Report};

/// A pool contract handle.
pub type Pool = ProverPool::ProverPoolInstance<DynProvider>;

/// Decimals the pool's shares add on top of the token's (`ProverPool.DECIMALS_OFFSET`).
pub const SHARE_DECIMALS_OFFSET: u8 = 6;
/// Largest commission a pool accepts, in basis points (`ProverPool.MAX_COMMISSION_BPS`).
pub const MAX_COMMISSION_BPS: u64 = 5_000;
/// Blocks back that `pool list` counts slashes over.
pub const RECENT_BLOCKS: u64 = 10_000;

/// The deployment's pool factory, or an input error for a deployment that predates pools.
fn factory(net: &Net) -> Result<ProverPoolFactory::ProverPoolFactoryInstance<DynProvider>> {
    let addr = net.dep.pool_factory.ok_or_else(|| {
        exit::input(
            "this deployment has no pool factory (its file predates pools): deploy again with \
             `provernet deploy` to use pools",
        )
    })?;
    Ok(ProverPoolFactory::new(addr, net.chain.provider.clone()))
}

/// Resolves POOL: the pool of an operator, or a pool address created by this deployment's
/// factory.
pub async fn resolve(net: &Net, who: Address) -> Result<Pool> {
    let f = factory(net)?;
    let provider = net.chain.provider.clone();
    let by_operator = f.poolOf(who).call().await.wrap_err("while reading the pool factory")?;
    if by_operator != Address::ZERO {
        return Ok(ProverPool::new(by_operator, provider));
    }
    if !provider.get_code_at(who).await?.is_empty() {
        let pool = ProverPool::new(who, provider);
        if pool.factory().call().await.is_ok_and(|a| a == *f.address()) {
            return Ok(pool);
        }
    }
    bail_input!(
        "{who} is neither a pool of this deployment nor an operator with a pool; `provernet pool list` \
         shows every pool"
    )
}

/// A pool as `pool status` and `pool list` show it.
#[derive(Debug, Clone)]
pub struct PoolState {
    /// The pool (the prover account in the network).
    pub pool: Address,
    /// Its operator.
    pub operator: Address,
    /// Shareholders' assets on the books of the last sync.
    pub assets: U256,
    /// Total shares.
    pub supply: U256,
    /// Value of one whole share (10^share decimals units) in token units.
    pub share_price: U256,
    /// Value of the operator's shares.
    pub operator_stake: U256,
    /// Least self-stake for delegators to deposit.
    pub min_self_stake: U256,
    /// Commission in force (bps), and a scheduled increase with its first block.
    pub commission_bps: u16,
    /// A scheduled commission and the block it applies from.
    pub pending_commission: Option<(u16, u64)>,
    /// The operator left: no deposits.
    pub closed: bool,
    /// The operator paused deposits.
    pub paused: bool,
    /// The pool's network account: active stake, unbonding, claimable rewards not yet collected.
    pub stake: U256,
    /// Unbonding stake in the network.
    pub unbonding: U256,
    /// Rewards waiting in the network for the next sync.
    pub uncollected_rewards: U256,
    /// Slashes executed since the last sync (books minus the network's record).
    pub unsynced_loss: U256,
    /// Reputation decayed to now (0..10000).
    pub reputation: U256,
    /// Active stake at or above the network's minimum.
    pub eligible: bool,
    /// The open tranche: id and assets.
    pub open_tranche: (u64, U256),
    /// The unbonding tranche: id, assets, first block it can be withdrawn (None when none).
    pub unbonding_tranche: Option<(u64, U256, u64)>,
}

/// Reads everything `pool status` and `pool list` show.
pub async fn pool_state(net: &Net, pool: &Pool) -> Result<PoolState> {
    let addr = *pool.address();
    let read = "while reading the pool";
    let assets = pool.activeAssets().call().await.wrap_err(read)?;
    let decimals = pool.decimals().call().await?;
    let share_price =
        pool.convertToAssets(U256::from(10u64).pow(U256::from(decimals))).call().await?;
    let effective_at: u64 = pool.commissionEffectiveAt().call().await?.to();
    let pending = pool.pendingCommissionBps().call().await?;
    let acct = net.network.accountOf(addr).call().await?;
    let params = net.network.params().call().await?;
    let open_id = pool.openTranche().call().await?;
    let unbonding_id = pool.unbondingTranche().call().await?;
    let open = pool.trancheOf(U256::from(open_id)).call().await?;
    let unbonding = pool.trancheOf(U256::from(unbonding_id)).call().await?;
    let booked = assets + U256::from(open.assets) + U256::from(unbonding.assets);
    let actual = U256::from(acct.stake) + U256::from(acct.unbonding);
    let stake = U256::from(acct.stake);
    Ok(PoolState {
        pool: addr,
        operator: pool.operator().call().await?,
        assets,
        supply: pool.totalSupply().call().await?,
        share_price,
        operator_stake: pool.operatorStake().call().await?,
        min_self_stake: pool.minSelfStake().call().await?,
        commission_bps: pool.commissionBps().call().await?,
        pending_commission: (effective_at != 0).then_some((pending, effective_at)),
        closed: pool.closed().call().await?,
        paused: pool.paused().call().await?,
        stake,
        unbonding: U256::from(acct.unbonding),
        uncollected_rewards: U256::from(acct.claimable),
        unsynced_loss: booked.saturating_sub(actual),
        reputation: net.network.reputationOf(addr).call().await?,
        eligible: stake >= U256::from(params.minStake),
        open_tranche: (open_id, U256::from(open.assets)),
        unbonding_tranche: (unbonding_id != 0)
            .then(|| (unbonding_id, U256::from(unbonding.assets), unbonding.readyAt.to::<u64>())),
    })
}

/// Shares as a human number (the token's decimals plus the pool's offset).
fn fmt_shares(net: &Net, shares: U256) -> String {
    format!("{} shares", fmt_amount(shares, net.units.decimals + SHARE_DECIMALS_OFFSET))
}

/// A commission in basis points as a percentage ("12.5%").
fn fmt_bps(bps: u64) -> String {
    let s = format!("{}.{:02}", bps / 100, bps % 100);
    format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
}

/// Parses a commission percentage ("10", "12.5", at most two decimals) into basis points.
pub fn parse_commission(text: &str) -> Result<u64> {
    let t = text.trim().trim_end_matches('%');
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !(frac.is_empty() || digits(frac)) || frac.len() > 2 {
        bail_input!(
            "the commission {text:?} is not a percentage with at most two decimals (e.g. 10 or 12.5)"
        );
    }
    let bps = whole.parse::<u64>().unwrap_or(u64::MAX).saturating_mul(100)
        + format!("{frac:0<2}").parse::<u64>().unwrap_or(0);
    if bps > MAX_COMMISSION_BPS {
        bail_input!(
            "the commission {text}% is above the largest a pool accepts, {}",
            fmt_bps(MAX_COMMISSION_BPS)
        );
    }
    Ok(bps)
}

/// `pool create --self-stake AMT --commission PCT`.
pub async fn create(net: &Net, self_stake: U256, commission_bps: u64) -> Result<Report> {
    let me = net.chain.signer()?;
    let f = factory(net)?;
    let existing = f.poolOf(me).call().await?;
    if existing != Address::ZERO {
        bail_state!("{me} already operates the pool {existing}: one pool per operator");
    }
    let min_self = f.minSelfStake().call().await?;
    let min_stake = U256::from(net.network.params().call().await?.minStake);
    let minimum = min_self.max(min_stake);
    if self_stake < minimum {
        bail_input!(
            "a self-stake of {} is below the minimum {} (the pools' minimum self-stake and the \
             network's minimum stake)",
            net.units.fmt(self_stake),
            net.units.fmt(minimum)
        );
    }
    net.ensure_allowance_to(*f.address(), me, self_stake, "creating a pool").await?;
    let r = net
        .chain
        .send("createPool", &net.units, f.createPool(self_stake, U256::from(commission_bps)))
        .await?;
    let ev = r
        .decoded_log::<ProverPoolFactory::PoolCreated>()
        .ok_or_else(|| eyre!("the receipt has no PoolCreated event"))?;
    Ok(Report::new(
        format!(
            "created pool {} for operator {me} with {} self-stake, commission {} (tx {:#x})",
            ev.pool,
            net.units.fmt(self_stake),
            fmt_bps(commission_bps),
            r.transaction_hash
        ),
        json!({ "pool": ev.pool, "operator": me, "selfStake": fmt_amount(self_stake, net.units.decimals),
                "commissionBps": commission_bps, "receipt": tx_json(&r) }),
    ))
}

/// `pool deposit POOL --amount AMT`.
pub async fn deposit(net: &Net, who: Address, amount: U256) -> Result<Report> {
    let me = net.chain.signer()?;
    let pool = resolve(net, who).await?;
    let s = pool_state(net, &pool).await?;
    if s.closed {
        bail_state!("the pool {} is closed (its operator left): it takes no deposits", s.pool);
    }
    if s.paused {
        bail_state!("the operator paused deposits to the pool {}", s.pool);
    }
    if me != s.operator && s.operator_stake < s.min_self_stake {
        bail_state!(
            "the operator's stake in the pool {} is {}, below its minimum {}: delegators cannot \
             deposit until the operator tops it up",
            s.pool,
            net.units.fmt(s.operator_stake),
            net.units.fmt(s.min_self_stake)
        );
    }
    net.ensure_allowance_to(s.pool, me, amount, "depositing").await?;
    let r = net.chain.send("deposit", &net.units, pool.deposit(amount, me)).await?;
    let shares = r.decoded_log::<ProverPool::Deposit>().map(|e| e.shares).unwrap_or_default();
    Ok(Report::new(
        format!(
            "deposited {} into pool {} for {} (tx {:#x})",
            net.units.fmt(amount),
            s.pool,
            fmt_shares(net, shares),
            r.transaction_hash
        ),
        json!({ "pool": s.pool, "owner": me, "amount": fmt_amount(amount, net.units.decimals),
                "shares": shares.to_string(), "receipt": tx_json(&r) }),
    ))
}

/// `pool request-withdraw POOL (--amount AMT | --all)`: `amount` None means every share.
pub async fn request_withdraw(net: &Net, who: Address, amount: Option<U256>) -> Result<Report> {
    let me = net.chain.signer()?;
    let pool = resolve(net, who).await?;
    let addr = *pool.address();
    let balance = pool.balanceOf(me).call().await?;
    if balance.is_zero() {
        bail_state!("{me} holds no shares of the pool {addr}");
    }
    let shares = match amount {
        None => balance,
        Some(a) => {
            let shares = pool.previewWithdraw(a).call().await?;
            if shares > balance {
                let value = pool.previewRedeem(balance).call().await?;
                bail_state!(
                    "{me} holds {} of the pool {addr}, less than {}; request at most that, or --all",
                    net.units.fmt(value),
                    net.units.fmt(a)
                );
            }
            shares
        }
    };
    // The contract prices a delegator's request on the books of the pool's last sync (a loss it has
    // not absorbed yet is still charged to the request later, pro rata). Sync first when the books
    // are behind, so that the request includes the rewards waiting for the pool and the printed
    // amount is what the books will say. The operator's request syncs in the contract already.
    let s = pool_state(net, &pool).await?;
    let behind = !s.uncollected_rewards.is_zero() || !s.unsynced_loss.is_zero();
    let synced = if me == s.operator || !behind {
        None
    } else {
        Some(net.chain.send("sync", &net.units, pool.sync()).await?)
    };
    let r = net.chain.send("requestWithdraw", &net.units, pool.requestWithdraw(shares)).await?;
    let ev = r
        .decoded_log::<ProverPool::WithdrawalRequested>()
        .ok_or_else(|| eyre!("the receipt has no WithdrawalRequested event"))?;
    let ready: u64 = pool.trancheOf(ev.tranche).call().await?.readyAt.to();
    let when = if ready == 0 {
        "it waits for the tranche ahead of it to be withdrawn, then one unbonding delay".to_string()
    } else {
        format!("claim from block {ready}")
    };
    let sync_note = match &synced {
        Some(t) => format!(
            "synced the pool first (rewards {} and loss {} waiting; tx {:#x})\n",
            net.units.fmt(s.uncollected_rewards),
            net.units.fmt(s.unsynced_loss),
            t.transaction_hash
        ),
        None => String::new(),
    };
    Ok(Report::new(
        format!(
            "{sync_note}request {:#x} for {} (at most {}; later slashes lower it): {when} with \
             `provernet pool claim {addr} --request {:#x}` (tx {:#x})",
            ev.requestId,
            fmt_shares(net, ev.shares),
            net.units.fmt(ev.assets),
            ev.requestId,
            r.transaction_hash
        ),
        json!({ "pool": addr, "owner": me, "requestId": format!("{:#x}", ev.requestId), "shares": ev.shares.to_string(),
                "amount": fmt_amount(ev.assets, net.units.decimals), "tranche": ev.tranche.to::<u64>(),
                "readyAt": (ready != 0).then_some(ready), "receipt": tx_json(&r),
                "syncReceipt": synced.as_ref().map(tx_json) }),
    ))
}

/// The signer's unclaimed requests in `pool`, from its WithdrawalRequested events (requests of one
/// owner in one tranche share an id, so an id is listed once).
async fn my_requests(net: &Net, pool: &Pool, me: Address) -> Result<Vec<(U256, U256, bool, u64)>> {
    let filter = Filter::new()
        .address(*pool.address())
        .event_signature(ProverPool::WithdrawalRequested::SIGNATURE_HASH)
        .topic2(me.into_word())
        .from_block(net.dep.deploy_block)
        .to_block(net.chain.block_number().await?);
    let logs = net
        .chain
        .provider
        .get_logs(&filter)
        .await
        .wrap_err("while reading WithdrawalRequested events")?;
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for log in logs {
        let ev = ProverPool::WithdrawalRequested::decode_log(&log.inner)?;
        if !seen.insert(ev.requestId) || pool.requestOf(ev.requestId).call().await?.owner != me {
            continue; // claimed already
        }
        let v = pool.requestValue(ev.requestId).call().await?;
        let ready: u64 = pool.trancheOf(ev.tranche).call().await?.readyAt.to();
        out.push((ev.requestId, v.assets, v.claimable, ready));
    }
    Ok(out)
}

/// `pool claim POOL [--request ID]`: without an id, every request of the signer whose tranche is
/// finalized or reaches its ready block in the next block (where the claim would be mined).
pub async fn claim(net: &Net, who: Address, request: Option<U256>) -> Result<Report> {
    let me = net.chain.signer()?;
    let pool = resolve(net, who).await?;
    let addr = *pool.address();
    let block = net.chain.block_number().await?;
    let ids: Vec<U256> = match request {
        Some(id) => {
            if pool.requestOf(id).call().await?.owner == Address::ZERO {
                bail_state!(
                    "the pool {addr} has no pending request {id:#x} (never made, or claimed); \
                     `provernet pool status {addr}` lists yours"
                );
            }
            vec![id]
        }
        None => {
            let mine = my_requests(net, &pool, me).await?;
            if mine.is_empty() {
                bail_state!(
                    "{me} has no pending withdrawal in the pool {addr}; request one with `provernet \
                     pool request-withdraw`"
                );
            }
            let ready: Vec<U256> = mine
                .iter()
                .filter(|(_, _, done, at)| *done || (*at != 0 && block + 1 >= *at))
                .map(|(id, ..)| *id)
                .collect();
            if ready.is_empty() {
                let waits: Vec<String> = mine
                    .iter()
                    .map(|(id, _, _, at)| match at {
                        0 => format!("request {id:#x}: waits for the tranche ahead of it"),
                        at => format!("request {id:#x}: claimable from block {at}"),
                    })
                    .collect();
                bail_state!(
                    "no withdrawal of {me} in the pool {addr} is ready at block {}:\n  {}",
                    block + 1,
                    waits.join("\n  ")
                );
            }
            ready
        }
    };
    let mut paid = Vec::new();
    let mut total = U256::ZERO;
    for id in ids {
        let r = net.chain.send("claim", &net.units, pool.claim(id)).await?;
        let amount =
            r.decoded_log::<ProverPool::WithdrawalClaimed>().map(|e| e.assets).unwrap_or_default();
        total += amount;
        paid.push(json!({ "requestId": format!("{id:#x}"), "amount": fmt_amount(amount, net.units.decimals), "receipt": tx_json(&r) }));
    }
    Ok(Report::new(
        format!("claimed {} from pool {addr} ({} request(s))", net.units.fmt(total), paid.len()),
        json!({ "pool": addr, "total": fmt_amount(total, net.units.decimals), "claims": paid }),
    ))
}

/// Slashes of `pool` over the last [`RECENT_BLOCKS`] blocks.
async fn recent_slashes(net: &Net, pool: Address) -> Result<usize> {
    let to = net.chain.block_number().await?;
    let filter = Filter::new()
        .address(net.dep.network)
        .event_signature(ProverNetwork::ProverSlashed::SIGNATURE_HASH)
        .topic1(pool.into_word())
        .from_block(to.saturating_sub(RECENT_BLOCKS).max(net.dep.deploy_block))
        .to_block(to);
    Ok(net.chain.provider.get_logs(&filter).await.wrap_err("while reading slashes")?.len())
}

fn state_json(net: &Net, s: &PoolState, slashes: usize) -> Value {
    let f = |v: U256| fmt_amount(v, net.units.decimals);
    json!({
        "pool": s.pool, "operator": s.operator, "assets": f(s.assets), "shares": s.supply.to_string(),
        "sharePrice": f(s.share_price), "operatorStake": f(s.operator_stake), "minSelfStake": f(s.min_self_stake),
        "commissionBps": s.commission_bps,
        "pendingCommission": s.pending_commission.map(|(bps, at)| json!({ "bps": bps, "effectiveAt": at })),
        "closed": s.closed, "paused": s.paused, "stake": f(s.stake), "unbonding": f(s.unbonding),
        "uncollectedRewards": f(s.uncollected_rewards), "unsyncedLoss": f(s.unsynced_loss),
        "reputation": s.reputation.to::<u64>(), "eligible": s.eligible, "recentSlashes": slashes,
        "openTranche": { "id": s.open_tranche.0, "amount": f(s.open_tranche.1) },
        "unbondingTranche": s.unbonding_tranche.map(|(id, a, at)| json!({ "id": id, "amount": f(a), "readyAt": at })),
        "symbol": net.units.symbol,
    })
}

/// `pool status [POOL]`: the pool of POOL (default: the signer's own pool), and the signer's
/// position in it when there is a signer.
pub async fn status(net: &Net, who: Option<Address>) -> Result<Report> {
    let signer = net.chain.signer().ok();
    let who = who.or(signer).ok_or_else(|| {
        exit::input("give a POOL (pool or operator address) or a signer that operates a pool")
    })?;
    let pool = resolve(net, who).await?;
    let s = pool_state(net, &pool).await?;
    let slashes = recent_slashes(net, s.pool).await?;
    let u = &net.units;
    let mut h = format!("pool {} (operator {})\n", s.pool, s.operator);
    h += &format!("  assets       {} in {}\n", u.fmt(s.assets), fmt_shares(net, s.supply));
    h += &format!("  share price  {} per share\n", u.fmt(s.share_price));
    h += &format!(
        "  self-stake   {} (minimum {})\n",
        u.fmt(s.operator_stake),
        u.fmt(s.min_self_stake)
    );
    h += &format!("  commission   {}", fmt_bps(u64::from(s.commission_bps)));
    if let Some((bps, at)) = s.pending_commission {
        h += &format!(" ({} from block {at})", fmt_bps(u64::from(bps)));
    }
    h += "\n";
    h += &format!(
        "  network      stake {}, unbonding {}, reputation {} / 10000, {}\n",
        u.fmt(s.stake),
        u.fmt(s.unbonding),
        s.reputation,
        if s.eligible { "eligible" } else { "not eligible (below the minimum stake)" }
    );
    h += &format!("  slashes      {slashes} in the last {RECENT_BLOCKS} blocks\n");
    if !s.uncollected_rewards.is_zero() || !s.unsynced_loss.is_zero() {
        h += &format!(
            "  unsynced     rewards {}, loss {} (applied by the next deposit, claim or sync; \
             `pool request-withdraw` syncs first)\n",
            u.fmt(s.uncollected_rewards),
            u.fmt(s.unsynced_loss)
        );
    }
    if let Some((id, a, at)) = s.unbonding_tranche {
        h += &format!("  unbonding    tranche {id}: {} from block {at}\n", u.fmt(a));
    }
    if !s.open_tranche.1.is_zero() {
        h += &format!("  queued       tranche {}: {}\n", s.open_tranche.0, u.fmt(s.open_tranche.1));
    }
    if s.closed {
        h += "  closed       the operator left: no deposits\n";
    } else if s.paused {
        h += "  paused       deposits are stopped; withdrawals work\n";
    }
    let mut j = state_json(net, &s, slashes);
    if let Some(me) = signer {
        let shares = pool.balanceOf(me).call().await?;
        let value = pool.previewRedeem(shares).call().await?;
        let requests = my_requests(net, &pool, me).await?;
        h += &format!(
            "you ({me})\n  holding      {} worth {}\n",
            fmt_shares(net, shares),
            u.fmt(value)
        );
        for (id, v, done, at) in &requests {
            let when = match (done, at) {
                (true, _) => "claimable now".to_string(),
                (false, 0) => "waits for the tranche ahead".to_string(),
                (false, at) => format!("from block {at}"),
            };
            h += &format!("  request {id:#x}\n               {} ({when})\n", u.fmt(*v));
        }
        j["you"] = json!({
            "address": me, "shares": shares.to_string(), "value": fmt_amount(value, u.decimals),
            "requests": requests.iter().map(|(id, v, done, at)| json!({
                "requestId": format!("{id:#x}"), "amount": fmt_amount(*v, u.decimals), "claimable": done,
                "readyAt": (*at != 0).then_some(*at) })).collect::<Vec<_>>(),
        });
    }
    Ok(Report::new(h, j))
}

/// `pool list`: every pool of the deployment with what a delegator chooses by.
pub async fn list(net: &Net) -> Result<Report> {
    let f = factory(net)?;
    let n: u64 = f.poolCount().call().await?.to();
    let u = &net.units;
    let mut h = format!("{n} pool(s)\n");
    let mut rows = Vec::new();
    for i in 0..n {
        let addr = f.pools(U256::from(i)).call().await?;
        let pool = ProverPool::new(addr, net.chain.provider.clone());
        let s = pool_state(net, &pool).await?;
        let slashes = recent_slashes(net, addr).await?;
        h += &format!(
            "  {addr}  assets {}, price {}, commission {}, reputation {}, {slashes} slash(es) in {RECENT_BLOCKS} blocks{}\n",
            u.fmt(s.assets),
            u.fmt(s.share_price),
            fmt_bps(u64::from(s.commission_bps)),
            s.reputation,
            if s.closed {
                ", closed"
            } else if !s.eligible {
                ", not eligible"
            } else {
                ""
            }
        );
        rows.push(state_json(net, &s, slashes));
    }
    Ok(Report::new(h, json!({ "pools": rows, "symbol": u.symbol })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commission_percentages_parse_to_bps() {
        assert_eq!(parse_commission("10").unwrap(), 1000);
        assert_eq!(parse_commission("12.5").unwrap(), 1250);
        assert_eq!(parse_commission("0.01%").unwrap(), 1);
        assert_eq!(parse_commission("50").unwrap(), 5000);
        assert!(format!("{:#}", parse_commission("50.01").unwrap_err()).contains("above"));
        assert!(parse_commission("1.234").is_err());
        assert!(parse_commission("-1").is_err());
        assert!(parse_commission("ten").is_err());
        assert_eq!(fmt_bps(1250), "12.5%");
        assert_eq!(fmt_bps(5000), "50%");
        assert_eq!(fmt_bps(1), "0.01%");
    }
}
