//! A response resolved against its framework: levels as ranks, blanks as "not answered",
//! ready for scoring. Produced by [`crate::validate::resolve_response`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::Diagnostics;
use crate::model::{Date, Person, ResponseType};
use crate::team::Team;

/// How sure the respondent is of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Little evidence; the rating is a judgement.
    Low,
    /// Some evidence.
    Medium,
    /// Well evidenced.
    High,
}

impl Confidence {
    /// Every value, lowest first.
    pub const ALL: [Confidence; 3] = [Confidence::Low, Confidence::Medium, Confidence::High];

    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// Parses a written value (case-insensitive).
    pub fn parse(s: &str) -> Option<Confidence> {
        Confidence::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// The state of one capability's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum AnswerLevel {
    /// Answered with a level (its one-based rank).
    Level {
        /// One-based rank of the level.
        rank: usize,
    },
    /// The capability does not apply to this organisation.
    NotApplicable {
        /// Why.
        reason: String,
    },
    /// Not answered yet.
    Unanswered,
}

/// One capability's answer, resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// The level, n/a, or unanswered.
    pub level: AnswerLevel,
    /// Confidence, if given.
    pub confidence: Option<Confidence>,
    /// Evidence items (blank items dropped).
    pub evidence: Vec<String>,
    /// Target level rank, if given.
    pub target: Option<usize>,
    /// Target date, if given.
    pub target_date: Option<Date>,
    /// Rationale.
    pub rationale: String,
    /// Carried over from the previous round and not yet reviewed.
    pub carried_over: bool,
}

impl Answer {
    /// An unanswered capability.
    pub fn unanswered() -> Answer {
        Answer {
            level: AnswerLevel::Unanswered,
            confidence: None,
            evidence: Vec::new(),
            target: None,
            target_date: None,
            rationale: String::new(),
            carried_over: false,
        }
    }

    /// The level rank, when answered with a level.
    pub fn rank(&self) -> Option<usize> {
        match self.level {
            AnswerLevel::Level { rank } => Some(rank),
            _ => None,
        }
    }
}

/// What a response reports about a milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportedStatus {
    /// Done.
    Complete,
    /// Not done; expected by its due date.
    OnTrack,
    /// Not done; may miss its due date.
    AtRisk,
    /// Not begun.
    NotStarted,
}

impl ReportedStatus {
    /// Every value.
    pub const ALL: [ReportedStatus; 4] = [
        ReportedStatus::Complete,
        ReportedStatus::OnTrack,
        ReportedStatus::AtRisk,
        ReportedStatus::NotStarted,
    ];

    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportedStatus::Complete => "complete",
            ReportedStatus::OnTrack => "on-track",
            ReportedStatus::AtRisk => "at-risk",
            ReportedStatus::NotStarted => "not-started",
        }
    }

    /// Parses a written value (case-insensitive; spaces and hyphens alike).
    pub fn parse(s: &str) -> Option<ReportedStatus> {
        let key = s.trim().to_ascii_lowercase().replace([' ', '_'], "-");
        ReportedStatus::ALL.into_iter().find(|r| r.as_str() == key)
    }
}

/// A milestone report, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MilestoneReport {
    /// The reported status, if given.
    pub status: Option<ReportedStatus>,
    /// When it was completed, if given.
    pub completed_on: Option<Date>,
    /// A note.
    pub note: String,
}

/// A response resolved against its toolkit (and round).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// Organisation assessment or individual self-assessment.
    pub response_type: ResponseType,
    /// Organisation name as given.
    pub organisation_name: String,
    /// ODS code as given (trimmed, upper case).
    pub ods_code: String,
    /// Notice to repeat in outputs (for example that the data are illustrative).
    pub notice: String,
    /// Respondent's role.
    pub respondent_role: String,
    /// Who signed it off.
    pub signed_off_by: String,
    /// The person, for an individual self-assessment.
    pub person: Option<Person>,
    /// The round id, if any.
    pub round: Option<String>,
    /// Toolkit id.
    pub toolkit_id: String,
    /// Toolkit version.
    pub toolkit_version: String,
    /// Assessed date, if given.
    pub assessed: Option<Date>,
    /// One answer per capability of the toolkit, by capability id.
    pub answers: BTreeMap<String, Answer>,
    /// Milestone reports by milestone id (only those the response reports).
    pub milestones: BTreeMap<String, MilestoneReport>,
    /// Who rated, moderated and approved the response, and what it carried over.
    #[serde(skip_serializing_if = "Team::is_empty")]
    pub team: Team,
    /// The response file's name.
    pub source_name: String,
    /// The response file's SHA-256.
    pub source_sha256: String,
    /// Warnings found while resolving.
    #[serde(skip)]
    pub warnings: Diagnostics,
}
