//! `sct kpi spc --chart run|pprime|uprime|auto` input and output (`docs/methods/run-charts.md`):
//! a CSV of dates with values, or with numerators and denominators, in; CSV
//! (`date,value,centre,lpl,upl,point_type` first) and summary JSON out. `--chart xmr` keeps
//! the reader and writer of [`crate::spc_input`], unchanged.

use chrono::NaiveDate;
use serde_json::{Value, json};

use sct_core::csv_out::CsvWriter;
use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::setting::Setting;
use sct_core::source::SourceFile;

use crate::chart::{ChartError, ChartInput, ChartKind, ChartOptions, ChartResult, chart};
use crate::laney::{LaneyKind, check_counts};
use crate::number::NumberError;
use crate::period::{ACCEPTED_FORMS, Period, PeriodType};
use crate::runchart::RunRules;
use crate::spc::{Rule, constants};
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

/// A series with its chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartRun {
    /// The data in date order.
    pub data: SeriesData,
    /// The options used.
    pub options: ChartOptions,
    /// The rebase dates (each starts a segment).
    pub rebase: Vec<NaiveDate>,
    /// The result.
    pub result: ChartResult,
}

/// Runs the chart on the data read from the file `src_name`. Errors name the file line.
pub fn run_chart(
    src_name: &str,
    data: SeriesData,
    rebase: &[String],
    options: ChartOptions,
) -> Result<ChartRun, Diagnostics> {
    let (starts, dates) = resolve_rebase(src_name, &data.dates(), rebase)?;
    let result = match &data {
        SeriesData::Values(points) => {
            let values: Vec<f64> = points.iter().map(|p| p.value).collect();
            chart(ChartInput::Values(&values), &starts, &options)
        }
        SeriesData::Counts(points) => {
            let x: Vec<f64> = points.iter().map(|p| p.numerator).collect();
            let n: Vec<f64> = points.iter().map(|p| p.denominator).collect();
            chart(
                ChartInput::Counts {
                    numerators: &x,
                    denominators: &n,
                },
                &starts,
                &options,
            )
        }
    };
    let result = result.map_err(|e| {
        let located = |index: usize, text: String| {
            let line = data.line(index).unwrap_or(0);
            Diagnostic::error(format!("line {line}: {text}")).in_file(src_name)
        };
        Diagnostics(vec![match e {
            ChartError::BadCount { index, error } => located(index, error.to_string()),
            ChartError::NotFinite { index, value } => {
                located(index, format!("value {value} is not a finite number"))
            }
            ChartError::NeedsCounts(kind) => Diagnostic::error(format!(
                "a {} needs numerators and denominators, and {src_name} has values",
                kind.describe()
            ))
            .in_file(src_name)
            .expected("`numerator` and `denominator` columns, or the columns chosen for them")
            .settings([Setting::NumeratorColumn, Setting::DenominatorColumn]),
            other => Diagnostic::error(other.to_string())
                .in_file(src_name)
                .settings(settings_of(&other)),
        }])
    })?;
    Ok(ChartRun {
        data,
        options,
        rebase: dates,
        result,
    })
}

fn num(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The printed name of a rule.
fn rule_name(rule: Option<Rule>) -> &'static str {
    match rule {
        None => "",
        Some(Rule::OutsideLimits) => "outside_limits",
        Some(Rule::Trend) => "trend",
        Some(Rule::TwoOfThree) => "two_of_three",
        Some(Rule::Shift) => "shift",
    }
}

/// The warning for a segment's points, if any.
fn segment_warning(run: &ChartRun, segment: usize) -> &'static str {
    let Some(seg) = run.result.segments.get(segment) else {
        return "";
    };
    match seg.chart {
        ChartKind::Xmr => match (seg.amr.is_none(), seg.n < constants::MIN_POINTS) {
            (true, _) => "limits undefined: no moving range remains",
            (false, true) => "limits unreliable: fewer than 13 points in the segment",
            _ => "",
        },
        ChartKind::Run | ChartKind::PPrime | ChartKind::UPrime => {
            if seg.no_sigma.is_some() {
                "limits undefined: no sigma_z"
            } else if seg.runs.is_some_and(|r| r.n_useful == 0) {
                "no runs analysis: every point is on the centre line"
            } else {
                ""
            }
        }
    }
}

