#!/usr/bin/env python3
"""Prints the markdown table of docs/simulation.md's pools section from a sweep's stats.json:
per metric, the mean [95% interval] over seeds at each grid point and the paired difference
(same seed) to the first point; then, from the sweep's runs/*.json, the pools by hardware class. Usage: python3 docs/sim/delegators-table.py docs/sim/delegators-sweep/stats.json"""
import csv
import json
import os
import sys

METRICS = [
    ("nakamoto_weight", "Nakamoto coefficient of selection weight"),
    ("hhi_weight", "HHI of selection weight"),
    ("nakamoto_assignments", "Nakamoto coefficient of assignments"),
    ("hhi_assignments", "HHI of assignments"),
    ("nakamoto_stake_end", "Nakamoto coefficient of stake at the end"),
    ("hhi_stake_end", "HHI of stake at the end"),
    ("delegated_share", "delegated share of bonded stake"),
    ("top_pools_delegated_share", "delegated value in the top 10% of pools"),
    ("delegator_return", "delegators' return over the run"),
    ("delegators_in_profit", "delegators in profit"),
    ("pool_return_high_rep", "share-price return, pools with reputation >= median"),
    ("pool_return_low_rep", "share-price return, pools with reputation < median"),
    ("delegator_moves", "delegators' moves (withdrawal requests)"),
    ("share_proven", "batches proven in window"),
    ("honest_profitable_share", "provers in profit"),
    ("revenue", "provers' revenue (tokens)"),
    ("slashed", "stake slashed (tokens)"),
]


def fmt(s):
    if s is None or s.get("mean") is None:
        return "n/a"
    m, lo, hi = s["mean"], s.get("lo"), s.get("hi")
    p = 0 if abs(m) >= 100 else 3
    if lo is None or hi is None:
        return f"{m:.{p}f}"
    return f"{m:.{p}f} [{lo:.{p}f}, {hi:.{p}f}]"


def by_class(sweep_dir, axes):
    """Per grid point with pools and hardware class, over that point's runs (runs/NNN.json, in
    table.csv's row order): pools per run, the share of the delegated value they hold at the end,
    and the mean share-price return of those holding delegations (what a delegator who stayed
    earned)."""
    runs_dir = os.path.join(sweep_dir, "runs")
    if not os.path.isdir(runs_dir):
        return
    rows = list(csv.reader(open(os.path.join(sweep_dir, "table.csv"))))[1:]
    acc = {}
    for i, row in enumerate(rows):
        point = ", ".join(row[:axes])
        run = json.load(open(os.path.join(runs_dir, f"{i:03}.json")))
        pools = run["pools"]["pools_end"]
        total = sum(p["delegated"] for p in pools) or 1.0
        for p in pools:
            a = acc.setdefault((point, p["class"]), {"pools": 0, "share": 0.0, "returns": [], "runs": set()})
            a["pools"] += 1
            a["share"] += p["delegated"] / total
            a["runs"].add(i)
            if p["delegated"] > 0:
                a["returns"].append(p["price_return"])
    if not acc:
        return
    print()
    print("| point | class | pools per run | share of delegated value | pools holding delegations per run | their mean share-price return |")
    print("|---|---|---|---|---|---|")
    for (point, cls), a in acc.items():
        runs = len(a["runs"])
        r = a["returns"]
        mean = f"{sum(r) / len(r):.3f}" if r else "n/a"
        print(f"| {point} | {cls} | {a['pools'] / runs:.1f} | {a['share'] / runs:.3f} | {len(r) / runs:.1f} | {mean} |")


def main():
    stats = json.load(open(sys.argv[1]))
    # stats.json is {bytecode_hash, command, points}; files written before provenance was recorded
    # are the bare list of points.
    points = stats["points"] if isinstance(stats, dict) else stats
    name = lambda p: ", ".join(p["coords"])
    heads = [f"`{name(p)}`" for p in points] + [f"paired difference ({name(p)} - {name(points[0])})" for p in points[1:]]
    print("| metric | " + " | ".join(heads) + " |")
    print("|---|" + "---|" * len(heads))
    for key, label in METRICS:
        get = lambda lst: next((x for x in lst if x["metric"] == key), None)
        cells = [fmt(get(p["metrics"])) for p in points] + [fmt(get(p["paired"])) for p in points[1:]]
        print(f"| {label} | " + " | ".join(cells) + " |")
    by_class(os.path.dirname(sys.argv[1]), len(points[0]["coords"]))


main()
