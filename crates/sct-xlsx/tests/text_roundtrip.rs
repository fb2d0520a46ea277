//! Nothing lost between a response and its workbook: any string a person can type, in every
//! text field the workbook carries (evidence items, reasons, rationales, levels, organisation
//! and person details, milestone notes), reads back exactly, including line breaks, carriage
//! returns, tabs, control characters, a leading `=`, empty and blank strings and strings
//! longer than an Excel cell holds. What no workbook could carry is refused when written,
//! naming the field.

mod common;

use common::*;
use proptest::prelude::*;
use sct_core::model::{BlankableDate, ResponseDoc, ResponseType};
use sct_xlsx::WorkbookError;
use sct_xlsx::ooxml::{Value, read_book};
use sct_xlsx::text::CELL_LIMIT;
use toml::Spanned;

/// A response written as a workbook and read back (not validated: any string is kept, valid
/// or not), with the notes the writer gave.
fn through_workbook(doc: &ResponseDoc, response_type: ResponseType) -> (ResponseDoc, Vec<String>) {
    let sct = sct();
    let (bytes, notes) = sct_xlsx::response_workbook(&baseline(&sct), response_type, Some(doc))
        .unwrap_or_else(|e| panic!("the workbook is not written: {e}"));
    let read = sct_xlsx::read_workbook_bytes("r.xlsx", &bytes, &sct.registry)
        .unwrap_or_else(|e| panic!("the workbook does not read: {e}"));
    assert!(!read.diagnostics.has_errors(), "{}", read.diagnostics);
    (doc_of(&read), notes)
}

/// A response with what "not answered" means in any form made one form, and nothing else
/// changed: strings compare exactly, blank ones included.
fn exactly(mut doc: ResponseDoc) -> ResponseDoc {
    doc.capabilities.retain(|_, a| {
        !(a.level.get_ref().is_empty()
            && a.confidence.get_ref().is_empty()
            && a.reason.is_empty()
            && a.evidence.is_empty()
            && a.target_level.get_ref().is_empty()
            && a.target_date.get_ref().0.is_none()
            && a.rationale.is_empty())
    });
    doc.milestones.retain(|_, m| {
        !(m.status.get_ref().is_empty()
            && m.completed_on.get_ref().0.is_none()
            && m.note.is_empty())
    });
    if doc
        .assessed
        .as_ref()
        .is_some_and(|a| a.get_ref().0.is_none())
    {
        doc.assessed = None;
    }
    for field in [
        &mut doc.round,
        &mut doc.framework,
        &mut doc.framework_version,
    ] {
        if field.as_ref().is_some_and(|f| f.get_ref().is_empty()) {
            *field = None;
        }
    }
    doc
}

fn spanned(s: String) -> Spanned<String> {
    Spanned::new(0..0, s)
}

/// Strings as people type and paste them, and as programs make them: anything at all; the
/// characters a cell or a line might not keep; empty; and longer than a cell holds.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => any::<String>(),
        6 => "[\r\n\t \"\\\\=+@'a-z\u{0}-\u{1f}\u{7f}-\u{9f}\u{fffe}\u{ffff}_x0-9]{0,16}",
        2 => Just(String::new()),
        1 => ("[a-z \n\r\"é😀]{1,3}", 33_000usize..40_000).prop_map(|(s, n)| s.repeat(n / s.chars().count())),
    ]
}

