//! End-to-end tests of KPI data as Parquet: the bundled BNSSG example written as Parquet (by
//! the parquet crate's writer, into a temporary directory) gives the review the CSV gives;
//! a file of the wrong column type or a damaged file exits with status 2 and a message naming
//! the file and the column, never a panic.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{root, sct};
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use predicates::prelude::*;
use predicates::str::contains;

const DATA: &str = "examples/kpi/bnssg-kpis.csv";

/// Writes the long-form CSV at `csv` as Parquet at `out`: text columns as text, the numbers
/// as doubles (empty as null), `value` as `value_type` (`double`, `binary` for text,
/// `decimal` for a decimal of two places as INT64, or `boolean`, which the long form never
/// holds).
fn to_parquet(csv: &Path, out: &Path, value_type: &str) {
    let text = std::fs::read_to_string(csv).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let value_type = match value_type {
        "decimal" => "int64 value (DECIMAL(12,2))",
        "binary" => "binary value",
        "boolean" => "boolean value",
        _ => "double value",
    };
    let schema = format!(
        "message kpis {{ required binary organisation (UTF8); required binary indicator (UTF8);
         required binary period (UTF8); optional {value_type}; optional double numerator;
         optional double denominator; }}"
    );
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let file = std::fs::File::create(out).unwrap();
    let mut writer = SerializedFileWriter::new(
        file,
        Arc::new(parse_message_type(&schema).unwrap()),
        Arc::new(props),
    )
    .unwrap();
    let mut group = writer.next_row_group().unwrap();
    for c in 0..6 {
        let mut col = group.next_column().unwrap().unwrap();
        let fields: Vec<&str> = rows
            .iter()
            .map(|r| r.get(c).copied().unwrap_or(""))
            .collect();
        let def: Vec<i16> = fields.iter().map(|f| i16::from(!f.is_empty())).collect();
        if c < 3 || (c == 3 && value_type == "binary value") {
            let values: Vec<ByteArray> = fields
                .iter()
                .filter(|f| !f.is_empty())
                .map(|f| ByteArray::from(*f))
                .collect();
            let def = (c == 3).then_some(def.as_slice());
            col.typed::<ByteArrayType>()
                .write_batch(&values, def, None)
                .unwrap();
        } else if c == 3 && value_type.starts_with("int64") {
            let values: Vec<i64> = fields
                .iter()
                .filter(|f| !f.is_empty())
                .map(|f| (f.parse::<f64>().unwrap() * 100.0).round() as i64)
                .collect();
            col.typed::<Int64Type>()
                .write_batch(&values, Some(&def), None)
                .unwrap();
        } else if c == 3 && value_type == "boolean value" {
            let values: Vec<bool> = fields
                .iter()
                .filter(|f| !f.is_empty())
                .map(|f| *f != "0")
                .collect();
            col.typed::<BoolType>()
                .write_batch(&values, Some(&def), None)
                .unwrap();
        } else {
            let values: Vec<f64> = fields
                .iter()
                .filter(|f| !f.is_empty())
                .map(|f| f.parse().unwrap())
                .collect();
            col.typed::<DoubleType>()
                .write_batch(&values, Some(&def), None)
                .unwrap();
        }
        col.close().unwrap();
    }
    group.close().unwrap();
    writer.close().unwrap();
}

/// The review's JSON without the data file's name and checksum.
fn review_json(data: &Path, dir: &Path, name: &str) -> serde_json::Value {
    let out: PathBuf = dir.join(name);
    sct()
        .args([
            "kpi",
            "review",
            "--org",
            "QUY",
            "--as-of",
            "2025-06-30",
            "--data",
        ])
        .arg(data)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    strip_source(&mut v);
    v
}

/// Removes every `sha256`, `file` and `data_file` field, which differ between the two files.
fn strip_source(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("sha256");
            m.remove("file");
            m.remove("data_file");
            m.values_mut().for_each(strip_source);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_source),
        _ => {}
    }
}

#[test]
fn the_example_as_parquet_reviews_as_the_csv_does() {
    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("bnssg-kpis.parquet");
    to_parquet(&root().join(DATA), &parquet, "double");
    let from_csv = review_json(&root().join(DATA), dir.path(), "csv.json");
    assert_eq!(review_json(&parquet, dir.path(), "parquet.json"), from_csv);
}

#[test]
fn a_column_of_the_wrong_type_exits_2_naming_the_file_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("wrong.parquet");
    to_parquet(&root().join(DATA), &parquet, "boolean");
    sct()
        .args(["kpi", "review", "--org", "QUY", "--data"])
        .arg(&parquet)
        .assert()
        .code(2)
        .stderr(contains(
            "wrong.parquet: column `value` is BOOLEAN, but value must be a number",
        ))
        .stderr(contains("panicked").not());
}

#[test]
fn a_damaged_parquet_file_exits_2_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("kpis.csv");
    std::fs::write(&parquet, b"PAR1 this is not a Parquet file at all PAR1").unwrap();
    sct()
        .args(["kpi", "ipr", "--orgs", "all", "--data"])
        .arg(&parquet)
        .assert()
        .code(2)
        .stderr(contains("kpis.csv is not a readable Parquet file"));
}

/// `sct kpi ipr --orgs all` of `data` to `out`, with its standard error.
fn ipr_all(data: &Path, out: &Path) -> String {
    let done = sct()
        .args(["kpi", "ipr", "--orgs", "all", "--data"])
        .arg(data)
        .arg("-o")
        .arg(out)
        .assert()
        .success();
    String::from_utf8_lossy(&done.get_output().stderr).into_owned()
}

