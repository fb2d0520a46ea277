//! The command line's own error: each library's error kept whole, and the one place that
//! says how each is shown and which exit status it gives (0 success, 1 failure, 2 bad input
//! or usage; the README's table).

use sct_core::{Diagnostic, Diagnostics};
use sct_files::OutputError;
use sct_plugin_host::HostError;
use sct_plugin_host::error::Fault;
use sct_workflows::approve::ApprovalError;

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
    /// A plugin could not be found, checked, installed or run outside a workflow.
    #[error(transparent)]
    Plugin(#[from] HostError),
    /// Some of the plugins `sct plugins check` checked failed (each is listed above it).
    #[error("{failed} of {checked} plugins failed their checks")]
    PluginChecks {
        /// How many failed.
        failed: usize,
        /// How many were checked.
        checked: usize,
        /// Whether every failure is the user's input at fault.
        bad_input: bool,
    },
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
            CliError::Plugin(e) => e.is_bad_input(),
            CliError::PluginChecks { bad_input, .. } => *bad_input,
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
            CliError::Workflow(W::Diff(e)) => one(e.diagnostic()),
            CliError::Workflow(W::Options {
                message,
                expected,
                settings,
            }) => one(Diagnostic::error(message.clone())
                .expected(expected.clone())
                .settings(settings.iter().copied())),
            other => one(Diagnostic::error(with_hint(
                other.to_string().trim_end(),
                other.flag_hint(),
            ))),
        }
    }

    /// The command-line option that changes the outcome, where there is one: the libraries
    /// say what happened, the command line which of its options to use. Keyed on the typed
    /// error, never on its text.
    fn flag_hint(&self) -> Option<&'static str> {
        use sct_workflows::Error as W;
        match self {
            CliError::Output(e)
            | CliError::Core(sct_core::Error::Output(e))
            | CliError::Workflow(W::Core(sct_core::Error::Output(e))) => output_hint(e),
            CliError::Plugin(e) | CliError::Workflow(W::Plugin(e)) => plugin_hint(&e.fault),
            CliError::Workflow(W::Approval(ApprovalError::NotModerated { .. })) => {
                Some("moderate it first, or approve it as it is with --force")
            }
            _ => None,
        }
    }
}

/// The option that changes an output refusal.
fn output_hint(e: &OutputError) -> Option<&'static str> {
    match e {
        OutputError::Exists { .. } => Some("use --force to replace it"),
        OutputError::ReadOnly { .. } => {
            Some("--force does not replace it; write to another file with -o")
        }
        _ => None,
    }
}

/// The option that changes a plugin's fault.
fn plugin_hint(fault: &Fault) -> Option<&'static str> {
    match fault {
        Fault::TooLarge { .. } => Some("raise it with --max-output-mb"),
        Fault::Timeout { .. } => Some("raise the limit with --timeout"),
        Fault::AlreadyInstalled { .. } => Some("use --force to replace it"),
        Fault::NotFound { .. } => {
            Some("install it with `sct plugins install DIR`, or name its folder with --plugin-dir")
        }
        _ => None,
    }
}

/// A message with the option that changes it, in brackets after it.
fn with_hint(message: &str, hint: Option<&str>) -> String {
    match hint {
        Some(h) => format!("{message} ({h})"),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(e: CliError) -> String {
        e.diagnostics().0.remove(0).message
    }

    #[test]
    fn the_command_line_adds_the_option_that_changes_a_plugin_fault() {
        let timeout = HostError::new(
            "slow",
            Fault::Timeout {
                call: "compute",
                seconds: 1.0,
            },
        );
        // The library describes the problem and names no option of the command line.
        assert!(!timeout.to_string().contains("--"), "{timeout}");
        assert_eq!(
            shown(CliError::Plugin(timeout)),
            "plugin \"slow\": timed out: compute did not finish within 1 s and was stopped (raise the limit with --timeout)"
        );
        let large = HostError::new(
            "huge",
            Fault::TooLarge {
                call: "compute",
                limit: 2,
            },
        );
        assert!(
            shown(CliError::Workflow(large.into())).ends_with("(raise it with --max-output-mb)")
        );
        let installed = HostError::new(
            "p",
            Fault::AlreadyInstalled {
                path: "plugins/p/plugin.toml".into(),
            },
        );
        let e = CliError::Plugin(installed);
        assert_eq!(e.exit_status(), 1);
        assert!(shown(e).ends_with("refusing to overwrite it (use --force to replace it)"));
    }

    #[test]
    fn failed_plugin_checks_keep_their_exit_status() {
        let e = CliError::PluginChecks {
            failed: 2,
            checked: 3,
            bad_input: true,
        };
        assert_eq!(e.exit_status(), 2);
        assert_eq!(shown(e), "2 of 3 plugins failed their checks");
    }
}
