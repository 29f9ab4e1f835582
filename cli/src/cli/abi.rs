//! `provernet abi export DIR`: the contracts' ABIs as plain JSON files, so cast and forge can name
//! this project's custom errors offline (`forge selectors cache --extra-abis-path DIR`, then
//! `cast decode-error DATA`).

use std::path::PathBuf;

use clap::Subcommand;
use eyre::{Result, WrapErr};
use serde_json::json;

use super::GlobalArgs;
use provernet_bindings::revert::ARTIFACTS;

use crate::{exit, output::Report};

/// ABI commands.
#[derive(Debug, Subcommand)]
pub enum AbiCmd {
    /// Write each contract's ABI to DIR/<Contract>.json (a JSON array, as `forge inspect C abi
    /// --json` prints it). Then `forge selectors cache --extra-abis-path DIR` teaches
    /// `cast decode-error` and `cast send` this project's custom errors.
    Export {
        /// Output folder (created if missing; existing files of the same names are replaced).
        dir: PathBuf,
    },
}

pub(super) fn run(_g: &GlobalArgs, c: AbiCmd) -> Result<Report> {
    let AbiCmd::Export { dir } = c;
    std::fs::create_dir_all(&dir)
        .map_err(|e| exit::input(format!("cannot create {}: {e}", dir.display())))?;
    let mut files = Vec::new();
    let mut errors = 0;
    for (name, artifact) in ARTIFACTS {
        let v: serde_json::Value =
            serde_json::from_str(artifact).wrap_err_with(|| format!("artifact of {name}"))?;
        let abi = &v["abi"];
        errors +=
            abi.as_array().map_or(0, |items| items.iter().filter(|i| i["type"] == "error").count());
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_string_pretty(abi)? + "\n")
            .map_err(|e| exit::input(format!("cannot write {}: {e}", path.display())))?;
        files.push(path);
    }
    let human = format!(
        "wrote {} ABIs ({errors} custom errors) to {}\n  next: forge selectors cache --extra-abis-path {}\n  \
         then: cast decode-error 0x<revert data>",
        files.len(),
        dir.display(),
        dir.display()
    );
    Ok(Report::new(human, json!({ "dir": dir, "files": files, "customErrors": errors })))
}
