//! KPI data as Parquet: the long form as columns (`organisation`, `indicator`, `period`,
//! `value`, and optionally `numerator` and `denominator`), as data platforms export it.
//!
//! Only those columns are read (column projection: any others in the file are never
//! decoded), a batch of rows at a time, and each row is handed to the same reading the CSV
//! goes through ([`crate::data`]), as the record the same data written as CSV would give: the
//! same checks, flags, errors and series. A row's "line" in messages is its line in that CSV
//! (the first data row is line 2, after the header).
//!
//! Text columns are read as ids of their distinct texts: a text is checked as
//! UTF-8, trimmed, looked up among the organisations kept and the set's indicators, and parsed
//! as a period once, not once a row. A kept row with nothing to record but itself goes
//! straight into its series, as the CSV's plain rows do; every other row is taken by the one
//! reading that records errors, flags and skips.
//!
//! Column types: text for `organisation` and `indicator`; text, a date or a timestamp for
//! `period` (a date, or a timestamp at midnight, is read as `YYYY-MM-DD`); a number
//! (double, float, integer, or a decimal of up to 38 digits, read with its scale's places
//! as its CSV text has them) or text for the numbers.
//! Nulls are empty fields. A missing column or one of another type is an error naming the
//! file, the column, what was found and what was expected. A file is told to be Parquet by
//! its first four bytes (`PAR1`), not by its name.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{Seek, SeekFrom};

use parquet::basic::{ConvertedType, LogicalType, Type as Physical};
use parquet::column::reader::ColumnReader;
use parquet::file::reader::{FileReader, RowGroupReader, SerializedFileReader};
use parquet::schema::types::ColumnDescriptor;
use sha2::{Digest, Sha256};

use chrono::Datelike as _;
use sct_core::diagnostic::{Diagnostic, Diagnostics};

use crate::data::{Columns, KpiData, PeriodCache, Reading, RowFields};
use crate::kpiset::{Indicator, KpiSet};
use crate::number::{NumberError, check};
use crate::period::{Period, PeriodType};

mod ahead;
#[cfg(unix)]
mod at_offsets;
mod decimal_time;
mod in_batches;
mod numbers;
mod pages;
mod plain;
mod prepared;
mod text;

use numbers::NumberPages;
use text::{TextReader, Texts};

/// Rows decoded at a time from each column: enough to keep the decoders busy, few enough that
/// memory does not grow with the file.
const BATCH: usize = 8192;

/// Why a Parquet file cannot be read as KPI data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParquetError {
    /// The file is not Parquet, or is damaged (the reader's own words).
    #[error("{file} is not a readable Parquet file: {reason}")]
    Unreadable {
        /// The file.
        file: String,
        /// What the Parquet reader found.
        reason: String,
    },
    /// Required columns are missing.
    #[error("{file} has no column{} {} (it has: {})", if missing.len() == 1 { "" } else { "s" }, missing.join(", "), found.join(", "))]
    MissingColumns {
        /// The file.
        file: String,
        /// The required columns it lacks.
        missing: Vec<&'static str>,
        /// The columns it has.
        found: Vec<String>,
    },
    /// A column is of a type the long form cannot hold.
    #[error("{file}: column `{column}` is {found}, but {column} must be {expected}")]
    WrongType {
        /// The file.
        file: String,
        /// The column.
        column: &'static str,
        /// Its type as written in the file.
        found: String,
        /// The types it may have.
        expected: &'static str,
    },
    /// A text value is not UTF-8.
    #[error("{file}: column `{column}` on row {row} is not UTF-8 text")]
    NotUtf8 {
        /// The file.
        file: String,
        /// The column.
        column: &'static str,
        /// One-based row in the file.
        row: u64,
    },
}

impl ParquetError {
    /// What the file should have had instead.
    pub fn expected(&self) -> Option<&'static str> {
        match self {
            ParquetError::Unreadable { .. } => Some("a Parquet file (it starts with PAR1)"),
            ParquetError::MissingColumns { .. } => Some(
                "columns organisation, indicator, period and value (numerator and denominator optional)",
            ),
            ParquetError::WrongType { expected, .. } => Some(expected),
            ParquetError::NotUtf8 { .. } => Some("UTF-8 text"),
        }
    }

    /// The error as a located diagnostic, as every KPI data error is reported.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let file = match self {
            ParquetError::Unreadable { file, .. }
            | ParquetError::MissingColumns { file, .. }
            | ParquetError::WrongType { file, .. }
            | ParquetError::NotUtf8 { file, .. } => file,
        };
        let mut d = Diagnostic::error(self.to_string()).in_file(file.clone());
        if let Some(e) = self.expected() {
            d = d.expected(e);
        }
        d
    }
}

/// Reads KPI data from a Parquet file, exactly as [`read_kpi_data_with`] reads the same data
/// written as CSV (only the long form's columns are decoded).
///
/// A damaged file is an error, never a panic: the Parquet reader asserts on some damage
/// rather than returning an error, and such a panic is caught here and reported as the file
/// being unreadable.
///
/// [`read_kpi_data_with`]: crate::data::read_kpi_data_with
pub fn read_kpi_parquet(
    file: File,
    name: &str,
    set: &KpiSet,
    keep: Option<&BTreeSet<String>>,
    skip_invalid: bool,
) -> Result<KpiData, Diagnostics> {
    let read = quietly(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_columns(file, name, set, keep, skip_invalid)
        }))
    });
    read.unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let e = ParquetError::Unreadable {
            file: name.to_string(),
            reason: format!("it is damaged ({reason})"),
        };
        Err(Diagnostics(vec![e.to_diagnostic()]))
    })
}

thread_local! {
    /// Whether a panic on this thread is one [`read_kpi_parquet`] catches and reports.
    static CAUGHT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with the panic hook silent for panics on this thread (which `f` catches and
/// reports as an error of its own), so that the user sees only that error, not the Parquet
/// reader's message before it. The hook is wrapped once: panics elsewhere, on other threads
/// or outside `f`, still go to the hook there was.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    static WRAP: std::sync::Once = std::sync::Once::new();
    WRAP.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CAUGHT.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let before = CAUGHT.with(|c| c.replace(true));
    let out = f();
    CAUGHT.with(|c| c.set(before));
    out
}

/// [`read_kpi_parquet`] without its guard.
fn read_columns(
    file: File,
    name: &str,
    set: &KpiSet,
    keep: Option<&BTreeSet<String>>,
    skip_invalid: bool,
) -> Result<KpiData, Diagnostics> {
    let (reading, _, sha256) = read_rows(file, name, set, keep, skip_invalid, None)?;
    reading.finish(set, || sha256)
}

/// Reads a Parquet KPI data file whose rows are sorted by organisation in batches of whole
/// organisations of about `batch_rows` rows, each sent to `tx` as a reading of its rows alone
/// gives it (its rows of indicators not in the set taken apart, to be warned of once for the
/// whole file; a batch with errors is sent with them, and the reading goes on); the file's
/// SHA-256 once it has all been read, or why it cannot be read so (rows not sorted, a
/// damaged file, nobody receiving). Stops at the first of these.
pub(crate) fn read_in_batches(
    file: File,
    name: &str,
    set: &KpiSet,
    skip_invalid: bool,
    batch_rows: u64,
    tx: std::sync::mpsc::SyncSender<crate::ipr_stream::Batch>,
) -> Result<String, crate::ipr_stream::Unstreamable> {
    use crate::ipr_stream::Unstreamable;
    let why = std::cell::Cell::new(None);
    let read = quietly(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let batches =
                in_batches::InBatches::new((name, set, skip_invalid), batch_rows, tx, &why);
            let (reading, batches, sha256) =
                read_rows(file, name, set, None, skip_invalid, Some(batches)).ok()?;
            batches?.last(reading).ok().map(|()| sha256)
        }))
    });
    match read {
        Ok(Some(sha256)) => Ok(sha256),
        // A damaged file's panic included: the whole-file reading reports it.
        _ => Err(why.take().unwrap_or(Unstreamable::Problems)),
    }
}

