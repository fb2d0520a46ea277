//! A Parquet file sorted by organisation read in batches of whole organisations, for a report
//! made a batch at a time ([`crate::ipr_stream`]). The whole-file reader does the reading, with
//! every check and its fast paths; this cuts its reading at the first row of an organisation
//! once the batch has enough rows, and sends what was read as the batch's data, as a reading of
//! those rows alone would give it (or its errors). Rows of indicators not in the set are taken
//! from each batch, to be warned of once for the whole file.

use std::cell::Cell;
use std::sync::mpsc::SyncSender;

use crate::data::{Columns, Reading};
use crate::ipr_stream::{Batch, Unstreamable};
use crate::kpiset::KpiSet;

/// The reading was stopped: the reason is in [`InBatches`]'s `why`.
pub(super) struct Stopped;

/// Where the batches of one reading go, and the batch being read.
pub(super) struct InBatches<'a> {
    name: &'a str,
    set: &'a KpiSet,
    skip_invalid: bool,
    /// Rows a batch has before it is cut at the next organisation's first row.
    rows: u64,
    tx: SyncSender<Batch>,
    /// The file's rows, for progress.
    pub(super) of: u64,
    /// The organisation of the last row met: its text id and text.
    org: Option<(u32, String)>,
    /// The line of the batch's first row.
    first_line: u64,
    /// Organisations of the batch.
    orgs: usize,
    /// Why the reading was stopped, once it is.
    why: &'a Cell<Option<Unstreamable>>,
}

impl<'a> InBatches<'a> {
    /// Batches of about `rows` rows of `name`, read against `set`, sent to `tx`; the reason a
    /// reading is stopped goes to `why`.
    pub(super) fn new(
        (name, set, skip_invalid): (&'a str, &'a KpiSet, bool),
        rows: u64,
        tx: SyncSender<Batch>,
        why: &'a Cell<Option<Unstreamable>>,
    ) -> InBatches<'a> {
        InBatches {
            name,
            set,
            skip_invalid,
            rows,
            tx,
            of: 0,
            org: None,
            first_line: 0,
            orgs: 0,
            why,
        }
    }

    /// Notes a row on `line` of the organisation of text id `id` and text `text` (`None` when
    /// it has none, or not UTF-8). At the first row of an organisation, when the batch has
    /// `rows` rows and two organisations at least (so that both threads reviewing have one),
    /// the reading so far is sent as a batch and `reading` starts afresh: then `true`, and
    /// whatever the caller keeps of the reading's series is to be forgotten.
    pub(super) fn row(
        &mut self,
        id: u32,
        text: Option<&str>,
        line: u64,
        reading: &mut Reading<'a>,
    ) -> Result<bool, Stopped> {
        if matches!(&self.org, Some((o, _)) if *o == id) {
            return Ok(false);
        }
        let Some(text) = text else {
            return Err(self.stop(Unstreamable::Problems));
        };
        let mut cut = false;
        match &mut self.org {
            // The same text under another id: the same organisation.
            Some((o, t)) if t.as_str() == text => {
                *o = id;
                return Ok(false);
            }
            Some((_, t)) if text < t.as_str() => return Err(self.stop(Unstreamable::NotSorted)),
            Some(_) if line - self.first_line >= self.rows && self.orgs >= 2 => {
                self.send(reading, line - 2)?;
                (self.first_line, self.orgs, cut) = (line, 0, true);
            }
            Some(_) => {}
            None => self.first_line = line,
        }
        self.orgs += 1;
        let org = self.org.get_or_insert_with(|| (id, String::new()));
        org.0 = id;
        org.1.clear();
        org.1.push_str(text);
        Ok(cut)
    }

    /// Sends the last batch, the rest of the file's rows.
    pub(super) fn last(mut self, mut reading: Reading<'a>) -> Result<(), Unstreamable> {
        let of = self.of;
        match self.send(&mut reading, of) {
            Ok(()) => Ok(()),
            Err(Stopped) => Err(self.why.take().unwrap_or(Unstreamable::Problems)),
        }
    }

    /// Sends the batch read so far (`read` rows of the file read), `reading` started afresh.
    fn send(&mut self, reading: &mut Reading<'a>, read: u64) -> Result<(), Stopped> {
        let fresh = Reading::new(
            self.name,
            self.set,
            Columns::IN_ORDER,
            None,
            self.skip_invalid,
        );
        let mut full = std::mem::replace(reading, fresh);
        let unknown = full.take_unknown();
        // The checksum is the whole file's, known only at its end: the report is given it then.
        // A batch with errors is sent all the same, for the errors of the whole file.
        let batch = Batch {
            data: full.finish_in_part(self.set, String::new),
            organisations: self.orgs,
            unknown,
            read,
            of: Some(self.of),
        };
        // Nobody to receive it: the reviews stopped, for a reason of their own.
        self.tx
            .send(batch)
            .map_err(|_| self.stop(Unstreamable::Problems))
    }

    /// Stops the reading for `why`.
    fn stop(&self, why: Unstreamable) -> Stopped {
        self.why.set(Some(why));
        Stopped
    }
}
