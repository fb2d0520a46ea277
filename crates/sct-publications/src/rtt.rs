//! NHS England's Referral to Treatment (RTT) waiting times, full CSV extract: one row per
//! provider, commissioner, RTT part and treatment function, with 105 weekly wait bands.
//!
//! From the incomplete pathways (part 2, people still waiting): how many wait, the share
//! waiting 18 weeks or less, and how many wait over 52, 65, 78 and 104 weeks, for each
//! provider and each commissioner parent (the ICB). The total over treatment functions
//! (`C_999`) is used where the file has it, so that no pathway is counted twice; a file cut
//! to some treatment functions (no `C_999` rows) is summed over the functions it has. Rows
//! are read as a stream and summed as they come: memory grows with the number of providers
//! and ICBs, not with the file. The method is in `docs/methods/publications.md`.

use std::collections::BTreeMap;
use std::io::Read;

use crate::ae::month_number;
use crate::columns::Header;
use crate::detect::Publication;
use crate::error::PublicationError;
use crate::model::{Measure, Observation, OrgLevel, Organisation, Period};

/// The number of weekly bands: `Gt 00 To 01 Weeks` to `Gt 103 To 104 Weeks`, then `Gt 104
/// Weeks`.
const BANDS: usize = 105;

/// The header of band `i`.
fn band_header(i: usize) -> String {
    if i == BANDS - 1 {
        "Gt 104 Weeks SUM 1".to_string()
    } else {
        format!("Gt {i:02} To {:02} Weeks SUM 1", i + 1)
    }
}

struct Columns {
    period: usize,
    provider: usize,
    provider_name: usize,
    parent: usize,
    parent_name: usize,
    commissioner: usize,
    part: usize,
    function: usize,
    bands: Vec<usize>,
    unknown: usize,
}

impl Columns {
    fn find(header: &Header, file: &str) -> Result<Columns, PublicationError> {
        let mut header = header.clone();
        let bands: Vec<String> = (0..BANDS).map(band_header).collect();
        let names = [
            "Period",
            "Provider Org Code",
            "Provider Org Name",
            "Commissioner Parent Org Code",
            "Commissioner Parent Name",
            "Commissioner Org Code",
            "RTT Part Type",
            "Treatment Function Code",
            "Patients with unknown clock start date",
        ];
        header.claim(
            names
                .iter()
                .copied()
                .chain(bands.iter().map(String::as_str)),
        );
        let title = Publication::RttFullExtract.title();
        let need = |name: &str| header.require(file, title, &[name]);
        Ok(Columns {
            period: need(names[0])?,
            provider: need(names[1])?,
            provider_name: need(names[2])?,
            parent: need(names[3])?,
            parent_name: need(names[4])?,
            commissioner: need(names[5])?,
            part: need(names[6])?,
            function: need(names[7])?,
            unknown: need(names[8])?,
            bands: bands.iter().map(|b| need(b)).collect::<Result<_, _>>()?,
        })
    }
}

/// Running sums of incomplete pathways for one organisation and month.
#[derive(Debug, Clone, Default)]
struct Waits {
    /// Pathways in each weekly band.
    bands: Vec<u64>,
    /// Pathways with an unknown clock start.
    unknown: u64,
}

impl Waits {
    fn add(&mut self, bands: &[u64], unknown: u64) {
        if self.bands.is_empty() {
            self.bands = vec![0; BANDS];
        }
        // A group with no rows of its kind adds nothing (an empty `bands`).
        for (total, n) in self.bands.iter_mut().zip(bands) {
            *total += n;
        }
        self.unknown += unknown;
    }

    fn waiting_from_band(&self, first: usize) -> f64 {
        self.bands.get(first..).map_or(0, |b| b.iter().sum::<u64>()) as f64
    }

    fn observations(&self, org: &Organisation, period: Period, line: usize) -> Vec<Observation> {
        let known = self.waiting_from_band(0);
        let within = known - self.waiting_from_band(18);
        let mut out = vec![Observation::count(
            org.clone(),
            Measure::RttIncompletePathways,
            period,
            known + self.unknown as f64,
            line,
        )];
        if known > 0.0 {
            out.push(Observation::proportion(
                org.clone(),
                Measure::RttWithin18Weeks,
                period,
                (within, known),
                line,
            ));
        }
        let over = [
            (Measure::RttOver52Weeks, 52),
            (Measure::RttOver65Weeks, 65),
            (Measure::RttOver78Weeks, 78),
            (Measure::RttOver104Weeks, 104),
        ];
        for (measure, weeks) in over {
            out.push(Observation::count(
                org.clone(),
                measure,
                period,
                self.waiting_from_band(weeks),
                line,
            ));
        }
        out
    }
}

/// The sums of one provider and commissioner in one month, kept apart for the `C_999` row
/// (the total over treatment functions) and the other rows (the functions), so that a group
/// with a total counts it alone and a group without one counts its functions.
struct Group {
    provider: Organisation,
    commissioner: Organisation,
    over_functions: Waits,
    by_function: Waits,
}

/// Every group, by provider code, commissioner code and month.
type Groups = BTreeMap<(String, String, Period), Group>;