/// The per-row settings of a segment: run rules, shift and trend lengths, screening,
/// multiplier (empty where they do not apply).
fn row_settings(run: &ChartRun, segment: usize) -> [String; 5] {
    let o = &run.options;
    let Some(seg) = run.result.segments.get(segment) else {
        return Default::default();
    };
    let multiplier = match run.data {
        SeriesData::Counts(_) => o.multiplier.to_string(),
        SeriesData::Values(_) => String::new(),
    };
    let (rules, shift, trend, screen) = match (seg.chart, o.run_rules) {
        (ChartKind::Xmr, _) => (
            "",
            o.shift_length.to_string(),
            o.trend_length.to_string(),
            o.xmr_screen_outliers.to_string(),
        ),
        (_, RunRules::Anhoj) => ("anhoj", String::new(), String::new(), String::new()),
        (
            _,
            RunRules::Fixed {
                shift_length,
                trend_length,
            },
        ) => (
            "fixed",
            shift_length.to_string(),
            trend_length.to_string(),
            String::new(),
        ),
    };
    let screen = match seg.chart {
        ChartKind::PPrime | ChartKind::UPrime => o.laney_screen_outliers.to_string(),
        _ => screen,
    };
    [rules.to_string(), shift, trend, screen, multiplier]
}

/// The options that would change a chart's error, for the front end to name.
pub(crate) fn settings_of(error: &ChartError) -> Vec<Setting> {
    match error {
        ChartError::FixAfterTooSmall(_) => vec![Setting::FixAfter],
        ChartError::RunLengthTooSmall("shift_length", _) => vec![Setting::ShiftLength],
        ChartError::RunLengthTooSmall(_, _) => vec![Setting::TrendLength],
        ChartError::BadMultiplier(_) => vec![Setting::Multiplier],
        _ => Vec::new(),
    }
}

/// The CSV: `date,value,centre,lpl,upl,point_type` (limits empty for a run chart),
/// then `chart,segment,rule,warning`, and the settings used: `run_rules` (`anhoj` or `fixed`;
/// empty on XmR rows, whose rules are `spc.md`'s), `shift_length`, `trend_length` (fixed rules
/// and XmR), `screen_outliers` (XmR; p′ and u′: of moving ranges of z), `multiplier` (from
/// numerators and denominators).
pub fn to_csv(run: &ChartRun) -> String {
    let dates = run.data.dates();
    let mut w = CsvWriter::new();
    w.row([
        "date",
        "value",
        "centre",
        "lpl",
        "upl",
        "point_type",
        "chart",
        "segment",
        "rule",
        "warning",
        "run_rules",
        "shift_length",
        "trend_length",
        "screen_outliers",
        "multiplier",
    ]);
    for (p, date) in run.result.points().zip(&dates) {
        let chart = run
            .result
            .segments
            .get(p.segment)
            .map_or("", |s| s.chart.as_str());
        let [rules, shift, trend, screen, multiplier] = row_settings(run, p.segment);
        w.row([
            date.format("%Y-%m-%d").to_string(),
            p.value.to_string(),
            p.centre.to_string(),
            num(p.lpl),
            num(p.upl),
            p.point_type.as_str().to_string(),
            chart.to_string(),
            (p.segment + 1).to_string(),
            rule_name(p.rule).to_string(),
            segment_warning(run, p.segment).to_string(),
            rules,
            shift,
            trend,
            screen,
            multiplier,
        ]);
    }
    w.finish()
}

