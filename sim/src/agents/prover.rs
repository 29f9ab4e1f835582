//! The prover: commits and reveals its seed share every epoch, plans the proofs of the batches of
//! the slots drawn to it and, once a slot has ended, submits them together: one `submitProof` per
//! run of consecutive batch ids it holds, up to the contract's `MAX_BATCHES_PER_PROOF`. Its
//! decisions come from its policy ([`crate::policy`]).

use alloy::primitives::{B256, U256, keccak256};
use alloy::sol_types::SolValue;
use eyre::Result;
use provernet_bindings::ProverNetwork as P;
use provernet_bindings::formulas::{dev_proof, seed_commitment};

use super::proof_run::GaveUp;
use crate::policy::Assignment;
use crate::world::{Job, World};
use provernet_evm::CHAIN_ID;

/// Block step: in the commit phase every online prover with the minimum stake commits (once per
/// epoch); in the reveal phase every online prover that committed reveals, unless its policy
/// withholds the reveal.
pub(crate) fn commits_or_reveals(w: &mut World<'_>, block: u64) -> Result<()> {
    let (epoch, offset) = (w.chain.epochs.at(block), w.chain.epochs.offset(block));
    let commit_phase = offset < w.s.chain.commit_blocks;
    for i in 0..w.agents.len() {
        if commit_phase {
            commits(w, i, epoch, block)?;
        } else {
            reveals(w, i, epoch, block)?;
        }
    }
    Ok(())
}

fn commits(w: &mut World<'_>, i: usize, epoch: u64, block: u64) -> Result<()> {
    if w.agents[i].committed == Some(epoch) || !w.eligible(i) || !w.online(i, block) {
        return Ok(());
    }
    let seed = w.s.seed;
    let a = &mut w.agents[i];
    let secret = keccak256((U256::from(seed), a.spec.addr, U256::from(epoch)).abi_encode_params());
    let commitment = seed_commitment(secret, a.spec.addr, epoch);
    a.secret = secret;
    a.committed = Some(epoch);
    // A grinder decides once per epoch whether the outcome is worth revealing.
    a.will_reveal = a.policy.reveals(&mut a.rng);
    let addr = a.sender;
    let out = w.chain.exec(addr, w.chain.addrs.network, &P::commitCall { commitment })?;
    w.record("commit", &out, Some(i), true);
    Ok(())
}

fn reveals(w: &mut World<'_>, i: usize, epoch: u64, block: u64) -> Result<()> {
    if w.agents[i].committed != Some(epoch) || !w.online(i, block) {
        return Ok(());
    }
    if !w.agents[i].will_reveal {
        return Ok(()); // withheld: the keeper penalises it at the next epoch
    }
    let a = &mut w.agents[i];
    a.committed = None;
    let hides = a.policy.hides_secret(&mut a.rng);
    let (addr, secret) = (a.sender, a.secret);
    if hides {
        super::stake::dips_below_minimum(w, i, 0)?;
    }
    let out = w.chain.exec(addr, w.chain.addrs.network, &P::revealCall { secret })?;
    w.record("reveal", &out, Some(i), true);
    if hides {
        super::stake::tops_up(w, i)?;
    }
    Ok(())
}

/// Batch `id` was drawn to prover `i` at `block` (window ends at `pd`, race at `rd`): it acts as its
/// policy says.
pub(crate) fn proves_assignment(
    w: &mut World<'_>,
    i: usize,
    id: u64,
    block: u64,
    pd: u64,
    rd: u64,
) {
    match w.agents[i].policy.proves_assignment() {
        Assignment::Withhold => {}
        Assignment::CartelPartnerProves => partner_proves(w, i, id, block, pd, rd),
        Assignment::Prove => plans_proof(w, i, id, block, pd),
    }
}

/// An honest prover proves a batch drawn to it on its first free machine, deciding on its expected
/// proving time and what it sees at each decision block; [`super::proof_run`] plays the work out
/// (outages that kill it, crashes, a realised time that overruns the window). A proven batch waits
/// for the end of its slot, when the prover submits the slot's batches together ([`slot_ends`]).
fn plans_proof(w: &mut World<'_>, i: usize, id: u64, block: u64, pd: u64) {
    let bytes = w.batch(id).bytes;
    let (m, free) = w.agents[i]
        .machines
        .iter()
        .copied()
        .enumerate()
        .min_by_key(|&(_, t)| t)
        .expect("at least one machine");
    let run = w.runs_proof(i, bytes, free.max(block), pd);
    w.agents[i].machines[m] = run.machine_free;
    let cost = w.prove_cost(i, bytes);
    let st = &mut w.agents[i].stats;
    st.proving_cost += cost * run.cost_share_until(u64::MAX);
    st.lost_work_cost += cost * run.wasted_share();
    st.busy_blocks += run.busy_until(u64::MAX);
    let ready = match run.outcome {
        Ok(ready) => ready,
        Err(cause) => {
            *match cause {
                GaveUp::Overload => &mut st.missed_overload,
                GaveUp::Outage => &mut st.missed_outage,
                GaveUp::Crash => &mut st.missed_crash,
                GaveUp::Late => &mut st.missed_late,
            } += 1;
            return; // the window will be missed
        }
    };
    let slot_last = w.chain.epochs.slot_at(block).last_block;
    let held = &mut w.agents[i].held;
    if !held.iter().any(|h| h.2 == slot_last) {
        w.schedule(slot_last + 1, Job::SlotEnds(i));
    }
    w.agents[i].held.push((id, ready, slot_last));
}

