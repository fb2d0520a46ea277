//! The development plan in each format: HTML (self-contained, with the timeline inline as
//! SVG), Markdown, JSON, CSV (one row per priority) and an Excel workbook. The plan itself is
//! computed by `sct_core::plan`; this module only presents it.
//!
//! The workbook is deterministic: its document properties carry the plan's date (the
//! response's as-of or assessed date, never the clock), so the same inputs give the same bytes.

use rust_xlsxwriter::{ExcelDateTime, Workbook, Worksheet, XlsxError};
use serde_json::Value;

use sct_core::csv_out::CsvWriter;
use sct_core::plan::{
    DevelopmentPlan, IndividualDevelopment, Priority, Progress, VALIDATE_BEFORE_INVESTING,
};

use crate::plan_timeline::{timeline_chart, timeline_svg};
use crate::render::{ReportError, Templates};
use crate::workbook::{Formats, fit_row, heading, properties, spreadsheet_error};

/// The plan as one self-contained HTML file, with the timeline drawn inline.
pub fn html(templates: &Templates, plan: &DevelopmentPlan) -> Result<String, ReportError> {
    let svg = timeline_svg(&timeline_chart(plan))?;
    templates.render(
        "plan.html",
        plan,
        &[
            ("timeline_svg", Value::String(svg)),
            (
                "validate_words",
                Value::String(VALIDATE_BEFORE_INVESTING.into()),
            ),
        ],
    )
}

/// The plan as GitHub-flavoured Markdown.
pub fn markdown(templates: &Templates, plan: &DevelopmentPlan) -> Result<String, ReportError> {
    templates.render(
        "plan.md",
        plan,
        &[(
            "validate_words",
            Value::String(VALIDATE_BEFORE_INVESTING.into()),
        )],
    )
}

/// The plan as JSON (schema `sct-plan/1`).
pub fn json(plan: &DevelopmentPlan) -> String {
    let mut s = serde_json::to_string_pretty(plan).unwrap_or_default();
    s.push('\n');
    s
}

/// The columns of the CSV and of the workbook's Priorities sheet.
const PRIORITY_COLUMNS: [&str; 25] = [
    "ods_code",
    "round",
    "as_of",
    "rank",
    "tied",
    "capability_id",
    "capability_title",
    "domain",
    "level",
    "target_level",
    "target_set",
    "target_date",
    "gap",
    "weight",
    "weighted_gap",
    "milestone_due",
    "milestones",
    "strands",
    "next_level",
    "next_level_descriptor",
    "confidence",
    "evidence_count",
    "validate",
    "validate_reasons",
    "rule",
];

fn priority_row(plan: &DevelopmentPlan, p: &Priority) -> Vec<String> {
    vec![
        plan.ods_code.clone(),
        plan.round.clone().unwrap_or_default(),
        plan.as_of.map(|d| d.to_string()).unwrap_or_default(),
        p.rank.to_string(),
        p.tied.to_string(),
        p.id.clone(),
        p.title.clone(),
        p.domain.clone(),
        p.level_name.clone(),
        p.target_level_name.clone(),
        p.target_set.to_string(),
        p.target_date.map(|d| d.to_string()).unwrap_or_default(),
        p.gap.to_string(),
        sct_core::csv_out::number(p.weight),
        sct_core::csv_out::number(p.weighted_gap),
        p.milestone_due.map(|d| d.to_string()).unwrap_or_default(),
        p.milestones
            .iter()
            .map(|m| match &m.status {
                Some(s) => format!("{} (due {}, {s})", m.title, m.due),
                None => format!("{} (due {})", m.title, m.due),
            })
            .collect::<Vec<_>>()
            .join("; "),
        p.strands
            .iter()
            .map(|s| s.title.clone())
            .collect::<Vec<_>>()
            .join("; "),
        p.next_level
            .as_ref()
            .map(|n| n.name.clone())
            .unwrap_or_default(),
        p.next_level
            .as_ref()
            .map(|n| n.descriptor.clone())
            .unwrap_or_default(),
        p.confidence
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        p.evidence_count.to_string(),
        // A boolean, spelt as every CSV spells one; the words are in the reasons column.
        p.validate_before_investing.to_string(),
        p.validate_reasons.join("; "),
        plan.rule.order.join(", "),
    ]
}

