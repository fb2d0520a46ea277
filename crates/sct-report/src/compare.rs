//! The cohort comparison report (`sct compare`): HTML (self-contained, charts inline),
//! Markdown, JSON and CSV of a [`Comparison`]. Nothing here computes a comparison.

use serde_json::{Value, json};

use sct_compare::Comparison;
use sct_compare::cohort::HeatCell;

use crate::funnel_chart::{funnel_svg, proportion_chart};
use crate::render::{ReportError, Templates};
use crate::spc_chart::{SpcChart, SpcPoint, spc_svg};

/// The charts of a comparison, drawn: per KPI indicator its funnel plot and one small SPC
/// chart per organisation.
fn graphics(c: &Comparison) -> Result<Value, ReportError> {
    let mut funnels = serde_json::Map::new();
    let mut spc = serde_json::Map::new();
    for k in &c.kpis {
        let unit = if k.unit.is_empty() {
            "%".to_string()
        } else {
            k.unit.clone()
        };
        let chart = proportion_chart(
            &k.funnel,
            &format!("{}: {} (funnel plot)", k.title, k.period),
            &unit,
        );
        funnels.insert(k.id.clone(), Value::String(funnel_svg(&chart)?));
        let mut smalls = Vec::new();
        for s in &k.series {
            let chart = SpcChart {
                title: format!("{}: {}", s.code, k.title),
                description: String::new(),
                unit: unit.clone(),
                points: (0..s.values.len())
                    .map(|i| SpcPoint {
                        label: s.periods[i].clone(),
                        value: s.values[i],
                        mean: s.mean[i],
                        lpl: s.lpl[i],
                        upl: s.upl[i],
                        point_type: s.point_types[i].to_string(),
                        segment: 0,
                        note: None,
                    })
                    .collect(),
                target: None,
                variation_icon: s.variation_icon.to_string(),
                assurance_icon: None,
                small: true,
                centre_name: String::new(),
            };
            smalls.push(json!({ "code": s.code, "svg": spc_svg(&chart)?, "variation": s.variation_icon.replace('_', " ") }));
        }
        spc.insert(k.id.clone(), Value::Array(smalls));
    }
    Ok(json!({ "funnels": funnels, "spc": spc }))
}

/// The comparison as a self-contained HTML page.
pub fn html(templates: &Templates, c: &Comparison) -> Result<String, ReportError> {
    let g = graphics(c)?;
    templates.render("compare.html", c, &[("graphics", g)])
}

/// The comparison as GitHub-flavoured Markdown.
pub fn markdown(templates: &Templates, c: &Comparison) -> Result<String, ReportError> {
    templates.render("compare.md", c, &[])
}

/// The comparison as JSON (schema `sct-compare/1`).
pub fn json(c: &Comparison) -> String {
    let mut s = serde_json::to_string_pretty(c).unwrap_or_default();
    s.push('\n');
    s
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_default()
}

fn state(cell: &HeatCell) -> &'static str {
    match (cell.rank, cell.text.as_str()) {
        (Some(_), _) => "answered",
        (None, "n/a") => "n/a",
        _ => "unanswered",
    }
}

/// The comparison as CSV: one row per organisation and domain, then per organisation and
/// capability, of the round compared (the longitudinal change where there is one).
pub fn csv(c: &Comparison) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "round",
        "code",
        "name",
        "group",
        "kind",
        "id",
        "title",
        "state",
        "level",
        "level_name",
        "score",
        "position",
        "change_since",
        "change",
    ]);
    let since = c
        .longitudinal
        .as_ref()
        .map(|l| l.against.clone())
        .unwrap_or_default();
    let paired = |code: &str| {
        c.longitudinal
            .as_ref()
            .and_then(|l| l.paired.iter().find(|p| p.code == code))
    };
    for o in &c.cohort.organisations {
        let p = paired(&o.code);
        let caps: Vec<(&str, &str)> = c.frame.capabilities().map(|(_, id, t)| (id, t)).collect();
        let rows = c
            .frame
            .domains
            .iter()
            .map(|d| ("domain", d.id.as_str(), d.title.as_str()))
            .zip(o.domains.iter())
            .enumerate()
            .map(|(i, (k, cell))| {
                (
                    k,
                    cell,
                    p.and_then(|p| p.domain_changes.get(i).copied().flatten()),
                )
            })
            .chain(caps.iter().zip(o.capabilities.iter()).enumerate().map(
                |(i, (&(id, t), cell))| {
                    (
                        ("capability", id, t),
                        cell,
                        p.and_then(|p| p.capability_changes.get(i).copied().flatten()),
                    )
                },
            ));
        for ((kind, id, title), cell, change) in rows {
            let _ = w.write_record([
                c.cohort.round.as_str(),
                &o.code,
                &o.name,
                o.group.as_deref().unwrap_or(""),
                kind,
                id,
                title,
                state(cell),
                &cell.rank.map(|r| r.to_string()).unwrap_or_default(),
                if cell.rank.is_some() { &cell.text } else { "" },
                &opt(cell.score),
                cell.position.map(|p| p.words()).unwrap_or(""),
                if p.is_some() { &since } else { "" },
                &opt(change),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
