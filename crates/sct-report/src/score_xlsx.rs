//! The score as an Excel workbook (`sct score --format xlsx`), for analysts who carry on in
//! Excel: Summary (overall and one row per domain), Capabilities, Milestones, Method and
//! Provenance sheets. Scores are numbers, dates are dates; every sheet has a frozen bold
//! header row. Dated from the response (as-of or assessed date), never the clock, so reruns
//! give the same bytes.

use rust_xlsxwriter::{ExcelDateTime, Workbook, Worksheet, XlsxError};

use sct_core::ScoreReport;
use sct_core::model::Date;
use sct_core::score::ScoreSummary;

use crate::render::ReportError;
use crate::workbook::{Formats, fit_row, header, properties, spreadsheet_error};

/// A cell of a row: text, a number, a count, a date, or nothing.
enum Cell {
    Text(String),
    Number(f64),
    Count(usize),
    Date(Date),
    Blank,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt_num(v: Option<f64>) -> Cell {
    v.map(Cell::Number).unwrap_or(Cell::Blank)
}

fn excel_date(d: Date) -> Result<ExcelDateTime, XlsxError> {
    // `Date` displays as YYYY-MM-DD, which Excel's date parser takes as it is.
    ExcelDateTime::parse_from_str(&d.to_string())
}

/// Writes a sheet: bold frozen header, column widths, then the rows.
fn table(
    sheet: &mut Worksheet,
    f: &Formats,
    columns: &[(&str, f64)],
    rows: Vec<Vec<Cell>>,
    percent_columns: &[usize],
) -> Result<(), XlsxError> {
    // Weights are written as they were given (1, or 1.50), not as scores.
    let weight_columns: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| *name == "Weight")
        .map(|(i, _)| i)
        .collect();
    header(sheet, &f.header, columns.iter().copied())?;
    for (r, row) in rows.into_iter().enumerate() {
        let r = r as u32 + 1;
        let mut wrapped: Vec<(String, f64)> = Vec::new();
        for (c, cell) in row.into_iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) if !s.is_empty() => {
                    sheet.write_string_with_format(r, col, &s, &f.wrap)?;
                    wrapped.push((s, columns.get(c).map_or(10.0, |c| c.1)));
                }
                Cell::Count(n) => {
                    sheet.write_number_with_format(r, col, n as f64, &f.count)?;
                }
                Cell::Number(n) if percent_columns.contains(&c) => {
                    sheet.write_number_with_format(r, col, n, &f.percent)?;
                }
                Cell::Number(n) if weight_columns.contains(&c) => {
                    sheet.write_number_with_format(r, col, n, f.value_for(n))?;
                }
                Cell::Number(n) => {
                    sheet.write_number_with_format(r, col, n, &f.score)?;
                }
                Cell::Date(d) => {
                    sheet.write_date_with_format(r, col, excel_date(d)?, &f.date)?;
                }
                _ => {}
            }
        }
        let cells: Vec<(&str, f64)> = wrapped.iter().map(|(t, w)| (t.as_str(), *w)).collect();
        fit_row(sheet, r, &cells)?;
    }
    if columns.len() > 1 {
        sheet.autofilter(0, 0, 0, columns.len() as u16 - 1)?;
    }
    Ok(())
}

fn summary_cells(s: &ScoreSummary) -> Vec<Cell> {
    let c = &s.confidence;
    vec![
        opt_num(s.score),
        text(s.level_name.clone().unwrap_or_default()),
        opt_num(s.target_score),
        opt_num(s.gap_to_target),
        Cell::Count(s.coverage.answered),
        Cell::Count(s.coverage.not_applicable),
        Cell::Count(s.coverage.unanswered),
        opt_num(s.coverage.ratio),
        Cell::Count(c.low),
        Cell::Count(c.medium),
        Cell::Count(c.high),
        Cell::Count(c.unstated),
        Cell::Count(s.without_evidence),
    ]
}

