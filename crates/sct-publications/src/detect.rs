//! Telling which publication a file is from its first row.

use std::fmt;

use serde::Serialize;

use crate::columns::Header;

/// A published file layout `sct` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Publication {
    /// NHS England, A&E Attendances and Emergency Admissions, monthly provider CSV.
    AeMonthly,
    /// NHS England, Referral to Treatment waiting times, full CSV extract (or its zip).
    RttFullExtract,
    /// NHS England, Ambulance Quality Indicators: system indicators (AmbSYS CSV).
    AmbSys,
    /// NHS England, Cancer Waiting Times, CWT-CRS provider data extract (its sheet's rows).
    CancerWaitingTimes,
    /// OHID Fingertips indicator data (CSV download).
    Fingertips,
    /// NHS Organisation Data Service, NHS trusts (`etr.csv`): no header row.
    OdsTrusts,
    /// ONS, sub-ICB locations to ICBs to NHS England regions lookup (CSV).
    OnsSubIcbLookup,
}

impl Publication {
    /// Every publication, in a stable order.
    pub const ALL: [Publication; 7] = [
        Publication::AeMonthly,
        Publication::RttFullExtract,
        Publication::AmbSys,
        Publication::CancerWaitingTimes,
        Publication::Fingertips,
        Publication::OdsTrusts,
        Publication::OnsSubIcbLookup,
    ];

