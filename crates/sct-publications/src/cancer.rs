//! NHS England's Cancer Waiting Times, the CWT-CRS provider data extract: one row per month,
//! standard, provider, stage or route, treatment modality and cancer type, with the patients
//! treated (or told), those within the standard, and the breaches. Published as a workbook;
//! read here as the rows of its sheet (the workflow turns the sheet into CSV text, reading the
//! cells that are there whatever the sheet's declared size).
//!
//! From each provider and month: each standard (the 28-day Faster Diagnosis Standard, the
//! 31-day and the 62-day combined standards) as within standard over total. The 31- and 62-day
//! rows come in two cuts of the same patients, by cancer type (modality `ALL MODALITIES`) and
//! by treatment modality (cancer type `ALL CANCERS`); one cut is summed, never both. Counts can
//! be halves: a patient whose care two providers share counts half to each. The method is in
//! `docs/methods/publications.md`.

use std::collections::BTreeMap;

use crate::ae::month_number;
use crate::detect::Publication;
use crate::error::PublicationError;
use crate::model::{Measure, Observation, OrgLevel, Organisation, Period};

/// The columns the reader uses.
const COLUMNS: [&str; 7] = [
    "YEAR",
    "MONTH",
    "STANDARD",
    "ORG CODE",
    "TREATMENT MODALITY",
    "CANCER TYPE",
    "TOTAL TREATED",
];

/// Sums for one provider, month and standard, by which cut of the patients a row is in.
#[derive(Debug, Default, Clone, Copy)]
struct Cuts {
    /// Rows by cancer type (all modalities), or the standard's only cut (FDS).
    by_cancer: (f64, f64),
    /// Rows by modality (all cancers).
    by_modality: (f64, f64),
    /// A row of all modalities and all cancers, if the file has one.
    whole: (f64, f64),
    has_by_cancer: bool,
    has_by_modality: bool,
    has_whole: bool,
}

impl Cuts {
    /// One cut's (within, total), the whole first: never two cuts added together.
    fn chosen(&self) -> (f64, f64) {
        if self.has_whole {
            self.whole
        } else if self.has_by_cancer {
            self.by_cancer
        } else {
            self.by_modality
        }
    }
}

/// Reads a cancer waiting times extract's rows, as CSV text.
pub fn read(file: &str, text: &str) -> Result<(Vec<Period>, Vec<Observation>), PublicationError> {
    let (header, records) = crate::lines::header_and_records(file, text)?;
    let title = Publication::CancerWaitingTimes.title();
    let col = |name: &str| header.require(file, title, &[name]);
    let cols: Vec<usize> = COLUMNS.iter().map(|c| col(c)).collect::<Result<_, _>>()?;
    let within_col = col("WITHIN STANDARD")?;
    let mut sums: BTreeMap<(String, Measure, Period), Cuts> = BTreeMap::new();
    for row in records {
        let (record, line) = row?;
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let bad = |i: usize, expected: &str| PublicationError::BadCell {
            file: file.into(),
            line,
            column: header.raw[i].trim().to_string(),
            found: cell(i).to_string(),
            expected: expected.into(),
        };
        let period = period(cell(cols[0]), cell(cols[1])).ok_or_else(|| {
            bad(
                cols[1],
                "a month (JAN to DEC) of the financial year in YEAR, such as 2024/25",
            )
        })?;
        let measure = match standard(cell(cols[2])) {
            Some(m) => m,
            None => continue,
        };
        let number = |i: usize| {
            cell(i)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| bad(i, "a number of patients (halves allowed)"))
        };
        let (total, within) = (number(cols[6])?, number(within_col)?);
        let all_modalities = cell(cols[4]).eq_ignore_ascii_case("ALL MODALITIES");
        let all_cancers = cell(cols[5]).eq_ignore_ascii_case("ALL CANCERS");
        let cuts = sums
            .entry((cell(cols[3]).to_ascii_uppercase(), measure, period))
            .or_default();
        let add = |pair: &mut (f64, f64)| {
            pair.0 += within;
            pair.1 += total;
        };
        match (all_modalities || cell(cols[4]).is_empty(), all_cancers) {
            (true, true) => {
                add(&mut cuts.whole);
                cuts.has_whole = true;
            }
            (true, false) => {
                add(&mut cuts.by_cancer);
                cuts.has_by_cancer = true;
            }
            (false, _) => {
                add(&mut cuts.by_modality);
                cuts.has_by_modality = true;
            }
        }
    }
    Ok(finish(sums))
}

fn finish(sums: BTreeMap<(String, Measure, Period), Cuts>) -> (Vec<Period>, Vec<Observation>) {
    let mut periods: Vec<Period> = sums.keys().map(|(_, _, p)| *p).collect();
    periods.sort();
    periods.dedup();
    let observations = sums
        .into_iter()
        .filter_map(|((code, measure, period), cuts)| {
            let (within, total) = cuts.chosen();
            (total > 0.0).then(|| {
                let organisation = Organisation {
                    code,
                    name: String::new(),
                    level: OrgLevel::Provider,
                    parent: None,
                };
                Observation::proportion(organisation, measure, period, (within, total), 0)
            })
        })
        .collect();
    (periods, observations)
}

/// The standard of a row; `None` for a standard `sct` does not read.
fn standard(text: &str) -> Option<Measure> {
    let t = text.to_ascii_lowercase();
    if t.starts_with("28-day") || t.contains("faster diagnosis") {
        Some(Measure::CancerFasterDiagnosis28Day)
    } else if t.starts_with("31-day") {
        Some(Measure::Cancer31Day)
    } else if t.starts_with("62-day") {
        Some(Measure::Cancer62Day)
    } else {
        None
    }
}

/// `2024/25` and `OCT` as October 2024; `JAN` as January 2025.
fn period(year: &str, month: &str) -> Option<Period> {
    let (first, second) = year.split_once('/')?;
    let start: i32 = first.trim().parse().ok()?;
    if second.trim().parse::<i32>().ok()? != (start + 1).rem_euclid(100) {
        return None;
    }
    let month = month_number(month)?;
    let year = if month >= 4 { start } else { start + 1 };
    Some(Period::Month { year, month })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn financial_year_months_are_calendar_months() {
        assert_eq!(
            period("2024/25", "OCT"),
            Some(Period::Month {
                year: 2024,
                month: 10
            })
        );
        assert_eq!(
            period("2024/25", "MAR"),
            Some(Period::Month {
                year: 2025,
                month: 3
            })
        );
        assert_eq!(period("2024/26", "MAR"), None);
        assert_eq!(period("2024", "MAR"), None);
    }

    #[test]
    fn standards_are_named_as_published() {
        assert_eq!(
            standard("28-day FDS"),
            Some(Measure::CancerFasterDiagnosis28Day)
        );
        assert_eq!(standard("31-day Combined"), Some(Measure::Cancer31Day));
        assert_eq!(standard("62-day Combined"), Some(Measure::Cancer62Day));
        assert_eq!(standard("2WW"), None);
    }
}
