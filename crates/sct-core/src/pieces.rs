//! Output made in pieces on several threads and written in order.
//!
//! A long output (the CSV or JSON of a million points, the CSV of a large funnel) is mostly
//! the formatting of numbers and dates, which threads can share, while the bytes must still
//! reach the writer in order. [`write_pieces`] cuts items `0..n` into pieces of a given number
//! of items and has up to [`threads`] threads make each piece into a buffer of its own, which
//! the calling thread writes in order. The pieces are handed out one at a time to whichever
//! thread is free, so a thread slowed by another process holds back no more than the piece it
//! is making. The calling thread only writes: it waits for the next piece most of the time,
//! so it takes little from the threads making them, and it writes each piece as soon as it
//! comes (having it make pieces too, between writes, was measured slower on two cores: while
//! it makes a piece, the pieces made before it wait, and so do the threads for buffers).
//!
//! Memory is bounded: a piece is started only with one of `IN_FLIGHT` buffers per thread
//! in hand, and a buffer comes back once its piece is written, so however long the output,
//! no more than that many pieces are held at once. When writing fails the error is returned
//! at once, and the other threads, finding the channels closed, stop after the piece they
//! are making.
//!
//! The bytes are those of making every piece in turn on one thread: each piece is made on
//! its own, from a state that moves only forward (every thread takes its pieces in increasing
//! order), and an output of few pieces is made that way, without threads at all.

use std::io::{self, Write};
use std::ops::Range;
use std::sync::{Mutex, mpsc};

/// The most threads [`threads`] gives: beyond this the writing thread, not the making, sets
/// the pace.
pub const MAX_THREADS: usize = 16;

/// Buffers per thread: one being made, one waiting to be written, so that a thread never
/// waits for the writer while the writer has the piece before it to write.
const IN_FLIGHT: usize = 2;

/// Outputs of fewer pieces than this are made on the calling thread: starting threads would
/// cost more than it saves.
pub const PARALLEL_FROM: usize = 4;

/// The threads [`write_pieces`] makes pieces on: the machine's available parallelism, at most
/// [`MAX_THREADS`] (1 when it cannot be known).
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_THREADS))
}

/// The text of items `0..n` written to `out` in order, made a piece of `piece` items at a
/// time by `make` (appending to the buffer it is given, from the state `state` gives each
/// thread) on up to [`threads`] threads; see the module's documentation. The first error of
/// `out` is returned, and the threads stop after the piece they are making. The bytes are
/// those of calling `make` on every piece in turn from one state.
pub fn write_pieces<S>(
    n: usize,
    piece: usize,
    out: &mut dyn Write,
    state: impl Fn() -> S + Sync,
    make: impl Fn(&mut S, Range<usize>, &mut Vec<u8>) + Sync,
) -> io::Result<()> {
    write_pieces_on(threads(), n, piece, out, state, make)
}

/// [`write_pieces`] on `threads` threads (made on the calling thread when it is 1 or less, or
/// when there are fewer than [`PARALLEL_FROM`] pieces).
pub fn write_pieces_on<S>(
    threads: usize,
    n: usize,
    piece: usize,
    out: &mut dyn Write,
    state: impl Fn() -> S + Sync,
    make: impl Fn(&mut S, Range<usize>, &mut Vec<u8>) + Sync,
) -> io::Result<()> {
    let cut = Cut {
        n,
        piece: piece.max(1),
    };
    if threads < 2 || cut.pieces() < PARALLEL_FROM {
        let mut own = state();
        let mut buf = Vec::new();
        for j in 0..cut.pieces() {
            make(&mut own, cut.range(j), &mut buf);
            out.write_all(&buf)?;
            buf.clear();
        }
        return Ok(());
    }
    on_threads(threads, cut, out, &state, &make)
}

/// Items `0..n` cut into pieces of `piece` items (the last one shorter).
#[derive(Clone, Copy)]
struct Cut {
    n: usize,
    piece: usize,
}

impl Cut {
    fn pieces(self) -> usize {
        self.n.div_ceil(self.piece)
    }

    /// The items of piece `j` (`j` below [`Cut::pieces`], so its start is below `n`).
    fn range(self, j: usize) -> Range<usize> {
        let start = j * self.piece;
        start..start.saturating_add(self.piece).min(self.n)
    }
}

