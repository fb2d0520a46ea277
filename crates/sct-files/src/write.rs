//! Writing an output: checked against the ledger and the file kind, then a temporary file in
//! the same folder renamed into place, so a reader never sees half a file and a failure
//! loses nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::OutputError;
use crate::identity::{FileId, FileKind};
use crate::ledger;
use crate::stream::Streamed;

/// Whether an existing output may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overwrite {
    /// Refuse if the file exists (the default).
    #[default]
    Refuse,
    /// Replace it (`--force`).
    Replace,
}

/// Where an output goes, once links are followed, and what is there now.
struct Target {
    /// The path to write: the output path, or the regular file its symbolic link names.
    path: PathBuf,
}

/// Checks that `path` may take an output without writing anything: the checks
/// [`write_atomic`] makes first. For a command with several outputs, call it for each before
/// writing any, so that a refusal leaves none written.
pub fn check_output(
    path: &Path,
    overwrite: Overwrite,
    inputs: &[&Path],
) -> Result<(), OutputError> {
    target(path, overwrite, inputs).map(|_| ())
}

/// Checks every output of a command before any is written: each as [`check_output`] does,
/// and no two naming the same file (by identity when it exists, else by folder and name), so
/// that a refusal leaves none of them written.
pub fn check_outputs(
    paths: &[&Path],
    overwrite: Overwrite,
    inputs: &[&Path],
) -> Result<(), OutputError> {
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    for path in paths {
        let target = target(path, overwrite, inputs)?;
        let place = destination(&target.path);
        if let Some((_, first)) = seen.iter().find(|(p, _)| *p == place) {
            return Err(OutputError::AlreadyWritten {
                path: path.to_path_buf(),
                first: first.to_path_buf(),
            });
        }
        seen.push((place, path));
    }
    Ok(())
}

/// Where a file goes, as a canonical folder and a name (the file need not exist yet).
fn destination(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let folder = folder_of(path);
    let folder = folder.canonicalize().unwrap_or(folder);
    match path.file_name() {
        Some(name) => folder.join(name),
        None => folder,
    }
}

/// Writes `bytes` to `path` atomically. Refused, with nothing changed: a path whose file was
/// read by this process (see the crate docs) or is one of `inputs`, or was already written
/// by it; a directory, FIFO, device, socket or dangling link; a file the installed
/// [`crate::Guard`] keeps (an approved response), whatever `overwrite` says; an existing file
/// unless `overwrite` is [`Overwrite::Replace`]. A symbolic link to a regular file is written
/// through: the file it names is replaced and the link kept.
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    overwrite: Overwrite,
    inputs: &[&Path],
) -> Result<(), OutputError> {
    write_atomic_with(path, overwrite, inputs, |w| w.write_all(bytes))
}

/// As [`write_atomic`], the contents written by `fill` into a buffered writer on the
/// temporary file: a large output streams to disk instead of being held whole in memory, the
/// writing overlapping the making (on a second thread once the output passes a megabyte). If
/// `fill` fails, the temporary file is removed and `path` is left as it was.
pub fn write_atomic_with(
    path: &Path,
    overwrite: Overwrite,
    inputs: &[&Path],
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    let target = target(path, overwrite, inputs)?;
    let folder = folder_of(&target.path);
    let tmp = tempfile::Builder::new()
        .prefix(".sct-")
        .suffix(".tmp")
        .tempfile_in(&folder)
        // The kind alone: tempfile's own error names its random file, which means nothing to
        // the user.
        .map_err(|e| io("create a temporary file in", &folder)(std::io::Error::from(e.kind())))?;
    let written = tmp.path().to_path_buf();
    let file = tmp.as_file();
    std::thread::scope(|scope| {
        let mut w = Streamed::new(scope, file);
        let made = fill(&mut w).and_then(|()| w.flush());
        w.finish(made)
    })
    .map_err(io("write", &written))?;
    set_mode(tmp.as_file(), &target.path).map_err(io("write", path))?;
    tmp.as_file().sync_all().map_err(io("write", path))?;
    // Between the checks and now the path may have changed: look again, so that a special
    // file put there meanwhile is still never renamed over.
    if let Some(id) = target_kind(&target.path, path)? {
        refuse_known(path, &id, inputs)?;
    }
    persist(tmp, &target.path, path, overwrite)?;
    if let Ok(Some(id)) = FileId::of_path(&target.path) {
        ledger::lock()
            .outputs
            .entry(id)
            .or_insert_with(|| path.to_path_buf());
    }
    Ok(())
}

