//! End-to-end tests of `sct kpi review` on the bundled BNSSG example, hostile input and bad
//! input, including the same headless-browser check as the assessment report.

mod common;

use std::path::{Path, PathBuf};

use common::{browser, root, sct};
use predicates::prelude::*;
use predicates::str::contains;

const DATA: &str = "examples/kpi/bnssg-kpis.csv";
const SET: &str = "frameworks/kpi/scf-three-timeframes.toml";
const HOSTILE: &str =
    "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned2'\">";

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

fn review_to(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    sct()
        .args(["kpi", "review", "--data", DATA, "--org", "QUY"])
        .args(extra)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    out
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn indicator<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["timeframes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["indicators"].as_array().unwrap())
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
}

#[test]
fn json_shows_ae_four_hour_below_plan() {
    let dir = tmp();
    let out = review_to(
        dir.path(),
        "review.json",
        &["--set", "scf-three-timeframes"],
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    let ae = indicator(&v, "ae-4-hour");
    assert_eq!(ae["latest"]["plan_position"], "below-plan");
    assert_eq!(ae["latest"]["meets_plan"], false);
    assert_eq!(ae["previous_year"]["year"], "2024/25");
    assert_eq!(ae["previous_year"]["plan_position"], "below-plan");
    assert_eq!(ae["previous_year"]["periods_meeting_plan"], 0);
    assert_eq!(ae["previous_year"]["periods_with_plan"], 12);
    let ytd = ae["previous_year"]["value"].as_f64().unwrap();
    assert!((ytd - 65.1).abs() < 0.05, "2024/25 A&E 4-hour {ytd}");
    assert_eq!(v["summary"]["indicators"], 12);
    assert_eq!(v["as_of"], "2025-09-30");
}

#[test]
fn as_of_the_end_of_2024_25_gives_the_letters_year_to_date() {
    let dir = tmp();
    let out = review_to(dir.path(), "review.json", &["--as-of", "2025-03-31"]);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    let ae = indicator(&v, "ae-4-hour");
    assert_eq!(ae["latest_period"], "2025-03");
    assert_eq!(ae["year_to_date"]["year"], "2024/25");
    assert_eq!(ae["year_to_date"]["plan"], 70.7);
    assert_eq!(ae["year_to_date"]["plan_position"], "below-plan");
    let fds = indicator(&v, "fds-28-day");
    assert_eq!(fds["year_to_date"]["meets_plan"], true);
}

#[test]
fn html_has_every_timeframe_icons_with_labels_and_charts() {
    let dir = tmp();
    let out = review_to(dir.path(), "review.html", &[]);
    let html = std::fs::read_to_string(out).unwrap();
    for id in [
        "tf-leading",
        "tf-kpi",
        "tf-outcome",
        "summary",
        "method",
        "provenance",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "section {id}");
    }
    // 12 charts and 24 icons, each an image with a title.
    assert_eq!(html.matches("<svg").count(), 36);
    assert!(html.contains("Consistently failing the target"));
    assert!(html.contains("Making Data Count XmR"));
    // Self-contained: nothing is loaded from elsewhere.
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    assert!(!html.contains("<script"));
}

/// Community pharmacy referrals meet their target in every period since 2024-03, and the
/// limits span that step change: the review keeps the icon as computed but no longer counts
/// the indicator among the consistently failing, and says why in the row, the chart and the
/// board summary.
#[test]
fn the_pharmacy_icon_over_a_shift_is_not_counted_as_failing() {
    let dir = tmp();
    let note = "Assurance not reliable: the latest 3 periods all meet the target, and the limits span a shift; review the suggested rebase";
    let out = review_to(dir.path(), "review.json", &[]);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    let spc = &indicator(&v, "pharmacy-first-consultations")["spc"];
    assert_eq!(spc["assurance_icon"], "fail", "the method's icon is kept");
    assert_eq!(spc["assurance_reliable"], false);
    assert_eq!(spc["assurance_note"]["text"], note);
    // Virtual wards' limits span a shift too; A&E, Category 2 and handovers still fail.
    assert_eq!(v["summary"]["consistently_failing"], 3);
    assert_eq!(v["summary"]["assurance_not_reliable"], 2);
    let ae = &indicator(&v, "ae-4-hour")["spc"];
    assert_eq!(ae["assurance_reliable"], true);
    assert!(ae["assurance_note"].is_null());
    let html = std::fs::read_to_string(review_to(dir.path(), "review.html", &[])).unwrap();
    assert!(html.contains("<li>Consistently failing target <span class=\"big\">3</span></li>"));
    assert!(html.contains("<li>Assurance not reliable <span class=\"big\">2</span></li>"));
    assert!(
        html.contains(&format!("<strong>{note}</strong>")),
        "the row says why"
    );
    assert!(
        html.contains(&format!(
            "<title>Consistently failing the target ({note})</title>"
        )),
        "the icon says why"
    );
    let md = std::fs::read_to_string(review_to(dir.path(), "review.md", &[])).unwrap();
    assert!(md.contains(&format!("Consistently failing the target ({note})")));
    assert!(
        md.contains("The assurance icon is marked not reliable"),
        "the method says the rule"
    );
    let csv = std::fs::read_to_string(review_to(dir.path(), "review.csv", &[])).unwrap();
    let row = csv
        .lines()
        .find(|l| l.contains(",pharmacy-first-consultations,"))
        .unwrap();
    assert!(row.contains(&format!(",fail,false,\"{note}\",")), "{row}");
}

#[test]
fn markdown_and_csv_snapshots() {
    let dir = tmp();
    let md = std::fs::read_to_string(review_to(dir.path(), "r.md", &[])).unwrap();
    insta::assert_snapshot!("kpi_review_md", md);
    let csv = std::fs::read_to_string(review_to(dir.path(), "r.csv", &[])).unwrap();
    insta::assert_snapshot!("kpi_review_csv", csv);
}

#[test]
fn reviews_are_byte_identical_on_rerun_and_not_overwritten_without_force() {
    let dir = tmp();
    let a = std::fs::read(review_to(dir.path(), "a.html", &[])).unwrap();
    let b = std::fs::read(review_to(dir.path(), "b.html", &[])).unwrap();
    assert!(a == b, "two runs gave different HTML");
    sct()
        .args(["kpi", "review", "--data", DATA, "--org", "QUY", "-o"])
        .arg(dir.path().join("a.html"))
        .assert()
        .code(2)
        .stderr(contains("--force"));
}

#[test]
fn bad_data_is_located_by_line_with_exit_2() {
    let dir = tmp();
    let cases = [
        (
            "organisation,indicator,period,value,numerator,denominator\nQUY,ae-4-hour,2024-04,,0,0\n",
            "denominator is 0",
        ),
        (
            "organisation,indicator,period,value\nQUY,ae-4-hour,Apr-24,5\n",
            "2025/26 Q1",
        ),
        (
            "organisation,indicator,period,value\nQUY,cat2-mean-response,2024-04,thirty\n",
            "\"thirty\" is not a number",
        ),
        (
            "organisation,indicator,period,value\nQUY,cat2-mean-response,2024-04,30\nQUY,cat2-mean-response,2024-W20,30\n",
            "mixed period types",
        ),
        (
            "organisation,period,value\nQUY,2024-04,30\n",
            "no column indicator",
        ),
    ];
    for (i, (csv, message)) in cases.iter().enumerate() {
        let data = write(dir.path(), &format!("bad{i}.csv"), csv);
        sct()
            .args(["kpi", "review", "--org", "QUY", "--data"])
            .arg(&data)
            .assert()
            .code(2)
            .stderr(contains(*message))
            .stderr(contains(format!("bad{i}.csv")));
    }
    let data = write(
        dir.path(),
        "other.csv",
        "organisation,indicator,period,value\nQOX,cat2-mean-response,2024-04,30\n",
    );
    sct()
        .args(["kpi", "review", "--org", "QUY", "--data"])
        .arg(&data)
        .assert()
        .code(2)
        .stderr(contains("no rows for organisation QUY").and(contains("QOX")));
    sct()
        .args([
            "kpi",
            "review",
            "--org",
            "QUY",
            "--set",
            "capability-toolkit",
            "--data",
            DATA,
        ])
        .assert()
        .code(2)
        .stderr(contains("not a kpi-set"));
}

#[test]
fn data_quality_flags_reach_the_review() {
    let dir = tmp();
    let data = write(
        dir.path(),
        "flags.csv",
        "organisation,indicator,period,value,numerator,denominator\n\
         QUY,ae-4-hour,2025-04,70,70,100\n\
         QUY,ae-4-hour,2025-04,71,71,100\n\
         QUY,ae-4-hour,2025-07,110,110,100\n\
         QUY,ae-4-hour,2025-08,69,69,100\n\
         QUY,made-up,2025-08,1,,\n",
    );
    let out = dir.path().join("r.json");
    sct()
        .args([
            "kpi",
            "review",
            "--org",
            "QUY",
            "--as-of",
            "2025-11-23",
            "--data",
        ])
        .arg(&data)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(contains("\"made-up\""));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    let kinds: Vec<&str> = indicator(&v, "ae-4-hour")["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "missing-periods",
            "duplicate",
            "late",
            "numerator-above-denominator",
            "implausible",
            "few-points"
        ]
    );
    assert!(v["warnings"][0].as_str().unwrap().contains("made-up"));
    assert_eq!(
        indicator(&v, "cat2-mean-response")["flags"][0]["kind"],
        "no-data"
    );
}

