//! Report errors as the command line shows them, for the commands not yet calling a workflow.

use sct_core::Error;
use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_report::render::ReportError;

/// Report errors are the user's (a broken template) or a failure to draw.
pub(crate) fn report_error(e: ReportError) -> Error {
    match e {
        ReportError::Template { file, message } => Error::Invalid(Diagnostics(vec![
            Diagnostic::error(format!("template {file}: {message}")).in_file(file.clone()),
        ])),
        ReportError::Io { path, source } => Error::Io {
            path,
            action: "read",
            source,
        },
        ReportError::Chart(c) => Error::Io {
            path: "chart".into(),
            action: "draw",
            source: std::io::Error::other(c.to_string()),
        },
        ReportError::Spreadsheet(message) => Error::Io {
            path: "spreadsheet".into(),
            action: "write",
            source: std::io::Error::other(message),
        },
    }
}
