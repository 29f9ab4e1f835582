//! The shipped figures are current: every folder under docs/sim/ is in sim/figures.toml, every
//! entry's folder exists, and each records the bytecode hash of the contracts this build embeds.
//! Hashes only: no network, no release build (`make sim-figures` regenerates what this flags).

use std::path::Path;

use provernet_sim::figures::{self, Manifest};

#[test]
fn shipped_figures_were_made_on_the_current_contracts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest =
        Manifest::load(&root.join(figures::MANIFEST)).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(!manifest.figure.is_empty(), "{} lists no figure", figures::MANIFEST);
    let problems = figures::check(&root, &manifest).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(
        problems.is_empty(),
        "{} shipped figure folder(s) are not current:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}
