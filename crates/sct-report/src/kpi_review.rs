//! The KPI review as HTML (self-contained: inline SVG charts and icons), Markdown, JSON and
//! CSV. The review itself is computed by `sct_kpi::review`; this module only presents it.

use std::collections::BTreeMap;

use sct_core::csv_out::CsvWriter;
use sct_kpi::review::{IndicatorReview, KpiReview};
use sct_spc::chart::ChartPoint;
use sct_spc::spc::AssuranceIcon;
use serde_json::{Value, json};

use crate::charts::ChartFormat;
use crate::kpi_spc::{DrawnPoint, chart_points};
use crate::render::{ReportError, Templates};
use crate::spc_chart::{self, SpcChart};

/// The SPC chart of one indicator, if it has SPC results: each special cause's explanation as
/// its tooltip, a gap in the series drawn as a break, and a new segment at each rebase.
pub fn indicator_chart(r: &IndicatorReview, small: bool) -> Option<SpcChart> {
    let spc = r.spc.as_ref()?;
    let mut segment = 0;
    let points = spc.points.iter().map(|p| {
        // Rebases start new segments: number them so the chart breaks its lines there.
        if spc.rebases.iter().any(|e| e.date == p.period) {
            segment += 1;
        }
        DrawnPoint {
            label: p.period.clone(),
            point: ChartPoint {
                value: p.value,
                centre: p.centre,
                lpl: p.lpl,
                upl: p.upl,
                point_type: p.point_type,
                rule: None,
                segment,
            },
            note: p.explanation.clone(),
            gap_before: spc
                .gaps
                .iter()
                .find(|g| g.before == p.period)
                .map(|g| g.missing.as_slice()),
        }
    });
    Some(SpcChart {
        title: r.title.clone(),
        description: r.headline.clone(),
        unit: r.unit.clone(),
        points: chart_points(points),
        target: spc.target,
        variation_icon: Some(spc.variation_icon),
        assurance_icon: spc.assurance_icon,
        assurance_note: spc.assurance_note.as_ref().map(|n| n.text.clone()),
        small,
        centre_name: spc.centre_name.to_string(),
    })
}

/// One indicator's chart in a format (for `sct kpi review --charts`, or tests).
pub fn indicator_chart_bytes(
    r: &IndicatorReview,
    format: ChartFormat,
) -> Result<Option<Vec<u8>>, ReportError> {
    match indicator_chart(r, false) {
        Some(c) => Ok(Some(spc_chart::spc_chart(&c, format)?)),
        None => Ok(None),
    }
}

/// The drawn pieces the HTML template places: per indicator, its chart and icons.
fn graphics(review: &KpiReview) -> Result<Value, ReportError> {
    let mut out = BTreeMap::new();
    for tf in &review.timeframes {
        for r in &tf.indicators {
            let chart = match indicator_chart(r, true) {
                Some(c) => Value::String(spc_chart::spc_svg(&c)?),
                None => Value::Null,
            };
            let (variation, assurance) = match &r.spc {
                Some(s) => (
                    Value::String(spc_chart::variation_icon_svg(s.variation_icon)),
                    Value::String(spc_chart::assurance_icon_svg_noted(
                        s.assurance_icon,
                        s.assurance_note.as_ref().map(|n| n.text.as_str()),
                    )),
                ),
                None => (Value::Null, Value::Null),
            };
            out.insert(
                r.id.clone(),
                json!({ "chart": chart, "variation": variation, "assurance": assurance }),
            );
        }
    }
    Ok(Value::Object(out.into_iter().collect()))
}

/// The review as one self-contained HTML file.
pub fn html(templates: &Templates, review: &KpiReview) -> Result<String, ReportError> {
    let g = graphics(review)?;
    templates.render("kpi-review.html", review, &[("graphics", g)])
}

/// The review as GitHub-flavoured Markdown.
pub fn markdown(templates: &Templates, review: &KpiReview) -> Result<String, ReportError> {
    templates.render("kpi-review.md", review, &[])
}

/// The review as JSON (schema `sct-kpi-review/1`).
pub fn json(review: &KpiReview) -> String {
    crate::json::with_schema("sct-kpi-review/1", review)
}

fn num(v: Option<f64>) -> String {
    sct_core::csv_out::opt_number(v)
}

/// The review as CSV: one row per indicator.
pub fn csv(review: &KpiReview) -> String {
    let mut w = CsvWriter::new();
    w.row([
        "organisation",
        "as_of",
        "timeframe",
        "indicator",
        "title",
        "unit",
        "improvement",
        "points",
        "latest_period",
        "latest_value",
        "plan",
        "plan_kind",
        "variance",
        "plan_position",
        "meets_plan",
        "ytd_year",
        "ytd_periods",
        "ytd_value",
        "ytd_plan",
        "ytd_periods_meeting_plan",
        "ytd_periods_with_plan",
        "chart",
        "chart_reason",
        "variation_icon",
        "assurance_icon",
        "assurance_reliable",
        "assurance_note",
        "centre",
        "lpl",
        "upl",
        "flags",
    ]);
    for tf in &review.timeframes {
        for r in &tf.indicators {
            let l = r.latest.as_ref();
            let y = r.year_to_date.as_ref();
            let s = r.spc.as_ref();
            w.row([
                review.organisation.clone(),
                review.as_of.clone(),
                tf.id.as_str().to_string(),
                r.id.clone(),
                r.title.clone(),
                r.unit.clone(),
                r.improvement.as_str().to_string(),
                r.points.to_string(),
                r.latest_period.clone().unwrap_or_default(),
                num(l.map(|l| l.value)),
                num(l.and_then(|l| l.plan)),
                l.and_then(|l| l.plan_kind).unwrap_or_default().to_string(),
                num(l.and_then(|l| l.variance)),
                l.and_then(|l| l.plan_position)
                    .map(|p| {
                        serde_json::to_value(p)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default()
                    })
                    .unwrap_or_default(),
                l.and_then(|l| l.meets_plan)
                    .map(|b| b.to_string())
                    .unwrap_or_default(),
                y.map(|y| y.year.clone()).unwrap_or_default(),
                y.map(|y| y.periods.to_string()).unwrap_or_default(),
                num(y.map(|y| y.against.value)),
                num(y.and_then(|y| y.against.plan)),
                y.map(|y| y.periods_meeting_plan.to_string())
                    .unwrap_or_default(),
                y.map(|y| y.periods_with_plan.to_string())
                    .unwrap_or_default(),
                s.map_or("", |s| s.chart.as_str()).to_string(),
                s.map(|s| s.chart_reason.clone()).unwrap_or_default(),
                s.map_or("", |s| s.variation_icon.as_str()).to_string(),
                s.and_then(|s| s.assurance_icon)
                    .map_or("", AssuranceIcon::as_str)
                    .to_string(),
                s.map(|s| s.assurance_reliable.to_string())
                    .unwrap_or_default(),
                s.and_then(|s| s.assurance_note.as_ref())
                    .map(|n| n.text.clone())
                    .unwrap_or_default(),
                num(s.map(|s| s.centre)),
                num(s.and_then(|s| s.lpl)),
                num(s.and_then(|s| s.upl)),
                r.flags
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ]);
        }
    }
    w.finish()
}