/// Reads every row group of `file` (see [`read_kpi_parquet`]), cutting the reading into
/// `batches` when given: the reading (of the last batch), the batches, and the file's SHA-256.
fn read_rows<'a>(
    file: File,
    name: &'a str,
    set: &'a KpiSet,
    keep: Option<&'a BTreeSet<String>>,
    skip_invalid: bool,
    batches: Option<in_batches::InBatches<'a>>,
) -> Result<(Reading<'a>, Option<in_batches::InBatches<'a>>, String), Diagnostics> {
    let one = |e: ParquetError| Diagnostics(vec![e.to_diagnostic()]);
    let unreadable = |e: &dyn std::fmt::Display| ParquetError::Unreadable {
        file: name.to_string(),
        reason: e.to_string(),
    };
    // The file is hashed beside the reading, on another core when there is one (the hash
    // reads the file at offsets, leaving the reader's position alone). A reading that stops
    // at an error stops the hash: nothing waits for the rest of a large file.
    let hasher = hashing_beside(&file);
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let stopped = &stop;
        let hashed = match hasher {
            Some(copy) => Hashed::Beside(s.spawn(move || sha256_at(&copy, stopped))),
            None => Hashed::Done(sha256_hex(&file).map_err(|e| one(unreadable(&e)))?),
        };
        let read = read_groups(file, name, set, (keep, skip_invalid), batches);
        if read.is_err() {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let (reading, batches) = read?;
        let sha256 = match hashed {
            Hashed::Done(sha) => sha,
            Hashed::Beside(h) => match h.join() {
                Ok(sha) => sha.map_err(|e| one(unreadable(&e)))?,
                Err(panic) => std::panic::resume_unwind(panic),
            },
        };
        Ok((reading, batches, sha256))
    })
}

/// Reads every row group of `file` (the body of [`read_rows`], beside the hash).
fn read_groups<'a>(
    file: File,
    name: &'a str,
    set: &'a KpiSet,
    (keep, skip_invalid): (Option<&'a BTreeSet<String>>, bool),
    batches: Option<in_batches::InBatches<'a>>,
) -> Result<(Reading<'a>, Option<in_batches::InBatches<'a>>), Diagnostics> {
    let one = |e: ParquetError| Diagnostics(vec![e.to_diagnostic()]);
    let unreadable = |e: &dyn std::fmt::Display| ParquetError::Unreadable {
        file: name.to_string(),
        reason: e.to_string(),
    };
    // Read at offsets, the columns of a row group can be decoded on two threads.
    #[cfg(unix)]
    let (file, two) = (at_offsets::AtOffsets::new(file), two_cores());
    #[cfg(not(unix))]
    let two = false;
    let reader = SerializedFileReader::new(file).map_err(|e| one(unreadable(&e)))?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let layout = Layout::of(name, schema.columns()).map_err(one)?;
    let mut reading = Reading::new(name, set, Columns::IN_ORDER, keep, skip_invalid);
    let mut rows = RowsOut::new(set, keep);
    rows.batches = batches;
    if let Some(b) = rows.batches.as_mut() {
        b.of = u64::try_from(reader.metadata().file_metadata().num_rows()).unwrap_or(0);
    }
    for g in 0..reader.num_row_groups() {
        let group = reader.get_row_group(g).map_err(|e| one(unreadable(&e)))?;
        read_group(name, &layout, group.as_ref(), &mut reading, &mut rows, two).map_err(one)?;
    }
    Ok((reading, rows.batches))
}

/// The file's hash: made before the reading, or being made beside it.
enum Hashed<'s> {
    Done(String),
    Beside(std::thread::ScopedJoinHandle<'s, std::io::Result<String>>),
}

/// A second handle on the file to hash it with on another thread, when the machine has a
/// second core and the file can be read at offsets (Unix); `None` to hash it first.
fn hashing_beside(file: &File) -> Option<File> {
    (cfg!(unix) && two_cores())
        .then(|| file.try_clone().ok())
        .flatten()
}

/// Whether the machine has a second core for a second thread.
fn two_cores() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
}

/// The Parquet reader's error, as the file being unreadable.
fn unreadable(file: &str, e: &parquet::errors::ParquetError) -> ParquetError {
    ParquetError::Unreadable {
        file: file.to_string(),
        reason: e.to_string(),
    }
}

/// Column `column` of a row group of `total` rows ended after `rows`.
fn short(file: &str, column: usize, rows: usize, total: usize) -> ParquetError {
    ParquetError::Unreadable {
        file: file.to_string(),
        reason: format!(
            "column `{}` has {rows} rows where its row group has {total}",
            NAMES[column]
        ),
    }
}

/// The SHA-256 of the whole file in hex, read at offsets (the handle's position, which it
/// shares with the reader's, is left alone); an error once `stop` is set (the reading
/// stopped, and the hash will not be used).
#[cfg(unix)]
fn sha256_at(file: &File, stop: &std::sync::atomic::AtomicBool) -> std::io::Result<String> {
    use std::os::unix::fs::FileExt as _;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut at = 0u64;
    loop {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(std::io::Error::other("the reading stopped"));
        }
        let n = match file.read_at(&mut buf, at) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        at += n as u64;
    }
    Ok(hex(hasher))
}

/// Never called: [`hashing_beside`] gives no handle off Unix.
#[cfg(not(unix))]
fn sha256_at(file: &File, _stop: &std::sync::atomic::AtomicBool) -> std::io::Result<String> {
    sha256_hex(file)
}

/// A finished hash in hex.
fn hex(hasher: Sha256) -> String {
    hasher
        .finalize()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The SHA-256 of the whole file in hex (streamed, so memory does not grow with the file).
fn sha256_hex(mut file: &File) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(hex(hasher))
}

/// How a column's values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Text (a byte array, UTF-8).
    Text,
    /// A date (days since 1970-01-01), written `YYYY-MM-DD`.
    Date,
    /// A 32-bit integer.
    Int32,
    /// A 64-bit integer.
    Int64,
    /// A single-precision float, written as its shortest decimal.
    Float,
    /// A double, written as its shortest decimal.
    Double,
    /// A decimal of `scale` places (INT32, INT64, or big-endian bytes), written with them.
    Decimal { scale: u8 },
    /// A timestamp of `units_a_day` units a day since 1970-01-01 (INT64, or INT96 in
    /// nanoseconds): its day when at midnight, else its date and time.
    Timestamp { units_a_day: i64 },
}

/// The long form's six columns, in order, and where each is in the file.
const NAMES: [&str; 6] = [
    "organisation",
    "indicator",
    "period",
    "value",
    "numerator",
    "denominator",
];
/// The types each column may have, in words for errors.
const TEXT: &str = "text (a UTF-8 byte array)";
const PERIOD: &str = "text (as 2024-04, 2024-Q1, …), a date, or a timestamp at midnight";
const NUMBER: &str =
    "a number (double, float, decimal of up to 38 digits, or a 32- or 64-bit integer) or text";

/// One column to read: its index in the file, how its values are read, and its largest
/// definition level (a value below it is a null).
#[derive(Debug, Clone, Copy)]
struct Col {
    index: usize,
    kind: Kind,
    max_def: i16,
}

/// Where the long form's columns are in a file (`None` for an absent optional one).
struct Layout([Option<Col>; 6]);

