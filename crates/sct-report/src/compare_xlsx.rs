//! A cohort comparison as an Excel workbook (`sct compare -o cohort.xlsx`), so analysts can
//! carry on in Excel: one sheet per table (domain levels, capability levels, distributions,
//! groups, change) with a native Excel chart beside each, then Method and Provenance.
//! Levels are numbers (1 = the lowest level) with the level names in a key, so the sheets
//! can be sorted and summed; n/a and not answered stay as words, never as numbers. Dated
//! from the round's latest assessment, never the clock, so reruns give the same bytes.

use rust_xlsxwriter::{
    Chart, ChartFont, ChartLegendPosition, ChartType, ExcelDateTime, Format, FormatAlign, Workbook,
    Worksheet, XlsxError,
};

use sct_compare::Comparison;
use sct_compare::cohort::{Distribution, HeatCell};
use sct_compare::groups::GroupView;
use sct_compare::longitudinal::Longitudinal;

use crate::render::ReportError;
use crate::workbook::{Formats, fit_row, opt_number, print_setup, properties, spreadsheet_error};

/// Sheet names (Excel allows 31 characters; these are fixed, never user text).
const DOMAIN_SHEET: &str = "Domain levels";
const CAPABILITY_SHEET: &str = "Capability levels";
const DISTRIBUTION_SHEET: &str = "Distributions";
const GROUP_SHEET: &str = "Groups";
const CHANGE_SHEET: &str = "Change";
const PAIRED_SHEET: &str = "Change by organisation";

/// One row of the Distributions sheet: kind, id, title and the distribution.
type DistRow<'a> = (&'a str, &'a str, &'a str, &'a Distribution);

/// The cohort comparison as an `.xlsx` workbook.
pub fn compare_xlsx(c: &Comparison) -> Result<Vec<u8>, ReportError> {
    workbook(c).map_err(spreadsheet_error)
}

/// Header row: bold, wrapped, frozen, with column widths.
fn header(
    sheet: &mut Worksheet,
    f: &Formats,
    columns: Vec<(String, f64)>,
) -> Result<(), XlsxError> {
    crate::workbook::header(sheet, &f.header, columns)
}

/// Width of a matrix column (a level or a score): narrow, under a turned heading, so a
/// cohort's whole matrix prints on A4 at a size that can be read.
const MATRIX_WIDTH: f64 = 5.5;

/// Turns the headings of columns `cols` to read upwards and makes the header row tall enough
/// for the longest, so a matrix of many narrow columns keeps every heading whole.
fn turn_headings(
    sheet: &mut Worksheet,
    f: &Formats,
    cols: std::ops::Range<u16>,
    names: &[String],
) -> Result<(), XlsxError> {
    let turned = f
        .header
        .clone()
        .set_rotation(90)
        .set_align(FormatAlign::Center);
    for (col, name) in cols.zip(names) {
        sheet.write_string_with_format(0, col, name, &turned)?;
        sheet.set_column_width(col, MATRIX_WIDTH)?;
    }
    // Two turned lines fit a narrow column; about 6 points per character along each.
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let height = (longest as f64 / 2.0 + 2.0) * 6.0;
    sheet.set_row_height(0, height.clamp(60.0, 409.0))?;
    Ok(())
}

/// A heatmap cell: the level rank as a number, or the words (n/a, not answered) shrunk to
/// the narrow column.
fn level_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &HeatCell,
    words: &Format,
) -> Result<(), XlsxError> {
    match cell.rank {
        Some(rank) => sheet.write_number_with_format(row, col, f64::from(rank), words)?,
        None => sheet.write_string_with_format(row, col, &cell.text, words)?,
    };
    Ok(())
}

/// The level key (rank and name) written at `(row, col)` downwards.
fn level_key(
    sheet: &mut Worksheet,
    f: &Formats,
    c: &Comparison,
    row: u32,
    col: u16,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(row, col, "Level", &f.header)?;
    sheet.write_string_with_format(row, col + 1, "Name", &f.header)?;
    for (i, name) in c.frame.levels.iter().enumerate() {
        sheet.write_number_with_format(row + 1 + i as u32, col, (i + 1) as f64, &f.plain)?;
        sheet.write_string(row + 1 + i as u32, col + 1, name)?;
    }
    Ok(())
}

