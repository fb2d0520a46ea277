//! `sct kpi spc` input and output: a CSV of dates and values in, the spec's CSV and JSON out.
//! Dates may be ISO dates or any period form (months, ISO weeks, NHS quarters and years),
//! reported as the period's first day.

use chrono::NaiveDate;
use serde_json::{Value, json};

use sct_core::diagnostic::{Diagnostic, Diagnostics, Location};
use sct_core::source::SourceFile;

use crate::period::{ACCEPTED_FORMS, Period};
use crate::spc::{SpcOptions, SpcResult, spc};

/// One input point, in date order after reading.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    /// The date (a period's first day).
    pub date: NaiveDate,
    /// The value.
    pub value: f64,
    /// Its one-based line in the file.
    pub line: usize,
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
    let text = src
        .text
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .to_string();
    let len = text.chars().count().max(1);
    Location {
        file: src.name.clone(),
        line,
        column: 1,
        snippet: Some((text, len)),
    }
}

/// Reads a date/value CSV: every row checked, errors located by line, then sorted by date.
/// A duplicate date is an error naming both rows (§1).
pub fn read_series(src: &SourceFile, columns: &Columns) -> Result<Vec<SeriesPoint>, Diagnostics> {
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
            .at(at(src, 1))
            .expected(format!(
                "columns `{}` and `{}`",
                columns.date, columns.value
            ))
            .hint("choose other columns with --date-col and --value-col"),
        ]));
    };
    let mut points = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                let date_text = record.get(di).unwrap_or("");
                let value_text = record.get(vi).unwrap_or("");
                let date = match Period::parse(date_text) {
                    Ok(p) => p.start,
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
                match value_text.parse::<f64>() {
                    Ok(v) if v.is_finite() => points.push(SeriesPoint {
                        date,
                        value: v,
                        line,
                    }),
                    _ => diags.push(
                        Diagnostic::error(format!(
                            "`{}` \"{value_text}\" is not a number",
                            columns.value
                        ))
                        .at(at(src, line))
                        .expected(
                            "a finite number such as 65.1 (no thousands separators or % sign)",
                        ),
                    ),
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                diags.push(Diagnostic::error(format!("cannot read row: {e}")).at(at(src, line)));
                break;
            }
        }
    }
    finish_series(
        src,
        points,
        diags,
        |p| (p.date, p.line),
        "one value per date",
    )
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
            Err(e) => diags.push(Diagnostic::error(format!("--rebase: {e}"))),
            Ok(p) => match dates.iter().position(|d| *d == p.start) {
                Some(i) => {
                    starts.push(i);
                    found.push(p.start);
                }
                None => diags.push(
                    Diagnostic::error(format!(
                        "--rebase {r}: {} is not a date in {src_name}",
                        p.start
                    ))
                    .expected("the date of a point in the series, where the new segment starts"),
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

/// A CSV reader over `src` with its header row read, or an error at line 1.
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
            Diagnostic::error(format!("cannot read the header row: {e}")).at(at(src, 1)),
        ])),
    }
}

/// The position of column `name` in a header row (a byte-order mark on the first is ignored).
pub(crate) fn column(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == name)
}

/// A series with its SPC result.
#[derive(Debug, Clone, PartialEq)]
pub struct SpcRun {
    /// The points in date order.
    pub points: Vec<SeriesPoint>,
    /// The options used.
    pub options: SpcOptions,
    /// The rebase dates (each starts a segment).
    pub rebase: Vec<NaiveDate>,
    /// The result.
    pub result: SpcResult,
}

/// Resolves rebase dates (written in any period form) to segment starts and runs the method.
/// A rebase date not in the series is an error naming it (§2).
pub fn run(
    src_name: &str,
    points: Vec<SeriesPoint>,
    rebase: &[String],
    options: SpcOptions,
) -> Result<SpcRun, Diagnostics> {
    let all: Vec<NaiveDate> = points.iter().map(|p| p.date).collect();
    let (starts, dates) = resolve_rebase(src_name, &all, rebase)?;
    let values: Vec<f64> = points.iter().map(|p| p.value).collect();
    let result = spc(&values, &starts, &options)
        .map_err(|e| Diagnostics(vec![Diagnostic::error(e.to_string()).in_file(src_name)]))?;
    Ok(SpcRun {
        points,
        options,
        rebase: dates,
        result,
    })
}

