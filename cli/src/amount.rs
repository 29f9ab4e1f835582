//! Human token amounts (`1000`, `0.5`) to and from token units, using the token's decimals.

use alloy::primitives::{
    U256,
    utils::{format_units, parse_units},
};
use eyre::Result;

use crate::{bail_input, exit};

/// How amounts of the staking token are shown and parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Units {
    /// The token's `decimals()`.
    pub decimals: u8,
    /// The token's `symbol()`, shown after every amount.
    pub symbol: String,
}

impl Units {
    /// Parses a strictly positive human amount such as `1000` or `0.5` into token units.
    pub fn parse(&self, text: &str) -> Result<U256> {
        parse_amount(text, self.decimals)
    }

    /// Formats token units as a human amount with the symbol, e.g. `100.5 PNT`.
    pub fn fmt(&self, units: U256) -> String {
        format!("{} {}", fmt_amount(units, self.decimals), self.symbol)
    }
}

/// Checks that `text` is a strictly positive decimal number, before the token's decimals are
/// known (so a bad amount is rejected without touching the network).
pub fn check_shape(text: &str) -> Result<()> {
    let t = text.trim();
    if t.is_empty() {
        bail_input!("the amount is empty: give a positive number such as 100 or 0.5");
    }
    if t.starts_with('-') {
        bail_input!("the amount {t} is negative: give a positive number such as 100 or 0.5");
    }
    if !t.chars().all(|c| c.is_ascii_digit() || c == '.') || t.matches('.').count() > 1 {
        bail_input!("the amount {t:?} is not a number: give a positive decimal such as 100 or 0.5");
    }
    if !t.chars().any(|c| c.is_ascii_digit()) {
        bail_input!("the amount {t:?} is not a number: give a positive decimal such as 100 or 0.5");
    }
    if t.chars().all(|c| c == '0' || c == '.') {
        bail_input!("the amount is zero: give a positive amount");
    }
    Ok(())
}

/// Parses a strictly positive decimal amount into token units with `decimals` decimals.
pub fn parse_amount(text: &str, decimals: u8) -> Result<U256> {
    check_shape(text)?;
    let t = text.trim();
    let frac = t.split_once('.').map_or(0, |(_, f)| f.len());
    if frac > decimals as usize {
        bail_input!(
            "the amount {t} has more than {decimals} decimal places, the token's precision"
        );
    }
    let value: U256 = parse_units(t, decimals)
        .map_err(|e| exit::input(format!("the amount {t:?} is not a valid amount: {e}")))?
        .into();
    if value.is_zero() {
        bail_input!("the amount is zero: give a positive amount");
    }
    Ok(value)
}

/// Formats token units as a decimal string without trailing zeros (`100`, `0.25`).
pub fn fmt_amount(units: U256, decimals: u8) -> String {
    let s = format_units(units, decimals).unwrap_or_else(|_| units.to_string());
    if s.contains('.') {
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_human_amounts() {
        assert_eq!(
            parse_amount("1000", 18).unwrap(),
            U256::from(1000u64) * U256::from(10u64).pow(U256::from(18))
        );
        assert_eq!(parse_amount("0.5", 2).unwrap(), U256::from(50u64));
        assert_eq!(parse_amount(" 7 ", 0).unwrap(), U256::from(7u64));
    }

    #[test]
    fn rejects_bad_amounts() {
        for bad in ["0", "0.0", "-5", "", "abc", "1e18", "1.2.3", "0.001"] {
            assert!(parse_amount(bad, 2).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn formats_without_trailing_zeros() {
        assert_eq!(fmt_amount(U256::from(1_500_000_000_000_000_000u128), 18), "1.5");
        assert_eq!(
            fmt_amount(U256::from(100u64) * U256::from(10u64).pow(U256::from(18)), 18),
            "100"
        );
        assert_eq!(fmt_amount(U256::ZERO, 18), "0");
    }
}
