//! `deploy`: the token (on a dev chain), the verifier and the network, checked before sending.

use alloy::{
    primitives::{Address, B256, U256},
    providers::Provider,
};
use eyre::{Result, WrapErr, eyre};
use provernet_bindings::{
    DevStakingToken, Groth16BatchVerifier, InsecureDevVerifier, NetworkConfig, ProverNetwork,
    ProverPoolFactory,
};

use crate::{
    amount::Units,
    bail_input,
    chain::Chain,
    deployment::{DEV_CHAIN_ID, Deployment},
    params,
};

/// Decimals of the DevStakingToken.
const DEV_TOKEN_DECIMALS: u8 = 18;
/// Symbol of the DevStakingToken.
const DEV_TOKEN_SYMBOL: &str = "PNT";

/// Adds the way out to EIP-170 code-size failures.
fn size_hint(e: eyre::Report) -> eyre::Report {
    if format!("{e:#}").contains("CreateContractSizeLimit") {
        e.wrap_err(
            "the node rejected a contract as larger than EIP-170's 24 KiB limit; the provernet \
             contracts fit it, so this node enforces a smaller limit: use a node with the standard limit",
        )
    } else {
        e
    }
}

/// The proof verifier a deployment uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerifierKind {
    /// Groth16BatchVerifier: real Groth16 (BN254) proofs over the batch data.
    Groth16,
    /// InsecureDevVerifier: a hash of the public inputs anyone can compute; development only.
    InsecureDev,
}

impl VerifierKind {
    /// The name recorded in the deployment file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Groth16 => "groth16",
            Self::InsecureDev => "insecure-dev",
        }
    }
}

