//! End-to-end tests of `sct kpi import` and of published files given as `--data`: the long
//! form and its provenance record from NHS England's own files (read in place; skipped, with
//! a message, where they are absent) and from small files of our own; the refusals (a lookup
//! given as data, an unknown layout, providers in no lookup), each exit 2 with nothing
//! written.

mod common;

use std::path::{Path, PathBuf};

use common::published::{AE_HEADER, etr, nhs_data};
use common::sct;
use predicates::str::contains;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// Two months of two trusts (and a walk-in centre no lookup knows) in a folder.
fn ae_folder(dir: &Path) -> PathBuf {
    let folder = dir.join("ae");
    std::fs::create_dir(&folder).unwrap();
    for (month, a, b) in [("JANUARY", 100, 20), ("FEBRUARY", 200, 50)] {
        let text = format!(
            "{AE_HEADER}MSitAE-{month}-2026,RXA,NHS ENGLAND SOUTH WEST ,TRUST A,{a},0,0,{b},0,0,1,10,0,0,5\r\nMSitAE-{month}-2026,RXB,NHS ENGLAND SOUTH WEST ,TRUST B,{a},0,0,0,0,0,0,10,0,0,5\r\nMSitAE-{month}-2026,NXW01,NHS ENGLAND SOUTH WEST ,A WALK-IN CENTRE,0,0,50,0,0,5,0,0,0,0,0\r\n"
        );
        std::fs::write(folder.join(format!("ae-{month}.csv")), text).unwrap();
    }
    std::fs::write(folder.join("README.md"), "notes, not data").unwrap();
    folder
}

