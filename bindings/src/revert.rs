//! One revert decoder for every contract, driven by the exported ABIs and NatSpec.
//!
//! [`ErrorTable`] maps each custom error's selector (over every ABI in `bindings/artifacts/`) to
//! its definition and to the sentence of its NatSpec (`@notice` from the userdoc, else `@dev` from
//! the devdoc, which is how OpenZeppelin documents its errors). Decoding renders any error as
//! `Name(field: value, ...)` with no code per error: addresses checksummed, integers in decimal,
//! bytes in hex, strings quoted. `Error(string)` and `Panic(uint256)` are built in (a panic's
//! sentence is its reason). A caller may add action hints per error name ([`ErrorTable::with_hints`]),
//! e.g. the CLI's "run `provernet prover stake`".

use std::{collections::HashMap, fmt, sync::OnceLock};

use alloy::{
    dyn_abi::{DynSolValue, ErrorExt},
    hex,
    json_abi::{Error as AbiError, JsonAbi},
    primitives::{Bytes, Selector},
    sol_types::{Panic, PanicKind, Revert, SolError},
};
use serde::Deserialize;

/// The exported artifacts the table is built from (ABI plus NatSpec of each deployable contract).
pub const ARTIFACTS: [(&str, &str); 6] = [
    ("ProverNetwork", include_str!("../artifacts/ProverNetwork.json")),
    ("DevStakingToken", include_str!("../artifacts/DevStakingToken.json")),
    ("Groth16BatchVerifier", include_str!("../artifacts/Groth16BatchVerifier.json")),
    ("InsecureDevVerifier", include_str!("../artifacts/InsecureDevVerifier.json")),
    ("ProverPool", include_str!("../artifacts/ProverPool.json")),
    ("ProverPoolFactory", include_str!("../artifacts/ProverPoolFactory.json")),
];

/// A caller's action hints: the hint for an error name, if any. `{field}` in a hint is replaced by
/// that field's rendered value.
pub type Hints = fn(&str) -> Option<&'static str>;

/// Selector -> error definition and sentence, over every exported ABI.
#[derive(Clone, Debug)]
pub struct ErrorTable {
    errors: HashMap<Selector, Known>,
    hints: Option<Hints>,
}

#[derive(Clone, Debug)]
struct Known {
    error: AbiError,
    notice: Option<String>,
}

/// A decoded revert: `name(fields)` plus what the contracts' NatSpec says about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedRevert {
    /// The error's name (`StakeBelowMinimum`, `Error`, `Panic`).
    pub name: String,
    /// Each field's name and rendered value, in declaration order.
    pub fields: Vec<(String, String)>,
    /// The NatSpec sentence (for a panic: its reason), whitespace collapsed.
    pub notice: Option<String>,
    /// The caller's action hint, placeholders filled in.
    pub hint: Option<String>,
}

/// Revert data the table cannot decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UndecodedRevert {
    /// The call reverted without data (`revert()`, `require(cond)` or out of gas).
    Empty,
    /// Fewer than four bytes: not even a selector.
    TooShort(Bytes),
    /// A selector no exported ABI declares.
    UnknownSelector {
        /// The first four bytes.
        selector: Selector,
        /// The whole revert data.
        data: Bytes,
    },
    /// A known selector whose arguments do not decode (truncated or corrupt data).
    Malformed {
        /// The error the selector names.
        name: String,
        /// The whole revert data.
        data: Bytes,
    },
}

