//! One series on an SPC chart (`docs/methods/spc.md`, `run-charts.md`, `laney.md`): XmR
//! under a rule profile, a run chart, Laney's p′ or u′, or per segment whichever suits it;
//! written as CSV, JSON or the chart itself, with a summary for dashboards.

use std::collections::BTreeSet;
use std::path::PathBuf;

use sct_core::Diagnostic;
use sct_core::diagnostic::Diagnostics;
use sct_core::setting::Setting;
use sct_core::source::SourceFile;
use sct_kpi::chart::{ChartChoice, ChartKind, ChartOptions};
use sct_kpi::chart_input::{self, ChartColumns, SeriesData};
use sct_kpi::chart_output;
use sct_kpi::chart_run::{self, ChartRun, Layout, RunSettings};
use sct_kpi::kpiset::KpiSet;
use sct_kpi::profile::{Judged, Profile, ProfileKind};
use sct_kpi::rebase_log::{self, RebaseEntry};
use sct_kpi::runchart::RunRules;
use sct_kpi::spc::Improvement;
use sct_kpi::spc_input::{self, Columns, Gap, Prepared};
use sct_report::charts::ChartFormat;
use sct_report::kpi_spc::series_chart;
use sct_report::spc_chart::spc_chart;

use crate::document::{Document, Output};
use crate::error::Result;
use crate::format::formats;
use crate::import::{PublishedOptions, PublishedSeries, published_series};
use crate::kpi::{SpcProfileOptions, invalid, load_rebase_log, profiles};
use crate::session::Session;

formats! {
    /// Formats of an SPC chart.
    pub enum SpcFormat {
        /// CSV, one row per point.
        Csv => ["csv"],
        /// JSON: the points, limits, rules and icons.
        Json => ["json"],
        /// The chart as SVG.
        Svg => ["svg"],
        /// The chart as PNG.
        Png => ["png"],
    }
    fallback Csv
}

/// The columns a series is read from.
#[derive(Debug, Clone)]
pub struct SpcColumns {
    /// The date column.
    pub date: String,
    /// The value column.
    pub value: String,
    /// The numerator column (p′ and u′ charts).
    pub numerator: String,
    /// The denominator column (p′ and u′ charts).
    pub denominator: String,
}

impl Default for SpcColumns {
    fn default() -> Self {
        SpcColumns {
            date: "date".into(),
            value: "value".into(),
            numerator: "numerator".into(),
            denominator: "denominator".into(),
        }
    }
}

/// Options of [`spc`].
#[derive(Debug, Clone)]
pub struct SpcOptions {
    /// The CSV of the series; or NHS England's published files (a file, or a folder of them),
    /// of which the series of [`SpcOptions::org`] and [`SpcOptions::indicator`] is charted.
    pub input: PathBuf,
    /// How published files given as the input are read (lookups, level, successions).
    pub published: PublishedOptions,
    /// Its columns.
    pub columns: SpcColumns,
    /// Which direction is better; `None` takes it from the known KPI sets when the series is
    /// an indicator of published files that they define alike (an error otherwise).
    pub improvement: Option<Improvement>,
    /// A target, for the assurance icon.
    pub target: Option<f64>,
    /// Dates from which the limits are recalculated.
    pub rebase: Vec<String>,
    /// Fix the limits after this many points.
    pub fix_after: Option<usize>,
    /// ptd-0.2.2: do not screen out large moving ranges.
    pub no_screen_outliers: bool,
    /// mdc and Laney: screen out large moving ranges.
    pub screen_outliers: bool,
    /// Points on one side of the centre that make a shift.
    pub shift_length: usize,
    /// Points rising or falling that make a trend.
    pub trend_length: usize,
    /// Which chart.
    pub chart: ChartChoice,
    /// The fewest points for limits (default: the profile's).
    pub min_points: Option<usize>,
    /// p′ and u′ values times this.
    pub multiplier: f64,
    /// The rules of a run chart.
    pub run_rules: RunRules,
    /// The rule profiles.
    pub spc: SpcProfileOptions,
    /// The rebase log (default: the data file's stem + `.rebase-log.csv` beside it).
    pub rebase_log: Option<PathBuf>,
    /// The indicator of the rebase log's rows that apply (and, from published files, the
    /// indicator charted).
    pub indicator: Option<String>,
    /// The organisation of the rebase log's rows that apply (and, from published files, the
    /// organisation charted).
    pub org: Option<String>,
    /// An empty or non-numeric value is a shown gap, not an error.
    pub skip_invalid: bool,
    /// The format.
    pub format: SpcFormat,
}

