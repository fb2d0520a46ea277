//! The integrated performance report of every organisation in a long-form KPI CSV or Parquet
//! file sorted by organisation (as generated extracts and most exports are), read and reviewed
//! a batch of organisations at a time: memory holds a batch's series and the rows made, never
//! the whole file's series (151 million observations would need about 8.5 GB).
//!
//! The report is the one [`crate::ipr::ipr_each`] makes from the whole file, row for row. Its
//! date is the end of the latest period with data of any organisation, which only the whole
//! file tells: the first batch's latest period is taken as it, and if a later batch has a later
//! one, the rows made so far are given up, the rest of the file is read for the date, and the
//! file is read again. A CSV's lines are read as the whole file's reading reads them: simple
//! lines straight from their bytes, the rest by the csv crate (quoted fields, every field
//! quoted as R's `write.csv` writes them). Rows of indicators not in the set are tallied
//! batch by batch and warned of once, as the whole file's reading warns of them.
//!
//! Whatever this path cannot make exactly as the whole-file path would (a file not sorted,
//! with a warning other than those, a damaged Parquet file, a review that fails) is given up
//! with its reason ([`Unstreamable`]), for the caller to read the whole file instead. A file
//! with errors in its rows is read to its end a batch at a time all the same, for the errors
//! the whole file's reading reports ([`NotStreamed::Errors`]): memory stays bounded however
//! many rows come after the first error.

use std::cell::Cell;
use std::io::Read;
use std::sync::mpsc;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::data::{self, Columns, KpiData, KpiDataBuilder, RowFields, UnknownIndicators};
use crate::ipr::{Building, Ipr, IprRow, RowPlace};
use crate::kpiset::KpiSet;
use crate::lines;
use crate::read_errors::ReadErrors;
use crate::review::{ReviewOptions, review};
use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::provenance::{FileUsed, FrameworkUsed};

/// Why a file cannot be reported organisation by organisation; the whole-file path gives the
/// same report (or the same errors) for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unstreamable {
    /// An organisation's rows come before another's that sorts before it, or are split.
    #[error("the rows are not sorted by organisation")]
    NotSorted,
    /// The file could not be read (a damaged Parquet file, one cell not UTF-8), or has a
    /// warning other than rows of indicators not in the set.
    #[error("the file could not be read, or has warnings")]
    Problems,
    /// An organisation's review failed.
    #[error("a review failed")]
    Review,
    /// No organisation has a series.
    #[error("no organisation has a series")]
    Empty,
}

/// Why no report was made organisation by organisation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NotStreamed {
    /// The file has errors: those the whole file's reading reports (the first 50 and how many
    /// more), found a batch at a time.
    #[error("the file has errors")]
    Errors(Diagnostics),
    /// The report cannot be made so: the whole-file path gives it, or says what is wrong.
    #[error(transparent)]
    Unstreamable(#[from] Unstreamable),
}

/// A report made organisation by organisation, and the warnings the whole file's reading
/// would have given (rows of indicators not in the set), in its order.
#[derive(Debug)]
pub struct Streamed {
    /// The report, as [`crate::ipr::ipr_each`] makes it from the whole file.
    pub report: Ipr,
    /// The warnings of [`KpiData::warnings`] for the whole file.
    pub warnings: Vec<String>,
}

/// Where the rows of a streamed report go as they are made.
pub trait RowSink {
    /// One row, at its place in the report.
    fn row(&mut self, place: RowPlace, row: IprRow);
    /// Forgets every row handed so far: they were made as of a date that was not the report's.
    fn clear(&mut self);
}

/// What a streamed report reads: the file's name in messages, and how to open it (again, for a
/// second reading).
pub struct Source<'a, R> {
    /// The file as messages name it.
    pub name: &'a str,
    /// Opens the file from its start.
    pub open: &'a mut dyn FnMut() -> std::io::Result<R>,
    /// The file's size in bytes, when known (to tell progress before the number of
    /// organisations is known).
    pub size: Option<u64>,
    /// Rows of a batch reviewed together (whole organisations): [`BATCH_ROWS`] unless a test
    /// wants many batches of a small file.
    pub batch_rows: u64,
}

