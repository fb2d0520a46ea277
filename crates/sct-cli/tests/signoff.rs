//! A team's response from rater to board: `sct template --rater`, `sct approve`, the approved
//! response read-only for every command, and `sct validate` on a status its content does not
//! bear out.

mod common;

use common::{EXAMPLE, root, sct};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// The moderated (agreed) response of the tests, relative to the workspace root.
const AGREED: &str = "crates/sct-cli/tests/fixtures/team/agreed.toml";
/// Its approval, made by `sct approve` from it.
const APPROVED: &str = "crates/sct-cli/tests/fixtures/team/approved.toml";

fn abs(path: &str) -> PathBuf {
    root().join(path)
}

/// Runs `sct approve` of `input` with the board's usual details and `extra` arguments.
fn approve(input: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    sct()
        .arg("approve")
        .arg(input)
        .args(["--by", "ICB board", "--on", "2026-03-26"])
        .args(["--minute", "Board, 26 March 2026, item 7"])
        .args(extra)
        .assert()
}

#[test]
fn a_rater_template_names_the_rater_in_toml_and_in_the_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("asha.toml");
    sct()
        .args(["template", "baseline-2026-03", "--rater", "Asha Patel"])
        .args(["--rater-role", "Director of Finance"])
        .args(["--rater-email", "asha.patel@example.nhs.uk", "-o"])
        .arg(&toml)
        .assert()
        .success();
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(
        text.contains("[rater]")
            && text.contains("name = \"Asha Patel\"")
            && text.contains("role = \"Director of Finance\"")
            && text.contains("email = \"asha.patel@example.nhs.uk\""),
        "{text}"
    );
    assert!(text.contains("[status]") && text.contains("stage = \"draft\""));
    sct().arg("validate").arg(&toml).assert().success();

    // The workbook carries the same, and reads back into the same tables.
    let xlsx = dir.path().join("asha.xlsx");
    sct()
        .args(["template", "baseline-2026-03", "--rater", "Asha Patel"])
        .args(["--rater-role", "Director of Finance", "-o"])
        .arg(&xlsx)
        .assert()
        .success();
    let back = dir.path().join("back.toml");
    sct()
        .arg("convert")
        .arg(&xlsx)
        .arg("-o")
        .arg(&back)
        .assert()
        .success();
    let text = std::fs::read_to_string(&back).unwrap();
    assert!(
        text.contains("[rater]\nname = \"Asha Patel\"\nrole = \"Director of Finance\""),
        "{text}"
    );
    assert!(text.contains("[status]\nstage = \"draft\""), "{text}");
}

#[test]
fn a_rater_is_for_an_organisation_template_and_needs_a_name() {
    sct()
        .args([
            "template",
            "baseline-2026-03",
            "--individual",
            "--rater",
            "A",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
    sct()
        .args(["template", "baseline-2026-03", "--rater-role", "Director"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--rater <NAME>"));
    sct()
        .args(["template", "baseline-2026-03", "--rater", " "])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the rater's name is blank"));
}

#[test]
fn approve_writes_the_status_and_the_approval() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("approved.toml");
    approve(&abs(AGREED), &["-o", out.to_str().unwrap()]).success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains(
            "[approval]\nby = \"ICB board\"\nminute = \"Board, 26 March 2026, item 7\"\non = 2026-03-26"
        ),
        "{text}"
    );
    assert!(
        text.contains("[status]\nby = \"ICB board\"\non = 2026-03-26\nstage = \"approved\""),
        "{text}"
    );
    // The moderation is kept as it was.
    assert!(
        text.contains("[moderation.moderator]\nname = \"Dr Sam Reid\""),
        "{text}"
    );
    // The fixture the other tests use is this command's output, apart from the line naming
    // the input file as this run gave it.
    let fixture = std::fs::read_to_string(abs(APPROVED)).unwrap();
    let body = |t: &str| {
        t.lines()
            .filter(|l| !l.starts_with("# Made by sct"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&text), body(&fixture));
    sct()
        .args(["validate", APPROVED])
        .assert()
        .success()
        .stderr(predicate::str::contains("the status is").not());

    // JSON by the output's extension.
    let json = dir.path().join("approved.json");
    approve(&abs(AGREED), &["-o", json.to_str().unwrap()]).success();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["status"]["stage"], "approved");
    assert_eq!(v["approval"]["minute"], "Board, 26 March 2026, item 7");
    assert_eq!(v["approval"]["on"], "2026-03-26");
}

#[test]
fn approve_refuses_an_unmoderated_response_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("approved.toml");
    approve(&abs(EXAMPLE), &["-o", out.to_str().unwrap()])
        .code(2)
        .stderr(predicate::str::contains(
            "bnssg-illustrative.toml is not moderated (it has no status): only a response agreed by moderation can be approved",
        ))
        .stderr(predicate::str::contains("--force"));
    assert!(!out.exists(), "nothing is written");
    approve(&abs(EXAMPLE), &["--force", "-o", out.to_str().unwrap()])
        .success()
        .stderr(predicate::str::contains("approved without moderation"));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("stage = \"approved\"")
    );
}

