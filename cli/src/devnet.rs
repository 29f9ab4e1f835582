//! `provernet devnet`: a live local prover network. Starts anvil, deploys, funds and registers N
//! provers (K of them flaky), runs their agents and a batch source, and shows what happens.

use std::{
    collections::BTreeMap,
    io::{IsTerminal, Write},
    path::PathBuf,
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, B256, U256},
    providers::{Provider, ext::AnvilApi},
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use eyre::{Result, WrapErr};
use provernet_bindings::{NetworkConfig, ProverNetwork};
use tokio::sync::watch;
use tracing::{info, warn};

use crate::{
    agent::{Agent, AgentConfig, Flaky},
    amount::fmt_amount,
    anvil::{Anvil, DEV_KEY_0, DEV_KEY_1},
    chain::Chain,
    net::Net,
    ops::deploy::{VerifierKind, deploy},
    ops::{self, status},
    proof::{BatchStore, ProvingSetup},
    secrets::SecretStore,
    signer::key_signer,
};

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
    /// Force the line-per-interval output even on a terminal.
    pub plain: bool,
    /// Verifier to deploy (and proofs to make).
    pub verifier: VerifierKind,
    /// Keys and batch-data locations.
    pub proving: ProvingSetup,
}

/// Per-prover figures, from chain events and state.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProverRow {
    /// Label (p1, p2, ...).
    pub name: String,
    /// Address.
    pub address: Address,
    /// Whether it was configured flaky.
    pub flaky: bool,
    /// Its on/off pattern when flaky.
    #[serde(skip)]
    pub pattern: Option<Flaky>,
    /// Active stake (units).
    pub stake: U256,
    /// Reputation now.
    pub reputation: U256,
    /// Batches drawn for it.
    pub assigned: u64,
    /// Proven in its window.
    pub proven: u64,
    /// Races won.
    pub rescues: u64,
    /// Fees and bounties credited (units).
    pub earned: U256,
    /// Missed-window and non-reveal slashes.
    pub slashes: u64,
    /// Total slashed (units).
    pub slashed: U256,
}

/// Network-wide figures.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Batches posted.
    pub posted: u64,
    /// Proven inside the assigned window.
    pub proven_on_time: u64,
    /// Proven by a race winner.
    pub rescued: u64,
    /// Failed (nobody proved them).
    pub failed: u64,
    /// Latest block seen.
    pub block: u64,
    /// Proof backend the agents used.
    pub proof_backend: String,
}

/// Proving figures over all agents (from their stats at shutdown).
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvingSummary {
    /// Proofs made.
    pub proofs: u64,
    /// Proving rounds (parallel `prove_many` calls).
    pub rounds: u64,
    /// Mean wall time per round (ms).
    pub mean_round_ms: u64,
    /// Longest round (ms).
    pub max_round_ms: u64,
}

/// The state the view shows.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Network-wide.
    pub totals: Totals,
    /// Per prover, in order.
    pub provers: Vec<ProverRow>,
    index: BTreeMap<Address, usize>,
    scanned_to: u64,
    recent: std::collections::VecDeque<String>,
    /// "rpc URL, deployment FILE", shown so other terminals can join in.
    pub endpoint: String,
}

/// How many recent events the view lists.
const RECENT: usize = 8;

impl Stats {
    fn row(&mut self, a: Address) -> Option<&mut ProverRow> {
        self.index.get(&a).copied().map(|i| &mut self.provers[i])
    }

    fn name(&self, a: Address) -> String {
        self.index
            .get(&a)
            .map(|&i| self.provers[i].name.clone())
            .unwrap_or_else(|| format!("{a:#x}"))
    }

    fn note(&mut self, block: Option<u64>, text: String) {
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(format!("[{:>5}] {text}", block.unwrap_or_default()));
    }

