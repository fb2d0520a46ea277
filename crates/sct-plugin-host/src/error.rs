//! The host's one error: which plugin, and what went wrong with it.

use std::path::PathBuf;

/// A plugin could not be found, checked, loaded or run. Always names the plugin.
#[derive(Debug, thiserror::Error)]
#[error("plugin \"{plugin}\": {fault}")]
pub struct HostError {
    /// The plugin's name (its directory's name when the manifest cannot be read).
    pub plugin: String,
    /// What went wrong.
    pub fault: Fault,
}

impl HostError {
    /// An error of this plugin.
    pub fn new(plugin: impl Into<String>, fault: Fault) -> Self {
        HostError {
            plugin: plugin.into(),
            fault,
        }
    }

    /// Whether the user's input (a manifest, a name, a parameter) is at fault (exit status
    /// 2), rather than the plugin failing as it ran (exit status 1).
    pub fn is_bad_input(&self) -> bool {
        // A file that is not there is a path the user gave wrongly (as in `sct-core`); one
        // that cannot be read for another reason is a failure of the environment.
        if let Fault::Io { source, .. } = &self.fault {
            return source.kind() == std::io::ErrorKind::NotFound;
        }
        matches!(
            self.fault,
            Fault::NotFound { .. }
                | Fault::Manifest { .. }
                | Fault::Checksum { .. }
                | Fault::Protocol { .. }
                | Fault::OutsideDir { .. }
                | Fault::UnknownMeasure { .. }
                | Fault::Reported(_)
                | Fault::NamedAsManifest { .. }
                | Fault::WouldReplace { .. }
        )
    }
}

/// What went wrong with a plugin.
#[derive(Debug, thiserror::Error)]
pub enum Fault {
    /// No plugin of that name in the search path.
    #[error("not installed: looked {searched}; found: {known}")]
    NotFound {
        /// Where it was looked for: "in DIR, DIR" or "nowhere: why".
        searched: String,
        /// The plugins that were found.
        known: String,
    },
    /// The manifest is unreadable or invalid.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The file's sha256 is not the manifest's.
    #[error("sha256 mismatch: {} has sha256 {actual}, but its manifest says {expected}; refusing to load it (reinstall it with `sct plugins install` if the change is yours)", file.display())]
    Checksum {
        /// The plugin's file.
        file: PathBuf,
        /// The manifest's checksum.
        expected: String,
        /// The file's.
        actual: String,
    },
    /// The plugin (or its manifest) speaks another protocol.
    #[error(
        "wrong protocol version: {what} says protocol {found}, but this sct speaks protocol {expected}"
    )]
    Protocol {
        /// Who said so: the manifest, the handshake, a reply.
        what: &'static str,
        /// What it said.
        found: u32,
        /// What this host speaks.
        expected: u32,
    },
    /// The manifest names a file outside the plugin's directory.
    #[error("refused: the manifest's file \"{file}\" {why}; a plugin's file must be inside its own directory ({})", dir.display())]
    OutsideDir {
        /// The file as written in the manifest.
        file: String,
        /// The plugin's directory.
        dir: PathBuf,
        /// How it leaves the directory.
        why: String,
    },
    /// The plugin's file is missing or unreadable.
    #[error("cannot read {}: {}", path.display(), sct_files::io_words(source))]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The shared library could not be loaded or lacks a symbol.
    #[error("cannot load {}: {message}", path.display())]
    Load {
        /// The library.
        path: PathBuf,
        /// The loader's message.
        message: String,
    },
    /// The plugin reported an error (including a panic it caught).
    #[error("{0}")]
    Reported(String),
    /// The reply holds bytes that are not UTF-8.
    #[error("invalid UTF-8 in its {call} reply: byte {offset} (0x{byte:02x}) is not UTF-8")]
    InvalidUtf8 {
        /// `describe`, `compute` or `handshake`.
        call: &'static str,
        /// Offset of the first bad byte.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// The reply is not the JSON expected.
    #[error("invalid JSON in its {call} reply: {message}")]
    InvalidJson {
        /// `describe`, `compute` or `handshake`.
        call: &'static str,
        /// serde_json's message, with line and column.
        message: String,
    },
    /// The reply is larger than the limit.
    #[error("output too large: its {call} reply is more than the {limit}-byte limit")]
    TooLarge {
        /// `describe`, `compute` or `handshake`.
        call: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
    /// A command (or isolated native call) did not finish in time.
    #[error("timed out: {call} did not finish within {seconds} s and was stopped")]
    Timeout {
        /// `describe`, `compute` or `handshake`.
        call: &'static str,
        /// The limit.
        seconds: f64,
    },
    /// A command exited with a non-zero status.
    #[error("{call} failed: exit status {code}{}", stderr_text(stderr))]
    Exit {
        /// `describe`, `compute` or `handshake`.
        call: &'static str,
        /// The status.
        code: i32,
        /// Its standard error (the end of it).
        stderr: String,
    },
    /// A command (or isolated native call) was killed by a signal: a crash.
    #[error("crashed during {call}: killed by signal {signal} ({}){}", signal_name(*signal), stderr_text(stderr))]
    Crashed {
        /// `describe`, `compute` or `handshake`.
        call: &'static str,
        /// The signal number.
        signal: i32,
        /// Its standard error (the end of it).
        stderr: String,
    },
    /// The program could not be started.
    #[error("cannot run {program}: {}", sct_files::io_words(source))]
    Spawn {
        /// The program.
        program: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The plugin does not offer the measure.
    #[error("no measure \"{measure}\"; it offers: {known}")]
    UnknownMeasure {
        /// The measure asked for.
        measure: String,
        /// The measures it offers.
        known: String,
    },
    /// `sct plugins install` of a file named as the manifest it writes beside it.
    #[error("refused: {} is named {}, as the manifest that install writes beside it would be; rename the file (for example to plugin.sh or plugin.py) and install that; nothing was installed", file.display(), crate::manifest::MANIFEST)]
    NamedAsManifest {
        /// The file asked to be installed.
        file: PathBuf,
    },
    /// `sct plugins install` would replace a file in the plugin's directory that is not the
    /// plugin's own.
    #[error("refused: installing would replace {}, {why}; move it or rename the file to install; nothing was installed", path.display())]
    WouldReplace {
        /// The file that would be replaced.
        path: PathBuf,
        /// What it is.
        why: String,
    },
    /// `sct plugins install` found a plugin installed where it would install one; replacing
    /// it is the caller's choice (the command line's `--force`).
    #[error("{} exists: a plugin is installed there; refusing to overwrite it", path.display())]
    AlreadyInstalled {
        /// The installed plugin's manifest.
        path: PathBuf,
    },
    /// `describe` disagrees with the manifest.
    #[error("its describe disagrees with its manifest: {0}")]
    Mismatch(String),
}

fn stderr_text(stderr: &str) -> String {
    let t = stderr.trim();
    if t.is_empty() {
        "; it wrote nothing to standard error".to_string()
    } else {
        format!("; its standard error:\n  {}", t.replace('\n', "\n  "))
    }
}

/// The usual name of a signal.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => "a signal",
    }
}