/// The first `n` capabilities of the example, by id.
fn capability_ids(doc: &ResponseDoc, n: usize) -> Vec<Spanned<String>> {
    doc.capabilities.keys().take(n).cloned().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn workbook_round_trip_keeps_any_evidence_string(
        evidence in proptest::collection::vec(proptest::collection::vec(any_text(), 0..5), 6)
    ) {
        let (_, mut doc) = example();
        for (id, items) in capability_ids(&doc, 6).into_iter().zip(evidence) {
            doc.capabilities.get_mut(&id).expect("answered").evidence = items;
        }
        let (back, _) = through_workbook(&doc, ResponseType::Organisation);
        prop_assert_eq!(exactly(back), exactly(doc));
    }

    #[test]
    fn workbook_round_trip_keeps_any_string_in_every_text_field(
        answers in proptest::collection::vec(proptest::collection::vec(any_text(), 6), 3),
        details in proptest::collection::vec(any_text(), 5),
        notes in proptest::collection::vec((any_text(), any_text()), 2),
    ) {
        let (_, mut doc) = example();
        for (id, t) in capability_ids(&doc, 3).into_iter().zip(answers) {
            let a = doc.capabilities.get_mut(&id).expect("answered");
            a.level = spanned(t[0].clone());
            a.confidence = spanned(t[1].clone());
            a.reason = t[2].clone();
            a.target_level = spanned(t[3].clone());
            a.rationale = t[4].clone();
            a.evidence = vec![t[5].clone()];
        }
        doc.organisation.name = details[0].clone();
        doc.organisation.ods_code = spanned(details[1].clone());
        doc.respondent.role = details[2].clone();
        doc.respondent.signed_off_by = details[3].clone();
        doc.notice = details[4].clone();
        let milestones: Vec<Spanned<String>> = doc.milestones.keys().take(2).cloned().collect();
        for (id, (status, note)) in milestones.into_iter().zip(notes) {
            let m = doc.milestones.get_mut(&id).expect("reported");
            m.status = spanned(status);
            m.note = note;
        }
        let (back, _) = through_workbook(&doc, ResponseType::Organisation);
        prop_assert_eq!(exactly(back), exactly(doc));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn workbook_round_trip_keeps_any_string_of_an_individual(
        id in any_text(),
        role_group in any_text(),
        rationale in any_text(),
    ) {
        let path = root().join("examples/individuals/bnssg/person-01.toml");
        let src = sct_core::SourceFile::read(&path).expect("reads");
        let mut doc = sct_core::load::parse_toml::<ResponseDoc>(&src).expect("parses");
        let person = doc.person.as_mut().expect("a person");
        person.id = id;
        person.role_group = role_group;
        if let Some(a) = doc.capabilities.values_mut().next() {
            a.rationale = rationale;
        }
        let (back, _) = through_workbook(&doc, ResponseType::Individual);
        prop_assert_eq!(exactly(back), exactly(doc));
    }
}

#[test]
fn an_evidence_item_holding_a_line_break_comes_back_as_one_item() {
    let (_, mut doc) = example();
    let id = capability_ids(&doc, 1).remove(0);
    let items = vec![
        "Board paper, March 2026".to_string(),
        "JSNA refresh:\nsection 2\r\nsection 3".to_string(),
    ];
    doc.capabilities.get_mut(&id).expect("answered").evidence = items.clone();
    let (back, notes) = through_workbook(&doc, ResponseType::Organisation);
    assert_eq!(back.capabilities[&id].evidence, items);
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn empty_and_blank_evidence_items_come_back() {
    let (_, mut doc) = example();
    let id = capability_ids(&doc, 1).remove(0);
    let items = vec![
        String::new(),
        "  ".into(),
        "\"quoted\"".into(),
        "kept".into(),
    ];
    doc.capabilities.get_mut(&id).expect("answered").evidence = items.clone();
    let (back, _) = through_workbook(&doc, ResponseType::Organisation);
    assert_eq!(back.capabilities[&id].evidence, items);
}

#[test]
fn a_40000_character_rationale_comes_back_whole_continued_on_the_more_text_sheet() {
    let (_, mut doc) = example();
    let id = capability_ids(&doc, 1).remove(0);
    let rationale = "Forty thousand characters of reasons. ".repeat(1100);
    assert!(rationale.len() > 40_000);
    doc.capabilities.get_mut(&id).expect("answered").rationale = rationale.clone();
    let (back, notes) = through_workbook(&doc, ResponseType::Organisation);
    assert_eq!(back.capabilities[&id].rationale, rationale);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains(&format!("capabilities.{}.rationale is", id.get_ref()))
            && notes[0].contains("\"More text\" sheet"),
        "{notes:?}"
    );
    // The answer's cell holds what a cell can, and the sheet the rest, naming the answer.
    let sct = sct();
    let (bytes, _) =
        sct_xlsx::response_workbook(&baseline(&sct), ResponseType::Organisation, Some(&doc))
            .expect("writes");
    let book = read_book(
        &bytes,
        &sct_xlsx::limits::Limits::for_registry(&sct.registry),
    )
    .expect("reads");
    let more = book
        .sheets
        .iter()
        .find(|s| s.name == "More text")
        .expect("a More text sheet");
    let text = |row, col| match more.value(row, col) {
        Value::Text(s) => s.to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        (text(3, 0), text(3, 1), text(3, 2)),
        (
            "Answer id".into(),
            "Answer column".into(),
            "Continued text".into()
        )
    );
    assert_eq!(
        (text(4, 0), text(4, 1)),
        (id.get_ref().clone(), "Rationale".into())
    );
    assert_eq!(
        text(4, 2),
        rationale.chars().skip(CELL_LIMIT).collect::<String>()
    );
}

/// The template with an answer typed in and a sheet of the user's own continuing answers.
fn continued_by_hand(rows: &[(&str, &str, &str)]) -> Result<sct_core::ReadResponse, String> {
    let sct = sct();
    let mut book = template(&sct, ResponseType::Organisation);
    answer(
        &mut book,
        &sct,
        "integrated-needs-assessment",
        "rationale",
        "Begun here, ",
    );
    answer(
        &mut book,
        &sct,
        "integrated-needs-assessment",
        "evidence",
        "first\n\"sec",
    );
    let sheet = book.add_worksheet().set_name("Ours").expect("named");
    for (c, h) in ["Answer id", "Answer column", "Continued text"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).expect("writes");
    }
    for (r, (id, column, text)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, *id).expect("writes");
        sheet.write_string(r, 1, *column).expect("writes");
        sheet.write_string(r, 2, *text).expect("writes");
    }
    let bytes = book.save_to_buffer().expect("saves");
    sct_xlsx::read_workbook_bytes("w.xlsx", &bytes, &sct.registry).map_err(|e| e.to_string())
}

