//! A pool's books as its own view functions report them. Pools are few and pool calls a small part
//! of a campaign, so the pool checks read through the ABI (a dozen view calls) instead of decoding
//! a storage layout, and stay correct however the pool's storage is packed.

use alloy::primitives::{Address, U256, U512};
use eyre::Result;
use provernet_bindings::ProverPool as Pool;

use crate::chain::Chain;
use crate::slots::{AccountSlots, addr_key, bits_u64, bits_u128, mapping_slot};

/// `10 ** DECIMALS_OFFSET`: the vault's virtual shares (its price is `(active + 1) / (supply +
/// VIRTUAL_SHARES)`, OpenZeppelin's ERC-4626 offset).
pub const VIRTUAL_SHARES: u128 = 1_000_000;

/// `TrancheState.Finalized` (contracts/pools/IProverPool.sol): the tranche's requests can be claimed.
pub const FINALIZED: u8 = 2;

/// A pool's books at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolView {
    /// The shareholders' assets (`activeAssets`).
    pub active: u128,
    /// Shares in existence.
    pub supply: U256,
    /// Shares of the operator.
    pub operator_shares: U256,
    /// The tranche collecting requests and its assets.
    pub open_tranche: u64,
    /// Assets of the open tranche.
    pub open_assets: u128,
    /// The tranche unbonding in the network (0: none) and its assets.
    pub unbonding_tranche: u64,
    /// Assets of the unbonding tranche.
    pub unbonding_assets: u128,
    /// Tokens held for finalized tranches.
    pub claim_reserve: u128,
    /// Tokens held for the operator's commission.
    pub commission_owed: u128,
    /// Commission in force, in basis points.
    pub commission_bps: u16,
    /// The pool's token balance.
    pub balance: u128,
}

fn u(x: U256) -> u128 {
    x.saturating_to()
}

/// Storage slots of `ProverPool` (OpenZeppelin ERC20's `_balances`, `_allowances`,
/// `_totalSupply`, `_name`, `_symbol`, then the pool's own state in declaration order; ERC4626
/// keeps its asset in immutables, the reentrancy guard is in transient storage and the pause flag
/// is packed with the tranche ids). [`PoolView::cross_check`] compares every reader with the view functions.
mod slot {
    pub(super) const BALANCES: u64 = 0;
    pub(super) const TOTAL_SUPPLY: u64 = 2;
    pub(super) const ACTIVE_ASSETS: u64 = 5;
    pub(super) const CLAIM_RESERVE: u64 = 6;
    pub(super) const COMMISSION_OWED: u64 = 7;
    /// commissionBps (16 bits), pendingCommissionBps (16), commissionEffectiveAt (40), closed (8),
    /// _initialized (8), openTranche (64), unbondingTranche (64), paused (8).
    pub(super) const PACKED: u64 = 8;
    pub(super) const TRANCHES: u64 = 9;
}

impl PoolView {
    /// Reads the books of the pool at `pool`, whose operator is `operator`, from storage.
    pub fn read(chain: &Chain, pool: Address, operator: Address) -> Self {
        let word = |k: u64| chain.storage(pool, U256::from(k));
        let packed = word(slot::PACKED);
        let open_tranche = bits_u64(packed, 88, 64);
        let unbonding_tranche = bits_u64(packed, 152, 64);
        let unbonding = tranche(chain, pool, unbonding_tranche);
        Self {
            active: u(word(slot::ACTIVE_ASSETS)),
            supply: word(slot::TOTAL_SUPPLY),
            operator_shares: shares_of(chain, pool, operator),
            open_tranche,
            open_assets: tranche(chain, pool, open_tranche).assets,
            unbonding_tranche,
            unbonding_assets: if unbonding_tranche == 0 { 0 } else { unbonding.assets },
            claim_reserve: u(word(slot::CLAIM_RESERVE)),
            commission_owed: u(word(slot::COMMISSION_OWED)),
            commission_bps: bits_u64(packed, 0, 16) as u16,
            balance: chain.token_balance(&AccountSlots::new(pool)),
        }
    }

