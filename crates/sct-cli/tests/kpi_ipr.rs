//! End-to-end tests of `sct kpi ipr` (the integrated performance report), the rule profiles
//! and `--compare-profile` of `sct kpi spc`, the rebase log, candidate rebases and gaps.

mod common;

use std::path::{Path, PathBuf};

use common::{browser, root, sct};
use predicates::prelude::*;
use predicates::str::contains;

const DATA: &str = "examples/kpi/bnssg-kpis.csv";
const SET: &str = "frameworks/kpi/scf-three-timeframes.toml";
const LOG: &str = "examples/kpi/bnssg-rebase-log.csv";
const HOSTILE: &str =
    "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned2'\">";

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn ipr_to(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    sct()
        .args(["kpi", "ipr", "--data", DATA, "--org", "QUY"])
        .args(extra)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    out
}

#[test]
fn the_ae_row_reads_below_plan_with_both_icons_named_in_every_format() {
    let dir = tmp();
    let csv = std::fs::read_to_string(ipr_to(dir.path(), "ipr.csv", &[])).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.contains("variation_icon,variation_label,assurance_icon,assurance_label"));
    let ae = csv.lines().find(|l| l.contains(",ae-4-hour,")).unwrap();
    assert!(ae.starts_with("QUY,leading,ae-4-hour,"), "{ae}");
    assert!(ae.contains(",below-plan,false,"), "{ae}");
    assert!(
        ae.contains("improvement_high,Special cause variation: improvement (higher),fail,Consistently failing the target,true,,pprime,ptd-0.2.2"),
        "{ae}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(ipr_to(dir.path(), "ipr.json", &[])).unwrap(),
    )
    .unwrap();
    let sections = json["sections"].as_array().unwrap();
    let ids: Vec<&str> = sections.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["leading", "kpi", "outcome"], "the three timeframes");
    let row = &sections[0]["rows"][0];
    assert_eq!(row["indicator"], "ae-4-hour");
    assert_eq!(row["plan_position"], "below-plan");
    assert_eq!(row["last_three"].as_array().unwrap().len(), 3);
    assert_eq!(row["anchor"], "chart-QUY-ae-4-hour");
    let md = std::fs::read_to_string(ipr_to(dir.path(), "ipr.md", &[])).unwrap();
    assert!(md.contains("below-plan (not met)"), "{md}");
    // Every value is escaped as Markdown text, icon names too (`\_` renders as `_`).
    assert!(md.contains("improvement\\_high: Special cause variation: improvement (higher)"));
    assert!(md.contains("fail: Consistently failing the target"));
    let xlsx = std::fs::read(ipr_to(dir.path(), "ipr.xlsx", &[])).unwrap();
    assert!(xlsx.starts_with(b"PK"), "an xlsx is a zip file");
    let html = std::fs::read_to_string(ipr_to(dir.path(), "ipr.html", &[])).unwrap();
    for needle in [
        "@page { size: A4 landscape",
        "href=\"#chart-QUY-ae-4-hour\"",
        "id=\"chart-QUY-ae-4-hour\"",
        "id=\"variation-improvement_high\"",
        "id=\"assurance-fail\"",
        "<details",
        "class=\"sparkline\"",
        "Consistently failing the target",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(
        !html.contains("<script"),
        "no script is needed to read or filter it"
    );
}

/// Community pharmacy referrals meet their target in every period since 2024-03, and the
/// limits span that step change: the icon as computed ("consistently failing") is kept, the
/// row says it is not reliable and why, and the row is not counted among the failing.
#[test]
fn an_assurance_icon_over_a_shift_is_not_reliable_in_every_format() {
    let dir = tmp();
    let note = "Assurance not reliable: the latest 3 periods all meet the target, and the limits span a shift; review the suggested rebase";
    let csv = std::fs::read_to_string(ipr_to(dir.path(), "ipr.csv", &[])).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains("assurance_icon,assurance_label,assurance_reliable,assurance_note,chart")
    );
    let row = csv
        .lines()
        .find(|l| l.contains(",pharmacy-first-consultations,"))
        .unwrap();
    assert!(
        row.contains(&format!(
            ",fail,Consistently failing the target,false,\"{note}\",xmr,"
        )),
        "{row}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(ipr_to(dir.path(), "ipr.json", &[])).unwrap(),
    )
    .unwrap();
    let row = json["sections"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == "pharmacy-first-consultations")
        .unwrap();
    assert_eq!(row["assurance_icon"], "fail", "the method's icon is kept");
    assert_eq!(row["assurance_reliable"], false);
    assert_eq!(
        row["assurance_note"]["reasons"],
        serde_json::json!(["latest-meet-target", "limits-span-shift"])
    );
    assert_eq!(row["assurance_note"]["text"], note);
    let md = std::fs::read_to_string(ipr_to(dir.path(), "ipr.md", &[])).unwrap();
    assert!(
        md.contains(&format!(
            "not-reliable: Consistently failing the target ({note})"
        )),
        "{md}"
    );
    let html = std::fs::read_to_string(ipr_to(dir.path(), "ipr.html", &[])).unwrap();
    assert!(html.contains(&format!("<strong>{note}</strong>")));
    assert!(html.contains("id=\"assurance-not-reliable\""));
    assert!(html.contains("Assurance: not reliable</a> <span class=\"big\">2</span>"));
    assert!(html.contains("Assurance: fail</a> <span class=\"big\">3</span>"));
}

