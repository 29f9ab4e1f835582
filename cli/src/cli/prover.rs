//! `provernet prover`.

use alloy::primitives::Address;
use clap::{Args, Subcommand};
use eyre::Result;
use std::time::Duration;

use super::{GlobalArgs, parse_address, shutdown_signal};
use crate::{
    agent::{Agent, AgentConfig, Engine, QueueEngine},
    exit::{self, Code},
    net::Net,
    ops,
    output::Report,
    proof::ProofBackend,
};

/// Prover commands.
#[derive(Debug, Subcommand)]
pub enum ProverCmd {
    /// Register the signer as a prover with an initial stake (approves the token as needed).
    Register {
        /// Stake in tokens.
        #[arg(long, allow_hyphen_values = true)]
        stake: String,
    },
    /// Add stake.
    Stake {
        /// Amount in tokens.
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
    },
    /// Move stake into unbonding (withdrawable after the unbonding delay).
    Unstake {
        /// Amount in tokens.
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// Unstake even if less than the minimum stake remains (the prover then stops being
        /// drawn for batches and may not race).
        #[arg(long)]
        yes: bool,
    },
    /// Withdraw unbonded stake.
    Withdraw,
    /// Claim credited fees and bounties.
    Claim,
    /// Name the hot key that may commit, reveal, prove and race for the signer (a prover), or
    /// remove it with --clear.
    #[command(group(clap::ArgGroup::new("who").required(true).args(["address", "clear"])))]
    SetOperator {
        /// The operator's address.
        #[arg(value_parser = parse_address)]
        address: Option<Address>,
        /// Remove the current operator.
        #[arg(long)]
        clear: bool,
    },
    /// Stake, unbonding, reputation, eligibility, capacity, assignments and claimable rewards.
    Status {
        /// Prover address [default: the signer].
        #[arg(value_parser = parse_address)]
        address: Option<Address>,
    },
    /// Run the long-running prover agent.
    Run(RunArgs),
}

/// Arguments of `prover run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Milliseconds between looks at the chain head.
    #[arg(long, default_value_t = 500)]
    pub poll_ms: u64,
    /// Do not join emergency races (only prove own assignments).
    #[arg(long)]
    pub no_race: bool,
    /// Claim rewards at most once per this many blocks.
    #[arg(long, default_value_t = 20)]
    pub claim_every: u64,
    /// Restake what is claimed: a prover's rewards are staked again; a pool operator's commission
    /// is deposited into its pool as self-stake (the pool's own sync already restakes the
    /// delegators' share).
    #[arg(long)]
    pub compound: bool,
    /// Prove through workers (`provernet worker --queue URL`) over this NATS JetStream server
    /// instead of in this process.
    #[arg(long, value_name = "URL")]
    pub queue: Option<String>,
    /// Serve Prometheus metrics on this address (e.g. 127.0.0.1:9464, scraped at /metrics).
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// Test only: add this many milliseconds to every local proving round.
    #[arg(long, hide = true, default_value_t = 0)]
    pub prove_delay_ms: u64,
    /// Test only: the queue's redelivery timeout (server-side; every agent and worker of a fleet
    /// must agree).
    #[arg(long, hide = true, value_name = "SECS")]
    pub queue_ack_wait_secs: Option<u64>,
}

fn amount_shape(text: &str) -> Result<()> {
    // Reject malformed, zero and negative amounts before any network access.
    crate::amount::check_shape(text)
}

pub(super) async fn run(g: &GlobalArgs, c: ProverCmd) -> Result<Report> {
    match c {
        ProverCmd::Register { stake } => {
            amount_shape(&stake)?;
            let net = g.net().await?;
            let amt = net.units.parse(&stake)?;
            ops::register(&net, amt).await
        }
        ProverCmd::Stake { amount } => {
            amount_shape(&amount)?;
            let net = g.net().await?;
            let amt = net.units.parse(&amount)?;
            ops::stake(&net, amt).await
        }
        ProverCmd::Unstake { amount, yes } => {
            amount_shape(&amount)?;
            let net = g.net().await?;
            let amt = net.units.parse(&amount)?;
            ops::unstake(&net, amt, yes).await
        }
        ProverCmd::Withdraw => ops::withdraw(&g.net().await?).await,
        ProverCmd::Claim => ops::claim(&g.net().await?).await,
        ProverCmd::SetOperator { address, clear: _ } => {
            ops::set_operator(&g.net().await?, address).await
        }
        ProverCmd::Status { address } => {
            let net = g.net().await?;
            let who = match address {
                Some(a) => a,
                None => net.chain.signer().map_err(|_| {
                    crate::exit::input(
                        "give a prover ADDRESS or a signer (--private-key, --account or --keystore)",
                    )
                })?,
            };
            ops::prover_status_report(&net, who).await
        }
        ProverCmd::Run(_) => unreachable!("dispatched by the caller"),
    }
}

pub(super) async fn run_agent(g: &GlobalArgs, a: RunArgs) -> Result<()> {
    let _metrics = super::worker::serve_metrics(a.metrics_addr)?;
    let urls = g.rpc_urls()?;
    let mut shutdown = shutdown_signal();
    // The node may not be up yet (a fleet started by a service manager): wait for it with
    // back-off instead of exiting. Wrong input (a bad URL, another chain's deployment) still ends
    // the command at once.
    let Some((net, backend)) = connect_with_retry(g, &urls, &mut shutdown).await? else {
        return Ok(());
    };
    let engine = match &a.queue {
        None => Engine::Local { backend, delay: Duration::from_millis(a.prove_delay_ms) },
        Some(url) => {
            let queue = super::worker::connect_queue(url, a.queue_ack_wait_secs).await?;
            Engine::Queue(Box::new(QueueEngine::new(queue, url, backend)))
        }
    };
    let cfg = AgentConfig {
        name: "prover".into(),
        poll: Duration::from_millis(a.poll_ms.max(50)),
        flaky: None,
        claim_every: a.claim_every,
        compound: a.compound,
        race: !a.no_race,
        fallback_rpc_urls: urls[1..].to_vec(),
    };
    let agent = Agent::new(net, g.secrets(), engine, cfg)?;
    let stats = agent.run(shutdown).await?;
    // With --json: one document (the run's totals) on stdout at the end; logs are on stderr.
    if g.json {
        crate::output::emit(&serde_json::to_string(&stats)?);
    }
    Ok(())
}

/// Connects to the first endpoint that answers (trying each in turn, backing off up to 30 s
/// between rounds) and opens the deployment and the proof backend. `None` when shut down first.
async fn connect_with_retry(
    g: &GlobalArgs,
    urls: &[String],
    shutdown: &mut tokio::sync::watch::Receiver<bool>,
) -> Result<Option<(Net, std::sync::Arc<dyn ProofBackend>)>> {
    let mut wait = Duration::from_millis(500);
    loop {
        for url in urls {
            let attempt = async {
                let net = g.agent_net_at(url).await?;
                net.chain.signer()?;
                let backend = g.proving().backend(&net).await?;
                Ok::<_, eyre::Report>((net, backend))
            };
            match attempt.await {
                Ok(ready) => return Ok(Some(ready)),
                Err(e) if matches!(exit::code_of(&e), Code::Connection | Code::Timeout) => {
                    tracing::warn!(rpc = %url, error = format!("{e:#}"), retry_in = ?wait,
                                   "RPC endpoint not reachable at start-up; retrying");
                }
                Err(e) => return Err(e),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.wait_for(|s| *s) => return Ok(None),
        }
        wait = (wait * 2).min(Duration::from_secs(30));
    }
}
