//! End-to-end tests of `sct kpi funnel` (`shared/spec/funnel.md`): the output columns, the
//! default multipliers, a classification changing as a numerator crosses a limit, bad input.

mod common;

use common::sct;
use predicates::prelude::*;
use predicates::str::contains;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn stdout(args: &[&str], input: &std::path::Path) -> String {
    let out = sct()
        .args(["kpi", "funnel"])
        .arg(input)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Nine organisations at 200 of 1000 and one at `x` of 1000.
fn cohort(x: u32) -> String {
    let mut s = String::from("org,numerator,denominator\n");
    for i in 0..9 {
        s.push_str(&format!("O{i},200,1000\n"));
    }
    s.push_str(&format!("X,{x},1000\n"));
    s
}

fn significance_of_x(csv: &str) -> String {
    csv.lines()
        .last()
        .unwrap()
        .rsplit(',')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn a_classification_changes_as_one_numerator_crosses_the_limits() {
    let dir = tmp();
    // Hand-worked: p = (1800 + x)/10000; 95 % upper limit at n = 1000 is p + 1.96·√(p(1−p)/1000).
    for (x, want) in [
        (225, "Not significant"),
        (230, "High (0.025)"),
        (240, "High (0.025)"),
        (245, "High (0.001)"),
        (160, "Low (0.025)"),
        (150, "Low (0.001)"),
    ] {
        let f = write(dir.path(), &format!("x{x}.csv"), &cohort(x));
        let csv = stdout(&["--type", "proportion"], &f);
        assert_eq!(significance_of_x(&csv), want, "x = {x}");
    }
}

#[test]
fn proportion_csv_has_the_spec_columns_and_percent_by_default() {
    let dir = tmp();
    let f = write(
        dir.path(),
        "p.csv",
        "org,numerator,denominator\nA,50,100\nB,420,1000\nC,300,500\n",
    );
    let csv = stdout(&["--type", "proportion"], &f);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "org,numerator,denominator,value,baseline,lower_95,upper_95,lower_998,upper_998,significance"
    );
    let a: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&a[..5], &["A", "50", "100", "50", "48.125"]);
    // p = 0.48125; 1.959963984540054 × √(p(1 − p)/100) = 0.0979270…
    let upper: f64 = a[6].parse().unwrap();
    let want = 100.0 * (0.48125 + 1.959963984540054 * (0.48125f64 * 0.51875 / 100.0).sqrt());
    assert!((upper - want).abs() < 1e-9 * want, "{upper} vs {want}");
    let per_thousand = stdout(&["--type", "proportion", "--multiplier", "1000"], &f);
    assert!(
        per_thousand
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("A,50,100,500,481.25,")
    );
}

#[test]
fn ratio_csv_json_and_overdispersion_note() {
    let dir = tmp();
    let mut text = String::from("org,observed,expected\n");
    for i in 1..=20u32 {
        text.push_str(&format!("R{i},{},{}\n", 10 * i + (i % 4) * 7, 10 * i));
    }
    text.push_str("Z,0,3.5\n");
    let f = write(dir.path(), "r.csv", &text);
    let csv = stdout(&["--type", "ratio"], &f);
    assert!(csv.starts_with(
        "org,observed,expected,ratio,lower_95,upper_95,lower_998,upper_998,outlier_95,outlier_998\n"
    ));
    let out = sct()
        .args(["kpi", "funnel"])
        .arg(&f)
        .args(["--type", "ratio", "--overdispersion"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("org,observed,expected,ratio,lower_95,upper_95,lower_998,upper_998,od_lower_95,od_upper_95,od_lower_998,od_upper_998,outlier_95,outlier_998\n"));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("φ =") && err.contains("τ² =") && err.contains("1 with O = 0 left out"),
        "{err}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(
        &["--type", "ratio", "--overdispersion", "--format", "json"],
        &f,
    ))
    .unwrap();
    assert!(
        json["overdispersion"]["phi"].is_number() && json["overdispersion"]["tau2"].is_number()
    );
    assert_eq!(json["overdispersion"]["zero_observed_left_out"], 1);
    assert_eq!(json["rows"].as_array().unwrap().len(), 21);
}

#[test]
fn svg_states_the_method_and_is_accessible() {
    let dir = tmp();
    let f = write(dir.path(), "p.csv", &cohort(260));
    let svg = stdout(
        &[
            "--type",
            "proportion",
            "--format",
            "svg",
            "--title",
            "Screening <uptake>",
        ],
        &f,
    );
    assert!(svg.contains("role=\"img\"") && svg.contains("Screening &lt;uptake&gt;"));
    assert!(svg.contains("Fingertips method") && svg.contains("Outside the limits: X"));
}

#[test]
fn bad_rows_and_duplicates_are_errors_naming_the_line() {
    let dir = tmp();
    let f = write(
        dir.path(),
        "bad.csv",
        "org,numerator,denominator\nA,5,10\nB,11,10\nA,1,2\n",
    );
    sct()
        .args(["kpi", "funnel"])
        .arg(&f)
        .args(["--type", "proportion"])
        .assert()
        .code(2)
        .stderr(
            contains("bad.csv:3")
                .and(contains("greater than denominator"))
                .and(contains("lines 2 and 4")),
        );
    let r = write(
        dir.path(),
        "r.csv",
        "org,observed,expected\nA,1.5,2\nB,3,0\n",
    );
    sct()
        .args(["kpi", "funnel"])
        .arg(&r)
        .args(["--type", "ratio"])
        .assert()
        .code(2)
        .stderr(contains("not a whole number").and(contains("not greater than 0")));
}

