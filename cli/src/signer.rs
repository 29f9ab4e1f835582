//! Where the signer comes from, in cast's conventions: a raw key, a keystore file, or a named
//! account in Foundry's keystore folder; the keystore's password from a file or, on a terminal,
//! from an interactive prompt that does not echo.

use std::{
    io::{BufRead, IsTerminal, Write},
    path::{Path, PathBuf},
    str::FromStr,
};

use alloy::signers::local::PrivateKeySigner;
use eyre::Result;

use crate::{bail_input, exit};

/// How the signer was named on the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignerSource<'a> {
    /// `--private-key` / `PROVERNET_PRIVATE_KEY`.
    pub private_key: Option<&'a str>,
    /// `--keystore PATH`.
    pub keystore: Option<&'a Path>,
    /// `--account NAME`: `<foundry keystores>/NAME`.
    pub account: Option<&'a str>,
    /// `--password-file FILE`.
    pub password_file: Option<&'a Path>,
}

/// Foundry's keystore folder, where `cast wallet import NAME` writes: `~/.foundry/keystores`.
pub fn foundry_keystores_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".foundry")
        .join("keystores")
}

/// A private-key signer from hex (the key never appears in messages).
pub fn key_signer(hex: &str) -> Result<PrivateKeySigner> {
    PrivateKeySigner::from_str(hex.trim()).map_err(|_| {
        exit::input(
            "the private key (--private-key or PROVERNET_PRIVATE_KEY) is not a 32-byte hex secp256k1 key",
        )
    })
}

/// Loads the signer, if one was named. The key never appears in messages.
pub fn load_signer(src: SignerSource<'_>) -> Result<Option<PrivateKeySigner>> {
    let named = [src.private_key.is_some(), src.keystore.is_some(), src.account.is_some()];
    if named.iter().filter(|n| **n).count() > 1 {
        bail_input!("give one of --private-key, --keystore and --account, not several");
    }
    if let Some(key) = src.private_key {
        return key_signer(key).map(Some);
    }
    let path = match (src.keystore, src.account) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(name)) => {
            let dir = foundry_keystores_dir();
            let p = dir.join(name);
            if !p.exists() {
                bail_input!(
                    "no account {name:?} in {}; create it with `cast wallet import {name} --interactive` \
                     or pass --keystore PATH",
                    dir.display()
                );
            }
            p
        }
        (None, None) => return Ok(None),
    };
    decrypt(&path, src.password_file).map(Some)
}

fn decrypt(path: &Path, password_file: Option<&Path>) -> Result<PrivateKeySigner> {
    let text = std::fs::read(path)
        .map_err(|e| exit::input(format!("cannot read the keystore {}: {e}", path.display())))?;
    // A file that is not a JSON keystore must not be reported as a wrong password.
    let json: serde_json::Value = serde_json::from_slice(&text).map_err(|_| {
        exit::input(format!(
            "{} is not a JSON keystore (as `cast wallet new` or geth write them)",
            path.display()
        ))
    })?;
    if json.get("crypto").or_else(|| json.get("Crypto")).is_none() {
        bail_input!("{} is JSON but not a keystore (it has no \"crypto\" section)", path.display());
    }
    let password = match password_file {
        Some(f) => {
            let p = std::fs::read_to_string(f).map_err(|e| {
                exit::input(format!("cannot read the password file {}: {e}", f.display()))
            })?;
            p.trim_end_matches(['\n', '\r']).to_string()
        }
        None => prompt_password(path)?,
    };
    // The file is a keystore, so a failure here is the password (the MAC does not match) or a
    // cipher the library does not support; the library's message says which.
    PrivateKeySigner::decrypt_keystore(path, &password).map_err(|e| {
        exit::input(format!(
            "cannot decrypt the keystore {}: {e} (wrong password?)",
            path.display()
        ))
    })
}

/// Asks for the keystore's password on the terminal without echoing it.
fn prompt_password(path: &Path) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        bail_input!(
            "the keystore {} needs a password: pass --password-file FILE (no terminal to ask on)",
            path.display()
        );
    }
    eprint!("password for {}: ", path.display());
    let _ = std::io::stderr().flush();
    let _echo_off = EchoOff::new();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| exit::input(format!("cannot read the password: {e}")))?;
    eprintln!();
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// Turns terminal echo off for its lifetime.
struct EchoOff(Option<libc::termios>);

impl EchoOff {
    fn new() -> Self {
        // SAFETY: tcgetattr/tcsetattr on stdin with a zeroed termios buffer they fill in; failure
        // (not a terminal) is reported by the return value and leaves echo as it was.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut t) != 0 {
                return Self(None);
            }
            let saved = t;
            t.c_lflag &= !libc::ECHO;
            if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &t) != 0 {
                return Self(None);
            }
            Self(Some(saved))
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(saved) = self.0 {
            // SAFETY: restores the attributes read in `new`.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &saved);
            }
        }
    }
}
