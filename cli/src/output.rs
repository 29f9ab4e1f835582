//! Command results: one value rendered either for people or, with `--json`, for scripts.

use serde_json::Value;

/// What a command reports: a human text and the same facts as JSON.
#[derive(Debug, Clone)]
pub struct Report {
    /// Lines for a terminal.
    pub human: String,
    /// The machine-readable form printed with `--json`.
    pub json: Value,
}

impl Report {
    /// A report from its two renderings.
    pub fn new(human: impl Into<String>, json: Value) -> Self {
        Self { human: human.into(), json }
    }

    /// Prints the report in the requested form.
    pub fn print(&self, json: bool) {
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(&self.json).unwrap_or_else(|_| self.json.to_string())
            );
        } else {
            println!("{}", self.human.trim_end());
        }
    }
}
