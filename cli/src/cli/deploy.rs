//! `provernet deploy`.

use std::path::PathBuf;

use alloy::primitives::Address;
use clap::Args;
use eyre::Result;
use provernet_bindings::NetworkConfig;
use serde_json::json;

use super::{GlobalArgs, parse_address};
use crate::{
    deployment::{Deployment, default_deployment_path},
    ops::deploy::{VerifierKind, deploy},
    output::Report,
    params,
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
    /// Proof verifier to deploy: `groth16` (real proofs; the bundled verifier of the default dev
    /// keys) or `insecure-dev` (a hash anyone can compute; development only).
    #[arg(long, value_enum, default_value_t = VerifierKind::Groth16)]
    pub verifier: VerifierKind,
    /// Extra batch sources to authorise besides the deployer.
    #[arg(long = "batch-source", value_name = "ADDR", value_parser = parse_address)]
    pub batch_sources: Vec<Address>,
    /// Deploy even though the deployment file exists; the old file is kept as
    /// `<file>.<unix-seconds>.bak`.
    #[arg(long)]
    pub force: bool,
}

pub(super) async fn run(g: &GlobalArgs, a: DeployArgs) -> Result<Report> {
    let config = match &a.params {
        Some(p) => params::load(p)?,
        None => NetworkConfig::development(),
    };
    let chain = g.chain().await?;
    chain.signer()?;
    let path = g.deployment.clone().unwrap_or_else(|| default_deployment_path(chain.chain_id));
    // Before anything is sent: the file says where the provers' stake sits.
    Deployment::check_writable(&path, a.force)?;
    // With --keys, the keys the provers will use must be the ones the verifier embeds.
    let keys_id = match (&g.keys, a.verifier) {
        (Some(dir), VerifierKind::Groth16) => {
            let dir = dir.clone();
            let keys = tokio::task::spawn_blocking(move || {
                crate::proof::load_keys(Some(&dir), std::path::Path::new("."))
            })
            .await??;
            Some(keys.keys_id())
        }
        _ => None,
    };
    let dep = deploy(&chain, &config, a.token, &a.batch_sources, a.verifier, keys_id).await?;
    let backup = Deployment::back_up(&path)?;
    dep.save(&path)?;
    let human = format!(
        "deployed on chain {}\n  network   {}\n  token     {}{}\n  verifier  {} ({})\n  owner     {} (authorised batch source)\n  pools     {} (factory)\n  epochs    {} commit + {} reveal blocks from block {}, in slots of {} blocks\nwrote {}",
        dep.chain_id,
        dep.network,
        dep.token,
        if dep.dev_token { " (test token, open mint)" } else { "" },
        dep.verifier,
        match dep.keys_id {
            Some(id) => format!("Groth16, keys {id}; INSECURE dev ceremony keys, development only"),
            None => "INSECURE dev verifier: development only".into(),
        },
        dep.owner,
        dep.pool_factory.map_or_else(|| "none".to_string(), |a| a.to_string()),
        config.commit_blocks,
        config.reveal_blocks,
        dep.deploy_block,
        config.slot_blocks,
        path.display()
    ) + &backup
        .as_ref()
        .map(|b| format!(" (the previous file is kept as {})", b.display()))
        .unwrap_or_default();
    let mut j = serde_json::to_value(&dep)?;
    j["deploymentFile"] = json!(path);
    j["previousFile"] = json!(backup);
    j["slotBlocks"] = json!(config.slot_blocks);
    Ok(Report::new(human, j))
}
