//! NHS England's monthly A&E Attendances and Emergency Admissions CSV, one row per provider
//! and a national total row, in the wording used since 2021 (`A&E attendances Type 1`,
//! booked appointments in their own columns) and the older wording (`Number of A&E
//! attendances Type 1`, no booked appointments).
//!
//! From each row: attendances (all types, booked appointments included), the share of them
//! admitted, transferred or discharged within 4 hours (all types, and type 1), patients
//! waiting 12 hours or more from decision to admit, and emergency admissions (via A&E and
//! other). The method, with its sources, is in `docs/methods/publications.md`.

use crate::columns::Header;
use crate::detect::Publication;
use crate::error::PublicationError;
use crate::lines::LineCounter;
use crate::model::{Measure, Observation, OrgLevel, Organisation, Period};

/// A column and the spellings the publication has used for it, current first.
type Spellings = &'static [&'static str];

const PERIOD: Spellings = &["Period"];
const ORG_CODE: Spellings = &["Org Code"];
const PARENT: Spellings = &["Parent Org"];
const ORG_NAME: Spellings = &["Org name"];
const ATTENDANCES: [Spellings; 3] = [
    &["A&E attendances Type 1", "Number of A&E attendances Type 1"],
    &["A&E attendances Type 2", "Number of A&E attendances Type 2"],
    &[
        "A&E attendances Other A&E Department",
        "Number of A&E attendances Other A&E Department",
    ],
];
const BOOKED: [Spellings; 3] = [
    &["A&E attendances Booked Appointments Type 1"],
    &["A&E attendances Booked Appointments Type 2"],
    &["A&E attendances Booked Appointments Other Department"],
];
const OVER_FOUR: [Spellings; 3] = [
    &[
        "Attendances over 4hrs Type 1",
        "Number of attendances over 4hrs Type 1",
    ],
    &[
        "Attendances over 4hrs Type 2",
        "Number of attendances over 4hrs Type 2",
    ],
    &[
        "Attendances over 4hrs Other Department",
        "Number of attendances over 4hrs Other A&E Department",
    ],
];
const OVER_FOUR_BOOKED: [Spellings; 3] = [
    &["Attendances over 4hrs Booked Appointments Type 1"],
    &["Attendances over 4hrs Booked Appointments Type 2"],
    &["Attendances over 4hrs Booked Appointments Other Department"],
];
const TWELVE_HOURS: Spellings = &[
    "Patients who have waited 12+ hrs from DTA to admission",
    "Number of patients spending >12 hours from decision to admit to admission",
];
const ADMISSIONS: [Spellings; 4] = [
    &["Emergency admissions via A&E - Type 1"],
    &["Emergency admissions via A&E - Type 2"],
    &["Emergency admissions via A&E - Other A&E department"],
    &[
        "Other emergency admissions",
        "Other Emergency admissions (i.e not via A&E)",
    ],
];

/// Every spelling of every column the reader knows.
fn every_spelling() -> impl Iterator<Item = &'static str> {
    let singles = [PERIOD, ORG_CODE, PARENT, ORG_NAME, TWELVE_HOURS];
    let groups = [ATTENDANCES, BOOKED, OVER_FOUR, OVER_FOUR_BOOKED];
    singles
        .into_iter()
        .chain(groups.into_iter().flatten())
        .chain(ADMISSIONS)
        .flatten()
        .copied()
}

/// Where each column is in one file.
struct Columns {
    period: usize,
    code: usize,
    parent: usize,
    name: usize,
    attendances: [usize; 3],
    /// Absent in the older wording, which had no booked appointments.
    booked: [Option<usize>; 3],
    over_four: [usize; 3],
    over_four_booked: [Option<usize>; 3],
    twelve_hours: usize,
    admissions: [usize; 4],
}

