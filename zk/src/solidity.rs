//! Generates the Solidity Groth16 verifier from verifying keys.
//!
//! The contract is written here from the Groth16 verification equation, not from another
//! project's template:
//!
//! `e(A, B) = e(alpha, beta) * e(vk_x, gamma) * e(C, delta)`, with
//! `vk_x = IC_0 + sum_i input_i * IC_{i+1}`,
//!
//! checked as one call to the pairing precompile (0x08) on
//! `(-A, B), (alpha, beta), (vk_x, gamma), (C, delta)`; `vk_x` is built with ecMul (0x07) and
//! ecAdd (0x06). Only the key constants differ between key sets; the logic is fixed text, and the
//! padding rule (`inputs.rs`) is rendered from the same constants the Rust prover uses.

use crate::{
    inputs::{CIRCUIT_SIZES, COUNT_SHIFT, MAX_BATCH_COUNT},
    proof::{fq_to_bytes, g1_coords, g2_coords},
};
use alloy_primitives::B256;
use ark_bn254::{Bn254, Fq, Fr, G1Affine, G2Affine};
use ark_ec::short_weierstrass::SWCurveConfig;
use ark_ff::PrimeField;
use ark_groth16::VerifyingKey;
use std::fmt::Write as _;

/// The import of `IProofVerifier` as seen from `zk/solidity/`, where the committed verifier lives.
pub const DEFAULT_INTERFACE_IMPORT: &str = "../../contracts/interfaces/IProofVerifier.sol";

/// Where the committed verifier lives, relative to the repository root.
pub const COMMITTED_VERIFIER_PATH: &str = "zk/solidity/Groth16BatchVerifier.sol";

fn hex_word(bytes: [u8; 32]) -> String {
    format!("0x{}", alloy_primitives::hex::encode(bytes))
}

fn fq(x: &Fq) -> String {
    hex_word(fq_to_bytes(x))
}

fn modulus<F: PrimeField>() -> String {
    let mut bytes = [0u8; 32];
    let be = ark_ff::BigInteger::to_bytes_be(&F::MODULUS);
    bytes.copy_from_slice(&be);
    hex_word(bytes)
}

/// `[x, y]` of a G1 point as Solidity literals.
fn g1_words(p: &G1Affine) -> [String; 2] {
    let (x, y) = g1_coords(p);
    [fq(&x), fq(&y)]
}

/// `[x.c1, x.c0, y.c1, y.c0]` of a G2 point: the EIP-197 order.
fn g2_words(p: &G2Affine) -> [String; 4] {
    let (x, y) = g2_coords(p);
    [fq(&x.c1), fq(&x.c0), fq(&y.c1), fq(&y.c0)]
}

/// Renders the verifier for the given `(circuit size, verifying key)` pairs.
///
/// `interface_import` is the import path of `IProofVerifier.sol` from wherever the file will be
/// placed ([`DEFAULT_INTERFACE_IMPORT`] for `zk/solidity/`).
pub fn render_verifier(
    keys: &[(usize, &VerifyingKey<Bn254>)],
    keys_id: B256,
    interface_import: &str,
) -> String {
    let b = ark_bn254::g2::Config::COEFF_B;
    // The padding rule's size table covers every circuit size, whichever keys this set holds, so
    // a count maps to the same circuit in Rust and Solidity; a size without a key is unsupported.
    let mut sizes = String::new();
    for size in CIRCUIT_SIZES {
        writeln!(sizes, "        if (count <= {size}) return {size};").unwrap();
    }
    let mut key_functions = String::new();
    let mut dispatch = String::new();
    for (count, vk) in keys {
        assert!(CIRCUIT_SIZES.contains(count), "{count} is not a circuit size");
        assert_eq!(vk.gamma_abc_g1.len(), count + 3, "a {count}-slot key has {} inputs", count + 2);
        writeln!(dispatch, "        if (size == {count}) return _verifyingKey{count}();").unwrap();
        let mut body = String::new();
        let words = g1_words(&vk.alpha_g1)
            .into_iter()
            .chain(g2_words(&vk.beta_g2))
            .chain(g2_words(&vk.gamma_g2))
            .chain(g2_words(&vk.delta_g2));
        for (i, w) in words.enumerate() {
            writeln!(body, "        key[{i}] = {w};").unwrap();
        }
        writeln!(body, "        ic = new uint256[]({});", 2 * vk.gamma_abc_g1.len()).unwrap();
        for (i, w) in vk.gamma_abc_g1.iter().flat_map(g1_words).enumerate() {
            writeln!(body, "        ic[{i}] = {w};").unwrap();
        }
        write!(
            key_functions,
            "
    /// @dev Verifying key of the {count}-slot circuit: `key` holds alpha (G1), beta, gamma, delta (G2,
    ///      EIP-197 order); `ic` holds the {n} points IC_0..IC_{last} as x, y pairs.
    function _verifyingKey{count}() private pure returns (uint256[14] memory key, uint256[] memory ic) {{
{body}    }}
",
            n = vk.gamma_abc_g1.len(),
            last = vk.gamma_abc_g1.len() - 1,
        )
        .unwrap();
    }
    let supports =
        keys.iter().map(|(size, _)| format!("size == {size}")).collect::<Vec<_>>().join(" || ");
    let counts = keys.iter().map(|(size, _)| size.to_string()).collect::<Vec<_>>().join(", ");

    TEMPLATE
        .replace("{{KEYS_ID}}", &keys_id.to_string())
        .replace("{{IMPORT}}", interface_import)
        .replace("{{SIZES}}", &counts)
        .replace("{{MAX}}", &MAX_BATCH_COUNT.to_string())
        .replace("{{COUNT_SHIFT}}", &COUNT_SHIFT.to_string())
        .replace("{{SIZE_TABLE}}", &sizes)
        .replace("{{P}}", &modulus::<Fq>())
        .replace("{{R}}", &modulus::<Fr>())
        .replace("{{B2_C0}}", &fq(&b.c0))
        .replace("{{B2_C1}}", &fq(&b.c1))
        .replace("{{SUPPORTS}}", &supports)
        .replace("{{DISPATCH}}", &dispatch)
        .replace("{{KEY_FUNCTIONS}}", &key_functions)
}

