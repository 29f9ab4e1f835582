// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Lifecycle of a batch.
/// None: no such batch. Assigned: the slot's prover holds the exclusive window. Open: nobody could take
/// it, the race is open from posting. Racing: the assigned prover missed and the race is open.
/// Challenged: the assigned prover says it cannot get the data and the source must publish it on chain
/// (`answerChallenge`); nothing can slash it meanwhile. Proven, Failed and Voided (a challenge nobody
/// answered: the source pays, nobody is slashed) are terminal.
enum BatchStatus {
    None,
    Assigned,
    Open,
    Racing,
    Proven,
    Failed,
    Challenged,
    Voided
}

/// @notice A posted batch as stored: two slots. The commitment; then fee, bounty, status, the poster's
///         source index and the key of the assignment (slot and draw) it belongs to.
/// @dev Who proves it and until when are stored once per assignment (`Assignment`), not per batch: every
///      batch of a slot shares them, which is what keeps `postBatch` at two fresh storage slots.
struct BatchRecord {
    bytes32 commitment;
    uint96 fee;
    uint96 bounty;
    BatchStatus status;
    uint16 source;
    uint40 assignment;
}

/// @notice A batch as returned by `batchOf`: the record joined with its assignment and poster.
struct Batch {
    bytes32 commitment;
    address prover;
    uint96 fee;
    uint40 provingDeadline;
    uint40 raceDeadline;
    BatchStatus status;
    uint96 bounty;
    address poster;
}

/// @notice One draw of one slot: the prover every batch posted under it goes to, the deadlines they
///         share and the slash terms they were posted under. Written by the first batch of the draw;
///         `slashed` makes a missed assignment cost one slash, however many of its batches were missed.
///         `unlisted` marks an open draw made while the list was empty (nobody to draw), as opposed to one
///         whose draws ran out on full capacity: only the former's batches earn the Open reward.
/// @dev One slot: 160 + 32 + 32 + 16 + 8 + 8 bits. Deadlines are on the network clock (block numbers minus
///      the blocks spent paused before the draw; see `NetworkClock`), so a pause moves every live deadline
///      later by its length. `config` names the `SlashTerms` (verifier and slash shares) frozen when the
///      draw was made: governance changes apply to later draws only.
struct Assignment {
    address prover;
    uint32 provingDeadline;
    uint32 raceDeadline;
    uint16 config;
    bool slashed;
    bool unlisted;
}

/// @notice The terms a batch is proven and slashed under, frozen per assignment: the verifier its proof
///         must pass and the shares of a slash. One slot: 160 + 4 x 16 bits.
struct SlashTerms {
    address verifier;
    uint16 slashBps;
    uint16 burnBps;
    uint16 bountyBps;
    uint16 keeperBps;
}

/// @notice The network clock and the terms in force. One slot, read by every post.
/// @dev The network clock is block.number minus `pausedBlocks` (blocks spent paused), frozen at `pausedAt`
///      while paused (zero: running). `config` is the id of the current `SlashTerms`; `provers` counts
///      registrations (governance needs a timelock owner once it is non-zero).
struct NetworkClock {
    uint16 config;
    uint40 pausedAt;
    uint40 pausedBlocks;
    uint32 provers;
}

/// @notice Where posting stands: the next batch id and the assignment the current slot's batches go to.
/// @dev One slot, rewritten by every post (a warm non-zero rewrite). `assignment` is the key of the last
///      assignment used; `prover` is its prover (zero for an open slot), cached so that the common post
///      (not the first of its slot) reads no list entry and no assignment record.
struct PostCursor {
    uint56 nextBatchId;
    uint40 assignment;
    address prover;
}

/// @notice A batch source's entry: whether it may post, its index (stored on its batches) and its
///         prepaid fee balance. One slot.
struct SourceAccount {
    uint96 feeBalance;
    uint16 index;
    bool allowed;
}