#[test]
fn markdown_and_csv_snapshots() {
    let dir = tmp();
    let md = std::fs::read_to_string(ipr_to(dir.path(), "ipr.md", &[])).unwrap();
    insta::assert_snapshot!("ipr_md", md);
    let csv = std::fs::read_to_string(ipr_to(dir.path(), "ipr.csv", &[])).unwrap();
    insta::assert_snapshot!("ipr_csv", csv);
}

#[test]
fn reports_are_byte_identical_on_rerun_and_not_overwritten_without_force() {
    let dir = tmp();
    for ext in ["html", "xlsx", "csv"] {
        let a = std::fs::read(ipr_to(dir.path(), &format!("a.{ext}"), &[])).unwrap();
        let b = std::fs::read(ipr_to(dir.path(), &format!("b.{ext}"), &[])).unwrap();
        assert_eq!(a, b, "{ext}");
    }
    sct()
        .args(["kpi", "ipr", "--data", DATA, "--org", "QUY", "-o"])
        .arg(dir.path().join("a.csv"))
        .assert()
        .code(2)
        .stderr(contains("--force"));
}

/// `sct kpi ipr --orgs all` of `data` into `out`, which succeeds.
fn ipr_all(data: &Path, out: &Path) -> assert_cmd::assert::Assert {
    sct()
        .args(["kpi", "ipr", "--orgs", "all", "--data"])
        .arg(data)
        .arg("-o")
        .arg(out)
        .assert()
        .success()
}

#[test]
fn every_organisation_gets_its_rows() {
    let dir = tmp();
    let mut data = std::fs::read_to_string(root().join(DATA)).unwrap();
    let other: String = data
        .lines()
        .skip(1)
        .map(|l| format!("{}\n", l.replacen("QUY", "QOX", 1)))
        .collect();
    data.push_str(&other);
    let data = write(dir.path(), "two.csv", &data);
    let out = dir.path().join("ipr.csv");
    ipr_all(&data, &out);
    let csv = std::fs::read_to_string(&out).unwrap();
    let ae: Vec<&str> = csv.lines().filter(|l| l.contains(",ae-4-hour,")).collect();
    assert_eq!(ae.len(), 2);
    assert!(ae[0].starts_with("QOX,") && ae[1].starts_with("QUY,"));
    sct()
        .args(["kpi", "ipr", "--data", DATA, "-o"])
        .arg(dir.path().join("x.csv"))
        .assert()
        .code(2)
        .stderr(contains("--org"));
}

