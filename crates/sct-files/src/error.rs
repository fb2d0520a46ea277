//! Why an output was not written.

use std::path::PathBuf;

use crate::identity::FileKind;

/// An output that was refused or could not be written. Nothing was changed on disk.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The file exists and replacing it was not asked for.
    #[error("{} already exists; refusing to overwrite it", path.display())]
    Exists {
        /// The output path.
        path: PathBuf,
    },
    /// The output is the same file as something this process read.
    #[error("{} is one of the inputs{}; refusing to overwrite an input", path.display(), same_as(path, input))]
    IsInput {
        /// The output path.
        path: PathBuf,
        /// The path by which the input was read.
        input: PathBuf,
    },
    /// The output is the same file as an output this process already wrote.
    #[error("{} is already an output of this command{}; refusing to write two outputs to one file", path.display(), same_as(path, first))]
    AlreadyWritten {
        /// The output path.
        path: PathBuf,
        /// The path the first output was written to.
        first: PathBuf,
    },
    /// The file is read-only for sct (the installed guard says why): it is never replaced,
    /// even when replacing files is asked for.
    #[error("{} is {why}, which sct keeps read-only; refusing to write over it", path.display())]
    ReadOnly {
        /// The output path.
        path: PathBuf,
        /// What the file is, completing "PATH is ...", such as "an approved response".
        why: String,
    },
    /// The output path is a directory.
    #[error("{} is a directory; expected a file", path.display())]
    IsDirectory {
        /// The output path.
        path: PathBuf,
    },
    /// The output path is a FIFO, a device, a socket or another special file.
    #[error("{} is {}, not a regular file; refusing to write an output over it (outputs go to regular files, or to standard output)", path.display(), kind.describe())]
    NotRegular {
        /// The output path.
        path: PathBuf,
        /// What is there.
        kind: FileKind,
    },
    /// The output path is a symbolic link to nothing.
    #[error("{} is a symbolic link to a file that does not exist; refusing to write through it", path.display())]
    DanglingLink {
        /// The output path.
        path: PathBuf,
    },
    /// The folder the output would go in does not exist.
    #[error("cannot write {}: the folder {} does not exist", path.display(), folder.display())]
    FolderMissing {
        /// The output path.
        path: PathBuf,
        /// Its folder.
        folder: PathBuf,
    },
    /// The operating system refused.
    #[error("cannot {action} {}: {}", path.display(), io_words(source))]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

impl OutputError {
    /// Whether the command line is at fault (an output path that may not be used), rather
    /// than the environment (a missing folder, a full disk, a permission).
    pub fn is_bad_input(&self) -> bool {
        !matches!(
            self,
            OutputError::FolderMissing { .. } | OutputError::Io { .. }
        )
    }
}

/// " (the same file as OTHER)" when the two paths are written differently, else nothing.
fn same_as(path: &std::path::Path, other: &std::path::Path) -> String {
    if path == other {
        String::new()
    } else {
        format!(" (the same file as {})", other.display())
    }
}

/// An operating-system error in words a reader of a message understands: the common kinds
/// named plainly ("no such file or directory"), any other as the system words it, without
/// the "(os error 2)" code that means nothing to most readers.
pub fn io_words(error: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let plain = match error.kind() {
        K::NotFound => "no such file or directory",
        K::PermissionDenied => "permission denied",
        K::AlreadyExists => "it already exists",
        K::IsADirectory => "it is a directory",
        K::NotADirectory => "a part of the path is not a directory",
        K::StorageFull => "the disk is full",
        K::ReadOnlyFilesystem => "the file system is read-only",
        _ => "",
    };
    if !plain.is_empty() {
        return plain.to_string();
    }
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_read_as_words_without_their_code() {
        let missing = std::fs::File::open("/no/such/sct/file").unwrap_err();
        assert_eq!(io_words(&missing), "no such file or directory");
        let other = std::io::Error::from_raw_os_error(5);
        let words = io_words(&other);
        assert!(!words.contains("os error") && !words.is_empty(), "{words}");
        let custom = std::io::Error::other("the pipe broke");
        assert_eq!(io_words(&custom), "the pipe broke");
    }
}
