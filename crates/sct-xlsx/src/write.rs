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
//!
//! Answers are written as [`crate::text`] says, so that any text reads back as it was: as typed
//! in the common case, quoted where it would otherwise read differently, and continued on a
//! "More text" sheet (made only when needed) where it is longer than a cell holds. A response
//! whose text would not read back within the reader's [`Limits`] is refused, naming its longest
//! texts.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, ProtectionOptions, Workbook, Worksheet,
    XlsxError,
};

use sct_core::model::{CapabilityAnswer, Date, MilestoneAnswer, ResponseDoc, ResponseType};
use sct_core::provenance::SCT_VERSION;
use sct_core::validate::ResolvedFrameworks;

use crate::layout::{
    self, ANSWER_COLUMN, ANSWER_ID, CAPABILITY, CAPABILITY_ID, CAPABILITY_INPUTS, CONTINUED_TEXT,
    CellKind, DetailRow, INSTRUCTIONS_SHEET, InputColumn, KEY, METADATA_SHEET, MILESTONE_ID,
    MILESTONE_INPUTS, MILESTONES_SHEET, MORE_TEXT_SHEET, ORGANISATION_SHEET, VALUE, meta,
};
use crate::limits::Limits;
use crate::text::{CELL_LIMIT, encode_lines, encode_text, excel_len, split_for_cells};

/// Building the workbook failed.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    /// The spreadsheet library refused something (a text too long for a cell, say).
    #[error("cannot build the workbook: {0}")]
    Xlsx(#[from] XlsxError),
    /// The response answers capabilities or milestones the workbook has no row for.
    #[error("the response cannot be laid out as a workbook: {0}")]
    Unplaced(String),
    /// A field that cannot continue on the "More text" sheet is longer than a cell holds.
    #[error(
        "{field} is {length} characters long, more than the {limit} an Excel cell holds; the workbook cannot carry it"
    )]
    TooLong {
        /// The response field, as its TOML key.
        field: String,
        /// Its length (UTF-16 units, as Excel counts).
        length: usize,
        /// [`CELL_LIMIT`].
        limit: usize,
    },
    /// The response holds more text than a workbook sct reads back may.
    #[error(
        "{} and the rest are more text than a workbook sct reads back may hold ({reason}); keep this response as TOML or JSON",
        longest_list(.longest)
    )]
    TooMuchText {
        /// What would be over the reader's bounds.
        reason: String,
        /// The longest texts: their fields (as TOML keys) and lengths, longest first.
        longest: Vec<(String, usize)>,
    },
}

