//! Importing: a folder of monthly files makes one series; ICB figures summed through the ODS
//! trust file list their members and the providers no lookup knows; a newer edition revises
//! an older one; whole successions sum predecessors into the successor, part ones are listed.

use std::path::{Path, PathBuf};

use sct_publications::import::{ImportOptions, Level, SuccessionRule, import};
use sct_publications::lookup::Lookup;
use sct_publications::{Extract, read_bytes, read_file};

fn nhs_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/nhs-data");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: the published NHS files are not at {}",
            dir.display()
        );
        None
    }
}

#[test]
fn four_monthly_ae_files_make_one_icb_series_with_its_members() {
    let Some(dir) = nhs_data() else { return };
    let mut extracts = Vec::new();
    for entry in std::fs::read_dir(dir.join("ae")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            extracts.push(read_file(&path, None).unwrap());
        }
    }
    let etr = Lookup::read(
        "etr.csv",
        &std::fs::read_to_string(dir.join("lookups/etr.csv")).unwrap(),
    )
    .unwrap();
    let options = ImportOptions {
        level: Level::Icb,
        lookup: Some(&etr),
        successions: &[],
        keep_unmapped: false,
    };
    let result = import(&extracts, options);
    let quy: Vec<_> = result
        .rows
        .iter()
        .filter(|r| r.organisation == "QUY" && r.indicator == "ae-4-hour")
        .map(|r| r.period.as_str())
        .collect();
    assert_eq!(quy, ["2024-09", "2025-05", "2025-08", "2025-09"]);
    let members = result
        .members
        .iter()
        .find(|m| m.icb == "QUY" && m.indicator == "ae-4-hour" && m.period == "2025-05")
        .unwrap();
    assert!(members.members.contains(&"RVJ".to_string()), "{members:?}");
    assert!(
        !result.unmapped.is_empty(),
        "walk-in centres and independent providers are listed"
    );
    assert_eq!(result.sources.len(), 4);
    assert!(result.sources.iter().all(|s| s.sha256.len() == 64));
    // Counts carry their value alone; shares their numerator and denominator.
    let count = result
        .rows
        .iter()
        .find(|r| r.indicator == "ae-attendances")
        .unwrap();
    assert_eq!((count.numerator, count.denominator), (None, None));
    let share = result
        .rows
        .iter()
        .find(|r| r.indicator == "ae-4-hour")
        .unwrap();
    assert!(share.numerator.is_some() && share.denominator.is_some());
}

#[test]
fn a_newer_ambsys_edition_revises_the_older_one() {
    let Some(dir) = nhs_data() else { return };
    let older = read_file(&dir.join("ambulance/AmbSYS-up-to-March-2020-CSV.csv"), None).unwrap();
    let newer = read_file(&dir.join("ambulance/AmbSYS-to-Jan-2021.csv"), None).unwrap();
    let options = ImportOptions {
        level: Level::AsPublished,
        lookup: None,
        successions: &[],
        keep_unmapped: false,
    };
    let result = import(&[newer.clone(), older.clone()], options);
    let older_source = result
        .sources
        .iter()
        .find(|s| s.file == older.file)
        .unwrap();
    // Every back month of the older edition is in the newer; the revisions counted are the
    // figures the two editions give differently, counted here directly.
    let figure = |o: &sct_publications::Observation| (o.value, o.numerator, o.denominator);
    let newer_by_key: std::collections::BTreeMap<_, _> = newer
        .observations
        .iter()
        .map(|o| {
            (
                (o.organisation.code.clone(), o.measure, o.period),
                figure(o),
            )
        })
        .collect();
    let (mut overlapping, mut differing) = (0, 0);
    for o in &older.observations {
        if let Some(f) = newer_by_key.get(&(o.organisation.code.clone(), o.measure, o.period)) {
            overlapping += 1;
            differing += usize::from(*f != figure(o));
        }
    }
    assert!(overlapping > 2000, "{overlapping}");
    assert_eq!(older_source.superseded, overlapping);
    assert_eq!(older_source.revised_later, differing);
    let pick = |e: &Extract| {
        e.observations
            .iter()
            .find(|o| {
                o.organisation.code == "RX9"
                    && o.measure.id() == "ambulance-cat2-mean"
                    && o.period.to_string() == "2019-10"
            })
            .and_then(|o| o.value)
    };
    let row = result
        .rows
        .iter()
        .find(|r| {
            r.organisation == "RX9" && r.indicator == "ambulance-cat2-mean" && r.period == "2019-10"
        })
        .unwrap();
    assert_eq!(Some(row.value), pick(&newer));
    let icb = import(
        &[newer],
        ImportOptions {
            level: Level::Icb,
            lookup: None,
            successions: &[],
            keep_unmapped: false,
        },
    );
    assert!(icb.rows.is_empty());
    assert!(
        icb.no_icb_figure
            .contains(&"ambulance-cat2-mean".to_string())
    );
}

