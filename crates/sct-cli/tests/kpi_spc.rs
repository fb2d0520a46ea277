//! End-to-end tests of `sct kpi spc` against `shared/spec/spc.md`.

mod common;

use common::sct;
use predicates::prelude::*;
use predicates::str::contains;

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// 5 6 5 6 … 20 by month: the worked example of the rules test (mean 80/12, AMR 1 after
/// screening): eleven shift points below the mean, then one outside the upper limit.
const SPIKE: &str = "date,value\n2024-01,5\n2024-02,6\n2024-03,5\n2024-04,6\n2024-05,5\n2024-06,6\n2024-07,5\n2024-08,6\n2024-09,5\n2024-10,6\n2024-11,5\n2024-12,20\n";

#[test]
fn csv_output_has_the_spec_columns_in_order_and_period_dates_as_first_days() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "s.csv", SPIKE);
    let out = sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args(["--improvement", "increase"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("date,value,mean,lpl,upl,point_type")
    );
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &first[..6],
        [
            "2024-01-01",
            "5",
            "6.666666666666667",
            "4.006666666666667",
            "9.326666666666668",
            "special_cause_concern"
        ]
    );
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("2024-12-01,20,") && last.contains("special_cause_improvement"),
        "{last}"
    );
    assert!(
        last.contains("limits unreliable: fewer than 13 points in the segment,7,7,"),
        "the few-points warning is in the CSV too, then the shift and trend lengths"
    );
}

#[test]
fn summary_and_json_name_icons_groups_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "s.csv", SPIKE);
    let summary = dir.path().join("summary.json");
    sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args(["--improvement", "increase", "--target", "4", "--summary"])
        .arg(&summary)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(v["variation_icon"], "improvement_high");
    assert_eq!(
        v["assurance_icon"], "pass",
        "target 4 is below the lower limit 4.0067"
    );
    assert_eq!(v["groups"][0]["n"], 12);
    assert_eq!(v["groups"][0]["concern"], 11);
    assert_eq!(v["settings"]["shift_length"], 7);
    let out = sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args(["--improvement", "decrease", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["points"].as_array().unwrap().len(), 12);
    assert_eq!(v["summary"]["variation_icon"], "concern_high");
    assert_eq!(v["summary"]["assurance_icon"], serde_json::Value::Null);
}

#[test]
fn rebase_fix_after_and_run_lengths() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        &dir,
        "r.csv",
        "date,value\n2024-01-01,1\n2024-02-01,3\n2024-03-01,1\n2024-04-01,3\n2024-05-01,11\n2024-06-01,13\n2024-07-01,11\n2024-08-01,13\n",
    );
    let out = sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args([
            "--improvement",
            "increase",
            "--rebase",
            "2024-05",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["summary"]["groups"].as_array().unwrap().len(), 2);
    assert_eq!(v["summary"]["groups"][1]["mean"], 12.0);
    sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args(["--improvement", "increase", "--rebase", "2024-09-01"])
        .assert()
        .code(2)
        .stderr(contains("2024-09-01 is not a date in").and(contains("= hint: see --rebase")));
    sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args(["--improvement", "increase", "--fix-after", "11"])
        .assert()
        .code(2)
        .stderr(
            contains("fix_after 11 is too small; expected 12 or more")
                .and(contains("= hint: see --fix-after")),
        );
}

#[test]
fn bad_input_is_located_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let dup = write(
        &dir,
        "dup.csv",
        "date,value\n2024-01-01,1\n2024-02-01,2\n2024-01-01,3\n",
    );
    sct()
        .args(["kpi", "spc"])
        .arg(&dup)
        .args(["--improvement", "increase"])
        .assert()
        .code(2)
        .stderr(contains("date 2024-01-01 appears twice, on lines 2 and 4"));
    let bad = write(
        &dir,
        "bad.csv",
        "date,value\n2024-01-01,1\n2024-02-01,n/a\n",
    );
    sct()
        .args(["kpi", "spc"])
        .arg(&bad)
        .args(["--improvement", "increase"])
        .assert()
        .code(2)
        .stderr(contains("bad.csv:3:1").and(contains("\"n/a\" is not a number")));
    let cols = write(&dir, "cols.csv", "month,count\n2024-01,1\n");
    sct()
        .args(["kpi", "spc"])
        .arg(&cols)
        .args(["--improvement", "increase"])
        .assert()
        .code(2)
        .stderr(contains(
            "has no `date` and `value` columns (it has: month, count)",
        ));
    sct()
        .args(["kpi", "spc"])
        .arg(&cols)
        .args([
            "--improvement",
            "increase",
            "--date-col",
            "month",
            "--value-col",
            "count",
        ])
        .assert()
        .success();
    let date = write(&dir, "date.csv", "date,value\nJan 2024,1\n");
    sct()
        .args(["kpi", "spc"])
        .arg(&date)
        .args(["--improvement", "increase"])
        .assert()
        .code(2)
        .stderr(contains("an NHS financial quarter (2025/26 Q1"));
    sct()
        .args(["kpi", "spc"])
        .arg(&date)
        .assert()
        .code(2)
        .stderr(contains("--improvement"));
}

