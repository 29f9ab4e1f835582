//! Human token amounts (`100`, `0.5`) to and from token units, at the staking token's 18 decimals.
//!
//! Parameter files write stake amounts in whole tokens, as a decimal string (`"100"`, the CLI's
//! params files) or a number (`100.0`, the scenario files). [`token_units`] is the one serde
//! adapter for both; the value in Rust is always exact token units (`u128`).

use std::fmt;

/// Decimals of the amounts in parameter files: the DevStakingToken's and every shipped file's.
pub const TOKEN_DECIMALS: u8 = 18;

/// One whole token in token units (`10^18`).
pub const UNIT: u128 = 10u128.pow(TOKEN_DECIMALS as u32);

/// A token amount that could not be read or converted; the message says what to write instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmountError(String);

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AmountError {}

/// Parses a non-negative decimal number of tokens (`100`, `0.5`, ` 7 `) into token units.
///
/// Exact: at most 18 decimal places are accepted, and nothing is rounded.
pub fn parse_tokens(text: &str) -> Result<u128, AmountError> {
    let t = text.trim();
    let bad = || {
        AmountError(format!(
            "the amount {t:?} is not a number of tokens: write a non-negative decimal such as 100 or 0.5"
        ))
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if t.starts_with('-') {
        return Err(AmountError(format!(
            "the amount {t} is negative: write a non-negative amount"
        )));
    }
    if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) {
        return Err(bad());
    }
    if frac.len() > TOKEN_DECIMALS as usize {
        return Err(AmountError(format!(
            "the amount {t} has more than {TOKEN_DECIMALS} decimal places, the token's precision"
        )));
    }
    let too_large = || AmountError(format!("the amount {t} is too large for a token amount"));
    let scale = |s: &str, pow: usize| -> Result<u128, AmountError> {
        let v: u128 = if s.is_empty() { 0 } else { s.parse().map_err(|_| too_large())? };
        v.checked_mul(10u128.pow(pow as u32)).ok_or_else(too_large)
    };
    let whole = scale(whole, TOKEN_DECIMALS as usize)?;
    let frac = scale(frac, TOKEN_DECIMALS as usize - frac.len())?;
    whole.checked_add(frac).ok_or_else(too_large)
}

/// Formats token units as a decimal number of tokens without trailing zeros (`100`, `0.25`).
pub fn format_tokens(units: u128) -> String {
    let (whole, frac) = (units / UNIT, units % UNIT);
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:0width$}", width = TOKEN_DECIMALS as usize);
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// Token units as a (possibly inexact) number of tokens, for the simulator's economics.
pub fn tokens_f64(units: u128) -> f64 {
    units as f64 / UNIT as f64
}

/// Converts an amount in 18-decimal units to a token with `decimals` decimals (the CLI deploys
/// over any ERC-20), refusing amounts finer than that token can hold.
pub fn rescale(units: u128, decimals: u8) -> Result<u128, AmountError> {
    let d = u32::from(decimals);
    let base = u32::from(TOKEN_DECIMALS);
    if d >= base {
        let factor = 10u128.checked_pow(d - base);
        return factor.and_then(|f| units.checked_mul(f)).ok_or_else(|| {
            AmountError(format!(
                "the amount {} is too large for a token with {decimals} decimals",
                format_tokens(units)
            ))
        });
    }
    let divisor = 10u128.pow(base - d);
    if !units.is_multiple_of(divisor) {
        return Err(AmountError(format!(
            "the amount {} has more than {decimals} decimal places, the token's precision",
            format_tokens(units)
        )));
    }
    Ok(units / divisor)
}

/// Serde adapter (`#[serde(with = "token_units")]`) for a `u128` of token units written as a
/// number of tokens: reads a decimal string (`"100"`, `"0.5"`) or a number (`100`, `100.0`);
/// writes a decimal string, which is exact (JSON and TOML numbers are not beyond 2^53).
pub mod token_units {
    use serde::{Deserializer, Serializer, de};

    use super::{format_tokens, parse_tokens};

