//! A broken rule: the invariant, in words, and what was observed.

/// A broken rule.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Violation {
    /// The invariant, in words.
    pub invariant: String,
    /// What was observed.
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.invariant, self.detail)
    }
}

/// Builds a violation.
pub fn violation(invariant: &str, detail: impl Into<String>) -> Violation {
    Violation { invariant: invariant.to_string(), detail: detail.into() }
}
