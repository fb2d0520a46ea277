//! End-to-end tests of the foundation: frameworks, templates, validation and scoring from the
//! command line, as a new user would run them.

mod common;

use common::{EXAMPLE, root, sct};
use predicates::prelude::*;
use predicates::str::contains;

/// Runs `sct` with `args`, expecting success, and returns what it printed.
fn stdout_of(args: &[&str]) -> Vec<u8> {
    sct()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

/// The bundled toolkit's TOML, as `sct frameworks show --format toml` gives it to users to edit.
fn bundled_toolkit_toml() -> String {
    let out = stdout_of(&[
        "frameworks",
        "show",
        "capability-toolkit",
        "--format",
        "toml",
    ]);
    String::from_utf8(out).expect("UTF-8")
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

#[test]
fn frameworks_list_json_lists_the_toolkit_and_the_round() {
    let out = stdout_of(&["frameworks", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"capability-toolkit") && ids.contains(&"baseline-2026-03"),
        "{ids:?}"
    );
    for f in v.as_array().unwrap() {
        assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
        assert_eq!(f["origin"], "bundled");
    }
}

#[test]
fn a_blank_template_validates_with_coverage_zero() {
    let dir = tmp();
    let t = dir.path().join("t.toml");
    sct()
        .args(["template", "baseline-2026-03", "-o"])
        .arg(&t)
        .assert()
        .success();
    sct()
        .arg("validate")
        .arg(&t)
        .assert()
        .success()
        .stdout(contains(
            "coverage 0 of 50 applicable capabilities answered (0%)",
        ));
    // The template lists descriptors as comments and every milestone of the round.
    let text = std::fs::read_to_string(&t).unwrap();
    assert!(text.contains("#   mastering: "));
    assert!(text.contains("[milestones.integrated-needs-assessment]"));
    // An individual template has only the individual competencies.
    let i = dir.path().join("i.toml");
    sct()
        .args(["template", "baseline-2026-03", "--individual", "-o"])
        .arg(&i)
        .assert()
        .success();
    sct()
        .arg("validate")
        .arg(&i)
        .assert()
        .success()
        .stdout(contains("valid"));
    assert!(std::fs::read_to_string(&i).unwrap().contains("[person]"));
    // --strict turns missing answers into an error.
    sct()
        .args(["validate", "--strict"])
        .arg(&t)
        .assert()
        .code(2)
        .stderr(contains("error: 50 of 50 capabilities not answered"));
}

#[test]
fn scoring_the_example_prints_domains_coverage_and_provenance() {
    let out = stdout_of(&["score", EXAMPLE]);
    let text = String::from_utf8(out).unwrap();
    for needle in [
        "3.1 Understanding the local context",
        "4.7 Supporting ICB competency",
        "Overall",
        "Coverage",
        "Provenance",
        "capability-toolkit 1.0.0",
        "sha256",
        "NOTICE: ILLUSTRATIVE DATA",
        "Milestones as of 2026-03-20",
        "Method",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    insta::assert_snapshot!("score_table", text);
}

#[test]
fn score_json_is_stable_and_complete() {
    let out = stdout_of(&["score", EXAMPLE, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "sct-score/1");
    assert_eq!(v["domains"].as_array().unwrap().len(), 11);
    assert!(v["overall"]["score"].as_f64().unwrap() > 1.0);
    assert!(v["overall"]["coverage"]["ratio"].as_f64().unwrap() < 1.0);
    assert!(v["notice"].as_str().unwrap().contains("not NHS Bristol"));
    assert_eq!(v["provenance"]["frameworks"][0]["id"], "capability-toolkit");
    assert!(
        v["method"]["description"]
            .as_str()
            .unwrap()
            .contains("weighted mean")
    );
    insta::assert_json_snapshot!("score_json", v);
}

#[test]
fn score_csv_has_a_row_per_capability_domain_and_overall() {
    let out = stdout_of(&["score", EXAMPLE, "--format", "csv"]);
    let text = String::from_utf8(out).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[0].starts_with("scope,ods_code,round,domain_id,capability_id"));
    assert_eq!(
        rows.iter().filter(|r| r.starts_with("capability,")).count(),
        50
    );
    assert_eq!(rows.iter().filter(|r| r.starts_with("domain,")).count(), 11);
    assert_eq!(rows.iter().filter(|r| r.starts_with("overall,")).count(), 1);
}

#[test]
fn reruns_are_byte_identical() {
    let dir = tmp();
    for format in ["json", "csv", "table"] {
        let a = dir.path().join(format!("a.{format}"));
        let b = dir.path().join(format!("b.{format}"));
        sct()
            .args(["score", EXAMPLE, "--format", format, "-o"])
            .arg(&a)
            .assert()
            .success();
        sct()
            .args(["score", EXAMPLE, "--format", format, "-o"])
            .arg(&b)
            .assert()
            .success();
        assert_eq!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{format} differs between runs"
        );
    }
}

#[test]
fn a_level_that_does_not_exist_exits_2_naming_file_line_and_levels() {
    let dir = tmp();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "round = \"baseline-2026-03\"\nassessed = 2026-03-20\n[organisation]\nods_code = \"QUY\"\n[capabilities.integrated-needs-assessment]\nlevel = \"mastered\"\n").unwrap();
    sct().arg("validate").arg(&f).assert().code(2).stderr(
        contains("bad.toml:6:9")
            .and(contains(
                "\"mastered\" is not a level of capability-toolkit 1.0.0",
            ))
            .and(contains(
                "starting-out, developing, embedding, advancing, mastering",
            ))
            .and(contains("did you mean \"mastering\"?")),
    );
    sct()
        .arg("score")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(contains("bad.toml:6:9"));
}

#[test]
fn bad_files_get_clear_errors_and_exit_2() {
    let dir = tmp();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.toml", b"".to_vec(), "is empty"),
        ("latin1.toml", b"round = \"baseline-2026-03\"\n[organisation]\nname = \"Caf\xe9\"\n".to_vec(), "latin1.toml:3:12: byte 0xe9 is not valid UTF-8"),
        ("broken.toml", b"round = \"baseline-2026-03\n".to_vec(), "broken.toml:1:"),
        ("types.toml", b"round = \"baseline-2026-03\"\n[organisation]\nods_code = 42\n".to_vec(), "types.toml:3:12"),
        ("unknown.toml", b"round = \"baseline-2026-03\"\nrond = 1\n[organisation]\n".to_vec(), "unknown field `rond`"),
        ("noround.toml", b"[organisation]\nname = \"x\"\n".to_vec(), "names neither a round nor a framework"),
        ("badround.toml", b"round = \"baseline-2025\"\n[organisation]\n".to_vec(), "badround.toml:1:9"),
        ("badcode.toml", b"round = \"baseline-2026-03\"\nassessed = 2026-03-20\n[organisation]\nods_code = \"QXX\"\n".to_vec(), "\"QXX\" is not an organisation"),
        ("dissolved.toml", b"round = \"baseline-2026-03\"\nassessed = 2026-03-20\n[organisation]\nods_code = \"S9B9J\"\n".to_vec(), "did not exist on the assessed date 2026-03-20"),
        ("window.toml", b"round = \"baseline-2026-03\"\nassessed = 2026-05-20\n[organisation]\nods_code = \"QUY\"\n".to_vec(), "outside the baseline-2026-03 window"),
        ("date.toml", b"round = \"baseline-2026-03\"\nassessed = \"20/03/2026\"\n[organisation]\n".to_vec(), "date.toml:2:12"),
    ];
    for (name, bytes, needle) in cases {
        let f = dir.path().join(name);
        std::fs::write(&f, bytes).unwrap();
        let out = sct()
            .arg("validate")
            .arg(&f)
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone();
        let err = String::from_utf8_lossy(&out);
        assert!(
            err.contains(needle),
            "{name}: expected {needle:?} in:\n{err}"
        );
        assert!(!err.contains("panicked"), "{name} panicked:\n{err}");
    }
    sct()
        .args(["validate", "no/such/file.toml"])
        .assert()
        .code(2)
        .stderr(contains("no/such/file.toml"));
    sct()
        .arg("validate")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("is a directory; expected a file"));
    // A huge file is refused before it is read (a sparse file costs no disk).
    let huge = dir.path().join("huge.toml");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(65 * 1024 * 1024)
        .unwrap();
    sct()
        .arg("validate")
        .arg(&huge)
        .assert()
        .code(2)
        .stderr(contains("larger than the"));
}

