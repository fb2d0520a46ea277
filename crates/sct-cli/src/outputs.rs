//! Sending a command's output to standard output or, with `-o`, to a file through the one
//! atomic writer.

use std::io::Write;
use std::path::Path;

use sct_core::Error;
use sct_core::output::{Overwrite, write_atomic};

use crate::cli::OutputArgs;

/// Writes `text` to `-o FILE` (refusing to overwrite without `--force`, never over an
/// input) or to standard output.
pub fn emit(out: &OutputArgs, text: &str, inputs: &[&Path]) -> Result<(), Error> {
    emit_bytes(out, text.as_bytes(), inputs)
}

/// As [`emit`], for bytes (a PNG, say).
pub fn emit_bytes(out: &OutputArgs, bytes: &[u8], inputs: &[&Path]) -> Result<(), Error> {
    match &out.output {
        Some(path) if path.as_os_str() != "-" => {
            let mode = if out.force {
                Overwrite::Replace
            } else {
                Overwrite::Refuse
            };
            write_atomic(path, bytes, mode, inputs)?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        _ => print_bytes(bytes),
    }
}

/// The format implied by the output file's extension, lower-cased, if any.
pub fn extension(out: &OutputArgs) -> Option<String> {
    out.output
        .as_ref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
}

/// Prints to standard output, treating a closed pipe as the reader having seen enough.
pub fn print(text: &str) -> Result<(), Error> {
    print_bytes(text.as_bytes())
}

fn print_bytes(bytes: &[u8]) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Io {
            path: "standard output".into(),
            action: "write",
            source: e,
        }),
        _ => Ok(()),
    }
}
