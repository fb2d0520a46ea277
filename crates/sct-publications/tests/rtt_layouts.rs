//! The RTT reader on small extracts of our own in the published layout (121 columns): part 2
//! only, the treatment-function total used and the functions not counted again, rows with no
//! commissioner parent kept under their commissioner, the zip as downloaded read like the CSV
//! inside it; and its errors. Never a panic on a mangled extract.

use std::io::Write;

use proptest::prelude::*;
use sct_publications::{Measure, OrgLevel, Publication, read_bytes};

fn header() -> String {
    let mut cols: Vec<String> = "Period,Provider Parent Org Code,Provider Parent Name,Provider Org Code,Provider Org Name,Commissioner Parent Org Code,Commissioner Parent Name,Commissioner Org Code,Commissioner Org Name,RTT Part Type,RTT Part Description,Treatment Function Code,Treatment Function Name"
        .split(',')
        .map(str::to_string)
        .collect();
    for i in 0..104 {
        cols.push(format!("Gt {i:02} To {:02} Weeks SUM 1", i + 1));
    }
    cols.push("Gt 104 Weeks SUM 1".into());
    cols.extend(
        [
            "Total",
            "Patients with unknown clock start date",
            "Total All",
        ]
        .map(String::from),
    );
    assert_eq!(cols.len(), 121);
    cols.join(",")
}

/// A row with `bands` (week index, count) filled.
fn row(parent: &str, part: &str, function: &str, bands: &[(usize, u64)]) -> String {
    let mut cells = vec![String::new(); 105];
    for (week, n) in bands {
        cells[*week] = n.to_string();
    }
    let total: u64 = bands.iter().map(|(_, n)| n).sum();
    format!(
        "RTT-March-2026,QXX,A PARENT,RXA,\"TRUST A, NHS TRUST\",{parent},{},{},A COMMISSIONER,{part},Incomplete,{function},A FUNCTION,{},,,{total}",
        if parent.is_empty() { "" } else { "AN ICB" },
        if parent.is_empty() { "13Q" } else { "00X" },
        cells.join(",")
    )
}

fn extract(with_total_function: bool) -> String {
    let mut lines = vec![header()];
    if with_total_function {
        lines.push(row(
            "QAA",
            "Part_2",
            "C_999",
            &[(0, 10), (17, 5), (18, 4), (52, 3), (104, 1)],
        ));
    }
    lines.push(row("QAA", "Part_2", "C_100", &[(0, 6), (17, 5), (52, 3)]));
    lines.push(row("QAA", "Part_2", "C_101", &[(0, 4), (18, 4), (104, 1)]));
    lines.push(row("QAA", "Part_1A", "C_999", &[(0, 1000)]));
    lines.push(row("", "Part_2", "C_999", &[(3, 7)]));
    lines.join("\n") + "\n"
}

fn value(e: &sct_publications::Extract, code: &str, m: Measure) -> (Option<f64>, Option<f64>) {
    let o = e
        .observations
        .iter()
        .find(|o| o.organisation.code == code && o.measure == m)
        .unwrap_or_else(|| panic!("{code} {m:?}"));
    (o.numerator, o.value)
}

#[test]
fn the_total_over_functions_is_used_and_part_one_ignored() {
    for with_total in [true, false] {
        let e = read_bytes("rtt.csv", extract(with_total).as_bytes(), None).unwrap();
        assert_eq!(e.publication, Publication::RttFullExtract);
        // QAA: 23 pathways with a known start, 15 within 18 weeks, 4 over 52, 1 over 104.
        assert_eq!(
            value(&e, "QAA", Measure::RttIncompletePathways).1,
            Some(23.0)
        );
        assert_eq!(
            value(&e, "QAA", Measure::RttWithin18Weeks),
            (Some(15.0), Some(100.0 * 15.0 / 23.0))
        );
        assert_eq!(value(&e, "QAA", Measure::RttOver52Weeks).1, Some(4.0));
        assert_eq!(value(&e, "QAA", Measure::RttOver65Weeks).1, Some(1.0));
        assert_eq!(value(&e, "QAA", Measure::RttOver104Weeks).1, Some(1.0));
        // The provider counts the specialised commissioning row too.
        assert_eq!(
            value(&e, "RXA", Measure::RttIncompletePathways).1,
            Some(30.0)
        );
        let hub = e
            .observations
            .iter()
            .find(|o| o.organisation.code == "13Q")
            .unwrap();
        assert_eq!(hub.organisation.level, OrgLevel::Other);
    }
}

#[test]
fn the_zip_as_downloaded_reads_like_the_csv_inside_it() {
    let csv = extract(true);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("20260331-RTT-March-2026-full-extract.csv", options)
        .unwrap();
    zip.write_all(csv.as_bytes()).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let from_zip = read_bytes("Full-CSV-data-file-Mar26.zip", &bytes, None).unwrap();
    let from_csv = read_bytes("x.csv", csv.as_bytes(), None).unwrap();
    assert_eq!(from_zip.observations, from_csv.observations);
    assert_eq!(from_zip.file, "Full-CSV-data-file-Mar26.zip");
}

#[test]
fn errors_name_the_cell_and_the_missing_band() {
    let text = extract(true).replacen(",10,", ",ten,", 1);
    let err = read_bytes("rtt.csv", text.as_bytes(), None)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "rtt.csv:2: Gt 00 To 01 Weeks SUM 1 is \"ten\"; expected a whole number of pathways, or blank"
    );
    let text = extract(true).replacen("Gt 17 To 18 Weeks SUM 1", "Gt 17 To 18 Weeks", 1);
    let err = read_bytes(
        "rtt.csv",
        text.as_bytes(),
        Some(Publication::RttFullExtract),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("missing the column \"Gt 17 To 18 Weeks SUM 1\""),
        "{err}"
    );
    assert!(
        err.contains("nearest header is \"Gt 17 To 18 Weeks\""),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn mangled_extracts_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = extract(true).into_bytes();
        for (at, byte, how) in edits {
            let i = at.index(bytes.len());
            match how {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        let _ = read_bytes("m.csv", &bytes, None);
        let _ = read_bytes("m.csv", &bytes, Some(Publication::RttFullExtract));
    }
}
