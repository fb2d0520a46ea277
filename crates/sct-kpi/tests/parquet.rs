//! KPI data as Parquet: the same data written as CSV and as Parquet (by the parquet crate's
//! own writer, into a temporary directory, with the compressions data platforms use) read to
//! the same series, flags, errors and warnings; a file told to be Parquet by its magic bytes,
//! not its name; and a missing column, a column of the wrong type or a damaged file refused
//! with an error naming the file and the column, never a panic.
#![cfg(feature = "parquet")]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, Encoding, GzipLevel, ZstdLevel};
use parquet::data_type::{
    ByteArrayType, DataType, DoubleType, FixedLenByteArrayType, Int32Type, Int64Type, Int96,
    Int96Type,
};
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use parquet::schema::parser::parse_message_type;
use sct_core::SourceFile;
use sct_kpi::data::KpiData;
use sct_kpi::data_file::read_kpi_data_file;
use sct_kpi::kpiset::KpiSet;

fn set() -> KpiSet {
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
"#;
    sct_core::load::parse_toml(&SourceFile::from_text("t.toml", text)).unwrap()
}

/// One column's values, `None` for a null.
enum Col {
    Text(Vec<Option<String>>),
    Double(Vec<Option<f64>>),
    Int64(Vec<Option<i64>>),
    Int32(Vec<Option<i32>>),
    /// Bytes of a BYTE_ARRAY column that is not text (a decimal's).
    Binary(Vec<Option<Vec<u8>>>),
    /// Bytes of a FIXED_LEN_BYTE_ARRAY column.
    Fixed(Vec<Option<Vec<u8>>>),
    Int96(Vec<Option<Int96>>),
}

impl Col {
    /// A copy of the column from row `from` on.
    fn rows_from(&self, from: usize) -> Col {
        match self {
            Col::Text(v) => Col::Text(v[from..].to_vec()),
            Col::Double(v) => Col::Double(v[from..].to_vec()),
            Col::Int64(v) => Col::Int64(v[from..].to_vec()),
            Col::Int32(v) => Col::Int32(v[from..].to_vec()),
            Col::Binary(v) => Col::Binary(v[from..].to_vec()),
            Col::Fixed(v) => Col::Fixed(v[from..].to_vec()),
            Col::Int96(v) => Col::Int96(v[from..].to_vec()),
        }
    }
}

/// Writes `columns` under `schema` (one row group per `group` rows) with `compression`.
fn write(path: &Path, schema: &str, columns: &[Col], compression: Compression, group: usize) {
    let props = WriterProperties::builder()
        .set_compression(compression)
        .build();
    write_with(path, schema, columns, props, group);
}

/// Writes `columns` under `schema` (one row group per `group` rows) with the writer's
/// properties `props`.
fn write_with(path: &Path, schema: &str, columns: &[Col], props: WriterProperties, group: usize) {
    let schema = Arc::new(parse_message_type(schema).unwrap());
    let props = Arc::new(props);
    let file = std::fs::File::create(path).unwrap();
    let mut writer = SerializedFileWriter::new(file, schema, props).unwrap();
    let rows = match &columns[0] {
        Col::Text(v) => v.len(),
        Col::Double(v) => v.len(),
        Col::Int64(v) => v.len(),
        Col::Int32(v) => v.len(),
        Col::Binary(v) | Col::Fixed(v) => v.len(),
        Col::Int96(v) => v.len(),
    };
    for start in (0..rows).step_by(group) {
        let end = (start + group).min(rows);
        let mut rg = writer.next_row_group().unwrap();
        for col in columns {
            let mut w = rg.next_column().unwrap().unwrap();
            let rows = start..end;
            match col {
                Col::Text(v) => put::<ByteArrayType, _>(&mut w, &v[rows], |s| s.as_str().into()),
                Col::Double(v) => put::<DoubleType, _>(&mut w, &v[rows], |&x| x),
                Col::Int64(v) => put::<Int64Type, _>(&mut w, &v[rows], |&x| x),
                Col::Int32(v) => put::<Int32Type, _>(&mut w, &v[rows], |&x| x),
                Col::Binary(v) => put::<ByteArrayType, _>(&mut w, &v[rows], |b| b.clone().into()),
                Col::Fixed(v) => {
                    put::<FixedLenByteArrayType, _>(&mut w, &v[rows], |b| b.clone().into())
                }
                Col::Int96(v) => put::<Int96Type, _>(&mut w, &v[rows], |&x| x),
            }
            w.close().unwrap();
        }
        rg.close().unwrap();
    }
    writer.close().unwrap();
}

/// Writes the values of `cells` (a null for `None`), each made the column's type by `value`.
fn put<T: DataType, V>(
    w: &mut SerializedColumnWriter<'_>,
    cells: &[Option<V>],
    value: impl Fn(&V) -> T::T,
) {
    let values: Vec<T::T> = cells.iter().flatten().map(value).collect();
    let def: Vec<i16> = cells.iter().map(|c| i16::from(c.is_some())).collect();
    w.typed::<T>()
        .write_batch(&values, Some(&def), None)
        .unwrap();
}

/// The long form's schema: every column optional (as exports usually write them).
const SCHEMA: &str = "message kpis {
    optional binary organisation (UTF8);
    optional binary indicator (UTF8);
    optional binary period (UTF8);
    optional double value;
    optional int64 numerator;
    optional int64 denominator;
    optional binary note (UTF8);
}";