/// The plan as CSV: one row per priority, in rank order, with the rule used on every row.
pub fn csv(plan: &DevelopmentPlan) -> String {
    let mut w = CsvWriter::new();
    w.row(PRIORITY_COLUMNS);
    for p in &plan.priorities {
        w.row(priority_row(plan, p));
    }
    w.finish()
}

/// Writes a header row in bold, freezes it and sets column widths.
fn header(
    sheet: &mut Worksheet,
    f: &Formats,
    columns: &[&str],
    widths: &[f64],
) -> Result<(), XlsxError> {
    let widths = (0..columns.len()).map(|c| widths.get(c).copied().unwrap_or(14.0));
    let names = columns.iter().map(|c| heading(c));
    crate::workbook::header(sheet, &f.header, names.zip(widths))
}

/// Writes the rows below the header: each cell as what it is (a number, a date, a
/// boolean, or wrapped text), each row as tall as its longest wrapped text.
fn rows(
    sheet: &mut Worksheet,
    f: &Formats,
    widths: &[f64],
    rows: &[Vec<String>],
) -> Result<(), XlsxError> {
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        let mut wrapped = Vec::new();
        for (c, cell) in row.iter().enumerate() {
            if !typed_cell(sheet, f, r, c as u16, cell)? && !cell.is_empty() {
                sheet.write_string_with_format(r, c as u16, cell, &f.wrap)?;
                wrapped.push((cell.as_str(), widths.get(c).copied().unwrap_or(14.0)));
            }
        }
        fit_row(sheet, r, &wrapped)?;
    }
    Ok(())
}

/// Writes `cell` as a number, a date or a boolean when it is one (the CSV's spelling of
/// each), and says whether it did.
fn typed_cell(
    sheet: &mut Worksheet,
    f: &Formats,
    r: u32,
    c: u16,
    cell: &str,
) -> Result<bool, XlsxError> {
    if let Ok(b) = cell.parse::<bool>() {
        sheet.write_boolean_with_format(r, c, b, &f.boolean)?;
    } else if let Some(d) = iso_date(cell) {
        sheet.write_date_with_format(r, c, d, &f.date)?;
    } else if sct_core::csv_out::is_plain_number(cell) {
        let Ok(n) = cell.parse::<f64>() else {
            return Ok(false);
        };
        let format = if n.fract() == 0.0 { &f.count } else { &f.score };
        sheet.write_number_with_format(r, c, n, format)?;
    } else {
        return Ok(false);
    }
    Ok(true)
}

/// `text` as a date when it is exactly `YYYY-MM-DD`.
fn iso_date(text: &str) -> Option<ExcelDateTime> {
    let b = text.as_bytes();
    let shape = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
    if !shape || !text.chars().all(|c| c.is_ascii_digit() || c == '-') {
        return None;
    }
    ExcelDateTime::parse_from_str(text).ok()
}

/// A sheet of `columns` (with `widths`) and `body`.
fn sheet(
    book: &mut Workbook,
    f: &Formats,
    name: &str,
    (columns, widths): (&[&str], &[f64]),
    body: &[Vec<String>],
) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet().set_name(name)?;
    header(sheet, f, columns, widths)?;
    rows(sheet, f, widths, body)
}

