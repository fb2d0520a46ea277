//! Shared helpers: the bundled frameworks, the example response, a template filled in place
//! cell by cell (as a person would, independent of the writer's own filling), and the
//! normalising of a response so that "blank" and "left out" compare equal.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use sct_core::load::parse_toml;
use sct_core::model::{BlankableDate, ResponseDoc, ResponseType};
use sct_core::validate::{ResolvedFrameworks, resolve_frameworks};
use sct_core::{Sct, SourceFile};
use sct_xlsx::write::{answer_cell, detail_cell, milestone_cell};

pub mod zipped;

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bundled example response.
pub fn example_path() -> PathBuf {
    root().join("examples/baseline-2026-03/bnssg-illustrative.toml")
}

/// `sct` with the workbook reader.
pub fn sct() -> Sct {
    sct_xlsx::install(Sct::bundled().expect("bundled frameworks"))
}

/// The example response's source and document.
pub fn example() -> (SourceFile, ResponseDoc) {
    let src = SourceFile::read(&example_path()).expect("example");
    let doc = parse_toml::<ResponseDoc>(&src).expect("example parses");
    (src, doc)
}

/// The frameworks of the baseline round.
pub fn baseline(sct: &Sct) -> ResolvedFrameworks<'_> {
    let src = SourceFile::from_text("r.toml", "round = \"baseline-2026-03\"\n[organisation]\n");
    let doc = parse_toml::<ResponseDoc>(&src).expect("parses");
    resolve_frameworks(&src, &doc, &sct.registry).expect("round resolves")
}

/// A blank template of the baseline round, ready to be written into.
pub fn template(sct: &Sct, response_type: ResponseType) -> Workbook {
    sct_xlsx::build_workbook(&baseline(sct), response_type, None)
        .expect("template builds")
        .0
}

/// Writes text into a cell, as typed into an unlocked cell.
pub fn put(book: &mut Workbook, sheet: &str, row: u32, col: u16, text: &str) {
    book.worksheet_from_name(sheet)
        .expect("sheet")
        .write_string(row, col, text)
        .expect("write");
}

/// Writes a real date into a cell.
pub fn put_date(book: &mut Workbook, sheet: &str, row: u32, col: u16, date: &str) {
    let d = ExcelDateTime::parse_from_str(date).expect("date");
    book.worksheet_from_name(sheet)
        .expect("sheet")
        .write_date_with_format(row, col, &d, &Format::new().set_num_format("dd/mm/yyyy"))
        .expect("write");
}

/// Writes one capability answer field.
pub fn answer(book: &mut Workbook, sct: &Sct, cap: &str, field: &str, text: &str) -> String {
    let toolkit = baseline(sct).toolkit;
    let (sheet, row, col) =
        answer_cell(toolkit, ResponseType::Organisation, cap, field).expect("capability has a row");
    put(book, &sheet, row, col, text);
    cell_name(&sheet, row, col)
}

/// A cell's name as errors give it.
pub fn cell_name(sheet: &str, row: u32, col: u16) -> String {
    sct_xlsx::layout::cell_ref(sheet, row, u32::from(col))
}

/// Fills a template cell by cell with the answers of `doc`, the way a person would.
pub fn fill(book: &mut Workbook, sct: &Sct, doc: &ResponseDoc) {
    let fw = baseline(sct);
    let detail = |key: &str| detail_cell(ResponseType::Organisation, key).expect("detail row");
    let texts = [
        ("organisation.name", doc.organisation.name.clone()),
        (
            "organisation.ods_code",
            doc.organisation.ods_code.get_ref().clone(),
        ),
        ("respondent.role", doc.respondent.role.clone()),
        (
            "respondent.signed_off_by",
            doc.respondent.signed_off_by.clone(),
        ),
        ("notice", doc.notice.clone()),
        (
            "rater.name",
            doc.rater
                .as_ref()
                .map(|r| r.name.clone())
                .unwrap_or_default(),
        ),
        (
            "rater.role",
            doc.rater
                .as_ref()
                .map(|r| r.role.clone())
                .unwrap_or_default(),
        ),
        (
            "rater.email",
            doc.rater
                .as_ref()
                .map(|r| r.email.clone())
                .unwrap_or_default(),
        ),
        (
            "status.stage",
            doc.status
                .as_ref()
                .map(|s| s.stage.get_ref().as_str().to_string())
                .unwrap_or_default(),
        ),
    ];
    for (key, text) in texts {
        if !text.is_empty() {
            let (r, c) = detail(key);
            put(book, "Organisation", r, c, &text);
        }
    }
    if let Some(BlankableDate(Some(d))) = doc.assessed.as_ref().map(|a| *a.get_ref()) {
        let (r, c) = detail("assessed");
        put_date(book, "Organisation", r, c, &d.to_string());
    }
    for (id, a) in &doc.capabilities {
        let id = id.get_ref();
        let cell = |field: &str| {
            answer_cell(fw.toolkit, ResponseType::Organisation, id, field).expect("row")
        };
        for (field, text) in [
            ("level", a.level.get_ref().clone()),
            ("confidence", a.confidence.get_ref().clone()),
            ("reason", a.reason.clone()),
            ("evidence", a.evidence.join("\n")),
            ("target_level", a.target_level.get_ref().clone()),
            ("rationale", a.rationale.clone()),
        ] {
            if !text.is_empty() {
                let (s, r, c) = cell(field);
                put(book, &s, r, c, &text);
            }
        }
        if let Some(d) = a.target_date.get_ref().0 {
            let (s, r, c) = cell("target_date");
            put_date(book, &s, r, c, &d.to_string());
        }
    }
    let round = fw.round.expect("round").1;
    for (id, m) in &doc.milestones {
        let id = id.get_ref();
        if !m.status.get_ref().is_empty() {
            let (r, c) = milestone_cell(round, id, "status").expect("row");
            put(book, "Milestones", r, c, m.status.get_ref());
        }
        if let Some(d) = m.completed_on.get_ref().0 {
            let (r, c) = milestone_cell(round, id, "completed_on").expect("row");
            put_date(book, "Milestones", r, c, &d.to_string());
        }
        if !m.note.is_empty() {
            let (r, c) = milestone_cell(round, id, "note").expect("row");
            put(book, "Milestones", r, c, &m.note);
        }
    }
}

/// Saves a workbook into `dir` as `name`.
pub fn save(book: &mut Workbook, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, book.save_to_buffer().expect("saves")).expect("writes");
    path
}

/// A response with blanks removed, so that a field left blank and a field left out compare
/// equal (they mean the same: not answered yet).
pub fn normalised(mut doc: ResponseDoc) -> ResponseDoc {
    doc.capabilities.retain(|_, a| {
        !(a.level.get_ref().is_empty()
            && a.confidence.get_ref().is_empty()
            && a.reason.is_empty()
            && a.evidence.iter().all(|e| e.trim().is_empty())
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

/// The document a read response holds.
pub fn doc_of(read: &sct_core::ReadResponse) -> ResponseDoc {
    parse_toml::<ResponseDoc>(&read.source).unwrap_or_else(|d| panic!("{d}\n{}", read.source.text))
}