fn num(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The warning for a point's segment, if its limits are unreliable or undefined (§5, §12).
fn point_warning(run: &SpcRun, i: usize) -> &'static str {
    let seg = &run.result.segments[run.result.segment_of[i]];
    match (seg.amr.is_none(), seg.n < crate::spc::constants::MIN_POINTS) {
        (true, _) => "limits undefined: no moving range remains",
        (false, true) => "limits unreliable: fewer than 13 points in the segment",
        _ => "",
    }
}

/// The spec's CSV: `date,value,mean,lpl,upl,point_type`, then `segment`, `rule`, `warning`,
/// and the `shift_length` and `trend_length` used (the spec asks every output to say them).
pub fn to_csv(run: &SpcRun) -> String {
    let mut out = String::from(
        "date,value,mean,lpl,upl,point_type,segment,rule,warning,shift_length,trend_length\n",
    );
    let (shift, trend) = (run.options.shift_length, run.options.trend_length);
    for (i, p) in run.points.iter().enumerate() {
        let seg = &run.result.segments[run.result.segment_of[i]];
        let rule = run.result.rule[i]
            .map(|r| {
                serde_json::to_value(r)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{shift},{trend}\n",
            p.date.format("%Y-%m-%d"),
            p.value,
            seg.mean,
            num(seg.lpl),
            num(seg.upl),
            run.result.point_type[i].as_str(),
            run.result.segment_of[i] + 1,
            rule,
            point_warning(run, i)
        ));
    }
    out
}

/// The settings, in words and values, named in every output.
pub fn settings(run: &SpcRun) -> Value {
    let o = &run.options;
    json!({
        "method": "XmR (Making Data Count; NHSRplotthedots 0.2.2 defaults) as shared/spec/spc.md",
        "improvement": o.improvement.as_str(),
        "target": o.target,
        "rebase": run.rebase.iter().map(|d| d.format("%Y-%m-%d").to_string()).collect::<Vec<_>>(),
        "fix_after": o.fix_after,
        "screen_outliers": o.screen_outliers,
        "shift_length": o.shift_length,
        "trend_length": o.trend_length,
    })
}

/// The `--summary` JSON: icons and one group per segment.
pub fn summary(run: &SpcRun) -> Value {
    let groups: Vec<Value> = run
        .result
        .segments
        .iter()
        .map(|s| {
            json!({
                "start": run.points[s.start].date.format("%Y-%m-%d").to_string(),
                "n": s.n,
                "base": s.base,
                "mean": s.mean,
                "amr": s.amr,
                "lpl": s.lpl,
                "upl": s.upl,
                "screened_moving_ranges": s.screened,
                "common_cause": s.common_cause,
                "improvement": s.improvement,
                "concern": s.concern,
                "neutral": s.neutral,
            })
        })
        .collect();
    json!({
        "variation_icon": run.result.variation_icon.as_str(),
        "assurance_icon": run.result.assurance_icon.map(|a| a.as_str()),
        "groups": groups,
        "settings": settings(run),
        "warnings": run.result.warnings,
    })
}

/// `--format json`: the points and the summary together.
pub fn to_json(run: &SpcRun) -> Value {
    let points: Vec<Value> = run
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let seg = &run.result.segments[run.result.segment_of[i]];
            json!({
                "date": p.date.format("%Y-%m-%d").to_string(),
                "value": p.value,
                "mean": seg.mean,
                "lpl": seg.lpl,
                "upl": seg.upl,
                "point_type": run.result.point_type[i].as_str(),
                "segment": run.result.segment_of[i] + 1,
                "rule": run.result.rule[i],
                "warning": Some(point_warning(run, i)).filter(|w| !w.is_empty()),
            })
        })
        .collect();
    json!({ "points": points, "summary": summary(run) })
}
