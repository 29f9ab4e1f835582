//! Who profits, at the end of a run: profit per assignment and per 1,000 blocks by stake decile,
//! by hardware class and by scenario group; the share of honest provers in profit over the run's
//! steady part (so it does not depend on how long the run is); the machines' utilisation; and the
//! market's end state. Profit is [`crate::world::ProverStats::profit`], after every cost.

use provernet_bindings::Strategy;

use crate::market::PER_BLOCKS;
use crate::metrics::{Bucket, GroupResult, Profitability, Summary};
use crate::world::World;

/// Blocks prover `i` was in the network, up to `last_block`.
fn active_blocks(w: &World<'_>, i: usize, last_block: u64) -> u64 {
    let m = &w.agents[i].market;
    m.joined.map_or(0, |j| m.left.unwrap_or(last_block + 1).min(last_block + 1).saturating_sub(j))
}

/// The bucket of provers `members`.
fn bucket(w: &World<'_>, name: String, members: &[usize], last_block: u64) -> Bucket {
    let gp = w.gas_price();
    let profits: Vec<f64> = members.iter().map(|&i| w.agents[i].stats.profit(gp)).collect();
    let profit: f64 = profits.iter().sum();
    let assignments: u64 = members.iter().map(|&i| w.agents[i].stats.assignments).sum();
    let blocks: u64 = members.iter().map(|&i| active_blocks(w, i, last_block)).sum();
    let n = members.len() as u64;
    Bucket {
        name,
        provers: n,
        assignments,
        profit,
        profit_per_assignment: if assignments == 0 { 0.0 } else { profit / assignments as f64 },
        profit_per_kblock: if blocks == 0 { 0.0 } else { profit * PER_BLOCKS / blocks as f64 },
        profitable_share: if n == 0 {
            0.0
        } else {
            profits.iter().filter(|&&p| p > 0.0).count() as f64 / n as f64
        },
    }
}

/// Fills `sum.profitability` and `sum.market.active_at_end`. Machine costs must be booked to
/// `last_block` first ([`World::books_machine_costs`]).
pub(crate) fn summarise(w: &World<'_>, sum: &mut Summary, last_block: u64) {
    let gp = w.gas_price();
    // Provers that were ever in the network (potential entrants that never joined are not).
    let members: Vec<usize> =
        (0..w.agents.len()).filter(|&i| w.agents[i].market.joined.is_some()).collect();
    let mut p = Profitability::default();
    let (mut busy, mut run) = (0u64, 0u64);
    for &i in &members {
        let a = &w.agents[i];
        p.fixed_cost += a.stats.fixed_cost;
        p.capital_cost += a.stats.capital_cost;
        busy += a.stats.busy_blocks;
        let from = a.market.joined.unwrap_or(0).max(w.first_block);
        let to = a.market.left.unwrap_or(last_block + 1).min(last_block + 1);
        run += u64::from(a.spec.machines) * to.saturating_sub(from);
        if a.market.joined == Some(crate::world::GENESIS) {
            p.machines_at_start += u64::from(a.spec.machines);
        }
    }
    p.utilisation = if run == 0 { 0.0 } else { busy as f64 / run as f64 };

    // The steady part: from the first block of `steady_from_epoch`.
    let steady = w.chain.epochs.start(w.s.market.steady_from_epoch.max(1));
    p.steady_blocks = (last_block + 1).saturating_sub(steady);
    let (mut n, mut in_profit, mut per_k) = (0u64, 0u64, 0.0);
    for &i in &members {
        let a = &w.agents[i];
        if a.spec.strategy != Strategy::Honest || p.steady_blocks == 0 {
            continue;
        }
        let joined = a.market.joined.unwrap_or(0);
        let base = match a.market.steady_base {
            Some(b) => b,
            None if joined >= steady => 0.0,
            None => continue, // left before the steady part
        };
        let from = joined.max(steady);
        let to = a.market.left.unwrap_or(last_block + 1).min(last_block + 1);
        if to <= from {
            continue;
        }
        let profit = a.stats.profit(gp) - base;
        n += 1;
        in_profit += u64::from(profit > 0.0);
        per_k += profit * PER_BLOCKS / (to - from) as f64;
    }
    if n > 0 {
        p.honest_steady_profitable_share = in_profit as f64 / n as f64;
        p.honest_profit_per_kblock = per_k / n as f64;
    }

    // Stake deciles of the provers ever in the network, by initial stake (ties by index).
    let mut by_stake = members.clone();
    by_stake.sort_by(|&a, &b| w.agents[a].spec.stake.total_cmp(&w.agents[b].spec.stake));
    let len = by_stake.len();
    p.by_stake_decile = (0..10)
        .map(|d| {
            let part = &by_stake[d * len / 10..(d + 1) * len / 10];
            bucket(w, format!("d{}", d + 1), part, last_block)
        })
        .collect();
    p.by_class =
        w.s.provers
            .classes
            .iter()
            .enumerate()
            .map(|(c, class)| {
                let part: Vec<usize> =
                    members.iter().copied().filter(|&i| w.agents[i].spec.class == c).collect();
                bucket(w, class.name.clone(), &part, last_block)
            })
            .collect();
    let total_assignments: u64 = members.iter().map(|&i| w.agents[i].stats.assignments).sum();
    p.groups = w
        .s
        .provers
        .groups
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let part: Vec<usize> =
                members.iter().copied().filter(|&i| w.agents[i].spec.group == Some(k)).collect();
            let b = bucket(w, g.name.clone(), &part, last_block);
            GroupResult {
                name: g.name.clone(),
                strategy: g.strategy.as_str().to_string(),
                assignment_share: b.assignments as f64 / total_assignments.max(1) as f64,
                stake: part.iter().map(|&i| w.agents[i].spec.stake).sum(),
                slashed: part.iter().map(|&i| w.agents[i].stats.slashed).sum(),
                exits: part.iter().filter(|&&i| w.agents[i].market.left.is_some()).count() as u64,
                bucket: b,
            }
        })
        .collect();
    sum.profitability = p;
    sum.market.active_at_end =
        members.iter().filter(|&&i| w.agents[i].market.active()).count() as u64;
}
