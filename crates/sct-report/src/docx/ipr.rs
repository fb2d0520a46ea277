//! The integrated performance report as a Word document, on landscape A4 as the HTML prints:
//! the icons' counts first, each timeframe's table, the rows by icon, every indicator's chart
//! drawn as in the HTML, then method and provenance.

use sct_docx::{Block, Document, Orientation, Paragraph, Table};
use sct_kpi::ipr::{Ipr, IprRow};
use sct_kpi::review::PlanPosition;

use super::{DocxError, bytes, chart};
use crate::charts::ChartFormat;
use crate::ipr::Charts;
use crate::kpi_review::indicator_chart;
use crate::render::format_number;
use crate::spc_chart::spc_chart;

/// The IPR as `.docx` bytes; `charts` makes each row's full chart when it is drawn.
pub fn docx(ipr: &Ipr, charts: Charts<'_>) -> Result<Vec<u8>, DocxError> {
    let several = ipr.organisations.len() > 1;
    let who = match ipr.organisations.as_slice() {
        [one] => one.clone(),
        all => format!("{} organisations", all.len()),
    };
    let title = format!("Integrated performance report: {who}");
    let mut doc = Document::new(format!("{title}, as of {}", ipr.as_of));
    doc.orientation = Orientation::Landscape;
    doc.footer = format!("{title}, as of {}", ipr.as_of);
    doc.heading(1, title);
    let compare = ipr
        .compare_profile
        .as_ref()
        .map(|c| format!(" (compared with {c})"))
        .unwrap_or_default();
    doc.paragraph(format!(
        "{} {} · as of {} · XmR rule profile {}{compare}",
        ipr.set.title, ipr.set.version, ipr.as_of, ipr.profile
    ));
    icons(&mut doc, ipr);
    for s in &ipr.sections {
        doc.heading(2, s.title.clone());
        doc.push(Block::Table(section_table(&s.title, &s.rows, several)));
    }
    by_icon(&mut doc, ipr, several);
    doc.heading(2, "Charts");
    for r in ipr.sections.iter().flat_map(|s| &s.rows) {
        chart_section(&mut doc, r, charts, several)?;
    }
    doc.heading(2, "Method");
    for m in &ipr.method {
        doc.paragraph(m.clone());
    }
    doc.heading(3, "About the KPI set");
    doc.paragraph(ipr.set.source.clone());
    if !ipr.set.drafting_note.is_empty() {
        doc.paragraph(ipr.set.drafting_note.clone());
    }
    provenance(&mut doc, ipr);
    bytes(&doc)
}

/// Labels in the order they first appear, each with its rows.
fn groups(ipr: &Ipr, label: fn(&IprRow) -> &str) -> Vec<(&str, Vec<&IprRow>)> {
    let mut out: Vec<(&str, Vec<&IprRow>)> = Vec::new();
    for r in ipr.sections.iter().flat_map(|s| &s.rows) {
        let l = label(r);
        match out.iter_mut().find(|(k, _)| *k == l) {
            Some((_, rows)) => rows.push(r),
            None => out.push((l, vec![r])),
        }
    }
    out
}

fn variation(r: &IprRow) -> &str {
    &r.variation_label
}

fn assurance(r: &IprRow) -> &str {
    &r.assurance_label
}

fn icons(doc: &mut Document, ipr: &Ipr) {
    doc.heading(2, "Rows by icon");
    let mut t = Table::new("Rows by variation and assurance icon", ["Icon", "Rows"]).widths([4, 1]);
    for (kind, label) in [
        ("Variation", variation as fn(&IprRow) -> &str),
        ("Assurance", assurance),
    ] {
        for (l, rows) in groups(ipr, label) {
            t = t.row([format!("{kind}: {l}"), rows.len().to_string()]);
        }
    }
    doc.push(Block::Table(t));
}

fn section_table(title: &str, rows: &[IprRow], several: bool) -> Table {
    let mut header = vec!["Indicator"];
    if several {
        header.push("Organisation");
    }
    header.extend([
        "Latest",
        "Plan or target",
        "Variance",
        "Last three",
        "Variation",
        "Assurance",
        "Chart and profile",
    ]);
    let mut widths = vec![4];
    if several {
        widths.push(3);
    }
    widths.extend([2, 3, 2, 3, 3, 4, 3]);
    let mut t = Table::new(
        format!("{title}: latest period and value, plan, variance, last three values, variation and assurance"),
        header,
    )
    .widths(widths);
    for r in rows {
        let mut row: Vec<Paragraph> = vec![Paragraph::new().bold(r.title.clone()).plain(format!(
            "\n{}; {} is better",
            r.unit,
            r.improvement.as_str()
        ))];
        if several {
            row.push(r.organisation.clone().into());
        }
        row.extend(latest_cells(r));
        let three: Vec<String> = r
            .last_three
            .iter()
            .map(|p| {
                format!(
                    "{}: {}",
                    p.period,
                    format_number(p.value, r.decimals as usize)
                )
            })
            .collect();
        row.push(if three.is_empty() {
            "—".into()
        } else {
            three.join("\n").into()
        });
        row.push(r.variation_label.clone().into());
        let mut a = Paragraph::text(r.assurance_label.clone());
        if let Some(n) = &r.assurance_note {
            a = a.bold(format!("\n{}", n.text));
        }
        row.push(a);
        let mut c = format!("{}\n{}", r.chart_name.unwrap_or("no chart"), r.profile);
        if !r.flags.is_empty() {
            c.push_str(&format!("\n⚑ {}", r.flags.join("; ")));
        }
        row.push(c.into());
        t.rows.push(row);
    }
    t
}

