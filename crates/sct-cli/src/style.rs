//! Everything `sct` writes to standard error goes through [`eprint()`], which does three
//! things, in this order:
//!
//! 1. **Shows control characters** from input files as escapes (`\u{1b}`), so a message
//!    quoting a file cannot clear the screen, retitle the window or overwrite a line with a
//!    fake "ok" ([`sct_core::quote::visible`]; line feeds and tabs are kept).
//! 2. **Bounds the size**: a line longer than [`LINE_CHARS`] is cut to its start and end
//!    (diagnostics already quote shorter excerpts; this holds for every other message, an
//!    error quoting an argument, say), and at most [`SHOWN`] errors, as many warnings and as
//!    many notes are printed; the rest are counted, and [`finish`] says how many.
//! 3. **Colours** the labels, as rustc does: `error:` in bold red, `warning:` in bold yellow,
//!    `note:` and the `-->` location in bold blue, `= hint:` and `= expected:` in bold. Plain
//!    ANSI escapes, added after step 1; off unless standard error is a terminal, off when
//!    `NO_COLOR` is set (<https://no-color.org>), and `--color` overrides both.

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use sct_core::Diagnostics;
use sct_core::quote::{excerpt, visible};

use crate::cli::ColorChoice;

static ENABLED: OnceLock<bool> = OnceLock::new();

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const BOLD_RED: &str = "\x1b[1;31m";
const BOLD_YELLOW: &str = "\x1b[1;33m";
const BOLD_BLUE: &str = "\x1b[1;34m";

/// Whether to colour, from `--color`, `NO_COLOR` (set and not empty) and whether standard
/// error is a terminal (`TERM=dumb` counts as not one).
pub fn decide(choice: ColorChoice, no_color: Option<&str>, stderr_is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => no_color.is_none_or(str::is_empty) && stderr_is_terminal,
    }
}

/// Settles colour for the rest of the run; call once, before anything is printed.
pub fn init(choice: ColorChoice) {
    let no_color = std::env::var("NO_COLOR").ok();
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    let terminal = std::io::stderr().is_terminal() && !dumb;
    let _ = ENABLED.set(decide(choice, no_color.as_deref(), terminal));
}

fn enabled() -> bool {
    ENABLED.get().copied().unwrap_or(false)
}

/// `text` (one or more rendered diagnostics) with its labels coloured.
pub fn paint(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let labels: [(&str, &str); 6] = [
            ("error:", BOLD_RED),
            ("warning:", BOLD_YELLOW),
            ("note:", BOLD_BLUE),
            ("  --> ", BOLD_BLUE),
            ("  = hint:", BOLD),
            ("  = expected:", BOLD),
        ];
        match labels.iter().find(|(label, _)| body.starts_with(label)) {
            Some((label, colour)) => {
                out.push_str(colour);
                out.push_str(label);
                out.push_str(RESET);
                out.push_str(&body[label.len()..]);
            }
            None => out.push_str(body),
        }
        out.push_str(newline);
    }
    out
}

/// The most messages of each kind (errors, warnings, notes) printed in one run.
pub const SHOWN: usize = Diagnostics::SHOWN;

/// Messages printed and messages left out, by kind: errors, warnings, notes.
static PRINTED: [AtomicUsize; 3] = [const { AtomicUsize::new(0) }; 3];
static LEFT_OUT: [AtomicUsize; 3] = [const { AtomicUsize::new(0) }; 3];

/// The kind of a message, from the label its first line starts with (`None`: unlabelled
/// text such as `wrote FILE`, always printed).
fn kind(text: &str) -> Option<usize> {
    ["error:", "warning:", "note:"]
        .iter()
        .position(|label| text.starts_with(label))
}

/// Whether one more message of `text`'s kind may be printed; counts it either way.
fn admit(text: &str) -> bool {
    let Some(k) = kind(text) else {
        return true;
    };
    if PRINTED[k].fetch_add(1, Ordering::Relaxed) < SHOWN {
        true
    } else {
        LEFT_OUT[k].fetch_add(1, Ordering::Relaxed);
        false
    }
}

/// Writes `text` (control characters already visible) to standard error, coloured if on.
fn write(text: &str) {
    let text = if enabled() {
        paint(text)
    } else {
        text.to_string()
    };
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// The most characters of one line of a message printed.
pub const LINE_CHARS: usize = 1_000;

/// `text` with each line cut to [`LINE_CHARS`] and control characters visible.
fn shown(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| visible(&excerpt(line, LINE_CHARS)).into_owned())
        .collect()
}

