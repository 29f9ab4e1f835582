//! `provernet fuzz` without the rest of the CLI:
//! `cargo run --release -p provernet-harness --example fuzz -- --seed 1 --actions 1000000`.

use clap::Parser;

#[derive(Parser)]
#[command(about = "Stateful fuzzing of the provernet contracts in revm")]
struct Cli {
    #[command(flatten)]
    args: provernet_harness::FuzzArgs,
}

fn main() -> eyre::Result<std::process::ExitCode> {
    provernet_harness::run(&Cli::parse().args)
}