/// The latest value, the plan with its status and the variance ("No data" when none).
fn latest_cells(r: &IprRow) -> [Paragraph; 3] {
    let n = |v: f64| format_number(v, r.decimals as usize);
    let Some(v) = r.latest_value else {
        return ["No data".into(), "".into(), "".into()];
    };
    let latest = format!(
        "{} {}\n{}",
        n(v),
        r.unit,
        r.latest_period.clone().unwrap_or_default()
    );
    let mut plan = match r.plan {
        Some(p) => format!("{} ({})", n(p), r.plan_kind.unwrap_or_default()),
        None => "none".into(),
    };
    if let Some(p) = r.plan_position {
        let mark = match r.meets_plan {
            Some(true) => "✓ ",
            Some(false) => "✕ ",
            None => "",
        };
        let words = match p {
            PlanPosition::AbovePlan => "Above plan",
            PlanPosition::OnPlan => "On plan",
            PlanPosition::BelowPlan => "Below plan",
        };
        plan.push_str(&format!("\n{mark}{words}"));
    }
    let pp = if r.unit == "%" { " pp" } else { "" };
    let variance = r.variance.map_or("—".into(), |v| format!("{}{pp}", n(v)));
    [latest.into(), plan.into(), variance.into()]
}

fn by_icon(doc: &mut Document, ipr: &Ipr, several: bool) {
    let item = |r: &IprRow, first: &str, second: &str| {
        let org = if several {
            format!(" ({})", r.organisation)
        } else {
            String::new()
        };
        let note = r
            .assurance_note
            .as_ref()
            .map(|n| format!(". {}", n.text))
            .unwrap_or_default();
        Paragraph::new()
            .bold(r.title.clone())
            .plain(format!("{org}: {first}; {second}{note}"))
    };
    doc.heading(2, "By variation icon");
    for (label, rows) in groups(ipr, variation) {
        let n = rows.len();
        doc.heading(
            3,
            format!("{label}: {n} row{}", if n == 1 { "" } else { "s" }),
        );
        let items = rows
            .iter()
            .map(|r| item(r, &r.variation_label, &r.assurance_label));
        doc.list(false, items.collect());
    }
    doc.heading(2, "By assurance icon");
    for (label, rows) in groups(ipr, assurance) {
        let n = rows.len();
        doc.heading(
            3,
            format!("{label}: {n} row{}", if n == 1 { "" } else { "s" }),
        );
        let items = rows
            .iter()
            .map(|r| item(r, &r.assurance_label, &r.variation_label));
        doc.list(false, items.collect());
    }
}

/// One row's chart, its headline and what is said beside it.
fn chart_section(
    doc: &mut Document,
    r: &IprRow,
    charts: Charts<'_>,
    several: bool,
) -> Result<(), DocxError> {
    let org = if several {
        format!(" ({})", r.organisation)
    } else {
        String::new()
    };
    doc.heading(3, format!("{}{org}", r.title));
    // The headline stays with its chart.
    doc.push(Block::Paragraph(
        Paragraph::text(r.headline.clone()).keep_with_next(),
    ));
    let Some(x) = charts(r) else {
        doc.note("No chart: fewer than 2 points.");
        return Ok(());
    };
    match (indicator_chart(&x, false), &x.spc) {
        (Some(drawn), Some(sp)) => {
            let png = spc_chart(&drawn, ChartFormat::Png)?;
            let mut name = sp.chart_name.to_string();
            if let Some(first) = name.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            let caption = format!(
                "{name} ({}); XmR rule profile {}.",
                sp.chart_reason, sp.profile
            );
            // Half the landscape text width keeps a chart and its caption on one page.
            chart(doc, png, &drawn.title, &drawn.description, &caption, 0.6);
            for w in &sp.warnings {
                doc.note(w.clone());
            }
            for t in &sp.suggested_rebases {
                doc.push(Block::Paragraph(
                    Paragraph::new().bold(format!("Suggested rebase: {t}.")),
                ));
            }
        }
        _ => doc.note("No chart: fewer than 2 points."),
    }
    let flags = x.flags.iter().map(|f| {
        Paragraph::new()
            .bold(format!("⚑ {}", f.kind.label()))
            .plain(format!(": {}", f.message))
    });
    doc.list(false, flags.collect());
    Ok(())
}

fn provenance(doc: &mut Document, ipr: &Ipr) {
    let Some(p) = &ipr.provenance else {
        return;
    };
    doc.heading(2, "Provenance");
    doc.note(format!("sct version: {}", p.sct_version));
    let k = &p.kpi_set;
    doc.note(format!(
        "KPI set: {} {} ({}), sha256 {}",
        k.id, k.version, k.file, k.sha256
    ));
    doc.note(match &p.data {
        Some(d) => format!("data: {}, sha256 {}", d.file, d.sha256),
        None => "data: no data file: every series came from the plugin measures".into(),
    });
    super::plugins_provenance(doc, &p.plugins);
    super::dated(doc, &ipr.as_of.to_string(), "--as-of or the latest data");
}
