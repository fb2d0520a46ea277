//! End-to-end tests of NHS England's published files given directly as the data of `sct kpi
//! spc` (one organisation's series of one indicator) and of `sct compare --kpis` (the funnels),
//! with the import's choices (`--lookup`, `--level`, `--unmapped`): on small files of our own
//! in the published layouts, and on NHS England's own files where they are present (skipped,
//! with a message, where they are absent).

mod common;

use std::path::{Path, PathBuf};

use common::published::{AE_HEADER, etr, nhs_data};
use common::{root, sct};
use predicates::prelude::*;
use predicates::str::contains;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

const MONTHS: [&str; 6] = ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE"];

/// Six monthly A&E files of two trusts and a walk-in centre no lookup knows, in a folder
/// (with a note that is not data). Trust A has 100 + 10m attendances in month m (0-based),
/// 20 + m of them over 4 hours; trust B 200, 50 over.
fn ae_folder(dir: &Path) -> PathBuf {
    let folder = dir.join("ae");
    std::fs::create_dir(&folder).unwrap();
    for (m, month) in MONTHS.iter().enumerate() {
        let (a, over) = (100 + 10 * m, 20 + m);
        let text = format!(
            "{AE_HEADER}MSitAE-{month}-2026,RXA,NHS ENGLAND SOUTH WEST ,TRUST A,{a},0,0,{over},0,0,1,10,0,0,5\r\nMSitAE-{month}-2026,RXB,NHS ENGLAND LONDON,TRUST B,200,0,0,50,0,0,0,10,0,0,5\r\nMSitAE-{month}-2026,NXW01,NHS ENGLAND SOUTH WEST ,A WALK-IN CENTRE,0,0,50,0,0,5,0,0,0,0,0\r\n"
        );
        std::fs::write(folder.join(format!("{:02}-ae-{month}.csv", m + 1)), text).unwrap();
    }
    std::fs::write(folder.join("README.md"), "notes, not data").unwrap();
    folder
}

/// The data lines of a CSV output, without its header.
fn data_lines(csv: &str) -> Vec<&str> {
    csv.lines().skip(1).collect()
}

#[test]
fn spc_charts_one_icbs_series_from_a_folder_of_monthly_files() {
    let dir = tmp();
    let folder = ae_folder(dir.path());
    let etr = dir.path().join("etr.csv");
    std::fs::write(&etr, etr_file()).unwrap();
    let out = dir.path().join("spc.csv");
    sct()
        .args(["kpi", "spc", "--improvement", "increase"])
        .arg(&folder)
        .args(["--org", "QUY", "--indicator", "ae-4-hour", "--lookup"])
        .arg(&etr)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(contains("1 organisation is in no lookup"));
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines = data_lines(&csv);
    assert_eq!(lines.len(), 6, "{csv}");
    // QUY is trust A alone: January 80 of 100 within 4 hours, June 125 of 150 (as the
    // long form writes it, to ten decimals).
    assert!(lines[0].starts_with("2026-01-01,80,"), "{csv}");
    assert!(lines[5].starts_with("2026-06-01,83.3333333333,"), "{csv}");
}

#[test]
fn spc_charts_a_providers_p_prime_chart_from_the_published_numerators() {
    let dir = tmp();
    let folder = ae_folder(dir.path());
    let out = dir.path().join("spc.json");
    sct()
        .args([
            "kpi",
            "spc",
            "--improvement",
            "increase",
            "--chart",
            "pprime",
        ])
        .arg(&folder)
        .args(["--org", "RXB", "--indicator", "ae-4-hour", "-o"])
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let text = json.to_string();
    // Trust B: 150 of 200 within 4 hours every month, so the centre is 75 %.
    assert!(text.contains("\"pprime\""), "{text:.600}");
    assert!(text.contains("75"), "{text:.600}");
}

#[test]
fn spc_on_published_files_names_what_is_missing_or_unknown() {
    let dir = tmp();
    let folder = ae_folder(dir.path());
    sct()
        .args(["kpi", "spc", "--improvement", "increase"])
        .arg(&folder)
        .args(["--org", "RXA"])
        .assert()
        .code(2)
        .stderr(contains("holds 5 indicators"))
        .stderr(contains("ae-4-hour"))
        .stderr(contains("--indicator"));
    sct()
        .args(["kpi", "spc", "--improvement", "increase"])
        .arg(&folder)
        .args(["--org", "QUY", "--indicator", "ae-4-hour"])
        .assert()
        .code(2)
        .stderr(contains("has no organisation QUY"))
        .stderr(contains("NXW01, RXA, RXB"))
        .stderr(contains("--org"));
    // At ICB level, providers no lookup knows may be refused, as sct kpi import does.
    let etr = dir.path().join("etr.csv");
    std::fs::write(&etr, etr_file()).unwrap();
    sct()
        .args([
            "kpi",
            "spc",
            "--improvement",
            "increase",
            "--unmapped",
            "refuse",
        ])
        .arg(&folder)
        .args(["--org", "QUY", "--indicator", "ae-4-hour", "--lookup"])
        .arg(&etr)
        .assert()
        .code(2)
        .stderr(contains("NXW01 A WALK-IN CENTRE"));
}

#[test]
fn spc_still_reads_its_own_csv_when_it_is_not_a_publication() {
    let dir = tmp();
    let input = dir.path().join("series.csv");
    let rows: String = (1..=12)
        .map(|m| format!("2025-{m:02},{}\n", 40 + m % 3))
        .collect();
    std::fs::write(&input, format!("date,value\n{rows}")).unwrap();
    let out = sct()
        .args(["kpi", "spc", "--improvement", "decrease"])
        .arg(&input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 13);
}