impl Layout {
    /// Finds the columns (names compared as the CSV header's are, ignoring case) and checks
    /// their types.
    fn of(
        file: &str,
        columns: &[std::sync::Arc<ColumnDescriptor>],
    ) -> Result<Layout, ParquetError> {
        let find = |name: &str| {
            columns.iter().position(|c| {
                c.path().parts().len() == 1 && c.name().trim().eq_ignore_ascii_case(name)
            })
        };
        let missing: Vec<&'static str> = NAMES[..4]
            .iter()
            .copied()
            .filter(|n| find(n).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(ParquetError::MissingColumns {
                file: file.to_string(),
                missing,
                found: columns.iter().map(|c| c.path().string()).collect(),
            });
        }
        let mut cols = [None; 6];
        for (slot, &name) in cols.iter_mut().zip(&NAMES) {
            let Some(index) = find(name) else { continue };
            let c = &columns[index];
            let expected = match name {
                "organisation" | "indicator" => TEXT,
                "period" => PERIOD,
                _ => NUMBER,
            };
            let kind = kind_of(c)
                .filter(|k| match name {
                    "organisation" | "indicator" => *k == Kind::Text,
                    "period" => matches!(k, Kind::Text | Kind::Date | Kind::Timestamp { .. }),
                    _ => !matches!(k, Kind::Date | Kind::Timestamp { .. }),
                })
                .filter(|_| c.max_rep_level() == 0)
                .ok_or_else(|| ParquetError::WrongType {
                    file: file.to_string(),
                    column: name,
                    found: type_name(c),
                    expected,
                })?;
            *slot = Some(Col {
                index,
                kind,
                max_def: c.max_def_level(),
            });
        }
        Ok(Layout(cols))
    }
}

/// How a column is read, from its physical and logical types; `None` for a type the long form
/// never holds (times of day, booleans, intervals, nested values, decimals of more than 38
/// digits).
fn kind_of(c: &ColumnDescriptor) -> Option<Kind> {
    let logical = c.logical_type_ref();
    let converted = c.converted_type();
    let plain_integer = matches!(logical, None | Some(LogicalType::Integer { .. }))
        && matches!(
            converted,
            ConvertedType::NONE
                | ConvertedType::INT_8
                | ConvertedType::INT_16
                | ConvertedType::INT_32
                | ConvertedType::INT_64
                | ConvertedType::UINT_8
                | ConvertedType::UINT_16
                | ConvertedType::UINT_32
                | ConvertedType::UINT_64
        );
    match c.physical_type() {
        Physical::BYTE_ARRAY
            if matches!(logical, None | Some(LogicalType::String))
                && matches!(converted, ConvertedType::NONE | ConvertedType::UTF8) =>
        {
            Some(Kind::Text)
        }
        Physical::INT32
            if matches!(logical, Some(LogicalType::Date)) || converted == ConvertedType::DATE =>
        {
            Some(Kind::Date)
        }
        _ if converted == ConvertedType::DECIMAL
            || matches!(logical, Some(LogicalType::Decimal(_))) =>
        {
            let scale = decimal_time::decimal_scale(c.type_precision(), c.type_scale())?;
            matches!(
                c.physical_type(),
                Physical::INT32
                    | Physical::INT64
                    | Physical::FIXED_LEN_BYTE_ARRAY
                    | Physical::BYTE_ARRAY
            )
            .then_some(Kind::Decimal { scale })
        }
        Physical::INT64 if logical.is_some_and(|l| matches!(l, LogicalType::Timestamp(_))) => {
            decimal_time::units_a_day(logical?).map(|units_a_day| Kind::Timestamp { units_a_day })
        }
        Physical::INT64 if converted == ConvertedType::TIMESTAMP_MILLIS => Some(Kind::Timestamp {
            units_a_day: 86_400_000,
        }),
        Physical::INT64 if converted == ConvertedType::TIMESTAMP_MICROS => Some(Kind::Timestamp {
            units_a_day: 86_400_000_000,
        }),
        // Spark's and Impala's timestamps: nanoseconds into a Julian day.
        Physical::INT96 if logical.is_none() && converted == ConvertedType::NONE => {
            Some(Kind::Timestamp {
                units_a_day: 86_400_000_000_000,
            })
        }
        Physical::INT32 if plain_integer => Some(Kind::Int32),
        Physical::INT64 if plain_integer => Some(Kind::Int64),
        Physical::FLOAT if logical.is_none() => Some(Kind::Float),
        Physical::DOUBLE if logical.is_none() => Some(Kind::Double),
        _ => None,
    }
}

/// A column's type in words for an error: its physical type, with its logical type if any.
fn type_name(c: &ColumnDescriptor) -> String {
    let mut s = format!("{}", c.physical_type());
    if c.converted_type() == ConvertedType::DECIMAL {
        let (digits, places) = (c.type_precision(), c.type_scale());
        let _ = write!(s, " (decimal of {digits} digits, {places} places)");
    } else if let Some(l) = c.logical_type_ref() {
        let _ = write!(s, " ({l:?})");
    } else if c.converted_type() != ConvertedType::NONE {
        let _ = write!(s, " ({})", c.converted_type());
    }
    if c.max_rep_level() > 0 {
        s.push_str(", repeated");
    }
    s
}

/// One batch of one column's values: for a text column the id of each row's text
/// ([`text::NULL`] for a null), for a number column the values that are not null (with the
/// definition levels, empty when the column is required).
enum Values {
    Ids(Vec<u32>),
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Float(Vec<f32>),
    Double(Vec<f64>),
    /// Decimals held as bytes, each as its integer (a decimal's digits without its point).
    Wide(Vec<i128>),
}

/// How a column is read through a row group.
enum Source {
    /// A text column, as ids.
    Text(TextReader),
    /// A number or date column, its pages walked here.
    Numbers(Box<NumberPages>),
    /// A number or date column in an encoding not read here, through the crate's typed
    /// column reader.
    Typed(Box<ColumnReader>),
    /// A column decoded on another thread ([`ahead`]), its batches put in.
    Ahead,
}

/// A column being read through a row group: its reader and its current batch.
struct Batch {
    col: Col,
    source: Source,
    def: Vec<i16>,
    values: Values,
    /// The next value (not null) to take.
    next: usize,
    /// Whether the batch was read (rather than skipped).
    read: bool,
    /// Rows skipped and not yet passed in the reader ([`Batch::skip`]).
    owed: usize,
}

impl Batch {
    /// The column `col` of a row group.
    fn open(col: Col, group: &dyn RowGroupReader) -> parquet::errors::Result<Batch> {
        let (source, values) = match col.kind {
            Kind::Text => {
                let chunk = group.metadata().column(col.index);
                let reader = TextReader::new(
                    chunk,
                    col.max_def,
                    || group.get_column_page_reader(col.index),
                    || group.get_column_reader(col.index),
                )?;
                (Source::Text(reader), Values::Ids(Vec::new()))
            }
            _ if !pages::plain_number(group.metadata().column(col.index).column_type()) => {
                let reader = group.get_column_reader(col.index)?;
                let values = match &reader {
                    ColumnReader::Int96ColumnReader(_) => Values::Int64(Vec::new()),
                    _ => Values::Wide(Vec::new()),
                };
                (Source::Typed(Box::new(reader)), values)
            }
            _ if pages::ours(group.metadata().column(col.index), col.max_def) => {
                let pages = group.get_column_page_reader(col.index)?;
                let physical = group.metadata().column(col.index).column_type();
                let (walker, values) =
                    NumberPages::open(physical, pages, col.max_def).ok_or_else(not_its_type)?;
                (Source::Numbers(Box::new(walker)), values)
            }
            _ => {
                let reader = group.get_column_reader(col.index)?;
                let values = match &reader {
                    ColumnReader::Int32ColumnReader(_) => Values::Int32(Vec::new()),
                    ColumnReader::Int64ColumnReader(_) => Values::Int64(Vec::new()),
                    ColumnReader::FloatColumnReader(_) => Values::Float(Vec::new()),
                    _ => Values::Double(Vec::new()),
                };
                (Source::Typed(Box::new(reader)), values)
            }
        };
        Ok(Batch {
            col,
            source,
            def: Vec::new(),
            values,
            next: 0,
            read: false,
            owed: 0,
        })
    }

    /// Skips `rows` rows: they are owed, and passed when the column is next read or at the
    /// end of the row group ([`Batch::settle`]), so that the data pages among the rows of
    /// many batches in a row are passed by unread.
    fn skip(&mut self, rows: usize) {
        self.owed += rows;
        self.read = false;
    }

    /// Passes the rows owed ([`Batch::skip`]), decoding as little as it can; how many of
    /// them the column did not have (0 unless it ends among them).
    fn settle(&mut self, texts: &mut Texts) -> parquet::errors::Result<usize> {
        let owed = std::mem::take(&mut self.owed);
        if owed == 0 {
            return Ok(0);
        }
        Ok(owed - self.skip_now(owed, texts)?)
    }

