//! Revert data as the CLI shows it: the bindings' ABI-driven decoder
//! ([`provernet_bindings::ErrorTable`]: `Name(field: value, ...)` and the error's NatSpec
//! sentence) plus what only the CLI knows: the command that fixes the situation (the hint table
//! below) and token amounts in the deployment's units.

use std::sync::OnceLock;

use alloy::primitives::U256;
use provernet_bindings::{BatchStatus, DecodedRevert, ErrorTable};

use crate::amount::Units;

/// A decoded revert.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// `Name(field: value, ...)`.
    pub error: String,
    /// What it means and what to do.
    pub sentence: String,
}

/// The CLI's action hint for a custom error, by name. `{field}` is replaced by the field's value.
/// Only errors where the CLI can say what to run next are listed; the NatSpec sentence covers
/// what the error means.
fn hint(name: &str) -> Option<&'static str> {
    Some(match name {
        "NotRegistered" => "run `provernet prover register --stake AMT` first",
        "AlreadyRegistered" => "use `provernet prover stake --amount AMT` to add stake",
        "NothingToWithdraw" => "run `provernet prover unstake --amount AMT` first",
        "UnbondingNotFinished" => {
            "withdrawal opens at block {readyAt}; the chain is at block {current}"
        }
        "OpenAssignments" => {
            "prove those whose window is open; for those whose window has passed run \
             `provernet batch timeout ID` (`provernet prover withdraw` lists them)"
        }
        "UnresolvedCommitment" => {
            "reveal the commitment of epoch {epoch} in its reveal phase; once that phase is over it \
             is penalised (anyone's `penalizeNonReveal`, or your next commit)"
        }
        "WrongPhase" => {
            "that phase of epoch {epoch} runs from block {phaseStart} up to, not including, block \
             {phaseEnd}; the chain is at block {current} (`provernet epoch status`)"
        }
        "AlreadyCommitted" => "reveal in this epoch's reveal phase (`provernet epoch reveal`)",
        "NoCommitment" => "commit in a commit phase first (`provernet epoch commit`)",
        "NotBatchSource" => "the owner must call setBatchSource({caller}, true)",
        "ProvingWindowOpen" => "the window of batch {batchId} runs through block {deadline}",
        "RaceNotOver" => "the race for batch {batchId} runs through block {raceDeadline}",
        "RaceClosed" => "`provernet batch timeout {batchId}` marks it failed",
        "ParamOutOfBounds" => "the allowed range is [{min}, {max}]; fix the params file",
        "InvalidProof" => {
            "a proof is bound to its prover, chain, network and batches: make it with this signer \
             (`provernet batch prove ID`)"
        }
        "ProofLengthInvalid" => "pass the proof bytes unchanged",
        "UnsupportedBatchCount" => {
            "one proof covers 1 to 16 consecutive batches (MAX_BATCHES_PER_PROOF); split the run"
        }
        "ERC20InsufficientBalance" => {
            "get more tokens first (on a dev deployment: `provernet token mint`)"
        }
        "InsufficientFeeBalance" => "prepay fees with `provernet batch deposit-fees AMOUNT`",
        "FeeBelowMinimum" => "offer at least the minimum fee (`--fee`)",
        "CommitmentOutOfDomain" => {
            "post the batch data with --data FILE (its commitment is then a Poseidon hash inside the domain)"
        }
        "OperatorUnavailable" => {
            "name a fresh address that is neither a prover nor another prover's operator"
        }
        "OperatorCannotRegister" => {
            "its prover must clear it first (`provernet prover set-operator --clear`)"
        }
        "EnforcedPause" => {
            "the owner paused the contract: the network takes no new batches, a pool no deposits"
        }
        "WithdrawalNotReady" => {
            "its tranche can be withdrawn from block {readyAt} (0: it waits for the tranche ahead of \
             it); the chain is at block {current} (`provernet pool status POOL`)"
        }
        "SelfStakeBelowMinimum" => {
            "the operator tops up with `provernet pool deposit POOL --amount AMT`"
        }
        "ChallengeWindowOpen" => {
            "the data of batch {batchId} may still be published through block {respondBy}; \
             `provernet batch void {batchId}` works after that"
        }
        "ChallengeWindowClosed" => {
            "nobody published it by block {respondBy}: `provernet batch void {batchId}` voids it"
        }
        "DataMismatch" => {
            "the data given commits to {computed} but batch {batchId} commits to {commitment}: give the \
             data that was posted for it"
        }
        "UseWithdrawalQueue" => {
            "run `provernet pool request-withdraw POOL`, then `provernet pool claim POOL` after the delay"
        }
        _ => return None,
    })
}

/// Fields that hold token amounts, shown again in the deployment's units.
const AMOUNT_FIELDS: [&str; 10] = [
    "amount",
    "stake",
    "minimum",
    "requested",
    "available",
    "balance",
    "needed",
    "allowance",
    "fee",
    "selfStake",
];

/// The shared table with the CLI's hints.
fn table() -> &'static ErrorTable {
    static TABLE: OnceLock<ErrorTable> = OnceLock::new();
    TABLE.get_or_init(|| ErrorTable::shared().clone().with_hints(hint))
}

