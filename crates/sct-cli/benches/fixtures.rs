//! Deterministic synthetic data for the scale benchmarks (no large files are checked in):
//! a KPI set of 60 monthly indicators, an extract of 42 organisations × 60 indicators ×
//! 120 months, a theory of change of 2,000 nodes and 6,000 links, and 40 individual
//! self-assessments made from the bundled examples. Used by `benches/process.rs` and by `examples/bench_fixtures.rs` (which the
//! root `bench` script runs to measure peak memory).

use std::fmt::Write as _;
use std::io::Write as _;

/// Organisations in the extract.
pub const ORGS: usize = 42;
/// Indicators in the set.
pub const INDICATORS: usize = 60;
/// Months per series.
pub const MONTHS: usize = 120;

/// A KPI set of 60 indicators with monthly data: proportions (read with p′ charts), counts
/// and means (XmR) in turn; every other count is an annual outcome (the months summed into
/// 10 financial years, read with a run chart), so the review mixes all three charts.
pub fn kpi_set() -> String {
    kpi_set_of(INDICATORS)
}

/// [`kpi_set`] with `indicators` indicators (`bench-N`), the same kinds in the same turn.
pub fn kpi_set_of(indicators: usize) -> String {
    let mut s = format!(
        "kind = \"kpi-set\"\nid = \"bench-{indicators}\"\nversion = \"1\"\ntitle = \"Benchmark set\"\nsource = \"synthetic\"\nstatus = \"example\"\n[documents]\nsyn = {{ title = \"Synthetic\" }}\n",
    );
    for i in 0..indicators {
        let (vt, extra, dir) = match i % 3 {
            0 => (
                "proportion",
                "multiplier = 100\nunit = \"%\"\ntarget = 75.0\nplausible = { min = 0.0, max = 100.0 }\nchart = \"pprime\"\n",
                "increase",
            ),
            1 => ("count", "unit = \"people\"\ntarget = 1000.0\n", "increase"),
            _ => ("mean", "unit = \"minutes\"\ntarget = 30.0\n", "decrease"),
        };
        let (timeframe, period) = match i % 6 {
            4 => ("outcome", "year"),
            _ => (["leading", "kpi", "outcome"][i % 3], "month"),
        };
        let _ = write!(
            s,
            "[[indicators]]\nid = \"ind-{i:02}\"\ntitle = \"Indicator {i}\"\ntimeframe = \"{timeframe}\"\nperiod = \"{period}\"\nvalue_type = \"{vt}\"\n{extra}improvement = \"{dir}\"\nsource = {{ doc = \"syn\", section = \"1\", quote = \"q\" }}\n"
        );
    }
    s
}

/// The long-form extract: deterministic pseudo-random values around each indicator's level.
pub fn kpi_data() -> String {
    let mut out = Vec::with_capacity(14 << 20);
    write_kpi_data(&mut out, ORGS, INDICATORS, MONTHS).expect("write to memory");
    String::from_utf8(out).expect("the generator writes ASCII")
}

/// Writes [`kpi_data`]'s extract for `orgs` organisations (`Q00`, `Q01`, …, wider codes past
/// 100) × `indicators` × `months` from April 2016, streamed so any size can be generated.
pub fn write_kpi_data(
    out: &mut impl std::io::Write,
    orgs: usize,
    indicators: usize,
    months: usize,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let width = orgs.saturating_sub(1).to_string().len().max(2);
    out.write_all(b"organisation,indicator,period,value,numerator,denominator\n")?;
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    for o in 0..orgs {
        for i in 0..indicators {
            for m in 0..months {
                let (y, mo) = (2016 + (3 + m) / 12, (3 + m) % 12 + 1);
                match i % 3 {
                    0 => {
                        let den = 40_000 + (next() * 4000.0) as u64;
                        let num = (den as f64 * (0.7 + 0.05 * next())) as u64;
                        writeln!(
                            out,
                            "Q{o:0width$},ind-{i:02},{y}-{mo:02},{:.1},{num},{den}",
                            100.0 * num as f64 / den as f64
                        )
                    }
                    1 => writeln!(
                        out,
                        "Q{o:0width$},ind-{i:02},{y}-{mo:02},{},,",
                        900 + (next() * 200.0) as u64
                    ),
                    _ => writeln!(
                        out,
                        "Q{o:0width$},ind-{i:02},{y}-{mo:02},{:.1},,",
                        25.0 + 10.0 * next()
                    ),
                }?;
            }
        }
    }
    out.flush()
}

/// Writes one series of `rows` rows (organisation `Q00`, the monthly count `ind-01` of
/// [`kpi_set`]): the 120 months from April 2016 over and over, as an extract resubmitted many
/// times would give, so the series kept is 120 points whatever the number of rows read.
// Used by examples/bench_fixtures.rs only; this module is compiled into the bench too.
#[allow(dead_code)]
pub fn write_one_series(out: &mut impl std::io::Write, rows: usize) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"organisation,indicator,period,value,numerator,denominator\n")?;
    for r in 0..rows {
        let m = r % MONTHS;
        let (y, mo) = (2016 + (3 + m) / 12, (3 + m) % 12 + 1);
        writeln!(out, "Q00,ind-01,{y}-{mo:02},{},,", 900 + (r * 7919) % 200)?;
    }
    out.flush()
}

