//! Every Prometheus metric a provernet prover fleet emits, named and described in one place, and
//! the HTTP exporter that serves them (`--metrics-addr`).
//!
//! Recording goes through the `metrics` facade: until [`serve`] installs the exporter in a
//! process, recording is a no-op, so library code records unconditionally. Token amounts are in
//! whole tokens (the 18-decimal on-chain amount divided by 1e18) because Prometheus values are
//! floats.
//!
//! The Grafana dashboard `fleet/grafana/provernet.json` queries these names; a test scrapes the
//! real endpoint and checks that every panel's metrics are there.

use crate::{error::FleetError, job::QueueDepth};
use ::metrics::{
    Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;

/// Monotonic counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    /// Proofs made by this process (worker, or agent proving in-process).
    ProofsMade,
    /// Jobs newly put on the queue (duplicates not counted).
    JobsEnqueued,
    /// Job deliveries beyond the first (a worker died, stalled or gave a job back).
    JobsRedelivered,
    /// Jobs dropped unproven because their deadline had passed.
    JobsExpired,
    /// Jobs whose proving failed for good.
    JobsFailed,
    /// Proof jobs the agent gave up because their window closed before the proof came back.
    JobsCancelled,
    /// Batches assigned to this prover by the draw.
    AssignmentsWon,
    /// Assigned batches proven in time.
    AssignmentsProven,
    /// Assigned batches whose proof deadline passed unproven.
    AssignmentsMissed,
    /// Emergency races this prover sent a proof for.
    RacesEntered,
    /// Emergency races this prover won.
    RacesWon,
    /// Epoch commitments sent.
    Commits,
    /// Epoch reveals sent.
    Reveals,
    /// Failed RPC calls.
    RpcErrors,
    /// Switches to another RPC endpoint.
    RpcFailovers,
    /// Stuck transactions replaced with a bumped fee.
    TransactionsReplaced,
}

impl Counter {
    /// Every counter.
    pub const ALL: [Self; 16] = [
        Self::ProofsMade,
        Self::JobsEnqueued,
        Self::JobsRedelivered,
        Self::JobsExpired,
        Self::JobsFailed,
        Self::JobsCancelled,
        Self::AssignmentsWon,
        Self::AssignmentsProven,
        Self::AssignmentsMissed,
        Self::RacesEntered,
        Self::RacesWon,
        Self::Commits,
        Self::Reveals,
        Self::RpcErrors,
        Self::RpcFailovers,
        Self::TransactionsReplaced,
    ];

    /// Metric name and help text.
    pub fn spec(self) -> (&'static str, &'static str) {
        match self {
            Self::ProofsMade => ("provernet_proofs_total", "Proofs made by this process"),
            Self::JobsEnqueued => ("provernet_jobs_enqueued_total", "Proof jobs put on the queue"),
            Self::JobsRedelivered => {
                ("provernet_jobs_redelivered_total", "Proof job deliveries beyond the first")
            }
            Self::JobsExpired => {
                ("provernet_jobs_expired_total", "Proof jobs dropped because their deadline passed")
            }
            Self::JobsFailed => ("provernet_jobs_failed_total", "Proof jobs that failed for good"),
            Self::JobsCancelled => (
                "provernet_jobs_cancelled_total",
                "Proof jobs given up because their window closed before the proof came back",
            ),
            Self::AssignmentsWon => {
                ("provernet_assignments_won_total", "Batches assigned to this prover")
            }
            Self::AssignmentsProven => {
                ("provernet_assignments_proven_total", "Assigned batches proven in time")
            }
            Self::AssignmentsMissed => (
                "provernet_assignments_missed_total",
                "Assigned batches whose deadline passed unproven",
            ),
            Self::RacesEntered => ("provernet_races_entered_total", "Emergency races entered"),
            Self::RacesWon => ("provernet_races_won_total", "Emergency races won"),
            Self::Commits => ("provernet_commits_total", "Epoch commitments sent"),
            Self::Reveals => ("provernet_reveals_total", "Epoch reveals sent"),
            Self::RpcErrors => ("provernet_rpc_errors_total", "Failed RPC calls"),
            Self::RpcFailovers => {
                ("provernet_rpc_failovers_total", "Switches to another RPC endpoint")
            }
            Self::TransactionsReplaced => (
                "provernet_transactions_replaced_total",
                "Stuck transactions replaced with a higher fee",
            ),
        }
    }

