//! The shape of the assessment workbook, shared by the writer and the reader: the headers that
//! mark each kind of sheet, the keys of the organisation and metadata sheets, sheet names and
//! cell names. The reader finds sheets by their header row and columns by their header text,
//! never by position, so renamed sheets, moved columns and reordered rows still read.

use sct_core::model::{CapabilityToolkit, Domain, ResponseType};

/// The value of the metadata sheet's `format` key: changes only when the layout changes
/// incompatibly.
pub const FORMAT: &str = "sct-response-workbook/1";

/// The hidden metadata sheet's name (the reader finds it by its `format` row, not its name).
pub const METADATA_SHEET: &str = "sct";
/// The instructions sheet.
pub const INSTRUCTIONS_SHEET: &str = "Instructions";
/// The organisation (or person) details sheet.
pub const ORGANISATION_SHEET: &str = "Organisation";
/// The milestones sheet.
pub const MILESTONES_SHEET: &str = "Milestones";
/// The sheet where answers longer than a cell holds continue (made only when one does).
pub const MORE_TEXT_SHEET: &str = "More text";

/// Metadata keys (column A of the metadata sheet; values in column B).
pub mod meta {
    /// The layout version, [`super::FORMAT`].
    pub const FORMAT: &str = "format";
    /// The sct version that wrote the workbook.
    pub const MADE_BY: &str = "made_by";
    /// `organisation` or `individual`.
    pub const RESPONSE_TYPE: &str = "type";
    /// The toolkit's id.
    pub const TOOLKIT_ID: &str = "toolkit_id";
    /// The toolkit's version.
    pub const TOOLKIT_VERSION: &str = "toolkit_version";
    /// SHA-256 of the toolkit file the workbook was made from.
    pub const TOOLKIT_SHA256: &str = "toolkit_sha256";
    /// The round's id, blank without a round.
    pub const ROUND_ID: &str = "round_id";
    /// The round's version.
    pub const ROUND_VERSION: &str = "round_version";
    /// SHA-256 of the round file.
    pub const ROUND_SHA256: &str = "round_sha256";
    /// The response's `round` field as written (blank when left out).
    pub const RESPONSE_ROUND: &str = "response.round";
    /// The response's `framework` field as written.
    pub const RESPONSE_FRAMEWORK: &str = "response.framework";
    /// The response's `framework_version` field as written.
    pub const RESPONSE_FRAMEWORK_VERSION: &str = "response.framework_version";
}

/// The header of the column holding capability ids: marks a domain sheet.
pub const CAPABILITY_ID: &str = "Capability id";
/// The header of the capability title column.
pub const CAPABILITY: &str = "Capability";
/// The header of the column holding milestone ids: marks the milestones sheet.
pub const MILESTONE_ID: &str = "Milestone id";
/// The header of the organisation sheet's key column: marks the organisation sheet.
pub const KEY: &str = "Key";
/// The header of the organisation sheet's value column.
pub const VALUE: &str = "Value";
/// The header, on the "More text" sheet, of the column naming the answer a row continues: a
/// capability or milestone id, or an Organisation sheet key.
pub const ANSWER_ID: &str = "Answer id";
/// The header, on the "More text" sheet, of the column naming the continued answer's column
/// (its header, such as `Rationale`, or `Value` on the Organisation sheet).
pub const ANSWER_COLUMN: &str = "Answer column";
/// The header of the "More text" sheet's text column: marks the sheet.
pub const CONTINUED_TEXT: &str = "Continued text";

/// What an input cell holds, which decides how it is read and validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Free text.
    Text,
    /// Text lines, one list item per line (evidence).
    Lines,
    /// A date.
    Date,
}

/// One input column of a domain or milestones sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InputColumn {
    /// Its header text.
    pub header: &'static str,
    /// The response field it fills.
    pub field: &'static str,
    /// How it is read.
    pub kind: CellKind,
    /// Column width in characters.
    pub width: f64,
}

const fn input(
    header: &'static str,
    field: &'static str,
    kind: CellKind,
    width: f64,
) -> InputColumn {
    InputColumn {
        header,
        field,
        kind,
        width,
    }
}

/// The input columns of a domain sheet, in the order the writer lays them out.
pub const CAPABILITY_INPUTS: [InputColumn; 7] = [
    input("Level", "level", CellKind::Text, 15.0),
    input("Confidence", "confidence", CellKind::Text, 12.0),
    input("Reason if n/a", "reason", CellKind::Text, 24.0),
    input(
        "Evidence (one item a line)",
        "evidence",
        CellKind::Lines,
        40.0,
    ),
    input("Target level", "target_level", CellKind::Text, 15.0),
    input("Target date", "target_date", CellKind::Date, 13.0),
    input("Rationale", "rationale", CellKind::Text, 36.0),
];

