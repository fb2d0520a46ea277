//! `sct moderate` and `sct moderate apply`: each parses its arguments into the workflow's
//! options, calls it and writes what it made.

use std::process::ExitCode;

use sct_workflows::moderate::{self, ModerateFormat};
use sct_workflows::{Format, Session};

use crate::cli::{ModerateApplyArgs, ModerateArgs, ModerateCommand};
use crate::error::CliError;
use crate::outputs::emit_output;

/// `sct moderate RESPONSES...`, or its subcommand.
pub fn run(session: &Session, args: ModerateArgs) -> Result<ExitCode, CliError> {
    if let Some(ModerateCommand::Apply(apply_args)) = args.command {
        return apply(session, apply_args);
    }
    let output = args.out.output.as_deref();
    let options = moderate::ModerateOptions {
        format: ModerateFormat::choose_checked(args.format, output)?,
        // The record names the raters' files relative to the folder it is written to.
        record_dir: output.filter(|o| !sct_core::source::is_stdin(o)).map(|o| {
            o.parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default()
        }),
        responses: args.responses,
        template_dir: args.template_dir,
    };
    emit_output(&args.out, moderate::moderate(session, &options)?)
}

/// `sct moderate apply RECORD`.
fn apply(session: &Session, args: ModerateApplyArgs) -> Result<ExitCode, CliError> {
    let options = moderate::ApplyOptions {
        record: args.record,
        moderator: args.moderator,
        moderator_role: args.moderator_role,
        on: args.on,
    };
    emit_output(&args.out, moderate::apply(session, &options)?)
}
