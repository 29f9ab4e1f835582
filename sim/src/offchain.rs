//! The off-chain prover model: outages (each prover's own and the correlated one) and proving time
//! and cost by hardware class. Outages are drawn lazily from the prover's own stream as far as the
//! first question about a block needs, so the draws interleave with its other draws exactly in the
//! order the questions are asked.

use crate::world::World;

impl World<'_> {
    /// Whether prover `i` is down at `block`; if so, the block it is back.
    pub(crate) fn down_until(&mut self, i: usize, block: u64) -> Option<u64> {
        if let Some((o, hit)) = &self.outage
            && hit[i]
            && (o.start..o.end).contains(&block)
        {
            return Some(o.end);
        }
        let mean_down = self.s.provers.mean_downtime_blocks;
        let a = &mut self.agents[i];
        if a.mtbf <= 0.0 || mean_down <= 0.0 {
            return None;
        }
        while a.down_generated_to <= block {
            let start = a.down_generated_to + a.rng.exp(a.mtbf).ceil() as u64;
            let end = start + a.rng.exp(mean_down).ceil().max(1.0) as u64;
            a.downtime.push((start, end));
            a.down_generated_to = end;
        }
        let k = a.downtime.partition_point(|&(_, end)| end <= block);
        a.downtime.get(k).filter(|&&(start, _)| start <= block).map(|&(_, end)| end)
    }

    /// Whether prover `i` is up at `block`.
    pub(crate) fn online(&mut self, i: usize, block: u64) -> bool {
        self.down_until(i, block).is_none()
    }

    /// Blocks prover `i` needs for a proof of `bytes` (draws its jitter).
    pub(crate) fn prove_time(&mut self, i: usize, bytes: u64) -> u64 {
        let c = &self.s.provers.classes[self.agents[i].spec.class];
        let mb = bytes as f64 / 1e6;
        let t = (c.fixed_blocks + c.blocks_per_mb * mb) * self.agents[i].rng.lognormal(c.jitter);
        t.ceil().max(1.0) as u64
    }

    /// What a proof of `bytes` costs prover `i`, in tokens.
    pub(crate) fn prove_cost(&self, i: usize, bytes: u64) -> f64 {
        self.s.provers.classes[self.agents[i].spec.class].cost_per_mb * bytes as f64 / 1e6
    }
}
