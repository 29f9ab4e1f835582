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
