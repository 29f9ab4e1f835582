//! Starting and stopping a local anvil from the project's toolchain (npm-pinned Foundry).

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use eyre::{Result, WrapErr, bail, eyre};

/// Where `make toolchain` puts anvil, relative to the repository root.
pub const ANVIL_REL: &str = "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";

/// anvil's first default account (well known; dev chains only).
pub const DEV_KEY_0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// anvil's second default account (well known; dev chains only).
pub const DEV_KEY_1: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/// Finds the anvil binary: `$PROVERNET_ANVIL`, the toolchain path under the current directory or
/// any parent, the toolchain path of the source tree this binary was built from, then `anvil` on
/// PATH.
pub fn find_anvil() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("PROVERNET_ANVIL") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        bail!("PROVERNET_ANVIL={} is not a file", p.display());
    }
    let mut dir = std::env::current_dir().ok();
    while let Some(d) = dir {
        let candidate = d.join(ANVIL_REL);
        if candidate.is_file() {
            return Ok(candidate);
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(ANVIL_REL);
    if built_from.is_file() {
        return Ok(built_from);
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&paths) {
            if d.join("anvil").is_file() {
                return Ok(d.join("anvil"));
            }
        }
    }
    bail!(
        "anvil not found: run `make toolchain` in the provernet repository (or set PROVERNET_ANVIL)"
    )
}

/// A free TCP port on 127.0.0.1 (the OS picks it; there is a small window before anvil binds it,
/// which [`Anvil::spawn`] covers by retrying).
pub fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").wrap_err("cannot bind a local port")?;
    Ok(l.local_addr()?.port())
}

/// A running anvil, killed when dropped.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    /// Its port.
    pub port: u16,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

impl Anvil {
    /// Starts anvil on `port` (a free one when None) with `block_time` seconds per block (automine
    /// when None) and waits until it answers.
    pub fn spawn(port: Option<u16>, block_time: Option<u64>) -> Result<Self> {
        Self::spawn_with(port, block_time, &[])
    }

    /// Like [`Anvil::spawn`] with extra anvil arguments (e.g. `--state FILE`).
    pub fn spawn_with(port: Option<u16>, block_time: Option<u64>, extra: &[&str]) -> Result<Self> {
        let bin = find_anvil()?;
        let mut last_err = None;
        for _ in 0..5 {
            let chosen = match port {
                Some(p) => p,
                None => free_port()?,
            };
            match Self::try_spawn(&bin, chosen, block_time, extra) {
                Ok(a) => return Ok(a),
                Err(e) if port.is_none() && port_taken(&e) => last_err = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or_else(|| eyre!("anvil did not start")))
    }

    fn try_spawn(bin: &Path, port: u16, block_time: Option<u64>, extra: &[&str]) -> Result<Self> {
        let mut cmd = Command::new(bin);
        cmd.args([
            "--port",
            &port.to_string(),
            "--host",
            "127.0.0.1",
            "--chain-id",
            "31337",
            "--silent",
        ]);
        cmd.args(extra);
        if let Some(bt) = block_time {
            cmd.args(["--block-time", &bt.to_string()]);
        }
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        // Its own process group: a terminal's Ctrl-C goes to the foreground group, and anvil must
        // outlive it until provernet has read the final state (the devnet's summary); `Drop` stops it.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd.spawn().wrap_err_with(|| format!("cannot start {}", bin.display()))?;
        let mut anvil = Self { child, port, url: format!("http://127.0.0.1:{port}") };
        let start = Instant::now();
        loop {
            if let Some(status) = anvil.child.try_wait()? {
                let mut err = String::new();
                if let Some(mut e) = anvil.child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                bail!("anvil exited at start ({status}): {}", err.trim());
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(anvil);
            }
            if start.elapsed() > Duration::from_secs(30) {
                bail!("anvil did not open port {port} within 30 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Asks anvil to exit (SIGTERM, so it can dump `--state`) and waits up to 10 s, then kills it.
    pub fn terminate(&mut self) {
        #[cfg(unix)]
        {
            let Ok(pid) = i32::try_from(self.child.id()) else { return self.kill() };
            // SAFETY: plain syscall on our own child's pid, which we have not reaped yet.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        self.kill();
    }

    /// Stops anvil now.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn port_taken(e: &eyre::Report) -> bool {
    let s = format!("{e:#}");
    s.contains("in use") || s.contains("exited at start")
}

impl Drop for Anvil {
    fn drop(&mut self) {
        self.kill();
    }
}