/// A small extract with what the reading flags: a duplicate, a value that does not match its
/// numerator and denominator, an indicator not in the set, an empty value, and months summed
/// into quarters; as CSV text and as Parquet columns.
fn extract() -> (String, Vec<Col>) {
    let mut rows: Vec<[Option<String>; 6]> = Vec::new();
    let s = |v: &str| (!v.is_empty()).then(|| v.to_string());
    for org in ["A", "B", "C"] {
        for m in 1..=12 {
            let (num, den) = (40 + (m * 7) % 20, 100);
            let value = if org == "B" && m == 5 {
                "12.5".to_string()
            } else {
                format!("{}", f64::from(num) * 100.0 / f64::from(den))
            };
            rows.push([
                s(org),
                s("p"),
                s(&format!("2024-{m:02}")),
                s(&value),
                s(&num.to_string()),
                s(&den.to_string()),
            ]);
            rows.push([
                s(org),
                s("c"),
                s(&format!("2024-{m:02}")),
                s(&(900 + m * 3).to_string()),
                None,
                None,
            ]);
        }
        rows.push([s(org), s("zz"), s("2024-01"), s("1.25"), None, None]);
    }
    rows.push([s("A"), s("c"), s("2024-03"), s("911"), None, None]);
    rows.push([s("C"), s("p"), s("2025-01"), None, s("5"), s("10")]);
    let mut csv = String::from("organisation,indicator,period,value,numerator,denominator,note\n");
    for r in &rows {
        let fields: Vec<&str> = r.iter().map(|f| f.as_deref().unwrap_or("")).collect();
        csv.push_str(&fields.join(","));
        csv.push_str(",x\n");
    }
    let text = |i: usize| Col::Text(rows.iter().map(|r| r[i].clone()).collect());
    let int = |i: usize| {
        Col::Int64(
            rows.iter()
                .map(|r| r[i].as_ref().map(|v| v.parse().unwrap()))
                .collect(),
        )
    };
    let cols = vec![
        text(0),
        text(1),
        text(2),
        Col::Double(
            rows.iter()
                .map(|r| r[3].as_ref().map(|v| v.parse().unwrap()))
                .collect(),
        ),
        int(4),
        int(5),
        Col::Text(rows.iter().map(|_| Some("x".to_string())).collect()),
    ];
    (csv, cols)
}

/// Reads a file through the format-sniffing entry point.
fn read(path: &Path, keep: Option<&BTreeSet<String>>) -> Result<KpiData, String> {
    let file = std::fs::File::open(path).unwrap();
    read_kpi_data_file(file, "kpis", &set(), keep, false).map_err(|d| {
        d.0.iter()
            .map(|d| {
                format!(
                    "{} [expected: {}]",
                    d.message,
                    d.expected.clone().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The data without its source (whose checksum is the file's own).
fn without_source(mut d: KpiData) -> KpiData {
    d.source = None;
    d
}

#[test]
fn parquet_reads_to_what_the_same_csv_reads_with_every_compression() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, cols) = extract();
    let csv_path = dir.path().join("kpis.csv");
    std::fs::write(&csv_path, &csv).unwrap();
    let from_csv = read(&csv_path, None).unwrap();
    assert!(
        !from_csv.warnings.is_empty(),
        "the extract has an unknown indicator"
    );
    let compressions = [
        Compression::UNCOMPRESSED,
        Compression::SNAPPY,
        Compression::ZSTD(ZstdLevel::default()),
        Compression::GZIP(GzipLevel::default()),
    ];
    for (i, compression) in compressions.into_iter().enumerate() {
        // Row groups of 10 rows: series and batches cross their boundaries.
        let path = dir.path().join(format!("kpis-{i}.parquet"));
        write(&path, SCHEMA, &cols, compression, 10);
        let from_parquet = read(&path, None).unwrap();
        assert_eq!(
            without_source(from_parquet.clone()),
            without_source(from_csv.clone()),
            "{compression:?}"
        );
        let bytes = std::fs::read(&path).unwrap();
        let sha = format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(&bytes));
        assert_eq!(from_parquet.source.unwrap().sha256, sha);
    }
    let keep: BTreeSet<String> = ["B".to_string()].into();
    let path = dir.path().join("kpis-1.parquet");
    assert_eq!(
        without_source(read(&path, Some(&keep)).unwrap()),
        without_source(read(&csv_path, Some(&keep)).unwrap())
    );
}

/// The encodings of the text columns' chunks in a file, over its row groups.
fn text_encodings(path: &Path) -> BTreeSet<Encoding> {
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut found = BTreeSet::new();
    for g in reader.metadata().row_groups() {
        for c in 0..3 {
            found.extend(g.column(c).encodings());
        }
    }
    found
}

#[test]
fn text_written_plain_or_falling_back_to_plain_reads_as_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, cols) = extract();
    let csv_path = dir.path().join("kpis.csv");
    std::fs::write(&csv_path, &csv).unwrap();
    let keep: BTreeSet<String> = ["B".to_string()].into();
    let builder = || WriterProperties::builder().set_compression(Compression::SNAPPY);
    let cases = [
        // No dictionary: every page plain.
        (
            "plain",
            builder().set_dictionary_enabled(false).build(),
            1000,
        ),
        // A dictionary of a few dozen bytes: the writer falls back to plain pages part-way
        // through a column chunk (as pyarrow does when a dictionary grows large), in pages
        // of a few rows, in one row group and in several.
        (
            "fallback",
            builder()
                .set_dictionary_page_size_limit(40)
                .set_data_page_row_count_limit(8)
                .set_write_batch_size(8)
                .build(),
            1000,
        ),
        (
            "fallback, groups",
            builder()
                .set_dictionary_page_size_limit(40)
                .set_data_page_row_count_limit(8)
                .set_write_batch_size(8)
                .build(),
            30,
        ),
        // Version 2 data pages, with a dictionary and without (the writer then encodes text
        // as deltas, which the crate's own reader reads).
        (
            "v2",
            builder()
                .set_writer_version(WriterVersion::PARQUET_2_0)
                .build(),
            25,
        ),
        (
            "v2 plain",
            builder()
                .set_writer_version(WriterVersion::PARQUET_2_0)
                .set_dictionary_enabled(false)
                .build(),
            1000,
        ),
    ];
    for (name, props, group) in cases {
        let path = dir.path().join(format!("{name}.parquet"));
        write_with(&path, SCHEMA, &cols, props, group);
        let encodings = text_encodings(&path);
        match name {
            "plain" => assert!(
                !encodings.contains(&Encoding::RLE_DICTIONARY),
                "{encodings:?}"
            ),
            "fallback" | "fallback, groups" => assert!(
                encodings.contains(&Encoding::RLE_DICTIONARY)
                    && encodings.contains(&Encoding::PLAIN),
                "{name}: {encodings:?}"
            ),
            _ => {}
        }
        for keep in [None, Some(&keep)] {
            assert_eq!(
                without_source(read(&path, keep).unwrap()),
                without_source(read(&csv_path, keep).unwrap()),
                "{name}"
            );
        }
    }
}

#[test]
fn parquet_is_told_by_its_magic_bytes_not_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, cols) = extract();
    let parquet_named_csv = dir.path().join("export.csv");
    write(&parquet_named_csv, SCHEMA, &cols, Compression::SNAPPY, 1000);
    let csv_named_parquet = dir.path().join("export.parquet");
    std::fs::write(&csv_named_parquet, &csv).unwrap();
    assert_eq!(
        without_source(read(&parquet_named_csv, None).unwrap()),
        without_source(read(&csv_named_parquet, None).unwrap())
    );
}

