//! The readers on NHS England's own files, as published (read in place from the shared data
//! folder; skipped, with a message, where it is absent): every file reads, the national
//! figures computed from the provider rows equal those from each file's own total row, and an
//! ICB's figure equals a hand computation from the trusts the ODS file maps to it.

use std::path::{Path, PathBuf};

use sct_publications::aggregate::to_icbs;
use sct_publications::lookup::Lookup;
use sct_publications::{Measure, OrgLevel, Period, Publication, read_file};

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

fn ae_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("ae"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_ae_file_reads_and_its_providers_sum_to_its_total_row() {
    let Some(dir) = nhs_data() else { return };
    let files = ae_files(&dir);
    assert_eq!(files.len(), 4);
    for file in files {
        let extract = read_file(&file, None).unwrap();
        assert_eq!(extract.publication, Publication::AeMonthly);
        assert_eq!(extract.periods.len(), 1, "{}", file.display());
        for measure in [Measure::AeFourHourAll, Measure::AeFourHourType1] {
            let of = |level: OrgLevel| {
                extract
                    .observations
                    .iter()
                    .filter(|o| o.measure == measure && o.organisation.level == level)
                    .fold((0.0, 0.0), |(n, d), o| {
                        (n + o.numerator.unwrap(), d + o.denominator.unwrap())
                    })
            };
            let (n, d) = of(OrgLevel::Provider);
            let (tn, td) = of(OrgLevel::National);
            assert!(td > 1_000_000.0, "{}: {td}", file.display());
            assert_eq!((n, d), (tn, td), "{} {measure:?}", file.display());
            let total_row = extract
                .observations
                .iter()
                .find(|o| o.measure == measure && o.organisation.level == OrgLevel::National)
                .unwrap();
            assert_eq!(total_row.value, Some(100.0 * n / d));
        }
    }
}

/// The columns of a row of the current wording, by header, read without the library.
fn hand_four_hours(file: &Path, trusts: &[String]) -> (f64, f64) {
    let text = std::fs::read_to_string(file).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let attendance_columns = [
        "A&E attendances Type 1",
        "A&E attendances Type 2",
        "A&E attendances Other A&E Department",
        "A&E attendances Booked Appointments Type 1",
        "A&E attendances Booked Appointments Type 2",
        "A&E attendances Booked Appointments Other Department",
    ]
    .map(col);
    let over_columns = [
        "Attendances over 4hrs Type 1",
        "Attendances over 4hrs Type 2",
        "Attendances over 4hrs Other Department",
        "Attendances over 4hrs Booked Appointments Type 1",
        "Attendances over 4hrs Booked Appointments Type 2",
        "Attendances over 4hrs Booked Appointments Other Department",
    ]
    .map(col);
    let (mut attendances, mut over) = (0.0, 0.0);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for record in reader.records() {
        let record = record.unwrap();
        if !trusts.iter().any(|t| t == record[1].trim()) {
            continue;
        }
        let sum = |cols: &[usize]| {
            cols.iter()
                .map(|c| record[*c].parse::<f64>().unwrap())
                .sum::<f64>()
        };
        attendances += sum(&attendance_columns);
        over += sum(&over_columns);
    }
    (attendances - over, attendances)
}

#[test]
fn an_icbs_four_hour_performance_equals_the_hand_computation_from_its_trusts() {
    let Some(dir) = nhs_data() else { return };
    let etr_path = dir.join("lookups/etr.csv");
    let lookup = Lookup::read("etr.csv", &std::fs::read_to_string(&etr_path).unwrap()).unwrap();
    assert_eq!(lookup.len(), 210);
    let trusts: Vec<String> = lookup
        .iter()
        .filter(|m| m.icb == "QUY")
        .map(|m| m.code.clone())
        .collect();
    assert!(trusts.len() >= 2, "{trusts:?}");
    let file = dir.join("ae/Monthly-AE-May-2025.csv");
    let extract = read_file(&file, None).unwrap();
    let aggregation = to_icbs(&extract.observations, &lookup);
    let quy = aggregation
        .icbs
        .iter()
        .find(|o| {
            o.observation.organisation.code == "QUY"
                && o.observation.measure == Measure::AeFourHourAll
        })
        .unwrap();
    assert_eq!(
        quy.observation.period,
        Period::Month {
            year: 2025,
            month: 5
        }
    );
    let (within, attendances) = hand_four_hours(&file, &trusts);
    assert_eq!(quy.observation.numerator, Some(within));
    assert_eq!(quy.observation.denominator, Some(attendances));
    assert_eq!(quy.observation.value, Some(100.0 * within / attendances));
    // Every member is a QUY trust, and providers the ODS trust file does not list (walk-in
    // centres, independent providers) are returned, not dropped.
    assert!(quy.members.iter().all(|m| trusts.contains(m)));
    assert!(!aggregation.unmapped.is_empty());
    assert!(
        aggregation
            .unmapped
            .iter()
            .all(|(o, _)| lookup.get(&o.code).is_none())
    );
}

#[test]
fn the_ons_lookup_reads_as_published() {
    let Some(dir) = nhs_data() else { return };
    let text = std::fs::read_to_string(dir.join("lookups/LOC22_ICB22_NHSER22_EN_LU.csv")).unwrap();
    let lookup = Lookup::read("LOC22_ICB22_NHSER22_EN_LU.csv", &text).unwrap();
    // 106 locations, each under its ODS and its GSS code.
    assert_eq!(lookup.len(), 212);
    assert_eq!(lookup.get("02P").unwrap().icb, "QF7");
    let icbs: std::collections::BTreeSet<&str> = lookup.iter().map(|m| m.icb.as_str()).collect();
    assert_eq!(icbs.len(), 42);
}

/// From the file's own week bands, without the library: incomplete pathways (part 2, the
/// treatment-function total C_999) of the rows `keep` selects: (within 18 weeks, known clock
/// start, over 52 weeks).
fn hand_rtt(
    file: &Path,
    keep: &dyn Fn(&csv::StringRecord, &csv::StringRecord) -> bool,
) -> (f64, f64, f64) {
    let mut reader = csv::Reader::from_path(file).unwrap();
    let header = reader.headers().unwrap().clone();
    let band = |name: &str| header.iter().position(|h| h == name).unwrap();
    let first = band("Gt 00 To 01 Weeks SUM 1");
    let eighteen = band("Gt 18 To 19 Weeks SUM 1");
    let fifty_two = band("Gt 52 To 53 Weeks SUM 1");
    let last = band("Gt 104 Weeks SUM 1");
    let (mut within, mut known, mut over) = (0.0, 0.0, 0.0);
    for record in reader.records() {
        let record = record.unwrap();
        if &record[9] != "Part_2" || &record[11] != "C_999" || !keep(&header, &record) {
            continue;
        }
        let n = |i: usize| record[i].parse::<f64>().unwrap_or(0.0);
        within += (first..eighteen).map(n).sum::<f64>();
        known += (first..=last).map(n).sum::<f64>();
        over += (fifty_two..=last).map(n).sum::<f64>();
    }
    (within, known, over)
}

#[test]
fn rtt_gives_the_share_within_18_weeks_and_the_52_week_count_the_bands_give() {
    let Some(dir) = nhs_data() else { return };
    let file = dir.join("rtt/20241130-RTT-November-2024-RBD.csv");
    let extract = read_file(&file, None).unwrap();
    assert_eq!(extract.publication, Publication::RttFullExtract);
    assert_eq!(
        extract.periods,
        [Period::Month {
            year: 2024,
            month: 11
        }]
    );
    let find = |code: &str, measure: Measure| {
        extract
            .observations
            .iter()
            .find(|o| o.organisation.code == code && o.measure == measure)
            .unwrap_or_else(|| panic!("{code} {measure:?}"))
            .clone()
    };
    let column = |h: &csv::StringRecord, name: &str| h.iter().position(|x| x == name).unwrap();
    for (code, level_column) in [
        ("RBD", "Provider Org Code"),
        ("QVV", "Commissioner Parent Org Code"),
    ] {
        let (within, known, over) = hand_rtt(&file, &|h, r| &r[column(h, level_column)] == code);
        assert!(known > 1000.0, "{code}: {known}");
        let share = find(code, Measure::RttWithin18Weeks);
        assert_eq!(share.numerator, Some(within), "{code}");
        assert_eq!(share.denominator, Some(known), "{code}");
        assert_eq!(share.value, Some(100.0 * within / known), "{code}");
        assert_eq!(
            find(code, Measure::RttOver52Weeks).value,
            Some(over),
            "{code}"
        );
    }
    // The treatment functions are not counted again on top of their total.
    let all = find("RBD", Measure::RttIncompletePathways).value.unwrap();
    assert_eq!(all, hand_rtt(&file, &|_, _| true).1);
}

#[test]
fn ambsys_reads_england_regions_and_trusts_with_times_as_published() {
    let Some(dir) = nhs_data() else { return };
    for name in ["AmbSYS-to-Jan-2021.csv", "AmbSYS-up-to-March-2020-CSV.csv"] {
        let extract = read_file(&dir.join("ambulance").join(name), None).unwrap();
        assert_eq!(extract.publication, Publication::AmbSys);
        assert_eq!(
            extract.periods[0],
            Period::Month {
                year: 2017,
                month: 8
            }
        );
        let month = Period::Month {
            year: 2019,
            month: 10,
        };
        let c2: Vec<_> = extract
            .observations
            .iter()
            .filter(|o| o.measure == Measure::AmbulanceCategory2Mean && o.period == month)
            .collect();
        let count = |level| c2.iter().filter(|o| o.organisation.level == level).count();
        assert_eq!(
            (
                count(OrgLevel::National),
                count(OrgLevel::Region),
                count(OrgLevel::Provider)
            ),
            (1, 7, 11)
        );
        // The published mean is the total response time over the incidents, to the second.
        for o in &c2 {
            let computed = o.numerator.unwrap() / o.denominator.unwrap();
            assert!(
                (computed - o.value.unwrap()).abs() <= 0.5,
                "{} {computed} {:?}",
                o.organisation.code,
                o.value
            );
        }
    }
}

#[test]
fn every_fingertips_export_reads_with_its_periods_codes_and_limits() {
    let Some(dir) = nhs_data() else { return };
    let dir = dir.join("fingertips");
    let smoking = read_file(&dir.join("smok_qof_prev.csv"), None).unwrap();
    assert_eq!(smoking.publication, Publication::Fingertips);
    assert_eq!(
        smoking.periods.first(),
        Some(&Period::FinancialYear { start: 2013 })
    );
    // ICBs are known by the ODS code their names end with, not Fingertips' `nE54...`.
    let qrv: Vec<_> = smoking
        .observations
        .iter()
        .filter(|o| o.organisation.code == "QRV")
        .collect();
    assert!(!qrv.is_empty());
    assert!(qrv.iter().all(|o| o.organisation.level == OrgLevel::Icb));
    assert!(qrv.iter().all(|o| o.lower.is_some() && o.upper.is_some()));
    let sub_icb = smoking
        .observations
        .iter()
        .find(|o| o.organisation.code == "02P")
        .unwrap();
    assert_eq!(sub_icb.organisation.level, OrgLevel::SubIcb);
    // England appears once per series and period, however many area types the export
    // repeats it for (91 England rows in the file).
    let england: Vec<_> = smoking
        .observations
        .iter()
        .filter(|o| o.organisation.level == OrgLevel::National)
        .map(|o| (o.measure, o.period))
        .collect();
    let distinct: std::collections::BTreeSet<_> = england.iter().collect();
    assert_eq!(england.len(), distinct.len());
    assert!(
        england.len() >= smoking.periods.len() && england.len() < 91,
        "{}",
        england.len()
    );

    let campylobacter = read_file(&dir.join("indicators-CountyUA.data.csv"), None).unwrap();
    assert_eq!(
        campylobacter.periods,
        [2015, 2016, 2017].map(|year| Period::CalendarYear { year })
    );
    // Two age breakdowns of one indicator are two series, each named.
    let series: std::collections::BTreeSet<_> = campylobacter
        .observations
        .iter()
        .map(|o| o.measure)
        .collect();
    assert_eq!(series.len(), 2);
    for m in series {
        assert!(
            campylobacter
                .title_of(m)
                .starts_with("Campylobacter incidence rate/100,000 (Persons, "),
            "{}",
            campylobacter.title_of(m)
        );
    }
    let under5 = read_file(&dir.join("ed_under5.csv"), None).unwrap();
    assert!(under5.observations.len() > 7000);
}