/// Decodes revert data from any of the contracts (errors of the token and the verifier bubble
/// through the network). None when the data names no known error.
pub fn decode(data: &[u8], units: &Units) -> Option<Decoded> {
    let mut d = table().decode(data).ok()?;
    name_status(&mut d);
    let amounts: Vec<String> = d
        .fields
        .iter()
        .filter(|(name, _)| AMOUNT_FIELDS.contains(&name.as_str()))
        .filter_map(|(name, v)| Some(format!("{name} {}", units.fmt(v.parse::<U256>().ok()?))))
        .collect();
    let mut sentence = d.notice.clone().unwrap_or_else(|| "the contract refused".into());
    sentence = sentence.trim_end_matches('.').to_string();
    if !amounts.is_empty() {
        sentence += &format!(" ({})", amounts.join(", "));
    }
    if let Some(h) = &d.hint {
        sentence += &format!("; {h}");
    }
    Some(Decoded { error: d.to_string(), sentence })
}

/// `WrongBatchStatus`'s status field is the stored code: show its name.
fn name_status(d: &mut DecodedRevert) {
    if d.name != "WrongBatchStatus" {
        return;
    }
    for (name, value) in &mut d.fields {
        if name == "status"
            && let Ok(code) = value.parse::<u8>()
        {
            *value = BatchStatus::name_of(code).to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use alloy::{
        primitives::{Address, B256},
        sol_types::SolError,
    };
    use provernet_bindings::ProverNetwork;

    use super::*;

    fn units() -> Units {
        Units { decimals: 18, symbol: "PNT".into() }
    }

    #[test]
    fn renders_fields_notice_amounts_and_hint() {
        let e = ProverNetwork::StakeBelowMinimum {
            stake: U256::from(50u64) * U256::from(10u64).pow(U256::from(18)),
            minimum: U256::from(100u64) * U256::from(10u64).pow(U256::from(18)),
        };
        let d = decode(&e.abi_encode(), &units()).unwrap();
        assert_eq!(
            d.error,
            "StakeBelowMinimum(stake: 50000000000000000000, minimum: 100000000000000000000)"
        );
        assert!(d.sentence.contains("(stake 50 PNT, minimum 100 PNT)"), "{}", d.sentence);

        let e = ProverNetwork::UnbondingNotFinished {
            readyAt: U256::from(90u64),
            current: U256::from(80u64),
        };
        let d = decode(&e.abi_encode(), &units()).unwrap();
        assert!(d.sentence.ends_with("withdrawal opens at block 90; the chain is at block 80"));
    }

    #[test]
    fn batch_status_codes_are_named() {
        let e = ProverNetwork::WrongBatchStatus { batchId: U256::from(3u64), status: 4 };
        let d = decode(&e.abi_encode(), &units()).unwrap();
        assert_eq!(d.error, "WrongBatchStatus(batchId: 3, status: Proven)");
    }

    #[test]
    fn data_challenge_errors_name_their_blocks_and_the_next_command() {
        let e = ProverNetwork::ChallengeWindowOpen {
            batchId: U256::from(7u64),
            respondBy: U256::from(52u64),
        };
        let d = decode(&e.abi_encode(), &units()).unwrap();
        assert_eq!(d.error, "ChallengeWindowOpen(batchId: 7, respondBy: 52)");
        assert!(d.sentence.contains("through block 52"), "{}", d.sentence);
        assert!(d.sentence.contains("`provernet batch void 7`"), "{}", d.sentence);

        let e = ProverNetwork::ChallengeWindowClosed {
            batchId: U256::from(7u64),
            respondBy: U256::from(52u64),
        };
        let d = decode(&e.abi_encode(), &units()).unwrap();
        assert_eq!(d.error, "ChallengeWindowClosed(batchId: 7, respondBy: 52)");
        assert!(
            d.sentence
                .ends_with("nobody published it by block 52: `provernet batch void 7` voids it")
        );

        let (computed, commitment) = (B256::repeat_byte(1), B256::repeat_byte(2));
        let e = ProverNetwork::DataMismatch { batchId: U256::from(7u64), computed, commitment };
        let d = decode(&e.abi_encode(), &units()).unwrap();
        assert_eq!(
            d.error,
            format!("DataMismatch(batchId: 7, computed: {computed}, commitment: {commitment})")
        );
        assert!(
            d.sentence
                .contains(&format!("commits to {computed} but batch 7 commits to {commitment}")),
            "{}",
            d.sentence
        );
    }

    #[test]
    fn errors_without_a_hint_still_decode_without_rust_debug() {
        let e = ProverNetwork::NotEligible {
            prover: Address::repeat_byte(1),
            stake: U256::ZERO,
            minimum: U256::from(1u64),
        };
        let d = decode(&e.abi_encode(), &units()).unwrap();
        assert!(d.error.starts_with("NotEligible(prover: 0x0101"), "{}", d.error);
        assert!(!d.error.contains('{'), "{}", d.error);
        assert!(decode(&[1, 2, 3, 4], &units()).is_none());
    }
}
