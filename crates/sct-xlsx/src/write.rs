//! Writing the assessment workbook: the blank template (`sct template ... -o x.xlsx`) or a
//! response already filled in (`sct convert response.toml -o x.xlsx`).
//!
//! Sheets: Instructions; Organisation (details of the organisation or person); one sheet per
//! domain, a row per capability with its descriptors (locked) and the answer cells (unlocked,
//! yellow, each with a dropdown or date validation); Milestones (organisation responses to a
//! round); and the hidden `sct` sheet tying the workbook to the framework files it was made
//! from. Sheets are protected without a password so the layout is not changed by accident but
//! can be by intent. The file is dated from the response (or the round), never the clock, so
//! the same inputs give the same bytes.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, ProtectionOptions, Workbook, Worksheet,
    XlsxError,
};

use sct_core::model::{CapabilityAnswer, Date, MilestoneAnswer, ResponseDoc, ResponseType};
use sct_core::provenance::SCT_VERSION;
use sct_core::validate::ResolvedFrameworks;

use crate::layout::{
    self, CAPABILITY, CAPABILITY_ID, CAPABILITY_INPUTS, CellKind, DetailRow, INSTRUCTIONS_SHEET,
    InputColumn, KEY, METADATA_SHEET, MILESTONE_ID, MILESTONE_INPUTS, MILESTONES_SHEET,
    ORGANISATION_SHEET, VALUE, meta,
};

/// Building the workbook failed.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    /// The spreadsheet library refused something (a text too long for a cell, say).
    #[error("cannot build the workbook: {0}")]
    Xlsx(#[from] XlsxError),
    /// The response answers capabilities or milestones the workbook has no row for.
    #[error("the response cannot be laid out as a workbook: {0}")]
    Unplaced(String),
}

/// Row (zero-based) of the header on domain and milestones sheets; answers start below it.
pub const HEADER_ROW: u32 = 3;
/// Row (zero-based) of the header on the organisation sheet.
pub const DETAIL_HEADER_ROW: u32 = 2;
/// Columns before the descriptors on a domain sheet: capability id and title.
pub const LEADING_COLUMNS: u16 = 2;

/// Things said about a conversion that did not stop it.
pub type Notes = Vec<String>;

/// The cell formats used throughout, made once.
struct Formats {
    title: Format,
    header: Format,
    text: Format,
    id: Format,
    input: Format,
    input_date: Format,
    bold: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Formats {
        let border = |f: Format| f.set_border(FormatBorder::Thin).set_border_color("BFBFBF");
        let top = |f: Format| f.set_align(FormatAlign::Top).set_text_wrap();
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            header: border(top(Format::new().set_bold().set_background_color("D9E1F2"))),
            text: border(top(Format::new())),
            id: border(top(Format::new().set_font_color(Color::RGB(0x595959)))),
            input: border(top(Format::new()
                .set_unlocked()
                .set_background_color("FFF2CC")
                // Text, so Excel keeps "2026-03" or "1.10" as typed instead of guessing.
                .set_num_format("@"))),
            input_date: border(top(Format::new()
                .set_unlocked()
                .set_background_color("FFF2CC")
                .set_num_format("yyyy-mm-dd"))),
            bold: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }

    fn input_for(&self, kind: CellKind) -> &Format {
        match kind {
            CellKind::Date => &self.input_date,
            CellKind::Text | CellKind::Lines => &self.input,
        }
    }
}

/// Protection without a password: layout locked against accidents, columns and rows still
/// resizable.
fn protect(sheet: &mut Worksheet) {
    let options = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::new()
    };
    sheet.protect_with_options(&options);
}

fn excel_date(d: Date) -> Result<ExcelDateTime, XlsxError> {
    // `Date` displays as YYYY-MM-DD, which Excel's date parser takes as it is.
    ExcelDateTime::parse_from_str(&d.to_string())
}

