//! The number and date columns of a row group decoded on a second core, a batch or two ahead
//! of the rows being handed on, while this one decodes the text columns and builds the
//! series. Used when every row is kept (no batch is skipped, so the other thread needs no
//! word from this one) and the row group is more than a batch.
//!
//! What this thread sees is what decoding the columns itself would give, in the same order:
//! each batch's columns come in column order, up to the first that failed (whose error is
//! then met where it would have been met); a panic of the Parquet reader on the other thread
//! is raised again here when its batch is reached, as if it had happened here.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, SyncSender};

use super::text::Texts;
use super::{BATCH, Batch, ParquetError, quietly, short, unreadable};

/// One batch of one column decoded on the other thread: its definition levels and values,
/// or why it could not be decoded.
pub(super) type Decoded = Result<(Vec<i16>, super::Values), ParquetError>;

/// What the other thread sends for one batch of rows.
pub(super) enum Step {
    /// Each of its columns, in order, up to the first that failed.
    Columns(std::vec::IntoIter<Decoded>),
    /// The Parquet reader panicked (on a damaged file).
    Panic(Box<dyn Any + Send>),
}

/// Decodes the batches of `cols` (each with its column's place among the long form's) of a
/// row group of `total` rows, sending each batch's to `to` until the end, the first
/// failure, or the reading thread no longer listening.
pub(super) fn decode(
    file: &str,
    mut cols: Vec<(usize, Batch)>,
    total: usize,
    to: SyncSender<Step>,
) {
    let mut texts = Texts::default();
    let mut done = 0;
    while done < total {
        let want = BATCH.min(total - done);
        let step = quietly(|| {
            catch_unwind(AssertUnwindSafe(|| {
                let mut out = Vec::with_capacity(cols.len());
                for (c, b) in &mut cols {
                    let decoded = match b.fill(want, &mut texts) {
                        Ok(n) if n == want => Ok(b.take_values(want)),
                        Ok(n) => Err(short(file, *c, done + n, total)),
                        Err(e) => Err(unreadable(file, &e)),
                    };
                    let failed = decoded.is_err();
                    out.push(decoded);
                    if failed {
                        break;
                    }
                }
                out
            }))
        });
        let (step, stop) = match step {
            Ok(out) => {
                let stop = out.last().is_some_and(Result::is_err);
                (Step::Columns(out.into_iter()), stop)
            }
            Err(panic) => (Step::Panic(panic), true),
        };
        if to.send(step).is_err() || stop {
            return;
        }
        done += want;
    }
}

/// The next batch's columns from the other thread (raising again its panic).
pub(super) fn receive(
    from: &Receiver<Step>,
    file: &str,
) -> Result<std::vec::IntoIter<Decoded>, ParquetError> {
    match from.recv() {
        Ok(Step::Columns(cols)) => Ok(cols),
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