/// A bar chart of `columns` of `sheet`, rows `first..=last`, labelled from `category`; the
/// bars run top to bottom in the sheet's order.
fn bar_chart(
    kind: ChartType,
    sheet: &str,
    columns: impl IntoIterator<Item = u16>,
    category: u16,
    (first, last): (u32, u32),
    title: &str,
    axis: &str,
) -> Chart {
    let mut chart = Chart::new(kind);
    for col in columns {
        chart
            .add_series()
            .set_name((sheet, 0, col))
            .set_categories((sheet, first, category, last, category))
            .set_values((sheet, first, col, last, col));
    }
    chart
        .title()
        .set_name(title)
        .set_font(ChartFont::new().set_size(12));
    chart.x_axis().set_name(axis);
    chart.y_axis().set_reverse();
    // The legend below, so the bars and their labels have the chart's whole width.
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart
}

/// A stacked bar chart of the counts at each level for distribution rows `first..=last` of
/// the Distributions sheet (one series per level, so the bars read as the distribution).
fn distribution_chart(c: &Comparison, title: &str, first: u32, last: u32) -> Chart {
    let levels = c.frame.levels.len() as u16;
    bar_chart(
        ChartType::BarStacked,
        DISTRIBUTION_SHEET,
        3..3 + levels,
        2,
        (first, last),
        title,
        "Organisations",
    )
}

/// Height in pixels for a bar chart of `bars` bars, so every label has a line of its own.
fn chart_height(bars: usize) -> u32 {
    (140 + 30 * bars as u32).clamp(360, 2400)
}

/// Width in pixels of every chart: room for a long domain title beside its bar.
const CHART_WIDTH: u32 = 860;

/// A chart sized for `bars` bars, its category labels in full.
fn sized(mut chart: Chart, bars: usize) -> Chart {
    chart.set_width(CHART_WIDTH).set_height(chart_height(bars));
    chart
}

fn workbook(c: &Comparison) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let round = c.rounds.iter().find(|r| r.id == c.cohort.round);
    let created = round
        .and_then(|r| r.latest_assessed.as_deref())
        .and_then(|d| ExcelDateTime::parse_from_str(d).ok())
        .map_or_else(|| ExcelDateTime::from_ymd(2000, 1, 1), Ok)?;
    properties(
        &mut book,
        &format!("ICB comparison: {}", c.cohort.round),
        &c.notices.join(" "),
        &created,
    );
    let f = Formats::new();
    // Distributions first in the data, so the heatmap sheets' charts can point at it; the
    // sheets are still ordered as a reader wants them (heatmaps first).
    let dist_rows: Vec<DistRow> = c
        .cohort
        .domains
        .iter()
        .map(|d| ("domain", d.id.as_str(), d.title.as_str(), &d.distribution))
        .chain(c.cohort.capabilities.iter().map(|x| {
            (
                "capability",
                x.id.as_str(),
                x.title.as_str(),
                &x.distribution,
            )
        }))
        .collect();
    domain_sheet(&mut book, &f, c)?;
    capability_sheet(&mut book, &f, c)?;
    distribution_sheet(&mut book, &f, c, &dist_rows)?;
    if let Some(g) = &c.groups {
        group_sheet(&mut book, &f, c, g)?;
    }
    if let Some(l) = &c.longitudinal {
        change_sheet(&mut book, &f, l)?;
        paired_sheet(&mut book, &f, c, l)?;
    }
    method_sheet(&mut book, &f, c)?;
    provenance_sheet(&mut book, &f, c)?;
    book.save_to_buffer()
}

