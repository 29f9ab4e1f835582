//! Commit-reveal secrets, persisted before the commitment is sent so a restarted prover can still
//! reveal (a lost secret costs a non-reveal slash).

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use alloy::primitives::{Address, B256};
use eyre::{Result, WrapErr, bail};

/// A directory of secrets keyed by chain id, network address, prover address and epoch.
#[derive(Debug, Clone)]
pub struct SecretStore {
    root: PathBuf,
}

/// The default data directory: `$HOME/.provernet`.
pub fn default_data_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".provernet")
}

impl SecretStore {
    /// A store under `data_dir/secrets`.
    pub fn new(data_dir: &Path) -> Self {
        Self { root: data_dir.join("secrets") }
    }

    /// Where the secret of one commitment lives.
    pub fn path(&self, chain_id: u64, network: Address, prover: Address, epoch: u64) -> PathBuf {
        self.root
            .join(chain_id.to_string())
            .join(format!("{network:#x}"))
            .join(format!("{prover:#x}"))
            .join(format!("epoch-{epoch}.secret"))
    }

    /// The stored secret, if any.
    pub fn load(
        &self,
        chain_id: u64,
        network: Address,
        prover: Address,
        epoch: u64,
    ) -> Result<Option<B256>> {
        let path = self.path(chain_id, network, prover, epoch);
        match fs::read_to_string(&path) {
            Ok(text) => {
                let secret: B256 = text
                    .trim()
                    .parse()
                    .wrap_err_with(|| format!("the secret file {} is corrupt", path.display()))?;
                Ok(Some(secret))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => {
                Err(e).wrap_err_with(|| format!("while reading the secret file {}", path.display()))
            }
        }
    }

    /// The stored secret for this epoch, or a fresh random one written (mode 0600) before it is
    /// returned. Reusing an existing one keeps a retried commit consistent with its secret.
    pub fn load_or_create(
        &self,
        chain_id: u64,
        network: Address,
        prover: Address,
        epoch: u64,
    ) -> Result<B256> {
        if let Some(s) = self.load(chain_id, network, prover, epoch)? {
            return Ok(s);
        }
        let secret = B256::random();
        if secret.is_zero() {
            bail!("the random number generator returned zero");
        }
        let path = self.path(chain_id, network, prover, epoch);
        let dir = path.parent().expect("secret path has a parent");
        create_private_dir(dir)?;
        // Write to a temporary file and rename, so a crash never leaves a half-written secret.
        let tmp = path.with_extension("tmp");
        {
            let mut f = open_private(&tmp)
                .wrap_err_with(|| format!("while creating the secret file {}", tmp.display()))?;
            writeln!(f, "{secret}")?;
            f.sync_all()?;
        }
        fs::rename(&tmp, &path)
            .wrap_err_with(|| format!("while storing the secret at {}", path.display()))?;
        Ok(secret)
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .wrap_err_with(|| format!("while creating the data directory {}", dir.display()))
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
            .wrap_err_with(|| format!("while creating the data directory {}", dir.display()))
    }
}

fn open_private(path: &Path) -> std::io::Result<fs::File> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_persist_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::new(dir.path());
        let (n, p) = (Address::repeat_byte(1), Address::repeat_byte(2));
        assert!(store.load(1, n, p, 3).unwrap().is_none());
        let s = store.load_or_create(1, n, p, 3).unwrap();
        assert_eq!(store.load_or_create(1, n, p, 3).unwrap(), s);
        assert_eq!(store.load(1, n, p, 3).unwrap(), Some(s));
        assert_ne!(store.load_or_create(1, n, p, 4).unwrap(), s);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.path(1, n, p, 3)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
