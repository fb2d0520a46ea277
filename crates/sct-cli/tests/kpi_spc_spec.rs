//! `sct kpi spc` end to end against `shared/spec/spc.md`: the options, icons and output formats
//! the spec names, each with a worked example computed by hand from its text (arithmetic in
//! the comments; "§n" is the spec's Method step n). The rules themselves are worked through at
//! the library level in `crates/sct-kpi/tests/spc_spec_examples.rs` and `spc_rules.rs`.

mod common;

use common::sct;
use predicates::str::contains;
use serde_json::Value;

/// A CSV of `values` by month from January 2020 (`2020-01`, `2020-02`, …), in that order.
fn monthly(values: &[f64]) -> String {
    let mut text = String::from("date,value\n");
    for (i, v) in values.iter().enumerate() {
        text.push_str(&format!("{}-{:02},{v}\n", 2020 + i / 12, i % 12 + 1));
    }
    text
}

/// The first day of month `i` of [`monthly`], as the output prints it.
fn day(i: usize) -> String {
    format!("{}-{:02}-01", 2020 + i / 12, i % 12 + 1)
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs `sct kpi spc <input> args…`, expecting success; returns stdout and stderr.
fn spc(input: &std::path::Path, args: &[&str]) -> (String, String) {
    let out = sct()
        .args(["kpi", "spc"])
        .arg(input)
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The CSV's header and rows, split on commas (no field here holds one).
fn rows(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = csv.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// A number printed in the output, checked to round-trip (§ "CSV output": printed with
/// enough digits to round-trip, as Rust's `{}`).
#[track_caller]
fn number(cell: &str) -> f64 {
    let x: f64 = cell
        .parse()
        .unwrap_or_else(|_| panic!("{cell:?} is not a number"));
    assert_eq!(x.to_string(), cell, "printed as Rust's {{}} prints it");
    x
}

#[track_caller]
fn close(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "got {got}, want {want}"
    );
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// The point types of the CSV's rows.
fn types(csv: &str) -> Vec<String> {
    rows(csv).1.into_iter().map(|r| r[5].clone()).collect()
}

const CC: &str = "common_cause";
const IMP: &str = "special_cause_improvement";
const CON: &str = "special_cause_concern";

/// `n` copies of `t`.
fn n_of(n: usize, t: &str) -> Vec<String> {
    vec![t.to_string(); n]
}

// ---------------------------------------------------------------------------------------------
// §1 Order, CSV columns and numbers
// ---------------------------------------------------------------------------------------------

#[test]
fn rows_are_sorted_by_date_before_anything_is_computed() {
    // By date the values are 1 3 2 4 3 5: mean 18/6 = 3; MRs 2 1 2 1 2, AMR 8/5 = 1.6 (cut
    // 5.2272 screens none); limits 3 ± 4.256 = −1.256 and 7.256 (no clamping: the lower limit
    // stays negative). In file order (4 1 5 3 3 2) the MRs would be 3 4 2 0 1, AMR 2, limits
    // 3 ± 5.32. Nothing is flagged: six points make no run, none is near a limit (near band
    // 3 ± 2.8373).
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        &dir,
        "shuffled.csv",
        "date,value\n2024-04,4\n2024-01,1\n2024-06,5\n2024-02,3\n2024-05,3\n2024-03,2\n",
    );
    let (out, _) = spc(&input, &["--improvement", "increase"]);
    let (header, rows) = rows(&out);
    assert_eq!(
        &header[..6],
        ["date", "value", "mean", "lpl", "upl", "point_type"]
    );
    let dates: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        dates,
        [
            "2024-01-01",
            "2024-02-01",
            "2024-03-01",
            "2024-04-01",
            "2024-05-01",
            "2024-06-01"
        ]
    );
    let values: Vec<f64> = rows.iter().map(|r| number(&r[1])).collect();
    assert_eq!(values, [1.0, 3.0, 2.0, 4.0, 3.0, 5.0]);
    for r in &rows {
        assert_eq!(number(&r[2]), 3.0);
        close(number(&r[3]), -1.256);
        close(number(&r[4]), 7.256);
        assert_eq!(r[5], CC);
    }

    // -o FILE holds the same CSV as stdout.
    let path = dir.path().join("out.csv");
    spc(
        &input,
        &["--improvement", "increase", "-o", path.to_str().unwrap()],
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), out);
}

