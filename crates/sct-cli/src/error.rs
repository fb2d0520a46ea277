//! The command line's own error: each library's error kept whole, and the one place that
//! says how each is shown and which exit status it gives (0 success, 1 failure, 2 bad input
//! or usage; the README's table).

use sct_core::{Diagnostic, Diagnostics};
use sct_files::OutputError;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A workflow failed.
    #[error(transparent)]
    Workflow(#[from] sct_workflows::Error),
    /// Loading or checking an input failed outside a workflow.
    #[error(transparent)]
    Core(#[from] sct_core::Error),
    /// An output was refused or could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Standard output could not be written (other than a closed pipe).
    #[error("cannot write standard output: {0}")]
    Stdout(std::io::Error),
}

impl From<sct_workflows::StreamError> for CliError {
    fn from(e: sct_workflows::StreamError) -> Self {
        match e {
            sct_workflows::StreamError::Io(e) => CliError::Stdout(e),
            sct_workflows::StreamError::Workflow(e) => CliError::Workflow(e),
        }
    }
}

impl CliError {
    /// The exit status: 2 when the input or the command line is at fault, else 1.
    pub fn exit_status(&self) -> u8 {
        let bad_input = match self {
            CliError::Workflow(e) => e.is_bad_input(),
            CliError::Core(e) => e.is_bad_input(),
            CliError::Output(e) => e.is_bad_input(),
            CliError::Stdout(_) => false,
        };
        if bad_input { 2 } else { 1 }
    }

    /// The error as diagnostics to print: what went wrong, where, what was expected.
    pub fn diagnostics(&self) -> Diagnostics {
        use sct_report::render::ReportError;
        use sct_workflows::Error as W;
        let one = |d: Diagnostic| Diagnostics(vec![d]);
        match self {
            CliError::Core(sct_core::Error::Invalid(d))
            | CliError::Workflow(W::Core(sct_core::Error::Invalid(d))) => d.clone(),
            CliError::Workflow(W::Report(ReportError::Template { file, message })) => {
                one(Diagnostic::error(format!("template {file}: {message}")).in_file(file.clone()))
            }
            CliError::Workflow(W::Options { message, expected }) => {
                one(Diagnostic::error(message.clone()).expected(expected.clone()))
            }
            CliError::Output(e) | CliError::Core(sct_core::Error::Output(e)) => {
                one(output_diagnostic(e))
            }
            other => one(Diagnostic::error(other.to_string().trim_end())),
        }
    }
}

/// An output refusal in words, with the option that changes it where there is one: the
/// library says what happened, the command line which option to use.
fn output_diagnostic(e: &OutputError) -> Diagnostic {
    match e {
        OutputError::Exists { .. } => Diagnostic::error(format!("{e} (use --force to replace it)")),
        other => Diagnostic::error(other.to_string()),
    }
}
