//! The one error type of `sct-core`. Every variant says what went wrong and where; the CLI
//! maps [`Error::is_bad_input`] to exit status 2 and everything else to 1.

use std::path::PathBuf;

use crate::diagnostic::Diagnostics;

/// Errors from loading, validating, scoring and writing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("cannot {action} {}: {}", path.display(), sct_files::io_words(source))]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done ("read", "write", ...).
        action: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A directory was given where a file was expected.
    #[error("{} is a directory; expected a file", path.display())]
    IsDirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The file is empty or only white space.
    #[error("{} is empty; expected a TOML document", path.display())]
    EmptyFile {
        /// The path given.
        path: PathBuf,
    },
    /// The file is larger than `sct` will read.
    #[error("{} is {size} bytes, larger than the {limit}-byte limit for an input file; is it the right file?", path.display())]
    TooLarge {
        /// The path given.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file holds bytes that are not UTF-8.
    #[error("{}:{line}:{column}: byte 0x{byte:02x} is not valid UTF-8; expected UTF-8 text (save the file as UTF-8)", path.display())]
    NotUtf8 {
        /// The path given.
        path: PathBuf,
        /// One-based line of the first bad byte.
        line: usize,
        /// One-based column of the first bad byte.
        column: usize,
        /// The bad byte.
        byte: u8,
    },
    /// The input was read but is invalid; the diagnostics say where and why.
    #[error("{0}")]
    Invalid(Diagnostics),
    /// A framework asked for by id (and maybe version) is not known.
    #[error("no framework {wanted}; known: {known}")]
    UnknownFramework {
        /// What was asked for (`id` or `id@version`).
        wanted: String,
        /// The ids (and versions) that are known.
        known: String,
    },
    /// An output was refused or could not be written; nothing was changed.
    #[error(transparent)]
    Output(#[from] sct_files::OutputError),
}

impl Error {
    /// Whether the error is the user's input being wrong (exit status 2) rather than a failure
    /// of the environment (exit status 1).
    pub fn is_bad_input(&self) -> bool {
        match self {
            Error::Io { action, source, .. } => {
                *action == "read" && source.kind() == std::io::ErrorKind::NotFound
            }
            Error::IsDirectory { .. }
            | Error::EmptyFile { .. }
            | Error::TooLarge { .. }
            | Error::NotUtf8 { .. }
            | Error::Invalid(_)
            | Error::UnknownFramework { .. } => true,
            Error::Output(e) => e.is_bad_input(),
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