#[test]
fn period_forms_are_reported_as_their_first_day() {
    // ISO weeks start on Monday: 2024-W01 is 2024-01-01, W02 2024-01-08, W03 2024-01-15.
    let dir = tempfile::tempdir().unwrap();
    let weeks = write(
        &dir,
        "weeks.csv",
        "date,value\n2024-W03,3\n2024-W01,1\n2024-W02,2\n",
    );
    let (out, _) = spc(&weeks, &["--improvement", "increase"]);
    let dates: Vec<String> = rows(&out).1.into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(dates, ["2024-01-01", "2024-01-08", "2024-01-15"]);
    // NHS quarters: Q1 April, Q2 July, Q3 October, Q4 January of the next year.
    let quarters = write(
        &dir,
        "quarters.csv",
        "date,value\n2024/25 Q1,1\n2024/25 Q2,2\n2024-25 Q3,3\n2024/25 Q4,4\n",
    );
    let (out, _) = spc(&quarters, &["--improvement", "increase"]);
    let dates: Vec<String> = rows(&out).1.into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(
        dates,
        ["2024-04-01", "2024-07-01", "2024-10-01", "2025-01-01"]
    );
    // A month and its first day are the same date: a duplicate naming both rows.
    let dup = write(&dir, "dup.csv", "date,value\n2024-01,1\n2024-01-01,2\n");
    sct()
        .args(["kpi", "spc"])
        .arg(&dup)
        .args(["--improvement", "increase"])
        .assert()
        .code(2)
        .stderr(contains("date 2024-01-01 appears twice, on lines 2 and 3"));
}

#[test]
fn the_accurate_mean_is_printed_exactly() {
    // §4: 0.2 0.4 0.2 0.1 0.2 0.4 0.2 −0.1 −0.1 −0.1 −0.1 0 0 have mean exactly 0.1 (the
    // deviations from 0.1 sum to 10 × 0.1 − 10 × 0.1; 0.2 and 0.4 are exactly 2 and 4 times
    // the double 0.1). The 0.1 is on the mean, so the sides are + + + 0 + + + then six −: no
    // shift; AMR 1.4/12, limits 0.1 ± 0.310333, nothing outside or two-of-three (see the
    // library example). A naive sum would print 0.09999999999999996 and flag a shift.
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        &dir,
        "tenths.csv",
        &monthly(&[
            0.2, 0.4, 0.2, 0.1, 0.2, 0.4, 0.2, -0.1, -0.1, -0.1, -0.1, 0.0, 0.0,
        ]),
    );
    let (out, _) = spc(&input, &["--improvement", "increase"]);
    let (_, rows) = rows(&out);
    assert!(rows.iter().all(|r| r[2] == "0.1"), "{out}");
    close(number(&rows[0][4]), 0.1 + 2.66 * 1.4 / 12.0);
    assert_eq!(types(&out), n_of(13, CC));
}

// ---------------------------------------------------------------------------------------------
// §5 Undefined limits, --no-screen-outliers
// ---------------------------------------------------------------------------------------------