/// What a thread making pieces sends to the writer.
enum Made {
    /// Piece `j`'s text.
    Piece(usize, Vec<u8>),
    /// The thread panicked: no piece it took will come, so the writer must not wait for it.
    Panicked,
}

/// A thread's sender of [`Made`], which tells the writer when the thread panics (as it
/// unwinds), so that the writer stops waiting and the scope passes the panic on.
struct Sender(mpsc::Sender<Made>);

impl Drop for Sender {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = self.0.send(Made::Panicked);
        }
    }
}

/// The spare buffers, and the number of the next piece to make: a thread takes a piece only
/// with a buffer in hand, so that no more pieces are ever made and not yet written than
/// there are buffers.
type Next = Mutex<(mpsc::Receiver<Vec<u8>>, usize)>;

/// [`write_pieces_on`] with the pieces made on `threads` threads and written here.
fn on_threads<S>(
    threads: usize,
    cut: Cut,
    out: &mut dyn Write,
    state: &(impl Fn() -> S + Sync),
    make: &(impl Fn(&mut S, Range<usize>, &mut Vec<u8>) + Sync),
) -> io::Result<()> {
    let slots = threads * IN_FLIGHT;
    let (spare_tx, spare) = mpsc::channel::<Vec<u8>>();
    let next: Next = Mutex::new((spare, 0));
    std::thread::scope(|scope| {
        // Both senders are owned here: when this closure returns (on a write error too) they
        // are dropped before the scope waits for the threads, so that a thread waiting for a
        // buffer, or sending a piece, finds the channel closed and stops.
        let spare_tx = spare_tx;
        for _ in 0..slots {
            let _ = spare_tx.send(Vec::new());
        }
        let (made_tx, made) = mpsc::channel::<Made>();
        for _ in 0..threads {
            let (tx, next) = (Sender(made_tx.clone()), &next);
            scope.spawn(move || make_pieces(cut, next, tx, state, make));
        }
        drop(made_tx);
        // Piece `j`, made but not yet written, waits in slot `j % slots`: the pieces made and
        // not written are no more than the buffers and follow the last one written, so no two
        // of them share a slot.
        let mut ready: Vec<Option<Vec<u8>>> = (0..slots).map(|_| None).collect();
        let mut written = 0;
        while written < cut.pieces() {
            match made.recv() {
                Ok(Made::Piece(j, text)) => ready[j % slots] = Some(text),
                // The scope passes the thread's panic on once every thread has stopped.
                Ok(Made::Panicked) => return Ok(()),
                Err(_) => break,
            }
            while let Some(mut text) = ready[written % slots].take() {
                out.write_all(&text)?;
                text.clear();
                // Never refused: the receiver, in `next`, outlives the scope.
                let _ = spare_tx.send(text);
                written += 1;
            }
        }
        match written < cut.pieces() {
            // Not met: every thread makes every piece it takes, or panics.
            true => Err(io::Error::other("the output stopped before its end")),
            false => Ok(()),
        }
    })
}

