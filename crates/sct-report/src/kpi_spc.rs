//! Series drawn as SPC charts: a run of `sct kpi spc` of any chart ([`series_chart`]) and a
//! KPI review's indicator
//! ([`crate::kpi_review::indicator_chart`]) all become the plain [`SpcChart`] through one
//! conversion of their points ([`chart_points`]), which draws a gap in the series as a break.

use std::collections::BTreeSet;
use std::path::Path;

use sct_kpi::chart_run::ChartRun;
use sct_kpi::profile::Judged;
use sct_spc::chart::{ChartKind, ChartPoint, ChartVariationIcon};
use sct_spc::spc::{Improvement, PointType, Rule};

use crate::spc_chart::{SpcChart, SpcPoint};

/// One point of a series to draw: its label, where the chart puts it, why it is flagged, and
/// the periods missing before it.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnPoint<'a> {
    /// The x-axis label (a date or period).
    pub label: String,
    /// Its value, centre, limits, type and segment.
    pub point: ChartPoint,
    /// Why it is flagged, for its tooltip.
    pub note: Option<String>,
    /// A gap before it: the periods missing (empty when they are not known), if any.
    pub gap_before: Option<&'a [String]>,
}

/// The chart's points, in order: each gap drawn as a break of one valueless point per period
/// missing (one labelled `gap` when they are not known), in the segment of the point before
/// it, so that a segment starting after a gap starts at its first point.
pub fn chart_points<'a>(points: impl IntoIterator<Item = DrawnPoint<'a>>) -> Vec<SpcPoint> {
    let points = points.into_iter();
    let mut out = Vec::with_capacity(points.size_hint().0);
    for p in points {
        if let Some(missing) = p.gap_before {
            let segment = out.last().map_or(0, |q: &SpcPoint| q.segment);
            let gap = |label: String| SpcPoint {
                label,
                value: f64::NAN,
                mean: f64::NAN,
                lpl: None,
                upl: None,
                point_type: PointType::CommonCause,
                segment,
                note: None,
            };
            match missing {
                [] => out.push(gap("gap".to_string())),
                labels => out.extend(labels.iter().cloned().map(gap)),
            }
        }
        let c = p.point;
        out.push(SpcPoint {
            label: p.label,
            value: c.value,
            mean: c.centre,
            lpl: c.lpl,
            upl: c.upl,
            point_type: c.point_type,
            segment: c.segment,
            note: p.note,
        });
    }
    out
}

/// The rule that flagged a point, in words.
fn rule_words(rule: Rule) -> &'static str {
    match rule {
        Rule::OutsideLimits => "outside the process limits",
        Rule::Trend => "trend",
        Rule::TwoOfThree => "two of three near a limit",
        Rule::Shift => "shift",
    }
}

/// Which way is better, in words for a chart's title.
fn direction(improvement: Improvement) -> &'static str {
    match improvement {
        Improvement::Increase => "higher is better",
        Improvement::Decrease => "lower is better",
        Improvement::Neutral => "no better direction",
    }
}

/// The file name of the path `name`, as the chart names its data.
fn file_name(name: &str) -> String {
    Path::new(name)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string())
}

/// The warnings as sentences after a chart's description.
fn warning_sentences(warnings: &[String]) -> String {
    warnings.iter().map(|w| format!(" Warning: {w}.")).collect()
}

/// The chart of a run (read from the file `name`, of the indicator named `indicator` when that
/// is known: the title names it rather than the file): an XmR chart of values (see
/// [`ChartRun::xmr`]) with each segment's mean and limits and the profile's explanations; any
/// other (run chart, p′, u′, XmR on counts, or segments of several kinds) with per-point centre
/// and limits, so p′ and u′ limits are drawn as steps.
pub fn series_chart(run: &ChartRun, name: &str, indicator: Option<&str>) -> SpcChart {
    let file = file_name(name);
    let stem = Path::new(&file)
        .file_stem()
        .map_or_else(|| file.clone(), |s| s.to_string_lossy().into_owned());
    let subject = Subject {
        title: indicator.map_or(stem, str::to_string),
        described: match indicator {
            Some(i) => format!("{i} ({file})"),
            None => file,
        },
    };
    match run.xmr() {
        Some(x) => xmr_chart(run, x, &subject),
        None => any_chart(run, &subject),
    }
}

