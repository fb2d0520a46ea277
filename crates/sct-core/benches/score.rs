//! Benchmarks for the foundation's figures: one assessment loaded, validated and scored
//! in-process (target under 1 ms), and loading the bundled frameworks.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use sct_core::{Sct, SourceFile};

fn example() -> SourceFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/baseline-2026-03/bnssg-illustrative.toml");
    SourceFile::read(&path).expect("the bundled example exists")
}

fn bench(c: &mut Criterion) {
    let sct = Sct::bundled().expect("bundled frameworks");
    let src = example();
    c.bench_function(
        "assessment: parse + validate + score (frameworks loaded)",
        |b| {
            b.iter(|| {
                sct.score_source(black_box(&src), Default::default(), None)
                    .expect("valid")
            })
        },
    );
    c.bench_function("frameworks: load and check the bundled set", |b| {
        b.iter(|| Sct::bundled().expect("bundled frameworks"))
    });
    c.bench_function(
        "assessment: everything from cold (load frameworks, then score)",
        |b| {
            b.iter(|| {
                let sct = Sct::bundled().expect("bundled frameworks");
                sct.score_source(black_box(&src), Default::default(), None)
                    .expect("valid")
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