/// An estimate of the height a row needs to show wrapped text: Excel does not size rows
/// written by a program, and LibreOffice only sometimes does.
fn row_height(cells: &[(&str, f64)]) -> f64 {
    let lines = cells
        .iter()
        .map(|(text, width)| {
            let per_line = (width * 1.1).max(4.0);
            text.split('\n')
                .map(|para| ((para.chars().count() as f64) / per_line).ceil().max(1.0))
                .sum::<f64>()
        })
        .fold(1.0, f64::max);
    (lines * 15.0 + 3.0).min(409.0)
}

fn date_validation(
    rule: DataValidationRule<ExcelDateTime>,
    message: &str,
) -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_date(rule)
        .set_error_title("Not a date")?
        .set_error_message(message)?
        .set_input_title("Date")?
        .set_input_message("Enter a date, for example 31/03/2027")
}

fn list_validation(
    items: &[String],
    title: &str,
    message: &str,
) -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_list_strings(items)?
        .set_error_style(DataValidationErrorStyle::Stop)
        .set_error_title(title)?
        .set_error_message(format!("Choose one of: {}", items.join(", ")))?
        .set_input_title(title)?
        .set_input_message(message)
}

/// The workbook for a response (`answers`) or a blank template (`None`), with the notes worth
/// telling the user (an evidence item holding a line break reads back as two items).
pub fn build_workbook(
    fw: &ResolvedFrameworks<'_>,
    response_type: ResponseType,
    answers: Option<&ResponseDoc>,
) -> Result<(Workbook, Notes), WorkbookError> {
    let formats = Formats::new();
    let mut notes = Notes::new();
    let mut book = Workbook::new();
    let created = answers
        .and_then(|a| a.assessed.as_ref())
        .and_then(|a| a.get_ref().0)
        .or(fw.round.map(|(_, r)| *r.window.opens.get_ref()));
    let title = format!(
        "{}: {}",
        fw.round
            .map(|(_, r)| r.title.as_str())
            .unwrap_or(fw.toolkit.title.as_str()),
        match response_type {
            ResponseType::Organisation => "organisation self-assessment",
            ResponseType::Individual => "individual self-assessment",
        }
    );
    let mut props = DocProperties::new().set_title(&title).set_author("sct");
    let created = match created {
        Some(d) => excel_date(d)?,
        None => ExcelDateTime::from_ymd(2000, 1, 1)?,
    };
    props = props.set_creation_datetime(&created);
    book.set_properties(&props);

    let sheets = layout::domain_sheets(fw.toolkit, response_type);
    instructions(
        book.add_worksheet(),
        fw,
        response_type,
        &title,
        &sheets,
        &formats,
    )?;
    organisation(book.add_worksheet(), fw, response_type, answers, &formats)?;

    let mut placed = std::collections::BTreeSet::new();
    for (domain, name) in &sheets {
        let sheet = book.add_worksheet().set_name(name)?;
        domain_sheet(
            sheet,
            fw,
            response_type,
            domain,
            answers,
            &formats,
            &mut notes,
            &mut placed,
        )?;
    }
    if let Some(doc) = answers {
        let unplaced: Vec<&str> = doc
            .capabilities
            .keys()
            .map(|k| k.get_ref().as_str())
            .filter(|k| !placed.contains(*k))
            .collect();
        if !unplaced.is_empty() {
            return Err(WorkbookError::Unplaced(format!(
                "no row for capability {} in a {} workbook of {} {}",
                unplaced.join(", "),
                response_type.as_str(),
                fw.toolkit.id.get_ref(),
                fw.toolkit.version.get_ref()
            )));
        }
    }

    let milestones = match (fw.round, response_type) {
        (Some((_, r)), ResponseType::Organisation) if !r.milestones.is_empty() => Some(r),
        _ => None,
    };
    if let Some(round) = milestones {
        milestones_sheet(book.add_worksheet(), round, answers, &formats)?;
    }
    if let Some(doc) = answers {
        let known = |id: &str| {
            milestones.is_some_and(|r| r.milestones.iter().any(|m| m.id.get_ref() == id))
        };
        let unplaced: Vec<&str> = doc
            .milestones
            .keys()
            .map(|k| k.get_ref().as_str())
            .filter(|k| !known(k))
            .collect();
        if !unplaced.is_empty() {
            return Err(WorkbookError::Unplaced(format!(
                "no row for milestone {}",
                unplaced.join(", ")
            )));
        }
    }
    metadata(book.add_worksheet(), fw, response_type, answers)?;
    Ok((book, notes))
}

