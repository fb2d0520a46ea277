//! Whole-process benchmarks of the `sct` binary, as a user runs it: start-up, loading the
//! bundled frameworks, reading the inputs and writing the output.
//!
//! - `sct score` and `sct report` on the bundled example (targets: 10 ms and 50 ms);
//! - `sct kpi review` over a synthetic extract of 42 organisations × 60 indicators × 120
//!   months (302,400 rows, about 13 MB) for one organisation (target: under 1 s).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};

const SCT: &str = env!("CARGO_BIN_EXE_sct");
const ORGS: usize = 42;
const INDICATORS: usize = 60;
const MONTHS: usize = 120;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A KPI set of 60 monthly indicators: proportions, counts and means in turn.
fn kpi_set() -> String {
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
fn kpi_data() -> String {
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

fn run(args: &[&str]) {
    let out = Command::new(SCT)
        .args(args)
        .current_dir(root())
        .output()
        .expect("run sct");
    assert!(
        out.status.success(),
        "sct {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let set = dir.path().join("bench-60.toml");
    let data = dir.path().join("kpis-42x60x120.csv");
    std::fs::write(&set, kpi_set()).expect("write the set");
    std::fs::write(&data, kpi_data()).expect("write the data");
    let (set, data) = (set.display().to_string(), data.display().to_string());
    let out = |name: &str| dir.path().join(name).display().to_string();

    let mut g = c.benchmark_group("whole process");
    g.sample_size(20);
    g.bench_function("sct score (bundled example)", |b| {
        b.iter(|| run(&["score", "examples/baseline-2026-03/bnssg-illustrative.toml"]))
    });
    let html = out("report.html");
    g.bench_function("sct report -o report.html (bundled example)", |b| {
        b.iter(|| {
            run(&[
                "report",
                "examples/baseline-2026-03/bnssg-illustrative.toml",
                "-o",
                &html,
                "--force",
            ])
        })
    });
    let review = out("review.html");
    g.sample_size(10);
    g.bench_function(
        "sct kpi review -o review.html (42 orgs x 60 indicators x 120 months)",
        |b| {
            b.iter(|| {
                run(&[
                    "kpi", "review", "--set", &set, "--data", &data, "--org", "Q17", "-o", &review,
                    "--force",
                ])
            })
        },
    );
    let json = out("review.json");
    g.bench_function(
        "sct kpi review -o review.json (42 orgs x 60 indicators x 120 months)",
        |b| {
            b.iter(|| {
                run(&[
                    "kpi", "review", "--set", &set, "--data", &data, "--org", "Q17", "-o", &json,
                    "--force",
                ])
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
