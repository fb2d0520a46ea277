//! `sct kpi spc` input: a CSV of dates and values, its gaps, and the rebase dates resolved
//! against it (the run is [`crate::chart_run`], its output [`crate::chart_output`]).
//! Dates may be ISO dates or any period form (months, ISO weeks, NHS quarters and years),
//! reported as the period's first day.

use chrono::NaiveDate;

use sct_core::diagnostic::{Diagnostic, Diagnostics, Location, Snippet};
use sct_core::source::SourceFile;

use crate::period::{ACCEPTED_FORMS, Period, PeriodType};
use crate::review::MAX_GAP_LISTED;

/// One input point, in date order after reading.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    /// The date (a period's first day).
    pub date: NaiveDate,
    /// The value.
    pub value: f64,
    /// Its one-based line in the file.
    pub line: usize,
    /// The form its date was written in (a day for ISO dates).
    pub period: PeriodType,
}

/// A row left out with `--skip-invalid` (its value empty or not a number): a shown gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// The row's date.
    pub date: NaiveDate,
    /// Its one-based line.
    pub line: usize,
    /// The value as written.
    pub text: String,
}

/// A series as read: its points in date order and the rows skipped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReadSeries {
    /// The points, in date order.
    pub points: Vec<SeriesPoint>,
    /// Rows skipped with `--skip-invalid`, in date order.
    pub skipped: Vec<Skipped>,
}

/// A gap before a point: periods missing between it and the point before (the period type
/// known from how the dates are written), or rows skipped as invalid.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// Index of the point after the gap.
    pub before: usize,
    /// The periods missing, as written (months as 2024-05, dates as 2024-05-01).
    pub periods: Vec<String>,
    /// Why, in words ("2 periods missing", "line 7: value \"\" skipped").
    pub reason: String,
}

/// The gaps of a series: with one period type coarser than a day for every point, each
/// period missing between the first and the last; and each row skipped as invalid.
pub fn find_gaps(points: &[SeriesPoint], skipped: &[Skipped]) -> Vec<Gap> {
    gaps_of(
        points.len(),
        |i| (points[i].date, points[i].period),
        skipped,
    )
}

/// [`find_gaps`] of points given as their dates and the form each was written in.
pub fn find_gaps_in(points: &[(NaiveDate, PeriodType)], skipped: &[Skipped]) -> Vec<Gap> {
    gaps_of(points.len(), |i| points[i], skipped)
}

/// [`find_gaps`] of `len` points, point `i` being `point(i)` (its date and form): read in
/// place, so that a long series is not copied to be looked at.
fn gaps_of(
    len: usize,
    point: impl Fn(usize) -> (NaiveDate, PeriodType),
    skipped: &[Skipped],
) -> Vec<Gap> {
    let kind = (len > 0).then(|| point(0).1);
    let known = kind.filter(|k| *k > PeriodType::Day && (0..len).all(|i| point(i).1 == *k));
    if known.is_none() && skipped.is_empty() {
        // Dates (or mixed forms) with nothing skipped: no gap to show.
        return Vec::new();
    }
    let mut gaps: Vec<Gap> = Vec::new();
    for i in 0..len.saturating_sub(1) {
        let w = [point(i).0, point(i + 1).0];
        let mut periods = Vec::new();
        let mut reasons = Vec::new();
        if let Some(kind) = known {
            let mut p = Period { kind, start: w[0] }.next();
            while p.start < w[1] && periods.len() < MAX_GAP_LISTED {
                periods.push(p.to_string());
                p = p.next();
            }
            // Counted exactly, however long the gap: the periods between, less those whose
            // row is there but was skipped as invalid.
            let all = Period { kind, start: w[0] }.periods_between(Period { kind, start: w[1] });
            let mut skipped_here: Vec<NaiveDate> = skipped
                .iter()
                .map(|s| s.date)
                .filter(|&d| d > w[0] && d < w[1])
                .filter(|&d| Period::containing(d, kind).start == d)
                .collect();
            skipped_here.sort();
            skipped_here.dedup();
            let missing = all.saturating_sub(skipped_here.len() as u64);
            if missing > 0 {
                let listed = if all > periods.len() as u64 {
                    format!(" (the first {} listed)", periods.len())
                } else {
                    String::new()
                };
                reasons.push(format!(
                    "{missing} period{} missing{listed}",
                    if missing == 1 { "" } else { "s" }
                ));
            }
        }
        for s in skipped.iter().filter(|s| s.date > w[0] && s.date < w[1]) {
            if known.is_none() {
                periods.push(s.date.format("%Y-%m-%d").to_string());
            }
            reasons.push(if s.text.is_empty() {
                format!("line {}: empty value skipped", s.line)
            } else {
                format!(
                    "line {}: value \"{}\" is not a number, skipped",
                    s.line, s.text
                )
            });
        }
        if !reasons.is_empty() {
            gaps.push(Gap {
                before: i + 1,
                periods,
                reason: reasons.join("; "),
            });
        }
    }
    gaps
}

