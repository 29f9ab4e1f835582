//! `provernet prover`.

use alloy::primitives::Address;
use clap::{Args, Subcommand};
use eyre::Result;
use std::time::Duration;

use super::{GlobalArgs, parse_address, shutdown_signal};
use crate::{
    agent::{Agent, AgentConfig},
    ops,
    output::Report,
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
    let net = g.agent_net().await?;
    net.chain.signer()?;
    let backend = g.proving().backend(&net).await?;
    let cfg = AgentConfig {
        name: "prover".into(),
        poll: Duration::from_millis(a.poll_ms.max(50)),
        flaky: None,
        claim_every: a.claim_every,
        race: !a.no_race,
    };
    let agent = Agent::new(net, g.secrets(), backend, cfg)?;
    let stats = agent.run(shutdown_signal()).await?;
    // With --json: one document (the run's totals) on stdout at the end; logs are on stderr.
    if g.json {
        crate::output::emit(&serde_json::to_string(&stats)?);
    }
    Ok(())
}