/// Domain levels: organisations × domains, chart of the domain distributions.
fn domain_sheet(book: &mut Workbook, f: &Formats, c: &Comparison) -> Result<(), XlsxError> {
    let levels = c.frame.levels.len();
    let domains = c.frame.domains.len();
    let sheet = book.add_worksheet().set_name(DOMAIN_SHEET)?;
    let mut columns: Vec<(String, f64)> = vec![
        ("Code".into(), 8.0),
        ("Organisation".into(), 40.0),
        ("Group".into(), 14.0),
        ("Coverage".into(), 9.0),
    ];
    columns.extend(c.frame.domains.iter().map(|d| (d.title.clone(), 12.0)));
    columns.extend(
        c.frame
            .domains
            .iter()
            .map(|d| (format!("{} (score)", d.title), 12.0)),
    );
    columns.push(("Comparison unsafe".into(), 40.0));
    let matrix: Vec<String> = columns[4..4 + 2 * domains]
        .iter()
        .map(|(n, _)| n.clone())
        .collect();
    header(sheet, f, columns)?;
    turn_headings(sheet, f, 4..(4 + 2 * domains) as u16, &matrix)?;
    let words = f.plain.clone().set_shrink();
    for (r, o) in c.cohort.organisations.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string_with_format(r, 0, &o.code, &f.plain)?;
        sheet.write_string_with_format(r, 1, &o.name, &f.wrap)?;
        let note = o.unsafe_note.as_deref().unwrap_or("");
        fit_row(sheet, r, &[(&o.name, 40.0), (note, 40.0)])?;
        if let Some(g) = &o.group {
            sheet.write_string_with_format(r, 2, g, &f.plain)?;
        }
        opt_number(sheet, r, 3, o.coverage, &f.percent)?;
        for (i, cell) in o.domains.iter().enumerate() {
            level_cell(sheet, r, 4 + i as u16, cell, &words)?;
            opt_number(sheet, r, (4 + domains + i) as u16, cell.score, &f.score)?;
        }
        if let Some(note) = &o.unsafe_note {
            sheet.write_string_with_format(r, (4 + 2 * domains) as u16, note, &f.wrap)?;
        }
    }
    sheet.autofilter(
        0,
        0,
        c.cohort.organisations.len() as u32,
        (4 + 2 * domains) as u16,
    )?;
    let beside = (5 + 2 * domains) as u16;
    level_key(sheet, f, c, 0, beside)?;
    let chart = sized(
        distribution_chart(
            c,
            &format!("Organisations at each level per domain, {}", c.cohort.round),
            1,
            domains as u32,
        ),
        domains,
    );
    sheet.insert_chart(levels as u32 + 2, beside, &chart)?;
    Ok(())
}

/// Capability levels: organisations × capabilities, chart of the capability distributions.
fn capability_sheet(book: &mut Workbook, f: &Formats, c: &Comparison) -> Result<(), XlsxError> {
    let levels = c.frame.levels.len();
    let domains = c.frame.domains.len();
    let capabilities: Vec<(usize, &str, &str)> = c.frame.capabilities().collect();
    let sheet = book.add_worksheet().set_name(CAPABILITY_SHEET)?;
    let mut columns: Vec<(String, f64)> = vec![("Code".into(), 8.0), ("Organisation".into(), 40.0)];
    columns.extend(capabilities.iter().map(|(_, _, t)| (t.to_string(), 14.0)));
    let matrix: Vec<String> = capabilities.iter().map(|(_, _, t)| t.to_string()).collect();
    header(sheet, f, columns)?;
    turn_headings(sheet, f, 2..(2 + capabilities.len()) as u16, &matrix)?;
    let words = f.plain.clone().set_shrink();
    for (r, o) in c.cohort.organisations.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string_with_format(r, 0, &o.code, &f.plain)?;
        sheet.write_string_with_format(r, 1, &o.name, &f.wrap)?;
        fit_row(sheet, r, &[(&o.name, 40.0)])?;
        for (i, cell) in o.capabilities.iter().enumerate() {
            level_cell(sheet, r, 2 + i as u16, cell, &words)?;
        }
    }
    let beside = (3 + capabilities.len()) as u16;
    level_key(sheet, f, c, 0, beside)?;
    let chart = sized(
        distribution_chart(
            c,
            &format!(
                "Organisations at each level per capability, {}",
                c.cohort.round
            ),
            domains as u32 + 1,
            (domains + capabilities.len()) as u32,
        ),
        capabilities.len(),
    );
    sheet.insert_chart(levels as u32 + 2, beside, &chart)?;
    Ok(())
}