/// Which columns hold the date and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// Date column name (default `date`).
    pub date: String,
    /// Value column name (default `value`).
    pub value: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            date: "date".into(),
            value: "value".into(),
        }
    }
}

/// The location of one-based `line` of `src`, with the line as the snippet.
pub(crate) fn at(src: &SourceFile, line: usize) -> Location {
    let text = src.text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let len = text.chars().take(Snippet::UNDERLINE).count().max(1);
    Location {
        file: src.name.clone(),
        line,
        column: 1,
        snippet: Some(Snippet::at_column(text, 1, len)),
    }
}

/// Reads a date/value CSV: every row checked, errors located by line, then sorted by date.
/// A duplicate date is an error naming both rows (§1).
pub fn read_series(src: &SourceFile, columns: &Columns) -> Result<Vec<SeriesPoint>, Diagnostics> {
    read_series_with(src, columns, false).map(|s| s.points)
}

/// [`read_series`], and with `skip_invalid` a row whose value is empty or not a number is
/// kept aside as a gap rather than an error.
pub fn read_series_with(
    src: &SourceFile,
    columns: &Columns,
    skip_invalid: bool,
) -> Result<ReadSeries, Diagnostics> {
    read_series_prepared(src, columns, skip_invalid, prepare(&src.text, columns))
}

/// The points of a series read from a file's text alone, before the file is wrapped as a
/// [`SourceFile`] (so that the reading can go on while the file's checksum is computed:
/// see [`SourceFile::read_with`]); [`read_series_prepared`] finishes the reading.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prepared(Option<Vec<SeriesPoint>>);

/// The first half of [`read_series_with`]: the common case of a file read quickly from its
/// text, if it is that case.
pub fn prepare(text: &str, columns: &Columns) -> Prepared {
    Prepared(read_simple_bytes(text.as_bytes(), columns))
}

/// [`read_series_with`] of `src`, whose text `prepared` was made from (by [`prepare`] with
/// the same columns).
pub fn read_series_prepared(
    src: &SourceFile,
    columns: &Columns,
    skip_invalid: bool,
    prepared: Prepared,
) -> Result<ReadSeries, Diagnostics> {
    if let Some(points) = prepared.0 {
        let points = finish_series(
            src,
            points,
            Diagnostics::default(),
            |p| (p.date, p.line),
            "one value per date",
        )?;
        return Ok(ReadSeries {
            points,
            skipped: Vec::new(),
        });
    }
    read_series_csv(src, columns, skip_invalid)
}

