//! Property tests of what lets the KPI data and reports scale: the series of one organisation
//! are a range of the map (never a scan of every series); the integrated performance report
//! built one review at a time is the report of the nested loops it replaced (by indicator in
//! the set's order, then by organisation); and a series whose duplicates are folded as it is
//! read keeps the rows and flags that sorting every row at the end kept.

mod common;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use common::{set, used};
use proptest::prelude::*;
use sct_core::SourceFile;
use sct_kpi::data::{FlagKind, KpiData, read_kpi_data};
use sct_kpi::ipr::ipr;
use sct_kpi::kpiset::{KpiSet, Timeframe};
use sct_kpi::review::{ReviewOptions, review};

/// Codes that are prefixes of each other, or sort between each other's series, so a range
/// that ran past its organisation, or stopped short, would be seen.
const ORGS: [&str; 7] = ["Q1", "Q10", "Q1A", "Q", "Q1-", "R2", "Q2"];

/// Rows of random organisations of [`ORGS`], indicators and months.
fn rows() -> impl Strategy<Value = Vec<(usize, usize, u32, u32)>> {
    common::rows(ORGS.len(), 3)
}

fn data(rows: &[(usize, usize, u32, u32)]) -> KpiData {
    read_kpi_data(common::csv(&ORGS, rows).as_bytes(), "d.csv", &set(), None).unwrap()
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
        let orgs: Vec<String> = data.organisations_with_series();
        let options = ReviewOptions::default();
        let full = ipr(&set, &used(), &data, &orgs, &options, |_| None).unwrap();
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
            // Each row's chart, made again when it is drawn, is the whole review's.
            for r in &section.rows {
                let whole = reviews
                    .iter()
                    .find(|x| x.organisation == r.organisation)
                    .and_then(|x| x.timeframes.iter().flat_map(|t| &t.indicators).find(|x| x.id == r.indicator));
                let again = full.chart(&set, &data, r);
                prop_assert_eq!(again.as_ref(), whole, "{}", &r.anchor);
            }
        }
        prop_assert_eq!(timeframes, BTreeSet::from([Timeframe::Leading, Timeframe::Kpi]));
    }

    #[test]
    fn a_series_folded_as_it_is_read_keeps_what_sorting_every_row_keeps(
        rows in proptest::collection::vec((0..3usize, 0..2usize, 0..12u32, 0..4u32), 1..600)
    ) {
        let mut csv = String::from("organisation,indicator,period,value\n");
        for &(o, i, m, v) in &rows {
            let period = format!("2024-{:02}", m + 1);
            csv.push_str(&format!("{},{},{period},{v}\n", ORGS[o], ["c", "m"][i]));
        }
        let set = set_of_months();
        let data = read_kpi_data(csv.as_bytes(), "d.csv", &set, None).unwrap();
        for (o, org) in ORGS.iter().enumerate().take(3) {
            for (i, ind) in ["c", "m"].into_iter().enumerate() {
                // The old way: every row of the series in file order (line = index + 2), sorted
                // stably by period, the last row of each period kept.
                let mut series: Vec<(u32, u64, u32)> = rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.0 == o && r.1 == i)
                    .map(|(k, r)| (r.2, k as u64 + 2, r.3))
                    .collect();
                let Some(s) = data.get(org, ind) else {
                    prop_assert!(series.is_empty());
                    continue;
                };
                series.sort_by_key(|r| r.0);
                let mut kept: Vec<(u32, u64, u32)> = Vec::new();
                let mut duplicates = Vec::new();
                for r in series {
                    match kept.last_mut() {
                        Some(last) if last.0 == r.0 => {
                            duplicates.push(format!(
                                "2024-{:02} on lines {} and {}{}",
                                r.0 + 1,
                                last.1,
                                r.1,
                                if last.2 == r.2 {
                                    " (same value)".to_string()
                                } else {
                                    format!(" ({} then {}; line {} used)", last.2, r.2, r.1)
                                }
                            ));
                            *last = r;
                        }
                        _ => kept.push(r),
                    }
                }
                let got: Vec<(u64, f64)> = s.observations.iter().map(|x| (x.line, x.value)).collect();
                let want: Vec<(u64, f64)> = kept.iter().map(|r| (r.1, f64::from(r.2))).collect();
                prop_assert_eq!(got, want);
                let flag = s.flags.iter().find(|f| f.kind == FlagKind::Duplicate);
                if duplicates.is_empty() {
                    prop_assert!(flag.is_none());
                } else {
                    let more = duplicates.len().saturating_sub(6);
                    let mut message = format!(
                        "the same period appears more than once: {}",
                        duplicates[..duplicates.len().min(6)].join("; ")
                    );
                    if more > 0 {
                        message.push_str(&format!("; and {more} more"));
                    }
                    prop_assert_eq!(flag.map(|f| f.message.as_str()), Some(message.as_str()));
                }
            }
        }
    }
}

/// Two monthly indicators with no plausible range, so only duplicates and gaps are flagged.
fn set_of_months() -> KpiSet {
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
id = "c"
title = "Count"
timeframe = "kpi"
period = "month"
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