/// A file sorted by organisation is reported a batch at a time (with a quoted field or not),
/// a file in another order from the whole file: all give the same report and warn of the rows
/// of an indicator not in the set once, with the whole file's count and first line.
#[test]
fn every_organisation_warns_of_indicators_not_in_the_set_once_however_the_file_is_read() {
    let dir = tmp();
    let data = std::fs::read_to_string(root().join(DATA)).unwrap();
    let (header, rows) = data.split_once('\n').unwrap();
    let in_order = |orgs: [&str; 2]| {
        let mut text = format!("{header}\n");
        for org in orgs {
            for line in rows.lines() {
                text.push_str(&format!("{}\n", line.replacen("QUY", org, 1)));
            }
            text.push_str(&format!("{org},not-in-set,2024-01,1,,\n"));
        }
        text
    };
    let sorted = in_order(["QOX", "QUY"]);
    let quoted = sorted.replacen("\nQUY,", "\n\"QUY\",", 1);
    // Each organisation's rows as many lines long: the first row not in the set is on the
    // same line.
    let reversed = in_order(["QUY", "QOX"]);
    let run = |name: &str, text: &str| {
        let data = write(dir.path(), name, text);
        let out = dir.path().join(format!("{name}.ipr.csv"));
        let done = ipr_all(&data, &out);
        let stderr = String::from_utf8(done.get_output().stderr.clone()).unwrap();
        (std::fs::read(&out).unwrap(), stderr)
    };
    let (streamed, streamed_said) = run("sorted.csv", &sorted);
    let (whole, whole_said) = run("reversed.csv", &reversed);
    assert_eq!(streamed, whole);
    let (quoted_out, quoted_said) = run("quoted.csv", &quoted);
    assert_eq!(quoted_out, whole);
    assert_eq!(
        quoted_said.replace("quoted.csv", "reversed.csv"),
        whole_said
    );
    let first = rows.lines().count() + 2;
    let warning = format!("2 rows for indicator \"not-in-set\" (first on line {first}) skipped");
    assert_eq!(
        streamed_said.matches(&warning).count(),
        1,
        "{streamed_said}"
    );
    assert_eq!(
        streamed_said.replace("sorted.csv", "reversed.csv"),
        whole_said
    );
}

/// A sorted file with errors in its rows gives, read a batch at a time for the CSV report, the
/// errors the whole file's reading gives for the HTML report: the same messages, exit 2, and
/// no report written.
#[test]
fn every_organisation_of_a_sorted_file_with_errors_gives_the_whole_files_errors() {
    let dir = tmp();
    let data = std::fs::read_to_string(root().join(DATA)).unwrap();
    let (header, rows) = data.split_once('\n').unwrap();
    let mut sorted = format!("{header}\n");
    for org in ["QOX", "QUY"] {
        for line in rows.lines() {
            sorted.push_str(&format!("{}\n", line.replacen("QUY", org, 1)));
        }
        sorted.push_str(&format!("{org},ae-4-hour,2024-13,71.0,,\n"));
    }
    let data = write(dir.path(), "sorted.csv", &sorted);
    let said = |format: &str| {
        let out = dir.path().join(format!("ipr.{format}"));
        let done = sct()
            .args(["kpi", "ipr", "--orgs", "all", "--format", format, "--data"])
            .arg(&data)
            .arg("-o")
            .arg(&out)
            .assert()
            .code(2);
        assert!(!out.exists());
        String::from_utf8(done.get_output().stderr.clone()).unwrap()
    };
    let (streamed, whole) = (said("csv"), said("html"));
    assert_eq!(
        streamed
            .matches("`period` \"2024-13\" is not a period")
            .count(),
        2
    );
    assert_eq!(streamed, whole);
}

/// A file with more errors than are listed says how many there are in all and how many are
/// not shown, counting those its reading found and did not list.
#[test]
fn errors_past_the_fiftieth_are_counted_in_the_total() {
    let dir = tmp();
    let mut text = String::from("organisation,indicator,period,value\n");
    for o in 0..60 {
        text.push_str(&format!("Q{o:02},ae-4-hour,2024-13,71.0\n"));
    }
    let data = write(dir.path(), "bad.csv", &text);
    let done = sct()
        .args(["kpi", "ipr", "--orgs", "all", "--data"])
        .arg(&data)
        .arg("-o")
        .arg(dir.path().join("ipr.csv"))
        .assert()
        .code(2);
    let said = String::from_utf8(done.get_output().stderr.clone()).unwrap();
    assert_eq!(said.matches("is not a period").count(), 50);
    assert!(
        said.ends_with(
            "\n60 errors in all\nnote: 10 more errors not shown (at most 50 of each are)\n"
        ),
        "{said}"
    );
}

