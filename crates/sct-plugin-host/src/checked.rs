//! A plugin's file as it was checked: its bytes are read once, their sha256 compared with the
//! manifest's, and only those bytes ever run, never the file in the plugin's directory again
//! (which anyone who can write there, the plugin itself included, could replace between the
//! check and a later run).
//!
//! A native plugin is loaded from a private copy of the bytes ([`crate::native`]). A command
//! plugin runs once per verb, so on Linux its bytes go into a sealed memory file (memfd with
//! `F_SEAL_WRITE`, `F_SEAL_GROW`, `F_SEAL_SHRINK` and `F_SEAL_SEAL`): the kernel refuses every
//! write to it, by anyone, for as long as it exists, and each verb runs it as
//! `/proc/self/fd/N` (the interpreter, when there is one, reads the script from there). This
//! is how container runtimes run a binary that must not change under them. Where memory files
//! or `/proc` are missing, each verb runs a fresh copy written from the checked bytes into a
//! private temporary directory (mode 0700) just before it starts and removed after.
//!
//! Either way the program's own path (`$0`, `__file__`) is not in the plugin's directory: a
//! plugin finds the files beside it through `SCT_PLUGIN_DIR`.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::Fault;

/// Reads `path` once and checks its sha256 against `expected`; returns the bytes that were
/// checked and the file's permission bits.
pub fn read_checked(path: &Path, expected: &str) -> Result<(Vec<u8>, u32), Fault> {
    let io = |source: std::io::Error| Fault::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = sct_files::open_input(path).map_err(io)?;
    let mode = mode_of(&file).map_err(io)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io)?;
    let actual = crate::manifest::sha256_bytes(&bytes);
    if !actual.eq_ignore_ascii_case(expected) {
        return Err(Fault::Checksum {
            file: path.to_path_buf(),
            expected: expected.to_string(),
            actual,
        });
    }
    Ok((bytes, mode))
}

#[cfg(unix)]
fn mode_of(file: &std::fs::File) -> std::io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    Ok(file.metadata()?.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn mode_of(_: &std::fs::File) -> std::io::Result<u32> {
    Ok(0o755)
}

/// A command plugin's checked file, ready to run any number of times.
pub struct CheckedProgram {
    store: Store,
    /// The file's name, for the private copies.
    name: OsString,
    /// Its permission bits: a file that may not be run is not made runnable by the copy.
    mode: u32,
}

enum Store {
    /// A sealed memory file holding the checked bytes.
    #[cfg(target_os = "linux")]
    Sealed(std::os::fd::OwnedFd),
    /// The checked bytes, written to a fresh private copy for each run.
    Bytes(Vec<u8>),
}

impl std::fmt::Debug for CheckedProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.store {
            #[cfg(target_os = "linux")]
            Store::Sealed(_) => "CheckedProgram(sealed)",
            Store::Bytes(_) => "CheckedProgram(copied per run)",
        })
    }
}

/// What to run for one call: a path and, for a sealed file, the descriptor the program must
/// inherit. Lives as long as the path must (a private copy is removed when it is dropped).
pub struct Runnable {
    /// The path to run (or to give the interpreter).
    pub path: PathBuf,
    /// The descriptor behind `path`, to keep open across the exec.
    pub inherit_fd: Option<i32>,
    _copy: Option<tempfile::TempDir>,
}

impl CheckedProgram {
    /// Reads and checks `path` against `expected_sha256` and keeps the checked bytes, sealed
    /// where the system allows it.
    pub fn load(path: &Path, expected_sha256: &str) -> Result<CheckedProgram, Fault> {
        let (bytes, mode) = read_checked(path, expected_sha256)?;
        let name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_else(|| "plugin".into());
        #[cfg(target_os = "linux")]
        if let Ok(fd) = linux::sealed(&bytes, mode) {
            return Ok(CheckedProgram {
                store: Store::Sealed(fd),
                name,
                mode,
            });
        }
        Ok(CheckedProgram::copied_per_run(bytes, name, mode))
    }

    /// The checked bytes, to be copied afresh for each run (the fallback of [`Self::load`]).
    fn copied_per_run(bytes: Vec<u8>, name: OsString, mode: u32) -> CheckedProgram {
        CheckedProgram {
            store: Store::Bytes(bytes),
            name,
            mode,
        }
    }

