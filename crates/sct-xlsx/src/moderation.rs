//! The moderation workbook: a moderation record ([`sct_core::moderation_record`]) as the
//! workbook a moderator fills in and emails, and the reader that brings it back with every
//! value's cell, so that `sct moderate apply` names the cell of any problem.
//!
//! Sheets: Instructions; Raters (the organisation, round and toolkit, then each rater with
//! their file and its SHA-256); Moderation (the moderator's name, role and date, then one row
//! per capability: each rater's level and confidence, the spread, median, flags, the evidence
//! pooled with who cited it, and the moderator's agreed level, rationale and evidence
//! accepted); and the hidden `sct` sheet saying what the workbook is. Every cell but the
//! moderator's is locked (sheets protected without a password, against accidents); the
//! moderator's cells are unlocked and shaded, the agreed level with a dropdown of the levels.
//! The layout is fixed (protection keeps columns and rows from being inserted), so the reader
//! reads by position.

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DocProperties, ExcelDateTime, Format, FormatAlign,
    FormatBorder, ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use sct_core::model::{CapabilityToolkit, Date};
use sct_core::moderation_record::{
    CapabilityRow, Field, ModeratorRow, RaterRow, ReadRecord, Record,
};
use sct_core::{Diagnostic, Diagnostics};

use crate::layout::{METADATA_SHEET, cell_ref};
use crate::limits::Limits;
use crate::ooxml::{Sheet, Value, read_book};
use crate::write::WorkbookError;

/// The hidden sheet's format value.
pub const FORMAT: &str = "sct-moderation-workbook/1";
/// The raters sheet.
pub const RATERS_SHEET: &str = "Raters";
/// The moderation sheet.
pub const MODERATION_SHEET: &str = "Moderation";
/// The instructions sheet.
pub const INSTRUCTIONS_SHEET: &str = "Instructions";

/// Row (zero-based) of the first detail on the raters sheet (organisation, ODS code, round,
/// toolkit, version).
const DETAILS_ROW: u32 = 2;
/// Row of the raters' header.
const RATERS_HEADER: u32 = 9;
/// Rows of the moderator's name, role and date on the moderation sheet.
const MODERATOR_ROW: u32 = 2;
/// Row of the capabilities' header.
const HEADER_ROW: u32 = 6;
/// Columns before the raters' on the moderation sheet: domain, id, title.
const LEADING: u16 = 3;
/// Columns after the raters': spread, median, flags, evidence, agreed, rationale, accepted.
const TRAILING: [&str; 7] = [
    "Spread",
    "Median",
    "Flags",
    "Evidence (cited by)",
    "Agreed level",
    "Rationale",
    "Evidence accepted",
];

/// The bounds a moderation workbook is read within: far more raters and capabilities than a
/// moderation has, far less than could cost memory.
const LIMITS: Limits = Limits {
    rows: 2_000,
    columns: 200,
    sheets: 20,
    shared_strings: 100_000,
    merges: 1_000,
};

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    input: Format,
    input_date: Format,
    bold: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Formats {
        let border = |f: Format| f.set_border(FormatBorder::Thin).set_border_color("BFBFBF");
        let top = |f: Format| f.set_align(FormatAlign::Top).set_text_wrap();
        let input = || {
            border(top(Format::new()
                .set_unlocked()
                .set_background_color("FFF2CC")))
        };
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            header: border(top(Format::new().set_bold().set_background_color("D9E1F2"))),
            text: border(top(Format::new())),
            input: input().set_num_format("@"),
            input_date: input().set_num_format("yyyy-mm-dd"),
            bold: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

/// Prints on A4, one page wide, so that nothing is cut off the right-hand side.
fn print_setup(sheet: &mut Worksheet, landscape: bool) {
    sheet.set_paper_size(9);
    if landscape {
        sheet.set_landscape();
    }
    sheet.set_print_fit_to_pages(1, 0);
}

fn protect(sheet: &mut Worksheet) {
    sheet.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::new()
    });
}

