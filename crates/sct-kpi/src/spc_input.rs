//! `sct kpi spc` input and output: a CSV of dates and values in, CSV and JSON out
//! (columns and fields as `docs/methods/spc.md` and the README describe them).
//! Dates may be ISO dates or any period form (months, ISO weeks, NHS quarters and years),
//! reported as the period's first day.

use chrono::NaiveDate;
use serde_json::{Value, json};

use sct_core::csv_out::CsvWriter;
use sct_core::diagnostic::{Diagnostic, Diagnostics, Location, Snippet};
use sct_core::source::SourceFile;

use crate::chart::ChartPoint;
use crate::period::{ACCEPTED_FORMS, Period, PeriodType};
use crate::profile::{self, Hit, Profile, Suggestion, judge};
use crate::rebase_log::RebaseEntry;
use crate::review::MAX_GAP_LISTED;
use crate::spc::{AssuranceIcon, SpcOptions, SpcResult, VariationIcon};

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
    let dated: Vec<(NaiveDate, PeriodType)> = points.iter().map(|p| (p.date, p.period)).collect();
    find_gaps_in(&dated, skipped)
}

/// [`find_gaps`] of points given as their dates and the form each was written in.
pub fn find_gaps_in(points: &[(NaiveDate, PeriodType)], skipped: &[Skipped]) -> Vec<Gap> {
    struct P {
        date: NaiveDate,
        period: PeriodType,
    }
    let points: Vec<P> = points
        .iter()
        .map(|&(date, period)| P { date, period })
        .collect();
    let mut gaps: Vec<Gap> = Vec::new();
    let kind = points.first().map(|p| p.period);
    let known = kind.filter(|k| *k > PeriodType::Day && points.iter().all(|p| p.period == *k));
    for (i, w) in points.windows(2).enumerate() {
        let mut periods = Vec::new();
        let mut reasons = Vec::new();
        if let Some(kind) = known {
            let mut p = Period {
                kind,
                start: w[0].date,
            }
            .next();
            while p.start < w[1].date && periods.len() < MAX_GAP_LISTED {
                periods.push(p.to_string());
                p = p.next();
            }
            // Counted exactly, however long the gap: the periods between, less those whose
            // row is there but was skipped as invalid.
            let all = Period {
                kind,
                start: w[0].date,
            }
            .periods_between(Period {
                kind,
                start: w[1].date,
            });
            let mut skipped_here: Vec<NaiveDate> = skipped
                .iter()
                .map(|s| s.date)
                .filter(|&d| d > w[0].date && d < w[1].date)
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
        for s in skipped
            .iter()
            .filter(|s| s.date > w[0].date && s.date < w[1].date)
        {
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

/// A series with its SPC result under a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct SpcRun {
    /// The points in date order.
    pub points: Vec<SeriesPoint>,
    /// The options used.
    pub options: SpcOptions,
    /// The rebase dates (each starts a segment), from `--rebase` and the rebase log.
    pub rebase: Vec<NaiveDate>,
    /// The result.
    pub result: SpcResult,
    /// The profile.
    pub profile: Profile,
    /// Its name in outputs ("mdc, 6-point").
    pub profile_name: String,
    /// Every rule behind each point's flag.
    pub hits: Vec<Vec<Hit>>,
    /// `false` when the profile withholds the icons.
    pub icons: bool,
    /// Gaps in the series.
    pub gaps: Vec<Gap>,
    /// Whether values either side of a gap were treated as consecutive (`--join-gaps`).
    pub join_gaps: bool,
    /// The rebase log's rows applied.
    pub rebase_log: Vec<RebaseEntry>,
    /// Candidate rebases (never applied).
    pub suggestions: Vec<Suggestion>,
    /// The same series under another profile (`--compare-profile`).
    pub compare: Option<Box<Comparison>>,
}

/// A series judged under a second profile, and where the two differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The other profile.
    pub profile: Profile,
    /// Its name.
    pub profile_name: String,
    /// Its result.
    pub result: SpcResult,
    /// Its rules behind each flag.
    pub hits: Vec<Vec<Hit>>,
    /// `false` when it withholds the icons.
    pub icons: bool,
    /// Indices of the points whose point type differs.
    pub differences: Vec<usize>,
}

/// What a run uses beyond the method's options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunSettings {
    /// The profile (default `ptd-0.2.2`).
    pub profile: Profile,
    /// A second profile to compare with.
    pub compare: Option<Profile>,
    /// Gaps in the series (see [`find_gaps`]).
    pub gaps: Vec<Gap>,
    /// Treat values either side of a gap as consecutive.
    pub join_gaps: bool,
    /// Rebase log rows for this series.
    pub rebase_log: Vec<RebaseEntry>,
}

/// Resolves rebase dates (written in any period form) to segment starts and runs the method.
/// A rebase date not in the series is an error naming it (§2).
pub fn run(
    src_name: &str,
    points: Vec<SeriesPoint>,
    rebase: &[String],
    options: SpcOptions,
) -> Result<SpcRun, Diagnostics> {
    let settings = RunSettings {
        profile: Profile {
            screen_outliers: options.screen_outliers,
            ..Profile::default()
        },
        ..RunSettings::default()
    };
    run_with(src_name, points, rebase, options, settings)
}

/// [`run`] under a profile, with gaps, the rebase log's rows and a comparison.
pub fn run_with(
    src_name: &str,
    points: Vec<SeriesPoint>,
    rebase: &[String],
    options: SpcOptions,
    settings: RunSettings,
) -> Result<SpcRun, Diagnostics> {
    let all: Vec<NaiveDate> = points.iter().map(|p| p.date).collect();
    let (mut starts, mut dates) = resolve_rebase(src_name, &all, rebase)?;
    let logged: Vec<&RebaseEntry> = settings.rebase_log.iter().collect();
    let from_log = crate::rebase_log::resolve(&logged, &all, src_name)?;
    for i in from_log {
        starts.push(i);
        dates.push(all[i]);
    }
    dates.sort();
    dates.dedup();
    let values: Vec<f64> = points.iter().map(|p| p.value).collect();
    let breaks: Vec<usize> = if settings.join_gaps {
        Vec::new()
    } else {
        settings.gaps.iter().map(|g| g.before).collect()
    };
    let fail = |e: crate::spc::SpcError| {
        let e = crate::chart::ChartError::from(e);
        Diagnostics(vec![
            Diagnostic::error(e.to_string())
                .in_file(src_name)
                .settings(crate::chart_input::settings_of(&e)),
        ])
    };
    let judged = judge(&values, &starts, &breaks, &options, &settings.profile).map_err(fail)?;
    let suggestions = profile::suggest_rebases(&values, &judged);
    let compare = match settings.compare {
        Some(other) => {
            let b = judge(&values, &starts, &breaks, &options, &other).map_err(fail)?;
            Some(Box::new(Comparison {
                profile: other,
                profile_name: b.profile.clone(),
                differences: profile::differences(&judged, &b),
                result: b.result,
                hits: b.hits,
                icons: b.icons,
            }))
        }
        None => None,
    };
    Ok(SpcRun {
        points,
        options,
        rebase: dates,
        result: judged.result,
        profile: settings.profile,
        profile_name: judged.profile,
        hits: judged.hits,
        icons: judged.icons,
        gaps: settings.gaps,
        join_gaps: settings.join_gaps,
        rebase_log: settings.rebase_log,
        suggestions,
        compare,
    })
}

impl SpcRun {
    /// The variation icon, unless the profile withholds it.
    pub fn variation_icon(&self) -> Option<VariationIcon> {
        self.icons.then_some(self.result.variation_icon)
    }

    /// The assurance icon, unless withheld or not applicable.
    pub fn assurance_icon(&self) -> Option<AssuranceIcon> {
        if self.icons {
            self.result.assurance_icon
        } else {
            None
        }
    }

    /// Point `i` in the one shape every chart's points take: its value, its segment's mean
    /// and limits, its type and first rule. `None` past the end.
    pub fn point(&self, i: usize) -> Option<ChartPoint> {
        let r = &self.result;
        let segment = *r.segment_of.get(i)?;
        let seg = r.segments.get(segment)?;
        Some(ChartPoint {
            value: self.points.get(i)?.value,
            centre: seg.mean,
            lpl: seg.lpl,
            upl: seg.upl,
            point_type: *r.point_type.get(i)?,
            rule: *r.rule.get(i)?,
            segment,
        })
    }

    /// Point `i`'s date as printed.
    pub fn label(&self, i: usize) -> String {
        self.points
            .get(i)
            .map(|p| p.date.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }

    /// Point `i`'s explanation, empty for common cause.
    pub fn explanation(&self, i: usize) -> String {
        profile::explanation(&self.hits[i], |k| self.label(k))
    }

    /// The rebase log row that starts a segment at point `i`, if any.
    pub fn rebase_entry(&self, i: usize) -> Option<&RebaseEntry> {
        let date = self.points.get(i)?.date;
        self.rebase_log.iter().find(|e| e.start == date)
    }

    /// The gap before point `i`, if any.
    pub fn gap_before(&self, i: usize) -> Option<&Gap> {
        self.gaps.iter().find(|g| g.before == i)
    }

    /// The candidate rebases in words.
    pub fn suggestion_texts(&self) -> Vec<String> {
        self.suggestions
            .iter()
            .map(|s| profile::suggestion_text(s, |k| self.label(k)))
            .collect()
    }
}

fn num(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The warning for a point's segment, if its limits are unreliable or undefined (§5, §12),
/// or withheld by the profile.
fn point_warning(run: &SpcRun, i: usize) -> &'static str {
    let seg = &run.result.segments[run.result.segment_of[i]];
    let withheld = run.profile.kind == profile::ProfileKind::Mdc && seg.n < run.profile.min_points;
    match (
        withheld,
        seg.amr.is_none(),
        seg.n < crate::spc::constants::MIN_POINTS,
    ) {
        (true, _, _) => "no limits or flags: too few points for the mdc profile",
        (false, true, _) => "limits undefined: no moving range remains",
        (false, false, true) => "limits unreliable: fewer than 13 points in the segment",
        _ => "",
    }
}

fn rule_name(rule: Option<crate::spc::Rule>) -> &'static str {
    rule.map(profile::rule_id).unwrap_or_default()
}

/// The CSV: `date,value,mean,lpl,upl,point_type`, then `segment`, `rule` (the first
/// rule), `warning`, the `shift_length` and `trend_length` used, every rule behind the flag
/// (`rules`) and its `explanation`, the `profile`, any gap before the point and the rebase log
/// row that starts a segment there; with a comparison, the other profile's judgement of the
/// points it judges differently.
pub fn to_csv(run: &SpcRun) -> String {
    let mut w = CsvWriter::new();
    let mut header = vec![
        "date",
        "value",
        "mean",
        "lpl",
        "upl",
        "point_type",
        "segment",
        "rule",
        "warning",
        "shift_length",
        "trend_length",
        "rules",
        "explanation",
        "profile",
        "gap_before",
        "rebase_log",
    ];
    if run.compare.is_some() {
        header.extend([
            "compare_profile",
            "compare_point_type",
            "compare_rules",
            "compare_explanation",
        ]);
    }
    w.row(header);
    let (shift, trend) = (run.options.shift_length, run.options.trend_length);
    for (i, p) in run.points.iter().enumerate() {
        let seg = &run.result.segments[run.result.segment_of[i]];
        let mut row = vec![
            p.date.format("%Y-%m-%d").to_string(),
            p.value.to_string(),
            seg.mean.to_string(),
            num(seg.lpl),
            num(seg.upl),
            run.result.point_type[i].as_str().to_string(),
            (run.result.segment_of[i] + 1).to_string(),
            rule_name(run.result.rule[i]).to_string(),
            point_warning(run, i).to_string(),
            shift.to_string(),
            trend.to_string(),
            profile::rules_text(&run.hits[i]),
            run.explanation(i),
            run.profile_name.clone(),
            run.gap_before(i)
                .map(|g| g.reason.clone())
                .unwrap_or_default(),
            run.rebase_entry(i)
                .map(|e| e.describe())
                .unwrap_or_default(),
        ];
        if let Some(c) = &run.compare {
            if c.differences.binary_search(&i).is_ok() {
                row.extend([
                    c.profile_name.clone(),
                    c.result.point_type[i].as_str().to_string(),
                    profile::rules_text(&c.hits[i]),
                    profile::explanation(&c.hits[i], |k| run.label(k)),
                ]);
            } else {
                row.extend([String::new(), String::new(), String::new(), String::new()]);
            }
        }
        w.row(row);
    }
    w.finish()
}

/// The settings, in words and values, named in every output.
pub fn settings(run: &SpcRun) -> Value {
    let o = &run.options;
    json!({
        "method": "XmR (Making Data Count) as docs/methods/spc.md, with the rule profile of docs/methods/spc-profiles.md",
        "profile": run.profile_name,
        "profile_description": run.profile.describe(),
        "improvement": o.improvement.as_str(),
        "target": o.target,
        "rebase": run.rebase.iter().map(|d| d.format("%Y-%m-%d").to_string()).collect::<Vec<_>>(),
        "rebase_log": run.rebase_log,
        "fix_after": o.fix_after,
        "screen_outliers": run.profile.screen_outliers,
        "shift_length": o.shift_length,
        "trend_length": o.trend_length,
        "gaps": if run.join_gaps { "joined (--join-gaps): values either side of a gap are treated as consecutive" } else { "not joined: no moving range, run or window spans a gap" },
    })
}

/// The hits of point `i` as JSON, dated.
fn hits_json(run: &SpcRun, hits: &[Hit]) -> Value {
    Value::Array(
        hits.iter()
            .map(|h| {
                json!({
                    "rule": profile::rule_id(h.rule),
                    "first": run.label(h.first),
                    "last": run.label(h.last),
                    "position": h.position,
                    "points": h.len,
                    "direction": if h.high { "high" } else { "low" },
                })
            })
            .collect(),
    )
}

/// The comparison with a second profile, if any.
fn comparison_json(run: &SpcRun) -> Option<Value> {
    let c = run.compare.as_ref()?;
    let points: Vec<Value> = c
        .differences
        .iter()
        .map(|&i| {
            json!({
                "date": run.label(i),
                "value": run.points[i].value,
                "point_type": run.result.point_type[i].as_str(),
                "rules": profile::rules_text(&run.hits[i]),
                "explanation": run.explanation(i),
                "compare_point_type": c.result.point_type[i].as_str(),
                "compare_rules": profile::rules_text(&c.hits[i]),
                "compare_explanation": profile::explanation(&c.hits[i], |k| run.label(k)),
            })
        })
        .collect();
    Some(json!({
        "profile": run.profile_name,
        "compare_profile": c.profile_name,
        "compare_profile_description": c.profile.describe(),
        "variation_icon": run.variation_icon(),
        "compare_variation_icon": c.icons.then_some(c.result.variation_icon),
        "assurance_icon": run.assurance_icon(),
        "compare_assurance_icon": if c.icons { c.result.assurance_icon } else { None },
        "points": points,
    }))
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
                "rebase_log": run.rebase_entry(s.start),
            })
        })
        .collect();
    let gaps: Vec<Value> = run
        .gaps
        .iter()
        .map(|g| json!({ "before": run.label(g.before), "periods": g.periods, "reason": g.reason }))
        .collect();
    let mut v = json!({
        "variation_icon": run.variation_icon(),
        "assurance_icon": run.assurance_icon(),
        "profile": run.profile_name,
        "groups": groups,
        "settings": settings(run),
        "gaps": gaps,
        "suggested_rebases": run.suggestion_texts(),
        "warnings": run.result.warnings,
    });
    if let Some(c) = comparison_json(run) {
        v["comparison"] = c;
    }
    v
}

/// `--format json` (schema `sct-kpi-spc/1`): the points and the summary together.
pub fn to_json(run: &SpcRun) -> Value {
    let points: Vec<Value> = run
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let seg = &run.result.segments[run.result.segment_of[i]];
            let explanation = run.explanation(i);
            json!({
                "date": p.date.format("%Y-%m-%d").to_string(),
                "value": p.value,
                "mean": seg.mean,
                "lpl": seg.lpl,
                "upl": seg.upl,
                "point_type": run.result.point_type[i].as_str(),
                "segment": run.result.segment_of[i] + 1,
                "rule": run.result.rule[i],
                "rules": hits_json(run, &run.hits[i]),
                "explanation": Some(explanation).filter(|e| !e.is_empty()),
                "gap_before": run.gap_before(i).map(|g| g.reason.clone()),
                "warning": Some(point_warning(run, i)).filter(|w| !w.is_empty()),
            })
        })
        .collect();
    json!({ "schema": "sct-kpi-spc/1", "points": points, "summary": summary(run) })
}