/// The JSON (`sct-kpi-ipr/1`) names each organisation from the organisations table and lists
/// once the set's indicators without data for any of them; both fields were added without
/// changing the schema key, as adding fields is compatible.
#[test]
fn the_json_names_the_organisations_and_the_indicators_without_data() {
    let dir = tmp();
    let one: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(ipr_to(dir.path(), "one.json", &[])).unwrap(),
    )
    .unwrap();
    assert_eq!(one["schema"], "sct-kpi-ipr/1");
    assert_eq!(
        one["organisation_names"],
        serde_json::json!({"QUY": "NHS Bristol, North Somerset and South Gloucestershire Integrated Care Board"})
    );
    assert_eq!(one["missing"], serde_json::json!([]));
    let out = dir.path().join("all.json");
    sct()
        .args([
            "kpi",
            "ipr",
            "--orgs",
            "all",
            "--data",
            "examples/cohort/kpis.csv",
        ])
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let all: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(all["schema"], "sct-kpi-ipr/1");
    let orgs = all["organisations"].as_array().unwrap();
    let names = all["organisation_names"].as_object().unwrap();
    assert_eq!(names.len(), orgs.len(), "every organisation named");
    let missing = all["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 10, "{missing:?}");
    assert_eq!(
        missing[0],
        serde_json::json!({
            "indicator": "cat2-mean-response",
            "title": "Ambulance: mean Category 2 response time",
            "timeframe": "leading",
        })
    );
}

/// The IPR of a KPI set and data with hostile strings, in headless Chromium: nothing
/// injected runs, no script at all, every chart, icon and sparkline is an image with a title,
/// and the page makes no network request.
#[test]
fn the_html_ipr_in_a_real_browser() {
    let Some(chromium) = browser::chromium_or_skip() else {
        return;
    };
    let dir = tmp();
    let evil = format!("{HOSTILE:?}");
    let set_text = std::fs::read_to_string(root().join(SET)).unwrap();
    let set_text = set_text.replacen(
        "title = \"A&E: patients",
        &format!("title = {} A&E: patients", &evil[..evil.len() - 1]),
        1,
    );
    assert!(set_text.contains("<script>"), "the set was made hostile");
    let set = write(dir.path(), "hostile-set.toml", &set_text);
    let html = dir.path().join("ipr.html");
    sct()
        .args(["kpi", "ipr", "--org", "QUY", "--data", DATA, "--set"])
        .arg(&set)
        .arg("-o")
        .arg(&html)
        .assert()
        .success();
    let visit = browser::visit(&chromium, dir.path(), &html);
    let dom = &visit.dom;
    browser::assert_hostile_text_inert(&visit, "Integrated performance report: NHS Bristol");
    // 12 full charts, 12 sparklines and 24 icons.
    assert_eq!(dom.matches("<svg").count(), 48);
    assert!(dom.matches("role=\"img\"").count() >= 48);
    assert!(dom.contains("id=\"by-variation\"") && dom.contains("<details"));
    browser::assert_self_contained(&chromium, dir.path(), &visit);
}

/// The data of `DATA` for two organisations (QUY and QOX).
fn two_organisations(dir: &Path) -> PathBuf {
    let mut data = std::fs::read_to_string(root().join(DATA)).unwrap();
    let other: String = data
        .lines()
        .skip(1)
        .map(|l| format!("{}\n", l.replacen("QUY", "QOX", 1)))
        .collect();
    data.push_str(&other);
    write(dir, "two.csv", &data)
}

