//! `provernet fuzz` without the rest of the CLI:
//! `cargo run --release -p provernet-harness --example fuzz -- --seed 1 --actions 1000000`.

use clap::Parser;

#[derive(Parser)]
#[command(about = "Stateful fuzzing of the provernet contracts in revm")]
struct Cli {
    #[command(flatten)]
    args: provernet_harness::FuzzArgs,
    /// Print one JSON report instead of text.
    #[arg(long)]
    json: bool,
}

fn main() -> eyre::Result<std::process::ExitCode> {
    let cli = Cli::parse();
    let mut args = cli.args;
    args.json = cli.json;
    provernet_harness::run(&args)
}
