//! The open race (emergency mode): who joins when a batch is slashed or posted with nobody eligible,
//! and how the chain decides it. Every racer whose proof is ready in time sends its `raceSubmit`;
//! the first transaction in block order wins and later ones revert with the contract's error, which
//! the racer books as a lost race (and the gas it burned). A racer still working when a winning
//! transaction lands sees it and stops, paying for the work done so far.
//!
//! Order within a block: the race submissions due in one block are shuffled deterministically from
//! the run's seed and the block ([`in_block_order`]); no priority-gas auction is modelled.

use alloy::primitives::U256;
use eyre::{Result, ensure};
use provernet_bindings::ProverNetwork as P;
use provernet_bindings::formulas::dev_proof;

use super::proof_run::ProofRun;
use super::race_join::join_probability;
use crate::rng::Rng;
use crate::world::{Job, World};
use provernet_evm::CHAIN_ID;

/// The random stream (plus the block) that orders one block's race submissions.
const ORDER_STREAM: u64 = 2 << 40;

/// A prover in a race, until the race is decided.
pub(crate) struct Racer {
    pub(crate) prover: usize,
    /// The machine it races on.
    machine: usize,
    /// How its proof plays out if nobody wins first.
    run: ProofRun,
    /// A whole proof's cost for it (tokens).
    cost: f64,
}

/// Opens the race of batch `id` at `block` (`slashed`: the prover that just missed it, which may
/// not race it). A cartel partner's proof, prepared since posting, is submitted when ready; every
/// eligible prover decides whether to join ([`super::race_join`]) and starts at once if it is
/// online, has a free machine and expects to finish before the race ends.
pub(crate) fn opens(w: &mut World<'_>, id: u64, block: u64, slashed: Option<usize>) -> Result<()> {
    let (bytes, rd, cartel, reward) = {
        let b = w.batch(id);
        (b.bytes, b.race_deadline, b.cartel, b.fee + b.bounty)
    };
    w.summary.emergency.raced += 1;
    if w.batch(id).withheld {
        w.summary.withholding.unprovable_races += 1;
        return Ok(()); // nobody has its data: it fails when the race ends
    }
    if let Some((j, ready)) = cartel {
        w.schedule(ready.max(block), Job::Race(j, id));
    }
    let candidates: Vec<usize> =
        (0..w.agents.len()).filter(|&j| Some(j) != slashed && w.eligible(j)).collect();
    // Each hardware class weighs its own cost against the same reward and crowd.
    let race_join = w.s.provers.race_join;
    let odds: Vec<f64> = (0..w.s.provers.classes.len())
        .map(|c| {
            let cost = w.class_prove_cost(c, bytes);
            join_probability(reward, cost, candidates.len() as u64, race_join)
        })
        .collect();
    for j in candidates {
        let a = &mut w.agents[j];
        if !a.policy.joins_race(&mut a.rng, odds[a.spec.class]) {
            continue;
        }
        if let Some(racer) = starts(w, j, block, bytes, rd) {
            if let Ok(ready) = racer.run.outcome {
                w.schedule(ready, Job::Race(j, id));
            }
            w.batch_mut(id).racers.push(racer);
        }
    }
    Ok(())
}

/// Prover `j` starts racing at `block` if it is online, has a free machine and expects to finish
/// by `rd`; its work is played out now and paid in full, less what it saves if another racer wins
/// first ([`stops_losers`]).
fn starts(w: &mut World<'_>, j: usize, block: u64, bytes: u64, rd: u64) -> Option<Racer> {
    let (machine, free) =
        w.agents[j].machines.iter().copied().enumerate().min_by_key(|&(_, t)| t)?;
    if free > block || !w.online(j, block) || block + w.expected_prove_time(j, bytes) > rd {
        return None;
    }
    let run = w.runs_proof(j, bytes, block, rd);
    let cost = w.prove_cost(j, bytes);
    let paid = cost * run.cost_share_until(u64::MAX);
    let a = &mut w.agents[j];
    a.machines[machine] = run.machine_free;
    a.stats.race_entries += 1;
    a.stats.proving_cost += paid;
    a.stats.race_cost += paid;
    a.stats.busy_blocks += run.busy_until(u64::MAX);
    w.summary.emergency.racers += 1;
    Some(Racer { prover: j, machine, run, cost })
}