#[test]
fn compare_takes_published_files_as_its_kpi_data() {
    let dir = tmp();
    let folder = ae_folder(dir.path());
    let etr = dir.path().join("etr.csv");
    std::fs::write(&etr, etr_file()).unwrap();
    let out = dir.path().join("cohort.json");
    sct()
        .arg("compare")
        .arg(root().join("examples/cohort"))
        .arg("--kpis")
        .arg(&folder)
        .args(["--unmapped", "drop", "--lookup"])
        .arg(&etr)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(contains(
            "1 organisation is in no lookup; its figures are left out",
        ));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let kpi = json["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == "ae-4-hour")
        .expect("an ae-4-hour funnel");
    assert_eq!(kpi["period"], "2026-06");
    let rows = kpi["funnel"]["rows"].as_array().unwrap();
    let row = |org: &str| rows.iter().find(|r| r["org"] == org).unwrap().clone();
    // June: QUY is trust A (125 of 150), QOX trust B (150 of 200).
    assert_eq!(row("QUY")["numerator"], 125.0);
    assert_eq!(row("QUY")["denominator"], 150.0);
    assert_eq!(row("QOX")["numerator"], 150.0);
    assert_eq!(rows.len(), 2, "{rows:?}");
}

#[test]
fn the_published_files_give_an_icbs_spc_chart_and_the_cohorts_funnels() {
    let Some(data) = nhs_data() else { return };
    let dir = tmp();
    let out = dir.path().join("spc.csv");
    sct()
        .args(["kpi", "spc", "--improvement", "increase"])
        .arg(data.join("ae"))
        .args(["--org", "QUY", "--indicator", "ae-4-hour", "--lookup"])
        .arg(data.join("lookups/etr.csv"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        data_lines(&csv)
            .iter()
            .any(|l| l.starts_with("2025-09-01,")),
        "{csv}"
    );
    let cohort = dir.path().join("cohort.json");
    sct()
        .arg("compare")
        .arg(root().join("examples/cohort"))
        .arg("--kpis")
        .arg(data.join("ae"))
        .arg("--lookup")
        .arg(data.join("lookups/etr.csv"))
        .arg("-o")
        .arg(&cohort)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cohort).unwrap()).unwrap();
    let kpi = json["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == "ae-4-hour")
        .expect("an ae-4-hour funnel");
    assert_eq!(kpi["period"], "2025-09");
    assert!(kpi["funnel"]["rows"].as_array().unwrap().len() > 20);
}

/// The ODS trust file of the trusts these tests use.
fn etr_file() -> String {
    etr(&[("RXA", "TRUST A", "QUY"), ("RXB", "TRUST B", "QOX")])
}

/// Without `--improvement`, an indicator of the known KPI sets (A&E within 4 hours: higher
/// is better in both bundled sets) is charted with their direction, the same as given; one
/// they do not define (attendances), and a CSV of the user's own, are refused naming the
/// setting, exit 2, nothing written.
#[test]
fn spc_on_published_files_takes_the_direction_of_a_known_indicator() {
    let dir = tmp();
    let folder = ae_folder(dir.path());
    let etr = dir.path().join("etr.csv");
    std::fs::write(&etr, etr_file()).unwrap();
    let chart = |indicator: &str, improvement: Option<&str>, name: &str| {
        let out = dir.path().join(name);
        let mut cmd = sct();
        cmd.args(["kpi", "spc"]).arg(&folder);
        if let Some(direction) = improvement {
            cmd.args(["--improvement", direction]);
        }
        cmd.args(["--org", "QUY", "--indicator", indicator, "--lookup"])
            .arg(&etr)
            .arg("-o")
            .arg(&out);
        (cmd.assert(), out)
    };
    let (given, given_out) = chart("ae-4-hour", Some("increase"), "given.json");
    given.success();
    let (known, known_out) = chart("ae-4-hour", None, "known.json");
    known.success();
    let json = |p: &Path| {
        let text = std::fs::read_to_string(p).unwrap();
        text.replace(&p.display().to_string(), "OUT")
    };
    assert_eq!(json(&known_out), json(&given_out));
    // The opposite direction gives another chart: the direction was not ignored.
    let (opposite, opposite_out) = chart("ae-4-hour", Some("decrease"), "opposite.json");
    opposite.success();
    assert_ne!(json(&opposite_out), json(&known_out));
    let (unknown, unknown_out) = chart("ae-attendances", None, "unknown.json");
    unknown
        .code(2)
        .stderr(contains(
            "indicator \"ae-attendances\" is in no known KPI set",
        ))
        .stderr(contains("--improvement"));
    assert!(!unknown_out.exists());
    let own = dir.path().join("own.csv");
    std::fs::write(&own, "date,value\n2024-01-01,5\n2024-02-01,6\n").unwrap();
    sct()
        .args(["kpi", "spc"])
        .arg(&own)
        .assert()
        .code(2)
        .stderr(contains("which direction is better is not given"))
        .stderr(contains("--improvement"));
    // A file that is not there is said first, before the direction.
    sct()
        .args(["kpi", "spc"])
        .arg(dir.path().join("missing.csv"))
        .assert()
        .code(2)
        .stderr(contains("missing.csv"))
        .stderr(contains("direction").not());
}
