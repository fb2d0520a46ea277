//! The bundled team assessment (examples/team-assessment) is what its commands make: the
//! raters from their generator (one converted to a workbook), the moderation workbook from
//! `sct moderate` filled by its script, the agreed response from `sct moderate apply` and the
//! approval from `sct approve`, byte for byte; and the README's tour runs on it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{root, sct};
use predicates::str::contains;

fn example() -> PathBuf {
    root().join("examples/team-assessment")
}

/// Python 3.11 or later (tomllib), which the example's scripts need; `None`, said, without.
fn python() -> Option<()> {
    let ok = Command::new("python3")
        .args(["-c", "import tomllib"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: python3 with tomllib (3.11+) is not available");
    }
    ok.then_some(())
}

fn same(made: &Path, kept: &Path) {
    assert!(
        std::fs::read(made).unwrap() == std::fs::read(kept).unwrap(),
        "{} differs from what its commands make ({})",
        kept.display(),
        made.display()
    );
}

fn run_in(dir: &Path, args: &[&str]) {
    sct().current_dir(dir).args(args).assert().success();
}

#[test]
fn every_file_of_the_team_example_is_what_its_commands_make() {
    if python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let generated = work.join("generated");
    let status = Command::new("python3")
        .arg(example().join("generate-raters.py"))
        .arg(&generated)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::create_dir(work.join("raters")).unwrap();
    for name in ["rater-strategy", "rater-finance", "rater-nursing"] {
        let made = generated.join(format!("{name}.toml"));
        same(&made, &example().join(format!("raters/{name}.toml")));
        std::fs::copy(&made, work.join(format!("raters/{name}.toml"))).unwrap();
    }
    run_in(
        work,
        &[
            "convert",
            "generated/rater-digital.toml",
            "-o",
            "raters/rater-digital.xlsx",
        ],
    );
    same(
        &work.join("raters/rater-digital.xlsx"),
        &example().join("raters/rater-digital.xlsx"),
    );

    let raters = [
        "raters/rater-strategy.toml",
        "raters/rater-finance.toml",
        "raters/rater-nursing.toml",
        "raters/rater-digital.xlsx",
    ];
    run_in(
        work,
        &[&["moderate"][..], &raters, &["-o", "blank.xlsx"]].concat(),
    );
    let status = Command::new("python3")
        .arg(example().join("fill-moderation.py"))
        .args(["blank.xlsx", "moderation.xlsx"])
        .current_dir(work)
        .status()
        .unwrap();
    assert!(status.success());
    same(
        &work.join("moderation.xlsx"),
        &example().join("moderation.xlsx"),
    );

    run_in(
        work,
        &["moderate", "apply", "moderation.xlsx", "-o", "agreed.toml"],
    );
    same(&work.join("agreed.toml"), &example().join("agreed.toml"));
    run_in(
        work,
        &[
            "approve",
            "agreed.toml",
            "--by",
            "ICB board",
            "--on",
            "2026-03-26",
            "--minute",
            "Board, 26 March 2026, item 7 (illustrative)",
            "-o",
            "approved.toml",
        ],
    );
    same(
        &work.join("approved.toml"),
        &example().join("approved.toml"),
    );
}

#[test]
fn the_agreed_response_records_the_panel_and_the_approval_shows_in_the_report() {
    let agreed = std::fs::read_to_string(example().join("agreed.toml")).unwrap();
    assert!(agreed.contains("stage = \"moderated\""));
    assert!(agreed.contains("name = \"Dr Helen Price\""));
    assert_eq!(agreed.matches("[[moderation.raters]]").count(), 4);
    // The milestone the raters reported differently is left for the moderator; the rest carry.
    assert!(!agreed.contains("[milestones.co-production-methodology]"));
    assert!(agreed.contains("[milestones.integrated-needs-assessment]"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.md");
    sct()
        .args(["report", "examples/team-assessment/approved.toml", "-o"])
        .arg(&out)
        .assert()
        .success();
    let report = std::fs::read_to_string(&out).unwrap();
    assert!(
        report.contains("approved by ICB board on 2026-03-26"),
        "{report:.3000}"
    );
    assert!(report.contains("Board, 26 March 2026, item 7 (illustrative)"));
    assert!(report.contains("Dr Helen Price"));
}

#[test]
fn the_moderation_view_of_the_four_raters_names_them_and_their_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("moderation.json");
    sct()
        .current_dir(example())
        .args([
            "moderate",
            "raters/rater-strategy.toml",
            "raters/rater-finance.toml",
            "raters/rater-nursing.toml",
            "raters/rater-digital.xlsx",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let view: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(view["schema"], "sct-moderation/1");
    assert_eq!(view["raters"].as_array().unwrap().len(), 4);
    let alpha = view["agreement"]["alpha"].as_f64().unwrap();
    assert!((0.6..0.8).contains(&alpha), "{alpha}");
    sct()
        .current_dir(example())
        .args([
            "moderate",
            "raters/rater-strategy.toml",
            "raters/rater-strategy.toml",
            "-o",
        ])
        .arg(dir.path().join("twice.html"))
        .assert()
        .code(2)
        .stderr(contains("are both by Amira Khan"));
    assert!(!dir.path().join("twice.html").exists());
}
