//! The writer an output's contents are streamed into: small outputs are written as they come,
//! and once an output outgrows its first block the writing moves to a thread of its own, so
//! that it overlaps the making of the next block instead of following it. On Linux that
//! thread writes the blocks straight to the disk (`O_DIRECT`), skipping the kernel's copy into
//! the page cache, which on a large output cost more than making it; where the file system
//! refuses that, the blocks go through the page cache as before, their writeback started as
//! they pass. Either way the final `fsync` finds little left to do. The bytes, and their
//! order, are exactly those given.

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

/// Direct writes take memory, lengths and file offsets in multiples of this: the largest
/// logical block size of common disks.
const ALIGN: usize = 4096;

/// How much is written through the page cache before the disk is asked to start writing it
/// back (Linux): by the final `fsync` little is left to wait for.
#[cfg(target_os = "linux")]
const WRITEBACK_EVERY: u64 = 8 << 20;

/// A writer over `file` that hands full blocks to a thread of `scope` (started with the
/// second block). [`Streamed::finish`] writes the rest and reports the first error.
pub(crate) struct Streamed<'scope, 'env> {
    scope: &'scope Scope<'scope, 'env>,
    file: &'env File,
    buf: Block,
    thread: Option<Writer<'scope>>,
}

/// A block of bytes whose contents start at an address that is a multiple of [`ALIGN`], as
/// a direct write needs: the vector holds a few bytes of padding before them, and never grows
/// past its first allocation (a block holds at most [`BLOCK`] bytes).
struct Block {
    bytes: Vec<u8>,
    /// Where the contents start in `bytes`.
    start: usize,
}

impl Block {
    fn new() -> Self {
        let mut bytes = Vec::with_capacity(BLOCK + ALIGN);
        let start = (bytes.as_ptr() as usize).wrapping_neg() % ALIGN;
        bytes.resize(start, 0);
        Block { bytes, start }
    }

    /// The contents.
    fn data(&self) -> &[u8] {
        &self.bytes[self.start..]
    }

    /// The room left before the block is full.
    fn room(&self) -> usize {
        BLOCK - (self.bytes.len() - self.start)
    }

    fn extend(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    fn clear(&mut self) {
        self.bytes.truncate(self.start);
    }
}

/// The writing thread and the channels to it: full blocks go, empty ones come back.
struct Writer<'scope> {
    blocks: SyncSender<Block>,
    spare: Receiver<Block>,
    handle: ScopedJoinHandle<'scope, io::Result<()>>,
}

impl<'scope, 'env> Streamed<'scope, 'env> {
    /// A writer over `file`, whose thread (if one is needed) lives in `scope`.
    pub(crate) fn new(scope: &'scope Scope<'scope, 'env>, file: &'env File) -> Self {
        Streamed {
            scope,
            file,
            buf: Block::new(),
            thread: None,
        }
    }