/// What [`spc`] made: the document, and the summary (the latest point, icons and limits as
/// JSON) a dashboard reads beside it.
#[derive(Debug)]
pub struct SpcResult {
    /// The document.
    pub output: Output<'static>,
    /// The summary.
    pub summary: serde_json::Value,
}

/// One series charted: XmR under its rule profile, or a run, p′ or u′ chart, or per segment
/// whichever suits it.
///
/// ```
/// use sct_kpi::{chart::{ChartChoice, ChartKind}, runchart::RunRules, spc::Improvement};
/// use sct_workflows::{Session, spc::{SpcFormat, SpcOptions, spc}};
/// let dir = tempfile::tempdir()?;
/// let input = dir.path().join("waits.csv");
/// let rows: String = (0..20).map(|i| format!("{}-{:02}-01,{}\n", 2023 + i / 12, i % 12 + 1, 40 + i % 3)).collect();
/// std::fs::write(&input, format!("date,value\n{rows}"))?;
/// let options = SpcOptions {
///     input, published: Default::default(), columns: Default::default(), improvement: Some(Improvement::Decrease), target: None,
///     rebase: vec![], fix_after: None, no_screen_outliers: false, screen_outliers: false,
///     shift_length: 7, trend_length: 7, chart: ChartChoice::Only(ChartKind::Xmr),
///     min_points: None, multiplier: 100.0, run_rules: RunRules::Anhoj, spc: Default::default(),
///     rebase_log: None, indicator: None, org: None, skip_invalid: false,
///     format: SpcFormat::Csv,
/// };
/// let result = spc(&Session::bundled()?, &options)?;
/// let csv = String::from_utf8(result.output.document.into_bytes()?)?;
/// assert_eq!(csv.lines().count(), 21);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn spc(session: &Session, options: &SpcOptions) -> Result<SpcResult> {
    match published_series(
        session,
        &options.input,
        &options.published,
        options.org.as_deref(),
        options.indicator.as_deref(),
    )? {
        None => {
            // An XmR chart's series is read while the file's checksum is computed.
            let xmr = options.chart == ChartChoice::Only(ChartKind::Xmr);
            let columns = value_columns(options);
            let (src, prepared) = SourceFile::read_with(&options.input, |text| {
                xmr.then(|| spc_input::prepare(text, &columns))
            })?;
            // Asked for once the file is known to read, so that a missing file is said first.
            let improvement = options
                .improvement
                .ok_or_else(|| no_improvement("none is known for a series given as a CSV"))?;
            chart(session, options, improvement, src, prepared, None)
        }
        Some(series) => {
            let improvement = match options.improvement {
                Some(improvement) => improvement,
                None => known_improvement(session, &series.indicator)?,
            };
            // The series chosen is the one the rebase log's rows apply to.
            let options = SpcOptions {
                org: Some(series.organisation.clone()),
                indicator: Some(series.indicator.clone()),
                ..options.clone()
            };
            let src = SourceFile::from_text(
                format!(
                    "{} ({} {})",
                    options.input.display(),
                    series.organisation,
                    series.indicator
                ),
                series_csv(&series, &options.columns),
            );
            let mut result = chart(
                session,
                &options,
                improvement,
                src,
                None,
                Some(&series.title),
            )?;
            result.output = result.output.with_notices(series.notices);
            Ok(result)
        }
    }
}

/// The direction of improvement of `indicator` in the known KPI sets (the bundled ones and
/// any added), when those that define it agree; an error naming them otherwise.
fn known_improvement(session: &Session, indicator: &str) -> Result<Improvement> {
    let mut found: Vec<(String, Improvement)> = Vec::new();
    for fw in session.sct.registry.iter() {
        if fw.header.kind != sct_core::model::FrameworkKind::KpiSet {
            continue;
        }
        // A set that does not read is reported where it is used, not here.
        let Ok(set) = KpiSet::from_framework(fw) else {
            continue;
        };
        if let Some(ind) = set.indicator(indicator) {
            found.push((format!("{} {}", fw.id(), fw.version()), ind.improvement));
        }
    }
    match found.as_slice() {
        [] => Err(no_improvement(&format!(
            "indicator \"{indicator}\" is in no known KPI set"
        ))),
        [(_, first), rest @ ..] if rest.iter().all(|(_, i)| i == first) => Ok(*first),
        _ => {
            let sets: Vec<String> = found
                .iter()
                .map(|(set, i)| format!("{set}: {}", i.as_str()))
                .collect();
            Err(no_improvement(&format!(
                "the KPI sets that define indicator \"{indicator}\" disagree ({})",
                sets.join("; ")
            )))
        }
    }
}

