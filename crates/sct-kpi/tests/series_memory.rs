//! Memory grows with what is kept: the benchmarks' extract (42 organisations × 60 indicators ×
//! 120 months, a third of them proportions with numerators and denominators) is held in at
//! most 24 bytes an observation, where a list of structs took 56.

use sct_core::source::SourceFile;
use sct_kpi::data::read_kpi_data;
use sct_kpi::kpiset::KpiSet;

#[path = "../../sct-cli/benches/fixtures.rs"]
#[allow(dead_code)] // only the KPI set and extract are used here
mod fixtures;

#[test]
fn the_benchmark_extract_is_held_in_at_most_24_bytes_an_observation() {
    let set: KpiSet =
        sct_core::load::parse_toml(&SourceFile::from_text("bench-60.toml", fixtures::kpi_set()))
            .expect("the benchmark set parses");
    let csv = fixtures::kpi_data();
    let data = read_kpi_data(csv.as_bytes(), "kpis.csv", &set, None).expect("the extract reads");
    let (observations, bytes) = data.series.values().fold((0, 0), |(n, b), s| {
        (n + s.observations.len(), b + s.observations.heap_bytes())
    });
    let per = bytes as f64 / observations as f64;
    println!("{observations} observations in {bytes} bytes: {per:.1} bytes each");
    assert!(per <= 24.0, "{per:.1} bytes an observation");
}
