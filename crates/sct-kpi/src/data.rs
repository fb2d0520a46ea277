//! KPI data: the long-form CSV `organisation,indicator,period,value[,numerator,denominator]`,
//! read as a stream (only the rows of the organisations asked for are kept), checked row by
//! row, and gathered into one series per organisation and indicator with its data-quality
//! flags.
//!
//! Errors (the input cannot be used): an unreadable header, a period or number that does not
//! parse, a proportion or rate with a zero denominator, no value and no numerator/denominator,
//! periods of more than one type in a series, or periods coarser than the indicator's.
//! Flags (the input is used, and the review says what is wrong): missing periods, duplicate
//! rows, late data, a numerator above its denominator, values outside the set's plausible
//! range, and a value that does not match its numerator and denominator.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Read;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use sct_core::csv_line::LineTracker;
use sct_core::diagnostic::{Diagnostic, Diagnostics, Location, Snippet};
use sct_core::provenance::FileUsed;

use crate::aggregate::{aggregate, period_of};
use crate::kpiset::{Indicator, KpiSet, ValueType};
use crate::lines::{self, word};
use crate::number::{NumberError, show};
pub use crate::observations::Observations;
use crate::period::{ACCEPTED_FORMS, Period, PeriodType};
use crate::read_errors::{MAX_ERRORS, ReadErrors};
use crate::row_batches::{self, Split};
use crate::series_rows::{Folded, Listing, SeriesRows};
use crate::series_store::SeriesStore;

/// Most items listed in one flag ("missing periods", "duplicate rows", …).
pub(crate) const MAX_LISTED: usize = 6;

/// One value for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observation {
    /// The period.
    #[serde(serialize_with = "crate::aggregate::serialize_period")]
    pub period: Period,
    /// The value used: `multiplier × numerator / denominator` when both are given, else the
    /// `value` column.
    pub value: f64,
    /// Numerator, when given.
    pub numerator: Option<f64>,
    /// Denominator, when given.
    pub denominator: Option<f64>,
    /// One-based line in the file (the last row, for an aggregated period).
    pub line: u64,
}

/// What kind of data-quality problem a flag reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlagKind {
    /// Periods missing between the first and the latest.
    MissingPeriods,
    /// The same period twice.
    Duplicate,
    /// The latest period is older than expected at the review date.
    Late,
    /// A numerator above its denominator, for a proportion.
    NumeratorAboveDenominator,
    /// A value outside the plausible range in the KPI set.
    Implausible,
    /// The value column does not match its numerator and denominator.
    ValueMismatch,
    /// An aggregated period made from fewer sub-periods than it has.
    IncompletePeriod,
    /// Too few points for reliable SPC limits.
    FewPoints,
    /// Rows left out with `--skip-invalid` (an empty or non-numeric value): shown as gaps.
    SkippedInvalid,
    /// No data for the indicator.
    NoData,
}

impl FlagKind {
    /// A short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            FlagKind::MissingPeriods => "missing periods",
            FlagKind::Duplicate => "duplicate rows",
            FlagKind::Late => "late data",
            FlagKind::NumeratorAboveDenominator => "numerator above denominator",
            FlagKind::Implausible => "implausible value",
            FlagKind::ValueMismatch => "value does not match numerator/denominator",
            FlagKind::IncompletePeriod => "incomplete period",
            FlagKind::FewPoints => "too few points for SPC",
            FlagKind::SkippedInvalid => "invalid rows skipped",
            FlagKind::NoData => "no data",
        }
    }
}

/// One data-quality flag on a series.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Flag {
    /// The kind.
    pub kind: FlagKind,
    /// What was found, in words, with the period and line.
    pub message: String,
}

/// One organisation's data for one indicator, in period order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// ODS code.
    pub organisation: String,
    /// Indicator id.
    pub indicator: String,
    /// The period type the rows were written in.
    pub source_period: PeriodType,
    /// Observations in the indicator's period type, oldest first, stored by column.
    pub observations: Observations,
    /// Data-quality flags.
    pub flags: Vec<Flag>,
}

/// Everything read from one KPI data file, or (with no file) the series plugin measures gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiData {
    /// The file's name as given and the SHA-256 of its bytes (hashed while streaming); `None`
    /// when no data file was read because every series comes from plugin measures.
    pub source: Option<FileUsed>,
    /// Data rows in the file.
    pub rows_read: u64,
    /// Rows kept (for the organisations asked for).
    pub rows_kept: u64,
    /// Series by (organisation, indicator).
    pub series: BTreeMap<(String, String), Series>,
    /// Organisations in the file (all of them, even those not kept).
    pub organisations: BTreeSet<String>,
    /// Warnings about the file as a whole (for example indicators not in the set).
    pub warnings: Vec<String>,
    /// The plugins whose measures supplied series (added by the caller, which runs them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plugins: Vec<sct_core::provenance::PluginUsed>,
}

impl KpiData {
    /// Data without a file, for a KPI set whose indicators are filled in by plugin measures.
    pub fn without_file() -> KpiData {
        KpiData {
            source: None,
            rows_read: 0,
            rows_kept: 0,
            series: BTreeMap::new(),
            organisations: BTreeSet::new(),
            warnings: Vec::new(),
            plugins: Vec::new(),
        }
    }

    /// What the data are called in messages: the file's name, or that they are the plugin
    /// measures' when no file was read.
    pub fn name(&self) -> &str {
        self.source
            .as_ref()
            .map_or("the plugin measures' data", |f| f.file.as_str())
    }

    /// The series of one organisation and indicator.
    pub fn get(&self, organisation: &str, indicator: &str) -> Option<&Series> {
        self.series
            .get(&(organisation.to_string(), indicator.to_string()))
    }

    /// The series of one organisation, by indicator id. The map is ordered by organisation
    /// first, so this is a range of it: a report over every organisation never scans every
    /// series for each one.
    pub fn series_of<'a>(&'a self, organisation: &str) -> impl Iterator<Item = &'a Series> + 'a {
        let organisation = organisation.to_string();
        let from = (organisation.clone(), String::new());
        self.series
            .range(from..)
            .take_while(move |((o, _), _)| *o == organisation)
            .map(|(_, s)| s)
    }

    /// Drops the series of one organisation (a report over every organisation that has
    /// taken an organisation's rows needs its data no more), giving back their memory.
    pub fn remove_series_of(&mut self, organisation: &str) {
        let keys: Vec<(String, String)> = self
            .series
            .range((organisation.to_string(), String::new())..)
            .take_while(|((o, _), _)| o == organisation)
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            self.series.remove(&k);
        }
    }

    /// Whether an organisation has any series (with or without observations).
    pub fn has_series(&self, organisation: &str) -> bool {
        self.series_of(organisation).next().is_some()
    }

    /// The organisations that have a series, in order: those a report of every organisation
    /// covers (an organisation whose rows were all skipped has none).
    pub fn organisations_with_series(&self) -> Vec<String> {
        self.organisations
            .iter()
            .filter(|o| self.has_series(o))
            .cloned()
            .collect()
    }

    /// The end of the latest period with data for an organisation, if any.
    pub fn latest_end(&self, organisation: &str) -> Option<NaiveDate> {
        self.series_of(organisation)
            .filter_map(|s| s.observations.last_period().map(|p| p.end()))
            .max()
    }
}

/// A reader that hashes the bytes it passes on, so a streamed file still gets its checksum.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// A row as read, before it is put into a series.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    pub(crate) period: Period,
    pub(crate) value: f64,
    pub(crate) numerator: Option<f64>,
    pub(crate) denominator: Option<f64>,
    pub(crate) line: u64,
}

/// Where each column of the long form is among a row's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    /// `organisation`.
    pub organisation: usize,
    /// `indicator`.
    pub indicator: usize,
    /// `period`.
    pub period: usize,
    /// `value`.
    pub value: usize,
    /// `numerator`, when there is one.
    pub numerator: Option<usize>,
    /// `denominator`, when there is one.
    pub denominator: Option<usize>,
}

/// The fields of one data row as text (trimmed), whatever they were read from: a CSV record,
/// a line read straight from its bytes, or the columns of another format. What
/// [`KpiDataBuilder::row`] takes.
pub trait RowFields {
    /// The field at `i`, `None` past the last.
    fn get(&self, i: usize) -> Option<&str>;
    /// The row as one line of text, its fields joined by commas, for error locations.
    fn joined(&self) -> String;
    /// The field at `i` as a number, when the reader holds it typed (a Parquet double):
    /// what reading its text would give, without writing and parsing it; `None` to read
    /// its text.
    #[inline]
    fn number_at(&self, _i: usize) -> Option<Result<Option<f64>, NumberError>> {
        None
    }
    /// The field at `i` as a period, when the reader holds it typed (a Parquet date); `None`
    /// to read its text.
    #[inline]
    fn period_at(&self, _i: usize) -> Option<Period> {
        None
    }
    /// The decimal places of the field at `i` as written (`71.40` has 2), when the reader
    /// holds it typed; `None` to count them in its text.
    #[inline]
    fn decimals_at(&self, _i: usize) -> Option<i32> {
        None
    }
}

impl RowFields for csv::StringRecord {
    #[inline]
    fn get(&self, i: usize) -> Option<&str> {
        csv::StringRecord::get(self, i)
    }

    fn joined(&self) -> String {
        self.iter().collect::<Vec<_>>().join(",")
    }
}

fn location(file: &str, line: u64, record: &(impl RowFields + ?Sized)) -> Location {
    let text = record.joined();
    let len = text.chars().take(Snippet::UNDERLINE).count().max(1);
    Location {
        file: file.to_string(),
        line: line as usize,
        column: 1,
        snippet: Some(Snippet::at_column(&text, 1, len)),
    }
}

fn columns(file: &str, line: u64, headers: &csv::StringRecord) -> Result<Columns, Box<Diagnostic>> {
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let required = ["organisation", "indicator", "period", "value"];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| find(c).is_none())
        .collect();
    if !missing.is_empty() {
        let have = headers.iter().collect::<Vec<_>>().join(",");
        let mut diagnostic = Diagnostic::error(format!(
            "the header has no column{} {} (it has: {have})",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        ))
        .at(location(file, line, headers))
        .expected("organisation,indicator,period,value[,numerator,denominator]");
        let renames: Vec<String> = missing
            .iter()
            .filter_map(|&wanted| {
                let alias = headers.iter().find(|h| is_alias_of(wanted, h))?;
                Some(format!(
                    "`{}` to `{wanted}`",
                    alias.trim_start_matches('\u{feff}')
                ))
            })
            .collect();
        if !renames.is_empty() {
            diagnostic = diagnostic.hint(format!("rename the column {}", renames.join(", ")));
        }
        return Err(Box::new(diagnostic));
    }
    Ok(Columns {
        organisation: find("organisation").unwrap_or(0),
        indicator: find("indicator").unwrap_or(1),
        period: find("period").unwrap_or(2),
        value: find("value").unwrap_or(3),
        numerator: find("numerator"),
        denominator: find("denominator"),
    })
}

impl Columns {
    /// The six columns in their usual order, as another format's reader (Parquet) hands
    /// its rows over as records of `organisation,indicator,period,value,numerator,denominator`.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) const IN_ORDER: Columns = Columns {
        organisation: 0,
        indicator: 1,
        period: 2,
        value: 3,
        numerator: Some(4),
        denominator: Some(5),
    };
}