/// The report of every organisation of `source`, a long-form KPI CSV sorted by organisation,
/// its rows handed to `sink` as they are made (as [`crate::ipr::ipr_each`] hands them); the
/// file's errors, or why it cannot be made so (`sink` then holds no row). `progress` is told
/// how many organisations are done, of how many (an estimate from the bytes read until the
/// file has been read once).
// The arguments of `ipr_each` and the file's reading.
#[allow(clippy::too_many_arguments)]
pub fn ipr_sorted<R: Read + Send>(
    set: &KpiSet,
    set_file: &FrameworkUsed,
    source: Source<'_, R>,
    skip_invalid: bool,
    options: &ReviewOptions,
    names: impl Fn(&str) -> Option<String>,
    sink: &mut dyn RowSink,
    progress: Option<&dyn Fn(usize, usize)>,
) -> Result<Streamed, NotStreamed> {
    let (name, batch_rows) = (source.name, source.batch_rows);
    let read = |input: R, tx: mpsc::SyncSender<Batch>| {
        read_batches(input, (name, set, skip_invalid), batch_rows, tx)
    };
    passes(
        set, set_file, source, &read, options, &names, sink, progress,
    )
}

/// [`ipr_sorted`] of a KPI data file in Parquet (the long form as columns) whose rows are
/// sorted by organisation, read a batch of whole organisations at a time with the whole-file
/// reader's checks ([`crate::parquet`]). Progress is estimated from the rows read, of the
/// file's rows; `source.size` is not used.
#[cfg(feature = "parquet")]
#[allow(clippy::too_many_arguments)]
pub fn ipr_sorted_parquet(
    set: &KpiSet,
    set_file: &FrameworkUsed,
    source: Source<'_, std::fs::File>,
    skip_invalid: bool,
    options: &ReviewOptions,
    names: impl Fn(&str) -> Option<String>,
    sink: &mut dyn RowSink,
    progress: Option<&dyn Fn(usize, usize)>,
) -> Result<Streamed, NotStreamed> {
    let (name, batch_rows) = (source.name, source.batch_rows);
    let read = |file: std::fs::File, tx: mpsc::SyncSender<Batch>| {
        crate::parquet::read_in_batches(file, name, set, skip_invalid, batch_rows, tx)
    };
    passes(
        set, set_file, source, &read, options, &names, sink, progress,
    )
}

/// How one reading of a file goes: its batches of whole organisations sent in order, then the
/// file's SHA-256 once all of it has been read, or why it cannot be streamed. It stops early
/// when the receiver is gone.
type ReadBatches<'f, R> =
    &'f (dyn Fn(R, mpsc::SyncSender<Batch>) -> Result<String, Unstreamable> + Sync);

/// The report of [`ipr_sorted`], each reading made by `read`; `sink` is left with no row when
/// it cannot be made so.
#[allow(clippy::too_many_arguments)]
fn passes<R: Send>(
    set: &KpiSet,
    set_file: &FrameworkUsed,
    source: Source<'_, R>,
    read: ReadBatches<'_, R>,
    options: &ReviewOptions,
    names: &impl Fn(&str) -> Option<String>,
    sink: &mut dyn RowSink,
    progress: Option<&dyn Fn(usize, usize)>,
) -> Result<Streamed, NotStreamed> {
    let Source {
        name, open, size, ..
    } = source;
    let pass = Pass {
        set,
        set_file,
        names,
        progress,
        size,
    };
    let result = pass.readings(name, open, read, options, sink);
    if result.is_err() {
        sink.clear();
    }
    result
}

impl<N: Fn(&str) -> Option<String>> Pass<'_, '_, N> {
    /// The one or two readings of [`passes`] of the file `name`, each opened by `open`.
    fn readings<R: Send>(
        &self,
        name: &str,
        open: &mut dyn FnMut() -> std::io::Result<R>,
        read: ReadBatches<'_, R>,
        options: &ReviewOptions,
        sink: &mut dyn RowSink,
    ) -> Result<Streamed, NotStreamed> {
        let input = open().map_err(|_| Unstreamable::Problems)?;
        let (done, sha256) = match self.run(input, read, options.as_of, options, sink)? {
            Outcome::Report(building, sha256) => (building, sha256),
            Outcome::Errors(errors) => return Err(NotStreamed::Errors(errors.into_diagnostics())),
            Outcome::LaterDate(date) => {
                // The date is now known: the second reading never gives up for it.
                sink.clear();
                let input = open().map_err(|_| Unstreamable::Problems)?;
                match self.run(input, read, date, options, sink)? {
                    Outcome::Report(building, sha256) => (building, sha256),
                    // The first reading read every row: the second finds no error it did not.
                    _ => return Err(Unstreamable::Problems.into()),
                }
            }
        };
        let Done {
            building,
            organisations,
            unknown,
        } = *done;
        if organisations.is_empty() {
            return Err(Unstreamable::Empty.into());
        }
        let mut report = building.finish(self.set, organisations, self.names);
        // Each batch was read without the file's checksum, known only once it has all been
        // read.
        if let Some(p) = &mut report.provenance {
            p.data = Some(FileUsed {
                file: name.to_string(),
                sha256,
            });
        }
        Ok(Streamed {
            report,
            warnings: unknown.warnings(self.set),
        })
    }
}

