//! Key sets: one Groth16 key pair per circuit size, the development ceremony that makes them,
//! their files, and proving/verification with them (padded as `inputs.rs` defines).

use crate::{
    circuit::BatchCircuit,
    error::ZkError,
    inputs::{CIRCUIT_SIZES, PublicInputs, circuit_size},
    poseidon::{BATCH_WITNESS_ELEMENTS, commit_elements, encode_batch, fr_to_b256},
    proof::{decode_proof, encode_proof},
    solidity,
};
use alloy_primitives::{B256, keccak256};
use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, PreparedVerifyingKey, ProvingKey, VerifyingKey, prepare_verifying_key};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Valid, Validate};
use ark_snark::SNARK;
use rand::{CryptoRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::{
    collections::BTreeMap,
    fs,
    io::{BufReader, BufWriter, Write},
    path::Path,
};

/// Format tag of `manifest.json`; bump when the circuit or the file layout changes.
pub const KEYS_FORMAT: &str = "provernet-zk-keys/2";
/// Name of the manifest inside a key directory.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Name of the generated verifier inside a key directory.
pub const VERIFIER_FILE: &str = "Groth16BatchVerifier.sol";

/// The seed of the project's development ceremony: `keccak256("provernet.insecure-dev-ceremony.v1")`.
///
/// PUBLIC, therefore INSECURE: anyone can rerun the setup, learn the toxic waste and forge proofs.
/// The committed `zk/solidity/Groth16BatchVerifier.sol` is generated from this seed.
pub fn dev_ceremony_seed() -> B256 {
    keccak256(b"provernet.insecure-dev-ceremony.v1")
}

/// One proof job: the public inputs and, per covered batch, the batch data.
#[derive(Clone, Debug)]
pub struct ProofRequest {
    /// What the proof is bound to.
    pub inputs: PublicInputs,
    /// The data of each covered batch, in the same order as `inputs.commitments`.
    pub batches: Vec<Vec<u8>>,
}

/// The key pair of one circuit shape.
#[derive(Clone)]
struct CircuitKey {
    pk: ProvingKey<Bn254>,
    pvk: PreparedVerifyingKey<Bn254>,
}

/// Proving and verifying keys for every circuit size (keyed by size, not by batch count).
///
/// Cheap to share across threads (`Arc<KeySet>`): proving only reads it.
#[derive(Clone)]
pub struct KeySet {
    keys: BTreeMap<usize, CircuitKey>,
    seed: Option<B256>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    format: String,
    keys_id: B256,
    counts: Vec<usize>,
    ceremony: String,
    seed: Option<B256>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("counts", &self.counts())
            .field("keys_id", &self.keys_id())
            .finish()
    }
}

impl KeySet {
    /// INSECURE development ceremony for every circuit size: the toxic waste of each circuit is
    /// drawn from ChaCha20 seeded with `keccak256(seed ++ size)`, so whoever knows the seed can
    /// forge proofs. Deterministic: the same seed always gives the same keys.
    /// Runs the circuits' setups in parallel.
    pub fn dev_setup(seed: B256) -> Result<Self, ZkError> {
        Self::dev_setup_counts(seed, CIRCUIT_SIZES)
    }

    /// [`Self::dev_setup`] for a subset of the circuit sizes (each size's keys are the same as in
    /// the full setup). With sizes `[1, 4]`, for example, the set proves 1, 3 and 4 batches.
    pub fn dev_setup_counts(seed: B256, sizes: &[usize]) -> Result<Self, ZkError> {
        for &size in sizes {
            check_size(size)?;
        }
        let keys = sizes
            .par_iter()
            .map(|&size| {
                let mut material = seed.to_vec();
                material.extend_from_slice(&(size as u64).to_be_bytes());
                let mut rng = ChaCha20Rng::from_seed(keccak256(&material).0);
                let (pk, vk) =
                    Groth16::<Bn254>::circuit_specific_setup(BatchCircuit::blank(size), &mut rng)?;
                Ok((size, CircuitKey { pk, pvk: prepare_verifying_key(&vk) }))
            })
            .collect::<Result<BTreeMap<_, _>, ZkError>>()?;
        Ok(Self { keys, seed: Some(seed) })
    }

    /// The circuit sizes this key set holds keys for.
    pub fn counts(&self) -> Vec<usize> {
        self.keys.keys().copied().collect()
    }

    /// The verifying key that checks `count`-batch proofs (the key of `circuit_size(count)`).
    pub fn verifying_key(&self, count: usize) -> Result<&VerifyingKey<Bn254>, ZkError> {
        Ok(&self.key(count)?.pvk.vk)
    }

    /// A fingerprint of all verifying keys: `keccak256` over `(size as u64 BE ++ vk compressed)`
    /// in size order. The generated verifier exposes it as `KEYS_ID()`, so a prover can check
    /// that its keys match the deployed verifier before proving.
    pub fn keys_id(&self) -> B256 {
        let mut material = Vec::new();
        for (count, key) in &self.keys {
            material.extend_from_slice(&(*count as u64).to_be_bytes());
            key.pvk.vk.serialize_compressed(&mut material).expect("writing to a Vec cannot fail");
        }
        keccak256(&material)
    }