/// The settings, in words and values, named in every output.
pub fn settings(run: &ChartRun) -> Value {
    let o = &run.options;
    let (fixed_shift, fixed_trend) = match o.run_rules {
        RunRules::Fixed {
            shift_length,
            trend_length,
        } => (Some(shift_length), Some(trend_length)),
        RunRules::Anhoj => (None, None),
    };
    json!({
        "method": "run charts (Anhøj rules) and Laney p′/u′ charts as docs/methods/run-charts.md and laney.md (qicharts2); XmR as docs/methods/spc.md",
        "chart": o.chart.as_str(),
        "min_points": o.min_points,
        "run_rules": o.run_rules.as_str(),
        "run_rules_text": o.run_rules.describe(),
        "run_shift_length": fixed_shift,
        "run_trend_length": fixed_trend,
        "improvement": o.improvement.as_str(),
        "target": o.target,
        "rebase": run.rebase.iter().map(|d| d.format("%Y-%m-%d").to_string()).collect::<Vec<_>>(),
        "fix_after": o.fix_after,
        "xmr_screen_outliers": o.xmr_screen_outliers,
        "xmr_shift_length": o.shift_length,
        "xmr_trend_length": o.trend_length,
        "laney_screen_outliers": o.laney_screen_outliers,
        "multiplier": match run.data {
            SeriesData::Counts(_) => Some(o.multiplier),
            SeriesData::Values(_) => None,
        },
    })
}

/// The `--summary` JSON: icons, one group per segment with the runs analysis of
/// `docs/methods/run-charts.md` §3–§5 (`chart`, `n`,
/// `centre`, `n_useful`, `longest_run`, `longest_run_max`, `crossings`, `crossings_min`,
/// `runs_signal`) and more, the settings and the warnings.
pub fn summary(run: &ChartRun) -> Value {
    let dates = run.data.dates();
    let groups: Vec<Value> = run
        .result
        .segments
        .iter()
        .map(|s| {
            let r = s.runs;
            let (lpl, upl) = match &s.limits {
                crate::chart::Limits::Constant { lpl, upl } => (Some(*lpl), Some(*upl)),
                _ => (None, None),
            };
            json!({
                "chart": s.chart.as_str(),
                "chart_reason": s.reason.describe(s.chart),
                "start": dates.get(s.start).map(|d| d.format("%Y-%m-%d").to_string()),
                "n": s.n,
                "base": s.base,
                "centre": s.centre,
                "n_useful": r.map(|r| r.n_useful),
                "longest_run": r.and_then(|r| r.longest_run),
                "longest_run_max": r.and_then(|r| r.longest_run_max),
                "crossings": r.and_then(|r| r.crossings),
                "crossings_min": r.and_then(|r| r.crossings_min),
                "runs_signal": r.map(|r| r.runs_signal),
                "long_run_signal": r.map(|r| r.long_run_signal),
                "crossings_signal": r.map(|r| r.crossings_signal),
                "trend_signal": r.map(|r| r.trend_signal),
                "lpl": lpl,
                "upl": upl,
                "amr": s.amr,
                "sigma_z": s.sigma_z,
                "screened_moving_ranges": s.screened,
                "common_cause": s.common_cause,
                "improvement": s.improvement,
                "concern": s.concern,
                "neutral": s.neutral,
            })
        })
        .collect();
    json!({
        "chart": run.options.chart.as_str(),
        "variation_icon": run.result.variation_icon.as_str(),
        "variation_text": run.result.variation_icon.text(),
        "assurance_icon": run.result.assurance_icon.map(|a| a.as_str()),
        "groups": groups,
        "settings": settings(run),
        "warnings": run.result.warnings,
    })
}

/// `--format json` (schema `sct-kpi-spc-chart/1`): the points and the summary together.
pub fn to_json(run: &ChartRun) -> Value {
    let dates = run.data.dates();
    let points: Vec<Value> = run
        .result
        .points()
        .zip(&dates)
        .enumerate()
        .map(|(i, (p, date))| {
            let mut v = json!({
                "date": date.format("%Y-%m-%d").to_string(),
                "value": p.value,
                "centre": p.centre,
                "lpl": p.lpl,
                "upl": p.upl,
                "point_type": p.point_type.as_str(),
                "chart": run.result.segments.get(p.segment).map(|s| s.chart.as_str()),
                "segment": p.segment + 1,
                "rule": p.rule,
                "warning": Some(segment_warning(run, p.segment)).filter(|w| !w.is_empty()),
            });
            if let (SeriesData::Counts(c), Some(obj)) = (&run.data, v.as_object_mut())
                && let Some(c) = c.get(i)
            {
                obj.insert("numerator".into(), json!(c.numerator));
                obj.insert("denominator".into(), json!(c.denominator));
            }
            v
        })
        .collect();
    json!({ "schema": "sct-kpi-spc-chart/1", "points": points, "summary": summary(run) })
}