/// Reads an RTT full extract as a stream of CSV bytes. `file` names it in errors.
pub fn read(
    file: &str,
    input: impl Read,
) -> Result<(Vec<Period>, Vec<Observation>), PublicationError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::StringRecord::new();
    let read_next = |reader: &mut csv::Reader<_>, record: &mut csv::StringRecord, line: usize| {
        reader
            .read_record(record)
            .map_err(|e| PublicationError::Csv {
                file: file.to_string(),
                line,
                message: e.to_string(),
            })
    };
    if !read_next(&mut reader, &mut record, 1)? {
        return Err(PublicationError::NoRows { file: file.into() });
    }
    let header = Header::new(record.iter());
    let columns = Columns::find(&header, file)?;
    let mut groups = Groups::new();
    let mut bands = vec![0u64; BANDS];
    // RTT extracts have no line breaks inside fields, so records and lines count alike.
    let mut line = 1;
    while read_next(&mut reader, &mut record, line + 1)? {
        line += 1;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        if !cell(columns.part).eq_ignore_ascii_case("Part_2") {
            continue;
        }
        let period = period(file, line, &header, columns.period, cell(columns.period))?;
        for (slot, &column) in bands.iter_mut().zip(&columns.bands) {
            *slot = count(file, line, &header, column, cell(column))?;
        }
        let unknown = count(file, line, &header, columns.unknown, cell(columns.unknown))?;
        let total_function = cell(columns.function).eq_ignore_ascii_case("C_999");
        let [provider, commissioner] = organisations(&columns, &cell);
        let key = (
            provider.code.clone(),
            cell(columns.commissioner).to_string(),
            period,
        );
        let group = groups.entry(key).or_insert_with(|| Group {
            provider,
            commissioner,
            over_functions: Waits::default(),
            by_function: Waits::default(),
        });
        let sums = if total_function {
            &mut group.over_functions
        } else {
            &mut group.by_function
        };
        sums.add(&bands, unknown);
    }
    Ok(finish(groups))
}

/// The provider and the commissioner parent (ICB) a row counts for. Rows with no
/// commissioner parent (specialised commissioning hubs) count for their commissioner.
fn organisations<'a>(columns: &Columns, cell: &dyn Fn(usize) -> &'a str) -> [Organisation; 2] {
    let provider = Organisation {
        code: cell(columns.provider).to_ascii_uppercase(),
        name: cell(columns.provider_name).to_string(),
        level: OrgLevel::Provider,
        parent: None,
    };
    let parent = cell(columns.parent);
    let commissioner = if parent.is_empty() {
        Organisation {
            code: cell(columns.commissioner).to_ascii_uppercase(),
            name: String::new(),
            level: OrgLevel::Other,
            parent: None,
        }
    } else {
        Organisation {
            code: parent.to_ascii_uppercase(),
            name: cell(columns.parent_name).to_string(),
            level: OrgLevel::Icb,
            parent: None,
        }
    };
    [provider, commissioner]
}

/// Each group's pathways (its total row if it has one) summed to its provider and to its
/// commissioner parent.
fn finish(groups: Groups) -> (Vec<Period>, Vec<Observation>) {
    let mut sums: BTreeMap<(Organisation, Period), Waits> = BTreeMap::new();
    for ((_, _, period), group) in groups {
        let waits = if group.over_functions.bands.is_empty() {
            group.by_function
        } else {
            group.over_functions
        };
        for org in [group.provider, group.commissioner] {
            sums.entry((org, period))
                .or_default()
                .add(&waits.bands, waits.unknown);
        }
    }
    let mut periods: Vec<Period> = sums.keys().map(|(_, p)| *p).collect();
    periods.sort();
    periods.dedup();
    let observations = sums
        .iter()
        .flat_map(|((org, period), waits)| waits.observations(org, *period, 0))
        .collect();
    (periods, observations)
}

/// `RTT-November-2024` as a month.
fn period(
    file: &str,
    line: usize,
    header: &Header,
    column: usize,
    text: &str,
) -> Result<Period, PublicationError> {
    let mut parts = text.rsplit('-');
    let year = parts.next().and_then(|y| y.trim().parse::<i32>().ok());
    let month = parts.next().and_then(month_number);
    match (year, month) {
        (Some(year), Some(month)) if (1990..=2200).contains(&year) => {
            Ok(Period::Month { year, month })
        }
        _ => Err(PublicationError::BadCell {
            file: file.into(),
            line,
            column: header.raw[column].trim().to_string(),
            found: text.to_string(),
            expected: "a month as NHS England writes it, such as RTT-November-2024".into(),
        }),
    }
}

/// A count of pathways; blank is 0 (the extract leaves bands a part does not use blank).
fn count(
    file: &str,
    line: usize,
    header: &Header,
    column: usize,
    text: &str,
) -> Result<u64, PublicationError> {
    if text.is_empty() {
        return Ok(0);
    }
    text.parse::<u64>().map_err(|_| PublicationError::BadCell {
        file: file.into(),
        line,
        column: header.raw[column].trim().to_string(),
        found: text.to_string(),
        expected: "a whole number of pathways, or blank".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_headers_follow_the_published_spelling() {
        assert_eq!(band_header(0), "Gt 00 To 01 Weeks SUM 1");
        assert_eq!(band_header(17), "Gt 17 To 18 Weeks SUM 1");
        assert_eq!(band_header(99), "Gt 99 To 100 Weeks SUM 1");
        assert_eq!(band_header(103), "Gt 103 To 104 Weeks SUM 1");
        assert_eq!(band_header(104), "Gt 104 Weeks SUM 1");
    }
}
