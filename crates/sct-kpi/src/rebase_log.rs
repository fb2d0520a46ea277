//! The rebase log: rebases are data, recorded and justified, not automatic. A CSV beside the
//! KPI data (by default `<data file stem>.rebase-log.csv`) with the columns
//! `indicator,organisation,date,reason,approved_by,approved_on`; each row starts a new segment
//! (new mean and limits) of one organisation's series at `date`. `sct kpi spc`, `sct kpi
//! review` and `sct kpi ipr` apply it and print each row beside its chart.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::source::SourceFile;

use crate::period::{ACCEPTED_FORMS, Period};
use crate::spc_input::{at, column, csv_with_header, header_at};

/// The columns of a rebase log, in order.
pub const COLUMNS: [&str; 6] = [
    "indicator",
    "organisation",
    "date",
    "reason",
    "approved_by",
    "approved_on",
];

/// One recorded rebase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RebaseEntry {
    /// Indicator id.
    pub indicator: String,
    /// Organisation code.
    pub organisation: String,
    /// The period (or date) the new segment starts at, as written.
    pub date: String,
    /// Its first day.
    #[serde(skip)]
    pub start: NaiveDate,
    /// Why.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// When.
    pub approved_on: NaiveDate,
    /// The log file.
    pub file: String,
    /// One-based line in the log.
    pub line: usize,
}

impl RebaseEntry {
    /// The entry in words, for beside a chart.
    pub fn describe(&self) -> String {
        format!(
            "rebased at {}: {} (approved by {} on {}; {} line {})",
            self.date, self.reason, self.approved_by, self.approved_on, self.file, self.line
        )
    }
}

/// A whole rebase log.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RebaseLog {
    /// The file, as named.
    pub file: String,
    /// Its rows, in file order.
    pub entries: Vec<RebaseEntry>,
}

impl RebaseLog {
    /// The rows for one organisation's indicator.
    pub fn for_series(&self, organisation: &str, indicator: &str) -> Vec<&RebaseEntry> {
        self.entries
            .iter()
            .filter(|e| e.organisation == organisation && e.indicator == indicator)
            .collect()
    }
}

/// Where the rebase log of a data file is looked for: `<stem>.rebase-log.csv` beside it.
pub fn default_path(data: &Path) -> PathBuf {
    let stem = data
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    data.with_file_name(format!("{stem}.rebase-log.csv"))
}

/// Reads and checks a rebase log: every column present, every row complete, dates that parse,
/// no rebase recorded twice. Errors name the file and row.
pub fn read_rebase_log(src: &SourceFile) -> Result<RebaseLog, Diagnostics> {
    let (mut reader, headers) = csv_with_header(src)?;
    let cols = log_columns(src, &headers)?;
    let mut diags = Diagnostics::default();
    let mut entries: Vec<RebaseEntry> = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = sct_core::csv_line::record_line(src.text.as_bytes(), e.position());
                diags.push(Diagnostic::csv_row(&e, None).at(at(src, line)));
                break;
            }
        }
        let line = sct_core::csv_line::record_line(src.text.as_bytes(), record.position());
        let Some(entry) = log_entry(src, &cols, line, &record, &mut diags) else {
            continue;
        };
        if let Some(first) = entries.iter().find(|e| {
            e.indicator == entry.indicator
                && e.organisation == entry.organisation
                && e.start == entry.start
        }) {
            diags.push(
                Diagnostic::error(format!(
                    "the rebase of {} \"{}\" at {} is recorded twice, on lines {} and {line}",
                    entry.organisation, entry.indicator, entry.date, first.line
                ))
                .at(at(src, line))
                .expected("one row per rebase"),
            );
            continue;
        }
        entries.push(entry);
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(RebaseLog {
        file: src.name.clone(),
        entries,
    })
}

/// The position of each of [`COLUMNS`] in the header, or an error naming those it lacks.
fn log_columns(src: &SourceFile, headers: &csv::StringRecord) -> Result<[usize; 6], Diagnostics> {
    let mut cols = [0usize; 6];
    let missing: Vec<&str> = COLUMNS
        .iter()
        .enumerate()
        .filter_map(|(k, name)| match column(headers, name) {
            Some(i) => {
                cols[k] = i;
                None
            }
            None => Some(*name),
        })
        .collect();
    if !missing.is_empty() {
        return Err(Diagnostics(vec![
            Diagnostic::error(format!(
                "the rebase log's header has no {} column{}",
                missing.join(", "),
                if missing.len() == 1 { "" } else { "s" }
            ))
            .at(header_at(src, headers))
            .expected(COLUMNS.join(",")),
        ]));
    }
    Ok(cols)
}

