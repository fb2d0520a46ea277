//! Opening inputs so that the ledger knows them.

use std::fs::File;
use std::path::Path;

use crate::identity::FileId;
use crate::ledger::note_input;

/// Opens `path` for reading and records the file it opened (its identity is read from the
/// open file, so a path swapped after the open cannot mislead the ledger).
pub fn open_input(path: &Path) -> std::io::Result<File> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    note_input(FileId::of_metadata(path, &meta), path);
    Ok(file)
}

/// Reads the whole of `path`, recording it as an input.
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = open_input(path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Records standard input as an input when it is a regular file (`sct convert - < x.toml`),
/// so that `-o x.toml --force` cannot replace what was just read.
pub fn note_stdin() {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let stdin = std::io::stdin();
        if let Ok(owned) = stdin.as_fd().try_clone_to_owned() {
            let file = File::from(owned);
            if let Ok(meta) = file.metadata()
                && meta.is_file()
            {
                note_input(
                    FileId::of_metadata(Path::new("<stdin>"), &meta),
                    Path::new("<stdin>"),
                );
            }
        }
    }
}
