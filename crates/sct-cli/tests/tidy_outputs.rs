//! Workbooks and CSV read back as an analyst reads them: every workbook sheet set up for A4
//! (one page wide, its header repeated), numbers as numbers, dates as dates, booleans as
//! booleans, headings in words; every CSV column of numbers parses as numbers, without
//! floating-point noise, and every boolean is spelt `true` or `false`.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use common::{EXAMPLE, sct};

const KPI_DATA: &str = "examples/kpi/bnssg-kpis.csv";
const COHORT: &str = "examples/cohort/";
const INDIVIDUALS: &str = "examples/individuals/bnssg";

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Runs `sct ARGS -o DIR/NAME` and returns the output's path.
fn made(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    sct().args(args).arg("-o").arg(&out).assert().success();
    out
}

/// Every workbook `sct` writes, made from the bundled examples.
fn workbooks(dir: &Path) -> Vec<PathBuf> {
    let ipr = [
        "kpi",
        "ipr",
        "--set",
        "scf-three-timeframes",
        "--data",
        KPI_DATA,
    ];
    vec![
        made(dir, "template.xlsx", &["template", "baseline-2026-03"]),
        made(dir, "score.xlsx", &["score", EXAMPLE]),
        made(
            dir,
            "plan.xlsx",
            &["plan", EXAMPLE, "--individuals", INDIVIDUALS],
        ),
        made(dir, "cohort.xlsx", &["compare", COHORT]),
        made(dir, "ipr.xlsx", &[&ipr[..], &["--org", "QUY"]].concat()),
    ]
}

/// The XML parts of a workbook's sheets, with the workbook part.
fn parts(path: &Path) -> (String, Vec<(String, String)>) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let workbook = read("xl/workbook.xml");
    let names: Vec<String> = (1..)
        .map(|i| format!("xl/worksheets/sheet{i}.xml"))
        .take_while(|n| zip_has(path, n))
        .collect();
    let sheets = names.iter().map(|n| (n.clone(), read(n))).collect();
    (workbook, sheets)
}

fn zip_has(path: &Path, name: &str) -> bool {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    zip.by_name(name).is_ok()
}

#[test]
fn every_sheet_of_every_workbook_prints_on_a4_one_page_wide() {
    let dir = tmp();
    for book in workbooks(dir.path()) {
        let (workbook, sheets) = parts(&book);
        let file = book.file_name().unwrap().to_string_lossy().to_string();
        for (name, xml) in &sheets {
            assert!(xml.contains("paperSize=\"9\""), "{file} {name}: A4");
            assert!(
                xml.contains("<pageSetUpPr fitToPage=\"1\"/>"),
                "{file} {name}: fit"
            );
            assert!(
                xml.contains("fitToHeight=\"0\""),
                "{file} {name}: one page wide"
            );
        }
        // The header row repeats on every printed page of each sheet with a table.
        let repeated = workbook.matches("_xlnm.Print_Titles").count();
        assert!(
            repeated + 2 >= sheets.len(),
            "{file}: {repeated} of {}",
            sheets.len()
        );
    }
}

/// A workbook's sheet as calamine reads it.
fn sheet(path: &Path, name: &str) -> calamine::Range<Data> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    book.worksheet_range(name).unwrap()
}

/// The column headed `heading` in row 0 of `range`.
fn column(range: &calamine::Range<Data>, heading: &str) -> usize {
    let row = range.rows().next().unwrap();
    row.iter()
        .position(|c| *c == heading)
        .unwrap_or_else(|| panic!("no column {heading:?} in {row:?}"))
}

/// The values of the column headed `heading`, below the header, down to the first empty cell.
fn values(range: &calamine::Range<Data>, heading: &str) -> Vec<Data> {
    let c = column(range, heading);
    range
        .rows()
        .skip(1)
        .map(|r| r[c].clone())
        .take_while(|d| *d != Data::Empty)
        .collect()
}

fn headings_are_words(range: &calamine::Range<Data>, what: &str) {
    for h in range.rows().next().unwrap() {
        let h = h.to_string();
        assert!(!h.contains('_'), "{what}: heading {h:?} is in words");
    }
}

