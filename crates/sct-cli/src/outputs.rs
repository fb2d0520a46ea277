//! Sending a command's output to standard output or, with `-o`, to a file through the one
//! atomic writer (`sct-files`: never over an input or anything but a regular file).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use sct_files::{Overwrite, write_atomic_with};
use sct_workflows::{Document, Outcome, Output, StreamError};

use crate::cli::OutputArgs;
use crate::error::CliError;

/// Writes a workflow's output: its notices to standard error, then its document to `-o
/// FILE` (refusing to overwrite without `--force`) or to standard output; a document that
/// fails half-way leaves nothing written. The exit status follows the outcome.
pub fn emit_output(out: &OutputArgs, output: Output<'_>) -> Result<ExitCode, CliError> {
    notices(&output.notices);
    let to_stdout = out.output.as_ref().is_none_or(|p| p.as_os_str() == "-");
    let document = match output.document {
        // Standard output cannot take back half a page: a page rendered from a template
        // (which may fail half-way) is made whole first.
        rendered @ Document::Rendered(_) if to_stdout => Document::Bytes(rendered.into_bytes()?),
        document => document,
    };
    let mut failed = None;
    let written = emit_with(out, &[], |w| match document.write_to(w) {
        Ok(()) => Ok(()),
        Err(StreamError::Io(e)) => Err(e),
        Err(StreamError::Workflow(e)) => {
            failed = Some(e);
            Err(std::io::Error::other("the document could not be made"))
        }
    });
    if let Some(e) = failed {
        return Err(e.into());
    }
    written?;
    Ok(exit_code(output.outcome))
}

/// Prints a checking workflow's document to standard output, control characters shown as
/// escapes when it is text for people, with its notices on standard error.
pub fn print_output(output: Output<'_>, for_people: bool) -> Result<ExitCode, CliError> {
    notices(&output.notices);
    let bytes = output.document.into_bytes()?;
    if for_people {
        print_text(&String::from_utf8_lossy(&bytes))?;
    } else {
        print_bytes(&bytes)?;
    }
    Ok(exit_code(output.outcome))
}

/// The exit status of a run that wrote its document.
fn exit_code(outcome: Outcome) -> ExitCode {
    match outcome {
        Outcome::Done => ExitCode::SUCCESS,
        Outcome::Partial => ExitCode::from(1),
        Outcome::Invalid => ExitCode::from(2),
    }
}

/// Prints warnings and notes to standard error.
pub fn notices(notices: &[sct_core::Diagnostic]) {
    for n in notices {
        crate::style::eprint(&crate::flags::shown(n));
    }
}

/// Writes `text` to `-o FILE` (refusing to overwrite without `--force`, never over an
/// input) or to standard output.
pub fn emit(out: &OutputArgs, text: &str, inputs: &[&Path]) -> Result<(), CliError> {
    emit_bytes(out, text.as_bytes(), inputs)
}

/// As [`emit`], for bytes (a PNG, say).
pub fn emit_bytes(out: &OutputArgs, bytes: &[u8], inputs: &[&Path]) -> Result<(), CliError> {
    emit_with(out, inputs, |w| w.write_all(bytes))
}

/// As [`emit`], the output written by `fill` straight into a buffered writer (on the output's
/// temporary file, or standard output): a large output is never held whole in memory.
pub fn emit_with(
    out: &OutputArgs,
    inputs: &[&Path],
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    match &out.output {
        Some(path) if path.as_os_str() != "-" => {
            let mode = if out.force {
                Overwrite::Replace
            } else {
                Overwrite::Refuse
            };
            write_atomic_with(path, mode, inputs, fill)?;
            crate::style::eprint(&format!("wrote {}\n", path.display()));
            Ok(())
        }
        _ => {
            let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            stdout_result(fill(&mut stdout).and_then(|()| stdout.flush()))
        }
    }
}

/// Prints to standard output, treating a closed pipe as the reader having seen enough.
pub fn print(text: &str) -> Result<(), CliError> {
    print_bytes(text.as_bytes())
}

/// As [`print()`], for a checking command's text summary, which quotes file names and ids
/// from the input: control characters are shown as escapes, as on standard error. (Data
/// outputs, CSV, JSON, Markdown, HTML, go through [`print()`] byte for byte.)
pub fn print_text(text: &str) -> Result<(), CliError> {
    print(&sct_core::quote::visible(text))
}

fn print_bytes(bytes: &[u8]) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    stdout_result(stdout.write_all(bytes).and_then(|_| stdout.flush()))
}

/// A write to standard output: an error, except a closed pipe.
fn stdout_result(written: std::io::Result<()>) -> Result<(), CliError> {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Stdout(e)),
        _ => Ok(()),
    }
}
