//! NHS England's Ambulance Quality Indicators, system indicators (AmbSYS) CSV: one row per
//! month and organisation (England, the NHS England regions and the ambulance trusts), the
//! indicators in columns named only by code (`A0` to `A148`, not in numeric order, more of
//! them in later editions), `.` where a value is missing or does not apply.
//!
//! From each row: the Category 1 and Category 2 mean response times (as published, in
//! seconds, with the total response time and the number of incidents behind them, so that
//! they can be combined), and their 90th centiles (as published; a centile cannot be
//! combined). The method and the codes are in `docs/methods/publications.md`.

use crate::columns::Header;
use crate::detect::Publication;
use crate::error::PublicationError;
use crate::model::{Measure, Observation, OrgLevel, Organisation, Period};

/// The AmbSYS codes of one category: total response time (seconds), incidents, the mean
/// (seconds) and the 90th centile (seconds).
struct Category {
    mean: Measure,
    centile: Measure,
    total: &'static str,
    incidents: &'static str,
    published_mean: &'static str,
    published_centile: &'static str,
}

/// Category 1 (life-threatening) and Category 2 (emergency), from the AmbSYS specification.
const CATEGORIES: [Category; 2] = [
    Category {
        mean: Measure::AmbulanceCategory1Mean,
        centile: Measure::AmbulanceCategory1Centile90,
        total: "A24",
        incidents: "A8",
        published_mean: "A25",
        published_centile: "A26",
    },
    Category {
        mean: Measure::AmbulanceCategory2Mean,
        centile: Measure::AmbulanceCategory2Centile90,
        total: "A30",
        incidents: "A10",
        published_mean: "A31",
        published_centile: "A32",
    },
];

struct Columns {
    year: usize,
    month: usize,
    region: usize,
    code: usize,
    name: usize,
    /// Per category: total, incidents, mean, centile.
    categories: Vec<[usize; 4]>,
}

impl Columns {
    fn find(header: &Header, file: &str) -> Result<Columns, PublicationError> {
        let title = Publication::AmbSys.title();
        let need = |name: &str| header.require(file, title, &[name]);
        let categories = CATEGORIES
            .iter()
            .map(|c| {
                Ok([
                    need(c.total)?,
                    need(c.incidents)?,
                    need(c.published_mean)?,
                    need(c.published_centile)?,
                ])
            })
            .collect::<Result<_, PublicationError>>()?;
        Ok(Columns {
            year: need("Year")?,
            month: need("Month")?,
            region: need("Region")?,
            code: need("Org Code")?,
            name: need("Org Name")?,
            categories,
        })
    }
}

/// Reads an AmbSYS file's text. `file` names it in errors.
pub fn read(file: &str, text: &str) -> Result<(Vec<Period>, Vec<Observation>), PublicationError> {
    let (header, records) = crate::lines::header_and_records(file, text)?;
    let columns = Columns::find(&header, file)?;
    let mut periods = Vec::new();
    let mut observations = Vec::new();
    for row in records {
        let (record, line) = row?;
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let bad = |column: usize, expected: &str| PublicationError::BadCell {
            file: file.into(),
            line,
            column: header.raw[column].trim().to_string(),
            found: cell(column).to_string(),
            expected: expected.into(),
        };
        let year = cell(columns.year)
            .parse::<i32>()
            .ok()
            .filter(|y| (1990..=2200).contains(y));
        let month = cell(columns.month)
            .parse::<u32>()
            .ok()
            .filter(|m| (1..=12).contains(m));
        let period = match (year, month) {
            (Some(year), Some(month)) => Period::Month { year, month },
            (None, _) => return Err(bad(columns.year, "a year, such as 2020")),
            (_, None) => return Err(bad(columns.month, "a month number, 1 to 12")),
        };
        if !periods.contains(&period) {
            periods.push(period);
        }
        let org = organisation(cell(columns.code), cell(columns.name), cell(columns.region));
        for (category, cols) in CATEGORIES.iter().zip(&columns.categories) {
            let number = |i: usize| -> Result<Option<f64>, PublicationError> {
                match cell(cols[i]) {
                    "." | "" => Ok(None),
                    text => text
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite() && *v >= 0.0)
                        .map(Some)
                        .ok_or_else(|| {
                            bad(
                                cols[i],
                                "a number of seconds or incidents, or . for missing",
                            )
                        }),
                }
            };
            let (total, incidents, mean, centile) =
                (number(0)?, number(1)?, number(2)?, number(3)?);
            if let Some(mean) = mean {
                observations.push(Observation {
                    organisation: org.clone(),
                    measure: category.mean,
                    period,
                    numerator: total,
                    denominator: incidents,
                    value: Some(mean),
                    lower: None,
                    upper: None,
                    line,
                });
            }
            if let Some(centile) = centile {
                observations.push(Observation {
                    organisation: org.clone(),
                    measure: category.centile,
                    period,
                    numerator: None,
                    denominator: None,
                    value: Some(centile),
                    lower: None,
                    upper: None,
                    line,
                });
            }
        }
    }
    periods.sort();
    Ok((periods, observations))
}

/// England (`Eng`), a region (its code `Y..` in Org Code, its name in Region) or a trust (its
/// region's code in Region).
fn organisation(code: &str, name: &str, region: &str) -> Organisation {
    let is_region =
        code.len() == 3 && code.starts_with('Y') && code[1..].bytes().all(|b| b.is_ascii_digit());
    let (level, parent) = if code.eq_ignore_ascii_case("eng") {
        (OrgLevel::National, None)
    } else if is_region {
        (OrgLevel::Region, None)
    } else {
        (
            OrgLevel::Provider,
            Some(region.to_string()).filter(|r| !r.is_empty()),
        )
    };
    Organisation {
        code: if level == OrgLevel::National {
            "ENGLAND".into()
        } else {
            code.to_ascii_uppercase()
        },
        name: name.to_string(),
        level,
        parent,
    }
}
