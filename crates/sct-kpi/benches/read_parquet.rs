//! Reading the same KPI data as Parquet and as CSV (issue 25: Parquet at least five times
//! faster): the benchmarks' extract (42 organisations × 60 indicators × 120 months, 302,400
//! rows, the generator of `read.rs` and of the `./bench` fixture) read into series for every
//! organisation, with every check and flag, through the one entry point `--data` uses, from
//! files in the page cache. The Parquet file is written as data platforms and pandas'
//! `to_parquet` write it: one row group, dictionary encoding, snappy; organisation, indicator
//! and period as text, the value as a double, numerator and denominator as 64-bit integers
//! (null where the CSV's are empty).

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use sct_core::source::SourceFile;
use sct_kpi::data_file::read_kpi_data_file;
use sct_kpi::kpiset::KpiSet;

#[path = "../../sct-cli/benches/fixtures.rs"]
#[allow(dead_code)] // only the KPI set and extract are used here
mod fixtures;

/// The long form's schema as pyarrow writes a table read from the CSV.
const SCHEMA: &str = "message schema {
    optional binary organisation (STRING);
    optional binary indicator (STRING);
    optional binary period (STRING);
    optional double value;
    optional int64 numerator;
    optional int64 denominator;
}";

/// Writes the CSV's rows as Parquet at `path`.
fn write_parquet(csv: &str, path: &Path) {
    let mut text: [Vec<ByteArray>; 3] = Default::default();
    let mut values = Vec::new();
    let mut ints: [(Vec<i64>, Vec<i16>); 2] = Default::default();
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        for (c, t) in text.iter_mut().enumerate() {
            t.push(ByteArray::from(f[c]));
        }
        values.push(f[3].parse::<f64>().expect("a value"));
        for (c, (v, def)) in ints.iter_mut().enumerate() {
            def.push(i16::from(!f[4 + c].is_empty()));
            if !f[4 + c].is_empty() {
                v.push(f[4 + c].parse().expect("a count"));
            }
        }
    }
    let rows = values.len();
    let all = vec![1i16; rows];
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let schema = Arc::new(parse_message_type(SCHEMA).expect("the schema parses"));
    let file = std::fs::File::create(path).expect("a temporary file");
    let mut w = SerializedFileWriter::new(file, schema, Arc::new(props)).expect("a writer");
    let mut group = w.next_row_group().expect("a row group");
    for t in &text {
        let mut c = group.next_column().expect("a column").expect("a column");
        c.typed::<ByteArrayType>()
            .write_batch(t, Some(&all), None)
            .expect("written");
        c.close().expect("closed");
    }
    let mut c = group.next_column().expect("a column").expect("a column");
    c.typed::<DoubleType>()
        .write_batch(&values, Some(&all), None)
        .expect("written");
    c.close().expect("closed");
    for (v, def) in &ints {
        let mut c = group.next_column().expect("a column").expect("a column");
        c.typed::<Int64Type>()
            .write_batch(v, Some(def), None)
            .expect("written");
        c.close().expect("closed");
    }
    group.close().expect("closed");
    w.close().expect("closed");
}

fn bench(c: &mut Criterion) {
    let set: KpiSet =
        sct_core::load::parse_toml(&SourceFile::from_text("bench-60.toml", fixtures::kpi_set()))
            .expect("the benchmark set parses");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let csv = fixtures::kpi_data();
    let csv_path = dir.path().join("kpis.csv");
    std::fs::write(&csv_path, &csv).expect("written");
    let parquet_path = dir.path().join("kpis.parquet");
    write_parquet(&csv, &parquet_path);
    let read = |path: &Path| {
        let file = std::fs::File::open(path).expect("the file opens");
        let data = read_kpi_data_file(black_box(file), "kpis", &set, None, false);
        black_box(data.expect("the extract reads"))
    };
    assert_eq!(
        read(&csv_path).series,
        read(&parquet_path).series,
        "the same series from either file"
    );
    let mut g = c.benchmark_group("read into series");
    g.bench_function("42 x 60 x 120 as CSV (302,400 rows)", |b| {
        b.iter(|| read(&csv_path))
    });
    g.bench_function("42 x 60 x 120 as Parquet (302,400 rows)", |b| {
        b.iter(|| read(&parquet_path))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
