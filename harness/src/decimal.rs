//! Token amounts as decimal strings in JSON (`#[serde(with = "decimal")]`): JSON numbers above
//! 2^53 lose precision in most readers, and serde cannot buffer u128 inside tagged enums.

use serde::{Deserialize, Deserializer, Serializer};

pub(crate) fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map_err(|e| {
        serde::de::Error::custom(format!("amount {text:?} is not a whole number: {e}"))
    })
}

/// Share counts (`U256`: a vault's shares can exceed `u128` once slashes have driven its price
/// down) as decimal strings, like the amounts.
pub(crate) mod u256 {
    use alloy::primitives::U256;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &U256, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<U256, D::Error> {
        let text = String::deserialize(d)?;
        U256::from_str_radix(&text, 10).map_err(|e| {
            serde::de::Error::custom(format!("share count {text:?} is not a whole number: {e}"))
        })
    }
}
