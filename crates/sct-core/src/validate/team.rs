//! The team tables of a response (`[rater]`, `[status]`, `[moderation]`, `[approval]`,
//! `[previous]`) checked against the toolkit and against each other. A level that is not one,
//! or a ratings list that does not match the raters, is an error; a status the content does
//! not bear out (approved without a moderator, moderated with one rater) is a warning, so the
//! response still scores and the report says so.

use std::collections::BTreeMap;

use crate::assessment::{Answer, AnswerLevel};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{
    ApprovalDoc, CapabilityToolkit, ModerationDoc, ResponseDoc, Spanned, Stage, StatusDoc,
};
use crate::source::SourceFile;
use crate::team::{Approval, CapabilityModeration, Moderation, Rating, Status, Team, median_rank};

use super::response::is_not_applicable;

/// Resolves the team tables, pushing what is wrong into `diags`.
pub(super) fn resolve_team(
    src: &SourceFile,
    doc: &ResponseDoc,
    toolkit: &CapabilityToolkit,
    answers: &BTreeMap<String, Answer>,
    diags: &mut Diagnostics,
) -> Team {
    let team = Team {
        rater: doc.rater.clone().filter(|r| !r.name.trim().is_empty()),
        status: doc.status.as_ref().map(status),
        moderation: doc
            .moderation
            .as_ref()
            .map(|m| moderation(src, m, toolkit, answers, diags)),
        approval: doc.approval.as_ref().map(approval),
        previous: doc.previous.clone(),
    };
    check_rater(src, doc, diags);
    if let Some(status) = &doc.status {
        check_status(src, status, &team, diags);
    }
    if doc.approval.is_some() && !team.is_approved() {
        let expected = "[status] stage = \"approved\", as the approval step writes it";
        diags.push(match &doc.status {
            Some(status) => src
                .warning_at(
                    status.stage.span(),
                    format!(
                        "the response records an approval ([approval]) but its status is {}, not approved",
                        status.stage.get_ref().as_str()
                    ),
                )
                .expected(expected),
            None => Diagnostic::warning(
                "the response records an approval ([approval]) but has no status saying it is approved",
            )
            .in_file(&src.name)
            .expected(expected),
        });
    }
    team
}

fn status(doc: &StatusDoc) -> Status {
    Status {
        stage: *doc.stage.get_ref(),
        by: doc.by.trim().to_string(),
        on: doc.on.get_ref().0,
    }
}

fn approval(doc: &ApprovalDoc) -> Approval {
    Approval {
        by: doc.by.trim().to_string(),
        on: doc.on.get_ref().0,
        minute: doc.minute.trim().to_string(),
    }
}

/// A `[rater]` table names a person.
fn check_rater(src: &SourceFile, doc: &ResponseDoc, diags: &mut Diagnostics) {
    if let Some(rater) = &doc.rater
        && rater.name.trim().is_empty()
    {
        diags.push(
            Diagnostic::error("[rater] has no name")
                .in_file(&src.name)
                .expected("name = \"...\" (and role = \"...\") in [rater]"),
        );
    }
}

/// The stage must be borne out by the rest of the response.
fn check_status(src: &SourceFile, doc: &StatusDoc, team: &Team, diags: &mut Diagnostics) {
    let stage = *doc.stage.get_ref();
    let raters = team.moderation.as_ref().map_or(0, |m| m.raters.len());
    let mut mismatch = |message: String, expected: &str| {
        diags.push(
            src.warning_at(doc.stage.span(), message)
                .expected(expected.to_string()),
        );
    };
    if stage >= Stage::Moderated && team.moderation.is_none() {
        mismatch(
            format!(
                "the status is {} but there is no [moderation]",
                stage.as_str()
            ),
            "a [moderation] table naming the moderator and the raters, as moderation writes it",
        );
    }
    if let Some(m) = &team.moderation {
        if m.moderator.name.trim().is_empty() && stage >= Stage::Moderated {
            mismatch(
                format!("the status is {} but no moderator is named", stage.as_str()),
                "moderator = { name = \"...\", role = \"...\" } in [moderation]",
            );
        }
        if stage >= Stage::Moderated && raters < 2 {
            mismatch(
                format!(
                    "the status is {} but only {raters} rater{} took part: a moderation agrees several raters' views",
                    stage.as_str(),
                    if raters == 1 { "" } else { "s" }
                ),
                "two or more raters in [[moderation.raters]]",
            );
        }
    }
    if stage == Stage::Approved && team.approval.is_none() {
        mismatch(
            "the status is approved but there is no [approval]".into(),
            "an [approval] table with by, on and minute",
        );
    }
    if stage < Stage::Moderated && team.moderation.is_some() {
        mismatch(
            format!(
                "the status is {} but the response records a moderation",
                stage.as_str()
            ),
            "stage = \"moderated\" (or later) for a moderated response",
        );
    }
}