/// Orders the jobs of one block for execution: the race submissions (contiguous once sorted) are
/// shuffled from the run's seed and the block, so that which of two proofs ready in the same block
/// lands first is neither the lower prover index nor a modelled gas auction.
pub(crate) fn in_block_order(jobs: &mut [Job], seed: u64, block: u64) {
    jobs.sort();
    let first = jobs.iter().position(|j| matches!(j, Job::Race(..)));
    let Some(first) = first else { return };
    let n = jobs[first..].iter().take_while(|j| matches!(j, Job::Race(..))).count();
    Rng::new(seed, ORDER_STREAM + block).shuffle(&mut jobs[first..first + n]);
}

/// Job: prover `i`'s race proof for batch `id` is ready at `block`, and it submits it if the batch
/// is still in its race and it still has the minimum stake. If another racer's transaction landed
/// earlier in this same block the prover could not have seen it: its transaction is sent and
/// reverts. If it won, the racers still working stop.
pub(crate) fn submits_win(w: &mut World<'_>, i: usize, id: u64, block: u64) -> Result<()> {
    let b = w.batch(id);
    let lost_in_block = b.rescued && b.resolved == block;
    if !(b.status.is_racing() || lost_in_block) || !w.eligible(i) {
        return Ok(()); // it saw the winner in an earlier block and stopped, or the race ended
    }
    let (prover, addr) = (w.agents[i].spec.addr, w.agents[i].sender);
    let proof = dev_proof(CHAIN_ID, w.chain.addrs.network, prover, id, &[w.batch(id).commitment]);
    let call = P::raceSubmitCall { batchId: U256::from(id), proof: proof.to_vec().into() };
    let out = w.chain.exec(addr, w.chain.addrs.network, &call)?;
    w.record("raceSubmit", &out, Some(i), !lost_in_block);
    if lost_in_block {
        ensure!(
            out.revert.is_some(),
            "the chain accepted a second raceSubmit of batch {id} in block {block}"
        );
        w.agents[i].stats.races_lost += 1;
        w.summary.emergency.race_submits_reverted += 1;
    } else if w.batch(id).rescued {
        stops_losers(w, id, i, block);
    }
    Ok(())
}

/// Prover `winner`'s transaction won batch `id`'s race at `block`: the other racers see it. Those
/// whose proof is ready in this same block send theirs anyway (and lose on chain); the others stop
/// and take back the cost and the setbacks of the work they will not do; their machine is free now
/// (unless another proof was already queued behind the race on it: it keeps its planned start).
fn stops_losers(w: &mut World<'_>, id: u64, winner: usize, block: u64) {
    for r in std::mem::take(&mut w.batch_mut(id).racers) {
        if r.prover == winner || r.run.outcome == Ok(block) || r.run.machine_free <= block {
            continue;
        }
        let saved = r.cost * (r.run.cost_share_until(u64::MAX) - r.run.cost_share_until(block));
        let (all, met) = (r.run.setbacks_until(u64::MAX), r.run.setbacks_until(block));
        let a = &mut w.agents[r.prover];
        a.stats.killed -= all.killed - met.killed;
        a.stats.crashed -= all.crashed - met.crashed;
        a.stats.restarts -= all.restarts - met.restarts;
        a.stats.proving_cost -= saved;
        a.stats.race_cost -= saved;
        a.stats.busy_blocks -= r.run.busy_until(u64::MAX) - r.run.busy_until(block);
        a.stats.race_stops += 1;
        if a.machines[r.machine] == r.run.machine_free {
            a.machines[r.machine] = block;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_race_submissions_of_a_block_are_shuffled_and_the_order_is_reproducible() {
        let jobs: Vec<Job> = vec![
            Job::Fail(9),
            Job::Race(3, 7),
            Job::Slash(4),
            Job::Race(1, 7),
            Job::Race(2, 7),
            Job::Race(0, 7),
            Job::Prove(5, 2),
        ];
        let ordered = |block| {
            let mut v = jobs.clone();
            in_block_order(&mut v, 1, block);
            v
        };
        let a = ordered(100);
        assert_eq!(a, ordered(100), "the same seed and block give the same order");
        assert_eq!((a[0], a[1], a[6]), (Job::Slash(4), Job::Prove(5, 2), Job::Fail(9)));
        let mut races = a[2..6].to_vec();
        races.sort();
        assert_eq!(races, [Job::Race(0, 7), Job::Race(1, 7), Job::Race(2, 7), Job::Race(3, 7)]);
        // Over blocks, each racer lands first sometimes: not the lowest index every time.
        let firsts: std::collections::BTreeSet<Job> = (0..64).map(|b| ordered(b)[2]).collect();
        assert_eq!(firsts.len(), 4, "{firsts:?}");
    }
}