/// The error of a chart whose direction of improvement is neither given nor known, and why.
fn no_improvement(why: &str) -> crate::error::Error {
    invalid(
        format!("which direction is better is not given, and {why}"),
        "the direction of improvement: increase, decrease or neutral",
        &[Setting::Improvement],
    )
}

/// A series from published files as the CSV the chart reads: the numerator and denominator
/// columns only when the publication gives them.
fn series_csv(series: &PublishedSeries, columns: &SpcColumns) -> String {
    let fractions = series
        .rows
        .iter()
        .all(|r| r.numerator.is_some() && r.denominator.is_some());
    let field = |name: &str| crate::import::csv_field(name);
    let mut text = format!("{},{}", field(&columns.date), field(&columns.value));
    if fractions {
        text.push_str(&format!(
            ",{},{}",
            field(&columns.numerator),
            field(&columns.denominator)
        ));
    }
    text.push('\n');
    let number = sct_core::csv_out::number;
    for r in &series.rows {
        text.push_str(&format!("{},{}", r.period, number(r.value)));
        if let (true, Some(n), Some(d)) = (fractions, r.numerator, r.denominator) {
            text.push_str(&format!(",{},{}", number(n), number(d)));
        }
        text.push('\n');
    }
    text
}

/// The chart of the series in `src` (for an XmR chart, perhaps `prepared` from its text
/// already); `published_title` is the indicator's name as a publication gives it, for the
/// title when no known KPI set names it.
fn chart(
    session: &Session,
    options: &SpcOptions,
    improvement: Improvement,
    src: SourceFile,
    prepared: Option<Prepared>,
    published_title: Option<&str>,
) -> Result<SpcResult> {
    let xmr = options.chart == ChartChoice::Only(ChartKind::Xmr);
    let (data, gaps) = if xmr {
        read_values(options, &src, prepared)?
    } else {
        read_any(options, &src)?
    };
    let (profile, compare) = xmr_profiles(options)?;
    if compare.is_some() && !xmr {
        // The profiles are rule sets for the XmR chart; a run, p′ or u′ chart is judged by
        // the run-chart rules whatever the profile, so there is nothing to compare.
        return Err(invalid(
            "comparing rule profiles applies to the XmR chart only: the profiles are XmR rule sets (docs/methods/spc-profiles.md), and run, p′ and u′ charts follow docs/methods/run-charts.md and laney.md under every profile".into(),
            "the XmR chart with a profile to compare (the review and the IPR compare the icons of every chart)",
            &[Setting::Chart, Setting::CompareProfile],
        ));
    }
    let rebase_log = log_rows(options)?;
    if !xmr {
        // Other than for `--chart xmr`, the rebase log's rows are checked against the series
        // (naming the log's row) before the --rebase dates are, so that the first error
        // reported stays the one it has always been.
        let refs: Vec<&RebaseEntry> = rebase_log.iter().collect();
        rebase_log::resolve(&refs, &data.dates(), &src.name).map_err(sct_core::Error::Invalid)?;
    }
    let settings = RunSettings {
        compare,
        gaps,
        join_gaps: options.spc.join_gaps,
        rebase_log,
    };
    let chart_options = chart_options(options, profile, improvement);
    // The chart is titled by the indicator when it is known (--indicator, the data's
    // `indicator` column, or a file named by an indicator's id), not by the file; only a
    // drawing has a title. The text read is let go before the chart is made.
    let indicator = matches!(options.format, SpcFormat::Svg | SpcFormat::Png)
        .then(|| {
            let known = crate::funnel::indicator_name(
                session,
                options.indicator.as_deref(),
                &src,
                &options.input,
            );
            // A publication's own name for the indicator, when no known KPI set names it.
            match published_title.filter(|t| !t.is_empty()) {
                Some(title) if known.as_deref() == options.indicator.as_deref() => {
                    Some(title.to_string())
                }
                _ => known,
            }
        })
        .flatten();
    let name = src.name.clone();
    drop(src);
    let run = chart_run::run_chart(&name, data, &options.rebase, chart_options, settings)
        .map_err(sct_core::Error::Invalid)?;
    write(run, &name, indicator.as_deref(), options.format)
}

