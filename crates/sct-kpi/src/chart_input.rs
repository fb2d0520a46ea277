//! `sct kpi spc` input for every chart (`docs/methods/run-charts.md`, `laney.md`): a CSV of
//! dates with values (read by [`crate::spc_input`]), or with numerators and denominators.
//! The run is [`crate::chart_run`], its output [`crate::chart_output`].

use chrono::NaiveDate;

use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::setting::Setting;
use sct_core::source::SourceFile;

use crate::chart::ChartKind;
use crate::laney::{LaneyKind, check_counts};
use crate::number::NumberError;
use crate::period::{ACCEPTED_FORMS, Period, PeriodType};
pub use crate::spc_input::resolve_rebase;
use crate::spc_input::{
    Columns, SeriesPoint, Skipped, at, column, csv_with_header, finish_series, header_at,
    read_series_with,
};

/// One input point with a numerator and a denominator, in date order after reading.
#[derive(Debug, Clone, PartialEq)]
pub struct CountPoint {
    /// The date (a period's first day).
    pub date: NaiveDate,
    /// The numerator x.
    pub numerator: f64,
    /// The denominator n.
    pub denominator: f64,
    /// Its one-based line in the file.
    pub line: usize,
    /// The form its date was written in (a day for ISO dates).
    pub period: PeriodType,
}

/// Which columns hold the date, value, numerator and denominator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartColumns {
    /// Date column name (default `date`).
    pub date: String,
    /// Value column name (default `value`), for XmR and run charts.
    pub value: String,
    /// Numerator column name (default `numerator`), for p′ and u′ charts.
    pub numerator: String,
    /// Denominator column name (default `denominator`), for p′ and u′ charts.
    pub denominator: String,
}

impl Default for ChartColumns {
    fn default() -> Self {
        ChartColumns {
            date: "date".into(),
            value: "value".into(),
            numerator: "numerator".into(),
            denominator: "denominator".into(),
        }
    }
}

/// A series as read: values, or numerators and denominators.
#[derive(Debug, Clone, PartialEq)]
pub enum SeriesData {
    /// Dates and values.
    Values(Vec<SeriesPoint>),
    /// Dates, numerators and denominators.
    Counts(Vec<CountPoint>),
}

impl SeriesData {
    /// The gaps of the series (see [`crate::spc_input::find_gaps_in`]): periods missing
    /// between the first and the last, and rows skipped as invalid.
    pub fn gaps(&self, skipped: &[Skipped]) -> Vec<crate::spc_input::Gap> {
        let dated: Vec<(NaiveDate, PeriodType)> = match self {
            SeriesData::Values(p) => p.iter().map(|p| (p.date, p.period)).collect(),
            SeriesData::Counts(p) => p.iter().map(|p| (p.date, p.period)).collect(),
        };
        crate::spc_input::find_gaps_in(&dated, skipped)
    }

    /// The dates in order.
    pub fn dates(&self) -> Vec<NaiveDate> {
        match self {
            SeriesData::Values(p) => p.iter().map(|p| p.date).collect(),
            SeriesData::Counts(p) => p.iter().map(|p| p.date).collect(),
        }
    }

    /// The date of point `i`.
    pub fn date(&self, i: usize) -> Option<NaiveDate> {
        match self {
            SeriesData::Values(p) => p.get(i).map(|p| p.date),
            SeriesData::Counts(p) => p.get(i).map(|p| p.date),
        }
    }

    /// The one-based file line of point `i`.
    pub fn line(&self, i: usize) -> Option<usize> {
        match self {
            SeriesData::Values(p) => p.get(i).map(|p| p.line),
            SeriesData::Counts(p) => p.get(i).map(|p| p.line),
        }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        match self {
            SeriesData::Values(p) => p.len(),
            SeriesData::Counts(p) => p.len(),
        }
    }

