//! The deployment file (`deployments/<chain-id>.json`), the params file read by `deploy`, and the
//! deployment itself.

use std::path::Path;

use alloy::{
    primitives::{Address, B256, U256, aliases::U96},
    providers::Provider,
};
use eyre::{Result, WrapErr, bail, eyre};
use provernet_bindings::{
    DevStakingToken, Groth16BatchVerifier, InsecureDevVerifier, ProverNetwork,
};
use serde::{Deserialize, Serialize};

use crate::{amount::Units, chain::Chain};

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

/// Chain id of anvil and other local dev chains, where a faucet token may be deployed.
pub const DEV_CHAIN_ID: u64 = 31337;

/// What `provernet deploy` writes and every other command reads.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// Chain the contracts live on.
    pub chain_id: u64,
    /// The ProverNetwork.
    pub network: Address,
    /// The staking and fee token.
    pub token: Address,
    /// The proof verifier.
    pub verifier: Address,
    /// Which proof backend the verifier expects: `groth16` or `insecure-dev`.
    pub verifier_kind: String,
    /// For `groth16`: the fingerprint of the verifying keys the verifier embeds (its KEYS_ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys_id: Option<B256>,
    /// True when the token is the open-mint DevStakingToken.
    pub dev_token: bool,
    /// Token symbol.
    pub token_symbol: String,
    /// Token decimals.
    pub token_decimals: u8,
    /// Owner (governance) and first batch source.
    pub owner: Address,
    /// Block of the network's deployment (epoch 0 starts here).
    pub deploy_block: u64,
}

impl Deployment {
    /// Reads a deployment file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                eyre!(
                    "the deployment file {} does not exist; run `provernet deploy` first or pass --deployment FILE",
                    path.display()
                )
            } else {
                eyre!("cannot read the deployment file {}: {e}", path.display())
            }
        })?;
        serde_json::from_str(&text)
            .wrap_err_with(|| format!("the deployment file {} is malformed", path.display()))
    }

    /// Writes the file, creating its folder.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .wrap_err_with(|| format!("cannot create {}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(self)? + "\n";
        std::fs::write(path, text)
            .wrap_err_with(|| format!("cannot write the deployment file {}", path.display()))
    }
}

/// The `--params` file of `deploy` (JSON). Stake amounts are human token amounts (strings);
/// durations are blocks; shares are basis points. Every field is optional and defaults to
/// [`DeployParams::dev`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DeployParams {
    /// Commit phase length (blocks).
    pub commit_blocks: u64,
    /// Reveal phase length (blocks).
    pub reveal_blocks: u64,
    /// Minimum stake, human units.
    pub min_stake: String,
    /// Stake beyond which weight stops growing, human units.
    pub max_weight_stake: String,
    /// Exclusive proving window (blocks).
    pub proving_window: u32,
    /// Emergency race window (blocks).
    pub race_window: u32,
    /// Unbonding delay (blocks).
    pub unbonding_delay: u32,
    /// Reputation half-life (blocks).
    pub rep_half_life: u32,
    /// Missed-window slash (bps).
    pub slash_bps: u16,
    /// Non-reveal slash (bps).
    pub non_reveal_slash_bps: u16,
    /// Burned share of slashes (bps).
    pub burn_bps: u16,
    /// Race-winner bounty share of slashes (bps).
    pub bounty_bps: u16,
    /// Starting reputation.
    pub rep_initial: u16,
    /// Reputation per batch proven on time.
    pub rep_gain: u16,
    /// Reputation lost per missed window.
    pub rep_miss_penalty: u16,
    /// Reputation lost per unrevealed commitment.
    pub rep_no_reveal_penalty: u16,
}

impl Default for DeployParams {
    fn default() -> Self {
        Self::dev()
    }
}

impl DeployParams {
    /// Fast local parameters: 7-block epochs, 6-block windows.
    pub fn dev() -> Self {
        Self {
            commit_blocks: 4,
            reveal_blocks: 3,
            min_stake: "100".into(),
            max_weight_stake: "10000".into(),
            proving_window: 6,
            race_window: 6,
            unbonding_delay: 30,
            rep_half_life: 1000,
            slash_bps: 1000,
            non_reveal_slash_bps: 100,
            burn_bps: 5000,
            bounty_bps: 3000,
            rep_initial: 5000,
            rep_gain: 100,
            rep_miss_penalty: 1500,
            rep_no_reveal_penalty: 300,
        }
    }

    /// Reads a params file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .wrap_err_with(|| format!("cannot read the params file {}", path.display()))?;
        serde_json::from_str(&text)
            .wrap_err_with(|| format!("the params file {} is malformed", path.display()))
    }

    /// The contract's Params struct, amounts converted with `decimals`.
    pub fn to_contract(&self, decimals: u8) -> Result<ProverNetwork::Params> {
        let min =
            crate::amount::parse_amount(&self.min_stake, decimals).wrap_err("params: minStake")?;
        let max = crate::amount::parse_amount(&self.max_weight_stake, decimals)
            .wrap_err("params: maxWeightStake")?;
        let u96 = |v: U256, name: &str| -> Result<U96> {
            if v.bit_len() > 96 {
                bail!("params: {name} does not fit in 96 bits")
            } else {
                Ok(U96::from(v))
            }
        };
        Ok(ProverNetwork::Params {
            minStake: u96(min, "minStake")?,
            maxWeightStake: u96(max, "maxWeightStake")?,
            provingWindow: self.proving_window,
            raceWindow: self.race_window,
            unbondingDelay: self.unbonding_delay,
            repHalfLife: self.rep_half_life,
            slashBps: self.slash_bps,
            nonRevealSlashBps: self.non_reveal_slash_bps,
            burnBps: self.burn_bps,
            bountyBps: self.bounty_bps,
            repInitial: self.rep_initial,
            repGain: self.rep_gain,
            repMissPenalty: self.rep_miss_penalty,
            repNoRevealPenalty: self.rep_no_reveal_penalty,
        })
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
    params: &DeployParams,
    token: Option<Address>,
    extra_sources: &[Address],
    verifier_kind: VerifierKind,
    keys_id: Option<B256>,
) -> Result<Deployment> {
    if verifier_kind == VerifierKind::Groth16
        && let Some(id) = keys_id
        && !crate::proof::bytecode_embeds(id)
    {
        bail!(
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
                bail!("--token {t} has no contract code on chain {}", chain.chain_id);
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
                bail!(
                    "chain {} is not a dev chain ({DEV_CHAIN_ID}): pass --token ADDR with the staking token; \
                     a mintable test token is only deployed on dev chains",
                    chain.chain_id
                );
            }
            (DEV_TOKEN_DECIMALS, DEV_TOKEN_SYMBOL.to_string())
        }
    };
    let units = Units { decimals, symbol: symbol.clone() };
    let contract_params = params.to_contract(decimals)?;
    // Simulate the network's constructor (which enforces every parameter bound) with stand-in
    // token and verifier addresses; the constructor only checks they are non-zero.
    let probe = ProverNetwork::deploy_builder(
        &provider,
        Address::repeat_byte(1),
        Address::repeat_byte(2),
        owner,
        U256::from(params.commit_blocks),
        U256::from(params.reveal_blocks),
        contract_params.clone(),
    );
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

    let builder = ProverNetwork::deploy_builder(
        &provider,
        token,
        verifier,
        owner,
        U256::from(params.commit_blocks),
        U256::from(params.reveal_blocks),
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
    })
}
