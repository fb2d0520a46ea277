//! What the workbook writers share: the cell formats, the frozen header row, optional
//! numbers and the document properties. Each writer chooses which format its header uses;
//! the formats themselves are defined here once, so a sheet in one workbook looks like the
//! same kind of sheet in another.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::render::ReportError;

/// The cell formats every workbook draws from.
pub(crate) struct Formats {
    /// Bold header text (the plan's sheets).
    pub bold: Format,
    /// Bold, wrapped header text (the score and comparison sheets).
    pub header: Format,
    /// Wrapped text.
    pub wrap: Format,
    /// A date, as ISO 8601.
    pub date: Format,
    /// A score, to two decimals.
    pub score: Format,
    /// A share, as a whole percentage.
    pub percent: Format,
}

impl Formats {
    /// The formats; a format only enters a workbook when a cell uses it.
    pub(crate) fn new() -> Self {
        Formats {
            bold: Format::new().set_bold(),
            header: Format::new().set_bold().set_text_wrap(),
            wrap: Format::new().set_text_wrap(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            score: Format::new().set_num_format("0.00"),
            percent: Format::new().set_num_format("0%"),
        }
    }
}

/// Writes a header row in `format`, sets the column widths and freezes the row.
pub(crate) fn header<S: AsRef<str>>(
    sheet: &mut Worksheet,
    format: &Format,
    columns: impl IntoIterator<Item = (S, f64)>,
) -> Result<(), XlsxError> {
    for (i, (name, width)) in columns.into_iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, name.as_ref(), format)?;
        sheet.set_column_width(i as u16, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Writes `v` in `format` when there is a value; leaves the cell empty otherwise.
pub(crate) fn opt_number(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    v: Option<f64>,
    format: &Format,
) -> Result<(), XlsxError> {
    if let Some(v) = v {
        sheet.write_number_with_format(row, col, v, format)?;
    }
    Ok(())
}

/// Sets the document properties. `created` comes from the data (an assessment or as-of
/// date), never the clock, so the same inputs give the same bytes.
pub(crate) fn properties(book: &mut Workbook, title: &str, comment: &str, created: &ExcelDateTime) {
    book.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_author("sct")
            .set_comment(comment)
            .set_creation_datetime(created),
    );
}

/// A workbook writer's error as the report error.
pub(crate) fn spreadsheet_error(e: XlsxError) -> ReportError {
    ReportError::Spreadsheet(e.to_string())
}