/// Writes one `sct kpi spc` series of `points` points (`date,value`): daily dates from
/// 1 January 2000 and values drawn from N(100, 10) (Box-Muller over a fixed xorshift stream)
/// rounded to 2 decimal places, the input the peer timings of one XmR series used.
// Used by examples/bench_fixtures.rs only; this module is compiled into the bench too.
#[allow(dead_code)]
pub fn write_spc_series(out: &mut impl std::io::Write, points: usize) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"date,value\n")?;
    let mut x: u64 = 0x853C_49E6_748F_EA9B;
    let mut uniform = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // In (0, 1]: the logarithm below never sees zero.
        ((x >> 11) + 1) as f64 / (1u64 << 53) as f64
    };
    let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date");
    for date in start.iter_days().take(points) {
        let (u, v) = (uniform(), uniform());
        let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
        writeln!(out, "{},{:.2}", date.format("%Y-%m-%d"), 100.0 + 10.0 * z)?;
    }
    out.flush()
}

/// Writes a proportion funnel's input (`org,numerator,denominator`) for `orgs` organisations
/// with deterministic pseudo-random denominators from 100 to about 10,000.
// Used by examples/bench_fixtures.rs only; this module is compiled into the bench too.
#[allow(dead_code)]
pub fn write_funnel(out: &mut impl std::io::Write, orgs: usize) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"org,numerator,denominator\n")?;
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for o in 0..orgs {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let den = 100 + x % 10_000;
        let num = den * (60 + (x >> 20) % 30) / 100;
        writeln!(out, "ORG{o:07},{num},{den}")?;
    }
    out.flush()
}

/// Writes an indirectly standardised ratio funnel's input (`org,observed,expected`) for
/// `orgs` organisations: expected counts from 10.0 to about 1,010 (one decimal, as a
/// standardised expectation is published) and observed counts from 0.8 to 1.2 times them, so
/// the ratios spread beyond chance and the over-dispersion estimate is not zero.
// Used by examples/bench_fixtures.rs only; this module is compiled into the bench too.
#[allow(dead_code)]
pub fn write_ratio_funnel(out: &mut impl std::io::Write, orgs: usize) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"org,observed,expected\n")?;
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for o in 0..orgs {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let tenths = 100 + x % 10_000;
        let observed = tenths * (80 + (x >> 20) % 41) / 1000;
        writeln!(out, "ORG{o:07},{observed},{}.{}", tenths / 10, tenths % 10)?;
    }
    out.flush()
}

/// Nodes in the generated theory of change.
pub const TOC_NODES: usize = 2000;
/// Links in it.
pub const TOC_LINKS: usize = 6000;

/// A theory of change of 2,000 nodes over the seven types and 6,000 distinct forward links
/// (to the next type, or one in five to the type after), outcome nodes measured by KPIs of
/// the benchmark set (`bench-60`).
pub fn theory_of_change() -> String {
    theory_of_change_of(TOC_NODES, TOC_LINKS)
}

/// [`theory_of_change`] with `nodes` nodes and `links` distinct links (at most what the
/// forward links between the types allow).
pub fn theory_of_change_of(nodes: usize, links: usize) -> String {
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
    let type_of = |i: usize| i * TYPES.len() / nodes;
    let mut by_type: Vec<Vec<usize>> = vec![Vec::new(); TYPES.len()];
    for i in 0..nodes {
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
    while seen.len() < links {
        let a = next(nodes);
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

/// People in the generated individuals directory.
pub const PEOPLE: usize = 40;

/// `PEOPLE` individual self-assessments of the bundled example's organisation, made from the
/// example self-assessments in `examples/individuals/bnssg` (under `root`): each a copy with its
/// own pseudonymous id, one of four role groups in turn, and (for every third person) one level
/// raised, so the figures vary. Returns (file name, text) pairs.
pub fn individuals(root: &std::path::Path) -> std::io::Result<Vec<(String, String)>> {
    let dir = root.join("examples/individuals/bnssg");
    let mut names: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    names.sort();
    let sources = names
        .iter()
        .map(std::fs::read_to_string)
        .collect::<std::io::Result<Vec<_>>>()?;
    if sources.is_empty() {
        return Err(std::io::Error::other("no example self-assessments"));
    }
    let groups = [
        "Commissioning managers",
        "Analysts and intelligence",
        "Clinical leaders",
        "Contracting and finance",
    ];
    Ok((0..PEOPLE)
        .map(|i| {
            let src = &sources[i % sources.len()];
            let mut text = String::with_capacity(src.len());
            for line in src.lines() {
                if line.starts_with("id = \"QUY-") {
                    let _ = write!(text, "id = \"QUY-B{i:02}\"");
                } else if line.starts_with("role_group = ") {
                    let _ = write!(text, "role_group = \"{}\"", groups[i % groups.len()]);
                } else {
                    text.push_str(line);
                }
                text.push('\n');
            }
            if i % 3 == 0 {
                text = text.replacen("level = \"developing\"", "level = \"embedding\"", 1);
            }
            (format!("person-{i:02}.toml"), text)
        })
        .collect())
}