const TEMPLATE: &str = r#"// SPDX-License-Identifier: MIT
// GENERATED by provernet-zk (zk/src/solidity.rs) from the verifying keys with id {{KEYS_ID}}.
// Do not edit: regenerate with `PROVERNET_ZK_BLESS=1 cargo test -p provernet-zk --test generated`.
pragma solidity 0.8.30;

import {IProofVerifier} from "{{IMPORT}}";

/// @title Groth16BatchVerifier
/// @notice Groth16 (BN254) verifier of provernet batch proofs over 1 to {{MAX}} consecutive batches, with
///         circuits of {{SIZES}} batch slots. Generated from the verifying keys by the project's Rust
///         code (provernet-zk).
/// @dev Padding rule (the same as zk/src/inputs.rs): a proof over n batches uses the circuit of size
///      k = circuitSize(n), the smallest circuit size >= n, and has k + 2 public scalars, each < R:
///        input[0]              = network | chainId << 160                   (chainId < 2^64)
///        input[1]              = prover | firstBatchId << 160 | n << {{COUNT_SHIFT}}  (firstBatchId < 2^64)
///        input[2 + i], i < n   = commitments[i]                             (< R: a Poseidon output)
///        input[2 + i], i >= n  = 0                                          (padding)
///      The circuit opens the first n commitments and forces the padding ones to zero, and n itself
///      is an input, so a proof is valid for one chain, one network (msg.sender), one prover, one
///      first batch id and one ordered list of exactly n commitments. Packing saves one ecMul +
///      ecAdd per packed value; zero inputs (the padding) are skipped, so padding costs no ecMul.
///      Malformed input reverts with the custom errors below (so the calling transaction changes
///      nothing); a well-formed proof that does not verify returns false. Uses only the BN254
///      precompiles 0x06 (ecAdd), 0x07 (ecMul) and 0x08 (pairing).
contract Groth16BatchVerifier is IProofVerifier {
    /// @notice A proof covers 1 to MAX_BATCH_COUNT batches (and this verifier has no key for `count`).
    /// @param count The number of commitments passed.
    error UnsupportedBatchCount(uint256 count);
    /// @notice The chain id does not fit the 64 bits reserved for it in the public inputs.
    /// @param chainId The chain id.
    error ChainIdOutOfRange(uint256 chainId);
    /// @notice The first batch id does not fit the 64 bits reserved for it in the public inputs.
    /// @param firstBatchId The batch id.
    error BatchIdOutOfRange(uint256 firstBatchId);
    /// @notice A commitment is not below the scalar field modulus, so no proof can open it.
    /// @param index The commitment's position in the list.
    /// @param commitment The commitment.
    error CommitmentNotInField(uint256 index, bytes32 commitment);
    /// @notice The proof is not the 256 bytes A | B | C.
    /// @param length The length received.
    /// @param expected The required length.
    error ProofLengthInvalid(uint256 length, uint256 expected);
    /// @notice A proof coordinate is not below the base field modulus.
    /// @param word Index of the 32-byte word: 0-1 A, 2-5 B (x.c1, x.c0, y.c1, y.c0), 6-7 C.
    error ProofCoordinateNotInField(uint256 word);
    /// @notice A proof point is not on its curve.
    /// @param point 0 for A, 1 for B, 2 for C.
    error ProofPointNotOnCurve(uint256 point);
    /// @notice A precompile rejected its input (for example B outside the G2 subgroup).
    /// @param precompile The precompile's address.
    error PrecompileFailed(address precompile);

    /// @notice Fingerprint of the verifying keys this contract embeds (see provernet-zk `KeySet::keys_id`).
    bytes32 public constant KEYS_ID = {{KEYS_ID}};
    /// @notice Length of a proof in bytes.
    uint256 public constant PROOF_LENGTH = 256;
    /// @notice The most batches one proof covers (the largest circuit size).
    uint256 public constant MAX_BATCH_COUNT = {{MAX}};

    /// @dev Bit position of the batch count in input[1], above the prover (160 bits) and the first
    ///      batch id (64 bits).
    uint256 internal constant COUNT_SHIFT = {{COUNT_SHIFT}};

    /// @dev BN254 base field modulus.
    uint256 internal constant P = {{P}};
    /// @dev BN254 scalar field modulus.
    uint256 internal constant R = {{R}};
    /// @dev The twist's b = 3 / (9 + u) in Fp2 (G2 is y^2 = x^3 + b over Fp[u] / (u^2 + 1)).
    uint256 internal constant B2_C0 = {{B2_C0}};
    uint256 internal constant B2_C1 = {{B2_C1}};

    /// @inheritdoc IProofVerifier
    function verify(
        address prover,
        uint256 firstBatchId,
        bytes32[] calldata commitments,
        bytes calldata proof
    ) external view returns (bool valid) {
        uint256[] memory input = publicInputs(msg.sender, prover, firstBatchId, commitments);
        _checkProof(proof);
        (uint256[14] memory key, uint256[] memory ic) = _verifyingKey(input.length - 2);
        (uint256 x, uint256 y) = _linearCombination(ic, input);
        return _pairing(proof, x, y, key);
    }

    /// @inheritdoc IProofVerifier
    /// @dev A commitment is a Poseidon output, a scalar field element: R, the scalar field order.
    function commitmentBound() external pure returns (uint256) {
        return R;
    }

    /// @notice Whether this verifier checks proofs over `count` batches.
    /// @param count The number of batches.
    /// @return True for 1 to MAX_BATCH_COUNT when the circuit that count uses has a key here.
    function supportsBatchCount(uint256 count) public pure returns (bool) {
        if (count == 0 || count > MAX_BATCH_COUNT) return false;
        uint256 size = circuitSize(count);
        return {{SUPPORTS}};
    }

    /// @notice The circuit (number of batch slots) a proof over `count` batches uses: the smallest
    ///         circuit size that holds `count`; the slots after the first `count` are padding.
    /// @param count The number of batches, 1 to MAX_BATCH_COUNT.
    /// @return The circuit size.
    function circuitSize(uint256 count) public pure returns (uint256) {
        if (count == 0) revert UnsupportedBatchCount(count);
{{SIZE_TABLE}}        revert UnsupportedBatchCount(count);
    }

    /// @notice The public inputs a proof must be valid for, exactly as the Rust prover encodes them,
    ///         padded with zeros to the circuit size.
    /// @param network The network that asks (msg.sender of verify).
    /// @param prover The submitting prover.
    /// @param firstBatchId The first covered batch.
    /// @param commitments The covered commitments, in order.
    /// @return input The circuitSize(commitments.length) + 2 scalars, in circuit order.
    function publicInputs(
        address network,
        address prover,
        uint256 firstBatchId,
        bytes32[] calldata commitments
    ) public view returns (uint256[] memory input) {
        uint256 count = commitments.length;
        if (!supportsBatchCount(count)) revert UnsupportedBatchCount(count);
        if (block.chainid >> 64 != 0) revert ChainIdOutOfRange(block.chainid);
        if (firstBatchId >> 64 != 0) revert BatchIdOutOfRange(firstBatchId);
        // The padding commitments are the zeros the array starts with.
        input = new uint256[](circuitSize(count) + 2);
        input[0] = uint256(uint160(network)) | (block.chainid << 160);
        input[1] = uint256(uint160(prover)) | (firstBatchId << 160) | (count << COUNT_SHIFT);
        for (uint256 i; i < count; ++i) {
            uint256 c = uint256(commitments[i]);
            if (c >= R) revert CommitmentNotInField(i, commitments[i]);
            input[i + 2] = c;
        }
    }

    /// @dev Rejects malformed proofs before any precompile sees them: a precompile that fails
    ///      consumes all the gas it was given, and its failure says nothing about why.
    function _checkProof(bytes calldata proof) private pure {
        if (proof.length != PROOF_LENGTH) revert ProofLengthInvalid(proof.length, PROOF_LENGTH);
        for (uint256 i; i < 8; ++i) {
            if (_word(proof, i) >= P) revert ProofCoordinateNotInField(i);
        }
        if (!_onG1(_word(proof, 0), _word(proof, 1))) revert ProofPointNotOnCurve(0);
        if (!_onG2(_word(proof, 2), _word(proof, 3), _word(proof, 4), _word(proof, 5))) {
            revert ProofPointNotOnCurve(1);
        }
        if (!_onG1(_word(proof, 6), _word(proof, 7))) revert ProofPointNotOnCurve(2);
    }

    /// @dev y^2 = x^3 + 3. Excludes the point at infinity (0, 0), which no honest proof contains.
    function _onG1(uint256 x, uint256 y) private pure returns (bool) {
        return mulmod(y, y, P) == addmod(mulmod(mulmod(x, x, P), x, P), 3, P);
    }

    /// @dev y^2 = x^3 + b over Fp2, with u^2 = -1: (a0 + a1 u)(b0 + b1 u) = (a0 b0 - a1 b1) + (a0 b1 + a1 b0) u.
    ///      Subgroup membership is left to the pairing precompile, which rejects points outside it.
    function _onG2(uint256 x1, uint256 x0, uint256 y1, uint256 y0) private pure returns (bool) {
        uint256 yy0 = addmod(mulmod(y0, y0, P), P - mulmod(y1, y1, P), P);
        uint256 yy1 = mulmod(addmod(y0, y0, P), y1, P);
        uint256 xx0 = addmod(mulmod(x0, x0, P), P - mulmod(x1, x1, P), P);
        uint256 xx1 = mulmod(addmod(x0, x0, P), x1, P);
        uint256 xxx0 = addmod(mulmod(xx0, x0, P), P - mulmod(xx1, x1, P), P);
        uint256 xxx1 = addmod(mulmod(xx0, x1, P), mulmod(xx1, x0, P), P);
        return yy0 == addmod(xxx0, B2_C0, P) && yy1 == addmod(xxx1, B2_C1, P);
    }

    /// @dev The i-th 32-byte word of the proof.
    function _word(bytes calldata proof, uint256 i) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := calldataload(add(proof.offset, shl(5, i)))
        }
    }

    /// @dev vk_x = IC_0 + sum_i input[i] * IC_{i+1}, with ecMul (0x07) and ecAdd (0x06). A zero input
    ///      adds the identity, so it is skipped: padding slots cost no precompile call.
    function _linearCombination(uint256[] memory ic, uint256[] memory input)
        private
        view
        returns (uint256 x, uint256 y)
    {
        x = ic[0];
        y = ic[1];
        uint256[4] memory buf;
        for (uint256 i; i < input.length; ++i) {
            if (input[i] == 0) continue;
            buf[0] = ic[2 * i + 2];
            buf[1] = ic[2 * i + 3];
            buf[2] = input[i];
            bool ok;
            assembly ("memory-safe") {
                ok := staticcall(gas(), 0x07, buf, 0x60, add(buf, 0x40), 0x40)
            }
            if (!ok) revert PrecompileFailed(address(0x07));
            buf[0] = x;
            buf[1] = y;
            assembly ("memory-safe") {
                ok := staticcall(gas(), 0x06, buf, 0x80, buf, 0x40)
            }
            if (!ok) revert PrecompileFailed(address(0x06));
            x = buf[0];
            y = buf[1];
        }
    }

    /// @dev e(-A, B) * e(alpha, beta) * e(vk_x, gamma) * e(C, delta) == 1, in one 0x08 call.
    function _pairing(bytes calldata proof, uint256 x, uint256 y, uint256[14] memory key)
        private
        view
        returns (bool)
    {
        uint256[24] memory p;
        p[0] = _word(proof, 0);
        p[1] = (P - _word(proof, 1)) % P;
        for (uint256 i = 2; i < 6; ++i) {
            p[i] = _word(proof, i);
        }
        for (uint256 i; i < 6; ++i) {
            p[6 + i] = key[i];
        }
        p[12] = x;
        p[13] = y;
        for (uint256 i; i < 4; ++i) {
            p[14 + i] = key[6 + i];
            p[20 + i] = key[10 + i];
        }
        p[18] = _word(proof, 6);
        p[19] = _word(proof, 7);
        bool ok;
        uint256 result;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x08, p, 0x300, p, 0x20)
            result := mload(p)
        }
        if (!ok) revert PrecompileFailed(address(0x08));
        return result == 1;
    }

    /// @dev The embedded verifying key of the circuit with `size` slots (publicInputs has already
    ///      rejected a count whose circuit has no key here).
    function _verifyingKey(uint256 size) private pure returns (uint256[14] memory key, uint256[] memory ic) {
{{DISPATCH}}        revert UnsupportedBatchCount(size);
    }
{{KEY_FUNCTIONS}}}
"#;
