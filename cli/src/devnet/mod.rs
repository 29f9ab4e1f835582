//! `provernet devnet`: a live local prover network. Starts anvil, deploys, funds and registers N
//! provers (K of them flaky), runs their agents and a batch source, and shows what happens.
//!
//! This module is the orchestration. Beside it: `source` the batch source, `events` the decoded
//! contract events, `state` the figures built from them, `view` the full-screen view (`table`
//! fits it to the terminal, `clock` counts down the phase), `plain` the `--plain` lines and
//! [`Summary`] the `--json` document.

mod clock;
mod events;
mod plain;
mod source;
mod state;
mod summary;
mod table;
mod view;

use std::{
    io::IsTerminal,
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use alloy::{primitives::U256, providers::ext::AnvilApi, signers::local::PrivateKeySigner};
use eyre::{Result, WrapErr};
use provernet_bindings::NetworkConfig;
use tokio::{sync::watch, task::JoinHandle};
use tracing::{info, warn};

pub use self::summary::{
    OpenBatchSummary, ProverSummary, ProvingSummary, SlashSummary, SourceSummary, Summary,
    TokenInfo, TotalsSummary,
};
use self::{
    plain::PlainPrinter,
    source::BatchSource,
    state::{Setup, State},
    table::Tone,
    view::{Frame, Screen},
};
use crate::{
    agent::{Agent, AgentConfig, AgentStats, Engine, Flaky, QueueEngine},
    anvil::{Anvil, DEV_KEY_0, DEV_KEY_1},
    bail_input,
    chain::Chain,
    deployment::Deployment,
    fleet::{LocalFleet, worker_prover},
    net::Net,
    ops::{
        self,
        deploy::{VerifierKind, deploy},
    },
    proof::{BatchStore, ProvingSetup},
    secrets::SecretStore,
    signer::key_signer,
};

/// How long to wait for a receipt during setup and in the agents.
const TX_TIMEOUT: Duration = Duration::from_secs(30);
/// How long stopping agents and the source may take before they are abandoned.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// How the devnet shows progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The full-screen view (its logs go to a file).
    Live {
        /// Colour the view.
        colour: bool,
    },
    /// `--plain` lines on stdout, or on stderr when stdout carries the JSON summary.
    Plain {
        /// Print to stderr.
        to_stderr: bool,
    },
}

impl Progress {
    /// The full-screen view only when stdout is a terminal and neither `--plain` nor `--json`
    /// was given; colour only then and without `NO_COLOR`.
    pub fn choose(terminal: bool, plain: bool, json: bool) -> Self {
        if json {
            Self::Plain { to_stderr: true }
        } else if plain || !terminal {
            Self::Plain { to_stderr: false }
        } else {
            let no_color = std::env::var_os("NO_COLOR");
            Self::Live { colour: table::colour_wanted(terminal, no_color.as_deref()) }
        }
    }
}

/// Devnet settings.
#[derive(Debug, Clone)]
pub struct DevnetConfig {
    /// Number of prover agents.
    pub provers: usize,
    /// How many of them are flaky.
    pub faulty: usize,
    /// Stop after this long (None: until Ctrl-C).
    pub duration: Option<Duration>,
    /// Seconds per block.
    pub block_time: u64,
    /// anvil port (None: 8545 if free, else any free port).
    pub port: Option<u16>,
    /// Post a batch every this many blocks.
    pub post_every: u64,
    /// Fee per batch, human units.
    pub fee: String,
    /// Where the deployment file and agent secrets go.
    pub data_dir: PathBuf,
    /// How progress is shown.
    pub progress: Progress,
    /// Where the logs go in full-screen mode (named in the view).
    pub log_file: Option<PathBuf>,
    /// Verifier to deploy (and proofs to make).
    pub verifier: VerifierKind,
    /// Keys and batch-data locations.
    pub proving: ProvingSetup,
    /// Proving workers over a job queue (0: each agent proves in its own task).
    pub workers: usize,
}

