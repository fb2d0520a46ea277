//! The bundled planning framework KPI set (`planning-framework-2026-29`): its indicators are
//! the ones `sct kpi import` gives NHS England's published files, so an import reviews against
//! it with no mapping; its unconfirmed target says so wherever the report shows it; and the
//! README's tour, from the published files to an IPR for one ICB, runs on the real files
//! (read in place; skipped, with a message, where they are absent).

mod common;

use common::published::{AE_HEADER, etr, nhs_data};
use common::sct;
use sct_publications::model::Measure;

const SET: &str = "planning-framework-2026-29";

fn indicator_ids() -> Vec<String> {
    let out = sct().args(["frameworks", "show", SET]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    // The listing gives each indicator on a line of its own, indented, id first.
    text.lines()
        .filter(|l| l.starts_with("  ") && l.contains(" is better"))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

#[test]
fn every_indicator_of_the_set_is_one_the_import_gives() {
    let ids = indicator_ids();
    assert_eq!(
        ids,
        [
            "rtt-18-weeks",
            "fds-28-day",
            "ae-4-hour",
            "ambulance-cat2-mean"
        ]
    );
    let imported: Vec<String> = Measure::ALL.iter().map(|m| m.id()).collect();
    for id in &ids {
        assert!(
            imported.contains(id),
            "{id} is not an imported measure: {imported:?}"
        );
    }
}

#[test]
fn the_unconfirmed_four_hour_target_is_marked_in_the_ipr() {
    let dir = tempfile::tempdir().unwrap();
    let ae = dir.path().join("ae-march.csv");
    // 1,000 attendances, 250 over 4 hours: 75.0 % within, against 82 %.
    let row =
        "MSitAE-MARCH-2026,RXA,NHS ENGLAND SOUTH WEST ,TRUST A,1000,0,0,250,0,0,1,10,0,0,5\r\n";
    std::fs::write(&ae, format!("{AE_HEADER}{row}")).unwrap();
    let etr = dir.path().join("etr.csv");
    std::fs::write(&etr, etr_file()).unwrap();
    let out = dir.path().join("ipr.md");
    sct()
        .args(["kpi", "ipr", "--set", SET, "--org", "QUY", "--data"])
        .arg(&ae)
        .arg("--lookup")
        .arg(&etr)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let md = std::fs::read_to_string(&out).unwrap();
    let row = md
        .lines()
        .find(|l| l.contains("within 4 hours"))
        .expect("an A&E row");
    assert!(row.contains("| 75.0 |"), "{row}");
    assert!(row.contains("82.0 (unconfirmed target)"), "{row}");
    assert!(row.contains("-7.0"), "{row}");
}

/// The README's tour: import A&E, cancer and RTT to ICBs, then the IPR for one ICB.
#[test]
fn the_tour_runs_on_the_published_files() {
    let Some(data) = nhs_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let kpis = dir.path().join("icb.csv");
    sct()
        .args(["kpi", "import"])
        .args(["ae", "cancer", "rtt"].map(|d| data.join(d)))
        .arg("--lookup")
        .arg(data.join("lookups/etr.csv"))
        .args(["--level", "icb", "--unmapped", "drop", "-o"])
        .arg(&kpis)
        .assert()
        .success();
    let out = dir.path().join("ipr.md");
    sct()
        .args(["kpi", "ipr", "--set", SET, "--org", "QUY", "--data"])
        .arg(&kpis)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let md = std::fs::read_to_string(&out).unwrap();
    let row = |needle: &str| {
        md.lines()
            .find(|l| l.starts_with('|') && l.contains(needle))
            .unwrap_or_else(|| panic!("no row for {needle}:\n{md}"))
            .to_string()
    };
    assert!(
        row("18 weeks").contains("92.0 (target)"),
        "{}",
        row("18 weeks")
    );
    assert!(row("Faster Diagnosis").contains("80.0 (target)"));
    assert!(row("within 4 hours").contains("82.0 (unconfirmed target)"));
    assert!(
        row("Category 2").contains("| — |"),
        "ambulance trusts give no ICB figure"
    );
}

/// The ODS trust file of the trusts these tests use.
fn etr_file() -> String {
    etr(&[("RXA", "TRUST A", "QUY")])
}
