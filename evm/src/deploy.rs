//! What gets deployed and with which settings: the token, the development verifier and the
//! network, owned by a named governance account.

use alloy::primitives::{Address, Bytes};
use provernet_bindings::{DevStakingToken, InsecureDevVerifier, NetworkConfig, ProverNetwork};

use crate::epochs::Epochs;
use crate::names::Names;
use provernet_bindings::ProverNetwork::Params;

/// EIP-170's limit on runtime code size: what Ethereum mainnet and most L2s accept, and what the
/// in-process chain enforces too.
pub const EIP170_LIMIT: usize = 24_576;

/// One token unit with 18 decimals.
pub const UNIT: u128 = provernet_bindings::amount::UNIT;

/// Creation code of the three contracts: the real ones unless a test swaps one in (a mutant
/// network, a hostile token).
#[derive(Clone, Debug)]
pub struct Contracts {
    /// Creation code of the network (constructor arguments are appended at deployment).
    pub network: Bytes,
    /// Creation code of the staking token; it must have `mint(address,uint256)` and OpenZeppelin
    /// ERC20 storage.
    pub token: Bytes,
    /// Creation code of the proof verifier (no constructor arguments).
    pub verifier: Bytes,
    /// Whether the network's deployment must fit EIP-170 and EIP-3860, as on mainnet. True for the
    /// real contracts; a planted-bug copy (a mutant) may grow by a few bytes past a limit the real
    /// contract meets with little to spare, and its size is not what it tests.
    pub size_limits: bool,
}

impl Contracts {
    /// The contracts exactly as `provernet-bindings` embeds them, with the development verifier.
    pub fn real() -> Self {
        Self {
            network: ProverNetwork::BYTECODE.clone(),
            token: DevStakingToken::BYTECODE.clone(),
            verifier: InsecureDevVerifier::BYTECODE.clone(),
            size_limits: true,
        }
    }
}

/// Deployment settings of the network.
#[derive(Clone, Debug)]
pub struct Genesis {
    /// The epoch geometry; `epochs.genesis_block` is the block the suite is deployed at.
    pub epochs: Epochs,
    /// Initial parameters.
    pub params: Params,
    /// Scope of the deployer's and governance's names.
    pub names: Names,
}

impl Default for Genesis {
    /// The harness's test chain: the bindings' test set (the Foundry fixture's epochs and
    /// parameters), deployed at block 1000 under the harness's names.
    fn default() -> Self {
        let test = NetworkConfig::test();
        Self {
            epochs: Epochs {
                genesis_block: 1000,
                commit_blocks: test.commit_blocks,
                reveal_blocks: test.reveal_blocks,
                slot_blocks: test.slot_blocks,
            },
            params: fixture_params(),
            names: Names::HARNESS,
        }
    }
}

/// The parameters of the Foundry test fixture (test/helpers/NetworkTestBase.sol), as the
/// contract's struct: the bindings' [`provernet_bindings::Params::test`].
pub fn fixture_params() -> Params {
    provernet_bindings::Params::test().to_sol().expect("the test set fits the contract's fields")
}

/// Addresses of the deployed suite.
#[derive(Clone, Copy, Debug)]
pub struct Addresses {
    /// The ProverNetwork.
    pub network: Address,
    /// The staking token.
    pub token: Address,
    /// The proof verifier.
    pub verifier: Address,
    /// Governance (owner of the network): `names.address("governance")`.
    pub owner: Address,
    /// The deployer account: `names.address("deployer")`.
    pub deployer: Address,
}