/// Runs the devnet until Ctrl-C (or `shutdown`) or the duration, then returns the summary and its
/// human rendering.
pub async fn run(
    cfg: DevnetConfig,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(Summary, String)> {
    if cfg.provers == 0 || cfg.block_time == 0 || cfg.post_every == 0 {
        bail_input!("--provers, --block-time and --post-every must each be at least 1");
    }
    if cfg.faulty > cfg.provers {
        bail_input!("--faulty ({}) cannot exceed --provers ({})", cfg.faulty, cfg.provers);
    }
    let port = match cfg.port {
        Some(p) => Some(p),
        None if std::net::TcpListener::bind("127.0.0.1:8545").is_ok() => Some(8545),
        None => None,
    };
    // Automine during setup (instant), interval mining once the network runs.
    let mut anvil = Anvil::spawn(port, None).wrap_err("while starting anvil")?;
    info!(url = %anvil.url, "anvil started");
    let result = run_on(&anvil, &cfg, &mut shutdown).await;
    anvil.kill();
    info!("anvil stopped");
    result
}

/// A deployed network with registered provers, before anything runs.
struct Network {
    owner: Net,
    provers: Vec<(Net, Option<Flaky>)>,
    source: Net,
    dep: Deployment,
    dep_path: PathBuf,
    run_dir: PathBuf,
    keys: Option<Arc<provernet_zk::KeySet>>,
}

async fn run_on(
    anvil: &Anvil,
    cfg: &DevnetConfig,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<(Summary, String)> {
    let nw = launch(anvil, cfg).await?;
    let setup = Setup {
        units: nw.owner.units.clone(),
        geo: nw.owner.geo,
        block_time: cfg.block_time,
        backend: cfg.verifier.as_str().into(),
        rpc: anvil.url.clone(),
        deployment: nw.dep_path.clone(),
        log: cfg.log_file.clone(),
        source: nw.source.chain.signer()?,
    };
    let mut state = State::new(setup, nw.owner.chain.block_number().await?);
    for (net, pattern) in &nw.provers {
        state.add_prover(net.chain.signer()?, *pattern);
    }
    nw.owner.chain.provider.anvil_set_interval_mining(cfg.block_time).await?;
    info!(deployment = %nw.dep_path.display(), rpc = %anvil.url, "network deployed; provers registered; blocks every {}s", cfg.block_time);

    let (stop_tx, stop_rx) = watch::channel(false);
    let secrets = SecretStore::new(&nw.run_dir.join(format!("run-{}", std::process::id())));
    // With --workers N the agents prove over a job queue served by workers beside them.
    let fleet = match cfg.workers {
        0 => None,
        n => {
            let prover = worker_prover(cfg.verifier.as_str(), nw.keys.clone())?;
            let dir = nw.run_dir.join(format!("queue-{}", std::process::id()));
            let fleet = LocalFleet::start(&dir, n, prover, &stop_rx).await?;
            info!(queue = %fleet.url(), workers = n, "job queue and workers started");
            Some(fleet)
        }
    };
    let queue_url = fleet.as_ref().map(LocalFleet::url);
    let agents = spawn_agents(&nw, cfg, &secrets, &stop_rx, queue_url.as_deref()).await?;
    let fee = nw.owner.units.parse(&cfg.fee)?;
    let store = BatchStore::new(&cfg.proving.batch_data);
    let source = BatchSource::new(nw.source.clone(), store, fee, cfg.post_every);
    let source_task = tokio::spawn(source.run(stop_rx.clone()));

    let started = Instant::now();
    let plain = watch_network(&mut state, &nw.owner, cfg, started, shutdown).await;
    let ran = started.elapsed();
    let _ = stop_tx.send(true);
    let proving = collect_agents(agents).await;
    if let Some(fleet) = fleet {
        fleet.stop(STOP_GRACE).await;
    }
    let _ = tokio::time::timeout(STOP_GRACE, source_task).await;
    if let Err(e) = state.refresh(&nw.owner).await {
        warn!(error = format!("{e:#}"), "could not read the final state");
    }
    if let Some(mut plain) = plain {
        plain.tick(&state, true);
    }
    let _ = std::fs::remove_dir_all(nw.run_dir.join(format!("run-{}", std::process::id())));
    // The chain dies with this devnet (and the next one reuses the same addresses): drop its
    // batch data too.
    let _ = std::fs::remove_dir_all(
        BatchStore::new(&cfg.proving.batch_data).network_dir(nw.dep.chain_id, nw.dep.network),
    );
    let text = summary_text(&state, &proving, ran);
    Ok((Summary::of(&state, proving), text))
}

/// Deploys (Groth16 keys loaded first, so proving is ready when batches arrive), registers the
/// provers and funds the batch source.
async fn launch(anvil: &Anvil, cfg: &DevnetConfig) -> Result<Network> {
    let deployer = Chain::connect(&anvil.url, Some(key_signer(DEV_KEY_0)?), TX_TIMEOUT).await?;
    let source_key = key_signer(DEV_KEY_1)?;
    let keys = match cfg.verifier {
        VerifierKind::Groth16 => Some(cfg.proving.load_keys().await?),
        VerifierKind::InsecureDev => None,
    };
    let dep = deploy(
        &deployer,
        &NetworkConfig::development(),
        None,
        &[source_key.address()],
        cfg.verifier,
        keys.as_ref().map(|k| k.keys_id()),
    )
    .await
    .wrap_err("while deploying")?;
    let run_dir = cfg.data_dir.join("devnet");
    std::fs::create_dir_all(&run_dir)?;
    let dep_path = run_dir.join("deployment.json");
    dep.save(&dep_path)?;
    let owner = Net::from_deployment(deployer, dep.clone(), &dep_path).await?;
    let provers = register_provers(anvil, cfg, &owner, &dep_path).await?;
    let source_chain = Chain::connect(&anvil.url, Some(source_key), TX_TIMEOUT).await?;
    let source = Net::from_deployment(source_chain, dep.clone(), &dep_path).await?;
    ops::mint(&owner, source.chain.signer()?, owner.units.parse("1000000")?).await?;
    Ok(Network { owner, provers, source, dep, dep_path, run_dir, keys })
}

/// Fresh keys, gas money, tokens and registration for each prover (stakes 1000, 1500, ... so
/// weights differ); the last `faulty` are flaky.
async fn register_provers(
    anvil: &Anvil,
    cfg: &DevnetConfig,
    owner: &Net,
    dep_path: &std::path::Path,
) -> Result<Vec<(Net, Option<Flaky>)>> {
    let u = &owner.units;
    let mut provers = Vec::new();
    for i in 0..cfg.provers {
        let key = PrivateKeySigner::random();
        let addr = key.address();
        owner.chain.provider.anvil_set_balance(addr, U256::from(10u64).pow(U256::from(20))).await?;
        let stake = u.parse(&(1000 + 500 * i as u64).to_string())?;
        ops::mint(owner, addr, stake + u.parse("1000")?).await?;
        let chain = Chain::connect(&anvil.url, Some(key), TX_TIMEOUT).await?;
        let net = Net::from_deployment(chain, owner.dep.clone(), dep_path).await?;
        ops::register(&net, stake)
            .await
            .wrap_err_with(|| format!("while registering prover {}", i + 1))?;
        // Flaky provers drop out for two epochs at a time: they miss reveals and windows.
        let flaky = i >= cfg.provers - cfg.faulty;
        let pattern = flaky.then_some(Flaky { online: 21, offline: 14, offset: 5 * i as u64 });
        provers.push((net, pattern));
    }
    Ok(provers)
}

async fn spawn_agents(
    nw: &Network,
    cfg: &DevnetConfig,
    secrets: &SecretStore,
    stop: &watch::Receiver<bool>,
    queue_url: Option<&str>,
) -> Result<Vec<JoinHandle<Result<AgentStats>>>> {
    let mut tasks = Vec::new();
    for (i, (net, pattern)) in nw.provers.iter().enumerate() {
        let agent_cfg = AgentConfig {
            name: format!("p{}", i + 1),
            poll: Duration::from_millis(250),
            flaky: *pattern,
            claim_every: 15,
            compound: false,
            race: true,
            fallback_rpc_urls: Vec::new(),
        };
        let backend = cfg.proving.backend_with(net, nw.keys.clone()).await?;
        let engine = match queue_url {
            None => Engine::local(backend),
            Some(url) => {
                let queue =
                    provernet_fleet::Queue::connect(url).await.map_err(|e| eyre::eyre!("{e}"))?;
                Engine::Queue(Box::new(QueueEngine::new(queue, url, backend)))
            }
        };
        let agent = Agent::new(net.clone(), secrets.clone(), engine, agent_cfg)?;
        tasks.push(tokio::spawn(agent.run(stop.clone())));
    }
    Ok(tasks)
}

/// Refreshes the state and shows it every second until the duration or a shutdown; returns the
/// `--plain` printer, which knows what it has printed, for the final figures.
async fn watch_network(
    state: &mut State,
    owner: &Net,
    cfg: &DevnetConfig,
    started: Instant,
    shutdown: &mut watch::Receiver<bool>,
) -> Option<PlainPrinter> {
    let mut screen = match cfg.progress {
        Progress::Live { colour } => Some(Screen::enter(colour)),
        Progress::Plain { .. } => None,
    };
    let mut plain = match cfg.progress {
        Progress::Plain { to_stderr } => Some(PlainPrinter::new(to_stderr)),
        Progress::Live { .. } => None,
    };
    let mut logged = 0;
    loop {
        if let Err(e) = state.refresh(owner).await {
            warn!(error = format!("{e:#}"), "could not refresh the view");
        }
        if let Some(screen) = screen.as_mut() {
            // The log file keeps the whole event history the view has no room for.
            for n in state.notes.iter().filter(|n| n.seq > logged) {
                info!(block = n.block, "{}", n.text);
            }
            logged = state.noted();
            let (width, height) = view::terminal_size();
            let frame =
                Frame { width, height: Some(height), elapsed: started.elapsed(), live: true };
            screen.draw(&view::render(state, &frame));
        }
        if let Some(plain) = plain.as_mut() {
            plain.tick(state, false);
        }
        if cfg.duration.is_some_and(|d| started.elapsed() >= d) {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => break,
        }
        if *shutdown.borrow() {
            break;
        }
    }
    if let Some(screen) = screen {
        // Back on the normal screen; the agents may take a few seconds to finish their step.
        drop(screen);
        eprintln!("devnet: stopping the agents and the batch source, then the summary...");
    }
    plain
}

/// Stops waiting for agents after [`STOP_GRACE`] and sums their proving figures.
async fn collect_agents(agents: Vec<JoinHandle<Result<AgentStats>>>) -> ProvingSummary {
    let mut proving = ProvingSummary::default();
    let mut proving_ms = 0;
    for t in agents {
        if let Ok(Ok(Ok(a))) = tokio::time::timeout(STOP_GRACE, t).await {
            proving.proofs += a.proofs;
            proving.batches += a.proven + a.races_won;
            proving.rounds += a.proving_rounds;
            proving_ms += a.proving_ms;
            proving.max_round_ms = proving.max_round_ms.max(a.max_proving_ms);
        }
    }
    proving.mean_round_ms = proving_ms.checked_div(proving.rounds).unwrap_or(0);
    proving
}

/// The human summary: fitted to the terminal when stdout is one, whole lines otherwise.
fn summary_text(state: &State, proving: &ProvingSummary, elapsed: Duration) -> String {
    let terminal = std::io::stdout().is_terminal();
    let width = if terminal { view::terminal_size().0 } else { usize::MAX };
    let frame = Frame { width, height: None, elapsed, live: false };
    let no_color = std::env::var_os("NO_COLOR");
    let colour = table::colour_wanted(terminal, no_color.as_deref());
    let mut lines = view::render(state, &frame);
    let per_proof = if proving.proofs == 0 {
        "-".to_string()
    } else {
        format!("{:.2}", proving.batches as f64 / proving.proofs as f64)
    };
    let proofs = format!(
        "proofs ({}): {} for {} batches ({per_proof} per proof) in {} rounds, mean {} ms per round, longest {} ms",
        state.setup.backend,
        proving.proofs,
        proving.batches,
        proving.rounds,
        proving.mean_round_ms,
        proving.max_round_ms
    );
    lines.push((Tone::Plain, table::truncate(&proofs, width)));
    let mut text = String::from("devnet summary\n");
    text += &view::text(&lines, colour);
    text
}
