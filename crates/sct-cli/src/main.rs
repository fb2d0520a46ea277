//! `sct`: the strategic commissioning toolkit's command line. Parses arguments, calls the
//! libraries, prints results and maps errors to exit codes: 0 success, 1 failure, 2 bad input
//! or usage.

mod args;
mod cli;
mod commands;
mod error;
mod flags;
mod man;
mod outputs;
mod style;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system's allocator: a review or report makes hundreds of
/// thousands of small strings, and glibc's malloc and free (with the pages its thread
/// arenas fault in) were a quarter of an IPR's work. The libraries leave the choice to
/// the program that links them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // Every command, with a session or without, leaves an approved response as it is.
    sct_workflows::approve::keep_approved_responses();
    style::init(cli.global.color);
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // One at a time, so a million are counted rather than rendered.
            style::diagnostics(&err.diagnostics());
            ExitCode::from(err.exit_status())
        }
    };
    style::finish();
    code
}