    /// Adds `by`.
    pub fn increment(self, by: u64) {
        counter!(self.spec().0).increment(by);
    }
}

/// Current values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gauge {
    /// Jobs waiting for a worker.
    JobsQueued,
    /// Jobs delivered and not yet acknowledged.
    JobsInFlight,
    /// The prover's stake, in tokens.
    Stake,
    /// The prover's reputation score.
    Reputation,
    /// Rewards the prover can claim, in tokens.
    Claimable,
}

impl Gauge {
    /// Every gauge.
    pub const ALL: [Self; 5] =
        [Self::JobsQueued, Self::JobsInFlight, Self::Stake, Self::Reputation, Self::Claimable];

    /// Metric name and help text.
    pub fn spec(self) -> (&'static str, &'static str) {
        match self {
            Self::JobsQueued => ("provernet_jobs_queued", "Proof jobs waiting for a worker"),
            Self::JobsInFlight => {
                ("provernet_jobs_in_flight", "Proof jobs delivered and not yet acked")
            }
            Self::Stake => ("provernet_stake_tokens", "Stake of the prover, in tokens"),
            Self::Reputation => ("provernet_reputation", "Reputation of the prover"),
            Self::Claimable => ("provernet_claimable_tokens", "Claimable rewards, in tokens"),
        }
    }

    /// Sets the value.
    pub fn set(self, value: f64) {
        gauge!(self.spec().0).set(value);
    }
}

/// Distributions, exported as Prometheus histograms (`_bucket`, `_sum`, `_count`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Histogram {
    /// Wall time of one proving call.
    ProvingSeconds,
    /// Enqueue to a worker taking the job up.
    JobWaitSeconds,
}

impl Histogram {
    /// Every histogram.
    pub const ALL: [Self; 2] = [Self::ProvingSeconds, Self::JobWaitSeconds];

    /// Metric name, help text and bucket bounds (seconds).
    pub fn spec(self) -> (&'static str, &'static str, &'static [f64]) {
        match self {
            // A 1-batch Groth16 proof takes ~0.1-0.3 s on a laptop core, 8 batches a few seconds.
            Self::ProvingSeconds => (
                "provernet_proving_seconds",
                "Wall time of one proof",
                &[0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0],
            ),
            // An idle worker takes a job within milliseconds; seconds mean jobs wait for workers.
            Self::JobWaitSeconds => (
                "provernet_job_wait_seconds",
                "Time from enqueue to a worker starting the job (after its result check)",
                &[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                    30.0,
                ],
            ),
        }
    }

    /// Records one observation.
    pub fn record(self, value: f64) {
        histogram!(self.spec().0).record(value);
    }
}

/// Why the network penalised the prover (a label of the penalty metrics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PenaltyCause {
    /// Committed in an epoch but did not reveal.
    NonReveal,
    /// An assigned batch's proof deadline passed (slash).
    MissedProof,
    /// An assigned batch's proof deadline passed, but the prover was already slashed for a miss
    /// whose deadline fell in the same epoch: reputation only, no stake (`SlashCapped`).
    MissedProofCapped,
}

impl PenaltyCause {
    /// Every cause.
    pub const ALL: [Self; 3] = [Self::NonReveal, Self::MissedProof, Self::MissedProofCapped];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NonReveal => "non_reveal",
            Self::MissedProof => "missed_proof",
            Self::MissedProofCapped => "missed_proof_capped",
        }
    }

    /// Whether the cause is a missed assignment (counted in `provernet_assignments_missed_total`).
    pub fn is_missed_proof(self) -> bool {
        matches!(self, Self::MissedProof | Self::MissedProofCapped)
    }
}

/// Penalty count, labelled by `cause`.
pub const PENALTIES: &str = "provernet_penalties_total";
/// Tokens lost to penalties, labelled by `cause`.
pub const PENALTY_TOKENS: &str = "provernet_penalised_tokens";

