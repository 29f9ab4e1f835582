//! Fitting text to a terminal: a table that drops its least important columns until it fits the
//! width, truncation that never leaves a line longer than the width, amounts shortened for narrow
//! cells, and colour only where it is wanted.

use alloy::primitives::U256;

use crate::amount::fmt_amount;

/// How an event line should stand out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Nothing special.
    Plain,
    /// Went well (proven).
    Good,
    /// Needs attention (a race, a prover offline).
    Warn,
    /// Went wrong (slash, failure).
    Bad,
}

/// A table column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    /// Header text.
    pub header: &'static str,
    /// Right-aligned (numbers).
    pub right: bool,
    /// 0: always shown; higher values are dropped first when the table is too wide.
    pub drop_order: u8,
}

/// Lays out `rows` under `columns` in at most `width` characters per line: drops the columns with
/// the highest `drop_order` until the rest fit, then truncates whatever is still too long.
pub(crate) fn fit(columns: &[Column], rows: &[Vec<String>], width: usize) -> Vec<String> {
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0).max(c.header.len())
        })
        .collect();
    let mut shown: Vec<usize> = (0..columns.len()).collect();
    let total = |shown: &[usize]| {
        shown.iter().map(|&i| widths[i]).sum::<usize>() + shown.len().saturating_sub(1)
    };
    while total(&shown) > width {
        let Some(pos) = (0..shown.len())
            .filter(|&p| columns[shown[p]].drop_order > 0)
            .max_by_key(|&p| (columns[shown[p]].drop_order, p))
        else {
            break;
        };
        shown.remove(pos);
    }
    let line = |cells: &dyn Fn(usize) -> String| {
        let parts: Vec<String> = shown
            .iter()
            .map(|&i| {
                let w = widths[i];
                let c = cells(i);
                if columns[i].right { format!("{c:>w$}") } else { format!("{c:<w$}") }
            })
            .collect();
        truncate(parts.join(" ").trim_end(), width)
    };
    let mut out = vec![line(&|i| columns[i].header.to_string())];
    for r in rows {
        out.push(line(&|i| r[i].clone()));
    }
    out
}

/// `text` cut to at most `width` characters, ending in `..` when something was cut.
pub(crate) fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width <= 2 {
        return text.chars().take(width).collect();
    }
    let mut s: String = text.chars().take(width - 2).collect();
    s.push_str("..");
    s
}

/// A token amount in at most `max` characters where possible: decimals are cut first (`1215.4`),
/// then large integers take a suffix (`12.3k`, `4.5M`). Only for display; JSON carries the exact
/// amount.
pub(crate) fn short_amount(units: U256, decimals: u8, max: usize) -> String {
    let full = fmt_amount(units, decimals);
    if full.len() <= max {
        return full;
    }
    let (int, frac) = full.split_once('.').unwrap_or((full.as_str(), ""));
    if int.len() <= max {
        let keep = max.saturating_sub(int.len() + 1).min(frac.len());
        return if keep == 0 { int.to_string() } else { format!("{int}.{}", &frac[..keep]) };
    }
    let groups = ((int.len() - 1) / 3).min(5);
    let lead = int.len() - 3 * groups;
    let suffix = ["", "k", "M", "G", "T", "P"][groups];
    format!("{}.{}{suffix}", &int[..lead], &int[lead..=lead])
}

/// Whether to colour output: only on a terminal, and never when `NO_COLOR` is set to anything
/// but the empty string (<https://no-color.org>).
pub(crate) fn colour_wanted(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Wraps a whole (already fitted) line in the tone's colour when `colour` is on, so colour codes
/// never count against the width.
pub(crate) fn paint(line: &str, tone: Tone, colour: bool) -> String {
    let code = match tone {
        Tone::Plain => return line.to_string(),
        Tone::Good => "32",
        Tone::Warn => "33",
        Tone::Bad => "31",
    };
    if colour { format!("\x1b[{code}m{line}\x1b[0m") } else { line.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_columns_by_order_then_truncates() {
        let cols = [
            Column { header: "name", right: false, drop_order: 0 },
            Column { header: "wide", right: false, drop_order: 2 },
            Column { header: "n", right: true, drop_order: 1 },
        ];
        let rows = vec![vec!["p1".to_string(), "x".repeat(20), "7".to_string()]];
        assert_eq!(
            fit(&cols, &rows, 40),
            ["name wide                 n", "p1   xxxxxxxxxxxxxxxxxxxx 7"]
        );
        assert_eq!(fit(&cols, &rows, 10), ["name n", "p1   7"]);
        assert_eq!(fit(&cols, &rows, 4), ["name", "p1"]);
        assert_eq!(fit(&cols, &rows, 3), ["n..", "p1"]);
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdef", 5), "abc..");
        assert_eq!(truncate("abcdef", 2), "ab");
    }

    #[test]
    fn amounts_shrink_to_fit() {
        let e15 = U256::from(10u64).pow(U256::from(15));
        // 1215.456 PNT
        let v = U256::from(1_215_456u64) * e15;
        assert_eq!(short_amount(v, 18, 10), "1215.456");
        assert_eq!(short_amount(v, 18, 6), "1215.4");
        assert_eq!(short_amount(v, 18, 4), "1215");
        // 12 345 678.9 PNT
        let v = U256::from(123_456_789u64) * U256::from(10u64).pow(U256::from(17));
        assert_eq!(short_amount(v, 18, 7), "12.3M");
        assert_eq!(short_amount(U256::from(12_345u64), 0, 4), "12.3k");
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        use std::ffi::OsStr;
        assert!(colour_wanted(true, None));
        assert!(colour_wanted(true, Some(OsStr::new(""))));
        assert!(!colour_wanted(true, Some(OsStr::new("1"))));
        assert!(!colour_wanted(false, None));
        assert_eq!(paint("x", Tone::Bad, true), "\x1b[31mx\x1b[0m");
        assert_eq!(paint("x", Tone::Bad, false), "x");
    }
}
