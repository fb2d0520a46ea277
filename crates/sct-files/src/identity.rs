//! What makes two paths the same file, and what kind of thing a path names.

use std::fs::Metadata;
use std::path::Path;

/// The identity of a file: device and inode on Unix, so hard links, symbolic links and `..`
/// all lead to the same value, with the file's birth time where the file system records it,
/// so that an inode freed by a deleted file and reused by a new one is not taken for the old
/// (a file's birth time, unlike its change time, survives edits). Elsewhere, the canonical
/// path (the best the platform offers without unstable APIs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileId(Inner);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Inner {
    #[cfg(unix)]
    Inode {
        dev: u64,
        ino: u64,
        born: Option<std::time::SystemTime>,
    },
    #[cfg_attr(unix, allow(dead_code))]
    Path(std::path::PathBuf),
}

impl FileId {
    /// The identity of the file `path` names, following symbolic links; `None` when nothing
    /// is there.
    pub fn of_path(path: &Path) -> std::io::Result<Option<FileId>> {
        match std::fs::metadata(path) {
            Ok(meta) => Ok(Some(Self::of_metadata(path, &meta))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The identity of a file whose metadata is at hand (`path` is used where the platform
    /// has no inode numbers).
    pub fn of_metadata(path: &Path, meta: &Metadata) -> FileId {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = path;
            FileId(Inner::Inode {
                dev: meta.dev(),
                ino: meta.ino(),
                born: meta.created().ok(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            FileId(Inner::Path(
                path.canonicalize().unwrap_or_else(|_| path.to_path_buf()),
            ))
        }
    }
}

/// What a path names, as far as writing an output over it is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file: the only thing an output may replace.
    Regular,
    /// A directory.
    Directory,
    /// A named pipe.
    Fifo,
    /// A character device (a terminal, `/dev/null`, a serial port).
    CharDevice,
    /// A block device (a disk).
    BlockDevice,
    /// A Unix domain socket.
    Socket,
    /// Anything else the platform has.
    Other,
}

impl FileKind {
    /// The kind of the file behind `meta` (which must have followed symbolic links).
    pub fn of(meta: &Metadata) -> FileKind {
        let ft = meta.file_type();
        if ft.is_file() {
            return FileKind::Regular;
        }
        if ft.is_dir() {
            return FileKind::Directory;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_fifo() {
                return FileKind::Fifo;
            }
            if ft.is_char_device() {
                return FileKind::CharDevice;
            }
            if ft.is_block_device() {
                return FileKind::BlockDevice;
            }
            if ft.is_socket() {
                return FileKind::Socket;
            }
        }
        FileKind::Other
    }

    /// The kind in words, with its article, for messages ("a named pipe (FIFO)").
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::Regular => "a regular file",
            FileKind::Directory => "a directory",
            FileKind::Fifo => "a named pipe (FIFO)",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Socket => "a socket",
            FileKind::Other => "not a regular file",
        }
    }
}
