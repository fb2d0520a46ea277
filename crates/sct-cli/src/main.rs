//! `sct`: the strategic commissioning toolkit's command line. Parses arguments, calls the
//! libraries, prints results and maps errors to exit codes: 0 success, 1 failure, 2 bad input
//! or usage.

mod args;
mod cli;
mod commands;
mod outputs;
mod style;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    style::init(cli.global.color);
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            match &err {
                // One at a time, so a million are counted rather than rendered.
                sct_core::Error::Invalid(diags) if !diags.is_empty() => style::diagnostics(diags),
                _ => {
                    let text = err.to_string();
                    let text = text.trim_end();
                    if text.starts_with("error:") || text.starts_with("warning:") {
                        style::eprint(&format!("{text}\n"));
                    } else {
                        style::eprint(&format!("error: {text}\n"));
                    }
                }
            }
            if err.is_bad_input() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    };
    style::finish();
    code
}