    /// The Solidity source of a verifier for exactly these keys (see [`crate::solidity`]), importing
    /// `IProofVerifier` as seen from `zk/solidity/`.
    pub fn solidity_verifier(&self) -> String {
        self.solidity_verifier_with_import(solidity::DEFAULT_INTERFACE_IMPORT)
    }

    /// [`Self::solidity_verifier`] for a file placed elsewhere: `interface_import` is the import
    /// path of `IProofVerifier.sol` from there (e.g. `../interfaces/IProofVerifier.sol` in
    /// `contracts/verifiers/`).
    pub fn solidity_verifier_with_import(&self, interface_import: &str) -> String {
        let vks: Vec<(usize, &VerifyingKey<Bn254>)> =
            self.keys.iter().map(|(count, key)| (*count, &key.pvk.vk)).collect();
        solidity::render_verifier(&vks, self.keys_id(), interface_import)
    }

    /// Writes `manifest.json`, `batch-<k>.pk` for each circuit size and the Solidity verifier into `dir`
    /// (created if missing).
    pub fn save(&self, dir: &Path) -> Result<(), ZkError> {
        fs::create_dir_all(dir)
            .map_err(|e| io(e, format!("creating key directory {}", dir.display())))?;
        for (count, key) in &self.keys {
            let path = dir.join(pk_file(*count));
            let file = fs::File::create(&path)
                .map_err(|e| io(e, format!("creating {}", path.display())))?;
            let mut writer = BufWriter::new(file);
            key.pk
                .serialize_uncompressed(&mut writer)
                .map_err(|e| ZkError::KeyFormat(format!("writing {}: {e}", path.display())))?;
            // Flush explicitly: BufWriter's drop would swallow a failed final write.
            writer.flush().map_err(|e| io(e, format!("writing {}", path.display())))?;
        }
        let manifest = Manifest {
            format: KEYS_FORMAT.to_owned(),
            keys_id: self.keys_id(),
            counts: self.counts(),
            ceremony: match self.seed {
                Some(_) => {
                    "INSECURE development ceremony: toxic waste derived from the public seed".into()
                }
                None => "unknown".into(),
            },
            seed: self.seed,
        };
        let json = serde_json::to_string_pretty(&manifest).expect("manifest serializes");
        write(&dir.join(MANIFEST_FILE), json.as_bytes())?;
        write(&dir.join(VERIFIER_FILE), self.solidity_verifier().as_bytes())
    }

