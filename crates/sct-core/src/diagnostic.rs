//! Diagnostics: what went wrong, where (file, line, column), what was expected, and a hint.
//! Rendered the way rustc prints errors, with the offending source line underlined.

use std::fmt;

use serde::Serialize;

use crate::quote::{EXCERPT_CHARS, excerpt, visible, visible_width};
use crate::setting::Setting;

/// How serious a diagnostic is. Errors make input invalid; warnings and notes do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is invalid.
    Error,
    /// Worth the user's attention; the input is still usable.
    Warning,
    /// Information beside a result (what a second rule profile would have judged, say).
    Note,
}

/// A place in an input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// File name as the user gave it (or `bundled:NAME`).
    pub file: String,
    /// One-based line.
    pub line: usize,
    /// One-based column, in characters.
    pub column: usize,
    /// The source line (or the part of it around the finding), for display only.
    #[serde(skip)]
    pub snippet: Option<Snippet>,
}

/// The part of a source line shown under a location, with the characters to underline. At
/// most about [`Snippet::BEFORE`] characters before the underline, [`Snippet::UNDERLINE`]
/// underlined and [`Snippet::AFTER`] after are kept, with `…` where the line is cut, however
/// long the line: a file of one 60 MB line with thousands of findings on it keeps thousands
/// of short excerpts, not thousands of copies of the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The text shown.
    pub text: String,
    /// The characters of `text` before the underline.
    pub lead: usize,
    /// The number of characters underlined (0 for none).
    pub len: usize,
}

impl Snippet {
    /// Characters kept before the underline.
    pub const BEFORE: usize = 60;
    /// Characters underlined at most.
    pub const UNDERLINE: usize = 80;
    /// Characters kept after the underline.
    pub const AFTER: usize = 40;

    /// The excerpt of `line` around byte offset `at` (moved back to a character boundary),
    /// underlining `len` characters from there. Costs the excerpt's length, not the line's.
    pub fn at_byte(line: &str, at: usize, len: usize) -> Snippet {
        let mut at = at.min(line.len());
        while !line.is_char_boundary(at) {
            at -= 1;
        }
        let start = line[..at]
            .char_indices()
            .rev()
            .nth(Self::BEFORE - 1)
            .map_or(0, |(i, _)| i);
        let len = len.min(Self::UNDERLINE);
        let end = line[at..]
            .char_indices()
            .nth(len + Self::AFTER)
            .map_or(line.len(), |(i, _)| at + i);
        let mut text = String::new();
        if start > 0 {
            text.push('…');
        }
        text.push_str(&line[start..end]);
        let lead = text.chars().count() - line[at..end].chars().count();
        if end < line.len() {
            text.push('…');
        }
        Snippet { text, lead, len }
    }

    /// As [`Snippet::at_byte`], at one-based character `column` of `line`.
    pub fn at_column(line: &str, column: usize, len: usize) -> Snippet {
        let at = line
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i);
        Snippet::at_byte(line, at, len)
    }
}

/// One finding about an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What went wrong, including what was found.
    pub message: String,
    /// Where, when the input has a location for it.
    pub location: Option<Location>,
    /// What was expected instead.
    pub expected: Option<String>,
    /// A suggestion for fixing it.
    pub hint: Option<String>,
    /// The options that would change the outcome, for a front end to name its own way (the
    /// command line as flags); the message itself names none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<Setting>,
    /// How many findings of its severity this one stands for, left out of a list that was cut
    /// short (see [`Diagnostic::more_errors`]); 0 for any other, which stands for itself.
    #[serde(skip_serializing_if = "is_zero")]
    pub unlisted: usize,
}

