//! OHID's Fingertips indicator data CSV, as the site's "download data" gives it: one row per
//! indicator, area, sex, age, category and period; 27 columns (26 in exports before about
//! 2021, whose rows have 25 fields); the 23rd column named after the comparator area type;
//! ICB and sub-ICB codes with an `n` prefix; financial years, calendar years, quarters and
//! pooled periods such as `2021 - 23`; the England row repeated for each area type.
//!
//! Each indicator becomes a measure as published (value, count, denominator and the 95%
//! confidence limits); breakdowns by deprivation category are left out (they are not areas),
//! each sex and age breakdown is its own series. The method is in
//! `docs/methods/publications.md`.

use std::collections::BTreeMap;

use crate::columns::Header;
use crate::detect::Publication;
use crate::error::PublicationError;
use crate::model::{Measure, Observation, OrgLevel, Organisation, Period};

struct Columns {
    indicator: usize,
    name: usize,
    area_code: usize,
    area_name: usize,
    area_type: usize,
    parent_code: usize,
    sex: usize,
    age: usize,
    category_type: usize,
    period: usize,
    value: usize,
    lower: usize,
    upper: usize,
    count: usize,
    denominator: usize,
}

impl Columns {
    fn find(header: &Header, file: &str) -> Result<Columns, PublicationError> {
        let title = Publication::Fingertips.title();
        let need = |name: &str| header.require(file, title, &[name]);
        Ok(Columns {
            indicator: need("Indicator ID")?,
            name: need("Indicator Name")?,
            area_code: need("Area Code")?,
            area_name: need("Area Name")?,
            area_type: need("Area Type")?,
            parent_code: need("Parent Code")?,
            sex: need("Sex")?,
            age: need("Age")?,
            category_type: need("Category Type")?,
            period: need("Time period")?,
            value: need("Value")?,
            lower: need("Lower CI 95.0 limit")?,
            upper: need("Upper CI 95.0 limit")?,
            count: need("Count")?,
            denominator: need("Denominator")?,
        })
    }
}

/// The series of one file: each (indicator, sex, age) gets a number, in the order first
/// seen, and a name.
#[derive(Default)]
struct Series {
    numbers: BTreeMap<(u32, String, String), u16>,
    names: Vec<(Measure, String)>,
}

impl Series {
    fn measure(&mut self, indicator: u32, name: &str, sex: &str, age: &str) -> Measure {
        let next = self
            .numbers
            .keys()
            .filter(|(i, _, _)| *i == indicator)
            .count();
        let key = (indicator, sex.to_string(), age.to_string());
        let series = *self
            .numbers
            .entry(key)
            .or_insert_with(|| u16::try_from(next).unwrap_or(u16::MAX));
        let measure = Measure::Fingertips { indicator, series };
        if !self.names.iter().any(|(m, _)| *m == measure) {
            self.names
                .push((measure, format!("{} ({sex}, {age})", name.trim())));
        }
        measure
    }
}

/// What one Fingertips file held.
pub type Read = (Vec<Period>, Vec<Observation>, Vec<(Measure, String)>);

/// Reads a Fingertips file's text. `file` names it in errors.
pub fn read(file: &str, text: &str) -> Result<Read, PublicationError> {
    let (header, records) = crate::lines::header_and_records(file, text)?;
    let columns = Columns::find(&header, file)?;
    let mut series = Series::default();
    let mut seen: BTreeMap<(String, Measure, Period), usize> = BTreeMap::new();
    let mut observations: Vec<Observation> = Vec::new();
    for row in records {
        let (record, line) = row?;
        let row = Row {
            record: &record,
            header: &header,
            file,
            line,
        };
        if !row.text(columns.category_type).is_empty() {
            continue;
        }
        let Some(observation) = row.observation(&columns, &mut series)? else {
            continue;
        };
        // The export repeats England (and parents) once per area type: keep one.
        let key = (
            observation.organisation.code.clone(),
            observation.measure,
            observation.period,
        );
        if seen.insert(key, observations.len()).is_none() {
            observations.push(observation);
        }
    }
    let mut periods: Vec<Period> = observations.iter().map(|o| o.period).collect();
    periods.sort();
    periods.dedup();
    Ok((periods, observations, series.names))
}

struct Row<'a> {
    record: &'a csv::StringRecord,
    header: &'a Header,
    file: &'a str,
    line: usize,
}