    /// Skips up to `rows` rows in the column's reader; how many were skipped.
    fn skip_now(&mut self, rows: usize, texts: &mut Texts) -> parquet::errors::Result<usize> {
        let n = match &mut self.source {
            Source::Text(r) => r.skip(rows, texts)?,
            Source::Numbers(p) => p.skip(rows)?,
            Source::Typed(r) => match r.as_mut() {
                ColumnReader::Int32ColumnReader(r) => r.skip_records(rows)?,
                ColumnReader::Int64ColumnReader(r) => r.skip_records(rows)?,
                ColumnReader::FloatColumnReader(r) => r.skip_records(rows)?,
                ColumnReader::DoubleColumnReader(r) => r.skip_records(rows)?,
                ColumnReader::Int96ColumnReader(r) => r.skip_records(rows)?,
                ColumnReader::FixedLenByteArrayColumnReader(r) => r.skip_records(rows)?,
                ColumnReader::ByteArrayColumnReader(r) => r.skip_records(rows)?,
                _ => return Err(not_its_type()),
            },
            Source::Ahead => return Err(not_its_type()),
        };
        Ok(n)
    }

    /// Reads up to `rows` more rows of a text column as runs of rows of one text (see
    /// [`TextReader::fill_runs`]), leaving its ids to be made from them ([`Batch::expand`])
    /// if its rows are looked at one by one; how many were read.
    fn fill_runs(
        &mut self,
        rows: usize,
        texts: &mut Texts,
        runs: &mut Vec<(u32, usize)>,
    ) -> parquet::errors::Result<usize> {
        self.def.clear();
        self.next = 0;
        self.read = true;
        match &mut self.source {
            Source::Text(r) => r.fill_runs(rows, runs, texts),
            _ => Err(not_its_type()),
        }
    }

    /// Makes the batch's ids from the runs of rows of one text [`Batch::fill_runs`] read.
    fn expand(&mut self, runs: &[(u32, usize)]) {
        if let Values::Ids(ids) = &mut self.values {
            ids.clear();
            for &(id, n) in runs {
                ids.extend(std::iter::repeat_n(id, n));
            }
        }
    }

    /// The text ids of this batch of a text column; `None` for another column.
    fn text_ids(&self) -> Option<&[u32]> {
        match &self.values {
            Values::Ids(ids) => Some(ids),
            _ => None,
        }
    }

    /// Reads up to `rows` more rows; how many were read.
    fn fill(&mut self, rows: usize, texts: &mut Texts) -> parquet::errors::Result<usize> {
        self.def.clear();
        self.next = 0;
        self.read = true;
        let def = (self.col.max_def > 0).then_some(&mut self.def);
        let typed = match &mut self.source {
            Source::Text(r) => {
                let Values::Ids(ids) = &mut self.values else {
                    return Err(not_its_type());
                };
                return r.fill(rows, ids, texts);
            }
            Source::Numbers(p) => {
                return p.fill(rows, self.col.max_def, &mut self.def, &mut self.values);
            }
            Source::Typed(r) => r.as_mut(),
            Source::Ahead => return Err(not_its_type()),
        };
        let (n, _, _) = match (typed, &mut self.values) {
            (ColumnReader::Int32ColumnReader(r), Values::Int32(v)) => {
                v.clear();
                r.read_records(rows, def, None, v)?
            }
            (ColumnReader::Int64ColumnReader(r), Values::Int64(v)) => {
                v.clear();
                r.read_records(rows, def, None, v)?
            }
            (ColumnReader::FloatColumnReader(r), Values::Float(v)) => {
                v.clear();
                r.read_records(rows, def, None, v)?
            }
            (ColumnReader::DoubleColumnReader(r), Values::Double(v)) => {
                v.clear();
                r.read_records(rows, def, None, v)?
            }
            (ColumnReader::Int96ColumnReader(r), Values::Int64(v)) => {
                let mut read = Vec::with_capacity(rows);
                let n = r.read_records(rows, def, None, &mut read)?;
                v.clear();
                v.extend(read.iter().map(decimal_time::int96_nanos));
                n
            }
            (ColumnReader::FixedLenByteArrayColumnReader(r), Values::Wide(v)) => {
                let mut read = Vec::with_capacity(rows);
                let n = r.read_records(rows, def, None, &mut read)?;
                wide_decimals(read.iter().map(|b| b.data()), v)?;
                n
            }
            (ColumnReader::ByteArrayColumnReader(r), Values::Wide(v)) => {
                let mut read = Vec::with_capacity(rows);
                let n = r.read_records(rows, def, None, &mut read)?;
                wide_decimals(read.iter().map(|b| b.data()), v)?;
                n
            }
            _ => return Err(not_its_type()),
        };
        Ok(n)
    }

    /// Takes the batch's definition levels and values (read on another thread), leaving
    /// room for the next `rows`.
    fn take_values(&mut self, rows: usize) -> (Vec<i16>, Values) {
        let empty = match &self.values {
            Values::Ids(_) => Values::Ids(Vec::with_capacity(rows)),
            Values::Int32(_) => Values::Int32(Vec::with_capacity(rows)),
            Values::Int64(_) => Values::Int64(Vec::with_capacity(rows)),
            Values::Float(_) => Values::Float(Vec::with_capacity(rows)),
            Values::Double(_) => Values::Double(Vec::with_capacity(rows)),
            Values::Wide(_) => Values::Wide(Vec::with_capacity(rows)),
        };
        let def = match self.def.is_empty() {
            true => Vec::new(),
            false => Vec::with_capacity(rows),
        };
        (
            std::mem::replace(&mut self.def, def),
            std::mem::replace(&mut self.values, empty),
        )
    }

    /// Puts in a batch read on another thread.
    fn put(&mut self, (def, values): (Vec<i16>, Values)) {
        self.def = def;
        self.values = values;
        self.next = 0;
        self.read = true;
    }

    /// Where row `i`'s value is among the batch's values, `None` for a null; rows are taken
    /// in order, each once.
    #[inline(always)]
    fn advance(&mut self, i: usize) -> Option<usize> {
        match &self.values {
            Values::Ids(ids) => (ids[i] != text::NULL).then_some(i),
            _ => (self.col.max_def == 0 || self.def[i] == self.col.max_def).then(|| {
                self.next += 1;
                self.next - 1
            }),
        }
    }

    /// The text id at `k` (from [`Batch::advance`]), [`text::NULL`] for a null.
    #[inline]
    fn id(&self, k: Option<usize>) -> u32 {
        match (&self.values, k) {
            (Values::Ids(ids), Some(k)) => ids[k],
            _ => text::NULL,
        }
    }

    /// The value at `k` (from [`Batch::advance`]) as the reading takes it; `None` when its
    /// text is not UTF-8.
    #[inline(always)]
    fn field<'t>(&self, k: Option<usize>, texts: &'t Texts) -> Option<Field<'t>> {
        let Some(k) = k else {
            return Some(Field::Null);
        };
        Some(match &self.values {
            Values::Ids(v) => Field::Text(texts.get(v[k])?),
            Values::Int32(v) => match self.col.kind {
                Kind::Date => Field::Date(v[k]),
                Kind::Decimal { scale } => Field::Decimal(i128::from(v[k]), scale),
                _ => Field::Int(i64::from(v[k])),
            },
            Values::Int64(v) => match self.col.kind {
                Kind::Decimal { scale } => Field::Decimal(i128::from(v[k]), scale),
                Kind::Timestamp { units_a_day } => Field::stamp(v[k], units_a_day),
                _ => Field::Int(v[k]),
            },
            Values::Float(v) => Field::Float(v[k]),
            Values::Double(v) => Field::Double(v[k]),
            Values::Wide(v) => match self.col.kind {
                Kind::Decimal { scale } => Field::Decimal(v[k], scale),
                _ => Field::Null,
            },
        })
    }
}

