//! Claim and compound: on the claim cadence (`--claim-every`) the agent collects what its prover
//! earned and, for an operator who asks for it (`prover run --compound`), puts it back to work.
//!
//! Who can collect depends on the key the agent runs with:
//! - the prover's own key: `claim` the credited rewards; compounding `stake`s what was paid, so the
//!   prover's weight (and capacity) grows with its earnings;
//! - the operator key of a pool (the agent acts for the pool, docs/pools.md): `sync` the pool, which
//!   collects the pool's rewards from the network and restakes the delegators' part, raising the
//!   share price; compounding also takes the operator's commission (`claimCommission`) and deposits
//!   it into the pool as self-stake, which is what keeps the pool above its minimum self-stake as
//!   slashes eat into it;
//! - the operator key of a prover without a pool: the network lets only the prover claim, so the
//!   agent leaves the rewards to the prover's key and says so once.

use alloy::primitives::U256;
use eyre::Result;
use tracing::{info, warn};

use super::Agent;
use crate::ops::{self, pool::Pool};

/// Who collects the prover's rewards, resolved on the first claim.
#[derive(Debug, Clone, Default)]
pub(super) enum Payee {
    /// Not resolved yet.
    #[default]
    Unknown,
    /// The agent's key is the prover's own.
    Own,
    /// The prover is a pool and the agent's key is its operator.
    Pool(Box<Pool>),
    /// The agent's key is another prover's operator: only the prover's key can claim.
    Elsewhere,
}

impl Agent {
    /// Collects (and, with `--compound`, restakes) the prover's earnings, at most once per
    /// `claim_every` blocks. `claimable` is the prover's credit in the network at this block.
    /// Failures are logged and retried at the next cadence, never fatal.
    pub(super) async fn claim_duty(&mut self, block: u64, claimable: U256) {
        if block < self.last_claim + self.cfg.claim_every {
            return;
        }
        if matches!(self.payee, Payee::Unknown) {
            match self.resolve_payee().await {
                Ok(p) => self.payee = p,
                Err(e) => {
                    warn!(agent = %self.cfg.name, error = format!("{e:#}"), "cannot tell who claims");
                    return;
                }
            }
        }
        let result = match self.payee.clone() {
            Payee::Own if claimable.is_zero() => return,
            Payee::Own => self.claim_own(claimable).await,
            Payee::Pool(pool) => self.collect_pool(&pool, claimable).await,
            Payee::Elsewhere | Payee::Unknown => return,
        };
        if let Err(e) = result {
            warn!(agent = %self.cfg.name, error = format!("{e:#}"), "claim failed");
        }
        self.last_claim = block;
    }

    async fn resolve_payee(&self) -> Result<Payee> {
        let signer = self.net.chain.signer()?;
        if signer == self.me {
            return Ok(Payee::Own);
        }
        if self.net.dep.pool_factory.is_some()
            && let Ok(pool) = ops::pool::resolve(&self.net, self.me).await
            && pool.operator().call().await? == signer
        {
            info!(agent = %self.cfg.name, pool = %self.me, compound = self.cfg.compound,
                  "acting for a pool: its syncs collect the rewards");
            return Ok(Payee::Pool(Box::new(pool)));
        }
        warn!(agent = %self.cfg.name, prover = %self.me,
              "running with an operator key: only the prover's own key can claim its rewards");
        Ok(Payee::Elsewhere)
    }

    /// `claim`, then with `--compound` `stake` the amount paid.
    async fn claim_own(&mut self, claimable: U256) -> Result<()> {
        let r = ops::claim(&self.net).await?;
        self.stats.claims += 1;
        info!(agent = %self.cfg.name, "{}", r.human);
        if self.cfg.compound {
            let r = ops::stake(&self.net, claimable).await?;
            self.count_compound(claimable);
            info!(agent = %self.cfg.name, "compounded: {}", r.human);
        }
        Ok(())
    }

    /// `sync` the pool when the network holds rewards for it; with `--compound`, take the
    /// operator's commission and deposit it into the pool.
    async fn collect_pool(&mut self, pool: &Pool, claimable: U256) -> Result<()> {
        let net = &self.net;
        if !claimable.is_zero() {
            let r = net.chain.send("sync", &net.units, pool.sync()).await?;
            self.stats.claims += 1;
            info!(agent = %self.cfg.name, pool = %pool.address(), rewards = %net.units.fmt(claimable),
                  tx = %r.transaction_hash, "pool synced: rewards collected");
        }
        if !self.cfg.compound {
            return Ok(());
        }
        let owed = pool.commissionOwed().call().await?;
        if owed.is_zero() {
            return Ok(());
        }
        net.chain.send("claimCommission", &net.units, pool.claimCommission()).await?;
        let r = ops::pool::deposit(net, *pool.address(), owed).await?;
        self.count_compound(owed);
        info!(agent = %self.cfg.name, "compounded commission: {}", r.human);
        Ok(())
    }

    fn count_compound(&mut self, amount: U256) {
        self.stats.compounds += 1;
        self.stats.compounded_tokens += self.tokens(amount);
    }
}
