//! The team record of a resolved response: its rater, status, moderation, approval and the
//! response it carried answers over from, checked against the toolkit (levels as ranks) and
//! ready for reports. Produced by [`crate::validate::resolve_response`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Date, PreviousDoc, Rater, RaterSource, Stage};

/// One rater's rating of a capability, as moderation saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Rating {
    /// A level (its one-based rank).
    Level {
        /// One-based rank of the level.
        rank: usize,
    },
    /// The rater said the capability does not apply.
    NotApplicable,
    /// The rater left it blank.
    Skipped,
}

impl Rating {
    /// The level rank, when rated with a level.
    pub fn rank(self) -> Option<usize> {
        match self {
            Rating::Level { rank } => Some(rank),
            _ => None,
        }
    }
}

/// A response's status, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// The stage.
    pub stage: Stage,
    /// Who moved the response to it.
    pub by: String,
    /// When, if given.
    pub on: Option<Date>,
}

/// One capability's moderation, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapabilityModeration {
    /// Each rater's rating, in the order of [`Moderation::raters`].
    pub ratings: Vec<Rating>,
    /// The median of the raters' levels (rank), if anyone rated it with a level.
    pub median: Option<usize>,
    /// Why the moderator agreed the level they did.
    pub rationale: String,
    /// The evidence the moderator accepted.
    pub evidence_accepted: Vec<String>,
}

/// How a response was agreed from several raters', resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moderation {
    /// Who moderated.
    pub moderator: Rater,
    /// When, if given.
    pub on: Option<Date>,
    /// Krippendorff's alpha (ordinal) before moderation, if recorded.
    pub agreement: Option<f64>,
    /// The raters and their files.
    pub raters: Vec<RaterSource>,
    /// Each capability's moderation, by capability id.
    pub capabilities: BTreeMap<String, CapabilityModeration>,
}

/// The board's approval, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// Who approved.
    pub by: String,
    /// When, if given.
    pub on: Option<Date>,
    /// The minute that records it.
    pub minute: String,
}

/// Everything a response says about the people who made and approved it.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Team {
    /// The rater, when the response is one rater's view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rater: Option<Rater>,
    /// Its status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Its moderation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moderation: Option<Moderation>,
    /// Its approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    /// The response its answers were carried over from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<PreviousDoc>,
}

impl Team {
    /// Whether the response has been approved (and is read-only).
    pub fn is_approved(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(|s| s.stage == Stage::Approved)
    }

    /// Whether nothing about the team is recorded.
    pub fn is_empty(&self) -> bool {
        self == &Team::default()
    }
}

/// The median rank of some ratings: the lower middle value when their number is even, so
/// that the median is always a level someone gave. `None` when nobody gave a level.
pub fn median_rank(ratings: &[Rating]) -> Option<usize> {
    let mut ranks: Vec<usize> = ratings.iter().filter_map(|r| r.rank()).collect();
    if ranks.is_empty() {
        return None;
    }
    ranks.sort_unstable();
    Some(ranks[(ranks.len() - 1) / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(ranks: &[usize]) -> Vec<Rating> {
        ranks.iter().map(|&rank| Rating::Level { rank }).collect()
    }

    #[test]
    fn the_median_is_a_level_someone_gave_and_ignores_skips() {
        assert_eq!(median_rank(&levels(&[3, 1, 2])), Some(2));
        assert_eq!(median_rank(&levels(&[4, 1, 2, 3])), Some(2));
        let mut with_gaps = levels(&[5, 5]);
        with_gaps.push(Rating::Skipped);
        with_gaps.push(Rating::NotApplicable);
        assert_eq!(median_rank(&with_gaps), Some(5));
        assert_eq!(median_rank(&[Rating::Skipped]), None);
    }
}
