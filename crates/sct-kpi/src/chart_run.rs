//! One series charted by `sct kpi spc`, whatever the chart: [`ChartRun`] holds the data, the
//! options, the [`ChartResult`] of [`crate::chart::chart`] (XmR being one chart kind beside
//! run, p′ and u′) and what the series brings beyond the chart (its gaps, the rebase log's
//! rows, candidate rebases and a second profile's judgement). Written out by
//! [`crate::chart_output`].

use chrono::NaiveDate;

use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::setting::Setting;

use crate::chart::{
    ChartChoice, ChartError, ChartInput, ChartKind, ChartOptions, ChartPoint, ChartResult, chart,
    chart_values,
};
use crate::chart_input::SeriesData;
use crate::profile::{self, Judged, Profile, Suggestion, judge};
use crate::rebase_log::RebaseEntry;
use crate::spc::SpcOptions;
use crate::spc_input::{Gap, resolve_rebase};

/// A series with its chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartRun {
    /// The data in date order.
    pub data: SeriesData,
    /// The options used (with the breaks of the gaps not joined).
    pub options: ChartOptions,
    /// The rebase dates (each starts a segment), from `--rebase` and the rebase log.
    pub rebase: Vec<NaiveDate>,
    /// The result.
    pub result: ChartResult,
    /// Gaps in the series.
    pub gaps: Vec<Gap>,
    /// Whether values either side of a gap were treated as consecutive.
    pub join_gaps: bool,
    /// The rebase log's rows applied.
    pub rebase_log: Vec<RebaseEntry>,
    /// Candidate rebases (never applied) of an XmR chart (see [`ChartRun::xmr`]).
    pub suggestions: Vec<Suggestion>,
    /// The XmR chart judged under a second profile, if asked for.
    pub compare: Option<Box<Comparison>>,
}

/// An XmR chart judged under a second profile, and where the two differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The other profile.
    pub profile: Profile,
    /// Its judgement: segments, point types, every rule behind each flag, icons, name.
    pub judged: Judged,
    /// Indices of the points whose point type differs.
    pub differences: Vec<usize>,
}

/// What a run uses beyond the chart's options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunSettings {
    /// A second profile to judge an XmR chart under.
    pub compare: Option<Profile>,
    /// Gaps in the series (see [`crate::spc_input::find_gaps`]).
    pub gaps: Vec<Gap>,
    /// Treat values either side of a gap as consecutive.
    pub join_gaps: bool,
    /// Rebase log rows for this series.
    pub rebase_log: Vec<RebaseEntry>,
}

/// Runs the chart on the data read from the file `src_name`, with segments starting at the
/// `rebase` dates (any period form) and the rebase log's rows, and gaps as breaks unless
/// joined. A rebase date not in the series is an error naming it (§2); other errors name the
/// file line.
pub fn run_chart(
    src_name: &str,
    data: SeriesData,
    rebase: &[String],
    mut options: ChartOptions,
    settings: RunSettings,
) -> Result<ChartRun, Diagnostics> {
    // The dates are only looked through for rebases: a series of a million points without
    // any needs no copy of them.
    let all = if rebase.is_empty() && settings.rebase_log.is_empty() {
        Vec::new()
    } else {
        data.dates()
    };
    let (mut starts, mut dates) = resolve_rebase(src_name, &all, rebase)?;
    let logged: Vec<&RebaseEntry> = settings.rebase_log.iter().collect();
    for i in crate::rebase_log::resolve(&logged, &all, src_name)? {
        starts.push(i);
        dates.push(all[i]);
    }
    dates.sort();
    dates.dedup();
    options.breaks = if settings.join_gaps {
        Vec::new()
    } else {
        settings.gaps.iter().map(|g| g.before).collect()
    };
    let result = chart_of(src_name, &data, &starts, &options)?;
    let mut run = ChartRun {
        data,
        options,
        rebase: dates,
        result,
        gaps: settings.gaps,
        join_gaps: settings.join_gaps,
        rebase_log: settings.rebase_log,
        suggestions: Vec::new(),
        compare: None,
    };
    if let Some(x) = run.xmr() {
        run.suggestions = profile::suggest_rebases(&run.result.values, x);
    }
    if let (Some(other), Some(x)) = (settings.compare, run.result.xmr()) {
        let b = judge(
            &run.result.values,
            &starts,
            &run.options.breaks,
            &xmr_options(&run.options),
            &other,
        )
        .map_err(|e| {
            let e = ChartError::from(e);
            Diagnostics(vec![
                Diagnostic::error(e.to_string())
                    .in_file(src_name)
                    .settings(settings_of(&e)),
            ])
        })?;
        run.compare = Some(Box::new(Comparison {
            profile: other,
            differences: profile::differences(x, &b),
            judged: b,
        }));
    }
    Ok(run)
}

