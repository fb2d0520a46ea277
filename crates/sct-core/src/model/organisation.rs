//! Organisations as reference data: codes, names, regions, validity dates and successions.
//! The bundled table is NHS England's integrated care boards (42 until 31 March 2026, 36 from
//! 1 April 2026); users may supply their own table with the same columns.

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Diagnostics, Location, Snippet};
use crate::error::Error;
use crate::source::SourceFile;

use super::Date;

/// One organisation and the dates it existed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organisation {
    /// ODS code.
    pub ods_code: String,
    /// Name.
    pub name: String,
    /// NHS England region.
    pub region: String,
    /// First day it existed.
    pub valid_from: Date,
    /// Last day it existed, if it has ended.
    pub valid_to: Option<Date>,
    /// Approximate population, where a dated source gives one.
    pub population: Option<u64>,
}

impl Organisation {
    /// Whether it existed on `date`.
    pub fn valid_on(&self, date: Date) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|to| date <= to)
    }
}

/// Whether all of a predecessor passed to a successor or only part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Share {
    /// The whole predecessor.
    Whole,
    /// Part of a predecessor that was split.
    Part,
}

/// A predecessor's passing to a successor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Succession {
    /// The ended organisation.
    pub predecessor: String,
    /// The organisation it passed to.
    pub successor: String,
    /// The day the successor took over.
    pub effective: Date,
    /// Whole or part.
    pub share: Share,
}

/// A table of organisations with their successions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Organisations {
    /// Where the table came from (file name or `bundled:...`).
    pub source_name: String,
    /// SHA-256 of the organisations file.
    pub sha256: String,
    /// The organisations, in file order.
    pub organisations: Vec<Organisation>,
    /// The successions, in file order.
    pub successions: Vec<Succession>,
    /// Upper-cased ODS code to position in `organisations`, built on first lookup so that a
    /// cohort of many thousands of responses is not a scan of the table per response.
    pub index: CodeIndex,
}

/// A lazily built lookup from upper-cased ODS code to the organisation's position. It never
/// takes part in equality: two tables with the same rows are equal whether or not either has
/// been searched.
#[derive(Debug, Clone, Default)]
pub struct CodeIndex(std::sync::OnceLock<std::collections::HashMap<String, usize>>);

impl PartialEq for CodeIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

const BUNDLED_ICBS: &str = sct_assets::organisations::ICBS;
const BUNDLED_SUCCESSIONS: &str = sct_assets::organisations::ICB_SUCCESSIONS;

#[derive(Deserialize)]
struct OrgRow {
    ods_code: String,
    name: String,
    #[serde(default)]
    region: String,
    valid_from: String,
    #[serde(default)]
    valid_to: String,
    #[serde(default)]
    population_approx: String,
}

#[derive(Deserialize)]
struct SuccessionRow {
    predecessor: String,
    successor: String,
    effective: String,
    share: String,
}

impl Organisations {
    /// The bundled table of integrated care boards and their 1 April 2026 successions.
    pub fn bundled() -> Organisations {
        let orgs = SourceFile::from_text("bundled:data/organisations/icbs.csv", BUNDLED_ICBS);
        let succ = SourceFile::from_text(
            "bundled:data/organisations/icb-successions.csv",
            BUNDLED_SUCCESSIONS,
        );
        // The bundled files are checked by this crate's tests, so a failure here is a bug.
        Organisations::parse(&orgs, Some(&succ)).expect("bundled organisation tables are valid")
    }

    /// Reads an organisations CSV (columns `ods_code,name,region,valid_from,valid_to,
    /// population_approx`) and, optionally, a successions CSV
    /// (`predecessor,successor,effective,share`).
    pub fn parse(orgs: &SourceFile, successions: Option<&SourceFile>) -> Result<Self, Error> {
        let mut diags = Diagnostics::default();
        let mut organisations = Vec::new();
        for (row, line) in read_rows::<OrgRow>(orgs, &mut diags) {
            let at = |col: &str| Location {
                file: orgs.name.clone(),
                line,
                column: 1,
                snippet: Some(Snippet::at_column(col, 1, 0)),
            };
            match organisation(row, at) {
                Ok(o) => organisations.push(o),
                Err(d) => diags.push(*d),
            }
        }
        let mut succ_rows = Vec::new();
        if let Some(succ) = successions {
            for (row, line) in read_rows::<SuccessionRow>(succ, &mut diags) {
                let loc = Location {
                    file: succ.name.clone(),
                    line,
                    column: 1,
                    snippet: None,
                };
                match succession(row, loc) {
                    Ok(x) => succ_rows.push(x),
                    Err(d) => diags.push(*d),
                }
            }
        }
        if diags.has_errors() {
            return Err(Error::Invalid(diags));
        }
        Ok(Organisations {
            source_name: orgs.name.clone(),
            sha256: orgs.sha256.clone(),
            organisations,
            successions: succ_rows,
            index: CodeIndex::default(),
        })
    }

    /// Finds an organisation by ODS code (case-insensitive).
    pub fn get(&self, ods_code: &str) -> Option<&Organisation> {
        let code = ods_code.trim();
        let index = self.index.0.get_or_init(|| {
            let mut map = std::collections::HashMap::with_capacity(self.organisations.len());
            for (i, o) in self.organisations.iter().enumerate() {
                // The first row with a code wins, as the linear search did.
                map.entry(o.ods_code.to_ascii_uppercase()).or_insert(i);
            }
            map
        });
        // The fields are public, so the table may have changed since the index was built:
        // trust the index only when it still fits, else search the rows.
        let position = index.get(&code.to_ascii_uppercase());
        let hit = position
            .and_then(|&i| self.organisations.get(i))
            .filter(|o| o.ods_code.eq_ignore_ascii_case(code));
        if hit.is_some() || (position.is_none() && index.len() == self.organisations.len()) {
            return hit;
        }
        self.organisations
            .iter()
            .find(|o| o.ods_code.eq_ignore_ascii_case(code))
    }

