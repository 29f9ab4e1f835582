//! `provernet abi export`: with forge's selector cache filled from the exported ABIs,
//! `cast decode-error` names this project's custom errors offline (issue 14's cast convention).

use crate::common::*;

#[test]
fn exported_abis_teach_cast_the_custom_errors() {
    let tools = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../node_modules/@foundry-rs");
    let forge = tools.join("forge-linux-amd64/bin/forge");
    let cast = tools.join("cast-linux-amd64/bin/cast");
    let dir = tempfile::tempdir().unwrap();
    // A fresh HOME: forge's selector cache lives under ~/.foundry.
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let abis = dir.path().join("abis");
    let out = Command::new(BIN).args(["--json", "abi", "export"]).arg(&abis).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r["customErrors"].as_u64().unwrap() >= 50, "{r}");
    assert!(abis.join("ProverNetwork.json").exists());

    let data = "0x78e030db0000000000000000000000000000000000000000000000000000000000000005\
                0000000000000000000000000000000000000000000000000000000000000064";
    let decode = || {
        let out = Command::new(&cast)
            .env("HOME", &home)
            .current_dir(dir.path())
            .args(["decode-error", data])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(!decode().contains("StakeBelowMinimum"), "unknown before the cache is filled");
    let cache = Command::new(&forge)
        .env("HOME", &home)
        .current_dir(dir.path())
        .args(["selectors", "cache", "--extra-abis-path"])
        .arg(&abis)
        .output()
        .unwrap();
    assert!(cache.status.success(), "{}", String::from_utf8_lossy(&cache.stderr));
    let named = decode();
    assert!(named.contains("StakeBelowMinimum(uint256,uint256)"), "{named}");
}
