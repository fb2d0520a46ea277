//! Every CSV reader of `sct-kpi` names the line a bad row is on, whatever the line endings
//! (LF, or CRLF as Excel saves CSV), blank lines, byte-order mark or line breaks inside
//! quoted fields: a file of valid rows with one bad row injected at a random place, and the
//! error must name that row's line.

use proptest::prelude::*;
use sct_core::SourceFile;
use sct_core::diagnostic::Diagnostics;
use sct_kpi::chart_input::{ChartColumns, read_counts};
use sct_kpi::funnel_input::{FunnelKind, read_funnel_rows};
use sct_kpi::laney::LaneyKind;
use sct_kpi::spc_input::{Columns, read_series};

/// How the file is laid out around its rows.
#[derive(Debug, Clone)]
struct Layout {
    crlf: bool,
    bom: bool,
    /// Per row: blank lines before it, and whether its note holds a line break.
    rows: Vec<(usize, bool)>,
    /// Which row is bad.
    bad: usize,
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec((0usize..3, any::<bool>()), 1..15),
    )
        .prop_flat_map(|(crlf, bom, rows)| {
            let n = rows.len();
            (0..n).prop_map(move |bad| Layout {
                crlf,
                bom,
                rows: rows.clone(),
                bad,
            })
        })
}

/// The file: `header` (with a trailing `note` column), then row `i` as `row(i, bad)` plus a
/// note; and the line the bad row starts on, counted here by hand.
fn file(layout: &Layout, header: &str, row: impl Fn(usize, bool) -> String) -> (String, usize) {
    let eol = if layout.crlf { "\r\n" } else { "\n" };
    let mut text = String::from(if layout.bom { "\u{feff}" } else { "" });
    text.push_str(header);
    text.push_str(",note");
    text.push_str(eol);
    let mut bad_line = 0;
    for (i, &(blank, multiline)) in layout.rows.iter().enumerate() {
        text.push_str(&eol.repeat(blank));
        if i == layout.bad {
            bad_line = text.matches('\n').count() + 1;
        }
        text.push_str(&row(i, i == layout.bad));
        text.push_str(if multiline {
            ",\"two\nlines\""
        } else {
            ",one line"
        });
        text.push_str(eol);
    }
    (text, bad_line)
}

/// The line of the first error.
fn first_line(diags: &Diagnostics) -> usize {
    let d = diags.0.iter().find(|d| d.is_error()).expect("an error");
    d.location.as_ref().expect("a location").line
}

fn day(i: usize) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(i as u64);
    d.to_string()
}

proptest! {
    #[test]
    fn a_bad_series_row_is_named_on_its_own_line(layout in layout()) {
        let (text, line) = file(&layout, "date,value", |i, bad| {
            format!("{},{}", day(i), if bad { "x" } else { "5" })
        });
        let src = SourceFile::from_text("s.csv", text);
        let diags = read_series(&src, &Columns::default()).unwrap_err();
        prop_assert_eq!(first_line(&diags), line);
    }

    #[test]
    fn a_bad_count_row_is_named_on_its_own_line(layout in layout()) {
        let (text, line) = file(&layout, "date,numerator,denominator", |i, bad| {
            format!("{},{},10", day(i), if bad { "x" } else { "5" })
        });
        let src = SourceFile::from_text("c.csv", text);
        let diags = read_counts(&src, &ChartColumns::default(), LaneyKind::P).unwrap_err();
        prop_assert_eq!(first_line(&diags), line);
    }

    #[test]
    fn a_bad_funnel_row_is_named_on_its_own_line(layout in layout()) {
        let (text, line) = file(&layout, "org,numerator,denominator", |i, bad| {
            format!("O{i},{},10", if bad { "x" } else { "5" })
        });
        let src = SourceFile::from_text("f.csv", text);
        let diags = read_funnel_rows(&src, FunnelKind::Proportion).unwrap_err();
        prop_assert_eq!(first_line(&diags), line);
    }

    #[test]
    fn a_bad_rebase_log_row_is_named_on_its_own_line(layout in layout()) {
        let header = sct_kpi::rebase_log::COLUMNS.join(",");
        let (text, line) = file(&layout, &header, |i, bad| {
            format!(
                "ae,QUY,{},\"new pathway\nfrom then\",Board,{}",
                day(i),
                if bad { "x" } else { "2024-01-01" }
            )
        });
        let src = SourceFile::from_text("r.csv", text);
        let diags = sct_kpi::rebase_log::read_rebase_log(&src).unwrap_err();
        prop_assert_eq!(first_line(&diags), line);
    }

    #[test]
    fn a_bad_kpi_data_row_is_named_on_its_own_line(layout in layout()) {
        let (text, line) = file(&layout, "organisation,indicator,period,value", |i, bad| {
            let month = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()
                + chrono::Months::new(i as u32);
            format!("QUY,p,{},{}", month.format("%Y-%m"), if bad { "x" } else { "50" })
        });
        // Streamed in small pieces, so a CRLF falls across reads.
        let reader = std::io::BufReader::with_capacity(5, text.as_bytes());
        let diags = sct_kpi::data::read_kpi_data(reader, "d.csv", &set(), None).unwrap_err();
        prop_assert_eq!(first_line(&diags), line);
    }
}

fn set() -> sct_kpi::kpiset::KpiSet {
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
source = { doc = "d", section = "1", quote = "q" }
"#;
    sct_core::load::parse_toml(&SourceFile::from_text("t.toml", text)).unwrap()
}

/// A header below blank lines (as some exports write) is named on its own line, not line 1.
#[test]
fn a_header_below_blank_lines_is_named_on_its_own_line() {
    for eol in ["\n", "\r\n"] {
        let text = format!("{eol}{eol}date,amount{eol}2025-01-01,4{eol}");
        let src = SourceFile::from_text("s.csv", text.clone());
        let diags = read_series(&src, &Columns::default()).unwrap_err();
        assert_eq!(first_line(&diags), 3, "{diags:?}");
        let text = text.replace("date,amount", "organisation,indicator,period");
        let diags =
            sct_kpi::data::read_kpi_data(text.as_bytes(), "d.csv", &set(), None).unwrap_err();
        assert_eq!(first_line(&diags), 3, "{diags:?}");
    }
}

/// A file with no header at all, only a byte-order mark and blank lines (found by fuzzing),
/// is named at line 1, not past its last line.
#[test]
fn a_file_with_no_header_is_named_at_line_1() {
    let text = "\u{feff}\n\n\n";
    let src = SourceFile::from_text("s.csv", text);
    assert_eq!(
        first_line(&read_series(&src, &Columns::default()).unwrap_err()),
        1
    );
    let diags = read_funnel_rows(&src, FunnelKind::Proportion).unwrap_err();
    assert_eq!(first_line(&diags), 1);
    let diags = sct_kpi::data::read_kpi_data(text.as_bytes(), "d.csv", &set(), None).unwrap_err();
    assert_eq!(first_line(&diags), 1);
}
