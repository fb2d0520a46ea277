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

/// The status a response's text (TOML or JSON) gives, read without checking the rest of the
/// response: for telling cheaply whether a file is an approved response. `None` when the text
/// is neither, or gives no stage sct knows.
pub fn status_in_text(text: &str) -> Option<Status> {
    if let Ok(table) = toml::from_str::<toml::Table>(text) {
        let status = table.get("status")?.as_table()?;
        let text_of = |key: &str| status.get(key).and_then(|v| v.as_str()).unwrap_or("");
        let on = match status.get("on") {
            Some(toml::Value::Datetime(d)) => Date::parse(&d.to_string()).ok(),
            Some(toml::Value::String(s)) => Date::parse(s).ok(),
            _ => None,
        };
        return Some(Status {
            stage: stage_named(text_of("stage"))?,
            by: text_of("by").trim().to_string(),
            on,
        });
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let status = value.get("status")?;
    let text_of = |key: &str| status.get(key).and_then(|v| v.as_str()).unwrap_or("");
    Some(Status {
        stage: stage_named(text_of("stage"))?,
        by: text_of("by").trim().to_string(),
        on: Date::parse(text_of("on")).ok(),
    })
}

/// The stage written as `name`, if it is one.
fn stage_named(name: &str) -> Option<Stage> {
    Stage::ALL.into_iter().find(|s| s.as_str() == name.trim())
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
    fn a_status_is_read_from_toml_or_json_text_alone() {
        let toml =
            "round = \"x\"\n[status]\nstage = \"approved\"\nby = \"ICB board\"\non = 2026-03-26\n";
        let s = status_in_text(toml).unwrap();
        assert_eq!(s.stage, Stage::Approved);
        assert_eq!(s.by, "ICB board");
        assert_eq!(s.on.map(|d| d.to_string()).as_deref(), Some("2026-03-26"));
        let json = r#"{"status": {"stage": "moderated", "on": "2026-03-24"}}"#;
        assert_eq!(status_in_text(json).unwrap().stage, Stage::Moderated);
        assert_eq!(status_in_text("[status]\nstage = \"signed\"\n"), None);
        assert_eq!(status_in_text("<html>"), None);
        assert_eq!(status_in_text("type = \"organisation\"\n"), None);
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
