//! The columns of a row group decoded on a second core, a batch or two ahead of the rows
//! being handed on, and each batch's plain rows found there ([`super::prepared`]), while
//! this one adds the rows to their series. Used when every row is kept (no batch is
//! skipped, so the other thread needs no word from this one) and the row group is more than
//! a batch.
//!
//! What this thread sees is what decoding the columns itself would give, in the same order:
//! each batch's columns come in column order, up to the first that failed (whose error is
//! then met where it would have been met); a panic of the Parquet reader on the other thread
//! is raised again here when its batch is reached, as if it had happened here.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, SyncSender};

use super::prepared::{Prepared, Preparer};
use super::text::Texts;
use super::{BATCH, Batch, ParquetError, quietly, short, unreadable};

/// One batch of one column decoded on the other thread: its definition levels and values,
/// or why it could not be decoded.
pub(super) type Decoded = Result<(Vec<i16>, super::Values), ParquetError>;

/// One batch of rows decoded on the other thread.
pub(super) struct Sent {
    /// Each of its columns, in order, up to the first that failed.
    pub(super) cols: std::vec::IntoIter<Decoded>,
    /// The texts met in its text columns since the batch before (by the column's place),
    /// for the reading thread's copies of their texts, whose ids follow on.
    pub(super) texts: Vec<(usize, Vec<Option<Box<str>>>)>,
    /// Its plain rows, when every column was decoded and the rows are looked at here.
    pub(super) prepared: Option<Prepared>,
}

/// What the other thread sends for one batch of rows.
pub(super) enum Step {
    /// The batch.
    Columns(Sent),
    /// The Parquet reader panicked (on a damaged file).
    Panic(Box<dyn Any + Send>),
}

/// Decodes the batches of `cols` (each with its column's place among the long form's) of a
/// row group of `total` rows, sending each batch's to `to` until the end, the first
/// failure, or the reading thread no longer listening; with `preparer`, finding the plain
/// rows of each batch too ([`super::prepared`]). `texts` are the texts of the text columns
/// met before (in earlier row groups), by the column's place.
pub(super) fn decode(
    file: &str,
    mut cols: Vec<(usize, Batch)>,
    total: usize,
    to: SyncSender<Step>,
    mut texts: [Texts; 6],
    mut preparer: Option<Preparer<'_>>,
) -> [Texts; 6] {
    let mut sent = texts.each_ref().map(Texts::len);
    let mut done = 0;
    while done < total {
        let want = BATCH.min(total - done);
        let step = quietly(|| {
            catch_unwind(AssertUnwindSafe(|| {
                let failed = fill(file, &mut cols, &mut texts, want, done, total);
                let prepared = match (&failed, preparer.as_mut()) {
                    (None, Some(p)) => {
                        let mut view = [None; 6];
                        cols.iter().for_each(|(c, b)| view[*c] = Some(b));
                        Some(p.prepare(&view, &texts, 0..super::prepared::ahead_rows(want)))
                    }
                    _ => None,
                };
                let mut out = Vec::with_capacity(cols.len());
                for (k, (_, b)) in cols.iter_mut().enumerate() {
                    match &failed {
                        Some((at, e)) if *at == k => {
                            out.push(Err(e.clone()));
                            break;
                        }
                        _ => out.push(Ok(b.take_values(want))),
                    }
                }
                let mut new = Vec::new();
                for (c, t) in texts.iter().enumerate() {
                    if t.len() > sent[c] {
                        new.push((c, t.since(sent[c])));
                        sent[c] = t.len();
                    }
                }
                Sent {
                    cols: out.into_iter(),
                    texts: new,
                    prepared,
                }
            }))
        });
        let (step, stop) = match step {
            Ok(sent) => {
                let stop = sent.cols.as_slice().last().is_some_and(Result::is_err);
                (Step::Columns(sent), stop)
            }
            Err(panic) => (Step::Panic(panic), true),
        };
        if to.send(step).is_err() || stop {
            return texts;
        }
        done += want;
    }
    texts
}

/// Reads the next `want` rows of each column in turn, up to the first that fails: which one
/// (its place among `cols`) and why.
fn fill(
    file: &str,
    cols: &mut [(usize, Batch)],
    texts: &mut [Texts; 6],
    want: usize,
    done: usize,
    total: usize,
) -> Option<(usize, ParquetError)> {
    for (k, (c, b)) in cols.iter_mut().enumerate() {
        match b.fill(want, &mut texts[*c]) {
            Ok(n) if n == want => {}
            Ok(n) => return Some((k, short(file, *c, done + n, total))),
            Err(e) => return Some((k, unreadable(file, &e))),
        }
    }
    None
}

/// The next batch from the other thread (raising again its panic).
pub(super) fn receive(from: &Receiver<Step>, file: &str) -> Result<Sent, ParquetError> {
    match from.recv() {
        Ok(Step::Columns(sent)) => Ok(sent),
        Ok(Step::Panic(panic)) => std::panic::resume_unwind(panic),
        // It stops only after sending a failure, which this thread stops at.
        Err(_) => Err(stopped(file)),
    }
}

/// The other thread sent less than this one looks for (which it never does).
#[cold]
pub(super) fn stopped(file: &str) -> ParquetError {
    ParquetError::Unreadable {
        file: file.to_string(),
        reason: "its columns stopped being decoded".to_string(),
    }
}