    /// The same books through the pool's view functions: errors naming the first field whose
    /// storage reader disagrees (run at genesis and with the network's cross-check).
    pub fn cross_check(chain: &mut Chain, pool: Address, operator: Address) -> Result<()> {
        let s = Self::read(chain, pool, operator);
        let open = chain.view(pool, &Pool::trancheOfCall { id: U256::from(s.open_tranche) })?;
        let unbonding =
            chain.view(pool, &Pool::trancheOfCall { id: U256::from(s.unbonding_tranche) })?;
        let token = chain.addrs.token;
        let balance = chain
            .view(token, &provernet_bindings::DevStakingToken::balanceOfCall { account: pool })?;
        let v = Self {
            active: u(chain.view(pool, &Pool::activeAssetsCall {})?),
            supply: chain.view(pool, &Pool::totalSupplyCall {})?,
            operator_shares: chain.view(pool, &Pool::balanceOfCall { account: operator })?,
            open_tranche: chain.view(pool, &Pool::openTrancheCall {})?,
            open_assets: open.assets,
            unbonding_tranche: chain.view(pool, &Pool::unbondingTrancheCall {})?,
            unbonding_assets: if s.unbonding_tranche == 0 { 0 } else { unbonding.assets },
            claim_reserve: u(chain.view(pool, &Pool::claimReserveCall {})?),
            commission_owed: u(chain.view(pool, &Pool::commissionOwedCall {})?),
            commission_bps: chain.view(pool, &Pool::commissionBpsCall {})?,
            balance: u(balance),
        };
        eyre::ensure!(s == v, "pool {pool}: storage readers {s:?} differ from the views {v:?}");
        for id in [s.open_tranche, s.unbonding_tranche] {
            let (r, t) = (
                tranche(chain, pool, id),
                chain.view(pool, &Pool::trancheOfCall { id: U256::from(id) })?,
            );
            eyre::ensure!(
                (r.assets, r.units, r.ready_at, r.state)
                    == (t.assets, t.units, t.readyAt.to::<u64>(), t.state),
                "pool {pool}: tranche {id} reads {r:?} from storage, the view says {t:?}"
            );
        }
        Ok(())
    }

    /// Assets of the two unfinalized tranches (pending withdrawals still exposed to slashes).
    pub fn pending(&self) -> u128 {
        self.open_assets + self.unbonding_assets
    }

    /// Principal the books say is in the network: active stake plus the pending tranches.
    pub fn booked(&self) -> u128 {
        self.active + self.pending()
    }

    /// The share price as a fraction (numerator, denominator) of assets per share.
    pub fn price(&self) -> Price {
        Price::new(self.active, self.supply)
    }
}

/// A share price `(active + 1) / (supply + VIRTUAL_SHARES)`, kept as a fraction so that
/// comparisons are exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Price {
    /// Assets plus the virtual asset.
    pub num: U512,
    /// Shares plus the virtual shares.
    pub den: U512,
}

impl Price {
    /// The price of a vault with `active` assets and `supply` shares.
    pub fn new(active: u128, supply: U256) -> Self {
        let den = U512::from(supply) + U512::from(VIRTUAL_SHARES);
        Self { num: U512::from(active) + U512::from(1), den }
    }

    /// True if `self` is above `other`.
    pub fn above(&self, other: &Self) -> bool {
        self.num * other.den > other.num * self.den
    }

    /// `floor(shares * price)`: what ERC-4626 `convertToAssets` pays for `shares`.
    pub fn value(&self, shares: U256) -> u128 {
        (U512::from(shares) * self.num / self.den).saturating_to()
    }
}

/// The shares `holder` holds in the pool at `pool`.
pub fn shares_of(chain: &Chain, pool: Address, holder: Address) -> U256 {
    chain.storage(pool, mapping_slot(addr_key(holder), slot::BALANCES))
}

/// A withdrawal tranche as stored (`Tranche` in contracts/pools/IProverPool.sol).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrancheView {
    /// Assets its requests share.
    pub assets: u128,
    /// Claim units of its requests.
    pub units: u128,
    /// First block its unstake can be withdrawn.
    pub ready_at: u64,
    /// `TrancheState` (0 Open, 1 Unbonding, 2 [`FINALIZED`]).
    pub state: u8,
}

/// Withdrawal tranche `id` of the pool at `pool`, from storage.
pub fn tranche(chain: &Chain, pool: Address, id: u64) -> TrancheView {
    let [w0, w1] = chain.storage_words::<2>(pool, mapping_slot(U256::from(id), slot::TRANCHES));
    TrancheView {
        assets: bits_u128(w0, 0, 128),
        units: bits_u128(w0, 128, 128),
        ready_at: bits_u64(w1, 0, 40),
        state: bits_u64(w1, 40, 8) as u8,
    }
}