/// Whether a count is 0 (left out of the JSON).
fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Diagnostic {
    /// A new error with no location yet.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            expected: None,
            hint: None,
            settings: Vec::new(),
            unlisted: 0,
        }
    }

    /// The end of a list of errors cut short: `count` more errors, found but not listed. A
    /// front end that counts errors counts it as `count` of them.
    pub fn more_errors(count: usize) -> Self {
        Diagnostic {
            unlisted: count,
            ..Diagnostic::error(format!(
                "{} not shown",
                crate::quote::count_of(count, "more error")
            ))
        }
    }

    /// A new warning with no location yet.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// A new note: information beside a result, not a problem.
    pub fn note(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(message)
        }
    }

    /// Sets the location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Sets the location to a whole file (no line), for findings about a file as a whole.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.location = Some(Location {
            file: file.into(),
            line: 0,
            column: 0,
            snippet: None,
        });
        self
    }

    /// Sets what was expected.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Sets a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Names the options that would change the outcome (see [`Setting`]).
    pub fn settings(mut self, settings: impl IntoIterator<Item = Setting>) -> Self {
        self.settings.extend(settings);
        self
    }

    /// The diagnostic as a sentence for a report, not a terminal: the message, the line it is
    /// at, what was expected and the hint, with no source excerpt or arrows.
    pub fn in_words(&self) -> String {
        let mut text = self.message.clone();
        if let Some(line) = self.location.as_ref().map(|l| l.line).filter(|&l| l > 0) {
            text.push_str(&format!(" (line {line})"));
        }
        if let Some(expected) = &self.expected {
            text.push_str(&format!("; expected {expected}"));
        }
        text.push('.');
        if let Some(hint) = &self.hint {
            let mut chars = hint.chars();
            if let Some(first) = chars.next() {
                text.push(' ');
                text.extend(first.to_uppercase());
                text.push_str(chars.as_str());
                text.push('.');
            }
        }
        text
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// An error for a CSV row the reader could not take, in words rather than the csv
    /// crate's ("found record with 1 fields, but the previous record has 2 fields"), with what
    /// was expected; `headers` names the column of a field that would not convert. The
    /// caller adds the location.
    pub fn csv_row(error: &csv::Error, headers: Option<&csv::StringRecord>) -> Self {
        match error.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => Diagnostic::error(format!(
                "this row has {len} field{}; the header has {expected_len}",
                if *len == 1 { "" } else { "s" }
            ))
            .expected(format!(
                "{expected_len} comma-separated fields on every row"
            ))
            .hint("a field that holds a comma must be in double quotes"),
            csv::ErrorKind::Utf8 { err, .. } => Diagnostic::error(format!(
                "field {} of this row is not valid UTF-8",
                err.field() + 1
            ))
            .expected("UTF-8 text (save the file as \"CSV UTF-8\")"),
            csv::ErrorKind::Deserialize { err, .. } => {
                let column = err.field().and_then(|i| {
                    let i = usize::try_from(i).ok()?;
                    Some(match headers.and_then(|h| h.get(i)) {
                        Some(name) => format!("column `{name}`"),
                        None => format!("field {}", i + 1),
                    })
                });
                let what = match err.kind() {
                    csv::DeserializeErrorKind::Message(m)
                    | csv::DeserializeErrorKind::Unsupported(m) => m.clone(),
                    other => other.to_string(),
                };
                Diagnostic::error(match column {
                    Some(c) => format!("{c} of this row: {what}"),
                    None => format!("this row: {what}"),
                })
            }
            _ => Diagnostic::error(format!("cannot read this row: {error}")),
        }
    }
}

/// `text` as a message shows it: cut to [`EXCERPT_CHARS`], control characters visible.
fn shown(text: &str) -> String {
    visible(&excerpt(text, EXCERPT_CHARS)).into_owned()
}

/// Rendered as rustc renders errors. Whatever the input held, the text is bounded (each of
/// message, expected and hint at most [`EXCERPT_CHARS`] characters, the source line an
/// excerpt around the finding) and shows control characters as escapes.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        writeln!(f, "{label}: {}", shown(&self.message))?;
        if let Some(loc) = &self.location {
            let file = shown(&loc.file);
            if loc.line == 0 {
                writeln!(f, "  --> {file}")?;
            } else {
                writeln!(f, "  --> {file}:{}:{}", loc.line, loc.column)?;
            }
            if let Some(snippet) = &loc.snippet {
                let num = loc.line.to_string();
                let pad = " ".repeat(num.len());
                writeln!(f, "{pad} |")?;
                writeln!(f, "{num} | {}", visible(&snippet.text))?;
                // Tabs are kept so the caret lines up under them; an escape shown for a
                // control character is as wide as the escape.
                let lead: String = snippet
                    .text
                    .chars()
                    .take(snippet.lead)
                    .map(|c| match c {
                        '\t' => "\t".to_string(),
                        c => " ".repeat(visible_width(c)),
                    })
                    .collect();
                // A span running past the line's end (an unclosed string, say) is underlined
                // one caret per missing character, as before.
                let under: Vec<char> = snippet
                    .text
                    .chars()
                    .skip(snippet.lead)
                    .take(snippet.len)
                    .collect();
                let carets = under.iter().map(|&c| visible_width(c)).sum::<usize>()
                    + (snippet.len - under.len());
                writeln!(f, "{pad} | {lead}{}", "^".repeat(carets))?;
            }
        }
        if let Some(expected) = &self.expected {
            writeln!(f, "  = expected: {}", shown(expected))?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "  = hint: {}", shown(hint))?;
        }
        Ok(())
    }
}

