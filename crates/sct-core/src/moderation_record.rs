//! The moderation record: several raters' responses consolidated (see [`crate::moderation`])
//! into the form a moderator fills in, and the agreed response made from it.
//!
//! A record says, per capability, what each rater said (level and confidence), the spread,
//! the median, the flags and the evidence pooled with who cited it; those are the raters'
//! and may not be edited. The moderator fills in the agreed level (pre-filled with the
//! median, so an untouched record applies), the rationale and the evidence accepted
//! (pre-filled with the evidence pooled), and who moderated and when. The same record is
//! written as a workbook (`sct-xlsx`) or as TOML ([`record_toml`]); both are read into a
//! [`ReadRecord`], whose every value remembers its cell or span, so that [`check_locked`]
//! and [`check_agreed`] can name the cell an edit was made in and [`agreed_response`] the
//! response it gives.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::assessment::{Assessment, Confidence};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::response::OrganisationInfo;
use crate::model::{
    BlankableDate, CapabilityAnswer, CapabilityToolkit, Date, ModeratedCapability, ModerationDoc,
    Rater, ResponseDoc, ResponseType, Stage, StatusDoc,
};
use crate::moderation::{CapabilityRatings, Consolidation, Flag};
use crate::source::SourceFile;
use crate::team::Rating;

/// The `schema` key of a TOML moderation record.
pub const RECORD_SCHEMA: &str = "sct-moderation-record/1";

/// What a moderation record says. `T` is `String` for what a record should say (made from
/// the raters' files), [`Field`] for what a record read says and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<T = String> {
    /// The organisation's name.
    pub organisation: T,
    /// Its ODS code.
    pub ods_code: T,
    /// The round id (blank without one).
    pub round: T,
    /// The toolkit id.
    pub framework: T,
    /// The toolkit version.
    pub framework_version: T,
    /// Krippendorff's alpha (ordinal) over every capability, shown for information.
    pub agreement: Option<f64>,
    /// The raters, in the order of every capability's ratings.
    pub raters: Vec<RaterRow<T>>,
    /// One row per capability, in toolkit order.
    pub capabilities: Vec<CapabilityRow<T>>,
    /// Who moderated and when.
    pub moderator: ModeratorRow<T>,
}

/// One rater of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct RaterRow<T = String> {
    /// Name.
    pub name: T,
    /// Role.
    pub role: T,
    /// Email (may be blank).
    pub email: T,
    /// The rater's file, relative to the record's folder.
    pub file: T,
    /// The file's SHA-256.
    pub sha256: T,
}

/// One capability of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct CapabilityRow<T = String> {
    /// The domain's id.
    pub domain: T,
    /// The capability's id.
    pub id: T,
    /// Its title.
    pub title: T,
    /// Each rater's level name, `n/a`, or blank for skipped.
    pub levels: Vec<T>,
    /// Each rater's confidence, or blank.
    pub confidences: Vec<T>,
    /// Highest level minus lowest (blank when nobody gave a level).
    pub spread: T,
    /// The median level's name (blank when nobody gave a level).
    pub median: T,
    /// What the moderator should look at, in words.
    pub flags: T,
    /// The evidence pooled, one item a line, each with who cited it.
    pub evidence: T,
    /// The agreed level (the moderator's).
    pub agreed: T,
    /// Why (the moderator's).
    pub rationale: T,
    /// The evidence accepted, one item a line (the moderator's).
    pub evidence_accepted: T,
}

/// The moderator block of a record.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModeratorRow<T = String> {
    /// Name.
    pub name: T,
    /// Role.
    pub role: T,
    /// The date the levels were agreed, `YYYY-MM-DD`.
    pub on: T,
}

/// Where a value of a record was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A span of a TOML record.
    Span(Range<usize>),
    /// A workbook's cell, as a reference (`'Moderation'!H8`).
    Cell(String),
}

/// A value as read, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The text (a number or date as text).
    pub text: String,
    /// Where it was read.
    pub place: Place,
}

impl Field {
    /// A value read from a workbook cell.
    pub fn cell(text: impl Into<String>, cell: impl Into<String>) -> Field {
        Field {
            text: text.into(),
            place: Place::Cell(cell.into()),
        }
    }

    fn span(text: impl Into<String>, span: Range<usize>) -> Field {
        Field {
            text: text.into(),
            place: Place::Span(span),
        }
    }
}