#[test]
fn undefined_limits_are_empty_cells_and_null_with_a_warning() {
    // 5 5 5 5: mean 5; MRs 0 0 0, AMR 0, cut 0, all dropped: AMR and limits undefined.
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "flat.csv", &monthly(&[5.0; 4]));
    let summary = dir.path().join("summary.json");
    let (out, err) = spc(
        &input,
        &[
            "--improvement",
            "increase",
            "--target",
            "6",
            "--summary",
            summary.to_str().unwrap(),
        ],
    );
    for (i, line) in out.lines().skip(1).enumerate() {
        assert!(
            line.starts_with(&format!("{},5,5,,,common_cause", day(i))),
            "{line}"
        );
    }
    assert!(
        err.contains("warning:") && err.contains("undefined"),
        "{err}"
    );
    let s = json(&std::fs::read_to_string(&summary).unwrap());
    assert_eq!(s["groups"][0]["mean"], 5.0);
    assert_eq!(s["groups"][0]["lpl"], Value::Null);
    assert_eq!(s["groups"][0]["upl"], Value::Null);
    assert_eq!(s["variation_icon"], "common_cause");
    // §11: with no limits a target is "anything else": inconsistent.
    assert_eq!(s["assurance_icon"], "inconsistent");
    let (out, _) = spc(&input, &["--improvement", "increase", "--format", "json"]);
    let v = json(&out);
    assert_eq!(v["points"][0]["lpl"], Value::Null);
    assert_eq!(v["points"][0]["upl"], Value::Null);
    assert!(
        v["summary"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("undefined"))
    );
    // --no-screen-outliers keeps the zero moving ranges: AMR 0, both limits equal the mean.
    let (out, err) = spc(
        &input,
        &["--improvement", "increase", "--no-screen-outliers"],
    );
    assert!(
        out.lines()
            .nth(1)
            .unwrap()
            .starts_with("2020-01-01,5,5,5,5,common_cause")
    );
    assert!(!err.contains("undefined"), "{err}");
}

#[test]
fn no_screen_outliers_keeps_the_large_moving_range() {
    // 5 6 5 6 5 6 5 6 5 6 5 20: mean 80/12; MRs ten 1s and 15, AMR 25/11 = 2.272727.
    // Screened (default): 15 ≥ 3.267 × 25/11 = 7.425 goes, AMR 1, upl 80/12 + 2.66.
    // --no-screen-outliers: AMR 25/11, upl 80/12 + 2.66 × 25/11 = 12.712121; the 20 is still
    // outside, the eleven others still a shift below the mean.
    let dir = tempfile::tempdir().unwrap();
    let mut y = [5.0, 6.0].repeat(5);
    y.extend([5.0, 20.0]);
    let input = write(&dir, "spike.csv", &monthly(&y));
    let (out, _) = spc(&input, &["--improvement", "increase"]);
    close(number(&rows(&out).1[0][4]), 80.0 / 12.0 + 2.66);
    let summary = dir.path().join("s.json");
    let (out, _) = spc(
        &input,
        &[
            "--improvement",
            "increase",
            "--no-screen-outliers",
            "--summary",
            summary.to_str().unwrap(),
        ],
    );
    let (_, r) = rows(&out);
    close(number(&r[0][2]), 80.0 / 12.0);
    close(number(&r[0][4]), 80.0 / 12.0 + 2.66 * 25.0 / 11.0);
    close(number(&r[0][3]), 80.0 / 12.0 - 2.66 * 25.0 / 11.0);
    let mut expected = n_of(11, CON);
    expected.push(IMP.into());
    assert_eq!(types(&out), expected);
    let s = json(&std::fs::read_to_string(&summary).unwrap());
    assert_eq!(s["settings"]["screen_outliers"], false);
}

// ---------------------------------------------------------------------------------------------
// §2 --rebase, §3 --fix-after
// ---------------------------------------------------------------------------------------------

