//! The deployment file (`deployments/<chain-id>.json`): plain data written by `deploy` and read by
//! every other command.

use std::path::{Path, PathBuf};

use alloy::primitives::{Address, B256};
use eyre::{Result, WrapErr};

use serde::{Deserialize, Serialize};

use crate::exit;

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
    /// The ProverPoolFactory of liquid proving pools (absent in files written before pools).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_factory: Option<Address>,
}

impl Deployment {
    /// Reads a deployment file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                exit::input(format!(
                    "the deployment file {} does not exist; run `provernet deploy` first or pass --deployment FILE",
                    path.display()
                ))
            } else {
                exit::input(format!("cannot read the deployment file {}: {e}", path.display()))
            }
        })?;
        serde_json::from_str(&text).map_err(|e| {
            exit::input(format!("the deployment file {} is malformed: {e}", path.display()))
        })
    }

    /// Refuses to replace an existing deployment file unless `force`: the file says where the
    /// provers' stake sits, so losing it silently is costly. Checked before anything is deployed.
    pub fn check_writable(path: &Path, force: bool) -> Result<()> {
        if path.exists() && !force {
            return Err(exit::input(format!(
                "the deployment file {} already exists (it says where the provers' stake sits); pass \
                 --force to deploy anyway (the old file is kept as a backup), or pick another --deployment",
                path.display()
            )));
        }
        Ok(())
    }

    /// Moves an existing file at `path` aside to `<path>.<unix-seconds>.bak` and returns where.
    pub fn back_up(path: &Path) -> Result<Option<PathBuf>> {
        if !path.exists() {
            return Ok(None);
        }
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let mut backup = path.as_os_str().to_owned();
        backup.push(format!(".{secs}.bak"));
        let backup = PathBuf::from(backup);
        std::fs::rename(path, &backup).wrap_err_with(|| {
            format!("cannot move {} aside to {}", path.display(), backup.display())
        })?;
        Ok(Some(backup))
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

/// `deployments/<chain-id>.json`, the default deployment file.
pub fn default_deployment_path(chain_id: u64) -> PathBuf {
    PathBuf::from("deployments").join(format!("{chain_id}.json"))
}
