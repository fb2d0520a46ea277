//! End-to-end tests of `sct kpi spc --chart run|pprime|uprime|auto` against
//! `shared/spec/runchart.md`, through the binary.

mod common;

use common::sct;
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::Value;

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The spec's worked example: 20 months, the first 10 below the median and the last 10 above.
fn worked_example() -> String {
    let mut s = String::from("date,value\n");
    for i in 0..20 {
        s.push_str(&format!("{}-{:02},{}\n", 2023 + i / 12, 1 + i % 12, i + 1));
    }
    s
}

/// The hand-worked p′ example of the unit tests (laney_spec.rs).
const COUNTS: &str = "date,numerator,denominator\n2024-01,10,100\n2024-02,12,120\n2024-03,15,110\n2024-04,8,90\n2024-05,20,130\n";

fn stdout(args: &[&str], input: &std::path::Path) -> String {
    let out = sct()
        .args(["kpi", "spc"])
        .arg(input)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn summary(dir: &tempfile::TempDir, input: &std::path::Path, args: &[&str]) -> Value {
    let path = dir
        .path()
        .join(format!("summary-{}.json", args.join("_").replace('-', "")));
    sct()
        .args(["kpi", "spc"])
        .arg(input)
        .args(args)
        .arg("--summary")
        .arg(&path)
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn field(row: &str, i: usize) -> String {
    row.split(',').nth(i).unwrap_or_default().to_string()
}

#[test]
fn acceptance_run_chart_of_the_worked_example_reports_10_against_7_and_1_against_6_and_a_signal() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "worked.csv", &worked_example());
    let v = summary(
        &dir,
        &input,
        &["--improvement", "increase", "--chart", "run"],
    );
    let g = &v["groups"][0];
    assert_eq!(g["chart"], "run");
    assert_eq!(g["n"], 20);
    assert_eq!(g["centre"], 10.5);
    assert_eq!(g["n_useful"], 20);
    assert_eq!(g["longest_run"], 10);
    assert_eq!(g["longest_run_max"], 7);
    assert_eq!(g["crossings"], 1);
    assert_eq!(g["crossings_min"], 6);
    assert_eq!(g["runs_signal"], true);
    assert_eq!(v["variation_icon"], "improvement_high");
    assert_eq!(v["assurance_icon"], Value::Null);
    assert_eq!(v["settings"]["run_rules"], "anhoj");

    let csv = stdout(&["--improvement", "increase", "--chart", "run"], &input);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("date,value,centre,lpl,upl,point_type,")
    );
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("2023-01-01,1,10.5,,,special_cause_concern,run,1,shift,"),
        "{first}"
    );
    assert!(
        csv.lines()
            .last()
            .unwrap()
            .starts_with("2024-08-01,20,10.5,,,special_cause_improvement,run,1,shift,")
    );
    assert_eq!(
        field(first, 10),
        "anhoj",
        "the rule set is named on every row"
    );

    // --format json carries the same summary with the points.
    let json: Value = serde_json::from_str(&stdout(
        &[
            "--improvement",
            "increase",
            "--chart",
            "run",
            "--format",
            "json",
        ],
        &input,
    ))
    .unwrap();
    assert_eq!(json["points"].as_array().unwrap().len(), 20);
    assert_eq!(json["points"][0]["lpl"], Value::Null);
    assert_eq!(json["summary"]["groups"][0]["longest_run"], 10);
}