    /// Reads a key directory written by [`Self::save`]: validates the verifying keys' curve points
    /// and checks the manifest's keys id against them (the proving keys are read unvalidated, for
    /// speed; see the comment inside).
    pub fn load(dir: &Path) -> Result<Self, ZkError> {
        let path = dir.join(MANIFEST_FILE);
        let text =
            fs::read_to_string(&path).map_err(|e| io(e, format!("reading {}", path.display())))?;
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|e| ZkError::KeyFormat(format!("{}: {e}", path.display())))?;
        if manifest.format != KEYS_FORMAT {
            return Err(ZkError::KeyFormat(format!(
                "{} has format {:?}, this build reads {KEYS_FORMAT:?}",
                path.display(),
                manifest.format
            )));
        }
        let mut keys = BTreeMap::new();
        for &size in &manifest.counts {
            check_size(size)?;
            let path = dir.join(pk_file(size));
            let file =
                fs::File::open(&path).map_err(|e| io(e, format!("opening {}", path.display())))?;
            // Reading the proving key without per-point validation takes ~0.5 s instead of ~9 s for
            // the full set. That is safe here: the verifying key inside it is validated below and
            // must hash to the manifest's keys id, and `prove` checks every proof against that
            // verifying key, so a damaged proving key can only make proving fail, never produce a
            // proof the verifier accepts wrongly.
            let pk = ProvingKey::<Bn254>::deserialize_with_mode(
                BufReader::new(file),
                Compress::No,
                Validate::No,
            )
            .map_err(|e| ZkError::KeyFormat(format!("{}: {e}", path.display())))?;
            pk.vk.check().map_err(|e| {
                ZkError::KeyFormat(format!("{}: invalid verifying key: {e}", path.display()))
            })?;
            if pk.vk.gamma_abc_g1.len() != 3 + size {
                return Err(ZkError::KeyFormat(format!(
                    "{} is not a {size}-slot key ({} public inputs)",
                    path.display(),
                    pk.vk.gamma_abc_g1.len() - 1
                )));
            }
            let pvk = prepare_verifying_key(&pk.vk);
            keys.insert(size, CircuitKey { pk, pvk });
        }
        let set = Self { keys, seed: manifest.seed };
        if set.keys_id() != manifest.keys_id {
            return Err(ZkError::KeyFormat(format!(
                "keys in {} hash to {}, the manifest says {}",
                dir.display(),
                set.keys_id(),
                manifest.keys_id
            )));
        }
        Ok(set)
    }

    /// Proves one request with fresh OS randomness (Groth16's zero-knowledge blinding).
    ///
    /// Pads to the circuit size as `inputs.rs` defines (zero commitments, zero witness data in the
    /// padding slots). Checks first that every commitment is the Poseidon commitment of its data (a wrong witness
    /// would otherwise yield a proof that silently fails on chain), and after proving verifies the
    /// proof natively, so a returned proof is one the verifier accepts.
    ///
    /// CPU-bound (multi-threaded through rayon): call it from a blocking thread
    /// (`tokio::task::spawn_blocking`), never on an async runtime worker.
    pub fn prove(&self, request: &ProofRequest) -> Result<Vec<u8>, ZkError> {
        self.prove_with_rng(request, &mut rand::rngs::StdRng::from_entropy())
    }

    /// [`Self::prove`] with a caller-supplied RNG: deterministic proofs for fixtures and tests.
    ///
    /// Being generic, this (and the whole arkworks prover under it) is compiled in the caller's
    /// crate with the caller's optimisation level; outside tests prefer [`Self::prove`], which is
    /// compiled here, with the optimised dev profile set in the workspace manifest.
    pub fn prove_with_rng<R: RngCore + CryptoRng>(
        &self,
        request: &ProofRequest,
        rng: &mut R,
    ) -> Result<Vec<u8>, ZkError> {
        let count = request.inputs.commitments.len();
        let key = self.key(count)?;
        let size = circuit_size(count)?;
        if request.batches.len() != count {
            return Err(ZkError::BatchCountMismatch {
                commitments: count,
                batches: request.batches.len(),
            });
        }
        let public_inputs = request.inputs.to_field_elements()?;
        let mut batches: Vec<[Fr; BATCH_WITNESS_ELEMENTS]> = Vec::with_capacity(size);
        for (index, (data, expected)) in
            request.batches.iter().zip(&request.inputs.commitments).enumerate()
        {
            let elements = encode_batch(data).map_err(|e| match e {
                ZkError::BatchTooLarge { len, max, .. } => {
                    ZkError::BatchTooLarge { index, len, max }
                }
                other => other,
            })?;
            let actual = fr_to_b256(&commit_elements(&elements));
            if actual != *expected {
                return Err(ZkError::CommitmentMismatch { index, expected: *expected, actual });
            }
            batches.push(elements);
        }
        // Padding slots are not constrained; zeros are as good as anything.
        batches.resize(size, [Fr::from(0u64); BATCH_WITNESS_ELEMENTS]);
        let circuit = BatchCircuit { public_inputs: public_inputs.clone(), batches, count };
        let proof = Groth16::<Bn254>::prove(&key.pk, circuit, rng)?;
        if !Groth16::<Bn254>::verify_with_processed_vk(&key.pvk, &public_inputs, &proof)? {
            return Err(ZkError::Synthesis(
                "the fresh proof does not verify against the verifying key: the proving key file is \
                 damaged or from another setup; rerun `provernet keys setup`"
                    .into(),
            ));
        }
        Ok(encode_proof(&proof))
    }

    /// Proves several requests in parallel (rayon), each with its own OS-seeded RNG. The result
    /// keeps the order of `requests`. This is the local form of distributed proving: the jobs are
    /// independent, so they can equally be spread over machines (see docs/proving.md).
    pub fn prove_many(&self, requests: &[ProofRequest]) -> Vec<Result<Vec<u8>, ZkError>> {
        requests.par_iter().map(|request| self.prove(request)).collect()
    }

    /// Verifies proof bytes against public inputs, like the Solidity verifier does.
    ///
    /// `Ok(false)`: a well-formed proof that is not valid for these inputs. `Err`: batch count
    /// outside 1..=16, commitment >= r, or malformed proof bytes (the cases the Solidity verifier
    /// reverts on).
    pub fn verify(&self, inputs: &PublicInputs, proof: &[u8]) -> Result<bool, ZkError> {
        let key = self.key(inputs.commitments.len())?;
        let public_inputs = inputs.to_field_elements()?;
        let proof = decode_proof(proof)?;
        Ok(Groth16::<Bn254>::verify_with_processed_vk(&key.pvk, &public_inputs, &proof)?)
    }

    /// The key of the circuit that `count`-batch proofs use.
    fn key(&self, count: usize) -> Result<&CircuitKey, ZkError> {
        let size = circuit_size(count)?;
        self.keys.get(&size).ok_or(ZkError::MissingKey { count, size })
    }
}

fn check_size(size: usize) -> Result<(), ZkError> {
    if CIRCUIT_SIZES.contains(&size) {
        Ok(())
    } else {
        Err(ZkError::UnsupportedCircuitSize { size })
    }
}

fn pk_file(size: usize) -> String {
    format!("batch-{size}.pk")
}

fn io(source: std::io::Error, context: String) -> ZkError {
    ZkError::Io { context, source }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ZkError> {
    fs::write(path, bytes).map_err(|e| io(e, format!("writing {}", path.display())))
}
