//! `provernet sim run|sweep|sensitivity|bench|report|figures`: the command line over
//! [`crate::engine`], [`crate::sweep`], [`crate::sensitivity`], [`crate::html_report`] and
//! [`crate::figures`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use eyre::{Result, WrapErr};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cell::{CellRunner, LocalCells};
use crate::figures::{self, Manifest};
use crate::provenance::{self, Provenance};
use crate::scenario::Scenario;
use crate::{engine, html_report, output, sensitivity, sweep};

/// Simulation commands.
#[derive(Debug, clap::Subcommand)]
pub enum SimCommand {
    /// Run one scenario and write summary.json, timeseries.csv, provers.csv and plots.
    Run(RunArgs),
    /// Run a parameter grid over many seeds in parallel and write a table, statistics with 95%
    /// intervals and comparison plots.
    Sweep(SweepArgs),
    /// Rank which inputs drive each KPI: Latin-hypercube points over the spec's ranges, each over
    /// a few seeds; rank regression (SRRC, PRCC) with bootstrap intervals and regression trees.
    Sensitivity(SensitivityArgs),
    /// Measure run time against provers and batches (the scale benchmark).
    Bench(BenchArgs),
    /// Write one self-contained HTML page (statistics, runs, plots, provenance) for a sweep or
    /// run folder.
    Report(ReportArgs),
    /// Regenerate the shipped figures listed in sim/figures.toml (or, with --check, only check that
    /// they were made on the current contracts).
    Figures(FiguresArgs),
}

/// `sim run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML); see scenarios/.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Record the run's wall-clock time as 0 (`wall_seconds`), so that its files depend only on
    /// the scenario, the seed and the contracts.
    #[arg(long)]
    pub reproducible: bool,
}

/// `sim sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Base scenario file (TOML).
    #[arg(long)]
    pub scenario: PathBuf,
    /// Grid file (TOML): `[[axis]] key = "provers.count" values = [...]`. Without one, the
    /// scenario itself runs over the seeds.
    #[arg(long)]
    pub grid: Option<PathBuf>,
    /// Seeds per point: 1..=N, the same at every point (overrides the grid's `seeds`; default: the
    /// grid's, else 1..=20).
    #[arg(long, value_parser = clap::value_parser!(u64).range(2..))]
    pub seeds: Option<u64>,
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Where the runs go.
    #[command(flatten)]
    pub cells: CellArgs,
    /// Record every run's wall-clock time as 0 (`wall_s`, `wall_seconds`, the run-time panel), so
    /// the outputs depend only on the scenario, grid and seeds: two sweeps, local or over a queue,
    /// write byte-identical files.
    #[arg(long)]
    pub reproducible: bool,
}

/// `sim sensitivity`.
#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// Base scenario file (TOML).
    #[arg(long)]
    pub scenario: PathBuf,
    /// Spec file (TOML): the inputs' ranges, samples, seeds and KPIs (see
    /// scenarios/sensitivity.toml).
    #[arg(long)]
    pub spec: PathBuf,
    /// Output folder: sensitivity.json/.md, samples.csv, tornado.svg/png.
    #[arg(long)]
    pub out: PathBuf,
    /// Where the runs go.
    #[command(flatten)]
    pub cells: CellArgs,
}

/// Where a sweep's or a sensitivity analysis's runs go: this machine's cores or a job queue.
#[derive(Debug, clap::Args)]
pub struct CellArgs {
    /// Parallel runs (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// Run the cells on the workers of a job queue instead of this machine's cores: a NATS server
    /// with JetStream, served by `provernet worker --queue URL` on any number of machines. The
    /// outputs are the same as a local run's.
    #[arg(long, value_name = "URL", conflicts_with = "jobs")]
    pub queue: Option<String>,
}

/// `sim bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Prover counts to time.
    #[arg(long, value_delimiter = ',', default_value = "10,100,1000")]
    pub provers: Vec<usize>,
    /// Batch counts to time.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    pub batches: Vec<u64>,
    /// Base scenario (default: scenarios/baseline.toml's settings built in).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Also write the markdown table here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `sim report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The folder a sweep or a run wrote (its --out).
    #[arg(long, visible_alias = "run", value_name = "DIR")]
    pub sweep: PathBuf,
    /// The page to write (default: DIR/report.html).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `sim figures`.