/// `--overdispersion` with proportions: the arcsine method's columns, the estimate in the JSON
/// and on standard error, and limits wide enough that an over-dispersed cohort is no longer
/// mostly outside them. Hand-worked values in `crates/sct-spc/src/funnel/arcsine.rs`.
#[test]
fn proportions_with_overdispersion_use_the_arcsine_method() {
    let dir = tmp();
    // 20 organisations of 5,000 to 24,000 with proportions spread from 60 % to 79 %: far more
    // spread than binomial variation at these sizes.
    let mut text = String::from("org,numerator,denominator\n");
    for i in 0..20u32 {
        let n = 5000 + 1000 * i;
        text.push_str(&format!("O{i},{},{n}\n", n * (60 + (i * 7) % 20) / 100));
    }
    let f = write(dir.path(), "uptake.csv", &text);
    let outliers = |csv: &str, col: usize| {
        csv.lines()
            .skip(1)
            .filter(|l| l.split(',').nth(col) == Some("1"))
            .count()
    };
    let plain = stdout(&["--type", "proportion"], &f);
    let unadjusted = plain
        .lines()
        .skip(1)
        .filter(|l| !l.ends_with("Not significant"))
        .count();
    let out = sct()
        .args(["kpi", "funnel"])
        .arg(&f)
        .args(["--type", "proportion", "--overdispersion"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        "org,numerator,denominator,value,baseline,lower_95,upper_95,lower_998,upper_998,od_lower_95,od_upper_95,od_lower_998,od_upper_998,outlier_95,outlier_998,z,z_winsorised"
    );
    assert!(unadjusted >= 15, "{plain}");
    assert!(outliers(&csv, 13) <= 4, "{csv}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("φ =") && err.contains("τ² =") && err.contains("limits are adjusted"),
        "{err}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(
        &[
            "--type",
            "proportion",
            "--overdispersion",
            "--format",
            "json",
        ],
        &f,
    ))
    .unwrap();
    let od = &json["overdispersion"];
    assert!(od["phi"].as_f64().unwrap() > 1.0 && od["tau2"].as_f64().unwrap() > 0.0);
    assert_eq!(od["organisations"], 20);
    assert!(od["q10"].as_f64().unwrap() < od["q90"].as_f64().unwrap());
    let svg = stdout(
        &[
            "--type",
            "proportion",
            "--overdispersion",
            "--format",
            "svg",
        ],
        &f,
    );
    assert!(svg.contains("arcsine method") && svg.contains("Limits adjusted for over-dispersion"));
    // One organisation cannot show a spread between organisations.
    let one = write(dir.path(), "one.csv", "org,numerator,denominator\nA,5,10\n");
    sct()
        .args(["kpi", "funnel"])
        .arg(&one)
        .args(["--type", "proportion", "--overdispersion"])
        .assert()
        .code(2)
        .stderr(contains("at least two organisations").and(contains("--overdispersion")));
}

/// The bundled cohort's A&E 4-hour proportions at the latest month: binomial limits put most
/// ICBs outside them (denominators of tens of thousands), the over-dispersion-adjusted ones
/// do not.
#[test]
fn the_bundled_cohort_is_mostly_inside_limits_adjusted_for_overdispersion() {
    let kpis = std::fs::read_to_string(common::root().join("examples/cohort/kpis.csv")).unwrap();
    let mut text = String::from("org,numerator,denominator\n");
    let rows: Vec<Vec<&str>> = kpis
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f.len() == 6 && f[1] == "ae-4-hour")
        .collect();
    let latest = rows.iter().map(|f| f[2]).max().unwrap();
    for f in rows.iter().filter(|f| f[2] == latest) {
        text.push_str(&format!("{},{},{}\n", f[0], f[4], f[5]));
    }
    let dir = tmp();
    let input = write(dir.path(), "ae.csv", &text);
    let plain = stdout(&["--type", "proportion"], &input);
    let total = plain.lines().count() - 1;
    let outside = plain
        .lines()
        .skip(1)
        .filter(|l| !l.ends_with("Not significant"))
        .count();
    assert!(total >= 30 && outside * 2 > total, "{plain}");
    let adjusted = stdout(&["--type", "proportion", "--overdispersion"], &input);
    let outside = adjusted
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(13) == Some("1"))
        .count();
    assert!(outside * 5 < total, "{adjusted}");
}

/// The chart is titled by the indicator when the input names it (a cut of the long-form KPI
/// data keeps its `indicator` column), by its title in the bundled KPI set; else by the file.
#[test]
fn the_default_title_is_the_indicators_name() {
    let dir = tmp();
    let f = write(
        dir.path(),
        "funnel-in.csv",
        "org,indicator,numerator,denominator\nA,ae-4-hour,700,1000\nB,ae-4-hour,760,1000\nC,ae-4-hour,720,900\n",
    );
    let svg = stdout(&["--type", "proportion", "--format", "svg"], &f);
    assert!(
        svg.contains(">A&amp;E: patients admitted, transferred or discharged within 4 hours (all types)</title>"),
        "{}",
        &svg[..600]
    );
    assert!(!svg.contains("funnel-in"));
    let plain = write(dir.path(), "uptake.csv", &cohort(210));
    let svg = stdout(&["--type", "proportion", "--format", "svg"], &plain);
    assert!(svg.contains(">uptake</title>"), "{}", &svg[..600]);
}
