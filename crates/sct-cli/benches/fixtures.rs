//! Deterministic synthetic data for the scale benchmarks (no large files are checked in):
//! a KPI set of 60 monthly indicators, an extract of 42 organisations × 60 indicators ×
//! 120 months, and a theory of change of 2,000 nodes and 6,000 links. Used by `benches/process.rs` and by `examples/bench_fixtures.rs` (which the
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

/// Nodes in the generated theory of change.
pub const TOC_NODES: usize = 2000;
/// Links in it.
pub const TOC_LINKS: usize = 6000;

/// A theory of change of 2,000 nodes over the seven types and 6,000 distinct forward links
/// (to the next type, or one in five to the type after), outcome nodes measured by KPIs of
/// the benchmark set (`bench-60`).
pub fn theory_of_change() -> String {
    const TYPES: [&str; 7] = [
        "input",
        "activity",
        "output",
        "outcome-short",
        "outcome-medium",
        "outcome-long",
        "impact",
    ];
    let mut s = String::from(
        "kind = \"theory-of-change\"\nid = \"bench-toc\"\nversion = \"1\"\ntitle = \"Benchmark theory of change\"\nsource = \"synthetic\"\nstatus = \"example\"\nkpi_set = \"bench-60\"\n",
    );
    let type_of = |i: usize| i * TYPES.len() / TOC_NODES;
    let mut by_type: Vec<Vec<usize>> = vec![Vec::new(); TYPES.len()];
    for i in 0..TOC_NODES {
        let t = type_of(i);
        by_type[t].push(i);
        let _ = write!(
            s,
            "[[nodes]]\nid = \"n{i}\"\ntitle = \"Node {i}: a {} with a title long enough to wrap\"\ntype = \"{}\"\n",
            TYPES[t], TYPES[t]
        );
        if t >= 3 {
            let _ = writeln!(
                s,
                "indicators = [{{ kpi = \"ind-{:02}\", direction = \"increase\" }}]",
                i % INDICATORS
            );
        }
    }
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let mut seen = std::collections::BTreeSet::new();
    let evidence = ["none", "weak", "moderate", "strong"];
    while seen.len() < TOC_LINKS {
        let a = next(TOC_NODES);
        let t = type_of(a);
        if t + 1 >= TYPES.len() {
            continue;
        }
        let step = if next(5) == 0 && t + 2 < TYPES.len() {
            2
        } else {
            1
        };
        let targets = &by_type[t + step];
        let b = targets[next(targets.len())];
        if seen.insert((a, b)) {
            let _ = write!(
                s,
                "[[links]]\nfrom = \"n{a}\"\nto = \"n{b}\"\nassumption = \"Because\"\nevidence = \"{}\"\n",
                evidence[next(4)]
            );
        }
    }
    s
}
