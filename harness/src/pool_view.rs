//! A pool's books as its own view functions report them. Pools are few and pool calls a small part
//! of a campaign, so the pool checks read through the ABI (a dozen view calls) instead of decoding
//! a storage layout, and stay correct however the pool's storage is packed.

use alloy::primitives::{Address, U256, U512};
use eyre::Result;
use provernet_bindings::ProverPool as Pool;

use crate::chain::Chain;

/// `10 ** DECIMALS_OFFSET`: the vault's virtual shares (its price is `(active + 1) / (supply +
/// VIRTUAL_SHARES)`, OpenZeppelin's ERC-4626 offset).
pub const VIRTUAL_SHARES: u128 = 1_000_000;

/// A pool's books at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolView {
    /// The shareholders' assets (`activeAssets`).
    pub active: u128,
    /// Shares in existence.
    pub supply: u128,
    /// Shares of the operator.
    pub operator_shares: u128,
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

impl PoolView {
    /// Reads the books of the pool at `pool`, whose operator is `operator`.
    pub fn read(chain: &mut Chain, pool: Address, operator: Address) -> Result<Self> {
        let open_tranche: u64 = chain.view(pool, &Pool::openTrancheCall {})?;
        let unbonding_tranche: u64 = chain.view(pool, &Pool::unbondingTrancheCall {})?;
        let open = chain.view(pool, &Pool::trancheOfCall { id: U256::from(open_tranche) })?;
        let unbonding =
            chain.view(pool, &Pool::trancheOfCall { id: U256::from(unbonding_tranche) })?;
        let token = chain.addrs.token;
        let balance = chain
            .view(token, &provernet_bindings::DevStakingToken::balanceOfCall { account: pool })?;
        Ok(Self {
            active: u(chain.view(pool, &Pool::activeAssetsCall {})?),
            supply: u(chain.view(pool, &Pool::totalSupplyCall {})?),
            operator_shares: u(chain.view(pool, &Pool::balanceOfCall { account: operator })?),
            open_tranche,
            open_assets: open.assets,
            unbonding_tranche,
            unbonding_assets: if unbonding_tranche == 0 { 0 } else { unbonding.assets },
            claim_reserve: u(chain.view(pool, &Pool::claimReserveCall {})?),
            commission_owed: u(chain.view(pool, &Pool::commissionOwedCall {})?),
            commission_bps: chain.view(pool, &Pool::commissionBpsCall {})?,
            balance: u(balance),
        })
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
    pub fn new(active: u128, supply: u128) -> Self {
        Self { num: U512::from(active) + U512::from(1), den: U512::from(supply + VIRTUAL_SHARES) }
    }

    /// True if `self` is above `other`.
    pub fn above(&self, other: &Self) -> bool {
        self.num * other.den > other.num * self.den
    }

    /// `floor(shares * price)`: what ERC-4626 `convertToAssets` pays for `shares`.
    pub fn value(&self, shares: u128) -> u128 {
        (U512::from(shares) * self.num / self.den).saturating_to()
    }
}

/// The value of `holder`'s shares and the share count, on the pool's books.
pub fn shares_of(chain: &mut Chain, pool: Address, holder: Address) -> Result<u128> {
    Ok(u(chain.view(pool, &Pool::balanceOfCall { account: holder })?))
}

/// What request `id` is worth on the pool's books (0 once claimed) and whether it can be claimed.
pub fn request_value(chain: &mut Chain, pool: Address, id: u64) -> Result<(u128, bool)> {
    let r = chain.view(pool, &Pool::requestValueCall { id: U256::from(id) })?;
    Ok((u(r.assets), r.claimable))
}
