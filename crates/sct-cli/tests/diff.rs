//! End-to-end tests of what changed between rounds (issue 24): `sct diff` of the bundled
//! baseline against the illustrative 2027 round and of a predecessor ICB's response against
//! its successor's, unrelated organisations refused, `sct template --from` carrying a round
//! forward (then validated, scored, diffed and reported), and the report's "Since the last
//! assessment" section.

mod common;

use std::path::{Path, PathBuf};

use common::{EXAMPLE, root, sct};
use predicates::str::contains;

const QUY_2027: &str = "examples/cohort/reassessment-2027-03/QUY.toml";
/// QHG passed whole to S1Y5D on 1 April 2026 (data/organisations/icb-successions.csv).
const QHG_2026: &str = "examples/cohort/baseline-2026-03/QHG.toml";
const S1Y5D_2027: &str = "examples/cohort/reassessment-2027-03/S1Y5D.toml";

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

fn stdout_of(args: &[&str]) -> String {
    let out = sct()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn json_of(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&stdout_of(args)).expect("JSON")
}

#[test]
fn the_bundled_baseline_against_the_2027_round_says_what_moved() {
    let text = stdout_of(&["diff", EXAMPLE, QUY_2027]);
    assert!(text.starts_with("What changed: NHS Bristol"), "{text}");
    assert!(text.contains("The same organisation (QUY)."), "{text}");
    assert!(
        text.contains("50 capabilities compared: 15 up, 19 down, 13 unchanged, 1 newly answered, 1 no longer rated"),
        "{text}"
    );
    // A level that moved, its confidence and its evidence, in one row.
    let row = text
        .lines()
        .find(|l| l.starts_with("Integrated needs assessment "))
        .expect("a row for the capability");
    assert!(row.contains("Embedding → Developing (-1)"), "{row}");
    assert!(row.contains("high → medium"), "{row}");
    assert!(row.contains("+1 −2"), "{row}");
    assert!(
        text.contains("    − Integrated needs assessment approved by the ICB board, 12 March 2026")
    );
    let v = json_of(&["diff", EXAMPLE, QUY_2027, "--format", "json"]);
    assert_eq!(v["schema"], "sct-diff/1");
    assert_eq!(v["summary"]["up"], 15);
    assert_eq!(v["summary"]["down"], 19);
    assert_eq!(v["capabilities"].as_array().unwrap().len(), 50);
    assert_eq!(v["relation"]["predecessor"], false);
}

#[test]
fn markdown_is_chosen_by_the_output_name() {
    let dir = tmp();
    let out = dir.path().join("changes.md");
    sct()
        .args(["diff", EXAMPLE, QUY_2027, "-o"])
        .arg(&out)
        .assert()
        .success();
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.starts_with("# What changed: NHS Bristol"), "{md}");
    assert!(md.contains("| Capability | Level | Confidence | Evidence | Target | Status |"));
    assert!(md.contains("## Method"));
    // A diff has no workbook: the name is refused, nothing written.
    sct()
        .args(["diff", EXAMPLE, QUY_2027, "-o"])
        .arg(dir.path().join("changes.xlsx"))
        .assert()
        .code(2);
    assert!(!dir.path().join("changes.xlsx").exists());
}

#[test]
fn a_predecessor_icb_against_its_successor_is_compared_and_says_so() {
    let text = stdout_of(&["diff", QHG_2026, S1Y5D_2027]);
    assert!(
        text.contains("is a predecessor of NHS Central East Integrated Care Board (S1Y5D) (the whole of it passed to the successor)"),
        "{text}"
    );
    insta::assert_snapshot!("diff_predecessor_text", text);
    let v = json_of(&["diff", QHG_2026, S1Y5D_2027, "--format", "json"]);
    assert_eq!(v["relation"]["predecessor"], true);
    assert_eq!(v["capabilities"].as_array().unwrap().len(), 50);
    // The shape of the document, with the first capabilities standing for the fifty.
    let mut shape = v.clone();
    shape["capabilities"] = serde_json::json!(v["capabilities"].as_array().unwrap()[..3]);
    insta::assert_json_snapshot!("diff_predecessor_json", shape);
}

#[test]
fn unrelated_organisations_are_refused_naming_both_files_and_codes() {
    sct()
        .args(["diff", EXAMPLE, S1Y5D_2027])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(EXAMPLE))
        .stderr(contains(S1Y5D_2027))
        .stderr(contains("QUY"))
        .stderr(contains("S1Y5D"))
        .stderr(contains("not the same organisation"))
        .stderr(contains("expected: two responses of one organisation"));
    // The right pair the wrong way round is a different mistake, said so.
    sct()
        .args(["diff", S1Y5D_2027, QHG_2026])
        .assert()
        .code(2)
        .stderr(contains("the responses are the wrong way round"));
    // A file that is not there is bad input too.
    sct()
        .args(["diff", EXAMPLE, "no-such.toml"])
        .assert()
        .code(2)
        .stderr(contains("no-such.toml"));
}

