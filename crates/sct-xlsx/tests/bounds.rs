//! Workbooks made to blow the reader up, each refused with an error naming the file and the
//! sheet and cell (or the part) at fault, never a panic or a huge allocation: references past
//! Excel's limits, values far past what an assessment holds, shared-string indexes that name
//! no string, zip bombs (parts declaring, or inflating to, more than a workbook holds), too
//! many entries, sheets, shared strings or merged areas. Each workbook is the blank template
//! with a part changed, built here and small.

mod common;

use common::zipped::{declare_size, part, rezip};
use common::*;
use sct_core::Error;
use sct_core::model::ResponseType;
use sct_xlsx::limits::{Limits, MAX_ENTRIES, MAX_PART_BYTES, MAX_TOTAL_BYTES};

/// The first domain sheet's part and name.
const SHEET: &str = "xl/worksheets/sheet3.xml";
const SHEET_NAME: &str = "'3.1 Understanding local context'";

fn template_bytes() -> Vec<u8> {
    template(&sct(), ResponseType::Organisation)
        .save_to_buffer()
        .expect("saves")
}

/// The template with `xml` added at the end of the first domain sheet's rows.
fn with_rows(xml: &str) -> Vec<u8> {
    let bytes = template_bytes();
    let sheet = part(&bytes, SHEET).replace("</sheetData>", &format!("{xml}</sheetData>"));
    rezip(&bytes, &[(SHEET, sheet.into_bytes())])
}

/// The template with one part changed by `edit`.
fn with_part(name: &str, edit: impl FnOnce(String) -> String) -> Vec<u8> {
    let bytes = template_bytes();
    let changed = edit(part(&bytes, name));
    rezip(&bytes, &[(name, changed.into_bytes())])
}

/// The one error a refused workbook gives, as shown to the user.
fn refusal(bytes: &[u8]) -> String {
    match sct_xlsx::read_workbook_bytes("w.xlsx", bytes, &sct().registry) {
        Err(Error::Invalid(d)) => {
            assert_eq!(d.0.len(), 1, "{d}");
            let text = d.to_string();
            assert!(text.contains("--> w.xlsx"), "the file is not named: {text}");
            text
        }
        Err(e) => panic!("expected a located refusal, got {e}"),
        Ok(_) => panic!("expected a refusal, but the workbook reads"),
    }
}

fn inline(cell: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>x</t></is></c>"#)
}

fn limits() -> Limits {
    Limits::for_registry(&sct().registry)
}

#[test]
fn a_cell_past_excels_last_column_is_refused_with_its_reference() {
    for cell in ["XFE40", "AAAAAAAAA40"] {
        let text = refusal(&with_rows(&format!(
            r#"<row r="40">{}</row>"#,
            inline(cell)
        )));
        assert!(
            text.contains(&format!(
                "error: {SHEET_NAME}: cell {cell} is past Excel's last column (XFD)"
            )),
            "{text}"
        );
    }
}

#[test]
fn a_cell_past_excels_last_row_is_refused_with_its_reference() {
    for (row, cell) in [
        ("40", "A1048577"),
        ("40", "A99999999999"),
        ("1048577", "A1"),
    ] {
        let text = refusal(&with_rows(&format!(
            r#"<row r="{row}">{}</row>"#,
            inline(cell)
        )));
        assert!(
            text.contains(SHEET_NAME) && text.contains("past Excel's last row (1048576)"),
            "{text}"
        );
    }
    // A row written without its number, after Excel's last, is past it too.
    let text = refusal(&with_rows(&format!(
        r#"<row r="1048576"/><row>{}</row>"#,
        r#"<c t="inlineStr"><is><t>x</t></is></c>"#
    )));
    assert!(text.contains("past Excel's last row"), "{text}");
}

