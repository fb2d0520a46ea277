//! The round trip: a template filled in cell by cell reads back as the same response, and
//! scores the same, as the TOML; conversion between TOML and the workbook loses nothing, both
//! ways; a workbook's bytes do not depend on the clock.

mod common;

use common::*;
use sct_core::model::ResponseType;
use sct_core::response_text::response_toml;
use sct_core::{ResolveOptions, SourceFile};

/// A score as JSON, without what names the input file (its name and checksum differ).
fn score_json(sct: &sct_core::Sct, path: &std::path::Path) -> serde_json::Value {
    let report = sct
        .score_file(path, ResolveOptions::default(), None)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut v = serde_json::to_value(&report).expect("serialises");
    v["provenance"]["response"] = serde_json::Value::Null;
    v
}

#[test]
fn a_template_filled_cell_by_cell_scores_the_same_as_the_toml() {
    let sct = sct();
    let (_, doc) = example();
    let mut book = template(&sct, ResponseType::Organisation);
    fill(&mut book, &sct, &doc);
    let dir = tempfile::tempdir().expect("tempdir");
    let xlsx = save(&mut book, dir.path(), "bnssg.xlsx");

    let from_toml = score_json(&sct, &example_path());
    let from_xlsx = score_json(&sct, &xlsx);
    assert_eq!(from_toml["overall"], from_xlsx["overall"]);
    assert_eq!(from_toml["domains"], from_xlsx["domains"]);
    assert_eq!(from_toml["milestones"], from_xlsx["milestones"]);
    // Everything but the input file's name in the warnings is the same.
    let mut t = from_toml.clone();
    let mut x = from_xlsx.clone();
    t["warnings"] = serde_json::Value::Null;
    x["warnings"] = serde_json::Value::Null;
    assert_eq!(t, x);
    assert!(from_toml["overall"]["score"].as_f64().is_some());

    // And the response itself is the same, field by field.
    let read = sct.read_response(&xlsx).expect("reads");
    assert!(read.diagnostics.is_empty(), "{}", read.diagnostics);
    assert_eq!(normalised(doc_of(&read)), normalised(doc));
}

#[test]
fn toml_to_workbook_to_toml_loses_nothing() {
    let sct = sct();
    let (_, doc) = example();
    let fw = baseline(&sct);
    let (bytes, notes) =
        sct_xlsx::response_workbook(&fw, ResponseType::Organisation, Some(&doc)).expect("writes");
    assert!(notes.is_empty(), "{notes:?}");
    let read = sct_xlsx::read_workbook_bytes("b.xlsx", &bytes, &sct.registry).expect("reads");
    assert!(read.diagnostics.is_empty(), "{}", read.diagnostics);
    let back = doc_of(&read);
    assert_eq!(normalised(back.clone()), normalised(doc.clone()));
    // The fields that say what the response was made for are kept as written.
    assert_eq!(back.round, doc.round);
    assert_eq!(back.framework_version, doc.framework_version);
    assert_eq!(back.framework, None);

    // Through TOML text and back again.
    let text = response_toml(&back, &[]);
    let again = sct_core::load::parse_toml::<sct_core::model::ResponseDoc>(&SourceFile::from_text(
        "again.toml",
        text,
    ))
    .expect("converted TOML parses");
    assert_eq!(normalised(again), normalised(doc));
}

#[test]
fn workbook_to_toml_to_workbook_gives_the_same_bytes() {
    let sct = sct();
    let (_, doc) = example();
    let fw = baseline(&sct);
    let (first, _) =
        sct_xlsx::response_workbook(&fw, ResponseType::Organisation, Some(&doc)).expect("writes");
    let read = sct_xlsx::read_workbook_bytes("b.xlsx", &first, &sct.registry).expect("reads");
    let text = response_toml(&doc_of(&read), &[]);
    let through_toml = sct_core::load::parse_toml::<sct_core::model::ResponseDoc>(
        &SourceFile::from_text("t.toml", text),
    )
    .expect("parses");
    let (second, _) =
        sct_xlsx::response_workbook(&fw, ResponseType::Organisation, Some(&through_toml))
            .expect("writes");
    assert!(
        first == second,
        "the workbook changed on its way through TOML"
    );
}