    /// Reads new events up to the head and refreshes stakes and reputations.
    async fn refresh(&mut self, net: &Net) -> Result<()> {
        let head = net.chain.block_number().await?;
        if head > self.scanned_to {
            let filter = Filter::new()
                .address(net.dep.network)
                .from_block(self.scanned_to + 1)
                .to_block(head);
            let logs = net.chain.provider.get_logs(&filter).await?;
            for log in logs {
                let Some(topic) = log.topic0().copied() else { continue };
                if topic == ProverNetwork::BatchPosted::SIGNATURE_HASH {
                    let e = log.log_decode::<ProverNetwork::BatchPosted>()?.inner.data;
                    self.totals.posted += 1;
                    let who = if e.prover.is_zero() {
                        "nobody: open race".to_string()
                    } else {
                        self.name(e.prover)
                    };
                    self.note(
                        log.block_number,
                        format!("batch {} posted, assigned to {who}", e.batchId),
                    );
                    if let Some(r) = self.row(e.prover) {
                        r.assigned += 1;
                    }
                } else if topic == ProverNetwork::BatchProven::SIGNATURE_HASH {
                    let e = log.log_decode::<ProverNetwork::BatchProven>()?.inner.data;
                    let how =
                        if e.rescued { "rescued in the race by" } else { "proven on time by" };
                    let text = format!("batch {} {how} {}", e.batchId, self.name(e.prover));
                    self.note(log.block_number, text);
                    if e.rescued {
                        self.totals.rescued += 1;
                    } else {
                        self.totals.proven_on_time += 1;
                    }
                    if let Some(r) = self.row(e.prover) {
                        if e.rescued {
                            r.rescues += 1;
                        } else {
                            r.proven += 1;
                        }
                        r.earned += e.payout;
                    }
                } else if topic == ProverNetwork::BatchFailed::SIGNATURE_HASH {
                    let e = log.log_decode::<ProverNetwork::BatchFailed>()?.inner.data;
                    self.totals.failed += 1;
                    self.note(
                        log.block_number,
                        format!("batch {} FAILED: nobody proved it", e.batchId),
                    );
                } else if topic == ProverNetwork::ProverSlashed::SIGNATURE_HASH {
                    let e = log.log_decode::<ProverNetwork::ProverSlashed>()?.inner.data;
                    let text = format!(
                        "{} slashed {} for missing batch {}",
                        self.name(e.prover),
                        fmt_amount(e.amount, net.units.decimals),
                        e.batchId
                    );
                    self.note(log.block_number, text);
                    if let Some(r) = self.row(e.prover) {
                        r.slashes += 1;
                        r.slashed += e.amount;
                    }
                } else if topic == ProverNetwork::NonRevealPenalized::SIGNATURE_HASH {
                    let e = log.log_decode::<ProverNetwork::NonRevealPenalized>()?.inner.data;
                    let text = format!(
                        "{} slashed {} for not revealing in epoch {}",
                        self.name(e.prover),
                        fmt_amount(e.slashed, net.units.decimals),
                        e.epoch
                    );
                    self.note(log.block_number, text);
                    if let Some(r) = self.row(e.prover) {
                        r.slashes += 1;
                        r.slashed += e.slashed;
                    }
                }
            }
            self.scanned_to = head;
        }
        self.totals.block = head;
        for i in 0..self.provers.len() {
            let a = self.provers[i].address;
            let acct = net.network.accountOf(a).call().await?;
            self.provers[i].stake = U256::from(acct.stake);
            self.provers[i].reputation = net.network.reputationOf(a).call().await?;
        }
        Ok(())
    }

