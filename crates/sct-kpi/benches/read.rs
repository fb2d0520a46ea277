//! Reading the long-form KPI CSV (target: 300 MB a second or more): the extract of the
//! benchmarks (42 organisations × 60 indicators × 120 months, 302,400 rows, made by the same
//! deterministic generator as the `./bench` fixture `kpis-42x60x120.csv`, which pandas reads
//! beside it) read into series for every organisation, with every check and flag, from
//! memory, so the figure is the parsing and not the disk.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sct_core::source::SourceFile;
use sct_kpi::data::read_kpi_data;
use sct_kpi::kpiset::KpiSet;

#[path = "../../sct-cli/benches/fixtures.rs"]
#[allow(dead_code)] // only the KPI set and extract are used here
mod fixtures;

fn bench(c: &mut Criterion) {
    let set: KpiSet =
        sct_core::load::parse_toml(&SourceFile::from_text("bench-60.toml", fixtures::kpi_set()))
            .expect("the benchmark set parses");
    let csv = fixtures::kpi_data();
    let mut g = c.benchmark_group("read");
    g.throughput(Throughput::Bytes(csv.len() as u64));
    g.bench_function("long-form KPI CSV, 42 x 60 x 120 (302,400 rows)", |b| {
        b.iter(|| {
            let data = read_kpi_data(black_box(csv.as_bytes()), "kpis.csv", &set, None);
            black_box(data.expect("the extract reads"))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
