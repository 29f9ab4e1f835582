//! `provernet`: placeholder until the CLI lands (issue 3).

fn main() {
    eprintln!("provernet: the CLI is not implemented yet");
    std::process::exit(2);
}
