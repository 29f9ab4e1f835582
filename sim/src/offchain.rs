//! The off-chain prover model: outages (each prover's own and the correlated one) and proving time
//! and cost by hardware class. Outages are drawn lazily from the prover's own stream as far as the
//! first question about a block needs, so the draws interleave with its other draws exactly in the
//! order the questions are asked.
//!
//! These are the world's facts, not the prover's knowledge: a prover decides on
//! [`World::expected_prove_time`] and on whether it is up at the decision block; the realised time
//! ([`World::prove_time`]) and the next outage ([`World::next_down`]) are drawn or read only to
//! play out the work it started (`agents/proof_run.rs`).

use crate::world::World;

impl World<'_> {
    /// Draws prover `i`'s own outages until they cover every block up to `block`.
    fn generate_downtime(&mut self, i: usize, block: u64) {
        let mean_down = self.s.provers.mean_downtime_blocks;
        let a = &mut self.agents[i];
        if a.mtbf <= 0.0 || mean_down <= 0.0 {
            return;
        }
        while a.down_generated_to <= block {
            let start = a.down_generated_to + a.rng.exp(a.mtbf).ceil() as u64;
            let end = start + a.rng.exp(mean_down).ceil().max(1.0) as u64;
            a.downtime.push((start, end));
            a.down_generated_to = end;
        }
    }

    /// Whether prover `i` is down at `block`; if so, the block it is back.
    pub(crate) fn down_until(&mut self, i: usize, block: u64) -> Option<u64> {
        if let Some((o, hit)) = &self.outage
            && hit[i]
            && (o.start..o.end).contains(&block)
        {
            return Some(o.end);
        }
        self.generate_downtime(i, block);
        let a = &self.agents[i];
        let k = a.downtime.partition_point(|&(_, end)| end <= block);
        a.downtime.get(k).filter(|&&(start, _)| start <= block).map(|&(_, end)| end)
    }

    /// Whether prover `i` is up at `block`.
    pub(crate) fn online(&mut self, i: usize, block: u64) -> bool {
        self.down_until(i, block).is_none()
    }

    /// The first block in `from..to` at which prover `i`, up just before `from`, goes down (its own
    /// outage or the correlated one), if any: where an outage cuts a running proof short.
    pub(crate) fn next_down(&mut self, i: usize, from: u64, to: u64) -> Option<u64> {
        let correlated = match &self.outage {
            Some((o, hit)) if hit[i] && (from..to).contains(&o.start) => Some(o.start),
            _ => None,
        };
        self.generate_downtime(i, to);
        let a = &self.agents[i];
        let k = a.downtime.partition_point(|&(_, end)| end <= from);
        let own =
            a.downtime[k..].iter().map(|&(start, _)| start.max(from)).find(|&start| start < to);
        own.into_iter().chain(correlated).min()
    }

    /// Blocks prover `i` expects a proof of `bytes` to take: its class's `fixed + per-MB` time
    /// without the jitter (the log-normal's median). What it plans with; it never sees the draw.
    pub(crate) fn expected_prove_time(&self, i: usize, bytes: u64) -> u64 {
        let c = &self.s.provers.classes[self.agents[i].spec.class];
        (c.fixed_blocks + c.blocks_per_mb * bytes as f64 / 1e6).ceil().max(1.0) as u64
    }

    /// Blocks a proof of `bytes` actually takes prover `i` (draws its jitter): drawn when the
    /// work starts.
    pub(crate) fn prove_time(&mut self, i: usize, bytes: u64) -> u64 {
        let c = &self.s.provers.classes[self.agents[i].spec.class];
        let mb = bytes as f64 / 1e6;
        let t = (c.fixed_blocks + c.blocks_per_mb * mb) * self.agents[i].rng.lognormal(c.jitter);
        t.ceil().max(1.0) as u64
    }

    /// What a proof of `bytes` costs prover `i`, in tokens.
    pub(crate) fn prove_cost(&self, i: usize, bytes: u64) -> f64 {
        self.class_prove_cost(self.agents[i].spec.class, bytes)
    }

    /// What a proof of `bytes` costs a prover of hardware class `class`, in tokens.
    pub(crate) fn class_prove_cost(&self, class: usize, bytes: u64) -> f64 {
        self.s.provers.classes[class].cost_per_mb * bytes as f64 / 1e6
    }
}