#[derive(Debug, clap::Args)]
pub struct FiguresArgs {
    /// The manifest (paths in it are relative to the current folder: run from the repository root).
    #[arg(long, default_value = figures::MANIFEST)]
    pub manifest: PathBuf,
    /// Regenerate only these figures (folder names, e.g. seeds-baseline); repeatable.
    #[arg(long, value_name = "NAME")]
    pub only: Vec<String>,
    /// Regenerate nothing: fail if a shipped figure was made on other contracts, is missing, or a
    /// folder under docs/sim/ is not in the manifest.
    #[arg(long, conflicts_with = "only")]
    pub check: bool,
}

/// Makes the runner of `sim sweep --queue URL` for a URL (the queue client lives outside this
/// crate, in the `provernet` binary).
pub type QueueRunners<'a> = &'a dyn Fn(&str) -> Result<Box<dyn CellRunner>>;

/// Runs a simulation command (`sim sweep --queue` is refused: see [`run_with`]).
pub fn run(cmd: SimCommand) -> Result<ExitCode> {
    run_with(cmd, None)
}

/// Runs a simulation command; `queue` serves `sim sweep --queue URL`. The outputs record this
/// process's command line.
pub fn run_with(cmd: SimCommand, queue: Option<QueueRunners<'_>>) -> Result<ExitCode> {
    dispatch(cmd, queue, &provenance::this_command())
}

/// Runs a simulation command whose outputs record `command` as the line that produced them.
fn dispatch(cmd: SimCommand, queue: Option<QueueRunners<'_>>, command: &str) -> Result<ExitCode> {
    match cmd {
        SimCommand::Run(a) => run_one(a, command),
        SimCommand::Sweep(a) => run_sweep(a, queue, command),
        SimCommand::Sensitivity(a) => run_sensitivity(a, queue, command),
        SimCommand::Bench(a) => run_bench(a),
        SimCommand::Report(a) => run_report(a),
        SimCommand::Figures(a) => run_figures(a, queue),
    }
}