impl ErrorTable {
    /// The table over every exported contract, built once per process.
    pub fn shared() -> &'static Self {
        static TABLE: OnceLock<ErrorTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            Self::from_artifacts(ARTIFACTS.iter().map(|(_, json)| *json))
                .expect("bindings/artifacts hold forge artifacts (checked by make test)")
        })
    }

    /// A table over these artifacts (forge JSON with `abi` and optionally `userdoc`/`devdoc`).
    /// An error declared by several contracts appears once.
    pub fn from_artifacts<'a>(
        artifacts: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, serde_json::Error> {
        let mut errors = HashMap::new();
        for text in artifacts {
            let artifact: Artifact = serde_json::from_str(text)?;
            for error in artifact.abi.errors() {
                let sig = error.signature();
                let notice =
                    artifact.userdoc.sentence(&sig).or_else(|| artifact.devdoc.sentence(&sig));
                let entry = errors
                    .entry(error.selector())
                    .or_insert_with(|| Known { error: error.clone(), notice: None });
                if entry.notice.is_none() {
                    entry.notice = notice;
                }
            }
        }
        Ok(Self { errors, hints: None })
    }

    /// The same table with the caller's action hints.
    pub fn with_hints(mut self, hints: Hints) -> Self {
        self.hints = Some(hints);
        self
    }

    /// The names of every custom error in the table.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.errors.values().map(|k| k.error.name.as_str())
    }

    /// The NatSpec sentence of the custom error `name`, if it has one.
    pub fn notice(&self, name: &str) -> Option<&str> {
        self.errors.values().find(|k| k.error.name == name).and_then(|k| k.notice.as_deref())
    }

    /// Decodes revert data: a custom error of any exported ABI, `Error(string)` or `Panic(uint256)`.
    pub fn decode(&self, data: &[u8]) -> Result<DecodedRevert, UndecodedRevert> {
        let selector: Selector = match data.get(..4) {
            Some(s) => Selector::from_slice(s),
            None if data.is_empty() => return Err(UndecodedRevert::Empty),
            None => return Err(UndecodedRevert::TooShort(Bytes::copy_from_slice(data))),
        };
        let malformed = |name: &str| UndecodedRevert::Malformed {
            name: name.into(),
            data: Bytes::copy_from_slice(data),
        };
        let decoded = if selector == Revert::SELECTOR {
            let r = Revert::abi_decode(data).map_err(|_| malformed("Error"))?;
            DecodedRevert::builtin("Error", "reason", quote(&r.reason), None)
        } else if selector == Panic::SELECTOR {
            let p = Panic::abi_decode(data).map_err(|_| malformed("Panic"))?;
            let reason = p.kind().map_or("unknown panic code", PanicKind::as_str);
            DecodedRevert::builtin("Panic", "code", format!("{:#x}", p.code), Some(reason.into()))
        } else {
            let known = self.errors.get(&selector).ok_or_else(|| {
                UndecodedRevert::UnknownSelector { selector, data: Bytes::copy_from_slice(data) }
            })?;
            let body =
                known.error.decode_error(data).map_err(|_| malformed(&known.error.name))?.body;
            let fields = known
                .error
                .inputs
                .iter()
                .zip(&body)
                .enumerate()
                .map(|(i, (param, value))| {
                    let name =
                        if param.name.is_empty() { i.to_string() } else { param.name.clone() };
                    (name, render(value))
                })
                .collect();
            DecodedRevert {
                name: known.error.name.clone(),
                fields,
                notice: known.notice.clone(),
                hint: None,
            }
        };
        Ok(self.hinted(decoded))
    }

    /// One line for any revert data: the decoded error (with `{:#}`: its sentence and hint) or
    /// what made it undecodable. For logs and reports that do not branch on the error.
    pub fn describe(&self, data: &[u8]) -> String {
        match self.decode(data) {
            Ok(d) => format!("{d:#}"),
            Err(u) => u.to_string(),
        }
    }

    fn hinted(&self, mut d: DecodedRevert) -> DecodedRevert {
        if let Some(template) = self.hints.and_then(|h| h(&d.name)) {
            let mut hint = template.to_string();
            for (name, value) in &d.fields {
                hint = hint.replace(&format!("{{{name}}}"), value);
            }
            d.hint = Some(hint);
        }
        d
    }
}

impl DecodedRevert {
    fn builtin(name: &str, field: &str, value: String, notice: Option<String>) -> Self {
        Self { name: name.into(), fields: vec![(field.into(), value)], notice, hint: None }
    }

    /// The rendered value of field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// `Name(field: value, ...)`; with `{:#}`, followed by `: notice` and ` (hint)` when present.
impl fmt::Display for DecodedRevert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.name)?;
        for (i, (name, value)) in self.fields.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{name}: {value}")?;
        }
        f.write_str(")")?;
        if f.alternate() {
            if let Some(n) = &self.notice {
                write!(f, ": {n}")?;
            }
            if let Some(h) = &self.hint {
                write!(f, " ({h})")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for UndecodedRevert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("reverted without data"),
            Self::TooShort(data) => write!(
                f,
                "reverted with {} byte(s) of data, too short for an error selector",
                data.len()
            ),
            Self::UnknownSelector { selector, data } => write!(
                f,
                "reverted with unknown error {selector} (no exported ABI declares it); data {}",
                hex::encode_prefixed(data)
            ),
            Self::Malformed { name, data } => write!(
                f,
                "reverted with {name} but its {} byte(s) of data do not decode (truncated or corrupt)",
                data.len()
            ),
        }
    }
}

impl std::error::Error for UndecodedRevert {}

/// One value as a person reads it (no Rust Debug syntax).
#[allow(unreachable_patterns)] // other alloy features may add variants (eip712's CustomStruct)
fn render(value: &DynSolValue) -> String {
    let list = |items: &[DynSolValue]| items.iter().map(render).collect::<Vec<_>>().join(", ");
    match value {
        DynSolValue::Address(a) => a.to_checksum(None),
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::Int(i, _) => i.to_string(),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::FixedBytes(word, size) => hex::encode_prefixed(&word[..*size]),
        DynSolValue::Bytes(b) => hex::encode_prefixed(b),
        DynSolValue::Function(f) => hex::encode_prefixed(f),
        DynSolValue::String(s) => quote(s),
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) => format!("[{}]", list(items)),
        DynSolValue::Tuple(items) => format!("({})", list(items)),
        _ => "<value of an unsupported type>".into(),
    }
}

/// A string in double quotes, with quotes, backslashes and control characters escaped.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.escape_debug())
}

/// The parts of a forge artifact the table reads.
#[derive(Deserialize)]
struct Artifact {
    abi: JsonAbi,
    #[serde(default)]
    userdoc: Doc,
    #[serde(default)]
    devdoc: Doc,
}

/// The `errors` section of a userdoc or devdoc: signature -> one entry per declaration.
#[derive(Default, Deserialize)]
struct Doc {
    #[serde(default)]
    errors: HashMap<String, Vec<DocEntry>>,
}

#[derive(Deserialize)]
struct DocEntry {
    notice: Option<String>,
    details: Option<String>,
}

impl Doc {
    fn sentence(&self, signature: &str) -> Option<String> {
        self.errors
            .get(signature)?
            .iter()
            .find_map(|e| e.notice.as_ref().or(e.details.as_ref()))
            .map(|s| {
                // NatSpec continuation lines keep their indentation; one space is what a reader wants.
                s.split_whitespace().collect::<Vec<_>>().join(" ")
            })
    }
}

#[cfg(test)]
#[path = "revert_tests.rs"]
mod tests;