/// Decimals given as big-endian bytes, each made its integer, into `out` (emptied first).
fn wide_decimals<'b>(
    bytes: impl Iterator<Item = &'b [u8]>,
    out: &mut Vec<i128>,
) -> parquet::errors::Result<()> {
    out.clear();
    for b in bytes {
        let v = decimal_time::decimal_of_bytes(b).ok_or_else(|| {
            parquet::errors::ParquetError::General(format!(
                "a decimal of {} bytes does not fit in 38 digits",
                b.len()
            ))
        })?;
        out.push(v);
    }
    Ok(())
}

/// A column's reader not of the column's type (which [`Layout::of`] rules out).
fn not_its_type() -> parquet::errors::ParquetError {
    parquet::errors::ParquetError::General("a column's reader is not of its type".to_string())
}

/// One field of a row, typed as its column holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field<'b> {
    /// A null: an empty field.
    Null,
    /// Text, trimmed as the CSV's fields are.
    Text(&'b str),
    /// A period's text, and the period it reads as.
    Period(&'b str, Period),
    /// A date, in days since 1970-01-01.
    Date(i32),
    /// An integer.
    Int(i64),
    /// A single-precision float.
    Float(f32),
    /// A double.
    Double(f64),
    /// A decimal: its digits as an integer, and its places.
    Decimal(i128, u8),
    /// A timestamp not at midnight: its day since 1970-01-01 and nanoseconds into it.
    Time(i64, i64),
}

impl<'b> Field<'b> {
    /// The field's text when it is text, else `""`.
    #[inline]
    fn as_text(self) -> &'b str {
        match self {
            Field::Text(s) | Field::Period(s, _) => s,
            _ => "",
        }
    }

    /// The field as the same data written as CSV would have it.
    fn text(self) -> String {
        let mut out = String::new();
        match self {
            Field::Null => {}
            Field::Text(s) | Field::Period(s, _) => out.push_str(s),
            Field::Date(d) => write_date(d, &mut out),
            Field::Int(v) => {
                let _ = write!(out, "{v}");
            }
            Field::Float(v) => {
                let _ = write!(out, "{v}");
            }
            Field::Double(v) => write_double(v, &mut out),
            Field::Decimal(v, scale) => decimal_time::write_decimal(v, scale, &mut out),
            Field::Time(day, nanos) => decimal_time::write_stamp(day, nanos, &mut out),
        }
        out
    }

    /// A timestamp of `units_a_day` units a day: a date when at midnight (and within a
    /// date's range), as a date column's; else a time.
    fn stamp(v: i64, units_a_day: i64) -> Field<'b> {
        match decimal_time::stamp_day(v, units_a_day) {
            Ok(day) => i32::try_from(day).map_or(Field::Time(day, 0), Field::Date),
            Err((day, nanos)) => Field::Time(day, nanos),
        }
    }
}

/// A row handed to the reading as its typed fields (in the order of [`NAMES`]): numbers and
/// dates are taken as they are, and a field is written as text only when a message shows it
/// or the reading parses it (a float, a number or period held as text).
struct TypedRow<'b> {
    fields: [Field<'b>; 6],
    texts: [OnceCell<String>; 6],
}

impl<'b> TypedRow<'b> {
    fn new(fields: [Field<'b>; 6]) -> TypedRow<'b> {
        TypedRow {
            fields,
            texts: Default::default(),
        }
    }
}

impl RowFields for TypedRow<'_> {
    #[inline]
    fn get(&self, i: usize) -> Option<&str> {
        Some(match self.fields.get(i)? {
            Field::Null => "",
            Field::Text(s) | Field::Period(s, _) => s,
            f => self.texts[i].get_or_init(|| f.text()),
        })
    }

    fn joined(&self) -> String {
        (0..self.fields.len())
            .map(|i| self.get(i).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(",")
    }

    #[inline]
    fn number_at(&self, i: usize) -> Option<Result<Option<f64>, NumberError>> {
        // What the number's text would read as: a double's shortest decimal reads back as
        // the double, an integer's digits as the nearest double, which `as` gives.
        match *self.fields.get(i)? {
            Field::Null => Some(Ok(None)),
            Field::Double(v) => Some(check(v).map(Some)),
            Field::Int(v) => Some(check(v as f64).map(Some)),
            Field::Decimal(v, scale) => {
                decimal_time::exact_decimal(v, scale).map(|v| check(v).map(Some))
            }
            _ => None,
        }
    }

    #[inline]
    fn period_at(&self, i: usize) -> Option<Period> {
        let days = match *self.fields.get(i)? {
            Field::Date(days) => days,
            Field::Period(_, p) => return Some(p),
            _ => return None,
        };
        day_period(days)
    }

    #[inline]
    fn decimals_at(&self, i: usize) -> Option<i32> {
        match *self.fields.get(i)? {
            Field::Double(v) => decimals_of(v),
            Field::Int(_) | Field::Null => Some(0),
            // Its text has its scale's places, as many as it has.
            Field::Decimal(_, scale) => Some(i32::from(scale)),
            _ => None,
        }
    }
}

/// The period a date given as days since 1970-01-01 reads as: `YYYY-MM-DD` reads as that
/// day; other years are written otherwise and refused.
#[inline]
fn day_period(days: i32) -> Option<Period> {
    let start = epoch().checked_add_signed(chrono::TimeDelta::days(i64::from(days)))?;
    (0..=9999).contains(&start.year()).then_some(Period {
        kind: PeriodType::Day,
        start,
    })
}

/// 1970-01-01, from which Parquet counts dates.
fn epoch() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// The decimal places of a double as `{}` writes it (`71.4` has 1), found without writing
/// it: the fewest places `d` such that the nearest decimal of `d` places reads back as the
/// double. Exact while that decimal's digits stay below 2^50 (then rounding the scaled
/// double finds it, and the division is correctly rounded, as parsing is); `None` beyond.
fn decimals_of(v: f64) -> Option<i32> {
    let a = v.abs();
    // By reference: the table is not copied onto the stack at each call.
    for (d, &p) in (0i32..).zip(crate::data::POW10.iter()) {
        let x = round_below_2_50(a * p)?;
        if x / p == a {
            return Some(d);
        }
    }
    None
}

/// Whether a double value `v` that is `off` from the value computed from its counts agrees
/// with it to the decimal places it has ([`decimals_of`]): what [`plain_value`] finds, told
/// with one division instead of one for each place. The largest number of places `d` whose
/// tolerance `off` is within is found from [`TOLERANCE`]; `v` has at most `d` places exactly
/// when it reads back from `d` places, since (well below 2^50) a value that reads back from
/// fewer places reads back from more. Past that bound, each place is tried as before.
///
/// [`plain_value`]: crate::data::plain_value
/// [`TOLERANCE`]: crate::data::TOLERANCE
#[inline]
fn agrees_to_places(v: f64, off: f64) -> bool {
    use crate::data::{POW10, TOLERANCE};
    // No number of places allows more than the first tolerance (nor a NaN).
    if off.is_nan() || off > TOLERANCE[0] {
        return false;
    }
    let mut most = 0;
    while most + 1 < TOLERANCE.len() && off <= TOLERANCE[most + 1] {
        most += 1;
    }
    let (a, p) = (v.abs(), POW10[most]);
    let scaled = a * p;
    if scaled < 562_949_953_421_312.0 {
        // Below 2^49: the rounding is exact and reading back is monotone in the places.
        return round_below_2_50(scaled).is_some_and(|x| x / p == a);
    }
    decimals_of(v)
        .is_some_and(|places| off <= TOLERANCE.get(places as usize).copied().unwrap_or(f64::NAN))
}

/// `x.round()` for `0 <= x < 2^50` (with no call to the C library, which `round` makes
/// where the processor has no rounding instruction), `None` when the rounded `x` is not
/// below 2^50, or `x` is NaN.
#[inline(always)]
fn round_below_2_50(x: f64) -> Option<f64> {
    const LIMIT: f64 = 1_125_899_906_842_624.0;
    if x.is_nan() || x >= LIMIT {
        return None;
    }
    // Exact: the conversion truncates, and below 2^50 the fraction is exactly `x - whole`.
    let whole = x as i64 as f64;
    let rounded = if x - whole >= 0.5 { whole + 1.0 } else { whole };
    (rounded < LIMIT).then_some(rounded)
}

/// Writes a double as its shortest decimal (as `{}` does): a whole number (most counts) as
/// the integer, which is the same text and quicker to write.
fn write_double(v: f64, out: &mut String) {
    // Below 2^53 every whole double is an exact i64; -0.0 is left to `{}` ("-0").
    if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 && (v != 0.0 || v.is_sign_positive()) {
        let _ = write!(out, "{}", v as i64);
    } else {
        let _ = write!(out, "{v}");
    }
}

/// Writes a date given as days since 1970-01-01 as `YYYY-MM-DD`.
fn write_date(days: i32, out: &mut String) {
    match epoch().checked_add_signed(chrono::TimeDelta::days(i64::from(days))) {
        Some(d) => {
            let _ = write!(out, "{d}");
        }
        // Beyond chrono's range: a number no period reads, so the row's error says so.
        None => {
            let _ = write!(out, "{days}");
        }
    }
}

/// What is carried from row to row: the texts of the text columns and what each is (found
/// once a text), the organisations kept, the last organisation handed on whose rows are not
/// kept, and the series of the last row taken straight into its series.
struct RowsOut<'a> {
    keep: Option<&'a BTreeSet<String>>,
    /// The line of the last row (the header is line 1).
    line: u64,
    /// By organisation id: whether the organisation has been noted among the file's.
    noted: Vec<bool>,
    /// Room for a batch's organisations as runs of rows of one (id, rows).
    org_runs: Vec<(u32, usize)>,
    /// The distinct texts of each text column, by id.
    texts: [Texts; 6],
    /// By organisation id: whether its rows are kept.
    kept: Vec<Slot<bool>>,
    /// The set's indicators, by id as written in the set.
    set: BTreeMap<&'a str, &'a Indicator>,
    /// By indicator id: the set's indicator whose rows are read from the file, if any.
    indicators: Vec<Slot<Option<&'a Indicator>>>,
    /// By period id: the period its text reads as, if any.
    periods: Vec<Slot<Option<Period>>>,
    /// The (organisation, indicator) ids of the last row taken straight into its series.
    clean: Option<(u32, u32)>,
    /// The set's indicator of that row.
    clean_ind: Option<&'a Indicator>,
    /// Where each series met is kept in the reading's series, by organisation and
    /// indicator ids.
    series: sct_spc::funnel::QuickMap<(u32, u32), usize>,
    /// Periods read from text in a column not of text (never used: text periods come typed).
    period_texts: PeriodCache,
    /// Room to gather a run of plain rows in ([`plain::take`]), and their values as given.
    run: crate::observations::Run,
    given: Vec<Option<f64>>,
    /// Where the reading is cut into batches of whole organisations, when it is.
    batches: Option<in_batches::InBatches<'a>>,
}

impl<'a> RowsOut<'a> {
    fn new(set: &'a KpiSet, keep: Option<&'a BTreeSet<String>>) -> RowsOut<'a> {
        RowsOut {
            keep,
            line: 1,
            noted: Vec::new(),
            org_runs: Vec::new(),
            texts: Default::default(),
            kept: Vec::new(),
            set: set
                .indicators
                .iter()
                .map(|i| (i.id.get_ref().as_str(), i))
                .collect(),
            indicators: Vec::new(),
            periods: Vec::new(),
            clean: None,
            clean_ind: None,
            series: Default::default(),
            period_texts: PeriodCache::new(),
            run: Default::default(),
            given: Vec::new(),
            batches: None,
        }
    }

