//! The packing of the network's structs (`AccountState`, `Batch`, `Params`), discovered at
//! deployment.
//!
//! The packing changes whenever someone re-orders fields for gas, so it is not written down here:
//! `probe_layout` writes random words into a struct's slots and sees where the view functions find
//! each field. The readers in `chain` then decode storage with it, and `cross_check` compares
//! them with the views periodically during a run (after every action in the tests), so a layout
//! change cannot produce silent nonsense.

use alloy::primitives::U256;
use eyre::{Result, WrapErr, bail};
use provernet_bindings::ProverNetwork;
use provernet_evm::{Chain as EvmChain, Names};

use crate::rng::Rng;
use crate::slots::{AccountSlots, batch_base, bits, slot};

/// Where one struct field lives: slot offset from the struct's base, bit shift, bit width.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    /// Slot offset from the struct's first slot.
    pub slot: u64,
    /// Bit offset inside the slot.
    pub shift: usize,
    /// Bit width.
    pub width: usize,
}

/// The discovered packing of the network's structs, in the field order of the readers above.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// AccountState: stake, unbonding, unbondingReadyAt, openAssignments, claimable, reputation,
    /// repUpdatedAt, registered, commitEpoch, commitHash, slashedEpoch.
    pub account: Vec<Loc>,
    /// BatchRecord: commitment, fee, bounty, status, assignment, source (see `record_fields`).
    pub batch: Vec<Loc>,
    /// Params, in declaration order.
    pub params: Vec<Loc>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Uint(usize),
    Bool,
}

fn u(v: impl Into<u64>) -> U256 {
    U256::from(v.into())
}

pub(crate) fn account_fields(a: &ProverNetwork::AccountState) -> Vec<(&'static str, U256, Ty)> {
    vec![
        ("stake", U256::from(a.stake), Ty::Uint(96)),
        ("unbonding", U256::from(a.unbonding), Ty::Uint(96)),
        ("unbondingReadyAt", U256::from(a.unbondingReadyAt), Ty::Uint(40)),
        ("openAssignments", U256::from(a.openAssignments), Ty::Uint(24)),
        ("claimable", U256::from(a.claimable), Ty::Uint(96)),
        ("reputation", u(a.reputation), Ty::Uint(16)),
        ("repUpdatedAt", U256::from(a.repUpdatedAt), Ty::Uint(40)),
        ("registered", u(a.registered as u8), Ty::Bool),
        ("commitEpoch", u(a.commitEpoch), Ty::Uint(32)),
        ("commitHash", U256::from_be_slice(a.commitHash.as_slice()), Ty::Uint(224)),
        ("slashedEpoch", u(a.slashedEpoch), Ty::Uint(32)),
    ]
}

/// The fields of a `BatchRecord` the views show: `batchOf` joins the record with its assignment
/// and poster, `assignmentOf` names the record's assignment key. The record's `source` index has
/// no view of its own; it is placed by `source_loc` and checked through `batchOf.poster`.
pub(crate) fn record_fields(b: &ProverNetwork::Batch, key: U256) -> Vec<(&'static str, U256, Ty)> {
    vec![
        ("commitment", U256::from_be_bytes(b.commitment.0), Ty::Uint(256)),
        ("fee", U256::from(b.fee), Ty::Uint(96)),
        ("bounty", U256::from(b.bounty), Ty::Uint(96)),
        ("status", u(b.status), Ty::Uint(8)),
        ("assignment", key, Ty::Uint(40)),
    ]
}

/// Where `BatchRecord.source` lives: the 16 bits declared between `status` and `assignment`
/// (Solidity packs fields in declaration order).
fn source_loc(status: Loc) -> Loc {
    Loc { slot: status.slot, shift: status.shift + status.width, width: 16 }
}

fn params_fields(p: &ProverNetwork::Params) -> Vec<(&'static str, U256, Ty)> {
    vec![
        ("minStake", U256::from(p.minStake), Ty::Uint(96)),
        ("maxWeightStake", U256::from(p.maxWeightStake), Ty::Uint(96)),
        ("provingWindow", u(p.provingWindow), Ty::Uint(32)),
        ("raceWindow", u(p.raceWindow), Ty::Uint(32)),
        ("unbondingDelay", u(p.unbondingDelay), Ty::Uint(32)),
        ("repHalfLife", u(p.repHalfLife), Ty::Uint(32)),
        ("slashBps", u(p.slashBps), Ty::Uint(16)),
        ("nonRevealSlashBps", u(p.nonRevealSlashBps), Ty::Uint(16)),
        ("burnBps", u(p.burnBps), Ty::Uint(16)),
        ("bountyBps", u(p.bountyBps), Ty::Uint(16)),
        ("repInitial", u(p.repInitial), Ty::Uint(16)),
        ("repGain", u(p.repGain), Ty::Uint(16)),
        ("repMissPenalty", u(p.repMissPenalty), Ty::Uint(16)),
        ("repNoRevealPenalty", u(p.repNoRevealPenalty), Ty::Uint(16)),
        ("assignmentBond", U256::from(p.assignmentBond), Ty::Uint(96)),
        ("minFee", U256::from(p.minFee), Ty::Uint(96)),
        ("challengeWindow", u(p.challengeWindow), Ty::Uint(32)),
        ("keeperBps", u(p.keeperBps), Ty::Uint(16)),
    ]
}

