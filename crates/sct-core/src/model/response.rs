//! Assessment responses: an organisation's own assessment, or an individual's
//! self-assessment of their competencies. Blank strings mean "not answered yet", so a
//! template can be validated before it is filled in.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::BlankableDate;
use super::team::{ApprovalDoc, ModerationDoc, PreviousDoc, Rater, StatusDoc};

/// Whose assessment a response is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ResponseType {
    /// An organisation's assessment of its own capability.
    #[default]
    Organisation,
    /// One person's self-assessment of their competencies.
    Individual,
}

impl ResponseType {
    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Organisation => "organisation",
            ResponseType::Individual => "individual",
        }
    }
}

/// A response file as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseDoc {
    /// Organisation assessment or individual self-assessment.
    #[serde(rename = "type", default)]
    pub response_type: ResponseType,
    /// The assessment round (for example `baseline-2026-03`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub round: Option<Spanned<String>>,
    /// The toolkit, when no round is given (or to check the round's toolkit).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub framework: Option<Spanned<String>>,
    /// The toolkit version the response was made for.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub framework_version: Option<Spanned<String>>,
    /// A notice repeated in every output, for example that the data are illustrative.
    #[serde(default)]
    pub notice: String,
    /// The organisation assessed (or the individual's employer).
    pub organisation: OrganisationInfo,
    /// Who completed an organisation's response.
    #[serde(default)]
    pub respondent: Respondent,
    /// The person, for an individual self-assessment.
    #[serde(default)]
    pub person: Option<Person>,
    /// The rater, when the response is one rater's view in a team assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rater: Option<Rater>,
    /// Where the response is in its life (draft to approved), who moved it there and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusDoc>,
    /// How the response was agreed from several raters' responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderation: Option<ModerationDoc>,
    /// The board's approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<ApprovalDoc>,
    /// The earlier response this one's answers were carried over from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<PreviousDoc>,
    /// When the assessment was made.
    #[serde(default)]
    #[schemars(with = "Option<BlankableDate>")]
    pub assessed: Option<Spanned<BlankableDate>>,
    /// Answers by capability id.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, CapabilityAnswer>")]
    pub capabilities: BTreeMap<Spanned<String>, CapabilityAnswer>,
    /// Milestone reports by milestone id.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, MilestoneAnswer>")]
    pub milestones: BTreeMap<Spanned<String>, MilestoneAnswer>,
}

/// The organisation a response is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInfo {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its ODS code (for example `QUY`).
    #[serde(default = "blank")]
    #[schemars(with = "String")]
    pub ods_code: Spanned<String>,
}

/// Who completed an organisation's response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Respondent {
    /// Their role (for example `Director of Strategy`).
    #[serde(default)]
    pub role: String,
    /// Who signed the response off, and when, as free text.
    #[serde(default)]
    pub signed_off_by: String,
}

/// The person making an individual self-assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// A pseudonymous identifier (not a name).
    pub id: String,
    /// Their role group, for aggregation (for example `Commissioning managers`).
    pub role_group: String,
}

/// An answer for one capability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapabilityAnswer {
    /// A level id or name, `n/a`, or blank for not yet answered.
    #[serde(default = "blank")]
    #[schemars(with = "String")]
    pub level: Spanned<String>,
    /// Why the capability does not apply (required with `n/a`).
    #[serde(default)]
    pub reason: String,
    /// `low`, `medium`, `high`, or blank.
    #[serde(default = "blank")]
    #[schemars(with = "String")]
    pub confidence: Spanned<String>,
    /// Evidence: text or links.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// The level aimed for.
    #[serde(default = "blank")]
    #[schemars(with = "String")]
    pub target_level: Spanned<String>,
    /// When the target level is to be reached.
    #[serde(default = "blank_date")]
    #[schemars(with = "BlankableDate")]
    pub target_date: Spanned<BlankableDate>,
    /// Why this level and target.
    #[serde(default)]
    pub rationale: String,
    /// Carried over from the previous round and not yet reviewed: remove it (or set it to
    /// false) once the answer has been looked at again.
    #[serde(default, skip_serializing_if = "is_false")]
    pub carried_over: bool,
}

/// A report on one milestone of the round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneAnswer {
    /// `complete`, `on-track`, `at-risk`, `not-started`, or blank.
    #[serde(default = "blank")]
    #[schemars(with = "String")]
    pub status: Spanned<String>,
    /// When it was completed.
    #[serde(default = "blank_date")]
    #[schemars(with = "BlankableDate")]
    pub completed_on: Spanned<BlankableDate>,
    /// A note.
    #[serde(default)]
    pub note: String,
}

fn is_false(b: &bool) -> bool {
    !b
}

/// A blank string with an empty span: a field left out counts as not answered.
fn blank() -> Spanned<String> {
    Spanned::new(0..0, String::new())
}

/// A blank date with an empty span.
fn blank_date() -> Spanned<BlankableDate> {
    Spanned::new(0..0, BlankableDate(None))
}
