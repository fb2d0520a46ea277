//! The writer an output's contents are streamed into: small outputs are written as they come,
//! and once an output outgrows its first block the writing (the kernel's copy into the page
//! cache, and on Linux the start of the disk's writeback) moves to a thread of its own, so
//! that it overlaps the making of the next block instead of following it. The bytes, and
//! their order, are exactly those given.

use std::fs::File;
use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

/// Bytes gathered before they are handed on: large enough that a write costs little per byte,
/// small enough that the blocks in flight stay a few megabytes.
const BLOCK: usize = 1 << 20;

/// Blocks that may wait for the writing thread before the maker waits for it: the memory
/// held is at most this many blocks and two more (one being written, one being filled).
const IN_FLIGHT: usize = 3;

/// How much is written before the disk is asked to start writing it back (Linux): by the
/// final `fsync` little is left to wait for.
#[cfg(target_os = "linux")]
const WRITEBACK_EVERY: u64 = 8 << 20;

/// A writer over `file` that hands full blocks to a thread of `scope` (started with the
/// second block). [`Streamed::finish`] writes the rest and reports the first error.
pub(crate) struct Streamed<'scope, 'env> {
    scope: &'scope Scope<'scope, 'env>,
    file: &'env File,
    buf: Vec<u8>,
    thread: Option<Writer<'scope>>,
}

/// The writing thread and the channels to it: full blocks go, empty ones come back.
struct Writer<'scope> {
    blocks: SyncSender<Vec<u8>>,
    spare: Receiver<Vec<u8>>,
    handle: ScopedJoinHandle<'scope, io::Result<()>>,
}

impl<'scope, 'env> Streamed<'scope, 'env> {
    /// A writer over `file`, whose thread (if one is needed) lives in `scope`.
    pub(crate) fn new(scope: &'scope Scope<'scope, 'env>, file: &'env File) -> Self {
        Streamed {
            scope,
            file,
            buf: Vec::with_capacity(BLOCK),
            thread: None,
        }
    }

    /// Hands the full block on, to the writing thread (started now if it is not yet).
    fn hand_on(&mut self) -> io::Result<()> {
        let (scope, file) = (self.scope, self.file);
        let thread = self.thread.get_or_insert_with(|| start(scope, file));
        let next = thread
            .spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BLOCK));
        let full = std::mem::replace(&mut self.buf, next);
        if thread.blocks.send(full).is_err() {
            // The thread stopped on an error, which `finish` reports.
            return Err(io::Error::other("the output's writer stopped"));
        }
        Ok(())
    }

    /// Writes what is left after `made` (how the making ended) and waits for the thread:
    /// the first error met, if any.
    pub(crate) fn finish(mut self, made: io::Result<()>) -> io::Result<()> {
        let Some(thread) = self.thread.take() else {
            let mut file = self.file;
            return made.and_then(|()| file.write_all(&self.buf));
        };
        let sent = made.is_ok() && thread.blocks.send(std::mem::take(&mut self.buf)).is_ok();
        // The writing thread's own error comes first: it is why a block could not be sent.
        stop(thread)?;
        made?;
        match sent {
            true => Ok(()),
            false => Err(io::Error::other("the output's writer stopped")),
        }
    }
}

/// Starts the thread that writes the blocks sent to it into `file`.
fn start<'scope, 'env>(scope: &'scope Scope<'scope, 'env>, file: &'env File) -> Writer<'scope> {
    let (blocks, incoming) = sync_channel::<Vec<u8>>(IN_FLIGHT);
    let (give_back, spare) = sync_channel::<Vec<u8>>(IN_FLIGHT + 2);
    let handle = scope.spawn(move || {
        let mut progress = Writeback::default();
        for mut block in incoming {
            let mut to: &File = file;
            to.write_all(&block)?;
            progress.wrote(file, block.len() as u64);
            block.clear();
            // The maker may have enough spare blocks already: then this one is dropped.
            let _ = give_back.try_send(block);
        }
        Ok(())
    });
    Writer {
        blocks,
        spare,
        handle,
    }
}

/// Closes the channel to the thread and waits for it to write what it has.
fn stop(thread: Writer<'_>) -> io::Result<()> {
    drop(thread.blocks);
    match thread.handle.join() {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

impl Write for Streamed<'_, '_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            let room = BLOCK - self.buf.len();
            let (now, later) = bytes.split_at(room.min(bytes.len()));
            self.buf.extend_from_slice(now);
            bytes = later;
            if self.buf.len() == BLOCK {
                self.hand_on()?;
            }
        }
        Ok(())
    }

    /// Blocks are handed on when full; the rest is written by `finish`.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// How much of the file the disk has been asked to write back.
#[derive(Default)]
struct Writeback {
    written: u64,
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    started: u64,
}

impl Writeback {
    /// Counts `len` more bytes written, and on Linux asks for the writeback of every
    /// [`WRITEBACK_EVERY`] bytes as they are passed, without waiting for it: the final
    /// `fsync` then finds most of the file already on its way to disk.
    fn wrote(&mut self, file: &File, len: u64) {
        self.written += len;
        #[cfg(target_os = "linux")]
        if self.written - self.started >= WRITEBACK_EVERY {
            use std::os::fd::AsRawFd;
            let (from, len) = (self.started, self.written - self.started);
            // SAFETY: the descriptor is open (the file outlives this thread); the call only
            // starts writeback of pages of that file and touches no memory of this process.
            // A failure changes nothing: the final fsync writes and reports everything.
            unsafe {
                libc::sync_file_range(
                    file.as_raw_fd(),
                    from as libc::off64_t,
                    len as libc::off64_t,
                    libc::SYNC_FILE_RANGE_WRITE,
                );
            }
            self.started = self.written;
        }
        #[cfg(not(target_os = "linux"))]
        let _ = file;
    }
}