#[test]
fn several_rebases_in_any_order_and_any_period_form() {
    // 1 3 1 | 10 12 10 | 20 22 20 by month from 2020-01, rebased at 2020-04 and 2020-07 (given
    // as "2020-07-01" then "2020-04"). Each segment: MRs 2 2, AMR 2 (cut 6.534); limits
    // mean ± 5.32; means 5/3, 32/3, 62/3. The jumps 1 → 10 and 10 → 20 are no segment's moving
    // ranges. Three points each: no runs; |y − mean| ≤ 4/3 is inside each near band (± 3.5467).
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        &dir,
        "r.csv",
        &monthly(&[1.0, 3.0, 1.0, 10.0, 12.0, 10.0, 20.0, 22.0, 20.0]),
    );
    let summary = dir.path().join("s.json");
    let (out, err) = spc(
        &input,
        &[
            "--improvement",
            "increase",
            "--rebase",
            "2020-07-01",
            "--rebase",
            "2020-04",
            "--summary",
            summary.to_str().unwrap(),
        ],
    );
    let (header, r) = rows(&out);
    let seg_col = header.iter().position(|h| h == "segment").unwrap();
    let means = [5.0 / 3.0, 32.0 / 3.0, 62.0 / 3.0];
    for (i, row) in r.iter().enumerate() {
        let k = i / 3;
        assert_eq!(row[seg_col], (k + 1).to_string());
        close(number(&row[2]), means[k]);
        close(number(&row[3]), means[k] - 5.32);
        close(number(&row[4]), means[k] + 5.32);
        assert_eq!(row[5], CC);
    }
    let s = json(&std::fs::read_to_string(&summary).unwrap());
    let groups = s["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 3);
    for (k, g) in groups.iter().enumerate() {
        assert_eq!(g["start"], day(3 * k));
        assert_eq!(g["n"], 3);
        close(g["mean"].as_f64().unwrap(), means[k]);
        close(g["upl"].as_f64().unwrap(), means[k] + 5.32);
        assert_eq!(
            (&g["common_cause"], &g["improvement"], &g["concern"]),
            (&Value::from(3), &Value::from(0), &Value::from(0))
        );
    }
    assert_eq!(
        s["settings"]["rebase"],
        serde_json::json!(["2020-04-01", "2020-07-01"])
    );
    // §12 for each segment of three points.
    assert_eq!(err.matches("fewer than 13").count(), 3, "{err}");
}

#[test]
fn a_rebase_date_not_in_the_series_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "r.csv", &monthly(&[1.0, 3.0, 1.0, 3.0, 1.0, 3.0]));
    // Between two points (the 15th of a month) …
    sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args(["--improvement", "increase", "--rebase", "2020-03-15"])
        .assert()
        .code(2)
        .stderr(contains("2020-03-15 is not a date in"));
    // … and an ISO week (its Monday, 2020-03-02, is not a month's first day), next to a good
    // rebase date: the error names only the missing one.
    let out = sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args([
            "--improvement",
            "increase",
            "--rebase",
            "2020-04",
            "--rebase",
            "2020-W10",
        ])
        .assert()
        .code(2)
        .stderr(contains("2020-03-02 is not a date in"))
        .get_output()
        .stderr
        .clone();
    assert!(
        !String::from_utf8(out)
            .unwrap()
            .contains("2020-04-01 is not")
    );
}

#[test]
fn fix_after_through_the_command_line() {
    // 1 3 × 6 then 8, --fix-after 12: mean 2, AMR 2 from the first twelve; limits 2 ± 5.32
    // (−3.32, 7.32) for every row; 8 > 7.32 is outside (a): improvement, and the variation icon
    // improvement_high. Without --fix-after the 8 joins the base: mean 32/13, MRs 2 × 11 and
    // 5, AMR 27/12 = 2.25, upl 32/13 + 5.985 = 8.4465, so the 8 is common cause.
    let dir = tempfile::tempdir().unwrap();
    let mut y = [1.0, 3.0].repeat(6);
    y.push(8.0);
    let input = write(&dir, "f.csv", &monthly(&y));
    let summary = dir.path().join("s.json");
    let (out, _) = spc(
        &input,
        &[
            "--improvement",
            "increase",
            "--fix-after",
            "12",
            "--summary",
            summary.to_str().unwrap(),
        ],
    );
    let (_, r) = rows(&out);
    for row in &r {
        assert_eq!(number(&row[2]), 2.0);
        close(number(&row[3]), -3.32);
        close(number(&row[4]), 7.32);
    }
    let mut expected = n_of(12, CC);
    expected.push(IMP.into());
    assert_eq!(types(&out), expected);
    let s = json(&std::fs::read_to_string(&summary).unwrap());
    assert_eq!(s["variation_icon"], "improvement_high");
    assert_eq!(s["settings"]["fix_after"], 12);
    assert_eq!(s["groups"][0]["n"], 13);

    let (out, _) = spc(&input, &["--improvement", "increase"]);
    close(number(&rows(&out).1[0][4]), 32.0 / 13.0 + 2.66 * 2.25);
    assert_eq!(types(&out), n_of(13, CC));

    // A series shorter than N: every point is a base point. 1 3 1 3 1 3 with --fix-after 12:
    // mean 2, AMR 2, as without it.
    let short = write(&dir, "short.csv", &monthly(&y[..6]));
    let (out, _) = spc(&short, &["--improvement", "increase", "--fix-after", "12"]);
    let (_, r) = rows(&out);
    assert_eq!(number(&r[0][2]), 2.0);
    close(number(&r[0][4]), 7.32);

    // N must be at least 12.
    for n in ["0", "11"] {
        sct()
            .args(["kpi", "spc"])
            .arg(&input)
            .args(["--improvement", "increase", "--fix-after", n])
            .assert()
            .code(2)
            .stderr(contains(format!(
                "fix_after {n} is too small; expected 12 or more"
            )));
    }
}

