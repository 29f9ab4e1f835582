//! Proof generation behind one small interface, so the agent and the commands do not care whether
//! the deployment checks real Groth16 proofs or the development hash.
//!
//! Proving is CPU-bound and can take seconds, so callers run [`ProofBackend::prove_many`] on a
//! blocking thread ([`prove_blocking`]) and the async runtime (RPC polling, the devnet view, other
//! agents) stays responsive.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Instant,
};

use alloy::primitives::{Address, B256, Bytes};
use eyre::{Result, WrapErr, bail, eyre};
use provernet_zk::{KeySet, MAX_BATCH_BYTES, ProofRequest, PublicInputs};

/// Public inputs every proof binds (see `IProofVerifier`).
#[derive(Debug, Clone)]
pub struct ProofInput {
    /// Chain id the network lives on.
    pub chain_id: u64,
    /// The ProverNetwork contract that will ask the verifier.
    pub network: Address,
    /// The submitting prover (the proof is worthless to anyone else).
    pub prover: Address,
    /// First batch covered.
    pub first_batch_id: u64,
    /// Commitments of the covered batches, in batch-id order.
    pub commitments: Vec<B256>,
}

impl ProofInput {
    /// The inputs of a proof job (`provernet-zk`'s type).
    pub fn from_public(p: &PublicInputs) -> Self {
        Self {
            chain_id: p.chain_id,
            network: p.network,
            prover: p.prover,
            first_batch_id: p.first_batch_id,
            commitments: p.commitments.clone(),
        }
    }

    /// The same inputs in `provernet-zk`'s type (what a proof job carries).
    pub fn public_inputs(&self) -> PublicInputs {
        PublicInputs {
            chain_id: self.chain_id,
            network: self.network,
            prover: self.prover,
            first_batch_id: self.first_batch_id,
            commitments: self.commitments.clone(),
        }
    }
}

/// Something that turns public inputs into proof bytes the deployed verifier accepts.
pub trait ProofBackend: Send + Sync {
    /// Short name shown in logs and output.
    fn name(&self) -> &'static str;
    /// True when the proofs carry no security (development only).
    fn insecure(&self) -> bool;
    /// Produces one proof per input (in parallel where the backend can). Blocking: call it
    /// through [`prove_blocking`] from async code.
    fn prove_many(&self, inputs: &[ProofInput]) -> Vec<Result<Bytes>>;
    /// Whether `proof` is a valid proof of `input` (checked before submitting a proof made
    /// elsewhere, e.g. by a queue worker). Blocking (a pairing check for Groth16).
    fn verify(&self, input: &ProofInput, proof: &[u8]) -> Result<bool>;
    /// The batch data a proof of `input` needs, in commitment order (what a queue job carries so
    /// a worker on another machine needs no shared disk). Empty for backends that need no data.
    fn job_data(&self, input: &ProofInput) -> Result<Vec<Vec<u8>>>;
    /// Where the backend reads batch data; None for backends that need none.
    fn batch_store(&self) -> Option<&BatchStore> {
        None
    }
}

/// Runs `backend.prove_many` on a blocking thread; returns the proofs and the wall time taken.
pub async fn prove_blocking(
    backend: Arc<dyn ProofBackend>,
    inputs: Vec<ProofInput>,
) -> Result<(Vec<Result<Bytes>>, std::time::Duration)> {
    tokio::task::spawn_blocking(move || {
        let start = Instant::now();
        let proofs = backend.prove_many(&inputs);
        (proofs, start.elapsed())
    })
    .await
    .map_err(|e| eyre!("the proving thread failed: {e}"))
}

/// The InsecureDevVerifier's "proof": a domain-separated hash of the public inputs. Anyone can
/// compute it, which is exactly why it is for development only.
#[derive(Debug, Default, Clone, Copy)]
pub struct InsecureDevProof;

impl InsecureDevProof {
    /// The proof for one input ([`provernet_bindings::formulas::dev_proof`]).
    pub fn prove_one(input: &ProofInput) -> Bytes {
        let proof = provernet_bindings::formulas::dev_proof(
            input.chain_id,
            input.network,
            input.prover,
            input.first_batch_id,
            &input.commitments,
        );
        Bytes::copy_from_slice(proof.as_slice())
    }
}

