//! revm harness for the provernet contracts: placeholder until issue 4 lands.
