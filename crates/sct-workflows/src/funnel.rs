//! Funnel plots comparing organisations (`docs/methods/funnels.md`): proportions (the
//! Fingertips method, or the arcsine method with over-dispersion when asked) or indirectly
//! standardised ratios (Spiegelhalter's, with over-dispersion when asked).

use std::path::PathBuf;

use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::source::SourceFile;
use sct_kpi::funnel_input::{self, Funnel, FunnelKind};
use sct_report::charts::ChartFormat;
use sct_report::funnel_chart::{
    funnel_chart, overdispersed_proportion_chart, proportion_chart, ratio_chart,
};

use crate::document::{Document, Output};
use crate::error::Result;
use crate::format::formats;
use crate::session::Session;

formats! {
    /// Formats of a funnel plot.
    pub enum FunnelFormat {
        /// CSV: each organisation with its value, limits and outlier flags.
        Csv => ["csv"],
        /// JSON.
        Json => ["json"],
        /// The chart as SVG.
        Svg => ["svg"],
        /// The chart as PNG.
        Png => ["png"],
    }
    fallback Csv
}

/// The title of the indicator `id` in the first KPI set the session knows that has it (the
/// bundled sets and any the user added).
fn indicator_title(session: &Session, id: &str) -> Option<String> {
    session
        .sct
        .registry
        .iter()
        .filter(|fw| fw.header.kind == sct_core::model::FrameworkKind::KpiSet)
        .filter_map(|fw| sct_kpi::kpiset::KpiSet::from_framework(fw).ok())
        .find_map(|set| set.indicator(id).map(|i| i.title.clone()))
}

/// The name of the indicator a chart of the data `src` (read from `path`) shows, when it is
/// known: the one `named` (by its title in a known KPI set, else its id), else the one the
/// data's `indicator` column names, else the indicator whose id is the file's stem (as
/// `ae-4-hour.csv`). `None` when nothing names it: the chart then falls back to the file.
pub(crate) fn indicator_name(
    session: &Session,
    named: Option<&str>,
    src: &SourceFile,
    path: &std::path::Path,
) -> Option<String> {
    if let Some(id) = named
        .map(str::to_string)
        .or_else(|| funnel_input::single_indicator(src))
    {
        return Some(indicator_title(session, &id).unwrap_or(id));
    }
    let stem = path.file_stem()?.to_string_lossy();
    indicator_title(session, &stem)
}

/// The unit of a proportion funnel's values: percent, or "per M".
fn unit(multiplier: f64) -> String {
    if multiplier == 100.0 {
        "%".to_string()
    } else {
        format!("per {multiplier}")
    }
}

/// Options of [`funnel`].
#[derive(Debug, Clone)]
pub struct FunnelOptions {
    /// CSV with a header: org,numerator,denominator (proportions) or org,observed,expected
    /// (ratios).
    pub input: PathBuf,
    /// What the indicator is.
    pub kind: FunnelKind,
    /// Values and limits times this (default: 100 for proportions, 1 for ratios).
    pub multiplier: Option<f64>,
    /// Widen the limits for over-dispersion and judge outliers against them: proportions by
    /// the arcsine method (FunnelPlotR), ratios by the SHMI approach.
    pub overdispersion: bool,
    /// The chart's title (default: the indicator's name when the input's `indicator` column or
    /// its file name names one of a known KPI set, else the input's file stem).
    pub title: Option<String>,
    /// The format.
    pub format: FunnelFormat,
}

/// A funnel plot: every organisation's value against control limits that narrow as its
/// denominator grows, with outliers flagged.
///
/// ```
/// use sct_kpi::funnel_input::FunnelKind;
/// use sct_workflows::{Session, kpi::{FunnelFormat, FunnelOptions, funnel}};
/// let dir = tempfile::tempdir()?;
/// let input = dir.path().join("screening.csv");
/// std::fs::write(&input, "org,numerator,denominator\nA,40,100\nB,55,120\nC,30,90\n")?;
/// let options = FunnelOptions {
///     input, kind: FunnelKind::Proportion, multiplier: None, overdispersion: false,
///     title: None, format: FunnelFormat::Csv,
/// };
/// let csv = String::from_utf8(funnel(&Session::bundled()?, &options)?.document.into_bytes()?)?;
/// assert_eq!(csv.lines().count(), 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn funnel(session: &Session, options: &FunnelOptions) -> Result<Output<'static>> {
    funnel_named(options, |src| {
        indicator_name(session, None, src, &options.input)
    })
}

/// [`funnel`] with the session loaded by `load` only when the output needs it: a chart's
/// title may name an indicator of a KPI set, but a table (CSV, JSON) reads no framework, and
/// parsing the bundled ones is most of a small funnel's time. For a chart the session is
/// loaded first, as [`funnel`]'s caller would, so that its errors come before the data's.
pub fn funnel_loading(
    load: impl FnOnce() -> Result<Session>,
    options: &FunnelOptions,
) -> Result<Output<'static>> {
    if matches!(options.format, FunnelFormat::Csv | FunnelFormat::Json) {
        // The name is asked for only by a chart.
        return funnel_named(options, |_| None);
    }
    let session = load()?;
    funnel(&session, options)
}

/// [`funnel`], with `name` giving the indicator a chart of the data shows, when it knows it.
fn funnel_named(
    options: &FunnelOptions,
    name: impl FnOnce(&SourceFile) -> Option<String>,
) -> Result<Output<'static>> {
    let kind = options.kind;
    let multiplier = options.multiplier.unwrap_or(kind.default_multiplier());
    let src = SourceFile::read(&options.input)?;
    let invalid = |d| sct_core::Error::Invalid(Diagnostics(vec![d]));
    let rows = funnel_input::read_funnel_rows(&src, kind).map_err(sct_core::Error::Invalid)?;
    let funnel = funnel_input::compute(&rows, kind, multiplier, options.overdispersion)
        .map_err(|e| invalid(funnel_input::located(&src, &rows, &e)))?;
    let notices = funnel_input::overdispersion_note(&funnel)
        .map(|note| vec![Diagnostic::note(note)])
        .unwrap_or_default();
    let chart = |format| {
        let title = options.title.clone().unwrap_or_else(|| {
            name(&src).unwrap_or_else(|| {
                let stem = options.input.file_stem();
                stem.map_or_else(String::new, |s| s.to_string_lossy().into_owned())
            })
        });
        let chart = match &funnel {
            Funnel::Proportion(f) => proportion_chart(f, &title, &unit(multiplier)),
            Funnel::OverdispersedProportion(f) => {
                overdispersed_proportion_chart(f, &title, &unit(multiplier))
            }
            Funnel::Ratio(f) => ratio_chart(f, &title),
        };
        funnel_chart(&chart, format)
            .map_err(|e| invalid(Diagnostic::error(e.to_string()).in_file(&src.name)))
    };
    let document = match options.format {
        FunnelFormat::Svg => Document::Bytes(chart(ChartFormat::Svg)?),
        FunnelFormat::Png => Document::Bytes(chart(ChartFormat::Png)?),
        FunnelFormat::Csv => {
            Document::Streamed(Box::new(move |w| Ok(funnel_input::write_csv(&funnel, w)?)))
        }
        FunnelFormat::Json => {
            Document::Streamed(Box::new(move |w| Ok(funnel_input::write_json(&funnel, w)?)))
        }
    };
    Ok(Output::new(document).with_notices(notices))
}