#[test]
fn pprime_csv_has_the_stepped_limits_in_percent() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "counts.csv", COUNTS);
    let csv = stdout(&["--improvement", "increase", "--chart", "pprime"], &input);
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 5);
    let num = |row: &str, i: usize| field(row, i).parse::<f64>().unwrap();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
    assert!(close(num(rows[0], 2), 11.818_181_818_181_818));
    for (row, (l, u)) in rows.iter().zip([
        (1.443_575_579_759_036, 22.192_788_056_604_6),
        (2.347_505_381_485_189, 21.288_858_254_878_45),
        (1.926_382_891_691_757_5, 21.709_980_744_671_88),
        (0.882_386_637_912_529_2, 22.753_976_998_451_107),
        (2.719_050_219_620_384, 20.917_313_416_743_25),
    ]) {
        assert!(close(num(row, 3), l), "{row}");
        assert!(close(num(row, 4), u), "{row}");
        assert_eq!(field(row, 5), "common_cause");
        assert_eq!(field(row, 6), "pprime");
        assert_eq!(field(row, 13), "false", "screening of z is named: off");
        assert_eq!(field(row, 14), "100", "the multiplier is named");
    }
    let v = summary(
        &dir,
        &input,
        &[
            "--improvement",
            "increase",
            "--chart",
            "pprime",
            "--screen-outliers",
        ],
    );
    assert_eq!(v["settings"]["laney_screen_outliers"], true);
    assert_eq!(v["groups"][0]["chart"], "pprime");
    assert_eq!(v["groups"][0]["n_useful"], 5);
    assert_eq!(v["groups"][0]["crossings_min"], 0);
    assert!(v["groups"][0]["sigma_z"].as_f64().unwrap() > 0.0);
}

#[test]
fn uprime_with_a_multiplier_of_one_and_other_column_names() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        &dir,
        "rates.csv",
        "month,falls,bed_days\n2024-01,3,1.2\n2024-02,7,2.5\n2024-03,2,0.8\n2024-04,9,3.0\n2024-05,4,1.5\n2024-06,30,2.0\n",
    );
    let csv = stdout(
        &[
            "--improvement",
            "decrease",
            "--chart",
            "uprime",
            "--multiplier",
            "1",
            "--date-col",
            "month",
            "--numerator-col",
            "falls",
            "--denominator-col",
            "bed_days",
        ],
        &input,
    );
    let last = csv.lines().last().unwrap();
    assert!(
        last.starts_with("2024-06-01,15,5,0,12.8295530334009"),
        "{last}"
    );
    assert_eq!(field(last, 5), "special_cause_concern");
    assert_eq!(field(last, 8), "outside_limits");
}

#[test]
fn auto_gives_short_series_a_run_chart_and_long_ones_xmr() {
    let dir = tempfile::tempdir().unwrap();
    // 8 quarters: a run chart.
    let short = write(
        &dir,
        "quarterly.csv",
        "date,value\n2024/25 Q1,5\n2024/25 Q2,6\n2024/25 Q3,4\n2024/25 Q4,7\n2025/26 Q1,5\n2025/26 Q2,8\n2025/26 Q3,6\n2025/26 Q4,7\n",
    );
    let v = summary(
        &dir,
        &short,
        &["--improvement", "increase", "--chart", "auto"],
    );
    assert_eq!(v["chart"], "auto");
    assert_eq!(v["groups"][0]["chart"], "run");
    assert_eq!(
        v["groups"][0]["chart_reason"],
        "8 points, fewer than 15: run chart"
    );
    // The worked example has 20 points: XmR, with its mean and limits in the new columns.
    let long = write(&dir, "worked.csv", &worked_example());
    let csv = stdout(&["--improvement", "increase", "--chart", "auto"], &long);
    let first = csv.lines().nth(1).unwrap();
    assert_eq!(field(first, 6), "xmr");
    assert_eq!(field(first, 2), "10.5");
    assert!(!field(first, 3).is_empty() && !field(first, 4).is_empty());
    assert_eq!(field(first, 11), "7", "XmR rows name the shift length");
    // With --min-points 25 the same 20 points get a run chart.
    let csv = stdout(
        &[
            "--improvement",
            "increase",
            "--chart",
            "auto",
            "--min-points",
            "25",
        ],
        &long,
    );
    assert_eq!(field(csv.lines().nth(1).unwrap(), 6), "run");
    // An all-XmR auto chart can be drawn.
    let svg = dir.path().join("auto.svg");
    sct()
        .args(["kpi", "spc"])
        .arg(&long)
        .args(["--improvement", "increase", "--chart", "auto", "-o"])
        .arg(&svg)
        .assert()
        .success();
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
}

