//! The cohort comparison report (`sct compare`): HTML (self-contained, charts inline),
//! Markdown, JSON and CSV of a [`Comparison`]. Nothing here computes a comparison.

use serde_json::{Value, json};

use std::fmt::Write;

use serde::Serialize;
use tera::escape_html;

use sct_compare::cohort::{CapabilityView, DomainView, Frame, HeatCell, Position};
use sct_compare::groups::GroupView;
use sct_compare::individuals::PeopleSummary;
use sct_compare::kpi::IndicatorFunnel;
use sct_compare::load::SkippedFile;
use sct_compare::longitudinal::Longitudinal;
use sct_compare::{Comparison, Provenance, RoundInfo};
use sct_core::csv_out::CsvWriter;
use sct_spc::chart::{ChartPoint, ChartVariationIcon};

use crate::funnel_chart::{funnel_svg, proportion_chart};
use crate::kpi_spc::{DrawnPoint, chart_points};
use crate::render::{ReportError, Templates};
use crate::spc_chart::{SpcChart, spc_svg};

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
                points: chart_points((0..s.values.len()).map(|i| DrawnPoint {
                    label: s.periods[i].clone(),
                    point: ChartPoint {
                        value: s.values[i],
                        centre: s.mean[i],
                        lpl: s.lpl[i],
                        upl: s.upl[i],
                        point_type: s.point_types[i],
                        rule: None,
                        segment: 0,
                    },
                    note: None,
                    gap_before: None,
                })),
                target: None,
                variation_icon: Some(ChartVariationIcon::Spc(s.variation_icon)),
                assurance_icon: None,
                assurance_note: None,
                small: true,
                centre_name: String::new(),
            };
            smalls.push(json!({ "code": s.code, "svg": spc_svg(&chart)?, "variation": s.variation_icon.as_str().replace('_', " ") }));
        }
        spc.insert(k.id.clone(), Value::Array(smalls));
    }
    Ok(json!({ "funnels": funnels, "spc": spc }))
}

/// Above this many organisations the organisations × capabilities heatmap is summarised:
/// 10,000 rows by 40-odd capabilities is half a million cells, a page nobody can read (and
/// tens of megabytes to write). The distribution table keeps every capability, and the CSV
/// and JSON outputs keep every cell.
pub const CAPABILITY_HEATMAP_LIMIT: usize = 500;

/// What the report says in place of the capability heatmap of a large cohort, or `None`
/// when the heatmap is shown in full.
pub fn capability_heatmap_summary(c: &Comparison) -> Option<String> {
    let organisations = c.cohort.organisations.len();
    (organisations > CAPABILITY_HEATMAP_LIMIT).then(|| {
        format!(
            "The organisations × capabilities heatmap is summarised: with {organisations} organisations it would be {} cells, too many to read, so it is shown only for cohorts of up to {CAPABILITY_HEATMAP_LIMIT} organisations. The distribution of every capability across the cohort is in the next section, each organisation's domain levels are above, and every organisation's level for every capability is in the CSV and JSON outputs (sct compare -o cohort.csv).",
            organisations * c.cohort.capabilities.len()
        )
    })
}

/// The page's context: the comparison as the template sees it. The organisations' cells
/// are not handed to the template engine (they are most of a large cohort's size, and a
/// template loop over half a million cells is slow): the heatmap rows are built here, in
/// Rust, escaped, and the template places them.
#[derive(Serialize)]
struct Page<'a> {
    schema: &'a str,
    notices: &'a [String],
    frame: &'a Frame,
    rounds: &'a [RoundInfo],
    cohort: CohortPage<'a>,
    round_choice: &'a str,
    groups: &'a Option<GroupView>,
    longitudinal: &'a Option<Longitudinal>,
    people: &'a [PeopleSummary],
    people_rule: &'a str,
    kpis: &'a [IndicatorFunnel],
    skipped: &'a [SkippedFile],
    method: &'a [String],
    provenance: &'a Provenance,
}

#[derive(Serialize)]
struct CohortPage<'a> {
    round: &'a str,
    organisations: Vec<OrgPage<'a>>,
    domains: &'a [DomainView],
    capabilities: &'a [CapabilityView],
    median_coverage: Option<f64>,
}

#[derive(Serialize)]
struct OrgPage<'a> {
    code: &'a str,
    name: &'a str,
    unsafe_note: &'a Option<String>,
}

/// The quarter mark after a level (nothing for the middle half).
fn position_mark(out: &mut String, p: Option<Position>) {
    match p {
        Some(Position::TopQuarter) => out.push_str(
            "<span class=\"pos\" title=\"top quarter\">▲<span class=\"vh\"> top quarter</span></span>",
        ),
        Some(Position::BottomQuarter) => out.push_str(
            "<span class=\"pos\" title=\"bottom quarter\">▼<span class=\"vh\"> bottom quarter</span></span>",
        ),
        _ => {}
    }
}