    /// What to run for one call.
    pub fn runnable(&self) -> std::io::Result<Runnable> {
        match &self.store {
            #[cfg(target_os = "linux")]
            Store::Sealed(fd) => {
                use std::os::fd::AsRawFd;
                let fd = fd.as_raw_fd();
                Ok(Runnable {
                    path: PathBuf::from(format!("/proc/self/fd/{fd}")),
                    inherit_fd: Some(fd),
                    _copy: None,
                })
            }
            Store::Bytes(bytes) => {
                // tempfile makes the directory readable and writable by this user only.
                let dir = tempfile::Builder::new().prefix("sct-plugin-").tempdir()?;
                let path = dir.path().join(&self.name);
                std::fs::write(&path, bytes)?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = self.mode & 0o500;
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
                }
                Ok(Runnable {
                    path,
                    inherit_fd: None,
                    _copy: Some(dir),
                })
            }
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::Write;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

    /// A memory file holding `bytes` with permission bits `mode` (read and execute only),
    /// sealed against every change.
    pub(super) fn sealed(bytes: &[u8], mode: u32) -> std::io::Result<OwnedFd> {
        let name = c"sct-plugin";
        let flags = libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING;
        // MFD_EXEC says it will be run (kernels that restrict executable memory files ask
        // for it); older kernels do not know the flag, so it is tried first, then without.
        // SAFETY: `name` is NUL-terminated; the result is checked.
        let mut raw = unsafe { libc::memfd_create(name.as_ptr(), flags | libc::MFD_EXEC) };
        if raw < 0 {
            // SAFETY: as above.
            raw = unsafe { libc::memfd_create(name.as_ptr(), flags) };
        }
        if raw < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: a new descriptor this process owns, owned from here on.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let mut file = std::fs::File::from(fd);
        file.write_all(bytes)?;
        let raw = file.as_raw_fd();
        // SAFETY: fchmod and fcntl on the descriptor held by `file`.
        unsafe {
            if libc::fchmod(raw, (mode & 0o555) as libc::mode_t) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            let seals =
                libc::F_SEAL_WRITE | libc::F_SEAL_GROW | libc::F_SEAL_SHRINK | libc::F_SEAL_SEAL;
            if libc::fcntl(raw, libc::F_ADD_SEALS, seals) < 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        // Run as /proc/self/fd/N: without /proc there is no path to it.
        if !std::path::Path::new(&format!("/proc/self/fd/{raw}")).exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "/proc/self/fd is not available",
            ));
        }
        Ok(OwnedFd::from(file))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn script(dir: &Path, text: &str) -> (PathBuf, String) {
        let path = dir.join("plugin.sh");
        std::fs::write(&path, text).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        (path, crate::manifest::sha256_bytes(text.as_bytes()))
    }

    fn run(r: &Runnable) -> String {
        let mut cmd = std::process::Command::new(&r.path);
        if let Some(fd) = r.inherit_fd {
            use std::os::unix::process::CommandExt;
            // SAFETY: only fcntl between fork and exec.
            unsafe {
                cmd.pre_exec(move || {
                    libc::fcntl(fd, libc::F_SETFD, 0);
                    Ok(())
                });
            }
        }
        // A test that opens a file for writing (to see the write refused) leaves a window in
        // which another test's fork, on another thread, holds that open file until its
        // child execs; running the file then fails with "text file busy" until it does. The
        // window is a fork's length, so a few tries a few milliseconds apart see it close.
        let mut tries = 0;
        let out = loop {
            match cmd.output() {
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 100 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                out => break out.unwrap(),
            }
        };
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn the_checked_bytes_run_though_the_file_is_replaced_after_the_check() {
        let dir = tempfile::tempdir().unwrap();
        let (path, sha) = script(dir.path(), "#!/bin/sh\necho checked\n");
        let sealed = CheckedProgram::load(&path, &sha).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let copied = CheckedProgram::copied_per_run(bytes, "plugin.sh".into(), 0o755);
        std::fs::write(&path, "#!/bin/sh\necho swapped\n").unwrap();
        for program in [&sealed, &copied] {
            assert_eq!(
                run(&program.runnable().unwrap()),
                "checked\n",
                "{program:?}"
            );
        }
        // A replaced file is refused on its checksum before anything of it runs.
        assert!(matches!(
            CheckedProgram::load(&path, &sha),
            Err(Fault::Checksum { .. })
        ));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_sealed_copy_refuses_every_write() {
        let dir = tempfile::tempdir().unwrap();
        let (path, sha) = script(dir.path(), "#!/bin/sh\necho checked\n");
        let sealed = CheckedProgram::load(&path, &sha).unwrap();
        assert!(format!("{sealed:?}").contains("sealed"));
        let r = sealed.runnable().unwrap();
        let opened = std::fs::OpenOptions::new().write(true).open(&r.path);
        let written = opened.and_then(|mut f| std::io::Write::write_all(&mut f, b"#!/bin/sh\n"));
        assert!(written.is_err(), "a sealed file took a write");
        assert_eq!(run(&r), "checked\n");
    }
}
