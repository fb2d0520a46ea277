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
use sct_kpi::chart_input::{self, ChartColumns, ChartRun, SeriesData};
use sct_kpi::profile::{Profile, ProfileKind};
use sct_kpi::rebase_log::{self, RebaseEntry};
use sct_kpi::runchart::RunRules;
use sct_kpi::spc::{Improvement, SpcOptions as XmrOptions};
use sct_kpi::spc_input::{self, Columns, Skipped, SpcRun};
use sct_report::charts::ChartFormat;
use sct_report::kpi_spc::{series_chart, xmr_chart};
use sct_report::spc_chart::spc_chart;

use crate::assess::json_text;
use crate::document::Output;
use crate::error::Result;
use crate::format::formats;
use crate::kpi::{SpcProfileOptions, invalid, load_rebase_log, profiles};
use crate::session::Session;

formats! {
    /// Formats of an SPC chart.
    pub enum SpcFormat {
        /// CSV, one row per point.
        Csv => [],
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
    /// The CSV of the series.
    pub input: PathBuf,
    /// Its columns.
    pub columns: SpcColumns,
    /// Which direction is better.
    pub improvement: Improvement,
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
    /// The indicator of the rebase log's rows that apply.
    pub indicator: Option<String>,
    /// The organisation of the rebase log's rows that apply.
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
///     input, columns: Default::default(), improvement: Improvement::Decrease, target: None,
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
pub fn spc(_session: &Session, options: &SpcOptions) -> Result<SpcResult> {
    if options.chart == ChartChoice::Only(ChartKind::Xmr) {
        xmr(options)
    } else {
        any_chart(options)
    }
}

/// The XmR chart.
fn xmr(options: &SpcOptions) -> Result<SpcResult> {
    let src = SourceFile::read(&options.input)?;
    let columns = Columns {
        date: options.columns.date.clone(),
        value: options.columns.value.clone(),
    };
    let read = spc_input::read_series_with(&src, &columns, options.skip_invalid)
        .map_err(sct_core::Error::Invalid)?;
    let (profile, compare) = xmr_profiles(options)?;
    let settings = spc_input::RunSettings {
        profile,
        compare,
        gaps: spc_input::find_gaps(&read.points, &read.skipped),
        join_gaps: options.spc.join_gaps,
        rebase_log: log_rows(options)?,
    };
    let xmr_options = XmrOptions {
        improvement: options.improvement,
        target: options.target,
        fix_after: options.fix_after,
        screen_outliers: profile.screen_outliers,
        shift_length: options.shift_length,
        trend_length: options.trend_length,
    };
    let run = spc_input::run_with(
        &src.name,
        read.points,
        &options.rebase,
        xmr_options,
        settings,
    )
    .map_err(sct_core::Error::Invalid)?;
    let notices = xmr_notices(&run);
    let summary = spc_input::summary(&run);
    let output = match options.format {
        SpcFormat::Csv => Output::text(spc_input::to_csv(&run)),
        SpcFormat::Json => Output::text(json_text(&spc_input::to_json(&run))),
        SpcFormat::Svg => Output::bytes(draw_xmr(&run, &src.name, ChartFormat::Svg)?),
        SpcFormat::Png => Output::bytes(draw_xmr(&run, &src.name, ChartFormat::Png)?),
    };
    Ok(SpcResult {
        output: output.with_notices(notices),
        summary,
    })
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

/// The warnings, the suggested rebases and the profiles' differences of an XmR run.
fn xmr_notices(run: &SpcRun) -> Vec<Diagnostic> {
    let mut notices: Vec<Diagnostic> = run
        .result
        .warnings
        .iter()
        .map(|w| Diagnostic::warning(w.to_string()))
        .collect();
    notices.extend(run.suggestion_texts().into_iter().map(Diagnostic::note));
    let Some(c) = &run.compare else {
        return notices;
    };
    let n = c.differences.len();
    notices.push(Diagnostic::note(format!(
        "{} and {} judge {n} point{} differently{}",
        run.profile_name,
        c.profile_name,
        if n == 1 { "" } else { "s" },
        if n == 0 { "" } else { ":" }
    )));
    // One note per point, so that a long list is never cut short.
    for &i in &c.differences {
        notices.push(Diagnostic::note(format!(
            "  {}: {} under {} ({}); {} under {} ({})",
            run.label(i),
            run.result.point_type[i].as_str(),
            run.profile_name,
            or_none(&run.explanation(i)),
            c.result.point_type[i].as_str(),
            c.profile_name,
            or_none(&sct_kpi::profile::explanation(&c.hits[i], |k| run.label(k)))
        )));
    }
    notices
}

/// "no rule" for an empty explanation.
fn or_none(text: &str) -> &str {
    if text.is_empty() { "no rule" } else { text }
}

/// A run, p′, u′ or per-segment chart. SVG and PNG of a chart whose every segment is XmR on
/// values are drawn as the XmR chart of the same points.
fn any_chart(options: &SpcOptions) -> Result<SpcResult> {
    let src = SourceFile::read(&options.input)?;
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
        chart_input::read_chart_series_with(&src, &columns, kind, options.skip_invalid)
            .map_err(sct_core::Error::Invalid)?;
    let (profile, compare) = xmr_profiles(options)?;
    if compare.is_some() {
        // The profiles are rule sets for the XmR chart; a run, p′ or u′ chart is judged by
        // the run-chart rules whatever the profile, so there is nothing to compare.
        return Err(invalid(
            "comparing rule profiles applies to the XmR chart only: the profiles are XmR rule sets (docs/methods/spc-profiles.md), and run, p′ and u′ charts follow docs/methods/run-charts.md and laney.md under every profile".into(),
            "the XmR chart with a profile to compare (the review and the IPR compare the icons of every chart)",
            &[Setting::Chart, Setting::CompareProfile],
        ));
    }
    let mut notices = gap_notes(&data, &skipped, options.spc.join_gaps);
    let breaks: Vec<usize> = if options.spc.join_gaps {
        Vec::new()
    } else {
        data.gaps(&skipped).iter().map(|g| g.before).collect()
    };
    // Rebase log rows are checked against the series (naming the log's row) and applied as
    // rebase dates.
    let log_rows = log_rows(options)?;
    let refs: Vec<&RebaseEntry> = log_rows.iter().collect();
    rebase_log::resolve(&refs, &data.dates(), &src.name).map_err(sct_core::Error::Invalid)?;
    let mut rebase = options.rebase.clone();
    rebase.extend(log_rows.iter().map(|e| e.date.clone()));
    let chart_options = chart_options(options, profile, breaks);
    let run = chart_input::run_chart(&src.name, data, &rebase, chart_options)
        .map_err(sct_core::Error::Invalid)?;
    notices.extend(
        run.result
            .warnings
            .iter()
            .map(|w| Diagnostic::warning(w.to_string())),
    );
    let summary = chart_input::summary(&run);
    let output = match options.format {
        SpcFormat::Csv => Output::text(chart_input::to_csv(&run)),
        SpcFormat::Json => Output::text(json_text(&chart_input::to_json(&run))),
        SpcFormat::Svg => Output::bytes(draw_any(
            options,
            run,
            &src.name,
            &skipped,
            log_rows,
            ChartFormat::Svg,
        )?),
        SpcFormat::Png => Output::bytes(draw_any(
            options,
            run,
            &src.name,
            &skipped,
            log_rows,
            ChartFormat::Png,
        )?),
    };
    Ok(SpcResult {
        output: output.with_notices(notices),
        summary,
    })
}

/// A note for each gap in the series, saying whether it is joined.
fn gap_notes(data: &SeriesData, skipped: &[Skipped], join_gaps: bool) -> Vec<Diagnostic> {
    let dates = data.dates();
    data.gaps(skipped)
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

/// The chart options from the workflow's.
fn chart_options(options: &SpcOptions, profile: Profile, breaks: Vec<usize>) -> ChartOptions {
    ChartOptions {
        chart: options.chart,
        min_points: options.min_points.unwrap_or(match profile.kind {
            ProfileKind::Mdc => profile.min_points,
            ProfileKind::Ptd022 => 15,
        }),
        improvement: options.improvement,
        target: options.target,
        fix_after: options.fix_after,
        run_rules: options.run_rules,
        laney_screen_outliers: options.screen_outliers,
        multiplier: options.multiplier,
        shift_length: options.shift_length,
        trend_length: options.trend_length,
        xmr_screen_outliers: profile.screen_outliers,
        profile,
        breaks,
    }
}

/// A chart of any kind drawn: per-point centre and limits (run, p′, u′, XmR on counts), or,
/// when every segment is XmR on values, the XmR chart of the same points and options.
fn draw_any(
    options: &SpcOptions,
    run: ChartRun,
    name: &str,
    skipped: &[Skipped],
    log_rows: Vec<RebaseEntry>,
    format: ChartFormat,
) -> Result<Vec<u8>> {
    let all_xmr = run
        .result
        .segments
        .iter()
        .all(|s| s.chart == ChartKind::Xmr);
    let points = match run.data {
        SeriesData::Values(points) if all_xmr => points,
        _ => return draw(spc_chart(&series_chart(&run, name), format)),
    };
    let xmr_options = XmrOptions {
        improvement: run.options.improvement,
        target: run.options.target,
        fix_after: run.options.fix_after,
        screen_outliers: run.options.xmr_screen_outliers,
        shift_length: run.options.shift_length,
        trend_length: run.options.trend_length,
    };
    let settings = spc_input::RunSettings {
        profile: run.options.profile,
        gaps: spc_input::find_gaps(&points, skipped),
        join_gaps: options.spc.join_gaps,
        rebase_log: log_rows,
        ..Default::default()
    };
    let xmr = spc_input::run_with(name, points, &options.rebase, xmr_options, settings)
        .map_err(sct_core::Error::Invalid)?;
    draw_xmr(&xmr, name, format)
}

/// The XmR chart of a run drawn.
fn draw_xmr(run: &SpcRun, name: &str, format: ChartFormat) -> Result<Vec<u8>> {
    draw(spc_chart(&xmr_chart(run, name), format))
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
