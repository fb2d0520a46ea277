//! `sct completions` and `sct man`: shell completion scripts and the man page, generated from
//! the same command definitions as `--help`.

use crate::error::CliError;
use std::process::ExitCode;

use clap::CommandFactory;
use sct_core::Error;

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::outputs::emit_bytes;

/// The name completions and the man page are written for.
const BIN: &str = "sct";

/// Writes the completion script for the chosen shell.
pub fn completions(args: CompletionsArgs) -> Result<ExitCode, CliError> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, BIN, &mut script);
    emit_bytes(&args.out, &script, &[])?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the roff man page for `sct`.
pub fn man(args: ManArgs) -> Result<ExitCode, CliError> {
    let roff = crate::man::render(Cli::command()).map_err(|source| Error::Io {
        path: "man page".into(),
        action: "render",
        source,
    })?;
    emit_bytes(&args.out, &roff, &[])?;
    Ok(ExitCode::SUCCESS)
}
