//! What the workbook writers share: the cell formats, the frozen header row, the A4 print
//! set-up, row heights for wrapped text, optional numbers and the document properties. Each writer chooses which format its header uses;
//! the formats themselves are defined here once, so a sheet in one workbook looks like the
//! same kind of sheet in another.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use crate::render::ReportError;

/// The cell formats every workbook draws from.
pub(crate) struct Formats {
    /// Bold header text (the plan's sheets).
    pub bold: Format,
    /// Bold, wrapped header text (the score and comparison sheets).
    pub header: Format,
    /// Wrapped text.
    pub wrap: Format,
    /// A boolean: shown as TRUE or FALSE by LibreOffice too, which otherwise shows 1 or 0.
    pub boolean: Format,
    /// A date, as ISO 8601.
    pub date: Format,
    /// A score, to two decimals.
    pub score: Format,
    /// A share, as a whole percentage.
    pub percent: Format,
    /// A count, as a whole number.
    pub count: Format,
    /// Anything else: top-aligned, as it comes.
    pub plain: Format,
    /// A measured value, to two decimals with thousands separated.
    pub value: Format,
    /// A measured value that is whole, with thousands separated.
    pub whole: Format,
}

impl Formats {
    /// The formats; a format only enters a workbook when a cell uses it.
    pub(crate) fn new() -> Self {
        // Every cell reads from the top of its row, so a row made tall by one wrapped
        // text does not leave its numbers at the bottom.
        let top = || Format::new().set_align(FormatAlign::Top);
        Formats {
            bold: top().set_bold(),
            header: top().set_bold().set_text_wrap(),
            wrap: top().set_text_wrap(),
            boolean: top().set_num_format("\"TRUE\";\"TRUE\";\"FALSE\""),
            date: top().set_num_format("yyyy-mm-dd"),
            score: top().set_num_format("0.00"),
            percent: top().set_num_format("0%"),
            count: top().set_num_format("0"),
            value: top().set_num_format("#,##0.00"),
            whole: top().set_num_format("#,##0"),
            plain: top(),
        }
    }

    /// The format for a measured value: whole numbers without decimals, others to two.
    pub(crate) fn value_for(&self, v: f64) -> &Format {
        if v.fract() == 0.0 {
            &self.whole
        } else {
            &self.value
        }
    }
}

/// A sheet wider than this (in Excel's character widths) prints landscape.
const PORTRAIT_WIDTH: f64 = 100.0;

/// Writes a header row in `format`, sets the column widths, freezes the row, sizes it for
/// its wrapped words, and sets the sheet up for A4 with the row repeated on every page.
pub(crate) fn header<S: AsRef<str>>(
    sheet: &mut Worksheet,
    format: &Format,
    columns: impl IntoIterator<Item = (S, f64)>,
) -> Result<(), XlsxError> {
    // A column at least as wide as its heading's longest word (bold is wider than the
    // width unit), so no word breaks in the middle ("Unanswere d").
    let columns: Vec<(S, f64)> = columns
        .into_iter()
        .map(|(name, width)| {
            let word = name.as_ref().split(' ').map(|w| w.chars().count()).max();
            let needed = word.unwrap_or(0) as f64 * 1.15 + 1.0;
            (name, width.max(needed))
        })
        .collect();
    for (i, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, name.as_ref(), format)?;
        sheet.set_column_width(i as u16, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let cells: Vec<(&str, f64)> = columns.iter().map(|(n, w)| (n.as_ref(), *w)).collect();
    fit_row(sheet, 0, &cells)?;
    let total: f64 = columns.iter().map(|(_, w)| w).sum();
    print_setup(sheet, 1, total > PORTRAIT_WIDTH)
}

/// Paper size 9 is A4 in the OOXML page set-up.
const A4: u8 = 9;

/// Sets a sheet up to print on A4: landscape when it is wide, one page wide (as many tall as
/// it needs), the first `header_rows` rows repeated on every page, and page numbers in the
/// footer. A board member prints a workbook as it is; nothing should be cut or tiny.
pub(crate) fn print_setup(
    sheet: &mut Worksheet,
    header_rows: u32,
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
    if header_rows > 0 {
        sheet.set_repeat_rows(0, header_rows - 1)?;
    }
    Ok(())
}

/// The number of lines `text` takes wrapped in a column `width` characters wide. Excel's
/// width unit is one digit of the default font, and prose averages a little narrower than a
/// digit; words break at spaces, which the count follows word by word.
pub(crate) fn wrapped_lines(text: &str, width: f64) -> u32 {
    let per_line = (width * 1.05).max(4.0);
    text.split('\n')
        .map(|para| {
            let mut lines = 1u32;
            let mut used = 0.0f64;
            for word in para.split(' ') {
                let w = word.chars().count() as f64;
                if used > 0.0 && used + 1.0 + w > per_line {
                    lines += 1;
                    used = w;
                } else {
                    used += if used > 0.0 { 1.0 + w } else { w };
                }
                // A word longer than the column breaks where the column ends.
                while used > per_line {
                    lines += 1;
                    used -= per_line;
                }
            }
            lines
        })
        .sum()
}

/// Sets row `row`'s height to show its tallest wrapped cell whole: Excel never sizes rows a
/// program writes, and LibreOffice sizes them only sometimes, so text would overlap the next
/// row. `cells` are the row's wrapped texts with their column widths.
pub(crate) fn fit_row(
    sheet: &mut Worksheet,
    row: u32,
    cells: &[(&str, f64)],
) -> Result<(), XlsxError> {
    let lines = cells
        .iter()
        .map(|(text, width)| wrapped_lines(text, *width))
        .max()
        .unwrap_or(1)
        .max(1);
    if lines > 1 {
        sheet.set_row_height(row, (f64::from(lines) * 15.0 + 2.0).min(409.0))?;
    }
    Ok(())
}

/// A CSV column name as a heading a person reads: `target_date` becomes "Target date", and
/// the abbreviations keep their capitals ("ODS code").
pub(crate) fn heading(column: &str) -> String {
    let words: Vec<String> = column
        .split('_')
        .enumerate()
        .map(|(i, w)| match w {
            "ods" | "id" | "sha256" => w.to_uppercase(),
            _ if i == 0 => {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
            _ => w.to_string(),
        })
        .collect();
    words.join(" ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_text_is_counted_in_lines_a_word_at_a_time() {
        assert_eq!(wrapped_lines("", 10.0), 1);
        assert_eq!(wrapped_lines("short", 10.0), 1);
        assert_eq!(wrapped_lines("one two three four five six", 10.0), 3);
        assert_eq!(wrapped_lines("first\nsecond", 40.0), 2);
        // A word longer than the column breaks where the column ends.
        assert_eq!(wrapped_lines(&"x".repeat(25), 10.0), 3);
    }

    #[test]
    fn headings_are_words() {
        assert_eq!(heading("target_date"), "Target date");
        assert_eq!(heading("ods_code"), "ODS code");
        assert_eq!(heading("capability_id"), "Capability ID");
        assert_eq!(heading("rank"), "Rank");
    }
}
