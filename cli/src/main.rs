//! `provernet`: the command line of the provernet prover network.

fn main() -> std::process::ExitCode {
    provernet_cli::cli::main()
}