/// The moderation workbook of `record`; `made_by` heads the instructions.
pub fn moderation_workbook(
    record: &Record,
    toolkit: &CapabilityToolkit,
    made_by: &str,
) -> Result<Vec<u8>, WorkbookError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("Moderation: {}", record.organisation))
            .set_author("sct")
            .set_creation_datetime(&created),
    );
    instructions(book.add_worksheet(), toolkit, made_by, &f)?;
    raters_sheet(book.add_worksheet(), record, &f)?;
    moderation_sheet(book.add_worksheet(), record, toolkit, &f)?;
    let meta = book.add_worksheet().set_name(METADATA_SHEET)?;
    meta.write_string(0, 0, "format")?;
    meta.write_string(0, 1, FORMAT)?;
    meta.set_hidden(true);
    protect(meta);
    Ok(book.save_to_buffer()?)
}

fn instructions(
    sheet: &mut Worksheet,
    toolkit: &CapabilityToolkit,
    made_by: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(INSTRUCTIONS_SHEET)?;
    print_setup(sheet, false);
    sheet.set_column_width(0, 100.0)?;
    sheet.write_string_with_format(0, 0, "Moderation of the raters' assessments", &f.title)?;
    sheet.write_string(1, 0, made_by)?;
    let steps = [
        "1. On the Moderation sheet, read each capability's row: what each rater said (level and confidence), the spread between the highest and lowest level, the median, the flags (disagreement by two levels or more, a level given without evidence, a capability skipped) and the evidence the raters cited, with who cited it.".to_string(),
        "2. Fill in the shaded cells. Agreed level: chosen from the dropdown (pre-filled with the raters' median, so a row left alone agrees the median). Rationale: why, needed where the agreed level is outside every rater's level, and for n/a (as the reason it does not apply). Evidence accepted: one item a line (pre-filled with every item the raters cited; delete what the meeting did not accept).".to_string(),
        "3. Fill in the moderator's name, role and the date the levels were agreed at the top of the Moderation sheet.".to_string(),
        "4. Keep this workbook in the folder with the raters' files (it names them relative to itself, with their SHA-256), and make the agreed response: sct moderate apply THIS-WORKBOOK.xlsx -o agreed.toml".to_string(),
        "Everything else is locked (protected without a password, against accidents): it says what the raters' files say, and apply checks that it still does. If a rater's file changes, make the workbook again with sct moderate.".to_string(),
        format!("Levels (lowest first): {}; or n/a.", toolkit.level_names()),
    ];
    for (i, step) in steps.iter().enumerate() {
        let row = 3 + i as u32;
        sheet.write_string_with_format(row, 0, step, &f.wrap)?;
        sheet.set_row_height(
            row,
            15.0 * (step.len() as f64 / 120.0).ceil().max(1.0) + 3.0,
        )?;
    }
    protect(sheet);
    sheet.set_active(true);
    Ok(())
}

fn raters_sheet(sheet: &mut Worksheet, record: &Record, f: &Formats) -> Result<(), XlsxError> {
    sheet.set_name(RATERS_SHEET)?;
    print_setup(sheet, true);
    sheet.write_string_with_format(0, 0, "The assessment and its raters", &f.title)?;
    let agreement = record.agreement.map_or_else(
        || "undefined (too few paired ratings)".to_string(),
        |a| format!("{a:.3} (Krippendorff's alpha, ordinal)"),
    );
    let details = [
        ("Organisation", record.organisation.as_str()),
        ("ODS code", &record.ods_code),
        ("Round", &record.round),
        ("Toolkit", &record.framework),
        ("Toolkit version", &record.framework_version),
        ("Agreement", &agreement),
    ];
    for (i, (label, value)) in details.iter().enumerate() {
        let row = DETAILS_ROW + i as u32;
        sheet.write_string_with_format(row, 0, *label, &f.bold)?;
        sheet.write_string_with_format(row, 1, *value, &f.text)?;
        // Excel does not size rows written by a program: room for a long name to wrap.
        let lines = (value.chars().count() / 28 + 1) as f64;
        sheet.set_row_height(row, 15.0 * lines + 2.0)?;
    }
    let widths = [28.0, 30.0, 28.0, 36.0, 68.0];
    for (c, (h, w)) in ["Rater", "Role", "Email", "File", "SHA-256"]
        .iter()
        .zip(widths)
        .enumerate()
    {
        sheet.write_string_with_format(RATERS_HEADER, c as u16, *h, &f.header)?;
        sheet.set_column_width(c as u16, w)?;
    }
    for (i, r) in record.raters.iter().enumerate() {
        let row = RATERS_HEADER + 1 + i as u32;
        for (c, v) in [&r.name, &r.role, &r.email, &r.file, &r.sha256]
            .iter()
            .enumerate()
        {
            sheet.write_string_with_format(row, c as u16, v.as_str(), &f.text)?;
        }
    }
    protect(sheet);
    Ok(())
}