/// One thread's work: pieces taken in turn, each made into a spare buffer from the thread's
/// own state and sent to the writer, until every piece is taken or the writer is gone.
fn make_pieces<S>(
    cut: Cut,
    next: &Next,
    tx: Sender,
    state: &impl Fn() -> S,
    make: &impl Fn(&mut S, Range<usize>, &mut Vec<u8>),
) {
    let mut own = state();
    loop {
        let (j, mut text) = {
            // Poisoned only if a thread panicked holding it, which `recv` does not.
            let Ok(mut next) = next.lock() else { return };
            if next.1 >= cut.pieces() {
                return;
            }
            // Closed when the writer has stopped, on an error of its own.
            let Ok(text) = next.0.recv() else { return };
            next.1 += 1;
            (next.1 - 1, text)
        };
        make(&mut own, cut.range(j), &mut text);
        if tx.0.send(Made::Piece(j, text)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Item `i`'s text: of a length that varies from item to item, so that pieces differ in
    /// size and a piece out of place shows.
    fn item(i: usize, buf: &mut Vec<u8>) {
        buf.extend_from_slice(i.to_string().as_bytes());
        buf.extend(std::iter::repeat_n(b'.', i % 7));
        buf.push(b'\n');
    }

    /// The items made one after another.
    fn sequential(n: usize) -> Vec<u8> {
        let mut buf = Vec::new();
        (0..n).for_each(|i| item(i, &mut buf));
        buf
    }

    /// The items made by [`write_pieces_on`], with a state that checks each thread is given
    /// its pieces in increasing order (as the states of the callers need them).
    fn pieces(threads: usize, n: usize, piece: usize) -> Vec<u8> {
        let mut out = Vec::new();
        write_pieces_on(
            threads,
            n,
            piece,
            &mut out,
            || None::<usize>,
            |last, range, buf| {
                assert!(last.is_none_or(|l| l < range.start), "{last:?} {range:?}");
                *last = range.clone().last();
                range.for_each(|i| item(i, buf));
            },
        )
        .expect("writing to memory");
        out
    }

    proptest! {
        #[test]
        fn pieces_made_on_threads_are_the_bytes_made_in_turn(
            n in 0usize..5000,
            piece in 0usize..300,
            threads in 0usize..9,
        ) {
            prop_assert_eq!(pieces(threads, n, piece), sequential(n));
        }
    }

    #[test]
    fn every_size_around_the_parallel_threshold_is_in_order() {
        for n in 0..40 {
            for piece in [1, 2, 3, 5, 64] {
                for threads in [1, 2, 3, 8] {
                    assert_eq!(pieces(threads, n, piece), sequential(n), "{n} {piece}");
                }
            }
        }
        assert_eq!(pieces(4, 10, usize::MAX), sequential(10));
    }

    /// A writer that fails once it has taken `left` bytes, and counts its calls.
    struct Failing {
        left: usize,
        calls: usize,
    }

    impl Write for Failing {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.calls += 1;
            if bytes.len() > self.left {
                return Err(io::Error::other("disk full"));
            }
            self.left -= bytes.len();
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// `run` on a thread of its own, its result, or a failure if it has not returned within
    /// a minute: a test of stopping must fail, not hang, when the threads do not stop.
    fn within_a_minute<T: Send + 'static>(run: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)));
        });
        match rx.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(Ok(result)) => result,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => panic!("still running after a minute"),
        }
    }

    /// A writer failing part way is reported, with no piece written after it, and the
    /// threads stop soon after: no more pieces are made than there are buffers, not the rest
    /// of the output (whose making would take minutes).
    #[test]
    fn a_failed_write_returns_its_error_and_stops_the_threads() {
        for threads in [1, 2, 4] {
            for left in [0, 10, 5_000, 50_000] {
                let (err, calls, made) = within_a_minute(move || {
                    let made = std::sync::atomic::AtomicUsize::new(0);
                    let mut out = Failing { left, calls: 0 };
                    let err = write_pieces_on(
                        threads,
                        1_000_000_000,
                        100,
                        &mut out,
                        || (),
                        |(), range, buf| {
                            made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            range.for_each(|i| item(i, buf));
                        },
                    );
                    (err, out.calls, made.into_inner())
                });
                let err = err.expect_err("the writer fails");
                assert_eq!(err.to_string(), "disk full");
                // Every piece is at least 500 bytes: one write call each, the last failing.
                assert!(calls <= left / 500 + 1, "{threads} {left}: {calls}");
                let buffers = if threads > 1 { threads * IN_FLIGHT } else { 0 };
                assert!(made <= calls + buffers, "{threads} {left}: {made}");
            }
        }
    }

    /// A thread that panics passes its panic on, rather than leaving the writer waiting for
    /// its piece.
    #[test]
    fn a_panic_in_a_thread_is_passed_on() {
        let outcome = within_a_minute(|| {
            std::panic::catch_unwind(|| {
                let mut out = Vec::new();
                write_pieces_on(
                    3,
                    1_000_000,
                    10,
                    &mut out,
                    || (),
                    |(), range, buf| {
                        assert!(range.start != 5_000, "piece 500 fails");
                        range.for_each(|i| item(i, buf));
                    },
                )
            })
        });
        assert!(outcome.is_err());
    }
}