#[test]
fn rebase_and_fix_after_together_give_per_segment_groups() {
    // --fix-after 12 --rebase at the 20th month (index 19).
    // Segment 1 = 0 14 × 6 then 1 2 3 4 5 6 7: base mean 7, AMR 14, limits −30.24 and 44.24.
    //   14 → 1 falls, then 1..7 rise: a trend of 7 (indices 12..18), all improvements (the last
    //   one looks back, 7 − 6 > 0, since the next point is in another segment).
    // Segment 2 = 6 5 4 3 2 1 0 14 0 14 0 14: mean 63/12 = 5.25, MRs 1 × 6 and 14 × 5, AMR
    //   76/11 (cut 22.57); limits 5.25 ± 18.378182; 6..0 fall: a trend of 7, concerns.
    // Groups: 12 common and 7 improvement; 5 common and 7 concern. The last point (14) is
    // common cause: variation icon common_cause.
    let dir = tempfile::tempdir().unwrap();
    let mut y = [0.0, 14.0].repeat(6);
    y.extend([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
    y.extend([
        6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0, 14.0, 0.0, 14.0, 0.0, 14.0,
    ]);
    let input = write(&dir, "rf.csv", &monthly(&y));
    let summary = dir.path().join("s.json");
    let (out, _) = spc(
        &input,
        &[
            "--improvement",
            "increase",
            "--fix-after",
            "12",
            "--rebase",
            &day(19),
            "--summary",
            summary.to_str().unwrap(),
        ],
    );
    let mut expected = n_of(12, CC);
    expected.extend(n_of(7, IMP));
    expected.extend(n_of(7, CON));
    expected.extend(n_of(5, CC));
    assert_eq!(types(&out), expected);
    let (_, r) = rows(&out);
    close(number(&r[19][2]), 5.25);
    close(number(&r[19][4]), 5.25 + 2.66 * 76.0 / 11.0);
    let s = json(&std::fs::read_to_string(&summary).unwrap());
    assert_eq!(s["variation_icon"], "common_cause");
    let g = &s["groups"];
    assert_eq!(
        (
            &g[0]["n"],
            &g[0]["common_cause"],
            &g[0]["improvement"],
            &g[0]["concern"]
        ),
        (
            &Value::from(19),
            &Value::from(12),
            &Value::from(7),
            &Value::from(0)
        )
    );
    assert_eq!(
        (
            &g[1]["n"],
            &g[1]["common_cause"],
            &g[1]["improvement"],
            &g[1]["concern"]
        ),
        (
            &Value::from(12),
            &Value::from(5),
            &Value::from(0),
            &Value::from(7)
        )
    );
}

// ---------------------------------------------------------------------------------------------
// --shift-length and --trend-length
// ---------------------------------------------------------------------------------------------

/// 8 0 8 0 8 0 5 5 5 5 5 5 0 8 0 8: mean 70/16 = 4.375; MRs 8 × 5, 5, 0 × 5, 5, 8 × 3 = 74
/// over 15, AMR 4.933333 (cut 16.117); limits 4.375 ± 13.122667; near band ± 8.748444 (none
/// beyond). The six 5s are the longest run above the mean (index 5 and 12 are 0s, below);
/// steps alternate or tie: no trend.
const SIX_ABOVE: [f64; 16] = [
    8.0, 0.0, 8.0, 0.0, 8.0, 0.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 0.0, 8.0, 0.0, 8.0,
];

/// 9 0 9 0 9 0 1 2 3 4 5 0 9 0 9: mean 60/15 = 4; MRs 9 × 5, 1 × 5, 5, 9 × 3 = 82 over 14, AMR
/// 5.857143 (cut 19.135); limits 4 ± 15.58; near band ± 10.386667 (none beyond). Indices 5..10
/// (0 1 2 3 4 5) rise: six points. Sides + − + − + − − − − 0 + − + − +: no shift.
const SIX_RISING: [f64; 15] = [
    9.0, 0.0, 9.0, 0.0, 9.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 0.0, 9.0, 0.0, 9.0,
];

#[test]
fn shift_and_trend_lengths_default_to_7_and_can_be_6() {
    let dir = tempfile::tempdir().unwrap();
    let six_above = write(&dir, "shift.csv", &monthly(&SIX_ABOVE));
    let (out, _) = spc(&six_above, &["--improvement", "increase"]);
    assert_eq!(types(&out), n_of(16, CC), "six is not a shift by default");
    let summary = dir.path().join("s.json");
    let (out, _) = spc(
        &six_above,
        &[
            "--improvement",
            "increase",
            "--shift-length",
            "6",
            "--summary",
            summary.to_str().unwrap(),
        ],
    );
    let mut expected = n_of(6, CC);
    expected.extend(n_of(6, IMP));
    expected.extend(n_of(4, CC));
    assert_eq!(types(&out), expected);
    let s = json(&std::fs::read_to_string(&summary).unwrap());
    assert_eq!(s["settings"]["shift_length"], 6);
    assert_eq!(s["settings"]["trend_length"], 7);

    let six_rising = write(&dir, "trend.csv", &monthly(&SIX_RISING));
    let (out, _) = spc(&six_rising, &["--improvement", "increase"]);
    assert_eq!(types(&out), n_of(15, CC), "six is not a trend by default");
    // --trend-length 6: indices 5..10 are a rising trend; the last (10) looks back, 5 − 4 > 0.
    // With decrease a rise is a concern.
    let (out, _) = spc(
        &six_rising,
        &[
            "--improvement",
            "decrease",
            "--trend-length",
            "6",
            "--format",
            "json",
        ],
    );
    let v = json(&out);
    let got: Vec<&str> = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["point_type"].as_str().unwrap())
        .collect();
    let mut expected = vec![CC; 5];
    expected.extend([CON; 6]);
    expected.extend([CC; 4]);
    assert_eq!(got, expected);
    assert_eq!(v["summary"]["settings"]["trend_length"], 6);
    assert_eq!(v["summary"]["settings"]["shift_length"], 7);

    // The chart says which lengths were used too.
    let svg = dir.path().join("t.svg");
    spc(
        &six_rising,
        &[
            "--improvement",
            "increase",
            "--trend-length",
            "6",
            "-o",
            svg.to_str().unwrap(),
        ],
    );
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.contains("shift 7 points, trend 6 points"), "{svg:.800}");
}

