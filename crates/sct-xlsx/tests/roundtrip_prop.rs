//! Property tests of the response round trip: random valid responses to the bundled baseline
//! round, written as TOML, JSON and the Excel workbook and read back, are the same response
//! and score the same.

mod common;

use common::*;
use proptest::prelude::*;
use sct_core::model::{BlankableDate, CapabilityAnswer, ResponseDoc, ResponseType};
use sct_core::response_text::{response_json, response_toml};
use sct_core::{ReadResponse, ResolveOptions, SourceFile};
use toml::Spanned;

/// One capability's answer, as choices to apply to the example's answer.
#[derive(Debug, Clone)]
struct AnswerChoice {
    /// 0: not answered; 1: a level (by index, modulo the toolkit's levels); 2: n/a.
    kind: u8,
    level: usize,
    confidence: usize,
    /// 0: no target; otherwise a target this many levels above the level, less one.
    target: usize,
    evidence: Vec<String>,
    reason: String,
    rationale: String,
}

/// Free text as people type it: letters, digits, punctuation, quotes, non-ASCII; no leading
/// or trailing blanks (a cell is read trimmed).
fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9£€é’“”\"' ,.;:/&<>#-]{0,24}".prop_map(|s| s.trim().to_string())
}

fn answer() -> impl Strategy<Value = AnswerChoice> {
    (
        0u8..3,
        0usize..16,
        0usize..4,
        0usize..4,
        proptest::collection::vec(text().prop_filter("non-blank", |s| !s.is_empty()), 0..3),
        text().prop_filter("non-blank", |s| !s.is_empty()),
        text(),
    )
        .prop_map(
            |(kind, level, confidence, target, evidence, reason, rationale)| AnswerChoice {
                kind,
                level,
                confidence,
                target,
                evidence,
                reason,
                rationale,
            },
        )
}

fn spanned(value: String) -> Spanned<String> {
    Spanned::new(0..0, value)
}

/// The example response with its answers replaced by `choices`.
fn response(levels: &[String], choices: &[AnswerChoice]) -> ResponseDoc {
    let (_, mut doc) = example();
    for (answer, choice) in doc.capabilities.values_mut().zip(choices) {
        apply(answer, levels, choice);
    }
    doc
}

fn apply(answer: &mut CapabilityAnswer, levels: &[String], choice: &AnswerChoice) {
    let confidence = ["", "low", "medium", "high"][choice.confidence];
    answer.evidence = choice.evidence.clone();
    answer.rationale = choice.rationale.clone();
    answer.reason = String::new();
    match choice.kind {
        0 => {
            answer.level = spanned(String::new());
            answer.confidence = spanned(String::new());
        }
        1 => {
            let level = choice.level % levels.len();
            answer.level = spanned(levels[level].clone());
            answer.confidence = spanned(confidence.to_string());
            if choice.target == 0 {
                answer.target_level = spanned(String::new());
                answer.target_date = Spanned::new(0..0, BlankableDate(None));
            } else {
                let target = (level + choice.target - 1).min(levels.len() - 1);
                answer.target_level = spanned(levels[target].clone());
                let date = sct_core::Date::parse("2028-03-31").expect("a date");
                answer.target_date = Spanned::new(0..0, BlankableDate(Some(date)));
            }
        }
        _ => {
            answer.level = spanned("n/a".to_string());
            answer.reason = choice.reason.clone();
            answer.confidence = spanned(String::new());
            answer.target_level = spanned(String::new());
            answer.target_date = Spanned::new(0..0, BlankableDate(None));
        }
    }
}

/// The score of a response as read, without what names the input.
fn score(sct: &sct_core::Sct, read: &ReadResponse) -> serde_json::Value {
    let (assessment, fw) = sct
        .validate_read(read, ResolveOptions::default())
        .unwrap_or_else(|e| panic!("{e}\n{}", read.source.text));
    let provenance =
        sct_core::provenance::Provenance::new(&fw.files(), "response", "0", &sct.organisations);
    let report = sct_core::score::score(&fw, &assessment, None, provenance);
    let mut v = serde_json::to_value(&report).expect("serialises");
    v["warnings"] = serde_json::Value::Null;
    v
}

fn plain(source: SourceFile) -> ReadResponse {
    ReadResponse {
        source,
        diagnostics: sct_core::Diagnostics::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn toml_json_and_workbook_read_back_as_the_same_response_and_score(
        choices in proptest::collection::vec(answer(), 64)
    ) {
        let sct = sct();
        let fw = baseline(&sct);
        let levels: Vec<String> = fw.toolkit.level_ids().map(str::to_string).collect();
        let doc = response(&levels, &choices);

        let toml_read = plain(SourceFile::from_text("r.toml", response_toml(&doc, &[])));
        let from_toml = doc_of(&toml_read);
        prop_assert_eq!(normalised(from_toml.clone()), normalised(doc.clone()));
        let expected = score(&sct, &toml_read);

        let json = response_json(&doc);
        let json_read = sct_core::load::json::read_json_source(&SourceFile::from_text("r.json", json))
            .expect("JSON reads");
        prop_assert_eq!(normalised(doc_of(&json_read)), normalised(doc.clone()));
        prop_assert_eq!(&score(&sct, &json_read), &expected);

        let (bytes, notes) = sct_xlsx::response_workbook(&fw, ResponseType::Organisation, Some(&doc))
            .expect("workbook writes");
        prop_assert!(notes.is_empty(), "{:?}", notes);
        let xlsx_read = sct_xlsx::read_workbook_bytes("r.xlsx", &bytes, &sct.registry)
            .expect("workbook reads");
        prop_assert!(xlsx_read.diagnostics.is_empty(), "{}", xlsx_read.diagnostics);
        prop_assert_eq!(normalised(doc_of(&xlsx_read)), normalised(doc.clone()));
        prop_assert_eq!(&score(&sct, &xlsx_read), &expected);
    }
}
