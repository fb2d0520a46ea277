//! The integrated performance report of every organisation read a batch of organisations at a
//! time from a file sorted by organisation is the report read from the whole file, row for
//! row, whatever the batches (the first batch's latest period earlier than a later one's
//! included), with the whole file's warnings of rows of indicators not in the set; a file with
//! errors gives the whole file's errors, read a batch at a time; a file it cannot report so is
//! refused with its reason and no row.

mod common;

use std::collections::BTreeMap;

use common::{set, used};
use proptest::prelude::*;
use sct_kpi::data::read_kpi_data;
use sct_kpi::ipr::{IprRow, RowPlace, ipr};
use sct_kpi::ipr_stream::{NotStreamed, RowSink, Source, Streamed, Unstreamable, ipr_sorted};
use sct_kpi::review::ReviewOptions;

/// Codes that are prefixes of each other, so a batch cut inside an organisation would be seen.
const ORGS: [&str; 6] = ["Q", "Q1", "Q1-", "Q10", "Q1A", "R2"];

/// Rows of random organisations of [`ORGS`], indicators and months; indicators 3 and 4 are
/// not in the set.
fn rows() -> impl Strategy<Value = Vec<(usize, usize, u32, u32)>> {
    common::rows(ORGS.len(), 5)
}

fn csv(rows: &[(usize, usize, u32, u32)]) -> String {
    common::csv(&ORGS, rows)
}

/// A row of [`rows`] and a number saying what is wrong with it (see [`rows_with_errors`]).
type RowWithError = ((usize, usize, u32, u32), u8);

/// Rows of [`rows`] with what is wrong with each: 0 a period that is not one (an error of
/// the row), 1 a quarter (an error of a monthly series, coarser than its indicator), 2 a
/// denominator of 0 (an error of the proportion's row), else nothing; up to 250 rows, so
/// that there are sometimes more errors than are listed (50).
fn rows_with_errors() -> impl Strategy<Value = Vec<RowWithError>> {
    proptest::collection::vec(
        ((0..ORGS.len(), 0..5usize, 0..40u32, 1..100u32), 0..8u8),
        1..250,
    )
}