/// A probe word: each byte is zero half of the time, else 1..=5, so that enum fields stay valid
/// (the views would panic on an out-of-range `BatchStatus`) and bools carry information.
fn probe_word(rng: &mut Rng) -> U256 {
    let mut bytes = [0u8; 32];
    for b in &mut bytes {
        *b = if rng.chance(50) { 0 } else { rng.range(1, 5) as u8 };
    }
    U256::from_be_bytes(bytes)
}

const PROBES: usize = 24;

/// Finds where each field of a struct at `base` (spanning `slots` slots) lives by writing probe
/// words and decoding the view's answer. Restores the slots afterwards.
fn probe_struct(
    chain: &mut EvmChain,
    what: &str,
    base: U256,
    slots: u64,
    rng: &mut Rng,
    mut read: impl FnMut(&mut EvmChain) -> Result<Vec<(&'static str, U256, Ty)>>,
) -> Result<Vec<Loc>> {
    let network = chain.addrs.network;
    let saved: Vec<U256> =
        (0..slots).map(|k| chain.storage(network, base + U256::from(k))).collect();
    let mut candidates: Vec<Vec<Loc>> = Vec::new();
    for round in 0..PROBES {
        let words: Vec<U256> = (0..slots).map(|_| probe_word(rng)).collect();
        for (k, w) in words.iter().enumerate() {
            chain.set_storage(network, base + U256::from(k), *w);
        }
        let fields =
            read(chain).wrap_err_with(|| format!("while probing the storage layout of {what}"))?;
        if round == 0 {
            candidates = fields
                .iter()
                .map(|(_, _, ty)| {
                    let width = match ty {
                        Ty::Uint(w) => *w,
                        Ty::Bool => 8,
                    };
                    (0..slots)
                        .flat_map(|slot| {
                            (0..=256 - width).step_by(8).map(move |shift| Loc {
                                slot,
                                shift,
                                width,
                            })
                        })
                        .collect()
                })
                .collect();
        }
        for (c, (_, value, ty)) in candidates.iter_mut().zip(&fields) {
            c.retain(|l| {
                let got = bits(words[l.slot as usize], l.shift, l.width);
                match ty {
                    Ty::Uint(_) => got == *value,
                    Ty::Bool => got.is_zero() == value.is_zero(),
                }
            });
        }
    }
    for (k, w) in saved.iter().enumerate() {
        chain.set_storage(network, base + U256::from(k), *w);
    }
    let names: Vec<&str> = read(chain)?.iter().map(|f| f.0).collect();
    let mut out = Vec::with_capacity(candidates.len());
    for (c, name) in candidates.iter().zip(names) {
        match c.as_slice() {
            [one] => out.push(*one),
            [] => bail!(
                "the storage layout of {what} changed in a way the harness cannot discover: no location holds `{name}`; \
                 update harness/src/slots.rs (see `forge inspect ProverNetwork storageLayout`)"
            ),
            many => bail!(
                "the storage location of {what}.{name} is ambiguous ({} candidates); raise PROBES",
                many.len()
            ),
        }
    }
    Ok(out)
}

/// Discovers the struct packing of the deployed network (see the module docs).
pub fn probe_layout(chain: &mut EvmChain) -> Result<Layout> {
    let mut rng = Rng::new(0x1a70_u64);
    let probe = Names::HARNESS.address(slot::ACCOUNT_PROBE);
    let net = chain.addrs.network;
    let account =
        probe_struct(chain, "AccountState", AccountSlots::new(probe).base, 3, &mut rng, |c| {
            Ok(account_fields(&c.view(net, &ProverNetwork::accountOfCall { who: probe })?))
        })?;
    let id = u64::MAX >> 1;
    let mut batch = probe_struct(chain, "BatchRecord", batch_base(id), 2, &mut rng, |c| {
        let batch_id = U256::from(id);
        let b = c.view(net, &ProverNetwork::batchOfCall { batchId: batch_id })?;
        let key = c.view(net, &ProverNetwork::assignmentOfCall { batchId: batch_id })?.key;
        Ok(record_fields(&b, key))
    })?;
    batch.push(source_loc(batch[3]));
    let params = probe_struct(
        chain,
        "Params",
        U256::from(slot::PARAMS),
        slot::PARAMS_SLOTS,
        &mut rng,
        |c| Ok(params_fields(&c.view(net, &ProverNetwork::paramsCall {})?)),
    )?;
    Ok(Layout { account, batch, params })
}