/// The opening of a heatmap cell, coloured by level (and labelled in words inside).
fn cell_open(out: &mut String, cell: &HeatCell) {
    match cell.rank {
        Some(rank) => {
            let _ = write!(out, "<td class=\"lvl-{rank}\">");
        }
        None => out.push_str("<td class=\"none\">"),
    }
}

/// Whether the groups group: at least one holds more than one organisation. Where every
/// organisation is a group of its own (every ICB its own cluster), a table by group would
/// repeat the organisations' table, and the report says so instead of printing it.
fn grouping(c: &Comparison) -> bool {
    c.groups
        .as_ref()
        .is_some_and(|g| g.groups.iter().any(|x| x.members.len() > 1))
}

/// The rows of the organisations × domains heatmap (escaped HTML).
fn domain_rows(c: &Comparison) -> String {
    let mut out = String::with_capacity(c.cohort.organisations.len() * 600);
    for o in &c.cohort.organisations {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{} ({})",
            escape_html(&o.name),
            escape_html(&o.code)
        );
        if let Some(note) = &o.unsafe_note {
            let note = escape_html(note);
            let _ = write!(
                out,
                " <span title=\"{note}\">⚑<span class=\"vh\"> {note}</span></span>"
            );
        }
        out.push_str("</th>");
        if grouping(c) {
            let _ = write!(
                out,
                "<td>{}</td>",
                escape_html(o.group.as_deref().unwrap_or(""))
            );
        }
        for cell in &o.domains {
            cell_open(&mut out, cell);
            out.push_str(&escape_html(&cell.text));
            if let Some(score) = cell.score {
                let _ = write!(
                    out,
                    " <span class=\"muted\">({})</span>",
                    crate::render::format_number(score, 2)
                );
            }
            position_mark(&mut out, cell.position);
            out.push_str("</td>");
        }
        match o.coverage {
            Some(v) => {
                let _ = write!(out, "<td class=\"num\">{:.0} %</td>", (v * 100.0).round());
            }
            None => out.push_str("<td class=\"num\">—</td>"),
        }
        out.push_str("</tr>\n    ");
    }
    out
}

/// Per domain, the rows of its organisations × capabilities heatmap (escaped HTML); empty
/// when the heatmap is summarised.
fn capability_rows(c: &Comparison, summarised: bool) -> Vec<String> {
    if summarised {
        return vec![String::new(); c.frame.domains.len()];
    }
    let domain_of: Vec<usize> = c.frame.capabilities().map(|(d, _, _)| d).collect();
    let mut rows = vec![String::new(); c.frame.domains.len()];
    for o in &c.cohort.organisations {
        let code = escape_html(&o.code);
        for (d, out) in rows.iter_mut().enumerate() {
            let _ = write!(out, "<tr><th scope=\"row\">{code}</th>");
            for (cell, _) in o
                .capabilities
                .iter()
                .zip(&domain_of)
                .filter(|(_, cd)| **cd == d)
            {
                cell_open(out, cell);
                out.push_str(&escape_html(&cell.text));
                position_mark(out, cell.position);
                out.push_str("</td>");
            }
            out.push_str("</tr>\n    ");
        }
    }
    rows
}

/// The comparison as a self-contained HTML page.
pub fn html(templates: &Templates, c: &Comparison) -> Result<String, ReportError> {
    let g = graphics(c)?;
    let summary = capability_heatmap_summary(c);
    let page = Page {
        schema: c.schema,
        notices: &c.notices,
        frame: &c.frame,
        rounds: &c.rounds,
        cohort: CohortPage {
            round: &c.cohort.round,
            organisations: c
                .cohort
                .organisations
                .iter()
                .map(|o| OrgPage {
                    code: &o.code,
                    name: &o.name,
                    unsafe_note: &o.unsafe_note,
                })
                .collect(),
            domains: &c.cohort.domains,
            capabilities: &c.cohort.capabilities,
            median_coverage: c.cohort.median_coverage,
        },
        round_choice: &c.round_choice,
        groups: &c.groups,
        longitudinal: &c.longitudinal,
        people: &c.people,
        people_rule: &c.people_rule,
        kpis: &c.kpis,
        skipped: &c.skipped,
        method: &c.method,
        provenance: &c.provenance,
    };
    let capability_rows = capability_rows(c, summary.is_some());
    templates.render(
        "compare.html",
        &page,
        &[
            ("graphics", g),
            ("capability_heatmap_summary", json!(summary)),
            ("domain_rows", Value::String(domain_rows(c))),
            ("grouping", json!(grouping(c))),
            (
                "singletons",
                json!(c.groups.as_ref().map_or(0, |g| {
                    g.groups.iter().filter(|x| x.members.len() == 1).count()
                })),
            ),
            ("capability_rows", json!(capability_rows)),
        ],
    )
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
    let mut w = CsvWriter::new();
    w.row([
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
            w.row([
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
    w.finish()
}
