//! What a person can do to a workbook, and what sct says: wrong answers named by sheet and
//! cell, all of them at once; moved columns, sorted rows and renamed sheets read as before;
//! merged answer cells, formulas, answers in extra rows, a capability given twice and a
//! workbook of another toolkit version refused clearly. Random cell contents never panic.

mod common;

use common::*;
use proptest::prelude::*;
use rust_xlsxwriter::{Format, Formula, Workbook};
use sct_core::model::ResponseType;
use sct_core::{Error, ResolveOptions, Sct};
use sct_xlsx::write::{HEADER_ROW, answer_cell};

/// Validates a workbook, expecting it to be invalid; returns the error messages.
fn errors(sct: &Sct, book: &mut Workbook) -> Vec<String> {
    let bytes = book.save_to_buffer().expect("saves");
    let result = sct_xlsx::read_workbook_bytes("w.xlsx", &bytes, &sct.registry).and_then(|read| {
        sct.validate_read(&read, ResolveOptions::default())
            .map(|_| ())
    });
    match result {
        Err(Error::Invalid(d)) => d
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.clone())
            .collect(),
        Err(e) => panic!("expected diagnostics, got {e}"),
        Ok(()) => panic!("expected errors, but the workbook is valid"),
    }
}

/// Validates a workbook, expecting it to be valid.
fn valid(sct: &Sct, book: &mut Workbook) -> sct_core::Assessment {
    let bytes = book.save_to_buffer().expect("saves");
    let read = sct_xlsx::read_workbook_bytes("w.xlsx", &bytes, &sct.registry).expect("reads");
    sct.validate_read(&read, ResolveOptions::default())
        .unwrap_or_else(|e| panic!("expected valid: {e}"))
        .0
}

fn organisation(book: &mut Workbook) {
    put(book, "Organisation", 4, 2, "QUY");
}

#[test]
fn a_bad_level_a_bad_date_and_a_missing_reason_are_three_errors_each_at_its_cell() {
    let sct = sct();
    let mut book = template(&sct, ResponseType::Organisation);
    organisation(&mut book);
    let level = answer(
        &mut book,
        &sct,
        "integrated-needs-assessment",
        "level",
        "Mastered",
    );
    answer(
        &mut book,
        &sct,
        "linked-person-level-data",
        "level",
        "Developing",
    );
    let date = answer(
        &mut book,
        &sct,
        "linked-person-level-data",
        "target_date",
        "31/13/2027",
    );
    let na = answer(&mut book, &sct, "intelligence-function", "level", "n/a");
    let found = errors(&sct, &mut book);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(level, "'3.1 Understanding local context'!H5");
    assert!(
        found.iter().any(|m| m.starts_with(&format!(
            "{level}: \"Mastered\" is not a level of capability-toolkit 1.0.0"
        ))),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m.starts_with(&format!("{date}: \"31/13/2027\" has no month 13"))),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m.starts_with(&format!("{na}: level is n/a but no reason is given"))),
        "{found:#?}"
    );
}

#[test]
fn errors_say_what_was_expected_and_suggest_a_fix() {
    let sct = sct();
    let mut book = template(&sct, ResponseType::Organisation);
    answer(
        &mut book,
        &sct,
        "integrated-needs-assessment",
        "level",
        "Mastered",
    );
    let bytes = book.save_to_buffer().expect("saves");
    let read = sct_xlsx::read_workbook_bytes("w.xlsx", &bytes, &sct.registry).expect("reads");
    let Err(Error::Invalid(d)) = sct.validate_read(&read, ResolveOptions::default()) else {
        panic!("expected errors");
    };
    let text = d.to_string();
    assert!(
        text.contains("error: '3.1 Understanding local context'!H5: \"Mastered\" is not a level"),
        "{text}"
    );
    assert!(text.contains("  --> w.xlsx\n"), "{text}");
    // The names the workbook's list shows, and the suggestion as a name.
    assert!(
        text.contains("expected: one of: Starting out, Developing, Embedding"),
        "{text}"
    );
    assert!(text.contains("did you mean \"Mastering\"?"), "{text}");
}