/// The columns of an XmR chart's series.
fn value_columns(options: &SpcOptions) -> Columns {
    Columns {
        date: options.columns.date.clone(),
        value: options.columns.value.clone(),
    }
}

/// The series of an XmR chart: dates and values only, and its gaps.
fn read_values(
    options: &SpcOptions,
    src: &SourceFile,
    prepared: Option<Prepared>,
) -> Result<(SeriesData, Vec<Gap>)> {
    let columns = value_columns(options);
    let prepared = prepared.unwrap_or_else(|| spc_input::prepare(&src.text, &columns));
    let read = spc_input::read_series_prepared(src, &columns, options.skip_invalid, prepared)
        .map_err(sct_core::Error::Invalid)?;
    let gaps = spc_input::find_gaps(&read.points, &read.skipped);
    Ok((SeriesData::Values(read.points), gaps))
}

/// The series of a run, p′, u′ or per-segment chart: values, or numerators and denominators
/// when the chart needs them (or the file has no value column), and its gaps.
fn read_any(options: &SpcOptions, src: &SourceFile) -> Result<(SeriesData, Vec<Gap>)> {
    let c = &options.columns;
    let columns = ChartColumns {
        date: c.date.clone(),
        value: c.value.clone(),
        numerator: c.numerator.clone(),
        denominator: c.denominator.clone(),
    };
    let kind = match options.chart {
        ChartChoice::Only(k) => Some(k),
        ChartChoice::Auto(k) => k,
    };
    let (data, skipped) =
        chart_input::read_chart_series_with(src, &columns, kind, options.skip_invalid)
            .map_err(sct_core::Error::Invalid)?;
    let gaps = data.gaps(&skipped);
    Ok((data, gaps))
}

/// The run written in `format`, with its notices, and its summary. SVG and PNG of a chart
/// whose every segment is XmR on values are drawn as the XmR chart of the same points; CSV
/// and JSON are written as they are made, so that a long series is never held as text.
fn write(
    run: ChartRun,
    name: &str,
    indicator: Option<&str>,
    format: SpcFormat,
) -> Result<SpcResult> {
    let notices = notices(&run);
    let summary = chart_output::summary(&run);
    let output = match format {
        SpcFormat::Csv => Output::new(Document::Streamed(Box::new(move |w| {
            Ok(chart_output::write_csv(&run, w)?)
        }))),
        SpcFormat::Json => Output::new(Document::Streamed(Box::new(move |w| {
            Ok(chart_output::write_json(&run, w)?)
        }))),
        SpcFormat::Svg => Output::bytes(draw(spc_chart(
            &series_chart(&run, name, indicator),
            ChartFormat::Svg,
        ))?),
        SpcFormat::Png => Output::bytes(draw(spc_chart(
            &series_chart(&run, name, indicator),
            ChartFormat::Png,
        ))?),
    };
    Ok(SpcResult {
        output: output.with_notices(notices),
        summary,
    })
}

/// The notices of a run: for `--chart xmr` the warnings, the suggested rebases and the
/// profiles' differences; for the other charts a note per gap and the warnings.
fn notices(run: &ChartRun) -> Vec<Diagnostic> {
    let warnings = |w: &[String]| -> Vec<Diagnostic> {
        w.iter()
            .map(|w| Diagnostic::warning(w.to_string()))
            .collect()
    };
    match run.layout() {
        Layout::Xmr(x) => {
            let mut notices = warnings(&x.result.warnings);
            notices.extend(run.suggestion_texts().into_iter().map(Diagnostic::note));
            notices.extend(comparison_notes(run, x));
            notices
        }
        Layout::Chart => {
            let mut notices = gap_notes(run);
            notices.extend(warnings(&run.result.warnings));
            notices
        }
    }
}

/// The profiles of an XmR chart (`ptd-0.2.2` unless chosen).
fn xmr_profiles(options: &SpcOptions) -> Result<(Profile, Option<Profile>)> {
    profiles(
        &options.spc,
        ProfileKind::Ptd022,
        None,
        options.no_screen_outliers,
        options.screen_outliers,
        options.min_points,
    )
}