/// A record as read from a file.
#[derive(Debug, Clone)]
pub struct ReadRecord {
    /// The record's file, as named in messages.
    pub name: String,
    /// The TOML text, for a TOML record (its spans locate values).
    pub source: Option<SourceFile>,
    /// What it says.
    pub record: Record<Field>,
}

impl ReadRecord {
    /// An error at a value of the record: its cell named first, or its line and column.
    pub fn error_at(&self, field: &Field, message: impl Into<String>) -> Diagnostic {
        match (&field.place, &self.source) {
            (Place::Span(span), Some(src)) => src.error_at(span.clone(), message),
            (Place::Cell(cell), _) => {
                Diagnostic::error(format!("{cell}: {}", message.into())).in_file(&self.name)
            }
            (Place::Span(_), None) => Diagnostic::error(message).in_file(&self.name),
        }
    }

    /// Where a value is, in words (`cell 'Moderation'!H8`, `line 12`).
    pub fn place_of(&self, field: &Field) -> String {
        match (&field.place, &self.source) {
            (Place::Cell(cell), _) => format!("cell {cell}"),
            (Place::Span(span), Some(src)) => format!("line {}", src.line_col(span.start).0),
            (Place::Span(_), None) => "the record".to_string(),
        }
    }
}

/// A level's name, `n/a` or blank, as a record shows a rating.
fn rating_word(toolkit: &CapabilityToolkit, rating: Rating) -> String {
    match rating {
        Rating::Level { rank } => level_name(toolkit, rank),
        Rating::NotApplicable => "n/a".to_string(),
        Rating::Skipped => String::new(),
    }
}

fn level_name(toolkit: &CapabilityToolkit, rank: usize) -> String {
    toolkit
        .level_by_rank(rank)
        .map_or_else(|| rank.to_string(), |l| l.name.clone())
}

fn level_id(toolkit: &CapabilityToolkit, rank: usize) -> String {
    toolkit
        .level_by_rank(rank)
        .map_or_else(|| rank.to_string(), |l| l.id.get_ref().clone())
}