#[test]
fn level_names_ids_and_any_case_are_accepted() {
    let sct = sct();
    let mut book = template(&sct, ResponseType::Organisation);
    answer(
        &mut book,
        &sct,
        "integrated-needs-assessment",
        "level",
        "Starting out",
    );
    answer(
        &mut book,
        &sct,
        "linked-person-level-data",
        "level",
        "advancing",
    );
    answer(
        &mut book,
        &sct,
        "intelligence-function",
        "level",
        "EMBEDDING",
    );
    answer(
        &mut book,
        &sct,
        "intelligence-function",
        "confidence",
        "High",
    );
    let a = valid(&sct, &mut book);
    let rank = |id: &str| match &a.answers[id].level {
        sct_core::assessment::AnswerLevel::Level { rank } => *rank,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        (
            rank("integrated-needs-assessment"),
            rank("linked-person-level-data"),
            rank("intelligence-function")
        ),
        (1, 4, 3)
    );
}

#[test]
fn moved_columns_are_found_by_their_headers() {
    let sct = sct();
    let mut book = template(&sct, ResponseType::Organisation);
    let toolkit = baseline(&sct).toolkit;
    let (sheet, row, level_col) = answer_cell(
        toolkit,
        ResponseType::Organisation,
        "integrated-needs-assessment",
        "level",
    )
    .unwrap();
    let (_, _, rationale_col) = answer_cell(
        toolkit,
        ResponseType::Organisation,
        "integrated-needs-assessment",
        "rationale",
    )
    .unwrap();
    // Swap the Level and Rationale columns, headers and all.
    put(&mut book, &sheet, HEADER_ROW, level_col, "Rationale");
    put(&mut book, &sheet, HEADER_ROW, rationale_col, "Level");
    put(&mut book, &sheet, row, rationale_col, "Advancing");
    put(&mut book, &sheet, row, level_col, "Why we think so");
    let a = valid(&sct, &mut book);
    let answer = &a.answers["integrated-needs-assessment"];
    assert_eq!(
        answer.level,
        sct_core::assessment::AnswerLevel::Level { rank: 4 }
    );
    assert_eq!(answer.rationale, "Why we think so");
}

#[test]
fn a_missing_column_is_refused_naming_the_header_row() {
    let sct = sct();
    let mut book = template(&sct, ResponseType::Organisation);
    let (sheet, _, col) = answer_cell(
        baseline(&sct).toolkit,
        ResponseType::Organisation,
        "integrated-needs-assessment",
        "confidence",
    )
    .unwrap();
    put(&mut book, &sheet, HEADER_ROW, col, "How sure");
    let found = errors(&sct, &mut book);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with(
            "'3.1 Understanding local context'!A4:N4: the header row has no \"Confidence\" column"
        ),
        "{found:#?}"
    );
}

#[test]
fn renamed_sheets_still_read_and_errors_use_the_new_names() {
    let sct = sct();
    let mut book = template(&sct, ResponseType::Organisation);
    organisation(&mut book);
    let (sheet, _, _) = answer_cell(
        baseline(&sct).toolkit,
        ResponseType::Organisation,
        "integrated-needs-assessment",
        "level",
    )
    .unwrap();
    answer(
        &mut book,
        &sct,
        "integrated-needs-assessment",
        "level",
        "Mastered",
    );
    book.worksheet_from_name(&sheet)
        .unwrap()
        .set_name("Context")
        .unwrap();
    book.worksheet_from_name("sct")
        .unwrap()
        .set_name("about")
        .unwrap();
    book.worksheet_from_name("Organisation")
        .unwrap()
        .set_name("Who we are")
        .unwrap();
    let found = errors(&sct, &mut book);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("Context!H5: \"Mastered\""),
        "{found:#?}"
    );

    let mut book = template(&sct, ResponseType::Organisation);
    book.worksheet_from_name("Organisation")
        .unwrap()
        .set_name("Who we are")
        .unwrap();
    put(&mut book, "Who we are", 4, 2, "QUY");
    let a = valid(&sct, &mut book);
    assert_eq!(a.ods_code, "QUY");
}