fn workbook(r: &ScoreReport) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let created = match r.as_of.or(r.assessed) {
        Some(d) => excel_date(d)?,
        None => ExcelDateTime::from_ymd(2000, 1, 1)?,
    };
    properties(
        &mut book,
        &format!("Score: {}", r.subject.organisation),
        r.notice.as_str(),
        &created,
    );
    let f = Formats::new();
    summary_sheet(&mut book, &f, r)?;
    capability_sheet(&mut book, &f, r)?;
    milestone_sheet(&mut book, &f, r)?;
    method_sheet(&mut book, &f, r)?;
    provenance_sheet(&mut book, &f, r)?;
    book.save_to_buffer()
}

/// Summary: overall, then one row per domain, then who and what.
fn summary_sheet(book: &mut Workbook, f: &Formats, r: &ScoreReport) -> Result<(), XlsxError> {
    let summary_columns = [
        ("Scope", 14.0),
        ("Domain id", 26.0),
        ("Section", 8.0),
        ("Title", 44.0),
        ("Weight", 8.0),
        ("Score", 8.0),
        ("Level", 14.0),
        ("Target score", 8.0),
        ("Gap to target", 8.0),
        ("Answered", 9.0),
        ("n/a", 6.0),
        ("Unanswered", 10.0),
        ("Coverage", 9.0),
        ("Confidence low", 10.0),
        ("Confidence medium", 10.0),
        ("Confidence high", 10.0),
        ("Confidence unstated", 10.0),
        ("Without evidence", 10.0),
    ];
    let mut rows = Vec::new();
    let mut overall = vec![
        text("overall"),
        Cell::Blank,
        Cell::Blank,
        text("Overall"),
        Cell::Blank,
    ];
    overall.extend(summary_cells(&r.overall));
    rows.push(overall);
    for d in &r.domains {
        let mut row = vec![
            text("domain"),
            text(&d.id),
            text(&d.section),
            text(&d.title),
            Cell::Number(d.weight),
        ];
        row.extend(summary_cells(&d.summary));
        rows.push(row);
    }
    let sheet = book.add_worksheet().set_name("Summary")?;
    table(sheet, f, &summary_columns, rows, &[12])?;
    // Who and what, below the table, so the sheet stands on its own when printed.
    let below = r.domains.len() as u32 + 3;
    let about = [
        ("Organisation", r.subject.organisation.clone()),
        ("ODS code", r.subject.ods_code.clone()),
        ("Round", r.round.clone().unwrap_or_default()),
        ("Toolkit", format!("{} {}", r.toolkit, r.toolkit_version)),
        ("Notice", r.notice.clone()),
    ];
    for (i, (k, v)) in about.iter().enumerate() {
        let row = below + i as u32;
        sheet.write_string_with_format(row, 0, *k, &f.header)?;
        sheet.write_string_with_format(row, 3, v, &f.wrap)?;
        fit_row(sheet, row, &[(v, 44.0)])?;
    }
    // Dates as dates, so they sort and filter as dates.
    let dates = [("Assessed", r.assessed), ("As of", r.as_of)];
    for (i, (k, d)) in dates.into_iter().enumerate() {
        let row = below + (about.len() + i) as u32;
        sheet.write_string_with_format(row, 0, k, &f.header)?;
        if let Some(d) = d {
            sheet.write_date_with_format(row, 3, excel_date(d)?, &f.date)?;
        }
    }

    Ok(())
}

/// Capabilities: one row per capability, by domain.
fn capability_sheet(book: &mut Workbook, f: &Formats, r: &ScoreReport) -> Result<(), XlsxError> {
    let cap_columns = [
        ("Domain id", 24.0),
        ("Capability id", 30.0),
        ("Title", 44.0),
        ("Weight", 8.0),
        ("State", 11.0),
        ("Level", 14.0),
        ("Score", 8.0),
        ("Confidence", 11.0),
        ("Evidence items", 9.0),
        ("Target level", 14.0),
        ("Target date", 12.0),
        ("Gap", 6.0),
        ("Reason (n/a)", 30.0),
    ];
    let mut rows = Vec::new();
    for d in &r.domains {
        for c in &d.capabilities {
            rows.push(vec![
                text(&d.id),
                text(&c.id),
                text(&c.title),
                Cell::Number(c.weight),
                text(c.state),
                text(c.level_name.clone().unwrap_or_default()),
                opt_num(c.score),
                text(c.confidence.map(|x| x.as_str()).unwrap_or("")),
                Cell::Count(c.evidence_count),
                text(c.target_level.clone().unwrap_or_default()),
                c.target_date.map(Cell::Date).unwrap_or(Cell::Blank),
                c.gap
                    .and_then(|g| usize::try_from(g).ok())
                    .map_or(Cell::Blank, Cell::Count),
                text(c.reason.clone().unwrap_or_default()),
            ]);
        }
    }
    table(
        book.add_worksheet().set_name("Capabilities")?,
        f,
        &cap_columns,
        rows,
        &[],
    )?;

    Ok(())
}

