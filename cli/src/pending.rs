//! The sent-transactions journal: every transaction a one-shot command sends is recorded (kind,
//! hash, nonce) before its receipt is awaited, so a rerun after Ctrl-C or a receipt timeout can
//! tell that a transaction of the same kind from the same signer is still pending instead of
//! sending a second one (a second approve, a second post).
//!
//! The chain itself only says *that* something is pending (pending nonce > latest nonce); the
//! journal says *what*.

use std::path::{Path, PathBuf};

use alloy::primitives::{Address, TxHash};
use eyre::{Result, WrapErr};
use serde::{Deserialize, Serialize};

/// One sent transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// What it does (`approve`, `register`, `postBatch`, ...).
    pub kind: String,
    /// Its hash.
    pub hash: TxHash,
    /// Its nonce.
    pub nonce: u64,
}

/// The journal of one signer on one chain: `<data-dir>/sent/<chain-id>/<signer>.json`.
#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
}

impl Journal {
    /// The journal of `signer` on `chain_id` under `data_dir`.
    pub fn new(data_dir: &Path, chain_id: u64, signer: Address) -> Self {
        Self {
            path: data_dir
                .join("sent")
                .join(chain_id.to_string())
                .join(format!("{signer:#x}.json")),
        }
    }

    /// The recorded transactions (none when the file does not exist).
    pub fn load(&self) -> Result<Vec<Sent>> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => serde_json::from_str(&text)
                .wrap_err_with(|| format!("the journal {} is malformed", self.path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e).wrap_err_with(|| format!("cannot read {}", self.path.display())),
        }
    }

    /// Records `sent`, dropping entries whose nonce is below `mined_nonce` (they are mined or
    /// replaced: the chain's latest nonce has passed them).
    pub fn record(&self, sent: Sent, mined_nonce: u64) -> Result<()> {
        let mut all = self.load().unwrap_or_default();
        all.retain(|s| s.nonce >= mined_nonce && s.nonce != sent.nonce);
        all.push(sent);
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)
                .wrap_err_with(|| format!("cannot create {}", dir.display()))?;
        }
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(&all)? + "\n")
            .wrap_err_with(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &self.path)
            .wrap_err_with(|| format!("cannot write {}", self.path.display()))
    }

    /// The recorded transaction of `kind` that may still be pending: nonce at or above the
    /// latest (mined) nonce.
    pub fn pending_of_kind(&self, kind: &str, mined_nonce: u64) -> Result<Option<Sent>> {
        Ok(self.load()?.into_iter().rev().find(|s| s.kind == kind && s.nonce >= mined_nonce))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_forgets_mined_nonces() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::new(dir.path(), 31337, Address::repeat_byte(1));
        let tx = |kind: &str, nonce| Sent {
            kind: kind.into(),
            hash: TxHash::repeat_byte(nonce as u8),
            nonce,
        };
        j.record(tx("approve", 3), 3).unwrap();
        j.record(tx("register", 4), 3).unwrap();
        assert_eq!(j.pending_of_kind("approve", 3).unwrap(), Some(tx("approve", 3)));
        assert_eq!(j.pending_of_kind("approve", 4).unwrap(), None, "nonce 3 was mined");
        j.record(tx("stake", 5), 5).unwrap();
        assert_eq!(j.load().unwrap(), vec![tx("stake", 5)]);
    }
}
