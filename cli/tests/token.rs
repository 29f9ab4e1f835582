//! `provernet token`: minting the test token, address parsing.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_address_is_rejected() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    rejected(
        &env,
        &owner,
        &["token", "mint", "--to", "0x1234", "--amount", "1"],
        "is not an address",
    )
    .await;
    rejected(&env, &owner, &["prover", "status", "not-an-address"], "is not an address").await;
}

/// Issue 14, defect 1: one mistyped character in a checksummed address is refused (input error,
/// nothing sent); the all-lowercase and all-uppercase forms carry no checksum and are accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mistyped_checksum_is_refused() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    let good = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    // The same address with one digit mistyped (c8 -> c9): its case pattern no longer matches.
    let typo = "0x70997970C51812dc3A010C7d01b50e0d17dc79C9";
    let err = refused_with(
        &env,
        &owner,
        &["token", "mint", "--to", typo, "--amount", "1"],
        code::INPUT,
        "checksum",
    )
    .await;
    assert!(err.contains("mistyped"), "{err}");
    // One letter's case flipped is refused too.
    let flipped = "0x70997970c51812dc3A010C7d01b50e0d17dc79C8";
    refused_with(
        &env,
        &owner,
        &["token", "mint", "--to", flipped, "--amount", "1"],
        code::INPUT,
        "checksum",
    )
    .await;
    for ok in [good.to_string(), good.to_lowercase(), format!("0x{}", good[2..].to_uppercase())] {
        let r = env.ok(Some(&owner), &["token", "mint", "--to", &ok, "--amount", "1"]);
        let to: Address = r["to"].as_str().unwrap().parse().unwrap();
        assert_eq!(to, good.parse::<Address>().unwrap(), "minted to the intended address");
    }
}

/// Issue 14, defect 8: a decoded custom error renders as `Name(field: value)`, never as Rust
/// Debug (`ERC20InvalidReceiver(ERC20InvalidReceiver { receiver: ... })`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decoded_errors_do_not_leak_rust_debug() {
    let env = Env::start().await;
    let (owner, _) = env.deploy_with_provers(0).await;
    let zero = format!("{:#x}", Address::ZERO);
    let err = refused_with(
        &env,
        &owner,
        &["token", "mint", "--to", &zero, "--amount", "1"],
        code::REVERT,
        &format!("ERC20InvalidReceiver(receiver: {})", Address::ZERO),
    )
    .await;
    assert!(!err.contains(" { "), "Rust Debug leaked: {err}");
}