const RTT_HEADER_START: &str = "Period,Provider Parent Org Code,Provider Parent Name,Provider Org Code,Provider Org Name,Commissioner Parent Org Code,Commissioner Parent Name,Commissioner Org Code,Commissioner Org Name,RTT Part Type,RTT Part Description,Treatment Function Code,Treatment Function Name";

fn rtt(rows: &[(&str, u64, u64)]) -> Extract {
    let mut header = RTT_HEADER_START.to_string();
    for i in 0..104 {
        header.push_str(&format!(",Gt {i:02} To {:02} Weeks SUM 1", i + 1));
    }
    header.push_str(",Gt 104 Weeks SUM 1,Total,Patients with unknown clock start date,Total All\n");
    let mut text = header;
    for (n, (icb, within, over)) in rows.iter().enumerate() {
        let mut bands = vec![String::new(); 105];
        bands[0] = within.to_string();
        bands[60] = over.to_string();
        text.push_str(&format!(
            "RTT-March-2026,QXX,P,RXA,TRUST,{icb},ICB,0{n}X,SUB,Part_2,Incomplete,C_999,Total,{},,,{}\n",
            bands.join(","),
            within + over
        ));
    }
    read_bytes("rtt.csv", text.as_bytes(), None).unwrap()
}

#[test]
fn whole_successions_sum_predecessors_and_part_ones_are_listed() {
    let extract = rtt(&[("QHG", 60, 40), ("QUE", 30, 10), ("QM7", 5, 5)]);
    let rules = [
        SuccessionRule {
            predecessor: "QHG".into(),
            successor: "S1Y5D".into(),
            whole: true,
        },
        SuccessionRule {
            predecessor: "QUE".into(),
            successor: "S1Y5D".into(),
            whole: true,
        },
        SuccessionRule {
            predecessor: "QM7".into(),
            successor: "S1Y5D".into(),
            whole: false,
        },
    ];
    let result = import(
        &[extract],
        ImportOptions {
            level: Level::Icb,
            lookup: None,
            successions: &rules,
            keep_unmapped: false,
        },
    );
    let share = result
        .rows
        .iter()
        .find(|r| r.organisation == "S1Y5D" && r.indicator == "rtt-18-weeks")
        .unwrap();
    // (60 + 30) within 18 weeks of (100 + 40), recomputed, not the mean of 60% and 75%.
    assert_eq!(
        (share.numerator, share.denominator),
        (Some(90.0), Some(140.0))
    );
    assert_eq!(share.value, 100.0 * 90.0 / 140.0);
    let members = result
        .members
        .iter()
        .find(|m| m.icb == "S1Y5D" && m.indicator == "rtt-18-weeks")
        .unwrap();
    assert_eq!(members.members, ["QHG", "QUE"]);
    assert_eq!(result.partial_successions.len(), 1);
    assert!(
        result.rows.iter().any(|r| r.organisation == "QM7"),
        "a part succession leaves the predecessor's figures"
    );
}
