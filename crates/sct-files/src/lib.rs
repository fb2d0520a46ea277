//! How `sct` touches files, in one place, so that nothing a command reads can be lost.
//!
//! Every input is read through [`open_input`], [`read_input`] or [`note_stdin`], which
//! remember the file's identity (device and inode on Unix) in a process-wide ledger. Every
//! output is written through [`write_atomic`], which refuses a path whose file is in that
//! ledger (whatever path text, link or `..` leads to it), refuses to replace anything that is
//! not a regular file (a FIFO, a device, a socket), writes through a symbolic link to the
//! regular file it names rather than replacing the link, and renames a complete temporary
//! file into place. Outputs are remembered too, so one command cannot write two of its
//! outputs to the same file. A file the installed [`Guard`] says is read-only (an approved
//! response) is never replaced, even when replacing files is asked for.
//!
//! The ledger lives as long as the process, which is one command for the `sct` binary; a
//! long-running host that serves many jobs calls [`forget_all`] between them.

mod error;
mod guard;
mod identity;
mod ledger;
mod read;
mod stream;
mod write;

pub use error::{OutputError, io_words};
pub use guard::{Guard, install_guard};
pub use identity::{FileId, FileKind};
pub use ledger::{forget_all, is_input, note_input_file};
pub use read::{note_stdin, open_input, read_input};
pub use write::{Overwrite, check_output, check_outputs, write_atomic, write_atomic_with};
