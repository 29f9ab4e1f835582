//! RPC failover: the agent is given endpoints in order (`--rpc-url A,B,...`); when the current
//! one keeps failing it moves to the next (round robin), keeping its signer and nonce manager.

use std::path::Path;

use provernet_fleet::metrics::Counter;
use tracing::{info, warn};

use super::Agent;
use crate::net::Net;

/// Consecutive failed ticks before the agent tries another endpoint.
pub(super) const FAILOVER_AFTER: u32 = 2;

/// The endpoints and which one is in use.
#[derive(Debug)]
pub(super) struct Endpoints {
    urls: Vec<String>,
    current: usize,
}

impl Endpoints {
    /// The endpoint `net` is on, then the fallbacks.
    pub(super) fn new(net: &Net, fallbacks: &[String]) -> Self {
        let mut urls = vec![net.chain.rpc_url.clone()];
        urls.extend(fallbacks.iter().filter(|u| **u != net.chain.rpc_url).cloned());
        Self { urls, current: 0 }
    }
}

impl Agent {
    /// Moves to the next endpoint that answers and serves the same deployment; stays put when
    /// none does (the retry loop then keeps trying, with back-off).
    pub(super) async fn fail_over(&mut self) {
        let n = self.rpc.urls.len();
        for step in 1..n {
            let i = (self.rpc.current + step) % n;
            let url = self.rpc.urls[i].clone();
            let chain = match self.net.chain.reconnect(&url).await {
                Ok(c) => c,
                Err(e) => {
                    warn!(agent = %self.cfg.name, rpc = %url, error = format!("{e:#}"), "fallback endpoint unusable");
                    continue;
                }
            };
            match Net::from_deployment(
                chain,
                self.net.dep.clone(),
                Path::new("(the agent's deployment)"),
            )
            .await
            {
                Ok(net) => {
                    warn!(agent = %self.cfg.name, from = %self.net.chain.rpc_url, to = %url,
                          "RPC endpoint failing; failing over");
                    self.net = net;
                    self.rpc.current = i;
                    self.stats.failovers += 1;
                    Counter::RpcFailovers.increment(1);
                    return;
                }
                Err(e) => {
                    warn!(agent = %self.cfg.name, rpc = %url, error = format!("{e:#}"), "fallback endpoint unusable")
                }
            }
        }
        if n > 1 {
            info!(agent = %self.cfg.name, "no other endpoint answers; retrying");
        }
    }
}