/// Whether a header names a required column under another common name (as NHS extracts
/// often do: `org_code`, `ods_code`, `kpi`, `month`), for a hint to rename it.
fn is_alias_of(wanted: &str, header: &str) -> bool {
    let header = header
        .trim_start_matches('\u{feff}')
        .trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_");
    let aliases: &[&str] = match wanted {
        "organisation" => &[
            "org",
            "org_code",
            "organisation_code",
            "organization",
            "organization_code",
            "ods",
            "ods_code",
            "icb",
            "icb_code",
        ],
        "indicator" => &["kpi", "kpi_id", "indicator_id", "measure", "metric"],
        "period" => &["date", "month", "quarter", "year", "week", "period_start"],
        "value" => &["val", "result", "rate", "score"],
        _ => &[],
    };
    aliases.contains(&header.as_str())
}

/// The texts besides an empty field that an extract writes for a missing number: R's `NA`
/// (what `write.csv` and readr's `write_csv` write unless told otherwise) and SQL Server's
/// `NULL` (what its results saved as CSV hold). Read as empty, as R, pandas and SQL read
/// them back.
pub const MISSING_NUMBERS: [&str; 2] = ["NA", "NULL"];

/// Parses an optional number: empty (or [`MISSING_NUMBERS`]) is `None`; anything else must
/// be a number within ±[`crate::number::MAX_MAGNITUDE`].
#[inline]
fn number(text: &str) -> Result<Option<f64>, NumberError> {
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(v) = plain_decimal(text.as_bytes()) {
        return Ok(Some(v));
    }
    if MISSING_NUMBERS.contains(&text) {
        return Ok(None);
    }
    crate::number::parse(text).map(Some)
}

/// A number written as plain decimal digits (`-12.5`, `41567`, at most 15 significant digits
/// and 22 after the point), read exactly as `str::parse` reads it: the digits are an exact
/// integer below 2^53 and the power of ten is exact, so one correctly rounded division gives
/// the correctly rounded value (Clinger's fast path). `None` for anything else (signs other
/// than a leading `-`, exponents, spaces, more digits), which the general parser takes.
#[inline]
fn plain_decimal(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let (negative, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if digits.len() <= 15 {
        // At most 15 digits, so at most 15 significant: nothing to count on the way.
        return short_decimal(digits).map(|v| if negative { -v } else { v });
    }
    if digits.len() > 24 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut significant = 0usize;
    let mut seen_digit = false;
    let mut point: Option<usize> = None;
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                seen_digit = true;
                mantissa = mantissa * 10 + u64::from(c - b'0');
                if mantissa != 0 {
                    significant += 1;
                    if significant > 15 {
                        return None;
                    }
                }
            }
            b'.' if point.is_none() => point = Some(i),
            _ => return None,
        }
    }
    let after = point.map_or(0, |p| digits.len() - p - 1);
    if !seen_digit || after > 22 {
        return None;
    }
    let v = mantissa as f64 / POW10[after];
    // Within ±1e15 by the digits' count, so `check` passes it.
    Some(if negative { -v } else { v })
}

/// [`plain_decimal`] of at most 15 bytes after the sign (digits and at most one point, at
/// least one digit): its digits are an exact integer below 10^15.
#[inline]
fn short_decimal(digits: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let mut mantissa: u64 = 0;
    let mut point = None;
    for (i, &c) in digits.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            mantissa = mantissa * 10 + u64::from(d);
        } else if c == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    let after = point.map_or(0, |p| digits.len() - p - 1);
    // No digit at all: empty, or a lone point.
    if digits.len() == usize::from(point.is_some()) {
        return None;
    }
    Some(mantissa as f64 / POW10[after])
}

/// What is wrong with the signs of a row's numbers, if anything, and what was expected:
/// numerators and denominators count people or events, so neither is ever negative, and
/// neither is the value of a count, proportion or rate.
fn sign_problem(
    ind: &Indicator,
    value: Option<f64>,
    numerator: Option<f64>,
    denominator: Option<f64>,
) -> Option<(String, &'static str)> {
    if let Some(d) = denominator.filter(|&d| d < 0.0) {
        return Some((
            format!("denominator {} is negative", show(d)),
            "a denominator of 0 or more (above 0 for a proportion or rate): it counts people or events",
        ));
    }
    if let Some(n) = numerator.filter(|&n| n < 0.0) {
        return Some((
            format!("numerator {} is negative", show(n)),
            "a numerator of 0 or more: it counts people or events",
        ));
    }
    let never_negative = matches!(
        ind.value_type,
        ValueType::Count | ValueType::Proportion | ValueType::Rate
    );
    match value.filter(|&v| v < 0.0 && never_negative) {
        Some(v) => Some((
            format!(
                "value {} is negative, and it is a {}",
                show(v),
                ind.value_type.as_str()
            ),
            "a value of 0 or more",
        )),
        None => None,
    }
}

/// Checks a row's signs ([`sign_problem`]) and computes its value from its numerator and
/// denominator when it has both (`multiplier × numerator / denominator`), refusing a
/// computed value beyond ±[`crate::number::MAX_MAGNITUDE`] (a tiny denominator); the error
/// is what is wrong and what was expected.
#[inline]
pub(crate) fn row_numbers(
    ind: &Indicator,
    value: Option<f64>,
    numerator: Option<f64>,
    denominator: Option<f64>,
) -> Result<Option<f64>, (String, &'static str)> {
    // The usual row, on every row read: no number negative, and a value computed (if any)
    // within range; every other row goes the way that words what is wrong.
    let negative = |v: Option<f64>| v.is_some_and(|v| v < 0.0);
    if !(negative(value) || negative(numerator) || negative(denominator)) {
        let m = ind.multiplier.unwrap_or(1.0);
        match (numerator, denominator) {
            (Some(_), Some(0.0)) | (None, _) | (_, None) => return Ok(None),
            (Some(n), Some(d)) => {
                if let Ok(c) = crate::number::check(m * n / d) {
                    return Ok(Some(c));
                }
            }
        }
    }
    row_numbers_worded(ind, value, numerator, denominator)
}

/// [`row_numbers`] of any row, wording what is wrong.
#[inline(never)]
fn row_numbers_worded(
    ind: &Indicator,
    value: Option<f64>,
    numerator: Option<f64>,
    denominator: Option<f64>,
) -> Result<Option<f64>, (String, &'static str)> {
    if let Some(problem) = sign_problem(ind, value, numerator, denominator) {
        return Err(problem);
    }
    let m = ind.multiplier.unwrap_or(1.0);
    let (Some(n), Some(d)) = (numerator, denominator) else {
        return Ok(None);
    };
    if d == 0.0 {
        return Ok(None);
    }
    let c = m * n / d;
    match crate::number::check(c) {
        Ok(c) => Ok(Some(c)),
        Err(e) => Err((
            format!("the value {} × {} / {} {e}", show(m), show(n), show(d)),
            "a numerator and denominator whose ratio is a number from -1e15 to 1e15",
        )),
    }
}

/// The value a plain row keeps, given as `value` and computed from its counts as `computed`
/// ([`row_numbers`]): the computed one where both are given and agree (within 1e-9, or
/// within half a unit of the value's last decimal place, `places`, which is then not
/// counted), else whichever is given; `None` when neither is, or they disagree (or either
/// is NaN), for the row to go the way that words what is wrong.
#[inline(always)]
pub(crate) fn plain_value(
    value: Option<f64>,
    computed: Option<f64>,
    places: impl FnOnce() -> Option<i32>,
) -> Option<f64> {
    match (value, computed) {
        (Some(v), Some(c)) => {
            let off = (v - c).abs();
            (off <= 1e-9 || off <= tolerance(places()?)).then_some(c)
        }
        (None, Some(c)) => Some(c),
        (Some(v), None) => Some(v),
        (None, None) => None,
    }
}

/// The powers of ten a double holds exactly, 10^0 to 10^22.
pub(crate) const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `0.5 × 10^-places + 1e-9`, the widest a value given to `places` decimal places may be
/// from its computed value, for `places` from 0 to 22: as [`tolerance`] computes it, bit
/// for bit (a test holds them to it), made once.
pub(crate) const TOLERANCE: [f64; 23] = {
    let mut t = [0.0; 23];
    let mut p = 0;
    while p < 23 {
        t[p] = 0.5 * (1.0 / POW10[p]) + 1e-9;
        p += 1;
    }
    t
};

/// `0.5 × 10f64.powi(-places) + 1e-9`, bit for bit, from [`TOLERANCE`] where it can (`powi`
/// is a call on every row with counts otherwise): up to 10^22 the power is exact, as `powi`
/// makes it, and one over it is correctly rounded either way.
#[inline]
fn tolerance(places: i32) -> f64 {
    match usize::try_from(places).ok().and_then(|p| TOLERANCE.get(p)) {
        Some(t) => *t,
        None => 0.5 * 10f64.powi(-places) + 1e-9,
    }
}

/// Decimal places written in a number, to judge whether a rounded value matches.
fn decimals(text: &str) -> i32 {
    text.split_once('.').map_or(0, |(_, d)| {
        d.chars().take_while(char::is_ascii_digit).count() as i32
    })
}

/// Reads KPI data for the organisations in `keep` (all when `None`), checking every kept row
/// against `set`. Rows of other organisations are counted and skipped without being checked,
/// so one organisation's review is not held up by another's bad rows.
pub fn read_kpi_data<R: Read>(
    input: R,
    file: &str,
    set: &KpiSet,
    keep: Option<&BTreeSet<String>>,
) -> Result<KpiData, Diagnostics> {
    read_kpi_data_with(input, file, set, keep, false)
}

/// [`read_kpi_data`]; with `skip_invalid`, a row whose value is not a number, or that has no
/// value and no numerator and denominator, is left out and flagged on its series (its period
/// then shows as a gap) instead of being an error.
pub fn read_kpi_data_with<R: Read>(
    input: R,
    file: &str,
    set: &KpiSet,
    keep: Option<&BTreeSet<String>>,
    skip_invalid: bool,
) -> Result<KpiData, Diagnostics> {
    read_kpi_lines(input, file, set, keep, skip_invalid, true, Split::Two)
}

/// The CSV reader every record that needs one goes through: fields trimmed, every row as
/// wide as the header, line numbers tracked.
pub(crate) fn csv_reader<R: Read>(input: R) -> csv::Reader<LineTracker<R>> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .buffer_capacity(1 << 16)
        .from_reader(LineTracker::new(input))
}

/// [`read_kpi_data_with`]; `simple` reads the lines that need no CSV quoting straight from
/// their bytes ([`crate::lines`]), the rest through the csv crate (without it, everything
/// goes through the csv crate: the two must give the same result, which the tests check);
/// `split` lets the simple lines be read on two threads when the machine has two cores and
/// the file is more than one buffer ([`crate::row_batches`], the same result again).
fn read_kpi_lines<R: Read>(
    input: R,
    file: &str,
    set: &KpiSet,
    keep: Option<&BTreeSet<String>>,
    skip_invalid: bool,
    simple: bool,
    split: Split,
) -> Result<KpiData, Diagnostics> {
    let mut input = HashingReader {
        inner: input,
        hasher: Sha256::new(),
    };
    let mut buf = Vec::new();
    let ended = lines::fill(&mut input, &mut buf, lines::CHUNK).map_err(|e| {
        Diagnostics(vec![
            Diagnostic::error(format!(
                "cannot read the header row: {}",
                csv::Error::from(e)
            ))
            .in_file(file),
        ])
    })?;
    let head = if simple {
        lines::header(&buf, ended)
    } else {
        None
    };
    let Some((headers, start)) = head else {
        // The whole file through the csv crate.
        let mut reader = csv_reader(std::io::Cursor::new(buf).chain(input));
        let cols = read_columns(&mut reader, file)?;
        let mut reading = Reading::new(file, set, cols, keep, skip_invalid);
        if let Some(e) = csv_records(&mut reader, file, 0, |line, r| reading.row(line, r)) {
            reading.push_error(e);
        }
        return reading.finish(set, || {
            let (_, rest) = reader.into_inner().into_inner().into_inner();
            rest.sha256()
        });
    };
    let cols = columns(file, 1, &headers).map_err(|d| Diagnostics(vec![*d]))?;
    let mut reading = Reading::new(file, set, cols, keep, skip_invalid);
    let width = headers.len();
    let split = split.for_input(ended);
    match row_batches::read_simple(&mut input, buf, start, width, set, &mut reading, split) {
        row_batches::End::Input => reading.finish(set, || input.sha256()),
        row_batches::End::Io(e) => {
            reading.push_error(Diagnostic::csv_row(&csv::Error::from(e), None).in_file(file));
            reading.finish(set, || input.sha256())
        }
        row_batches::End::Line { rest, line } => {
            let mut reader = csv_from_line(rest, input, width);
            let row = |line, r: &csv::StringRecord| reading.row(line, r);
            if let Some(e) = csv_records(&mut reader, file, line - 2, row) {
                reading.push_error(e);
            }
            reading.finish(set, || {
                let (_, rest) = reader.into_inner().into_inner().into_inner();
                rest.sha256()
            })
        }
    }
}