/// A list of diagnostics, errors first in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Number of errors, those a list left out included (see [`Diagnostic::unlisted`]).
    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Number of warnings, those a list left out included.
    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    /// Number of findings of `severity`: one a diagnostic, or as many as it stands for.
    fn count(&self, severity: Severity) -> usize {
        self.0
            .iter()
            .filter(|d| d.severity == severity)
            .map(|d| d.unlisted.max(1))
            .sum()
    }

    /// Iterates over the diagnostics.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends all of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Puts the diagnostics in the order a person fixes them: errors, then warnings, then
    /// notes; within each, file by file in line and column order, those with no line last
    /// (in the order found).
    pub fn sort_for_reading(&mut self) {
        self.0.sort_by(|a, b| {
            let rank = |d: &Diagnostic| match d.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Note => 2,
            };
            let place = |d: &Diagnostic| {
                d.location
                    .as_ref()
                    .map(|l| (l.line == 0, l.file.clone(), l.line, l.column))
                    .unwrap_or((true, String::new(), 0, 0))
            };
            rank(a).cmp(&rank(b)).then_with(|| place(a).cmp(&place(b)))
        });
    }
}

impl Diagnostics {
    /// The most diagnostics of each severity that [`Display`](fmt::Display) shows; the rest
    /// are counted in a last line. A file with a million errors gives fifty and the count.
    pub const SHOWN: usize = 50;
}