/// Distributions: counts at each level, n/a, unanswered, median, quartiles, coverage.
fn distribution_sheet(
    book: &mut Workbook,
    f: &Formats,
    c: &Comparison,
    dist_rows: &[DistRow],
) -> Result<(), XlsxError> {
    let levels = c.frame.levels.len();
    let sheet = book.add_worksheet().set_name(DISTRIBUTION_SHEET)?;
    let mut columns: Vec<(String, f64)> = vec![
        ("Kind".into(), 10.0),
        ("Id".into(), 30.0),
        ("Title".into(), 40.0),
    ];
    columns.extend(c.frame.levels.iter().map(|l| (l.clone(), 10.0)));
    for (name, width) in [
        ("n/a", 6.0),
        ("Not answered", 10.0),
        ("Median (rank)", 9.0),
        ("Median", 16.0),
        ("Lower quartile (rank)", 10.0),
        ("Upper quartile (rank)", 10.0),
        ("Coverage", 9.0),
        ("Comparison unsafe", 40.0),
    ] {
        columns.push((name.into(), width));
    }
    header(sheet, f, columns)?;
    let at = 3 + levels as u16;
    for (r, (kind, id, title, d)) in dist_rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string_with_format(r, 0, *kind, &f.plain)?;
        sheet.write_string_with_format(r, 1, *id, &f.wrap)?;
        sheet.write_string_with_format(r, 2, *title, &f.wrap)?;
        let note = d.unsafe_note.as_deref().unwrap_or("");
        fit_row(
            sheet,
            r,
            &[
                (id, 30.0),
                (title, 40.0),
                (&d.median_words, 16.0),
                (note, 40.0),
            ],
        )?;
        for (i, n) in d.counts.iter().enumerate() {
            sheet.write_number_with_format(r, 3 + i as u16, *n as f64, &f.count)?;
        }
        sheet.write_number_with_format(r, at, d.not_applicable as f64, &f.count)?;
        sheet.write_number_with_format(r, at + 1, d.unanswered as f64, &f.count)?;
        opt_number(sheet, r, at + 2, d.median, &f.score)?;
        sheet.write_string_with_format(r, at + 3, &d.median_words, &f.wrap)?;
        opt_number(sheet, r, at + 4, d.q1, &f.score)?;
        opt_number(sheet, r, at + 5, d.q3, &f.score)?;
        opt_number(sheet, r, at + 6, d.coverage, &f.percent)?;
        if let Some(note) = &d.unsafe_note {
            sheet.write_string_with_format(r, at + 7, note, &f.wrap)?;
        }
    }
    let chart = sized(
        distribution_chart(
            c,
            "Organisations at each level, per domain and capability",
            1,
            dist_rows.len() as u32,
        ),
        dist_rows.len(),
    );
    sheet.insert_chart(1, at + 9, &chart)?;
    Ok(())
}

/// Groups: aggregated domain scores, with a clustered bar chart.
fn group_sheet(
    book: &mut Workbook,
    f: &Formats,
    c: &Comparison,
    g: &GroupView,
) -> Result<(), XlsxError> {
    let domains = c.frame.domains.len();
    let sheet = book.add_worksheet().set_name(GROUP_SHEET)?;
    let mut columns: Vec<(String, f64)> = vec![(g.field.clone(), 18.0)];
    columns.extend(
        c.frame
            .domains
            .iter()
            .map(|d| (format!("{} (score)", d.title), 12.0)),
    );
    columns.extend(
        c.frame
            .domains
            .iter()
            .map(|d| (format!("{} (level)", d.title), 14.0)),
    );
    columns.push(("Members".into(), 40.0));
    columns.push(("Weighting".into(), 30.0));
    header(sheet, f, columns)?;
    for (r, row) in g.groups.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string_with_format(r, 0, &row.name, &f.plain)?;
        for (i, cell) in row.domains.iter().enumerate() {
            opt_number(sheet, r, 1 + i as u16, cell.score, &f.score)?;
            if let Some(level) = &cell.level {
                sheet.write_string_with_format(r, (1 + domains + i) as u16, level, &f.plain)?;
            }
        }
        let members = row.members.join(", ");
        sheet.write_string_with_format(r, (1 + 2 * domains) as u16, &members, &f.wrap)?;
        sheet.write_string_with_format(r, (2 + 2 * domains) as u16, &row.weighting, &f.wrap)?;
        fit_row(sheet, r, &[(&members, 40.0), (&row.weighting, 30.0)])?;
    }
    let below = g.groups.len() as u32 + 2;
    sheet.write_string_with_format(below, 0, &g.method, &f.wrap)?;
    let last = g.groups.len().max(1) as u32;
    let chart = sized(
        bar_chart(
            ChartType::Bar,
            GROUP_SHEET,
            (0..domains).map(|i| 1 + i as u16),
            0,
            (1, last),
            &format!("Domain scores by {}", g.field),
            "Score (level rank)",
        ),
        g.groups.len() * domains.max(1) / 2,
    );
    sheet.insert_chart(1, (4 + 2 * domains) as u16, &chart)?;
    Ok(())
}