/// The column that marks an answer carried over from the previous round, after the other
/// inputs: written only in a workbook made from a response with carried-over answers, and
/// read when present (`yes` marks one; blank, or `no`, does not).
pub const CARRIED_OVER: InputColumn = input("Carried over", "carried_over", CellKind::Text, 13.0);

/// The metadata keys of the `[previous]` table (the response a workbook's answers were
/// carried over from), written only when it has one.
pub const PREVIOUS_KEYS: [&str; 4] = ["round", "ods_code", "file", "sha256"];

/// The input columns of the milestones sheet.
pub const MILESTONE_INPUTS: [InputColumn; 3] = [
    input("Status", "status", CellKind::Text, 14.0),
    input("Completed on", "completed_on", CellKind::Date, 14.0),
    input("Note", "note", CellKind::Text, 40.0),
];

/// The milestone statuses offered in the status dropdown.
pub const MILESTONE_STATUSES: [&str; 4] = ["complete", "on-track", "at-risk", "not-started"];

/// One row of the organisation sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetailRow {
    /// The key in column A: the response field's dotted path.
    pub key: &'static str,
    /// The label shown.
    pub label: &'static str,
    /// Guidance shown beside the value.
    pub guidance: &'static str,
    /// How it is read.
    pub kind: CellKind,
}

const fn detail(
    key: &'static str,
    label: &'static str,
    guidance: &'static str,
    kind: CellKind,
) -> DetailRow {
    DetailRow {
        key,
        label,
        guidance,
        kind,
    }
}

/// The organisation sheet's rows for a response type.
pub fn detail_rows(response_type: ResponseType) -> Vec<DetailRow> {
    let mut rows = vec![
        detail(
            "organisation.name",
            "Organisation name",
            "For example NHS Bristol, North Somerset and South Gloucestershire ICB",
            CellKind::Text,
        ),
        detail(
            "organisation.ods_code",
            "ODS code",
            "For example QUY; checked against the organisations table on the assessed date",
            CellKind::Text,
        ),
        detail(
            "assessed",
            "Assessed on",
            "The date the assessment was agreed",
            CellKind::Date,
        ),
    ];
    match response_type {
        ResponseType::Organisation => {
            rows.push(detail(
                "respondent.role",
                "Completed by (role)",
                "For example Director of Strategy",
                CellKind::Text,
            ));
            rows.push(detail(
                "respondent.signed_off_by",
                "Signed off by",
                "Who signed the assessment off, and when",
                CellKind::Text,
            ));
        }
        ResponseType::Individual => {
            rows.push(detail(
                "person.id",
                "Your pseudonymous id",
                "An id, not your name",
                CellKind::Text,
            ));
            rows.push(detail(
                "person.role_group",
                "Role group",
                "For example Commissioning managers",
                CellKind::Text,
            ));
        }
    }
    rows.push(detail(
        "notice",
        "Notice",
        "Repeated on every output, for example \"Draft for board discussion\"",
        CellKind::Text,
    ));
    if response_type == ResponseType::Organisation {
        rows.extend(TEAM_ROWS);
    }
    rows
}

/// The organisation response's team rows, after the others so that a workbook made before
/// them keeps its cells: who rated it (one rater's view of a team assessment) and its stage.
const TEAM_ROWS: [DetailRow; 4] = [
    detail(
        "rater.name",
        "Rater name",
        "Your name, when this is your own rating for a team assessment; blank otherwise",
        CellKind::Text,
    ),
    detail(
        "rater.role",
        "Rater role",
        "For example Director of Finance",
        CellKind::Text,
    ),
    detail("rater.email", "Rater email", "Optional", CellKind::Text),
    detail(
        STATUS_KEY,
        "Status",
        "draft or submitted while being rated; moderation and the board's approval set the later stages",
        CellKind::Text,
    ),
];

/// The Organisation sheet's key of the response's stage.
pub const STATUS_KEY: &str = "status.stage";

/// Every key the organisation sheet may hold, for either response type.
pub fn all_detail_keys() -> impl Iterator<Item = DetailRow> {
    let mut rows = detail_rows(ResponseType::Organisation);
    for r in detail_rows(ResponseType::Individual) {
        if !rows.iter().any(|x| x.key == r.key) {
            rows.push(r);
        }
    }
    rows.into_iter()
}

/// The header of a level's descriptor column: its rank and name, as `3 Embedding`.
pub fn descriptor_header(rank: usize, name: &str) -> String {
    format!("{rank} {name}")
}

/// Excel's longest sheet name.
pub const MAX_SHEET_NAME: usize = 31;

/// Words that begin a new phrase: a name cut just before one ends on a whole phrase.
const PHRASE_STARTS: [&str; 8] = ["and", "for", "of", "through", "with", "in", "to", "on"];

/// Articles, the first words left out when a name is too long ("Understanding local context").
const ARTICLES: [&str; 3] = ["the", "a", "an"];

