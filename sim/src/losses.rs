//! Why honest provers miss their batches and what their losses are made of: the evidence behind
//! the calibration of issue 11 ("honest proving pays"). The causes are booked where the prover
//! decides (`agents/prover.rs`, `agents/race.rs`); this module adds them up per run.

use provernet_bindings::Strategy;

use crate::metrics::{Losses, Summary};
use crate::world::World;

/// A prover's profit in tokens (the run's one rule, `ProverStats::profit`).
fn profit(w: &World<'_>, i: usize) -> f64 {
    w.agents[i].stats.profit(w.gas_price())
}

/// Share of `hits` in `n` (0 for none).
fn share(hits: u64, n: u64) -> f64 {
    if n == 0 { 0.0 } else { hits as f64 / n as f64 }
}

/// Fills `sum.losses` from the agents' books.
pub(crate) fn summarise(w: &World<'_>, sum: &mut Summary) {
    let mut l = Losses::default();
    let classes = &w.s.provers.classes;
    let mut by_class = vec![(0u64, 0u64); classes.len()];
    let (mut honest, mut never, mut assigned, mut assigned_profit) = (0, 0, 0, 0);
    let (mut adversaries, mut adversaries_profit, mut adversary_sum) = (0, 0, 0.0);
    for (i, a) in w.agents.iter().enumerate() {
        let st = &a.stats;
        let p = profit(w, i);
        if a.spec.strategy != Strategy::Honest {
            adversaries += 1;
            adversaries_profit += u64::from(p > 0.0);
            adversary_sum += p;
            continue;
        }
        honest += 1;
        l.missed_overload += st.missed_overload;
        l.missed_outage += st.missed_outage;
        l.missed_crash += st.missed_crash;
        l.missed_late += st.missed_late;
        l.killed += st.killed;
        l.crashed += st.crashed;
        l.restarts += st.restarts;
        l.lost_work_cost += st.lost_work_cost;
        l.race_entries += st.race_entries;
        l.races_lost += st.races_lost;
        l.race_stops += st.race_stops;
        l.slashed_for_misses += st.slashed - st.non_reveal_slashed;
        l.non_reveal_penalties += st.non_reveal_slashed;
        l.race_cost += st.race_cost;
        l.race_revenue += st.race_revenue;
        let c = &mut by_class[a.spec.class];
        c.0 += 1;
        c.1 += u64::from(p > 0.0);
        if st.assignments == 0 {
            never += 1;
        } else {
            assigned += 1;
            assigned_profit += u64::from(p > 0.0);
        }
    }
    l.never_assigned_share = share(never, honest);
    l.assigned_profitable_share = share(assigned_profit, assigned);
    l.profitable_share_by_class = classes
        .iter()
        .zip(by_class)
        .map(|(c, (n, hits))| (c.name.clone(), share(hits, n), n))
        .collect();
    l.adversary_profitable_share = share(adversaries_profit, adversaries);
    l.adversary_profit_mean =
        if adversaries == 0 { 0.0 } else { adversary_sum / adversaries as f64 };
    sum.losses = l;
}
