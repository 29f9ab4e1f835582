// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    BATCH_CHUNK_BYTES,
    BATCH_DATA_CHUNKS,
    BATCH_DOMAIN_TAG,
    MAX_BATCH_BYTES,
    POSEIDON_FIELD_MODULUS,
    POSEIDON_FULL_ROUNDS,
    POSEIDON_MDS_0_0,
    POSEIDON_MDS_0_1,
    POSEIDON_MDS_0_2,
    POSEIDON_MDS_1_0,
    POSEIDON_MDS_1_1,
    POSEIDON_MDS_1_2,
    POSEIDON_MDS_2_0,
    POSEIDON_MDS_2_1,
    POSEIDON_MDS_2_2,
    POSEIDON_PARTIAL_ROUNDS,
    POSEIDON_ROUND_CONSTANTS
} from "./PoseidonConstants.sol";

/// @title BatchCommitment
/// @notice The commitment a batch source posts for batch data, recomputed on chain: exactly
///         `provernet_zk::batch_commitment(data)` (zk/src/poseidon.rs), the value a Groth16 proof opens.
///         Used to settle data-availability disputes, where someone shows data and the chain must
///         decide whether it is the committed batch. Costs about 430k gas whatever the length
///         (docs/proving.md, "Checking a commitment on chain"), so it is never on the proving path.
/// @dev The commitment is arkworks' `PoseidonSponge` over the BN254 scalar field (state of 3: one
///      capacity element at index 0, rate 2 at indices 1 and 2; S-box x^5; 4 full, 57 partial, 4 full
///      rounds; each round adds the round constants, applies the S-box, then multiplies by the MDS
///      matrix). It absorbs 32 elements: the domain tag, the data length, then 30 chunks of 31
///      big-endian bytes, zero padded. arkworks adds absorbed elements into state[1] and state[2] and
///      permutes each time both rate slots are used, and its squeeze permutes once more and returns
///      state[1]; with an even number of elements and no padding that is: state = 0; for each pair
///      (a, b): state[1] += a, state[2] += b, permute; commitment = state[1]. 16 permutations.
///      The constants come from `PoseidonConstants.sol`, generated from the Rust parameters.
library BatchCommitment {
    /// @notice The batch data is longer than one commitment covers: split it into batches of at most
    ///         `max` bytes.
    /// @param length The data's length in bytes.
    /// @param max The largest length a commitment covers (MAX_BATCH_BYTES).
    error BatchDataTooLarge(uint256 length, uint256 max);

    /// @notice The commitment of `data`, as `provernet_zk::batch_commitment(data)` computes it.
    /// @dev Reverts with `BatchDataTooLarge` above MAX_BATCH_BYTES (930) bytes. The result is always
    ///      below the field modulus r.
    /// @param data The batch data, at most MAX_BATCH_BYTES bytes.
    /// @return The commitment, as the 32-byte big-endian word Rust's `fr_to_b256` gives.
    function compute(bytes memory data) internal pure returns (bytes32) {
        uint256 length = data.length;
        if (length > MAX_BATCH_BYTES) revert BatchDataTooLarge(length, MAX_BATCH_BYTES);
        // Copied into memory once per call (about 6 KB): the permutation reads it with mload.
        bytes memory roundConstants = POSEIDON_ROUND_CONSTANTS;
        uint256 ark;
        assembly ("memory-safe") {
            ark := add(roundConstants, 0x20)
        }
        // Sums below stay far below 2^256: state words are < r < 2^254 and elements < 2^248 (the tag
        // and the length are small), so plain additions are exact; the permutation reduces them.
        (uint256 s0, uint256 s1, uint256 s2) = _permute(0, BATCH_DOMAIN_TAG, length, ark);
        for (uint256 k = 0; k < BATCH_DATA_CHUNKS; k += 2) {
            (s0, s1, s2) = _permute(s0, s1 + _chunk(data, k), s2 + _chunk(data, k + 1), ark);
        }
        return bytes32(s1);
    }

    /// @dev Chunk `k` of `data` as a field element: bytes [31k, 31k + 31) read big-endian, the bytes
    ///      past the end of `data` taken as zero. Memory after a `bytes` array is not guaranteed to be
    ///      zero (the next allocation may sit there), so a partial last chunk is masked explicitly.
    function _chunk(bytes memory data, uint256 k) private pure returns (uint256 x) {
        uint256 start = k * BATCH_CHUNK_BYTES;
        uint256 length = data.length;
        if (start >= length) return 0;
        assembly ("memory-safe") {
            // The 32 bytes at `start`, shifted right by one byte: the top 31 bytes as an integer.
            x := shr(8, mload(add(add(data, 0x20), start)))
        }
        uint256 present = length - start;
        if (present < BATCH_CHUNK_BYTES) {
            uint256 missingBits = 8 * (BATCH_CHUNK_BYTES - present);
            x = (x >> missingBits) << missingBits;
        }
    }

    /// @dev The Poseidon permutation of arkworks' `PoseidonSponge::permute` on (s0, s1, s2), with the
    ///      round constants at memory address `ark` (3 words per round).
    ///
    ///      Written in assembly for gas: about 1,400 field operations per permutation, where Solidity's
    ///      checked arithmetic and bounds-checked array reads would roughly double the cost. Inputs may be
    ///      unreduced as long as each is < 2r; every output is reduced (< r). Within a round the
    ///      additions are plain `add` instead of `addmod`: a state word (< 2r) plus a round constant
    ///      (< r) is < 3r < 2^256, and the S-box's `mulmod` and the MDS step's `mulmod` accept any
    ///      256-bit operand, so the result equals arkworks' fully reduced arithmetic. In the MDS step
    ///      two reduced products are added with `add` (< 2r) and the third with `addmod`, which
    ///      reduces the sum.
    ///
    ///      Layout, measured with the Gas test of test/zk/BatchCommitment.t.sol: the modulus is kept on
    ///      the stack (`r`), because as a literal used ~45 times a round the optimizer fetches it with
    ///      a code copy per use (a version written that way cost ~800k gas a call); the 57 partial
    ///      rounds are written out in the loop body, because calling S-box and MDS helpers there costs
    ///      more in jumps and stack shuffling than the arithmetic they wrap (~530k gas a call, against
    ///      ~426k now). The 8 full rounds keep one helper, so the MDS step is written twice.
    function _permute(uint256 s0, uint256 s1, uint256 s2, uint256 ark)
        private
        pure
        returns (uint256, uint256, uint256)
    {
        assembly ("memory-safe") {
            // A full round on (u, v, w) with the round constants at p: add them, x^5 on every
            // element, then the MDS matrix.
            function fullRound(u, v, w, p, r) -> x, y, z {
                let a := add(u, mload(p))
                let b := add(v, mload(add(p, 0x20)))
                let c := add(w, mload(add(p, 0x40)))
                let sq := mulmod(a, a, r)
                a := mulmod(mulmod(sq, sq, r), a, r)
                sq := mulmod(b, b, r)
                b := mulmod(mulmod(sq, sq, r), b, r)
                sq := mulmod(c, c, r)
                c := mulmod(mulmod(sq, sq, r), c, r)
                x := addmod(
                    add(mulmod(a, POSEIDON_MDS_0_0, r), mulmod(b, POSEIDON_MDS_0_1, r)),
                    mulmod(c, POSEIDON_MDS_0_2, r),
                    r
                )
                y := addmod(
                    add(mulmod(a, POSEIDON_MDS_1_0, r), mulmod(b, POSEIDON_MDS_1_1, r)),
                    mulmod(c, POSEIDON_MDS_1_2, r),
                    r
                )
                z := addmod(
                    add(mulmod(a, POSEIDON_MDS_2_0, r), mulmod(b, POSEIDON_MDS_2_1, r)),
                    mulmod(c, POSEIDON_MDS_2_2, r),
                    r
                )
            }
            let r := POSEIDON_FIELD_MODULUS
            let end := add(ark, mul(0x60, div(POSEIDON_FULL_ROUNDS, 2)))
            for {} lt(ark, end) { ark := add(ark, 0x60) } {
                s0, s1, s2 := fullRound(s0, s1, s2, ark, r)
            }
            // Partial rounds: the round constants on every element, x^5 on the first only, the MDS.
            end := add(end, mul(0x60, POSEIDON_PARTIAL_ROUNDS))
            for {} lt(ark, end) { ark := add(ark, 0x60) } {
                let a := add(s0, mload(ark))
                let sq := mulmod(a, a, r)
                a := mulmod(mulmod(sq, sq, r), a, r)
                let b := add(s1, mload(add(ark, 0x20)))
                let c := add(s2, mload(add(ark, 0x40)))
                s0 := addmod(
                    add(mulmod(a, POSEIDON_MDS_0_0, r), mulmod(b, POSEIDON_MDS_0_1, r)),
                    mulmod(c, POSEIDON_MDS_0_2, r),
                    r
                )
                s1 := addmod(
                    add(mulmod(a, POSEIDON_MDS_1_0, r), mulmod(b, POSEIDON_MDS_1_1, r)),
                    mulmod(c, POSEIDON_MDS_1_2, r),
                    r
                )
                s2 := addmod(
                    add(mulmod(a, POSEIDON_MDS_2_0, r), mulmod(b, POSEIDON_MDS_2_1, r)),
                    mulmod(c, POSEIDON_MDS_2_2, r),
                    r
                )
            }
            end := add(end, mul(0x60, div(POSEIDON_FULL_ROUNDS, 2)))
            for {} lt(ark, end) { ark := add(ark, 0x60) } {
                s0, s1, s2 := fullRound(s0, s1, s2, ark, r)
            }
        }
        return (s0, s1, s2);
    }
}