/// The earlier response copied into `dir`, and the next round's template started from it.
fn carried(dir: &Path, extra: &[&str]) -> (PathBuf, PathBuf) {
    let old = dir.join("last-year.toml");
    std::fs::copy(root().join(EXAMPLE), &old).unwrap();
    let new = dir.join("this-year.toml");
    sct()
        .args(["template", "reassessment-2027-03", "--from"])
        .arg(&old)
        .args(extra)
        .arg("-o")
        .arg(&new)
        .assert()
        .success();
    (old, new)
}

#[test]
fn a_template_from_last_year_carries_every_answer_marked_and_validates() {
    let dir = tmp();
    let (old, new) = carried(dir.path(), &[]);
    let text = std::fs::read_to_string(&new).unwrap();
    assert!(text.contains("round = \"reassessment-2027-03\""), "{text}");
    assert!(
        text.contains(
            "\nround = \"baseline-2026-03\"\nods_code = \"QUY\"\nfile = \"last-year.toml\"\n"
        ),
        "{text}"
    );
    let sha = sct_core::source::sha256_hex(&std::fs::read(&old).unwrap());
    assert!(text.contains(&format!("sha256 = \"{sha}\"")));
    assert_eq!(
        text.matches("\ncarried_over = true").count(),
        49,
        "every answered capability"
    );
    sct()
        .arg("validate")
        .arg(&new)
        .assert()
        .success()
        .stdout(contains("valid"));
    sct().arg("score").arg(&new).assert().success();
    let v: serde_json::Value = serde_json::from_slice(
        &sct()
            .arg("diff")
            .arg(&old)
            .arg(&new)
            .args(["--format", "json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(v["summary"]["carried_over"], 49);
    assert_eq!(v["summary"]["changed"], 0);
}

/// Last year's response and this year's started from it, with two answers reviewed: one
/// raised and unmarked, one changed but still marked.
fn reviewed(dir: &Path) -> (PathBuf, PathBuf) {
    let (old, new) = carried(dir, &[]);
    let text = std::fs::read_to_string(&new).unwrap();
    let text = edit_capability(&text, "integrated-needs-assessment", |s| {
        s.replace("level = \"embedding\"", "level = \"advancing\"")
            .replace("carried_over = true", "carried_over = false")
    });
    let text = edit_capability(&text, "intelligence-function", |s| {
        s.replace("confidence = \"medium\"", "confidence = \"high\"")
    });
    std::fs::write(
        &new,
        text.replace("assessed = \"\"", "assessed = 2027-03-10"),
    )
    .unwrap();
    (old, new)
}

#[test]
fn the_report_says_what_is_new_changed_and_merely_carried_over() {
    let dir = tmp();
    let (_, new) = reviewed(dir.path());
    let out = dir.path().join("report.json");
    sct()
        .arg("report")
        .arg(&new)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(contains(
            "intelligence-function is marked carried_over but differs",
        ));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let since = &v["report"]["since"];
    assert_eq!(since["diff"]["summary"]["up"], 1);
    assert_eq!(since["diff"]["summary"]["carried_over_but_changed"], 1);
    assert_eq!(since["changed"].as_array().unwrap().len(), 2);
    assert_eq!(since["to_review"].as_array().unwrap().len(), 47);
    let html_out = dir.path().join("report.html");
    sct()
        .arg("report")
        .arg(&new)
        .arg("-o")
        .arg(&html_out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&html_out).unwrap();
    assert!(html.contains("<h2 id=\"since-h\">Since the last assessment</h2>"));
    assert!(html.contains("<h3>Carried over, to review</h3>"));
    assert!(html.contains("changed, still marked carried over"));
    // The Word paper has the section too.
    let docx = dir.path().join("report.docx");
    sct()
        .arg("report")
        .arg(&new)
        .arg("-o")
        .arg(&docx)
        .assert()
        .success();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap();
    let mut body = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut body)
        .unwrap();
    assert!(body.contains("Since the last assessment"));
    assert!(body.contains("Carried over, to review"));
}

#[test]
fn the_report_follows_previous_only_while_the_earlier_file_is_unchanged() {
    let dir = tmp();
    let (old, new) = reviewed(dir.path());
    // Once the earlier file changes, the report no longer trusts it and says why.
    std::fs::write(
        &old,
        std::fs::read_to_string(&old).unwrap() + "\n# edited\n",
    )
    .unwrap();
    let md_out = dir.path().join("report.md");
    sct()
        .arg("report")
        .arg(&new)
        .arg("-o")
        .arg(&md_out)
        .assert()
        .success()
        .stderr(contains(
            "has changed since answers were carried over from it",
        ))
        .stderr(contains("--previous"));
    let md = std::fs::read_to_string(&md_out).unwrap();
    assert!(!md.contains("## Since the last assessment"), "{md}");
    // Named explicitly, it is compared whatever its checksum.
    sct()
        .arg("report")
        .arg(&new)
        .arg("--previous")
        .arg(&old)
        .arg("-o")
        .arg(&md_out)
        .arg("--force")
        .assert()
        .success();
    let md = std::fs::read_to_string(&md_out).unwrap();
    assert!(md.contains("## Since the last assessment"), "{md}");
    assert!(
        md.contains("| Integrated needs assessment | Embedding → Advancing (+1) |"),
        "{md}"
    );
    // [previous] naming another organisation's response (checksum and all): the report still
    // comes out, without the section, and says why; named explicitly, it is refused.
    std::fs::copy(root().join(S1Y5D_2027), &old).unwrap();
    let sha = |p: &Path| sct_core::source::sha256_hex(&std::fs::read(p).unwrap());
    let text = std::fs::read_to_string(&new).unwrap();
    let recorded = text.split("sha256 = \"").nth(1).unwrap()[..64].to_string();
    std::fs::write(&new, text.replace(&recorded, &sha(&old))).unwrap();
    sct()
        .arg("report")
        .arg(&new)
        .arg("-o")
        .arg(&md_out)
        .arg("--force")
        .assert()
        .success()
        .stderr(contains("which cannot be compared"))
        .stderr(contains("not the same organisation"));
    assert!(
        !std::fs::read_to_string(&md_out)
            .unwrap()
            .contains("## Since the last")
    );
    sct()
        .arg("report")
        .arg(&new)
        .arg("--previous")
        .arg(&old)
        .arg("-o")
        .arg(&md_out)
        .arg("--force")
        .assert()
        .code(2)
        .stderr(contains("not the same organisation"));
}

/// `text` with the table of capability `id` passed through `f`.
fn edit_capability(text: &str, id: &str, f: impl Fn(&str) -> String) -> String {
    let start = text.find(&format!("[capabilities.{id}]")).unwrap();
    let end = text[start..].find("carried_over = ").unwrap() + start + "carried_over = false".len();
    format!("{}{}{}", &text[..start], f(&text[start..end]), &text[end..])
}

#[test]
fn a_successor_starts_from_its_predecessors_response() {
    let dir = tmp();
    let new = dir.path().join("s1y5d.toml");
    sct()
        .args(["template", "reassessment-2027-03", "--from"])
        .arg(root().join(QHG_2026))
        .args(["--org", "S1Y5D", "-o"])
        .arg(&new)
        .assert()
        .success();
    let text = std::fs::read_to_string(&new).unwrap();
    assert!(
        text.contains("name = \"NHS Central East Integrated Care Board\"\nods_code = \"S1Y5D\""),
        "{text}"
    );
    assert!(
        text.contains("\nround = \"baseline-2026-03\"\nods_code = \"QHG\""),
        "{text}"
    );
    sct().arg("validate").arg(&new).assert().success();
    // Without --org the template keeps the predecessor's code and says where it went.
    sct()
        .args(["template", "reassessment-2027-03", "--from", QHG_2026])
        .assert()
        .success()
        .stderr(contains("QHG passed to S1Y5D"));
    // An organisation the earlier one did not pass to is refused.
    sct()
        .args([
            "template",
            "reassessment-2027-03",
            "--from",
            QHG_2026,
            "--org",
            "QUY",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(QHG_2026))
        .stderr(contains("neither QUY nor a predecessor"));
}

#[test]
fn a_workbook_template_from_last_year_holds_the_answers_marked() {
    let dir = tmp();
    let old = dir.path().join("last-year.toml");
    std::fs::copy(root().join(EXAMPLE), &old).unwrap();
    let book = dir.path().join("this-year.xlsx");
    sct()
        .args(["template", "reassessment-2027-03", "--from"])
        .arg(&old)
        .arg("-o")
        .arg(&book)
        .assert()
        .success();
    let back = dir.path().join("back.toml");
    sct()
        .arg("convert")
        .arg(&book)
        .arg("-o")
        .arg(&back)
        .assert()
        .success();
    let text = std::fs::read_to_string(&back).unwrap();
    assert!(text.contains("round = \"reassessment-2027-03\""), "{text}");
    assert!(
        text.contains("Integrated needs assessment approved by the ICB board"),
        "{text}"
    );
    assert_eq!(text.matches("carried_over = true").count(), 49, "{text}");
    assert!(
        text.contains("[previous]\nfile = \"last-year.toml\"\nods_code = \"QUY\""),
        "{text}"
    );
    // The filled workbook's report finds the earlier response beside it.
    let md = dir.path().join("report.md");
    sct()
        .arg("report")
        .arg(&book)
        .arg("-o")
        .arg(&md)
        .assert()
        .success();
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.contains("## Since the last assessment"), "{md}");
    assert!(md.contains("### Carried over, to review"), "{md}");
}
