//! An assessment round: which toolkit it uses, when it runs, who completes and signs it off,
//! and the milestones it checks, each with its due date(s) and source.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{Date, Documents, FrameworkKind, SourceRef, Status};

/// An assessment round (framework kind `assessment-round`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRound {
    /// Always `assessment-round`.
    pub kind: FrameworkKind,
    /// Identifier, kebab-case.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Version.
    #[schemars(with = "String")]
    pub version: Spanned<String>,
    /// Human title.
    pub title: String,
    /// Citation of the publication it is drawn from.
    pub source: String,
    /// How authoritative it is.
    pub status: Status,
    /// What the round is for.
    #[serde(default)]
    pub description: String,
    /// Which parts are the authors' drafting rather than the source's words.
    #[serde(default)]
    pub drafting_note: String,
    /// Documents cited by `source` tables, by key.
    #[serde(default)]
    pub documents: Documents,
    /// The capability toolkit (and its version) the round assesses against.
    pub toolkit: FrameworkRef,
    /// When responses may be dated.
    pub window: Window,
    /// When the completed assessment is due.
    #[schemars(with = "Date")]
    pub due: Spanned<Date>,
    /// Who completes the assessment.
    pub completed_by: String,
    /// Who signs it off.
    pub signed_off_by: String,
    /// A milestone not met and due within this many days of the as-of date is at risk
    /// unless reported on track (default 90).
    #[serde(default = "default_at_risk_days")]
    pub at_risk_within_days: u32,
    /// The milestones checked in this round.
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// Dates of the national programme, for context (not scored).
    #[serde(default)]
    pub programme_dates: Vec<ProgrammeDate>,
}

fn default_at_risk_days() -> u32 {
    90
}

/// A reference to another framework by id and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrameworkRef {
    /// The framework's id.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// The framework's version.
    #[schemars(with = "String")]
    pub version: Spanned<String>,
}

/// The assessment window, both ends inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// First day a response may be dated.
    #[schemars(with = "Date")]
    pub opens: Spanned<Date>,
    /// Last day a response may be dated.
    #[schemars(with = "Date")]
    pub closes: Spanned<Date>,
}

impl Window {
    /// Whether `date` falls within the window.
    pub fn contains(&self, date: Date) -> bool {
        *self.opens.get_ref() <= date && date <= *self.closes.get_ref()
    }
}

/// A milestone an organisation reports on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// Identifier, kebab-case.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// What must be in place.
    pub title: String,
    /// More detail, from the source.
    #[serde(default)]
    pub description: String,
    /// How often it recurs after the first due date, if the source says (for example `annual`).
    #[serde(default)]
    pub recurs: String,
    /// Capabilities of the toolkit this milestone bears on.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub capabilities: Vec<Spanned<String>>,
    /// The due date(s). Where sources disagree, each is kept with its source and exactly one
    /// is marked `used_for_status`.
    pub due: Vec<DueDate>,
}

impl Milestone {
    /// The due date the status uses: the one marked `used_for_status`, or the only one.
    pub fn status_due(&self) -> Option<&DueDate> {
        if self.due.len() == 1 {
            return self.due.first();
        }
        self.due.iter().find(|d| d.used_for_status)
    }
}

/// One due date of a milestone, as a source gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DueDate {
    /// The date (the last day of the month when the source gives a month).
    #[schemars(with = "Date")]
    pub date: Spanned<Date>,
    /// The date as the source writes it (for example `by March 2026`).
    pub as_written: String,
    /// Where the source gives it.
    pub source: SourceRef,
    /// Whether milestone status is judged against this date.
    #[serde(default)]
    pub used_for_status: bool,
    /// Why this date is or is not the one used.
    #[serde(default)]
    pub note: String,
}

/// A date in the national programme, shown for context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeDate {
    /// Identifier, kebab-case.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// What happens.
    pub title: String,
    /// When (the last day of the month when the source gives a month).
    #[schemars(with = "Date")]
    pub date: Spanned<Date>,
    /// The date as the source writes it.
    pub as_written: String,
    /// Where the source gives it.
    pub source: SourceRef,
}