    /// The full-screen view.
    pub fn render(&self, net: &Net, elapsed: Duration, live: bool) -> String {
        let t = &self.totals;
        let u = &net.units;
        let g = net.geo;
        let epoch = g.epoch_of(t.block);
        let open = t.posted.saturating_sub(t.proven_on_time + t.rescued + t.failed);
        let mut s = format!(
            "provernet devnet  block {}  epoch {epoch} ({:?})  up {}s  [proofs: {}]\n\n",
            t.block,
            g.phase_of(t.block),
            elapsed.as_secs(),
            if t.proof_backend == "groth16" {
                "Groth16, INSECURE dev ceremony keys"
            } else {
                "INSECURE dev verifier"
            }
        );
        if live {
            s += &format!("{}\n\n", self.endpoint);
        }
        s += &format!(
            "batches  posted {}  proven on time {}  rescued by race {}  failed {}  open {open}\n\n",
            t.posted, t.proven_on_time, t.rescued, t.failed
        );
        s += &format!(
            "{:<4} {:<12} {:>5} {:>12} {:>6} {:>8} {:>7} {:>7} {:>12} {:>8} {:>10}\n",
            "",
            "address",
            "kind",
            "stake",
            "rep",
            "assigned",
            "proven",
            "rescues",
            "earned",
            "slashes",
            "slashed"
        );
        for r in &self.provers {
            let a = format!("{:#x}", r.address);
            s += &format!(
                "{:<4} {:<12} {:>5} {:>12} {:>6} {:>8} {:>7} {:>7} {:>12} {:>8} {:>10}\n",
                r.name,
                format!("{}..{}", &a[..6], &a[a.len() - 4..]),
                match r.pattern {
                    Some(f) if live && f.offline_at(t.block) => "OFF",
                    Some(_) => "flaky",
                    None => "ok",
                },
                fmt_amount(r.stake, u.decimals),
                r.reputation.to_string(),
                r.assigned,
                r.proven,
                r.rescues,
                fmt_amount(r.earned, u.decimals),
                r.slashes,
                fmt_amount(r.slashed, u.decimals)
            );
        }
        s += &format!("\namounts in {}\n", u.symbol);
        if live {
            s += "\nrecent events\n";
            for line in &self.recent {
                s += &format!("  {line}\n");
            }
            s += "\nCtrl-C stops the network and prints the summary\n";
        }
        s
    }

    /// One line for logs and non-terminal output.
    pub fn line(&self) -> String {
        let t = &self.totals;
        format!(
            "block {}: posted {} proven-on-time {} rescued {} failed {} | slashes {}",
            t.block,
            t.posted,
            t.proven_on_time,
            t.rescued,
            t.failed,
            self.provers.iter().map(|r| r.slashes).sum::<u64>()
        )
    }
}

/// The devnet's end result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    /// Network-wide figures.
    pub totals: Totals,
    /// Proving times seen by the agents.
    pub proving: ProvingSummary,
    /// Per prover.
    pub provers: Vec<ProverRow>,
}