/// Deploys the dev token (if `token` is None on a dev chain), the verifier and the ProverNetwork
/// owned by the signer, and authorises the signer (plus `extra_sources`) as batch sources.
///
/// `keys_id`: for Groth16, the id of the keys the provers will use; deploying is refused unless
/// the bundled verifier embeds exactly these keys (otherwise every proof would be rejected).
pub async fn deploy(
    chain: &Chain,
    config: &NetworkConfig,
    token: Option<Address>,
    extra_sources: &[Address],
    verifier_kind: VerifierKind,
    keys_id: Option<B256>,
) -> Result<Deployment> {
    if verifier_kind == VerifierKind::Groth16
        && let Some(id) = keys_id
        && !crate::proof::bytecode_embeds(id)
    {
        bail_input!(
            "the proving keys have id {id}, but the bundled Groth16BatchVerifier embeds the keys of the \
             default dev ceremony ({}); their proofs would all be rejected. Deploy the verifier generated \
             with your keys (Groth16BatchVerifier.sol in the keys folder, e.g. with `forge create`) and point \
             the network at it with setVerifier, or use keys from `provernet keys setup` without --seed",
            crate::proof::default_keys_id()
        );
    }
    let owner = chain.signer()?;
    let provider = chain.provider.clone();

    // Everything that can be checked is checked before the first transaction, so a bad params
    // file or token sends nothing.
    let (decimals, symbol) = match token {
        Some(t) => {
            if provider.get_code_at(t).await?.is_empty() {
                bail_input!("--token {t} has no contract code on chain {}", chain.chain_id);
            }
            let erc20 = DevStakingToken::new(t, &provider);
            let decimals =
                erc20.decimals().call().await.map_err(|_| {
                    eyre!("--token {t} does not answer decimals(): is it an ERC-20?")
                })?;
            (decimals, erc20.symbol().call().await.unwrap_or_else(|_| "tokens".into()))
        }
        None => {
            if chain.chain_id != DEV_CHAIN_ID {
                bail_input!(
                    "chain {} is not a dev chain ({DEV_CHAIN_ID}): pass --token ADDR with the staking token; \
                     a mintable test token is only deployed on dev chains",
                    chain.chain_id
                );
            }
            (DEV_TOKEN_DECIMALS, DEV_TOKEN_SYMBOL.to_string())
        }
    };
    let units = Units { decimals, symbol: symbol.clone() };
    let contract_params = params::to_contract(config, decimals)?;
    // Simulate the network's constructor (which enforces every parameter bound) with stand-in
    // token and verifier addresses. The constructor reads the verifier's `commitmentBound()`, so
    // the stand-in verifier carries the chosen verifier's runtime code (a state override).
    let stand_in_verifier = Address::repeat_byte(2);
    let verifier_code = match verifier_kind {
        VerifierKind::Groth16 => Groth16BatchVerifier::DEPLOYED_BYTECODE.clone(),
        VerifierKind::InsecureDev => InsecureDevVerifier::DEPLOYED_BYTECODE.clone(),
    };
    let overrides = alloy::rpc::types::state::StateOverridesBuilder::default()
        .with_code(stand_in_verifier, verifier_code)
        .build();
    let probe = ProverNetwork::deploy_builder(
        &provider,
        Address::repeat_byte(1),
        stand_in_verifier,
        owner,
        U256::from(config.commit_blocks),
        U256::from(config.reveal_blocks),
        U256::from(config.slot_blocks),
        contract_params.clone(),
    )
    .state(overrides);
    if let Err(e) = probe.estimate_gas().await {
        let e = crate::chain::explain("deploy ProverNetwork", &units, e);
        return Err(size_hint(e));
    }

    let (token, dev_token) = match token {
        Some(t) => (t, false),
        None => {
            let receipt = chain
                .send("deploy DevStakingToken", &units, DevStakingToken::deploy_builder(&provider))
                .await?;
            let t = receipt
                .contract_address
                .ok_or_else(|| eyre!("token deployment has no contract address"))?;
            (t, true)
        }
    };

    let receipt = match verifier_kind {
        VerifierKind::Groth16 => {
            chain
                .send(
                    "deploy Groth16BatchVerifier",
                    &units,
                    Groth16BatchVerifier::deploy_builder(&provider),
                )
                .await?
        }
        VerifierKind::InsecureDev => {
            chain
                .send(
                    "deploy InsecureDevVerifier",
                    &units,
                    InsecureDevVerifier::deploy_builder(&provider),
                )
                .await?
        }
    };
    let verifier = receipt
        .contract_address
        .ok_or_else(|| eyre!("verifier deployment has no contract address"))?;
    // Record what the deployed code itself says, not what we believe we deployed.
    let keys_id = match verifier_kind {
        VerifierKind::Groth16 => Some(
            Groth16BatchVerifier::new(verifier, &provider)
                .KEYS_ID()
                .call()
                .await
                .wrap_err("while reading the verifier's KEYS_ID")?,
        ),
        VerifierKind::InsecureDev => None,
    };

    let min_stake = U256::from(contract_params.minStake);
    let builder = ProverNetwork::deploy_builder(
        &provider,
        token,
        verifier,
        owner,
        U256::from(config.commit_blocks),
        U256::from(config.reveal_blocks),
        U256::from(config.slot_blocks),
        contract_params,
    );
    let receipt = chain.send("deploy ProverNetwork", &units, builder).await.map_err(size_hint)?;
    let network = receipt
        .contract_address
        .ok_or_else(|| eyre!("network deployment has no contract address"))?;
    let deploy_block = receipt.block_number.unwrap_or_default();

    let net = ProverNetwork::new(network, &provider);
    for source in std::iter::once(owner).chain(extra_sources.iter().copied()) {
        chain.send("setBatchSource", &units, net.setBatchSource(source, true)).await?;
    }
    // The pools' factory: a pool's operator must keep at least the network's minimum stake in it.
    let receipt = chain
        .send(
            "deploy ProverPoolFactory",
            &units,
            ProverPoolFactory::deploy_builder(&provider, network, min_stake),
        )
        .await?;
    let pool_factory = receipt
        .contract_address
        .ok_or_else(|| eyre!("pool factory deployment has no contract address"))?;
    Ok(Deployment {
        chain_id: chain.chain_id,
        network,
        token,
        verifier,
        verifier_kind: verifier_kind.as_str().into(),
        keys_id,
        dev_token,
        token_symbol: symbol,
        token_decimals: decimals,
        owner,
        deploy_block,
        pool_factory: Some(pool_factory),
    })
}
