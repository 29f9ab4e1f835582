//! `provernet deploy`.

use std::path::PathBuf;

use alloy::primitives::Address;
use clap::{Args, ValueEnum};
use eyre::Result;
use serde_json::json;

use super::{GlobalArgs, parse_address};
use crate::{
    chain::default_deployment_path,
    deployment::{DeployParams, deploy},
    output::Report,
};

/// Arguments of `deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Params file (JSON, see docs/cli.md); defaults to fast dev parameters.
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// Existing staking token; without it a mintable test token is deployed (dev chain only).
    #[arg(long, value_name = "ADDR", value_parser = parse_address)]
    pub token: Option<Address>,
    /// Proof verifier to deploy. Only the insecure development verifier exists so far; a Groth16
    /// verifier will be added here.
    #[arg(long, value_enum, default_value_t = VerifierChoice::InsecureDev)]
    pub verifier: VerifierChoice,
    /// Extra batch sources to authorise besides the deployer.
    #[arg(long = "batch-source", value_name = "ADDR", value_parser = parse_address)]
    pub batch_sources: Vec<Address>,
}

/// Verifiers `deploy` can deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifierChoice {
    /// InsecureDevVerifier: a hash of the public inputs, development only.
    InsecureDev,
}

pub(super) async fn run(g: &GlobalArgs, a: DeployArgs) -> Result<Report> {
    let params = match &a.params {
        Some(p) => DeployParams::load(p)?,
        None => DeployParams::dev(),
    };
    let chain = g.chain().await?;
    chain.signer()?;
    let path = g.deployment.clone().unwrap_or_else(|| default_deployment_path(chain.chain_id));
    let VerifierChoice::InsecureDev = a.verifier;
    let dep = deploy(&chain, &params, a.token, &a.batch_sources).await?;
    dep.save(&path)?;
    let human = format!(
        "deployed on chain {}\n  network   {}\n  token     {}{}\n  verifier  {} (INSECURE dev verifier: development only)\n  owner     {} (authorised batch source)\n  epochs    {} commit + {} reveal blocks from block {}\nwrote {}",
        dep.chain_id,
        dep.network,
        dep.token,
        if dep.dev_token { " (test token, open mint)" } else { "" },
        dep.verifier,
        dep.owner,
        params.commit_blocks,
        params.reveal_blocks,
        dep.deploy_block,
        path.display()
    );
    let mut j = serde_json::to_value(&dep)?;
    j["deploymentFile"] = json!(path);
    Ok(Report::new(human, j))
}