#[test]
fn merged_answer_cells_are_refused() {
    let sct = sct();
    let mut book = template(&sct, ResponseType::Organisation);
    let (sheet, row, col) = answer_cell(
        baseline(&sct).toolkit,
        ResponseType::Organisation,
        "linked-person-level-data",
        "level",
    )
    .unwrap();
    book.worksheet_from_name(&sheet)
        .unwrap()
        .merge_range(row, col, row, col + 1, "Developing", &Format::new())
        .unwrap();
    let found = errors(&sct, &mut book);
    assert_eq!(
        found,
        vec!["'3.1 Understanding local context'!H6:I6: merged cells where answers go; sct reads one answer a cell".to_string()]
    );
}

#[test]
fn formulas_in_answer_cells_are_refused() {
    let sct = sct();
    let mut book = template(&sct, ResponseType::Organisation);
    let (sheet, row, col) = answer_cell(
        baseline(&sct).toolkit,
        ResponseType::Organisation,
        "linked-person-level-data",
        "level",
    )
    .unwrap();
    book.worksheet_from_name(&sheet)
        .unwrap()
        .write_formula(row, col, Formula::new("=C6").set_result("Developing"))
        .unwrap();
    let found = errors(&sct, &mut book);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("'3.1 Understanding local context'!H6: holds a formula (=C6)"),
        "{found:#?}"
    );
}

#[test]
fn answers_in_an_extra_row_and_a_capability_given_twice_are_refused() {
    let sct = sct();
    let mut book = template(&sct, ResponseType::Organisation);
    let (sheet, _, col) = answer_cell(
        baseline(&sct).toolkit,
        ResponseType::Organisation,
        "integrated-needs-assessment",
        "level",
    )
    .unwrap();
    // Row 30 has no capability id; row 31 repeats one; row 32 names no capability of the toolkit.
    put(&mut book, &sheet, 29, col, "Developing");
    put(&mut book, &sheet, 30, 0, "integrated-needs-assessment");
    put(&mut book, &sheet, 30, col, "Developing");
    put(&mut book, &sheet, 31, 0, "market-shaping-magic");
    put(&mut book, &sheet, 31, col, "Developing");
    // A blank extra row, or one with notes outside the answer columns, is fine.
    put(&mut book, &sheet, 33, 1, "a note to ourselves");
    let found = errors(&sct, &mut book);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found[0].starts_with(
            "'3.1 Understanding local context'!H30: an answer in a row without a capability id"
        ),
        "{found:#?}"
    );
    assert!(found[1].starts_with("'3.1 Understanding local context'!A31: \"integrated-needs-assessment\" has a second row (the first is '3.1 Understanding local context'!A5)"), "{found:#?}");
    assert!(
        found[2].starts_with(
            "'3.1 Understanding local context'!A32: \"market-shaping-magic\" is not a capability"
        ),
        "{found:#?}"
    );
}

#[test]
fn sorted_rows_still_read() {
    let sct = sct();
    let mut book = template(&sct, ResponseType::Organisation);
    let toolkit = baseline(&sct).toolkit;
    let (sheet, first, level) = answer_cell(
        toolkit,
        ResponseType::Organisation,
        "integrated-needs-assessment",
        "level",
    )
    .unwrap();
    let (_, second, _) = answer_cell(
        toolkit,
        ResponseType::Organisation,
        "linked-person-level-data",
        "level",
    )
    .unwrap();
    // The two rows' ids swapped, as sorting would.
    put(&mut book, &sheet, first, 0, "linked-person-level-data");
    put(&mut book, &sheet, second, 0, "integrated-needs-assessment");
    put(&mut book, &sheet, first, level, "Mastering");
    let a = valid(&sct, &mut book);
    assert_eq!(
        a.answers["linked-person-level-data"].level,
        sct_core::assessment::AnswerLevel::Level { rank: 5 }
    );
}