    /// Writes `units` as a decimal string of tokens.
    pub fn serialize<S: Serializer>(units: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_tokens(*units))
    }

    /// Reads a number of tokens (string or number) into token units.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        d.deserialize_any(TokensVisitor)
    }

    struct TokensVisitor;

    impl de::Visitor<'_> for TokensVisitor {
        type Value = u128;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a number of tokens such as \"100\", 100 or 0.5")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<u128, E> {
            parse_tokens(v).map_err(E::custom)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u128, E> {
            parse_tokens(&v.to_string()).map_err(E::custom)
        }

        fn visit_u128<E: de::Error>(self, v: u128) -> Result<u128, E> {
            parse_tokens(&v.to_string()).map_err(E::custom)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u128, E> {
            parse_tokens(&v.to_string()).map_err(E::custom)
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u128, E> {
            if !v.is_finite() {
                return Err(E::custom(format!("the amount {v} is not a number of tokens")));
            }
            // Rust prints the shortest decimal that reads back as `v` and never uses an exponent,
            // so `100.0` is exactly 100 tokens and `0.05` exactly 0.05 tokens.
            parse_tokens(&v.to_string()).map_err(E::custom)
        }
    }

    /// The same for an `Option<u128>` field that may be absent (`#[serde(default)]`).
    pub mod option {
        use serde::{Deserializer, Serializer};

        /// Writes a present amount as a decimal string, an absent one as none.
        pub fn serialize<S: Serializer>(units: &Option<u128>, s: S) -> Result<S::Ok, S::Error> {
            match units {
                Some(u) => super::serialize(u, s),
                None => s.serialize_none(),
            }
        }

        /// Reads a number of tokens (string or number).
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u128>, D::Error> {
            super::deserialize(d).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_whole_and_fractional_tokens_exactly() {
        assert_eq!(parse_tokens("100").unwrap(), 100 * UNIT);
        assert_eq!(parse_tokens(" 0.5 ").unwrap(), UNIT / 2);
        assert_eq!(parse_tokens("0").unwrap(), 0);
        assert_eq!(parse_tokens(".25").unwrap(), UNIT / 4);
        assert_eq!(parse_tokens("1.").unwrap(), UNIT);
        assert_eq!(parse_tokens("0.000000000000000001").unwrap(), 1);
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        for (bad, why) in [
            ("-5", "negative"),
            ("", "not a number"),
            (".", "not a number"),
            ("abc", "not a number"),
            ("1e18", "not a number"),
            ("1.2.3", "not a number"),
            ("0.0000000000000000001", "more than 18 decimal places"),
            ("340282366920938463464", "too large"),
        ] {
            let e = parse_tokens(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad:?}: {e}");
        }
    }

    #[test]
    fn formats_without_trailing_zeros_and_round_trips() {
        assert_eq!(format_tokens(100 * UNIT), "100");
        assert_eq!(format_tokens(UNIT * 3 / 2), "1.5");
        assert_eq!(format_tokens(0), "0");
        assert_eq!(format_tokens(1 << 20), "0.000000000001048576");
        for u in [0, 1, 1 << 20, UNIT, 12_345 * UNIT + 6, u128::MAX] {
            assert_eq!(parse_tokens(&format_tokens(u)).unwrap(), u);
        }
    }

    #[test]
    fn rescales_to_other_decimals_without_losing_precision() {
        assert_eq!(rescale(100 * UNIT, 6).unwrap(), 100_000_000);
        assert_eq!(rescale(UNIT / 2, 2).unwrap(), 50);
        assert_eq!(rescale(7 * UNIT, 18).unwrap(), 7 * UNIT);
        assert_eq!(rescale(7 * UNIT, 20).unwrap(), 700 * UNIT);
        let e = rescale(UNIT / 1000, 2).unwrap_err().to_string();
        assert!(e.contains("0.001 has more than 2 decimal places"), "{e}");
        assert!(rescale(u128::MAX, 30).is_err());
    }

    #[derive(Debug, serde::Deserialize, serde::Serialize)]
    struct Doc {
        #[serde(with = "token_units")]
        amount: u128,
    }

    #[test]
    fn serde_reads_strings_and_numbers_and_writes_strings() {
        let json = |t: &str| serde_json::from_str::<Doc>(t).map(|d| d.amount);
        assert_eq!(json(r#"{"amount":"100"}"#).unwrap(), 100 * UNIT);
        assert_eq!(json(r#"{"amount":100}"#).unwrap(), 100 * UNIT);
        assert_eq!(json(r#"{"amount":0.05}"#).unwrap(), UNIT / 20);
        assert!(json(r#"{"amount":-1}"#).unwrap_err().to_string().contains("negative"));
        assert!(json(r#"{"amount":true}"#).is_err());
        let toml_doc: Doc = toml::from_str("amount = 10000.0").unwrap();
        assert_eq!(toml_doc.amount, 10_000 * UNIT);
        let out = serde_json::to_string(&Doc { amount: UNIT / 2 }).unwrap();
        assert_eq!(out, r#"{"amount":"0.5"}"#);
    }
}
