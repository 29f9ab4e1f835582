//! Turns revert data into the custom error's name and fields plus a sentence a person can act on.

use alloy::{primitives::U256, sol_types::SolInterface};
use provernet_bindings::{
    DevStakingToken::DevStakingTokenErrors, Groth16BatchVerifier::Groth16BatchVerifierErrors,
    ProverNetwork::ProverNetworkErrors,
};

use crate::amount::Units;

/// A decoded revert.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// `Name(field: value, ...)`.
    pub error: String,
    /// What it means and what to do.
    pub sentence: String,
}

/// Names of the BatchStatus enum values, by index.
pub fn status_name(status: u8) -> &'static str {
    match status {
        0 => "None",
        1 => "Assigned",
        2 => "Open",
        3 => "Racing",
        4 => "Proven",
        5 => "Failed",
        _ => "Unknown",
    }
}

/// Decodes revert data from the ProverNetwork (or the token, whose errors bubble through it).
pub fn decode(data: &[u8], units: &Units) -> Option<Decoded> {
    if let Ok(e) = ProverNetworkErrors::abi_decode(data)
        && let Some(d) = network_error(&e, units)
    {
        return Some(d);
    }
    if let Ok(e) = DevStakingTokenErrors::abi_decode(data)
        && let Some(d) = token_error(&e, units)
    {
        return Some(d);
    }
    if let Ok(e) = Groth16BatchVerifierErrors::abi_decode(data) {
        return Some(verifier_error(&e));
    }
    generic(data)
}

/// Any other custom error of the contracts' ABIs, rendered from the ABI as
/// `Name(field: value, ...)` (never Rust Debug).
fn generic(data: &[u8]) -> Option<Decoded> {
    use alloy::{dyn_abi::JsonAbiExt, json_abi::JsonAbi};
    let selector: [u8; 4] = data.get(..4)?.try_into().ok()?;
    for artifact in crate::artifacts::ARTIFACTS.iter().map(|(_, a)| a) {
        let v: serde_json::Value = serde_json::from_str(artifact).ok()?;
        let abi: JsonAbi = serde_json::from_value(v["abi"].clone()).ok()?;
        for err in abi.errors() {
            if err.selector().0 != selector {
                continue;
            }
            let values = err.abi_decode_input(&data[4..]).ok()?;
            let fields: Vec<String> = err
                .inputs
                .iter()
                .zip(&values)
                .map(|(p, v)| format!("{}: {}", p.name, render(v)))
                .collect();
            let error = format!("{}({})", err.name, fields.join(", "));
            return Some(d(error.clone(), format!("the contract rejected the call with {error}")));
        }
    }
    None
}

/// A decoded ABI value as people write it (addresses checksummed, numbers in decimal).
fn render(v: &alloy::dyn_abi::DynSolValue) -> String {
    use alloy::dyn_abi::DynSolValue as V;
    match v {
        V::Address(a) => a.to_string(),
        V::Uint(u, _) => u.to_string(),
        V::Int(i, _) => i.to_string(),
        V::Bool(b) => b.to_string(),
        V::String(s) => format!("{s:?}"),
        V::FixedBytes(w, size) => format!("0x{}", alloy::hex::encode(&w[..*size])),
        V::Bytes(b) => format!("0x{}", alloy::hex::encode(b)),
        V::Array(items) | V::FixedArray(items) | V::Tuple(items) => {
            format!("[{}]", items.iter().map(render).collect::<Vec<_>>().join(", "))
        }
        other => format!("{other:?}"),
    }
}

/// The Groth16 verifier reverts (rather than returning false) on malformed input; the revert
/// bubbles up through the network's submitProof/raceSubmit.
fn verifier_error(e: &Groth16BatchVerifierErrors) -> Decoded {
    use Groth16BatchVerifierErrors as E;
    match e {
        E::ProofLengthInvalid(x) => d(
            format!("ProofLengthInvalid(length: {}, expected: {})", x.length, x.expected),
            format!(
                "the proof is {} bytes but a Groth16 proof is {}; pass the proof bytes unchanged",
                x.length, x.expected
            ),
        ),
        E::ProofCoordinateNotInField(x) => d(
            format!("ProofCoordinateNotInField(word: {})", x.word),
            "a proof coordinate is not a BN254 base field element: the proof bytes are corrupt"
                .into(),
        ),
        E::ProofPointNotOnCurve(x) => d(
            format!("ProofPointNotOnCurve(point: {})", x.point),
            "a proof point is not on the curve: the proof bytes are corrupt".into(),
        ),
        E::CommitmentNotInField(x) => d(
            format!("CommitmentNotInField(index: {}, commitment: {})", x.index, x.commitment),
            "the batch commitment is not below the BN254 scalar field modulus: no proof can cover this batch"
                .into(),
        ),
        E::UnsupportedBatchCount(x) => d(
            format!("UnsupportedBatchCount(count: {})", x.count),
            "the Groth16 verifier proves 1, 2, 4 or 8 batches at once; split the run".into(),
        ),
        E::ChainIdOutOfRange(x) => d(
            format!("ChainIdOutOfRange(chainId: {})", x.chainId),
            "the chain id does not fit 64 bits, which the circuit requires".into(),
        ),
        E::BatchIdOutOfRange(x) => d(
            format!("BatchIdOutOfRange(firstBatchId: {})", x.firstBatchId),
            "the batch id does not fit 64 bits, which the circuit requires".into(),
        ),
        E::PrecompileFailed(x) => d(
            format!("PrecompileFailed(precompile: {})", x.precompile),
            "a BN254 precompile failed: the node may not support them".into(),
        ),
    }
}