/// The moderation table, its ratings resolved to ranks.
fn moderation(
    src: &SourceFile,
    doc: &ModerationDoc,
    toolkit: &CapabilityToolkit,
    answers: &BTreeMap<String, Answer>,
    diags: &mut Diagnostics,
) -> Moderation {
    let mut capabilities = BTreeMap::new();
    for (key, raw) in &doc.capabilities {
        let id = key.get_ref();
        if toolkit.capability(id).is_none() {
            diags.push(
                src.error_at(
                    key.span(),
                    format!("\"{id}\" is not a capability of the toolkit"),
                )
                .expected("a capability id of the toolkit, as in [capabilities]"),
            );
            continue;
        }
        if raw.ratings.len() != doc.raters.len() {
            diags.push(
                src.error_at(
                    key.span(),
                    format!(
                        "{id} has {} ratings for {} raters",
                        raw.ratings.len(),
                        doc.raters.len()
                    ),
                )
                .expected("one rating per rater of [[moderation.raters]], in their order"),
            );
        }
        let ratings = raw
            .ratings
            .iter()
            .map(|r| rating(src, key, r, toolkit, diags))
            .collect::<Vec<_>>();
        let median = median_rank(&ratings);
        check_rationale(
            src,
            key,
            raw.rationale.trim(),
            median,
            answers,
            toolkit,
            diags,
        );
        capabilities.insert(
            id.clone(),
            CapabilityModeration {
                ratings,
                median,
                rationale: raw.rationale.trim().to_string(),
                evidence_accepted: raw
                    .evidence_accepted
                    .iter()
                    .map(|e| e.trim().to_string())
                    .filter(|e| !e.is_empty())
                    .collect(),
            },
        );
    }
    Moderation {
        moderator: doc.moderator.clone(),
        on: doc.on.get_ref().0,
        agreement: doc.agreement,
        raters: doc.raters.clone(),
        capabilities,
    }
}

/// One rater's written level as a rating.
fn rating(
    src: &SourceFile,
    key: &Spanned<String>,
    written: &str,
    toolkit: &CapabilityToolkit,
    diags: &mut Diagnostics,
) -> Rating {
    let written = written.trim();
    if written.is_empty() {
        return Rating::Skipped;
    }
    if is_not_applicable(written) {
        return Rating::NotApplicable;
    }
    match toolkit.resolve_level(written) {
        Some(rank) => Rating::Level { rank },
        None => {
            diags.push(
                src.error_at(
                    key.span(),
                    format!(
                        "\"{written}\" in the ratings of {} is not a level",
                        key.get_ref()
                    ),
                )
                .expected(format!(
                    "one of: {}, n/a, or \"\" for skipped",
                    toolkit.level_list()
                )),
            );
            Rating::Skipped
        }
    }
}

/// An agreed level that differs from the raters' median needs the moderator's reason.
fn check_rationale(
    src: &SourceFile,
    key: &Spanned<String>,
    rationale: &str,
    median: Option<usize>,
    answers: &BTreeMap<String, Answer>,
    toolkit: &CapabilityToolkit,
    diags: &mut Diagnostics,
) {
    let agreed = answers.get(key.get_ref()).map(|a| &a.level);
    if let (Some(AnswerLevel::Level { rank }), Some(median)) = (agreed, median)
        && *rank != median
        && rationale.is_empty()
    {
        let name = |r: usize| {
            toolkit
                .level_by_rank(r)
                .map_or_else(|| r.to_string(), |l| l.name.clone())
        };
        diags.push(
            src.warning_at(
                key.span(),
                format!(
                    "{} was agreed at {} against the raters' median {} with no rationale",
                    key.get_ref(),
                    name(*rank),
                    name(median)
                ),
            )
            .expected("rationale = \"...\" saying why the moderator agreed a different level"),
        );
    }
}