#[test]
fn a_folder_of_monthly_files_makes_one_icb_series_with_its_provenance() {
    let dir = tmp();
    let folder = ae_folder(dir.path());
    let etr = dir.path().join("etr.csv");
    std::fs::write(&etr, etr_file()).unwrap();
    let out = dir.path().join("kpis.csv");
    sct()
        .args(["kpi", "import"])
        .arg(&folder)
        .arg("--lookup")
        .arg(&etr)
        .args(["--level", "icb", "--unmapped", "drop", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stderr(contains(
            "1 organisation is in no lookup; its figures are left out",
        ));
    let csv = std::fs::read_to_string(&out).unwrap();
    // January: (100 - 20 + 100) within 4 hours of 200; February: (200 - 50 + 200) of 400.
    assert!(csv.contains("QUY,ae-4-hour,2026-01,90,180,200\n"), "{csv}");
    assert!(
        csv.contains("QUY,ae-4-hour,2026-02,87.5,350,400\n"),
        "{csv}"
    );
    assert!(!csv.contains("NXW01"), "{csv}");
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("kpis.provenance.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["schema"], "sct-kpi-import/1");
    assert_eq!(record["sources"].as_array().unwrap().len(), 2);
    assert_eq!(record["sources"][0]["publication"], "ae-monthly");
    assert_eq!(record["sources"][0]["periods"][0], "2026-01");
    assert_eq!(record["sources"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        record["members"][0]["members"],
        serde_json::json!(["RXA", "RXB"])
    );
    assert_eq!(record["unmapped"][0]["organisation"]["code"], "NXW01");
}

#[test]
fn providers_in_no_lookup_are_refused_by_default_with_nothing_written() {
    let dir = tmp();
    let folder = ae_folder(dir.path());
    let etr = dir.path().join("etr.csv");
    std::fs::write(&etr, etr_file()).unwrap();
    let out = dir.path().join("kpis.csv");
    sct()
        .args(["kpi", "import"])
        .arg(&folder)
        .arg("--lookup")
        .arg(&etr)
        .args(["--level", "icb", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("1 organisation is in no lookup"))
        .stderr(contains("NXW01 A WALK-IN CENTRE (8 figures)"))
        .stderr(contains("--unmapped"));
    assert!(!out.exists());
    assert!(!dir.path().join("kpis.provenance.json").exists());
}

#[test]
fn a_lookup_given_as_data_and_an_unknown_layout_are_refused() {
    let dir = tmp();
    let etr = dir.path().join("etr.csv");
    std::fs::write(&etr, etr_file()).unwrap();
    sct()
        .args(["kpi", "import"])
        .arg(&etr)
        .assert()
        .code(2)
        .stderr(contains("this file is an organisation lookup"));
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "a,b,c\n1,2,3\n").unwrap();
    sct()
        .args(["kpi", "import"])
        .arg(&other)
        .assert()
        .code(2)
        .stderr(contains("is not a publication sct knows"))
        .stderr(contains("ae-monthly"));
    let renamed = dir.path().join("renamed.csv");
    std::fs::write(&renamed, AE_HEADER.replace("Org Code", "Organisation Code")).unwrap();
    sct()
        .args(["kpi", "import", "--layout", "ae-monthly"])
        .arg(&renamed)
        .assert()
        .code(2)
        .stderr(contains("missing the column \"Org Code\""))
        .stderr(contains("the nearest header is \"Organisation Code\""));
}

#[test]
fn the_published_files_give_an_ipr_for_one_icb() {
    let Some(data) = nhs_data() else { return };
    let dir = tmp();
    let out = dir.path().join("ipr.json");
    sct()
        .args(["kpi", "ipr", "--org", "QUY", "--format", "json", "--data"])
        .arg(data.join("ae"))
        .arg("--lookup")
        .arg(data.join("lookups/etr.csv"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let ipr: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let text = ipr.to_string();
    assert!(text.contains("\"ae-4-hour\""), "{text:.400}");
    assert!(text.contains("2025-09"), "{text:.400}");
}

#[test]
fn an_rtt_extract_imports_by_commissioner_with_successions() {
    let Some(data) = nhs_data() else { return };
    let dir = tmp();
    let out = dir.path().join("rtt.csv");
    sct()
        .args([
            "kpi",
            "import",
            "--level",
            "icb",
            "--follow-successions",
            "-o",
        ])
        .arg(&out)
        .arg(data.join("rtt/20241130-RTT-November-2024-RBD.csv"))
        .assert()
        .success()
        .stderr(contains("passed only in part"));
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("QVV,rtt-18-weeks,2024-11,")),
        "{csv:.500}"
    );
}

#[test]
fn the_cancer_extracts_give_each_providers_faster_diagnosis_standard() {
    use calamine::{Data, DataType, Reader, Xlsx};
    let Some(data) = nhs_data() else { return };
    let dir = tmp();
    let out = dir.path().join("cancer.csv");
    sct()
        .args(["kpi", "import", "-o"])
        .arg(&out)
        .arg(data.join("cancer"))
        .assert()
        .success();
    let csv = std::fs::read_to_string(&out).unwrap();
    // The extract that declares its sheet as one cell is read whole: April to July 2025.
    for month in ["2025-04", "2025-07", "2024-10", "2025-03"] {
        assert!(csv.contains(&format!("R0A,fds-28-day,{month},")), "{month}");
    }
    // R0A's FDS for October 2024, summed from the sheet with another reader.
    let path = data.join("cancer/CWT-CRS-Oct-2024-to-Mar-2025-Data-Extract-Provider.xlsx");
    let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let text = |d: &Data| d.to_string();
    let number = |d: &Data| d.as_f64().unwrap_or(0.0);
    let (mut within, mut total) = (0.0, 0.0);
    for row in sheet.rows().skip(1) {
        if text(&row[4]) == "R0A" && text(&row[3]) == "28-day FDS" && text(&row[2]) == "OCT" {
            within += number(&row[9]);
            total += number(&row[8]);
        }
    }
    assert!(total > 1000.0, "{total}");
    let line = csv
        .lines()
        .find(|l| l.starts_with("R0A,fds-28-day,2024-10,"))
        .unwrap();
    let fields: Vec<&str> = line.split(',').collect();
    assert_eq!(fields[4].parse::<f64>().unwrap(), within);
    assert_eq!(fields[5].parse::<f64>().unwrap(), total);
}

#[test]
fn the_ons_lookup_reads_as_the_published_workbook_and_as_csv_alike() {
    let Some(data) = nhs_data() else { return };
    let dir = tmp();
    let mut counts = Vec::new();
    for lookup in [
        "LOC22_ICB22_NHSER22_EN_LU.xlsx",
        "LOC22_ICB22_NHSER22_EN_LU.csv",
    ] {
        let out = dir.path().join(format!("{lookup}.csv"));
        sct()
            .args([
                "kpi",
                "import",
                "--level",
                "icb",
                "--unmapped",
                "keep",
                "--lookup",
            ])
            .arg(data.join("lookups").join(lookup))
            .arg(data.join("ae/Monthly-AE-May-2025.csv"))
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        let record: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(format!("{lookup}.provenance.json"))).unwrap(),
        )
        .unwrap();
        counts.push(record["lookups"][0]["organisations"].as_u64().unwrap());
    }
    // 106 sub-ICB locations, each under its ODS and its ONS code, in either form.
    assert_eq!(counts, [212, 212]);
}

/// `kpi review` and `kpi ipr` read published data with the import's options, as `spc` and
/// `compare` do: the level, and what becomes of providers no lookup knows.
#[test]
fn the_review_and_ipr_take_the_imports_level_and_unmapped_options() {
    let dir = tmp();
    let folder = ae_folder(dir.path());
    let etr = dir.path().join("etr.csv");
    std::fs::write(&etr, etr_file()).unwrap();
    let out = dir.path().join("ipr.json");
    sct()
        .args([
            "kpi",
            "ipr",
            "--org",
            "QUY",
            "--unmapped",
            "refuse",
            "--data",
        ])
        .arg(&folder)
        .arg("--lookup")
        .arg(&etr)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("NXW01 A WALK-IN CENTRE"));
    assert!(!out.exists());
    // As published, a trust's own rows are reviewed under its own code.
    let out = dir.path().join("review.json");
    sct()
        .args(["kpi", "review", "--org", "RXA", "--level", "published"])
        .args(["--format", "json", "--data"])
        .arg(&folder)
        .arg("--lookup")
        .arg(&etr)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let review = std::fs::read_to_string(&out).unwrap();
    assert!(review.contains("\"RXA\""), "{review:.300}");
}

/// The ODS trust file of the trusts these tests use.
fn etr_file() -> String {
    etr(&[("RXA", "TRUST A", "QUY"), ("RXB", "TRUST B", "QUY")])
}
