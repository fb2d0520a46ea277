//! The organisation lookups as NHS England's Organisation Data Service and the ONS publish
//! them: the ODS NHS trusts file (`etr.csv`, no header row; each trust's ICB in its fourth
//! column) and the ONS sub-ICB locations to ICBs to NHS England regions lookup (CSV; GSS codes
//! `E38`/`E54`/`E40` beside ODS codes). Both become one [`Lookup`]: from an organisation's
//! code to its ICB.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::columns::Header;
use crate::detect::{Publication, detect};
use crate::error::PublicationError;
use crate::lines::records;

/// Where an organisation belongs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    /// The organisation's code (ODS, or the ONS GSS code).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its ICB's ODS code (`Q..`).
    pub icb: String,
    /// Its ICB's name, where the lookup gives it.
    pub icb_name: Option<String>,
    /// Its NHS England region's code, where the lookup gives it.
    pub region: Option<String>,
    /// The date it closed (`YYYYMMDD` as published), if it has.
    pub closed: Option<String>,
    /// The lookup it came from.
    pub source: Publication,
}

/// Organisation codes to their ICBs, from one or more published lookups.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Lookup {
    members: BTreeMap<String, Membership>,
}

impl Lookup {
    /// Reads a lookup file's text, telling the layout from its first row.
    pub fn read(file: &str, text: &str) -> Result<Lookup, PublicationError> {
        let first_line = text.lines().next().unwrap_or("");
        let first = csv_record(first_line);
        let fields: Vec<&str> = first.iter().map(String::as_str).collect();
        match detect(&fields) {
            Some(Publication::OdsTrusts) => read_etr(file, text),
            Some(Publication::OnsSubIcbLookup) => read_ons(file, text),
            _ => Err(PublicationError::UnknownLayout {
                file: file.to_string(),
                start: first_line.chars().take(60).collect(),
                known: format!(
                    "{}; {}",
                    Publication::OdsTrusts.title(),
                    Publication::OnsSubIcbLookup.title()
                ),
            }),
        }
    }

    /// Adds another lookup's members; where both know a code, `other`'s wins.
    pub fn extend(&mut self, other: Lookup) {
        self.members.extend(other.members);
    }

    /// The membership of an organisation code (case and spaces ignored).
    pub fn get(&self, code: &str) -> Option<&Membership> {
        self.members.get(&code.trim().to_ascii_uppercase())
    }

    /// How many organisations it knows.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether it knows none.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Every membership, by code.
    pub fn iter(&self) -> impl Iterator<Item = &Membership> {
        self.members.values()
    }

    fn insert(&mut self, m: Membership) {
        self.members.insert(m.code.clone(), m);
    }
}

/// One CSV line's fields.
fn csv_record(line: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes());
    reader
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .unwrap_or_default()
}

/// `etr.csv`: code, name, region, ICB, address lines, postcode, open date, close date, ...
fn read_etr(file: &str, text: &str) -> Result<Lookup, PublicationError> {
    let mut lookup = Lookup::default();
    for record in records(file, text) {
        let (record, line) = record?;
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        if record.len() < 12 {
            return Err(PublicationError::BadCell {
                file: file.into(),
                line,
                column: "the whole record".into(),
                found: format!("{} fields", record.len()),
                expected: "the 27 fields of the ODS trust file (code, name, region, ICB, address, postcode, open and close dates, ...)".into(),
            });
        }
        lookup.insert(Membership {
            code: field(0).to_ascii_uppercase(),
            name: field(1).to_string(),
            icb: field(3).to_ascii_uppercase(),
            icb_name: None,
            region: Some(field(2).to_string()).filter(|r| !r.is_empty()),
            closed: Some(field(11).to_string()).filter(|c| !c.is_empty()),
            source: Publication::OdsTrusts,
        });
    }
    Ok(lookup)
}

