//! Data types: frameworks of every kind `sct-core` owns, assessment responses and the
//! organisation reference table. These are the shapes of the TOML files; fields that
//! diagnostics must point at are [`Spanned`] so errors can name the line and column.

pub mod capability;
pub mod date;
pub mod organisation;
pub mod response;
pub mod round;
pub mod team;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
pub use toml::Spanned;

pub use capability::{
    Aggregation, Band, Capability, CapabilityToolkit, Domain, DomainKind, EnablerCrosswalk,
    IndividualCompetency, Level, PlanningConfig, PriorityKey, PriorityWeight, ScoringConfig,
    Strand, SupportLink,
};
pub use date::{BlankableDate, Date};
pub use organisation::{Organisation, Organisations, Succession};
pub use response::{CapabilityAnswer, MilestoneAnswer, Person, ResponseDoc, ResponseType};
pub use round::{AssessmentRound, DueDate, FrameworkRef, Milestone, ProgrammeDate, Window};
pub use team::{
    ApprovalDoc, ModeratedCapability, ModerationDoc, PreviousDoc, Rater, RaterSource, Stage,
    StatusDoc,
};

/// The kinds of framework file. `sct-core` reads `capability` and `assessment-round`;
/// the other kinds are read by the crates that own them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum FrameworkKind {
    /// A capability toolkit: domains, capabilities, levels, descriptors, scoring.
    Capability,
    /// An assessment round: which toolkit, when, who, and the milestones.
    AssessmentRound,
    /// A set of key performance indicators (read by `sct-kpi`).
    KpiSet,
    /// A theory of change (read by `sct-toc`).
    TheoryOfChange,
}

impl FrameworkKind {
    /// Every kind, in a stable order.
    pub const ALL: [FrameworkKind; 4] = [
        FrameworkKind::Capability,
        FrameworkKind::AssessmentRound,
        FrameworkKind::KpiSet,
        FrameworkKind::TheoryOfChange,
    ];

    /// The kind as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameworkKind::Capability => "capability",
            FrameworkKind::AssessmentRound => "assessment-round",
            FrameworkKind::KpiSet => "kpi-set",
            FrameworkKind::TheoryOfChange => "theory-of-change",
        }
    }
}

impl std::fmt::Display for FrameworkKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How authoritative a framework file is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Drafted by its authors from the cited sources; not an official publication.
    Draft,
    /// Transcribes an official publication.
    Official,
    /// Illustrative content for trying the tool.
    Example,
    /// Replaced by a later version.
    Superseded,
}

/// The header every framework file shares: enough to list it and pick a reader for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FrameworkHeader {
    /// Which kind of framework this is.
    pub kind: FrameworkKind,
    /// Identifier, kebab-case.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Version, for example `1.0.0`.
    #[schemars(with = "String")]
    pub version: Spanned<String>,
    /// Human title.
    pub title: String,
    /// Citation of the publication it is drawn from.
    pub source: String,
    /// How authoritative it is.
    pub status: Status,
}

/// A source document cited by a framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentRef {
    /// Full title with publisher.
    pub title: String,
    /// Publication date as written (free text, for example `4 November 2025`).
    #[serde(default)]
    pub published: String,
    /// Publisher's reference, if any (for example `PRN01836`).
    #[serde(default)]
    pub reference: String,
    /// Where a copy is kept, for tracing (for example the seed file name).
    #[serde(default)]
    pub copy: String,
    /// Where the publication is read, for a document of which no copy is kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
}

/// Where a piece of framework content comes from: a document, a section and a verbatim quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    /// Key of the document in the file's `[documents]` table.
    #[schemars(with = "String")]
    pub doc: Spanned<String>,
    /// Section (for example `3.1`, or `6, Table 1`).
    pub section: String,
    /// A short verbatim quotation that the content traces to.
    #[serde(default)]
    pub quote: String,
}

impl std::fmt::Display for SourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} §{}", self.doc.get_ref(), self.section)
    }
}

/// The documents a framework cites, by key.
pub type Documents = BTreeMap<String, DocumentRef>;