/// Job: a slot of prover `i` has ended (no batch can join it any more). It submits the slot's proven
/// batches when the last of their proofs is ready (inside the window: [`plans_proof`] abandons any
/// proof not ready by then), so that consecutive ids go into one proof.
pub(crate) fn slot_ends(w: &mut World<'_>, i: usize, block: u64) -> Result<()> {
    let (ended, open): (Vec<_>, Vec<_>) =
        w.agents[i].held.drain(..).partition(|&(_, _, slot_last)| slot_last < block);
    w.agents[i].held = open;
    let Some(ready) = ended.iter().map(|h| h.1).max() else { return Ok(()) };
    for (id, _, _) in ended {
        w.schedule(ready.max(block), Job::Prove(i, id));
    }
    Ok(())
}

/// A cartel member withholds its batch; a partner, picked at random, starts proving it at once so
/// its proof is ready the moment the race opens.
fn partner_proves(w: &mut World<'_>, i: usize, id: u64, block: u64, pd: u64, rd: u64) {
    let bytes = w.batch(id).bytes;
    let partners: Vec<usize> = (0..w.agents.len())
        .filter(|&j| {
            j != i && w.agents[j].policy.proves_assignment() == Assignment::CartelPartnerProves
        })
        .collect();
    if partners.is_empty() {
        return;
    }
    let j = partners[w.rng.below(partners.len() as u64) as usize];
    if !w.eligible(j) || !w.online(j, block) {
        return;
    }
    // It plans on the expected time like anyone; the realised one decides whether it made it.
    if (block + w.expected_prove_time(j, bytes)).max(pd + 1) > rd {
        return;
    }
    w.agents[j].stats.proving_cost += w.prove_cost(j, bytes);
    let ready = (block + w.prove_time(j, bytes)).max(pd + 1);
    if ready <= rd {
        w.batch_mut(id).cartel = Some((j, ready));
    }
}

/// Job: prover `i` submits one proof for its finished batches `first..first + count` (the caller
/// groups consecutive ready batches, up to the contract's maximum).
pub(crate) fn submits_proof(w: &mut World<'_>, i: usize, first: u64, count: usize) -> Result<()> {
    let commitments: Vec<B256> =
        (first..first + count as u64).map(|id| w.batch(id).commitment).collect();
    // The proof names the prover account; the transaction comes from its key (a pool's operator).
    let (prover, addr) = (w.agents[i].spec.addr, w.agents[i].sender);
    let proof = dev_proof(CHAIN_ID, w.chain.addrs.network, prover, first, &commitments);
    let call = P::submitProofCall {
        firstBatchId: U256::from(first),
        count: U256::from(count),
        proof: proof.to_vec().into(),
    };
    let out = w.chain.exec(addr, w.chain.addrs.network, &call)?;
    w.record("submitProof", &out, Some(i), true);
    Ok(())
}

/// How many of `jobs[k..]` (sorted) one proof of prover `i` starting at batch `first` covers: its
/// consecutive ready batches, up to `max` (the contract's `MAX_BATCHES_PER_PROOF`).
pub(crate) fn batches_in_one_proof(
    jobs: &[Job],
    k: usize,
    i: usize,
    first: u64,
    max: usize,
) -> usize {
    let mut count = 1;
    while k + count < jobs.len()
        && count < max
        && matches!(jobs[k + count], Job::Prove(j, id) if j == i && id == first + count as u64)
    {
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_proof_covers_a_consecutive_run_of_one_prover_up_to_the_maximum() {
        let jobs: Vec<Job> = (1..=20)
            .map(|id| Job::Prove(0, id))
            .chain([Job::Prove(0, 22), Job::Prove(1, 23)])
            .collect();
        assert_eq!(batches_in_one_proof(&jobs, 0, 0, 1, 16), 16, "capped at the maximum");
        assert_eq!(batches_in_one_proof(&jobs, 16, 0, 17, 16), 4, "17..=20, then a gap at 21");
        assert_eq!(batches_in_one_proof(&jobs, 20, 0, 22, 16), 1, "23 is another prover's");
        assert_eq!(batches_in_one_proof(&jobs, 21, 1, 23, 16), 1, "the last job");
    }
}
