//! End-to-end tests of moderation (issue 24): `sct moderate` to a workbook and to TOML,
//! `sct moderate apply` of an untouched record (the medians agreed) and of an edited one, and
//! every bad input, each refused with exit status 2, the file and the cell or line named, and
//! nothing written: responses for different organisations or rounds, a rater twice, a locked
//! value edited (in TOML and in the workbook), an agreed level that is not one, one outside
//! every rater's level without a rationale, and a rater's file changed after the record was made.

mod common;

use std::io::{Read, Write};
use std::path::Path;

use common::{root, sct};

const RATERS: [&str; 3] = ["ann.toml", "bob.toml", "cy.toml"];

/// A folder holding the three raters' responses.
fn raters() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let fixtures = root().join("crates/sct-cli/tests/fixtures/moderation");
    for name in RATERS {
        std::fs::copy(fixtures.join(name), dir.path().join(name)).expect("copy fixture");
    }
    dir
}

fn moderate(dir: &Path, out: &str) {
    sct()
        .current_dir(dir)
        .arg("moderate")
        .args(RATERS)
        .args(["-o", out])
        .assert()
        .success();
}

fn apply(dir: &Path, record: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    sct()
        .current_dir(dir)
        .args(["moderate", "apply", record, "-o", "agreed.toml"])
        .args(extra)
        .assert()
}

const CHAIR: [&str; 6] = [
    "--moderator",
    "Dana Chair",
    "--moderator-role",
    "ICB chair",
    "--on",
    "2026-03-24",
];

/// Refused with exit status 2, saying each of `says`, and nothing written.
fn refused(assert: assert_cmd::assert::Assert, dir: &Path, says: &[&str]) {
    let out = assert.code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    for s in says {
        assert!(stderr.contains(s), "expected {s:?} in:\n{stderr}");
    }
    assert!(!dir.join("agreed.toml").exists(), "nothing is written");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read")
}

