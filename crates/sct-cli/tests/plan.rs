//! End-to-end tests of `sct plan`: the acceptance of issue 13 on the bundled example, every
//! format, snapshots, reruns, bad input, progress against a predecessor ICB's response, and a
//! real headless browser.

mod common;

use std::path::{Path, PathBuf};

use common::{EXAMPLE, browser, root, sct};
use predicates::prelude::*;
use predicates::str::contains;

const INDIVIDUALS: &str = "examples/individuals/bnssg";
const HOSTILE: &str =
    "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned2'\">";

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

fn plan_to(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    sct()
        .args(["plan", EXAMPLE])
        .args(extra)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    out
}

fn json_of(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn example_text() -> String {
    std::fs::read_to_string(root().join(EXAMPLE)).unwrap()
}

#[test]
fn the_json_lists_priorities_with_strand_milestone_gap_and_the_rule() {
    let dir = tmp();
    let v = json_of(&plan_to(dir.path(), "plan.json", &[]));
    assert_eq!(v["schema"], "sct-plan/1");
    assert_eq!(
        v["rule"]["order"],
        serde_json::json!([
            "weighted-gap",
            "milestones-at-risk",
            "milestone-due",
            "target-date",
            "current-level",
            "milestones-open",
            "confirmed"
        ])
    );
    assert!(v["rule"]["description"].as_str().unwrap().contains(
        "larger gap to target × weight first; then more milestones at stake missed or at risk first; then milestones at stake due sooner first"
    ));
    let ps = v["priorities"].as_array().unwrap();
    assert!(ps.len() > 10);
    let top = &ps[0];
    assert_eq!(top["rank"], 1);
    assert_eq!(top["id"], "intelligence-function");
    assert_eq!(top["gap"], 2);
    assert_eq!(top["weighted_gap"], 2.0);
    // Level with the evaluation approach on gap, milestone dates and level, the intelligence
    // function has more milestones hanging on it, so it comes first: no tie.
    assert_eq!(top["tied"], false);
    assert_eq!(top["rank_label"], "1");
    assert_eq!(ps[1]["id"], "evaluation-approach");
    assert_eq!(ps[1]["rank"], 2);
    assert!(
        top["strands"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "organisational-development")
    );
    let ms: Vec<&str> = top["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ms, ["evaluation-approach", "intelligence-function"]);
    assert_eq!(top["milestones"][1]["due"], "2027-03-31");
    assert_eq!(top["next_level"]["name"], "Developing");
    // n/a never listed; weighted gaps never rise down the list.
    assert!(ps.iter().all(|p| p["id"] != "data-innovation-digital"));
    for w in ps.windows(2) {
        assert!(w[0]["weighted_gap"].as_f64() >= w[1]["weighted_gap"].as_f64());
    }
    // Support is grouped by the three strands, each quoting its source.
    let strands: Vec<&str> = v["support"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        strands,
        [
            "model-icb-implementation",
            "organisational-development",
            "individual-development"
        ]
    );
    assert!(
        v["support"][0]["source"]
            .as_str()
            .unwrap()
            .contains("3 core strands")
    );
    // The timeline holds programme dates, milestones and targets.
    let kinds: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in ["assessment", "programme", "milestone", "target"] {
        assert!(kinds.contains(&k), "no {k} in the timeline");
    }
    // The provenance block is the report's.
    let report = dir.path().join("report.json");
    sct()
        .args(["report", EXAMPLE, "-o"])
        .arg(&report)
        .assert()
        .success();
    assert_eq!(v["provenance"], json_of(&report)["provenance"]);
}

#[test]
fn a_low_confidence_top_level_rating_without_evidence_shows_validate_before_investing() {
    let dir = tmp();
    let v = json_of(&plan_to(dir.path(), "plan.json", &[]));
    let pay = v["priorities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "payor-payment-design")
        .expect("payment design is listed although it has no gap");
    assert_eq!(pay["level_name"], "Mastering");
    assert_eq!(pay["validate_before_investing"], true);
    assert_eq!(
        pay["validate_reasons"],
        serde_json::json!(["rated with low confidence", "no evidence recorded"])
    );
    let md = std::fs::read_to_string(plan_to(dir.path(), "plan.md", &[])).unwrap();
    let row = md
        .lines()
        .find(|l| l.contains("Payment design, tariffs and incentives"))
        .unwrap();
    assert!(row.contains("**validate before investing**"), "{row}");
    let html = std::fs::read_to_string(plan_to(dir.path(), "plan.html", &[])).unwrap();
    assert!(
        html.contains("Validate before investing: rated with low confidence; no evidence recorded")
    );
    // In CSV the flag is a boolean, as every CSV spells one, with its reasons beside it.
    let mut csv = csv::Reader::from_path(plan_to(dir.path(), "plan.csv", &[])).unwrap();
    let header = csv.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = csv
        .records()
        .map(Result::unwrap)
        .find(|r| r.iter().any(|f| f == "payor-payment-design"))
        .unwrap();
    assert_eq!(&row[at("validate")], "true", "{row:?}");
    assert!(
        row[at("validate_reasons")].contains("low confidence"),
        "{row:?}"
    );
}

#[test]
fn a_role_group_of_fewer_than_five_people_is_withheld() {
    let dir = tmp();
    let v = json_of(&plan_to(
        dir.path(),
        "plan.json",
        &["--individuals", INDIVIDUALS],
    ));
    let groups = v["individuals"]["groups"].as_array().unwrap();
    let analysts = groups
        .iter()
        .find(|g| g["name"] == "Analysts and intelligence")
        .unwrap();
    assert_eq!(analysts["people"], 3);
    assert_eq!(analysts["suppressed"], true);
    assert_eq!(analysts["needs"], serde_json::json!([]));
    let managers = groups
        .iter()
        .find(|g| g["name"] == "Commissioning managers")
        .unwrap();
    assert_eq!(managers["suppressed"], false);
    let needs = managers["needs"].as_array().unwrap();
    assert!(!needs.is_empty());
    for n in needs {
        assert!(n["median"].as_f64().unwrap() < n["organisation_target"].as_f64().unwrap());
    }
    assert_eq!(v["individuals"]["suppressed_groups"], 1);
    let md = std::fs::read_to_string(plan_to(
        dir.path(),
        "plan.md",
        &["--individuals", INDIVIDUALS],
    ))
    .unwrap();
    assert!(
        md.contains("### Analysts and intelligence (3 people)\n\nWithheld: fewer than 5 people")
    );
}

#[test]
fn every_format_is_written_and_reruns_are_byte_identical() {
    let dir = tmp();
    for ext in ["html", "md", "json", "csv", "xlsx"] {
        let a = plan_to(
            dir.path(),
            &format!("a.{ext}"),
            &["--individuals", INDIVIDUALS],
        );
        let b = plan_to(
            dir.path(),
            &format!("b.{ext}"),
            &["--individuals", INDIVIDUALS],
        );
        let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
        assert!(a.len() > 1000, "{ext} is too small");
        assert_eq!(a, b, "{ext} differs between runs");
    }
    let xlsx = std::fs::read(dir.path().join("a.xlsx")).unwrap();
    assert!(xlsx.starts_with(b"PK"), "an xlsx is a zip file");
    // --format overrides the extension.
    let out = dir.path().join("plan.txt");
    sct()
        .args(["plan", EXAMPLE, "--format", "csv", "-o"])
        .arg(&out)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(out)
            .unwrap()
            .starts_with("ods_code,round,as_of,rank,tied,capability_id")
    );
}

#[test]
fn csv_has_one_row_per_priority() {
    let dir = tmp();
    let v = json_of(&plan_to(dir.path(), "plan.json", &[]));
    let csv = std::fs::read_to_string(plan_to(dir.path(), "plan.csv", &[])).unwrap();
    // No field of the example spans lines, so a line is a row.
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len() - 1, v["priorities"].as_array().unwrap().len());
    assert!(lines[0].ends_with(",validate,validate_reasons,rule"));
    assert!(
        lines[1].ends_with(",\"weighted-gap, milestones-at-risk, milestone-due, target-date, current-level, milestones-open, confirmed\""),
        "{}",
        lines[1]
    );
}

#[test]
fn snapshots_of_markdown_json_and_csv() {
    let dir = tmp();
    let md = std::fs::read_to_string(plan_to(
        dir.path(),
        "plan.md",
        &["--individuals", INDIVIDUALS],
    ))
    .unwrap();
    insta::assert_snapshot!("plan_md", md);
    let json = std::fs::read_to_string(plan_to(dir.path(), "plan.json", &[])).unwrap();
    insta::assert_snapshot!("plan_json", json);
    let csv = std::fs::read_to_string(plan_to(dir.path(), "plan.csv", &[])).unwrap();
    insta::assert_snapshot!("plan_csv", csv);
}

#[test]
fn bad_input_exits_2_with_clear_errors() {
    let dir = tmp();
    // A missing response.
    sct()
        .args(["plan", "no-such.toml"])
        .assert()
        .code(2)
        .stderr(contains("no-such.toml"));
    // An existing output is not overwritten without --force.
    let out = plan_to(dir.path(), "plan.md", &[]);
    std::fs::write(&out, "keep").unwrap();
    sct()
        .args(["plan", EXAMPLE, "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("--force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep");
    // An individual self-assessment is not an organisation's plan.
    sct()
        .args(["plan", "examples/individuals/bnssg/person-01.toml"])
        .assert()
        .code(2)
        .stderr(contains("individual self-assessment"));
    // A previous response of an unrelated organisation.
    let other = write(
        dir.path(),
        "other.toml",
        &example_text()
            .replace("ods_code = \"QUY\"", "ods_code = \"QR1\"")
            .replace("assessed = 2026-03-20", "assessed = 2026-03-02"),
    );
    sct()
        .args(["plan", EXAMPLE, "--against"])
        .arg(&other)
        .assert()
        .code(2)
        .stderr(contains("other.toml"))
        .stderr(contains("neither QUY nor a predecessor"));
    // A "previous" response dated after the current one.
    let later = write(
        dir.path(),
        "later.toml",
        &example_text().replace("assessed = 2026-03-20", "assessed = 2026-03-25"),
    );
    sct()
        .args(["plan", EXAMPLE, "--against"])
        .arg(&later)
        .assert()
        .code(2)
        .stderr(contains("not before the current one"));
    // A broken user template names its file.
    let tpl = dir.path().join("tpl");
    std::fs::create_dir(&tpl).unwrap();
    std::fs::write(tpl.join("plan.md"), "{% if x %}\nunclosed\n").unwrap();
    sct()
        .args(["plan", EXAMPLE, "--template-dir"])
        .arg(&tpl)
        .assert()
        .code(2)
        .stderr(contains("plan.md"));
    // A malformed --as-of.
    sct()
        .args(["plan", EXAMPLE, "--as-of", "2026-13-01"])
        .assert()
        .code(2)
        .stderr(contains("--as-of"));
}

#[test]
fn a_toolkit_naming_an_unknown_strand_or_milestone_is_refused_with_its_line() {
    let dir = tmp();
    let text = std::fs::read_to_string(root().join("frameworks/capability-toolkit.toml")).unwrap();
    let bad = text.replacen(
        "milestones = [\"evaluation-approach\"]",
        "milestones = [\"evaluation-aproach\"]",
        1,
    );
    let line = bad
        .lines()
        .position(|l| l.contains("evaluation-aproach"))
        .unwrap()
        + 1;
    let fw = dir.path().join("fw");
    std::fs::create_dir(&fw).unwrap();
    write(&fw, "toolkit.toml", &bad);
    sct()
        .arg("--framework-dir")
        .arg(&fw)
        .args(["plan", EXAMPLE])
        .assert()
        .code(2)
        .stderr(contains(format!("toolkit.toml:{line}:")))
        .stderr(contains("milestone \"evaluation-aproach\""))
        .stderr(contains("did you mean \"evaluation-approach\""));
    let bad = text.replacen(
        "strands = [\"organisational-development\", \"individual-development\"]",
        "strands = [\"organisation-development\", \"individual-development\"]",
        1,
    );
    write(&fw, "toolkit.toml", &bad);
    sct()
        .arg("--framework-dir")
        .arg(&fw)
        .args(["plan", EXAMPLE])
        .assert()
        .code(2)
        .stderr(contains("strand \"organisation-development\""))
        .stderr(contains(
            "one of: model-icb-implementation, organisational-development, individual-development",
        ));
}

/// A later round over the same toolkit, as a user would add one: the baseline round with a
/// new id and a March 2027 window.
fn later_round(dir: &Path) -> PathBuf {
    let fw = dir.join("fw");
    std::fs::create_dir_all(&fw).unwrap();
    let text = std::fs::read_to_string(root().join("frameworks/rounds/baseline-2026-03.toml"))
        .unwrap()
        .replacen("id = \"baseline-2026-03\"", "id = \"review-2027-03\"", 1)
        .replacen(
            "window = { opens = 2026-03-01, closes = 2026-03-31 }\ndue = 2026-03-31",
            "window = { opens = 2027-03-01, closes = 2027-03-31 }\ndue = 2027-03-31",
            1,
        );
    assert!(text.contains("review-2027-03") && text.contains("opens = 2027-03-01"));
    write(&fw, "review-2027-03.toml", &text);
    fw
}

#[test]
fn progress_against_a_predecessor_icbs_response() {
    let dir = tmp();
    let fw = later_round(dir.path());
    let beds = "NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board";
    let previous = write(
        dir.path(),
        "qhg-2026-03.toml",
        &example_text()
            .replace("ods_code = \"QUY\"", "ods_code = \"QHG\"")
            .replace(
                "name = \"NHS Bristol, North Somerset and South Gloucestershire Integrated Care Board\"",
                &format!("name = \"{beds}\""),
            ),
    );
    // A year later the successor has closed the intelligence function's gap and improved the
    // evaluation approach by one level.
    let current = example_text()
        .replace("round = \"baseline-2026-03\"", "round = \"review-2027-03\"")
        .replace("assessed = 2026-03-20", "assessed = 2027-03-15")
        .replace("ods_code = \"QUY\"", "ods_code = \"S1Y5D\"")
        .replace(
            "[capabilities.intelligence-function]\nlevel = \"starting-out\"",
            "[capabilities.intelligence-function]\nlevel = \"embedding\"",
        )
        .replace(
            "[capabilities.evaluation-approach]\nlevel = \"starting-out\"",
            "[capabilities.evaluation-approach]\nlevel = \"developing\"",
        );
    assert!(
        current.contains(
            "level = \"embedding\"\nconfidence = \"medium\"\nevidence = [\"Business case"
        )
    );
    let current = write(dir.path(), "s1y5d-2027-03.toml", &current);
    let out = dir.path().join("plan.json");
    sct()
        .arg("--framework-dir")
        .arg(&fw)
        .arg("plan")
        .arg(&current)
        .arg("--against")
        .arg(&previous)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let v = json_of(&out);
    let p = &v["progress"];
    assert_eq!(p["predecessor"], true);
    assert!(
        p["relation"]
            .as_str()
            .unwrap()
            .contains("is a predecessor of"),
        "{p}"
    );
    assert!(p["relation"].as_str().unwrap().contains("whole"), "{p}");
    assert_eq!(p["previous"]["ods_code"], "QHG");
    let row = |id: &str| {
        p["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no row {id}"))
            .clone()
    };
    let intel = row("intelligence-function");
    assert_eq!(intel["status"], "gap-closed");
    assert_eq!(intel["level_then"], "Starting out");
    assert_eq!(intel["level_now"], "Embedding");
    assert_eq!(intel["priority_rank"], serde_json::Value::Null);
    let eval = row("evaluation-approach");
    assert_eq!(eval["status"], "improved");
    assert_eq!(eval["change"], 1);
    assert_eq!(row("linked-person-level-data")["status"], "no-change");
    assert_eq!(p["gaps_closed"], 1);
    // The same in Markdown.
    let md = dir.path().join("plan.md");
    sct()
        .arg("--framework-dir")
        .arg(&fw)
        .arg("plan")
        .arg(&current)
        .arg("--against")
        .arg(&previous)
        .arg("-o")
        .arg(&md)
        .assert()
        .success();
    let md = std::fs::read_to_string(md).unwrap();
    assert!(md.contains("## Progress since 2026-03-20"), "{md}");
    assert!(md.contains(
        "| Intelligence function | Starting out (Embedding) | Embedding (Embedding) | gap closed |"
    ));
}

#[test]
fn the_html_plan_in_a_real_browser() {
    let Some(chromium) = browser::chromium_or_skip() else {
        return;
    };
    let dir = tmp();
    let evil = format!("{HOSTILE:?}");
    let text = example_text()
        .replacen(
            "rationale = \"Add population",
            &format!("rationale = {} Add population", &evil[..evil.len() - 1]),
            1,
        )
        .replacen(
            "notice = \"",
            &format!("notice = \"<b>bold</b> {} ", &evil[1..evil.len() - 1]),
            1,
        )
        .replacen(
            "[capabilities.intelligence-function]\nlevel = \"starting-out\"\nconfidence = \"medium\"\nevidence = [",
            &format!("[capabilities.intelligence-function]\nlevel = \"starting-out\"\nconfidence = \"low\"\nevidence = [{evil}, "),
            1,
        );
    assert!(text.contains("<script>"), "the response was made hostile");
    let response = write(dir.path(), "hostile.toml", &text);
    let html = dir.path().join("plan.html");
    sct()
        .arg("plan")
        .arg(&response)
        .args(["--individuals", INDIVIDUALS, "-o"])
        .arg(&html)
        .assert()
        .success();
    let visit = browser::visit(&chromium, dir.path(), &html);
    let dom = &visit.dom;
    browser::assert_hostile_text_inert(
        &visit,
        "Strategic commissioning development plan: NHS Bristol",
    );
    assert!(
        !dom.contains("<b>bold"),
        "markup in the notice was not escaped"
    );
    for id in [
        "summary",
        "priorities",
        "support",
        "individuals",
        "timeline",
        "method",
        "provenance",
    ] {
        assert!(dom.contains(&format!("id=\"{id}\"")), "no section {id}");
    }
    assert_eq!(dom.matches("<h1").count(), 1);
    assert_eq!(dom.matches("<svg").count(), 1, "the timeline");
    assert!(dom.contains("role=\"img\"") && dom.contains("<title id=\"sct-timeline"));
    assert!(dom.contains("Withheld: fewer than 5 people"));
    assert!(dom.contains("Validate before investing: rated with low confidence"));
    assert_eq!(
        dom.matches("<th>").count(),
        0,
        "every header cell has a scope"
    );
    browser::assert_self_contained(&chromium, dir.path(), &visit);
}

#[test]
fn help_names_the_command() {
    sct().args(["plan", "--help"]).assert().success().stdout(
        contains("--individuals")
            .and(contains("--against"))
            .and(contains("xlsx")),
    );
}

#[test]
fn the_assessment_report_includes_the_plans_first_priorities() {
    let dir = tmp();
    let json = dir.path().join("report.json");
    sct()
        .args(["report", EXAMPLE, "-o"])
        .arg(&json)
        .assert()
        .success();
    let r = json_of(&json);
    let plan = json_of(&plan_to(dir.path(), "plan.json", &[]));
    assert_eq!(r["report"]["plan"]["top"][0], plan["priorities"][0]);
    assert_eq!(r["report"]["plan"]["top"].as_array().unwrap().len(), 5);
    assert_eq!(r["report"]["plan"]["summary"], plan["summary"]);
    let html = dir.path().join("report.html");
    sct()
        .args(["report", EXAMPLE, "-o"])
        .arg(&html)
        .assert()
        .success();
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("<a href=\"#plan\">Development plan</a>"));
    assert!(html.contains("<code>sct plan</code> writes the whole plan"));
}
