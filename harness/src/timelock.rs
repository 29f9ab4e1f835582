//! Governance through a timelock (issue 11): once a prover has registered, the network takes owner
//! calls only from an owner that is a timelock whose delay outlasts a prover's exit. The harness
//! deploys OpenZeppelin's `TimelockController` as the owner, with the governance actor as its only
//! proposer and executor, and routes every owner call through `schedule`, the delay passing on the
//! chain's clock (12 s a block) and `execute`; the network then sees the timelock as the caller.

use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::sol_types::{SolCall, SolConstructor};
use eyre::{Result, WrapErr};
use provernet_bindings::{ProverNetwork, TimelockController};
use provernet_evm::BLOCK_TIME;

use crate::action::Kind;
use crate::chain::Chain;

/// Blocks of delay the harness's timelock has on top of what the genesis parameters require: the
/// generator moves `unbondingDelay` up to 2 x 30 + 20 + 15 + 100 + 2 epochs, 125 blocks above the
/// genesis horizon, so with this headroom every generated parameter set keeps governance able to
/// act (the model still checks the delay rule on every owner call).
pub const HEADROOM_BLOCKS: u64 = 130;

/// The block from which an operation scheduled at `scheduled_at` with `delay` seconds can run
/// (`TimelockController.isOperationReady`: timestamp >= scheduled timestamp + delay).
pub fn ready_block(scheduled_at: u64, delay: u64) -> u64 {
    scheduled_at + delay.div_ceil(BLOCK_TIME)
}

fn salt_word(salt: u64) -> B256 {
    B256::from(U256::from(salt))
}

/// The contract a queued call goes to: the timelock itself for `updateDelay`, else the network.
pub fn target(chain: &Chain, call: &Kind) -> Address {
    match call {
        Kind::UpdateDelay { .. } => chain.timelock,
        _ => chain.addrs.network,
    }
}

/// Calldata of `TimelockController.schedule` for the call `inner` on `target`.
pub fn schedule(target: Address, inner: Vec<u8>, salt: u64, delay: u64) -> Vec<u8> {
    TimelockController::scheduleCall {
        target,
        value: U256::ZERO,
        data: inner.into(),
        predecessor: B256::ZERO,
        salt: salt_word(salt),
        delay: U256::from(delay),
    }
    .abi_encode()
}

/// Calldata of `TimelockController.execute` for the call `inner` on `target` scheduled under
/// `salt`.
pub fn execute(target: Address, inner: Vec<u8>, salt: u64) -> Vec<u8> {
    TimelockController::executeCall {
        target,
        value: U256::ZERO,
        payload: inner.into(),
        predecessor: B256::ZERO,
        salt: salt_word(salt),
    }
    .abi_encode()
}

/// Runs one timelock operation on `target` at once (the timelock's delay is still zero while it is
/// being installed).
fn run_now(chain: &mut Chain, proposer: Address, target: Address, data: Vec<u8>) -> Result<()> {
    let tl = chain.timelock;
    // Each setup operation has its own target or data, so one salt serves them all.
    let salt = B256::ZERO;
    let schedule = TimelockController::scheduleCall {
        target,
        value: U256::ZERO,
        data: data.clone().into(),
        predecessor: B256::ZERO,
        salt,
        delay: U256::ZERO,
    };
    chain.must(proposer, tl, &schedule, "TimelockController.schedule")?;
    let execute = TimelockController::executeCall {
        target,
        value: U256::ZERO,
        payload: data.into(),
        predecessor: B256::ZERO,
        salt,
    };
    chain.must(proposer, tl, &execute, "TimelockController.execute")?;
    Ok(())
}

/// Makes a `TimelockController` the network's owner: deploys it with `governance` and the hostile
/// governance actor (`hostile`: a compromised proposer, see `drain`) as proposers and executors, has the current owner (`chain.addrs.owner`, before any prover registered) transfer
/// ownership to it, accepts through it, and sets its delay to the genesis requirement plus
/// [`HEADROOM_BLOCKS`]. Returns the delay in seconds.
pub fn install(chain: &mut Chain, governance: Address, hostile: Address) -> Result<u64> {
    let ctor = TimelockController::constructorCall {
        minDelay: U256::ZERO,
        proposers: vec![governance, hostile],
        executors: vec![governance, hostile],
        admin: Address::ZERO,
    };
    let mut code = TimelockController::BYTECODE.to_vec();
    code.extend_from_slice(&ctor.abi_encode());
    let deployer = chain.addrs.deployer;
    chain.timelock =
        chain.create(deployer, Bytes::from(code)).wrap_err("while deploying the timelock")?;
    let (net, owner, tl) = (chain.addrs.network, chain.addrs.owner, chain.timelock);
    let transfer = ProverNetwork::transferOwnershipCall { newOwner: tl };
    chain.must(owner, net, &transfer, "transferOwnership to the timelock")?;
    run_now(chain, governance, net, ProverNetwork::acceptOwnershipCall {}.abi_encode())?;
    let (required, _) = chain.view(net, &ProverNetwork::governanceDelayCall {})?.into();
    let delay = required.saturating_to::<u64>() + HEADROOM_BLOCKS * BLOCK_TIME;
    let update = TimelockController::updateDelayCall { newDelay: U256::from(delay) };
    run_now(chain, governance, tl, update.abi_encode())?;
    Ok(delay)
}
