//! What the property tests of reading and reporting at scale share: a KPI set of three
//! indicators (a proportion, a count, a mean) and long-form CSV of random rows for it.

use proptest::prelude::*;
use sct_core::SourceFile;
use sct_core::provenance::FrameworkUsed;
use sct_kpi::kpiset::KpiSet;

/// The set: "p" (monthly proportion with a target), "c" (quarterly count), "m" (monthly mean).
pub fn set() -> KpiSet {
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

/// The provenance of [`set`].
pub fn used() -> FrameworkUsed {
    FrameworkUsed {
        id: "t".into(),
        version: "1".into(),
        kind: "kpi-set".into(),
        sha256: "0".into(),
        file: "t.toml".into(),
    }
}

/// Rows of random organisations (indices into a list of `organisations` codes), indicators
/// (indices below `indicators`: the set's three, then ones [`csv`] writes as not in it) and
/// months (duplicates and gaps included): (organisation, indicator, month, value).
pub fn rows(
    organisations: usize,
    indicators: usize,
) -> impl Strategy<Value = Vec<(usize, usize, u32, u32)>> {
    proptest::collection::vec(
        (0..organisations, 0..indicators, 0..40u32, 1..100u32),
        1..80,
    )
}

/// The long-form CSV of `rows` for [`set`], organisations named by `codes`; indicators past
/// the set's three are written as `x3`, `x4`, …, which it does not have.
pub fn csv(codes: &[&str], rows: &[(usize, usize, u32, u32)]) -> String {
    let mut csv = String::from("organisation,indicator,period,value,numerator,denominator\n");
    for &(o, i, m, v) in rows {
        let (y, mo) = (2020 + (m + 3) / 12, (m + 3) % 12 + 1);
        let period = format!("{y}-{mo:02}");
        match i {
            0 => csv.push_str(&format!("{},p,{period},,{v},100\n", codes[o])),
            1 => csv.push_str(&format!("{},c,{period},{v},,\n", codes[o])),
            2 => csv.push_str(&format!("{},m,{period},{v}.5,,\n", codes[o])),
            _ => csv.push_str(&format!("{},x{i},{period},{v},,\n", codes[o])),
        }
    }
    csv
}