#[test]
fn the_csv_says_which_shift_and_trend_lengths_were_used() {
    // "--shift-length and --trend-length default to 7 … say which was used in every output."
    // The CSV may carry further columns after the six the spec fixes; this expects one naming
    // the shift length and one naming the trend length, holding the values used.
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "shift.csv", &monthly(&SIX_ABOVE));
    let (out, _) = spc(
        &input,
        &[
            "--improvement",
            "increase",
            "--shift-length",
            "6",
            "--trend-length",
            "5",
        ],
    );
    let (header, r) = rows(&out);
    let shift = header.iter().position(|h| h.contains("shift"));
    let trend = header.iter().position(|h| h.contains("trend"));
    let (Some(shift), Some(trend)) = (shift, trend) else {
        panic!("the CSV header {header:?} names no shift or trend length");
    };
    assert!(r.iter().all(|row| row[shift] == "6" && row[trend] == "5"));
}

// ---------------------------------------------------------------------------------------------
// §10 Variation icons, §11 assurance icons
// ---------------------------------------------------------------------------------------------

#[test]
fn every_variation_icon() {
    // --fix-after 12 on 20 0 × 6: mean 10, AMR 20, limits −43.2 and 63.2, near band
    // −25.4667 to 45.4667.
    // Falling: then 63 60 57 54 51 48 45: a falling trend (0 → 63 rises, then six falls);
    //   also above the mean (a shift) and mostly beyond the near band, but (b) comes first: the
    //   last point falls.
    // Rising: then 45 48 … 63: 0 → 45 → … rises, a trend of 8 from index 11; the last rises.
    // Last point falling: increase → concern_low, decrease → improvement_low, neutral →
    // neutral_low; rising: improvement_high, concern_high, neutral_high.
    let dir = tempfile::tempdir().unwrap();
    let base = [20.0, 0.0].repeat(6);
    let falling = [base.clone(), vec![63.0, 60.0, 57.0, 54.0, 51.0, 48.0, 45.0]].concat();
    let rising = [base, vec![45.0, 48.0, 51.0, 54.0, 57.0, 60.0, 63.0]].concat();
    let cases = [
        (&falling, "increase", "concern_low", "concern (lower)"),
        (
            &falling,
            "decrease",
            "improvement_low",
            "improvement (lower)",
        ),
        (
            &falling,
            "neutral",
            "neutral_low",
            "neither better nor worse (lower)",
        ),
        (
            &rising,
            "increase",
            "improvement_high",
            "improvement (higher)",
        ),
        (&rising, "decrease", "concern_high", "concern (higher)"),
        (
            &rising,
            "neutral",
            "neutral_high",
            "neither better nor worse (higher)",
        ),
    ];
    for (y, improvement, icon, words) in cases {
        let input = write(&dir, "icons.csv", &monthly(y));
        let (out, _) = spc(
            &input,
            &[
                "--improvement",
                improvement,
                "--fix-after",
                "12",
                "--format",
                "json",
            ],
        );
        assert_eq!(
            json(&out)["summary"]["variation_icon"],
            icon,
            "{improvement}"
        );
        let svg = dir.path().join(format!("{icon}.svg"));
        spc(
            &input,
            &[
                "--improvement",
                improvement,
                "--fix-after",
                "12",
                "-o",
                svg.to_str().unwrap(),
            ],
        );
        let svg = std::fs::read_to_string(&svg).unwrap();
        assert!(
            svg.contains(&format!("Special cause variation: {words}")),
            "{icon}"
        );
    }
    // Common cause: 1 3 2 4 3 5 (limits −1.256 and 7.256) has no signal.
    let input = write(&dir, "cc.csv", &monthly(&[1.0, 3.0, 2.0, 4.0, 3.0, 5.0]));
    let (out, _) = spc(&input, &["--improvement", "decrease", "--format", "json"]);
    assert_eq!(json(&out)["summary"]["variation_icon"], "common_cause");
}