fn run_one(a: RunArgs, command: &str) -> Result<ExitCode> {
    let mut s = Scenario::load(&a.scenario)?;
    if let Some(seed) = a.seed {
        s.seed = seed;
    }
    let bar = if a.quiet { ProgressBar::hidden() } else { ProgressBar::new(s.duration.batches) };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg} [{bar:40}] {pos}/{len} batches resolved, {elapsed}, eta {eta}",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    bar.set_message(s.name.clone());
    let mut r = engine::run(&s, &|n| bar.set_position(n))
        .wrap_err_with(|| format!("while running scenario {}", s.name))?;
    bar.finish_and_clear();
    let wall_seconds = r.summary.wall_seconds;
    if a.reproducible {
        r.summary.wall_seconds = 0.0;
    }
    output::write_run(&a.out, &s, &r)?;
    Provenance::current(command).write(&a.out)?;
    let m = &r.summary;
    println!(
        "{}: {} batches in {} blocks, {:.1}% proven in window, {:.1}% rescued, {:.1}% failed; p95 time to proof {} blocks; \
         {:.2} batches per submitProof; {} transactions in {:.2} s; outputs in {}",
        s.name,
        m.liveness.posted,
        m.blocks,
        100.0 * m.liveness.share_proven,
        100.0 * m.liveness.share_rescued,
        100.0 * m.liveness.share_failed,
        m.time_to_proof.p95,
        m.gas.batches_per_proof,
        m.transactions,
        wall_seconds,
        a.out.display()
    );
    let p = &m.pools;
    if p.pools > 0 {
        println!(
            "{} pools, {} delegators: {:.0} tokens delegated ({:.1}% of bonded stake, {:.1}% in the top tenth of the pools); \
             delegators' return {:+.2}% over the run, {:.0}% of them in profit; pools.csv in {}",
            p.pools,
            p.delegators,
            p.delegated,
            100.0 * p.delegated_share,
            100.0 * p.top_pools_delegated_share,
            100.0 * p.delegator_return,
            100.0 * p.delegators_in_profit,
            a.out.display()
        );
    }
    let c = &m.checks;
    if !c.consistent() {
        eprintln!(
            "error: the simulation's bookkeeping disagrees with the chain (status match {}, revenue match {}, \
             fee balance match {}, tokens reconcile {}, pools reconcile {}, unexpected reverts {}: {:?}); the results above are not trustworthy",
            c.batch_status_matches,
            c.revenue_matches_claimable,
            c.fee_balance_matches,
            c.tokens_reconcile,
            c.pools_reconcile,
            c.unexpected_reverts,
            c.revert_samples
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The runner of a sweep's or a sensitivity run's cells: this machine's cores, or a job queue.
fn runner(
    cells: &CellArgs,
    queue: Option<QueueRunners<'_>>,
    command: &str,
) -> Result<Box<dyn CellRunner>> {
    Ok(match (cells.queue.as_deref(), queue) {
        (None, _) => Box::new(LocalCells { jobs: cells.jobs }),
        (Some(url), Some(connect)) => connect(url)?,
        (Some(_), None) => eyre::bail!(
            "--queue needs the job queue client of the `provernet` binary: run \
             `provernet sim {command} --queue URL ...` (this binary runs {command} cells locally only)"
        ),
    })
}

fn run_sensitivity(
    a: SensitivityArgs,
    queue: Option<QueueRunners<'_>>,
    command: &str,
) -> Result<ExitCode> {
    let base = Scenario::load(&a.scenario)?;
    let spec = sensitivity::Spec::load(&a.spec)?;
    let runner = runner(&a.cells, queue, "sensitivity")?;
    let started = Instant::now();
    let r = sensitivity::run(&base, &spec, &a.out, runner.as_ref())?;
    Provenance::current(command).write(&a.out)?;
    println!(
        "{} runs in {:.1} s; sensitivity.md/json, samples.csv and tornado.svg/png in {}",
        spec.samples * spec.seeds.len(),
        started.elapsed().as_secs_f64(),
        a.out.display()
    );
    for k in &r.kpis {
        let top: Vec<String> = k
            .ranking
            .iter()
            .take(3)
            .map(|e| {
                format!("{} {:+.2} [{:+.2}, {:+.2}]", e.input, e.srrc, e.srrc_ci.0, e.srrc_ci.1)
            })
            .collect();
        println!(
            "  {}: {}",
            k.kpi,
            if top.is_empty() { "did not vary".into() } else { top.join("; ") }
        );
    }
    if r.inconsistent_runs > 0 {
        eprintln!("error: {} runs disagree with the chain", r.inconsistent_runs);
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn run_sweep(a: SweepArgs, queue: Option<QueueRunners<'_>>, command: &str) -> Result<ExitCode> {
    let base = Scenario::load(&a.scenario)?;
    let mut grid = match &a.grid {
        Some(p) => sweep::Grid::load(p)?,
        None => sweep::Grid::replicates(),
    };
    if let Some(n) = a.seeds {
        grid.seeds = (1..=n).collect();
    }
    let runner = runner(&a.cells, queue, "sweep")?;
    let timing = if a.reproducible { sweep::Timing::Omitted } else { sweep::Timing::Measured };
    let started = Instant::now();
    let provenance = Provenance::current(command);
    let rows = sweep::run_on(&base, &grid, &a.out, runner.as_ref(), timing, &provenance)?;
    let bad = rows.iter().filter(|(_, s)| !s.checks.consistent()).count();
    println!(
        "{} runs in {:.1} s; table.csv, table.md, stats.md/csv/json, provenance.json and sweep.svg/png in {}",
        rows.len(),
        started.elapsed().as_secs_f64(),
        a.out.display()
    );
    if bad > 0 {
        eprintln!("error: {bad} runs disagree with the chain (see runs/*.json, field checks)");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn run_bench(a: BenchArgs) -> Result<ExitCode> {
    let base = match &a.scenario {
        Some(p) => Scenario::load(p)?,
        None => Scenario::parse("name = \"bench\"")?,
    };
    let mut table = String::from(
        "| provers | batches | blocks | transactions | wall s | tx/s |\n|---:|---:|---:|---:|---:|---:|\n",
    );
    println!("{}", table.trim_end());
    for &n in &a.provers {
        for &b in &a.batches {
            let mut s = base.clone();
            s.provers.count = n;
            s.duration.batches = b;
            s.validate()?;
            let r = engine::run(&s, &|_| {})?;
            let m = &r.summary;
            let row = format!(
                "| {n} | {b} | {} | {} | {:.2} | {:.0} |\n",
                m.blocks,
                m.transactions,
                m.wall_seconds,
                m.transactions as f64 / m.wall_seconds
            );
            print!("{row}");
            table.push_str(&row);
        }
    }
    if let Some(p) = &a.out {
        std::fs::write(p, &table).wrap_err_with(|| format!("while writing {}", p.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn run_report(a: ReportArgs) -> Result<ExitCode> {
    let (path, c) = html_report::write(&a.sweep, a.out.as_deref())
        .wrap_err_with(|| format!("while writing the report of {}", a.sweep.display()))?;
    println!("{}: {} plots and {} tables, self-contained", path.display(), c.plots.len(), c.tables);
    Ok(ExitCode::SUCCESS)
}

/// `sim figures`: the check, or every selected entry's command in turn, in this process.
fn run_figures(a: FiguresArgs, queue: Option<QueueRunners<'_>>) -> Result<ExitCode> {
    let manifest = Manifest::load(&a.manifest)?;
    if a.check {
        let problems = figures::check(Path::new("."), &manifest)?;
        for p in &problems {
            eprintln!("error: {p}");
        }
        println!(
            "{} shipped figures checked against bytecode hash {}: {} problems; {} folders await an entry",
            manifest.figure.len(),
            provenance::bytecode_hash(),
            problems.len(),
            manifest.awaiting_entry.len()
        );
        return Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    let selected = manifest.select(&a.only)?;
    let started = Instant::now();
    for (k, f) in selected.iter().enumerate() {
        let args = f.command();
        let line = provenance::command_line(&args);
        println!("[{}/{}] {}: {line}", k + 1, selected.len(), f.name());
        let recorded = provenance::recorded_command(&args);
        let cmd = parse_sim_args(&args)
            .wrap_err_with(|| format!("figure {} in {}", f.out, a.manifest.display()))?;
        // A figure is rewritten whole: a file an older version wrote but this one does not must
        // not survive next to the new ones.
        let out = Path::new(&f.out);
        if out.exists() {
            std::fs::remove_dir_all(out)
                .wrap_err_with(|| format!("while clearing {}", out.display()))?;
        }
        let one = Instant::now();
        let code =
            dispatch(cmd, queue, &recorded).wrap_err_with(|| format!("while making {}", f.out))?;
        if code != ExitCode::SUCCESS {
            eyre::bail!("{} failed (see above); the other figures were not regenerated", f.out);
        }
        println!(
            "[{}/{}] {} done in {:.0} s",
            k + 1,
            selected.len(),
            f.name(),
            one.elapsed().as_secs_f64()
        );
    }
    println!("{} figures regenerated in {:.0} s", selected.len(), started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// A manifest entry's arguments as the command they name (the parser of the command line itself).
fn parse_sim_args(args: &[String]) -> Result<SimCommand> {
    #[derive(clap::Parser)]
    #[command(name = "provernet sim")]
    struct Sim {
        #[command(subcommand)]
        cmd: SimCommand,
    }
    let parsed = <Sim as clap::Parser>::try_parse_from(
        std::iter::once("provernet sim".to_string()).chain(args.iter().cloned()),
    )
    .map_err(|e| eyre::eyre!("invalid arguments: {e}"))?;
    Ok(parsed.cmd)
}