    /// The id used to name it explicitly.
    pub fn id(self) -> &'static str {
        match self {
            Publication::AeMonthly => "ae-monthly",
            Publication::RttFullExtract => "rtt-full-extract",
            Publication::AmbSys => "ambsys",
            Publication::CancerWaitingTimes => "cancer-waiting-times",
            Publication::Fingertips => "fingertips",
            Publication::OdsTrusts => "ods-trusts",
            Publication::OnsSubIcbLookup => "ons-sub-icb-lookup",
        }
    }

    /// Its name in words, with who publishes it.
    pub fn title(self) -> &'static str {
        match self {
            Publication::AeMonthly => {
                "NHS England A&E Attendances and Emergency Admissions (monthly provider CSV)"
            }
            Publication::RttFullExtract => {
                "NHS England Referral to Treatment waiting times (full CSV extract)"
            }
            Publication::AmbSys => {
                "NHS England Ambulance Quality Indicators, system indicators (AmbSYS CSV)"
            }
            Publication::CancerWaitingTimes => {
                "NHS England Cancer Waiting Times, CWT-CRS provider data extract (xlsx)"
            }
            Publication::Fingertips => "OHID Fingertips indicator data (CSV download)",
            Publication::OdsTrusts => "NHS ODS NHS trusts file (etr.csv)",
            Publication::OnsSubIcbLookup => {
                "ONS sub-ICB locations to ICBs to NHS England regions lookup"
            }
        }
    }

    /// Parses an id.
    pub fn parse(id: &str) -> Option<Publication> {
        Publication::ALL.into_iter().find(|p| p.id() == id.trim())
    }

    /// Every publication in words, for an error listing what is known.
    pub fn known() -> String {
        Publication::ALL
            .iter()
            .map(|p| format!("{} ({})", p.title(), p.id()))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl fmt::Display for Publication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// The A&E columns present in every edition, current and pre-2021 wording alike.
const AE_KEYS: [&str; 3] = ["Period", "Org Code", "Parent Org"];

/// The publication whose layout `first_row` (the header, or the first record of a file
/// without one) is, if any.
pub fn detect(first_row: &[&str]) -> Option<Publication> {
    let header = Header::new(first_row.iter().copied());
    if header.has_all(&AE_KEYS)
        && header
            .find(&["A&E attendances Type 1", "Number of A&E attendances Type 1"])
            .is_some()
    {
        return Some(Publication::AeMonthly);
    }
    if header.has_all(&[
        "Provider Org Code",
        "RTT Part Type",
        "Gt 00 To 01 Weeks SUM 1",
    ]) {
        return Some(Publication::RttFullExtract);
    }
    if header.has_all(&["Year", "Month", "Org Code", "A0", "A24"]) {
        return Some(Publication::AmbSys);
    }
    if header.has_all(&["STANDARD", "ORG CODE", "TOTAL TREATED", "WITHIN STANDARD"]) {
        return Some(Publication::CancerWaitingTimes);
    }
    if header.has_all(&["Indicator ID", "Area Code", "Time period", "Value"]) {
        return Some(Publication::Fingertips);
    }
    if is_ons_lookup(&header) {
        return Some(Publication::OnsSubIcbLookup);
    }
    if is_etr_record(first_row) {
        return Some(Publication::OdsTrusts);
    }
    None
}

/// The publication a file is, from its first bytes (a CSV's first row; a zip is not opened
/// here).
pub fn detect_start(start: &[u8]) -> Option<Publication> {
    let start = start.strip_prefix(b"\xef\xbb\xbf").unwrap_or(start);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(start);
    let first: Vec<String> = reader
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let fields: Vec<&str> = first.iter().map(String::as_str).collect();
    detect(&fields)
}

/// The ONS lookup's headers carry the boundary year: `LOC22CDH`, `SICBL23CDH`, `ICB23CDH`.
fn is_ons_lookup(header: &Header) -> bool {
    let has = |prefixes: &[&str]| {
        header.raw.iter().any(|h| {
            let h = h.trim_start_matches('\u{feff}').trim().to_ascii_uppercase();
            prefixes.iter().any(|p| {
                h.strip_prefix(p)
                    .and_then(|rest| rest.strip_suffix("CDH"))
                    .is_some_and(|year| year.len() == 2 && year.bytes().all(|b| b.is_ascii_digit()))
            })
        })
    };
    has(&["LOC", "SICBL", "CCG"]) && has(&["ICB"])
}

/// An `etr.csv` record: an ODS code, a name, a region (`Y..` or `W00`) and an ICB code
/// (`Q..`) in the first four of its 27 fields.
fn is_etr_record(row: &[&str]) -> bool {
    let code = |s: &str, first: u8| {
        let s = s.trim().as_bytes();
        s.len() == 3 && s[0] == first && s[1..].iter().all(u8::is_ascii_alphanumeric)
    };
    row.len() >= 4
        && (code(row[2], b'Y') || row[2].trim() == "W00")
        && code(row[3], b'Q')
        && !row[0].trim().is_empty()
        && row[0].trim().bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layouts_are_told_apart_by_their_first_row() {
        let ae = [
            "Period",
            "Org Code",
            "Parent Org",
            "Org name",
            "A&E attendances Type 1",
        ];
        assert_eq!(detect(&ae), Some(Publication::AeMonthly));
        let old = [
            "Period",
            "Org Code",
            "Parent Org",
            "Org name",
            "Number of A&E attendances Type 1",
        ];
        assert_eq!(detect(&old), Some(Publication::AeMonthly));
        let ons = [
            "\u{feff}LOC22CD",
            "LOC22CDH",
            "LOC22NM",
            "ICB22CD",
            "ICB22CDH",
            "ICB22NM",
        ];
        assert_eq!(detect(&ons), Some(Publication::OnsSubIcbLookup));
        let newer = [
            "SICBL23CD",
            "SICBL23CDH",
            "SICBL23NM",
            "ICB23CD",
            "ICB23CDH",
        ];
        assert_eq!(detect(&newer), Some(Publication::OnsSubIcbLookup));
        let etr = [
            "R0A",
            "MANCHESTER UNIVERSITY NHS FOUNDATION TRUST",
            "Y62",
            "QOP",
            "",
        ];
        assert_eq!(detect(&etr), Some(Publication::OdsTrusts));
        assert_eq!(
            detect(&["organisation", "indicator", "period", "value"]),
            None
        );
    }

    #[test]
    fn ids_parse_back() {
        for p in Publication::ALL {
            assert_eq!(Publication::parse(p.id()), Some(p));
        }
        assert!(Publication::known().contains("ae-monthly"));
    }
}