/// Every batch of a reading reviewed.
struct Done<'a> {
    /// The report's rows so far.
    building: Building<'a>,
    /// The organisations reviewed, in order.
    organisations: Vec<String>,
    /// Rows of indicators not in the set, of the whole file.
    unknown: UnknownIndicators,
}

/// How one reading ended.
enum Outcome<'a> {
    /// Every organisation reviewed, and the file's SHA-256.
    Report(Box<Done<'a>>, String),
    /// A batch had data later than the date the rows were made as of: the latest of the whole
    /// file (the rest was read for it).
    LaterDate(Option<NaiveDate>),
    /// Rows had errors: every batch's, gathered (the rest of the file was read for them).
    Errors(ReadErrors),
}

/// What every reading of a report shares.
struct Pass<'a, 'n, N> {
    set: &'a KpiSet,
    set_file: &'a FrameworkUsed,
    names: &'n N,
    progress: Option<&'n dyn Fn(usize, usize)>,
    size: Option<u64>,
}

/// One batch of organisations read: their data (or its errors), its rows of indicators not in
/// the set, and how much of the file has been read so far (bytes of a CSV, rows of a Parquet
/// file).
pub(crate) struct Batch {
    pub(crate) data: Result<KpiData, ReadErrors>,
    /// The batch's organisations (those with rows of the set's indicators or not).
    pub(crate) organisations: usize,
    pub(crate) unknown: UnknownIndicators,
    pub(crate) read: u64,
    /// How much the whole file has, when its reader knows (the rows of a Parquet file); else
    /// the file's size in bytes is used.
    pub(crate) of: Option<u64>,
}

impl<'a, N: Fn(&str) -> Option<String>> Pass<'a, '_, N> {
    /// Reads `input` (on a thread of its own) while the batches read are reviewed as of
    /// `as_of` (`None`: the first batch's latest period, given up if a later one has later).
    fn run<R: Send>(
        &self,
        input: R,
        read: ReadBatches<'_, R>,
        as_of: Option<NaiveDate>,
        options: &ReviewOptions,
        sink: &mut dyn RowSink,
    ) -> Result<Outcome<'a>, Unstreamable> {
        let (tx, rx) = mpsc::sync_channel::<Batch>(2);
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || read(input, tx));
            let reviewed = self.review_batches(rx, as_of, options, sink);
            // The reader stops at its next batch once the receiver is gone.
            let read = match reader.join() {
                Ok(read) => read,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            // The reviews' reason first: the reader's, if it was stopped, is only that.
            let reviewed = reviewed?;
            let sha256 = read?;
            Ok(match reviewed {
                Reviewed::All(done) => Outcome::Report(done, sha256),
                Reviewed::LaterDate(date) => Outcome::LaterDate(date),
                Reviewed::Errors(errors) => Outcome::Errors(errors),
            })
        })
    }

    /// Reviews each batch as it comes; gives up (dropping `rx`, which stops the reader) at
    /// the first thing the whole-file path would do otherwise. From the first batch with
    /// errors, the rest are only read for theirs.
    fn review_batches(
        &self,
        rx: mpsc::Receiver<Batch>,
        given: Option<NaiveDate>,
        options: &ReviewOptions,
        sink: &mut dyn RowSink,
    ) -> Result<Reviewed<'a>, Unstreamable> {
        let mut as_of = given;
        let mut building: Option<Building<'a>> = None;
        let mut organisations: Vec<String> = Vec::new();
        let mut later: Option<Option<NaiveDate>> = None;
        let mut errors: Option<ReadErrors> = None;
        let mut all_unknown = UnknownIndicators::default();
        // Organisations read, reviewed or not: progress goes on being told while the rest
        // of a reading given up is read for its latest date.
        let mut read = 0;
        for Batch {
            data,
            organisations: in_batch,
            unknown,
            read: bytes,
            of,
        } in rx
        {
            let total = of.or(self.size);
            let data = match data {
                Ok(data) if errors.is_none() => data,
                // This batch's errors, or errors found before: only errors are wanted now.
                other => {
                    if let Err(more) = other {
                        match &mut errors {
                            Some(all) => all.merge(more),
                            None => errors = Some(more),
                        }
                    }
                    read += in_batch;
                    self.tell(read, bytes, total);
                    continue;
                }
            };
            all_unknown.merge(unknown);
            if !data.warnings.is_empty() {
                return Err(Unstreamable::Problems);
            }
            let orgs: Vec<String> = data.organisations_with_series();
            let latest = orgs.iter().filter_map(|o| data.latest_end(o)).max();
            read += orgs.len();
            if let Some(date) = &mut later {
                // Given up: only the latest date is wanted now.
                *date = (*date).max(latest);
                self.tell(read, bytes, total);
                continue;
            }
            let building = building.get_or_insert_with(|| {
                as_of = as_of.or(latest);
                Building::new(self.set, options, as_of)
            });
            if given.is_none() && latest > as_of {
                later = Some(latest);
                self.tell(read, bytes, total);
                continue;
            }
            let (set, set_file) = (self.set, self.set_file);
            let review_one = |org: &str, o: &ReviewOptions| review(set, set_file, &data, org, o);
            let mut each = |place, row| sink.row(place, row);
            building
                .batch(&orgs, self.names, &review_one, &mut each)
                .map_err(|_| Unstreamable::Review)?;
            organisations.extend(orgs);
            self.tell(organisations.len(), bytes, total);
        }
        Ok(match (errors, later) {
            (Some(errors), _) => Reviewed::Errors(errors),
            (None, Some(date)) => Reviewed::LaterDate(date),
            (None, None) => Reviewed::All(Box::new(Done {
                building: building.unwrap_or_else(|| Building::new(self.set, options, as_of)),
                organisations,
                unknown: all_unknown,
            })),
        })
    }

    /// Tells progress: `done` organisations, of about as many as the `bytes` read of `size`
    /// say.
    fn tell(&self, done: usize, bytes: u64, size: Option<u64>) {
        let (Some(progress), Some(size)) = (self.progress, size) else {
            return;
        };
        let total = match bytes {
            0 => done,
            b => ((done as f64) * (size as f64 / b as f64)).round() as usize,
        };
        progress(done, total.max(done));
    }
}