/// Runs the devnet until Ctrl-C (or `shutdown`) or the duration, then returns the summary.
pub async fn run(
    cfg: DevnetConfig,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(Summary, String)> {
    eyre::ensure!(cfg.provers >= 1, "--provers must be at least 1");
    eyre::ensure!(
        cfg.faulty <= cfg.provers,
        "--faulty ({}) cannot exceed --provers ({})",
        cfg.faulty,
        cfg.provers
    );
    eyre::ensure!(cfg.block_time >= 1, "--block-time must be at least 1 second");
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

async fn run_on(
    anvil: &Anvil,
    cfg: &DevnetConfig,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<(Summary, String)> {
    let timeout = Duration::from_secs(30);
    let deployer = Chain::connect(&anvil.url, Some(key_signer(DEV_KEY_0)?), timeout).await?;
    let source_key = key_signer(DEV_KEY_1)?;
    // Keys first (a few seconds the very first time), so proving is ready when batches arrive.
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
    let owner_net = Net::from_deployment(deployer.clone(), dep.clone(), &dep_path).await?;
    let u = owner_net.units.clone();

    // Provers: fresh keys, gas money, tokens, registration (stakes differ so weights differ).
    let mut provers = Vec::new();
    let mut stats = Stats::default();
    stats.totals.proof_backend = cfg.verifier.as_str().into();
    for i in 0..cfg.provers {
        let key = PrivateKeySigner::random();
        let addr = key.address();
        deployer.provider.anvil_set_balance(addr, U256::from(10u64).pow(U256::from(20))).await?;
        let stake = u.parse(&(1000 + 500 * i as u64).to_string())?;
        ops::mint(&owner_net, addr, stake + u.parse("1000")?).await?;
        let chain = Chain::connect(&anvil.url, Some(key), timeout).await?;
        let net = Net::from_deployment(chain, dep.clone(), &dep_path).await?;
        ops::register(&net, stake)
            .await
            .wrap_err_with(|| format!("while registering prover {}", i + 1))?;
        let flaky = i >= cfg.provers - cfg.faulty;
        // Flaky provers drop out for two epochs at a time: they miss reveals and windows.
        let pattern = flaky.then_some(Flaky { online: 21, offline: 14, offset: 5 * i as u64 });
        stats.index.insert(addr, i);
        stats.provers.push(ProverRow {
            name: format!("p{}", i + 1),
            address: addr,
            flaky,
            pattern,
            ..Default::default()
        });
        provers.push((net, pattern));
    }
    let source_chain = Chain::connect(&anvil.url, Some(source_key), timeout).await?;
    let source = Net::from_deployment(source_chain, dep.clone(), &dep_path).await?;
    ops::mint(&owner_net, source.chain.signer()?, u.parse("1000000")?).await?;
    stats.scanned_to = owner_net.chain.block_number().await?;
    stats.endpoint = format!("rpc {}   deployment {}", anvil.url, dep_path.display());

    deployer.provider.anvil_set_interval_mining(cfg.block_time).await?;
    info!(deployment = %dep_path.display(), rpc = %anvil.url, "network deployed; provers registered; blocks every {}s", cfg.block_time);

    let (stop_tx, stop_rx) = watch::channel(false);
    let secrets = SecretStore::new(&run_dir.join(format!("run-{}", std::process::id())));
    let mut tasks = Vec::new();
    for (i, (net, pattern)) in provers.into_iter().enumerate() {
        let agent_cfg = AgentConfig {
            name: format!("p{}", i + 1),
            poll: Duration::from_millis(250),
            flaky: pattern,
            claim_every: 15,
            race: true,
        };
        let backend = cfg.proving.backend_with(&net, keys.clone()).await?;
        let agent = Agent::new(net, secrets.clone(), backend, agent_cfg)?;
        tasks.push(tokio::spawn(agent.run(stop_rx.clone())));
    }
    let store = BatchStore::new(&cfg.proving.batch_data);
    let source_task = tokio::spawn(batch_source(
        source,
        store,
        u.parse(&cfg.fee)?,
        cfg.post_every,
        stop_rx.clone(),
    ));

    let tty = std::io::stdout().is_terminal() && !cfg.plain;
    let started = Instant::now();
    let mut last_line = Instant::now();
    loop {
        if let Err(e) = stats.refresh(&owner_net).await {
            warn!(error = format!("{e:#}"), "could not refresh the view");
        }
        if tty {
            let mut out = std::io::stdout().lock();
            let _ =
                write!(out, "\x1b[H\x1b[2J{}", stats.render(&owner_net, started.elapsed(), true));
            let _ = out.flush();
        } else if last_line.elapsed() >= Duration::from_secs(5) {
            println!("{}", stats.line());
            last_line = Instant::now();
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
    let _ = stop_tx.send(true);
    let mut proving = ProvingSummary::default();
    let mut proving_ms = 0;
    for t in tasks {
        if let Ok(Ok(Ok(a))) = tokio::time::timeout(Duration::from_secs(10), t).await {
            proving.proofs += a.proofs;
            proving.rounds += a.proving_rounds;
            proving_ms += a.proving_ms;
            proving.max_round_ms = proving.max_round_ms.max(a.max_proving_ms);
        }
    }
    proving.mean_round_ms = proving_ms.checked_div(proving.rounds).unwrap_or(0);
    let _ = tokio::time::timeout(Duration::from_secs(10), source_task).await;
    let _ = stats.refresh(&owner_net).await;
    let _ = std::fs::remove_dir_all(run_dir.join(format!("run-{}", std::process::id())));
    // The chain dies with this devnet (and the next one reuses the same addresses): drop its
    // batch data too.
    let _ = std::fs::remove_dir_all(
        BatchStore::new(&cfg.proving.batch_data).network_dir(dep.chain_id, dep.network),
    );
    let mut text = if tty { "\x1b[H\x1b[2J".to_string() } else { String::new() };
    text += "devnet summary\n";
    text += &stats.render(&owner_net, started.elapsed(), false);
    text += &format!(
        "proving ({}): {} proofs in {} rounds, mean {} ms per round, longest {} ms\n",
        stats.totals.proof_backend,
        proving.proofs,
        proving.rounds,
        proving.mean_round_ms,
        proving.max_round_ms
    );
    Ok((Summary { totals: stats.totals.clone(), proving, provers: stats.provers.clone() }, text))
}

/// Posts a batch every `every` blocks once a selection list exists, and records failures
/// (`markFailed`) for batches whose race ended unproven: the rollup's side of the network.
async fn batch_source(
    net: Net,
    store: BatchStore,
    fee: U256,
    every: u64,
    mut stop: watch::Receiver<bool>,
) {
    let mut last_post = 0u64;
    let mut next_check = 1u64;
    let mut waited_from: Option<u64> = None;
    loop {
        if *stop.borrow() {
            return;
        }
        if let Err(e) =
            source_step(&net, &store, fee, every, &mut last_post, &mut next_check, &mut waited_from)
                .await
        {
            warn!(agent = "source", error = format!("{e:#}"), "batch source step failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            _ = stop.changed() => return,
        }
    }
}

async fn source_step(
    net: &Net,
    store: &BatchStore,
    fee: U256,
    every: u64,
    last_post: &mut u64,
    next_check: &mut u64,
    waited_from: &mut Option<u64>,
) -> Result<()> {
    let block = net.chain.block_number().await?;
    // Time out batches nobody proved, so their fee is refunded and they count as failed.
    let next_id: u64 = net.network.nextBatchId().call().await?;
    while *next_check < next_id {
        let b = net.network.batchOf(U256::from(*next_check)).call().await?;
        let live = matches!(b.status, status::ASSIGNED | status::OPEN | status::RACING);
        if live && block < b.raceDeadline.to::<u64>() {
            break;
        }
        if live && let Err(e) = ops::timeout(net, *next_check).await {
            warn!(
                agent = "source",
                batch = *next_check,
                error = format!("{e:#}"),
                "timeout failed"
            );
            break;
        }
        *next_check += 1;
    }
    if block < *last_post + every {
        return Ok(());
    }
    // Wait for the first selection list so early batches are assigned, not all raced (but do not
    // wait forever: with every prover offline, batches go straight to the race).
    let epoch = net.geo.epoch_of(block + 1);
    let listed =
        epoch > 0 && !net.network.rollOf(U256::from(epoch - 1)).call().await?.count.is_zero();
    let start = *waited_from.get_or_insert(block);
    if !listed && block < start + 3 * net.geo.length() {
        return Ok(());
    }
    // Random batch data (as a rollup's would be), stored where the provers look, committed with
    // Poseidon; the bare random commitment is enough for the insecure dev verifier.
    let posted = if net.dep.verifier_kind == "groth16" {
        ops::post_batch_data(net, store, &random_batch(), fee).await?.0
    } else {
        ops::post_batch(net, B256::random(), fee).await?
    };
    *last_post = block;
    info!(agent = "source", batch = posted.id, prover = %posted.prover, "posted batch");
    Ok(())
}

/// Random batch data of random length (1..=MAX_BATCH_BYTES).
fn random_batch() -> Vec<u8> {
    let len = 1
        + (u16::from_be_bytes([B256::random()[0], B256::random()[1]]) as usize)
            % provernet_zk::MAX_BATCH_BYTES;
    let mut data = Vec::with_capacity(len + 32);
    while data.len() < len {
        data.extend_from_slice(B256::random().as_slice());
    }
    data.truncate(len);
    data
}
