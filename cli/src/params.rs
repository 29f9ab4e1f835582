//! The `--params` file of `deploy`: a possibly partial [`NetworkConfig`] in JSON (camelCase keys,
//! amounts as strings of whole tokens, e.g. `deployments/dev.params.json`); absent fields take the
//! development set. The type, its defaults and its format live in the bindings; this module only
//! reads the file with the CLI's errors and converts for the token actually deployed over.

use std::path::Path;

use eyre::Result;
use provernet_bindings::{NetworkConfig, ProverNetwork};

use crate::exit;

/// Reads a params file over the development set.
pub fn load(path: &Path) -> Result<NetworkConfig> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| exit::input(format!("cannot read the params file {}: {e}", path.display())))?;
    NetworkConfig::from_json_over(&text, NetworkConfig::development())
        .map_err(|e| exit::input(format!("the params file {} is malformed: {e}", path.display())))
}

/// The contract's `Params` for a token with `decimals` decimals (params files are written in
/// 18-decimal tokens).
pub fn to_contract(config: &NetworkConfig, decimals: u8) -> Result<ProverNetwork::Params> {
    config
        .params
        .with_token_decimals(decimals)
        .and_then(|p| p.to_sol())
        .map_err(|e| exit::input(e.to_string()))
}