fn workbook(plan: &DevelopmentPlan) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // Dated from the plan (as-of or assessed date), never the clock: reruns are byte-identical.
    let date = plan
        .as_of
        .or(plan.assessed)
        .map(|d| d.to_string())
        .unwrap_or_else(|| "2000-01-01".to_string());
    let part = |i: std::ops::Range<usize>, default: u16| {
        date.get(i)
            .and_then(|s| s.parse::<u16>().ok())
            .unwrap_or(default)
    };
    let created =
        ExcelDateTime::from_ymd(part(0..4, 2000), part(5..7, 1) as u8, part(8..10, 1) as u8)?;
    properties(&mut book, &plan.title, plan.notice.as_str(), &created);
    let f = Formats::new();

    let mut widths = [10.0; 25];
    for (i, w) in [
        (1, 16.0),
        (5, 26.0),
        (6, 36.0),
        (7, 30.0),
        (16, 40.0),
        (17, 30.0),
        (19, 60.0),
        (23, 30.0),
        (24, 24.0),
    ] {
        widths[i] = w;
    }
    let body: Vec<Vec<String>> = plan
        .priorities
        .iter()
        .map(|p| priority_row(plan, p))
        .collect();
    sheet(
        &mut book,
        &f,
        "Priorities",
        (&PRIORITY_COLUMNS, &widths),
        &body,
    )?;
    sheet(
        &mut book,
        &f,
        "Support by strand",
        SUPPORT_COLUMNS,
        &support_rows(plan),
    )?;
    if let Some(ind) = &plan.individuals {
        sheet(
            &mut book,
            &f,
            "Individual development",
            INDIVIDUAL_COLUMNS,
            &individual_rows(ind),
        )?;
    }
    sheet(
        &mut book,
        &f,
        "Timeline",
        TIMELINE_COLUMNS,
        &timeline_rows(plan),
    )?;
    if let Some(p) = &plan.progress {
        sheet(
            &mut book,
            &f,
            "Progress",
            PROGRESS_COLUMNS,
            &progress_rows(p),
        )?;
    }
    let sheet = book.add_worksheet().set_name("Method")?;
    header(sheet, &f, &["item", "text"], &[20.0, 120.0])?;
    // Text only on this sheet: a version or a checksum is not a number.
    for (r, row) in method_rows(plan).iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string_with_format(r, c as u16, cell, &f.wrap)?;
        }
        let text = row.get(1).map_or("", String::as_str);
        fit_row(sheet, r, &[(text, 120.0)])?;
    }
    book.save_to_buffer()
}

/// The Support by strand sheet's columns and widths.
const SUPPORT_COLUMNS: (&[&str], &[f64]) = (
    &[
        "strand",
        "rank",
        "capability",
        "level",
        "target",
        "target_date",
        "next_level",
        "next_level_descriptor",
        "milestones",
        "validate",
        "why this strand",
    ],
    &[
        28.0, 6.0, 34.0, 12.0, 12.0, 12.0, 12.0, 60.0, 40.0, 22.0, 60.0,
    ],
);

/// One row per capability in each strand's support.
fn support_rows(plan: &DevelopmentPlan) -> Vec<Vec<String>> {
    let mut body = Vec::new();
    for s in &plan.support {
        for i in &s.items {
            body.push(vec![
                s.title.clone(),
                i.rank.to_string(),
                i.title.clone(),
                i.level_name.clone(),
                i.target_level_name.clone(),
                i.target_date.map(|d| d.to_string()).unwrap_or_default(),
                i.next_level
                    .as_ref()
                    .map(|n| n.name.clone())
                    .unwrap_or_default(),
                i.next_level
                    .as_ref()
                    .map(|n| n.descriptor.clone())
                    .unwrap_or_default(),
                i.milestones
                    .iter()
                    .map(|m| format!("{} (due {})", m.title, m.due))
                    .collect::<Vec<_>>()
                    .join("; "),
                i.validate_before_investing.to_string(),
                i.why.clone(),
            ]);
        }
    }
    body
}

/// The Individual development sheet's columns and widths.
const INDIVIDUAL_COLUMNS: (&[&str], &[f64]) = (
    &[
        "role_group",
        "people",
        "shown",
        "competency",
        "capability",
        "median",
        "organisation_target",
        "target_descriptor",
    ],
    &[28.0, 8.0, 40.0, 34.0, 34.0, 8.0, 14.0, 60.0],
);

