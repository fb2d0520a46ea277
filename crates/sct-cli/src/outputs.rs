//! Sending a command's output to standard output or, with `-o`, to a file through the one
//! atomic writer (`sct-files`: never over an input or anything but a regular file).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use sct_files::{Overwrite, write_atomic_with};
use sct_report::render::ReportError;
use sct_workflows::{Outcome, Output, StreamError};

use crate::cli::OutputArgs;
use crate::error::CliError;

/// Writes a workflow's output: its notices to standard error, then its document to `-o
/// FILE` (refusing to overwrite without `--force`) or to standard output; a document that
/// fails half-way leaves nothing written. The exit status follows the outcome.
pub fn emit_output(out: &OutputArgs, output: Output<'_>) -> Result<ExitCode, CliError> {
    notices(&output.notices);
    let document = output.document;
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
        crate::style::eprint(&n.to_string());
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

/// As [`emit_with`], for a page rendered from a template (`render`'s outer error is the
/// writer's, the inner the template's): a template that fails half-way leaves nothing written
/// (the temporary file is removed; for standard output the page is held until it is whole)
/// and is the command's error.
pub fn emit_rendered(
    out: &OutputArgs,
    inputs: &[&Path],
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<Result<(), ReportError>>,
) -> Result<(), CliError> {
    let to_file = out.output.as_ref().is_some_and(|p| p.as_os_str() != "-");
    if !to_file {
        let mut page = Vec::new();
        return match render(&mut page) {
            Ok(Ok(())) => print_bytes(&page),
            Ok(Err(e)) => Err(sct_workflows::Error::from(e).into()),
            Err(e) => stdout_result(Err(e)),
        };
    }
    let mut failed = None;
    let written = emit_with(out, inputs, |w| match render(w)? {
        Ok(()) => Ok(()),
        Err(e) => {
            failed = Some(e);
            Err(std::io::Error::other("the template could not be rendered"))
        }
    });
    match failed {
        Some(e) => Err(sct_workflows::Error::from(e).into()),
        None => written,
    }
}

/// The format implied by the output file's extension, lower-cased, if any.
pub fn extension(out: &OutputArgs) -> Option<String> {
    sct_workflows::format::extension(out.output.as_deref())
}

/// Prints `value` as pretty JSON and a newline to standard output.
pub fn print_json(value: &serde_json::Value) -> Result<(), CliError> {
    print(&format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    ))
}

/// For a checking command's `--format json`: prints the refusal of invalid input in that
/// command's schema (`valid: false` and the diagnostics, each with its location) and gives
/// exit status 2, as the text form does; other errors are passed on to be printed as text.
pub fn invalid_as_json(
    schema: &str,
    file: Option<&str>,
    error: sct_core::Error,
) -> Result<ExitCode, CliError> {
    match error {
        sct_core::Error::Invalid(diags) => {
            let mut v =
                serde_json::json!({ "schema": schema, "valid": false, "diagnostics": diags });
            if let Some(file) = file {
                v["file"] = file.into();
            }
            print_json(&v)?;
            Ok(ExitCode::from(2))
        }
        other => Err(other.into()),
    }
}

/// Prints to standard output, treating a closed pipe as the reader having seen enough.
pub fn print(text: &str) -> Result<(), CliError> {
    print_bytes(text.as_bytes())
}

/// As [`print`], for a checking command's text summary, which quotes file names and ids
/// from the input: control characters are shown as escapes, as on standard error. (Data
/// outputs, CSV, JSON, Markdown, HTML, go through [`print`] byte for byte.)
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