/// One row's entry: every column filled in and both dates parsed; `None` when the row is
/// an error (pushed to `diags`).
fn log_entry(
    src: &SourceFile,
    cols: &[usize; 6],
    line: usize,
    record: &csv::StringRecord,
    diags: &mut Diagnostics,
) -> Option<RebaseEntry> {
    let field = |k: usize| record.get(cols[k]).unwrap_or("").to_string();
    let mut row_ok = true;
    for (k, name) in COLUMNS.iter().enumerate() {
        if field(k).is_empty() {
            diags.push(
                Diagnostic::error(format!("rebase log row has no `{name}`"))
                    .at(at(src, line))
                    .expected(format!("every column filled in: {}", COLUMNS.join(","))),
            );
            row_ok = false;
        }
    }
    if !row_ok {
        return None;
    }
    let date = field(2);
    let start = match Period::parse(&date) {
        Ok(p) => p.start,
        Err(_) => {
            diags.push(
                Diagnostic::error(format!("`date` \"{date}\" is not a date or period"))
                    .at(at(src, line))
                    .expected(ACCEPTED_FORMS.to_string()),
            );
            return None;
        }
    };
    let approved_text = field(5);
    let Ok(approved_on) = NaiveDate::parse_from_str(&approved_text, "%Y-%m-%d") else {
        diags.push(
            Diagnostic::error(format!("`approved_on` \"{approved_text}\" is not a date"))
                .at(at(src, line))
                .expected("a date as YYYY-MM-DD"),
        );
        return None;
    };
    Some(RebaseEntry {
        indicator: field(0),
        organisation: field(1),
        date,
        start,
        reason: field(3),
        approved_by: field(4),
        approved_on,
        file: src.name.clone(),
        line,
    })
}

/// The index of each entry's date among a series' dates, or an error naming the log's file
/// and row when the date is not a period of the series.
pub fn resolve(
    entries: &[&RebaseEntry],
    dates: &[NaiveDate],
    series: &str,
) -> Result<Vec<usize>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut starts = Vec::new();
    for e in entries {
        match dates.iter().position(|d| *d == e.start) {
            Some(i) => starts.push(i),
            None => diags.push(
                Diagnostic::error(format!(
                    "{} line {}: the rebase at {} is not a period with data in {series}",
                    e.file, e.line, e.date
                ))
                .in_file(&e.file)
                .expected("the period of a point in the series, where the new segment starts"),
            ),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(starts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> SourceFile {
        SourceFile::from_text("log.csv", text)
    }

    #[test]
    fn reads_rows_and_names_bad_ones() {
        let ok = read_rebase_log(&src(
            "indicator,organisation,date,reason,approved_by,approved_on\nae-4-hour,QUY,2024-04,New streaming model,Board,2024-05-20\n",
        ))
        .unwrap();
        assert_eq!(ok.entries.len(), 1);
        assert_eq!(ok.entries[0].line, 2);
        assert!(
            ok.entries[0]
                .describe()
                .contains("approved by Board on 2024-05-20")
        );
        let bad = read_rebase_log(&src(
            "indicator,organisation,date,reason,approved_by,approved_on\nae-4-hour,QUY,2024-04,,Board,2024-05-20\nae-4-hour,QUY,2024-13,x,y,2024-05-20\nae-4-hour,QUY,2024-04,x,y,20/5/2024\n",
        ))
        .unwrap_err();
        let text = bad.to_string();
        assert_eq!(bad.0.len(), 3, "{text}");
        assert!(
            text.contains("no `reason`") && text.contains("2024-13") && text.contains("20/5/2024")
        );
        let missing = read_rebase_log(&src("indicator,date\n")).unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("organisation, reason, approved_by, approved_on")
        );
        let twice = read_rebase_log(&src(
            "indicator,organisation,date,reason,approved_by,approved_on\na,Q,2024-04,x,y,2024-05-20\na,Q,2024-04-01,x,y,2024-05-20\n",
        ))
        .unwrap_err();
        assert!(twice.to_string().contains("lines 2 and 3"));
    }

    #[test]
    fn default_path_is_beside_the_data() {
        assert_eq!(
            default_path(Path::new("examples/kpi/bnssg-kpis.csv")),
            PathBuf::from("examples/kpi/bnssg-kpis.rebase-log.csv")
        );
    }
}