/// The workbook's bytes (see [`build_workbook`]).
pub fn response_workbook(
    fw: &ResolvedFrameworks<'_>,
    response_type: ResponseType,
    answers: Option<&ResponseDoc>,
) -> Result<(Vec<u8>, Notes), WorkbookError> {
    let (mut book, notes) = build_workbook(fw, response_type, answers)?;
    Ok((book.save_to_buffer()?, notes))
}

fn instructions(
    sheet: &mut Worksheet,
    fw: &ResolvedFrameworks<'_>,
    response_type: ResponseType,
    title: &str,
    domains: &[(&sct_core::model::Domain, String)],
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(INSTRUCTIONS_SHEET)?;
    sheet.set_column_width(0, 14.0)?;
    sheet.set_column_width(1, 8.0)?;
    sheet.set_column_width(2, 100.0)?;
    // Prose spans the three columns of the levels table below it.
    let prose = |sheet: &mut Worksheet, row: u32, text: &str, format: &Format| {
        sheet.merge_range(row, 0, row, 2, text, format)?;
        sheet.set_row_height(row, row_height(&[(text, 118.0)]))?;
        Ok::<(), XlsxError>(())
    };
    sheet.write_string_with_format(0, 0, title, &f.title)?;
    let made_from = match fw.round {
        Some((file, _)) => format!(
            "Made by sct {SCT_VERSION} from {} {} and {} {}.",
            file.id(),
            file.version(),
            fw.toolkit_file.id(),
            fw.toolkit_file.version()
        ),
        None => format!(
            "Made by sct {SCT_VERSION} from {} {}.",
            fw.toolkit_file.id(),
            fw.toolkit_file.version()
        ),
    };
    sheet.write_string(1, 0, made_from)?;
    let who = match response_type {
        ResponseType::Organisation => "your organisation",
        ResponseType::Individual => "you",
    };
    let mut steps = vec![
        format!(
            "1. On the {ORGANISATION_SHEET} sheet, fill in the yellow cells: who {} {}, and the date the assessment was agreed.",
            if response_type == ResponseType::Organisation {
                "is assessed and"
            } else {
                "you are and"
            },
            if response_type == ResponseType::Organisation {
                "who completed it"
            } else {
                "your role group"
            }
        ),
        format!(
            "2. On each domain sheet ({} to {}), read the descriptors and choose from the dropdown in the Level column the level that best describes {who} now, or n/a with a reason. Add your confidence, the evidence (one item a line; press Alt+Enter for a new line), the target level and date, and the rationale.",
            domains.first().map(|d| d.1.as_str()).unwrap_or("-"),
            domains.last().map(|d| d.1.as_str()).unwrap_or("-"),
        ),
    ];
    if fw.round.is_some_and(|(_, r)| !r.milestones.is_empty())
        && response_type == ResponseType::Organisation
    {
        steps.push(format!(
            "3. On the {MILESTONES_SHEET} sheet, report each milestone's status (and the date it was completed)."
        ));
    }
    steps.push(format!(
        "{}. Check the workbook as you go with `sct validate FILE.xlsx`; score it with `sct score FILE.xlsx` and write the board report with `sct report FILE.xlsx -o report.html`. Errors name the sheet and cell.",
        steps.len() + 1
    ));
    let mut row = 3;
    sheet.write_string_with_format(row, 0, "How to fill it in", &f.bold)?;
    row += 1;
    for step in &steps {
        prose(sheet, row, step, &f.wrap)?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "Good to know", &f.bold)?;
    row += 1;
    for note in [
        "Answer cells are yellow; the rest of each sheet is locked (protected without a password, so you can unprotect it to change the layout). Blank answers are not errors: they lower coverage.".to_string(),
        "sct finds each column by its header and each capability by the id in its first column, so you may move, widen or hide columns and sort rows; keep the header texts and ids as they are, do not merge answer cells and do not put formulas in them.".to_string(),
        format!(
            "The hidden sheet \"{METADATA_SHEET}\" ties this workbook to {} {} (and its checksum): keep it. A workbook made from another version of the toolkit is refused with both versions named.",
            fw.toolkit_file.id(),
            fw.toolkit_file.version()
        ),
    ] {
        prose(sheet, row, &note, &f.wrap)?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "Levels (lowest first)", &f.bold)?;
    row += 1;
    for (c, h) in ["Level", "Score", "What it means"].iter().enumerate() {
        sheet.write_string_with_format(row, c as u16, *h, &f.header)?;
    }
    row += 1;
    for (i, level) in fw.toolkit.levels.iter().enumerate() {
        sheet.write_string_with_format(row, 0, &level.name, &f.text)?;
        sheet.write_number_with_format(row, 1, (i + 1) as f64, &f.text)?;
        sheet.write_string_with_format(row, 2, &level.description, &f.text)?;
        sheet.set_row_height(row, row_height(&[(&level.description, 100.0)]))?;
        row += 1;
    }
    sheet.write_string_with_format(row, 0, "n/a", &f.text)?;
    sheet.write_blank(row, 1, &f.text)?;
    sheet.write_string_with_format(
        row,
        2,
        "The capability does not apply to you: give the reason (it is left out of the score without penalty).",
        &f.text,
    )?;
    row += 2;
    sheet.write_string_with_format(row, 0, "Confidence", &f.bold)?;
    sheet.write_string(
        row,
        2,
        "Low, Medium or High: how sure you are of the level, given the evidence.",
    )?;
    protect(sheet);
    sheet.set_active(true);
    Ok(())
}