/// What the csv crate reads on from a line of a file that is not simple (`rest`, the buffer
/// from its first byte, then the rest of `input`), the lines before it read as simple lines:
/// its records come after a header as wide as the file's (`width` fields), made up so that
/// the reader has one, which is line 1 of what it reads, so the line is its line 2.
pub(crate) type CsvFromLine<R> = csv::Reader<
    LineTracker<
        std::io::Chain<std::io::Chain<std::io::Cursor<Vec<u8>>, std::io::Cursor<Vec<u8>>>, R>,
    >,
>;

/// The reader of [`CsvFromLine`], its made-up header read; the line's records are on their
/// line in the file less 2.
pub(crate) fn csv_from_line<R: Read>(rest: Vec<u8>, input: R, width: usize) -> CsvFromLine<R> {
    let mut header = vec![b'h'; 2 * width - 1];
    header.iter_mut().skip(1).step_by(2).for_each(|b| *b = b',');
    header.push(b'\n');
    let rest = std::io::Cursor::new(header)
        .chain(std::io::Cursor::new(rest))
        .chain(input);
    let mut reader = csv_reader(rest);
    let _ = reader.headers();
    reader
}

/// Gives `row` each record of `reader` with its line in the file of name `file` (the reader's
/// line plus `shift`), up to the end or the first record that cannot be read: the error then.
pub(crate) fn csv_records<R: Read>(
    reader: &mut csv::Reader<LineTracker<R>>,
    file: &str,
    shift: u64,
    mut row: impl FnMut(u64, &csv::StringRecord),
) -> Option<Diagnostic> {
    let in_file = |line: u64| if line == 0 { 0 } else { line + shift };
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => {
                let line = in_file(reader.get_mut().record_line(e.position()));
                return Some(Diagnostic::csv_row(&e, None).at(location(file, line, &record)));
            }
        }
        let line = in_file(reader.get_mut().record_line(record.position()));
        row(line, &record);
    }
}

/// Reads the header row and finds the columns in it, or says why it cannot be used.
pub(crate) fn read_columns<R: Read>(
    reader: &mut csv::Reader<LineTracker<R>>,
    file: &str,
) -> Result<Columns, Diagnostics> {
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(Diagnostics(vec![
                Diagnostic::error(format!("cannot read the header row: {e}")).in_file(file),
            ]));
        }
    };
    // Line 1 when there is no header at all, rather than the end of the blank lines.
    let header_line = match headers.is_empty() {
        true => 1,
        false => reader.get_mut().record_line(headers.position()).max(1),
    };
    columns(file, header_line, &headers).map_err(|d| Diagnostics(vec![*d]))
}

impl<R: Read> HashingReader<R> {
    /// Hashes whatever is left unread (nothing, unless the reading stopped early) and gives
    /// the SHA-256 of the whole input in hex.
    fn sha256(mut self) -> String {
        let _ = std::io::copy(&mut self, &mut std::io::sink());
        self.hasher
            .finalize()
            .iter()
            .fold(String::with_capacity(64), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            })
    }
}

/// Builds [`KpiData`] from rows read from any source, one row at a time, with the checks,
/// flags, warnings and errors of a KPI data file: what [`read_kpi_data_with`] does with each
/// row of a CSV file, for a reader of another format (its columns given as text fields).
pub struct KpiDataBuilder<'a> {
    reading: Reading<'a>,
    set: &'a KpiSet,
}

impl<'a> KpiDataBuilder<'a> {
    /// A builder for the rows of `file` (named in messages) against `set`, keeping the
    /// organisations in `keep` (all when `None`); `skip_invalid` as in [`read_kpi_data_with`].
    pub fn new(
        file: &'a str,
        set: &'a KpiSet,
        columns: Columns,
        keep: Option<&'a BTreeSet<String>>,
        skip_invalid: bool,
    ) -> Self {
        KpiDataBuilder {
            reading: Reading::new(file, set, columns, keep, skip_invalid),
            set,
        }
    }

    /// Takes one data row, on its one-based line (or row number) in the file.
    #[inline]
    pub fn row(&mut self, line: u64, fields: &(impl RowFields + ?Sized)) {
        self.reading.row(line, fields);
    }

    /// Takes the tally of rows skipped so far for an indicator not in the set, leaving it
    /// empty: a reader that builds a file's data in parts gathers each part's and warns of
    /// the whole file's once, as one reading would.
    pub fn take_unknown_indicators(&mut self) -> UnknownIndicators {
        self.reading.take_unknown()
    }

    /// Records an error of the file itself (a row that could not be read at all).
    pub fn error(&mut self, diagnostic: Diagnostic) {
        self.reading.push_error(diagnostic);
    }

    /// The data, with the file's SHA-256 (asked for only when there is no error), or every
    /// error found (the first 50 and how many more).
    pub fn finish(self, sha256: impl FnOnce() -> String) -> Result<KpiData, Diagnostics> {
        self.reading.finish(self.set, sha256)
    }

    /// [`KpiDataBuilder::finish`] of a part of a file, its errors kept to be gathered with
    /// the other parts' (see [`crate::read_errors`]).
    pub(crate) fn finish_in_part(
        self,
        sha256: impl FnOnce() -> String,
    ) -> Result<KpiData, ReadErrors> {
        self.reading.finish_in_part(self.set, sha256)
    }
}

/// Rows skipped for an indicator that is not in the KPI set: for each such indicator, the
/// line of its first row and how many rows it has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnknownIndicators(BTreeMap<String, (u64, u64)>);

impl UnknownIndicators {
    /// Counts one row of indicator `id`, on `line`.
    fn count(&mut self, id: &str, line: u64) {
        match self.0.get_mut(id) {
            Some((_, n)) => *n += 1,
            None => {
                self.0.insert(id.to_string(), (line, 1));
            }
        }
    }

    /// Adds the tally of a later part of the same file.
    pub fn merge(&mut self, later: UnknownIndicators) {
        for (id, (first, n)) in later.0 {
            let e = self.0.entry(id).or_insert((first, 0));
            e.0 = e.0.min(first);
            e.1 += n;
        }
    }

    /// Whether no row was skipped.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The warnings [`KpiData::warnings`] gives for these rows, one an indicator, by its id.
    pub fn warnings(&self, set: &KpiSet) -> Vec<String> {
        self.0
            .iter()
            .map(|(id, (first, n))| {
                format!(
                    "{n} row{} for indicator \"{id}\" (first on line {first}) skipped: it is not in KPI set \"{}\"",
                    if *n == 1 { "" } else { "s" },
                    set.id.get_ref()
                )
            })
            .collect()
    }
}

impl Columns {
    /// The columns named in a header row (on `line` of `file`, for the error), or why they
    /// cannot be used (a required column missing, with a hint when it is there under another
    /// common name).
    pub fn find(
        file: &str,
        line: u64,
        headers: &csv::StringRecord,
    ) -> Result<Columns, Box<Diagnostic>> {
        columns(file, line, headers)
    }
}

/// A row's value, numerator and denominator as written (each `None` when empty).
type Numbers = (Option<f64>, Option<f64>, Option<f64>);

/// One kept data row of an indicator read from the file: its organisation and indicator (as
/// written, borrowed from the record), its line and the record itself.
struct RowAt<'r, F: ?Sized> {
    org: &'r str,
    ind_id: &'r str,
    line: u64,
    record: &'r F,
}

impl<F: ?Sized> Clone for RowAt<'_, F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F: ?Sized> Copy for RowAt<'_, F> {}

impl<F: ?Sized> RowAt<'_, F> {
    /// The row's series key, made only when something is recorded against the series.
    fn key(&self) -> (String, String) {
        (self.org.to_string(), self.ind_id.to_string())
    }
}

/// One read of a KPI data file as it goes: the rows gathered by series, what was skipped or
/// flagged on the way, and the errors so far. The CSV reader and the Parquet reader
/// (`crate::parquet`) both hand it their rows as records.
pub(crate) struct Reading<'a> {
    file: &'a str,
    pub(crate) cols: Columns,
    pub(crate) keep: Option<&'a BTreeSet<String>>,
    skip_invalid: bool,
    indicators: BTreeMap<&'a str, &'a Indicator>,
    diags: Diagnostics,
    errors: usize,
    /// The series read so far.
    pub(crate) series: SeriesStore,
    /// Rows of indicators not in the set.
    unknown: UnknownIndicators,
    /// Rows of indicators a plugin measure supplies: first line and count, by indicator.
    supplied: BTreeMap<String, (u64, u64)>,
    mismatches: BTreeMap<(String, String), Listing>,
    skipped: BTreeMap<(String, String), Listing>,
    organisations: BTreeSet<String>,
    /// Organisations noted by a reader that passes over rows without handing them on
    /// ([`Reading::note_organisation`]): added to `organisations` at the end, in one go
    /// rather than with a look-up in the set each.
    met: Vec<String>,
    pub(crate) rows_read: u64,
    pub(crate) rows_kept: u64,
    /// The organisation of the row before (rows of one organisation usually come together,
    /// so the sets are looked in only when it changes), and whether it is kept.
    last_org: Option<(String, bool)>,
    /// The indicator of the row before, and what it is in the set.
    last_indicator: Option<(String, Option<&'a Indicator>)>,
    /// Periods read before, by their text.
    periods: PeriodCache,
}

/// The periods of recent rows by their text (a file repeats the same few hundred periods in
/// every series): a period is parsed once, then found by its text, packed into two numbers.
pub(crate) struct PeriodCache {
    slots: Vec<PeriodSlot>,
}

/// A text of up to 16 bytes as [`PeriodCache`] keeps it: its first and last bytes (which
/// overlap when it is shorter, so that every byte is in one or the other), and its length
/// (0 for a slot with no text).
#[derive(Clone, Copy, PartialEq, Eq)]
struct PeriodKey {
    ends: (u64, u64),
    len: u32,
}

#[derive(Clone, Copy)]
struct PeriodSlot {
    key: PeriodKey,
    period: Period,
}

impl PeriodKey {
    /// The key of `b`, 1 to 16 bytes long.
    #[inline]
    fn of(b: &[u8]) -> PeriodKey {
        let n = b.len();
        let ends = match b {
            _ if n >= 8 => (word::<8>(b, 0), word::<8>(b, n - 8)),
            _ if n >= 4 => (word::<4>(b, 0), word::<4>(b, n - 4)),
            _ => (b.iter().fold(0, |w, &c| (w << 8) | u64::from(c)), 0),
        };
        PeriodKey {
            ends,
            len: n as u32,
        }
    }

