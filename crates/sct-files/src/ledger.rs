//! The process-wide record of the files read and written, by identity.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, MutexGuard};

use crate::identity::FileId;

/// Files read and written so far, each with the path it was first reached by (for messages).
#[derive(Default)]
pub(crate) struct Ledger {
    pub(crate) inputs: HashMap<FileId, PathBuf>,
    pub(crate) outputs: HashMap<FileId, PathBuf>,
}

static LEDGER: LazyLock<Mutex<Ledger>> = LazyLock::new(Default::default);

/// The ledger, locked. Each update is one insert, so a panic elsewhere while it was held
/// cannot leave it half-updated: a poisoned lock is taken as it is.
pub(crate) fn lock() -> MutexGuard<'static, Ledger> {
    LEDGER.lock().unwrap_or_else(|p| p.into_inner())
}

/// Records that the file with identity `id`, reached by `path`, is an input.
pub(crate) fn note_input(id: FileId, path: &Path) {
    lock()
        .inputs
        .entry(id)
        .or_insert_with(|| path.to_path_buf());
}

/// Records an input already opened by other means (a library that opens its own files):
/// its identity is taken from the open file, so it names what was actually read.
pub fn note_input_file(file: &std::fs::File, path: &Path) -> std::io::Result<()> {
    let meta = file.metadata()?;
    note_input(FileId::of_metadata(path, &meta), path);
    Ok(())
}

/// Whether the file `path` names (following links) has been read as an input.
pub fn is_input(path: &Path) -> bool {
    match FileId::of_path(path) {
        Ok(Some(id)) => lock().inputs.contains_key(&id),
        _ => false,
    }
}

/// Forgets every file read and written: for a host that runs many jobs in one process, so
/// that one job's inputs do not constrain the next.
pub fn forget_all() {
    *lock() = Ledger::default();
}