fn d(error: String, sentence: String) -> Decoded {
    Decoded { error, sentence }
}

fn network_error(e: &ProverNetworkErrors, u: &Units) -> Option<Decoded> {
    use ProverNetworkErrors as E;
    let a = |v: U256| u.fmt(v);
    Some(match e {
        E::ZeroAmount(_) => d("ZeroAmount()".into(), "the amount must be positive".into()),
        E::ZeroAddress(_) => {
            d("ZeroAddress()".into(), "the zero address is not allowed here".into())
        }
        E::AmountTooLarge(x) => d(
            format!("AmountTooLarge(amount: {})", x.amount),
            format!(
                "{} does not fit the network's 96-bit accounting; use a smaller amount",
                a(x.amount)
            ),
        ),
        E::AlreadyRegistered(x) => d(
            format!("AlreadyRegistered(prover: {})", x.prover),
            format!(
                "{} is already registered; use `provernet prover stake` to add stake",
                x.prover
            ),
        ),
        E::NotRegistered(x) => d(
            format!("NotRegistered(account: {})", x.account),
            format!(
                "{} is not a registered prover; run `provernet prover register --stake AMT` first",
                x.account
            ),
        ),
        E::StakeBelowMinimum(x) => d(
            format!("StakeBelowMinimum(stake: {}, minimum: {})", x.stake, x.minimum),
            format!("stake {} is below the minimum {}", a(x.stake), a(x.minimum)),
        ),
        E::InsufficientStake(x) => d(
            format!("InsufficientStake(requested: {}, available: {})", x.requested, x.available),
            format!(
                "cannot unstake {}: only {} is actively staked",
                a(x.requested),
                a(x.available)
            ),
        ),
        E::NothingToWithdraw(_) => d(
            "NothingToWithdraw()".into(),
            "nothing is unbonding; run `provernet prover unstake --amount AMT` first".into(),
        ),
        E::UnbondingNotFinished(x) => d(
            format!("UnbondingNotFinished(readyAt: {}, current: {})", x.readyAt, x.current),
            format!(
                "the unbonding delay has not passed: withdrawal opens at block {} ({} blocks from now)",
                x.readyAt,
                x.readyAt.saturating_sub(x.current)
            ),
        ),
        E::OpenAssignments(x) => d(
            format!("OpenAssignments(open: {})", x.open),
            format!(
                "{} assigned batch(es) are still open: prove those whose window is open; for those whose \
                 window has passed run `provernet batch timeout ID` (`provernet prover withdraw` lists them)",
                x.open
            ),
        ),
        E::UnresolvedCommitment(x) => d(
            format!("UnresolvedCommitment(epoch: {})", x.epoch),
            format!(
                "the commitment of epoch {} is not revealed yet; reveal it (or wait for the penalty)",
                x.epoch
            ),
        ),
        E::WrongPhase(x) => d(
            format!(
                "WrongPhase(epoch: {}, phaseStart: {}, phaseEnd: {}, current: {})",
                x.epoch, x.phaseStart, x.phaseEnd, x.current
            ),
            format!(
                "wrong phase of epoch {}: this action is allowed in blocks {} through {} and the chain is at block {}",
                x.epoch,
                x.phaseStart,
                x.phaseEnd.saturating_sub(U256::from(1)),
                x.current
            ),
        ),
        E::AlreadyCommitted(x) => d(
            format!("AlreadyCommitted(epoch: {})", x.epoch),
            format!("already committed in epoch {}; reveal during the reveal phase", x.epoch),
        ),
        E::NoCommitment(x) => d(
            format!("NoCommitment(epoch: {})", x.epoch),
            format!(
                "there is no open commitment for epoch {}; commit during the next commit phase",
                x.epoch
            ),
        ),
        E::RevealMismatch(x) => d(
            format!("RevealMismatch(epoch: {})", x.epoch),
            format!("the stored secret does not match the commitment of epoch {}", x.epoch),
        ),
        E::NoOverdueCommitment(x) => d(
            format!("NoOverdueCommitment(prover: {}, epoch: {})", x.prover, x.epoch),
            format!("{} has no overdue commitment to penalise", x.prover),
        ),
        E::NotBatchSource(x) => d(
            format!("NotBatchSource(caller: {})", x.caller),
            format!(
                "{} is not an authorised batch source; the owner must call setBatchSource",
                x.caller
            ),
        ),
        E::UnknownBatch(x) => d(
            format!("UnknownBatch(batchId: {})", x.batchId),
            format!("there is no batch {}", x.batchId),
        ),
        E::WrongBatchStatus(x) => {
            let s = status_name(x.status);
            d(
                format!("WrongBatchStatus(batchId: {}, status: {s})", x.batchId),
                format!("batch {} is {s}, so this action no longer applies", x.batchId),
            )
        }
        E::NotAssignedProver(x) => d(
            format!(
                "NotAssignedProver(batchId: {}, assigned: {}, caller: {})",
                x.batchId, x.assigned, x.caller
            ),
            format!(
                "batch {} is assigned to {}; others may only race after its window closes",
                x.batchId, x.assigned
            ),
        ),
        E::ProvingWindowClosed(x) => d(
            format!("ProvingWindowClosed(batchId: {}, deadline: {})", x.batchId, x.deadline),
            format!("the proving window of batch {} closed at block {}", x.batchId, x.deadline),
        ),
        E::ProvingWindowOpen(x) => d(
            format!("ProvingWindowOpen(batchId: {}, deadline: {})", x.batchId, x.deadline),
            format!(
                "the proving window of batch {} is open until block {}; wait until it passes",
                x.batchId, x.deadline
            ),
        ),
        E::RaceClosed(x) => d(
            format!("RaceClosed(batchId: {}, raceDeadline: {})", x.batchId, x.raceDeadline),
            format!("the race for batch {} ended at block {}", x.batchId, x.raceDeadline),
        ),
        E::RaceNotOver(x) => d(
            format!("RaceNotOver(batchId: {}, raceDeadline: {})", x.batchId, x.raceDeadline),
            format!(
                "the race for batch {} runs until block {}; wait until it ends",
                x.batchId, x.raceDeadline
            ),
        ),
        E::SlashedProverCannotRace(x) => d(
            format!("SlashedProverCannotRace(batchId: {})", x.batchId),
            format!("the prover slashed for batch {} may not win its race", x.batchId),
        ),
        E::NotEligible(x) => d(
            format!(
                "NotEligible(prover: {}, stake: {}, minimum: {})",
                x.prover, x.stake, x.minimum
            ),
            format!(
                "{} has {} staked, below the minimum {}, so it may not race",
                x.prover,
                a(x.stake),
                a(x.minimum)
            ),
        ),
        E::InvalidProof(x) => d(
            format!("InvalidProof(firstBatchId: {}, count: {})", x.firstBatchId, x.count),
            format!(
                "the verifier rejected the proof for {} batch(es) from batch {}",
                x.count, x.firstBatchId
            ),
        ),
        E::TooManyBatches(x) => d(
            format!("TooManyBatches(count: {}, max: {})", x.count, x.max),
            format!("a proof may cover at most {} batches", x.max),
        ),
        E::NothingToClaim(_) => d("NothingToClaim()".into(), "there is nothing to claim".into()),
        E::EmptyCommitment(_) => {
            d("EmptyCommitment()".into(), "the commitment must not be zero".into())
        }
        E::SeedNotReady(x) => d(
            format!("SeedNotReady(epoch: {}, readyAt: {})", x.epoch, x.readyAt),
            format!("the seed of epoch {} can be fixed from block {}", x.epoch, x.readyAt),
        ),
        E::InsufficientTreasury(x) => d(
            format!("InsufficientTreasury(requested: {}, available: {})", x.requested, x.available),
            format!("the treasury holds only {}", a(x.available)),
        ),
        E::ParamOutOfBounds(x) => d(
            format!(
                "ParamOutOfBounds(name: {:?}, value: {}, min: {}, max: {})",
                x.name, x.value, x.min, x.max
            ),
            format!(
                "parameter {} = {} is outside its bounds [{}, {}]; fix the params file",
                x.name, x.value, x.min, x.max
            ),
        ),
        E::OwnableUnauthorizedAccount(x) => d(
            format!("OwnableUnauthorizedAccount(account: {})", x.account),
            format!("{} is not the owner of the network", x.account),
        ),
        E::EnforcedPause(_) => {
            d("EnforcedPause()".into(), "the network is paused: no new batches".into())
        }
        _ => return None,
    })
}

fn token_error(e: &DevStakingTokenErrors, u: &Units) -> Option<Decoded> {
    use DevStakingTokenErrors as E;
    Some(match e {
        E::ERC20InsufficientBalance(x) => d(
            format!(
                "ERC20InsufficientBalance(sender: {}, balance: {}, needed: {})",
                x.sender, x.balance, x.needed
            ),
            format!("{} holds {} but {} is needed", x.sender, u.fmt(x.balance), u.fmt(x.needed)),
        ),
        E::ERC20InsufficientAllowance(x) => d(
            format!(
                "ERC20InsufficientAllowance(spender: {}, allowance: {}, needed: {})",
                x.spender, x.allowance, x.needed
            ),
            format!("the allowance {} is below the {} needed", u.fmt(x.allowance), u.fmt(x.needed)),
        ),
        _ => return None,
    })
}
