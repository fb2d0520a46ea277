//! Diagnostics: what went wrong, where (file, line, column), what was expected, and a hint.
//! Rendered the way rustc prints errors, with the offending source line underlined.

use std::fmt;

use serde::Serialize;

/// How serious a diagnostic is. Errors make input invalid; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is invalid.
    Error,
    /// Worth the user's attention; the input is still usable.
    Warning,
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
    /// The source line and the number of characters to underline, for display only.
    #[serde(skip)]
    pub snippet: Option<(String, usize)>,
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
        }
    }

    /// A new warning with no location yet.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
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

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{label}: {}", self.message)?;
        if let Some(loc) = &self.location {
            if loc.line == 0 {
                writeln!(f, "  --> {}", loc.file)?;
            } else {
                writeln!(f, "  --> {}:{}:{}", loc.file, loc.line, loc.column)?;
            }
            if let Some((text, len)) = &loc.snippet {
                let num = loc.line.to_string();
                let pad = " ".repeat(num.len());
                writeln!(f, "{pad} |")?;
                writeln!(f, "{num} | {text}")?;
                let lead: String = text
                    .chars()
                    .take(loc.column.saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                writeln!(f, "{pad} | {lead}{}", "^".repeat(*len))?;
            }
        }
        if let Some(expected) = &self.expected {
            writeln!(f, "  = expected: {expected}")?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "  = hint: {hint}")?;
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

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
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
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
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
                snippet: Some(("level = \"mastered\"".into(), 10)),
            })
            .expected("one of: starting-out, mastering")
            .hint("level ids are kebab-case");
        let text = d.to_string();
        assert_eq!(
            text,
            "error: unknown level \"mastered\"\n  --> r.toml:3:9\n  |\n3 | level = \"mastered\"\n  |         ^^^^^^^^^^\n  = expected: one of: starting-out, mastering\n  = hint: level ids are kebab-case\n"
        );
    }
}