fn organisation(
    sheet: &mut Worksheet,
    fw: &ResolvedFrameworks<'_>,
    response_type: ResponseType,
    answers: Option<&ResponseDoc>,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(ORGANISATION_SHEET)?;
    let heading = match response_type {
        ResponseType::Organisation => "The organisation assessed",
        ResponseType::Individual => "About you",
    };
    sheet.write_string_with_format(0, 0, heading, &f.title)?;
    sheet.write_string(1, 0, "Fill in the yellow cells.")?;
    let widths = [26.0, 24.0, 50.0, 60.0];
    for (c, (h, w)) in [KEY, "Field", VALUE, "Guidance"]
        .iter()
        .zip(widths)
        .enumerate()
    {
        sheet.write_string_with_format(DETAIL_HEADER_ROW, c as u16, *h, &f.header)?;
        sheet.set_column_width(c as u16, w)?;
    }
    let rows = layout::detail_rows(response_type);
    for (i, r) in rows.iter().enumerate() {
        let row = DETAIL_HEADER_ROW + 1 + i as u32;
        sheet.write_string_with_format(row, 0, r.key, &f.id)?;
        sheet.write_string_with_format(row, 1, r.label, &f.bold)?;
        let mut guidance = r.guidance.to_string();
        if r.key == "assessed"
            && let Some((_, round)) = fw.round
        {
            guidance = format!(
                "{guidance}: from {} to {}",
                round.window.opens.get_ref(),
                round.window.closes.get_ref()
            );
        }
        if r.key == "respondent.signed_off_by"
            && let Some((_, round)) = fw.round
            && !round.signed_off_by.is_empty()
        {
            guidance = format!("{guidance}. This round: {}", round.signed_off_by);
        }
        sheet.write_string_with_format(row, 3, &guidance, &f.text)?;
        write_input(sheet, row, 2, r.kind, detail_value(answers, r), f)?;
        sheet.set_row_height(row, row_height(&[(&guidance, 60.0)]))?;
        if r.kind == CellKind::Date {
            let v = match fw.round {
                Some((_, round)) => date_validation(
                    DataValidationRule::Between(
                        excel_date(*round.window.opens.get_ref())?,
                        excel_date(*round.window.closes.get_ref())?,
                    ),
                    &format!(
                        "Enter the date the assessment was agreed, from {} to {}.",
                        round.window.opens.get_ref(),
                        round.window.closes.get_ref()
                    ),
                )?,
                None => date_validation(
                    DataValidationRule::GreaterThanOrEqualTo(ExcelDateTime::from_ymd(2000, 1, 1)?),
                    "Enter the date the assessment was agreed.",
                )?,
            };
            sheet.add_data_validation(row, 2, row, 2, &v)?;
        }
    }
    sheet.set_freeze_panes(DETAIL_HEADER_ROW + 1, 0)?;
    protect(sheet);
    Ok(())
}

