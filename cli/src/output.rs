//! Command results: one value rendered either for people or, with `--json`, for scripts; and the
//! one way anything reaches stdout, which ends quietly when the reader closes the pipe.

use std::io::Write;

use serde_json::Value;

/// What a command reports: a human text and the same facts as JSON.
#[derive(Debug, Clone)]
pub struct Report {
    /// Lines for a terminal.
    pub human: String,
    /// The machine-readable form printed with `--json`.
    pub json: Value,
}

/// Whether the output reached its reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printed {
    /// All of it was written.
    Done,
    /// The reader closed stdout (`| head -1`): stop quietly.
    ClosedPipe,
}

/// Writes `text` and a newline to stdout. A closed pipe is not an error to report (the reader
/// has what it wanted); any other write failure is treated the same way, since there is nowhere
/// left to report it.
pub fn emit(text: &str) -> Printed {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Printed::Done,
        Err(_) => Printed::ClosedPipe,
    }
}

impl Report {
    /// A report from its two renderings.
    pub fn new(human: impl Into<String>, json: Value) -> Self {
        Self { human: human.into(), json }
    }

    /// Prints the report in the requested form: with `--json` exactly one JSON document.
    pub fn print(&self, json: bool) -> Printed {
        if json {
            emit(
                &serde_json::to_string_pretty(&self.json).unwrap_or_else(|_| self.json.to_string()),
            )
        } else {
            emit(self.human.trim_end())
        }
    }
}
