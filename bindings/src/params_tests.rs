use std::path::{Path, PathBuf};

use super::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `DeployParams::dev()` of the CLI before the types were shared, field by field, with the slot,
/// bond and minimum fee the slot-based mechanism added, and the challenge window, keeper share,
/// the longer unbonding delay (it must outlast a data challenge) and the 2% slash of issue 11.
fn old_cli_dev() -> NetworkConfig {
    NetworkConfig {
        commit_blocks: 4,
        reveal_blocks: 3,
        slot_blocks: 2,
        params: Params {
            min_stake: 100 * UNIT,
            max_weight_stake: 10_000 * UNIT,
            proving_window: 6,
            race_window: 6,
            unbonding_delay: 40,
            rep_half_life: 1000,
            slash_bps: 200,
            non_reveal_slash_bps: 100,
            burn_bps: 5000,
            bounty_bps: 3000,
            rep_initial: 5000,
            rep_gain: 100,
            rep_miss_penalty: 1500,
            rep_no_reveal_penalty: 300,
            assignment_bond: 10 * UNIT,
            min_fee: UNIT / 1000,
            challenge_window: 4,
            keeper_bps: 500,
        },
    }
}

/// The simulator's `ParamsCfg::default()` before the types were shared (amounts in tokens), with
/// issue 11's 2% slash.
fn old_sim_default(key: &str) -> f64 {
    match key {
        "min_stake" => 100.0,
        "max_weight_stake" => 10_000.0,
        "proving_window" => 20.0,
        "race_window" => 10.0,
        "unbonding_delay" => 1_000.0,
        "rep_half_life" => 5_000.0,
        "slash_bps" => 200.0,
        "non_reveal_slash_bps" => 100.0,
        "burn_bps" => 5_000.0,
        "bounty_bps" => 3_000.0,
        "rep_initial" => 5_000.0,
        "rep_gain" => 100.0,
        "rep_miss_penalty" => 1_500.0,
        "rep_no_reveal_penalty" => 300.0,
        "assignment_bond" => 10.0,
        "min_fee" => 0.001,
        "challenge_window" => 10.0,
        "keeper_bps" => 500.0,
        other => panic!("unknown key {other}"),
    }
}

/// Whether a field is an amount of tokens (read from files in tokens, held in units).
fn is_amount(key: &str) -> bool {
    key.ends_with("stake") || key == "assignment_bond" || key == "min_fee"
}

/// Every field as a number, by its snake_case name.
fn fields(p: &Params) -> Vec<(&'static str, u128)> {
    vec![
        ("min_stake", p.min_stake),
        ("max_weight_stake", p.max_weight_stake),
        ("proving_window", p.proving_window.into()),
        ("race_window", p.race_window.into()),
        ("unbonding_delay", p.unbonding_delay.into()),
        ("rep_half_life", p.rep_half_life.into()),
        ("slash_bps", p.slash_bps.into()),
        ("non_reveal_slash_bps", p.non_reveal_slash_bps.into()),
        ("burn_bps", p.burn_bps.into()),
        ("bounty_bps", p.bounty_bps.into()),
        ("rep_initial", p.rep_initial.into()),
        ("rep_gain", p.rep_gain.into()),
        ("rep_miss_penalty", p.rep_miss_penalty.into()),
        ("rep_no_reveal_penalty", p.rep_no_reveal_penalty.into()),
        ("assignment_bond", p.assignment_bond),
        ("min_fee", p.min_fee),
        ("challenge_window", p.challenge_window.into()),
        ("keeper_bps", p.keeper_bps.into()),
    ]
}

#[test]
fn shipped_params_files_read_as_the_cli_read_them() {
    let dev = std::fs::read_to_string(repo().join("deployments/dev.params.json")).unwrap();
    let read = NetworkConfig::from_json_over(&dev, NetworkConfig::test()).unwrap();
    assert_eq!(read, old_cli_dev());
    assert_eq!(NetworkConfig::development(), old_cli_dev());

    let testnet = NetworkConfig::testnet();
    assert_eq!((testnet.commit_blocks, testnet.reveal_blocks), (150, 150));
    let p = testnet.params;
    assert_eq!((p.min_stake, p.max_weight_stake), (1_000 * UNIT, 100_000 * UNIT));
    assert_eq!((p.proving_window, p.race_window, p.unbonding_delay), (300, 150, 50_400));
    assert_eq!((p.rep_half_life, p.slash_bps, p.non_reveal_slash_bps), (216_000, 200, 100));
    assert_eq!((p.burn_bps, p.bounty_bps, p.rep_initial, p.rep_gain), (5000, 3000, 5000, 30));
    assert_eq!((p.rep_miss_penalty, p.rep_no_reveal_penalty), (5000, 300));
}

