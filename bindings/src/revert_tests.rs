use alloy::{
    primitives::{U256, address},
    sol_types::SolError,
};

use super::*;
use crate::{DevStakingToken, Groth16BatchVerifier, ProverNetwork, ProverPool, ProverPoolFactory};

fn table() -> &'static ErrorTable {
    ErrorTable::shared()
}

fn tokens(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

#[test]
fn stake_below_minimum_renders_fields_and_notice() {
    let data =
        ProverNetwork::StakeBelowMinimum { stake: tokens(5), minimum: tokens(100) }.abi_encode();
    let d = table().decode(&data).unwrap();
    assert_eq!(d.name, "StakeBelowMinimum");
    assert_eq!(
        d.fields,
        [
            ("stake".to_string(), "5000000000000000000".to_string()),
            ("minimum".to_string(), "100000000000000000000".to_string())
        ]
    );
    assert_eq!(d.notice.as_deref(), Some("The stake that would result is below the minimum."));
    assert_eq!(d.hint, None);
    assert_eq!(
        d.to_string(),
        "StakeBelowMinimum(stake: 5000000000000000000, minimum: 100000000000000000000)"
    );
}

#[test]
fn wrong_phase_has_every_field_in_order() {
    let e = ProverNetwork::WrongPhase {
        epoch: U256::from(3),
        phaseStart: U256::from(1045),
        phaseEnd: U256::from(1055),
        current: U256::from(1040),
    };
    let d = table().decode(&e.abi_encode()).unwrap();
    assert_eq!(
        d.to_string(),
        "WrongPhase(epoch: 3, phaseStart: 1045, phaseEnd: 1055, current: 1040)"
    );
    assert!(d.notice.is_some());
}

#[test]
fn param_out_of_bounds_quotes_its_string_field() {
    let e = ProverNetwork::ParamOutOfBounds {
        name: "unbondingDelay".into(),
        value: U256::from(10),
        min: U256::from(26),
        max: U256::from(5_000_000),
    };
    let d = table().decode(&e.abi_encode()).unwrap();
    // The CLI e2e test looks for exactly this prefix.
    assert!(
        d.to_string().starts_with("ParamOutOfBounds(name: \"unbondingDelay\", value: 10, min: 26"),
        "{d}"
    );
    assert_eq!(d.field("name"), Some("\"unbondingDelay\""));
    let notice = d.notice.as_deref().unwrap();
    assert!(!notice.contains("  "), "whitespace is collapsed: {notice:?}");
}

#[test]
fn addresses_are_checksummed() {
    let assigned = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    let caller = address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    let e = ProverNetwork::NotAssignedProver { batchId: U256::from(7), assigned, caller };
    let d = table().decode(&e.abi_encode()).unwrap();
    assert_eq!(
        d.to_string(),
        "NotAssignedProver(batchId: 7, assigned: 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, \
         caller: 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC)"
    );
}

#[test]
fn openzeppelin_token_errors_take_their_dev_sentence() {
    let sender = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    let e =
        DevStakingToken::ERC20InsufficientBalance { sender, balance: tokens(1), needed: tokens(2) };
    let d = table().decode(&e.abi_encode()).unwrap();
    assert_eq!(
        d.to_string(),
        "ERC20InsufficientBalance(sender: 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, \
         balance: 1000000000000000000, needed: 2000000000000000000)"
    );
    let notice = d.notice.unwrap();
    assert!(notice.contains("balance"), "{notice}");
}

#[test]
fn error_string_and_panics_are_built_in() {
    let d = table().decode(&Revert::from("no \"luck\"").abi_encode()).unwrap();
    assert_eq!(d.to_string(), r#"Error(reason: "no \"luck\"")"#);
    let d = table().decode(&Panic::from(0x11).abi_encode()).unwrap();
    assert_eq!(d.to_string(), "Panic(code: 0x11)");
    assert_eq!(d.notice.as_deref(), Some("arithmetic underflow or overflow"));
    let d = table().decode(&Panic::from(0x99).abi_encode()).unwrap();
    assert_eq!(d.notice.as_deref(), Some("unknown panic code"));
}

#[test]
fn unknown_short_empty_and_truncated_data_are_reported() {
    assert_eq!(table().decode(&[]), Err(UndecodedRevert::Empty));
    let short = table().decode(&[0xab, 0xcd]).unwrap_err();
    assert_eq!(short, UndecodedRevert::TooShort(Bytes::from_static(&[0xab, 0xcd])));
    assert!(short.to_string().contains("2 byte(s)"));

    let unknown = table().decode(&[0xde, 0xad, 0xbe, 0xef, 1, 2]).unwrap_err();
    assert!(
        matches!(&unknown, UndecodedRevert::UnknownSelector { selector, .. } if selector.0 == [0xde, 0xad, 0xbe, 0xef])
    );
    assert_eq!(
        unknown.to_string(),
        "reverted with unknown error 0xdeadbeef (no exported ABI declares it); data 0xdeadbeef0102"
    );

    let full =
        ProverNetwork::StakeBelowMinimum { stake: tokens(5), minimum: tokens(100) }.abi_encode();
    let cut = table().decode(&full[..40]).unwrap_err();
    assert_eq!(
        cut,
        UndecodedRevert::Malformed {
            name: "StakeBelowMinimum".into(),
            data: Bytes::copy_from_slice(&full[..40])
        }
    );
    assert!(cut.to_string().contains("StakeBelowMinimum but its 40 byte(s)"), "{cut}");
    let bad_string = Revert::from("x").abi_encode();
    assert!(
        matches!(table().decode(&bad_string[..10]), Err(UndecodedRevert::Malformed { name, .. }) if name == "Error")
    );
}

#[test]
fn describe_covers_decoded_and_undecoded_data() {
    let d = table().describe(&ProverNetwork::NothingToWithdraw {}.abi_encode());
    assert!(d.starts_with("NothingToWithdraw(): "), "{d}");
    assert_eq!(table().describe(&[]), "reverted without data");
}

#[test]
fn hints_are_the_callers_and_fill_in_fields() {
    fn hints(name: &str) -> Option<&'static str> {
        match name {
            "StakeBelowMinimum" => {
                Some("stake at least {minimum} units: run `provernet prover stake`")
            }
            _ => None,
        }
    }
    let table = ErrorTable::shared().clone().with_hints(hints);
    let d = table
        .decode(
            &ProverNetwork::StakeBelowMinimum { stake: U256::from(1), minimum: U256::from(9) }
                .abi_encode(),
        )
        .unwrap();
    assert_eq!(d.hint.as_deref(), Some("stake at least 9 units: run `provernet prover stake`"));
    assert_eq!(
        format!("{d:#}"),
        "StakeBelowMinimum(stake: 1, minimum: 9): The stake that would result is below the minimum. \
         (stake at least 9 units: run `provernet prover stake`)"
    );
    let other = table.decode(&ProverNetwork::ZeroAmount {}.abi_encode()).unwrap();
    assert_eq!((other.to_string().as_str(), other.hint), ("ZeroAmount()", None));
}

/// The table covers every custom error of every generated binding, each with a sentence: a new
/// error without NatSpec fails here.
#[test]
fn every_error_of_every_contract_decodes_with_a_sentence() {
    let selectors = ProverNetwork::ProverNetworkErrors::SELECTORS
        .iter()
        .chain(DevStakingToken::DevStakingTokenErrors::SELECTORS)
        .chain(Groth16BatchVerifier::Groth16BatchVerifierErrors::SELECTORS)
        .chain(ProverPool::ProverPoolErrors::SELECTORS)
        .chain(ProverPoolFactory::ProverPoolFactoryErrors::SELECTORS);
    // An error several contracts inherit (EnforcedPause, ReentrancyGuardReentrantCall) is one entry.
    let mut seen = std::collections::HashSet::new();
    for sel in selectors {
        let known = table().errors.get(&Selector::from(*sel)).expect("selector in the table");
        assert!(known.notice.is_some(), "{} has no @notice or @dev", known.error.name);
        seen.insert(*sel);
    }
    assert_eq!(seen.len(), table().names().count(), "the table holds exactly the generated errors");
    assert_eq!(
        table().notice("ZeroAmount"),
        Some("An amount of zero was given where a positive amount is required.")
    );
}

#[test]
fn builds_from_any_artifact_and_tolerates_missing_natspec() {
    let abi_only = r#"{"abi":[{"type":"error","name":"Oops","inputs":[{"name":"","type":"bytes4"},{"name":"ok","type":"bool"},{"name":"xs","type":"int8[]"}]}]}"#;
    let t = ErrorTable::from_artifacts([abi_only]).unwrap();
    let sel = Selector::from_slice(&alloy::primitives::keccak256("Oops(bytes4,bool,int8[])")[..4]);
    let mut data = sel.to_vec();
    data.extend(
        DynSolValue::Tuple(vec![
            DynSolValue::FixedBytes(alloy::primitives::B256::ZERO, 4),
            DynSolValue::Bool(true),
            DynSolValue::Array(vec![DynSolValue::Int(
                alloy::primitives::I256::try_from(-3).unwrap(),
                8,
            )]),
        ])
        .abi_encode_params(),
    );
    let d = t.decode(&data).unwrap();
    assert_eq!(d.to_string(), "Oops(0: 0x00000000, ok: true, xs: [-3])");
    assert_eq!(d.notice, None);
    assert!(ErrorTable::from_artifacts(["{}"]).is_err());
}
