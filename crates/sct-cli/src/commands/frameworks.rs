//! `sct frameworks list|show|validate`: the arguments as the workflows' options, the result
//! printed.

use std::process::ExitCode;

use sct_workflows::Session;
use sct_workflows::frameworks::{self, ListOptions, ShowOptions, ValidateOptions};

use crate::cli::{CheckFormat, FrameworksCommand};
use crate::error::CliError;
use crate::outputs::print_output;

/// Runs a `sct frameworks` command.
pub fn run(session: &Session, cmd: FrameworksCommand) -> Result<ExitCode, CliError> {
    match cmd {
        FrameworksCommand::List { format } => {
            print_output(frameworks::list(session, &ListOptions { format })?, false)
        }
        FrameworksCommand::Show {
            id,
            version,
            format,
        } => {
            let options = ShowOptions {
                id,
                version,
                format,
            };
            print_output(frameworks::show(session, &options)?, false)
        }
        FrameworksCommand::Validate { paths, format } => {
            let output = frameworks::validate(session, &ValidateOptions { paths, format })?;
            print_output(output, format == CheckFormat::Text)
        }
    }
}