impl Columns {
    fn find(header: &Header, file: &str) -> Result<Columns, PublicationError> {
        let mut header = header.clone();
        header.claim(every_spelling());
        let header = &header;
        let title = Publication::AeMonthly.title();
        let need = |names: Spellings| header.require(file, title, names);
        let need_all = |names: &[Spellings]| -> Result<Vec<usize>, PublicationError> {
            names.iter().map(|n| need(n)).collect()
        };
        let three = |v: Vec<usize>| [v[0], v[1], v[2]];
        let optional = |names: &[Spellings; 3]| names.map(|n| header.find(n));
        let admissions = need_all(&ADMISSIONS)?;
        Ok(Columns {
            period: need(PERIOD)?,
            code: need(ORG_CODE)?,
            parent: need(PARENT)?,
            name: need(ORG_NAME)?,
            attendances: three(need_all(&ATTENDANCES)?),
            booked: optional(&BOOKED),
            over_four: three(need_all(&OVER_FOUR)?),
            over_four_booked: optional(&OVER_FOUR_BOOKED),
            twelve_hours: need(TWELVE_HOURS)?,
            admissions: [admissions[0], admissions[1], admissions[2], admissions[3]],
        })
    }
}

/// One row's cells, with its place for errors.
struct Row<'a> {
    record: &'a csv::StringRecord,
    header: &'a Header,
    file: &'a str,
    line: usize,
}

impl<'a> Row<'a> {
    fn new(
        record: &'a csv::StringRecord,
        header: &'a Header,
        file: &'a str,
        line: usize,
    ) -> Row<'a> {
        Row {
            record,
            header,
            file,
            line,
        }
    }

    fn text(&self, column: usize) -> &str {
        self.record.get(column).unwrap_or("").trim()
    }

    /// A count: a whole number, commas allowed; blank is `None`.
    fn count(&self, column: usize) -> Result<Option<f64>, PublicationError> {
        let text = self.text(column).replace(',', "");
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<u64>() {
            Ok(n) => Ok(Some(n as f64)),
            Err(_) => Err(PublicationError::BadCell {
                file: self.file.to_string(),
                line: self.line,
                column: self.header.raw[column].trim().to_string(),
                found: self.text(column).to_string(),
                expected: "a whole number of patients, or blank".into(),
            }),
        }
    }

    /// The sum of some counts; `None` if any is blank. An absent column counts 0.
    fn sum(&self, columns: &[Option<usize>]) -> Result<Option<f64>, PublicationError> {
        let mut total = 0.0;
        for column in columns.iter().flatten() {
            match self.count(*column)? {
                Some(n) => total += n,
                None => return Ok(None),
            }
        }
        Ok(Some(total))
    }
}

/// Reads an A&E file's text. `file` names it in errors.
pub fn read(file: &str, text: &str) -> Result<(Vec<Period>, Vec<Observation>), PublicationError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let first = match records.next() {
        Some(r) => r.map_err(|e| PublicationError::csv(file, text.as_bytes(), &e))?,
        None => return Err(PublicationError::NoRows { file: file.into() }),
    };
    let header = Header::new(first.iter());
    let columns = Columns::find(&header, file)?;
    let mut periods: Vec<Period> = Vec::new();
    let mut observations = Vec::new();
    // The total row's Period cell may say TOTAL too: it takes the month of the rows it totals.
    let mut total_rows = Vec::new();
    let mut lines = LineCounter::new(text.as_bytes());
    for record in records {
        let record = record.map_err(|e| PublicationError::csv(file, text.as_bytes(), &e))?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let row = Row::new(&record, &header, file, lines.of(&record));
        if is_total(&row, &columns) && row.text(columns.period).eq_ignore_ascii_case("total") {
            total_rows.push((record.clone(), row.line));
            continue;
        }
        let period = period(&row, columns.period)?;
        if !periods.contains(&period) {
            periods.push(period);
        }
        observations.extend(row_observations(&row, &columns, period)?);
    }
    for (record, line) in &total_rows {
        let row = Row::new(record, &header, file, *line);
        let [period] = periods[..] else {
            return Err(PublicationError::BadCell {
                file: file.to_string(),
                line: row.line,
                column: header.raw[columns.period].trim().to_string(),
                found: row.text(columns.period).to_string(),
                expected: "a month: a total row can only take its month from a file of one month"
                    .into(),
            });
        };
        observations.extend(row_observations(&row, &columns, period)?);
    }
    if observations.is_empty() {
        return Err(PublicationError::NoRows { file: file.into() });
    }
    periods.sort();
    Ok((periods, observations))
}

