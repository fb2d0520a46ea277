//! Drawing `sct kpi spc` as a chart: the run becomes the plain [`SpcChart`] of `sct-report`.

use std::collections::BTreeSet;
use std::path::Path;

use sct_kpi::chart::{ChartKind, ChartVariationIcon};
use sct_kpi::chart_input::ChartRun;
use sct_kpi::spc::{Improvement, PointType, Rule};
use sct_kpi::spc_input::SpcRun;
use sct_report::charts::ChartFormat;
use sct_report::spc_chart::{SpcChart, SpcPoint, spc_chart};

/// The chart of `run` (read from the file `name`) as SVG, or PNG when `png`.
pub fn draw(run: &SpcRun, name: &str, png: bool) -> Result<Vec<u8>, String> {
    let format = if png {
        ChartFormat::Png
    } else {
        ChartFormat::Svg
    };
    spc_chart(&chart(run, name), format).map_err(|e| e.to_string())
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

/// The chart's data: each point with its segment's mean and limits and, on a special cause,
/// its explanation (the point's tooltip); a gap in the series is drawn as a break.
fn chart(run: &SpcRun, name: &str) -> SpcChart {
    let res = &run.result;
    let mut points = Vec::with_capacity(run.points.len());
    for (i, p) in run.points.iter().enumerate() {
        let (Some(&segment), Some(&point_type)) = (res.segment_of.get(i), res.point_type.get(i))
        else {
            continue;
        };
        let Some(seg) = res.segments.get(segment) else {
            continue;
        };
        if let Some(g) = run.gap_before(i) {
            let labels = if g.periods.is_empty() {
                vec!["gap".to_string()]
            } else {
                g.periods.clone()
            };
            for label in labels {
                points.push(SpcPoint {
                    label,
                    value: f64::NAN,
                    mean: f64::NAN,
                    lpl: None,
                    upl: None,
                    point_type: PointType::CommonCause,
                    segment,
                    note: None,
                });
            }
        }
        let explanation = run.explanation(i);
        points.push(SpcPoint {
            label: p.date.format("%Y-%m-%d").to_string(),
            value: p.value,
            mean: seg.mean,
            lpl: seg.lpl,
            upl: seg.upl,
            point_type,
            segment,
            note: (!explanation.is_empty())
                .then_some(explanation)
                .or_else(|| {
                    res.rule
                        .get(i)
                        .copied()
                        .flatten()
                        .map(|r| rule_words(r).to_string())
                }),
        });
    }
    let file = Path::new(name)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string());
    let direction = match run.options.improvement {
        Improvement::Increase => "higher is better",
        Improvement::Decrease => "lower is better",
        Improvement::Neutral => "no better direction",
    };
    let o = &run.options;
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
    let description = format!(
        "XmR chart (Making Data Count) of {file}; profile {}; shift {} points, trend {} points{}.{}{}",
        run.profile_name,
        o.shift_length,
        o.trend_length,
        if run.profile.screen_outliers {
            ""
        } else {
            ", moving ranges not screened"
        },
        notes.concat(),
        res.warnings
            .iter()
            .map(|w| format!(" Warning: {w}."))
            .collect::<String>(),
    );
    SpcChart {
        title: format!("{file}: XmR chart ({direction})"),
        description,
        unit: String::new(),
        points,
        target: o.target,
        variation_icon: run.variation_icon().map(ChartVariationIcon::Spc),
        assurance_icon: run.assurance_icon(),
        small: false,
        centre_name: String::new(),
    }
}

/// The chart of a run of any kind (run chart, p′, u′, or XmR on counts) as SVG, or PNG when
/// `png`: per-point centre and limits, so p′ and u′ limits are drawn as steps.
pub fn draw_any(run: &ChartRun, name: &str, png: bool) -> Result<Vec<u8>, String> {
    let format = if png {
        ChartFormat::Png
    } else {
        ChartFormat::Svg
    };
    spc_chart(&any_chart(run, name), format).map_err(|e| e.to_string())
}

fn any_chart(run: &ChartRun, name: &str) -> SpcChart {
    let res = &run.result;
    let dates = run.data.dates();
    let points = res
        .points()
        .zip(&dates)
        .map(|(p, d)| SpcPoint {
            label: d.format("%Y-%m-%d").to_string(),
            value: p.value,
            mean: p.centre,
            lpl: p.lpl,
            upl: p.upl,
            point_type: p.point_type,
            segment: p.segment,
            note: p.rule.map(|r| rule_words(r).to_string()),
        })
        .collect();
    let file = Path::new(name)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string());
    let direction = match run.options.improvement {
        Improvement::Increase => "higher is better",
        Improvement::Decrease => "lower is better",
        Improvement::Neutral => "no better direction",
    };
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
        "{kinds} of {file} ({}).{}{}",
        reasons.join("; "),
        res.variation_icon
            .text()
            .map(|t| format!(" Variation: {t}."))
            .unwrap_or_default(),
        res.warnings
            .iter()
            .map(|w| format!(" Warning: {w}."))
            .collect::<String>(),
    );
    SpcChart {
        title: format!("{file}: {kinds} ({direction})"),
        description,
        unit: String::new(),
        points,
        target: run.options.target,
        variation_icon: Some(res.variation_icon),
        assurance_icon: res.assurance_icon,
        small: false,
        centre_name: if all_run { "median" } else { "centre" }.to_string(),
    }
}