impl ProofBackend for InsecureDevProof {
    fn name(&self) -> &'static str {
        "insecure-dev"
    }

    fn insecure(&self) -> bool {
        true
    }

    fn prove_many(&self, inputs: &[ProofInput]) -> Vec<Result<Bytes>> {
        inputs.iter().map(|i| Ok(Self::prove_one(i))).collect()
    }

    fn verify(&self, input: &ProofInput, proof: &[u8]) -> Result<bool> {
        Ok(Self::prove_one(input).as_ref() == proof)
    }

    fn job_data(&self, _input: &ProofInput) -> Result<Vec<Vec<u8>>> {
        Ok(Vec::new())
    }
}

// ------------------------------------------------------------------ batch data

/// The batch-data directory: `<root>/<chain-id>/<network>/<commitment>.bin`.
///
/// Batch data is not on chain (only its commitment is). The batch source writes each batch's data
/// here when it posts; provers read it back to build the witness. On one machine (devnet, tests)
/// the directory is shared; in production it is filled from the rollup's data-availability layer.
#[derive(Debug, Clone)]
pub struct BatchStore {
    root: PathBuf,
}

impl BatchStore {
    /// A store rooted at `root` (default `<data-dir>/batches`).
    pub fn new(root: &Path) -> Self {
        Self { root: root.to_path_buf() }
    }

    /// Where the data of `commitment` lives.
    pub fn path(&self, chain_id: u64, network: Address, commitment: B256) -> PathBuf {
        self.network_dir(chain_id, network).join(format!("{commitment:#x}.bin"))
    }

    /// Writes `data` under its commitment (atomically: a reader never sees a partial file).
    pub fn put(
        &self,
        chain_id: u64,
        network: Address,
        commitment: B256,
        data: &[u8],
    ) -> Result<PathBuf> {
        let path = self.path(chain_id, network, commitment);
        let dir = path.parent().expect("the path has a folder");
        std::fs::create_dir_all(dir)
            .wrap_err_with(|| format!("cannot create {}", dir.display()))?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, data).wrap_err_with(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path)
            .wrap_err_with(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }

    /// The folder holding one network's batch data.
    pub fn network_dir(&self, chain_id: u64, network: Address) -> PathBuf {
        self.root.join(chain_id.to_string()).join(format!("{network:#x}"))
    }

    /// Reads the data of `commitment` and checks it still hashes to it.
    pub fn get(&self, chain_id: u64, network: Address, commitment: B256) -> Result<Vec<u8>> {
        let path = self.path(chain_id, network, commitment);
        let data = std::fs::read(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                eyre!(
                    "no batch data for commitment {commitment} at {}: a real proof needs the batch's data. \
                     Fetch it from the rollup's data-availability layer into that file, or point \
                     --batch-data at the directory the batch source writes",
                    path.display()
                )
            } else {
                eyre!("cannot read the batch data {}: {e}", path.display())
            }
        })?;
        let actual = batch_commitment(&data)?;
        if actual != commitment {
            bail!(
                "the batch data at {} hashes to {actual}, not to the posted commitment {commitment}; \
                 the file is corrupt or belongs to another batch",
                path.display()
            );
        }
        Ok(data)
    }
}

/// The Poseidon commitment of batch data, with the circuit's size limit explained.
pub fn batch_commitment(data: &[u8]) -> Result<B256> {
    if data.len() > MAX_BATCH_BYTES {
        bail!(
            "the batch data is {} bytes but the proving circuit takes at most {MAX_BATCH_BYTES} bytes per batch; \
             split it into several batches",
            data.len()
        );
    }
    provernet_zk::batch_commitment(data).map_err(|e| eyre!("cannot commit to the batch data: {e}"))
}

// ------------------------------------------------------------------ Groth16

/// Real Groth16 (BN254) proofs over the batch data, for the `Groth16BatchVerifier`.
pub struct Groth16Proof {
    keys: Arc<KeySet>,
    store: BatchStore,
}

impl std::fmt::Debug for Groth16Proof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Groth16Proof").field("keys_id", &self.keys.keys_id()).finish()
    }
}

impl Groth16Proof {
    /// A backend proving with `keys`, reading batch data from `store`.
    pub fn new(keys: Arc<KeySet>, store: BatchStore) -> Self {
        Self { keys, store }
    }

