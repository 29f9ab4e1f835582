//! Machine costs, entry and exit on the real bytecode: an unprofitable prover leaves after exactly
//! `exit_after` evaluations and its stake leaves through the contract; an entrant registers exactly
//! `entry_delay_blocks` after deciding; fixed and capital costs lower profit by exactly their
//! amount and change nothing else.

use provernet_sim::engine;
use provernet_sim::scenario::Scenario;

/// First block of the simulator's chain (`world::GENESIS`).
const GENESIS: u64 = 1_000;
/// Epoch length of [`BASE`] (commit 14 + reveal 6).
const EPOCH: u64 = 20;

/// A small, quiet network: never down, no crashes, free gas, machines enough for every slot. An
/// honest prover's trailing profit can still dip below zero (a proof is paid when it starts and
/// earns when it lands), so the tests' exit lines sit far below what it can lose in an epoch.
const BASE: &str = r#"
name = "market-test"
seed = 3
[duration]
batches = 300
[chain]
commit_blocks = 14
reveal_blocks = 6
slot_blocks = 10
[params]
proving_window = 20
race_window = 10
unbonding_delay = 200
[load]
tx_per_block = 200.0
batch_txs = 400
[provers]
mtbf_blocks = 0.0
failure_rate = 0.0
gas_cost_per_mgas = 0.0
capacity = { machines = "fixed", count = 4 }
[[provers.classes]]
name = "gpu"
share = 1.0
cost_per_mb = 5.0
fixed_blocks = 1.0
blocks_per_mb = 40.0
jitter = 0.0
[[provers.classes]]
name = "pit"
share = 0.0
cost_per_mb = 5.0
fixed_blocks = 1.0
blocks_per_mb = 40.0
jitter = 0.0
fixed_cost_per_block = 100.0
[[provers.group]]
name = "crowd"
count = 6
stake = { kind = "equal", amount = 2000.0 }
class = "gpu"
"#;

fn run(text: &str) -> engine::RunResult {
    let s = Scenario::parse(text).unwrap_or_else(|e| panic!("{e:#}"));
    let r = engine::run(&s, &|_| {}).unwrap();
    let c = &r.summary.checks;
    assert!(c.consistent(), "{c:?}");
    assert!(c.tokens_reconcile && c.revenue_matches_claimable);
    assert_eq!(c.unexpected_reverts, 0, "{:?}", c.revert_samples);
    r
}

#[test]
fn an_unprofitable_prover_exits_after_exactly_k_evaluations_and_withdraws() {
    let text = format!(
        "{BASE}
[[provers.group]]
name = \"money-pit\"
count = 1
stake = {{ kind = \"equal\", amount = 3000.0 }}
class = \"pit\"
[market]
enabled = true
eval_epochs = 1
exit_after = 3
exit_below = -50000.0
entry_above = 1000000.0
"
    );
    let r = run(&text);
    let m = &r.summary.market;
    assert_eq!(m.exits, 1, "only the prover paying 100 tokens a block leaves");
    // Evaluations at the first blocks of epochs 1, 2 and 3: the third in a row below the line.
    let (spec, st, end) = r.provers.iter().find(|(p, ..)| p.group == Some(1)).unwrap();
    assert_eq!(st.exited, Some(GENESIS + 3 * EPOCH));
    let mut per_epoch = vec![0.0; 3];
    per_epoch[2] = spec.stake;
    assert_eq!(m.unstaked_per_epoch, per_epoch, "its whole stake, in epoch 3");
    assert_eq!(m.withdrawals, 1);
    assert!((m.withdrawn - (spec.stake - st.slashed)).abs() < 1e-9, "{}", m.withdrawn);
    assert_eq!(end.stake, 0.0);
    // Its machines stopped costing when it left: 4 machines x 100 tokens for each block it was in.
    assert_eq!(st.fixed_cost, 4.0 * 100.0 * (3 * EPOCH) as f64);
    assert_eq!(m.active_at_end, 6);
    assert!(
        r.provers.iter().filter(|(p, ..)| p.group == Some(0)).all(|(_, s, _)| s.exited.is_none())
    );
    let g = &r.summary.profitability.groups;
    assert_eq!((g[0].name.as_str(), g[0].exits, g[1].exits), ("crowd", 0, 1));
}

#[test]
fn an_entrant_registers_after_the_delay() {
    let text = format!(
        "{BASE}
[market]
enabled = true
eval_epochs = 1
exit_below = -1000000.0
entry_above = -0.5
entrants = 1
entry_delay_blocks = 50
"
    );
    let r = run(&text);
    let m = &r.summary.market;
    // The first evaluation (epoch 1's first block) sees the incumbents at 0 > -0.5: the entrant
    // decides then and registers 50 blocks later; the pool is empty after it.
    assert_eq!((m.entry_decisions, m.entries, m.exits), (1, 1, 0));
    assert_eq!(r.provers.len(), 7, "the entrant is in the provers list");
    let (_, st, end) = r.provers.last().unwrap();
    assert_eq!(st.joined, Some(GENESIS + EPOCH + 50));
    assert!(end.stake > 0.0);
    assert!(r.summary.recovery.list_per_epoch.contains(&7), "it gets listed");
}

#[test]
fn fixed_and_capital_costs_lower_profit_by_exactly_their_amount() {
    let free = run(BASE);
    let costly = run(&BASE.replace(
        "name = \"gpu\"\nshare = 1.0",
        "name = \"gpu\"\nshare = 1.0\nfixed_cost_per_block = 0.5\nmachine_price = 1000.0\nlifetime_blocks = 4000.0",
    ));
    // Costs change no decision without [market]: the same run, less 4 machines x (0.5 + 0.25)
    // tokens for every block from registration (genesis) to the end.
    let blocks = (free.summary.blocks + EPOCH) as f64;
    assert_eq!(free.summary.blocks, costly.summary.blocks);
    for ((_, a, _), (_, b, _)) in free.provers.iter().zip(&costly.provers) {
        assert_eq!((a.assignments, a.revenue), (b.assignments, b.revenue));
        assert_eq!(b.fixed_cost, 4.0 * 0.5 * blocks);
        assert_eq!(b.capital_cost, 4.0 * 0.25 * blocks);
        let diff = a.profit(0.0) - b.profit(0.0);
        assert!((diff - 3.0 * blocks).abs() < 1e-6, "{diff} vs {}", 3.0 * blocks);
    }
    let p = &costly.summary.profitability;
    assert_eq!(p.machines_at_start, 24);
    assert!((p.fixed_cost - 6.0 * 4.0 * 0.5 * blocks).abs() < 1e-6);
    assert!(p.utilisation > 0.0 && p.utilisation < 1.0, "{}", p.utilisation);
}
