//! Property tests of the period parser and the KPI data reader: periods round-trip through
//! their written form, and no input, however malformed, makes the reader panic.

use proptest::prelude::*;
use sct_core::SourceFile;
use sct_kpi::data::read_kpi_data;
use sct_kpi::kpiset::KpiSet;
use sct_kpi::period::{Period, PeriodType};

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
plausible = { min = 0.0, max = 100.0 }
source = { doc = "d", section = "1", quote = "q" }
[[indicators]]
id = "c"
title = "Count"
timeframe = "kpi"
period = "quarter"
value_type = "count"
improvement = "increase"
source = { doc = "d", section = "1", quote = "q" }
"#;
    sct_core::load::parse_toml(&SourceFile::from_text("t.toml", text)).unwrap()
}

fn period() -> impl Strategy<Value = Period> {
    let kind = prop_oneof![
        Just(PeriodType::Day),
        Just(PeriodType::Week),
        Just(PeriodType::Month),
        Just(PeriodType::Quarter),
        Just(PeriodType::Year),
    ];
    (kind, 0i64..40_000).prop_map(|(kind, days)| {
        let date =
            chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Duration::days(days);
        Period::containing(date, kind)
    })
}

proptest! {
    #[test]
    fn periods_round_trip_through_their_written_form(p in period()) {
        let text = p.to_string();
        prop_assert_eq!(Period::parse(&text), Ok(p));
        prop_assert!(p.start <= p.end());
        prop_assert_eq!(p.next().previous(), p);
        prop_assert_eq!(p.next().start, p.end() + chrono::Duration::days(1));
    }

    /// A week's month, quarter and financial year are those it is aggregated into, so its
    /// year to date week by week and from its months count the same weeks.
    #[test]
    fn a_weeks_month_quarter_and_year_are_those_it_is_aggregated_into(
        days in 0i64..40_000
    ) {
        let date = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Duration::days(days);
        let p = Period::containing(date, PeriodType::Week);
        prop_assert_eq!(p.month(), sct_kpi::aggregate::parent(p, PeriodType::Month));
        prop_assert_eq!(p.quarter(), sct_kpi::aggregate::parent(p, PeriodType::Quarter));
        prop_assert_eq!(p.financial_year(), sct_kpi::aggregate::parent(p, PeriodType::Year));
        prop_assert_eq!(p.month().financial_year(), p.financial_year());
        prop_assert_eq!(p.quarter().financial_year(), p.financial_year());
    }

    #[test]
    fn any_text_parses_or_names_the_accepted_forms(s in "\\PC{0,14}") {
        if let Err(e) = Period::parse(&s) {
            prop_assert!(e.contains("2025/26 Q1"));
        }
    }

    #[test]
    fn the_reader_never_panics_and_errors_are_located(
        rows in proptest::collection::vec(
            (
                prop_oneof![Just("QUY".to_string()), "[A-Z0-9]{0,4}"],
                prop_oneof![Just("p".to_string()), Just("c".to_string()), "[a-z-]{0,5}"],
                prop_oneof![
                    period().prop_map(|p| p.to_string()),
                    "\\PC{0,10}",
                ],
                prop_oneof![Just(String::new()), "-?[0-9]{1,6}(\\.[0-9]{1,3})?", "\\PC{0,6}"],
                prop_oneof![Just(String::new()), "[0-9]{1,5}"],
                prop_oneof![Just(String::new()), "[0-9]{1,5}"],
            ),
            0..30,
        )
    ) {
        let mut csv = String::from("organisation,indicator,period,value,numerator,denominator\n");
        for (o, i, p, v, n, d) in &rows {
            let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
            csv.push_str(&format!("{},{},{},{},{},{}\n", q(o), q(i), q(p), q(v), n, d));
        }
        match read_kpi_data(csv.as_bytes(), "d.csv", &set(), None) {
            Ok(data) => {
                prop_assert_eq!(data.rows_read as usize, rows.len());
                for s in data.series.values() {
                    prop_assert!(s.observations.to_vec().windows(2).all(|w| w[0].period < w[1].period));
                    prop_assert!(s.observations.iter().all(|o| o.value.is_finite()));
                }
            }
            Err(diags) => {
                prop_assert!(diags.has_errors());
                // Every error names the file, and a row's error its line (series-level errors
                // name the lines in their message).
                for d in diags.iter() {
                    let loc = d.location.as_ref();
                    prop_assert_eq!(loc.map(|l| l.file.as_str()), Some("d.csv"), "{}", d.message);
                    prop_assert!(loc.is_some_and(|l| l.line >= 2) || d.message.contains("line") || d.message.contains("more errors"), "{}", d.message);
                }
            }
        }
    }
}

proptest! {
    /// Counting the periods of a gap by arithmetic gives what stepping through it gives, so
    /// a missing-period count is exact for a gap of any length (it stopped at 10,000).
    #[test]
    fn periods_between_counts_what_stepping_would(p in period(), steps in 0u64..400) {
        let mut later = p;
        for _ in 0..steps {
            later = later.next();
        }
        prop_assert_eq!(p.periods_between(later), steps.saturating_sub(1));
        prop_assert_eq!(later.periods_between(p), 0);
    }
}
