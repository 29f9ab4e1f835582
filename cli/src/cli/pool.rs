//! `provernet pool`: liquid proving pools (docs/pools.md).

use alloy::primitives::{Address, U256};
use clap::Subcommand;
use eyre::Result;

use super::{GlobalArgs, parse_address};
use crate::{amount::check_shape, ops::pool, output::Report};

/// Pool commands. POOL is a pool's address or its operator's.
#[derive(Debug, Subcommand)]
pub enum PoolCmd {
    /// Create the signer's pool: it registers in the network with the self-stake (approves the
    /// token as needed). One pool per operator.
    Create {
        /// The operator's self-stake in tokens (at least the network's minimum stake).
        #[arg(long, allow_hyphen_values = true)]
        self_stake: String,
        /// Commission on rewards in percent, at most 50 (e.g. 10 or 12.5).
        #[arg(long, allow_hyphen_values = true)]
        commission: String,
    },
    /// Deposit tokens into a pool for shares (staked in the network at once).
    Deposit {
        /// The pool or its operator.
        #[arg(value_parser = parse_address)]
        pool: Address,
        /// Amount in tokens.
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
    },
    /// Queue a withdrawal: burns shares now, pays after the unbonding delay (`pool claim`).
    RequestWithdraw {
        /// The pool or its operator.
        #[arg(value_parser = parse_address)]
        pool: Address,
        /// Value to withdraw in tokens.
        #[arg(
            long,
            allow_hyphen_values = true,
            conflicts_with = "all",
            required_unless_present = "all"
        )]
        amount: Option<String>,
        /// Withdraw every share.
        #[arg(long)]
        all: bool,
    },
    /// Claim withdrawals whose unbonding is over (all of the signer's ready ones by default).
    Claim {
        /// The pool or its operator.
        #[arg(value_parser = parse_address)]
        pool: Address,
        /// Only this request (its id as `pool request-withdraw` and `pool status` print it: 0x hex
        /// or decimal).
        #[arg(long, value_name = "ID", value_parser = parse_request_id)]
        request: Option<U256>,
    },
    /// A pool's assets, share price, commission, self-stake, queue, and the signer's position.
    Status {
        /// The pool or its operator [default: the signer's own pool].
        #[arg(value_parser = parse_address)]
        pool: Option<Address>,
    },
    /// Every pool: assets, share price, commission, reputation, recent slashes.
    List,
}

pub(super) async fn run(g: &GlobalArgs, c: PoolCmd) -> Result<Report> {
    match c {
        PoolCmd::Create { self_stake, commission } => {
            check_shape(&self_stake)?;
            let bps = pool::parse_commission(&commission)?;
            let net = g.net().await?;
            let amount = net.units.parse(&self_stake)?;
            pool::create(&net, amount, bps).await
        }
        PoolCmd::Deposit { pool: who, amount } => {
            check_shape(&amount)?;
            let net = g.net().await?;
            let amount = net.units.parse(&amount)?;
            pool::deposit(&net, who, amount).await
        }
        PoolCmd::RequestWithdraw { pool: who, amount, all: _ } => {
            if let Some(a) = &amount {
                check_shape(a)?;
            }
            let net = g.net().await?;
            let amount = amount.map(|a| net.units.parse(&a)).transpose()?;
            pool::request_withdraw(&net, who, amount).await
        }
        PoolCmd::Claim { pool: who, request } => pool::claim(&g.net().await?, who, request).await,
        PoolCmd::Status { pool: who } => pool::status(&g.net().await?, who).await,
        PoolCmd::List => pool::list(&g.net().await?).await,
    }
}

/// Parses a withdrawal request id: 0x hex (as the CLI prints it) or decimal.
fn parse_request_id(s: &str) -> Result<U256, String> {
    let t = s.trim();
    let parsed = match t.strip_prefix("0x") {
        Some(hex) => U256::from_str_radix(hex, 16),
        None => U256::from_str_radix(t, 10),
    };
    parsed.map_err(|_| {
        format!(
            "{t:?} is not a request id: expected the id `pool request-withdraw` or `pool status` \
             printed (0x hex, or decimal)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids are printed as 0x hex (tranche above bit 160, owner below) and read back in either base;
    /// anything else names what was expected.
    #[test]
    fn request_ids_parse_in_hex_and_decimal() {
        let id = (U256::from(2) << 160) | U256::from(0xabcdu64);
        assert_eq!(parse_request_id(&format!("{id:#x}")), Ok(id));
        assert_eq!(parse_request_id(&id.to_string()), Ok(id));
        assert_eq!(parse_request_id("9"), Ok(U256::from(9)));
        assert_eq!(parse_request_id(&format!("{:#x}", U256::MAX)), Ok(U256::MAX));
        let err = parse_request_id("0xzz").unwrap_err();
        assert!(err.contains("is not a request id"), "{err}");
        assert!(parse_request_id("-1").is_err());
        assert!(parse_request_id(&format!("{}0", U256::MAX)).is_err(), "above 2^256 - 1");
    }
}
