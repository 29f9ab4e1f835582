//! Simulation sweeps over the fleet's job queue (`provernet sim sweep --queue URL`): both sides of
//! the `sim-cell` task. The sweep enqueues one task per cell ([`QueueCells`]), any
//! `provernet worker --queue URL` runs it with the simulator ([`sim_cell_task`]) and stores the
//! summary, and the sweep collects the summaries and writes the same files as a local sweep.
//!
//! The cell and its run are the simulator's own ([`provernet_sim::cell::Point`]): this module only
//! carries them. Delivery is the queue's: a worker that dies mid-cell leaves the task unacked and
//! another worker runs it after the redelivery timeout; a cell finished twice keeps its first
//! summary (the run is deterministic, so both are the same anyway).

use std::{collections::HashMap, sync::Arc, time::Duration};

use eyre::{Result, WrapErr, bail, eyre};
use futures_util::StreamExt;
use provernet_fleet::{
    FleetError, JobId, JobResult, Outcome, ProveError, Queue, QueueConfig, TaskFn, TaskJob,
};
use provernet_sim::{
    cell::{CellRunner, Point, Progress, decode_summary, encode_summary},
    metrics::Summary,
};

/// The task kind of one sweep cell.
pub const SIM_CELL: &str = "sim-cell";

/// After this long with cells waiting and none in flight, the progress line says to start workers.
const IDLE_HINT: Duration = Duration::from_secs(10);

/// The worker's handler for `sim-cell` tasks: decodes the cell, runs it, returns its summary.
/// A failing cell fails for good (the simulation is deterministic: another worker would fail the
/// same way).
pub fn sim_cell_task() -> TaskFn {
    Arc::new(|job: &TaskJob| {
        let fail = |message: String| ProveError { message, retryable: false };
        let cell = Point::decode(&job.payload).map_err(|e| fail(format!("{e:#}")))?;
        let summary =
            cell.run().map_err(|e| fail(format!("run {} failed: {e:#}", cell.describe())))?;
        encode_summary(&summary).map_err(|e| fail(format!("{e:#}")))
    })
}

/// Runs a sweep's cells on the workers of the queue at a URL.
#[derive(Debug, Clone)]
pub struct QueueCells {
    url: String,
    cfg: QueueConfig,
}

impl QueueCells {
    /// Cells over the queue at `url`, with the default queue names and timings.
    pub fn new(url: &str) -> Self {
        Self { url: url.to_owned(), cfg: QueueConfig::default() }
    }
}

impl CellRunner for QueueCells {
    fn run_cells(&self, cells: &[Point], progress: &Progress) -> Result<Vec<Summary>> {
        // `sim` commands run outside the CLI's async runtime (the simulator is synchronous).
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .wrap_err("while starting the queue client's runtime")?;
        rt.block_on(self.run(cells, progress))
    }
}

impl QueueCells {
    async fn run(&self, cells: &[Point], progress: &Progress) -> Result<Vec<Summary>> {
        let queue = Queue::connect_with(&self.url, self.cfg.clone()).await.map_err(fleet)?;
        // Cells with the same scenario and seed are one job (same id): each id lists its cells.
        let mut cells_of: HashMap<JobId, Vec<usize>> = HashMap::new();
        for (i, cell) in cells.iter().enumerate() {
            let (id, _) =
                queue.enqueue_task(TaskJob::new(SIM_CELL, cell.encode()?)).await.map_err(fleet)?;
            cells_of.entry(id).or_default().push(i);
        }
        progress.note(format!("{} cells queued at {}", cells_of.len(), self.url));
        let mut summaries: Vec<Option<Summary>> = vec![None; cells.len()];
        let mut pending = cells_of.len();
        let mut ticker = tokio::time::interval(Duration::from_secs(1));
        let mut idle_since = tokio::time::Instant::now();
        while pending > 0 {
            // The feed replays the stored results first, so resubscribing after an error (a
            // server restart) misses nothing.
            let feed = match queue.results().await {
                Ok(feed) => feed,
                Err(e) => {
                    progress.note(format!("waiting for the queue: {e}"));
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            let mut feed = std::pin::pin!(feed);
            while pending > 0 {
                tokio::select! {
                    r = feed.next() => match r {
                        Some(Ok(result)) => {
                            let Some(idx) = cells_of.get(&result.id) else { continue };
                            if summaries[idx[0]].is_some() {
                                continue;
                            }
                            let summary = summary_of(cells, idx[0], result)?;
                            for &i in idx {
                                summaries[i] = Some(summary.clone());
                            }
                            pending -= 1;
                            progress.set_done(summaries.iter().filter(|s| s.is_some()).count() as u64);
                        }
                        Some(Err(e)) => {
                            progress.note(format!("results feed failed ({e}); resubscribing"));
                            break;
                        }
                        None => break,
                    },
                    _ = ticker.tick() => {
                        if let Ok(d) = queue.depth().await {
                            if d.in_flight > 0 || d.queued == 0 {
                                idle_since = tokio::time::Instant::now();
                            }
                            let hint = if idle_since.elapsed() >= IDLE_HINT {
                                format!("; no worker is taking cells: start `provernet worker --queue {}`", self.url)
                            } else {
                                String::new()
                            };
                            progress.note(format!(
                                "queue: {} waiting, {} running, {} redelivered{hint}",
                                d.queued, d.in_flight, d.redelivered
                            ));
                        }
                    }
                }
            }
        }
        // The results stay in the bucket until it expires them (`results_max_age`, 24 h): another
        // sweep waiting for the same cells at the same time must still find them, and a rerun
        // reuses them.
        Ok(summaries.into_iter().map(|s| s.expect("every cell has its summary")).collect())
    }
}

/// The summary in a cell's result, or why the cell has none.
fn summary_of(cells: &[Point], i: usize, result: JobResult) -> Result<Summary> {
    let cell = cells[i].describe();
    match result.outcome {
        Outcome::Done { output, .. } => decode_summary(&output)
            .wrap_err_with(|| format!("cell {cell}: the summary from worker {}", result.worker)),
        Outcome::Failed { error } => {
            bail!("cell {cell} failed on worker {}: {error}", result.worker)
        }
        other => {
            bail!("cell {cell}: worker {} answered {other:?} instead of a summary", result.worker)
        }
    }
}

fn fleet(e: FleetError) -> eyre::Report {
    eyre!("{e}")
}