#[test]
fn a_blank_template_validates_with_nothing_answered() {
    let sct = sct();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = save(
        &mut template(&sct, ResponseType::Organisation),
        dir.path(),
        "blank.xlsx",
    );
    let (a, _) = sct
        .validate_file(&path, ResolveOptions::default())
        .expect("a blank template is valid");
    assert_eq!(a.round.as_deref(), Some("baseline-2026-03"));
    assert!(
        a.answers
            .values()
            .all(|x| x.level == sct_core::assessment::AnswerLevel::Unanswered)
    );
    assert_eq!(a.answers.len(), 50);
}

#[test]
fn an_individual_workbook_keeps_the_person() {
    let sct = sct();
    let path = root().join("examples/individuals/bnssg/person-01.toml");
    let src = SourceFile::read(&path).expect("reads");
    let doc = sct_core::load::parse_toml::<sct_core::model::ResponseDoc>(&src).expect("parses");
    let (bytes, _) =
        sct_xlsx::response_workbook(&baseline(&sct), ResponseType::Individual, Some(&doc))
            .expect("writes");
    let read = sct_xlsx::read_workbook_bytes("p.xlsx", &bytes, &sct.registry).expect("reads");
    let back = doc_of(&read);
    assert!(back.person.is_some());
    assert_eq!(normalised(back), normalised(doc));
    let (a, _) = sct
        .validate_read(&read, ResolveOptions::default())
        .expect("valid");
    assert_eq!(a.response_type, ResponseType::Individual);
}

#[test]
fn json_reads_back_as_the_same_response() {
    let sct = sct();
    let (_, doc) = example();
    let json = sct_core::response_text::response_json(&doc);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("b.json");
    std::fs::write(&path, json).expect("writes");
    let read = sct.read_response(&path).expect("reads");
    assert_eq!(normalised(doc_of(&read)), normalised(doc));
    assert_eq!(
        score_json(&sct, &path)["overall"],
        score_json(&sct, &example_path())["overall"]
    );
}

/// The example with a rater and a stage, as one rater's view of a team assessment.
fn rated_example() -> sct_core::model::ResponseDoc {
    use sct_core::model::{BlankableDate, Rater, Spanned, Stage, StatusDoc};
    let (_, mut doc) = example();
    doc.rater = Some(Rater {
        name: "Asha Patel".into(),
        role: "Director of Finance".into(),
        email: "asha.patel@example.nhs.uk".into(),
    });
    doc.status = Some(StatusDoc {
        stage: Spanned::new(0..0, Stage::Submitted),
        by: String::new(),
        on: Spanned::new(0..0, BlankableDate(None)),
    });
    doc
}

#[test]
fn the_rater_and_status_fill_in_and_read_back() {
    let sct = sct();
    let doc = rated_example();
    let mut book = template(&sct, ResponseType::Organisation);
    fill(&mut book, &sct, &doc);
    let dir = tempfile::tempdir().expect("tempdir");
    let xlsx = save(&mut book, dir.path(), "rater.xlsx");
    let read = sct.read_response(&xlsx).expect("reads");
    assert!(read.diagnostics.is_empty(), "{}", read.diagnostics);
    let back = doc_of(&read);
    assert_eq!(back.rater, doc.rater);
    assert_eq!(normalised(back), normalised(doc));
    let bytes = std::fs::read(&xlsx).expect("reads");
    assert_eq!(
        sct_xlsx::read::workbook_stage(&bytes).as_deref(),
        Some("submitted")
    );
}

#[test]
fn a_rated_response_converts_to_a_workbook_and_back() {
    let sct = sct();
    let doc = rated_example();
    let fw = baseline(&sct);
    let (bytes, _) =
        sct_xlsx::response_workbook(&fw, ResponseType::Organisation, Some(&doc)).expect("writes");
    let read = sct_xlsx::read_workbook_bytes("r.xlsx", &bytes, &sct.registry).expect("reads");
    assert!(read.diagnostics.is_empty(), "{}", read.diagnostics);
    assert_eq!(normalised(doc_of(&read)), normalised(doc));
    // A blank template gives no stage.
    let (blank, _) =
        sct_xlsx::response_workbook(&fw, ResponseType::Organisation, None).expect("writes");
    assert_eq!(sct_xlsx::read::workbook_stage(&blank), None);
    assert_eq!(sct_xlsx::read::workbook_stage(b"not a workbook"), None);
}
