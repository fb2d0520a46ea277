//! Milestone status as of a date: met, on track, at risk or missed, by a rule stated in words.

use serde::Serialize;

use crate::assessment::{Assessment, ReportedStatus};
use crate::model::{AssessmentRound, Date};

/// A milestone's status as of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MilestoneStatus {
    /// Reported complete.
    Met,
    /// Not complete, due later, and not at risk.
    OnTrack,
    /// Not complete and likely to miss its due date.
    AtRisk,
    /// Not complete and past its due date.
    Missed,
}

impl MilestoneStatus {
    /// The name as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneStatus::Met => "met",
            MilestoneStatus::OnTrack => "on track",
            MilestoneStatus::AtRisk => "at risk",
            MilestoneStatus::Missed => "missed",
        }
    }
}

/// One due date as a source gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueDateOut {
    /// The date.
    pub date: Date,
    /// As the source writes it.
    pub as_written: String,
    /// The source (document and section).
    pub source: String,
    /// Why this date is or is not the one used.
    pub note: String,
}

/// A milestone with its status as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MilestoneResult {
    /// Milestone id.
    pub id: String,
    /// What must be in place.
    pub title: String,
    /// The due date the status uses.
    pub due: DueDateOut,
    /// Other due dates that sources give for the same milestone.
    pub other_due_dates: Vec<DueDateOut>,
    /// What the response reported, if anything.
    pub reported: Option<ReportedStatus>,
    /// When it was completed, if reported.
    pub completed_on: Option<Date>,
    /// The status as of the as-of date.
    pub status: MilestoneStatus,
    /// Why, in words.
    pub reason: String,
    /// The response's note.
    pub note: String,
}

impl MilestoneResult {
    /// What the response reported, in words, where it is not what the status says: a board
    /// reading "on track" beside a milestone its owner reported "not started" must see both.
    /// `None` where the report and the status agree.
    pub fn reported_otherwise(&self) -> Option<&'static str> {
        use MilestoneStatus as S;
        match (self.reported, self.status) {
            (Some(ReportedStatus::NotStarted), _) => Some("reported not started"),
            (Some(ReportedStatus::OnTrack), S::AtRisk | S::Missed) => Some("reported on track"),
            (Some(ReportedStatus::AtRisk), S::Missed) => Some("reported at risk"),
            (None, S::OnTrack | S::AtRisk | S::Missed) => Some("no status reported"),
            _ => None,
        }
    }
}

/// The rule, in words, for the method statement of every output.
pub fn rule_in_words(at_risk_within_days: u32) -> String {
    format!(
        "A milestone is met when the response reports it complete; missed when it is not complete and its due date is before the as-of date; \
         at risk when it is not complete and the response reports it at risk, or it is due within {at_risk_within_days} days of the as-of date and is not reported on track; \
         otherwise on track. Where sources give different due dates, the one marked as used for status is used and the others are listed."
    )
}

/// Computes every milestone of `round` for `assessment` as of `as_of`.
pub fn milestone_statuses(
    round: &AssessmentRound,
    assessment: &Assessment,
    as_of: Date,
) -> Vec<MilestoneResult> {
    let mut out = Vec::new();
    for m in &round.milestones {
        let Some(used) = m.status_due() else { continue };
        let to_out = |d: &crate::model::DueDate| DueDateOut {
            date: *d.date.get_ref(),
            as_written: d.as_written.clone(),
            source: d.source.to_string(),
            note: d.note.clone(),
        };
        let due = *used.date.get_ref();
        let report = assessment.milestones.get(m.id.get_ref());
        let reported = report.and_then(|r| r.status);
        let completed_on = report.and_then(|r| r.completed_on);
        let days_left = (due.0 - as_of.0).num_days();
        let (status, reason) = match reported {
            Some(ReportedStatus::Complete) => match completed_on {
                Some(done) if done > due => (
                    MilestoneStatus::Met,
                    format!("reported complete on {done}, after the due date {due}"),
                ),
                Some(done) => (MilestoneStatus::Met, format!("reported complete on {done}")),
                None => (MilestoneStatus::Met, "reported complete".to_string()),
            },
            _ if due < as_of => (
                MilestoneStatus::Missed,
                format!("due {due}, before the as-of date {as_of}, and not reported complete"),
            ),
            Some(ReportedStatus::AtRisk) => {
                (MilestoneStatus::AtRisk, "reported at risk".to_string())
            }
            Some(ReportedStatus::OnTrack) => (
                MilestoneStatus::OnTrack,
                format!("reported on track; due in {days_left} days"),
            ),
            other if days_left <= i64::from(round.at_risk_within_days) => (
                MilestoneStatus::AtRisk,
                format!(
                    "due in {days_left} days (within {} days) and {}",
                    round.at_risk_within_days,
                    if other.is_some() {
                        "reported not started"
                    } else {
                        "no status reported"
                    }
                ),
            ),
            other => (
                MilestoneStatus::OnTrack,
                format!(
                    "due in {days_left} days; {}",
                    if other.is_some() {
                        "reported not started"
                    } else {
                        "no status reported"
                    }
                ),
            ),
        };
        out.push(MilestoneResult {
            id: m.id.get_ref().clone(),
            title: m.title.clone(),
            due: to_out(used),
            other_due_dates: m
                .due
                .iter()
                .filter(|d| !std::ptr::eq(*d, used))
                .map(to_out)
                .collect(),
            reported,
            completed_on,
            status,
            reason,
            note: report.map(|r| r.note.clone()).unwrap_or_default(),
        });
    }
    out
}