/// The options of the XmR method within a chart's options.
fn xmr_options(o: &ChartOptions) -> SpcOptions {
    SpcOptions {
        improvement: o.improvement,
        target: o.target,
        fix_after: o.fix_after,
        screen_outliers: o.xmr_screen_outliers,
        shift_length: o.shift_length,
        trend_length: o.trend_length,
    }
}

/// The chart of `data` with segments starting at `starts`; errors name the file and line.
fn chart_of(
    src_name: &str,
    data: &SeriesData,
    starts: &[usize],
    options: &ChartOptions,
) -> Result<ChartResult, Diagnostics> {
    let result = match data {
        SeriesData::Values(points) => {
            // Collected once and given up to the chart, whose result keeps them.
            chart_values(points.iter().map(|p| p.value).collect(), starts, options)
        }
        SeriesData::Counts(points) => {
            let x: Vec<f64> = points.iter().map(|p| p.numerator).collect();
            let n: Vec<f64> = points.iter().map(|p| p.denominator).collect();
            chart(
                ChartInput::Counts {
                    numerators: &x,
                    denominators: &n,
                },
                starts,
                options,
            )
        }
    };
    result.map_err(|e| {
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
    })
}

/// The options that would change a chart's error, for the front end to name.
fn settings_of(error: &ChartError) -> Vec<Setting> {
    match error {
        ChartError::FixAfterTooSmall(_) => vec![Setting::FixAfter],
        ChartError::RunLengthTooSmall("shift_length", _) => vec![Setting::ShiftLength],
        ChartError::RunLengthTooSmall(_, _) => vec![Setting::TrendLength],
        ChartError::BadMultiplier(_) => vec![Setting::Multiplier],
        _ => Vec::new(),
    }
}

/// How a run is written out: the XmR layout of `--chart xmr` (its profile's judgement, rules
/// and explanations), or the layout every other chart shares.
#[derive(Debug, Clone, Copy)]
pub enum Layout<'a> {
    /// `--chart xmr`: the XmR profile's judgement.
    Xmr(&'a Judged),
    /// `--chart run|pprime|uprime|auto`.
    Chart,
}

impl ChartRun {
    /// How the run is written out.
    pub fn layout(&self) -> Layout<'_> {
        match (self.options.chart, self.xmr()) {
            (ChartChoice::Only(ChartKind::Xmr), Some(x)) => Layout::Xmr(x),
            _ => Layout::Chart,
        }
    }

    /// The XmR profile's judgement when the run is an XmR chart of values (every segment
    /// XmR, as `--chart xmr` or `auto` on a long series gives), which is then drawn and
    /// explained as one.
    pub fn xmr(&self) -> Option<&Judged> {
        let all_xmr = (self.result.segments.iter()).all(|s| s.chart == ChartKind::Xmr);
        match self.data {
            SeriesData::Values(_) if all_xmr => self.result.xmr(),
            _ => None,
        }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether there is no point.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Point `i`'s date as printed.
    pub fn label(&self, i: usize) -> String {
        let mut text = Vec::with_capacity(10);
        if let Some(d) = self.data.date(i) {
            sct_core::decimal::push_date(&mut text, d);
        }
        // push_date writes ASCII.
        String::from_utf8(text).unwrap_or_default()
    }

    /// Point `i` of an XmR chart in the one shape every chart's points take: its value, its
    /// segment's mean and limits, its type and first rule. `None` past the end.
    pub fn xmr_point(&self, x: &Judged, i: usize) -> Option<ChartPoint> {
        let r = &x.result;
        let segment = r.segment_of(i)?;
        let seg = r.segments.get(segment)?;
        Some(ChartPoint {
            value: *self.result.values.get(i)?,
            centre: seg.mean,
            lpl: seg.lpl,
            upl: seg.upl,
            point_type: *r.point_type.get(i)?,
            rule: *r.rule.get(i)?,
            segment,
        })
    }

    /// Point `i`'s explanation under judgement `x`, empty for common cause.
    pub fn explanation(&self, x: &Judged, i: usize) -> String {
        profile::explanation(&x.hits[i], |k| self.label(k))
    }

    /// [`ChartRun::explanation`] appended to `out`, without a string of its own.
    pub fn write_explanation(&self, x: &Judged, i: usize, out: &mut Vec<u8>) {
        profile::write_explanation(out, &x.hits[i], |out, k| {
            if let Some(d) = self.data.date(k) {
                sct_core::decimal::push_date(out, d);
            }
        });
    }

    /// The rebase log row that starts a segment at point `i`, if any.
    pub fn rebase_entry(&self, i: usize) -> Option<&RebaseEntry> {
        let date = self.data.date(i)?;
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