    /// Its slot among `slots` (a power of two) and the slot's neighbour.
    #[inline]
    fn slot(self, slots: usize) -> usize {
        // Folded before the multiplication, whose top bits (those taken) then depend on
        // every byte of the text.
        let x = self.ends.0 ^ self.ends.1.rotate_left(29) ^ u64::from(self.len);
        let mixed = (x ^ (x >> 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> 48) as usize & (slots - 1)
    }
}

impl PeriodCache {
    const SLOTS: usize = 1024;

    pub(crate) fn new() -> PeriodCache {
        PeriodCache { slots: Vec::new() }
    }

    /// [`Period::parse`], remembered for texts of up to 16 bytes.
    #[inline]
    pub(crate) fn parse(&mut self, text: &str) -> Result<Period, String> {
        let bytes = text.as_bytes();
        if bytes.is_empty() || bytes.len() > 16 {
            return Period::parse(text);
        }
        let key = PeriodKey::of(bytes);
        let slot = key.slot(Self::SLOTS);
        // Two slots a text (this one and its neighbour), so that two of a file's periods
        // that hash alike do not push each other out on every row.
        let pair = slot & !1;
        if let Some(&[s0, s1]) = self.slots.get(pair..pair + 2) {
            if s0.key == key {
                return Ok(s0.period);
            }
            if s1.key == key {
                return Ok(s1.period);
            }
        }
        let p = Period::parse(text)?;
        if self.slots.is_empty() {
            let empty = PeriodSlot {
                key: PeriodKey {
                    ends: (0, 0),
                    len: 0,
                },
                period: Period {
                    kind: PeriodType::Day,
                    start: NaiveDate::MIN,
                },
            };
            self.slots = vec![empty; Self::SLOTS];
        }
        // Into its own slot, unless another text has it and the neighbour is free.
        let slot = match self.slots[slot].key.len {
            0 => slot,
            _ if self.slots[slot ^ 1].key.len == 0 => slot ^ 1,
            _ => slot,
        };
        self.slots[slot] = PeriodSlot { key, period: p };
        Ok(p)
    }
}

impl<'a> Reading<'a> {
    pub(crate) fn new(
        file: &'a str,
        set: &'a KpiSet,
        cols: Columns,
        keep: Option<&'a BTreeSet<String>>,
        skip_invalid: bool,
    ) -> Self {
        Reading {
            file,
            cols,
            keep,
            skip_invalid,
            indicators: set
                .indicators
                .iter()
                .map(|i| (i.id.get_ref().as_str(), i))
                .collect(),
            diags: Diagnostics::default(),
            errors: 0,
            series: SeriesStore::default(),
            unknown: UnknownIndicators::default(),
            supplied: BTreeMap::new(),
            mismatches: BTreeMap::new(),
            skipped: BTreeMap::new(),
            organisations: BTreeSet::new(),
            met: Vec::new(),
            rows_read: 0,
            rows_kept: 0,
            last_org: None,
            last_indicator: None,
            periods: PeriodCache::new(),
        }
    }

    /// Whether rows of `org` are kept, noting the organisation among those of the file.
    #[inline]
    pub(crate) fn kept(&mut self, org: &str) -> bool {
        match &self.last_org {
            Some((o, kept)) if o == org => *kept,
            _ => {
                if !self.organisations.contains(org) {
                    self.organisations.insert(org.to_string());
                }
                let kept = self.keep.is_none_or(|k| k.contains(org));
                // The text kept in the room of the last one's.
                let mut last = self.last_org.take().map(|(o, _)| o).unwrap_or_default();
                last.clear();
                last.push_str(org);
                self.last_org = Some((last, kept));
                kept
            }
        }
    }

    /// The set's indicator of this id, if it has one.
    #[inline]
    fn indicator(&mut self, id: &str) -> Option<&'a Indicator> {
        match &self.last_indicator {
            Some((i, ind)) if i == id => *ind,
            _ => {
                let ind = self.indicators.get(id).copied();
                self.last_indicator = Some((id.to_string(), ind));
                ind
            }
        }
    }

    /// Counts an error, keeping the first [`MAX_ERRORS`] to report.
    pub(crate) fn push_error(&mut self, d: Diagnostic) {
        self.errors += 1;
        if self.errors <= MAX_ERRORS {
            self.diags.push(d);
        }
    }

    /// Takes the tally of rows skipped for indicators not in the set, leaving it empty (as
    /// [`KpiDataBuilder::take_unknown_indicators`]).
    pub(crate) fn take_unknown(&mut self) -> UnknownIndicators {
        std::mem::take(&mut self.unknown)
    }

    /// Notes `org` among the file's organisations, for another format's reader that passes
    /// over rows not kept without handing them on (it counts them with
    /// [`Reading::more_rows_not_kept`]).
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn note_organisation(&mut self, org: &str) {
        self.met.push(org.to_string());
    }

    /// Counts `n` more rows that are not kept, their organisations noted (another format's
    /// reader passing over rows unread).
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn more_rows_not_kept(&mut self, n: u64) {
        self.rows_read += n;
    }

    /// Takes one data row: counts it, skips it unless its organisation is kept and its
    /// indicator read from the file, and otherwise checks it and adds it to its series.
    #[inline]
    pub(crate) fn row<F: RowFields + ?Sized>(&mut self, line: u64, record: &F) {
        self.rows_read += 1;
        let field = |i: usize| record.get(i).unwrap_or("");
        let org = field(self.cols.organisation);
        if !self.kept(org) {
            return;
        }
        self.rows_kept += 1;
        let ind_id = field(self.cols.indicator);
        let Some(ind) = self.indicator(ind_id) else {
            self.unknown.count(ind_id, line);
            return;
        };
        if ind.measure.is_some() {
            // A plugin measure supplies this indicator: its rows here are not used.
            let e = self.supplied.entry(ind_id.to_string()).or_insert((line, 0));
            e.1 += 1;
            return;
        }
        let at = RowAt {
            org,
            ind_id,
            line,
            record,
        };
        if let Some(row) = self.checked_row(ind, at) {
            self.push_row(org, ind_id, row);
        }
    }

    /// A kept row's period and numbers, checked against its indicator; `None` when the row
    /// is an error or skipped (both already recorded).
    #[inline]
    fn checked_row<F: RowFields + ?Sized>(
        &mut self,
        ind: &Indicator,
        row: RowAt<'_, F>,
    ) -> Option<Row> {
        let (file, ind_id, line) = (self.file, row.ind_id, row.line);
        let at = || location(file, line, row.record);
        let col = self.cols.period;
        let period_text = || row.record.get(col).unwrap_or("");
        let typed = row.record.period_at(col).ok_or(());
        let period = match typed.or_else(|()| self.periods.parse(period_text()).map_err(|_| ())) {
            Ok(p) => p,
            Err(()) => {
                let period_text = period_text();
                self.push_error(
                    Diagnostic::error(format!("`period` \"{period_text}\" is not a period"))
                        .at(at())
                        .expected(ACCEPTED_FORMS.to_string()),
                );
                return None;
            }
        };
        let numbers = self.parsed_numbers(row, period)?;
        let (value, numerator, denominator) = numbers;
        let ratio = matches!(ind.value_type, ValueType::Proportion | ValueType::Rate);
        if ratio && denominator == Some(0.0) {
            self.push_error(
                Diagnostic::error(format!(
                    "indicator \"{ind_id}\" is a {} and its denominator is 0 for {period}",
                    if ind.value_type == ValueType::Rate {
                        "rate"
                    } else {
                        "proportion"
                    }
                ))
                .at(at())
                .expected("a denominator above 0, or leave the row out if there was no activity"),
            );
            return None;
        }
        let computed = match row_numbers(ind, value, numerator, denominator) {
            Ok(c) => c,
            Err((problem, expected)) => {
                self.push_error(
                    Diagnostic::error(format!("indicator \"{ind_id}\" for {period}: {problem}"))
                        .at(at())
                        .expected(expected),
                );
                return None;
            }
        };
        let value = self.value_used(ind, row, period, numbers, computed)?;
        Some(Row {
            period,
            value,
            numerator,
            denominator,
            line,
        })
    }

    /// The row's value, numerator and denominator as numbers (empty is `None`); `None` when
    /// one does not parse, which is an error, or (with `skip_invalid`) a skipped row.
    #[inline]
    fn parsed_numbers<F: RowFields + ?Sized>(
        &mut self,
        row: RowAt<'_, F>,
        period: Period,
    ) -> Option<Numbers> {
        let (file, skip_invalid, cols) = (self.file, self.skip_invalid, self.cols);
        let (line, record) = (row.line, row.record);
        let field = |i: usize| record.get(i).unwrap_or("");
        let mut bad_number = None;
        let mut parse = |name: &str, col: Option<usize>| -> Result<Option<f64>, ()> {
            let typed = col.and_then(|i| record.number_at(i));
            if let Some(Ok(v)) = typed {
                return Ok(v);
            }
            let text = col.map_or("", field);
            typed.unwrap_or_else(|| number(text)).map_err(|e| {
                if skip_invalid {
                    bad_number = Some(format!("{period} (line {line}): `{name}` \"{text}\" {e}"));
                    return;
                }
                self.push_error(
                    Diagnostic::error(format!("`{name}` \"{text}\" {e}"))
                        .at(location(file, line, record))
                        .expected(e.expected()),
                );
            })
        };
        let (Ok(value), Ok(numerator), Ok(denominator)) = (
            parse("value", Some(cols.value)),
            parse("numerator", cols.numerator),
            parse("denominator", cols.denominator),
        ) else {
            if let Some(what) = bad_number {
                self.skipped
                    .entry(row.key())
                    .or_default()
                    .push_with(|| what);
            }
            return None;
        };
        Some((value, numerator, denominator))
    }

    /// The value used for a row: the one computed from its numerator and denominator (noting
    /// a `value` column that does not match it), else its `value`; `None` when it has neither,
    /// which is an error, or (with `skip_invalid`) a skipped row.
    #[inline]
    fn value_used<F: RowFields + ?Sized>(
        &mut self,
        ind: &Indicator,
        row: RowAt<'_, F>,
        period: Period,
        (value, numerator, denominator): Numbers,
        computed: Option<f64>,
    ) -> Option<f64> {
        let (ind_id, line) = (row.ind_id, row.line);
        match (value, computed) {
            (_, Some(c)) => {
                // Within 1e-9 the value matches whatever its decimal places, which are then
                // not counted.
                if let Some(v) = value.filter(|v| (v - c).abs() > 1e-9) {
                    let places = row
                        .record
                        .decimals_at(self.cols.value)
                        .unwrap_or_else(|| decimals(row.record.get(self.cols.value).unwrap_or("")));
                    let tolerance = 0.5 * 10f64.powi(-places) + 1e-9;
                    if (v - c).abs() > tolerance {
                        self.mismatches.entry(row.key()).or_default().push_with(|| {
                            format!(
                                "{period} (line {line}): value {v} but {} × {} / {} = {}",
                                ind.multiplier.unwrap_or(1.0),
                                numerator.unwrap_or_default(),
                                denominator.unwrap_or_default(),
                                round_for_display(c)
                            )
                        });
                    }
                }
                Some(c)
            }
            (Some(v), None) => Some(v),
            (None, None) if self.skip_invalid => {
                self.skipped
                    .entry(row.key())
                    .or_default()
                    .push_with(|| format!("{period} (line {line}): no value"));
                None
            }
            (None, None) => {
                self.push_error(
                    Diagnostic::error(format!("no value for \"{ind_id}\" in {period}"))
                        .at(location(self.file, line, row.record))
                        .expected("a value, or a numerator and a denominator"),
                );
                None
            }
        }
    }

