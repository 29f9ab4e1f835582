//! Prints `contracts/libraries/PoseidonConstants.sol`, the Poseidon parameters of the batch
//! commitment as Solidity constants:
//! `cargo run -q -p provernet-zk --example poseidon-sol > contracts/libraries/PoseidonConstants.sol`.

fn main() {
    print!("{}", provernet_zk::poseidon_solidity::render_poseidon_constants());
}