#[test]
fn svg_and_png_charts_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "spike.csv", SPIKE);
    let svg_path = dir.path().join("out.svg");
    sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args(["--improvement", "increase", "--format", "svg", "-o"])
        .arg(&svg_path)
        .assert()
        .success();
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.starts_with("<svg "), "{svg:.200}");
    let root = &svg[..svg.find('>').unwrap()];
    assert!(root.contains(r#"role="img""#), "{root}");
    assert!(
        svg.contains(">spike: XmR chart (higher is better)</title>"),
        "{svg:.600}"
    );
    let desc = &svg[svg.find("<desc").unwrap()..svg.find("</desc>").unwrap()];
    assert!(
        desc.contains("12 points from 2024-01-01 to 2024-12-01"),
        "{desc}"
    );
    assert!(desc.contains("11 special-cause concern points"), "{desc}");
    assert!(
        desc.contains("2024-12-01 (improvement, above the upper process"),
        "{desc}"
    );
    assert!(desc.contains("profile ptd-0.2.2"), "{desc}");
    // Each special cause's explanation is its point's tooltip.
    assert!(
        svg.contains(
            "<title>2024-12-01: above the upper process limit (outside_limits, 2024-12-01)</title>"
        ),
        "{svg}"
    );
    assert!(desc.contains("Warning: segment 1 has 12 points, fewer than 13"));
    assert!(desc.contains("Special cause variation: improvement (higher)."));

    // PNG, chosen by the extension; the same input gives the same bytes.
    let png_path = dir.path().join("out.png");
    for _ in 0..2 {
        sct()
            .args(["kpi", "spc"])
            .arg(&input)
            .args([
                "--improvement",
                "increase",
                "--target",
                "4",
                "--force",
                "-o",
            ])
            .arg(&png_path)
            .assert()
            .success();
    }
    let png = std::fs::read(&png_path).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let again = dir.path().join("again.png");
    sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args([
            "--improvement",
            "increase",
            "--target",
            "4",
            "--format",
            "png",
            "-o",
        ])
        .arg(&again)
        .assert()
        .success();
    assert_eq!(std::fs::read(&again).unwrap(), png);
}

/// A chart is titled by its indicator's name where that is known: the file named by an
/// indicator's id, or `--indicator`; else by the file's stem.
#[test]
fn the_chart_is_titled_by_the_indicator_when_known() {
    let title = |args: &[&str]| {
        let out = sct()
            .args(["kpi", "spc"])
            .arg(common::root().join("examples/kpi/ae-4-hour.csv"))
            .args(["--improvement", "increase", "--format", "svg"])
            .args(args)
            .output()
            .unwrap();
        let svg = String::from_utf8(out.stdout).unwrap();
        let start = svg.find("<title").unwrap();
        svg[start..svg.find("</title>").unwrap()].to_string()
    };
    let named = "A&amp;E: patients admitted, transferred or discharged within 4 hours (all types): XmR chart";
    assert!(title(&[]).contains(named), "{}", title(&[]));
    assert!(title(&["--indicator", "ae-4-hour"]).contains(named));
    assert!(title(&["--indicator", "waits-unknown"]).contains(">waits-unknown: XmR chart"));
}

/// The bundled A&E 4-hour series (30 months) with its 2024/25 plan as the target: the CSV and
/// JSON outputs, pinned.
#[test]
fn csv_and_json_snapshots_of_the_ae_example() {
    let run = |format: &str| {
        let out = sct()
            .args([
                "kpi",
                "spc",
                "examples/kpi/ae-4-hour.csv",
                "--improvement",
                "increase",
                "--target",
                "70.7",
                "--format",
                format,
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    };
    insta::assert_snapshot!("spc_ae_csv", run("csv"));
    insta::assert_snapshot!("spc_ae_json", run("json"));
}