/// A value from the response for one organisation-sheet row.
enum Value<'a> {
    Blank,
    Text(&'a str),
    Lines(&'a [String]),
    Date(Option<Date>),
}

fn detail_value<'a>(answers: Option<&'a ResponseDoc>, row: &DetailRow) -> Value<'a> {
    let Some(doc) = answers else {
        return Value::Blank;
    };
    match row.key {
        "organisation.name" => Value::Text(&doc.organisation.name),
        "organisation.ods_code" => Value::Text(doc.organisation.ods_code.get_ref()),
        "assessed" => Value::Date(doc.assessed.as_ref().and_then(|a| a.get_ref().0)),
        "respondent.role" => Value::Text(&doc.respondent.role),
        "respondent.signed_off_by" => Value::Text(&doc.respondent.signed_off_by),
        "person.id" => Value::Text(doc.person.as_ref().map(|p| p.id.as_str()).unwrap_or("")),
        "person.role_group" => Value::Text(
            doc.person
                .as_ref()
                .map(|p| p.role_group.as_str())
                .unwrap_or(""),
        ),
        "notice" => Value::Text(&doc.notice),
        _ => Value::Blank,
    }
}

fn write_input(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    kind: CellKind,
    value: Value<'_>,
    f: &Formats,
) -> Result<(), XlsxError> {
    let format = f.input_for(kind);
    match value {
        Value::Text(s) if !s.is_empty() => {
            sheet.write_string_with_format(row, col, s, format)?;
        }
        Value::Lines(items) if !items.is_empty() => {
            sheet.write_string_with_format(row, col, items.join("\n"), format)?;
        }
        Value::Date(Some(d)) => {
            sheet.write_date_with_format(row, col, excel_date(d)?, format)?;
        }
        _ => {
            sheet.write_blank(row, col, format)?;
        }
    }
    Ok(())
}

fn capability_value<'a>(answer: Option<&'a CapabilityAnswer>, field: &str) -> Value<'a> {
    let Some(a) = answer else {
        return Value::Blank;
    };
    match field {
        "level" => Value::Text(a.level.get_ref()),
        "confidence" => Value::Text(a.confidence.get_ref()),
        "reason" => Value::Text(&a.reason),
        "evidence" => Value::Lines(&a.evidence),
        "target_level" => Value::Text(a.target_level.get_ref()),
        "target_date" => Value::Date(a.target_date.get_ref().0),
        "rationale" => Value::Text(&a.rationale),
        _ => Value::Blank,
    }
}

fn milestone_value<'a>(answer: Option<&'a MilestoneAnswer>, field: &str) -> Value<'a> {
    let Some(a) = answer else {
        return Value::Blank;
    };
    match field {
        "status" => Value::Text(a.status.get_ref()),
        "completed_on" => Value::Date(a.completed_on.get_ref().0),
        "note" => Value::Text(&a.note),
        _ => Value::Blank,
    }
}

/// The column of an input on a domain sheet.
pub fn capability_input_column(levels: usize, input: usize) -> u16 {
    LEADING_COLUMNS + levels as u16 + input as u16
}