/// The flags of a capability in words, naming the raters.
pub fn flags_in_words(flags: &[Flag], names: &[String]) -> String {
    let who = |raters: &[usize]| {
        raters
            .iter()
            .filter_map(|&i| names.get(i).map(String::as_str))
            .collect::<Vec<_>>()
            .join(", ")
    };
    flags
        .iter()
        .map(|f| match f {
            Flag::Disagreement { spread } => format!("raters differ by {spread} levels"),
            Flag::NoEvidence { raters } => format!("no evidence from {}", who(raters)),
            Flag::Skipped { raters } => format!("skipped by {}", who(raters)),
            Flag::ApplicabilityDiffers { raters } => {
                format!("n/a to {}, rated by others", who(raters))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One line a piece of evidence: its text on one line, then who cited it.
fn evidence_lines(c: &CapabilityRatings, names: &[String]) -> (Vec<String>, Vec<String>) {
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let pooled = c
        .evidence
        .iter()
        .map(|e| {
            let who: Vec<&str> = e
                .cited_by
                .iter()
                .filter_map(|&i| names.get(i).map(String::as_str))
                .collect();
            format!("{} ({})", one_line(&e.text), who.join(", "))
        })
        .collect();
    let accepted = c.evidence.iter().map(|e| one_line(&e.text)).collect();
    (pooled, accepted)
}

impl Record {
    /// The record of a consolidation, its moderator's cells pre-filled: the agreed level
    /// with the median, the evidence accepted with the evidence pooled. The raters' files are
    /// named as in `consolidation.raters` (relative to the record's folder, by the caller).
    pub fn from_consolidation(c: &Consolidation, toolkit: &CapabilityToolkit) -> Record {
        let names: Vec<String> = c.raters.iter().map(|r| r.name.clone()).collect();
        let capabilities = c
            .capabilities
            .iter()
            .map(|cap| {
                let (evidence, accepted) = evidence_lines(cap, &names);
                let median = cap
                    .median
                    .map(|r| level_name(toolkit, r))
                    .unwrap_or_default();
                CapabilityRow {
                    domain: cap.domain_id.clone(),
                    id: cap.id.clone(),
                    title: cap.title.clone(),
                    levels: cap
                        .answers
                        .iter()
                        .map(|a| rating_word(toolkit, a.rating))
                        .collect(),
                    confidences: cap
                        .answers
                        .iter()
                        .map(|a| a.confidence.map(|c| c.as_str().to_string()))
                        .map(Option::unwrap_or_default)
                        .collect(),
                    spread: cap.spread.map(|s| s.to_string()).unwrap_or_default(),
                    agreed: median.clone(),
                    median,
                    flags: flags_in_words(&cap.flags, &names),
                    evidence: evidence.join("\n"),
                    rationale: String::new(),
                    evidence_accepted: accepted.join("\n"),
                }
            })
            .collect();
        Record {
            organisation: c.organisation_name.clone(),
            ods_code: c.ods_code.clone(),
            round: c.round.clone().unwrap_or_default(),
            framework: c.toolkit_id.clone(),
            framework_version: c.toolkit_version.clone(),
            agreement: c.agreement,
            raters: c
                .raters
                .iter()
                .map(|r| RaterRow {
                    name: r.name.clone(),
                    role: r.role.clone(),
                    email: r.email.clone(),
                    file: r.file.clone(),
                    sha256: r.sha256.clone(),
                })
                .collect(),
            capabilities,
            moderator: ModeratorRow::default(),
        }
    }
}

// ---- The TOML form ----

fn blank() -> Spanned<String> {
    Spanned::new(0..0, String::new())
}

fn blank_date() -> Spanned<BlankableDate> {
    Spanned::new(0..0, BlankableDate(None))
}

fn plain(s: &str) -> Spanned<String> {
    Spanned::new(0..0, s.to_string())
}

/// A moderation record as TOML.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordDoc {
    schema: Spanned<String>,
    organisation: Spanned<String>,
    ods_code: Spanned<String>,
    #[serde(default = "blank")]
    round: Spanned<String>,
    framework: Spanned<String>,
    framework_version: Spanned<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    agreement: Option<f64>,
    #[serde(default)]
    moderator: ModeratorDoc,
    #[serde(default)]
    raters: Vec<RaterDoc>,
    #[serde(default)]
    capabilities: Vec<CapabilityDoc>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModeratorDoc {
    #[serde(default = "blank")]
    name: Spanned<String>,
    #[serde(default = "blank")]
    role: Spanned<String>,
    #[serde(default = "blank_date")]
    on: Spanned<BlankableDate>,
}

impl Default for ModeratorDoc {
    fn default() -> Self {
        ModeratorDoc {
            name: blank(),
            role: blank(),
            on: blank_date(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RaterDoc {
    #[serde(default = "blank")]
    name: Spanned<String>,
    #[serde(default = "blank")]
    role: Spanned<String>,
    #[serde(default = "blank")]
    email: Spanned<String>,
    #[serde(default = "blank")]
    file: Spanned<String>,
    #[serde(default = "blank")]
    sha256: Spanned<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CapabilityDoc {
    id: Spanned<String>,
    #[serde(default = "blank")]
    domain: Spanned<String>,
    #[serde(default = "blank")]
    title: Spanned<String>,
    #[serde(default)]
    levels: Vec<Spanned<String>>,
    #[serde(default)]
    confidence: Vec<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    spread: Option<Spanned<u64>>,
    #[serde(default = "blank")]
    median: Spanned<String>,
    #[serde(default = "blank")]
    flags: Spanned<String>,
    #[serde(default)]
    evidence: Vec<Spanned<String>>,
    #[serde(default = "blank")]
    agreed: Spanned<String>,
    #[serde(default = "blank")]
    rationale: Spanned<String>,
    #[serde(default)]
    evidence_accepted: Vec<Spanned<String>>,
}

fn lines(text: &str) -> Vec<Spanned<String>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(plain)
        .collect()
}

/// The record as TOML, headed by comments saying what to fill in.
pub fn record_toml(record: &Record, made_by: &str) -> String {
    let doc = RecordDoc {
        schema: plain(RECORD_SCHEMA),
        organisation: plain(&record.organisation),
        ods_code: plain(&record.ods_code),
        round: plain(&record.round),
        framework: plain(&record.framework),
        framework_version: plain(&record.framework_version),
        agreement: record.agreement.map(|a| (a * 1000.0).round() / 1000.0),
        moderator: ModeratorDoc {
            name: plain(&record.moderator.name),
            role: plain(&record.moderator.role),
            on: Spanned::new(0..0, BlankableDate(Date::parse(&record.moderator.on).ok())),
        },
        raters: record
            .raters
            .iter()
            .map(|r| RaterDoc {
                name: plain(&r.name),
                role: plain(&r.role),
                email: plain(&r.email),
                file: plain(&r.file),
                sha256: plain(&r.sha256),
            })
            .collect(),
        capabilities: record.capabilities.iter().map(capability_doc).collect(),
    };
    let header = [
        made_by.to_string(),
        "The moderator fills in [moderator] and, per capability, agreed (a level's name or n/a;"
            .into(),
        "pre-filled with the raters' median), rationale (needed where the agreed level is outside"
            .into(),
        "every rater's level, and for n/a) and evidence_accepted (pre-filled with the evidence"
            .into(),
        "cited). Everything else says what the raters' files say and must not be changed. Then:"
            .into(),
        "sct moderate apply THIS-FILE -o agreed.toml".into(),
    ];
    let mut out: String = header.iter().map(|l| format!("# {l}\n")).collect();
    out.push('\n');
    // A struct of strings, lists and tables always serialises.
    out.push_str(&toml::to_string_pretty(&doc).unwrap_or_default());
    out
}

fn capability_doc(c: &CapabilityRow) -> CapabilityDoc {
    CapabilityDoc {
        id: plain(&c.id),
        domain: plain(&c.domain),
        title: plain(&c.title),
        levels: c.levels.iter().map(|s| plain(s)).collect(),
        confidence: c.confidences.iter().map(|s| plain(s)).collect(),
        spread: c.spread.parse().ok().map(|s| Spanned::new(0..0, s)),
        median: plain(&c.median),
        flags: plain(&c.flags),
        evidence: lines(&c.evidence),
        agreed: plain(&c.agreed),
        rationale: plain(&c.rationale),
        evidence_accepted: lines(&c.evidence_accepted),
    }
}

fn field(s: &Spanned<String>) -> Field {
    Field::span(s.get_ref().clone(), s.span())
}

/// Several values as one field of lines, placed at the first (or at `fallback` when none).
fn lines_field(items: &[Spanned<String>], fallback: Range<usize>) -> Field {
    let text = items
        .iter()
        .map(|s| s.get_ref().as_str())
        .collect::<Vec<_>>()
        .join("\n");
    Field::span(text, items.first().map_or(fallback, Spanned::span))
}

/// Reads a TOML record; a record that is not one is refused with its place.
pub fn read_record_toml(src: SourceFile) -> Result<ReadRecord, Diagnostics> {
    let doc: RecordDoc = crate::load::parse_toml(&src)?;
    if doc.schema.get_ref() != RECORD_SCHEMA {
        return Err(Diagnostics(vec![
            src.error_at(
                doc.schema.span(),
                format!(
                    "\"{}\" is not a moderation record's schema",
                    doc.schema.get_ref()
                ),
            )
            .expected(format!(
                "schema = \"{RECORD_SCHEMA}\", as `sct moderate` writes it"
            )),
        ]));
    }
    let capabilities = doc
        .capabilities
        .iter()
        .map(|c| CapabilityRow {
            domain: field(&c.domain),
            id: field(&c.id),
            title: field(&c.title),
            levels: c.levels.iter().map(field).collect(),
            confidences: c.confidence.iter().map(field).collect(),
            spread: c.spread.as_ref().map_or_else(
                || Field::span("", c.id.span()),
                |s| Field::span(s.get_ref().to_string(), s.span()),
            ),
            median: field(&c.median),
            flags: field(&c.flags),
            evidence: lines_field(&c.evidence, c.id.span()),
            agreed: field(&c.agreed),
            rationale: field(&c.rationale),
            evidence_accepted: lines_field(&c.evidence_accepted, c.id.span()),
        })
        .collect();
    let on = &doc.moderator.on;
    let record = Record {
        organisation: field(&doc.organisation),
        ods_code: field(&doc.ods_code),
        round: field(&doc.round),
        framework: field(&doc.framework),
        framework_version: field(&doc.framework_version),
        agreement: doc.agreement,
        raters: doc
            .raters
            .iter()
            .map(|r| RaterRow {
                name: field(&r.name),
                role: field(&r.role),
                email: field(&r.email),
                file: field(&r.file),
                sha256: field(&r.sha256),
            })
            .collect(),
        capabilities,
        moderator: ModeratorRow {
            name: field(&doc.moderator.name),
            role: field(&doc.moderator.role),
            on: Field::span(
                on.get_ref().0.map(|d| d.to_string()).unwrap_or_default(),
                on.span(),
            ),
        },
    };
    Ok(ReadRecord {
        name: src.name.clone(),
        source: Some(src),
        record,
    })
}

// ---- Checking a record read against what the raters' files say ----

/// The text a value is compared by: lines trimmed, blank lines dropped.
fn normal(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A locked value that does not say what the raters' files say.
fn edited(read: &ReadRecord, what: &str, field: &Field, should: &str) -> Option<Diagnostic> {
    let says = normal(&field.text);
    let should = normal(should);
    (says != should).then(|| {
        read.error_at(
            field,
            format!(
                "{what} says \"{says}\" but the raters' files say \"{should}\"; it is not the moderator's to change"
            ),
        )
        .expected(format!("\"{should}\", as `sct moderate` wrote it"))
        .hint("only the agreed level, rationale, evidence accepted and the moderator's details are filled in; make the record again from the raters' files if they changed")
    })
}

/// Every value the raters' files decide, compared with what the record says (the raters'
/// checksums are compared by the caller, which reads the files).
pub fn check_locked(read: &ReadRecord, expected: &Record) -> Diagnostics {
    let r = &read.record;
    let mut out: Vec<Diagnostic> = [
        ("the organisation", &r.organisation, &expected.organisation),
        ("the ODS code", &r.ods_code, &expected.ods_code),
        ("the round", &r.round, &expected.round),
        ("the toolkit", &r.framework, &expected.framework),
        (
            "the toolkit version",
            &r.framework_version,
            &expected.framework_version,
        ),
    ]
    .into_iter()
    .filter_map(|(what, f, should)| edited(read, what, f, should))
    .collect();
    for (got, want) in r.raters.iter().zip(&expected.raters) {
        for (what, f, should) in [
            ("the rater's name", &got.name, &want.name),
            ("the rater's role", &got.role, &want.role),
            ("the rater's email", &got.email, &want.email),
        ] {
            out.extend(edited(read, what, f, should));
        }
    }
    for want in &expected.capabilities {
        match r.capabilities.iter().find(|c| c.id.text.trim() == want.id) {
            Some(got) => out.extend(check_capability(read, got, want)),
            None => out.push(
                Diagnostic::error(format!("the record has no row for capability {}", want.id))
                    .in_file(&read.name)
                    .expected("a row for every capability, as `sct moderate` wrote it"),
            ),
        }
    }
    for got in &r.capabilities {
        if !expected
            .capabilities
            .iter()
            .any(|c| got.id.text.trim() == c.id)
        {
            out.push(
                read.error_at(
                    &got.id,
                    format!(
                        "\"{}\" is not a capability of the raters' toolkit",
                        got.id.text
                    ),
                )
                .expected("the capability ids `sct moderate` wrote"),
            );
        }
    }
    Diagnostics(out)
}

fn check_capability(
    read: &ReadRecord,
    got: &CapabilityRow<Field>,
    want: &CapabilityRow,
) -> Vec<Diagnostic> {
    let id = &want.id;
    let mut out = Vec::new();
    if got.levels.len() != want.levels.len() || got.confidences.len() != want.confidences.len() {
        out.push(
            read.error_at(
                &got.id,
                format!(
                    "{id} has {} levels and {} confidences for {} raters",
                    got.levels.len(),
                    got.confidences.len(),
                    want.levels.len()
                ),
            )
            .expected("one level and one confidence per rater, in the raters' order"),
        );
    }
    let pairs = got
        .levels
        .iter()
        .zip(&want.levels)
        .map(|(g, w)| ("level", g, w));
    let confidences = got
        .confidences
        .iter()
        .zip(&want.confidences)
        .map(|(g, w)| ("confidence", g, w));
    for (what, g, w) in pairs.chain(confidences) {
        out.extend(edited(read, &format!("a rater's {what} for {id}"), g, w));
    }
    for (what, g, w) in [
        ("domain", &got.domain, &want.domain),
        ("title", &got.title, &want.title),
        ("spread", &got.spread, &want.spread),
        ("median", &got.median, &want.median),
        ("flags", &got.flags, &want.flags),
        ("pooled evidence", &got.evidence, &want.evidence),
    ] {
        out.extend(edited(read, &format!("the {what} of {id}"), g, w));
    }
    out
}

/// What the moderator agreed for a capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreed {
    /// A level (its rank).
    Level(usize),
    /// Does not apply.
    NotApplicable,
    /// Left blank: the capability is not answered.
    Blank,
}

/// The agreed level of one capability, checked: a level (or n/a, with its reason), and a
/// rationale where it lies outside every rater's level.
pub fn check_agreed(
    read: &ReadRecord,
    row: &CapabilityRow<Field>,
    ratings: &CapabilityRatings,
    toolkit: &CapabilityToolkit,
) -> Result<Agreed, Box<Diagnostic>> {
    let written = row.agreed.text.trim();
    let rationale = row.rationale.text.trim();
    let id = &ratings.id;
    if written.is_empty() {
        return Ok(Agreed::Blank);
    }
    if crate::validate::is_not_applicable(written) {
        if rationale.is_empty() {
            return Err(Box::new(
                read.error_at(&row.agreed, format!("{id} was agreed n/a with no reason"))
                    .expected(format!(
                        "the reason it does not apply in the rationale ({})",
                        read.place_of(&row.rationale)
                    )),
            ));
        }
        return Ok(Agreed::NotApplicable);
    }
    let Some(rank) = toolkit.resolve_level(written) else {
        return Err(Box::new(
            read.error_at(
                &row.agreed,
                format!("\"{written}\", agreed for {id}, is not a level"),
            )
            .expected(format!("one of: {}, n/a", toolkit.level_names())),
        ));
    };
    let ranks = || ratings.answers.iter().filter_map(|a| a.rating.rank());
    let inside = ranks()
        .min()
        .zip(ranks().max())
        .is_some_and(|(lo, hi)| (lo..=hi).contains(&rank));
    if !inside && rationale.is_empty() {
        let range = match (ranks().min(), ranks().max()) {
            (Some(lo), Some(hi)) if lo == hi => {
                format!("every rater said {}", level_name(toolkit, lo))
            }
            (Some(lo), Some(hi)) => format!(
                "the raters said {} to {}",
                level_name(toolkit, lo),
                level_name(toolkit, hi)
            ),
            _ => "no rater gave a level".to_string(),
        };
        return Err(Box::new(read
            .error_at(
                &row.agreed,
                format!(
                    "{id} was agreed at {}, outside every rater's level ({range}), with no rationale",
                    level_name(toolkit, rank)
                ),
            )
            .expected(format!(
                "the moderator's reason in the rationale ({})",
                read.place_of(&row.rationale)
            ))));
    }
    Ok(Agreed::Level(rank))
}

// ---- The agreed response ----

/// What the agreed response is made from.
#[derive(Debug, Clone, Copy)]
pub struct AgreedInputs<'a> {
    /// The record as read (agreed levels, rationales, evidence accepted).
    pub record: &'a Record<Field>,
    /// Each capability's agreed level, checked, in the order of `consolidation.capabilities`.
    pub agreed: &'a [Agreed],
    /// The raters' responses consolidated again.
    pub consolidation: &'a Consolidation,
    /// The raters' responses, in the record's order.
    pub raters: &'a [Assessment],
    /// Their toolkit.
    pub toolkit: &'a CapabilityToolkit,
    /// The moderator.
    pub moderator: &'a Rater,
    /// When the levels were agreed.
    pub on: Option<Date>,
}

/// The agreed response: each capability's agreed level with the evidence accepted, the
/// raters' median confidence, their target where they all agree on it, the `[moderation]`
/// table (raters with their checksums, each capability's ratings, median and rationale) and
/// the status `moderated`.
pub fn agreed_response(inputs: &AgreedInputs<'_>) -> ResponseDoc {
    let c = inputs.consolidation;
    let toolkit = inputs.toolkit;
    let first = &inputs.raters[0];
    let mut capabilities = std::collections::BTreeMap::new();
    let mut moderated = std::collections::BTreeMap::new();
    for (i, cap) in c.capabilities.iter().enumerate() {
        let row = inputs
            .record
            .capabilities
            .iter()
            .find(|r| r.id.text.trim() == cap.id);
        let rationale = row
            .map(|r| r.rationale.text.trim().to_string())
            .unwrap_or_default();
        let accepted: Vec<String> = row
            .map(|r| {
                r.evidence_accepted
                    .text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let agreed = inputs.agreed.get(i).copied().unwrap_or(Agreed::Blank);
        if let Some(answer) =
            agreed_answer(agreed, cap, inputs.raters, toolkit, &rationale, &accepted)
        {
            capabilities.insert(plain(&cap.id), answer);
        } else if cap.answers.iter().all(|a| a.rating == Rating::Skipped) {
            // Nobody rated it and nothing was agreed: there is nothing to record.
            continue;
        }
        moderated.insert(
            plain(&cap.id),
            ModeratedCapability {
                ratings: cap
                    .answers
                    .iter()
                    .map(|a| match a.rating {
                        Rating::Level { rank } => level_id(toolkit, rank),
                        Rating::NotApplicable => "n/a".into(),
                        Rating::Skipped => String::new(),
                    })
                    .collect(),
                median: cap.median.map(|r| level_id(toolkit, r)).unwrap_or_default(),
                rationale,
                evidence_accepted: accepted,
            },
        );
    }
    let on = Spanned::new(0..0, BlankableDate(inputs.on));
    let by = inputs.moderator.name.trim().to_string();
    ResponseDoc {
        response_type: ResponseType::Organisation,
        round: first.round.as_deref().map(plain),
        framework: first.round.is_none().then(|| plain(&first.toolkit_id)),
        framework_version: Some(plain(&first.toolkit_version)),
        notice: first.notice.clone(),
        organisation: OrganisationInfo {
            name: first.organisation_name.clone(),
            ods_code: plain(&first.ods_code),
        },
        respondent: Default::default(),
        person: None,
        rater: None,
        status: Some(StatusDoc {
            stage: Spanned::new(0..0, Stage::Moderated),
            by,
            on: on.clone(),
        }),
        moderation: Some(ModerationDoc {
            moderator: inputs.moderator.clone(),
            on,
            agreement: c.agreement.map(|a| (a * 1000.0).round() / 1000.0),
            raters: c.raters.clone(),
            capabilities: moderated,
        }),
        approval: None,
        previous: None,
        // The latest of the raters' dates: when the assessment's evidence was last looked at.
        assessed: inputs
            .raters
            .iter()
            .filter_map(|r| r.assessed)
            .max()
            .map(|d| Spanned::new(0..0, BlankableDate(Some(d)))),
        capabilities,
        milestones: agreed_milestones(inputs.raters),
    }
}

/// The milestone reports the raters agree on: a milestone every rater who reports it reports
/// the same way (status and completion date), with their notes joined. Milestones on which
/// they differ are left for the moderator to report: a status is a fact to check, not a
/// median to take.
fn agreed_milestones(
    raters: &[Assessment],
) -> std::collections::BTreeMap<Spanned<String>, crate::model::MilestoneAnswer> {
    use crate::assessment::MilestoneReport;
    let mut by_id: std::collections::BTreeMap<&str, Vec<&MilestoneReport>> = Default::default();
    for rater in raters {
        for (id, report) in &rater.milestones {
            by_id.entry(id).or_default().push(report);
        }
    }
    by_id
        .into_iter()
        .filter(|(_, reports)| {
            reports
                .iter()
                .all(|r| r.status == reports[0].status && r.completed_on == reports[0].completed_on)
        })
        .filter_map(|(id, reports)| {
            let first = reports[0];
            let status = first.status?;
            let mut notes: Vec<&str> = reports
                .iter()
                .map(|r| r.note.trim())
                .filter(|n| !n.is_empty())
                .collect();
            notes.dedup();
            Some((
                plain(id),
                crate::model::MilestoneAnswer {
                    status: plain(status.as_str()),
                    completed_on: Spanned::new(0..0, BlankableDate(first.completed_on)),
                    note: notes.join(" "),
                },
            ))
        })
        .collect()
}

/// The lower middle of some values, as the median of levels is taken.
fn lower_median<T: Ord + Copy>(mut values: Vec<T>) -> Option<T> {
    values.sort_unstable();
    values.get(values.len().checked_sub(1)? / 2).copied()
}

/// The one value every rater who gave one gave, if any gave one.
fn all_agree<T: PartialEq + Copy>(values: impl Iterator<Item = Option<T>>) -> Option<T> {
    let given: Vec<T> = values.flatten().collect();
    let first = *given.first()?;
    given.iter().all(|v| *v == first).then_some(first)
}

fn agreed_answer(
    agreed: Agreed,
    cap: &CapabilityRatings,
    raters: &[Assessment],
    toolkit: &CapabilityToolkit,
    rationale: &str,
    accepted: &[String],
) -> Option<CapabilityAnswer> {
    let answers = || raters.iter().filter_map(|r| r.answers.get(&cap.id));
    let (level, reason) = match agreed {
        Agreed::Blank => return None,
        Agreed::NotApplicable => ("n/a".to_string(), rationale.to_string()),
        Agreed::Level(rank) => (level_id(toolkit, rank), String::new()),
    };
    let rank = match agreed {
        Agreed::Level(rank) => Some(rank),
        _ => None,
    };
    let confidence: Option<Confidence> =
        rank.and_then(|_| lower_median(answers().filter_map(|a| a.confidence).collect()));
    // A target the raters agree on, kept only where it is above the agreed level.
    let target = rank
        .and(all_agree(answers().map(|a| a.target)))
        .filter(|&t| rank.is_some_and(|r| t > r));
    let target_date = target.and(all_agree(answers().map(|a| a.target_date)));
    Some(CapabilityAnswer {
        level: plain(&level),
        reason,
        confidence: plain(confidence.map_or("", Confidence::as_str)),
        evidence: if rank.is_some() {
            accepted.to_vec()
        } else {
            Vec::new()
        },
        target_level: plain(&target.map(|t| level_id(toolkit, t)).unwrap_or_default()),
        target_date: Spanned::new(0..0, BlankableDate(target_date)),
        rationale: if rank.is_some() {
            rationale.to_string()
        } else {
            String::new()
        },
        carried_over: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            organisation: "Org".into(),
            ods_code: "QUY".into(),
            round: "r".into(),
            framework: "t".into(),
            framework_version: "1".into(),
            agreement: Some(0.25),
            raters: vec![RaterRow {
                name: "A".into(),
                role: "Director".into(),
                email: String::new(),
                file: "a.toml".into(),
                sha256: "00".into(),
            }],
            capabilities: vec![CapabilityRow {
                domain: "d".into(),
                id: "x".into(),
                title: "X".into(),
                levels: vec!["Developing".into()],
                confidences: vec![String::new()],
                spread: "0".into(),
                median: "Developing".into(),
                flags: String::new(),
                evidence: "Plan (A)\nAudit (A)".into(),
                agreed: "Developing".into(),
                rationale: String::new(),
                evidence_accepted: "Plan\nAudit".into(),
            }],
            moderator: ModeratorRow::default(),
        }
    }

    #[test]
    fn a_toml_record_reads_back_what_was_written_with_its_lines() {
        let text = record_toml(&record(), "made for a test");
        let read = read_record_toml(SourceFile::from_text("m.toml", text)).unwrap();
        let r = &read.record;
        assert_eq!(r.organisation.text, "Org");
        assert_eq!(r.capabilities[0].evidence.text, "Plan (A)\nAudit (A)");
        assert_eq!(r.capabilities[0].evidence_accepted.text, "Plan\nAudit");
        assert!(check_locked(&read, &record()).is_empty());
        assert!(read.place_of(&r.raters[0].sha256).starts_with("line "));
    }

    #[test]
    fn a_locked_value_edited_names_what_it_says_and_should_say() {
        let text = record_toml(&record(), "m")
            .replace("median = \"Developing\"", "median = \"Embedding\"");
        let read = read_record_toml(SourceFile::from_text("m.toml", text)).unwrap();
        let found = check_locked(&read, &record());
        assert_eq!(found.0.len(), 1);
        assert!(
            found.0[0].message.starts_with(
                "the median of x says \"Embedding\" but the raters' files say \"Developing\""
            ),
            "{}",
            found.0[0].message
        );
        assert!(found.0[0].location.as_ref().is_some_and(|l| l.line > 0));
    }

    #[test]
    fn a_record_of_another_schema_is_refused() {
        let text = record_toml(&record(), "m").replace(RECORD_SCHEMA, "sct-score/1");
        let err = read_record_toml(SourceFile::from_text("m.toml", text)).unwrap_err();
        assert!(
            err.0[0].message.contains("not a moderation record"),
            "{err:?}"
        );
    }
}
