//! Property tests of the lookups a report over every organisation relies on: the series of one
//! organisation are a range of the map (never a scan of every series), and the integrated
//! performance report built one review at a time is the report of the nested loops it
//! replaced (by indicator in the set's order, then by organisation).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use proptest::prelude::*;
use sct_core::SourceFile;
use sct_core::provenance::FrameworkUsed;
use sct_kpi::data::{KpiData, read_kpi_data};
use sct_kpi::ipr::{ipr, ipr_with};
use sct_kpi::kpiset::{KpiSet, Timeframe};
use sct_kpi::review::{ReviewOptions, review};

fn set() -> KpiSet {
    let text = r#"
kind = "kpi-set"
id = "t"
version = "1"
title = "T"
source = "test"
status = "example"
[documents]
d = { title = "D" }
[[indicators]]
id = "p"
title = "Proportion"
timeframe = "leading"
period = "month"
value_type = "proportion"
multiplier = 100
improvement = "increase"
target = 50.0
source = { doc = "d", section = "1", quote = "q" }
[[indicators]]
id = "c"
title = "Count"
timeframe = "kpi"
period = "quarter"
value_type = "count"
improvement = "increase"
source = { doc = "d", section = "1", quote = "q" }
[[indicators]]
id = "m"
title = "Mean"
timeframe = "leading"
period = "month"
value_type = "mean"
improvement = "decrease"
source = { doc = "d", section = "1", quote = "q" }
"#;
    sct_core::load::parse_toml(&SourceFile::from_text("t.toml", text)).unwrap()
}

fn used() -> FrameworkUsed {
    FrameworkUsed {
        id: "t".into(),
        version: "1".into(),
        kind: "kpi-set".into(),
        sha256: "0".into(),
        file: "t.toml".into(),
    }
}

/// Codes that are prefixes of each other, or sort between each other's series, so a range
/// that ran past its organisation, or stopped short, would be seen.
const ORGS: [&str; 7] = ["Q1", "Q10", "Q1A", "Q", "Q1-", "R2", "Q2"];

/// Rows of random organisations, indicators and months (duplicates and gaps included).
fn rows() -> impl Strategy<Value = Vec<(usize, usize, u32, u32)>> {
    proptest::collection::vec((0..ORGS.len(), 0..3usize, 0..40u32, 1..100u32), 1..80)
}

fn data(rows: &[(usize, usize, u32, u32)]) -> KpiData {
    let mut csv = String::from("organisation,indicator,period,value,numerator,denominator\n");
    for &(o, i, m, v) in rows {
        let (y, mo) = (2020 + (m + 3) / 12, (m + 3) % 12 + 1);
        let period = format!("{y}-{mo:02}");
        match i {
            0 => csv.push_str(&format!("{},p,{period},,{v},100\n", ORGS[o])),
            1 => csv.push_str(&format!("{},c,{period},{v},,\n", ORGS[o])),
            _ => csv.push_str(&format!("{},m,{period},{v}.5,,\n", ORGS[o])),
        }
    }
    read_kpi_data(csv.as_bytes(), "d.csv", &set(), None).unwrap()
}

/// The scan every lookup replaced: every series, filtered by organisation.
fn scanned_latest_end(data: &KpiData, organisation: &str) -> Option<NaiveDate> {
    data.series
        .values()
        .filter(|s| s.organisation == organisation)
        .filter_map(|s| s.observations.last().map(|o| o.period.end()))
        .max()
}

proptest! {
    #[test]
    fn an_organisations_latest_period_and_series_are_those_a_scan_of_every_series_finds(
        rows in rows()
    ) {
        let data = data(&rows);
        for org in ORGS.iter().chain(&["", "Q0", "Z"]) {
            prop_assert_eq!(data.latest_end(org), scanned_latest_end(&data, org), "{}", org);
            let ranged: Vec<&str> = data.series_of(org).map(|s| s.indicator.as_str()).collect();
            let scanned: Vec<&str> = data
                .series
                .values()
                .filter(|s| s.organisation == *org)
                .map(|s| s.indicator.as_str())
                .collect();
            prop_assert_eq!(&ranged, &scanned, "{}", org);
            prop_assert_eq!(data.has_series(org), !scanned.is_empty(), "{}", org);
        }
    }

    #[test]
    fn the_ipr_of_every_organisation_lists_each_review_by_indicator_then_organisation(
        rows in rows()
    ) {
        let set = set();
        let data = data(&rows);
        let orgs: Vec<String> = data
            .organisations
            .iter()
            .filter(|o| data.has_series(o))
            .cloned()
            .collect();
        let options = ReviewOptions::default();
        let full = ipr(&set, &used(), &data, &orgs, &options, |_| None).unwrap();
        let rows_only = ipr_with(&set, &used(), &data, &orgs, &options, |_| None, false).unwrap();
        prop_assert_eq!(&full.sections, &rows_only.sections);
        prop_assert!(rows_only.charts.is_empty());
        // The date every review shares: the latest period of any organisation.
        let as_of = orgs.iter().filter_map(|o| scanned_latest_end(&data, o)).max();
        let reviews: Vec<_> = orgs
            .iter()
            .map(|o| {
                let options = ReviewOptions { as_of, ..ReviewOptions::default() };
                review(&set, &used(), &data, o, &options).unwrap()
            })
            .collect();
        let mut timeframes = BTreeSet::new();
        for section in &full.sections {
            timeframes.insert(section.id);
            let mut expected = Vec::new();
            for ind in set.indicators.iter().filter(|i| i.timeframe == section.id) {
                for r in &reviews {
                    let x = r
                        .timeframes
                        .iter()
                        .flat_map(|t| &t.indicators)
                        .find(|x| x.id == *ind.id.get_ref())
                        .unwrap();
                    expected.push((x.id.clone(), r.organisation.clone(), x.latest_period.clone(), x.headline.clone()));
                }
            }
            let got: Vec<_> = section
                .rows
                .iter()
                .map(|r| (r.indicator.clone(), r.organisation.clone(), r.latest_period.clone(), r.headline.clone()))
                .collect();
            prop_assert_eq!(got, expected);
            for r in &section.rows {
                let chart = full.charts.get(&r.anchor);
                prop_assert!(chart.is_some_and(|x| x.id == r.indicator), "{}", r.anchor);
            }
        }
        prop_assert_eq!(timeframes, BTreeSet::from([Timeframe::Leading, Timeframe::Kpi]));
    }
}