fn moderation_sheet(
    sheet: &mut Worksheet,
    record: &Record,
    toolkit: &CapabilityToolkit,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(MODERATION_SHEET)?;
    let round = if record.round.is_empty() {
        format!("{} {}", record.framework, record.framework_version)
    } else {
        record.round.clone()
    };
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "Moderation: {} ({}), {round}",
            record.organisation, record.ods_code
        ),
        &f.title,
    )?;
    sheet.write_string(
        1,
        0,
        "Fill in the shaded cells; the rest says what the raters' files say.",
    )?;
    let m = &record.moderator;
    for (i, (label, value)) in [("Moderator", &m.name), ("Role", &m.role)]
        .iter()
        .enumerate()
    {
        let row = MODERATOR_ROW + i as u32;
        sheet.write_string_with_format(row, 0, *label, &f.bold)?;
        sheet.merge_range(row, 1, row, 2, value.as_str(), &f.input)?;
    }
    let date_row = MODERATOR_ROW + 2;
    sheet.write_string_with_format(date_row, 0, "Date agreed", &f.bold)?;
    sheet.merge_range(date_row, 1, date_row, 2, "", &f.input_date)?;
    if let Ok(d) = Date::parse(&m.on) {
        sheet.write_date_with_format(
            date_row,
            1,
            ExcelDateTime::parse_from_str(&d.to_string())?,
            &f.input_date,
        )?;
    }
    let raters = record.raters.len() as u16;
    let mut headers: Vec<(String, f64)> = vec![
        ("Domain".into(), 18.0),
        ("Capability id".into(), 22.0),
        ("Capability".into(), 32.0),
    ];
    for r in &record.raters {
        headers.push((format!("{}: level", r.name), 14.0));
        headers.push((format!("{}: confidence", r.name), 12.0));
    }
    let widths = [8.0, 14.0, 30.0, 50.0, 16.0, 40.0, 50.0];
    headers.extend(TRAILING.iter().zip(widths).map(|(h, w)| (h.to_string(), w)));
    for (c, (h, w)) in headers.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, h, &f.header)?;
        sheet.set_column_width(c as u16, *w)?;
    }
    // Room for a rater's name and "confidence" on two or three lines.
    sheet.set_row_height(HEADER_ROW, 45.0)?;
    let trailing = LEADING + 2 * raters;
    for (i, cap) in record.capabilities.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        capability_row(sheet, row, cap, trailing, f)?;
    }
    if !record.capabilities.is_empty() {
        let mut names: Vec<String> = toolkit.levels.iter().map(|l| l.name.clone()).collect();
        names.push("n/a".into());
        let validation = DataValidation::new()
            .allow_list_strings(&names)?
            .set_error_style(DataValidationErrorStyle::Stop)
            .set_error_title("Agreed level")?
            .set_error_message(format!("Choose one of: {}", names.join(", ")))?
            .set_input_title("Agreed level")?
            .set_input_message("The level the moderation agreed (pre-filled with the median)")?;
        let last = HEADER_ROW + record.capabilities.len() as u32;
        sheet.add_data_validation(
            HEADER_ROW + 1,
            trailing + 4,
            last,
            trailing + 4,
            &validation,
        )?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, LEADING)?;
    print_setup(sheet, true);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    protect(sheet);
    Ok(())
}

