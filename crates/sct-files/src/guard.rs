//! Files no output may replace, whatever the overwrite setting. `sct-files` knows nothing of
//! what a file holds, so the layer that does (the workflows, which read responses) says which
//! files are read-only, such as an approved response, by installing a guard once per process.

use std::path::Path;
use std::sync::OnceLock;

/// Says whether the existing regular file at a path must be kept: `Some(why)` (words that
/// complete "PATH is ...", such as "an approved response") to keep it, `None` to let it be
/// replaced. It must read the file by plain means, never through this crate's readers, so
/// that looking at an output does not make it an input.
pub type Guard = fn(&Path) -> Option<String>;

static GUARD: OnceLock<Guard> = OnceLock::new();

/// Installs the guard every later write consults. The first installed stays: a process has
/// one idea of what is read-only, and installing it again (every session does) is harmless.
pub fn install_guard(guard: Guard) {
    let _ = GUARD.set(guard);
}

/// Why the file at `path` must be kept, if the installed guard says it must.
pub(crate) fn kept(path: &Path) -> Option<String> {
    GUARD.get().and_then(|guard| guard(path))
}