/// With several organisations the report draws compact charts and each icon once: in
/// headless Chromium nothing injected runs, every chart is an image with a title and a
/// description, every icon an image named in words (using the symbols drawn once), every
/// flagged point a tooltip, and the page is self-contained.
#[test]
fn the_html_ipr_of_several_organisations_in_a_real_browser() {
    let dir = tmp();
    let evil = format!("{HOSTILE:?}");
    let set_text = std::fs::read_to_string(root().join(SET)).unwrap();
    let set_text = set_text.replacen(
        "title = \"A&E: patients",
        &format!("title = {} A&E: patients", &evil[..evil.len() - 1]),
        1,
    );
    let set = write(dir.path(), "hostile-set.toml", &set_text);
    let data = two_organisations(dir.path());
    let html = dir.path().join("ipr.html");
    sct()
        .args(["kpi", "ipr", "--orgs", "all", "--data"])
        .arg(&data)
        .arg("--set")
        .arg(&set)
        .arg("-o")
        .arg(&html)
        .assert()
        .success();
    let text = std::fs::read_to_string(&html).unwrap();
    // 24 rows: 24 compact charts, 24 sparklines, 48 icons using symbols, and the symbols.
    assert_eq!(text.matches("<svg class=\"spc-compact\"").count(), 24);
    assert_eq!(text.matches("class=\"sparkline\"").count(), 24);
    assert_eq!(text.matches("<use href=\"#icon-").count(), 48);
    assert_eq!(text.matches("<svg class=\"icon-defs\"").count(), 1);
    for needle in [
        "id=\"chart-QOX-ae-4-hour\"",
        "aria-labelledby=\"chart-QOX-ae-4-hour-title chart-QOX-ae-4-hour-desc\"",
        "href=\"#chart-QUY-ae-4-hour\"",
        "Wiltshire Integrated Care Board (QOX)</a></th>",
        "<tr class=\"indicator\">",
        "In each chart: grey dots are common cause",
        "@page { size: A4 landscape",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    let tooltips =
        text.matches("</title></circle>").count() + text.matches("</title></path>").count();
    assert!(
        tooltips > 0,
        "flagged points carry their reasons as tooltips"
    );
    assert!(!text.contains("<script"));
    // Rerunning gives the same bytes.
    let again = dir.path().join("again.html");
    sct()
        .args(["kpi", "ipr", "--orgs", "all", "--data"])
        .arg(&data)
        .arg("--set")
        .arg(&set)
        .arg("-o")
        .arg(&again)
        .assert()
        .success();
    assert_eq!(std::fs::read(&again).unwrap(), text.as_bytes());

    let Some(chromium) = browser::chromium_or_skip() else {
        return;
    };
    let visit = browser::visit(&chromium, dir.path(), &html);
    let dom = &visit.dom;
    browser::assert_hostile_text_inert(&visit, "Integrated performance report: 2 organisations");
    // Charts, sparklines, icons and the hidden symbols' holder.
    assert_eq!(dom.matches("<svg").count(), 24 + 24 + 48 + 1);
    assert!(dom.matches("role=\"img\"").count() >= 24 + 24 + 48);
    browser::assert_self_contained(&chromium, dir.path(), &visit);
}

/// A series built so that `mdc` and `ptd-0.2.2` disagree: a window with one point beyond the
/// limits and one between two and three sigma (see crates/sct-kpi/tests/spc_profiles.rs).
fn built_series(dir: &Path) -> PathBuf {
    let mut text = String::from("date,value\n");
    let values: Vec<f64> = [10.0, 12.0]
        .repeat(10)
        .into_iter()
        .chain([19.0, 16.0, 12.0])
        .collect();
    for (i, v) in values.iter().enumerate() {
        text.push_str(&format!("{}-{:02},{v}\n", 2023 + i / 12, i % 12 + 1));
    }
    write(dir, "built.csv", &text)
}

#[test]
fn compare_profile_lists_the_points_that_differ_with_explanations() {
    let dir = tmp();
    let input = built_series(dir.path());
    let out = sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args(["--improvement", "increase", "--profile", "mdc", "--compare-profile", "ptd-0.2.2"])
        .assert()
        .success()
        .stderr(contains("mdc and ptd-0.2.2 judge 1 point differently"))
        .stderr(contains(
            "2024-10-01: special_cause_improvement under mdc (2 of 3 points in a row more than two sigma above the mean (two_of_three, 2024-08-01 to 2024-10-01)); common_cause under ptd-0.2.2 (no rule)",
        ))
        .get_output()
        .stdout
        .clone();
    let csv = String::from_utf8(out).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(
        "rules,explanation,profile,gap_before,rebase_log,compare_profile,compare_point_type,compare_rules,compare_explanation"
    ));
    let differing: Vec<&str> = csv.lines().filter(|l| l.contains(",ptd-0.2.2,")).collect();
    assert_eq!(differing.len(), 1, "{csv}");
    assert!(differing[0].starts_with("2024-10-01,16,"));
    assert!(differing[0].contains(",mdc,,,ptd-0.2.2,common_cause,,"));
    // JSON: the comparison with both icons, and every point's rules.
    let json = sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args([
            "--improvement",
            "increase",
            "--profile",
            "mdc",
            "--compare-profile",
            "ptd-0.2.2",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let c = &v["summary"]["comparison"];
    assert_eq!(c["compare_profile"], "ptd-0.2.2");
    assert_eq!(c["points"].as_array().unwrap().len(), 1);
    assert_eq!(v["points"][20]["rules"][0]["rule"], "outside_limits");
    assert_eq!(v["points"][20]["rules"][1]["rule"], "two_of_three");
    assert_eq!(v["summary"]["profile"], "mdc");
    // A profile compared with itself lists nothing.
    sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args([
            "--improvement",
            "increase",
            "--profile",
            "mdc",
            "--compare-profile",
            "mdc",
        ])
        .assert()
        .success()
        .stderr(contains("judge 0 points differently"));
}

/// `--profile ptd-0.2.2` is `sct kpi spc` without `--profile`, byte for byte, in every format,
/// on series with ties, spikes, shifts and trends.
#[test]
fn ptd_profile_output_equals_the_default() {
    let dir = tmp();
    // A small deterministic generator (no dependency needed for a handful of series).
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for case in 0..12 {
        let n = 8 + (next() % 40) as usize;
        let mut text = String::from("date,value\n");
        for i in 0..n {
            let v = match case % 3 {
                0 => (next() % 5) as f64,
                1 => (next() % 1000) as f64 / 10.0,
                _ => i as f64 * 0.5 + if next() % 7 == 0 { 30.0 } else { 0.0 },
            };
            text.push_str(&format!("{}-{:02},{v}\n", 2020 + i / 12, i % 12 + 1));
        }
        let input = write(dir.path(), &format!("s{case}.csv"), &text);
        for format in ["csv", "json", "svg"] {
            let run = |extra: &[&str]| {
                sct()
                    .args(["kpi", "spc"])
                    .arg(&input)
                    .args([
                        "--improvement",
                        "decrease",
                        "--target",
                        "2",
                        "--format",
                        format,
                    ])
                    .args(extra)
                    .assert()
                    .success()
                    .get_output()
                    .stdout
                    .clone()
            };
            assert_eq!(
                run(&[]),
                run(&["--profile", "ptd-0.2.2"]),
                "case {case} {format}"
            );
        }
    }
}

#[test]
fn the_rebase_log_is_applied_and_printed_beside_each_chart() {
    let dir = tmp();
    let json = ipr_to(dir.path(), "ipr.json", &["--rebase-log", LOG]);
    let html = ipr_to(dir.path(), "ipr.html", &["--rebase-log", LOG]);
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("Rebase log: rebased at 2024-04: Illustrative only"));
    assert!(html.contains("approved by Performance committee (illustrative) on 2024-05-14"));
    let _ = json;
    let review = dir.path().join("review.json");
    sct()
        .args([
            "kpi",
            "review",
            "--data",
            DATA,
            "--org",
            "QUY",
            "--rebase-log",
            LOG,
            "-o",
        ])
        .arg(&review)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&review).unwrap()).unwrap();
    let cat2 = v["timeframes"][0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "cat2-mean-response")
        .unwrap();
    assert_eq!(cat2["spc"]["rebases"][0]["date"], "2024-04");
    assert_eq!(v["rebase_log"], LOG);
    // A log beside the data is found without --rebase-log.
    let data = write(
        dir.path(),
        "kpis.csv",
        &std::fs::read_to_string(root().join(DATA)).unwrap(),
    );
    std::fs::copy(root().join(LOG), dir.path().join("kpis.rebase-log.csv")).unwrap();
    let out = dir.path().join("beside.json");
    sct()
        .args(["kpi", "review", "--org", "QUY", "--data"])
        .arg(&data)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("a new ambulance dispatch model")
    );
}