    /// What [`Reading::checked_row`] makes of a kept row of `ind` (an indicator read from the
    /// file), when it records nothing else on the way: no error, no row skipped, no value
    /// that disagrees with its numerator and denominator. `None` for every other row, which
    /// [`Reading::row`] then takes itself. Needs nothing of the reading so far, so the rows
    /// of a file can be checked so on another thread while the series are built on this one.
    #[inline]
    pub(crate) fn clean_row<F: RowFields + ?Sized>(
        ind: &Indicator,
        cols: Columns,
        periods: &mut PeriodCache,
        line: u64,
        record: &F,
    ) -> Option<Row> {
        let field = |i: usize| record.get(i).unwrap_or("");
        // Fields the reader holds typed are taken as they are, as `Reading::row` takes them.
        let period = match record.period_at(cols.period) {
            Some(p) => p,
            None => periods.parse(field(cols.period)).ok()?,
        };
        let parse = |col: Option<usize>| match col.and_then(|i| record.number_at(i)) {
            Some(typed) => typed,
            None => number(col.map_or("", field)),
        };
        let value = parse(Some(cols.value)).ok()?;
        let numerator = parse(cols.numerator).ok()?;
        let denominator = parse(cols.denominator).ok()?;
        let ratio = matches!(ind.value_type, ValueType::Proportion | ValueType::Rate);
        if ratio && denominator == Some(0.0) {
            return None;
        }
        let computed = row_numbers(ind, value, numerator, denominator).ok()?;
        let value = plain_value(value, computed, || {
            Some(
                record
                    .decimals_at(cols.value)
                    .unwrap_or_else(|| decimals(field(cols.value))),
            )
        })?;
        Some(Row {
            period,
            value,
            numerator,
            denominator,
            line,
        })
    }

    /// Adds a checked row to its series.
    #[inline]
    pub(crate) fn push_row(&mut self, org: &str, ind_id: &str, row: Row) {
        self.series.push(org, ind_id, row);
    }

    /// Warnings about rows skipped for their indicator: not in the set, or supplied by a
    /// plugin measure.
    fn warnings(&self, set: &KpiSet) -> Vec<String> {
        let mut warnings = self.unknown.warnings(set);
        for (id, (first, n)) in &self.supplied {
            let measure = self
                .indicators
                .get(id.as_str())
                .and_then(|i| i.measure.as_ref())
                .map(|m| m.get_ref().as_str())
                .unwrap_or_default();
            warnings.push(format!(
                "{n} row{} for indicator \"{id}\" (first on line {first}) skipped: its series comes from plugin measure {measure}",
                if *n == 1 { "" } else { "s" },
            ));
        }
        warnings
    }

    /// Builds every series from its rows, with the flags gathered while reading.
    fn series(&mut self) -> BTreeMap<(String, String), Series> {
        let (file, indicators) = (self.file, &self.indicators);
        let rows = std::mem::take(&mut self.series).into_sorted();
        let built = in_two_halves(rows, |((org, ind_id), rows)| {
            let &ind = indicators.get(ind_id.as_str())?;
            let built = build_series(file, &org, ind, rows);
            Some(((org, ind_id), built))
        });
        // In key order already: collected at once, the map is built without a search a series.
        let mut series = Vec::with_capacity(built.len());
        for ((org, ind_id), built) in built.into_iter().flatten() {
            match built {
                Ok(mut s) => {
                    let key = (org, ind_id);
                    if let Some(m) = self.skipped.remove(&key) {
                        s.flags.push(Flag {
                            kind: FlagKind::SkippedInvalid,
                            message: m.message("rows skipped (--skip-invalid), shown as gaps"),
                        });
                    }
                    if let Some(m) = self.mismatches.remove(&key) {
                        s.flags.push(Flag {
                            kind: FlagKind::ValueMismatch,
                            message: m
                                .message("value does not match its numerator and denominator"),
                        });
                    }
                    s.flags.sort();
                    series.push((key, s));
                }
                Err(d) => self.push_error(*d),
            }
        }
        series.into_iter().collect()
    }

    /// The data read, or every error found (the first [`MAX_ERRORS`] and how many more);
    /// `sha256` gives the whole file's, in hex, once it has all been read.
    pub(crate) fn finish(
        self,
        set: &KpiSet,
        sha256: impl FnOnce() -> String,
    ) -> Result<KpiData, Diagnostics> {
        self.finish_in_part(set, sha256)
            .map_err(ReadErrors::into_diagnostics)
    }

    /// [`Reading::finish`] of a part of a file, its errors kept apart (rows' and series'), to
    /// be gathered with the other parts' into the whole file's.
    pub(crate) fn finish_in_part(
        mut self,
        set: &KpiSet,
        sha256: impl FnOnce() -> String,
    ) -> Result<KpiData, ReadErrors> {
        let warnings = self.warnings(set);
        // Every error listed so far is a row's: the series' come next.
        let of_rows = self.diags.0.len();
        let series = self.series();
        if self.diags.has_errors() {
            return Err(ReadErrors::new(
                self.file,
                self.diags.0,
                of_rows,
                self.errors,
            ));
        }
        Ok(KpiData {
            source: Some(FileUsed {
                file: self.file.to_string(),
                sha256: sha256(),
            }),
            rows_read: self.rows_read,
            rows_kept: self.rows_kept,
            series,
            organisations: with_met(self.organisations, self.met),
            warnings,
            plugins: Vec::new(),
        })
    }
}

/// The organisations `set` and those `met` together, the set built from the others in one
/// go (sorted, then put in order) rather than one insertion each.
fn with_met(mut set: BTreeSet<String>, met: Vec<String>) -> BTreeSet<String> {
    let mut more: BTreeSet<String> = met.into_iter().collect();
    match set.is_empty() {
        true => more,
        false => {
            set.append(&mut more);
            set
        }
    }
}

impl Series {
    /// A series without data, saying why (a plugin that is missing or failed).
    pub fn without_data(organisation: &str, ind: &Indicator, reason: String) -> Series {
        Series {
            organisation: organisation.to_string(),
            indicator: ind.id.get_ref().clone(),
            source_period: ind.period,
            observations: Observations::new(),
            flags: vec![Flag {
                kind: FlagKind::NoData,
                message: reason,
            }],
        }
    }
}

/// Builds one organisation's series of an indicator from points supplied by another source
/// than a KPI data file (a plugin measure, named by `source` in messages), with the same
/// checks, flags and aggregation as the file's rows: a value is recomputed from its numerator
/// and denominator when both are given (flagged when the two disagree), a ratio with a zero
/// denominator is refused, duplicates, gaps and implausible values are flagged, and shorter
/// periods are aggregated up to the indicator's. An error says why the points cannot be used.
pub fn series_from_points(
    source: &str,
    organisation: &str,
    ind: &Indicator,
    points: Vec<Observation>,
) -> Result<Series, String> {
    let id = ind.id.get_ref();
    if points.is_empty() {
        return Ok(Series {
            organisation: organisation.to_string(),
            indicator: id.clone(),
            source_period: ind.period,
            observations: Observations::new(),
            flags: Vec::new(),
        });
    }
    let ratio = matches!(ind.value_type, ValueType::Proportion | ValueType::Rate);
    let mut rows = SeriesRows::default();
    let mut mismatches = Listing::default();
    for p in points {
        if !p.value.is_finite()
            || p.numerator.is_some_and(|n| !n.is_finite())
            || p.denominator.is_some_and(|d| !d.is_finite())
        {
            return Err(format!(
                "{source}: point {} ({}) is not a finite number",
                p.line, p.period
            ));
        }
        // A plugin's numbers are held to what a data file's are.
        let checked = [
            ("value", Some(p.value)),
            ("numerator", p.numerator),
            ("denominator", p.denominator),
        ];
        for (name, v) in checked {
            if let Some(Err(e)) = v.map(crate::number::check) {
                return Err(format!(
                    "{source}: point {} ({}): {name} {} {e}",
                    p.line,
                    p.period,
                    show(v.unwrap_or_default())
                ));
            }
        }
        let computed = row_numbers(ind, Some(p.value), p.numerator, p.denominator).map_err(
            |(problem, _)| format!("{source}: point {} ({}): {problem}", p.line, p.period),
        )?;
        if ratio && p.denominator == Some(0.0) {
            return Err(format!(
                "{source}: point {} ({}): indicator \"{id}\" is a {} and its denominator is 0",
                p.line,
                p.period,
                ind.value_type.as_str()
            ));
        }
        let value = match (p.numerator, p.denominator, computed) {
            (Some(n), Some(d), Some(c)) => {
                if (p.value - c).abs() > 1e-6 * c.abs().max(1.0) {
                    mismatches.push_with(|| {
                        format!(
                            "{} (point {}): value {} but {} × {n} / {d} = {}",
                            p.period,
                            p.line,
                            p.value,
                            ind.multiplier.unwrap_or(1.0),
                            round_for_display(c)
                        )
                    });
                }
                c
            }
            _ => p.value,
        };
        rows.push(Row {
            period: p.period,
            value,
            numerator: p.numerator,
            denominator: p.denominator,
            line: p.line,
        });
    }
    let mut s = build_series(source, organisation, ind, rows).map_err(|d| {
        let mut text = d.message.clone();
        if let Some(e) = &d.expected {
            let _ = write!(text, "; expected {e}");
        }
        format!("{source}: {text}")
    })?;
    if !mismatches.is_empty() {
        s.flags.push(Flag {
            kind: FlagKind::ValueMismatch,
            message: mismatches.message("value does not match its numerator and denominator"),
        });
        s.flags.sort();
    }
    Ok(s)
}