#[test]
fn approve_refuses_a_date_that_is_not_one_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("approved.toml");
    sct()
        .args(["approve", AGREED, "--by", "ICB board", "--on", "26/03/2026"])
        .args(["--minute", "item 7", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'26/03/2026'").and(predicate::str::contains("--on")))
        .stderr(predicate::str::contains("YYYY-MM-DD"));
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn approve_refuses_an_approved_response_and_a_blank_approver() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("again.toml");
    for extra in [
        &["-o", out.to_str().unwrap()][..],
        &["--force", "-o", out.to_str().unwrap()],
    ] {
        approve(&abs(APPROVED), extra)
            .code(2)
            .stderr(predicate::str::contains(
                "approved.toml is already approved (by ICB board on 2026-03-26)",
            ));
    }
    assert!(!out.exists(), "nothing is written");
    sct()
        .args(["approve", AGREED, "--by", " ", "--on", "2026-03-26"])
        .args(["--minute", "item 7"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the approval's approver is blank"));
}

/// Every command that would write over an approved response refuses, `--force` or not, and
/// leaves it byte for byte as it was.
#[test]
fn no_command_writes_over_an_approved_response() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("approved.toml");
    std::fs::copy(abs(APPROVED), &kept).unwrap();
    let before = std::fs::read(&kept).unwrap();
    let kept_arg = kept.to_str().unwrap();
    let runs: Vec<Vec<&str>> = vec![
        vec!["template", "baseline-2026-03", "-o", kept_arg, "--force"],
        vec!["template", "baseline-2026-03", "-o", kept_arg],
        vec!["convert", EXAMPLE, "-o", kept_arg, "--force"],
        vec![
            "score", EXAMPLE, "--format", "json", "-o", kept_arg, "--force",
        ],
        vec!["schema", "response", "-o", kept_arg, "--force"],
        vec![
            "approve",
            AGREED,
            "--by",
            "x",
            "--on",
            "2026-03-27",
            "--minute",
            "y",
            "-o",
            kept_arg,
            "--force",
        ],
    ];
    for args in runs {
        sct()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{kept_arg} is an approved response (by ICB board on 2026-03-26), which sct keeps read-only; refusing to write over it"
            )))
            .stderr(predicate::str::contains("--force does not replace it"));
        assert_eq!(std::fs::read(&kept).unwrap(), before, "{args:?}");
    }
    // A copy elsewhere is fine: the approved file is read, not written.
    let copy = dir.path().join("copy.json");
    sct()
        .args(["convert", kept_arg, "-o", copy.to_str().unwrap()])
        .assert()
        .success();
}

#[test]
fn an_approved_workbook_is_read_only_too() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("approved.xlsx");
    sct()
        .args(["convert", APPROVED, "-o"])
        .arg(&xlsx)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "the workbook does not carry the response's [moderation], [approval]",
        ));
    let before = std::fs::read(&xlsx).unwrap();
    sct()
        .args(["template", "baseline-2026-03", "--force", "-o"])
        .arg(&xlsx)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "approved.xlsx is an approved response, which sct keeps read-only",
        ));
    assert_eq!(std::fs::read(&xlsx).unwrap(), before);
    // The workbook reads back approved.
    let back = dir.path().join("back.toml");
    sct()
        .arg("convert")
        .arg(&xlsx)
        .arg("-o")
        .arg(&back)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&back)
            .unwrap()
            .contains("stage = \"approved\"")
    );
}

/// The fixture `from` with `edit` applied, written into `dir` as `name`.
fn edited(from: &str, dir: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, edit(std::fs::read_to_string(abs(from)).unwrap())).unwrap();
    path
}

#[test]
fn validate_reports_a_status_its_content_does_not_bear_out() {
    let dir = tempfile::tempdir().unwrap();
    let no_moderator = edited(APPROVED, dir.path(), "no-moderator.toml", |t| {
        t.replace(
            "[moderation.moderator]\nname = \"Dr Sam Reid\"\nrole = \"Non-executive director, chair of the working group\"\n",
            "",
        )
    });
    sct()
        .arg("validate")
        .arg(&no_moderator)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: the status is approved but no moderator is named",
        ))
        .stderr(predicate::str::contains("stage = \"approved\""));

    let one_rater = edited(AGREED, dir.path(), "one-rater.toml", one_rater);
    sct()
        .arg("validate")
        .arg(&one_rater)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: the status is moderated but only 1 rater took part: a moderation agrees several raters' views",
        ));

    let not_approved = edited(APPROVED, dir.path(), "not-approved.toml", |t| {
        t.replace("stage = \"approved\"", "stage = \"moderated\"")
    });
    sct()
        .arg("validate")
        .arg(&not_approved)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: the response records an approval ([approval]) but its status is moderated, not approved",
        ));
    sct()
        .args(["validate", "--format", "json"])
        .arg(&not_approved)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "its status is moderated, not approved",
        ));
}