#[test]
fn rebase_log_errors_name_the_file_and_row() {
    let dir = tmp();
    let header = "indicator,organisation,date,reason,approved_by,approved_on\n";
    let cases = [
        (
            "cat2-mean-response,QUY,2024-04,,Board,2024-05-14\n",
            "no `reason`",
        ),
        (
            "cat2-mean-response,QUY,2019-04,why,Board,2024-05-14\n",
            "not a period with data",
        ),
        (
            "no-such-kpi,QUY,2024-04,why,Board,2024-05-14\n",
            "not in KPI set",
        ),
        (
            "cat2-mean-response,QUY,2024-04,why,Board,14/05/2024\n",
            "`approved_on`",
        ),
    ];
    for (row, what) in cases {
        let log = write(dir.path(), "log.csv", &format!("{header}{row}"));
        sct()
            .args([
                "kpi",
                "review",
                "--data",
                DATA,
                "--org",
                "QUY",
                "--rebase-log",
            ])
            .arg(&log)
            .arg("-o")
            .arg(dir.path().join("r.json"))
            .assert()
            .code(2)
            .stderr(contains("log.csv:2").or(contains("log.csv line 2")))
            .stderr(contains(what));
    }
    // sct kpi spc: a rebase not in the series names the log's row.
    let input = built_series(dir.path());
    let log = write(
        dir.path(),
        "spc-log.csv",
        &format!("{header}x,Q,2030-01,why,Board,2024-05-14\n"),
    );
    sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args(["--improvement", "increase", "--rebase-log"])
        .arg(&log)
        .assert()
        .code(2)
        .stderr(contains("spc-log.csv line 2"));
}