#[allow(clippy::too_many_arguments)]
fn domain_sheet(
    sheet: &mut Worksheet,
    fw: &ResolvedFrameworks<'_>,
    response_type: ResponseType,
    domain: &sct_core::model::Domain,
    answers: Option<&ResponseDoc>,
    f: &Formats,
    notes: &mut Notes,
    placed: &mut std::collections::BTreeSet<String>,
) -> Result<(), XlsxError> {
    let toolkit = fw.toolkit;
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "{} {} ({})",
            domain.section,
            domain.title,
            domain.kind.as_str()
        ),
        &f.title,
    )?;
    if !domain.summary.is_empty() {
        sheet.write_string(1, 0, &domain.summary)?;
    }
    sheet.write_string(
        2,
        0,
        "Choose a level for each capability from the dropdown in the Level column (or n/a with a reason); answer cells are yellow.",
    )?;
    let levels = toolkit.levels.len();
    let mut headers: Vec<(String, f64)> =
        vec![(CAPABILITY_ID.into(), 18.0), (CAPABILITY.into(), 30.0)];
    for (i, l) in toolkit.levels.iter().enumerate() {
        headers.push((layout::descriptor_header(i + 1, &l.name), 32.0));
    }
    for input in CAPABILITY_INPUTS {
        headers.push((input.header.into(), input.width));
    }
    for (c, (h, w)) in headers.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, h, &f.header)?;
        sheet.set_column_width(c as u16, *w)?;
    }
    let caps: Vec<_> = domain
        .capabilities
        .iter()
        .filter(|c| response_type == ResponseType::Organisation || c.individual.is_some())
        .collect();
    for (i, cap) in caps.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        let id = cap.id.get_ref();
        let answer = answers.and_then(|a| {
            a.capabilities
                .iter()
                .find(|(k, _)| k.get_ref() == id)
                .map(|(_, v)| v)
        });
        if answer.is_some() {
            placed.insert(id.clone());
        }
        let (title, descriptors): (String, Vec<String>) = match (response_type, &cap.individual) {
            (ResponseType::Individual, Some(ind)) => (
                format!("{}: {}", cap.title, ind.competency),
                toolkit
                    .level_ids()
                    .map(|l| ind.descriptor(l).unwrap_or("").to_string())
                    .collect(),
            ),
            _ => (
                if cap.summary.is_empty() {
                    cap.title.clone()
                } else {
                    format!("{}\n\n{}", cap.title, cap.summary)
                },
                toolkit
                    .level_ids()
                    .map(|l| cap.descriptor(l).unwrap_or("").to_string())
                    .collect(),
            ),
        };
        sheet.write_string_with_format(row, 0, id, &f.id)?;
        sheet.write_string_with_format(row, 1, &title, &f.text)?;
        let mut sizes: Vec<(&str, f64)> = vec![(title.as_str(), 30.0)];
        for (l, d) in descriptors.iter().enumerate() {
            sheet.write_string_with_format(row, LEADING_COLUMNS + l as u16, d, &f.text)?;
            sizes.push((d.as_str(), 32.0));
        }
        for (n, input) in CAPABILITY_INPUTS.iter().enumerate() {
            let value = capability_value(answer, input.field);
            if let Value::Lines(items) = &value
                && items.iter().any(|e| e.contains('\n'))
            {
                notes.push(format!(
                    "an evidence item of {id} holds a line break; in the workbook each line reads back as a separate item"
                ));
            }
            write_input(
                sheet,
                row,
                capability_input_column(levels, n),
                input.kind,
                value,
                f,
            )?;
        }
        sheet.set_row_height(row, row_height(&sizes))?;
    }
    if !caps.is_empty() {
        let (first, last) = (HEADER_ROW + 1, HEADER_ROW + caps.len() as u32);
        let mut names: Vec<String> = toolkit.levels.iter().map(|l| l.name.clone()).collect();
        let targets = names.clone();
        names.push("n/a".into());
        let validations = [
            (
                "level",
                list_validation(
                    &names,
                    "Level",
                    "The level that best describes the capability now, or n/a (then give the reason).",
                )?,
            ),
            (
                "confidence",
                list_validation(
                    &["Low".into(), "Medium".into(), "High".into()],
                    "Confidence",
                    "How sure you are of the level, given the evidence.",
                )?,
            ),
            (
                "target_level",
                list_validation(
                    &targets,
                    "Target level",
                    "The level aimed for (not below the level now).",
                )?,
            ),
            (
                "target_date",
                date_validation(
                    DataValidationRule::GreaterThanOrEqualTo(ExcelDateTime::from_ymd(2000, 1, 1)?),
                    "Enter the date the target level is to be reached, for example 31/03/2027.",
                )?,
            ),
        ];
        for (field, v) in validations {
            if let Some(n) = CAPABILITY_INPUTS.iter().position(|c| c.field == field) {
                let col = capability_input_column(levels, n);
                sheet.add_data_validation(first, col, last, col, &v)?;
            }
        }
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, LEADING_COLUMNS)?;
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    protect(sheet);
    Ok(())
}