fn capability_row(
    sheet: &mut Worksheet,
    row: u32,
    cap: &CapabilityRow,
    trailing: u16,
    f: &Formats,
) -> Result<(), XlsxError> {
    for (c, v) in [&cap.domain, &cap.id, &cap.title].iter().enumerate() {
        sheet.write_string_with_format(row, c as u16, v.as_str(), &f.text)?;
    }
    for (i, (level, confidence)) in cap.levels.iter().zip(&cap.confidences).enumerate() {
        let c = LEADING + 2 * i as u16;
        sheet.write_string_with_format(row, c, level, &f.text)?;
        sheet.write_string_with_format(row, c + 1, confidence, &f.text)?;
    }
    match cap.spread.parse::<f64>() {
        Ok(n) => sheet.write_number_with_format(row, trailing, n, &f.text)?,
        Err(_) => sheet.write_blank(row, trailing, &f.text)?,
    };
    let locked = [&cap.median, &cap.flags, &cap.evidence];
    for (i, v) in locked.iter().enumerate() {
        sheet.write_string_with_format(row, trailing + 1 + i as u16, v.as_str(), &f.text)?;
    }
    let inputs = [&cap.agreed, &cap.rationale, &cap.evidence_accepted];
    for (i, v) in inputs.iter().enumerate() {
        let c = trailing + 4 + i as u16;
        if v.is_empty() {
            sheet.write_blank(row, c, &f.input)?;
        } else {
            sheet.write_string_with_format(row, c, v.as_str(), &f.input)?;
        }
    }
    // Programs' rows are not sized by Excel or LibreOffice: room for the tallest cell, each of
    // its lines wrapped at its column's width (a little under, as words do not fill a line).
    let lines = [
        wrapped_lines(&cap.title, 30),
        wrapped_lines(&cap.flags, 28),
        wrapped_lines(&cap.evidence, 46),
        wrapped_lines(&cap.rationale, 36),
        wrapped_lines(&cap.evidence_accepted, 46),
    ]
    .into_iter()
    .max()
    .unwrap_or(1);
    sheet.set_row_height(row, (15.0 * lines as f64 + 3.0).min(409.0))?;
    Ok(())
}

/// How many lines `text` takes in a column about `width` characters wide, each of its own
/// lines wrapped; at least one.
fn wrapped_lines(text: &str, width: usize) -> usize {
    text.lines()
        .map(|line| line.chars().count().div_ceil(width.max(1)).max(1))
        .sum::<usize>()
        .max(1)
}

// ---- Reading ----

/// A cell's text, trimmed of nothing: numbers written whole, dates as `YYYY-MM-DD`.
fn text_of(sheet: &Sheet, row: u32, col: u32) -> String {
    match crate::read::cell_text(sheet.value(row, col)) {
        Ok(Some(s)) => s,
        Ok(None) => String::new(),
        Err(_) => match sheet.value(row, col) {
            Value::Error(e) => e.clone(),
            _ => String::new(),
        },
    }
}

fn field_at(sheet: &Sheet, row: u32, col: u32) -> Field {
    Field::cell(text_of(sheet, row, col), cell_ref(&sheet.name, row, col))
}

fn refuse(name: &str, message: String, expected: &str) -> Diagnostics {
    Diagnostics(vec![
        Diagnostic::error(message)
            .in_file(name)
            .expected(expected.to_string()),
    ])
}

