//! The storage readers checked against the contract's own view functions: a layout change the
//! probe could not see (a moved top-level slot, a token that is not an OpenZeppelin ERC20) shows up
//! here as an error naming the field, instead of as a bogus invariant violation.

use alloy::primitives::{Address, U256};
use eyre::{Result, bail};
use provernet_bindings::ProverNetwork;

use crate::chain::Chain;
use crate::layout::account_fields;
use crate::slots::AccountSlots;

fn addr(a: Address) -> U256 {
    U256::from_be_slice(a.as_slice())
}

/// Compares every storage reader with the contract's view functions for `accounts` and `batches`;
/// an error names the first field that differs (a layout change the probe could not see).
pub fn cross_check(chain: &mut Chain, accounts: &[Address], batches: &[u64]) -> Result<()> {
    let net = chain.addrs.network;
    for who in accounts {
        let view = chain.view(net, &ProverNetwork::accountOfCall { who: *who })?;
        let read = chain.account(&AccountSlots::new(*who));
        let fields = account_fields(&view);
        let mine = [
            U256::from(read.stake),
            U256::from(read.unbonding),
            U256::from(read.unbonding_ready_at),
            U256::from(read.open_assignments),
            U256::from(read.claimable),
            U256::from(read.reputation),
            U256::from(read.rep_updated_at),
            U256::from(read.registered as u8),
            U256::from(read.commit_epoch),
            read.commit_hash,
            U256::from(read.slashed_epoch),
        ];
        for ((name, v, _), m) in fields.iter().zip(mine) {
            if *v != m {
                bail!(
                    "storage reader disagrees with accountOf({who}).{name}: view {v}, storage {m}"
                );
            }
        }
    }
    // `batchOf` reports deadlines as block numbers: the network clock's deadline plus the blocks
    // spent paused (and those of a running pause).
    let clock = chain.clock();
    let running = if clock.paused_at != 0 { chain.block() - clock.paused_at } else { 0 };
    let shift = clock.paused_blocks + running;
    for id in batches {
        let batch_id = U256::from(*id);
        let view = chain.view(net, &ProverNetwork::batchOfCall { batchId: batch_id })?;
        let (key, asg) =
            chain.view(net, &ProverNetwork::assignmentOfCall { batchId: batch_id })?.into();
        let read = chain.batch(*id);
        let mine = [
            ("commitment", U256::from_be_bytes(view.commitment.0), read.commitment),
            ("fee", U256::from(view.fee), U256::from(read.fee)),
            ("bounty", U256::from(view.bounty), U256::from(read.bounty)),
            ("status", U256::from(view.status), U256::from(read.status)),
            ("assignment", key, U256::from(read.assignment)),
            ("prover", addr(view.prover), addr(read.prover)),
            (
                "provingDeadline",
                U256::from(view.provingDeadline),
                U256::from(read.proving_deadline + shift),
            ),
            ("raceDeadline", U256::from(view.raceDeadline), U256::from(read.race_deadline + shift)),
            ("poster", addr(view.poster), addr(chain.source_at(read.source))),
        ];
        for (name, v, m) in mine {
            if v != m {
                bail!("storage reader disagrees with batchOf({id}).{name}: view {v}, storage {m}");
            }
        }
        // `challengeOf` reports the answer deadline as a block number too (zero: none).
        let respond_by = chain.view(net, &ProverNetwork::challengeOfCall { batchId: batch_id })?;
        let stored = chain.challenge(*id);
        let stored = if stored == 0 { 0 } else { stored + shift };
        if respond_by != U256::from(stored) {
            bail!(
                "storage reader disagrees with challengeOf({id}): view {respond_by}, storage {stored}"
            );
        }
        let a = chain.assignment(read.assignment);
        let slashed = (asg.prover, U256::from(asg.provingDeadline), asg.config, asg.slashed);
        if slashed != (a.prover, U256::from(a.proving_deadline), a.config, a.slashed) {
            bail!("storage reader disagrees with assignmentOf({id}): view {asg:?}, storage {a:?}");
        }
    }
    for who in accounts {
        let view = chain.view(net, &ProverNetwork::sourceOfCall { source: *who })?;
        let read = chain.source(&AccountSlots::new(*who));
        if (U256::from(view.feeBalance), view.index, view.allowed)
            != (U256::from(read.fee_balance), read.index, read.allowed)
        {
            bail!("storage reader disagrees with sourceOf({who}): view {view:?}, storage {read:?}");
        }
        let keys = AccountSlots::new(*who);
        let (prover, operator) = chain.operator_links(&keys);
        let vp = chain.view(net, &ProverNetwork::proverOfOperatorCall { operator: *who })?;
        let vo = chain.view(net, &ProverNetwork::operatorOfCall { prover: *who })?;
        if (vp, vo) != (prover, operator) {
            bail!("storage reader disagrees with proverOfOperator/operatorOf({who})");
        }
    }
    let treasury = chain.view(net, &ProverNetwork::treasuryBalanceCall {})?;
    let burn = chain.view(net, &ProverNetwork::burnPendingCall {})?;
    let next = chain.view(net, &ProverNetwork::nextBatchIdCall {})?;
    let paused = chain.view(net, &ProverNetwork::pausedCall {})?;
    let (t, b) = chain.treasury_and_burn();
    if (U256::from(treasury), U256::from(burn), next, paused)
        != (U256::from(t), U256::from(b), U256::from(chain.next_batch_id()), chain.paused())
    {
        bail!(
            "storage reader disagrees with treasuryBalance/burnPending/nextBatchId/paused: the top-level layout changed; update harness/src/slots.rs"
        );
    }
    let clock = chain.clock();
    let (paused_blocks, paused_at) = chain.view(net, &ProverNetwork::pauseStateCall {})?.into();
    let provers = chain.view(net, &ProverNetwork::proverCountCall {})?;
    let (id, terms) = chain.view(net, &ProverNetwork::currentTermsCall {})?.into();
    if (U256::from(clock.paused_blocks), U256::from(clock.paused_at), U256::from(clock.provers))
        != (paused_blocks, paused_at, provers)
        || U256::from(clock.config) != id
    {
        bail!("storage reader disagrees with pauseState/proverCount/currentTerms: {clock:?}");
    }
    let read = chain.terms(u64::from(clock.config));
    if (read.verifier, read.slash_bps, read.burn_bps, read.bounty_bps, read.keeper_bps)
        != (terms.verifier, terms.slashBps, terms.burnBps, terms.bountyBps, terms.keeperBps)
    {
        bail!("storage reader disagrees with slashTermsOf({id}): view {terms:?}, storage {read:?}");
    }
    let token = chain.addrs.token;
    let balance =
        chain.view(token, &provernet_bindings::DevStakingToken::balanceOfCall { account: net })?;
    if balance != U256::from(chain.token_balance(&AccountSlots::new(net))) {
        bail!(
            "storage reader disagrees with the token's balanceOf: the token is not an OpenZeppelin ERC20"
        );
    }
    let epoch = chain.current_epoch();
    for e in [epoch.saturating_sub(1), epoch] {
        let (count, total) =
            chain.view(net, &ProverNetwork::rollOfCall { epoch: U256::from(e) })?.into();
        let roll = chain.roll(e & 1);
        let mine = if roll.epoch == e { (roll.count, roll.total_weight) } else { (0, 0) };
        if (count, total) != (U256::from(mine.0), U256::from(mine.1)) {
            bail!(
                "storage reader disagrees with rollOf({e}): view ({count}, {total}), storage {mine:?}"
            );
        }
        let seed = chain.view(net, &ProverNetwork::seedOfCall { epoch: U256::from(e) })?;
        if seed != chain.seed(e).unwrap_or_default() {
            bail!("storage reader disagrees with seedOf({e})");
        }
        if roll.epoch == e && roll.count > 0 {
            let (p, cum) = chain
                .view(
                    net,
                    &ProverNetwork::listEntryCall { epoch: U256::from(e), index: U256::ZERO },
                )?
                .into();
            if (p, cum) != {
                let (a, c) = chain.list_entry(e & 1, 0);
                (a, U256::from(c))
            } {
                bail!("storage reader disagrees with listEntry({e}, 0)");
            }
        }
    }
    Ok(())
}