/// What a chart is of: the indicator's name when known, else the data file's stem, for the
/// title; with the file name too for the description.
struct Subject {
    title: String,
    described: String,
}

/// The XmR chart of `run`, judged as `x`: each point with its segment's mean and limits and,
/// on a special cause, its explanation (the point's tooltip), else the rule that flagged it; a
/// gap in the series drawn as a break.
fn xmr_chart(run: &ChartRun, x: &Judged, subject: &Subject) -> SpcChart {
    let points = (0..run.len()).filter_map(|i| {
        let explanation = run.explanation(x, i);
        let point = run.xmr_point(x, i)?;
        Some(DrawnPoint {
            label: run.label(i),
            note: (!explanation.is_empty())
                .then_some(explanation)
                .or_else(|| point.rule.map(|r| rule_words(r).to_string())),
            point,
            gap_before: run.gap_before(i).map(|g| g.periods.as_slice()),
        })
    });
    let points = chart_points(points);
    let o = &run.options;
    let description = format!(
        "XmR chart (Making Data Count) of {}; profile {}; shift {} points, trend {} points{}.{}{}",
        subject.described,
        x.profile,
        o.shift_length,
        o.trend_length,
        if o.profile.screen_outliers {
            ""
        } else {
            ", moving ranges not screened"
        },
        xmr_notes(run),
        warning_sentences(&x.result.warnings),
    );
    SpcChart {
        title: format!(
            "{}: XmR chart ({})",
            subject.title,
            direction(o.improvement)
        ),
        description,
        unit: String::new(),
        points,
        target: o.target,
        variation_icon: x.variation_icon().map(ChartVariationIcon::Spc),
        assurance_icon: x.assurance_icon(),
        assurance_note: None,
        small: false,
        centre_name: String::new(),
    }
}

/// The rebase log's rows, the gaps and the suggested rebases of an XmR run, as sentences.
fn xmr_notes(run: &ChartRun) -> String {
    let mut notes: Vec<String> = run
        .rebase_log
        .iter()
        .map(|e| format!(" Rebase log: {}.", e.describe()))
        .collect();
    if !run.gaps.is_empty() {
        notes.push(format!(
            " Gaps: {}{}.",
            run.gaps
                .iter()
                .map(|g| format!("before {} ({})", run.label(g.before), g.reason))
                .collect::<Vec<_>>()
                .join("; "),
            if run.join_gaps {
                ", joined (--join-gaps)"
            } else {
                ", not joined"
            }
        ));
    }
    notes.extend(
        run.suggestion_texts()
            .iter()
            .map(|s| format!(" Suggested: {s}.")),
    );
    notes.concat()
}

/// The chart of a run other than an XmR chart of values, read from the file `name`.
fn any_chart(run: &ChartRun, subject: &Subject) -> SpcChart {
    let res = &run.result;
    let dates = run.data.dates();
    let points = chart_points(res.points().zip(&dates).map(|(point, d)| DrawnPoint {
        label: d.format("%Y-%m-%d").to_string(),
        note: point.rule.map(|r| rule_words(r).to_string()),
        point,
        gap_before: None,
    }));
    let kinds: BTreeSet<&str> = res.segments.iter().map(|s| s.chart.describe()).collect();
    let kinds = kinds.into_iter().collect::<Vec<_>>().join(" and ");
    let all_run = res.segments.iter().all(|s| s.chart == ChartKind::Run);
    let reasons: Vec<String> = res
        .segments
        .iter()
        .enumerate()
        .map(|(k, s)| format!("segment {}: {}", k + 1, s.reason.describe(s.chart)))
        .collect();
    let description = format!(
        "{kinds} of {} ({}).{}{}",
        subject.described,
        reasons.join("; "),
        res.variation_icon
            .text()
            .map(|t| format!(" Variation: {t}."))
            .unwrap_or_default(),
        warning_sentences(&res.warnings),
    );
    SpcChart {
        title: format!(
            "{}: {kinds} ({})",
            subject.title,
            direction(run.options.improvement)
        ),
        description,
        unit: String::new(),
        points,
        target: run.options.target,
        variation_icon: Some(res.variation_icon),
        assurance_icon: res.assurance_icon,
        assurance_note: None,
        small: false,
        centre_name: if all_run { "median" } else { "centre" }.to_string(),
    }
}