impl Row<'_> {
    fn text(&self, column: usize) -> &str {
        self.record.get(column).unwrap_or("").trim()
    }

    fn bad(&self, column: usize, expected: &str) -> PublicationError {
        PublicationError::BadCell {
            file: self.file.into(),
            line: self.line,
            column: self.header.raw[column].trim().to_string(),
            found: self.text(column).to_string(),
            expected: expected.into(),
        }
    }

    fn number(&self, column: usize) -> Result<Option<f64>, PublicationError> {
        match self.text(column) {
            "" => Ok(None),
            text => text
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| self.bad(column, "a number, or blank")),
        }
    }

    /// The row's observation; `None` for a row with no value (suppressed or not published).
    fn observation(
        &self,
        columns: &Columns,
        series: &mut Series,
    ) -> Result<Option<Observation>, PublicationError> {
        let indicator = self.text(columns.indicator).parse::<u32>().map_err(|_| {
            self.bad(
                columns.indicator,
                "a Fingertips indicator id (a whole number)",
            )
        })?;
        let period = parse_period(self.text(columns.period))
            .ok_or_else(|| self.bad(columns.period, PERIOD_FORMS))?;
        let Some(value) = self.number(columns.value)? else {
            return Ok(None);
        };
        let measure = series.measure(
            indicator,
            self.text(columns.name),
            self.text(columns.sex),
            self.text(columns.age),
        );
        Ok(Some(Observation {
            organisation: self.organisation(columns),
            measure,
            period,
            numerator: self.number(columns.count)?,
            denominator: self.number(columns.denominator)?,
            value: Some(value),
            lower: self.number(columns.lower)?,
            upper: self.number(columns.upper)?,
            line: self.line,
        }))
    }

    fn organisation(&self, columns: &Columns) -> Organisation {
        let (code, name) = (self.text(columns.area_code), self.text(columns.area_name));
        let level = area_level(self.text(columns.area_type));
        // ICBs and sub-ICB locations carry an `n` before their ONS code; their names end
        // with their ODS code (`... Integrated Care Board - QRV`), which is what NHS data use.
        let gss = code.strip_prefix('n').unwrap_or(code);
        let ods = name
            .rsplit_once(" - ")
            .map(|(_, c)| c.trim())
            .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphanumeric()));
        let code = match (level, ods) {
            (OrgLevel::Icb | OrgLevel::SubIcb, Some(ods)) => ods.to_ascii_uppercase(),
            (OrgLevel::National, _) => "ENGLAND".to_string(),
            _ => gss.to_string(),
        };
        Organisation {
            code,
            name: name.to_string(),
            level,
            parent: Some(self.text(columns.parent_code).to_string()).filter(|p| !p.is_empty()),
        }
    }
}

/// Fingertips' area types, as the levels `sct` knows.
fn area_level(area_type: &str) -> OrgLevel {
    let t = area_type.to_ascii_lowercase();
    if t == "england" || t == "country" {
        OrgLevel::National
    } else if t.starts_with("icb sub") || t.starts_with("sub-icb") || t.starts_with("sub icb") {
        OrgLevel::SubIcb
    } else if t == "icbs" || t == "icb" || t.starts_with("icbs ") {
        OrgLevel::Icb
    } else if t.contains("region") {
        OrgLevel::Region
    } else if t.contains("county") || t.contains("ua") || t.contains("district") {
        OrgLevel::LocalAuthority
    } else {
        OrgLevel::Other
    }
}

const PERIOD_FORMS: &str =
    "a Fingertips time period: 2015, 2013/14, 2023/24 Q1, 2021 - 23 or 2019/20 - 21/22";

/// A Fingertips time period.
fn parse_period(text: &str) -> Option<Period> {
    let year = |s: &str| {
        s.trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
    };
    // "2013/14": a financial year; the second part is the next year's last two digits.
    let financial = |s: &str| {
        let (a, b) = s.trim().split_once('/')?;
        let start = year(a)?;
        (b.trim().parse::<i32>().ok()? == (start + 1).rem_euclid(100)).then_some(start)
    };
    let text = text.trim();
    if let Some((from, to)) = text.split_once(" - ") {
        // "2021 - 23" or "2019/20 - 21/22": the end is written with two digits.
        let (from_year, is_financial) = match financial(from) {
            Some(y) => (y, true),
            None => (year(from)?, false),
        };
        let end_two = to.trim().split('/').next()?.trim();
        let end = if end_two.len() == 2 {
            let century = from_year - from_year.rem_euclid(100);
            let mut end = century + end_two.parse::<i32>().ok()?;
            if end < from_year {
                end += 100;
            }
            end
        } else {
            year(end_two)?
        };
        return (end > from_year).then_some(Period::Pooled {
            from: from_year,
            to: end,
            financial: is_financial,
        });
    }
    if let Some((fy, q)) = text.split_once(" Q") {
        let quarter = q
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|q| (1..=4).contains(q))?;
        return Some(Period::Quarter {
            start: financial(fy)?,
            quarter,
        });
    }
    if let Some(start) = financial(text) {
        return Some(Period::FinancialYear { start });
    }
    year(text)
        .filter(|_| text.len() == 4)
        .map(|year| Period::CalendarYear { year })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_period_form_reads() {
        assert_eq!(
            parse_period("2015"),
            Some(Period::CalendarYear { year: 2015 })
        );
        assert_eq!(
            parse_period("2013/14"),
            Some(Period::FinancialYear { start: 2013 })
        );
        assert_eq!(
            parse_period("2023/24 Q1"),
            Some(Period::Quarter {
                start: 2023,
                quarter: 1
            })
        );
        assert_eq!(
            parse_period("2021 - 23"),
            Some(Period::Pooled {
                from: 2021,
                to: 2023,
                financial: false
            })
        );
        assert_eq!(
            parse_period("2019/20 - 21/22"),
            Some(Period::Pooled {
                from: 2019,
                to: 2021,
                financial: true
            })
        );
        assert_eq!(
            parse_period("1998 - 02"),
            Some(Period::Pooled {
                from: 1998,
                to: 2002,
                financial: false
            })
        );
        for bad in ["", "2013/15", "15", "2015 - 2014", "2023/24 Q5", "Jan 2023"] {
            assert_eq!(parse_period(bad), None, "{bad}");
        }
    }

    #[test]
    fn area_types_map_to_levels() {
        assert_eq!(area_level("England"), OrgLevel::National);
        assert_eq!(area_level("Country"), OrgLevel::National);
        assert_eq!(area_level("ICBs"), OrgLevel::Icb);
        assert_eq!(area_level("ICB sub-locations"), OrgLevel::SubIcb);
        assert_eq!(area_level("Regions (statistical)"), OrgLevel::Region);
        assert_eq!(area_level("County & UA"), OrgLevel::LocalAuthority);
        assert_eq!(area_level("GPs"), OrgLevel::Other);
    }
}