/// [`read_series_with`] through the CSV reader, for any file.
fn read_series_csv(
    src: &SourceFile,
    columns: &Columns,
    skip_invalid: bool,
) -> Result<ReadSeries, Diagnostics> {
    let mut skipped = Vec::new();
    let mut diags = Diagnostics::default();
    let (mut reader, headers) = csv_with_header(src)?;
    let find = |name: &str| column(&headers, name);
    let (Some(di), Some(vi)) = (find(&columns.date), find(&columns.value)) else {
        let have = headers.iter().collect::<Vec<_>>().join(", ");
        return Err(Diagnostics(vec![
            Diagnostic::error(format!(
                "the header has no `{}` and `{}` columns (it has: {have})",
                columns.date, columns.value
            ))
            .at(header_at(src, &headers))
            .expected(format!(
                "columns `{}` and `{}`",
                columns.date, columns.value
            ))
            .hint("choose the date and value columns")
            .settings([
                sct_core::setting::Setting::DateColumn,
                sct_core::setting::Setting::ValueColumn,
            ]),
        ]));
    };
    let mut points = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = sct_core::csv_line::record_line(src.text.as_bytes(), record.position());
                let date_text = record.get(di).unwrap_or("");
                let value_text = record.get(vi).unwrap_or("");
                let (date, period) = match Period::parse(date_text) {
                    Ok(p) => (p.start, p.kind),
                    Err(_) => {
                        diags.push(
                            Diagnostic::error(format!(
                                "`{}` \"{date_text}\" is not a date or period",
                                columns.date
                            ))
                            .at(at(src, line))
                            .expected(ACCEPTED_FORMS.to_string()),
                        );
                        continue;
                    }
                };
                match crate::number::parse(value_text) {
                    Ok(v) => points.push(SeriesPoint {
                        date,
                        value: v,
                        line,
                        period,
                    }),
                    Err(_) if skip_invalid => skipped.push(Skipped {
                        date,
                        line,
                        text: value_text.to_string(),
                    }),
                    Err(e) => diags.push(
                        Diagnostic::error(format!("`{}` \"{value_text}\" {e}", columns.value))
                            .at(at(src, line))
                            .expected(e.expected())
                            .hint("leave the row out, shown as a gap")
                            .settings([sct_core::setting::Setting::SkipInvalid]),
                    ),
                }
            }
            Err(e) => {
                let line = sct_core::csv_line::record_line(src.text.as_bytes(), e.position());
                diags.push(Diagnostic::csv_row(&e, None).at(at(src, line)));
                break;
            }
        }
    }
    let points = finish_series(
        src,
        points,
        diags,
        |p| (p.date, p.line),
        "one value per date",
    )?;
    skipped.sort_by_key(|s: &Skipped| s.date);
    Ok(ReadSeries { points, skipped })
}

/// The common case of [`read_series_with`] read without the CSV reader's machinery (a
/// series of a million points is read in a few tens of milliseconds): ASCII text with `\n`
/// line ends, no quotes, no blank lines, no spaces around fields, every row as wide as the
/// header and every date and value valid. Anything else gives `None`, and the full reader
/// reads the file again, locating each problem; what both read gives the same points.
fn read_simple_bytes(text: &[u8], columns: &Columns) -> Option<Vec<SeriesPoint>> {
    if !text.is_ascii() || memchr::memchr2(b'"', b'\r', text).is_some() {
        return None;
    }
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    let end = memchr::memchr(b'\n', body)?;
    let (header, rows) = (&body[..end], &body[end + 1..]);
    let header: Vec<&[u8]> = header.split(|&b| b == b',').collect();
    if !header.iter().all(|f| untrimmed(f)) {
        return None;
    }
    let find = |name: &str| header.iter().position(|h| *h == name.as_bytes());
    let (di, vi) = (find(&columns.date)?, find(&columns.value)?);
    let mut points = Vec::with_capacity(memchr::memchr_iter(b'\n', rows).count() + 1);
    let mut start = 0;
    for line_end in memchr::memchr_iter(b'\n', rows).chain([rows.len()]) {
        let line = &rows[start..line_end];
        start = line_end + 1;
        let (mut date, mut value, mut width) = (None, None, 0);
        for (j, field) in line.split(|&b| b == b',').enumerate() {
            if !untrimmed(field) {
                return None;
            }
            if j == di {
                date = Some(field);
            }
            if j == vi {
                value = Some(field);
            }
            width += 1;
        }
        if width != header.len() {
            return None;
        }
        let (date, period) = parse_date(date?)?;
        let value = parse_value(value?)?;
        points.push(SeriesPoint {
            date,
            value,
            line: points.len() + 2,
            period,
        });
    }
    (!points.is_empty()).then_some(points)
}

/// Powers of ten a decimal of at most 15 digits is divided by.
const TENS: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A value as [`crate::number::parse`] reads it, or `None` when it is not a number. Plain
/// decimals of at most 15 digits (`98.43`, `-7`) are read directly: their digits as a whole
/// number and the power of ten are both exact in an `f64`, so one division, rounded correctly
/// as every `f64` operation is, gives the nearest `f64` to the decimal, which is what parsing
/// it gives (and within ±10^15, so the check passes). Anything else is parsed.
#[inline]
fn parse_value(field: &[u8]) -> Option<f64> {
    let (negative, digits) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, field),
    };
    let (whole, fraction) = match memchr::memchr(b'.', digits) {
        Some(p) => (&digits[..p], &digits[p + 1..]),
        None => (digits, &[][..]),
    };
    let plain = !whole.is_empty()
        && whole.len() + fraction.len() <= 15
        && (fraction.is_empty() || digits.len() > whole.len() + 1)
        && whole.iter().chain(fraction).all(u8::is_ascii_digit);
    if !plain {
        // ASCII throughout, so every field is text.
        return crate::number::parse(std::str::from_utf8(field).ok()?).ok();
    }
    let n = whole
        .iter()
        .chain(fraction)
        .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
    let v = n as f64 / TENS[fraction.len()];
    Some(if negative { -v } else { v })
}