fn longest_list(longest: &[(String, usize)]) -> String {
    longest
        .iter()
        .map(|(field, n)| format!("{field} ({n} characters)"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The answers' texts as they are written: the parts continuing on the "More text" sheet,
/// each text's length (to name the longest if the workbook is refused) and the notes.
#[derive(Debug, Default)]
struct Texts {
    continued: Vec<Continued>,
    lengths: Vec<(String, usize)>,
    notes: Notes,
}

impl Texts {
    /// The three longest texts, longest first.
    fn longest(&self) -> Vec<(String, usize)> {
        let mut all = self.lengths.clone();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all.truncate(3);
        all
    }
}

/// An answer longer than a cell holds: the parts after the first.
#[derive(Debug)]
struct Continued {
    id: String,
    column: &'static str,
    parts: Vec<String>,
}

/// Where an answer goes: its cell, and the id, column header and field that name it.
struct Answer<'a> {
    row: u32,
    col: u16,
    id: &'a str,
    column: &'static str,
    /// The response field, as its TOML key (`capabilities.ID.rationale`).
    field: String,
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

/// Paper size 9 is A4 in the OOXML page set-up.
const A4: u8 = 9;

/// Sets a sheet up to print on A4, one page wide (as many tall as it needs), with its header
/// row (when it has one) repeated on every page and page numbers in the footer: a team
/// prints the workbook to discuss it, and nothing should be cut off the right-hand side.
fn print_setup(
    sheet: &mut Worksheet,
    header_row: Option<u32>,
    landscape: bool,
) -> Result<(), XlsxError> {
    sheet.set_paper_size(A4);
    if landscape {
        sheet.set_landscape();
    } else {
        sheet.set_portrait();
    }
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    sheet.set_footer("&L&A&RPage &P of &N");
    if let Some(row) = header_row {
        sheet.set_repeat_rows(row, row)?;
    }
    Ok(())
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
/// telling the user (an answer longer than a cell holds continues on the "More text" sheet).
pub fn build_workbook(
    fw: &ResolvedFrameworks<'_>,
    response_type: ResponseType,
    answers: Option<&ResponseDoc>,
) -> Result<(Workbook, Notes), WorkbookError> {
    let (book, texts) = build(fw, response_type, answers)?;
    Ok((book, texts.notes))
}

/// The workbook and the texts written into it.
fn build(
    fw: &ResolvedFrameworks<'_>,
    response_type: ResponseType,
    answers: Option<&ResponseDoc>,
) -> Result<(Workbook, Texts), WorkbookError> {
    let formats = Formats::new();
    let mut texts = Texts::default();
    let mut book = Workbook::new();
    let title = workbook_title(fw, response_type);
    book.set_properties(&properties(fw, answers, &title)?);

    let sheets = layout::domain_sheets(fw.toolkit, response_type);
    instructions(
        book.add_worksheet(),
        fw,
        response_type,
        &title,
        &sheets,
        &formats,
    )?;
    organisation(
        book.add_worksheet(),
        fw,
        response_type,
        answers,
        &formats,
        &mut texts,
    )?;

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
            &mut texts,
            &mut placed,
        )?;
    }
    let milestones = match (fw.round, response_type) {
        (Some((_, r)), ResponseType::Organisation) if !r.milestones.is_empty() => Some(r),
        _ => None,
    };
    if let Some(round) = milestones {
        milestones_sheet(book.add_worksheet(), round, answers, &formats, &mut texts)?;
    }
    if let Some(doc) = answers {
        check_placed(fw, response_type, doc, &placed, milestones)?;
    }
    if !texts.continued.is_empty() {
        let limits = Limits::for_toolkit(fw.toolkit, fw.round.map(|(_, r)| r));
        more_text_sheet(book.add_worksheet(), &texts, &limits, &formats)?;
    }
    metadata(book.add_worksheet(), fw, response_type, answers)?;
    Ok((book, texts))
}

fn workbook_title(fw: &ResolvedFrameworks<'_>, response_type: ResponseType) -> String {
    format!(
        "{}: {}",
        fw.round
            .map(|(_, r)| r.title.as_str())
            .unwrap_or(fw.toolkit.title.as_str()),
        match response_type {
            ResponseType::Organisation => "organisation self-assessment",
            ResponseType::Individual => "individual self-assessment",
        }
    )
}

/// The document properties, dated from the response (or the round), never the clock.
fn properties(
    fw: &ResolvedFrameworks<'_>,
    answers: Option<&ResponseDoc>,
    title: &str,
) -> Result<DocProperties, XlsxError> {
    let created = answers
        .and_then(|a| a.assessed.as_ref())
        .and_then(|a| a.get_ref().0)
        .or(fw.round.map(|(_, r)| *r.window.opens.get_ref()));
    let created = match created {
        Some(d) => excel_date(d)?,
        None => ExcelDateTime::from_ymd(2000, 1, 1)?,
    };
    Ok(DocProperties::new()
        .set_title(title)
        .set_author("sct")
        .set_creation_datetime(&created))
}

/// Refuses answers to capabilities or milestones the workbook has no row for.
fn check_placed(
    fw: &ResolvedFrameworks<'_>,
    response_type: ResponseType,
    doc: &ResponseDoc,
    placed: &std::collections::BTreeSet<String>,
    milestones: Option<&sct_core::model::AssessmentRound>,
) -> Result<(), WorkbookError> {
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
    let known =
        |id: &str| milestones.is_some_and(|r| r.milestones.iter().any(|m| m.id.get_ref() == id));
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
    Ok(())
}

/// The workbook's bytes (see [`build_workbook`]). A response whose text would not read back
/// within the reader's bounds is refused, naming its longest texts.
pub fn response_workbook(
    fw: &ResolvedFrameworks<'_>,
    response_type: ResponseType,
    answers: Option<&ResponseDoc>,
) -> Result<(Vec<u8>, Notes), WorkbookError> {
    let (mut book, mut texts) = build(fw, response_type, answers)?;
    if let Some(doc) = answers {
        texts.notes.extend(team_left_out(doc));
    }
    let bytes = book.save_to_buffer()?;
    if answers.is_some() {
        let limits = Limits::for_toolkit(fw.toolkit, fw.round.map(|(_, r)| r));
        if let Err(e) = crate::ooxml::read_book(&bytes, &limits) {
            return Err(WorkbookError::TooMuchText {
                reason: e.to_string(),
                longest: texts.longest(),
            });
        }
    }
    Ok((bytes, texts.notes))
}

/// The team tables a workbook has no cells for (it carries the rater and the stage only): a
/// note naming each, so that nobody takes the workbook for the whole record.
fn team_left_out(doc: &ResponseDoc) -> Option<String> {
    let tables: Vec<&str> = [
        ("[moderation]", doc.moderation.is_some()),
        ("[approval]", doc.approval.is_some()),
        ("[previous]", doc.previous.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect();
    (!tables.is_empty()).then(|| {
        format!(
            "the workbook does not carry the response's {}: keep the TOML or JSON as the record of them",
            tables.join(", ")
        )
    })
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
    print_setup(sheet, None, false)?;
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
    let steps = steps(fw, response_type, domains);
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
    for note in good_to_know(fw) {
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

/// The numbered steps of the instructions sheet.
fn steps(
    fw: &ResolvedFrameworks<'_>,
    response_type: ResponseType,
    domains: &[(&sct_core::model::Domain, String)],
) -> Vec<String> {
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
    steps
}

/// The notes of the instructions sheet: how the workbook is read, how a text that a cell
/// cannot show as it is gets written, and the hidden sheet.
fn good_to_know(fw: &ResolvedFrameworks<'_>) -> Vec<String> {
    vec![
        "Answer cells are yellow; the rest of each sheet is locked (protected without a password, so you can unprotect it to change the layout). Blank answers are not errors: they lower coverage.".to_string(),
        "sct finds each column by its header and each capability by the id in its first column, so you may move, widen or hide columns and sort rows; keep the header texts and ids as they are, do not merge answer cells and do not put formulas in them.".to_string(),
        "Evidence is one item a line; blank lines are ignored. To keep a text exactly as it is (an evidence item with a line break in it, an empty or blank item, control characters), write it in double quotes with JSON escapes: \"first line\\nsecond line\", \"\" for an empty item, \\\" for a quote and \\\\ for a backslash. A cell, or a line of an evidence cell, that is exactly such a quoted text reads as the text it spells; sct writes answers this way only where it must.".to_string(),
        format!(
            "A cell holds at most {CELL_LIMIT} characters. A longer answer continues on a sheet headed \"{ANSWER_ID}\", \"{ANSWER_COLUMN}\" and \"{CONTINUED_TEXT}\" (sct adds one, \"{MORE_TEXT_SHEET}\", when it writes such an answer): each row's text follows the answer named by its id (the capability or milestone id, or the key on the {ORGANISATION_SHEET} sheet) and its column's header, in row order, with nothing added between."
        ),
        format!(
            "The hidden sheet \"{METADATA_SHEET}\" ties this workbook to {} {} (and its checksum): keep it. A workbook made from another version of the toolkit is refused with both versions named.",
            fw.toolkit_file.id(),
            fw.toolkit_file.version()
        ),
    ]
}

fn organisation(
    sheet: &mut Worksheet,
    fw: &ResolvedFrameworks<'_>,
    response_type: ResponseType,
    answers: Option<&ResponseDoc>,
    f: &Formats,
    texts: &mut Texts,
) -> Result<(), WorkbookError> {
    sheet.set_name(ORGANISATION_SHEET)?;
    print_setup(sheet, Some(DETAIL_HEADER_ROW), true)?;
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
        let answer = Answer {
            row,
            col: 2,
            id: r.key,
            column: VALUE,
            field: r.key.to_string(),
        };
        write_input(sheet, &answer, r.kind, detail_value(answers, r), f, texts)?;
        sheet.set_row_height(row, row_height(&[(&guidance, 60.0)]))?;
        if let Some(v) = detail_validation(fw, r)? {
            sheet.add_data_validation(row, 2, row, 2, &v)?;
        }
    }
    sheet.set_freeze_panes(DETAIL_HEADER_ROW + 1, 0)?;
    protect(sheet);
    Ok(())
}

/// The check on an organisation-sheet value: a date within the round's window, a stage from
/// the list.
fn detail_validation(
    fw: &ResolvedFrameworks<'_>,
    r: &DetailRow,
) -> Result<Option<DataValidation>, XlsxError> {
    if r.key == layout::STATUS_KEY {
        let stages: Vec<String> = sct_core::model::Stage::ALL
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        return list_validation(
            &stages,
            "Status",
            "Where the response is: draft, submitted, moderated or approved.",
        )
        .map(Some);
    }
    if r.kind != CellKind::Date {
        return Ok(None);
    }
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
    Ok(Some(v))
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
        "rater.name" => Value::Text(doc.rater.as_ref().map_or("", |r| r.name.as_str())),
        "rater.role" => Value::Text(doc.rater.as_ref().map_or("", |r| r.role.as_str())),
        "rater.email" => Value::Text(doc.rater.as_ref().map_or("", |r| r.email.as_str())),
        layout::STATUS_KEY => Value::Text(
            doc.status
                .as_ref()
                .map_or("", |s| s.stage.get_ref().as_str()),
        ),
        _ => Value::Blank,
    }
}

/// Writes an answer cell: a date as a date, a text encoded so that it reads back as it is
/// (the parts past a cell's limit kept for the "More text" sheet).
fn write_input(
    sheet: &mut Worksheet,
    answer: &Answer<'_>,
    kind: CellKind,
    value: Value<'_>,
    f: &Formats,
    texts: &mut Texts,
) -> Result<(), WorkbookError> {
    let format = f.input_for(kind);
    let (row, col) = (answer.row, answer.col);
    let text = match value {
        Value::Text(s) if !s.is_empty() => encode_text(s),
        Value::Lines(items) if !items.is_empty() => encode_lines(items),
        Value::Date(Some(d)) => {
            sheet.write_date_with_format(row, col, excel_date(d)?, format)?;
            return Ok(());
        }
        _ => {
            sheet.write_blank(row, col, format)?;
            return Ok(());
        }
    };
    let length = excel_len(&text);
    texts.lengths.push((answer.field.clone(), length));
    let mut parts = split_for_cells(&text).into_iter();
    sheet.write_string_with_format(row, col, parts.next().unwrap_or(""), format)?;
    let rest: Vec<String> = parts.map(str::to_string).collect();
    if !rest.is_empty() {
        texts.notes.push(format!(
            "{} is {length} characters long, more than a cell holds: its cell shows the first {CELL_LIMIT} and the rest continue on the \"{MORE_TEXT_SHEET}\" sheet",
            answer.field
        ));
        texts.continued.push(Continued {
            id: answer.id.to_string(),
            column: answer.column,
            parts: rest,
        });
    }
    Ok(())
}

/// The "More text" sheet: a row for each part of an answer past its cell, in order.
fn more_text_sheet(
    sheet: &mut Worksheet,
    texts: &Texts,
    limits: &Limits,
    f: &Formats,
) -> Result<(), WorkbookError> {
    sheet.set_name(MORE_TEXT_SHEET)?;
    print_setup(sheet, Some(HEADER_ROW), true)?;
    sheet.write_string_with_format(0, 0, "Answers continued", &f.title)?;
    sheet.write_string(
        1,
        0,
        "Each row continues the answer named by its id and column: its text follows the answer's cell and the rows above it, with nothing added between.",
    )?;
    for (c, (h, w)) in [
        (ANSWER_ID, 30.0),
        (ANSWER_COLUMN, 26.0),
        (CONTINUED_TEXT, 100.0),
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(HEADER_ROW, c as u16, *h, &f.header)?;
        sheet.set_column_width(c as u16, *w)?;
    }
    let mut row = HEADER_ROW + 1;
    for c in &texts.continued {
        for part in &c.parts {
            if row >= limits.rows {
                return Err(WorkbookError::TooMuchText {
                    reason: format!(
                        "its long answers need more than the {} rows the \"{MORE_TEXT_SHEET}\" sheet may have",
                        limits.rows - HEADER_ROW - 1
                    ),
                    longest: texts.longest(),
                });
            }
            sheet.write_string_with_format(row, 0, &c.id, &f.id)?;
            sheet.write_string_with_format(row, 1, c.column, &f.id)?;
            sheet.write_string_with_format(row, 2, part, &f.text)?;
            sheet.set_row_height(row, row_height(&[(part, 100.0)]))?;
            row += 1;
        }
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
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
    texts: &mut Texts,
    placed: &mut std::collections::BTreeSet<String>,
) -> Result<(), WorkbookError> {
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
    let carried = answers.is_some_and(|d| d.capabilities.values().any(|a| a.carried_over));
    if carried {
        headers.push((
            layout::CARRIED_OVER.header.into(),
            layout::CARRIED_OVER.width,
        ));
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
        let (title, descriptors) = capability_text(toolkit, response_type, cap);
        sheet.write_string_with_format(row, 0, id, &f.id)?;
        sheet.write_string_with_format(row, 1, &title, &f.text)?;
        let mut sizes: Vec<(&str, f64)> = vec![(title.as_str(), 30.0)];
        for (l, d) in descriptors.iter().enumerate() {
            sheet.write_string_with_format(row, LEADING_COLUMNS + l as u16, d, &f.text)?;
            sizes.push((d.as_str(), 32.0));
        }
        capability_answers(sheet, (row, levels), id, answer, f, texts)?;
        if carried {
            carried_flag(sheet, (row, levels), id, answer, f, texts)?;
        }
        sheet.set_row_height(row, row_height(&sizes))?;
    }
    if !caps.is_empty() {
        capability_validations(
            sheet,
            toolkit,
            HEADER_ROW + 1,
            HEADER_ROW + caps.len() as u32,
        )?;
    }
    if carried && !caps.is_empty() {
        let col = capability_input_column(levels, CAPABILITY_INPUTS.len());
        let v = list_validation(
            &["yes".into()],
            "Carried over",
            "yes: carried over from the last round and not yet reviewed. Clear it once reviewed.",
        )?;
        sheet.add_data_validation(HEADER_ROW + 1, col, HEADER_ROW + caps.len() as u32, col, &v)?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, LEADING_COLUMNS)?;
    print_setup(sheet, Some(HEADER_ROW), true)?;
    protect(sheet);
    Ok(())
}

/// The answer cells of a capability's row (given with the toolkit's number of levels, which
/// places the answer columns).
fn capability_answers(
    sheet: &mut Worksheet,
    (row, levels): (u32, usize),
    id: &str,
    answer: Option<&CapabilityAnswer>,
    f: &Formats,
    texts: &mut Texts,
) -> Result<(), WorkbookError> {
    for (n, input) in CAPABILITY_INPUTS.iter().enumerate() {
        let place = Answer {
            row,
            col: capability_input_column(levels, n),
            id,
            column: input.header,
            field: format!("capabilities.{id}.{}", input.field),
        };
        let value = capability_value(answer, input.field);
        write_input(sheet, &place, input.kind, value, f, texts)?;
    }
    Ok(())
}

/// The "Carried over" cell of a capability's row: `yes` for an answer carried over.
fn carried_flag(
    sheet: &mut Worksheet,
    (row, levels): (u32, usize),
    id: &str,
    answer: Option<&CapabilityAnswer>,
    f: &Formats,
    texts: &mut Texts,
) -> Result<(), WorkbookError> {
    let input = layout::CARRIED_OVER;
    let place = Answer {
        row,
        col: capability_input_column(levels, CAPABILITY_INPUTS.len()),
        id,
        column: input.header,
        field: format!("capabilities.{id}.{}", input.field),
    };
    let value = match answer {
        Some(a) if a.carried_over => Value::Text("yes"),
        _ => Value::Blank,
    };
    write_input(sheet, &place, input.kind, value, f, texts)
}

/// A capability's title (with its summary, or the individual competency) and its level
/// descriptors, as a domain sheet shows them.
fn capability_text(
    toolkit: &sct_core::model::CapabilityToolkit,
    response_type: ResponseType,
    cap: &sct_core::model::Capability,
) -> (String, Vec<String>) {
    match (response_type, &cap.individual) {
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
    }
}

/// The dropdowns and date checks of a domain sheet's answer columns, rows `first` to `last`.
fn capability_validations(
    sheet: &mut Worksheet,
    toolkit: &sct_core::model::CapabilityToolkit,
    first: u32,
    last: u32,
) -> Result<(), XlsxError> {
    let levels = toolkit.levels.len();
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
    Ok(())
}

fn milestones_sheet(
    sheet: &mut Worksheet,
    round: &sct_core::model::AssessmentRound,
    answers: Option<&ResponseDoc>,
    f: &Formats,
    texts: &mut Texts,
) -> Result<(), WorkbookError> {
    sheet.set_name(MILESTONES_SHEET)?;
    print_setup(sheet, Some(HEADER_ROW), true)?;
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
            let place = Answer {
                row,
                col: 3 + n as u16,
                id,
                column: input.header,
                field: format!("milestones.{id}.{}", input.field),
            };
            let value = milestone_value(answer, input.field);
            write_input(sheet, &place, input.kind, value, f, texts)?;
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
) -> Result<(), WorkbookError> {
    sheet.set_name(METADATA_SHEET)?;
    print_setup(sheet, None, false)?;
    // The response's own fields keep their text exactly, as answers do; they have no "More
    // text" rows, so one longer than a cell is refused.
    let written = |field: Option<&sct_core::model::Spanned<String>>, name: &str| {
        let text = encode_text(field.map(|s| s.get_ref().as_str()).unwrap_or(""));
        let length = excel_len(&text);
        if length > CELL_LIMIT {
            return Err(WorkbookError::TooLong {
                field: name.to_string(),
                length,
                limit: CELL_LIMIT,
            });
        }
        Ok(text)
    };
    // A template records what `sct template` writes in TOML: the round (or the toolkit) and
    // the toolkit's version.
    let (round, framework, version) = match answers {
        Some(doc) => (
            written(doc.round.as_ref(), "round")?,
            written(doc.framework.as_ref(), "framework")?,
            written(doc.framework_version.as_ref(), "framework_version")?,
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
    let mut rows = rows;
    // The response carried over from, kept with the workbook's provenance (not to edit).
    if let Some(p) = answers.and_then(|d| d.previous.as_ref()) {
        let values = [&p.round, &p.ods_code, &p.file, &p.sha256];
        for (key, value) in layout::PREVIOUS_KEYS.iter().zip(values) {
            rows.push((previous_key(key), value.clone()));
        }
    }
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

/// The metadata key of a `[previous]` field (`previous.file`).
fn previous_key(field: &str) -> &'static str {
    match field {
        "round" => "previous.round",
        "ods_code" => "previous.ods_code",
        "file" => "previous.file",
        _ => "previous.sha256",
    }
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
