//! `provernet keys`.

use std::path::PathBuf;

use alloy::primitives::B256;
use clap::Subcommand;
use eyre::{Result, eyre};
use serde_json::json;

use super::GlobalArgs;
use crate::{bail_input, output::Report};

/// Key commands.
#[derive(Debug, Subcommand)]
pub enum KeysCmd {
    /// Run the INSECURE development key ceremony: write the Groth16 proving keys and the matching
    /// Solidity verifier to DIR. The ceremony's randomness comes from a PUBLIC seed, so anyone can
    /// forge proofs for these keys: development and testing only, never for value.
    Setup {
        /// Output folder (manifest.json, batch-<k>.pk, Groth16BatchVerifier.sol).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Ceremony seed (32 bytes hex) [default: the project's public default seed, whose
        /// verifier is the bundled one that `provernet deploy` deploys].
        #[arg(long, value_name = "HEX")]
        seed: Option<String>,
    },
}

/// Says on stderr that the ceremony is still running (it has no finer progress to report):
/// every 2 s on one rewritten line on a terminal, every 5 s as a line otherwise.
async fn progress(started: std::time::Instant) {
    use std::io::{IsTerminal, Write};
    let tty = std::io::stderr().is_terminal();
    let every = std::time::Duration::from_secs(if tty { 2 } else { 5 });
    loop {
        tokio::time::sleep(every).await;
        let secs = started.elapsed().as_secs();
        if tty {
            eprint!("\r  key ceremony running: {secs} s");
            let _ = std::io::stderr().flush();
        } else {
            eprintln!("  key ceremony running: {secs} s");
        }
    }
}

pub(super) async fn run(_g: &GlobalArgs, c: KeysCmd) -> Result<Report> {
    let KeysCmd::Setup { out, seed } = c;
    let seed = match seed {
        None => provernet_zk::dev_ceremony_seed(),
        Some(text) => {
            let t = text.trim();
            let hex = t.strip_prefix("0x").unwrap_or(t);
            if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                bail_input!("--seed {t:?} is not 32 bytes of hex (0x followed by 64 hex digits)");
            }
            t.parse::<B256>().map_err(|_| eyre!("--seed {t:?} is not valid hex"))?
        }
    };
    if out.join(provernet_zk::MANIFEST_FILE).exists() {
        bail_input!(
            "{} already holds keys; remove it or pick another --out (keys are never overwritten)",
            out.display()
        );
    }
    let started = std::time::Instant::now();
    eprintln!(
        "running the INSECURE dev key ceremony for batch counts 1, 2, 4 and 8 into {} \
         (about 15 s on 2 cores; progress below)",
        out.display()
    );
    let ticker = tokio::spawn(progress(started));
    let dir = out.clone();
    let keys = tokio::task::spawn_blocking(move || -> Result<provernet_zk::KeySet> {
        let keys = provernet_zk::KeySet::dev_setup(seed)
            .map_err(|e| eyre!("the dev key ceremony failed: {e}"))?;
        keys.save(&dir).map_err(|e| eyre!("cannot write the keys to {}: {e}", dir.display()))?;
        Ok(keys)
    })
    .await
    .map_err(|e| eyre!("the ceremony thread failed: {e}"))?;
    ticker.abort();
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        eprintln!();
    }
    let keys = keys?;
    let id = keys.keys_id();
    let bundled = crate::proof::bytecode_embeds(id);
    let verifier = out.join(provernet_zk::VERIFIER_FILE);
    let human = format!(
        "wrote Groth16 keys for batch counts {:?} to {} in {:.1} s\n  keys_id   {id}\n  verifier  {}\n  {}\n\
         WARNING: INSECURE development ceremony: the seed is public, so anyone can forge proofs for these keys",
        keys.counts(),
        out.display(),
        started.elapsed().as_secs_f64(),
        verifier.display(),
        if bundled {
            "matches the bundled verifier that `provernet deploy` deploys"
        } else {
            "NOT the bundled verifier: deploy this Groth16BatchVerifier.sol yourself and point the network at it (setVerifier)"
        }
    );
    Ok(Report::new(
        human,
        json!({ "dir": out, "keysId": id, "seed": seed, "counts": keys.counts(), "verifier": verifier,
                "matchesBundledVerifier": bundled, "insecure": true }),
    ))
}