/// Reads a moderation workbook; `name` is used in messages.
pub fn read_moderation_workbook(name: &str, bytes: &[u8]) -> Result<ReadRecord, Diagnostics> {
    let book = read_book(bytes, &LIMITS).map_err(|e| {
        refuse(
            name,
            e.to_string(),
            "a moderation workbook made by `sct moderate`",
        )
    })?;
    let sheet = |wanted: &str| book.sheets.iter().find(|s| s.name == wanted);
    let is_moderation = sheet(METADATA_SHEET).is_some_and(|s| text_of(s, 0, 1) == FORMAT);
    let (Some(raters), Some(moderation), true) =
        (sheet(RATERS_SHEET), sheet(MODERATION_SHEET), is_moderation)
    else {
        return Err(refuse(
            name,
            "this is not a moderation workbook (it has no Raters and Moderation sheets, or no hidden sct sheet saying it is one)".into(),
            "a workbook made by `sct moderate RESPONSES... -o FILE.xlsx`, its sheets kept as they are",
        ));
    };
    let detail = |i: u32| field_at(raters, DETAILS_ROW + i, 1);
    let mut rater_rows = Vec::new();
    let mut row = RATERS_HEADER + 1;
    while !text_of(raters, row, 0).trim().is_empty() && row < LIMITS.rows {
        let at = |c| field_at(raters, row, c);
        rater_rows.push(RaterRow {
            name: at(0),
            role: at(1),
            email: at(2),
            file: at(3),
            sha256: at(4),
        });
        row += 1;
    }
    let capabilities = read_capabilities(moderation, rater_rows.len() as u32);
    let moderator = ModeratorRow {
        name: field_at(moderation, MODERATOR_ROW, 1),
        role: field_at(moderation, MODERATOR_ROW + 1, 1),
        on: field_at(moderation, MODERATOR_ROW + 2, 1),
    };
    Ok(ReadRecord {
        name: name.to_string(),
        source: None,
        record: Record {
            organisation: detail(0),
            ods_code: detail(1),
            round: detail(2),
            framework: detail(3),
            framework_version: detail(4),
            agreement: None,
            raters: rater_rows,
            capabilities,
            moderator,
        },
    })
}