    fn prove_inputs(&self, inputs: &[ProofInput]) -> Vec<Result<Bytes>> {
        // Read the data first (cheap, and a missing file is the likely failure), then prove every
        // complete request in one parallel call.
        let requests: Vec<Result<ProofRequest>> = inputs
            .iter()
            .map(|i| {
                let batches = i
                    .commitments
                    .iter()
                    .map(|c| self.store.get(i.chain_id, i.network, *c))
                    .collect::<Result<Vec<_>>>()?;
                Ok(ProofRequest { inputs: i.public_inputs(), batches })
            })
            .collect();
        let ready: Vec<ProofRequest> =
            requests.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
        let mut proofs = self.keys.prove_many(&ready).into_iter();
        requests
            .into_iter()
            .map(|r| match r {
                Ok(_) => match proofs.next() {
                    Some(Ok(p)) => Ok(Bytes::from(p)),
                    Some(Err(e)) => Err(eyre!("Groth16 proving failed: {e}")),
                    None => Err(eyre!("the prover returned fewer proofs than requests")),
                },
                Err(e) => Err(e),
            })
            .collect()
    }
}

impl ProofBackend for Groth16Proof {
    fn name(&self) -> &'static str {
        "groth16"
    }

    fn insecure(&self) -> bool {
        false
    }

    fn prove_many(&self, inputs: &[ProofInput]) -> Vec<Result<Bytes>> {
        self.prove_inputs(inputs)
    }

    fn verify(&self, input: &ProofInput, proof: &[u8]) -> Result<bool> {
        self.keys
            .verify(&input.public_inputs(), proof)
            .map_err(|e| eyre!("cannot check the Groth16 proof: {e}"))
    }

    fn batch_store(&self) -> Option<&BatchStore> {
        Some(&self.store)
    }

    fn job_data(&self, input: &ProofInput) -> Result<Vec<Vec<u8>>> {
        input
            .commitments
            .iter()
            .map(|c| self.store.get(input.chain_id, input.network, *c))
            .collect()
    }
}

/// Loads proving keys from `dir`, or (without `dir`) from `<data-dir>/keys/default`, running the
/// deterministic default development ceremony there on first use (a few seconds) and caching it.
pub fn load_keys(dir: Option<&Path>, data_dir: &Path) -> Result<KeySet> {
    if let Some(dir) = dir {
        return KeySet::load(dir).map_err(|e| {
            eyre!(
                "cannot load the proving keys from {}: {e}; make them with `provernet keys setup --out {}`",
                dir.display(),
                dir.display()
            )
        });
    }
    let dir = data_dir.join("keys").join("default");
    if dir.join(provernet_zk::MANIFEST_FILE).exists() {
        match KeySet::load(&dir) {
            Ok(k) if k.keys_id() == default_keys_id() => return Ok(k),
            Ok(_) => {
                tracing::warn!(dir = %dir.display(), "cached default keys have an unexpected id; regenerating")
            }
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "cached default keys unreadable; regenerating")
            }
        }
    }
    tracing::info!(dir = %dir.display(), "running the default (INSECURE, public-seed) dev key ceremony once");
    let keys = KeySet::dev_setup(provernet_zk::dev_ceremony_seed())
        .map_err(|e| eyre!("the dev key ceremony failed: {e}"))?;
    keys.save(&dir).map_err(|e| eyre!("cannot cache the keys in {}: {e}", dir.display()))?;
    Ok(keys)
}

/// The KEYS_ID embedded in the bundled `Groth16BatchVerifier` bytecode (the default ceremony's).
pub fn default_keys_id() -> B256 {
    bundled_keys_id().expect("the bundled verifier embeds its KEYS_ID")
}

/// Finds the `KEYS_ID` constant in the bundled verifier's creation code: it is the 32-byte word of
/// the generated source's `KEYS_ID = 0x...` line, which the compiler emits as a PUSH32 operand.
fn bundled_keys_id() -> Option<B256> {
    const SOURCE: &str = include_str!("../../zk/solidity/Groth16BatchVerifier.sol");
    let line = SOURCE.lines().find(|l| l.contains("bytes32 public constant KEYS_ID"))?;
    let hex = line.split('=').nth(1)?.trim().trim_end_matches(';').trim();
    let id: B256 = hex.parse().ok()?;
    bytecode_embeds(id).then_some(id)
}

/// Whether the bundled verifier's bytecode embeds `keys_id` (as its KEYS_ID constant).
pub fn bytecode_embeds(keys_id: B256) -> bool {
    provernet_bindings::Groth16BatchVerifier::BYTECODE
        .windows(33)
        .any(|w| w[0] == 0x7f && w[1..] == keys_id.0)
}