fn milestones_sheet(
    sheet: &mut Worksheet,
    round: &sct_core::model::AssessmentRound,
    answers: Option<&ResponseDoc>,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(MILESTONES_SHEET)?;
    sheet.write_string_with_format(0, 0, format!("Milestones of {}", round.title), &f.title)?;
    sheet.write_string(
        1,
        0,
        "Report each milestone's status; give the completion date only when it is complete.",
    )?;
    let mut headers: Vec<(&str, f64)> =
        vec![(MILESTONE_ID, 26.0), ("Milestone", 50.0), ("Due", 40.0)];
    let inputs: &[InputColumn] = &MILESTONE_INPUTS;
    for i in inputs {
        headers.push((i.header, i.width));
    }
    for (c, (h, w)) in headers.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, *h, &f.header)?;
        sheet.set_column_width(c as u16, *w)?;
    }
    for (i, m) in round.milestones.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        let id = m.id.get_ref();
        let answer = answers.and_then(|a| {
            a.milestones
                .iter()
                .find(|(k, _)| k.get_ref() == id)
                .map(|(_, v)| v)
        });
        let due = m
            .due
            .iter()
            .map(|d| format!("{} ({})", d.date.get_ref(), d.as_written))
            .collect::<Vec<_>>()
            .join("\n");
        sheet.write_string_with_format(row, 0, id, &f.id)?;
        sheet.write_string_with_format(row, 1, &m.title, &f.text)?;
        sheet.write_string_with_format(row, 2, &due, &f.text)?;
        for (n, input) in inputs.iter().enumerate() {
            write_input(
                sheet,
                row,
                3 + n as u16,
                input.kind,
                milestone_value(answer, input.field),
                f,
            )?;
        }
        sheet.set_row_height(row, row_height(&[(&m.title, 50.0), (&due, 40.0)]))?;
    }
    if !round.milestones.is_empty() {
        let (first, last) = (HEADER_ROW + 1, HEADER_ROW + round.milestones.len() as u32);
        let statuses: Vec<String> = ["Complete", "On track", "At risk", "Not started"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let status = list_validation(&statuses, "Status", "The milestone's status now.")?;
        sheet.add_data_validation(first, 3, last, 3, &status)?;
        let done = date_validation(
            DataValidationRule::GreaterThanOrEqualTo(ExcelDateTime::from_ymd(2000, 1, 1)?),
            "Enter the date the milestone was completed.",
        )?;
        sheet.add_data_validation(first, 4, last, 4, &done)?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 2)?;
    protect(sheet);
    Ok(())
}