/// A sheet name for a domain: its section and title, without the characters Excel forbids,
/// fitted to Excel's 31 characters without cutting a phrase where it can be helped: first
/// without articles, then ending on a whole phrase ("4.1 System leadership" for "System
/// leadership for population health"); only then cut at a word and ended with "…", so a
/// reader sees the name is shortened. The sheet's first row has the full title.
pub fn domain_sheet_name(domain: &Domain) -> String {
    let full = format!("{} {}", domain.section, domain.title);
    let clean: String = full
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => ' ',
            c => c,
        })
        .collect();
    let words: Vec<&str> = clean.split_whitespace().collect();
    let fits = |w: &[&str]| w.join(" ").chars().count() <= MAX_SHEET_NAME;
    if fits(&words) {
        return words.join(" ");
    }
    let lean: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|(i, w)| *i == 0 || !ARTICLES.contains(&w.to_lowercase().as_str()))
        .map(|(_, w)| *w)
        .collect();
    if fits(&lean) {
        return lean.join(" ");
    }
    // The longest whole phrase that fits, keeping at least two words of the title.
    let phrase = (3..lean.len()).rev().find(|&end| {
        let next = lean[end].to_lowercase();
        let ends_phrase = PHRASE_STARTS.contains(&next.as_str()) || lean[end - 1].ends_with(',');
        ends_phrase && fits(&lean[..end])
    });
    if let Some(end) = phrase {
        return lean[..end].join(" ").trim_end_matches(',').to_string();
    }
    shortened(&lean)
}

/// `words` cut at the last word that fits with a closing "…", never ending on a word that
/// begins a phrase.
fn shortened(words: &[&str]) -> String {
    let mut end = words.len();
    while end > 1 && words[..end].join(" ").chars().count() + 1 > MAX_SHEET_NAME {
        end -= 1;
    }
    while end > 1 && PHRASE_STARTS.contains(&words[end - 1].to_lowercase().as_str()) {
        end -= 1;
    }
    let name = words[..end].join(" ");
    if name.chars().count() + 1 > MAX_SHEET_NAME {
        // One word longer than a sheet name: cut inside it.
        let cut: String = name.chars().take(MAX_SHEET_NAME - 1).collect();
        return format!("{cut}…");
    }
    format!("{}…", name.trim_end_matches([',', ';', '-']))
}

/// distinct from the fixed sheets, in toolkit order.
pub fn domain_sheets(
    toolkit: &CapabilityToolkit,
    response_type: ResponseType,
) -> Vec<(&Domain, String)> {
    let mut taken: Vec<String> = [
        INSTRUCTIONS_SHEET,
        ORGANISATION_SHEET,
        MILESTONES_SHEET,
        MORE_TEXT_SHEET,
        METADATA_SHEET,
    ]
    .iter()
    .map(|s| s.to_lowercase())
    .collect();
    let mut out = Vec::new();
    for domain in &toolkit.domains {
        if !domain
            .capabilities
            .iter()
            .any(|c| response_type == ResponseType::Organisation || c.individual.is_some())
        {
            continue;
        }
        let base = domain_sheet_name(domain);
        let mut name = base.clone();
        let mut n = 2;
        // Excel compares sheet names without regard to case.
        while taken.contains(&name.to_lowercase()) {
            let suffix = format!(" ({n})");
            let keep = MAX_SHEET_NAME - suffix.len();
            name = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
            n += 1;
        }
        taken.push(name.to_lowercase());
        out.push((domain, name));
    }
    out
}

/// A column's letters (0 is `A`).
pub fn column_name(col: u32) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// A sheet name as Excel writes it in a reference: quoted unless it is a plain word, with
/// quotes doubled.
pub fn quote_sheet(name: &str) -> String {
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !name.chars().next().is_some_and(|c| c.is_ascii_digit());
    if plain {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// A cell reference such as `'3.1 Understanding'!H6` (row and column zero-based).
pub fn cell_ref(sheet: &str, row: u32, col: u32) -> String {
    format!("{}!{}{}", quote_sheet(sheet), column_name(col), row + 1)
}

/// A range reference such as `Organisation!B3:C3`.
pub fn range_ref(sheet: &str, first: (u32, u32), last: (u32, u32)) -> String {
    format!(
        "{}!{}{}:{}{}",
        quote_sheet(sheet),
        column_name(first.1),
        first.0 + 1,
        column_name(last.1),
        last.0 + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_quote_sheet_names_as_excel_does() {
        assert_eq!(
            cell_ref("3.1 Understanding context", 13, 3),
            "'3.1 Understanding context'!D14"
        );
        assert_eq!(cell_ref("Organisation", 2, 1), "Organisation!B3");
        assert_eq!(cell_ref("Bob's", 0, 27), "'Bob''s'!AB1");
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(range_ref("S", (4, 7), (4, 8)), "S!H5:I5");
    }
}