/// How the batches of one reading were reviewed.
enum Reviewed<'a> {
    /// All of them.
    All(Box<Done<'a>>),
    /// Given up for a later date: the latest of the whole file.
    LaterDate(Option<NaiveDate>),
    /// Rows had errors: every batch's.
    Errors(ReadErrors),
}

/// Rows of a batch (whole organisations, two at least): enough that the two threads reviewing
/// share a batch well, few enough that its series stay small beside the rows made.
pub const BATCH_ROWS: u64 = 200_000;

/// A reader that hashes the bytes it passes on and counts them, and ends early when told.
struct Tracked<'s, R> {
    inner: R,
    hasher: Sha256,
    bytes: &'s Cell<u64>,
    stop: &'s Cell<bool>,
}

impl<R: Read> Read for Tracked<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.get() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes.set(self.bytes.get() + n as u64);
        Ok(n)
    }
}

/// Reads `input` into batches of whole organisations sent to `tx`, in order; the file's
/// SHA-256 once all of it has been read, or why it cannot be streamed. Stops early when the
/// receiver is gone. Lines that need CSV quoting (and the rest of the file after the first,
/// or all of it when the header does) are read by the csv crate, as the whole file's reading
/// reads them.
fn read_batches<R: Read>(
    input: R,
    (name, set, skip_invalid): (&str, &KpiSet, bool),
    batch_rows: u64,
    tx: mpsc::SyncSender<Batch>,
) -> Result<String, Unstreamable> {
    let (stop, bytes) = (Cell::new(false), Cell::new(0u64));
    let mut input = Tracked {
        inner: input,
        hasher: Sha256::new(),
        bytes: &bytes,
        stop: &stop,
    };
    let mut buf = Vec::new();
    let ended =
        lines::fill(&mut input, &mut buf, lines::CHUNK).map_err(|_| Unstreamable::Problems)?;
    let new_cutter = |cols| Cutter {
        builder: KpiDataBuilder::new(name, set, cols, None, skip_invalid),
        reading: (name, set, cols, skip_invalid),
        current: None,
        rows: 0,
        orgs: 0,
        batch_rows,
        why: None,
        tx: &tx,
        bytes: &bytes,
        stop: &stop,
    };
    let Some((headers, start)) = lines::header(&buf, ended) else {
        // The whole file through the csv crate.
        let mut reader = data::csv_reader(std::io::Cursor::new(buf).chain(input));
        let cols = data::read_columns(&mut reader, name).map_err(|_| Unstreamable::Problems)?;
        let mut cut = new_cutter(cols);
        let error = data::csv_records(&mut reader, name, 0, |line, r| cut.row(line, r));
        let (_, input) = reader.into_inner().into_inner().into_inner();
        return cut.end(error, input);
    };
    let cols = Columns::find(name, 1, &headers).map_err(|_| Unstreamable::Problems)?;
    let mut cut = new_cutter(cols);
    let width = headers.len();
    let row = |line, fields: &lines::Line<'_>| cut.row(line, fields);
    match lines::simple_lines(&mut input, &mut buf, start, 2, width, row) {
        lines::Stop::End => cut.end(None, input),
        lines::Stop::Line { at, line } => {
            buf.drain(..at);
            let mut reader = data::csv_from_line(buf, input, width);
            let error = data::csv_records(&mut reader, name, line - 2, |l, r| cut.row(l, r));
            let (_, input) = reader.into_inner().into_inner().into_inner();
            cut.end(error, input)
        }
        lines::Stop::Io => Err(Unstreamable::Problems),
    }
}