/// Change: per capability, how many moved up, down or not a whole level.
fn change_sheet(book: &mut Workbook, f: &Formats, l: &Longitudinal) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet().set_name(CHANGE_SHEET)?;
    let columns: Vec<(String, f64)> = [
        ("Capability id", 24.0),
        ("Capability", 40.0),
        ("Paired", 8.0),
        ("Moved up", 9.0),
        ("Moved down", 9.0),
        ("No whole-level change", 12.0),
    ]
    .iter()
    .map(|(n, w)| (n.to_string(), *w))
    .collect();
    header(sheet, f, columns)?;
    for (r, x) in l.capabilities.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string_with_format(r, 0, &x.id, &f.plain)?;
        sheet.write_string_with_format(r, 1, &x.title, &f.wrap)?;
        fit_row(sheet, r, &[(&x.title, 40.0)])?;
        for (col, n) in [(2, x.paired), (3, x.up), (4, x.down), (5, x.same)] {
            sheet.write_number_with_format(r, col, n as f64, &f.count)?;
        }
    }
    let below = l.capabilities.len() as u32 + 2;
    sheet.write_string_with_format(
        below,
        0,
        format!(
            "{} against {}: {} organisations paired, {} not compared (see {PAIRED_SHEET}).",
            l.round,
            l.against,
            l.paired.len(),
            l.unpaired.len()
        ),
        &f.wrap,
    )?;
    sheet.write_string_with_format(below + 1, 0, &l.method, &f.wrap)?;
    let last = l.capabilities.len().max(1) as u32;
    let chart = sized(
        bar_chart(
            ChartType::BarStacked,
            CHANGE_SHEET,
            3..=5u16,
            1,
            (1, last),
            &format!("Change since {} per capability", l.against),
            "Organisations",
        ),
        l.capabilities.len(),
    );
    sheet.insert_chart(1, 7, &chart)?;
    Ok(())
}