/// Records a penalty of `tokens` for `cause`.
pub fn penalty(cause: PenaltyCause, tokens: f64) {
    counter!(PENALTIES, "cause" => cause.as_str()).increment(1);
    // Token amounts are fractional: a float counter, kept monotonic by adding only.
    gauge!(PENALTY_TOKENS, "cause" => cause.as_str()).increment(tokens);
}

/// Every metric name the exporter serves (histograms by their base name).
pub fn all_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Counter::ALL.iter().map(|c| c.spec().0).collect();
    names.extend(Gauge::ALL.iter().map(|g| g.spec().0));
    names.extend(Histogram::ALL.iter().map(|h| h.spec().0));
    names.extend([PENALTIES, PENALTY_TOKENS]);
    names
}

pub(crate) fn proof_made(seconds: f64) {
    Counter::ProofsMade.increment(1);
    Histogram::ProvingSeconds.record(seconds);
}

pub(crate) fn job_wait(seconds: f64) {
    Histogram::JobWaitSeconds.record(seconds);
}

pub(crate) fn job_enqueued() {
    Counter::JobsEnqueued.increment(1);
}

pub(crate) fn job_redelivered() {
    Counter::JobsRedelivered.increment(1);
}

pub(crate) fn job_expired() {
    Counter::JobsExpired.increment(1);
}

pub(crate) fn job_failed() {
    Counter::JobsFailed.increment(1);
}

pub(crate) fn queue_depth(depth: &QueueDepth) {
    Gauge::JobsQueued.set(depth.queued as f64);
    Gauge::JobsInFlight.set(depth.in_flight as f64);
}

/// The running exporter.
#[derive(Debug)]
pub struct MetricsExporter {
    addr: SocketAddr,
    handle: PrometheusHandle,
}

impl MetricsExporter {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The current scrape body (what `GET /metrics` returns).
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

/// Installs the process-wide recorder and serves the Prometheus text format on `addr` (any path,
/// e.g. `http://ADDR/metrics`). Call once per process, inside a Tokio runtime. Every metric is
/// registered at zero so that dashboards and alerts see it before its first event.
pub fn serve(addr: SocketAddr) -> Result<MetricsExporter, FleetError> {
    let fail = |reason: String| FleetError::Metrics { addr, reason };
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(fail("the exporter must be started inside a Tokio runtime".into()));
    }
    let mut builder = PrometheusBuilder::new().with_http_listener(addr);
    for h in Histogram::ALL {
        let (name, _, buckets) = h.spec();
        builder = builder
            .set_buckets_for_metric(Matcher::Full(name.to_owned()), buckets)
            .map_err(|e| fail(e.to_string()))?;
    }
    let (recorder, exporter) = builder.build().map_err(|e| fail(e.to_string()))?;
    let handle = recorder.handle();
    ::metrics::set_global_recorder(recorder).map_err(|_| {
        fail(
            "a metrics recorder is already installed in this process: start the exporter once"
                .into(),
        )
    })?;
    tokio::spawn(exporter);
    describe_and_register();
    Ok(MetricsExporter { addr, handle })
}

fn describe_and_register() {
    for c in Counter::ALL {
        let (name, help) = c.spec();
        describe_counter!(name, Unit::Count, help);
        c.increment(0);
    }
    for g in Gauge::ALL {
        let (name, help) = g.spec();
        describe_gauge!(name, help);
        gauge!(name).increment(0.0);
    }
    for h in Histogram::ALL {
        let (name, help, _) = h.spec();
        describe_histogram!(name, Unit::Seconds, help);
        let _ = histogram!(name);
    }
    describe_counter!(PENALTIES, Unit::Count, "Penalties suffered, by cause");
    describe_gauge!(PENALTY_TOKENS, "Tokens lost to penalties, by cause (only ever increases)");
    for cause in PenaltyCause::ALL {
        counter!(PENALTIES, "cause" => cause.as_str()).increment(0);
        gauge!(PENALTY_TOKENS, "cause" => cause.as_str()).increment(0.0);
    }
}