/// `items` mapped by `f`, in order: the second half on another thread when there are enough
/// of them and a second core (building a national file's series is a tenth of reading it).
fn in_two_halves<T: Send, U: Send>(mut items: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    const ENOUGH: usize = 256;
    let two =
        items.len() >= ENOUGH && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    if !two {
        return items.into_iter().map(f).collect();
    }
    let second = items.split_off(items.len() / 2);
    let f = &f;
    std::thread::scope(|s| {
        let later = s.spawn(move || second.into_iter().map(f).collect::<Vec<U>>());
        let mut out: Vec<U> = items.into_iter().map(f).collect();
        match later.join() {
            Ok(later) => out.extend(later),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        out
    })
}

/// Rounds a computed value for a message, so it does not show binary noise.
pub(crate) fn round_for_display(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

fn listed(items: &[String], what: &str) -> String {
    listed_of(items, items.len() as u64, what)
}

/// [`listed`] for `total` items of which `items` are the first (at least the first
/// [`MAX_LISTED`], or all).
pub(crate) fn listed_of(items: &[String], total: u64, what: &str) -> String {
    let shown = items.iter().take(MAX_LISTED).cloned().collect::<Vec<_>>();
    let more = total.saturating_sub(shown.len() as u64);
    format!(
        "{what}: {}{}",
        shown.join("; "),
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        }
    )
}

/// Orders one series' rows, checks their period types, flags duplicates, gaps and
/// implausible values, and aggregates finer periods up to the indicator's.
fn build_series(
    file: &str,
    org: &str,
    ind: &Indicator,
    rows: SeriesRows,
) -> Result<Series, Box<Diagnostic>> {
    let id = ind.id.get_ref();
    let Some(folded) = rows.finish() else {
        return Ok(Series {
            organisation: org.to_string(),
            indicator: id.clone(),
            source_period: ind.period,
            observations: Observations::new(),
            flags: Vec::new(),
        });
    };
    check_period_types(file, org, ind, &folded)?;
    let (first_kind, _) = folded.first;
    let mut flags = Vec::new();
    // One row per period, the later row of a repeated period used, as a resubmission.
    let deduped = folded.rows;
    if !folded.duplicates.is_empty() {
        flags.push(Flag {
            kind: FlagKind::Duplicate,
            message: folded
                .duplicates
                .message("the same period appears more than once"),
        });
    }
    flag_values(ind, &deduped, &mut flags);
    let observations = if first_kind < ind.period {
        aggregated(file, org, ind, first_kind, &deduped.to_vec(), &mut flags)?
    } else {
        deduped
    };
    flags.extend(missing_periods(&observations));
    Ok(Series {
        organisation: org.to_string(),
        indicator: id.clone(),
        source_period: first_kind,
        observations,
        flags,
    })
}

/// Refuses a series whose rows mix period types, or whose periods are coarser than the
/// indicator's (data cannot be split into shorter periods).
fn check_period_types(
    file: &str,
    org: &str,
    ind: &Indicator,
    folded: &Folded,
) -> Result<(), Box<Diagnostic>> {
    let id = ind.id.get_ref();
    let (first_kind, first_line) = folded.first;
    if let Some((other, line)) = folded.other_kind {
        return Err(Box::new(Diagnostic::error(format!(
            "mixed period types in one series: {org} \"{id}\" has a {} on line {first_line} and a {} ({}) on line {line}",
            first_kind.as_str(),
            other.kind.as_str(),
            other,
        ))
        .in_file(file)
        .expected(format!(
            "every row of the series by {} (the indicator's period), or all by one finer period to aggregate",
            ind.period.as_str()
        ))));
    }
    if first_kind > ind.period {
        return Err(Box::new(Diagnostic::error(format!(
            "{org} \"{id}\" is by {} but the indicator is by {}: data cannot be split into shorter periods (line {first_line})",
            first_kind.as_str(),
            ind.period.as_str(),
        ))
        .in_file(file)
        .expected(format!("periods of a {} or shorter", ind.period.as_str()))));
    }
    Ok(())
}

/// Flags numerators above their denominators (for a proportion) and values outside the
/// indicator's plausible range.
fn flag_values(ind: &Indicator, rows: &Observations, flags: &mut Vec<Flag>) {
    let mut above = Listing::default();
    let mut implausible = Listing::default();
    let proportion = ind.value_type == ValueType::Proportion;
    // A proportion's numerators are compared with their denominators by column first.
    let above_possible = proportion && rows.any_numerator_above_denominator();
    if !above_possible
        && ind.plausible.is_none_or(|range| {
            rows.values()
                .iter()
                .all(|v| (range.min..=range.max).contains(v))
        })
    {
        // Nothing to flag: no observation need be built.
        return;
    }
    for r in rows {
        if ind.value_type == ValueType::Proportion
            && let (Some(n), Some(d)) = (r.numerator, r.denominator)
            && n > d
        {
            above.push_with(|| format!("{} (line {}): {n} > {d}", r.period, r.line));
        }
        if let Some(range) = ind.plausible
            && !(range.min..=range.max).contains(&r.value)
        {
            implausible.push_with(|| {
                format!(
                    "{} (line {}): {} is outside {} to {}",
                    r.period,
                    r.line,
                    round_for_display(r.value),
                    range.min,
                    range.max
                )
            });
        }
    }
    if !above.is_empty() {
        flags.push(Flag {
            kind: FlagKind::NumeratorAboveDenominator,
            message: above.message("numerator above denominator"),
        });
    }
    if !implausible.is_empty() {
        flags.push(Flag {
            kind: FlagKind::Implausible,
            message: implausible.message("value outside the plausible range"),
        });
    }
}

/// Observations in finer periods than the indicator's, aggregated up to its period, flagging
/// periods made from only some of their parts.
fn aggregated(
    file: &str,
    org: &str,
    ind: &Indicator,
    first_kind: PeriodType,
    observations: &[Observation],
    flags: &mut Vec<Flag>,
) -> Result<Observations, Box<Diagnostic>> {
    let agg = aggregate(
        observations,
        ind.period,
        ind.value_type,
        ind.multiplier,
        ind.aggregation,
    )
    .map_err(|e| {
        Box::new(
            Diagnostic::error(format!(
                "{org} \"{}\": cannot aggregate {} data to {}: {e}",
                ind.id.get_ref(),
                first_kind.as_str(),
                ind.period.as_str()
            ))
            .in_file(file),
        )
    })?;
    let incomplete: Vec<String> = agg
        .iter()
        .filter(|a| a.parts < a.expected_parts)
        .map(|a| {
            format!(
                "{} has {} of {} {}s",
                a.observation.period,
                a.parts,
                a.expected_parts,
                first_kind.as_str()
            )
        })
        .collect();
    if !incomplete.is_empty() {
        flags.push(Flag {
            kind: FlagKind::IncompletePeriod,
            message: listed(&incomplete, "aggregated from part of the period"),
        });
    }
    Ok(agg.into_iter().map(|a| a.observation).collect())
}

/// The flag for periods missing between observations, if any: counted exactly, however long
/// the gaps; only the first few are named.
fn missing_periods(observations: &Observations) -> Option<Flag> {
    if no_gaps(observations) {
        return None;
    }
    let mut missing = Vec::new();
    let mut n = 0u64;
    let mut periods = observations.periods();
    let mut before = periods.next()?;
    for after in periods {
        let w = [before, after];
        before = after;
        let gap = periods_between(w[0], w[1]);
        n += gap;
        if gap == 0 {
            // Consecutive periods (the usual): nothing to name.
            continue;
        }
        let mut p = w[0].next();
        while p < w[1] && missing.len() < MAX_LISTED {
            missing.push(p.to_string());
            p = p.next();
        }
    }
    (n > 0).then(|| Flag {
        kind: FlagKind::MissingPeriods,
        message: listed_of(
            &missing,
            n,
            &format!("{n} period{} missing", if n == 1 { "" } else { "s" }),
        ),
    })
}

/// Whether a series of months or of days (its periods in order, each once) has none
/// missing, told from its first and last alone: the steps between neighbours, each at least
/// one, add up to the steps from first to last, which are then one fewer than the periods
/// only when every step is one. `false` for other period types, whose steps are not counted
/// so (each pair is then looked at).
fn no_gaps(observations: &Observations) -> bool {
    use chrono::Datelike as _;
    let starts = observations.starts();
    let (Some(&first), Some(&last)) = (starts.first(), starts.last()) else {
        return true;
    };
    let months = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let steps = match observations.one_kind() {
        Some(PeriodType::Month) => months(last) - months(first),
        Some(PeriodType::Day) => (last - first).num_days(),
        _ => return false,
    };
    steps == observations.len() as i64 - 1
}

/// [`Period::periods_between`], counted from the months of the two starts for periods of
/// whole months (the day count it also makes is used only for days and weeks): a series'
/// every pair of neighbours is counted, so this is on the way of every row read.
#[inline]
fn periods_between(earlier: Period, later: Period) -> u64 {
    use chrono::Datelike as _;
    let months = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let steps = match earlier.kind {
        PeriodType::Day | PeriodType::Week => return earlier.periods_between(later),
        PeriodType::Month => months(later.start) - months(earlier.start),
        PeriodType::Quarter => (months(later.start) - months(earlier.start)).div_euclid(3),
        PeriodType::Year => (months(later.start) - months(earlier.start)).div_euclid(12),
    };
    u64::try_from(steps - 1).unwrap_or(0)
}

/// The latest period of `kind` a review dated `as_of` should have, allowing `lag` periods for
/// publication: the last period ending on or before `as_of`, stepped back `lag` times.
pub fn expected_latest(kind: PeriodType, as_of: NaiveDate, lag: u32) -> Period {
    let mut p = period_of(as_of, kind);
    if p.end() > as_of {
        p = p.previous();
    }
    for _ in 0..lag {
        p = p.previous();
    }
    p
}

/// A KPI set of a proportion (`prop`, counts × 100) and a count (`count`), for the crate's
/// unit tests.
#[cfg(test)]
pub(crate) fn test_set() -> KpiSet {
    let text = r#"
kind = "kpi-set"
id = "t"
version = "1"
title = "T"
source = "test"
status = "example"
[documents]
d = { title = "D" }
[[indicators]]
id = "prop"
title = "Proportion"
timeframe = "leading"
period = "month"
unit = "%"
value_type = "proportion"
multiplier = 100
improvement = "increase"
plausible = { min = 0.0, max = 100.0 }
source = { doc = "d", section = "1", quote = "q" }
[[indicators]]
id = "count"
title = "Count"
timeframe = "kpi"
period = "quarter"
value_type = "count"
improvement = "increase"
source = { doc = "d", section = "1", quote = "q" }
"#;
    let src = sct_core::source::SourceFile::from_text("t.toml", text);
    sct_core::load::parse_toml(&src).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::kpiset::KpiSet;

    proptest::proptest! {
        #[test]
        fn a_series_has_no_gaps_exactly_when_no_neighbours_have_periods_between(
            steps in proptest::collection::vec(1u32..4, 0..40),
            kind in 0usize..5,
            start in 0i32..3000,
        ) {
            // Periods in order, each once, a step of one (the usual) or more apart.
            let kind = [PeriodType::Day, PeriodType::Week, PeriodType::Month, PeriodType::Quarter, PeriodType::Year][kind];
            let mut p = period_of(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(i64::from(start)), kind);
            let mut list = Observations::new();
            for (i, &step) in std::iter::once(&1).chain(&steps).enumerate() {
                for _ in 0..step {
                    p = p.next();
                }
                list.push(Observation { period: p, value: 1.0, numerator: None, denominator: None, line: i as u64 });
            }
            let periods: Vec<Period> = list.periods().collect();
            let gaps: u64 = periods.windows(2).map(|w| periods_between(w[0], w[1])).sum();
            if no_gaps(&list) {
                proptest::prop_assert_eq!(gaps, 0);
            } else if matches!(kind, PeriodType::Month | PeriodType::Day) {
                proptest::prop_assert!(gaps > 0);
            }
            proptest::prop_assert_eq!(missing_periods(&list).is_none(), gaps == 0);
        }
    }

    #[test]
    fn the_tolerance_from_the_table_is_the_one_computed_with_powi_bit_for_bit() {
        for places in -3..40 {
            assert_eq!(
                tolerance(places).to_bits(),
                (0.5 * 10f64.powi(-places) + 1e-9).to_bits(),
                "{places}"
            );
        }
    }

    fn set() -> KpiSet {
        super::test_set()
    }

    fn read(csv: &str) -> Result<KpiData, Diagnostics> {
        read_kpi_data(csv.as_bytes(), "d.csv", &set(), None)
    }

    fn messages(d: &Diagnostics) -> String {
        d.iter()
            .map(|x| format!("{} {:?}", x.message, x.location.as_ref().map(|l| l.line)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn numbers_written_na_or_null_read_as_empty_fields() {
        // As R's `write.csv` and SQL Server's saved results write them: the same series,
        // flags and skipped rows as empty fields give, both ways of reading the lines.
        let h = "organisation,indicator,period,value,numerator,denominator";
        let rows = |m: &str| {
            format!(
                "{h}\nQUY,prop,2024-04,{m},5,10\nQUY,prop,2024-05,60,{m},{m}\n\
                 QUY,count,2024-04,3,{m},{m}\nQUY,count,2024-05,{m},{m},{m}\n"
            )
        };
        // Without the file's checksum, which differs.
        let read_skipping = |csv: &str| {
            let mut d = read_kpi_data_with(csv.as_bytes(), "d.csv", &set(), None, true);
            if let Ok(d) = &mut d {
                d.source = None;
            }
            format!("{d:#?}")
        };
        let empty = rows("");
        assert!(read_skipping(&empty).contains("no value"));
        for missing in MISSING_NUMBERS {
            let written = rows(missing);
            assert_eq!(read_skipping(&written), read_skipping(&empty), "{missing}");
            let (fast, slow) = both_ways(written.as_bytes(), true);
            assert_eq!(fast, slow, "{missing}");
        }
        // Only those: other spellings are not numbers, and say so.
        for other in ["na", "N/A", "NaN", "null"] {
            let e = read(&rows(other)).unwrap_err();
            assert!(
                messages(&e).contains(&format!("\"{other}\" is not a number")),
                "{other}: {e:?}"
            );
        }
    }

    /// The file read with its simple lines straight from the bytes, and wholly through the
    /// csv crate, as text to compare (every field, flag, warning and error with its line).
    fn both_ways(bytes: &[u8], skip_invalid: bool) -> (String, String) {
        let read = |simple, split| {
            let d = read_kpi_lines(bytes, "d.csv", &set(), None, skip_invalid, simple, split);
            format!("{d:#?}")
        };
        let fast = read(true, Split::Two);
        // On one thread as well, whatever the machine, and every other batch on each of two.
        assert_eq!(fast, read(true, Split::One));
        assert_eq!(fast, read(true, Split::EveryOther));
        (fast, read(false, Split::One))
    }

    #[test]
    fn lines_read_straight_from_the_bytes_give_what_the_csv_crate_gives() {
        let h = "organisation,indicator,period,value,numerator,denominator";
        let cases: Vec<Vec<u8>> = [
            format!("{h}\nQUY,prop,2024-04,66.9,27821,41567\nQUY,prop,2024-05,60,6,10\n"),
            format!("{h}\r\nQUY,prop,2024-04,66.9,27821,41567\r\n\r\nQUY,prop,2024-05,60,6,10\r\n"),
            format!("\u{feff}{h}\nQUY,prop,2024-04,50,5,10\n\n\nQUY,prop,2024-04,60,6,10"),
            format!("\n\n{h}\nQUY,prop,2024-04,50,5,10\n"),
            format!("{h}\nQUY,prop,2024-04,50,5,10\n\"QUY\",prop,2024-05,x,5,10\nQUY,prop,2024-06,y,5,10\n"),
            format!("{h}\nQUY,prop,2024-04,50,5,10\nQUY,prop,\"2024-05\n\",50,5,10\nQUY,prop,2024-13,5,5,10\n"),
            format!("{h}\nQUY,prop,2024-04,50,5,10\nQUY,prop,2024-05,50,5\nQUY,prop,2024-06,50,5,10\n"),
            format!("{h}\nQUY,prop,2024-04,50,5,10,9\n"),
            format!("{h}\nQUY,prop,2024-04,50,5,10\rQUY,prop,2024-05,50,5,10\n"),
            format!("{h}\n QUY , prop ,\t2024-04 ,50 ,5, 10\u{a0}\n\u{a0}QUY,count,2024/25 Q1,3,,\n"),
            format!("{h}\nQUY,prop,April,50,5,10\nQUY,nope,2024-04,1,,\nQOX,count,2024-04,-1,,\n"),
            format!("{h}\nQUY,prop,2024-04,,,\nQUY,prop,2024-05,5%,,\n"),
            "\"organisation\",indicator,period,value\nQUY,prop,2024-04,50\n".to_string(),
            "org,indicator,period,value\nQUY,prop,2024-04,50\n".to_string(),
            format!("{h}\n"),
            h.to_string(),
            String::new(),
            "\n\n".to_string(),
        ]
        .into_iter()
        .map(String::into_bytes)
        .collect();
        let mut cases = cases;
        let mut bad = format!("{h}\nQUY,prop,2024-04,50,5,10\nQUY,prop,2024-05,").into_bytes();
        bad.extend_from_slice(b"\xff,5,10\n");
        cases.push(bad);
        let mut bad = format!("{h}\nQUY,prop,2024-04,50,5,10\nQUY,prop,2024-05,").into_bytes();
        bad.extend_from_slice(b"\xff\xfe,5,10\nQUY,prop,2024-06,50,5,10\n");
        cases.push(bad);
        // Past the first buffer: a quoted line, then a bad row, after a megabyte of rows,
        // and a line longer than a buffer.
        let mut big = format!("{h}\n");
        for m in 0..40_000 {
            let _ = writeln!(
                big,
                "Q{:03},prop,{}-{:02},50,5,10",
                m % 997,
                2000 + m / 12 % 50,
                m % 12 + 1
            );
        }
        let mut quoted = big.clone();
        quoted.push_str("\"QUY\",prop,2024-04,50,5,10\nQUY,prop,2024-99,50,5,10\n");
        let mut long = big.clone();
        let _ = writeln!(long, "QUY,prop,2024-04,50,5,{}", "1".repeat(3 << 20));
        long.push_str("QUY,prop,bad,50,5,10\n");
        cases.extend([big.into_bytes(), quoted.into_bytes(), long.into_bytes()]);
        for case in &cases {
            for skip_invalid in [false, true] {
                let (fast, slow) = both_ways(case, skip_invalid);
                let shown = String::from_utf8_lossy(&case[..case.len().min(200)]);
                assert_eq!(fast, slow, "{shown:?}");
            }
        }
    }

    /// A long file of rows drawn from `pieces` by a xorshift stream from `seed`: mostly
    /// plain rows of a few series, some odd (spaces, other periods, bad numbers, rows too
    /// wide or too narrow, empty lines, a quote or a `\r` when `odd`), the columns in the
    /// order of `header`.
    fn drawn_file(seed: u64, rows: usize, header: &[&str], odd: bool) -> Vec<u8> {
        let mut x = seed;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        let pick = |pieces: &[&'static str], k: usize| pieces[k % pieces.len()];
        let field = |name: &str, r: usize, k: usize, odd: bool| -> String {
            let plain = !k.is_multiple_of(8);
            match name {
                "organisation" if plain => ["QUY", "QOX", "Q\u{e9}"][r / 150 % 3].to_string(),
                "organisation" => pick(&[" QUY", "QUY ", "", "QZZ"], k).to_string(),
                "indicator" if plain => ["prop", "count"][r / 50 % 2].to_string(),
                "indicator" => pick(&["nope", " prop", "count\t", ""], k).to_string(),
                "period" if plain => format!("{}-{:02}", 2000 + r % 600 / 12, r % 12 + 1),
                "period" => pick(
                    &[
                        "2024/25 Q1",
                        "2024-W05",
                        "2024-13",
                        "x",
                        "",
                        " 2024-06",
                        "2025-26 q2",
                    ],
                    k,
                )
                .to_string(),
                "value" if plain => format!("{}.{}", k % 90, k % 7),
                "value" => pick(
                    &["", "5%", "1e3", "-1", "12345678901234567", " 7", "1.", "-"],
                    k,
                )
                .to_string(),
                "numerator" if plain => format!("{}", k % 50),
                "denominator" if plain => format!("{}", 50 + k % 50),
                _ if odd && k.is_multiple_of(5) => pick(&["\"5\"", "5\r", "0"], k).to_string(),
                _ => pick(&["", "0", "-2", "6.0", "10", "7"], k).to_string(),
            }
        };
        let mut out = header.join(",");
        out.push('\n');
        for r in 0..rows {
            let k = next(1 << 20);
            let fields: Vec<String> = header
                .iter()
                .map(|h| field(h, r, next(1000), odd))
                .collect();
            let mut line = fields.join(",");
            match k % 97 {
                0 => line.push_str(",9"),
                1 => line.truncate(line.rfind(',').unwrap_or(0)),
                2 => line.clear(),
                3 if odd => line.push('\r'),
                _ => {}
            }
            out.push_str(&line);
            out.push('\n');
        }
        out.into_bytes()
    }

    #[test]
    fn drawn_files_read_straight_from_the_bytes_give_what_the_csv_crate_gives() {
        let full = [
            "organisation",
            "indicator",
            "period",
            "value",
            "numerator",
            "denominator",
        ];
        let other = [
            "value",
            "period",
            "denominator",
            "indicator",
            "numerator",
            "organisation",
        ];
        let short = ["indicator", "organisation", "value", "period"];
        for seed in 1..=6u64 {
            for (header, odd) in [
                (&full[..], false),
                (&other[..], seed % 2 == 0),
                (&short[..], true),
            ] {
                // Long enough for several batches on two threads (about 30 bytes a row).
                let file = drawn_file(
                    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15),
                    30_000,
                    header,
                    odd,
                );
                for skip_invalid in [false, true] {
                    let (fast, slow) = both_ways(&file, skip_invalid);
                    assert_eq!(fast, slow, "seed {seed}, {header:?}");
                }
            }
        }
    }

    #[test]
    fn periods_remembered_by_their_text_are_the_periods_parsed() {
        let mut cache = PeriodCache::new();
        let mut texts: Vec<String> = Vec::new();
        for y in 1999..2031 {
            for m in 1..=13 {
                texts.push(format!("{y}-{m:02}"));
                texts.push(format!("{y}-{m:02}-{:02}", m + 14));
                texts.push(format!("{y}-W{m:02}"));
            }
            texts.push(format!("{y}/{:02} Q{}", (y + 1) % 100, y % 5));
            texts.push(format!("{y}-{:02} Q1", (y + 1) % 100));
        }
        texts.extend(
            [
                "1",
                "12",
                "123",
                "2024",
                "2024-",
                "2024-4",
                "2024-04 ",
                "xxxxxxxxxxxxxxxxx",
            ]
            .map(String::from),
        );
        // Every text three times, in an order that keeps pushing others out of their slots.
        for round in 0..3 {
            for i in 0..texts.len() {
                let text = texts[(i * 7 + round) % texts.len()].as_str();
                assert_eq!(cache.parse(text), Period::parse(text), "{text:?}");
            }
        }
    }

    #[test]
    fn plain_decimals_are_read_as_the_standard_parser_reads_them() {
        let alphabet = b"0123456789.-+e 9";
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut fast = 0;
        for _ in 0..300_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = 1 + (x % 26) as usize;
            let text: String = (0..len)
                .map(|k| alphabet[((x >> (k * 2 % 60)) as usize + k) % alphabet.len()] as char)
                .collect();
            let text = if x.is_multiple_of(3) {
                text.replace(['-', '+', 'e', ' '], "")
            } else {
                text
            };
            if let Some(v) = plain_decimal(text.as_bytes()) {
                fast += 1;
                let std: f64 = text.parse().unwrap();
                assert_eq!(v.to_bits(), std.to_bits(), "{text:?}");
            }
        }
        assert!(fast > 10_000, "{fast}");
        for (text, v) in [
            ("-0", -0.0),
            ("5.", 5.0),
            (".5", 0.5),
            ("-.25", -0.25),
            ("0.1", 0.1),
        ] {
            assert_eq!(
                plain_decimal(text.as_bytes()).map(f64::to_bits),
                Some(f64::to_bits(v))
            );
        }
        for text in [
            "",
            "-",
            ".",
            "1e5",
            "+1",
            "1.2.3",
            "1234567890123456",
            " 1",
            "1-",
        ] {
            assert_eq!(plain_decimal(text.as_bytes()), None, "{text:?}");
        }
    }

    #[test]
    fn proportions_are_recomputed_from_numerator_and_denominator() {
        let d = read("organisation,indicator,period,value,numerator,denominator\nQUY,prop,2024-04,66.9,27821,41567\n").unwrap();
        let s = d.get("QUY", "prop").unwrap();
        approx::assert_relative_eq!(
            s.observations.get(0).unwrap().value,
            100.0 * 27821.0 / 41567.0
        );
        assert!(s.flags.is_empty(), "{:?}", s.flags);
    }

    #[test]
    fn a_missing_column_under_a_common_other_name_gets_a_hint_to_rename_it() {
        let e = read("ODS Code,indicator,month,value\nQUY,prop,2024-04,66.9\n").unwrap_err();
        let d = e.iter().next().expect("one diagnostic");
        assert!(
            d.message.contains("no columns organisation, period"),
            "{}",
            d.message
        );
        assert_eq!(
            d.hint.as_deref(),
            Some("rename the column `ODS Code` to `organisation`, `month` to `period`")
        );
        // No hint when nothing looks like the missing column.
        let e = read("who,indicator,period,value\nQUY,prop,2024-04,66.9\n").unwrap_err();
        assert_eq!(e.iter().next().and_then(|d| d.hint.clone()), None);
    }

    #[test]
    fn a_zero_denominator_is_an_error_naming_the_line() {
        let e = read(
            "organisation,indicator,period,value,numerator,denominator\nQUY,prop,2024-04,,0,0\n",
        )
        .unwrap_err();
        let m = messages(&e);
        assert!(
            m.contains("denominator is 0") && m.contains("Some(2)"),
            "{m}"
        );
    }

    #[test]
    fn bad_numbers_and_periods_name_the_row_and_the_accepted_forms() {
        let e = read(
            "organisation,indicator,period,value\nQUY,prop,April 2024,5\nQUY,prop,2024-05,5%\n",
        )
        .unwrap_err();
        let m = messages(&e);
        assert!(
            m.contains("\"April 2024\" is not a period") && m.contains("Some(2)"),
            "{m}"
        );
        assert!(
            m.contains("\"5%\" is not a number") && m.contains("Some(3)"),
            "{m}"
        );
        let d = e.iter().next().unwrap();
        assert!(d.expected.as_deref().unwrap().contains("2025/26 Q1"));
    }

    #[test]
    fn mixed_period_types_in_one_series_are_an_error() {
        let e = read(
            "organisation,indicator,period,value\nQUY,count,2024/25 Q1,5\nQUY,count,2024-07,5\n",
        )
        .unwrap_err();
        assert!(
            messages(&e).contains("mixed period types"),
            "{}",
            messages(&e)
        );
    }

    #[test]
    fn coarser_periods_than_the_indicator_are_an_error() {
        let e = read("organisation,indicator,period,value\nQUY,prop,2024/25 Q1,5\n").unwrap_err();
        assert!(messages(&e).contains("cannot be split"), "{}", messages(&e));
    }

    #[test]
    fn flags_duplicates_gaps_implausible_and_numerator_above_denominator() {
        let d = read(
            "organisation,indicator,period,value,numerator,denominator\n\
             QUY,prop,2024-04,50,5,10\n\
             QUY,prop,2024-04,60,6,10\n\
             QUY,prop,2024-07,120,12,10\n\
             QUY,prop,2024-08,70,7,10\n",
        )
        .unwrap();
        let s = d.get("QUY", "prop").unwrap();
        let kinds: Vec<FlagKind> = s.flags.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![
                FlagKind::MissingPeriods,
                FlagKind::Duplicate,
                FlagKind::NumeratorAboveDenominator,
                FlagKind::Implausible
            ]
        );
        // The later duplicate is used.
        assert_eq!(s.observations.get(0).unwrap().value, 60.0);
        assert!(s.flags[0].message.contains("2024-05") && s.flags[0].message.contains("2024-06"));
        assert!(s.flags[1].message.contains("lines 2 and 3"));
    }

    #[test]
    fn a_value_that_disagrees_with_its_fraction_is_flagged_within_rounding() {
        let d = read(
            "organisation,indicator,period,value,numerator,denominator\n\
             QUY,prop,2024-04,66.9,27821,41567\n\
             QUY,prop,2024-05,70.1,27821,41567\n",
        )
        .unwrap();
        let s = d.get("QUY", "prop").unwrap();
        assert_eq!(s.flags.len(), 1, "{:?}", s.flags);
        assert_eq!(s.flags[0].kind, FlagKind::ValueMismatch);
        assert!(s.flags[0].message.contains("2024-05"));
    }

    #[test]
    fn other_organisations_rows_are_skipped_unchecked_and_unknown_indicators_warned() {
        let keep: BTreeSet<String> = ["QUY".to_string()].into();
        let d = read_kpi_data(
            "organisation,indicator,period,value\nQOX,prop,bad,x\nQUY,nope,2024-04,1\nQUY,count,2024/25 Q1,3\n".as_bytes(),
            "d.csv",
            &set(),
            Some(&keep),
        )
        .unwrap();
        assert_eq!((d.rows_read, d.rows_kept), (3, 2));
        assert!(d.organisations.contains("QOX"));
        assert!(d.warnings[0].contains("\"nope\"") && d.warnings[0].contains("line 3"));
        assert_eq!(
            d.get("QUY", "count")
                .unwrap()
                .observations
                .get(0)
                .unwrap()
                .value,
            3.0
        );
    }

    #[test]
    fn weekly_counts_are_summed_into_quarters_and_partial_quarters_flagged() {
        let mut csv = String::from("organisation,indicator,period,value\n");
        // 2024/25 Q1 is April to June 2024: ISO weeks whose Thursday falls in it.
        for w in 14..=26 {
            csv.push_str(&format!("QUY,count,2024-W{w:02},1\n"));
        }
        csv.push_str("QUY,count,2024-W27,5\n");
        let d = read(&csv).unwrap();
        let s = d.get("QUY", "count").unwrap();
        assert_eq!(s.observations.len(), 2);
        assert_eq!(
            s.observations.get(0).unwrap().period.to_string(),
            "2024/25 Q1"
        );
        assert_eq!(s.observations.get(0).unwrap().value, 13.0);
        assert_eq!(s.observations.get(1).unwrap().value, 5.0);
        assert_eq!(s.flags.len(), 1);
        assert_eq!(s.flags[0].kind, FlagKind::IncompletePeriod);
        assert!(
            s.flags[0].message.contains("2024/25 Q2 has 1 of 13 weeks"),
            "{}",
            s.flags[0].message
        );
    }

    #[test]
    fn expected_latest_steps_back_for_unfinished_periods_and_lag() {
        let d = NaiveDate::from_ymd_opt(2025, 11, 23).unwrap();
        assert_eq!(
            expected_latest(PeriodType::Month, d, 0).to_string(),
            "2025-10"
        );
        assert_eq!(
            expected_latest(PeriodType::Month, d, 1).to_string(),
            "2025-09"
        );
        assert_eq!(
            expected_latest(PeriodType::Quarter, d, 0).to_string(),
            "2025/26 Q2"
        );
        assert_eq!(
            expected_latest(PeriodType::Year, d, 0).to_string(),
            "2024/25"
        );
        let end = NaiveDate::from_ymd_opt(2025, 9, 30).unwrap();
        assert_eq!(
            expected_latest(PeriodType::Month, end, 0).to_string(),
            "2025-09"
        );
    }

    fn point(period: &str, value: f64, n: Option<f64>, d: Option<f64>, line: u64) -> Observation {
        Observation {
            period: Period::parse(period).unwrap(),
            value,
            numerator: n,
            denominator: d,
            line,
        }
    }

    #[test]
    fn supplied_points_are_checked_and_aggregated_as_rows_are() {
        let set = set();
        let prop = set.indicator("prop").unwrap();
        // Weeks 14 to 17 of 2025 hold April's Thursdays: one month, 5 of 23.
        let weeks = vec![
            point("2025-W14", 33.3, Some(2.0), Some(6.0), 1),
            point("2025-W15", 20.0, Some(1.0), Some(5.0), 2),
            point("2025-W16", 28.6, Some(2.0), Some(7.0), 3),
            point("2025-W17", 0.0, Some(0.0), Some(5.0), 4),
        ];
        let s = series_from_points("plugin:p/m", "QUY", prop, weeks).unwrap();
        assert_eq!(s.observations.len(), 1);
        assert_eq!(s.observations.get(0).unwrap().period.to_string(), "2025-04");
        approx::assert_relative_eq!(s.observations.get(0).unwrap().value, 100.0 * 5.0 / 23.0);
        // The values given were rounded: each is recomputed from its numerator and
        // denominator, and flagged as not matching them.
        assert_eq!(s.flags.len(), 1, "{:?}", s.flags);
        assert_eq!(s.flags[0].kind, FlagKind::ValueMismatch);
        assert!(
            s.flags[0]
                .message
                .starts_with("value does not match its numerator and denominator: 2025-W14 (point 1): value 33.3 but 100 × 2 / 6 = 33.3333"),
            "{}",
            s.flags[0].message
        );
    }

    #[test]
    fn supplied_points_that_cannot_be_used_say_why() {
        let set = set();
        let prop = set.indicator("prop").unwrap();
        let count = set.indicator("count").unwrap();
        let zero = vec![point("2025-04", 0.0, Some(0.0), Some(0.0), 3)];
        assert_eq!(
            series_from_points("plugin:p/m", "QUY", prop, zero).unwrap_err(),
            "plugin:p/m: point 3 (2025-04): indicator \"prop\" is a proportion and its denominator is 0"
        );
        let nan = vec![point("2025-04", f64::NAN, None, None, 1)];
        assert!(
            series_from_points("plugin:p/m", "QUY", prop, nan)
                .unwrap_err()
                .contains("is not a finite number")
        );
        // Quarterly `count` cannot be split from years.
        let years = vec![point("2024/25", 1.0, None, None, 1)];
        assert!(
            series_from_points("plugin:p/m", "QUY", count, years)
                .unwrap_err()
                .starts_with(
                    "plugin:p/m: QUY \"count\" is by year but the indicator is by quarter"
                )
        );
        // Held to what a file's rows are: no number beyond ±1e15, no negative count.
        let huge = vec![point("2025-04", 1.0, Some(1e308), Some(1e308), 2)];
        assert_eq!(
            series_from_points("plugin:p/m", "QUY", prop, huge).unwrap_err(),
            "plugin:p/m: point 2 (2025-04): numerator 1e308 is beyond ±1e15, the largest magnitude sct takes"
        );
        let negative = vec![point("2025/26 Q1", -4.0, None, None, 1)];
        assert!(
            series_from_points("plugin:p/m", "QUY", count, negative)
                .unwrap_err()
                .ends_with("value -4 is negative, and it is a count")
        );
        let empty = series_from_points("plugin:p/m", "QUY", count, vec![]).unwrap();
        assert!(empty.observations.is_empty() && empty.flags.is_empty());
        let none = Series::without_data("QUY", count, "the plugin was not found".into());
        assert_eq!(none.flags[0].kind, FlagKind::NoData);
    }

    #[test]
    fn rows_of_an_indicator_a_plugin_supplies_are_skipped_with_a_warning() {
        let mut set = set();
        set.indicators[0].measure = Some(toml::Spanned::new(0..0, "plugin:p/m".into()));
        let d = read_kpi_data(
            "organisation,indicator,period,value\nQUY,prop,2024-04,66.9\nQUY,count,2024/25 Q1,3\n"
                .as_bytes(),
            "d.csv",
            &set,
            None,
        )
        .unwrap();
        assert!(d.get("QUY", "prop").is_none());
        assert!(d.get("QUY", "count").is_some());
        assert_eq!(
            d.warnings,
            [
                "1 row for indicator \"prop\" (first on line 2) skipped: its series comes from plugin measure plugin:p/m"
            ]
        );
    }
}