/// Every `[params]` table of the shipped scenarios reads into the values the simulator computed
/// from its own struct: amounts `(tokens * 1e18).round()`, integers as written, absent fields from
/// its defaults.
#[test]
fn every_shipped_scenario_params_table_reads_identically() {
    let mut checked = 0;
    for entry in std::fs::read_dir(repo().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        let doc: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let Some(table) = doc.get("params") else { continue };
        let table = table.as_table().unwrap().clone();
        let read =
            Params::deserialize_over(Params::simulation(), toml::Value::Table(table.clone()))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (key, got) in fields(&read) {
            let tokens = table.get(key).map_or(old_sim_default(key), |v| {
                v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap()
            });
            let want =
                if is_amount(key) { (tokens * 1e18).round() as u128 } else { tokens as u128 };
            assert_eq!(got, want, "{} params.{key}", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} scenarios with a [params] table");
}

#[test]
fn partial_files_fill_from_the_callers_set() {
    // The CLI e2e tests' file: four fields over the development set.
    let text = r#"{
      "commitBlocks": 10, "revealBlocks": 10,
      "minStake": "100", "maxWeightStake": "10000",
      "provingWindow": 5, "raceWindow": 5, "unbondingDelay": 50
    }"#;
    let c = NetworkConfig::from_json_over(text, NetworkConfig::development()).unwrap();
    assert_eq!((c.commit_blocks, c.reveal_blocks), (10, 10));
    assert_eq!(
        (c.params.proving_window, c.params.race_window, c.params.unbonding_delay),
        (5, 5, 50)
    );
    assert_eq!(c.params.rep_half_life, 1000);
    let p: Params =
        Params::deserialize_over(Params::simulation(), toml::Value::Table(toml::Table::new()))
            .unwrap();
    assert_eq!(p, Params::simulation());
}

#[test]
fn unknown_and_misplaced_fields_are_errors() {
    let e = NetworkConfig::from_json_over(
        r#"{ "provingWindow": 6, "colour": "red" }"#,
        NetworkConfig::development(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("unknown field `colour`"), "{e}");
    let t: toml::Table = toml::from_str("commit_blocks = 5").unwrap();
    let e = Params::deserialize_over(Params::simulation(), toml::Value::Table(t))
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field `commit_blocks`"), "{e}");
    let e = NetworkConfig::from_json_over(r#"{ "minStake": "-1" }"#, NetworkConfig::development())
        .unwrap_err()
        .to_string();
    assert!(e.contains("negative"), "{e}");
    let e = serde_json::from_str::<Params>(r#"{ "min_stake": "1" }"#).unwrap_err().to_string();
    assert!(e.contains("missing field `max_weight_stake`"), "{e}");
    let e = NetworkConfig::from_json_over(r#"{ "minStake": "1" } x"#, NetworkConfig::development())
        .unwrap_err()
        .to_string();
    assert!(e.contains("trailing characters"), "{e}");
}

#[test]
fn serialises_snake_case_and_reads_back_inside_tagged_enums() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "kind")]
    enum Action {
        SetParams { params: Params },
    }
    let mut p = Params::test();
    p.min_stake = 1 << 20; // below one token: written exactly as a decimal string
    let json = serde_json::to_string(&Action::SetParams { params: p }).unwrap();
    assert!(json.contains(r#""min_stake":"0.000000000001048576""#), "{json}");
    assert_eq!(serde_json::from_str::<Action>(&json).unwrap(), Action::SetParams { params: p });

    let c = NetworkConfig::testnet();
    let toml_text = toml::to_string(&c).unwrap();
    assert!(toml_text.contains("commit_blocks = 150"), "{toml_text}");
    assert_eq!(toml::from_str::<NetworkConfig>(&toml_text).unwrap(), c);
}

#[test]
fn converts_to_and_from_the_contract_struct() {
    for p in [Params::development(), Params::test(), Params::testnet(), Params::simulation()] {
        let sol = p.to_sol().unwrap();
        assert_eq!(sol.minStake, U96::from(p.min_stake));
        assert_eq!(sol.repNoRevealPenalty, p.rep_no_reveal_penalty);
        assert_eq!(Params::from(&sol), p);
        assert_eq!(ProverNetwork::Params::try_from(&p).unwrap(), sol);
    }
    let mut p = Params::test();
    p.max_weight_stake = (1 << 96) - 1;
    assert!(p.to_sol().is_ok());
    p.max_weight_stake = 1 << 96;
    let e = p.to_sol().unwrap_err().to_string();
    assert!(e.contains("maxWeightStake") && e.contains("96 bits"), "{e}");
}

#[test]
fn rescales_amounts_for_other_token_decimals() {
    let p = Params::development().with_token_decimals(6).unwrap();
    assert_eq!((p.min_stake, p.max_weight_stake), (100_000_000, 10_000_000_000));
    assert_eq!(p.slash_bps, Params::development().slash_bps);
    let mut fine = Params::development();
    fine.min_stake = UNIT / 1000;
    let e = fine.with_token_decimals(2).unwrap_err().to_string();
    assert!(e.contains("minStake") && e.contains("decimal places"), "{e}");
}

#[test]
fn simulation_set_is_the_old_sim_default() {
    let sim = NetworkConfig::simulation();
    assert_eq!((sim.commit_blocks, sim.reveal_blocks, sim.slot_blocks), (70, 30, 10));
    for (key, got) in fields(&sim.params) {
        let tokens = old_sim_default(key);
        let want = if is_amount(key) { (tokens * 1e18).round() as u128 } else { tokens as u128 };
        assert_eq!(got, want, "{key}");
    }
}

/// `NetworkConfig::test` is the Foundry fixture's set: every `p.<field> = <value>;` of
/// `defaultParams()` and the epoch constants of test/helpers/NetworkTestBase.sol.
#[test]
fn test_set_is_the_foundry_fixture() {
    let sol = std::fs::read_to_string(repo().join("test/helpers/NetworkTestBase.sol")).unwrap();
    let constant = |name: &str| -> String {
        let line = sol.lines().find(|l| l.contains(&format!("constant {name} ="))).unwrap();
        line.split('=').nth(1).unwrap().trim().trim_end_matches(';').to_string()
    };
    let number = |expr: &str| -> u128 {
        let e = expr.trim().trim_start_matches("uint96(").trim_end_matches(')');
        let e = if e.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            constant(e)
        } else {
            e.into()
        };
        let e = e.replace('_', "");
        match e.split_once("e18") {
            Some((n, _)) => n.parse::<u128>().unwrap() * UNIT,
            None => e.parse().unwrap(),
        }
    };
    let test = NetworkConfig::test();
    assert_eq!(u128::from(test.commit_blocks), number(&constant("COMMIT_BLOCKS")));
    assert_eq!(u128::from(test.reveal_blocks), number(&constant("REVEAL_BLOCKS")));
    assert_eq!(u128::from(test.slot_blocks), number(&constant("SLOT_BLOCKS")));
    let body = sol.split("function defaultParams()").nth(1).unwrap().split('}').next().unwrap();
    let mut assigned = Vec::new();
    for line in body.lines().filter_map(|l| l.trim().strip_prefix("p.")) {
        let (camel, expr) = line.trim_end_matches(';').split_once('=').unwrap();
        let snake: String = camel
            .trim()
            .chars()
            .flat_map(|c| {
                if c.is_ascii_uppercase() { vec!['_', c.to_ascii_lowercase()] } else { vec![c] }
            })
            .collect();
        let want = number(expr);
        let got = fields(&test.params).into_iter().find(|(k, _)| *k == snake).unwrap().1;
        assert_eq!(got, want, "{snake}");
        assigned.push(snake);
    }
    assert_eq!(assigned.len(), 18, "the fixture sets every field: {assigned:?}");
}