    /// Hands the full block on, to the writing thread (started now if it is not yet).
    fn hand_on(&mut self) -> io::Result<()> {
        let (scope, file) = (self.scope, self.file);
        let thread = self.thread.get_or_insert_with(|| start(scope, file));
        let next = thread.spare.try_recv().unwrap_or_else(|_| Block::new());
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
            return made.and_then(|()| file.write_all(self.buf.data()));
        };
        let sent = made.is_ok() && thread.blocks.send(self.buf).is_ok();
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
    let (blocks, incoming) = sync_channel::<Block>(IN_FLIGHT);
    let (give_back, spare) = sync_channel::<Block>(IN_FLIGHT + 2);
    let handle = scope.spawn(move || {
        let mut sink = Sink::new(file);
        for mut block in incoming {
            sink.write(block.data())?;
            block.clear();
            // The maker may have enough spare blocks already: then this one is dropped.
            let _ = give_back.try_send(block);
        }
        sink.end_direct()
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
            let (now, later) = bytes.split_at(self.buf.room().min(bytes.len()));
            self.buf.extend(now);
            bytes = later;
            if self.buf.room() == 0 {
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

/// Where the writing thread puts the blocks: straight to the disk while the file allows it
/// (each block's whole multiples of [`ALIGN`]), else through the page cache.
struct Sink<'f> {
    file: &'f File,
    /// Whether the file is open for direct writes.
    direct: bool,
    progress: Writeback,
}

impl<'f> Sink<'f> {
    fn new(file: &'f File) -> Self {
        Sink {
            file,
            direct: set_direct(file, true),
            progress: Writeback::default(),
        }
    }

    /// Writes `data` at the end of what is written. A direct write is refused with `EINVAL`
    /// where the file system or the disk cannot take it (and a part that is not a whole
    /// multiple of [`ALIGN`], as the last block's end usually is, cannot be written so):
    /// from there on the file is written through the page cache, from the byte where the
    /// direct writing stopped, so every byte is written once and in order.
    fn write(&mut self, mut data: &[u8]) -> io::Result<()> {
        if self.direct {
            let aligned = match data.as_ptr() as usize % ALIGN {
                0 => data.len() - data.len() % ALIGN,
                _ => 0,
            };
            let done = write_direct(self.file, &data[..aligned])?;
            self.progress.skipped(done as u64);
            data = &data[done..];
            if !data.is_empty() {
                self.end_direct()?;
            }
        }
        if data.is_empty() {
            return Ok(());
        }
        let mut to: &File = self.file;
        to.write_all(data)?;
        self.progress.wrote(self.file, data.len() as u64);
        Ok(())
    }

    /// Ends direct writing, so that the file is left as it was opened.
    fn end_direct(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.direct) && !set_direct(self.file, false) {
            return Err(io::Error::other(
                "the output could not be switched from direct writing",
            ));
        }
        Ok(())
    }
}

/// Writes as much of `data` as a direct write takes: all of it, or what was written before the
/// kernel refused with `EINVAL` (direct writing not possible here); any other error is
/// returned.
fn write_direct(file: &File, data: &[u8]) -> io::Result<usize> {
    let mut done = 0;
    let mut to: &File = file;
    while done < data.len() {
        match to.write(&data[done..]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_invalid(&e) => break,
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Whether an error is the refusal of a direct write (`EINVAL`).
fn is_invalid(e: &io::Error) -> bool {
    #[cfg(target_os = "linux")]
    return e.raw_os_error() == Some(libc::EINVAL);
    #[cfg(not(target_os = "linux"))]
    return e.kind() == io::ErrorKind::InvalidInput;
}

/// Turns direct writing of `file` on or off (Linux's `O_DIRECT`): whether it is now as asked.
/// Elsewhere direct writing is never on.
fn set_direct(file: &File, on: bool) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let fd = file.as_raw_fd();
        // SAFETY: the descriptor is open (the file outlives every caller); F_GETFL and F_SETFL
        // read and set the descriptor's status flags and touch no memory of this process.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags < 0 {
                return false;
            }
            let flags = match on {
                true => flags | libc::O_DIRECT,
                false => flags & !libc::O_DIRECT,
            };
            libc::fcntl(fd, libc::F_SETFL, flags) == 0
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        !on
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
    /// Counts `len` more bytes written directly, which need no writeback.
    fn skipped(&mut self, len: u64) {
        self.written += len;
        self.started = self.written;
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek};

    /// Bytes that differ from place to place, so that a block out of place or written twice
    /// shows.
    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 4099) as u8).collect()
    }

    fn contents(mut file: &File) -> Vec<u8> {
        let mut back = Vec::new();
        file.rewind().unwrap();
        file.read_to_end(&mut back).unwrap();
        back
    }

    /// Written in pieces of odd sizes through the thread, past several blocks and ending in
    /// a part block, every byte arrives once and in order.
    #[test]
    fn a_large_output_arrives_whole_and_in_order() {
        for len in [BLOCK - 1, BLOCK, 3 * BLOCK + 12_345, 5 * BLOCK + ALIGN] {
            let file = tempfile::tempfile().unwrap();
            let bytes = pattern(len);
            std::thread::scope(|scope| {
                let mut w = Streamed::new(scope, &file);
                let made = bytes.chunks(65_537).try_for_each(|c| w.write_all(c));
                w.finish(made)
            })
            .unwrap();
            assert!(contents(&file) == bytes, "{len} bytes");
        }
    }

    /// Where a direct write is refused (here: the file's end is not at a whole block, as on
    /// a file system that refuses them all), the sink goes on through the page cache from the
    /// byte where it stopped.
    #[test]
    fn a_refused_direct_write_goes_through_the_page_cache() {
        let dir = tempfile::tempdir_in(".").unwrap();
        let file = tempfile::tempfile_in(dir.path()).unwrap();
        let mut sink = Sink::new(&file);
        let head = pattern(100);
        sink.write(&head).unwrap();
        assert!(
            !sink.direct,
            "a part block is written through the page cache"
        );
        let mut block = Block::new();
        let body = pattern(2 * ALIGN + 10);
        block.extend(&body);
        if set_direct(&file, true) {
            sink.direct = true;
        }
        sink.write(block.data()).unwrap();
        assert!(!sink.direct);
        let mut all = head;
        all.extend_from_slice(&body);
        assert!(contents(&file) == all);
    }

    /// A block's contents start at a multiple of [`ALIGN`] and it holds [`BLOCK`] bytes
    /// without growing.
    #[test]
    fn blocks_are_aligned_and_never_grow() {
        let mut block = Block::new();
        assert_eq!(block.data().as_ptr() as usize % ALIGN, 0);
        let capacity = block.bytes.capacity();
        block.extend(&pattern(BLOCK));
        assert_eq!(block.room(), 0);
        assert_eq!(block.bytes.capacity(), capacity);
        assert_eq!(block.data().as_ptr() as usize % ALIGN, 0);
        block.clear();
        assert_eq!(block.room(), BLOCK);
    }
}