    /// Whether there is no point.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The header's names, for messages.
fn header_names(src: &SourceFile) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(src.text.as_bytes());
    reader
        .headers()
        .map(|h| {
            h.iter()
                .map(|s| s.trim_start_matches('\u{feff}').to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Reads the series `chart` needs: numerators and denominators for p′ and u′; for XmR, run and
/// `auto`, values, or numerators and denominators when the file has no value column but has
/// both of those. A missing column is an error naming it.
pub fn read_chart_series(
    src: &SourceFile,
    columns: &ChartColumns,
    chart: Option<ChartKind>,
) -> Result<SeriesData, Diagnostics> {
    read_chart_series_with(src, columns, chart, false).map(|(data, _)| data)
}

/// [`read_chart_series`], and with `skip_invalid` a row whose value, numerator or
/// denominator is empty or not a number is kept aside as a gap (see
/// [`crate::spc_input::find_gaps_in`]) rather than an error.
pub fn read_chart_series_with(
    src: &SourceFile,
    columns: &ChartColumns,
    chart: Option<ChartKind>,
    skip_invalid: bool,
) -> Result<(SeriesData, Vec<Skipped>), Diagnostics> {
    let names = header_names(src);
    let has = |c: &str| names.iter().any(|n| n == c);
    let counts_kind = match chart.and_then(ChartKind::laney) {
        Some(kind) => Some(kind),
        None if !has(&columns.value) && has(&columns.numerator) && has(&columns.denominator) => {
            Some(LaneyKind::U)
        }
        None => None,
    };
    match counts_kind {
        Some(kind) => read_counts_with(src, columns, kind, skip_invalid)
            .map(|(points, skipped)| (SeriesData::Counts(points), skipped)),
        None => read_series_with(
            src,
            &Columns {
                date: columns.date.clone(),
                value: columns.value.clone(),
            },
            skip_invalid,
        )
        .map(|r| (SeriesData::Values(r.points), r.skipped)),
    }
}

/// Reads a date/numerator/denominator CSV: every row checked (a number in each column,
/// x ≥ 0, n > 0 and, for p′, x ≤ n), errors located by line, then sorted by date. A duplicate
/// date is an error naming both rows.
pub fn read_counts(
    src: &SourceFile,
    columns: &ChartColumns,
    kind: LaneyKind,
) -> Result<Vec<CountPoint>, Diagnostics> {
    read_counts_with(src, columns, kind, false).map(|(points, _)| points)
}

/// [`read_counts`], and with `skip_invalid` a row whose numerator or denominator is empty or
/// not a number is kept aside as a gap rather than an error (a number out of range, such as
/// x > n, is still an error).
pub fn read_counts_with(
    src: &SourceFile,
    columns: &ChartColumns,
    kind: LaneyKind,
    skip_invalid: bool,
) -> Result<(Vec<CountPoint>, Vec<Skipped>), Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut skipped = Vec::new();
    let (mut reader, headers) = csv_with_header(src)?;
    let rows = CountRows {
        src,
        columns,
        kind,
        skip_invalid,
        cols: count_columns(src, &headers, columns, kind)?,
    };
    let mut points = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = sct_core::csv_line::record_line(src.text.as_bytes(), record.position());
                if let Some(point) = rows.point(line, &record, &mut diags, &mut skipped) {
                    points.push(point);
                }
            }
            Err(e) => {
                let line = sct_core::csv_line::record_line(src.text.as_bytes(), e.position());
                diags.push(Diagnostic::csv_row(&e, None).at(at(src, line)));
                break;
            }
        }
    }
    skipped.sort_by_key(|s: &Skipped| (s.date, s.line));
    finish_series(src, points, diags, |p| (p.date, p.line), "one row per date")
        .map(|points| (points, skipped))
}

