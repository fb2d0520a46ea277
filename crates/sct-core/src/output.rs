//! The one way `sct` writes output files (see [`sct_files`]): refuse to overwrite an existing
//! file unless asked, never write over any file the process read (by identity, whatever the
//! path) or anything that is not a regular file, and write through a temporary file in the
//! same directory that is renamed into place, so a reader never sees half a file and a
//! failure loses nothing.

use std::path::Path;

use crate::error::Error;

pub use sct_files::Overwrite;

/// Writes `bytes` to `path` atomically (see [`sct_files::write_atomic`]). `inputs` are files
/// the output was made from that were not read through `sct`'s readers; every file that was
/// is refused already.
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    overwrite: Overwrite,
    inputs: &[&Path],
) -> Result<(), Error> {
    sct_files::write_atomic(path, bytes, overwrite, inputs).map_err(Error::from)
}

/// As [`write_atomic`], the contents written by `fill` into a buffered writer on the
/// temporary file: a large output streams to disk instead of being held whole in memory. If
/// `fill` fails, the temporary file is removed and `path` is left as it was.
pub fn write_atomic_with(
    path: &Path,
    overwrite: Overwrite,
    inputs: &[&Path],
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    sct_files::write_atomic_with(path, overwrite, inputs, fill).map_err(Error::from)
}

/// Checks that `path` may take an output, writing nothing (see [`sct_files::check_output`]).
pub fn check_output(path: &Path, overwrite: Overwrite, inputs: &[&Path]) -> Result<(), Error> {
    sct_files::check_output(path, overwrite, inputs).map_err(Error::from)
}

/// Checks all of a command's outputs before any is written, and that no two are one file
/// (see [`sct_files::check_outputs`]).
pub fn check_outputs(paths: &[&Path], overwrite: Overwrite, inputs: &[&Path]) -> Result<(), Error> {
    sct_files::check_outputs(paths, overwrite, inputs).map_err(Error::from)
}
