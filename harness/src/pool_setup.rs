//! Genesis of the liquid proving pools: the real factory is deployed, each pool operator creates
//! its pool through it (which registers the pool as a prover and names the operator its hot key),
//! and the delegators are funded and approve every pool.

use alloy::primitives::{Address, Bytes, U256};
use alloy::sol_types::SolValue;
use eyre::{Result, WrapErr, ensure};
use provernet_bindings::{DevStakingToken, ProverPoolFactory};
use provernet_evm::Names;

use crate::actors::{self, Actor, DELEGATORS, POOLS, Role};
use crate::chain::{Chain, UNIT};
use crate::model::pools::MPool;
use crate::model::reputation::NEWCOMER;
use crate::model::{MAccount, Model};
use crate::pool_view::{PoolView, shares_of};

/// Least self-stake of every pool (the factory's `minSelfStake`).
pub const MIN_SELF_STAKE: u128 = 200 * UNIT;
/// Self-stake each operator creates its pool with.
pub const SELF_STAKE: u128 = 1_000 * UNIT;
/// Commission of each pool, in basis points.
const COMMISSION_BPS: [u64; 2] = [1_000, 2_500];

/// A pool created at genesis: its operator's and its own actor index, and the self-stake.
#[derive(Clone, Copy, Debug)]
pub struct Created {
    /// The operator's actor index.
    pub operator: u16,
    /// The pool's actor index.
    pub pool: u16,
    /// The self-stake it registered with.
    pub self_stake: u128,
}

/// Deploys the factory from `factory_code`, creates [`POOLS`] through it and appends each pool's
/// operator and pool, then [`DELEGATORS`] delegators, to `actors`. Every new actor but the pools is
/// funded with `funding`.
pub fn create(
    chain: &mut Chain,
    actors: &mut Vec<Actor>,
    factory_code: &Bytes,
    funding: u128,
) -> Result<Vec<Created>> {
    let net = chain.addrs.network;
    let args = (net, U256::from(MIN_SELF_STAKE)).abi_encode_params();
    let code: Bytes = [factory_code.as_ref(), args.as_slice()].concat().into();
    let deployer = chain.addrs.deployer;
    let factory = chain.create(deployer, code).wrap_err("while deploying the pool factory")?;
    let mut created = Vec::new();
    for (k, role) in POOLS.into_iter().enumerate() {
        let op = Names::HARNESS.address(&format!("pool-operator-{k}"));
        fund(chain, op, funding, factory)?;
        let call = ProverPoolFactory::createPoolCall {
            selfStake: U256::from(SELF_STAKE),
            commissionBps: U256::from(COMMISSION_BPS[k]),
        };
        chain.must(op, factory, &call, "createPool")?;
        let pool: Address = chain.view(factory, &ProverPoolFactory::poolOfCall { operator: op })?;
        ensure!(pool != Address::ZERO, "createPool left no pool for {op}");
        // The operator tops its self-stake up by depositing into its own pool.
        fund(chain, op, 0, pool)?;
        actors.push(actors::actor(op, Role::PoolOperator));
        actors.push(actors::actor(pool, role));
        created.push(Created {
            operator: (actors.len() - 2) as u16,
            pool: (actors.len() - 1) as u16,
            self_stake: SELF_STAKE,
        });
    }
    for j in 0..DELEGATORS {
        let d = Names::HARNESS.address(&format!("delegator-{j}"));
        for c in &created {
            fund(chain, d, 0, actors[c.pool as usize].addr)?;
        }
        fund(chain, d, funding, net)?;
        actors.push(actors::actor(d, Role::Delegator));
    }
    Ok(created)
}

/// Mints `amount` to `who` (if non-zero) and approves `spender` for everything.
fn fund(chain: &mut Chain, who: Address, amount: u128, spender: Address) -> Result<()> {
    let token = chain.addrs.token;
    if amount > 0 {
        let mint = DevStakingToken::mintCall { to: who, amount: U256::from(amount) };
        chain.must(who, token, &mint, "mint")?;
    }
    let approve = DevStakingToken::approveCall { spender, value: U256::MAX };
    chain.must(who, token, &approve, "approve")?;
    Ok(())
}

/// Starts the model of each created pool from the deployed state: the pool is a registered
/// prover with its self-stake (registered at `block`, counted in `_clock.provers`), its operator
/// is its hot key, and the operator holds every share.
pub fn model(
    chain: &mut Chain,
    model: &mut Model,
    actors: &[Actor],
    created: &[Created],
) -> Result<()> {
    let block = chain.block();
    for c in created {
        model.accounts[c.pool as usize] = MAccount {
            registered: true,
            stake: c.self_stake,
            deposited: c.self_stake,
            rep: NEWCOMER,
            rep_at: block,
            ..MAccount::default()
        };
        model.provers += 1;
        model.prover_of_operator.insert(c.operator, c.pool);
        model.operator_of.insert(c.pool, c.operator);
        let (pool, op) = (actors[c.pool as usize].addr, actors[c.operator as usize].addr);
        let mut p = MPool { actor: c.pool, operator: c.operator, ..MPool::default() };
        PoolView::cross_check(chain, pool, op)
            .wrap_err("while checking the pool's storage readers")?;
        p.shares.insert(c.operator, shares_of(chain, pool, op));
        model.pools.push(p);
    }
    Ok(())
}