#[test]
fn row_errors_name_the_same_lines_as_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, cols) = extract();
    let csv = csv.replacen("2024-07", "July", 1);
    let Col::Text(mut periods) = cols.into_iter().nth(2).unwrap() else {
        unreachable!()
    };
    let first = periods
        .iter()
        .position(|p| p.as_deref() == Some("2024-07"))
        .unwrap();
    periods[first] = Some("July".to_string());
    let (_, mut cols) = extract();
    cols[2] = Col::Text(periods);
    let csv_path = dir.path().join("bad.csv");
    std::fs::write(&csv_path, csv).unwrap();
    let parquet_path = dir.path().join("bad.parquet");
    write(&parquet_path, SCHEMA, &cols, Compression::SNAPPY, 7);
    let from_csv = read(&csv_path, None).unwrap_err();
    assert!(from_csv.contains("\"July\" is not a period"), "{from_csv}");
    assert_eq!(read(&parquet_path, None).unwrap_err(), from_csv);
}

#[test]
fn a_missing_column_is_named_with_the_columns_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("few.parquet");
    let schema = "message kpis { required binary org (UTF8); required binary indicator (UTF8); required binary period (UTF8); }";
    let text = |v: &str| Col::Text(vec![Some(v.to_string())]);
    write(
        &path,
        schema,
        &[text("A"), text("p"), text("2024-01")],
        Compression::SNAPPY,
        10,
    );
    let e = read(&path, None).unwrap_err();
    assert!(
        e.contains("kpis has no columns organisation, value (it has: org, indicator, period)"),
        "{e}"
    );
    assert!(
        e.contains("[expected: columns organisation, indicator, period and value"),
        "{e}"
    );
}

/// The columns of one row (organisation `A`, indicator `p`, period `2024-01`), its value
/// `value`.
fn one_row_with_value(value: Col) -> Vec<Col> {
    vec![
        Col::Text(vec![Some("A".into())]),
        Col::Text(vec![Some("p".into())]),
        Col::Text(vec![Some("2024-01".into())]),
        value,
    ]
}

#[test]
fn a_column_of_the_wrong_type_names_what_was_found_and_expected() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "message k { required int64 organisation; required binary indicator (UTF8); required binary period (UTF8); required double value; }",
            vec![
                Col::Int64(vec![Some(1)]),
                Col::Text(vec![Some("p".into())]),
                Col::Text(vec![Some("2024-01".into())]),
                Col::Double(vec![Some(1.0)]),
            ],
            "column `organisation` is INT64, but organisation must be text (a UTF-8 byte array)",
        ),
        (
            "message k { required binary organisation (UTF8); required binary indicator (UTF8); required binary period (UTF8); required int32 value (DATE); }",
            one_row_with_value(Col::Int32(vec![Some(1)])),
            "column `value` is INT32 (Date), but value must be a number",
        ),
        (
            "message k { required binary organisation (UTF8); required binary indicator (UTF8); required double period; required double value; }",
            vec![
                Col::Text(vec![Some("A".into())]),
                Col::Text(vec![Some("p".into())]),
                Col::Double(vec![Some(2024.0)]),
                Col::Double(vec![Some(1.0)]),
            ],
            "column `period` is DOUBLE, but period must be text (as 2024-04, 2024-Q1, …), a date, or a timestamp at midnight",
        ),
        (
            "message k { required binary organisation (UTF8); required binary indicator (UTF8); required binary period (UTF8); required fixed_len_byte_array(17) value (DECIMAL(40,2)); }",
            one_row_with_value(Col::Fixed(vec![Some(vec![0; 17])])),
            "column `value` is FIXED_LEN_BYTE_ARRAY (decimal of 40 digits, 2 places), but value must be a number (double, float, decimal of up to 38 digits, or a 32- or 64-bit integer) or text",
        ),
        (
            "message k { required binary organisation (UTF8); required binary indicator (UTF8); required binary period (UTF8); required int64 value (TIMESTAMP(MILLIS,true)); }",
            one_row_with_value(Col::Int64(vec![Some(0)])),
            "column `value` is INT64 (Timestamp",
        ),
    ];
    for (i, (schema, cols, want)) in cases.into_iter().enumerate() {
        let path = dir.path().join(format!("wrong-{i}.parquet"));
        write(&path, schema, &cols, Compression::SNAPPY, 10);
        let e = read(&path, None).unwrap_err();
        assert!(e.starts_with(&format!("kpis: {want}")), "{e}");
    }
}