#[test]
fn every_assurance_icon() {
    // −0.5 0.5 × 3: mean 0, MRs all 1, AMR 1, limits exactly −2.66 and 2.66 (printed so).
    //   increase: target −2.67 < lpl → pass; 2.67 > upl → fail; 0, 2.66, −2.66 → inconsistent.
    //   decrease: 2.67 > upl → pass; −2.67 < lpl → fail; 2.66, −2.66 → inconsistent.
    //   neutral, or no target → null.
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "a.csv", &monthly(&[-0.5, 0.5, -0.5, 0.5, -0.5, 0.5]));
    let (out, _) = spc(&input, &["--improvement", "increase"]);
    let (_, r) = rows(&out);
    assert_eq!(
        (r[0][2].as_str(), r[0][3].as_str(), r[0][4].as_str()),
        ("0", "-2.66", "2.66")
    );
    let icon = |improvement: &str, target: Option<&str>| {
        let mut args = vec!["--improvement", improvement, "--format", "json"];
        if let Some(t) = target {
            args.extend(["--target", t]);
        }
        json(&spc(&input, &args).0)["summary"]["assurance_icon"].clone()
    };
    let cases = [
        ("increase", Some("-2.67"), "pass"),
        ("increase", Some("2.67"), "fail"),
        ("increase", Some("0"), "inconsistent"),
        ("increase", Some("2.66"), "inconsistent"),
        ("increase", Some("-2.66"), "inconsistent"),
        ("decrease", Some("2.67"), "pass"),
        ("decrease", Some("-2.67"), "fail"),
        ("decrease", Some("2.66"), "inconsistent"),
        ("decrease", Some("-2.66"), "inconsistent"),
    ];
    for (improvement, target, want) in cases {
        assert_eq!(icon(improvement, target), want, "{improvement} {target:?}");
    }
    assert_eq!(icon("neutral", Some("2.67")), Value::Null);
    assert_eq!(icon("increase", None), Value::Null);
    // The chart labels the assurance icon in words.
    let svg = dir.path().join("a.svg");
    spc(
        &input,
        &[
            "--improvement",
            "increase",
            "--target",
            "-2.67",
            "-o",
            svg.to_str().unwrap(),
        ],
    );
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.contains("Consistently passing the target"));
}