/// The ONS lookup: `LOC22CD,LOC22CDH,LOC22NM,ICB22CD,ICB22CDH,ICB22NM,NHSER22CD,NHSER22CDH,...`
/// (the year and the `LOC`/`SICBL` prefix vary by edition). Each sub-ICB location is known by
/// its ODS code and its GSS code.
fn read_ons(file: &str, text: &str) -> Result<Lookup, PublicationError> {
    let mut rows = records(file, text);
    let header = match rows.next() {
        Some(r) => r?.0,
        None => return Err(PublicationError::NoRows { file: file.into() }),
    };
    let header = Header::new(header.iter());
    let column = |prefixes: &[&str], suffix: &str| -> Result<usize, PublicationError> {
        header
            .raw
            .iter()
            .position(|h| {
                let h = h.trim_start_matches('\u{feff}').trim().to_ascii_uppercase();
                prefixes.iter().any(|p| {
                    h.strip_prefix(p)
                        .and_then(|r| r.strip_suffix(suffix))
                        .is_some_and(|y| y.len() == 2 && y.bytes().all(|b| b.is_ascii_digit()))
                })
            })
            .ok_or_else(|| PublicationError::MissingColumn {
                file: file.into(),
                publication: Publication::OnsSubIcbLookup.title().into(),
                expected: format!("{}YY{suffix}", prefixes[0]),
                nearest: header.nearest(&format!("{}22{suffix}", prefixes[0])),
            })
    };
    let location = ["LOC", "SICBL", "CCG"];
    let (gss, ods, name) = (
        column(&location, "CD")?,
        column(&location, "CDH")?,
        column(&location, "NM")?,
    );
    let (icb_ods, icb_name) = (column(&["ICB"], "CDH")?, column(&["ICB"], "NM")?);
    let region = column(&["NHSER"], "CDH").ok();
    let mut lookup = Lookup::default();
    for record in rows {
        let (record, _) = record?;
        let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        if field(ods).is_empty() {
            continue;
        }
        for code in [field(ods), field(gss)] {
            lookup.insert(Membership {
                code: code.to_ascii_uppercase(),
                name: field(name),
                icb: field(icb_ods).to_ascii_uppercase(),
                icb_name: Some(field(icb_name)),
                region: region.map(field),
                closed: None,
                source: Publication::OnsSubIcbLookup,
            });
        }
    }
    Ok(lookup)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ETR: &str = "\"R0A\",\"MANCHESTER UNIVERSITY NHS FOUNDATION TRUST\",\"Y62\",\"QOP\",\"COBBETT HOUSE\",\"OXFORD ROAD\",\"\",\"MANCHESTER\",\"\",\"M13 9WL\",\"20171001\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"0\",\"\",\"B\",\"\",\"\",\"\"\r\n\"RYK\",\"OLD TRUST\",\"Y60\",\"QUA\",\"A\",\"\",\"\",\"\",\"\",\"X1 1XX\",\"20000101\",\"20240331\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"0\",\"\",\"F\",\"\",\"\",\"\"\r\n";

    #[test]
    fn the_ods_trust_file_maps_trusts_to_icbs() {
        let l = Lookup::read("etr.csv", ETR).unwrap();
        assert_eq!(l.len(), 2);
        let m = l.get(" r0a ").unwrap();
        assert_eq!(m.icb, "QOP");
        assert_eq!(m.region.as_deref(), Some("Y62"));
        assert_eq!(l.get("RYK").unwrap().closed.as_deref(), Some("20240331"));
    }

    #[test]
    fn the_ons_lookup_maps_both_codes_of_a_location() {
        let text = "\u{feff}LOC22CD,LOC22CDH,LOC22NM,ICB22CD,ICB22CDH,ICB22NM,NHSER22CD,NHSER22CDH,NHSER22NM\r\nE38000006,02P,NHS South Yorkshire ICB - 02P,E54000061,QF7,NHS South Yorkshire Integrated Care Board,E40000012,Y63,North East and Yorkshire";
        let l = Lookup::read("lu.csv", text).unwrap();
        assert_eq!(l.get("02P").unwrap().icb, "QF7");
        assert_eq!(l.get("E38000006").unwrap().icb, "QF7");
        assert_eq!(l.get("02p").unwrap().region.as_deref(), Some("Y63"));
    }

    #[test]
    fn an_unknown_lookup_says_what_is_known() {
        let err = Lookup::read("x.csv", "a,b,c\n1,2,3\n").unwrap_err();
        assert!(err.to_string().contains("etr.csv"), "{err}");
    }
}
