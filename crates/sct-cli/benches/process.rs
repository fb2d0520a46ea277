//! Whole-process benchmarks of the `sct` binary, as a user runs it: start-up, loading the
//! bundled frameworks, reading the inputs and writing the output.
//!
//! - `sct score` and `sct report` on the bundled example (targets: 10 ms and 50 ms);
//! - `sct kpi review` over a synthetic extract of 42 organisations × 60 indicators × 120
//!   months (302,400 rows, about 13 MB) for one organisation (target: under 1 s);
//! - `sct plan` on the bundled example with 40 individual self-assessments (target: 50 ms).

mod fixtures;

use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};

use fixtures::{individuals, kpi_data, kpi_set, theory_of_change};

const SCT: &str = env!("CARGO_BIN_EXE_sct");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
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
    // The KPI set is the only framework in its own folder: `--framework-dir` reads every TOML
    // file under it, and the self-assessments and reports beside it are not frameworks.
    let frameworks = dir.path().join("frameworks");
    std::fs::create_dir(&frameworks).expect("create the frameworks directory");
    let set = frameworks.join("bench-60.toml");
    let data = dir.path().join("kpis-42x60x120.csv");
    std::fs::write(&set, kpi_set()).expect("write the set");
    std::fs::write(&data, kpi_data()).expect("write the data");
    let toc = dir.path().join("toc-2000.toml");
    std::fs::write(&toc, theory_of_change()).expect("write the theory of change");
    let toc = toc.display().to_string();
    let people = dir.path().join("individuals-40");
    std::fs::create_dir(&people).expect("create the individuals directory");
    for (name, text) in individuals(&root()).expect("read the example self-assessments") {
        std::fs::write(people.join(name), text).expect("write a self-assessment");
    }
    let people = people.display().to_string();
    let fw_dir = frameworks.display().to_string();
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
    let plan = out("plan.html");
    g.bench_function(
        "sct plan -o plan.html --individuals (bundled example, 40 people)",
        |b| {
            b.iter(|| {
                run(&[
                    "plan",
                    "examples/baseline-2026-03/bnssg-illustrative.toml",
                    "--individuals",
                    &people,
                    "-o",
                    &plan,
                    "--force",
                ])
            })
        },
    );
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
    g.bench_function("sct toc check (2,000 nodes, 6,000 links)", |b| {
        b.iter(|| run(&["--framework-dir", &fw_dir, "toc", "check", &toc]))
    });
    let toc_html = out("toc.html");
    g.bench_function(
        "sct toc report -o toc.html (2,000 nodes, 6,000 links)",
        |b| {
            b.iter(|| {
                run(&[
                    "--framework-dir",
                    &fw_dir,
                    "toc",
                    "report",
                    &toc,
                    "-o",
                    &toc_html,
                    "--force",
                ])
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