    /// Whether the rows of the organisation of id `id` are kept (`true` when its text is not
    /// UTF-8, so that its row is read and reported).
    #[inline]
    fn kept_id(&mut self, id: u32) -> bool {
        let (texts, keep) = (&self.texts[0], self.keep);
        cached(&mut self.kept, id, || {
            texts
                .get(id)
                .is_none_or(|s| keep.is_none_or(|k| k.contains(s)))
        })
    }
}

impl<'a> RowsOut<'a> {
    /// When the reading is cut into batches, notes that the row on the current line is of the
    /// organisation of id `id`, which may end the batch read so far (see
    /// [`in_batches::InBatches::row`]) and start `reading` afresh.
    fn cut_before(
        &mut self,
        id: u32,
        reading: &mut Reading<'a>,
        file: &str,
    ) -> Result<(), ParquetError> {
        let Some(cut) = self.batches.as_mut() else {
            return Ok(());
        };
        match cut.row(id, self.texts[0].get(id), self.line, reading) {
            Ok(false) => {}
            // A new reading: the series of the last one are not in it (nor is any of their
            // organisation's met again), and the map would otherwise grow with the file.
            Ok(true) => {
                self.series.clear();
                (self.clean, self.clean_ind) = (None, None);
            }
            Err(in_batches::Stopped) => return Err(ahead::stopped(file)),
        }
        Ok(())
    }
}

impl RowsOut<'_> {
    /// Notes the organisation of id `id` (of a row on `line` that is not kept) among the
    /// file's organisations, once an id.
    fn note_org(
        &mut self,
        id: u32,
        reading: &mut Reading<'_>,
        file: &str,
        line: u64,
    ) -> Result<(), ParquetError> {
        let i = id as usize;
        if self.noted.get(i) == Some(&true) {
            return Ok(());
        }
        let text = self.texts[0]
            .get(id)
            .ok_or_else(|| not_utf8(file, 0, line))?;
        reading.note_organisation(text);
        if id != text::NULL {
            if self.noted.len() <= i {
                self.noted.resize(i + 1, false);
            }
            self.noted[i] = true;
        }
        Ok(())
    }
}

/// What is known of one text: not yet looked at, or what it was found to be.
#[derive(Debug, Clone, Copy)]
enum Slot<T> {
    Unknown,
    Found(T),
}

/// What `v` holds for id `id`, found by `find` the first time (and every time for a null,
/// which has no place).
#[inline]
fn cached<T: Copy>(v: &mut Vec<Slot<T>>, id: u32, find: impl FnOnce() -> T) -> T {
    let i = id as usize;
    if let Some(Slot::Found(t)) = v.get(i) {
        return *t;
    }
    let t = find();
    if id != text::NULL {
        if v.len() <= i {
            v.resize_with(i + 1, || Slot::Unknown);
        }
        v[i] = Slot::Found(t);
    }
    t
}

/// Reads one row group, a batch at a time, handing each row on. The organisation column is
/// read first: a batch with no row of an organisation kept has its other columns skipped
/// (whole pages unread where they fall inside it). With `two` (a second core, and a file read
/// at offsets), when every row is kept and the group is more than a batch, its columns are
/// decoded on another thread, which also finds the plain rows of the first part of each
/// batch ([`ahead`], [`prepared`]); this one finds those of the rest and builds the series.
fn read_group<'a>(
    file: &str,
    layout: &Layout,
    group: &dyn RowGroupReader,
    reading: &mut Reading<'a>,
    out: &mut RowsOut<'a>,
    two: bool,
) -> Result<(), ParquetError> {
    let mut batches: Vec<Option<Batch>> = Vec::with_capacity(6);
    for col in &layout.0 {
        batches.push(match col {
            Some(c) => Some(Batch::open(*c, group).map_err(|e| unreadable(file, &e))?),
            None => None,
        });
    }
    let total = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
    if !(two && out.keep.is_none() && total > BATCH) {
        return read_batches(file, &mut batches, total, reading, out, None);
    }
    let mut cols = Vec::new();
    for (c, b) in batches.iter_mut().enumerate() {
        if let Some(b) = b.as_mut() {
            let source = std::mem::replace(&mut b.source, Source::Ahead);
            let ahead = Batch {
                col: b.col,
                source,
                def: Vec::new(),
                values: b.take_values(0).1,
                next: 0,
                read: false,
                owed: 0,
            };
            cols.push((c, ahead));
        }
    }
    // The texts go with the decoding, which interns more; a copy here is kept up with them.
    let texts = std::mem::take(&mut out.texts);
    out.texts = texts.each_ref().map(Texts::mirror);
    let preparer = prepared::Preparer::new(out.set.clone());
    let mut mine = prepared::Preparer::new(out.set.clone());
    std::thread::scope(|s| {
        // Two batches decoded ahead at most: memory stays a few batches whatever the file.
        let (to, from) = std::sync::mpsc::sync_channel(2);
        let decoding = s.spawn(move || ahead::decode(file, cols, total, to, texts, Some(preparer)));
        let ahead = Ahead {
            from: &from,
            preparer: &mut mine,
        };
        let read = read_batches(file, &mut batches, total, reading, out, Some(ahead));
        // Dropped before waiting: a decoding thread still sending then stops.
        drop(from);
        match decoding.join() {
            Ok(texts) => out.texts = texts,
            Err(panic) => std::panic::resume_unwind(panic),
        }
        read
    })
}

