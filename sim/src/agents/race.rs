//! The open race (emergency mode): who joins when a batch is slashed or posted with nobody eligible,
//! who wins, and what the losers paid.

use alloy::primitives::U256;
use eyre::Result;
use provernet_bindings::ProverNetwork as P;
use provernet_bindings::formulas::dev_proof;

use crate::world::{Job, World};
use provernet_evm::CHAIN_ID;

/// A prover in the race: (prover, block its proof would be ready, its proving time).
type Entrant = (usize, u64, u64);

/// Opens the race of batch `id` at `block` (`slashed`: the prover that just missed it, which may
/// not race it). Eligible provers join as their policy says if they are online and have a free
/// machine; the first valid proof wins (a cartel partner's proof, prepared since posting, counts),
/// and the others stop when they see it and pay for the work done so far.
pub(crate) fn opens(w: &mut World<'_>, id: u64, block: u64, slashed: Option<usize>) -> Result<()> {
    let (bytes, rd, cartel) = {
        let b = w.batch(id);
        (b.bytes, b.race_deadline, b.cartel)
    };
    w.summary.emergency.raced += 1;
    if w.batch(id).withheld {
        w.summary.withholding.unprovable_races += 1;
        return Ok(()); // nobody has its data: it fails when the race ends
    }
    let mut best: Option<(u64, usize)> = cartel.map(|(j, t)| (t, j));
    let mut entrants: Vec<Entrant> = Vec::new();
    for j in 0..w.agents.len() {
        if Some(j) == slashed || !w.eligible(j) {
            continue;
        }
        let Some(entrant) = joins_race(w, j, block, bytes, rd) else { continue };
        let finish = entrant.1;
        entrants.push(entrant);
        if best.is_none_or(|(f, _)| finish < f) {
            best = Some((finish, j));
        }
    }
    let Some((win_at, winner)) = best else { return Ok(()) };
    w.schedule(win_at, Job::Race(winner, id));
    for (j, finish, t) in entrants {
        let worked = finish.min(win_at) - block;
        let share = if j == winner { 1.0 } else { worked as f64 / t as f64 };
        let cost = w.prove_cost(j, bytes) * share;
        w.agents[j].stats.proving_cost += cost;
        w.agents[j].stats.race_cost += cost;
        w.agents[j].stats.busy_blocks += worked;
        let m = w.agents[j]
            .machines
            .iter()
            .enumerate()
            .min_by_key(|&(_, t)| *t)
            .map(|(m, _)| m)
            .unwrap_or(0);
        w.agents[j].machines[m] = finish.min(win_at);
    }
    Ok(())
}

/// Whether eligible prover `j` enters the race for a batch of `bytes` ending at `rd`: its policy
/// must want to, it must be idle and online and able to finish in time, and its attempt must not
/// crash (a crashed attempt is paid for and never submitted).
fn joins_race(w: &mut World<'_>, j: usize, block: u64, bytes: u64, rd: u64) -> Option<Entrant> {
    let race_join = w.s.provers.race_join;
    let a = &mut w.agents[j];
    if !a.policy.joins_race(&mut a.rng, race_join) {
        return None;
    }
    let free = w.agents[j].machines.iter().copied().min().unwrap_or(0);
    if free > block || !w.online(j, block) {
        return None;
    }
    let t = w.prove_time(j, bytes);
    let finish = block + t;
    if finish > rd {
        return None;
    }
    let failure_rate = w.agents[j].failure_rate;
    if w.agents[j].rng.chance(failure_rate) {
        let cost = w.prove_cost(j, bytes);
        w.agents[j].stats.proving_cost += cost;
        w.agents[j].stats.race_cost += cost;
        return None;
    }
    Some((j, finish, t))
}

/// Job: prover `i` submits its race proof for batch `id`, if the batch is still in its race and the
/// prover still has the minimum stake.
pub(crate) fn submits_win(w: &mut World<'_>, i: usize, id: u64) -> Result<()> {
    if !w.batch(id).status.is_racing() || !w.eligible(i) {
        return Ok(());
    }
    let (prover, addr) = (w.agents[i].spec.addr, w.agents[i].sender);
    let proof = dev_proof(CHAIN_ID, w.chain.addrs.network, prover, id, &[w.batch(id).commitment]);
    let call = P::raceSubmitCall { batchId: U256::from(id), proof: proof.to_vec().into() };
    let out = w.chain.exec(addr, w.chain.addrs.network, &call)?;
    w.record("raceSubmit", &out, Some(i), true);
    Ok(())
}