/// The positions of the date, numerator and denominator columns, or an error naming those the
/// header lacks.
fn count_columns(
    src: &SourceFile,
    headers: &csv::StringRecord,
    columns: &ChartColumns,
    kind: LaneyKind,
) -> Result<(usize, usize, usize), Diagnostics> {
    let find = |name: &str| column(headers, name);
    let wanted = [&columns.date, &columns.numerator, &columns.denominator];
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|c| find(c).is_none())
        .map(|c| c.as_str())
        .collect();
    let (Some(di), Some(xi), Some(ni)) = (
        find(&columns.date),
        find(&columns.numerator),
        find(&columns.denominator),
    ) else {
        let have = headers.iter().collect::<Vec<_>>().join(", ");
        let chart = match kind {
            LaneyKind::P => "a p′ chart",
            LaneyKind::U => "a u′ chart",
        };
        return Err(Diagnostics(vec![
            Diagnostic::error(format!(
                "the header has no {} column{} (it has: {have}); {chart} needs numerators and denominators",
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(" or "),
                if missing.len() == 1 { "" } else { "s" },
            ))
            .at(header_at(src, headers))
            .expected(format!(
                "columns `{}`, `{}` and `{}`",
                columns.date, columns.numerator, columns.denominator
            ))
            .hint("choose the date, numerator and denominator columns")
            .settings([
                Setting::DateColumn,
                Setting::NumeratorColumn,
                Setting::DenominatorColumn,
            ]),
        ]));
    };
    Ok((di, xi, ni))
}

/// How the rows of a date/numerator/denominator CSV are read.
struct CountRows<'a> {
    src: &'a SourceFile,
    columns: &'a ChartColumns,
    kind: LaneyKind,
    skip_invalid: bool,
    /// The date, numerator and denominator columns.
    cols: (usize, usize, usize),
}

impl CountRows<'_> {
    /// One row's point, checked; `None` when the row is an error (pushed to `diags`) or, with
    /// `skip_invalid`, kept aside in `skipped`.
    fn point(
        &self,
        line: usize,
        record: &csv::StringRecord,
        diags: &mut Diagnostics,
        skipped: &mut Vec<Skipped>,
    ) -> Option<CountPoint> {
        let (src, columns, kind) = (self.src, self.columns, self.kind);
        let (di, xi, ni) = self.cols;
        let date_text = record.get(di).unwrap_or("");
        let date = match Period::parse(date_text) {
            Ok(p) => Some((p.start, p.kind)),
            Err(_) => {
                diags.push(
                    Diagnostic::error(format!(
                        "`{}` \"{date_text}\" is not a date or period",
                        columns.date
                    ))
                    .at(at(src, line))
                    .expected(ACCEPTED_FORMS.to_string()),
                );
                None
            }
        };
        let invalid = |col: usize| {
            let text = record.get(col).unwrap_or("");
            crate::number::parse(text)
                .is_err()
                .then(|| text.to_string())
        };
        if let (true, Some((date, _))) = (self.skip_invalid, date)
            && let Some(text) = invalid(xi).or_else(|| invalid(ni))
        {
            skipped.push(Skipped { date, line, text });
            return None;
        }
        let x = self.number(line, record, xi, &columns.numerator, diags);
        let n = self.number(line, record, ni, &columns.denominator, diags);
        let (Some((date, period)), Some(x), Some(n)) = (date, x, n) else {
            return None;
        };
        match check_counts(kind, x, n) {
            Ok(()) => Some(CountPoint {
                date,
                numerator: x,
                denominator: n,
                line,
                period,
            }),
            Err(e) => {
                diags.push(Diagnostic::error(e.to_string()).at(at(src, line)).expected(
                    match kind {
                        LaneyKind::P => "0 <= numerator <= denominator, denominator > 0",
                        LaneyKind::U => "numerator >= 0, denominator > 0",
                    },
                ));
                None
            }
        }
    }

    /// The number in column `col` (named `name`), or `None` with an error pushed to `diags`.
    fn number(
        &self,
        line: usize,
        record: &csv::StringRecord,
        col: usize,
        name: &str,
        diags: &mut Diagnostics,
    ) -> Option<f64> {
        let text = record.get(col).unwrap_or("");
        match crate::number::parse(text) {
            Ok(v) => Some(v),
            Err(e) => {
                let what = if text.is_empty() {
                    format!("`{name}` is empty")
                } else {
                    format!("`{name}` \"{text}\" {e}")
                };
                let expected = match e {
                    NumberError::TooLarge => e.expected(),
                    NumberError::NotANumber => {
                        "a finite number such as 1520 (no thousands separators)"
                    }
                };
                diags.push(
                    Diagnostic::error(what)
                        .at(at(self.src, line))
                        .expected(expected),
                );
                None
            }
        }
    }
}