/// Where a second profile judges the points of an XmR chart judged as `x` differently: a
/// count, then one note per point.
fn comparison_notes(run: &ChartRun, x: &Judged) -> Vec<Diagnostic> {
    let mut notices = Vec::new();
    let Some(c) = &run.compare else {
        return notices;
    };
    let (b, n) = (&c.judged, c.differences.len());
    notices.push(Diagnostic::note(format!(
        "{} and {} judge {n} point{} differently{}",
        x.profile,
        b.profile,
        if n == 1 { "" } else { "s" },
        if n == 0 { "" } else { ":" }
    )));
    // One note per point, so that a long list is never cut short.
    for &i in &c.differences {
        notices.push(Diagnostic::note(format!(
            "  {}: {} under {} ({}); {} under {} ({})",
            run.label(i),
            x.result.point_type[i].as_str(),
            x.profile,
            or_none(&run.explanation(x, i)),
            b.result.point_type[i].as_str(),
            b.profile,
            or_none(&run.explanation(b, i))
        )));
    }
    notices
}

/// "no rule" for an empty explanation.
fn or_none(text: &str) -> &str {
    if text.is_empty() { "no rule" } else { text }
}

/// A note for each gap in the series, saying whether it is joined.
fn gap_notes(run: &ChartRun) -> Vec<Diagnostic> {
    let (dates, join_gaps) = (run.data.dates(), run.join_gaps);
    run.gaps
        .iter()
        .map(|g| {
            let before = dates
                .get(g.before)
                .map(|d| d.to_string())
                .unwrap_or_default();
            let joined = if join_gaps {
                " (joined: values either side are treated as consecutive)"
            } else {
                " (not joined: values either side are not consecutive)"
            };
            Diagnostic::note(format!("gap before {before}: {}{joined}", g.reason))
        })
        .collect()
}

/// The chart options from the workflow's (the breaks follow from the gaps as the run is made).
fn chart_options(options: &SpcOptions, profile: Profile, improvement: Improvement) -> ChartOptions {
    ChartOptions {
        chart: options.chart,
        min_points: options.min_points.unwrap_or(match profile.kind {
            ProfileKind::Mdc => profile.min_points,
            ProfileKind::Ptd022 => 15,
        }),
        improvement,
        target: options.target,
        fix_after: options.fix_after,
        run_rules: options.run_rules,
        laney_screen_outliers: options.screen_outliers,
        multiplier: options.multiplier,
        shift_length: options.shift_length,
        trend_length: options.trend_length,
        xmr_screen_outliers: profile.screen_outliers,
        profile,
        breaks: Vec::new(),
    }
}

/// A drawing, or why it could not be drawn as an error in the input.
fn draw(drawn: std::result::Result<Vec<u8>, sct_report::charts::ChartError>) -> Result<Vec<u8>> {
    drawn.map_err(|e| {
        sct_core::Error::Invalid(Diagnostics(vec![Diagnostic::error(e.to_string())])).into()
    })
}

/// The rebase log rows for the one series: those of the indicator and organisation when
/// given; otherwise every row, which must then be for one series.
fn log_rows(options: &SpcOptions) -> Result<Vec<RebaseEntry>> {
    let default = Some(rebase_log::default_path(&options.input));
    let Some(log) = load_rebase_log(options.rebase_log.as_deref(), default)? else {
        return Ok(Vec::new());
    };
    let rows: Vec<RebaseEntry> = log
        .entries
        .into_iter()
        .filter(|e| options.indicator.as_ref().is_none_or(|i| *i == e.indicator))
        .filter(|e| options.org.as_ref().is_none_or(|o| *o == e.organisation))
        .collect();
    let series: BTreeSet<(&str, &str)> = rows
        .iter()
        .map(|e| (e.organisation.as_str(), e.indicator.as_str()))
        .collect();
    if series.len() > 1 {
        let names: Vec<String> = series.iter().map(|(o, i)| format!("{o} {i}")).collect();
        return Err(sct_core::Error::Invalid(Diagnostics(vec![
            Diagnostic::error(format!(
                "the rebase log {} has rows for {} series ({}); one series is charted",
                log.file,
                series.len(),
                names.join(", ")
            ))
            .in_file(&log.file)
            .expected("the indicator and organisation whose rows apply")
            .settings([Setting::Indicator, Setting::Organisation]),
        ]))
        .into());
    }
    Ok(rows)
}