#[test]
fn dates_as_dates_text_dates_and_dates_with_times() {
    let sct = sct();
    let mut book = template(&sct, ResponseType::Organisation);
    let toolkit = baseline(&sct).toolkit;
    answer(
        &mut book,
        &sct,
        "integrated-needs-assessment",
        "level",
        "Developing",
    );
    let (sheet, row, col) = answer_cell(
        toolkit,
        ResponseType::Organisation,
        "integrated-needs-assessment",
        "target_date",
    )
    .unwrap();
    put_date(&mut book, &sheet, row, col, "2027-03-31");
    answer(
        &mut book,
        &sct,
        "linked-person-level-data",
        "level",
        "Developing",
    );
    answer(
        &mut book,
        &sct,
        "linked-person-level-data",
        "target_date",
        "2028-03-31",
    );
    let a = valid(&sct, &mut book);
    assert_eq!(
        a.answers["integrated-needs-assessment"]
            .target_date
            .map(|d| d.to_string())
            .as_deref(),
        Some("2027-03-31")
    );
    assert_eq!(
        a.answers["linked-person-level-data"]
            .target_date
            .map(|d| d.to_string())
            .as_deref(),
        Some("2028-03-31")
    );

    let mut book = template(&sct, ResponseType::Organisation);
    let (sheet, row, col) = answer_cell(
        toolkit,
        ResponseType::Organisation,
        "integrated-needs-assessment",
        "target_date",
    )
    .unwrap();
    let noon = rust_xlsxwriter::ExcelDateTime::parse_from_str("2027-03-31T12:00:00").unwrap();
    book.worksheet_from_name(&sheet)
        .unwrap()
        .write_datetime_with_format(
            row,
            col,
            &noon,
            &Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        )
        .unwrap();
    let (_, row2, _) = answer_cell(
        toolkit,
        ResponseType::Organisation,
        "linked-person-level-data",
        "target_date",
    )
    .unwrap();
    book.worksheet_from_name(&sheet)
        .unwrap()
        .write_number(row2, col, 46000.0)
        .unwrap();
    let found = errors(&sct, &mut book);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].contains("M5: 2027-03-31 12:00 has a time of day"),
        "{found:#?}"
    );
    assert!(
        found[1].contains("M6: 46000 is a number, not a date"),
        "{found:#?}"
    );
}

#[test]
fn a_workbook_of_another_toolkit_version_is_refused_naming_both() {
    let sct = sct();
    let bytes = template(&sct, ResponseType::Organisation)
        .save_to_buffer()
        .unwrap();
    // The same frameworks, but the toolkit (and the round's reference to it) at 1.1.0.
    let toolkit = std::fs::read_to_string(root().join("frameworks/capability-toolkit.toml"))
        .unwrap()
        .replacen("version = \"1.0.0\"", "version = \"1.1.0\"", 1);
    let round =
        std::fs::read_to_string(root().join("frameworks/rounds/baseline-2026-03.toml")).unwrap();
    let round = round.replace(
        "toolkit = { id = \"capability-toolkit\", version = \"1.0.0\" }",
        "toolkit = { id = \"capability-toolkit\", version = \"1.1.0\" }",
    );
    assert!(
        round.contains("1.1.0"),
        "the round's toolkit reference changed form"
    );
    let mut registry = sct_core::FrameworkRegistry::new();
    for (name, text) in [("t.toml", toolkit), ("r.toml", round)] {
        registry.insert(
            sct_core::LoadedFramework::parse(
                sct_core::SourceFile::from_text(name, text),
                sct_core::load::Origin::Bundled,
            )
            .unwrap_or_else(|d| panic!("{d}")),
        );
    }
    let Err(Error::Invalid(d)) = sct_xlsx::read_workbook_bytes("old.xlsx", &bytes, &registry)
    else {
        panic!("expected the workbook to be refused");
    };
    let text = d.to_string();
    assert!(
        text.contains("made from capability-toolkit 1.0.0"),
        "{text}"
    );
    assert!(text.contains("1.1.0"), "{text}");
}

