//! The assessment report in each format: HTML (with inline SVG charts), Markdown, JSON and
//! CSV, plus the chart specifications drawn from a report.

use std::collections::BTreeMap;

use sct_core::csv_out::CsvWriter;
use serde_json::Value;

use crate::charts::{self, Bar, BarChart, RadarChart};
use crate::render::{ReportError, Templates};
use crate::report::AssessmentReport;

/// The radar chart of domain scores with the target overlay.
pub fn radar_chart(r: &AssessmentReport) -> RadarChart {
    let words: Vec<String> = r
        .score
        .domains
        .iter()
        .map(|d| {
            let s = d
                .summary
                .score
                .map(|s| format!("{s:.2}"))
                .unwrap_or_else(|| "not scored".into());
            let t = d
                .summary
                .target_score
                .map(|s| format!("{s:.2}"))
                .unwrap_or_else(|| "none".into());
            format!("{} {}: score {s}, target {t}", d.section, d.title)
        })
        .collect();
    RadarChart {
        title: "Capability by domain: score and target".to_string(),
        description: format!(
            "Radar chart of {} domains on a scale of 1 to {}. {}.",
            r.score.domains.len(),
            r.report.level_names.len(),
            words.join("; ")
        ),
        axes: r
            .score
            .domains
            .iter()
            .map(|d| format!("{} {}", d.section, d.title))
            .collect(),
        level_names: r.report.level_names.clone(),
        score: r.score.domains.iter().map(|d| d.summary.score).collect(),
        target: r
            .score
            .domains
            .iter()
            .map(|d| d.summary.target_score)
            .collect(),
    }
}

/// The bar chart of one domain's capability levels against targets, by domain id.
pub fn domain_bar_chart(r: &AssessmentReport, domain_id: &str) -> Option<BarChart> {
    let d = r.score.domains.iter().find(|d| d.id == domain_id)?;
    let level_of = |id: &Option<String>| {
        id.as_ref()
            .and_then(|l| r.score.method.levels.iter().find(|x| &x.id == l))
            .map(|x| x.score)
    };
    let words: Vec<String> = d
        .capabilities
        .iter()
        .map(|c| match c.state {
            "answered" => format!(
                "{}: {}{}",
                c.title,
                c.level_name.clone().unwrap_or_default(),
                c.target_level
                    .as_ref()
                    .map(|t| format!(", target {t}"))
                    .unwrap_or_default()
            ),
            "n/a" => format!("{}: n/a", c.title),
            _ => format!("{}: not answered", c.title),
        })
        .collect();
    Some(BarChart {
        title: format!("{} {}: capability levels and targets", d.section, d.title),
        description: format!("Bar chart. {}.", words.join("; ")),
        level_names: r.report.level_names.clone(),
        bars: d
            .capabilities
            .iter()
            .map(|c| Bar {
                label: c.title.clone(),
                level: c.score,
                target: level_of(&c.target_level),
                note: match c.state {
                    "n/a" => Some("n/a".to_string()),
                    "unanswered" => Some("not answered".to_string()),
                    _ => None,
                },
            })
            .collect(),
    })
}

/// The report as one self-contained HTML file.
pub fn html(templates: &Templates, r: &AssessmentReport) -> Result<String, ReportError> {
    let radar = charts::radar_svg(&radar_chart(r))?;
    let mut domains = BTreeMap::new();
    for d in &r.score.domains {
        if let Some(chart) = domain_bar_chart(r, &d.id) {
            domains.insert(d.id.clone(), Value::String(charts::bars_svg(&chart)?));
        }
    }
    let charts = serde_json::json!({ "radar": radar, "domains": domains });
    templates.render("report.html", r, &[("charts", charts)])
}

/// The report as GitHub-flavoured Markdown.
pub fn markdown(templates: &Templates, r: &AssessmentReport) -> Result<String, ReportError> {
    templates.render("report.md", r, &[])
}

/// The report as JSON: the score's fields plus `report`.
pub fn json(r: &AssessmentReport) -> String {
    let mut s = serde_json::to_string_pretty(r).unwrap_or_default();
    s.push('\n');
    s
}

/// The report as CSV: one row per capability.
pub fn csv(r: &AssessmentReport) -> String {
    let mut w = CsvWriter::new();
    let header = [
        "ods_code",
        "round",
        "domain_section",
        "domain_id",
        "domain_title",
        "capability_id",
        "capability_title",
        "state",
        "level",
        "score",
        "descriptor",
        "confidence",
        "evidence",
        "target_level",
        "target_date",
        "gap",
        "rationale",
        "reason",
        "flags",
    ];
    w.row(header);
    let round = r.score.round.clone().unwrap_or_default();
    for (d, dd) in r.score.domains.iter().zip(&r.report.domains) {
        for (c, cd) in d.capabilities.iter().zip(&dd.capabilities) {
            let row = [
                r.score.subject.ods_code.clone(),
                round.clone(),
                d.section.clone(),
                d.id.clone(),
                d.title.clone(),
                c.id.clone(),
                c.title.clone(),
                c.state.to_string(),
                c.level.clone().unwrap_or_default(),
                sct_core::csv_out::opt_number(c.score),
                cd.descriptor.clone().unwrap_or_default(),
                cd.confidence.clone().unwrap_or_default(),
                cd.evidence.join("; "),
                c.target_level.clone().unwrap_or_default(),
                c.target_date.map(|d| d.to_string()).unwrap_or_default(),
                c.gap.map(|g| g.to_string()).unwrap_or_default(),
                cd.rationale.clone(),
                cd.reason.clone().unwrap_or_default(),
                cd.flags.join("; "),
            ];
            w.row(row);
        }
    }
    w.finish()
}