/// The review of a KPI set and data with hostile strings, in headless Chromium: nothing
/// injected runs, every chart and icon has a title, and the page makes no network request.
#[test]
fn the_html_review_in_a_real_browser() {
    let Some(chromium) = browser::chromium_or_skip() else {
        return;
    };
    let dir = tmp();
    let evil = format!("{HOSTILE:?}");
    let set_text = std::fs::read_to_string(root().join(SET)).unwrap();
    let set_text = set_text
        .replacen(
            "title = \"A&E: patients",
            &format!("title = {} \"A&E: patients", &evil[..evil.len() - 1])
                .replacen(" \"A&E", " A&E", 1),
            1,
        )
        .replacen("data_source = \"", &format!("data_source = {evil} #\""), 1);
    assert!(set_text.contains("<script>"), "the set was made hostile");
    let set = write(dir.path(), "hostile-set.toml", &set_text);
    let mut data = std::fs::read_to_string(root().join(DATA)).unwrap();
    data.push_str("QUY,\"<img src=x onerror=alert(1)>\",2025-09,1,,\n");
    let data = write(dir.path(), "data.csv", &data);
    let html = dir.path().join("review.html");
    sct()
        .args(["kpi", "review", "--org", "QUY", "--set"])
        .arg(&set)
        .arg("--data")
        .arg(&data)
        .arg("-o")
        .arg(&html)
        .assert()
        .success();
    let visit = browser::visit(&chromium, dir.path(), &html);
    let dom = &visit.dom;
    browser::assert_hostile_text_inert(&visit, "KPI review: NHS Bristol");
    assert!(dom.contains("id=\"summary\"") && dom.contains("Board summary"));
    assert_eq!(dom.matches("<svg").count(), 36, "12 charts and 24 icons");
    assert!(
        dom.matches("role=\"img\"").count() >= 36,
        "every chart and icon is an image to assistive technology"
    );
    browser::assert_self_contained(&chromium, dir.path(), &visit);
}