/// Where the rows of a CSV file go: into the batch being read, cut at the first row of an
/// organisation once the batch has enough rows.
struct Cutter<'a, 't> {
    builder: KpiDataBuilder<'a>,
    /// What a batch's reading is made from: the file's name, the set, the columns and
    /// whether invalid rows are skipped.
    reading: (&'a str, &'a KpiSet, Columns, bool),
    /// The organisation of the last row.
    current: Option<String>,
    /// Rows and organisations of the batch.
    rows: u64,
    orgs: usize,
    batch_rows: u64,
    /// Why the reading stopped, once it has.
    why: Option<Unstreamable>,
    tx: &'t mpsc::SyncSender<Batch>,
    /// Bytes of the file read so far, for progress.
    bytes: &'t Cell<u64>,
    /// Set to stop the reading.
    stop: &'t Cell<bool>,
}

impl Cutter<'_, '_> {
    /// Takes a row on `line`, sending the batch before it when it is the first row of an
    /// organisation and the batch is full; stops the reading if the organisation sorts
    /// before the last.
    fn row(&mut self, line: u64, fields: &(impl RowFields + ?Sized)) {
        if self.stop.get() {
            return;
        }
        let (name, set, cols, skip_invalid) = self.reading;
        let org = fields.get(cols.organisation).unwrap_or("");
        if self.current.as_deref() != Some(org) {
            if self.current.as_deref().is_some_and(|c| org <= c) {
                self.why = Some(Unstreamable::NotSorted);
                self.stop.set(true);
                return;
            }
            // Two organisations at least, so that both threads reviewing have one.
            if self.rows >= self.batch_rows && self.orgs >= 2 {
                let fresh = KpiDataBuilder::new(name, set, cols, None, skip_invalid);
                let full = std::mem::replace(&mut self.builder, fresh);
                self.why = send(full, self.orgs, self.tx, self.bytes.get(), self.stop);
                (self.rows, self.orgs) = (0, 0);
            }
            self.current = Some(org.to_string());
            self.orgs += 1;
        }
        self.builder.row(line, fields);
        self.rows += 1;
    }

    /// Sends the last batch, with `error` if a record could not be read (the reading stopped
    /// there, as the whole file's does); the SHA-256 of what `input` read, or why the file
    /// cannot be streamed.
    fn end<R>(
        mut self,
        error: Option<Diagnostic>,
        input: Tracked<'_, R>,
    ) -> Result<String, Unstreamable> {
        if let Some(why) = self.why {
            return Err(why);
        }
        if self.stop.get() {
            return Err(Unstreamable::Problems);
        }
        if let Some(error) = error {
            self.builder.error(error);
        }
        match send(
            self.builder,
            self.orgs,
            self.tx,
            self.bytes.get(),
            self.stop,
        ) {
            Some(why) => Err(why),
            None => Ok(input
                .hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()),
        }
    }
}

/// Sends a batch of `organisations` read to be reviewed (or, with errors, to have its errors
/// gathered); tells the reading to stop, as a reason the file cannot be streamed, when nobody
/// receives it.
fn send(
    mut builder: KpiDataBuilder<'_>,
    organisations: usize,
    tx: &mpsc::SyncSender<Batch>,
    bytes: u64,
    stop: &Cell<bool>,
) -> Option<Unstreamable> {
    // Warned of once for the whole file, when it has all been read.
    let unknown = builder.take_unknown_indicators();
    // The checksum is the whole file's, known only at its end: the report is given it then.
    let batch = Batch {
        data: builder.finish_in_part(String::new),
        organisations,
        unknown,
        read: bytes,
        of: None,
    };
    if tx.send(batch).is_err() {
        stop.set(true);
        return Some(Unstreamable::Problems);
    }
    None
}