/// The batches decoded on another thread ([`ahead`]), and the finding of the plain rows of
/// each that is left to this one.
struct Ahead<'r, 'a> {
    from: &'r std::sync::mpsc::Receiver<ahead::Step>,
    preparer: &'r mut prepared::Preparer<'a>,
}

/// Reads the batches of a row group of `total` rows (see [`read_group`]); `ahead` gives
/// the batches of the columns decoded on another thread.
fn read_batches<'a>(
    file: &str,
    batches: &mut [Option<Batch>],
    total: usize,
    reading: &mut Reading<'a>,
    out: &mut RowsOut<'a>,
    mut ahead: Option<Ahead<'_, '_>>,
) -> Result<(), ParquetError> {
    let mut done = 0;
    while done < total {
        let want = BATCH.min(total - done);
        let mut decoded = match &ahead {
            Some(a) => Some(ahead::receive(a.from, file)?),
            None => None,
        };
        if let Some(sent) = decoded.as_mut() {
            for (c, more) in std::mem::take(&mut sent.texts) {
                out.texts[c].adopt(more);
            }
        }
        let at = (done, want, total);
        let mut runs = std::mem::take(&mut out.org_runs);
        let any_kept = read_orgs(file, batches, &mut decoded, at, &mut runs, out)?;
        read_others(file, batches, &mut decoded, at, any_kept, out)?;
        // The batch's plain rows: those of its first rows found on the other thread, the
        // rest here.
        let split = prepared::ahead_rows(want);
        let prepared = match (decoded.and_then(|sent| sent.prepared), ahead.as_mut()) {
            (Some(head), Some(a)) => {
                let view = [0, 1, 2, 3, 4, 5].map(|c| batches[c].as_ref());
                let tail = a.preparer.prepare(&view, &out.texts, split..want);
                Some([(head, 0), (tail, split)])
            }
            _ => None,
        };
        if any_kept {
            let mut i = 0;
            while i < want {
                // The plain rows of the series the row before went into, taken straight.
                let to = match &prepared {
                    Some([(head, _), (tail, split)]) => match i < *split {
                        true => prepared::take(head, 0, batches, i, *split, reading, out),
                        false => prepared::take(tail, *split, batches, i, want, reading, out),
                    },
                    None => plain::take(batches, i, want, reading, out),
                };
                if to > i {
                    i = to;
                    continue;
                }
                out.line += 1;
                hand_on(file, batches, i, reading, out)?;
                i += 1;
            }
        } else {
            pass_over(file, &runs, want, reading, out)?;
        }
        out.org_runs = runs;
        done += want;
    }
    settle_all(file, batches, total, out)
}

/// Reads the organisation column of the batch of `want` rows from row `done` of a row
/// group of `total` (`at`); whether any of its rows is kept. With organisations to keep,
/// the organisations are read as runs of rows of one into `runs`, one look at each telling
/// whether any row is kept, and the rows' ids are made only when one is.
fn read_orgs(
    file: &str,
    batches: &mut [Option<Batch>],
    decoded: &mut Option<ahead::Sent>,
    (done, want, total): (usize, usize, usize),
    runs: &mut Vec<(u32, usize)>,
    out: &mut RowsOut<'_>,
) -> Result<bool, ParquetError> {
    let Some(orgs) = batches[0].as_mut() else {
        unreachable!("the organisation column is required")
    };
    let n = match (&orgs.source, out.keep) {
        (Source::Ahead, _) => {
            orgs.put(next_column(decoded, file)?);
            want
        }
        (_, None) => orgs
            .fill(want, &mut out.texts[0])
            .map_err(|e| unreadable(file, &e))?,
        (_, Some(_)) => orgs
            .fill_runs(want, &mut out.texts[0], runs)
            .map_err(|e| unreadable(file, &e))?,
    };
    if n != want {
        return Err(short(file, 0, done + n, total));
    }
    let any_kept = out.keep.is_none() || runs.iter().any(|&(id, _)| out.kept_id(id));
    if any_kept && out.keep.is_some() {
        orgs.expand(runs);
    }
    Ok(any_kept)
}

/// Reads the other columns of the batch at `at` (as [`read_orgs`]), or skips them when
/// none of its rows is kept.
fn read_others(
    file: &str,
    batches: &mut [Option<Batch>],
    decoded: &mut Option<ahead::Sent>,
    (done, want, total): (usize, usize, usize),
    any_kept: bool,
    out: &mut RowsOut<'_>,
) -> Result<(), ParquetError> {
    for (c, b) in batches.iter_mut().enumerate().skip(1) {
        let Some(b) = b else { continue };
        if matches!(b.source, Source::Ahead) {
            b.put(next_column(decoded, file)?);
            continue;
        }
        if !any_kept {
            b.skip(want);
            continue;
        }
        let missing = b
            .settle(&mut out.texts[c])
            .map_err(|e| unreadable(file, &e))?;
        if missing > 0 {
            return Err(short(file, c, done - missing, total));
        }
        let n = b
            .fill(want, &mut out.texts[c])
            .map_err(|e| unreadable(file, &e))?;
        if n != want {
            return Err(short(file, c, done + n, total));
        }
    }
    Ok(())
}

/// Passes the rows still owed at the end of a row group of `total` rows, so that a column
/// shorter than the row group is found.
fn settle_all(
    file: &str,
    batches: &mut [Option<Batch>],
    total: usize,
    out: &mut RowsOut<'_>,
) -> Result<(), ParquetError> {
    for (c, b) in batches.iter_mut().enumerate().skip(1) {
        let Some(b) = b else { continue };
        let missing = b
            .settle(&mut out.texts[c])
            .map_err(|e| unreadable(file, &e))?;
        if missing > 0 {
            return Err(short(file, c, total - missing, total));
        }
    }
    Ok(())
}

/// The next column of a batch decoded on the other thread.
fn next_column(
    decoded: &mut Option<ahead::Sent>,
    file: &str,
) -> Result<(Vec<i16>, Values), ParquetError> {
    // Sent until one fails, which the reading stops at: never short of a column.
    let batch = decoded.as_mut().and_then(|sent| sent.cols.next());
    batch.unwrap_or_else(|| Err(ahead::stopped(file)))
}

/// Counts a batch of `rows` rows none of which is kept (only its organisation column was
/// read, as runs of rows of one organisation), noting each organisation among the file's.
fn pass_over(
    file: &str,
    runs: &[(u32, usize)],
    rows: usize,
    reading: &mut Reading<'_>,
    out: &mut RowsOut<'_>,
) -> Result<(), ParquetError> {
    out.clean = None;
    let mut line = out.line + 1;
    for &(id, n) in runs {
        out.note_org(id, reading, file, line)?;
        line += n as u64;
    }
    out.line += rows as u64;
    reading.more_rows_not_kept(rows as u64);
    Ok(())
}