#[test]
fn frameworks_validate_checks_a_kpi_set_and_show_lists_its_indicators() {
    let dir = tmp();
    let text = std::fs::read_to_string(root().join(SET))
        .unwrap()
        .replace("id = \"scf-three-timeframes\"", "id = \"my-kpis\"")
        .replacen("id = \"fds-28-day\"", "id = \"ae-4-hour\"", 1)
        .replacen(
            "{ period = \"2024-05\", value = 70.7 }",
            "{ period = \"2024/25 Q1\", value = 70.7 }",
            1,
        );
    let path = write(dir.path(), "my-kpis.toml", &text);
    sct()
        .args(["frameworks", "validate"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains("duplicate indicator id \"ae-4-hour\""))
        .stderr(contains("plan period \"2024/25 Q1\" is a quarter"))
        .stderr(contains("my-kpis.toml:"));
    sct()
        .args(["frameworks", "validate", SET])
        .assert()
        .success();
    sct()
        .args(["frameworks", "show", "scf-three-timeframes"])
        .assert()
        .success()
        .stdout(contains("Longer-term outcomes, assessed annually:"))
        .stdout(contains("ae-4-hour").and(contains("plan for 12 periods")));
}

#[test]
fn each_indicator_gets_the_chart_that_suits_it_and_says_why() {
    let dir = tmp();
    let out = review_to(dir.path(), "review.json", &[]);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    let chart = |id: &str| {
        let s = &indicator(&v, id)["spc"];
        (
            s["chart"].as_str().unwrap().to_string(),
            s["chart_reason"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(
        chart("ae-4-hour"),
        ("pprime".into(), "the indicator's p′ chart".into())
    );
    assert_eq!(chart("cat2-mean-response").0, "xmr");
    let (kind, why) = chart("running-cost-per-head");
    assert_eq!(kind, "run");
    assert_eq!(why, "10 points, fewer than 15: run chart");
    assert_eq!(chart("healthy-life-expectancy").0, "run");
    // A run chart has a median and a runs analysis, and no limits or assurance.
    let hle = &indicator(&v, "healthy-life-expectancy")["spc"];
    assert_eq!(hle["centre_name"], "median");
    assert!(hle["runs"]["longest_run"].is_number());
    assert!(hle["lpl"].is_null() && hle["assurance_icon"].is_null());
    // p′ limits follow each month's denominator: they differ between months.
    let points = indicator(&v, "ae-4-hour")["spc"]["points"]
        .as_array()
        .unwrap()
        .clone();
    let lpls: std::collections::BTreeSet<String> =
        points.iter().map(|p| p["lpl"].to_string()).collect();
    assert!(lpls.len() > 10, "stepped limits: {}", lpls.len());
}