/// The agreed fixture as if moderated from its first rater alone.
fn one_rater(text: String) -> String {
    let mut out = String::new();
    let mut skip = false;
    for line in text.lines() {
        if line == "[[moderation.raters]]" {
            skip = out.contains("[[moderation.raters]]");
        } else if line.starts_with('[') {
            skip = false;
        }
        if skip {
            continue;
        }
        match line.strip_prefix("ratings = [") {
            Some(rest) => {
                let first = rest.split(',').next().unwrap_or("").trim_end_matches(']');
                out.push_str(&format!("ratings = [{first}]\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// The report of `APPROVED` in `format`, as text.
fn approved_report(format: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(format!("report.{format}"));
    sct()
        .args(["report", APPROVED, "-o"])
        .arg(&out)
        .assert()
        .success();
    std::fs::read_to_string(&out).unwrap()
}

/// The part of `text` from the line holding `from` up to (not including) the line holding `to`.
fn between(text: &str, from: &str, to: &str) -> String {
    let start = text.find(from).unwrap_or_else(|| panic!("no {from:?}"));
    let end = text[start..].find(to).map_or(text.len(), |at| start + at);
    text[start..end].to_string()
}

#[test]
fn the_report_of_an_approved_response_shows_its_sign_off_and_moderation() {
    let md = approved_report("md");
    insta::assert_snapshot!(
        "signoff_report_md_summary",
        between(&md, "## Board summary", "| Domain |")
    );
    insta::assert_snapshot!(
        "signoff_report_md_moderation",
        between(&md, "## Moderation", "## Method")
    );
    let html = approved_report("html");
    insta::assert_snapshot!(
        "signoff_report_html_summary",
        between(&html, "<section id=\"summary\"", "<table>")
    );
    let moderation = between(
        &html,
        "<section id=\"moderation\"",
        "<section id=\"method\"",
    );
    assert!(
        moderation.contains("<th scope=\"col\">Asha Patel</th>"),
        "{moderation}"
    );
    assert!(
        moderation.contains("<td><strong>Embedding</strong></td>"),
        "the agreed level away from the median is bold:\n{moderation}"
    );
    assert!(html.contains("<a href=\"#moderation\">Moderation</a>"));

    let json: serde_json::Value = serde_json::from_str(&approved_report("json")).unwrap();
    let team = &json["report"]["team"];
    assert_eq!(team["sign_off"]["stage"], "approved");
    assert_eq!(team["sign_off"]["minute"], "Board, 26 March 2026, item 7");
    assert_eq!(team["moderation"]["agreement"], 0.62);
    assert_eq!(team["moderation"]["wide"], 6);
    assert_eq!(
        team["moderation"]["departures"].as_array().unwrap().len(),
        2
    );
    assert_eq!(team["moderation"]["raters"].as_array().unwrap().len(), 3);
}

#[test]
fn a_report_without_a_team_record_has_no_sign_off() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    sct()
        .args(["report", EXAMPLE, "-o"])
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert!(json["report"].get("team").is_none());
    let md = dir.path().join("report.md");
    sct()
        .args(["report", EXAMPLE, "-o"])
        .arg(&md)
        .assert()
        .success();
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(!md.contains("Sign-off") && !md.contains("## Moderation"));
}

#[test]
fn the_word_paper_of_an_approved_response_has_the_sign_off() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("paper.docx");
    sct()
        .args(["report", APPROVED, "-o"])
        .arg(&out)
        .assert()
        .success();
    let file = std::fs::File::open(&out).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    let summary = xml
        .find("Sign-off and moderation")
        .expect("the sign-off heading");
    let profile = xml.find("Capability profile").expect("the profile heading");
    assert!(summary < profile, "the sign-off is in the board summary");
    assert!(xml.contains("approved by ICB board on "));
    assert!(xml.contains("(minute: Board, 26 March 2026, item 7)."));
    assert!(xml.contains("Krippendorff"));
    assert!(xml.contains(">Moderation<"), "the moderation section");
}

#[test]
fn a_moderated_or_draft_report_says_it_is_not_yet_approved() {
    sct()
        .args(["report", AGREED])
        .assert()
        .success()
        .stdout(predicate::str::contains("**Sign-off and moderation**"))
        .stdout(predicate::str::contains(
            "- **Status:** moderated by Dr Sam Reid on 2026-03-24; not yet approved.",
        ));
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("draft.toml");
    sct()
        .args(["template", "baseline-2026-03", "--rater", "Asha Patel"])
        .args(["--rater-role", "Director of Finance", "-o"])
        .arg(&draft)
        .assert()
        .success();
    sct()
        .arg("report")
        .arg(&draft)
        .assert()
        .success()
        .stdout(predicate::str::contains("**Status and sign-off**"))
        .stdout(predicate::str::contains(
            "- **Status:** draft; not yet approved.",
        ))
        .stdout(predicate::str::contains(
            "- **Rater:** Asha Patel (Director of Finance), one rater's view for moderation.",
        ))
        .stdout(predicate::str::contains("## Moderation").not());
}
