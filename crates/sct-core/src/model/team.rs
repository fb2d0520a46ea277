//! The team around a response: who rated it, where it is in its life (draft to approved), how
//! several raters' views were moderated into one, who approved it, and the round it carried
//! answers over from. Every table is optional: a response written by one person, with none of
//! them, reads as before.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::BlankableDate;

/// One rater: a person who rated the capabilities, on their own, for a team assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Rater {
    /// Their name, as the team knows them.
    #[serde(default)]
    pub name: String,
    /// Their role (for example `Director of Finance`).
    #[serde(default)]
    pub role: String,
    /// Their email address, if they want it recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
}

impl Rater {
    /// The rater as "name (role)", or the name alone when no role is given.
    pub fn label(&self) -> String {
        match (self.name.trim(), self.role.trim()) {
            (name, "") => name.to_string(),
            (name, role) => format!("{name} ({role})"),
        }
    }
}

/// Where a response is in its life. Each stage follows the one before: a rater drafts and
/// submits; a moderator agrees one response from several; the board approves it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Being filled in.
    Draft,
    /// Finished by its rater and handed in for moderation.
    Submitted,
    /// Agreed from several raters' responses by a moderator.
    Moderated,
    /// Ratified by the board (or whoever signs it off): read-only from then on.
    Approved,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 4] = [
        Stage::Draft,
        Stage::Submitted,
        Stage::Moderated,
        Stage::Approved,
    ];

    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Submitted => "submitted",
            Stage::Moderated => "moderated",
            Stage::Approved => "approved",
        }
    }
}

/// A response's status: its stage, who moved it there and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusDoc {
    /// The stage.
    #[schemars(with = "Stage")]
    pub stage: Spanned<Stage>,
    /// Who moved the response to this stage.
    #[serde(default)]
    pub by: String,
    /// When.
    #[serde(default = "blank_date")]
    #[schemars(with = "BlankableDate")]
    pub on: Spanned<BlankableDate>,
}

/// One rater's file that went into a moderated response, with its checksum so that the
/// agreed response can be traced to exactly what each rater said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RaterSource {
    /// The rater's name.
    #[serde(default)]
    pub name: String,
    /// The rater's role.
    #[serde(default)]
    pub role: String,
    /// The rater's email, if recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// The rater's response file, as named when it was moderated.
    #[serde(default)]
    pub file: String,
    /// The SHA-256 of that file.
    #[serde(default)]
    pub sha256: String,
}

impl RaterSource {
    /// The rater as "name (role)".
    pub fn label(&self) -> String {
        Rater {
            name: self.name.clone(),
            role: self.role.clone(),
            email: String::new(),
        }
        .label()
    }
}

/// The moderation of one capability: what each rater said and what the moderator agreed.
/// The agreed level itself is the response's answer for the capability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ModeratedCapability {
    /// Each rater's level (a level id, `n/a`, or blank for skipped), in the order of
    /// `[[moderation.raters]]`.
    #[serde(default)]
    pub ratings: Vec<String>,
    /// The median of the raters' levels (a level id; blank when nobody rated it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub median: String,
    /// Why the moderator agreed this level (required where it differs from the median).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rationale: String,
    /// The evidence the moderator accepted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence_accepted: Vec<String>,
}

/// How a response was agreed from several raters' responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationDoc {
    /// Who moderated.
    #[serde(default)]
    pub moderator: Rater,
    /// When the moderation meeting agreed the levels.
    #[serde(default = "blank_date")]
    #[schemars(with = "BlankableDate")]
    pub on: Spanned<BlankableDate>,
    /// Krippendorff's alpha (ordinal) over every capability, before moderation, if computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<f64>,
    /// The raters and their files, in the order of every `ratings` list.
    #[serde(default)]
    pub raters: Vec<RaterSource>,
    /// Each capability's moderation, by capability id.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, ModeratedCapability>")]
    pub capabilities: BTreeMap<Spanned<String>, ModeratedCapability>,
}

/// The board's approval of a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalDoc {
    /// Who approved it (for example `ICB board`).
    #[serde(default)]
    pub by: String,
    /// When.
    #[serde(default = "blank_date")]
    #[schemars(with = "BlankableDate")]
    pub on: Spanned<BlankableDate>,
    /// The minute that records it (for example `Board, 26 March 2026, item 7`).
    #[serde(default)]
    pub minute: String,
}

/// The earlier response a response's answers were carried over from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PreviousDoc {
    /// That response's round id.
    #[serde(default)]
    pub round: String,
    /// Its organisation's ODS code.
    #[serde(default)]
    pub ods_code: String,
    /// Its file, as named when carried over (relative to this response where it can be).
    #[serde(default)]
    pub file: String,
    /// Its SHA-256.
    #[serde(default)]
    pub sha256: String,
}

/// A blank date with an empty span.
fn blank_date() -> Spanned<BlankableDate> {
    Spanned::new(0..0, BlankableDate(None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Doc {
        status: StatusDoc,
        moderation: ModerationDoc,
        approval: ApprovalDoc,
    }

    #[test]
    fn a_moderated_and_approved_record_reads() {
        let doc: Doc = toml::from_str(
            r#"
[status]
stage = "approved"
by = "ICB board"
on = 2026-03-26
[moderation]
moderator = { name = "A", role = "Chair" }
on = 2026-03-24
agreement = 0.61
[[moderation.raters]]
name = "B"
role = "Director"
file = "b.toml"
sha256 = "00"
[moderation.capabilities.x]
ratings = ["embedding"]
median = "embedding"
[approval]
by = "ICB board"
on = 2026-03-26
minute = "Board, 26 March 2026, item 7"
"#,
        )
        .unwrap();
        assert_eq!(*doc.status.stage.get_ref(), Stage::Approved);
        assert_eq!(doc.moderation.raters[0].label(), "B (Director)");
        assert_eq!(doc.moderation.agreement, Some(0.61));
        assert_eq!(doc.approval.minute, "Board, 26 March 2026, item 7");
    }

    #[test]
    fn an_unknown_stage_is_refused_with_its_place() {
        let err = toml::from_str::<StatusDoc>("stage = \"signed\"").unwrap_err();
        assert!(
            err.message().contains("unknown variant"),
            "{}",
            err.message()
        );
        assert!(err.span().is_some());
    }
}