/// Change by organisation: the paired change, then the organisations not compared.
fn paired_sheet(
    book: &mut Workbook,
    f: &Formats,
    c: &Comparison,
    l: &Longitudinal,
) -> Result<(), XlsxError> {
    let domains = c.frame.domains.len();
    let sheet = book.add_worksheet().set_name(PAIRED_SHEET)?;
    let mut columns: Vec<(String, f64)> = vec![
        ("Code".into(), 8.0),
        ("Organisation".into(), 40.0),
        ("Compared with".into(), 30.0),
    ];
    columns.extend(
        c.frame
            .domains
            .iter()
            .map(|d| (format!("{} (change)", d.title), 12.0)),
    );
    for (n, w) in [
        ("Capabilities up", 10.0),
        ("Down", 8.0),
        ("No whole-level change", 12.0),
    ] {
        columns.push((n.into(), w));
    }
    header(sheet, f, columns)?;
    for (r, p) in l.paired.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string_with_format(r, 0, &p.code, &f.plain)?;
        sheet.write_string_with_format(r, 1, &p.name, &f.plain)?;
        sheet.write_string(r, 2, &p.relation)?;
        for (i, v) in p.domain_changes.iter().enumerate() {
            opt_number(sheet, r, 3 + i as u16, *v, &f.score)?;
        }
        for (i, n) in [p.up, p.down, p.same].into_iter().enumerate() {
            sheet.write_number_with_format(r, (3 + domains + i) as u16, n as f64, &f.count)?;
        }
    }
    // The organisations not compared, listed below (never silently dropped).
    let mut below = l.paired.len() as u32 + 2;
    sheet.write_string_with_format(below, 0, "Not compared", &f.header)?;
    sheet.write_string_with_format(below, 2, "Round", &f.header)?;
    sheet.write_string_with_format(below, 3, "Why", &f.header)?;
    for u in &l.unpaired {
        below += 1;
        sheet.write_string(below, 0, &u.code)?;
        sheet.write_string(below, 1, &u.name)?;
        sheet.write_string(below, 2, &u.round)?;
        sheet.write_string(below, 3, &u.reason)?;
    }
    let last = l.paired.len().max(1) as u32;
    let chart = sized(
        bar_chart(
            ChartType::Bar,
            PAIRED_SHEET,
            [(3 + domains) as u16, (4 + domains) as u16],
            0,
            (1, last),
            &format!(
                "Capabilities up and down since {}, per organisation",
                l.against
            ),
            "Capabilities",
        ),
        l.paired.len(),
    );
    sheet.insert_chart(1, (7 + domains) as u16, &chart)?;
    Ok(())
}

/// Method, as text.
fn method_sheet(book: &mut Workbook, f: &Formats, c: &Comparison) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet().set_name("Method")?;
    sheet.set_column_width(0, 120.0)?;
    sheet.write_string_with_format(0, 0, "Method", &f.header)?;
    let mut lines: Vec<String> = c.notices.clone();
    lines.push(c.round_choice.clone());
    if crate::compare::capability_heatmap_summary(c).is_some() {
        lines.push("Every organisation's level for every capability is on the Capability levels sheet (the HTML report summarises it for large cohorts).".into());
    }
    lines.extend(c.method.iter().cloned());
    lines.extend(
        c.skipped
            .iter()
            .map(|s| format!("Skipped {}: {}", s.file, s.error)),
    );
    for (r, line) in lines.iter().enumerate() {
        sheet.write_string_with_format(r as u32 + 1, 0, line, &f.wrap)?;
        fit_row(sheet, r as u32 + 1, &[(line, 120.0)])?;
    }
    print_setup(sheet, 1, false)
}

/// Provenance: every input file with its checksum.
fn provenance_sheet(book: &mut Workbook, f: &Formats, c: &Comparison) -> Result<(), XlsxError> {
    let p = &c.provenance;
    let sheet = book.add_worksheet().set_name("Provenance")?;
    sheet.set_column_width(0, 30.0)?;
    sheet.set_column_width(1, 70.0)?;
    sheet.set_column_width(2, 66.0)?;
    print_setup(sheet, 1, true)?;
    let mut rows = vec![
        ("sct version", p.sct_version.clone(), String::new()),
        ("Toolkit", p.toolkit.clone(), String::new()),
        (
            "Organisations and successions",
            p.organisations.file.clone(),
            p.organisations.sha256.clone(),
        ),
        (
            "Organisation attributes",
            p.attributes.clone(),
            String::new(),
        ),
        (
            "KPI data",
            p.kpis.clone().unwrap_or_default(),
            String::new(),
        ),
    ];
    rows.extend(
        p.responses
            .iter()
            .map(|file| ("Response", file.file.clone(), file.sha256.clone())),
    );
    sheet.write_string_with_format(0, 0, "Item", &f.header)?;
    sheet.write_string_with_format(0, 1, "File", &f.header)?;
    sheet.write_string_with_format(0, 2, "SHA-256", &f.header)?;
    for (r, (k, v, sha)) in rows.into_iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, k)?;
        sheet.write_string_with_format(r, 1, &v, &f.wrap)?;
        sheet.write_string(r, 2, sha)?;
        fit_row(sheet, r, &[(&v, 70.0)])?;
    }
    Ok(())
}
