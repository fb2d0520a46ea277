//! The organisations table of a comparison (`--orgs`): one row per organisation with its
//! code and any attributes to group or weight by (`name`, `region`, `population`,
//! `cluster`, or any other column). Peer groups and weights are data, never code.

use std::collections::BTreeMap;

use sct_core::{Diagnostic, Diagnostics, Error, Organisations, SourceFile};

/// Attributes of the organisations in a comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrgAttributes {
    /// Where they came from (a file, or the bundled ICB table).
    pub source: String,
    /// SHA-256 of the file, when one was read.
    pub sha256: Option<String>,
    /// Column names, as in the file.
    pub columns: Vec<String>,
    /// Per code (upper case): column → value.
    pub rows: BTreeMap<String, BTreeMap<String, String>>,
}

impl OrgAttributes {
    /// The bundled organisations' names, regions and populations (where known).
    pub fn from_organisations(orgs: &Organisations) -> OrgAttributes {
        let rows = orgs
            .organisations
            .iter()
            .map(|o| {
                let mut m = BTreeMap::new();
                m.insert("name".to_string(), o.name.clone());
                m.insert("region".to_string(), o.region.clone());
                if let Some(p) = o.population {
                    m.insert("population".to_string(), p.to_string());
                }
                (o.ods_code.to_ascii_uppercase(), m)
            })
            .collect();
        OrgAttributes {
            source: orgs.source_name.clone(),
            sha256: Some(orgs.sha256.clone()),
            columns: vec!["name".into(), "region".into(), "population".into()],
            rows,
        }
    }

    /// Reads a CSV with a `code` (or `ods_code`) column; other columns are attributes. A
    /// code given twice or a population that is not a whole number above 0 is an error naming
    /// the line.
    pub fn parse(src: &SourceFile) -> Result<OrgAttributes, Error> {
        let at = |line: usize| location(src, line);
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(src.text.as_bytes());
        let line_of = |p| sct_core::csv_line::record_line(src.text.as_bytes(), p).max(1);
        let (headers, header_line): (Vec<String>, usize) = match reader.headers() {
            Ok(h) => (
                h.iter()
                    .map(|s| s.trim_start_matches('\u{feff}').to_string())
                    .collect(),
                // Line 1 when there is no header at all, not the end of the blank lines.
                if h.is_empty() {
                    1
                } else {
                    line_of(h.position())
                },
            ),
            Err(e) => {
                return Err(Error::Invalid(Diagnostics(vec![
                    Diagnostic::error(format!("cannot read the header row: {e}"))
                        .at(at(line_of(e.position()))),
                ])));
            }
        };
        let Some(code_col) = headers.iter().position(|h| h == "code" || h == "ods_code") else {
            return Err(Error::Invalid(Diagnostics(vec![
                Diagnostic::error(format!(
                    "the header has no `code` column (it has: {})",
                    headers.join(", ")
                ))
                .at(at(header_line))
                .expected("columns code,name,region,population,cluster (any but code optional, others allowed)"),
            ])));
        };
        let mut diags = Diagnostics::default();
        let mut rows: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut lines: BTreeMap<String, usize> = BTreeMap::new();
        for rec in reader.records() {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = sct_core::csv_line::record_line(src.text.as_bytes(), e.position());
                    diags.push(Diagnostic::csv_row(&e, None).at(at(line)));
                    break;
                }
            };
            let line = sct_core::csv_line::record_line(src.text.as_bytes(), rec.position());
            let code = rec.get(code_col).unwrap_or("").to_ascii_uppercase();
            if code.is_empty() {
                diags.push(
                    Diagnostic::error("empty code")
                        .at(at(line))
                        .expected("an ODS code"),
                );
                continue;
            }
            if let Some(first) = lines.insert(code.clone(), line) {
                diags.push(
                    Diagnostic::error(format!("{code} appears twice, on lines {first} and {line}"))
                        .at(at(line))
                        .expected("one row per organisation"),
                );
                continue;
            }
            let m = row_attributes(&rec, &headers, code_col, at(line), &mut diags);
            rows.insert(code, m);
        }
        if diags.has_errors() {
            return Err(Error::Invalid(diags));
        }
        Ok(OrgAttributes {
            source: src.name.clone(),
            sha256: Some(src.sha256.clone()),
            columns: headers
                .into_iter()
                .enumerate()
                .filter(|&(i, _)| i != code_col)
                .map(|(_, h)| h)
                .collect(),
            rows,
        })
    }

    /// An attribute of an organisation.
    pub fn get(&self, code: &str, field: &str) -> Option<&str> {
        self.rows
            .get(&code.to_ascii_uppercase())
            .and_then(|m| m.get(field))
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// An organisation's population, if the table gives one (above 0: [`OrgAttributes::parse`]
    /// refuses 0, and 0 here would be no weight at all).
    pub fn population(&self, code: &str) -> Option<f64> {
        self.get(code, "population")
            .and_then(|p| p.parse::<u64>().ok())
            .filter(|&p| p > 0)
            .map(|p| p as f64)
    }

    /// Whether the table has a column.
    pub fn has_column(&self, field: &str) -> bool {
        self.columns.iter().any(|c| c == field)
    }
}

/// Where a line of `src` is, for a diagnostic.
fn location(src: &SourceFile, line: usize) -> sct_core::diagnostic::Location {
    sct_core::diagnostic::Location {
        file: src.name.clone(),
        line,
        column: 1,
        snippet: None,
    }
}

/// A row's attributes by column name (empty cells left out; the code column is the key,
/// not an attribute); a population that is not a whole number above 0 is an error at `at`.
fn row_attributes(
    rec: &csv::StringRecord,
    headers: &[String],
    code_col: usize,
    at: sct_core::diagnostic::Location,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        if i == code_col {
            continue;
        }
        let v = rec.get(i).unwrap_or("").to_string();
        // No organisation has no people: a group of populations 0 had no weights,
        // and its scores were shown as none, labelled population-weighted.
        if h == "population" && !v.is_empty() && !v.parse::<u64>().is_ok_and(|p| p > 0) {
            diags.push(
                Diagnostic::error(format!("population \"{v}\" is not a whole number above 0"))
                    .at(at.clone())
                    .expected("a whole number of people above 0, or an empty cell"),
            );
        }
        if !v.is_empty() {
            m.insert(h.clone(), v);
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_attributes_and_refuses_bad_rows() {
        let src = SourceFile::from_text(
            "o.csv",
            "code,name,population,cluster\nquy,BNSSG,950000,Q1\nQR1,Glos,,Q1\n",
        );
        let a = OrgAttributes::parse(&src).unwrap();
        assert_eq!(a.get("QUY", "cluster"), Some("Q1"));
        assert_eq!(a.population("QUY"), Some(950000.0));
        assert_eq!(a.population("QR1"), None);
        let bad = SourceFile::from_text("o.csv", "code,population\nA,many\nA,3\n");
        let e = OrgAttributes::parse(&bad).unwrap_err().to_string();
        assert!(e.contains("o.csv:2:1") && e.contains("\"many\""), "{e}");
        assert!(e.contains("lines 2 and 3"), "{e}");
    }
}