    /// The organisations that existed on `date`.
    pub fn active_on(&self, date: Date) -> impl Iterator<Item = &Organisation> {
        self.organisations.iter().filter(move |o| o.valid_on(date))
    }
}

/// Reads CSV rows, recording a diagnostic (with the line) for each row that does not fit.
fn read_rows<T: for<'de> Deserialize<'de>>(
    src: &SourceFile,
    diags: &mut Diagnostics,
) -> Vec<(T, usize)> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::None)
        .from_reader(src.text.as_bytes());
    let mut out = Vec::new();
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("cannot read the header row: {e}")).at(Location {
                    file: src.name.clone(),
                    line: crate::csv_line::record_line(src.text.as_bytes(), e.position()).max(1),
                    column: 1,
                    snippet: None,
                }),
            );
            return out;
        }
    };
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = crate::csv_line::record_line(src.text.as_bytes(), record.position());
                match record.deserialize::<T>(Some(&headers)) {
                    Ok(row) => out.push((row, line)),
                    Err(e) => diags.push(Diagnostic::csv_row(&e, Some(&headers)).at(Location {
                        file: src.name.clone(),
                        line,
                        column: 1,
                        snippet: None,
                    })),
                }
            }
            Err(e) => {
                let line = crate::csv_line::record_line(src.text.as_bytes(), e.position());
                diags.push(Diagnostic::csv_row(&e, Some(&headers)).at(Location {
                    file: src.name.clone(),
                    line,
                    column: 1,
                    snippet: None,
                }));
                break;
            }
        }
    }
    out
}

/// One row of the organisations table, checked: dates, population, code.
fn organisation(
    row: OrgRow,
    at: impl Fn(&str) -> Location,
) -> Result<Organisation, Box<Diagnostic>> {
    let valid_from = match Date::parse(&row.valid_from) {
        Ok(d) => d,
        Err(e) => {
            return Err(Box::new(
                Diagnostic::error(format!("valid_from: {e}")).at(at(&row.valid_from)),
            ));
        }
    };
    let valid_to = if row.valid_to.trim().is_empty() {
        None
    } else {
        match Date::parse(&row.valid_to) {
            Ok(d) => Some(d),
            Err(e) => {
                return Err(Box::new(
                    Diagnostic::error(format!("valid_to: {e}")).at(at(&row.valid_to)),
                ));
            }
        }
    };
    let population = if row.population_approx.trim().is_empty() {
        None
    } else {
        // No organisation has no people: 0 would weight its scores by nothing.
        match row.population_approx.trim().parse::<u64>() {
            Ok(p) if p > 0 => Some(p),
            _ => {
                return Err(Box::new(
                    Diagnostic::error(format!(
                        "population_approx \"{}\" is not a whole number above 0",
                        row.population_approx
                    ))
                    .at(at(&row.population_approx))
                    .expected("a whole number of people above 0, or an empty cell"),
                ));
            }
        }
    };
    if row.ods_code.trim().is_empty() {
        return Err(Box::new(Diagnostic::error("empty ods_code").at(at(""))));
    }
    Ok(Organisation {
        ods_code: row.ods_code.trim().to_string(),
        name: row.name,
        region: row.region,
        valid_from,
        valid_to,
        population,
    })
}

/// One row of the successions table, checked: share and date; `loc` is where it is.
fn succession(row: SuccessionRow, loc: Location) -> Result<Succession, Box<Diagnostic>> {
    let share = match row.share.trim() {
        "whole" => Share::Whole,
        "part" => Share::Part,
        other => {
            return Err(Box::new(
                Diagnostic::error(format!("share \"{other}\" is not known"))
                    .at(loc)
                    .expected("whole or part"),
            ));
        }
    };
    let effective = Date::parse(&row.effective)
        .map_err(|e| Box::new(Diagnostic::error(format!("effective: {e}")).at(loc)))?;
    Ok(Succession {
        predecessor: row.predecessor.trim().to_string(),
        successor: row.successor.trim().to_string(),
        effective,
        share,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_table_has_42_baseline_icbs_and_36_after_april_2026() {
        let orgs = Organisations::bundled();
        let baseline = Date::from_ymd(2026, 3, 31).unwrap();
        let after = Date::from_ymd(2026, 4, 1).unwrap();
        assert_eq!(orgs.active_on(baseline).count(), 42);
        assert_eq!(orgs.active_on(after).count(), 36);
        assert_eq!(orgs.successions.len(), 16);
        let frimley = orgs.get("qnq").unwrap();
        assert!(frimley.valid_on(baseline) && !frimley.valid_on(after));
    }

    #[test]
    fn a_bad_date_names_the_file_and_line() {
        let src = SourceFile::from_text(
            "orgs.csv",
            "ods_code,name,region,valid_from,valid_to,population_approx\nAAA,A,R,2022-07-01,,\nBBB,B,R,2022-13-01,,\n",
        );
        let err = Organisations::parse(&src, None).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("orgs.csv:3:1"), "{text}");
        assert!(text.contains("2022-13-01"), "{text}");
    }
}