#[test]
fn a_workbook_not_made_by_sct_is_refused() {
    let sct = sct();
    let mut book = Workbook::new();
    book.add_worksheet()
        .write_string(0, 0, "Capability id")
        .unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let Err(Error::Invalid(d)) = sct_xlsx::read_workbook_bytes("mine.xlsx", &bytes, &sct.registry)
    else {
        panic!("expected a refusal");
    };
    assert!(d.to_string().contains("no sct metadata sheet"), "{d}");
    let Err(Error::Invalid(d)) =
        sct_xlsx::read_workbook_bytes("x.xlsx", b"PK\x03\x04 not really", &sct.registry)
    else {
        panic!("expected a refusal");
    };
    assert!(
        d.to_string()
            .contains("cannot open it as an Excel workbook"),
        "{d}"
    );
}

/// What a person might type or paste into a cell.
#[derive(Debug, Clone)]
enum Content {
    Text(String),
    Number(f64),
    Bool(bool),
    Date(f64),
    Formula(String),
    Blank,
}

fn content() -> impl Strategy<Value = Content> {
    prop_oneof![
        ".{0,40}".prop_map(Content::Text),
        "(n/a|N/A|Mastered|Embedding|low|HIGH|2027-0[0-9]-3[0-9]|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4})"
            .prop_map(Content::Text),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Content::Number),
        any::<bool>().prop_map(Content::Bool),
        (-10.0f64..3_000_000.0).prop_map(Content::Date),
        "=[A-Z]{1,2}[0-9]{1,3}".prop_map(Content::Formula),
        Just(Content::Blank),
    ]
}

fn write(book: &mut Workbook, sheet: &str, row: u32, col: u16, c: &Content) {
    let ws = book.worksheet_from_name(sheet).expect("sheet");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let _ = match c {
        Content::Text(s) => ws.write_string(row, col, s),
        Content::Number(n) => ws.write_number(row, col, *n),
        Content::Bool(b) => ws.write_boolean(row, col, *b),
        Content::Date(serial) => ws.write_number_with_format(row, col, *serial, &date),
        Content::Formula(f) => ws.write_formula(row, col, f.as_str()),
        Content::Blank => ws.write_blank(row, col, &Format::new()),
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random contents in answer cells, detail cells and a few cells outside them: the reader
    /// and validation answer with diagnostics, never a panic.
    #[test]
    fn random_cell_contents_never_panic(
        cells in proptest::collection::vec((0usize..50, 0usize..7, content()), 1..25),
        details in proptest::collection::vec((0u32..8, content()), 0..6),
        stray in proptest::collection::vec((0u32..60, 0u16..20, content()), 0..5),
    ) {
        let sct = sct();
        let fw = baseline(&sct);
        let caps: Vec<&str> = fw.toolkit.capabilities().map(|(_, c)| c.id.get_ref().as_str()).collect();
        let fields = ["level", "confidence", "reason", "evidence", "target_level", "target_date", "rationale"];
        let mut book = template(&sct, ResponseType::Organisation);
        for (cap, field, c) in &cells {
            let (sheet, row, col) = answer_cell(fw.toolkit, ResponseType::Organisation, caps[*cap], fields[*field]).unwrap();
            write(&mut book, &sheet, row, col, c);
        }
        for (row, c) in &details {
            write(&mut book, "Organisation", 3 + row, 2, c);
        }
        let sheet = sct_xlsx::layout::domain_sheets(fw.toolkit, ResponseType::Organisation)[1].1.clone();
        for (row, col, c) in &stray {
            write(&mut book, &sheet, *row, *col, c);
        }
        let bytes = book.save_to_buffer().unwrap();
        match sct_xlsx::read_workbook_bytes("p.xlsx", &bytes, &sct.registry) {
            Ok(read) => match sct.validate_read(&read, ResolveOptions::default()) {
                Ok(_) | Err(Error::Invalid(_)) => {}
                Err(e) => prop_assert!(false, "unexpected error kind: {e}"),
            },
            Err(Error::Invalid(_)) => {}
            Err(e) => prop_assert!(false, "unexpected error kind: {e}"),
        }
    }

    /// Bytes that are not a workbook are refused, never a panic.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let sct = sct();
        let mut with_zip_header = b"PK\x03\x04".to_vec();
        with_zip_header.extend(&bytes);
        for b in [&bytes, &with_zip_header] {
            prop_assert!(sct_xlsx::read_workbook_bytes("r.xlsx", b, &sct.registry).is_err());
        }
    }
}