/// The month of `MSitAE-SEPTEMBER-2024` (the prefix may be missing).
fn period(row: &Row<'_>, column: usize) -> Result<Period, PublicationError> {
    let text = row.text(column);
    let mut parts = text.rsplit('-');
    let year = parts.next().and_then(|y| y.trim().parse::<i32>().ok());
    let month = parts.next().and_then(month_number);
    match (year, month) {
        (Some(year), Some(month)) if (1990..=2200).contains(&year) => {
            Ok(Period::Month { year, month })
        }
        _ => Err(PublicationError::BadCell {
            file: row.file.to_string(),
            line: row.line,
            column: row.header.raw[column].trim().to_string(),
            found: text.to_string(),
            expected: "a month as NHS England writes it, such as MSitAE-SEPTEMBER-2024".into(),
        }),
    }
}

/// `SEPTEMBER`, `September` or `Sep` as 9.
pub(crate) fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let name = name.trim().to_lowercase();
    if name.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| *m == name || (name.len() == 3 && m.starts_with(&name)))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// The organisation of a row: a provider, or England for the total row (spelled `TOTAL`,
/// `Total` or `Total `).
/// Whether a row is the file's national total row.
fn is_total(row: &Row<'_>, columns: &Columns) -> bool {
    row.text(columns.code).eq_ignore_ascii_case("total")
}

fn organisation(row: &Row<'_>, columns: &Columns) -> Organisation {
    let code = row.text(columns.code);
    if is_total(row, columns) {
        return Organisation {
            code: "ENGLAND".into(),
            name: "England (the file's total row)".into(),
            level: OrgLevel::National,
            parent: None,
        };
    }
    Organisation {
        code: code.to_ascii_uppercase(),
        name: row.text(columns.name).to_string(),
        level: OrgLevel::Provider,
        parent: Some(row.text(columns.parent).to_string()).filter(|p| !p.is_empty()),
    }
}

fn row_observations(
    row: &Row<'_>,
    columns: &Columns,
    period: Period,
) -> Result<Vec<Observation>, PublicationError> {
    let org = organisation(row, columns);
    let some = |c: [usize; 3]| c.map(Some);
    let all = |a: [usize; 3], b: [Option<usize>; 3]| [some(a), b].concat();
    let attendances = row.sum(&all(columns.attendances, columns.booked))?;
    let over_four = row.sum(&all(columns.over_four, columns.over_four_booked))?;
    let type1 = row.sum(&[Some(columns.attendances[0]), columns.booked[0]])?;
    let type1_over = row.sum(&[Some(columns.over_four[0]), columns.over_four_booked[0]])?;
    let twelve = row.count(columns.twelve_hours)?;
    let admissions = row.sum(&columns.admissions.map(Some))?;
    let line = row.line;
    let mut out = Vec::with_capacity(5);
    let mut proportion = |measure, within: Option<(f64, f64)>| {
        if let Some((total, over)) = within.filter(|(total, _)| *total > 0.0) {
            out.push(Observation::proportion(
                org.clone(),
                measure,
                period,
                (total - over, total),
                line,
            ));
        }
    };
    proportion(Measure::AeFourHourAll, attendances.zip(over_four));
    proportion(Measure::AeFourHourType1, type1.zip(type1_over));
    let counts = [
        (Measure::AeAttendances, attendances),
        (Measure::AeTwelveHourDecisionToAdmit, twelve),
        (Measure::EmergencyAdmissions, admissions),
    ];
    for (measure, count) in counts {
        if let Some(count) = count {
            out.push(Observation::count(
                org.clone(),
                measure,
                period,
                count,
                line,
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_read_in_every_spelling() {
        assert_eq!(month_number("SEPTEMBER"), Some(9));
        assert_eq!(month_number("Sep"), Some(9));
        assert_eq!(month_number("may"), Some(5));
        assert_eq!(month_number("Ma"), None);
        assert_eq!(month_number("Septembre"), None);
    }
}
