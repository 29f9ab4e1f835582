//! The devnet's batch source, the rollup's side of the network: prepays fees for a thousand
//! batches at a time (`depositFees`), posts a batch of random data every few blocks once a
//! selection list exists, and times out (`markFailed`) batches whose race ended unproven, which
//! settles them and refunds their fee into the source's fee balance. It answers data challenges on
//! its batches (`DataChallenged`) by publishing the data it holds (`answerChallenge`).

use std::time::Duration;

use alloy::primitives::{B256, U256};
use eyre::Result;
use tokio::sync::watch;
use tracing::{info, warn};

use provernet_bindings::BatchStatus;

use crate::{net::Net, ops, proof::BatchStore};

/// How many batches' fees the source prepays at a time.
const PREPAID_BATCHES: u64 = 1000;

/// How often the source looks at the chain.
const POLL: Duration = Duration::from_millis(250);

/// The batch source's settings and progress.
pub(crate) struct BatchSource {
    net: Net,
    store: BatchStore,
    fee: U256,
    every: u64,
    last_post: u64,
    next_check: u64,
    waited_from: Option<u64>,
    /// The first block whose `DataChallenged` events are still to be read.
    challenges_from: u64,
}

impl BatchSource {
    /// A source posting through `net` (an authorised batch source's signer) a batch paying `fee`
    /// every `every` blocks, writing batch data to `store`.
    pub(crate) fn new(net: Net, store: BatchStore, fee: U256, every: u64) -> Self {
        let challenges_from = net.dep.deploy_block;
        Self {
            net,
            store,
            fee,
            every,
            last_post: 0,
            next_check: 1,
            waited_from: None,
            challenges_from,
        }
    }

    /// Runs until `stop` turns true; failed steps are logged and retried.
    pub(crate) async fn run(mut self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            if let Err(e) = self.step().await {
                warn!(agent = "source", error = format!("{e:#}"), "batch source step failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = stop.changed() => return,
            }
        }
    }

    async fn step(&mut self) -> Result<()> {
        let block = self.net.chain.block_number().await?;
        self.time_out_expired(block).await?;
        self.answer_challenges(block).await?;
        if block < self.last_post + self.every {
            return Ok(());
        }
        // Wait for the first selection list so early batches are assigned, not all raced (but do
        // not wait forever: with every prover offline, batches go straight to the race).
        let net = &self.net;
        let epoch = net.geo.epoch_of(block + 1);
        let listed =
            epoch > 0 && !net.network.rollOf(U256::from(epoch - 1)).call().await?.count.is_zero();
        let start = *self.waited_from.get_or_insert(block);
        if !listed && block < start + 3 * net.geo.length() {
            return Ok(());
        }
        if ops::fee_account(net, net.chain.signer()?).await?.balance < self.fee {
            let r = ops::deposit_fees(net, self.fee * U256::from(PREPAID_BATCHES)).await?;
            info!(agent = "source", "{}", r.human);
        }
        // Random batch data (as a rollup's would be), stored where the provers look, committed
        // with Poseidon; the bare random commitment is enough for the insecure dev verifier.
        let posted = if net.dep.verifier_kind == "groth16" {
            ops::post_batch_data(net, &self.store, &random_batch(), self.fee).await?.0
        } else {
            ops::post_batch(net, B256::random(), self.fee).await?
        };
        self.last_post = block;
        info!(agent = "source", batch = posted.id, prover = %posted.prover, "posted batch");
        Ok(())
    }

    /// Times out, in id order, the batches whose race is over: they count as failed and their fee
    /// goes back into the source's prepaid fee balance.
    async fn time_out_expired(&mut self, block: u64) -> Result<()> {
        let net = &self.net;
        let next_id: u64 = net.network.nextBatchId().call().await?.saturating_to();
        while self.next_check < next_id {
            let b = net.network.batchOf(U256::from(self.next_check)).call().await?;
            let live = matches!(
                BatchStatus::try_from(b.status),
                Ok(BatchStatus::Assigned | BatchStatus::Open | BatchStatus::Racing)
            );
            if live && block < b.raceDeadline.to::<u64>() {
                break;
            }
            if live && let Err(e) = ops::timeout(net, self.next_check).await {
                warn!(
                    agent = "source",
                    batch = self.next_check,
                    error = format!("{e:#}"),
                    "timeout failed"
                );
                break;
            }
            self.next_check += 1;
        }
        Ok(())
    }
}

impl BatchSource {
    /// Answers the challenges on this source's batches mined since the last look, publishing the
    /// data it stored when posting. A batch whose data it does not hold is left to be voided.
    async fn answer_challenges(&mut self, block: u64) -> Result<()> {
        use alloy::{providers::Provider, rpc::types::Filter, sol_types::SolEvent};
        use provernet_bindings::ProverNetwork;
        if block < self.challenges_from {
            return Ok(());
        }
        let net = &self.net;
        let me = net.chain.signer()?;
        let filter = Filter::new()
            .address(net.dep.network)
            .event_signature(ProverNetwork::DataChallenged::SIGNATURE_HASH)
            .from_block(self.challenges_from)
            .to_block(block);
        for log in net.chain.provider.get_logs(&filter).await? {
            let Ok(ev) = log.log_decode::<ProverNetwork::DataChallenged>() else { continue };
            let id: u64 = ev.inner.data.batchId.saturating_to();
            let b = net.network.batchOf(U256::from(id)).call().await?;
            if b.poster != me || b.status != ops::status::CHALLENGED {
                continue;
            }
            let Ok(data) = self.store.get(net.chain.chain_id, net.dep.network, b.commitment) else {
                warn!(
                    agent = "source",
                    batch = id,
                    "challenged, but the source has no data for it"
                );
                continue;
            };
            match ops::challenge::answer(net, &self.store, id, &data).await {
                Ok(r) => info!(agent = "source", batch = id, "{}", r.human),
                Err(e) => {
                    warn!(agent = "source", batch = id, error = format!("{e:#}"), "answer failed")
                }
            }
        }
        self.challenges_from = block + 1;
        Ok(())
    }
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