#[test]
fn fixed_rules_are_named_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "worked.csv", &worked_example());
    let args = [
        "--improvement",
        "increase",
        "--chart",
        "run",
        "--run-rules",
        "fixed",
        "--shift-length",
        "8",
        "--trend-length",
        "6",
    ];
    let csv = stdout(&args, &input);
    let first = csv.lines().nth(1).unwrap();
    assert_eq!(
        (field(first, 10), field(first, 11), field(first, 12)),
        ("fixed".into(), "8".into(), "6".into())
    );
    // 1..20 rises throughout: a trend, which comes before the shift.
    assert_eq!(field(first, 8), "trend");
    let v = summary(&dir, &input, &args);
    assert_eq!(v["settings"]["run_rules"], "fixed");
    assert_eq!(v["settings"]["run_shift_length"], 8);
    assert_eq!(v["settings"]["run_trend_length"], 6);
    assert_eq!(v["groups"][0]["longest_run_max"], 7);
    assert_eq!(v["groups"][0]["crossings_min"], Value::Null);
    assert_eq!(v["groups"][0]["trend_signal"], true);
    // The spelling of qicharts2 is accepted too.
    stdout(
        &[
            "--improvement",
            "increase",
            "--chart",
            "run",
            "--run-rules",
            "anhoej",
        ],
        &input,
    );
}

#[test]
fn too_few_crossings_gives_the_neutral_icon_with_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        &dir,
        "crossings.csv",
        "date,value\n2024-01,3\n2024-02,1\n2024-03,5\n2024-04,2\n2024-05,4\n2024-06,8\n2024-07,6\n2024-08,10\n2024-09,7\n2024-10,9\n",
    );
    let v = summary(
        &dir,
        &input,
        &["--improvement", "increase", "--chart", "run"],
    );
    assert_eq!(v["variation_icon"], "neutral");
    assert_eq!(v["variation_text"], "too few crossings");
    assert_eq!(v["groups"][0]["crossings"], 1);
    assert_eq!(v["groups"][0]["crossings_min"], 2);
    assert_eq!(v["groups"][0]["common_cause"], 10);
}

#[test]
fn rebase_starts_a_new_run_chart_segment() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "worked.csv", &worked_example());
    let v = summary(
        &dir,
        &input,
        &[
            "--improvement",
            "increase",
            "--chart",
            "run",
            "--rebase",
            "2023-11",
        ],
    );
    assert_eq!(v["groups"].as_array().unwrap().len(), 2);
    assert_eq!(v["groups"][0]["centre"], 5.5);
    assert_eq!(v["groups"][1]["start"], "2023-11-01");
    assert_eq!(v["groups"][1]["centre"], 15.5);
}

#[test]
fn a_counts_file_gives_a_run_chart_of_percentages() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "counts.csv", COUNTS);
    let csv = stdout(&["--improvement", "increase", "--chart", "run"], &input);
    // Proportions 10, 10, 13.6, 8.9, 15.4 %: the median is 10 %.
    let first = csv.lines().nth(1).unwrap();
    assert!(
        first.starts_with("2024-01-01,10,10,,,common_cause,run,"),
        "{first}"
    );
    assert_eq!(field(first, 14), "100");
}

#[test]
fn xmr_output_is_unchanged_by_the_chart_option() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "worked.csv", &worked_example());
    let plain = stdout(&["--improvement", "increase"], &input);
    let xmr = stdout(&["--improvement", "increase", "--chart", "xmr"], &input);
    assert_eq!(plain, xmr);
    assert!(plain.starts_with("date,value,mean,lpl,upl,point_type,"));
}