#[test]
fn a_date_period_reads_as_its_day() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dates.parquet");
    let schema = "message k { required binary organisation (UTF8); required binary indicator (UTF8); required int32 period (DATE); required int32 value; }";
    // 19814 days after 1970-01-01 is 2024-04-01.
    let cols = [
        Col::Text(vec![Some("A".into()), Some("A".into())]),
        Col::Text(vec![Some("c".into()), Some("c".into())]),
        Col::Int32(vec![Some(19814), Some(19814 + 30)]),
        Col::Int32(vec![Some(5), Some(7)]),
    ];
    write(&path, schema, &cols, Compression::SNAPPY, 10);
    let csv_path = dir.path().join("dates.csv");
    std::fs::write(
        &csv_path,
        "organisation,indicator,period,value\nA,c,2024-04-01,5\nA,c,2024-05-01,7\n",
    )
    .unwrap();
    assert_eq!(
        without_source(read(&path, None).unwrap()),
        without_source(read(&csv_path, None).unwrap())
    );
}

#[test]
fn a_damaged_file_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (_, cols) = extract();
    let path = dir.path().join("whole.parquet");
    write(&path, SCHEMA, &cols, Compression::SNAPPY, 10);
    let bytes = std::fs::read(&path).unwrap();
    let damaged = [
        b"PAR1".to_vec(),
        b"PAR1 not really PAR1".to_vec(),
        bytes[..bytes.len() / 2].to_vec(),
    ];
    for (i, d) in damaged.iter().enumerate() {
        let p = dir.path().join(format!("damaged-{i}.parquet"));
        std::fs::write(&p, d).unwrap();
        let e = read(&p, None).unwrap_err();
        assert!(
            e.starts_with("kpis is not a readable Parquet file"),
            "{i}: {e}"
        );
    }
    // Bytes of the data pages and the footer flipped, one at a time, or a piece cut out:
    // an error or data, never a panic.
    let cut = [&bytes[..bytes.len() / 3], &bytes[bytes.len() / 2..]].concat();
    let p = dir.path().join("cut.parquet");
    std::fs::write(&p, &cut).unwrap();
    let _ = read(&p, None);
    for at in (4..bytes.len() - 8).step_by(13) {
        let mut d = bytes.clone();
        d[at] ^= 0x5a;
        let p = dir.path().join("flipped.parquet");
        std::fs::write(&p, &d).unwrap();
        let _ = read(&p, None);
    }
}

#[test]
fn typed_numbers_that_cannot_be_used_give_the_csv_errors() {
    let dir = tempfile::tempdir().unwrap();
    let schema = "message k { required binary organisation (UTF8); required binary indicator (UTF8); required binary period (UTF8); optional double value; optional int64 numerator; optional int64 denominator; }";
    // A value that is not a number, one beyond ±1e15, a count too large to be a number sct
    // takes, and a value with more decimal places than its fraction needs (a mismatch).
    let values = [Some(f64::NAN), Some(1e300), None, Some(66.6), Some(-0.0)];
    let numerators = [None, None, Some(i64::MAX), Some(2), None];
    let denominators = [None, None, Some(3), Some(3), None];
    let periods = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"];
    let csv_of = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
    let int_of = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut csv = String::from("organisation,indicator,period,value,numerator,denominator\n");
    for k in 0..values.len() {
        csv.push_str(&format!(
            "A,p,{},{},{},{}\n",
            periods[k],
            csv_of(values[k]),
            int_of(numerators[k]),
            int_of(denominators[k])
        ));
    }
    let cols = vec![
        Col::Text(vec![Some("A".into()); 5]),
        Col::Text(vec![Some("p".into()); 5]),
        Col::Text(periods.iter().map(|p| Some(p.to_string())).collect()),
        Col::Double(values.to_vec()),
        Col::Int64(numerators.to_vec()),
        Col::Int64(denominators.to_vec()),
    ];
    let parquet_path = dir.path().join("bad.parquet");
    write(&parquet_path, schema, &cols, Compression::SNAPPY, 3);
    let csv_path = dir.path().join("bad.csv");
    std::fs::write(&csv_path, csv).unwrap();
    let from_csv = read(&csv_path, None).unwrap_err();
    assert!(from_csv.contains("\"NaN\" is not a number"), "{from_csv}");
    assert!(from_csv.contains("is beyond ±1e15"), "{from_csv}");
    assert_eq!(read(&parquet_path, None).unwrap_err(), from_csv);
    // Without the rows in error: the same series and flags (a value that does not match).
    let keep_good = |csv: &str| -> String {
        csv.lines()
            .enumerate()
            .filter(|(i, _)| *i == 0 || *i >= 4)
            .map(|(_, l)| format!("{l}\n"))
            .collect()
    };
    std::fs::write(
        &csv_path,
        keep_good(&std::fs::read_to_string(&csv_path).unwrap()),
    )
    .unwrap();
    let good = |c: &Col| c.rows_from(3);
    write(
        &parquet_path,
        schema,
        &cols.iter().map(good).collect::<Vec<_>>(),
        Compression::SNAPPY,
        3,
    );
    let from_csv = read(&csv_path, None).unwrap();
    assert!(
        from_csv.series.values().any(|s| !s.flags.is_empty()),
        "the value does not match its fraction"
    );
    assert_eq!(
        without_source(read(&parquet_path, None).unwrap()),
        without_source(from_csv)
    );
}

