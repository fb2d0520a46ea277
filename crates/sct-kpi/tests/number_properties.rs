//! Whatever numbers a KPI data file or funnel holds, `sct` either computes with them right or
//! refuses them at their line: no NaN or infinity reaches a series or a funnel, where it was
//! shown as a value of inf, as no target, or as "not significant" for every organisation.

use proptest::prelude::*;
use sct_core::SourceFile;
use sct_kpi::funnel::{ProportionInput, proportions};

/// The largest magnitude sct takes (`sct_kpi::number::MAX_MAGNITUDE`).
const MAX_MAGNITUDE: f64 = 1e15;

/// Numbers of every size and sign, as a file could hold them.
fn any_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0f64..1e6,
        -1e6f64..0.0,
        1e14f64..1e16,
        1e300f64..f64::MAX,
        1e-320f64..1e-300,
        Just(0.0),
    ]
}

/// Counts of every size, as a funnel's file could hold them.
fn any_count() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0f64..1e6,
        1e14f64..1e16,
        1e307f64..f64::MAX,
        1e-320f64..1e-300,
    ]
}

fn set() -> sct_kpi::kpiset::KpiSet {
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
timeframe = "kpi"
period = "quarter"
value_type = "proportion"
multiplier = 100
improvement = "increase"
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

proptest! {
    /// Monthly rows aggregated to quarters (sums of numerators, denominators and counts):
    /// every value of every series is finite and within ±1e15, or the file is refused with
    /// every error at a row's line.
    #[test]
    fn kpi_data_gives_finite_values_or_a_located_refusal(
        rows in proptest::collection::vec((any_number(), any_number(), any_number()), 1..12)
    ) {
        let mut text = String::from("organisation,indicator,period,value,numerator,denominator\n");
        for (i, (v, n, d)) in rows.iter().enumerate() {
            let month = 4 + i as u32 % 9;
            text.push_str(&format!("A,p,2024-{month:02},,{n:e},{d:e}\nA,c,2024-{month:02},{v:e},,\n"));
        }
        let lines = 1 + 2 * rows.len();
        match sct_kpi::data::read_kpi_data(text.as_bytes(), "d.csv", &set(), None) {
            Ok(data) => {
                for s in data.series.values() {
                    for o in &s.observations {
                        prop_assert!(o.value.is_finite() && o.value.abs() <= MAX_MAGNITUDE * 12.0, "{o:?}");
                    }
                }
            }
            Err(diags) => {
                for d in diags.0.iter().filter(|d| d.is_error()) {
                    let line = d.location.as_ref().map_or(0, |l| l.line);
                    prop_assert!((2..=lines).contains(&line), "{d:?}");
                }
            }
        }
    }

    /// A proportion funnel of any counts either has a finite pooled proportion and finite
    /// limits for every organisation, or refuses the organisation whose counts it cannot use.
    #[test]
    fn a_proportion_funnel_is_finite_or_refuses_an_organisation(
        rows in proptest::collection::vec((any_count(), any_count()), 1..30)
    ) {
        let input: Vec<ProportionInput> = rows
            .iter()
            .enumerate()
            .map(|(i, &(a, b))| ProportionInput {
                org: format!("O{i}"),
                numerator: a.min(b),
                denominator: a.max(b),
            })
            .collect();
        match proportions(&input, 100.0) {
            Ok(f) => {
                prop_assert!(f.pooled.is_finite());
                for r in &f.rows {
                    for v in [r.value, r.baseline, r.lower_95, r.upper_95, r.lower_998, r.upper_998] {
                        prop_assert!(v.is_finite(), "{r:?}");
                    }
                }
            }
            Err(e) => prop_assert!(matches!(e, sct_kpi::funnel::FunnelError::BadRow { .. }), "{e}"),
        }
    }
}