/// Milestones: one row per milestone with its status and why.
fn milestone_sheet(book: &mut Workbook, f: &Formats, r: &ScoreReport) -> Result<(), XlsxError> {
    let milestone_columns = [
        ("Milestone id", 30.0),
        ("Title", 50.0),
        ("Due", 12.0),
        ("Due as written", 24.0),
        ("Reported", 12.0),
        ("Completed on", 12.0),
        ("Status", 10.0),
        ("Why", 50.0),
        ("Note", 40.0),
    ];
    let rows = r
        .milestones
        .iter()
        .map(|m| {
            vec![
                text(&m.id),
                text(&m.title),
                Cell::Date(m.due.date),
                text(&m.due.as_written),
                text(m.reported.map(|s| s.as_str()).unwrap_or("")),
                m.completed_on.map(Cell::Date).unwrap_or(Cell::Blank),
                text(m.status.as_str()),
                text(&m.reason),
                text(&m.note),
            ]
        })
        .collect();
    table(
        book.add_worksheet().set_name("Milestones")?,
        f,
        &milestone_columns,
        rows,
        &[],
    )?;

    Ok(())
}

/// Method: the levels and their scores, then the aggregation in words.
fn method_sheet(book: &mut Workbook, f: &Formats, r: &ScoreReport) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet().set_name("Method")?;
    let rows = r
        .method
        .levels
        .iter()
        .map(|l| {
            vec![
                text(&l.id),
                text(&l.name),
                Cell::Number(l.score),
                opt_num(l.band_from),
            ]
        })
        .collect();
    table(
        sheet,
        f,
        &[
            ("Level id", 16.0),
            ("Level", 16.0),
            ("Score", 8.0),
            ("Band from", 10.0),
        ],
        rows,
        &[],
    )?;
    let below = r.method.levels.len() as u32 + 2;
    let mut lines = vec![
        format!("Domain aggregation: {}", r.method.domain_aggregation),
        format!("Overall aggregation: {}", r.method.overall_aggregation),
        r.method.description.clone(),
    ];
    if let Some(rule) = &r.method.milestone_rule {
        lines.push(rule.clone());
    }
    for (i, line) in lines.iter().enumerate() {
        sheet.write_string(below + i as u32, 0, line)?;
    }

    Ok(())
}

/// Provenance: every input file with its version and checksum.
fn provenance_sheet(book: &mut Workbook, f: &Formats, r: &ScoreReport) -> Result<(), XlsxError> {
    let mut rows = vec![vec![
        text("sct"),
        text(&r.provenance.sct_version),
        Cell::Blank,
        Cell::Blank,
    ]];
    for fw in &r.provenance.frameworks {
        rows.push(vec![
            text(format!("{} ({})", fw.id, fw.kind)),
            text(&fw.version),
            text(&fw.sha256),
            text(&fw.file),
        ]);
    }
    rows.push(vec![
        text("response"),
        Cell::Blank,
        text(&r.provenance.response.sha256),
        text(&r.provenance.response.file),
    ]);
    rows.push(vec![
        text("organisations"),
        Cell::Blank,
        text(&r.provenance.organisations.sha256),
        text(&r.provenance.organisations.file),
    ]);
    table(
        book.add_worksheet().set_name("Provenance")?,
        f,
        &[
            ("What", 30.0),
            ("Version", 10.0),
            ("SHA-256", 66.0),
            ("File", 50.0),
        ],
        rows,
        &[],
    )?;
    Ok(())
}

/// The score report as an Excel workbook.
pub fn score_xlsx(report: &ScoreReport) -> Result<Vec<u8>, ReportError> {
    workbook(report).map_err(spreadsheet_error)
}
