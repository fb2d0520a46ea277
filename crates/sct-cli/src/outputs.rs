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
    match &out.output {
        Some(path) if path.as_os_str() != "-" => {
            let mode = if out.force {
                Overwrite::Replace
            } else {
                Overwrite::Refuse
            };
            write_atomic(path, text.as_bytes(), mode, inputs)?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        _ => print(text),
    }
}

/// Prints to standard output, treating a closed pipe as the reader having seen enough.
pub fn print(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Io {
            path: "standard output".into(),
            action: "write",
            source: e,
        }),
        _ => Ok(()),
    }
}