/// Replaces the first `from` in a TOML record with `to`.
fn edit(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(text.contains(from), "{from:?} not in the record");
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// The workbook at `path` with the cell `cell` of the moderation sheet (the third) holding the
/// text `text`: the zip written again with that one cell changed.
fn set_cell(path: &Path, cell: &str, text: &str) {
    let bytes = std::fs::read(path).expect("read workbook");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut changed = false;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        let name = entry.name().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("inflate");
        if name == "xl/worksheets/sheet3.xml" {
            let xml = String::from_utf8(data).expect("utf-8");
            let start = xml
                .find(&format!("<c r=\"{cell}\""))
                .expect("cell in the sheet");
            let end = start + xml[start..].find("</c>").expect("cell end") + 4;
            let style = xml[start..end]
                .split_whitespace()
                .find(|a| a.starts_with("s=\""))
                .map(|s| s.trim_end_matches('>').to_string())
                .unwrap_or_default();
            let new_cell =
                format!("<c r=\"{cell}\" {style} t=\"inlineStr\"><is><t>{text}</t></is></c>");
            data = format!("{}{new_cell}{}", &xml[..start], &xml[end..]).into_bytes();
            changed = true;
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start");
        out.write_all(&data).expect("write");
    }
    assert!(changed, "no moderation sheet");
    let bytes = out.finish().expect("finish").into_inner();
    std::fs::write(path, bytes).expect("write workbook");
}

#[test]
fn moderate_writes_a_workbook_and_a_toml_record() {
    let dir = raters();
    moderate(dir.path(), "moderation.xlsx");
    moderate(dir.path(), "moderation.toml");
    let bytes = std::fs::read(dir.path().join("moderation.xlsx")).expect("workbook");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut workbook = String::new();
    zip.by_name("xl/workbook.xml")
        .expect("workbook part")
        .read_to_string(&mut workbook)
        .expect("read");
    for sheet in ["Instructions", "Raters", "Moderation"] {
        assert!(
            workbook.contains(&format!("name=\"{sheet}\"")),
            "{workbook}"
        );
    }
    let record = read(&dir.path().join("moderation.toml"));
    assert!(record.contains("schema = \"sct-moderation-record/1\""));
    assert!(
        record.contains("file = \"bob.toml\""),
        "named beside the record"
    );
    assert!(
        record.contains("flags = \"raters differ by 2 levels\""),
        "{record}"
    );
    assert!(record.contains("Needs assessment 2025 (Ann Able, Bob Baker, Cy Carter)"));
}

#[test]
fn an_untouched_record_agrees_the_medians_and_validates_and_scores_cleanly() {
    for record in ["moderation.toml", "moderation.xlsx"] {
        let dir = raters();
        moderate(dir.path(), record);
        apply(dir.path(), record, &CHAIR).success();
        let agreed = read(&dir.path().join("agreed.toml"));
        // Developing, Advancing, Embedding: the median is Embedding.
        assert!(
            agreed.contains("[capabilities.integrated-needs-assessment]\nconfidence = \"medium\"\nevidence = [\n    \"Needs assessment 2025\",\n    \"JSNA refresh plan\",\n]\nlevel = \"embedding\""),
            "{agreed}"
        );
        assert!(agreed.contains("stage = \"moderated\""), "{agreed}");
        assert!(agreed.contains("by = \"Dana Chair\""), "{agreed}");
        assert!(agreed.contains("[[moderation.raters]]"), "{agreed}");
        for command in ["validate", "score"] {
            let out = sct()
                .current_dir(dir.path())
                .args([command, "agreed.toml"])
                .assert()
                .success();
            let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
            // The raters' own warning (most capabilities unanswered), and no other.
            let warnings = stderr.matches("warning:").count();
            assert!(
                warnings <= 1 && !stderr.contains("median"),
                "{record}: {stderr}"
            );
        }
    }
}

#[test]
fn an_edited_record_agrees_a_changed_level_with_its_rationale() {
    let dir = raters();
    moderate(dir.path(), "moderation.toml");
    let path = dir.path().join("moderation.toml");
    edit(
        &path,
        "agreed = \"Embedding\"\nrationale = \"\"",
        "agreed = \"Mastering\"\nrationale = \"The board saw the 2025 assessment used in every place plan.\"",
    );
    edit(
        &path,
        "name = \"\"\nrole = \"\"",
        "name = \"Dana Chair\"\nrole = \"ICB chair\"",
    );
    apply(dir.path(), "moderation.toml", &[]).success();
    let agreed = read(&dir.path().join("agreed.toml"));
    assert!(agreed.contains("level = \"mastering\""), "{agreed}");
    assert!(
        agreed.contains(
            "rationale = \"The board saw the 2025 assessment used in every place plan.\""
        ),
        "{agreed}"
    );
    sct()
        .current_dir(dir.path())
        .args(["validate", "agreed.toml"])
        .assert()
        .success();
}

#[test]
fn responses_for_different_organisations_or_rounds_or_a_rater_twice_are_refused() {
    let dir = raters();
    let d = dir.path();
    let bob = read(&d.join("bob.toml"));
    std::fs::write(
        d.join("other-org.toml"),
        bob.replace("ods_code = \"QUY\"", "ods_code = \"QSL\"")
            .replace(
                "NHS Bristol, North Somerset and South Gloucestershire",
                "NHS Somerset",
            ),
    )
    .expect("write");
    std::fs::write(
        d.join("other-round.toml"),
        bob.replace("baseline-2026-03", "reassessment-2027-03")
            .replace("assessed = 2026-03-17", "assessed = 2027-03-17"),
    )
    .expect("write");
    std::fs::copy(d.join("ann.toml"), d.join("ann-again.toml")).expect("copy");
    let run = |second: &str| {
        sct()
            .current_dir(d)
            .args(["moderate", "ann.toml", second, "-o", "agreed.toml"])
            .assert()
    };
    refused(
        run("other-org.toml"),
        d,
        &["ann.toml", "other-org.toml", "QSL"],
    );
    refused(
        run("other-round.toml"),
        d,
        &["ann.toml", "other-round.toml", "reassessment-2027-03"],
    );
    refused(
        run("ann-again.toml"),
        d,
        &["ann.toml and ann-again.toml are both by Ann Able"],
    );
}

#[test]
fn a_locked_value_edited_is_refused_naming_its_line_or_cell() {
    let dir = raters();
    let d = dir.path();
    moderate(d, "moderation.toml");
    edit(
        &d.join("moderation.toml"),
        "    \"Developing\",\n    \"Advancing\",",
        "    \"Embedding\",\n    \"Advancing\",",
    );
    refused(
        apply(d, "moderation.toml", &CHAIR),
        d,
        &[
            "moderation.toml:",
            "a rater's level for integrated-needs-assessment says \"Embedding\" but the raters' files say \"Developing\"",
        ],
    );

    moderate(d, "moderation.xlsx");
    // Ann's level for the first capability: column D, the first row under the header (row 8).
    set_cell(&d.join("moderation.xlsx"), "D8", "Mastering");
    refused(
        apply(d, "moderation.xlsx", &CHAIR),
        d,
        &[
            "Moderation!D8: a rater's level for integrated-needs-assessment says \"Mastering\" but the raters' files say \"Developing\"",
        ],
    );
}

#[test]
fn an_agreed_level_that_is_not_one_or_outside_every_rater_without_rationale_is_refused() {
    let dir = raters();
    let d = dir.path();
    moderate(d, "moderation.xlsx");
    // Agreed level: three raters' column pairs after column C, then spread, median, flags and
    // evidence (J to M): column N.
    set_cell(&d.join("moderation.xlsx"), "N8", "Mastered");
    refused(
        apply(d, "moderation.xlsx", &CHAIR),
        d,
        &[
            "Moderation!N8: \"Mastered\", agreed for integrated-needs-assessment, is not a level",
            "Starting out, Developing, Embedding, Advancing, Mastering, n/a",
        ],
    );
    set_cell(&d.join("moderation.xlsx"), "N8", "Mastering");
    refused(
        apply(d, "moderation.xlsx", &CHAIR),
        d,
        &[
            "Moderation!N8: integrated-needs-assessment was agreed at Mastering, outside every rater's level (the raters said Developing to Advancing), with no rationale",
            "cell Moderation!O8",
        ],
    );
    moderate(d, "moderation.toml");
    edit(
        &d.join("moderation.toml"),
        "agreed = \"Embedding\"",
        "agreed = \"Starting out\"",
    );
    refused(
        apply(d, "moderation.toml", &CHAIR),
        d,
        &["outside every rater's level", "moderation.toml:"],
    );
}

#[test]
fn a_rater_file_changed_after_the_record_was_made_is_refused() {
    let dir = raters();
    let d = dir.path();
    moderate(d, "moderation.xlsx");
    moderate(d, "moderation.toml");
    let bob = read(&d.join("bob.toml"));
    std::fs::write(
        d.join("bob.toml"),
        format!("{bob}\n# changed after moderation\n"),
    )
    .expect("write");
    refused(
        apply(d, "moderation.xlsx", &CHAIR),
        d,
        &[
            "Raters!E12: bob.toml has SHA-256",
            "the workbook was made from different raters' files",
        ],
    );
    refused(
        apply(d, "moderation.toml", &CHAIR),
        d,
        &["moderation.toml:", "bob.toml has SHA-256"],
    );
}

#[test]
fn apply_without_a_moderator_is_refused_naming_the_cell() {
    let dir = raters();
    let d = dir.path();
    moderate(d, "moderation.xlsx");
    refused(
        apply(d, "moderation.xlsx", &[]),
        d,
        &["Moderation!B3: no moderator is named", "--moderator"],
    );
}