/// The year, month and day of a date written `%Y-%m-%d` with four-digit years (ten
/// characters: digits and two hyphens), not yet checked to be a date.
#[inline]
fn iso_date(b: &[u8]) -> Option<(u32, u32, u32)> {
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        return Some((digits(0..4)?, digits(5..7)?, digits(8..10)?));
    }
    None
}

/// Whether a field has no space (or other whitespace) at either end, so that trimming it,
/// as the CSV reader does, leaves it as it is.
fn untrimmed(field: &[u8]) -> bool {
    match (field.first(), field.last()) {
        (Some(&a), Some(&b)) => a > b' ' && b > b' ',
        _ => true,
    }
}

/// A date or period as [`Period::parse`] reads it, with ISO dates (`2024-01-31`) read
/// directly: the shape `%Y-%m-%d` reads exactly when all ten characters are digits and two
/// hyphens, and then it is the date of those numbers.
/// The text is given as its bytes, checked as text only when it is not an ISO date.
fn parse_date(text: &[u8]) -> Option<(NaiveDate, PeriodType)> {
    if let Some((y, m, d)) = iso_date(text) {
        let date = NaiveDate::from_ymd_opt(y as i32, m, d)?;
        return Some((date, PeriodType::Day));
    }
    let text = std::str::from_utf8(text).ok()?;
    Period::parse(text).ok().map(|p| (p.start, p.kind))
}