#[test]
fn run_and_laney_charts_are_drawn_with_their_centre_and_stepped_limits() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "counts.csv", COUNTS);
    for (chart, name, centre) in [
        ("run", "run chart", "Median (solid)"),
        ("pprime", "p′ chart", "Centre (solid)"),
    ] {
        let out = dir.path().join(format!("{chart}.svg"));
        sct()
            .args(["kpi", "spc"])
            .arg(&input)
            .args(["--improvement", "increase", "--chart", chart, "-o"])
            .arg(&out)
            .assert()
            .success();
        let svg = std::fs::read_to_string(&out).unwrap();
        assert!(
            svg.contains("role=\"img\"") && svg.contains(name),
            "{chart}"
        );
        assert!(svg.contains(centre), "{chart}: {centre}");
        let png = dir.path().join(format!("{chart}.png"));
        sct()
            .args(["kpi", "spc"])
            .arg(&input)
            .args(["--improvement", "increase", "--chart", chart, "-o"])
            .arg(&png)
            .assert()
            .success();
        assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    }
}

/// Runs `sct kpi spc` on `text` with `args`, expecting exit 2 and `message` on stderr.
fn rejects(text: &str, args: &[&str], message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "bad.csv", text);
    sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args(["--improvement", "increase"])
        .args(args)
        .assert()
        .code(2)
        .stderr(contains(message).and(contains("panicked").not()));
}

#[test]
fn bad_counts_are_errors_naming_the_row() {
    let p = ["--chart", "pprime"];
    rejects(
        "date,numerator,denominator\n2024-01,5,10\n2024-02,11,10\n",
        &p,
        "the numerator 11 is above the denominator 10",
    );
    rejects(
        "date,numerator,denominator\n2024-01,5,10\n2024-02,11,10\n",
        &p,
        "bad.csv:3:1",
    );
    rejects(
        "date,numerator,denominator\n2024-01,5,0\n",
        &p,
        "bad.csv:2:1",
    );
    rejects(
        "date,numerator,denominator\n2024-01,5,0\n",
        &["--chart", "uprime"],
        "the denominator 0 is not above 0",
    );
    rejects(
        "date,numerator,denominator\n2024-01,-1,10\n",
        &["--chart", "uprime"],
        "the numerator -1 is negative",
    );
    rejects(
        "date,numerator,denominator\n2024-01,,10\n",
        &p,
        "`numerator` is empty",
    );
    rejects(
        "date,numerator,denominator\n2024-01,1,10\n2024-02,2,10\n2024-01,3,10\n",
        &p,
        "date 2024-01-01 appears twice, on lines 2 and 4",
    );
    rejects(
        "date,value\n2024-01,1\n2024-02,\n",
        &["--chart", "run"],
        "bad.csv:3:1",
    );
}

#[test]
fn missing_columns_are_named() {
    rejects(
        "date,numerator\n2024-01,1\n",
        &["--chart", "pprime"],
        "the header has no `denominator` column",
    );
    rejects(
        "date,value\n2024-01,1\n",
        &["--chart", "uprime"],
        "no `numerator` or `denominator` columns",
    );
    rejects(
        "date,numerator,denominator\n2024-01,1,2\n",
        &["--chart", "pprime", "--denominator-col", "attendances"],
        "the header has no `attendances` column",
    );
    rejects(
        "when,value\n2024-01,1\n",
        &["--chart", "run"],
        "the header has no `date` and `value` columns",
    );
}

#[test]
fn bad_options_exit_2() {
    let counts = "date,numerator,denominator\n2024-01,1,10\n2024-02,2,10\n";
    rejects(
        counts,
        &["--chart", "pprime", "--multiplier", "0"],
        "invalid value '0' for '--multiplier <X>': out of range",
    );
    rejects(
        counts,
        &["--chart", "pprime", "--fix-after", "5"],
        "fix_after 5 is too small; expected 12 or more",
    );
    rejects(
        counts,
        &[
            "--chart",
            "run",
            "--run-rules",
            "fixed",
            "--shift-length",
            "1",
        ],
        "shift_length 1 is too small; expected 2 or more",
    );
    rejects(counts, &["--chart", "bar"], "invalid value 'bar'");
    rejects(
        counts,
        &["--chart", "pprime", "--rebase", "2025-01"],
        "2025-01-01 is not a date in",
    );
}