#[test]
fn a_value_at_excels_last_cell_is_refused_as_past_what_an_assessment_uses() {
    let rows = limits().rows;
    for cell in ["XFD1048576", "A1048576"] {
        let text = refusal(&with_rows(&format!(
            r#"<row r="1048576">{}</row>"#,
            inline(cell)
        )));
        assert!(
            text.contains(&format!(
                "error: {SHEET_NAME}!{cell}: a value past the last row a response workbook uses (row {rows})"
            )),
            "{text}"
        );
    }
    let last = sct_xlsx::layout::column_name(limits().columns - 1);
    let past = sct_xlsx::layout::column_name(limits().columns);
    let text = refusal(&with_rows(&format!(
        r#"<row r="40">{}</row>"#,
        inline(&format!("{past}40"))
    )));
    assert!(
        text.contains(&format!(
            "{SHEET_NAME}!{past}40: a value past the last column a response workbook uses (column {last})"
        )),
        "{text}"
    );
}

#[test]
fn empty_cells_far_out_build_nothing_and_the_workbook_reads() {
    let bytes = with_rows(r#"<row r="1048576"><c r="XFD1048576" s="1"/></row>"#);
    let bytes = {
        let sheet = part(&bytes, SHEET).replace(
            r#"<dimension ref="A1:N9"/>"#,
            r#"<dimension ref="A1:XFD1048576"/>"#,
        );
        rezip(&bytes, &[(SHEET, sheet.into_bytes())])
    };
    let read = sct_xlsx::read_workbook_bytes("w.xlsx", &bytes, &sct().registry).expect("reads");
    assert!(!read.diagnostics.has_errors(), "{}", read.diagnostics);
}

#[test]
fn a_malformed_cell_reference_is_refused_with_its_sheet() {
    for cell in ["A0", "1A", "$A$1", "A-1", "A1:B2"] {
        let text = refusal(&with_rows(&format!(
            r#"<row r="40">{}</row>"#,
            inline(cell)
        )));
        assert!(
            text.contains(&format!(
                "error: {SHEET_NAME}: \"{cell}\" is not a cell reference"
            )),
            "{cell}: {text}"
        );
    }
}

#[test]
fn a_shared_string_index_of_minus_one_is_refused_at_its_cell() {
    let count = part(&template_bytes(), "xl/sharedStrings.xml")
        .matches("<si>")
        .count();
    for index in [
        "-1".to_string(),
        count.to_string(),
        "1e2".into(),
        " 3".into(),
    ] {
        let text = refusal(&with_rows(&format!(
            r#"<row r="40"><c r="H40" t="s"><v>{index}</v></c></row>"#
        )));
        assert!(
            text.contains(&format!(
                "error: {SHEET_NAME}!H40: \"{index}\" is not the index of one of the workbook's {count} shared strings"
            )),
            "{text}"
        );
    }
}

#[test]
fn more_shared_strings_than_a_workbook_holds_are_refused() {
    let limit = limits().shared_strings;
    let bytes = with_part("xl/sharedStrings.xml", |xml| {
        xml.replace(
            "</sst>",
            &format!("{}</sst>", "<si><t/></si>".repeat(limit)),
        )
    });
    let text = refusal(&bytes);
    assert!(
        text.contains(&format!(
            "error: xl/sharedStrings.xml: more than {limit} shared strings, more than a response workbook has"
        )),
        "{text}"
    );
}

#[test]
fn a_part_declaring_more_than_a_part_may_hold_is_refused_before_it_is_inflated() {
    let bytes = declare_size(
        &template_bytes(),
        "xl/sharedStrings.xml",
        (MAX_PART_BYTES + 1) as u32,
    );
    let text = refusal(&bytes);
    assert!(
        text.contains(&format!(
            "error: xl/sharedStrings.xml decompresses to {} bytes; a part of a response workbook has at most {MAX_PART_BYTES}",
            MAX_PART_BYTES + 1
        )),
        "{text}"
    );
}

#[test]
fn parts_declaring_more_than_a_workbook_holds_together_are_refused_before_any_is_inflated() {
    let mut bytes = template_bytes();
    for name in ["xl/sharedStrings.xml", "xl/styles.xml", SHEET] {
        bytes = declare_size(&bytes, name, (MAX_TOTAL_BYTES / 3 + 1) as u32);
    }
    let text = refusal(&bytes);
    assert!(
        text.contains(&format!(
            "decompress to more than {MAX_TOTAL_BYTES} bytes in all, more than a response workbook holds"
        )),
        "{text}"
    );
}

#[test]
fn a_part_that_inflates_past_the_size_it_declares_is_refused() {
    // Two megabytes of shared strings, declared as the template's few kilobytes: a reader
    // that trusted the declaration would follow the stream as far as it went.
    let original = part(&template_bytes(), "xl/sharedStrings.xml").len() as u32;
    let bytes = with_part("xl/sharedStrings.xml", |xml| {
        xml.replace(
            "</sst>",
            &format!("<si><t>{}</t></si></sst>", "a".repeat(2 << 20)),
        )
    });
    let text = refusal(&declare_size(&bytes, "xl/sharedStrings.xml", original));
    assert!(
        text.contains(&format!(
            "error: xl/sharedStrings.xml is damaged: it declares {original} bytes but holds more"
        )),
        "{text}"
    );
}

#[test]
fn an_archive_listing_more_entries_than_a_workbook_has_is_refused() {
    let extra: Vec<(String, Vec<u8>)> = (0..MAX_ENTRIES)
        .map(|i| (format!("customXml/item{i}.xml"), b"<a/>".to_vec()))
        .collect();
    let parts: Vec<(&str, Vec<u8>)> = extra.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
    let text = refusal(&rezip(&template_bytes(), &parts));
    assert!(
        text.contains("entries; a response workbook has at most 1000"),
        "{text}"
    );
}

#[test]
fn more_sheets_than_a_workbook_has_are_refused() {
    let limit = limits().sheets;
    let bytes = with_part("xl/workbook.xml", |xml| {
        let more: String = (0..limit)
            .map(|i| format!(r#"<sheet name="x{i}" sheetId="{}" r:id="rId3"/>"#, 100 + i))
            .collect();
        xml.replace("</sheets>", &format!("{more}</sheets>"))
    });
    let text = refusal(&bytes);
    assert!(
        text.contains(&format!("error: xl/workbook.xml: more than {limit} sheets")),
        "{text}"
    );
}

#[test]
fn more_merged_areas_than_a_sheet_holds_are_refused() {
    let limit = limits().merges;
    let bytes = with_part(SHEET, |xml| {
        let merges = r#"<mergeCell ref="A40:B40"/>"#.repeat(limit + 1);
        xml.replace(
            "<pageMargins",
            &format!("<mergeCells>{merges}</mergeCells><pageMargins"),
        )
    });
    let text = refusal(&bytes);
    assert!(
        text.contains(&format!(
            "error: {SHEET_NAME}: more than {limit} merged areas"
        )),
        "{text}"
    );
}

#[test]
fn a_shared_formula_claiming_the_whole_sheet_is_not_expanded() {
    // The formula's range and index are taken at their word by nothing: the cells holding it
    // are refused as answers with formulas, each at its cell.
    let bytes = with_rows(concat!(
        r#"<row r="40"><c r="H40"><f t="shared" si="4294967295" ref="A1:XFD1048576">C5</f>"#,
        r#"<v>1</v></c><c r="I40"><f t="shared" si="4294967295"/><v>1</v></c></row>"#,
    ));
    let sct = sct();
    let read = sct_xlsx::read_workbook_bytes("w.xlsx", &bytes, &sct.registry).expect("reads");
    let text = read.diagnostics.to_string();
    for cell in ["H40", "I40"] {
        assert!(
            text.contains(&format!("{SHEET_NAME}!{cell}: holds a formula (=C5)")),
            "{text}"
        );
    }
}

#[test]
fn a_workbook_that_is_no_zip_or_no_workbook_is_refused_as_such() {
    for bytes in [
        b"not a workbook".to_vec(),
        b"PK\x05\x06".to_vec(),
        rezip(&template_bytes(), &[]).split_off(10),
    ] {
        let text = refusal(&bytes);
        assert!(
            text.contains("cannot open it as an Excel workbook"),
            "{text}"
        );
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
        .expect("starts");
    let bytes = zip.finish().expect("finishes").into_inner();
    let text = refusal(&bytes);
    assert!(
        text.contains("cannot open it as an Excel workbook: it has no xl/workbook.xml"),
        "{text}"
    );
}