#[test]
fn workbook_cells_are_numbers_dates_and_booleans_under_headings_in_words() {
    let dir = tmp();
    let books = workbooks(dir.path());
    let [_, score, plan, _, ipr] = &books[..] else {
        unreachable!()
    };

    let summary = sheet(score, "Summary");
    for v in values(&summary, "Answered") {
        assert!(
            matches!(v, Data::Float(n) if n.fract() == 0.0),
            "a count: {v:?}"
        );
    }
    let milestones = sheet(score, "Milestones");
    for v in values(&milestones, "Due") {
        assert!(matches!(v, Data::DateTime(_)), "a date: {v:?}");
    }

    let priorities = sheet(plan, "Priorities");
    headings_are_words(&priorities, "plan");
    assert!(!values(&priorities, "Tied").is_empty());
    for v in values(&priorities, "Tied") {
        assert!(matches!(v, Data::Bool(_)), "a boolean: {v:?}");
    }
    for v in values(&priorities, "Target date") {
        assert!(matches!(v, Data::DateTime(_)), "a date: {v:?}");
    }
    for v in values(&priorities, "Rank") {
        assert!(matches!(v, Data::Float(_)), "a number: {v:?}");
    }

    let rows = sheet(ipr, "IPR");
    headings_are_words(&rows, "IPR");
    for heading in [
        "Latest value",
        "Value 1 of last three",
        "Value 3 of last three",
    ] {
        let vs = values(&rows, heading);
        assert!(!vs.is_empty(), "{heading}");
        for v in vs {
            assert!(matches!(v, Data::Float(_)), "{heading}: a number: {v:?}");
        }
    }
    for v in values(&rows, "Assurance reliable") {
        assert!(matches!(v, Data::Bool(_)), "a boolean: {v:?}");
    }
}

#[test]
fn template_sheet_names_end_on_a_whole_phrase_or_say_they_are_shortened() {
    let dir = tmp();
    let book = made(dir.path(), "t.xlsx", &["template", "baseline-2026-03"]);
    let b: Xlsx<_> = calamine::open_workbook(&book).unwrap();
    let dangling = ["and", "for", "of", "the", "with", "through", "to", "a"];
    for name in b.sheet_names() {
        assert!(name.chars().count() <= 31, "{name}");
        let last = name.split(' ').next_back().unwrap().to_lowercase();
        assert!(
            !dangling.contains(&last.as_str()),
            "{name:?} ends mid-phrase"
        );
    }
    assert!(b.sheet_names().iter().any(|n| n == "4.1 System leadership"));
}

/// A CSV output's header and rows.
fn csv_of(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .unwrap();
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// Whether `field` carries more than 12 significant digits: floating-point noise such as
/// `1.2000000000000002`.
fn noisy(field: &str) -> bool {
    let digits: String = field.chars().filter(char::is_ascii_digit).collect();
    field.parse::<f64>().is_ok() && digits.trim_start_matches('0').trim_end_matches('0').len() > 12
}

#[test]
fn csv_numbers_parse_as_numbers_without_noise_and_booleans_are_true_or_false() {
    let dir = tmp();
    let d = dir.path();
    let review = [
        "kpi",
        "review",
        "--set",
        "scf-three-timeframes",
        "--data",
        KPI_DATA,
    ];
    let ipr = [
        "kpi",
        "ipr",
        "--set",
        "scf-three-timeframes",
        "--data",
        KPI_DATA,
    ];
    let files = [
        made(d, "score.csv", &["score", EXAMPLE]),
        made(d, "plan.csv", &["plan", EXAMPLE]),
        made(d, "review.csv", &[&review[..], &["--org", "QUY"]].concat()),
        made(d, "ipr.csv", &[&ipr[..], &["--org", "QUY"]].concat()),
    ];
    let numeric = [
        "score",
        "gap",
        "coverage",
        "weight",
        "weighted_gap",
        "latest_value",
        "plan",
        "variance",
        "ytd_value",
        "ytd_periods_meeting_plan",
        "ytd_periods_with_plan",
        "centre",
        "lpl",
        "upl",
        "last_three_value_1",
        "last_three_value_2",
        "last_three_value_3",
    ];
    let booleans = [
        "tied",
        "target_set",
        "validate",
        "meets_plan",
        "assurance_reliable",
    ];
    for file in &files {
        let (header, rows) = csv_of(file);
        assert!(!header.iter().any(|h| h == "last_three"), "{file:?}");
        for row in &rows {
            for (h, field) in header.iter().zip(row) {
                assert!(!noisy(field), "{file:?} {h}: {field}");
                if field.is_empty() {
                    continue;
                }
                if numeric.contains(&h.as_str()) {
                    assert!(field.parse::<f64>().is_ok(), "{file:?} {h}: {field:?}");
                }
                if booleans.contains(&h.as_str()) {
                    assert!(
                        field == "true" || field == "false",
                        "{file:?} {h}: {field:?}"
                    );
                }
            }
        }
    }
    // The year to date's periods meeting plan are a count and a total, not "0 of 6".
    let (header, rows) = csv_of(&files[2]);
    let met = header
        .iter()
        .position(|h| h == "ytd_periods_meeting_plan")
        .unwrap();
    let of = header
        .iter()
        .position(|h| h == "ytd_periods_with_plan")
        .unwrap();
    assert!(rows.iter().any(|r| !r[of].is_empty()));
    for r in &rows {
        if let (Ok(m), Ok(o)) = (r[met].parse::<u32>(), r[of].parse::<u32>()) {
            assert!(m <= o, "{m} of {o}");
        }
    }
}
