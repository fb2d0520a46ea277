//! The one way `sct` writes output files: refuse to overwrite an existing file unless asked,
//! never write over an input, and write through a temporary file in the same directory that
//! is renamed into place, so a reader never sees half a file and a failure loses nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Whether an existing output may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overwrite {
    /// Refuse if the file exists (the default).
    #[default]
    Refuse,
    /// Replace it (`--force`).
    Replace,
}

/// Writes `bytes` to `path` atomically. `inputs` are the files the output was made from;
/// writing over one of them is refused even with [`Overwrite::Replace`].
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    overwrite: Overwrite,
    inputs: &[&Path],
) -> Result<(), Error> {
    write_atomic_with(path, overwrite, inputs, |w| w.write_all(bytes))
}

/// As [`write_atomic`], the contents written by `fill` into a buffered writer on the
/// temporary file: a large output streams to disk instead of being held whole in memory. If
/// `fill` fails, the temporary file is removed and `path` is left as it was.
pub fn write_atomic_with(
    path: &Path,
    overwrite: Overwrite,
    inputs: &[&Path],
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io {
            path,
            action,
            source,
        }
    };
    if path.is_dir() {
        return Err(Error::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    if let Ok(out) = path.canonicalize() {
        for input in inputs {
            if input.canonicalize().is_ok_and(|i| i == out) {
                return Err(Error::OutputIsInput {
                    path: path.to_path_buf(),
                });
            }
        }
        if overwrite == Overwrite::Refuse {
            return Err(Error::OutputExists {
                path: path.to_path_buf(),
            });
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Error::Io {
            path: path.to_path_buf(),
            action: "write",
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the folder {} does not exist", dir.display()),
            ),
        });
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".sct-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        // The kind alone: tempfile's own error names its random file, which means nothing to
        // the user.
        .map_err(|e| std::io::Error::from(e.kind()))
        .map_err(io("create a temporary file in", &dir))?;
    let written = tmp.path().to_path_buf();
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        fill(&mut w)
            .and_then(|()| w.flush())
            .map_err(io("write", &written))?;
    }
    // A temporary file is private (0600); an output should be readable like any file the
    // user makes, or keep the mode of the file it replaces.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0o644);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(io("write", path))?;
    }
    tmp.as_file().sync_all().map_err(io("write", path))?;
    match overwrite {
        Overwrite::Replace => tmp.persist(path).map(|_| ()).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            action: "write",
            source: e.error,
        }),
        Overwrite::Refuse => tmp.persist_noclobber(path).map(|_| ()).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::OutputExists {
                    path: path.to_path_buf(),
                }
            } else {
                Error::Io {
                    path: path.to_path_buf(),
                    action: "write",
                    source: e.error,
                }
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite_without_replace_and_keeps_the_old_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_atomic(&p, b"first", Overwrite::Refuse, &[]).unwrap();
        let err = write_atomic(&p, b"second", Overwrite::Refuse, &[]).unwrap_err();
        assert!(matches!(err, Error::OutputExists { .. }));
        assert_eq!(std::fs::read(&p).unwrap(), b"first");
        write_atomic(&p, b"third", Overwrite::Replace, &[]).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"third");
        // No temporary files are left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644, "outputs are readable, not private temp files");
        }
    }

    #[test]
    fn a_missing_folder_is_named_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no-such-folder").join("out.html");
        let err = write_atomic(&p, b"x", Overwrite::Refuse, &[]).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("cannot write {}: the folder ", p.display()))
                && text.ends_with("no-such-folder does not exist"),
            "{text}"
        );
        assert!(
            !err.is_bad_input(),
            "an output that cannot be written is exit 1"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn never_writes_over_an_input_even_when_forced() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.toml");
        std::fs::write(&p, "keep").unwrap();
        let err = write_atomic(&p, b"x", Overwrite::Replace, &[&p]).unwrap_err();
        assert!(matches!(err, Error::OutputIsInput { .. }));
        assert_eq!(std::fs::read(&p).unwrap(), b"keep");
    }

    #[test]
    fn a_streamed_output_that_fails_half_way_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        std::fs::write(&p, "old").unwrap();
        let err = write_atomic_with(&p, Overwrite::Replace, &[], |w| {
            w.write_all(&[b'x'; 100_000])?;
            Err(std::io::Error::other("the writer stopped"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("the writer stopped"), "{err}");
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // Written in pieces larger than the buffer, every byte arrives.
        write_atomic_with(&p, Overwrite::Replace, &[], |w| {
            for _ in 0..3 {
                w.write_all(&[b'y'; 100_000])?;
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(std::fs::read(&p).unwrap().len(), 300_000);
    }
}