/// Follows `path` to the file an output would replace and makes every check on it.
fn target(path: &Path, overwrite: Overwrite, inputs: &[&Path]) -> Result<Target, OutputError> {
    let resolved = resolve_link(path)?;
    let existing = target_kind(&resolved, path)?;
    if let Some(id) = &existing {
        refuse_known(path, id, inputs)?;
        if let Some(why) = crate::guard::kept(&resolved) {
            return Err(OutputError::ReadOnly {
                path: path.to_path_buf(),
                why,
            });
        }
        if overwrite == Overwrite::Refuse {
            return Err(OutputError::Exists {
                path: path.to_path_buf(),
            });
        }
    }
    let folder = folder_of(&resolved);
    if !folder.is_dir() {
        return Err(OutputError::FolderMissing {
            path: path.to_path_buf(),
            folder,
        });
    }
    Ok(Target { path: resolved })
}

/// The regular file a symbolic link at `path` names (all links followed), or `path` itself
/// when it is not a link.
fn resolve_link(path: &Path) -> Result<PathBuf, OutputError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => match path.canonicalize() {
            Ok(real) => Ok(real),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(OutputError::DanglingLink {
                path: path.to_path_buf(),
            }),
            Err(e) => Err(io("write", path)(e)),
        },
        Ok(_) => Ok(path.to_path_buf()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(path.to_path_buf()),
        Err(e) => Err(io("write", path)(e)),
    }
}

/// The identity of the regular file at `resolved` (links already followed), `None` when
/// nothing is there, or the refusal of anything that is not a regular file. `shown` is the
/// path as the user gave it, for messages.
fn target_kind(resolved: &Path, shown: &Path) -> Result<Option<FileId>, OutputError> {
    let meta = match std::fs::symlink_metadata(resolved) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io("write", shown)(e)),
    };
    match FileKind::of(&meta) {
        FileKind::Regular => Ok(Some(FileId::of_metadata(resolved, &meta))),
        FileKind::Directory => Err(OutputError::IsDirectory {
            path: shown.to_path_buf(),
        }),
        // A link appearing after resolution is not followed again: refuse it.
        _ if meta.file_type().is_symlink() => Err(OutputError::NotRegular {
            path: shown.to_path_buf(),
            kind: FileKind::Other,
        }),
        kind => Err(OutputError::NotRegular {
            path: shown.to_path_buf(),
            kind,
        }),
    }
}

/// Refuses a file this process read or wrote, or one of the caller's `inputs`.
fn refuse_known(path: &Path, id: &FileId, inputs: &[&Path]) -> Result<(), OutputError> {
    let ledger = ledger::lock();
    if let Some(input) = ledger.inputs.get(id) {
        return Err(OutputError::IsInput {
            path: path.to_path_buf(),
            input: input.clone(),
        });
    }
    if let Some(first) = ledger.outputs.get(id) {
        return Err(OutputError::AlreadyWritten {
            path: path.to_path_buf(),
            first: first.clone(),
        });
    }
    drop(ledger);
    for input in inputs {
        if FileId::of_path(input).ok().flatten().as_ref() == Some(id) {
            return Err(OutputError::IsInput {
                path: path.to_path_buf(),
                input: input.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Renames the finished temporary file into place.
fn persist(
    tmp: tempfile::NamedTempFile,
    to: &Path,
    shown: &Path,
    overwrite: Overwrite,
) -> Result<(), OutputError> {
    let result = match overwrite {
        Overwrite::Replace => tmp.persist(to).map(|_| ()),
        Overwrite::Refuse => tmp.persist_noclobber(to).map(|_| ()),
    };
    result.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            OutputError::Exists {
                path: shown.to_path_buf(),
            }
        } else {
            io("write", shown)(e.error)
        }
    })
}

/// A temporary file is private (0600); an output should be readable like any file the user
/// makes, or keep the mode of the file it replaces.
fn set_mode(file: &std::fs::File, path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0o644);
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (file, path);
    Ok(())
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> OutputError {
    let path = path.to_path_buf();
    move |source| OutputError::Io {
        path,
        action,
        source,
    }
}