#[test]
fn output_is_never_overwritten_without_force_and_never_over_an_input() {
    let dir = tmp();
    let out = dir.path().join("score.json");
    std::fs::write(&out, "precious").unwrap();
    sct()
        .args(["score", EXAMPLE, "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("already exists").and(contains("--force")));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    sct()
        .args(["score", EXAMPLE, "--force", "-o"])
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(
        v["schema"], "sct-score/1",
        "format follows the .json extension"
    );
    let copy = dir.path().join("copy.toml");
    std::fs::copy(root().join(EXAMPLE), &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    sct()
        .args(["score", "--force", "-o"])
        .arg(&copy)
        .arg(&copy)
        .assert()
        .code(2)
        .stderr(contains("one of the inputs"));
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
}

#[test]
fn a_users_edited_framework_overrides_the_bundled_one() {
    let dir = tmp();
    let text = bundled_toolkit_toml().replace(
        "domain_aggregation = \"weighted-mean\"",
        "domain_aggregation = \"min\"",
    );
    std::fs::write(dir.path().join("toolkit.toml"), text).unwrap();
    sct()
        .args(["frameworks", "validate"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("ok:").and(contains("capability capability-toolkit 1.0.0")));
    let bundled = stdout_of(&["score", EXAMPLE, "--format", "json"]);
    let edited = sct()
        .args(["score", EXAMPLE, "--format", "json", "--framework-dir"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let b: serde_json::Value = serde_json::from_slice(&bundled).unwrap();
    let e: serde_json::Value = serde_json::from_slice(&edited).unwrap();
    assert_eq!(e["method"]["domain_aggregation"], "min");
    assert_ne!(b["domains"][0]["score"], e["domains"][0]["score"]);
    // SCT_FRAMEWORK_PATH does the same.
    let via_env = sct()
        .env("SCT_FRAMEWORK_PATH", dir.path())
        .args(["score", EXAMPLE, "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(via_env, edited);
}

#[test]
fn a_broken_user_framework_is_reported_with_its_line() {
    let dir = tmp();
    let text = bundled_toolkit_toml().replacen(
        "id = \"linked-person-level-data\"",
        "id = \"integrated-needs-assessment\"",
        1,
    );
    let f = dir.path().join("dup.toml");
    std::fs::write(&f, &text).unwrap();
    let line = text
        .lines()
        .position(|l| l == "id = \"integrated-needs-assessment\"")
        .unwrap();
    let second = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "id = \"integrated-needs-assessment\"")
        .nth(1)
        .unwrap()
        .0
        + 1;
    sct()
        .args(["frameworks", "validate"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(
            contains(format!("dup.toml:{second}:6"))
                .and(contains(format!("first used at line {}", line + 1))),
        );
}

#[test]
fn a_users_organisations_table_is_used() {
    let dir = tmp();
    let orgs = dir.path().join("orgs.csv");
    std::fs::write(&orgs, "ods_code,name,region,valid_from,valid_to,population_approx\nRXX,Example Trust,South West,2020-01-01,,\n").unwrap();
    let f = dir.path().join("r.toml");
    std::fs::write(
        &f,
        "round = \"baseline-2026-03\"\nassessed = 2026-03-20\n[organisation]\nods_code = \"RXX\"\n",
    )
    .unwrap();
    sct().arg("validate").arg(&f).assert().code(2);
    sct()
        .arg("validate")
        .arg(&f)
        .arg("--organisations")
        .arg(&orgs)
        .assert()
        .success();
}

#[test]
fn schemas_are_json_for_every_kind() {
    for kind in ["capability", "assessment-round", "response"] {
        let out = stdout_of(&["schema", kind]);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert!(v["properties"].is_object(), "{kind}");
    }
    sct().args(["schema", "nonsense"]).assert().code(2);
}

#[test]
fn frameworks_show_prints_levels_domains_and_milestones() {
    sct()
        .args(["frameworks", "show", "capability-toolkit"])
        .assert()
        .success()
        .stdout(
            contains("3 embedding")
                .and(contains("[name drafted by this toolkit]"))
                .and(contains("3.1 Understanding the local context")),
        );
    sct()
        .args(["frameworks", "show", "baseline-2026-03"])
        .assert()
        .success()
        .stdout(
            contains("due 2026-03-31 (by March 2026; scf §3.1)  (used for status)")
                .and(contains("due 2026-01-31 (January 2026; scf §6, Table 1)")),
        );
    sct()
        .args(["frameworks", "show", "nope"])
        .assert()
        .code(2)
        .stderr(contains("no framework nope"));
}

#[test]
fn help_and_version_work() {
    sct()
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("Usage: sct"));
    sct()
        .arg("--version")
        .assert()
        .success()
        .stdout(contains("sct 0.1.0"));
    for cmd in ["score", "validate", "template", "schema"] {
        sct()
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(contains("Example"));
    }
    sct().arg("frobnicate").assert().code(2);
}

#[test]
fn validation_errors_come_in_line_order_with_a_total_and_invalid_answers_are_not_unanswered() {
    let example = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    // Three answers made invalid: the last rating of the file first, so that the order in
    // which they are found (by capability) is not the order of the lines.
    let mut bad = example.clone();
    for level in ["\"embedding\"", "\"developing\""] {
        let at = bad.rfind(&format!("\nlevel = {level}")).unwrap();
        bad.replace_range(at..at + 9 + level.len(), "\nlevel = \"expert\"");
    }
    let first = bad.find("\nlevel = \"developing\"").unwrap();
    bad.replace_range(first..first + 21, "\nlevel = \"expert\"");
    let dir = tmp();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, &bad).unwrap();
    let out = sct().arg("validate").arg(&file).assert().code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    let lines: Vec<usize> = stderr
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--> "))
        .filter_map(|place| place.rsplit(':').nth(1)?.parse().ok())
        .collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}\n{stderr}");
    assert!(
        stderr
            .trim_end()
            .ends_with("\n3 errors and 1 warning in all"),
        "{stderr}"
    );
    // The one capability the example leaves unanswered, not the three answered wrongly.
    assert!(
        stderr.contains("warning: 1 of 50 capabilities not answered"),
        "{stderr}"
    );
}