/// One row per need of each role group; a withheld or satisfied group says so in a row.
fn individual_rows(ind: &IndividualDevelopment) -> Vec<Vec<String>> {
    let mut body = Vec::new();
    for g in &ind.groups {
        let shown = if g.suppressed {
            Some(format!(
                "withheld: fewer than {} people",
                ind.min_group_size
            ))
        } else if g.needs.is_empty() {
            Some("no competency below the organisation's target".to_string())
        } else {
            None
        };
        if let Some(shown) = shown {
            let mut row = vec![g.name.clone(), g.people.to_string(), shown];
            row.resize(8, String::new());
            body.push(row);
        }
        for n in &g.needs {
            body.push(vec![
                g.name.clone(),
                g.people.to_string(),
                "shown".to_string(),
                n.competency.clone(),
                n.title.clone(),
                n.median.to_string(),
                n.organisation_target_name.clone(),
                n.target_descriptor.clone(),
            ]);
        }
    }
    body
}

/// The Timeline sheet's columns and widths.
const TIMELINE_COLUMNS: (&[&str], &[f64]) = (
    &["date", "kind", "what", "status", "detail"],
    &[12.0, 12.0, 50.0, 12.0, 70.0],
);

fn timeline_rows(plan: &DevelopmentPlan) -> Vec<Vec<String>> {
    plan.timeline
        .iter()
        .map(|e| {
            vec![
                e.date.to_string(),
                e.kind_label.to_string(),
                e.title.clone(),
                e.status.clone().unwrap_or_default(),
                e.detail.clone(),
            ]
        })
        .collect()
}

/// The Progress sheet's columns and widths.
const PROGRESS_COLUMNS: (&[&str], &[f64]) = (
    &[
        "priority_rank",
        "capability",
        "level_then",
        "target_then",
        "level_now",
        "target_now",
        "change",
        "status",
    ],
    &[12.0, 36.0, 14.0, 14.0, 14.0, 14.0, 8.0, 24.0],
);

fn progress_rows(p: &Progress) -> Vec<Vec<String>> {
    p.rows
        .iter()
        .map(|r| {
            vec![
                r.priority_rank.map(|x| x.to_string()).unwrap_or_default(),
                r.title.clone(),
                r.level_then.clone().unwrap_or_default(),
                r.target_then.clone().unwrap_or_default(),
                r.level_now.clone(),
                r.target_now.clone().unwrap_or_default(),
                r.change.map(|x| x.to_string()).unwrap_or_default(),
                r.status_label.to_string(),
            ]
        })
        .collect()
}

/// The Method sheet: the plan's title, notice, rule and method, then every input file.
fn method_rows(plan: &DevelopmentPlan) -> Vec<Vec<String>> {
    let mut body = vec![
        vec!["title".to_string(), plan.title.clone()],
        vec!["notice".to_string(), plan.notice.clone()],
        vec!["rule".to_string(), plan.rule.order.join(", ")],
    ];
    body.extend(
        plan.method
            .iter()
            .map(|m| vec!["method".to_string(), m.clone()]),
    );
    let prov = &plan.provenance;
    body.push(vec!["sct version".to_string(), prov.sct_version.clone()]);
    for f in &prov.frameworks {
        body.push(vec![
            f.kind.clone(),
            format!("{} {} ({}), sha256 {}", f.id, f.version, f.file, f.sha256),
        ]);
    }
    body.push(vec![
        "response".to_string(),
        format!("{}, sha256 {}", prov.response.file, prov.response.sha256),
    ]);
    body.push(vec![
        "organisations".to_string(),
        format!(
            "{}, sha256 {}",
            prov.organisations.file, prov.organisations.sha256
        ),
    ]);
    if let Some(ind) = &plan.individuals {
        for f in &ind.files {
            body.push(vec![
                "individual".to_string(),
                format!("{}, sha256 {}", f.file, f.sha256),
            ]);
        }
    }
    if let Some(p) = &plan.progress {
        body.push(vec![
            "previous response".to_string(),
            format!(
                "{}, sha256 {}",
                p.previous.file.file, p.previous.file.sha256
            ),
        ]);
    }
    body
}

/// The plan as an Excel workbook: Priorities (the CSV's rows), Support by strand, Individual
/// development, Timeline, Progress and Method sheets.
pub fn xlsx(plan: &DevelopmentPlan) -> Result<Vec<u8>, ReportError> {
    workbook(plan).map_err(spreadsheet_error)
}