/// The checks every dated series ends with (§1): rows were read, the points are put in date
/// order, and a date given twice is an error naming both lines. `key` gives a point's date
/// and line; `one_per_date` is what is expected instead of a repeated date.
pub(crate) fn finish_series<T>(
    src: &SourceFile,
    mut points: Vec<T>,
    mut diags: Diagnostics,
    key: impl Fn(&T) -> (NaiveDate, usize),
    one_per_date: &str,
) -> Result<Vec<T>, Diagnostics> {
    if points.is_empty() && !diags.has_errors() {
        diags.push(
            Diagnostic::error("the file has a header but no data rows")
                .in_file(&src.name)
                .expected("one row per date"),
        );
    }
    points.sort_by_key(&key);
    for w in points.windows(2) {
        let ((d0, l0), (d1, l1)) = (key(&w[0]), key(&w[1]));
        if d0 == d1 {
            diags.push(
                Diagnostic::error(format!("date {d0} appears twice, on lines {l0} and {l1}"))
                    .at(at(src, l1))
                    .expected(one_per_date.to_string()),
            );
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(points)
    }
}

/// Resolves rebase dates (written in any period form) against a series' dates (§2): the
/// index of each segment start, and the dates sorted without repeats. A rebase date not in
/// the series is an error naming it and the file.
pub fn resolve_rebase(
    src_name: &str,
    dates: &[NaiveDate],
    rebase: &[String],
) -> Result<(Vec<usize>, Vec<NaiveDate>), Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut starts = Vec::new();
    let mut found = Vec::new();
    for r in rebase {
        match Period::parse(r) {
            Err(e) => diags.push(
                Diagnostic::error(format!("rebase date: {e}"))
                    .settings([sct_core::setting::Setting::Rebase]),
            ),
            Ok(p) => match dates.iter().position(|d| *d == p.start) {
                Some(i) => {
                    starts.push(i);
                    found.push(p.start);
                }
                None => diags.push(
                    Diagnostic::error(format!(
                        "rebase date {r}: {} is not a date in {src_name}",
                        p.start
                    ))
                    .expected("the date of a point in the series, where the new segment starts")
                    .settings([sct_core::setting::Setting::Rebase]),
                ),
            },
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    found.sort();
    found.dedup();
    Ok((starts, found))
}

/// The location of a CSV file's header row: line 1, or below any blank lines before it
/// (line 1 when there is no header at all, rather than the end of the blank lines).
pub(crate) fn header_at(src: &SourceFile, headers: &csv::StringRecord) -> Location {
    let line = match headers.is_empty() {
        true => 1,
        false => sct_core::csv_line::record_line(src.text.as_bytes(), headers.position()),
    };
    at(src, line.max(1))
}

/// A CSV reader over `src` with its header row read, or an error at the header's line.
pub(crate) fn csv_with_header(
    src: &SourceFile,
) -> Result<(csv::Reader<&[u8]>, csv::StringRecord), Diagnostics> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(src.text.as_bytes());
    match reader.headers() {
        Ok(h) => {
            let h = h.clone();
            Ok((reader, h))
        }
        Err(e) => Err(Diagnostics(vec![
            Diagnostic::error(format!("cannot read the header row: {e}")).at(at(
                src,
                sct_core::csv_line::record_line(src.text.as_bytes(), e.position()).max(1),
            )),
        ])),
    }
}

/// The position of column `name` in a header row (a byte-order mark on the first is ignored).
pub(crate) fn column(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A field as a user's file may have it: mostly plain, sometimes padded, quoted, empty or
    /// not a number.
    fn field(plain: impl Strategy<Value = String> + Clone) -> impl Strategy<Value = String> {
        prop_oneof![
            8 => plain.clone(),
            1 => plain.clone().prop_map(|f| format!(" {f}")),
            1 => plain.prop_map(|f| format!("\"{f}\"")),
            1 => Just(String::new()),
            1 => Just("n/a".to_string()),
        ]
    }

    fn file() -> impl Strategy<Value = String> {
        let date = (2020i32..2024, 1u32..13, 1u32..32, any::<bool>()).prop_map(|(y, m, d, day)| {
            if day {
                format!("{y}-{m:02}-{d:02}")
            } else {
                format!("{y}-{m:02}")
            }
        });
        let value = (-1000i32..1000).prop_map(|v| format!("{}", f64::from(v) / 8.0));
        let row = (
            field(date),
            field(value),
            prop_oneof![Just("\n"), Just("\r\n"), Just("\n\n")],
        );
        (proptest::collection::vec(row, 0..30), any::<bool>()).prop_map(|(rows, extra)| {
            let mut text = String::from(if extra {
                "date,value,note\n"
            } else {
                "date,value\n"
            });
            for (d, v, end) in rows {
                text.push_str(&format!("{d},{v}{}{end}", if extra { ",x" } else { "" }));
            }
            text
        })
    }

    /// A value's text: mostly plain decimals of any length, sometimes an edge of the form.
    fn value_text() -> impl Strategy<Value = String> {
        let digits = || proptest::string::string_regex("[0-9]{0,18}").unwrap();
        prop_oneof![
            8 => (any::<bool>(), digits(), proptest::option::of(digits())).prop_map(
                |(minus, whole, fraction)| {
                    let sign = if minus { "-" } else { "" };
                    match fraction {
                        Some(f) => format!("{sign}{whole}.{f}"),
                        None => format!("{sign}{whole}"),
                    }
                }
            ),
            1 => proptest::sample::select(vec!["1.", ".5", "-", "+5", "1e5", "1.2.3", "-0", "0.00", "inf", "NaN", "9999999999999999"]).prop_map(str::to_string),
        ]
    }

    proptest! {
        /// The quick reading of a value is what parsing it gives, bit for bit.
        #[test]
        fn values_are_read_as_parsing_reads_them(text in value_text()) {
            let quick = parse_value(text.as_bytes()).map(f64::to_bits);
            let parsed = crate::number::parse(&text).ok().map(f64::to_bits);
            prop_assert_eq!(quick, parsed, "{}", text);
        }

        /// Whenever the quick reader takes a file, it reads the points the CSV reader reads.
        #[test]
        fn the_quick_reader_reads_what_the_csv_reader_reads(text in file()) {
            let src = SourceFile::from_text("series.csv", text);
            let columns = Columns::default();
            if let Some(points) = read_simple_bytes(src.text.as_bytes(), &columns) {
                let quick = finish_series(&src, points, Diagnostics::default(), |p| (p.date, p.line), "one value per date");
                let full = read_series_csv(&src, &columns, false).map(|r| r.points);
                prop_assert_eq!(quick, full);
            }
        }
    }
}