/// The example's rows for each of `orgs` in turn (its organisation's code replaced), as CSV
/// with its header; each organisation followed by a row of an indicator not in the set when
/// `unknown`.
fn organisations(orgs: &[&str], unknown: bool) -> String {
    let example = std::fs::read_to_string(root().join(DATA)).unwrap();
    let (header, rows) = example.split_once('\n').unwrap();
    let mut csv = format!("{header}\n");
    for org in orgs {
        for row in rows.lines() {
            csv.push_str(&row.replacen("QUY", org, 1));
            csv.push('\n');
        }
        if unknown {
            csv.push_str(&format!("{org},not-in-the-set,2024-04,1,,\n"));
        }
    }
    csv
}

/// Every organisation's report from Parquet (read a batch of organisations at a time when
/// sorted by organisation, else as a whole) is the CSV's, byte for byte, with the same
/// warning of rows of an indicator not in the set.
#[test]
fn every_organisations_report_from_parquet_sorted_or_not_is_the_csvs() {
    let dir = tempfile::tempdir().unwrap();
    // Four organisations, sorted, each with a row of an indicator not in the set.
    let sorted = organisations(&["QOX", "QSL", "QUY", "QVV"], true);
    let header = sorted.lines().next().unwrap_or_default();
    let csv = dir.path().join("sorted.csv");
    std::fs::write(&csv, &sorted).unwrap();
    let from_csv = dir.path().join("from-csv.csv");
    let csv_warnings = ipr_all(&csv, &from_csv);
    assert!(
        csv_warnings.contains("4 rows for indicator \"not-in-the-set\""),
        "{csv_warnings}"
    );
    let expected = std::fs::read(&from_csv).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&expected)
            .lines()
            .filter(|l| l.contains(",ae-4-hour,"))
            .count(),
        4
    );
    // The same rows as Parquet, sorted, then with the organisations in reverse order.
    let mut unsorted: Vec<&str> = sorted.lines().skip(1).collect();
    unsorted.sort_by_key(|l| std::cmp::Reverse(l.split(',').next().unwrap_or("")));
    let reversed = dir.path().join("reversed.csv");
    std::fs::write(&reversed, format!("{header}\n{}\n", unsorted.join("\n"))).unwrap();
    for (name, from) in [("sorted", &csv), ("reversed", &reversed)] {
        let parquet = dir.path().join(format!("{name}.parquet"));
        to_parquet(from, &parquet, "double");
        let out = dir.path().join(format!("{name}-from-parquet.csv"));
        let out_csv = dir.path().join(format!("{name}-from-csv.csv"));
        let warnings = warnings_of(&ipr_all(&parquet, &out));
        assert_eq!(std::fs::read(&out).unwrap(), expected, "{name}");
        // The warnings name the first row of the indicator, in the file's order.
        let csv_warnings = warnings_of(&ipr_all(from, &out_csv));
        assert_eq!(std::fs::read(&out_csv).unwrap(), expected, "{name}");
        assert_eq!(warnings, csv_warnings, "{name}");
    }
}

/// The warning lines of a run's standard error.
fn warnings_of(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .map(str::to_string)
        .collect()
}

/// A report of every organisation as CSV never replaces its data, CSV or Parquet, sorted (read
/// a batch at a time), even with `--force`: exit 2, the file as it was.
#[test]
fn every_organisations_report_never_replaces_its_data_even_forced() {
    let dir = tempfile::tempdir().unwrap();
    let sorted = organisations(&["QOX", "QUY"], false);
    let csv = dir.path().join("d.csv");
    std::fs::write(&csv, &sorted).unwrap();
    let parquet = dir.path().join("d.parquet");
    to_parquet(&csv, &parquet, "double");
    for data in [&csv, &parquet] {
        let before = std::fs::read(data).unwrap();
        sct()
            .args([
                "kpi", "ipr", "--orgs", "all", "--format", "csv", "--force", "--data",
            ])
            .arg(data)
            .arg("-o")
            .arg(data)
            .assert()
            .code(2)
            .stderr(contains("is one of the inputs"));
        assert_eq!(std::fs::read(data).unwrap(), before, "{}", data.display());
    }
}

/// Every organisation's report from a value column of decimals (as SQL platforms export
/// them), read a batch of organisations at a time, is that of the same data as CSV, whose
/// values have the decimal's two places, byte for byte and with the same warnings.
#[test]
fn decimal_values_report_as_the_csv_of_their_digits() {
    let dir = tempfile::tempdir().unwrap();
    let sorted = organisations(&["QOX", "QSL", "QUY"], true);
    let two_places: String = sorted
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut f: Vec<String> = line.split(',').map(String::from).collect();
            if i > 0 && !f[3].is_empty() {
                f[3] = format!("{:.2}", f[3].parse::<f64>().unwrap());
            }
            format!("{}\n", f.join(","))
        })
        .collect();
    assert!(two_places.contains(",66.90,"), "{two_places}");
    let csv = dir.path().join("two-places.csv");
    std::fs::write(&csv, &two_places).unwrap();
    let parquet = dir.path().join("decimal.parquet");
    to_parquet(&csv, &parquet, "decimal");
    let (from_csv, from_parquet) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    let csv_warnings = warnings_of(&ipr_all(&csv, &from_csv));
    assert_eq!(warnings_of(&ipr_all(&parquet, &from_parquet)), csv_warnings);
    assert_eq!(
        std::fs::read(&from_parquet).unwrap(),
        std::fs::read(&from_csv).unwrap()
    );
}
