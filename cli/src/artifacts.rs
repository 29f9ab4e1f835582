//! The contracts' artifacts (forge's `out/` JSON with the `abi`) that the bindings are generated
//! from, embedded for `abi export` and for decoding any custom error from its ABI.

/// The artifacts the bindings are generated from (forge's `out/` JSON with `abi`), by contract.
pub const ARTIFACTS: [(&str, &str); 4] = [
    (
        "ProverNetwork",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../bindings/artifacts/ProverNetwork.json"
        )),
    ),
    (
        "DevStakingToken",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../bindings/artifacts/DevStakingToken.json"
        )),
    ),
    (
        "Groth16BatchVerifier",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../bindings/artifacts/Groth16BatchVerifier.json"
        )),
    ),
    (
        "InsecureDevVerifier",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../bindings/artifacts/InsecureDevVerifier.json"
        )),
    ),
];