/// The long-form CSV of `rows`, each row made wrong as its number says (see
/// [`rows_with_errors`]).
fn csv_with_errors(rows: &[RowWithError]) -> String {
    let plain: Vec<_> = rows.iter().map(|&(row, _)| row).collect();
    let text = csv(&plain);
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap_or_default());
    for (line, &(_, wrong)) in lines.zip(rows) {
        let mut fields: Vec<&str> = line.split(',').collect();
        match wrong {
            0 => fields[2] = "2020-13",
            1 => fields[2] = "2020/21 Q2",
            2 if fields[1] == "p" => fields[5] = "0",
            _ => {}
        }
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// A file with errors read a batch at a time against the whole file's reading (`whole`):
/// the same errors, every one listed in the same order and the rest counted, and no row
/// made; a file without is reported as [`same_as_whole`] says.
fn same_errors_as_whole(
    whole: Result<sct_kpi::data::KpiData, sct_core::diagnostic::Diagnostics>,
    report: Result<Streamed, NotStreamed>,
    kept: Kept,
) -> Result<(), TestCaseError> {
    match whole {
        Err(errors) => {
            prop_assert_eq!(report.unwrap_err(), NotStreamed::Errors(errors));
            prop_assert!(kept.0.is_empty());
            Ok(())
        }
        Ok(data) => same_as_whole(&data, &ReviewOptions::default(), report, kept),
    }
}

#[derive(Default)]
struct Kept(BTreeMap<RowPlace, Vec<IprRow>>);

impl RowSink for Kept {
    fn row(&mut self, place: RowPlace, row: IprRow) {
        self.0.entry(place).or_default().push(row);
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

fn streamed(
    text: &str,
    batch_rows: u64,
    as_of: Option<chrono::NaiveDate>,
) -> (Result<Streamed, NotStreamed>, Kept) {
    let set = set();
    let mut open = || Ok::<_, std::io::Error>(text.as_bytes());
    let source = Source {
        name: "d.csv",
        open: &mut open,
        size: Some(text.len() as u64),
        batch_rows,
    };
    let options = ReviewOptions {
        as_of,
        ..ReviewOptions::default()
    };
    let mut kept = Kept::default();
    let report = ipr_sorted(
        &set,
        &used(),
        source,
        false,
        &options,
        |_| None,
        &mut kept,
        None,
    );
    (report, kept)
}

/// A report read a batch at a time against the whole file's (`data`): refused as `Empty` when
/// no organisation has a series; else the same rows, report and warnings, or refused as
/// `Review` with no row when a review fails.
fn same_as_whole(
    data: &sct_kpi::data::KpiData,
    options: &ReviewOptions,
    report: Result<Streamed, NotStreamed>,
    kept: Kept,
) -> Result<(), TestCaseError> {
    let orgs = data.organisations_with_series();
    if orgs.is_empty() {
        // Only rows of indicators not in the set: the whole file's reading says so.
        prop_assert_eq!(
            report.unwrap_err(),
            NotStreamed::Unstreamable(Unstreamable::Empty)
        );
        return Ok(());
    }
    match ipr(&set(), &used(), data, &orgs, options, |_| None) {
        Ok(mut full) => {
            let Streamed { report, warnings } = report.unwrap();
            prop_assert_eq!(&warnings, &data.warnings);
            let rows: Vec<IprRow> = kept.0.into_values().flatten().collect();
            let full_rows: Vec<IprRow> = full
                .sections
                .iter_mut()
                .flat_map(|s| std::mem::take(&mut s.rows))
                .collect();
            prop_assert_eq!(&rows, &full_rows);
            prop_assert_eq!(&report, &full);
        }
        Err(_) => {
            prop_assert_eq!(
                report.unwrap_err(),
                NotStreamed::Unstreamable(Unstreamable::Review)
            );
            prop_assert!(kept.0.is_empty());
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn a_sorted_file_read_in_batches_gives_the_whole_files_report(
        mut rows in rows(),
        batch_rows in 1..40u64,
        given in proptest::option::of(0..50u32),
    ) {
        rows.sort_by_key(|r| ORGS[r.0]);
        let text = csv(&rows);
        let set = set();
        let data = read_kpi_data(text.as_bytes(), "d.csv", &set, None).unwrap();
        let as_of = given.map(|m| {
            chrono::NaiveDate::from_ymd_opt(2020 + (m as i32 + 3) / 12, (m + 3) % 12 + 1, 1).unwrap()
        });
        let options = ReviewOptions { as_of, ..ReviewOptions::default() };
        let (report, kept) = streamed(&text, batch_rows, as_of);
        same_as_whole(&data, &options, report, kept)?;
    }

    #[test]
    fn a_file_not_sorted_by_organisation_is_refused_with_no_row(rows in rows(), batch_rows in 1..40u64) {
        let text = csv(&rows);
        let sorted = rows.windows(2).all(|w| ORGS[w[0].0] <= ORGS[w[1].0]);
        let (report, kept) = streamed(&text, batch_rows, None);
        if !sorted {
            prop_assert_eq!(report.unwrap_err(), NotStreamed::Unstreamable(Unstreamable::NotSorted));
            prop_assert!(kept.0.is_empty());
        }
    }
}

proptest! {
    #[test]
    fn a_sorted_file_with_errors_read_in_batches_gives_the_whole_files_errors(
        mut rows in rows_with_errors(),
        batch_rows in 1..40u64,
    ) {
        rows.sort_by_key(|r| ORGS[r.0.0]);
        let text = csv_with_errors(&rows);
        let whole = read_kpi_data(text.as_bytes(), "d.csv", &set(), None);
        let (report, kept) = streamed(&text, batch_rows, None);
        same_errors_as_whole(whole, report, kept)?;
    }
}

#[test]
fn errors_past_the_fiftieth_in_later_batches_are_counted_as_the_whole_file_counts_them() {
    // 40 organisations of 3 rows: in each, a period that is not one (an error of its row)
    // and a quarter in the monthly proportion (an error of its series); read a batch of two
    // organisations at a time. The whole file lists its 40 rows' errors, then 10 of its
    // series' errors, and counts 30 more.
    let mut text = String::from("organisation,indicator,period,value,numerator,denominator\n");
    for o in 0..40 {
        text.push_str(&format!("Q{o:02},m,2020-13,1.5,,\n"));
        text.push_str(&format!(
            "Q{o:02},p,2020-04,,5,100\nQ{o:02},p,2020/21 Q2,,5,100\n"
        ));
    }
    let whole = read_kpi_data(text.as_bytes(), "d.csv", &set(), None).unwrap_err();
    let messages: Vec<&str> = whole.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 51);
    assert!(messages[..40].iter().all(|m| m.contains("is not a period")));
    assert!(
        messages[40..50]
            .iter()
            .all(|m| m.starts_with("mixed period types"))
    );
    assert_eq!(messages[50], "30 more errors not shown");
    let (report, kept) = streamed(&text, 6, None);
    assert_eq!(report.unwrap_err(), NotStreamed::Errors(whole));
    assert!(kept.0.is_empty());
}

proptest! {
    /// Quoted fields (some, or every one as R's `write.csv` quotes them, the header's too)
    /// are read by the csv crate, as the whole file's reading reads them: the same report or
    /// the same errors (a quote left open, a row of another width).
    #[test]
    fn a_sorted_file_with_quoted_fields_read_in_batches_gives_the_whole_files_report(
        mut rows in rows_with_errors(),
        batch_rows in 1..40u64,
        quoting in 0..4u8,
        plain in any::<bool>(),
    ) {
        rows.sort_by_key(|r| ORGS[r.0.0]);
        if plain {
            // No row wrong: a report, unless the quoting is.
            rows.iter_mut().for_each(|r| r.1 = 7);
        }
        let text = quoted(&csv_with_errors(&rows), quoting);
        let whole = read_kpi_data(text.as_bytes(), "d.csv", &set(), None);
        let (report, kept) = streamed(&text, batch_rows, None);
        same_errors_as_whole(whole, report, kept)?;
    }
}

/// `text` with fields quoted: 0 the organisation of its third row, 1 every field of every
/// line, 2 every field from its fifth line on and a row of another width at its end, 3 the
/// organisation of its last row, its quote left open.
fn quoted(text: &str, how: u8) -> String {
    let quote_all = |line: &str| -> String {
        let fields: Vec<String> = line.split(',').map(|f| format!("\"{f}\"")).collect();
        fields.join(",")
    };
    let lines: Vec<&str> = text.lines().collect();
    let last = lines.len() - 1;
    let mut out: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        out.push(match how {
            0 if i == 3 => format!("\"{line}").replacen(',', "\",", 1),
            1 => quote_all(line),
            2 if i >= 5 => quote_all(line),
            3 if i == last && i > 0 => format!("\"{line}"),
            _ => line.to_string(),
        });
    }
    if how == 2 {
        out.push("Q1,m".into());
    }
    format!("{}\n", out.join("\n"))
}

#[test]
fn rows_of_indicators_not_in_the_set_are_warned_of_once_for_the_whole_file() {
    // Batches of two organisations at least: Q1 and Q2, then Q3. The tally is the file's,
    // its first line the first batch's.
    let unknown = "organisation,indicator,period,value\nQ1,m,2020-04,1\nQ1,x,2020-05,2\n\
                   Q2,m,2020-04,1\nQ3,m,2020-04,1\nQ3,x,2020-04,2\n";
    let Streamed { warnings, .. } = streamed(unknown, 1, None).0.unwrap();
    assert_eq!(
        warnings,
        ["2 rows for indicator \"x\" (first on line 3) skipped: it is not in KPI set \"t\""]
    );
}

#[test]
fn progress_goes_on_while_a_reading_given_up_for_a_later_date_is_read_to_its_end() {
    // Q1 to Q3 end in April; Q4 to Q9 end in May, later than the first batch's latest (a
    // batch is two organisations at least): the first reading gives up after its first
    // batch and reads the rest for the latest date, then a second reading reviews every
    // organisation as of May.
    let mut text = String::from("organisation,indicator,period,value\n");
    for o in 1..10 {
        text.push_str(&format!("Q{o},m,2020-04,1\n"));
        if o > 3 {
            text.push_str(&format!("Q{o},m,2020-05,2\n"));
        }
    }
    let told = std::cell::RefCell::new(Vec::new());
    let tell = |done: usize, total: usize| told.borrow_mut().push((done, total));
    let mut open = || Ok::<_, std::io::Error>(text.as_bytes());
    let source = Source {
        name: "d.csv",
        open: &mut open,
        size: Some(text.len() as u64),
        batch_rows: 1,
    };
    let mut kept = Kept::default();
    let report = ipr_sorted(
        &set(),
        &used(),
        source,
        false,
        &ReviewOptions::default(),
        |_| None,
        &mut kept,
        Some(&tell),
    );
    assert!(report.is_ok());
    let told = told.into_inner();
    // The first reading's calls run up to every organisation read, then the second's start
    // again and end with every organisation reviewed, of as many.
    let restart = told
        .windows(2)
        .position(|w| w[1].0 < w[0].0)
        .expect("a second reading");
    assert_eq!(told[restart].0, 9, "{told:?}");
    assert!(
        told[..=restart].windows(2).all(|w| w[0].0 < w[1].0),
        "{told:?}"
    );
    assert_eq!(told.last(), Some(&(9, 9)), "{told:?}");
}

/// The same reports from the same rows written as Parquet (by the parquet crate's writer, in
/// row groups of a few rows, so that batches are cut inside row groups and across them).
#[cfg(feature = "parquet")]
mod parquet_in {
    use std::path::Path;
    use std::sync::Arc;

    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    use super::*;

    const SCHEMA: &str = "message kpis {
        optional binary organisation (UTF8);
        optional binary indicator (UTF8);
        optional binary period (UTF8);
        optional double value;
        optional int64 numerator;
        optional int64 denominator;
    }";

    /// Field `c` of a row, `None` when empty or not there.
    fn field<'t>(row: &[&'t str], c: usize) -> Option<&'t str> {
        row.get(c).copied().filter(|f| !f.is_empty())
    }

    /// The long-form CSV `text` written to `path` as Parquet, `group` rows a row group: its
    /// texts as text, its value as a double, its counts as 64-bit integers (empty fields as
    /// nulls).
    fn write(path: &Path, text: &str, group: usize) {
        let rows: Vec<Vec<&str>> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect())
            .collect();
        let schema = Arc::new(parse_message_type(SCHEMA).unwrap());
        let props = Arc::new(WriterProperties::builder().build());
        let file = std::fs::File::create(path).unwrap();
        let mut writer = SerializedFileWriter::new(file, schema, props).unwrap();
        for part in rows.chunks(group.max(1)) {
            let mut rg = writer.next_row_group().unwrap();
            for c in 0..6 {
                let mut w = rg.next_column().unwrap().unwrap();
                let def: Vec<i16> = part
                    .iter()
                    .map(|r| i16::from(field(r, c).is_some()))
                    .collect();
                let given = part.iter().filter_map(|r| field(r, c));
                match c {
                    0..=2 => {
                        let values: Vec<ByteArray> = given.map(ByteArray::from).collect();
                        w.typed::<ByteArrayType>()
                            .write_batch(&values, Some(&def), None)
                    }
                    3 => {
                        let values: Vec<f64> = given.map(|f| f.parse().unwrap()).collect();
                        w.typed::<DoubleType>()
                            .write_batch(&values, Some(&def), None)
                    }
                    _ => {
                        let values: Vec<i64> = given.map(|f| f.parse().unwrap()).collect();
                        w.typed::<Int64Type>()
                            .write_batch(&values, Some(&def), None)
                    }
                }
                .unwrap();
                w.close().unwrap();
            }
            rg.close().unwrap();
        }
        writer.close().unwrap();
    }

    /// The report of the Parquet file at `path`, read `batch_rows` rows a batch.
    fn streamed(
        path: &Path,
        batch_rows: u64,
        as_of: Option<chrono::NaiveDate>,
    ) -> (Result<Streamed, NotStreamed>, Kept) {
        streamed_telling(path, batch_rows, as_of, None)
    }

    /// [`streamed`], telling `progress` of each batch reviewed.
    fn streamed_telling(
        path: &Path,
        batch_rows: u64,
        as_of: Option<chrono::NaiveDate>,
        progress: Option<&dyn Fn(usize, usize)>,
    ) -> (Result<Streamed, NotStreamed>, Kept) {
        let mut open = || std::fs::File::open(path);
        let source = Source {
            name: "d.parquet",
            open: &mut open,
            size: None,
            batch_rows,
        };
        let options = ReviewOptions {
            as_of,
            ..ReviewOptions::default()
        };
        let mut kept = Kept::default();
        let report = sct_kpi::ipr_stream::ipr_sorted_parquet(
            &set(),
            &used(),
            source,
            false,
            &options,
            |_| None,
            &mut kept,
            progress,
        );
        (report, kept)
    }

    proptest! {
        #[test]
        fn a_sorted_parquet_file_read_in_batches_gives_the_whole_files_report(
            mut rows in rows(),
            batch_rows in 1..40u64,
            group in 1..30usize,
            given in proptest::option::of(0..50u32),
        ) {
            rows.sort_by_key(|r| ORGS[r.0]);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("d.parquet");
            write(&path, &csv(&rows), group);
            let as_of = given.map(|m| {
                chrono::NaiveDate::from_ymd_opt(2020 + (m as i32 + 3) / 12, (m + 3) % 12 + 1, 1).unwrap()
            });
            let set = set();
            let file = std::fs::File::open(&path).unwrap();
            let data = sct_kpi::parquet::read_kpi_parquet(file, "d.parquet", &set, None, false).unwrap();
            let options = ReviewOptions { as_of, ..ReviewOptions::default() };
            let (report, kept) = streamed(&path, batch_rows, as_of);
            same_as_whole(&data, &options, report, kept)?;
        }

        #[test]
        fn a_parquet_file_not_sorted_by_organisation_is_refused_with_no_row(
            rows in rows(),
            batch_rows in 1..40u64,
            group in 1..30usize,
        ) {
            let sorted = rows.windows(2).all(|w| ORGS[w[0].0] <= ORGS[w[1].0]);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("d.parquet");
            write(&path, &csv(&rows), group);
            let (report, kept) = streamed(&path, batch_rows, None);
            if !sorted {
                prop_assert_eq!(report.unwrap_err(), NotStreamed::Unstreamable(Unstreamable::NotSorted));
                prop_assert!(kept.0.is_empty());
            }
        }
    }

    #[test]
    fn a_parquet_file_of_many_batches_decoded_on_two_threads_gives_the_whole_files_report() {
        // 60 organisations x 3 indicators x 60 months (180 rows each), in one row group of
        // more rows than the reader's batch (8,192), so that its columns are decoded on a
        // second thread where there is a second core; cut into batches of three
        // organisations (500 rows or more).
        let codes: Vec<String> = (0..60).map(|o| format!("Q{o:03}")).collect();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        let rows: Vec<(usize, usize, u32, u32)> = (0..60)
            .flat_map(|o| {
                (0..3).flat_map(move |i| {
                    (0..60).map(move |m| (o, i, m, 1 + (o as u32 * 7 + m * 3 + i as u32) % 90))
                })
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.parquet");
        write(&path, &common::csv(&codes, &rows), rows.len());
        let set = set();
        let file = std::fs::File::open(&path).unwrap();
        let data =
            sct_kpi::parquet::read_kpi_parquet(file, "d.parquet", &set, None, false).unwrap();
        let orgs = data.organisations_with_series();
        assert_eq!(orgs.len(), 60);
        let told = std::cell::RefCell::new(Vec::new());
        let tell = |done: usize, total: usize| told.borrow_mut().push((done, total));
        let (report, kept) = streamed_telling(&path, 500, None, Some(&tell));
        // Told once a batch: three organisations more each time, of the 60 the rows read so
        // far say (every organisation has as many rows).
        let expected: Vec<(usize, usize)> = (1..=20).map(|b| (3 * b, 60)).collect();
        assert_eq!(told.into_inner(), expected);
        assert!(report.is_ok());
        same_as_whole(&data, &ReviewOptions::default(), report, kept).unwrap();
    }

    #[test]
    fn an_organisation_written_two_ways_is_one_organisation_never_cut_in_two() {
        // "Q1" and " Q1" are two texts (two ids) of one organisation, as the CSV's trimmed
        // fields are: with a batch a row, the batch is cut before Q2, not inside Q1.
        let text = "organisation,indicator,period,value\nQ,m,2020-04,1\nQ1,m,2020-04,2\n \
                    Q1,m,2020-05,3\nQ1,m,2020-06,4\nQ2,m,2020-04,5\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.parquet");
        write(&path, text, 2);
        let file = std::fs::File::open(&path).unwrap();
        let data =
            sct_kpi::parquet::read_kpi_parquet(file, "d.parquet", &set(), None, false).unwrap();
        assert_eq!(data.organisations_with_series(), ["Q", "Q1", "Q2"]);
        let (report, kept) = streamed(&path, 1, None);
        assert!(report.is_ok());
        same_as_whole(&data, &ReviewOptions::default(), report, kept).unwrap();
    }

    proptest! {
        #[test]
        fn a_sorted_parquet_file_with_errors_read_in_batches_gives_the_whole_files_errors(
            mut rows in rows_with_errors(),
            batch_rows in 1..40u64,
            group in 1..30usize,
        ) {
            rows.sort_by_key(|r| ORGS[r.0.0]);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("d.parquet");
            write(&path, &csv_with_errors(&rows), group);
            let file = std::fs::File::open(&path).unwrap();
            let whole = sct_kpi::parquet::read_kpi_parquet(file, "d.parquet", &set(), None, false);
            let (report, kept) = streamed(&path, batch_rows, None);
            same_errors_as_whole(whole, report, kept)?;
        }
    }

    #[test]
    fn a_damaged_parquet_file_is_left_to_the_whole_file_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.parquet");
        // Cut short: its footer is gone.
        let good = "organisation,indicator,period,value\nQ1,m,2020-04,1\nQ2,m,2020-04,2\n";
        write(&path, good, 1);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
        assert_eq!(
            streamed(&path, 1, None).0.unwrap_err(),
            NotStreamed::Unstreamable(Unstreamable::Problems)
        );
    }
}