fn metadata(
    sheet: &mut Worksheet,
    fw: &ResolvedFrameworks<'_>,
    response_type: ResponseType,
    answers: Option<&ResponseDoc>,
) -> Result<(), XlsxError> {
    sheet.set_name(METADATA_SHEET)?;
    let written = |field: Option<&sct_core::model::Spanned<String>>| {
        field.map(|s| s.get_ref().clone()).unwrap_or_default()
    };
    // A template records what `sct template` writes in TOML: the round (or the toolkit) and
    // the toolkit's version.
    let (round, framework, version) = match answers {
        Some(doc) => (
            written(doc.round.as_ref()),
            written(doc.framework.as_ref()),
            written(doc.framework_version.as_ref()),
        ),
        None => match fw.round {
            Some((f, _)) => (
                f.id().to_string(),
                String::new(),
                fw.toolkit_file.version().to_string(),
            ),
            None => (
                String::new(),
                fw.toolkit_file.id().to_string(),
                fw.toolkit_file.version().to_string(),
            ),
        },
    };
    let rows: Vec<(&str, String)> = vec![
        (meta::FORMAT, layout::FORMAT.to_string()),
        (meta::MADE_BY, format!("sct {SCT_VERSION}")),
        (meta::RESPONSE_TYPE, response_type.as_str().to_string()),
        (meta::TOOLKIT_ID, fw.toolkit_file.id().to_string()),
        (meta::TOOLKIT_VERSION, fw.toolkit_file.version().to_string()),
        (meta::TOOLKIT_SHA256, fw.toolkit_file.source.sha256.clone()),
        (
            meta::ROUND_ID,
            fw.round
                .map(|(f, _)| f.id().to_string())
                .unwrap_or_default(),
        ),
        (
            meta::ROUND_VERSION,
            fw.round
                .map(|(f, _)| f.version().to_string())
                .unwrap_or_default(),
        ),
        (
            meta::ROUND_SHA256,
            fw.round
                .map(|(f, _)| f.source.sha256.clone())
                .unwrap_or_default(),
        ),
        (meta::RESPONSE_ROUND, round),
        (meta::RESPONSE_FRAMEWORK, framework),
        (meta::RESPONSE_FRAMEWORK_VERSION, version),
    ];
    sheet.set_column_width(0, 28.0)?;
    sheet.set_column_width(1, 70.0)?;
    for (r, (k, v)) in rows.iter().enumerate() {
        sheet.write_string(r as u32, 0, *k)?;
        sheet.write_string(r as u32, 1, v)?;
    }
    sheet.set_hidden(true);
    protect(sheet);
    Ok(())
}

/// Where the writer puts one answer of a capability (`field` is a response field such as
/// `level` or `target_date`): the sheet's name, and the zero-based row and column. `None` for
/// a capability the workbook has no row for. Lets a program fill a template in place.
pub fn answer_cell(
    toolkit: &sct_core::model::CapabilityToolkit,
    response_type: ResponseType,
    capability: &str,
    field: &str,
) -> Option<(String, u32, u16)> {
    let input = CAPABILITY_INPUTS.iter().position(|c| c.field == field)?;
    for (domain, sheet) in layout::domain_sheets(toolkit, response_type) {
        let row = domain
            .capabilities
            .iter()
            .filter(|c| response_type == ResponseType::Organisation || c.individual.is_some())
            .position(|c| c.id.get_ref() == capability);
        if let Some(i) = row {
            return Some((
                sheet,
                HEADER_ROW + 1 + i as u32,
                capability_input_column(toolkit.levels.len(), input),
            ));
        }
    }
    None
}

/// Where the writer puts a detail of the organisation sheet (`key` as in
/// [`layout::detail_rows`], such as `organisation.ods_code`): row and column.
pub fn detail_cell(response_type: ResponseType, key: &str) -> Option<(u32, u16)> {
    layout::detail_rows(response_type)
        .iter()
        .position(|r| r.key == key)
        .map(|i| (DETAIL_HEADER_ROW + 1 + i as u32, 2))
}

/// Where the writer puts a milestone's answer (`field`: `status`, `completed_on`, `note`).
pub fn milestone_cell(
    round: &sct_core::model::AssessmentRound,
    milestone: &str,
    field: &str,
) -> Option<(u32, u16)> {
    let input = MILESTONE_INPUTS.iter().position(|c| c.field == field)?;
    let row = round
        .milestones
        .iter()
        .position(|m| m.id.get_ref() == milestone)?;
    Some((HEADER_ROW + 1 + row as u32, 3 + input as u16))
}
