//! Deterministic synthetic data for the scale benchmarks (no large files are checked in):
//! a KPI set of 60 monthly indicators and an extract of 42 organisations × 60 indicators ×
//! 120 months. Used by `benches/process.rs` and by `examples/bench_fixtures.rs` (which the
//! root `bench` script runs to measure peak memory).

use std::fmt::Write as _;

/// Organisations in the extract.
pub const ORGS: usize = 42;
/// Indicators in the set.
pub const INDICATORS: usize = 60;
/// Months per series.
pub const MONTHS: usize = 120;

/// A KPI set of 60 monthly indicators: proportions, counts and means in turn.
pub fn kpi_set() -> String {
    let mut s = String::from(
        "kind = \"kpi-set\"\nid = \"bench-60\"\nversion = \"1\"\ntitle = \"Benchmark set\"\nsource = \"synthetic\"\nstatus = \"example\"\n[documents]\nsyn = { title = \"Synthetic\" }\n",
    );
    for i in 0..INDICATORS {
        let (vt, extra, dir) = match i % 3 {
            0 => (
                "proportion",
                "multiplier = 100\nunit = \"%\"\ntarget = 75.0\nplausible = { min = 0.0, max = 100.0 }\n",
                "increase",
            ),
            1 => ("count", "unit = \"people\"\ntarget = 1000.0\n", "increase"),
            _ => ("mean", "unit = \"minutes\"\ntarget = 30.0\n", "decrease"),
        };
        let timeframe = ["leading", "kpi", "outcome"][i % 3];
        let _ = write!(
            s,
            "[[indicators]]\nid = \"ind-{i:02}\"\ntitle = \"Indicator {i}\"\ntimeframe = \"{timeframe}\"\nperiod = \"month\"\nvalue_type = \"{vt}\"\n{extra}improvement = \"{dir}\"\nsource = {{ doc = \"syn\", section = \"1\", quote = \"q\" }}\n"
        );
    }
    s
}

/// The long-form extract: deterministic pseudo-random values around each indicator's level.
pub fn kpi_data() -> String {
    let mut s = String::with_capacity(14 << 20);
    s.push_str("organisation,indicator,period,value,numerator,denominator\n");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    for o in 0..ORGS {
        for i in 0..INDICATORS {
            for m in 0..MONTHS {
                let (y, mo) = (2016 + (3 + m) / 12, (3 + m) % 12 + 1);
                let _ = match i % 3 {
                    0 => {
                        let den = 40_000 + (next() * 4000.0) as u64;
                        let num = (den as f64 * (0.7 + 0.05 * next())) as u64;
                        writeln!(
                            s,
                            "Q{o:02},ind-{i:02},{y}-{mo:02},{:.1},{num},{den}",
                            100.0 * num as f64 / den as f64
                        )
                    }
                    1 => writeln!(
                        s,
                        "Q{o:02},ind-{i:02},{y}-{mo:02},{},,",
                        900 + (next() * 200.0) as u64
                    ),
                    _ => writeln!(
                        s,
                        "Q{o:02},ind-{i:02},{y}-{mo:02},{:.1},,",
                        25.0 + 10.0 * next()
                    ),
                };
            }
        }
    }
    s
}