/// Hands row `i` of the batches on with its fields typed. A row whose organisation is not
/// kept is only counted, its organisation noted among the file's (once an organisation).
/// Any other goes on with every field. A kept row that is plain (no error,
/// flag or skip to record) goes straight into its series, as the CSV's plain rows do.
fn hand_on<'a>(
    file: &str,
    batches: &mut [Option<Batch>],
    i: usize,
    reading: &mut Reading<'a>,
    out: &mut RowsOut<'a>,
) -> Result<(), ParquetError> {
    let mut at = [None; 6];
    for (k, b) in at.iter_mut().zip(batches.iter_mut()) {
        if let Some(b) = b.as_mut().filter(|b| b.read) {
            *k = b.advance(i);
        }
    }
    let id = |c: usize| batches[c].as_ref().map_or(text::NULL, |b| b.id(at[c]));
    let (org_id, ind_id, period_id) = (id(0), id(1), id(2));
    if !out.kept_id(org_id) {
        out.clean = None;
        out.note_org(org_id, reading, file, out.line)?;
        reading.more_rows_not_kept(1);
        return Ok(());
    }
    out.cut_before(org_id, reading, file)?;
    let mut fields = [Field::Null; 6];
    for (c, f) in fields.iter_mut().enumerate() {
        *f = field(batches, &out.texts, &at, c).ok_or_else(|| not_utf8(file, c, out.line))?;
    }
    let (org, ind_text) = (fields[0].as_text(), fields[1].as_text());
    // A period written as text is parsed once a text, and handed on parsed.
    if let Field::Text(s) = fields[2]
        && let Some(p) = cached(&mut out.periods, period_id, || Period::parse(s).ok())
    {
        fields[2] = Field::Period(s, p);
    }
    let row = TypedRow::new(fields);
    let line = out.line;
    let set = &out.set;
    let ind = cached(&mut out.indicators, ind_id, || {
        set.get(ind_text).copied().filter(|i| i.measure.is_none())
    });
    let clean = ind.and_then(|ind| {
        let cols = reading.cols;
        Some((
            ind,
            Reading::clean_row(ind, cols, &mut out.period_texts, line, &row)?,
        ))
    });
    let Some((ind, r)) = clean else {
        out.clean = None;
        reading.row(line, &row);
        return Ok(());
    };
    reading.rows_read += 1;
    reading.rows_kept += 1;
    match reading.series.current() {
        // The series of the row before, which that row was added to.
        Some(series) if out.clean == Some((org_id, ind_id)) => series.push(r),
        _ => {
            reading.kept(org);
            let ind_text = ind.id.get_ref();
            // Each series' place is kept by its ids: met again, it is gone back to directly.
            let at = match out.series.get(&(org_id, ind_id)) {
                Some(&at) => at,
                None => {
                    let at = reading.series.enter(org, ind_text);
                    out.series.insert((org_id, ind_id), at);
                    at
                }
            };
            reading.series.enter_at(at, org, ind_text).push(r);
        }
    }
    out.clean = Some((org_id, ind_id));
    out.clean_ind = Some(ind);
    Ok(())
}

/// Field `c` of the row the batches' values `at` are of; `None` when its text is not UTF-8.
#[inline(always)]
fn field<'t>(
    batches: &[Option<Batch>],
    texts: &'t [Texts; 6],
    at: &[Option<usize>; 6],
    c: usize,
) -> Option<Field<'t>> {
    match &batches[c] {
        Some(b) => b.field(at[c], &texts[c]),
        None => Some(Field::Null),
    }
}

/// Column `c` on `line` is not UTF-8 text.
#[cold]
fn not_utf8(file: &str, c: usize, line: u64) -> ParquetError {
    ParquetError::NotUtf8 {
        file: file.to_string(),
        column: NAMES[c],
        row: line - 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_hash_beside_is_the_files_and_stops_when_told() {
        use std::io::Write as _;
        let mut file = tempfile::tempfile().unwrap();
        // More than one read's worth, and not a whole number of them.
        let bytes: Vec<u8> = (0..200_003u32).map(|i| (i * 7 % 251) as u8).collect();
        file.write_all(&bytes).unwrap();
        let go_on = std::sync::atomic::AtomicBool::new(false);
        let beside = sha256_at(&file, &go_on).unwrap();
        assert_eq!(beside, hex(Sha256::new_with_prefix(&bytes)));
        let stop = std::sync::atomic::AtomicBool::new(true);
        assert!(sha256_at(&file, &stop).is_err());
    }

    #[test]
    fn doubles_are_written_as_display_writes_them() {
        let values = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            5.0,
            71.4,
            1e15,
            1e16,
            -1e16,
            9_007_199_254_740_991.0,
            9_007_199_254_740_992.0,
            1e300,
            0.1,
            1e-7,
            -2.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
        ];
        for v in values {
            let mut out = String::new();
            write_double(v, &mut out);
            assert_eq!(out, format!("{v}"), "{v:?}");
        }
    }

    #[test]
    fn decimal_places_are_counted_as_display_writes_them() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            71.4,
            71.45,
            0.1,
            0.3,
            1e-7,
            1.5e-300,
            123.456,
            99.95,
            1e14 + 0.5,
            999_999_999_999_999.9,
            1e15,
            1e16,
            0.1 + 0.2,
            2.0 / 3.0,
            -5.25,
        ];
        // Counts as an extract writes them (one or two places), then arbitrary doubles.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            values.push(match i % 4 {
                0 => (u * 1e5).round() / 10.0,
                1 => (u * 1e6).round() / 100.0,
                2 => u * 10f64.powi((x % 40) as i32 - 20),
                _ => f64::from_bits(x),
            });
        }
        for v in values {
            let text = format!("{v}");
            let places = text.split_once('.').map_or(0, |(_, d)| d.len() as i32);
            if let Some(d) = decimals_of(v) {
                assert_eq!(d, places, "{v:?} written {text}");
            }
        }
        assert_eq!(decimals_of(71.4), Some(1));
        assert_eq!(decimals_of(0.05), Some(2));
        assert_eq!(decimals_of(f64::NAN), None);
    }

    proptest::proptest! {
        #[test]
        fn agreeing_to_places_is_what_counting_the_places_gives(
            digits in proptest::prelude::any::<u64>(),
            places in 0i32..26,
            bits in proptest::prelude::any::<u64>(),
            d in 0usize..23,
            nudge in -3i64..4,
            spread in 0.0f64..1.0,
        ) {
            use crate::data::{POW10, TOLERANCE};
            // Values written to a few places (as extracts have them), of every size up to
            // and past 2^50, and any double; offsets at and beside each tolerance, and any.
            let scale = 10f64.powi(places);
            let written = [
                (digits % 1_000_000) as f64 / scale,
                (digits >> 12) as f64 / scale,
                (digits % (1 << 49)) as f64 / POW10[d],
                f64::from_bits(bits).abs(),
                -((digits % 100_000) as f64) / scale,
            ];
            let at = f64::from_bits((TOLERANCE[d].to_bits() as i64 + nudge) as u64);
            for v in written {
                for off in [at, spread, spread * 1e-6, TOLERANCE[d], 0.0, f64::NAN] {
                    let expected = decimals_of(v).is_some_and(|p| off <= crate::data::TOLERANCE.get(p as usize).copied().unwrap_or(f64::NAN));
                    proptest::prop_assert_eq!(agrees_to_places(v, off), expected, "{:?} off {:?}", v, off);
                }
            }
        }

        #[test]
        fn rounding_below_2_50_is_the_library_round(bits in proptest::prelude::any::<u64>(), scale in 0u32..60) {
            // Any double, and doubles spread over the range that matters (below 2^50),
            // halves and near-halves included.
            let any = f64::from_bits(bits).abs();
            let spread = (bits >> 11) as f64 / (1u64 << 53) as f64 * 2f64.powi(scale as i32);
            let halves = (bits % (1 << 40)) as f64 + 0.5;
            for x in [any, spread, halves, halves.next_down(), halves.next_up()] {
                let expected = Some(x.round()).filter(|r| *r < 1_125_899_906_842_624.0);
                proptest::prop_assert_eq!(round_below_2_50(x), expected, "{:?}", x);
            }
        }
    }

    #[test]
    fn dates_are_written_as_iso_days() {
        let mut out = String::new();
        write_date(19814, &mut out);
        assert_eq!(out, "2024-04-01");
        out.clear();
        write_date(i32::MAX, &mut out);
        assert_eq!(out, i32::MAX.to_string());
    }
}