/// Prints one message (a diagnostic, a warning, a note, or plain text) to standard error:
/// control characters shown as escapes, each line bounded, coloured if colour is on, and
/// left out (counted) past the first [`SHOWN`] of its kind.
pub fn eprint(text: &str) {
    if admit(text) {
        write(&shown(text));
    }
}

/// Prints diagnostics as their `Display` does (a blank line between), through [`eprint()`]:
/// past the first [`SHOWN`] of a kind they are counted without being rendered, as are those
/// a library left out of its list (a diagnostic standing for them, `unlisted`).
pub fn diagnostics(diags: &Diagnostics) {
    let mut first = true;
    for d in diags.iter() {
        let k = match d.severity {
            sct_core::diagnostic::Severity::Error => 0,
            sct_core::diagnostic::Severity::Warning => 1,
            sct_core::diagnostic::Severity::Note => 2,
        };
        if d.unlisted > 0 {
            // Errors a library found and did not list: counted, and said to be left out.
            PRINTED[k].fetch_add(d.unlisted, Ordering::Relaxed);
            LEFT_OUT[k].fetch_add(d.unlisted, Ordering::Relaxed);
            continue;
        }
        if PRINTED[k].fetch_add(1, Ordering::Relaxed) >= SHOWN {
            LEFT_OUT[k].fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let text = shown(&crate::flags::shown(d));
        write(&if first { text } else { format!("\n{text}") });
        first = false;
    }
}

/// Says how many messages were left out, if any, and, when there was an error among several
/// messages, how many there were of each; call once, last.
pub fn finish() {
    let count = |k: usize| PRINTED[k].load(Ordering::Relaxed);
    let (errors, warnings) = (count(0), count(1));
    if errors > 0 && errors + warnings > 1 {
        let mut total = vec![sct_core::quote::count_of(errors, "error")];
        if warnings > 0 {
            total.push(sct_core::quote::count_of(warnings, "warning"));
        }
        // Not labelled "error:": it counts the messages above rather than adding one.
        write(&format!("\n{} in all\n", total.join(" and ")));
    }
    let left_out: Vec<String> = ["error", "warning", "note"]
        .iter()
        .zip(&LEFT_OUT)
        .filter_map(|(what, n)| match n.load(Ordering::Relaxed) {
            0 => None,
            1 => Some(format!("1 more {what}")),
            n => Some(format!("{n} more {what}s")),
        })
        .collect();
    if !left_out.is_empty() {
        write(&format!(
            "note: {} not shown (at most {SHOWN} of each are)\n",
            left_out.join(" and ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_coloured_and_the_rest_is_kept() {
        let text = "error: bad level\n  --> a.toml:3:9\n  = hint: use 1 to 5\nplain\n";
        let painted = paint(text);
        assert!(painted.starts_with("\x1b[1;31merror:\x1b[0m bad level\n"));
        assert!(painted.contains("\x1b[1;34m  --> \x1b[0ma.toml:3:9\n"));
        assert!(painted.contains("\x1b[1m  = hint:\x1b[0m use 1 to 5\n"));
        assert!(painted.ends_with("plain\n"));
        let stripped = painted
            .replace(BOLD_RED, "")
            .replace(BOLD_BLUE, "")
            .replace(BOLD, "")
            .replace(RESET, "");
        assert_eq!(stripped, text);
    }

    #[test]
    fn messages_show_controls_and_long_lines_bounded() {
        let text = format!("error: \u{1b}[2J{}\n  = hint: \rok\tx\n", "y".repeat(5_000));
        let shown = shown(&text);
        assert!(shown.starts_with("error: \\u{1b}[2Jyyy"), "{shown}");
        assert!(shown.contains("more characters) …yyy"), "{shown}");
        assert!(shown.contains("yyy\n  = hint"), "{shown}");
        assert!(shown.ends_with("  = hint: \\u{d}ok\tx\n"), "{shown}");
        assert!(shown.lines().all(|l| l.chars().count() < LINE_CHARS + 40));
    }

    #[test]
    fn no_color_and_terminals_decide_auto_but_not_an_explicit_choice() {
        assert!(decide(ColorChoice::Auto, None, true));
        assert!(!decide(ColorChoice::Auto, None, false));
        assert!(!decide(ColorChoice::Auto, Some("1"), true));
        // NO_COLOR set but empty does not count, as no-color.org says.
        assert!(decide(ColorChoice::Auto, Some(""), true));
        assert!(decide(ColorChoice::Always, Some("1"), false));
        assert!(!decide(ColorChoice::Never, None, true));
    }
}