/// A large extract, series after series (organisations `O0`…, the set's indicators and one
/// not in it), with odd rows among the plain ones drawn from `seed`: duplicates, gaps,
/// values that do not match their fractions, numerators above denominators, values with
/// many places; and with `errors`, rows in error too (no value, a negative value, a zero
/// denominator, a period that is not one, a quarter or a day among months, NaN, a value
/// beyond ±1e15).
/// As CSV text and as Parquet columns (organisation, indicator, period, value, numerator,
/// denominator).
fn hostile(orgs: usize, months: usize, errors: bool, seed: u64) -> (String, Vec<Col>) {
    as_csv_and_columns(&hostile_rows(orgs, months, errors, seed))
}

/// A row of an extract: organisation, indicator, period, value, numerator, denominator.
type ExtractRow = (
    String,
    String,
    String,
    Option<f64>,
    Option<i64>,
    Option<i64>,
);

/// The rows of [`hostile`].
fn hostile_rows(orgs: usize, months: usize, errors: bool, seed: u64) -> Vec<ExtractRow> {
    let mut x = seed | 1;
    let mut next = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let mut rows: Vec<ExtractRow> = Vec::new();
    for o in 0..orgs {
        for ind in ["p", "c", "zz"] {
            for m in 0..months {
                let period = format!("{}-{:02}", 2015 + m / 12, m % 12 + 1);
                let (mut value, mut num, mut den) = match ind {
                    "p" => {
                        let den = 1000 + next(500) as i64;
                        let num = den / 2 + next(400) as i64;
                        let v = (num as f64 * 1000.0 / den as f64).round() / 10.0;
                        (Some(v), Some(num), Some(den))
                    }
                    _ => (Some(900.0 + next(200) as f64), None, None),
                };
                let mut period = period;
                match next(400) {
                    0 => continue, // a gap
                    1 => value = value.map(|v| v + 5.0),
                    2 => value = Some(f64::from(next(100_000) as u32) / 1000.0),
                    3 if num.is_some() => num = den.map(|d| d + 3),
                    4 => {
                        let earlier = rows.last().cloned();
                        if let Some(r) = earlier.filter(|r| r.1 == ind) {
                            rows.push(r);
                        }
                    }
                    5 if errors => value = None,
                    6 if errors => value = Some(-1.0),
                    7 if errors && den.is_some() => den = Some(0),
                    8 if errors => period = "bad".to_string(),
                    9 if errors => period = "2024-Q1".to_string(),
                    10 if errors => value = Some(f64::NAN),
                    11 if errors => value = Some(1e300),
                    12 if errors || num.is_some() => value = None,
                    // Periods of another type (a series must keep to one).
                    13 if errors => period = "2024/25 Q1".to_string(),
                    14 if errors => period = format!("{}-{:02}-05", 2015 + m / 12, m % 12 + 1),
                    _ => {}
                }
                if errors && value.is_none() && next(2) == 0 {
                    (num, den) = (None, None);
                }
                rows.push((format!("O{o}"), ind.to_string(), period, value, num, den));
            }
        }
    }
    rows
}

/// Rows as CSV text and as Parquet columns (organisation, indicator, period, value,
/// numerator, denominator).
fn as_csv_and_columns(rows: &[ExtractRow]) -> (String, Vec<Col>) {
    let mut csv = String::from("organisation,indicator,period,value,numerator,denominator\n");
    let opt = |v: Option<String>| v.unwrap_or_default();
    for r in rows {
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            r.0,
            r.1,
            r.2,
            opt(r.3.map(|v| format!("{v}"))),
            opt(r.4.map(|v| v.to_string())),
            opt(r.5.map(|v| v.to_string()))
        ));
    }
    let cols = vec![
        Col::Text(rows.iter().map(|r| Some(r.0.clone())).collect()),
        Col::Text(rows.iter().map(|r| Some(r.1.clone())).collect()),
        Col::Text(rows.iter().map(|r| Some(r.2.clone())).collect()),
        Col::Double(rows.iter().map(|r| r.3).collect()),
        Col::Int64(rows.iter().map(|r| r.4).collect()),
        Col::Int64(rows.iter().map(|r| r.5).collect()),
    ];
    (csv, cols)
}

/// Reads a file as [`read`] does, with `--skip-invalid` or not, errors and all.
fn read_with(path: &Path, keep: Option<&BTreeSet<String>>, skip: bool) -> Result<KpiData, String> {
    let file = std::fs::File::open(path).unwrap();
    read_kpi_data_file(file, "kpis", &set(), keep, skip)
        .map(without_source)
        .map_err(|d| format!("{d:?}"))
}

#[test]
fn series_met_again_and_codes_written_two_ways_read_from_parquet_as_from_csv() {
    // Rows out of series order (each series met again and again, so its place is gone back
    // to by its text ids), some organisation codes with spaces around them (two texts, one
    // series), with and without rows in error.
    let dir = tempfile::tempdir().unwrap();
    for (case, errors) in [(0u64, false), (1, true)] {
        let mut rows = hostile_rows(9, 320, errors, 0xD1CE + case);
        // Deal the rows out in chunks of 7 from the two ends, and pad every fifth chunk's codes.
        let mut dealt = Vec::with_capacity(rows.len());
        let mut chunk = 0;
        while !rows.is_empty() {
            let take = rows.len().min(7);
            let mut part: Vec<ExtractRow> = match chunk % 2 {
                0 => rows.drain(..take).collect(),
                _ => rows.drain(rows.len() - take..).collect(),
            };
            if chunk % 5 == 0 {
                part.iter_mut().for_each(|r| r.0 = format!(" {} ", r.0));
            }
            dealt.extend(part);
            chunk += 1;
        }
        let (csv, cols) = as_csv_and_columns(&dealt);
        let csv_path = dir.path().join(format!("dealt-{case}.csv"));
        std::fs::write(&csv_path, &csv).unwrap();
        for group in [100_000, 5_000] {
            let path = dir.path().join(format!("dealt-{case}-{group}.parquet"));
            write(&path, SCHEMA_SIX, &cols, Compression::SNAPPY, group);
            for skip in [false, true] {
                let from_csv = read_with(&csv_path, None, skip);
                if !errors {
                    let data = from_csv.as_ref().expect("no rows in error");
                    assert_eq!(
                        data.series.len(),
                        9 * 2,
                        "each series once, whatever its rows' order"
                    );
                }
                assert_eq!(
                    read_with(&path, None, skip),
                    from_csv,
                    "case {case}, groups of {group}"
                );
            }
        }
    }
}

