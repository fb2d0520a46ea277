//! What every fuzz target asserts besides "no panic": an error found in an input that has
//! lines carries a location (a line, or a line and column) so the user can find it.

use std::sync::OnceLock;

use sct_core::{Diagnostics, Error, Sct};

/// Panics (a fuzz finding) when an error diagnostic has no location although the input is
/// not empty. `what` names the loader, for the crash report.
pub fn assert_located(what: &str, input: &str, diags: &Diagnostics) {
    if input.trim().is_empty() {
        return;
    }
    for d in diags.iter().filter(|d| d.is_error()) {
        assert!(
            d.location.is_some(),
            "{what}: an error without a location: {}",
            d.message
        );
    }
}

/// [`assert_located`] for the diagnostics inside an [`Error`]; other errors (input and
/// output, sizes) carry the path, which is their location.
pub fn assert_error_located(what: &str, input: &str, error: &Error) {
    if let Error::Invalid(diags) = error {
        assert_located(what, input, diags);
    }
}

/// The bundled frameworks and organisations, loaded once per fuzzing process: the targets
/// that resolve responses against them would otherwise spend each execution reloading them.
pub fn bundled_sct() -> &'static Sct {
    static SCT: OnceLock<Sct> = OnceLock::new();
    SCT.get_or_init(|| Sct::bundled().expect("the bundled frameworks load"))
}

/// Panics (a fuzz finding) when an error located in the CSV file `file`, whose text is
/// `input`, names a line the input does not have, or (when no field is quoted, so that every
/// record is one line, and no lone `\r` ends one) a blank line, on which no record starts: a
/// CRLF file's errors named the line above theirs.
pub fn assert_csv_lines(what: &str, file: &str, input: &str, diags: &Diagnostics) {
    let lines: Vec<&str> = input
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if input.trim().is_empty() {
        return;
    }
    let one_line_records = !input.contains('"') && !input.replace("\r\n", "").contains('\r');
    for d in diags.iter().filter(|d| d.is_error()) {
        let Some(location) = d.location.as_ref().filter(|l| l.file == file && l.line > 0)
        else {
            continue;
        };
        let line = lines.get(location.line - 1).unwrap_or_else(|| {
            panic!(
                "{what}: an error on line {} of {}: {}",
                location.line,
                lines.len(),
                d.message
            )
        });
        assert!(
            !one_line_records || !line.is_empty(),
            "{what}: an error on blank line {}: {}",
            location.line,
            d.message
        );
    }
}