/// The diagnostics one after another, a blank line between, at most [`Diagnostics::SHOWN`]
/// errors and as many warnings, then how many more there are (counted, not rendered).
impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (mut errors, mut warnings) = (0usize, 0usize);
        // Findings a list left out, stood for by one diagnostic each (not rendered).
        let (mut unlisted_errors, mut unlisted_warnings) = (0usize, 0usize);
        let mut first = true;
        for d in &self.0 {
            let (seen, unlisted) = if d.is_error() {
                (&mut errors, &mut unlisted_errors)
            } else {
                (&mut warnings, &mut unlisted_warnings)
            };
            if d.unlisted > 0 {
                *unlisted += d.unlisted;
                continue;
            }
            *seen += 1;
            if *seen > Self::SHOWN {
                continue;
            }
            if !first {
                writeln!(f)?;
            }
            first = false;
            write!(f, "{d}")?;
        }
        let more = |n: usize, unlisted: usize, what: &str| match n.saturating_sub(Self::SHOWN)
            + unlisted
        {
            0 => None,
            1 => Some(format!("1 more {what}")),
            n => Some(format!("{n} more {what}s")),
        };
        let more: Vec<String> = [
            more(errors, unlisted_errors, "error"),
            more(warnings, unlisted_warnings, "warning"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !more.is_empty() {
            writeln!(f, "\n… and {} not shown", more.join(" and "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_that_cannot_be_read_are_described_in_words() {
        let mut reader = csv::Reader::from_reader("code,region\nQUY\n".as_bytes());
        let e = reader.records().next().expect("a row").unwrap_err();
        let d = Diagnostic::csv_row(&e, None);
        assert_eq!(d.message, "this row has 1 field; the header has 2");
        assert_eq!(
            d.expected.as_deref(),
            Some("2 comma-separated fields on every row")
        );

        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)] // read only to make the error
        struct Row {
            code: String,
            size: u32,
        }
        let mut reader = csv::Reader::from_reader("code,size\nQUY,big\n".as_bytes());
        let headers = reader.headers().expect("a header").clone();
        let e = reader
            .deserialize::<Row>()
            .next()
            .expect("a row")
            .unwrap_err();
        let d = Diagnostic::csv_row(&e, Some(&headers));
        assert!(
            d.message.starts_with("column `size` of this row: "),
            "{}",
            d.message
        );
    }

    #[test]
    fn renders_location_snippet_expected_and_hint() {
        let d = Diagnostic::error("unknown level \"mastered\"")
            .at(Location {
                file: "r.toml".into(),
                line: 3,
                column: 9,
                snippet: Some(Snippet::at_column("level = \"mastered\"", 9, 10)),
            })
            .expected("one of: starting-out, mastering")
            .hint("level ids are kebab-case");
        let text = d.to_string();
        assert_eq!(
            text,
            "error: unknown level \"mastered\"\n  --> r.toml:3:9\n  |\n3 | level = \"mastered\"\n  |         ^^^^^^^^^^\n  = expected: one of: starting-out, mastering\n  = hint: level ids are kebab-case\n"
        );
    }

    #[test]
    fn a_huge_line_gives_a_bounded_excerpt_with_the_caret_in_place() {
        let line = format!(
            "{}level = \"mastered\"{}",
            "x".repeat(5_000),
            "y".repeat(5_000)
        );
        let column = 5_001 + "level = ".len();
        let d = Diagnostic::error(format!("\"{}\" is not a level", "m".repeat(1_000_000))).at(
            Location {
                file: "r.toml".into(),
                line: 1,
                column,
                snippet: Some(Snippet::at_column(&line, column, 10)),
            },
        );
        let text = d.to_string();
        assert!(text.len() < 1_000, "{} bytes", text.len());
        assert!(text.contains("more characters) …"), "{text}");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[3].starts_with("1 | …"), "{text}");
        let caret = lines[4].find('^').unwrap();
        assert_eq!(
            lines[3][..].chars().nth(lines[4][..caret].chars().count()),
            Some('"'),
            "{text}"
        );
        assert!(lines[3].ends_with('…'), "{text}");
    }

    #[test]
    fn control_characters_are_shown_as_escapes_and_the_caret_follows() {
        let line = "name = \"\u{1b}[2J\u{1b}]0;pwned\u{7}\rok\"";
        let d = Diagnostic::warning("\u{1b}[31mred\u{9b}")
            .at(Location {
                file: "a\u{1b}b.toml".into(),
                line: 2,
                column: 8,
                snippet: Some(Snippet::at_column(line, 8, 1)),
            })
            .hint("\r\u{7}");
        let text = d.to_string();
        assert!(
            !text.chars().any(crate::quote::is_hidden_control),
            "{text:?}"
        );
        assert!(text.contains("\\u{1b}[31mred\\u{9b}"), "{text}");
        assert!(text.contains("a\\u{1b}b.toml:2:8"), "{text}");
        assert!(text.contains("= hint: \\u{d}\\u{7}"), "{text}");
        // The caret is under the opening quote, after the visible escapes before it.
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[4].find('^'), lines[3].find('"'), "{text}");
    }

    #[test]
    fn at_most_fifty_of_each_severity_are_shown_and_the_rest_counted() {
        let mut diags = Diagnostics::default();
        for i in 0..1000 {
            diags.push(Diagnostic::error(format!("bad {i}")));
        }
        for i in 0..3 {
            diags.push(Diagnostic::warning(format!("odd {i}")));
        }
        let text = diags.to_string();
        assert!(
            text.contains("error: bad 49\n") && !text.contains("bad 50"),
            "{text}"
        );
        assert!(text.contains("warning: odd 2"), "{text}");
        assert!(
            text.ends_with("\n… and 950 more errors not shown\n"),
            "{text}"
        );
    }

    #[test]
    fn errors_a_list_left_out_are_counted_with_those_not_shown() {
        // A reader's list of its first 60 errors, and 40 more it found and did not list.
        let mut diags = Diagnostics::default();
        for i in 0..60 {
            diags.push(Diagnostic::error(format!("bad {i}")));
        }
        diags.push(Diagnostic::more_errors(40).in_file("d.csv"));
        let text = diags.to_string();
        assert!(!text.contains("40 more errors not shown"), "{text}");
        assert_eq!(diags.error_count(), 100);
        assert_eq!(Diagnostic::more_errors(1).message, "1 more error not shown");
        assert!(
            text.ends_with("\n… and 50 more errors not shown\n"),
            "{text}"
        );
        let json = serde_json::to_value(&diags).unwrap();
        assert_eq!(json[60]["unlisted"], 40);
        assert!(json[0].get("unlisted").is_none());
    }
}
