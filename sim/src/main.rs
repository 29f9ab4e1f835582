//! `provernet-sim`: the simulation's own command line (the same commands as `provernet sim`).

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "provernet-sim",
    about = "Agent-based simulation of provernet on the real contracts"
)]
struct Cli {
    #[command(subcommand)]
    cmd: provernet_sim::cli::SimCommand,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match provernet_sim::cli::run(cli.cmd) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