#[test]
fn large_odd_extracts_read_from_parquet_as_from_csv_whatever_the_row_groups() {
    // Row groups of many batches (whose numbers are decoded on a second core), of a little
    // more than one, and of fewer rows than a batch; dictionary and plain; with rows in
    // error and without; every organisation, one, and with `--skip-invalid`.
    let schema = SCHEMA_SIX;
    let dir = tempfile::tempdir().unwrap();
    let keep: BTreeSet<String> = ["O3".to_string()].into();
    for (case, errors) in [(0u64, false), (1, true), (2, false)] {
        let (csv, cols) = hostile(12, 130 + case as usize * 170, errors, 0x5EED + case);
        let csv_path = dir.path().join(format!("odd-{case}.csv"));
        std::fs::write(&csv_path, &csv).unwrap();
        for (g, group) in [100_000, 9_000, 3_000].into_iter().enumerate() {
            for dictionary in [true, false] {
                let props = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_dictionary_enabled(dictionary)
                    .build();
                let path = dir
                    .path()
                    .join(format!("odd-{case}-{g}-{dictionary}.parquet"));
                write_with(&path, schema, &cols, props, group);
                for skip in [false, true] {
                    for keep in [None, Some(&keep)] {
                        let from_csv = read_with(&csv_path, keep, skip);
                        assert_eq!(
                            read_with(&path, keep, skip),
                            from_csv,
                            "case {case}, groups of {group}, dictionary {dictionary}, skip {skip}, keep {keep:?}"
                        );
                        if !errors && keep.is_none() {
                            let data = from_csv.expect("no rows in error");
                            assert!(data.series.values().any(|s| !s.flags.is_empty()));
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn pages_passed_by_unread_for_one_organisation_leave_its_rows_as_the_csv_gives_them() {
    // Pages of a few hundred rows, far fewer than a batch: the rows of the organisations not
    // kept span many whole pages of every other column, which are passed by unread, and the
    // page boundaries fall inside batches and inside the kept organisation's rows. Version 1
    // and 2 pages, dictionary and plain, with nulls and rows in error, in one row group and
    // in several; one organisation kept (first, middle, last) and every one.
    let dir = tempfile::tempdir().unwrap();
    let (csv, cols) = hostile(9, 400, true, 0xFA6E);
    let csv_path = dir.path().join("pages.csv");
    std::fs::write(&csv_path, &csv).unwrap();
    let versions = [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0];
    for (v, version) in versions.into_iter().enumerate() {
        for dictionary in [true, false] {
            for (rows_a_page, group) in [(300, 100_000), (257, 4_000)] {
                let props = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_writer_version(version)
                    .set_dictionary_enabled(dictionary)
                    .set_data_page_row_count_limit(rows_a_page)
                    .set_write_batch_size(rows_a_page)
                    .build();
                let path = dir
                    .path()
                    .join(format!("pages-{v}-{dictionary}-{rows_a_page}.parquet"));
                write_with(&path, SCHEMA_SIX, &cols, props, group);
                for org in ["O0", "O4", "O8", "O9"] {
                    let keep: BTreeSet<String> = [org.to_string()].into();
                    for skip in [false, true] {
                        let from_csv = read_with(&csv_path, Some(&keep), skip);
                        assert_eq!(
                            read_with(&path, Some(&keep), skip),
                            from_csv,
                            "version {v}, dictionary {dictionary}, pages of {rows_a_page}, {org}"
                        );
                    }
                }
                assert_eq!(
                    read_with(&path, None, true),
                    read_with(&csv_path, None, true),
                    "version {v}, dictionary {dictionary}, pages of {rows_a_page}, every one"
                );
            }
        }
    }
}

#[test]
fn a_damaged_large_file_is_an_error_not_a_panic() {
    // One row group of many batches, whose numbers are decoded on a second core: a damaged
    // page there is reported as the file being unreadable too (or read as data).
    let dir = tempfile::tempdir().unwrap();
    let (_, cols) = hostile(8, 200, false, 0xDA11);
    let path = dir.path().join("large.parquet");
    write(&path, SCHEMA_SIX, &cols, Compression::SNAPPY, 100_000);
    let bytes = std::fs::read(&path).unwrap();
    for at in (4..bytes.len() - 8).step_by(bytes.len() / 97) {
        let mut d = bytes.clone();
        d[at] ^= 0x5a;
        let p = dir.path().join("flipped.parquet");
        std::fs::write(&p, &d).unwrap();
        if let Err(e) = read(&p, None) {
            assert!(!e.is_empty());
        }
    }
}

#[test]
fn large_extracts_with_their_numbers_as_text_read_from_parquet_as_from_csv() {
    // Numbers written as text, as some exports write decimals; more rows than a batch, in
    // one row group, so that the columns are decoded on a second core while the rows are
    // read (a second core or not, the reading must not depend on the numbers' type).
    let dir = tempfile::tempdir().unwrap();
    for (case, errors) in [(0u64, false), (1, true)] {
        let rows = hostile_rows(30, 130, errors, 0x7E57 + case);
        let (csv, _) = as_csv_and_columns(&rows);
        let csv_path = dir.path().join(format!("text-{case}.csv"));
        std::fs::write(&csv_path, &csv).unwrap();
        let text = |f: &dyn Fn(&ExtractRow) -> Option<String>| -> Col {
            Col::Text(rows.iter().map(f).collect())
        };
        let cols = vec![
            text(&|r| Some(r.0.clone())),
            text(&|r| Some(r.1.clone())),
            text(&|r| Some(r.2.clone())),
            text(&|r| r.3.map(|v| format!("{v}"))),
            text(&|r| r.4.map(|v| v.to_string())),
            text(&|r| r.5.map(|v| v.to_string())),
        ];
        for dictionary in [true, false] {
            let props = WriterProperties::builder()
                .set_dictionary_enabled(dictionary)
                .build();
            let path = dir.path().join(format!("text-{case}-{dictionary}.parquet"));
            write_with(&path, SCHEMA_TEXT, &cols, props, 100_000);
            assert_eq!(
                read_with(&path, None, false),
                read_with(&csv_path, None, false),
                "case {case}, dictionary {dictionary}"
            );
        }
    }
}

/// The long form's six columns, every one as text.
const SCHEMA_TEXT: &str = "message kpis {
    optional binary organisation (UTF8);
    optional binary indicator (UTF8);
    optional binary period (UTF8);
    optional binary value (UTF8);
    optional binary numerator (UTF8);
    optional binary denominator (UTF8);
}";

/// The long form's six columns, the numbers as a double and two integers.
const SCHEMA_SIX: &str = "message kpis {
    optional binary organisation (UTF8);
    optional binary indicator (UTF8);
    optional binary period (UTF8);
    optional double value;
    optional int64 numerator;
    optional int64 denominator;
}";

/// `v` as a decimal of `scale` places, as a SQL platform's export holds it: its digits as
/// an integer, and its text as the same column written as CSV has it (`12.50` at scale
/// 2); `None` for a value no decimal of 18 digits holds (NaN, 1e300).
fn as_decimal(v: f64, scale: u32) -> Option<(i128, String)> {
    let unscaled = (v * 10f64.powi(scale as i32)).round();
    if !unscaled.is_finite() || unscaled.abs() >= 1e17 {
        return None;
    }
    let unscaled = unscaled as i128;
    let (whole, part) = (
        unscaled.abs() / 10i128.pow(scale),
        unscaled.abs() % 10i128.pow(scale),
    );
    let sign = if unscaled < 0 { "-" } else { "" };
    let text = match scale {
        0 => format!("{sign}{whole}"),
        _ => format!("{sign}{whole}.{part:0width$}", width = scale as usize),
    };
    Some((unscaled, text))
}

/// The fewest big-endian two's-complement bytes that hold `v`, as a BYTE_ARRAY decimal is
/// written.
fn fewest_bytes(v: i128) -> Vec<u8> {
    let b = v.to_be_bytes();
    let mut i = 0;
    // A leading byte is redundant when it only repeats the sign of the byte after it.
    while i < 15 && ((b[i] == 0 && b[i + 1] < 0x80) || (b[i] == 0xff && b[i + 1] >= 0x80)) {
        i += 1;
    }
    b[i..].to_vec()
}

#[test]
fn large_extracts_with_decimal_numbers_read_from_parquet_as_the_csv_of_their_digits() {
    // Decimals as SQL platforms export them, in two layouts: every number a decimal, each
    // held its own way (the value as INT64 with 3 places, the numerator as 9 fixed bytes
    // with none, the denominator as bytes of any length with 2: `1234.00`, whose places the
    // reading counts as the CSV's); and only the value a decimal (INT32, 1 place) beside
    // integer counts, so that a reading taking rows straight from their integers would meet
    // it. More rows than a batch, in one row group, so that the columns are decoded on a
    // second core while the rows are read; for every organisation, for one, and skipping
    // rows in error.
    let dir = tempfile::tempdir().unwrap();
    let layouts = [
        (
            "optional int64 value (DECIMAL(18,3));
            optional fixed_len_byte_array(9) numerator (DECIMAL(20,0));
            optional binary denominator (DECIMAL(38,2));",
            [3, 0, 2],
        ),
        (
            "optional int32 value (DECIMAL(9,1));
            optional int64 numerator;
            optional int64 denominator;",
            [1, 0, 0],
        ),
    ];
    for (layout, (numbers, scales)) in layouts.into_iter().enumerate() {
        let schema = format!(
            "message kpis {{ optional binary organisation (UTF8); optional binary indicator (UTF8);
            optional binary period (UTF8); {numbers} }}"
        );
        for (case, errors) in [(0u64, false), (1, true)] {
            let rows = hostile_rows(30, 130, errors, 0xDEC1 + case);
            let decimals: Vec<[Option<(i128, String)>; 3]> = rows
                .iter()
                .map(|r| {
                    [r.3, r.4.map(|v| v as f64), r.5.map(|v| v as f64)]
                        .into_iter()
                        .zip(scales)
                        .map(|(v, scale)| v.and_then(|v| as_decimal(v, scale)))
                        .collect::<Vec<_>>()
                        .try_into()
                        .unwrap()
                })
                .collect();
            let mut csv =
                String::from("organisation,indicator,period,value,numerator,denominator\n");
            for (r, d) in rows.iter().zip(&decimals) {
                let [v, n, dn] = d.clone().map(|x| x.map(|(_, t)| t).unwrap_or_default());
                csv.push_str(&format!("{},{},{},{v},{n},{dn}\n", r.0, r.1, r.2));
            }
            let csv_path = dir.path().join(format!("decimal-{layout}-{case}.csv"));
            std::fs::write(&csv_path, &csv).unwrap();
            let text = |c: usize| -> Col {
                Col::Text(
                    rows.iter()
                        .map(|r| Some([&r.0, &r.1, &r.2][c].clone()))
                        .collect(),
                )
            };
            let digits = |c: usize| decimals.iter().map(move |d| d[c].as_ref().map(|x| x.0));
            let numbers = match layout {
                0 => [
                    Col::Int64(digits(0).map(|v| v.map(|v| v as i64)).collect()),
                    Col::Fixed(
                        digits(1)
                            .map(|v| v.map(|v| v.to_be_bytes()[7..].to_vec()))
                            .collect(),
                    ),
                    Col::Binary(digits(2).map(|v| v.map(fewest_bytes)).collect()),
                ],
                _ => [
                    Col::Int32(digits(0).map(|v| v.map(|v| v as i32)).collect()),
                    Col::Int64(digits(1).map(|v| v.map(|v| v as i64)).collect()),
                    Col::Int64(digits(2).map(|v| v.map(|v| v as i64)).collect()),
                ],
            };
            let cols: Vec<Col> = [text(0), text(1), text(2)]
                .into_iter()
                .chain(numbers)
                .collect();
            let one: BTreeSet<String> = ["O7".to_string()].into();
            for dictionary in [true, false] {
                let props = WriterProperties::builder()
                    .set_dictionary_enabled(dictionary)
                    .build();
                let path = dir
                    .path()
                    .join(format!("decimal-{layout}-{case}-{dictionary}.parquet"));
                write_with(&path, &schema, &cols, props, 100_000);
                for (keep, skip) in [(None, false), (Some(&one), false), (None, true)] {
                    assert_eq!(
                        read_with(&path, keep, skip),
                        read_with(&csv_path, keep, skip),
                        "layout {layout}, case {case}, dictionary {dictionary}, {keep:?}, \
                         skipping {skip}"
                    );
                }
            }
        }
    }
}

#[test]
fn timestamp_periods_at_midnight_read_as_their_days_in_every_unit() {
    // Months' first days as timestamps (what a SQL export of a month column often holds),
    // in each unit the format has and as Spark's INT96, read as the CSV's dates.
    let dir = tempfile::tempdir().unwrap();
    let rows = hostile_rows(12, 40, false, 0x715);
    let first_day = |p: &str| chrono::NaiveDate::parse_from_str(&format!("{p}-01"), "%Y-%m-%d");
    let days: Vec<i64> = rows
        .iter()
        .map(|r| {
            let since =
                first_day(&r.2).unwrap() - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
            since.num_days()
        })
        .collect();
    let dated: Vec<ExtractRow> = rows
        .iter()
        .map(|r| {
            (
                r.0.clone(),
                r.1.clone(),
                format!("{}-01", r.2),
                r.3,
                r.4,
                r.5,
            )
        })
        .collect();
    let (csv, cols) = as_csv_and_columns(&dated);
    let csv_path = dir.path().join("dated.csv");
    std::fs::write(&csv_path, &csv).unwrap();
    let from_csv = read_with(&csv_path, None, false);
    let int96 = |d: i64| {
        let mut v = Int96::new();
        v.set_data(0, 0, (d + 2_440_588) as u32);
        v
    };
    let cases: [(&str, Col); 5] = [
        (
            "int64 period (TIMESTAMP(MILLIS,true))",
            Col::Int64(days.iter().map(|d| Some(d * 86_400_000)).collect()),
        ),
        (
            "int64 period (TIMESTAMP(MICROS,false))",
            Col::Int64(days.iter().map(|d| Some(d * 86_400_000_000)).collect()),
        ),
        (
            "int64 period (TIMESTAMP(NANOS,true))",
            Col::Int64(days.iter().map(|d| Some(d * 86_400_000_000_000)).collect()),
        ),
        (
            "int64 period (TIMESTAMP_MILLIS)",
            Col::Int64(days.iter().map(|d| Some(d * 86_400_000)).collect()),
        ),
        (
            "int96 period",
            Col::Int96(days.iter().map(|&d| Some(int96(d))).collect()),
        ),
    ];
    for (i, (period, col)) in cases.into_iter().enumerate() {
        let schema = SCHEMA_SIX.replace("binary period (UTF8)", period);
        let mut cols: Vec<Col> = cols.iter().map(|c| c.rows_from(0)).collect();
        cols[2] = col;
        let path = dir.path().join(format!("stamped-{i}.parquet"));
        write(&path, &schema, &cols, Compression::SNAPPY, 5_000);
        assert_eq!(read_with(&path, None, false), from_csv, "{period}");
    }
}

#[test]
fn a_timestamp_not_at_midnight_is_the_csvs_error_for_its_date_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let schema = "message k { required binary organisation (UTF8); required binary indicator (UTF8); required int64 period (TIMESTAMP(MILLIS,false)); required int32 value; }";
    // 2024-04-01 10:30, and 2024-05-01 at midnight.
    let cols = [
        Col::Text(vec![Some("A".into()), Some("A".into())]),
        Col::Text(vec![Some("c".into()), Some("c".into())]),
        Col::Int64(vec![
            Some(19_814 * 86_400_000 + 37_800_000),
            Some((19_814 + 30) * 86_400_000),
        ]),
        Col::Int32(vec![Some(5), Some(7)]),
    ];
    let path = dir.path().join("timed.parquet");
    write(&path, schema, &cols, Compression::SNAPPY, 10);
    let csv_path = dir.path().join("timed.csv");
    std::fs::write(
        &csv_path,
        "organisation,indicator,period,value,numerator,denominator\nA,c,2024-04-01 10:30:00,5,,\nA,c,2024-05-01,7,,\n",
    )
    .unwrap();
    let e = read_with(&path, None, false).unwrap_err();
    assert!(
        e.contains(r#"`period` \"2024-04-01 10:30:00\" is not a period"#),
        "{e}"
    );
    assert_eq!(Err(e), read_with(&csv_path, None, false));
}