/// The proof backend a deployment's verifier expects. `keys` and `store` are used (and keys
/// loaded) only for Groth16.
pub fn backend_for(
    verifier_kind: &str,
    keys: impl FnOnce() -> Result<Arc<KeySet>>,
    store: BatchStore,
) -> Result<Arc<dyn ProofBackend>> {
    match verifier_kind {
        "insecure-dev" => Ok(Arc::new(InsecureDevProof)),
        "groth16" => Ok(Arc::new(Groth16Proof::new(keys()?, store))),
        other => bail!(
            "the deployment uses verifier kind {other:?}, which this provernet build cannot prove for \
             (known: groth16, insecure-dev)"
        ),
    }
}

/// Where a prover finds its keys and the batch data.
#[derive(Debug, Clone)]
pub struct ProvingSetup {
    /// `--keys DIR`, or None for the cached default dev keys.
    pub keys_dir: Option<PathBuf>,
    /// The data directory (holds `keys/default`).
    pub data_dir: PathBuf,
    /// The batch-data root.
    pub batch_data: PathBuf,
}

impl ProvingSetup {
    /// Loads (or, the first time, generates) the keys on a blocking thread.
    pub async fn load_keys(&self) -> Result<Arc<KeySet>> {
        let (dir, data) = (self.keys_dir.clone(), self.data_dir.clone());
        let keys = tokio::task::spawn_blocking(move || load_keys(dir.as_deref(), &data))
            .await
            .map_err(|e| eyre!("the key loading thread failed: {e}"))??;
        Ok(Arc::new(keys))
    }

    /// The backend for `net`'s verifier. For Groth16 the keys are loaded and checked against the
    /// KEYS_ID of the verifier the network actually calls (governance may have replaced it), so a
    /// key mismatch is reported up front instead of as rejected proofs.
    pub async fn backend(&self, net: &crate::Net) -> Result<Arc<dyn ProofBackend>> {
        self.backend_with(net, None).await
    }

    /// [`Self::backend`] reusing already loaded keys.
    pub async fn backend_with(
        &self,
        net: &crate::Net,
        keys: Option<Arc<KeySet>>,
    ) -> Result<Arc<dyn ProofBackend>> {
        let store = BatchStore::new(&self.batch_data);
        if net.dep.verifier_kind != "groth16" {
            return backend_for(&net.dep.verifier_kind, || unreachable!("not groth16"), store);
        }
        let keys = match keys {
            Some(k) => k,
            None => self.load_keys().await?,
        };
        let verifier =
            net.network.verifier().call().await.wrap_err("while reading the verifier")?;
        let on_chain = provernet_bindings::Groth16BatchVerifier::new(verifier, &net.chain.provider)
            .KEYS_ID()
            .call()
            .await
            .wrap_err_with(|| format!("while reading KEYS_ID of the verifier {verifier}"))?;
        if on_chain != keys.keys_id() {
            bail!(
                "the proving keys{} have id {}, but the network's verifier {verifier} checks keys {on_chain}; \
                 every proof would be rejected. Pass --keys DIR with the keys that verifier was generated from",
                self.keys_dir.as_ref().map(|d| format!(" in {}", d.display())).unwrap_or_default(),
                keys.keys_id()
            );
        }
        backend_for("groth16", || Ok(keys), store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_verifier_keys_id_is_found() {
        let id = default_keys_id();
        assert!(!id.is_zero());
        assert!(!bytecode_embeds(B256::repeat_byte(0x42)));
    }

    #[test]
    fn store_round_trips_and_checks_the_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = BatchStore::new(dir.path());
        let data = b"some batch".to_vec();
        let c = batch_commitment(&data).unwrap();
        store.put(1, Address::ZERO, c, &data).unwrap();
        assert_eq!(store.get(1, Address::ZERO, c).unwrap(), data);
        let other = batch_commitment(b"other").unwrap();
        std::fs::write(store.path(1, Address::ZERO, other), b"not it").unwrap();
        assert!(
            format!("{:#}", store.get(1, Address::ZERO, other).unwrap_err()).contains("hashes to")
        );
        assert!(batch_commitment(&vec![0u8; MAX_BATCH_BYTES + 1]).is_err());
    }
}