#[test]
fn a_long_answer_continued_by_hand_on_a_sheet_of_ones_own_reads_whole() {
    let read = continued_by_hand(&[
        ("integrated-needs-assessment", "Rationale", "and ended "),
        (
            "integrated-needs-assessment",
            "evidence (ONE ITEM A LINE)",
            "ond\\nline\"\nthird",
        ),
        ("integrated-needs-assessment", "Rationale", "here."),
    ])
    .expect("reads");
    assert!(!read.diagnostics.has_errors(), "{}", read.diagnostics);
    let doc = doc_of(&read);
    let a = &doc.capabilities[&spanned("integrated-needs-assessment".into())];
    assert_eq!(a.rationale, "Begun here, and ended here.");
    assert_eq!(a.evidence, ["first", "second\nline", "third"]);
}

#[test]
fn more_text_that_continues_no_answer_is_refused_at_its_cell() {
    let read = continued_by_hand(&[
        ("integrated-needs-assessment", "Level of detail", "lost?"),
        ("no-such-capability", "Rationale", "lost?"),
        ("", "", "whose?"),
    ])
    .expect("reads");
    let errors: Vec<String> = read
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("Ours!C4: more text without the answer it continues")),
        "{errors:#?}"
    );
    assert!(errors.iter().any(|e| e.starts_with("Ours!C2: continues \"integrated-needs-assessment\" / \"level of detail\", which is no text answer of this workbook")), "{errors:#?}");
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("Ours!C3: continues \"no-such-capability\"")),
        "{errors:#?}"
    );
}

#[test]
fn a_response_whose_text_no_workbook_can_carry_is_refused_naming_the_field() {
    let sct = sct();
    let fw = baseline(&sct);
    let (_, mut doc) = example();
    let id = capability_ids(&doc, 1).remove(0);
    let rows = sct_xlsx::limits::Limits::for_toolkit(fw.toolkit, fw.round.map(|(_, r)| r)).rows;
    let length = rows as usize * CELL_LIMIT;
    doc.capabilities.get_mut(&id).expect("answered").rationale = "a".repeat(length);
    let Err(e) = sct_xlsx::response_workbook(&fw, ResponseType::Organisation, Some(&doc)) else {
        panic!("a rationale of {length} characters was written");
    };
    assert!(matches!(e, WorkbookError::TooMuchText { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains(&format!(
            "capabilities.{}.rationale ({length} characters)",
            id.get_ref()
        )),
        "{text}"
    );

    // The response's own fields have no continuation rows: one too long for a cell is refused.
    let (_, mut doc) = example();
    doc.framework_version = Some(spanned("1".repeat(CELL_LIMIT + 1)));
    let Err(e) = sct_xlsx::response_workbook(&fw, ResponseType::Organisation, Some(&doc)) else {
        panic!("an over-long framework_version was written");
    };
    assert!(
        e.to_string().starts_with(
            "framework_version is 32768 characters long, more than the 32767 an Excel cell holds"
        ),
        "{e}"
    );
}

#[test]
fn a_template_has_no_more_text_sheet_and_dates_still_read() {
    let sct = sct();
    let (_, mut doc) = example();
    let id = capability_ids(&doc, 1).remove(0);
    let date = sct_core::Date::parse("2028-03-31").expect("a date");
    doc.capabilities.get_mut(&id).expect("answered").target_date =
        Spanned::new(0..0, BlankableDate(Some(date)));
    let (back, _) = through_workbook(&doc, ResponseType::Organisation);
    assert_eq!(back.capabilities[&id].target_date.get_ref().0, Some(date));
    let (bytes, _) = sct_xlsx::response_workbook(&baseline(&sct), ResponseType::Organisation, None)
        .expect("writes");
    let book = read_book(
        &bytes,
        &sct_xlsx::limits::Limits::for_registry(&sct.registry),
    )
    .expect("reads");
    assert!(book.sheets.iter().all(|s| s.name != "More text"));
}