fn read_capabilities(sheet: &Sheet, raters: u32) -> Vec<CapabilityRow<Field>> {
    let trailing = u32::from(LEADING) + 2 * raters;
    let last = sheet.extent().map_or(0, |(_, end)| end.0);
    (HEADER_ROW + 1..=last)
        .filter(|&row| !text_of(sheet, row, 1).trim().is_empty())
        .map(|row| {
            let at = |c| field_at(sheet, row, c);
            CapabilityRow {
                domain: at(0),
                id: at(1),
                title: at(2),
                levels: (0..raters)
                    .map(|i| at(u32::from(LEADING) + 2 * i))
                    .collect(),
                confidences: (0..raters)
                    .map(|i| at(u32::from(LEADING) + 2 * i + 1))
                    .collect(),
                spread: at(trailing),
                median: at(trailing + 1),
                flags: at(trailing + 2),
                evidence: at(trailing + 3),
                agreed: at(trailing + 4),
                rationale: at(trailing + 5),
                evidence_accepted: at(trailing + 6),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sct_core::moderation_record::Place;

    fn toolkit() -> CapabilityToolkit {
        let sct = sct_core::Sct::bundled().expect("bundled frameworks");
        sct.registry
            .get("capability-toolkit", None)
            .ok()
            .and_then(|f| f.as_toolkit())
            .expect("toolkit")
            .clone()
    }

    fn record() -> Record {
        let cap = |id: &str, levels: [&str; 2]| CapabilityRow {
            domain: "d".into(),
            id: id.into(),
            title: format!("Title of {id}"),
            levels: levels.iter().map(|s| s.to_string()).collect(),
            confidences: vec!["high".into(), String::new()],
            spread: "1".into(),
            median: levels[0].into(),
            flags: "no evidence from B".into(),
            evidence: "Plan (A)".into(),
            agreed: levels[0].into(),
            rationale: String::new(),
            evidence_accepted: "Plan".into(),
        };
        let rater = |name: &str| RaterRow {
            name: name.into(),
            role: "Director".into(),
            email: String::new(),
            file: format!("{name}.toml"),
            sha256: "ab".repeat(32),
        };
        Record {
            organisation: "Org".into(),
            ods_code: "QUY".into(),
            round: "baseline-2026-03".into(),
            framework: "capability-toolkit".into(),
            framework_version: "1.0.0".into(),
            agreement: Some(0.5),
            raters: vec![rater("A"), rater("B")],
            capabilities: vec![
                cap("x", ["Developing", "Embedding"]),
                cap("y", ["Starting out", ""]),
            ],
            moderator: ModeratorRow {
                name: "M".into(),
                role: "Chair".into(),
                on: "2026-03-24".into(),
            },
        }
    }

    /// What a record read says, without where.
    fn texts(r: &Record<Field>) -> Record {
        let t = |f: &Field| f.text.clone();
        Record {
            organisation: t(&r.organisation),
            ods_code: t(&r.ods_code),
            round: t(&r.round),
            framework: t(&r.framework),
            framework_version: t(&r.framework_version),
            agreement: Some(0.5),
            raters: r
                .raters
                .iter()
                .map(|x| RaterRow {
                    name: t(&x.name),
                    role: t(&x.role),
                    email: t(&x.email),
                    file: t(&x.file),
                    sha256: t(&x.sha256),
                })
                .collect(),
            capabilities: r
                .capabilities
                .iter()
                .map(|c| CapabilityRow {
                    domain: t(&c.domain),
                    id: t(&c.id),
                    title: t(&c.title),
                    levels: c.levels.iter().map(t).collect(),
                    confidences: c.confidences.iter().map(t).collect(),
                    spread: t(&c.spread),
                    median: t(&c.median),
                    flags: t(&c.flags),
                    evidence: t(&c.evidence),
                    agreed: t(&c.agreed),
                    rationale: t(&c.rationale),
                    evidence_accepted: t(&c.evidence_accepted),
                })
                .collect(),
            moderator: ModeratorRow {
                name: t(&r.moderator.name),
                role: t(&r.moderator.role),
                on: t(&r.moderator.on),
            },
        }
    }

    #[test]
    fn a_long_line_takes_the_lines_it_wraps_to() {
        assert_eq!(wrapped_lines("", 10), 1);
        assert_eq!(wrapped_lines("0123456789", 10), 1);
        assert_eq!(wrapped_lines("0123456789a", 10), 2);
        assert_eq!(wrapped_lines("short\n0123456789abcdefghijk", 10), 4);
    }

    #[test]
    fn a_written_workbook_reads_back_the_same_record_with_each_cell() {
        let record = record();
        let bytes = moderation_workbook(&record, &toolkit(), "made for a test").unwrap();
        let read = read_moderation_workbook("m.xlsx", &bytes).unwrap();
        assert_eq!(texts(&read.record), record);
        // Ann's level of the first capability, the agreed level and a rater's checksum.
        let first = &read.record.capabilities[0];
        assert_eq!(first.levels[0].place, Place::Cell("Moderation!D8".into()));
        assert_eq!(first.agreed.place, Place::Cell("Moderation!L8".into()));
        assert_eq!(
            read.record.raters[1].sha256.place,
            Place::Cell("Raters!E12".into())
        );
        assert_eq!(read.record.moderator.on.text, "2026-03-24");
    }

    #[test]
    fn only_the_moderators_cells_are_unlocked_and_the_sheets_are_protected() {
        let bytes = moderation_workbook(&record(), &toolkit(), "made for a test").unwrap();
        let mut zip = crate::archive::Archive::open(&bytes).unwrap();
        let sheet =
            String::from_utf8(zip.read("xl/worksheets/sheet3.xml").unwrap().unwrap()).unwrap();
        assert!(sheet.contains("<sheetProtection"), "protected");
        assert!(
            sheet.contains("<dataValidation "),
            "the agreed level's dropdown"
        );
        let styles = String::from_utf8(zip.read("xl/styles.xml").unwrap().unwrap()).unwrap();
        // Two unlocked formats: the moderator's text cells and the date.
        assert_eq!(styles.matches("locked=\"0\"").count(), 2, "{styles}");
    }

    #[test]
    fn a_workbook_that_is_not_a_moderation_workbook_is_refused() {
        let sct = sct_core::Sct::bundled().unwrap();
        let fw = sct_core::validate::ResolvedFrameworks {
            toolkit_file: sct.registry.get("capability-toolkit", None).unwrap(),
            toolkit: sct
                .registry
                .get("capability-toolkit", None)
                .unwrap()
                .as_toolkit()
                .unwrap(),
            round: None,
        };
        let (bytes, _) =
            crate::response_workbook(&fw, sct_core::model::ResponseType::Organisation, None)
                .unwrap();
        let err = read_moderation_workbook("r.xlsx", &bytes).unwrap_err();
        assert!(
            err.0[0].message.contains("not a moderation workbook"),
            "{err:?}"
        );
    }
}