#[test]
fn candidate_rebases_are_suggested_with_evidence_and_never_applied() {
    let dir = tmp();
    let v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(ipr_to(dir.path(), "x.json", &["--format", "json"])).unwrap(),
    )
    .unwrap();
    let _ = v;
    let review = dir.path().join("review.md");
    sct()
        .args(["kpi", "review", "--data", DATA, "--org", "QUY", "-o"])
        .arg(&review)
        .assert()
        .success();
    let md = std::fs::read_to_string(&review).unwrap();
    assert!(md.contains(
        "suggested rebase: 19 points in a row above the mean of 9038 from 2024-03 to 2025-09"
    ));
    assert!(md.contains("not applied"));
}

#[test]
fn gaps_are_shown_not_joined_unless_asked_and_invalid_values_need_skip_invalid() {
    let dir = tmp();
    let data = std::fs::read_to_string(root().join(DATA)).unwrap();
    // Leave out one month of the ambulance series, and blank another's value.
    let gapped: String = data
        .lines()
        .filter(|l| !l.starts_with("QUY,cat2-mean-response,2024-07,"))
        .map(|l| {
            if l.starts_with("QUY,cat2-mean-response,2024-10,") {
                "QUY,cat2-mean-response,2024-10,,,\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let input = write(dir.path(), "gapped.csv", &gapped);
    let out = dir.path().join("r.json");
    sct()
        .args(["kpi", "review", "--org", "QUY", "--data"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("gapped.csv"))
        .stderr(contains("no value"));
    sct()
        .args(["kpi", "review", "--org", "QUY", "--skip-invalid", "--data"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let cat2 = v["timeframes"][0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "cat2-mean-response")
        .unwrap();
    assert_eq!(cat2["spc"]["gaps"].as_array().unwrap().len(), 2);
    assert_eq!(cat2["spc"]["gaps"][0]["missing"][0], "2024-07");
    assert_eq!(cat2["spc"]["gaps_joined"], false);
    let kinds: Vec<&str> = cat2["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"missing-periods") && kinds.contains(&"skipped-invalid"));
    let joined = dir.path().join("j.json");
    sct()
        .args([
            "kpi",
            "review",
            "--org",
            "QUY",
            "--skip-invalid",
            "--join-gaps",
            "--data",
        ])
        .arg(&input)
        .arg("-o")
        .arg(&joined)
        .assert()
        .success();
    let text = std::fs::read_to_string(&joined).unwrap();
    assert!(text.contains("are joined (--join-gaps)"));
    // The chart shows the gap: the HTML chart has the missing months on its axis.
    let html = dir.path().join("r.html");
    sct()
        .args(["kpi", "review", "--org", "QUY", "--skip-invalid", "--data"])
        .arg(&input)
        .arg("-o")
        .arg(&html)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("2024-07 missing before 2024-08")
    );
}

#[test]
fn a_kpi_set_can_choose_the_mdc_profile() {
    let dir = tmp();
    let text = std::fs::read_to_string(root().join(SET)).unwrap();
    let text = text.replacen(
        "[documents]",
        "profile = \"mdc\"\nconflict = \"concern\"\n\n[documents]",
        1,
    );
    let set = write(dir.path(), "mdc-set.toml", &text);
    sct()
        .args(["frameworks", "validate"])
        .arg(&set)
        .assert()
        .success();
    let out = dir.path().join("ipr.csv");
    sct()
        .args(["kpi", "ipr", "--org", "QUY", "--data", DATA, "--set"])
        .arg(&set)
        .args(["--compare-profile", "ptd-0.2.2", "-o"])
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.contains(",cat2-mean-response,") && l.contains(",mdc,"))
    );
    // --conflict needs mdc.
    sct()
        .args([
            "kpi",
            "ipr",
            "--org",
            "QUY",
            "--data",
            DATA,
            "--conflict",
            "concern",
            "-o",
        ])
        .arg(dir.path().join("c.csv"))
        .assert()
        .code(2)
        .stderr(contains("mdc profile only").or(contains("mdc")));
}

/// Gaps on run and p′ charts from `sct kpi spc`: a missing month and a skipped row are shown
/// (stderr notes, a warning) and break the runs; `--join-gaps` joins them; an invalid row
/// without `--skip-invalid` is an error naming its line; `--compare-profile` says why it is
/// XmR only.
#[test]
fn run_and_pprime_charts_break_at_gaps_and_skip_invalid_rows() {
    let dir = tmp();
    // 8 months above the median then 8 below, with 2024-05 missing and 2024-09 invalid.
    let mut text = String::from("date,value,numerator,denominator\n");
    for i in 0..18 {
        let month = format!("{}-{:02}", 2024 + i / 12, i % 12 + 1);
        let high = i < 10;
        match i {
            4 => {} // 2024-05 is missing
            8 => text.push_str(&format!("{month},,,100\n")),
            _ => text.push_str(&format!(
                "{month},{},{},100\n",
                if high { 10 } else { 0 },
                if high { 30 } else { 10 }
            )),
        }
    }
    let input = write(dir.path(), "gapped.csv", &text);
    for chart in ["run", "pprime"] {
        sct()
            .args(["kpi", "spc"])
            .arg(&input)
            .args(["--improvement", "increase", "--chart", chart])
            .assert()
            .code(2)
            .stderr(contains("gapped.csv"))
            .stderr(contains(":9:").or(contains("line 9")));
        let out = sct()
            .args(["kpi", "spc"])
            .arg(&input)
            .args([
                "--improvement",
                "increase",
                "--skip-invalid",
                "--chart",
                chart,
            ])
            .args(["--format", "json"])
            .assert()
            .success()
            .stderr(contains(
                "note: gap before 2024-06-01: 1 period missing (not joined",
            ))
            .stderr(contains("line 9: empty value skipped").or(contains("line 9: value")))
            .stderr(contains("2 gaps in the series"))
            .get_output()
            .stdout
            .clone();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let text = v.to_string();
        assert!(text.contains("\"crossings\":1"), "{chart}: {text}");
        let joined = sct()
            .args(["kpi", "spc"])
            .arg(&input)
            .args(["--improvement", "increase", "--skip-invalid", "--join-gaps"])
            .args(["--chart", chart, "--format", "json"])
            .assert()
            .success()
            .stderr(contains(
                "(joined: values either side are treated as consecutive)",
            ))
            .stderr(contains("gaps in the series").not())
            .get_output()
            .stdout
            .clone();
        assert_ne!(
            joined, out,
            "{chart}: joining the gaps changes the analysis"
        );
    }
    sct()
        .args(["kpi", "spc"])
        .arg(&input)
        .args([
            "--improvement",
            "increase",
            "--skip-invalid",
            "--chart",
            "run",
        ])
        .args(["--compare-profile", "mdc"])
        .assert()
        .code(2)
        .stderr(contains("the profiles are XmR rule sets"));
}

/// Data as R's `write.csv` writes it (the header and every text quoted, `NA` for a missing
/// number) and as SQL Server saves results (`NULL`) give the plain file's report, byte for
/// byte, with the same warnings.
#[test]
fn data_written_by_r_or_sql_server_reports_as_the_plain_file() {
    let dir = tmp();
    let data = std::fs::read_to_string(root().join(DATA)).unwrap();
    assert!(data.contains(",,\n"), "the example has rows without counts");
    let rewritten = |missing: &str, quote: bool| -> String {
        let mut text = String::new();
        for (i, line) in data.lines().enumerate() {
            let fields: Vec<String> = line
                .split(',')
                .enumerate()
                .map(|(c, f)| match (f.is_empty(), c < 3 || i == 0) {
                    (true, _) => missing.to_string(),
                    (false, true) if quote => format!("\"{f}\""),
                    _ => f.to_string(),
                })
                .collect();
            text.push_str(&fields.join(","));
            text.push('\n');
        }
        text
    };
    // The report as text, and what was said with the file names left out.
    let run = |name: &str, text: &str| {
        let data = write(dir.path(), &format!("{name}.csv"), text);
        let out = dir.path().join(format!("report-from-{name}.csv"));
        let done = ipr_all(&data, &out);
        let stderr = String::from_utf8(done.get_output().stderr.clone()).unwrap();
        let said = stderr
            .replace(&data.display().to_string(), "DATA")
            .replace(&out.display().to_string(), "OUT");
        (std::fs::read_to_string(&out).unwrap(), said)
    };
    let plain = run("plain", &data);
    for (name, missing, quote) in [("r", "NA", true), ("sql", "NULL", false)] {
        let text = rewritten(missing, quote);
        assert!(text.contains(&format!(",{missing},{missing}\n")), "{name}");
        assert_eq!(run(name, &text), plain, "{name}");
    }
}