// ---------------------------------------------------------------------------------------------
// §12 Few points
// ---------------------------------------------------------------------------------------------

#[test]
fn the_few_points_warning_is_in_every_output_and_stops_at_13() {
    // 1 3 × 6 (12 points): limits 2 ± 5.32 still given, with the warning in the CSV rows, on
    // stderr, in the summary and in the JSON points. 1 3 × 6 then 2 (13 points): no warning.
    let dir = tempfile::tempdir().unwrap();
    let mut y = [1.0, 3.0].repeat(6);
    let input = write(&dir, "twelve.csv", &monthly(&y));
    let summary = dir.path().join("s.json");
    let (out, err) = spc(
        &input,
        &[
            "--improvement",
            "increase",
            "--summary",
            summary.to_str().unwrap(),
        ],
    );
    let (header, r) = rows(&out);
    let warning = header.iter().position(|h| h == "warning").unwrap();
    for row in &r {
        close(number(&row[4]), 7.32);
        assert!(row[warning].contains("fewer than 13"), "{row:?}");
    }
    assert!(
        err.contains("warning:") && err.contains("fewer than 13"),
        "{err}"
    );
    let s = json(&std::fs::read_to_string(&summary).unwrap());
    assert!(s["warnings"][0].as_str().unwrap().contains("fewer than 13"));
    let (out, _) = spc(&input, &["--improvement", "increase", "--format", "json"]);
    let v = json(&out);
    assert!(
        v["points"][0]["warning"]
            .as_str()
            .unwrap()
            .contains("fewer than 13")
    );
    assert!(
        v["summary"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("fewer than 13")
    );

    y.push(2.0);
    let input = write(&dir, "thirteen.csv", &monthly(&y));
    let (out, err) = spc(&input, &["--improvement", "increase", "--format", "json"]);
    assert!(!err.contains("warning"), "{err}");
    let v = json(&out);
    assert_eq!(v["summary"]["warnings"], serde_json::json!([]));
    assert_eq!(v["points"][12]["warning"], Value::Null);
    let (out, _) = spc(&input, &["--improvement", "increase"]);
    // The warning column is empty: each row has `,<warning>,7,7,` with nothing before `,7,7`.
    assert!(out.lines().skip(1).all(|l| l.contains(",,7,7,")), "{out}");
}
